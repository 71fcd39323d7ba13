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

/// A running Xvfb; stopping it also removes its lock and socket (a killed server leaves them).
pub struct XServer {
    child: Killed,
    number: u32,
}

impl Drop for XServer {
    fn drop(&mut self) {
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
        let _ = std::fs::remove_file(format!("/tmp/.X{}-lock", self.number));
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{}", self.number));
    }
}

/// Starts Xvfb at 1366x768 (the lab laptops' screen) on a free display number (derived from the
/// process id and a counter, so parallel tests do not collide; one with a lock or socket left over
/// is skipped), and returns once it accepts connections (its socket exists), however loaded the
/// machine is.
pub fn xvfb() -> (XServer, String) {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    for _ in 0..40 {
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let number = 100 + (std::process::id() % 300) * 8 + n;
        let socket = std::path::PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        if socket.exists() || std::path::Path::new(&format!("/tmp/.X{number}-lock")).exists() {
            continue;
        }
        let display = format!(":{number}");
        let child = Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is needed: apt-get install xvfb (cargo xtask deps)");
        let mut server = XServer { child: Killed(child), number };
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if socket.exists() {
                return (server, display);
            }
            if let Ok(Some(_)) = server.child.0.try_wait() {
                break; // could not start on this number (taken meanwhile): try the next
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        drop(server);
    }
    panic!("Xvfb did not start on any of 40 display numbers");
}
