use std::collections::HashMap;

use quartiere_core::registry::{self, PersonInput};
use quartiere_core::search::{search, HitKind, Scope};

use crate::*;

fn people(names: &[(&str, &str)]) -> Fixture {
    let mut f = fixture();
    let actor = f.actor;
    crate::registry::exercise_household_history(&mut f.store, &actor);
    f.store
        .write(&actor, |w| {
            for (surname, name) in names {
                registry::create_person(
                    w,
                    &PersonInput { surname: (*surname).into(), name: (*name).into(), ..Default::default() },
                )?;
            }
            Ok(())
        })
        .unwrap();
    f
}

fn check(f: &Fixture, query: &str, scope: Scope, expected: &[&str]) {
    let labels: Vec<String> =
        search(f.store.conn(), &f.actor, query, scope, 10).unwrap().into_iter().map(|h| h.label).collect();
    assert_eq!(labels, expected, "query {query:?}");
}

#[test]
fn search_ignores_case_accents_and_apostrophes() {
    let f = people(&[
        ("D'Amico", "Niccolò"),
        ("Damiani", "Niccolo'"),
        ("Amico", "Carla"),
        ("De Luca", "Zoe"),
        ("Lucà", "Noè"),
        ("Rossetti", "Anna"),
    ]);
    check(&f, "damico", Scope::PEOPLE, &["D'Amico Niccolò"]);
    check(&f, "d'amico", Scope::PEOPLE, &["D'Amico Niccolò"]);
    check(&f, "Niccolo", Scope::PEOPLE, &["Damiani Niccolo'", "D'Amico Niccolò"]);
    check(&f, "amico carla", Scope::PEOPLE, &["Amico Carla"]);
    check(&f, "NICCOLÒ", Scope::PEOPLE, &["Damiani Niccolo'", "D'Amico Niccolò"]);
    // Surname matches rank before other words; alphabetical within a tier.
    check(&f, "amico", Scope::PEOPLE, &["Amico Carla", "D'Amico Niccolò"]);
    // "De Luca" does not start with "luca": it ranks with the other word matches.
    check(&f, "luca", Scope::PEOPLE, &["Lucà Noè", "De Luca Zoe", "Rossi Luca"]);
    check(&f, "de l", Scope::PEOPLE, &["De Luca Zoe"]);
    check(&f, "ross", Scope::PEOPLE, &["Rossetti Anna", "Rossi Luca", "Rossi Mario"]);
    check(&f, "rossi mario", Scope::PEOPLE, &["Rossi Mario"]);
    check(&f, "mario rossi", Scope::PEOPLE, &["Rossi Mario"]);
    check(&f, "nessuno", Scope::ALL, &[]);
    check(&f, "   ", Scope::ALL, &[]);
    check(&f, "\"*(", Scope::ALL, &[]);
}

#[test]
fn search_finds_by_codice_fiscale_and_address() {
    let f = people(&[]);
    check(&f, "RSSMRA45", Scope::PEOPLE, &["Rossi Mario"]);
    // Only current members live at the address: Luca left the household.
    check(&f, "pirandello", Scope::PEOPLE, &["Bianchi Sara", "Rossi Mario"]);
    let hits = search(f.store.conn(), &f.actor, "pirandello 6", Scope::HOUSEHOLDS, 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, HitKind::Household);
    assert_eq!(hits[0].label, "Nucleo Via Luigi Pirandello 6/H, scala A, piano 2, int. 5");
    // Luca left: two current members.
    assert_eq!(hits[0].detail, "intestatario Rossi Mario · 2 componenti");
    // A household is found by its members' surnames too.
    let hits = search(f.store.conn(), &f.actor, "bianchi", Scope::HOUSEHOLDS, 10).unwrap();
    assert_eq!(hits.len(), 1);
    let person = search(f.store.conn(), &f.actor, "rossi mario", Scope::PEOPLE, 1).unwrap();
    assert!(person[0].detail.contains("nato il 25/04/1945"), "{}", person[0].detail);
}

#[test]
fn edits_and_deletions_update_the_index() {
    let mut f = people(&[("Verdi", "Giuseppe")]);
    let id = search(f.store.conn(), &f.actor, "verdi", Scope::PEOPLE, 1).unwrap()[0].id;
    let id = quartiere_core::ids::PersonId(id);
    f.store
        .write(&f.actor, |w| {
            let mut p = PersonInput { surname: "Verdini".into(), name: "Giuseppe".into(), ..Default::default() };
            p.phone = None;
            registry::update_person(w, id, &p)
        })
        .unwrap();
    check(&f, "verdini", Scope::PEOPLE, &["Verdini Giuseppe"]);
    f.store.write(&f.actor, |w| w.tombstone(quartiere_core::schema::Table::Person, id.0)).unwrap();
    check(&f, "verdini", Scope::PEOPLE, &[]);
}

