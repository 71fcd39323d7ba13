//! The indicators against plain SQL, and the monthly bundle read by outside tools: the Debian
//! `age` decrypts it, `tar` unpacks it, `sha256sum` checks it, calamine reads the workbook,
//! pdftotext and pdftoppm read the report; no name or codice fiscale is anywhere in it.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use quartiere_core::access::Role;
use quartiere_core::bundle::{self, verify, Include, Request};
use quartiere_core::codes::IndicatorCode;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::indicators::{self, Period};
use quartiere_core::{ErrorKind, Store};

use crate::*;

fn demo_lab() -> Fixture {
    let mut f = fixture();
    let actor = f.actor;
    demo::generate(&mut f.store, &actor, &DemoConfig { households: 133, people: None, seed: 2019, today: today() })
        .unwrap();
    f
}

fn strings(store: &Store, sql: &str) -> Vec<String> {
    let mut stmt = store.conn().prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, Option<String>>(0)).unwrap().filter_map(|r| r.unwrap()).collect()
}

/// The households reached, found another way: every touch read row by row, the household found
/// by walking the person's memberships in Rust.
fn households_reached(store: &Store, from: &str, to: &str) -> usize {
    let conn = store.conn();
    let mut touches: Vec<(Option<String>, Option<String>, String)> = Vec::new();
    let mut add = |sql: &str| {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([from, to], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
            })
            .unwrap();
        touches.extend(rows.map(Result::unwrap));
    };
    add("SELECT person_id, household_id, substr(occurred_at, 1, 10) FROM desk_contact WHERE deleted = 0 AND date(occurred_at) >= ?1 AND date(occurred_at) <= ?2");
    add("SELECT t.person_id, NULL, a.held_on FROM attendance t, activity a WHERE a.id = t.activity_id AND t.present = 1 AND t.deleted = 0 AND a.deleted = 0 AND a.held_on >= ?1 AND a.held_on <= ?2");
    add("SELECT person_id, household_id, CASE WHEN opened_on < ?1 THEN ?1 ELSE opened_on END FROM case_file WHERE deleted = 0 AND opened_on <= ?2 AND coalesce(closed_on, '9999') >= ?1");
    add("SELECT e.person_id, NULL, CASE WHEN e.admitted_on < ?1 THEN ?1 ELSE e.admitted_on END FROM enrolment e, course k WHERE k.id = e.course_id AND e.deleted = 0 AND k.deleted = 0 AND e.admitted_on <= ?2 AND coalesce(e.left_on, '9999') >= ?1 AND coalesce(k.ends_on, '9999') >= ?1");
    add("SELECT NULL, household_id, CASE WHEN signed_on < ?1 THEN ?1 ELSE signed_on END FROM repayment_plan WHERE deleted = 0 AND signed_on <= ?2 AND coalesce(closed_on, '9999') >= ?1");
    let memberships: Vec<(String, String, Option<String>, Option<String>)> = {
        let mut stmt = conn
            .prepare("SELECT person_id, household_id, resident_since, left_on FROM membership WHERE deleted = 0")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
    };
    let live: BTreeSet<String> = strings(store, "SELECT id FROM household WHERE deleted = 0").into_iter().collect();
    let mut reached = BTreeSet::new();
    for (person, household, day) in touches {
        if let Some(h) = household {
            reached.insert(h);
        }
        if let Some(p) = person {
            for (mp, mh, since, left) in &memberships {
                let in_since = since.as_deref().is_none_or(|s| s <= day.as_str());
                let not_left = left.as_deref().is_none_or(|l| l > day.as_str());
                if *mp == p && in_since && not_left {
                    reached.insert(mh.clone());
                }
            }
        }
    }
    reached.intersection(&live).count()
}

