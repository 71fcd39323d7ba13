//! Project automation, so that a fresh Debian/Ubuntu machine needs two commands:
//!
//! - `cargo xtask demo`: installs what is missing and opens the app on a fresh demo database;
//! - `cargo xtask test`: installs what is missing and runs every check CI runs;
//! - `cargo xtask bindings`: rewrites ui/src/lib/bindings.ts from the Rust types;
//! - `cargo xtask startup`: the startup benchmark, Quartiere against a minimal Tauri app (release).
//!
//! System packages come from apt (with sudo when not root). Nothing is downloaded from elsewhere.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// Debian packages the desktop shell needs to build, and the tools the tests use.
const APT_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libsoup-3.0-dev",
    "libjavascriptcoregtk-4.1-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "xvfb",
    "xauth",
    "x11-utils",
    "webkit2gtk-driver",
    // pdftotext reads the PDFs Quartiere writes back in the tests.
    "poppler-utils",
    // age: the sync benchmark compares bundle encryption with it.
    "age",
    // syncthing: two instances on loopback carry the shared folder between two desks in a test.
    "syncthing",
    // Real outside clients in the tests: the encrypted database must read as noise to these.
    "sqlite3",
    "binutils",
];

/// The WebDriver bridge for the end-to-end tests, pinned to the version they were written against.
const TAURI_DRIVER_VERSION: &str = "2.1.0";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("test") => test(),
        Some("deps") => ensure_system_packages(),
        Some("bindings") => bindings(),
        Some("startup") => startup(),
        _ => {
            eprintln!("usage: cargo xtask <demo|test|deps|bindings|startup>");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Where cargo puts binaries: `CARGO_TARGET_DIR` when set, else `target/` in the repository.
fn debug_binary(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let target = if target.is_absolute() { target } else { root().join(target) };
    target.join("debug").join(name)
}

/// Builds Quartiere and the minimal Tauri app in release, then runs the benchmark comparing them.
fn startup() -> Result {
    ensure_system_packages()?;
    build_ui(false)?;
    run(cargo().args(["build", "--release", "-p", "quartiere-app", "-p", "quartiere-cli", "-p", "minimal-tauri-app"]))?;
    run(cargo().args(["bench", "-p", "quartiere-e2e", "--bench", "startup"]))
}

/// Regenerates the UI's TypeScript types from the Rust types (the test that checks them, told to write).
fn bindings() -> Result {
    ensure_system_packages()?;
    run(cargo().args(["test", "-p", "quartiere-app", "--test", "bindings"]).env("QUARTIERE_WRITE_BINDINGS", "1"))?;
    eprintln!("xtask: ui/src/lib/bindings.ts written; commit it with the Rust change");
    Ok(())
}

fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {cmd:?}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(root());
    }
    let status = cmd.status().map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed with {status}"))
    }
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    // A CI checkout is built once: incremental caches would only take disk.
    if std::env::var_os("CI").is_some() {
        cmd.env("CARGO_INCREMENTAL", "0");
    }
    cmd
}

fn is_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn ensure_system_packages() -> Result {
    if !Path::new("/usr/bin/apt-get").exists() {
        eprintln!("xtask: not a Debian/Ubuntu system; install the equivalents of {APT_PACKAGES:?} by hand");
        return Ok(());
    }
    let missing: Vec<&str> = APT_PACKAGES.iter().copied().filter(|p| !is_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing {}", missing.join(" "));
    let is_root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    let apt = |args: &[&str]| {
        let mut cmd = if is_root { Command::new("apt-get") } else { Command::new("sudo") };
        if !is_root {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update", "-qq"]))?;
    run(apt(&["install", "-y", "-qq", "--no-install-recommends"]).args(&missing))
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

/// Installs the UI's npm packages (exactly the lock file's), type-checks it and builds `ui/dist`,
/// which the shell embeds at compile time.
fn build_ui(check: bool) -> Result {
    let ui = root().join("ui");
    let npm = || {
        let mut cmd = Command::new("npm");
        cmd.current_dir(&ui);
        cmd
    };
    // Installed again when the lock file changed since the last install (a package added).
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let installed = modified(ui.join("node_modules/.package-lock.json"));
    if installed.is_none() || modified(ui.join("package-lock.json")) > installed {
        run(npm().args(["ci", "--no-audit", "--no-fund"]))?;
    }
    if check {
        run(npm().args(["run", "check"]))?;
        // The interface's own tests: every string in both languages (ui/src/i18n/i18n.test.ts).
        run(npm().args(["run", "test"]))?;
    }
    run(npm().args(["run", "build"]))
}

fn demo() -> Result {
    ensure_system_packages()?;
    build_ui(false)?;
    run(cargo().args(["build", "-p", "quartiere-app", "-p", "quartiere-cli"]))?;
    let app = debug_binary("quartiere-app");
    if has_display() {
        run(Command::new(&app).arg("--demo"))
    } else {
        eprintln!("xtask: no display found, starting the app inside a virtual X server (xvfb-run)");
        run(Command::new("xvfb-run").args(["-a", "-s", "-screen 0 1366x768x24"]).arg(&app).arg("--demo"))
    }
}

fn ensure_tauri_driver() -> Result {
    let installed =
        Command::new("tauri-driver").arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
            || std::env::var_os("HOME").is_some_and(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver").exists());
    if installed {
        return Ok(());
    }
    run(cargo().args(["install", "tauri-driver", "--locked", "--version", TAURI_DRIVER_VERSION]))
}

fn test() -> Result {
    ensure_system_packages()?;
    ensure_tauri_driver()?;
    build_ui(true)?;
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    // The end-to-end tests in tests/ drive the built binaries in a real X server.
    run(cargo().args(["build", "-p", "quartiere-app", "-p", "quartiere-cli"]))?;
    let (passed, failed) = run_tests()?;
    // How much disk the build took: a CI machine's disk is not always large.
    let _ = Command::new("du").args(["-sh", "target"]).current_dir(root()).status();
    // One closing line for the whole run.
    println!("{passed} passed, {failed} failed");
    Ok(())
}

/// Runs `cargo test --workspace`, echoing its output, and adds up its `test result:` lines.
fn run_tests() -> Result<(usize, usize)> {
    use std::io::{BufRead, BufReader};
    let mut cmd = cargo();
    cmd.args(["test", "--workspace"]).env("QUARTIERE_E2E", "1").current_dir(root()).stdout(Stdio::piped());
    eprintln!("$ {cmd:?}");
    let mut child = cmd.spawn().map_err(|e| format!("cannot start cargo test: {e}"))?;
    let (mut passed, mut failed) = (0, 0);
    for line in BufReader::new(child.stdout.take().expect("piped stdout")).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            let count = |label: &str| -> usize {
                rest.split(';')
                    .find_map(|part| {
                        part.trim().trim_start_matches("ok. ").trim_start_matches("FAILED. ").strip_suffix(label)
                    })
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or(0)
            };
            passed += count("passed");
            failed += count("failed");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() || failed > 0 {
        println!("{passed} passed, {failed} failed");
        return Err(format!("cargo test failed with {status}"));
    }
    Ok((passed, failed))
}