/// A desk that joins from a snapshot builds its index in one pass; it must find what the desk that
/// built it write by write finds, in the same order.
#[test]
fn a_desk_joined_from_a_snapshot_finds_the_same() {
    use quartiere_core::demo::{self, DemoConfig};
    use quartiere_core::sync;
    let shared = tempfile::tempdir().unwrap();
    let mut a = crate::sync::desk("Sportello A", 1, shared.path(), 0);
    demo::generate(&mut a.store, &a.actor, &DemoConfig { households: 40, people: None, seed: 7, today: today() })
        .unwrap();
    // Someone moves out, someone is deleted (their household still lists and finds the others):
    // the index must follow both.
    let rows: Vec<(String, String)> = a
        .store
        .conn()
        .prepare("SELECT id, person_id FROM membership ORDER BY id LIMIT 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let uuid = |s: &str| uuid::Uuid::parse_str(s).unwrap();
    a.store
        .write(&a.actor, |w| {
            registry::end_membership(w, quartiere_core::ids::MembershipId(uuid(&rows[0].0)), today())?;
            w.tombstone(quartiere_core::schema::Table::Person, uuid(&rows[1].1))
        })
        .unwrap();
    sync::snapshot_now(&mut a.store, &a.actor).unwrap();
    let mut c = crate::sync::desk("Sportello C", 3, shared.path(), 0);
    assert!(crate::sync::run(&mut c).snapshot_loaded.is_some());
    assert_eq!(index_of(&a), index_of(&c));
    // The rows built in memory on another thread during the load are no longer attached.
    let attached: i64 = c
        .store
        .conn()
        .query_row("SELECT count(*) FROM pragma_database_list WHERE name NOT IN ('main', 'temp')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(attached, 0);
    let (surname, street, civic): (String, String, String) = a
        .store
        .conn()
        .query_row(
            "SELECT p.surname, d.street, d.civic FROM person p, dwelling d WHERE p.deleted = 0 ORDER BY p.id, d.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let queries = [
        surname.clone(),
        surname[..2].to_string(),
        street.clone(),
        format!("{street} {civic}"),
        "de".into(),
        "2".into(),
    ];
    for query in &queries {
        let found = |d: &crate::sync::Desk| {
            search(d.store.conn(), &d.actor, query, Scope::ALL, 500)
                .unwrap_or_else(|e| panic!("{query} at {}: {e:?}", d.store.desk().0))
                .into_iter()
                .map(|h| (h.kind, h.id, h.label, h.detail))
                .collect::<Vec<_>>()
        };
        let at_a = found(&a);
        assert!(!at_a.is_empty() || query == "2" || query == "de", "{query}");
        assert_eq!(at_a, found(&c), "{query}");
    }
}

/// Every document of a desk's index: kind, record, sort and lead keys, and the words the full-text
/// index holds for it (the index keeps no text, only which documents hold each word).
fn index_of(d: &crate::sync::Desk) -> Vec<(String, String, String, String, Vec<String>)> {
    let conn = d.store.conn();
    conn.pragma_update(None, "query_only", "OFF").unwrap();
    conn.execute_batch("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, search_fts, 'instance')").unwrap();
    let mut words: HashMap<i64, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT doc, term FROM temp.words").unwrap();
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).unwrap() {
        let (doc, term) = row.unwrap();
        words.entry(doc).or_default().push(term);
    }
    drop(stmt);
    conn.execute_batch("DROP TABLE temp.words").unwrap();
    conn.pragma_update(None, "query_only", "ON").unwrap();
    let index = conn
        .prepare("SELECT docid, kind, ref_id, sort_key, lead_key FROM search_doc ORDER BY kind, ref_id")
        .unwrap()
        .query_map([], |r| {
            let mut words = words.remove(&r.get::<_, i64>(0)?).unwrap_or_default();
            words.sort();
            Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, words))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert!(words.is_empty(), "words of documents that are not in search_doc: {words:?}");
    assert!(index.iter().all(|doc| !doc.4.is_empty()), "every document has words");
    index
}

/// A bundle touching more of the index than it holds rebuilds it in one pass: the receiving desk
/// then finds what the desk that wrote the people a few at a time finds.
#[test]
fn a_large_bundle_rebuilds_the_index_to_the_same_result() {
    let shared = tempfile::tempdir().unwrap();
    let mut a = crate::sync::desk("Sportello A", 1, shared.path(), 0);
    let mut b = crate::sync::desk("Sportello B", 2, shared.path(), 0);
    for part in 0..3 {
        a.store
            .write(&a.actor, |w| {
                for i in 0..700 {
                    let surname = ["Rossi", "D'Amico", "Nicolò", "De Luca"][i % 4];
                    let input = PersonInput {
                        surname: format!("{surname} {part}"),
                        name: format!("Nome{i}"),
                        ..Default::default()
                    };
                    registry::create_person(w, &input)?;
                }
                Ok(())
            })
            .unwrap();
    }
    crate::sync::run(&mut a);
    let report = crate::sync::run(&mut b);
    assert_eq!(report.bundles_applied, 1, "{report:?}");
    assert_eq!(index_of(&a), index_of(&b));
    for query in ["rossi 1", "damico", "nicolo 2", "de", "nome69", "amico 0"] {
        let found = |d: &crate::sync::Desk| {
            search(d.store.conn(), &d.actor, query, Scope::ALL, 3000)
                .unwrap()
                .into_iter()
                .map(|h| (h.id, h.label))
                .collect::<Vec<_>>()
        };
        let at_a = found(&a);
        assert!(!at_a.is_empty(), "{query}");
        assert_eq!(at_a, found(&b), "{query}");
    }
}

/// A desk whose file predates the leaner full-text index (schema 6: positions, prefix indexes and
/// a copy of the text) gets the new index on opening, rebuilt from its tables in the same opening:
/// what it found before, it finds after, and nothing the old index held stays.
#[test]
fn an_upgrade_rebuilds_the_search_index_from_the_tables() {
    let f = people(&[("D'Amico", "Niccolò"), ("Rossetti", "Anna"), ("Lucà", "Noè")]);
    let dir = f.dir.path().to_path_buf();
    let before: Vec<String> =
        search(f.store.conn(), &f.actor, "rossetti", Scope::ALL, 10).unwrap().into_iter().map(|h| h.label).collect();
    assert_eq!(before.len(), 1);
    let actor = f.actor;
    drop(f.store);
    let (key, _) = quartiere_core::vault::unlock(&dir, "Giulia Operatrice", OPERATOR_PASS).unwrap();
    {
        let raw = rusqlite::Connection::open(dir.join("quartiere.sqlite")).unwrap();
        raw.execute_batch(&key.pragma()).unwrap();
        raw.execute_batch(
            "DROP TABLE search_fts;
             CREATE VIRTUAL TABLE search_fts USING fts5 (
                 body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
             INSERT INTO search_fts (rowid, body) VALUES (1, 'fantasma');
             ALTER TABLE sync_refused DROP COLUMN kind;
             ALTER TABLE membership DROP COLUMN relationship_text;
             DROP TABLE identity_decision;
             DROP TABLE lab_secret; DROP TABLE plan_action_link; DROP TABLE plan_action; DROP TABLE indicator_target; DROP TABLE solidarity_credit; DROP TABLE plan_payment; DROP TABLE plan_terms; DROP TABLE repayment_plan; DROP TABLE arrears_assessment; DROP TABLE account_period;
             DROP TABLE community_hours; DROP TABLE placement; DROP INDEX referral_case; ALTER TABLE referral DROP COLUMN case_id; ALTER TABLE referral DROP COLUMN state; ALTER TABLE referral DROP COLUMN state_on; ALTER TABLE referral DROP COLUMN shares_data; ALTER TABLE referral DROP COLUMN consent_id; ALTER TABLE referral DROP COLUMN recorded_by; DROP TABLE case_goal; DROP TABLE case_operator; DROP TABLE case_file;
             DROP TABLE esf_participant; DROP TABLE enrolment; DROP TABLE course; DROP TABLE scan_blob; DROP TABLE sheet_scan; DROP TABLE minute_item; DROP TABLE attendance; DROP TABLE attendance_sheet; DROP TABLE invitation;
             DROP TABLE activity_partner; DROP TABLE activity_operator; DROP TABLE activity;
             PRAGMA user_version = 6;",
        )
        .unwrap();
    }
    let store = reopen(&dir, 9);
    let sql: String =
        store.conn().query_row("SELECT sql FROM sqlite_master WHERE name = 'search_fts'", [], |r| r.get(0)).unwrap();
    assert!(sql.contains("contentless_delete = 1") && sql.contains("detail = none"), "{sql}");
    let f = Fixture { store, actor, dir: f.dir };
    check(&f, "rossetti", Scope::ALL, &before.iter().map(String::as_str).collect::<Vec<_>>());
    check(&f, "nic", Scope::PEOPLE, &["D'Amico Niccolò"]);
    check(&f, "fantasma", Scope::ALL, &[]);
    assert_eq!(count(&f.store, "SELECT count(*) FROM local_meta WHERE key = 'search.rebuild_due'"), 0);
}

/// One person per letter that does not decompose, each found by the name typed without it.
#[test]
fn letters_that_do_not_decompose_are_found_as_typed() {
    let cases = [
        ("Łukasz", "Nowak", "lukasz"),
        ("Đorđević", "Milan", "dordevic"),
        ("Guðmundsson", "Jón", "gudmundsson"),
        ("Yıldız", "Ayşe", "yildiz"),
        ("Søndergaard", "Eva", "sondergaard"),
        ("Weiß", "Lena", "weiss"),
        ("Ærenlund", "Ole", "aerenlund"),
        ("Œhler", "Jules", "oehler"),
        ("Ħabib", "Omar", "habib"),
        ("Þorsteinsson", "Ari", "thorsteinsson"),
        ("Aliyeva", "Əminə", "emine"),
    ];
    let f = people(&cases.iter().map(|(s, n, _)| (*s, *n)).collect::<Vec<_>>());
    for (surname, name, typed) in cases {
        check(&f, typed, Scope::PEOPLE, &[&format!("{surname} {name}")]);
    }
}