#[test]
fn the_indicators_equal_plain_sql_on_the_demo_lab() {
    let f = demo_lab();
    let (from, to) = ("2025-09-01", "2026-03-02");
    let period = Period::new(date(from), date(to)).unwrap();
    let d = indicators::dashboard(&f.store, &f.actor, period).unwrap();
    let value = |code: IndicatorCode| d.indicators.iter().find(|i| i.code == code).unwrap().value;
    let sql = |q: &str| count(&f.store, &q.replace("?1", &format!("'{from}'")).replace("?2", &format!("'{to}'")));
    use IndicatorCode::*;
    assert_eq!(
        value(Eventi),
        sql("SELECT count(*) FROM activity WHERE kind = 'evento' AND deleted = 0 AND held_on >= ?1 AND held_on <= ?2")
    );
    assert_eq!(value(Assemblee), sql("SELECT count(*) FROM activity WHERE kind = 'assemblea' AND deleted = 0 AND held_on >= ?1 AND held_on <= ?2"));
    assert_eq!((value(Eventi), value(Assemblee)), (7, 6), "the seed's six months");
    assert_eq!(
        value(ContattiSportello),
        sql("SELECT count(*) FROM desk_contact WHERE deleted = 0 AND date(occurred_at) BETWEEN ?1 AND ?2")
    );
    assert_eq!(
        value(PreseInCarico),
        sql("SELECT count(*) FROM case_file WHERE deleted = 0 AND opened_on BETWEEN ?1 AND ?2")
    );
    assert_eq!(
        value(PianiFirmati),
        sql("SELECT count(*) FROM repayment_plan WHERE deleted = 0 AND signed_on BETWEEN ?1 AND ?2")
    );
    assert_eq!(value(PianiMonitorati), sql("SELECT count(*) FROM repayment_plan WHERE deleted = 0 AND signed_on <= ?2 AND (closed_on IS NULL OR closed_on >= ?1)"));
    assert_eq!(
        value(PartecipantiFse),
        sql("SELECT count(DISTINCT person_id) FROM esf_participant WHERE deleted = 0 AND entry_on BETWEEN ?1 AND ?2")
    );
    assert_eq!(
        value(FormazioneLavoro),
        sql("SELECT count(DISTINCT e.person_id) FROM enrolment e JOIN course k ON k.id = e.course_id WHERE e.deleted = 0 AND k.deleted = 0 AND e.admitted_on <= ?2 AND coalesce(e.left_on, '9999') >= ?1 AND coalesce(k.ends_on, '9999') >= ?1")
    );
    assert_eq!(value(FormazioneLavoro), 11, "the seed's 11 residents in a path at month six");
    assert_eq!(value(NucleiRaggiunti) as usize, households_reached(&f.store, from, to));
    assert!(value(NucleiRaggiunti) > 30, "{}", value(NucleiRaggiunti));
    // Month by month, the counts add up to the period's for things counted once (activities).
    let events = d.indicators.iter().find(|i| i.code == Eventi).unwrap();
    assert_eq!(events.months.len(), 7);
    assert_eq!(events.months.iter().map(|m| m.value).sum::<i64>(), 7);
    // The ESF breakdown: the total row splits into women and men, and the age bands add up.
    let total = &d.esf.rows[0];
    assert_eq!(total.total, Some(value(PartecipantiFse) as u32));
    assert_eq!(total.women.unwrap() + total.men.unwrap(), total.total.unwrap());
    let bands: u32 = d.esf.rows.iter().filter(|r| r.group == "Età all'ingresso").map(|r| r.total.unwrap()).sum();
    assert_eq!(bands, total.total.unwrap());
    let women_by_sql =
        sql("SELECT count(*) FROM esf_participant WHERE deleted = 0 AND sex = 'F' AND entry_on BETWEEN ?1 AND ?2");
    assert_eq!(total.women, Some(women_by_sql as u32));
    // The targets are the demo's data, and the seed's 3 plans are met.
    let plans = d.indicators.iter().find(|i| i.code == PianiFirmati).unwrap();
    assert_eq!(plans.target.as_ref().map(|t| t.target), Some(3));
    // The no-fault debt equals the arrears monitoring's figure on the same day.
    let debt = value(DebitoIncolpevole);
    let mut store = f.store;
    let monitoring = quartiere_core::arrears::monitor::monitoring(&mut store, &f.actor, date(to)).unwrap();
    assert_eq!(debt, monitoring.over_time.last().unwrap().no_fault_debt);
}

