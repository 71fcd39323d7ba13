//! End-to-end tests: the built binaries (`quartiere`, `quartiere-app`) as separate processes, the
//! window in a real X server (Xvfb).
//!
//! They need the binaries built and Xvfb installed, so they run when `QUARTIERE_E2E=1`, which
//! `cargo xtask test` (and so CI) sets after building; a plain `cargo test` says it skipped them.

mod contrast;
mod crash;
mod sync_cli;
mod syncthing;
mod ui;
mod webdriver;
#[path = "../support/x11.rs"]
mod x11;

pub(crate) use x11::{xvfb, Killed};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub(crate) fn enabled(test: &str) -> bool {
    let on = std::env::var("QUARTIERE_E2E").is_ok_and(|v| v == "1");
    if !on {
        eprintln!("{test}: skipped, set QUARTIERE_E2E=1 after building the binaries (cargo xtask test does)");
    }
    on
}

/// The binaries sit next to the test executable's `deps/` folder.
pub(crate) fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(Path::parent).unwrap().join(name);
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p quartiere-app -p quartiere-cli`",
        path.display()
    );
    path
}

fn window_titles(display: &str) -> String {
    Command::new("xwininfo")
        .args(["-root", "-tree"])
        .env("DISPLAY", display)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn wait_for_title(display: &str, fragment: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(90) {
        if window_titles(display).contains(fragment) {
            return;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("no window titled «{fragment}» within 90 s; windows:\n{}", window_titles(display));
}

fn app(display: &str, args: &[&std::ffi::OsStr]) -> Killed {
    Killed(Command::new(binary("quartiere-app")).args(args).env("DISPLAY", display).spawn().unwrap())
}

#[test]
fn the_app_opens_its_window_on_a_demo_database() {
    if !enabled("the_app_opens_its_window_on_a_demo_database") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let (_x, display) = xvfb();
    let _app = app(&display, &["--data-dir".as_ref(), data.path().as_os_str(), "--demo".as_ref()]);
    // The demo desk is created and filled before the window opens, which then asks for a sign-in.
    wait_for_title(&display, "Quartiere — accesso");
}

#[test]
fn a_list_imported_with_the_cli_opens_in_the_window() {
    if !enabled("a_list_imported_with_the_cli_opens_in_the_window") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("dati");
    let list = dir.path().join("elenco.csv");
    std::fs::write(
        &list,
        "codice_alloggio;indirizzo;civico;cognome;nome;relazione\n\
         A1;Via Enrico Fermi;3;Diop;Awa;intestataria\n\
         A1;Via Enrico Fermi;3;Diop;Moussa;figlio\n\
         A2;Via Luigi Pirandello;6/H;Rossi;Mario;intestatario\n",
    )
    .unwrap();
    for args in [&["init", "--desk", "Sportello", "--as", "Giulia"][..], &["import", list.to_str().unwrap()]] {
        let out = Command::new(binary("quartiere"))
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env("QUARTIERE_OPERATOR", "Giulia")
            .env("QUARTIERE_PASSPHRASE", "parola d'accesso di prova")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (_x, display) = xvfb();
    let _app = app(&display, &["--data-dir".as_ref(), data.as_os_str()]);
    // The desk exists, so the app opens locked on its sign-in screen (the window test signs in).
    wait_for_title(&display, "Quartiere — accesso");
}
