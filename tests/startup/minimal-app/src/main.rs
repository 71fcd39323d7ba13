//! A minimal Tauri app: one window, one static page, one command. The startup benchmark
//! (tests/benches/startup.rs) measures it next to Quartiere, built with the same profile.

/// The page calls this once it is painted; the benchmark waits for the line.
#[tauri::command]
fn ready() {
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "ready");
    let _ = out.flush();
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the minimal app failed to start");
}
