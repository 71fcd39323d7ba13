fn main() {
    // Declaring the app's commands makes each one need an explicit `allow-<command>` permission
    // in capabilities/, so the window can call exactly what is listed there.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "overview",
        "home",
        "search",
        "households",
        "household",
        "create_household",
        "person",
        "check_person",
        "save_person",
        "add_contact",
        "contacts",
        "import_pick",
        "import_preview",
        "import_confirm",
        "settings",
        "save_settings",
        "choices",
        "ready",
        "sync_pick_folder",
        "sync_status",
        "sync_enrol",
        "sync_unlock",
        "sync_now",
        "sync_conflicts",
        "sync_resolve",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build script failed");
}
