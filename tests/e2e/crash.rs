//! `kill -9` during writes: whatever a write reported as committed is there after the crash, and
//! the database, its search index and its audit chain are whole. Run many times, killed at
//! different moments (a fixed pseudo-random schedule, so a failure can be replayed).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use quartiere_core::accounts;
use quartiere_core::audit;
use quartiere_core::clock::SystemClock;
use quartiere_core::ids::IdGen;

/// Rounds in CI; `QUARTIERE_CRASH_ROUNDS` raises it locally.
const ROUNDS: u32 = 30;

pub(crate) fn killing_the_app_during_writes_loses_nothing_committed_and_corrupts_nothing() {
    let rounds = std::env::var("QUARTIERE_CRASH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(ROUNDS);
    let dir = tempfile::tempdir().unwrap();
    let mut committed: Vec<String> = Vec::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..rounds {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quartiere-crash-writer"))
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        assert_eq!(rx.recv_timeout(Duration::from_secs(60)).ok().as_deref(), Some("ready"), "round {round}");
        // Somewhere between 5 and 300 ms of writing, then SIGKILL: no destructor, no flush.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(5 + seed % 296));
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        let before = committed.len();
        committed.extend(rx.try_iter().filter_map(|l| l.strip_prefix("committed ").map(str::to_string)));
        assert!(committed.len() >= before, "round {round}");
    }
    assert!(!committed.is_empty(), "the writer never got to commit: the schedule is too short");

    let signed = accounts::sign_in(
        dir.path(),
        "Operatrice del test",
        "parola d'accesso di prova",
        Box::new(SystemClock),
        IdGen::from_entropy(),
    )
    .expect("the database opens after every crash");
    let conn = signed.store.conn();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let missing: Vec<&String> = committed
        .iter()
        .filter(|id| {
            conn.query_row("SELECT count(*) FROM person WHERE id = ?1", [id.as_str()], |r| r.get::<_, i64>(0)).unwrap()
                != 1
        })
        .collect();
    assert!(missing.is_empty(), "{} of {} committed writes lost: {missing:?}", missing.len(), committed.len());
    // Every write is whole: each person has its contact, every contact its note and topics.
    let orphans: i64 = conn
        .query_row(
            "SELECT count(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM desk_contact c WHERE c.person_id = p.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "a person without the contact written in the same transaction");
    let people: i64 = conn.query_row("SELECT count(*) FROM person", [], |r| r.get(0)).unwrap();
    let indexed: i64 =
        conn.query_row("SELECT count(*) FROM search_doc WHERE kind = 'person'", [], |r| r.get(0)).unwrap();
    assert_eq!(people, indexed, "the search index moves with the data");
    let chain = audit::verify(&signed.store, &signed.actor).unwrap();
    assert!(chain.intact(), "{chain:?}");
    eprintln!("{rounds} kills, {} committed writes checked, {people} people in the database", committed.len());
}
