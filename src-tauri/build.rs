fn main() {
    // Declaring the app's commands makes each one need an explicit `allow-<command>` permission
    // in capabilities/, so the window can call exactly what is listed there.
    let manifest = tauri_build::AppManifest::new().commands(&["overview"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build script failed");
}