#[test]
fn the_comune_reader_sees_the_dashboard_with_small_counts_hidden_and_no_records_behind_it() {
    let mut f = demo_lab();
    let comune = operator_with_role(&mut f, "Ufficio Comune", Role::ComuneViewer);
    let period = Period::new(date("2026-02-01"), date("2026-02-28")).unwrap();
    let d = indicators::dashboard(&f.store, &comune, period).unwrap();
    assert!(d.suppressed);
    assert!(d.esf.rows.iter().all(|r| [r.women, r.men, r.total].iter().all(|c| c.is_none_or(|n| n == 0 || n >= 5))));
    let refused = indicators::records(&mut f.store, &comune, IndicatorCode::NucleiRaggiunti, period).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Forbidden, "{refused}");
    // The coordinator sees who is behind a number, and the read is logged.
    let actor = f.actor;
    let lines = indicators::records(&mut f.store, &actor, IndicatorCode::Eventi, period).unwrap();
    let events = indicators::dashboard(&f.store, &actor, period).unwrap();
    let n = events.indicators.iter().find(|i| i.code == IndicatorCode::Eventi).unwrap().value;
    assert_eq!(lines.len() as i64, n);
}

fn age_key(dir: &Path) -> (std::path::PathBuf, String) {
    let file = dir.join("comune.key");
    let out = Command::new("age-keygen").arg("-o").arg(&file).output().expect("age-keygen (Debian age)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    let public = text.lines().find_map(|l| l.strip_prefix("# public key: ")).unwrap().to_string();
    (file, public)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_monthly_bundle_opens_with_the_debian_age_tool_and_holds_no_name() {
    let mut f = demo_lab();
    let actor = f.actor;
    let work = tempfile::tempdir().unwrap();
    let (key_file, public) = age_key(work.path());
    let out = work.path().join("quartiere-2026-02.age");
    let request = Request {
        month: Period::month("2026-02").unwrap(),
        since: None,
        include: Include::default(),
        note: Some("Mese regolare.".into()),
    };

    // A wrong or missing key is refused before anything is written.
    for bad in ["", "age1nonvalida", "AGE-SECRET-KEY-1QQQ"] {
        let e = bundle::export(&mut f.store, &actor, &request, bad, &out).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Invalid, "{e}");
        assert!(e.to_string().contains("chiave"), "{e}");
        assert!(!out.exists());
    }
    let exported = bundle::export(&mut f.store, &actor, &request, &public, &out).unwrap();
    assert_eq!(exported.recipients, 1);
    assert!(std::fs::read_dir(work.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("parziale")));

    // The Debian age decrypts it, tar unpacks it, sha256sum checks the files.
    let plain = work.path().join("pacchetto.tar");
    let st = Command::new("age").arg("-d").arg("-i").arg(&key_file).arg("-o").arg(&plain).arg(&out).status().unwrap();
    assert!(st.success());
    let st = Command::new("tar").arg("-xf").arg(&plain).arg("-C").arg(work.path()).status().unwrap();
    assert!(st.success());
    let dir = work.path().join("quartiere-2026-02");
    let st = Command::new("sha256sum").arg("-c").arg("--quiet").arg("SHA256SUMS").current_dir(&dir).status().unwrap();
    assert!(st.success());

    // Every SHA-256 of the manifest checks against the files as unpacked.
    let manifest: bundle::Manifest =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.mese, "2026-02");
    assert!(manifest.file.len() >= 8, "{:?}", manifest.file);
    for file in &manifest.file {
        let bytes = std::fs::read(dir.join(&file.nome)).unwrap();
        assert_eq!(sha256_hex(&bytes), file.sha256, "{}", file.nome);
    }
    assert_eq!(manifest.frontiera.len(), 1);
    assert!(manifest.frontiera[0].this_desk);

    // The CSV is Italian Excel's: a BOM, semicolons, CRLF.
    let csv = std::fs::read(dir.join("indicatori.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}codice;indicatore;".as_bytes()));
    assert!(csv.windows(2).any(|w| w == b"\r\n"));

    // An independent reader (calamine) opens the workbook: the sheets, and the same figures as the CSV.
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(dir.join("dati.xlsx")).unwrap();
    let sheets = book.sheet_names().to_vec();
    assert!(
        sheets.contains(&"Indicatori".to_string()) && sheets.contains(&"Persone (pseudonimi)".to_string()),
        "{sheets:?}"
    );
    let indicators = book.worksheet_range("Indicatori").unwrap();
    let events_row = indicators.rows().find(|r| r[0] == "eventi").unwrap();
    let csv_text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let csv_events: Vec<&str> = csv_text.lines().find(|l| l.starts_with("eventi;")).unwrap().split(';').collect();
    assert_eq!(events_row[4].to_string(), csv_events[4]);
    let mut cells = Vec::new();
    for name in &sheets {
        let range = book.worksheet_range(name).unwrap();
        for row in range.rows() {
            cells.extend(row.iter().map(|c| c.to_string()));
        }
    }
    // The people sheet: pseudonyms only, stable shape.
    let people = book.worksheet_range("Persone (pseudonimi)").unwrap();
    assert!(people.rows().skip(1).all(|r| r[0].to_string().starts_with("P-")));
    assert!(people.rows().count() > 10);

    // No name and no codice fiscale from the source anywhere in the plain contents.
    let report = pdf_text(&std::fs::read(dir.join("rapporto.pdf")).unwrap());
    let mut plain_text = report.clone();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv" || e == "json" || e == "txt") || path.ends_with("SHA256SUMS") {
            plain_text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    plain_text.push_str(&cells.join("\n"));
    let names: Vec<(String, String, Option<String>)> = {
        let mut stmt = f.store.conn().prepare("SELECT surname, name, codice_fiscale FROM person").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    assert!(names.len() > 250);
    for (surname, name, cf) in &names {
        for full in [format!("{surname} {name}"), format!("{name} {surname}")] {
            assert!(!plain_text.contains(&full), "{full} is in the bundle");
        }
        if let Some(cf) = cf {
            assert!(!plain_text.to_uppercase().contains(&cf.to_uppercase()), "a codice fiscale is in the bundle");
        }
    }
    let tables_text: String = cells.join("\n");
    for (surname, _, _) in &names {
        assert!(!tables_text.split(|c: char| !c.is_alphabetic()).any(|w| w == surname), "{surname} in a table");
    }

    // The report reads as a monthly report, and renders to pages.
    for line in [
        "Rapporto mensile al Comune: febbraio 2026",
        "Indicatori e obiettivi del progetto",
        "Eventi di socialità",
        "Mese regolare.",
    ] {
        assert!(report.contains(line), "{line} not in:\n{report}");
    }
    let st = Command::new("pdftoppm")
        .args(["-png", "-r", "50"])
        .arg(dir.join("rapporto.pdf"))
        .arg(work.path().join("pagina"))
        .status()
        .unwrap();
    assert!(st.success());
    assert!(work.path().join("pagina-1.png").exists() || work.path().join("pagina-01.png").exists());
    if let Ok(keep) = std::env::var("QUARTIERE_DOCS_OUT") {
        std::fs::copy(dir.join("rapporto.pdf"), Path::new(&keep).join("rapporto-mensile.pdf")).unwrap();
    }

    // Quartiere's own verify opens it with the same key, and names the signing key.
    let identities = verify::parse_identities(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let verified = verify::verify(&std::fs::read(&out).unwrap(), &identities, Some(&exported.signing_key)).unwrap();
    assert_eq!(verified.manifest, manifest);
}

/// Packs the unpacked bundle in `work` again with the Debian tar and encrypts it with the Debian age.
fn repack(work: &Path, public: &str, out: &Path) {
    let st = Command::new("sh")
        .arg("-c")
        .arg(format!("tar -c -C {} quartiere-2026-02 | age -r {public} -o {}", work.display(), out.display()))
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn a_bundle_changed_after_signing_is_refused_naming_the_file() {
    let mut f = demo_lab();
    let actor = f.actor;
    let work = tempfile::tempdir().unwrap();
    let (key_file, public) = age_key(work.path());
    let out = work.path().join("pacchetto.age");
    let request = Request {
        month: Period::month("2026-02").unwrap(),
        since: None,
        include: Include { report: false, csv: true, xlsx: false },
        note: None,
    };
    bundle::export(&mut f.store, &actor, &request, &public, &out).unwrap();
    let identities = verify::parse_identities(&std::fs::read_to_string(&key_file).unwrap()).unwrap();

    // Unpack with the outside tools, change one figure, pack and encrypt again with the Debian age.
    let st = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "age -d -i {k} {o} | tar -x -C {w}",
            k = key_file.display(),
            o = out.display(),
            w = work.path().display()
        ))
        .status()
        .unwrap();
    assert!(st.success());
    let csv = work.path().join("quartiere-2026-02/indicatori.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    // The events since the start: 7 becomes 70.
    let changed: String = text
        .split_inclusive("\r\n")
        .map(|line| if line.starts_with("eventi;") { line.replacen(";7;", ";70;", 1) } else { line.to_string() })
        .collect();
    assert_ne!(changed, text);
    std::fs::write(&csv, changed).unwrap();
    let tampered = work.path().join("manomesso.age");
    repack(work.path(), &public, &tampered);
    let e = verify::verify(&std::fs::read(&tampered).unwrap(), &identities, None).unwrap_err();
    assert!(e.to_string().contains("«indicatori.csv»") && e.to_string().contains("modificato"), "{e}");

    // A file added after signing, and a key that is not the Comune's, are refused too.
    std::fs::write(&csv, text).unwrap();
    std::fs::write(work.path().join("quartiere-2026-02/aggiunto.csv"), "x").unwrap();
    repack(work.path(), &public, &tampered);
    let e = verify::verify(&std::fs::read(&tampered).unwrap(), &identities, None).unwrap_err();
    assert!(e.to_string().contains("«aggiunto.csv»"), "{e}");
    let other = age::x25519::Identity::generate();
    let e = verify::verify(&std::fs::read(&out).unwrap(), std::slice::from_ref(&other), None).unwrap_err();
    assert!(e.to_string().contains("questa chiave non apre il pacchetto"), "{e}");
    let e = verify::parse_identities("# niente\n").err().unwrap();
    assert!(e.to_string().contains("chiave"), "{e}");
}

#[test]
fn pseudonyms_are_stable_across_months_and_desks_converge_on_one_key() {
    let mut f = demo_lab();
    let actor = f.actor;
    let work = tempfile::tempdir().unwrap();
    let (key_file, public) = age_key(work.path());
    let identities = verify::parse_identities(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    let mut people = Vec::new();
    for month in ["2026-01", "2026-02"] {
        let out = work.path().join(format!("{month}.age"));
        let request = Request {
            month: Period::month(month).unwrap(),
            since: None,
            include: Include { report: false, csv: true, xlsx: false },
            note: None,
        };
        bundle::export(&mut f.store, &actor, &request, &public, &out).unwrap();
        let v = verify::verify(&std::fs::read(&out).unwrap(), &identities, None).unwrap();
        let csv = String::from_utf8(v.files["persone.csv"].clone()).unwrap();
        let set: BTreeSet<String> = csv.lines().skip(1).map(|l| l.split(';').next().unwrap().to_string()).collect();
        people.push(set);
    }
    // The same people come back under the same pseudonym.
    assert!(people[0].intersection(&people[1]).count() > 5, "{people:?}");
    assert_eq!(count(&f.store, "SELECT count(*) FROM lab_secret WHERE purpose = 'pseudonimi'"), 1);
}
