//! Two desks (two data folders) syncing through one real shared folder with the `quartiere` CLI.

use std::path::Path;
use std::process::{Command, Output};

use crate::binary;

pub(crate) const PASS: &str = "cortile di via Pirandello";
/// Each desk's own operator passphrase (the database key's), not the team's.
const OPERATOR_PASS: &str = "parola d'accesso di prova";

pub(crate) fn cli(data: &Path, args: &[&str], passphrase: Option<&str>) -> Output {
    // Desk `a` is Giulia's, desk `b` is Marco's (as `init` below creates them).
    let operator = if data.ends_with("a") { "Giulia" } else { "Marco" };
    let mut cmd = Command::new(binary("quartiere"));
    cmd.arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("QUARTIERE_TEAM_PASSPHRASE")
        .env("QUARTIERE_OPERATOR", operator)
        .env("QUARTIERE_PASSPHRASE", OPERATOR_PASS);
    if let Some(p) = passphrase {
        cmd.env("QUARTIERE_TEAM_PASSPHRASE", p);
    }
    cmd.output().unwrap()
}

pub(crate) fn ok(out: Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "exit {:?}\n{text}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    text
}

pub(crate) fn json(out: Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// The Comune's list both sync tests import at the first desk: two households.
pub(crate) fn write_list(dir: &Path) -> std::path::PathBuf {
    let list = dir.join("elenco.csv");
    std::fs::write(
        &list,
        "codice_alloggio;indirizzo;civico;cognome;nome;relazione\n\
         A1;Via Enrico Fermi;3;Diop;Awa;intestataria\n\
         A2;Via Luigi Pirandello;6/H;Rossi;Mario;intestatario\n",
    )
    .unwrap();
    list
}

/// The second desk's first sync: the first desk's bundle applies, nothing is refused, and Diop Awa
/// is found there. Returns her id.
pub(crate) fn first_sync_finds_diop(desk: &Path) -> String {
    let report = json(cli(desk, &["sync", "--json"], None));
    assert_eq!(report["bundles_applied"], 1, "{report}");
    assert_eq!(report["refused"].as_array().unwrap().len(), 0, "{report}");
    let found = json(cli(desk, &["people", "search", "diop", "--json"], None));
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    found[0]["id"].as_str().unwrap().to_string()
}

pub(crate) fn two_desks_sync_through_a_shared_folder_with_the_cli() {
    let root = tempfile::tempdir().unwrap();
    let (a, b, shared) = (root.path().join("a"), root.path().join("b"), root.path().join("condivisa"));
    std::fs::create_dir_all(&shared).unwrap();
    ok(cli(&a, &["init", "--desk", "Sportello Mezzetta", "--as", "Giulia"], None));
    ok(cli(&b, &["init", "--desk", "Sportello Comune", "--as", "Marco"], None));

    // A creates the team: a key file appears and a recovery code is printed once.
    let text = ok(cli(
        &a,
        &["desk", "enrol", "--folder", shared.to_str().unwrap(), "--name", "Sportello Mezzetta"],
        Some(PASS),
    ));
    assert!(text.contains("Gruppo creato") && text.contains("Codice di recupero"), "{text}");
    assert_eq!(std::fs::read_dir(shared.join("keys")).unwrap().count(), 1);

    let list = write_list(root.path());
    ok(cli(&a, &["import", list.to_str().unwrap()], None));
    let report = json(cli(&a, &["sync", "--folder", shared.to_str().unwrap(), "--json"], None));
    assert_eq!(report["published_seq"], 1, "{report}");

    // A wrong passphrase is refused at once, in Italian, and B stays unenrolled.
    let out = cli(
        &b,
        &["desk", "enrol", "--folder", shared.to_str().unwrap(), "--name", "Sportello Comune"],
        Some("un'altra frase qualsiasi"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("parola d'accesso errata"));
    assert_eq!(json(cli(&b, &["sync", "status", "--json"], None))["enrolled"], false);

    ok(cli(&b, &["desk", "enrol", "--folder", shared.to_str().unwrap(), "--name", "Sportello Comune"], Some(PASS)));
    // Sync-tool debris in the folder is ignored, not refused.
    let a_id = json(cli(&a, &["sync", "status", "--json"], None))["desk_id"].as_str().unwrap().to_string();
    let a_dir = shared.join("desks").join(&a_id);
    std::fs::write(a_dir.join(".syncthing.b-0000000000000002.qrt.tmp"), b"half").unwrap();
    std::fs::write(a_dir.join("b-0000000000000001.sync-conflict-20261122-101010-ABCDEFG.qrt"), b"copy").unwrap();
    let person = first_sync_finds_diop(&b);

    // B records a desk contact; A receives it.
    ok(cli(&b, &["desk", "add", "--person", &person, "--topic", "casa", "--note", "chiede un colloquio"], None));
    ok(cli(&b, &["sync"], None));
    ok(cli(&a, &["sync"], None));
    let contacts = json(cli(&a, &["desk", "list", "--json"], None));
    assert_eq!(contacts.as_array().unwrap().len(), 1, "{contacts}");

    // A half-copied bundle is refused with its reason (exit 1), then applies once whole.
    ok(cli(&a, &["desk", "add", "--person", &person, "--topic", "lavoro"], None));
    ok(cli(&a, &["sync"], None));
    let bundle = std::fs::read_dir(&a_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with("b-0") && p.extension().unwrap() == "qrt")
        .max()
        .unwrap();
    let whole = std::fs::read(&bundle).unwrap();
    std::fs::write(&bundle, &whole[..whole.len() - 10]).unwrap();
    let out = cli(&b, &["sync"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("troncato"), "{}", String::from_utf8_lossy(&out.stdout));
    let status = json(cli(&b, &["sync", "status", "--json"], None));
    assert_eq!(status["refused"].as_array().unwrap().len(), 1, "{status}");
    std::fs::write(&bundle, &whole).unwrap();
    ok(cli(&b, &["sync"], None));
    let status = json(cli(&b, &["sync", "status", "--json"], None));
    assert_eq!(status["refused"].as_array().unwrap().len(), 0, "{status}");
    assert_eq!(json(cli(&b, &["desk", "list", "--json"], None)).as_array().unwrap().len(), 2);
    let desks = status["desks"].as_array().unwrap();
    assert!(desks.iter().any(|d| d["name"] == "Sportello Mezzetta" && d["last_seq"].as_u64() >= Some(2)), "{status}");
}
