//! A minimal Tauri app: one window, one static page, one command. The startup benchmark
//! (tests/benches/startup.rs) measures it next to Quartiere, built with the same profile.

/// The page calls this once it is painted, with the milliseconds since it began loading; the
/// benchmark waits for the line.
#[tauri::command]
fn ready(page_ms: f64) {
    use std::io::Write;
    let mut out = std::io::stdout();
    let _ = writeln!(out, "ready {page_ms:.0}");
    let _ = out.flush();
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the minimal app failed to start");
}
