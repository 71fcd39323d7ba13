//! A private X server for a test or a benchmark, and a child process that dies with its owner.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb at 1366x768 (the lab laptops' screen) on a display number derived from the process
/// id and a counter, so parallel tests do not collide.
pub fn xvfb() -> (Killed, String) {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let display = format!(":{}", 100 + (std::process::id() % 300) * 8 + n);
    let child = Command::new("Xvfb")
        .args([display.as_str(), "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is needed: apt-get install xvfb (cargo xtask deps)");
    std::thread::sleep(Duration::from_millis(700));
    (Killed(child), display)
}
