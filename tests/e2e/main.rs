//! End-to-end tests: the built binaries (`quartiere`, `quartiere-app`) as separate processes, the
//! window in a real X server (Xvfb).
//!
//! They need the binaries built and Xvfb installed, so they run when `QUARTIERE_E2E=1`, which
//! `cargo xtask test` (and so CI) sets after building. Without it a plain `cargo test` reports
//! them as ignored, with the reason, never as passed: this file is its own test harness
//! (libtest-mimic), so a test that needs the binaries is marked at run time.

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

use libtest_mimic::{Arguments, Trial};

/// Whether the tests that start the built binaries are switched on.
fn switched_on() -> bool {
    std::env::var("QUARTIERE_E2E").is_ok_and(|v| v == "1")
}

/// A test that runs in any `cargo test`.
fn always(name: &str, test: fn()) -> Trial {
    Trial::test(name, move || {
        test();
        Ok(())
    })
}

/// A test that starts the built binaries: reported as ignored unless switched on.
fn with_binaries(name: &str, test: fn()) -> Trial {
    always(name, test).with_ignored_flag(!switched_on())
}

fn main() -> std::process::ExitCode {
    let args = Arguments::from_args();
    if !switched_on() {
        eprintln!("end-to-end tests that start the app are ignored: set QUARTIERE_E2E=1 after building the binaries (cargo xtask test does)");
    }
    let trials = vec![
        always("contrast::the_ui_colours_pass_wcag_aa", contrast::the_ui_colours_pass_wcag_aa),
        always(
            "crash::killing_the_app_during_writes_loses_nothing_committed_and_corrupts_nothing",
            crash::killing_the_app_during_writes_loses_nothing_committed_and_corrupts_nothing,
        ),
        with_binaries("the_app_opens_its_window_on_a_demo_database", the_app_opens_its_window_on_a_demo_database),
        with_binaries(
            "a_list_imported_with_the_cli_opens_in_the_window",
            a_list_imported_with_the_cli_opens_in_the_window,
        ),
        with_binaries(
            "sync_cli::two_desks_sync_through_a_shared_folder_with_the_cli",
            sync_cli::two_desks_sync_through_a_shared_folder_with_the_cli,
        ),
        with_binaries(
            "syncthing::two_desks_sync_through_two_syncthing_instances",
            syncthing::two_desks_sync_through_two_syncthing_instances,
        ),
        with_binaries(
            "ui::an_operator_registers_a_household_and_finds_it_after_a_restart",
            ui::an_operator_registers_a_household_and_finds_it_after_a_restart,
        ),
        with_binaries(
            "ui::an_assembly_is_planned_printed_and_its_attendance_recorded",
            ui::an_assembly_is_planned_printed_and_its_attendance_recorded,
        ),
        with_binaries(
            "ui::a_course_fills_up_and_a_freed_place_goes_to_the_waiting_list",
            ui::a_course_fills_up_and_a_freed_place_goes_to_the_waiting_list,
        ),
        with_binaries(
            "ui::a_case_opened_from_a_desk_contact_puts_its_overdue_goal_on_home",
            ui::a_case_opened_from_a_desk_contact_puts_its_overdue_goal_on_home,
        ),
        with_binaries(
            "ui::a_repayment_plan_is_signed_paid_in_part_and_late_after_its_due_date",
            ui::a_repayment_plan_is_signed_paid_in_part_and_late_after_its_due_date,
        ),
        with_binaries(
            "ui::the_coordinator_reads_the_indicators_and_exports_the_monthly_bundle",
            ui::the_coordinator_reads_the_indicators_and_exports_the_monthly_bundle,
        ),
    ];
    libtest_mimic::run(&args, trials).exit_code()
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

fn the_app_opens_its_window_on_a_demo_database() {
    let data = tempfile::tempdir().unwrap();
    let (_x, display) = xvfb();
    let _app = app(&display, &["--data-dir".as_ref(), data.path().as_os_str(), "--demo".as_ref()]);
    // The demo desk is created and filled before the window opens, which then asks for a sign-in.
    wait_for_title(&display, "Quartiere — accesso");
}

fn a_list_imported_with_the_cli_opens_in_the_window() {
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
