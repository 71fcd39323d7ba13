use std::path::{Path, PathBuf};

use quartiere_core::import::{import_file, ImportOptions, ImportReport};
use quartiere_core::registry;
use quartiere_core::store::canonical_dump;
use quartiere_core::{Actor, Store};

use crate::*;

const GOOD: &str = "\
codice_alloggio,indirizzo,civico,scala,piano,interno,cognome,nome,sesso,data_nascita,luogo_nascita,codice_fiscale,relazione,telefono
TRZ-100,Via Luigi Pirandello,6/H,A,1,2,Rossi,Mario,M,25/04/1945,Milano,RSSMRA45D25F205N,intestatario,02 123456
TRZ-100,Via Luigi Pirandello,6/H,A,1,2,Bianchi,Anna,F,1950-03-12,Napoli,,coniuge,
TRZ-101,Via Enrico Fermi,3,B,0,1,D'Amico,Niccolò,M,01/02/1980,Bari,,IS,333 9876543
";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run(store: &mut Store, actor: &Actor, path: &Path, dry_run: bool) -> ImportReport {
    import_file(store, actor, path, ImportOptions { dry_run, ..ImportOptions::new(today()) }).unwrap()
}

/// Imports a small list and re-imports it; used by the replay test too.
pub fn exercise_import(store: &mut Store, actor: &Actor) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "elenco.csv", GOOD.as_bytes());
    let report = run(store, actor, &path, false);
    assert!(report.applied, "{report:?}");
}

#[test]
fn a_bad_row_stops_the_import_and_is_named() {
    let mut f = fixture();
    let actor = f.actor;
    let bad = GOOD.replace("RSSMRA45D25F205N", "RSSMRA45D25F205X").replace("01/02/1980", "31/02/1980");
    let path = write(f.dir.path(), "elenco.csv", bad.as_bytes());
    let before = canonical_dump(f.store.conn()).unwrap();
    let changes = change_count(&f.store);
    let report = run(&mut f.store, &actor, &path, false);
    assert!(!report.applied);
    let named: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(named, [(2, "codice_fiscale"), (4, "data_nascita")]);
    assert!(report.errors[0].reason.contains("carattere di controllo"), "{}", report.errors[0].reason);
    assert!(report.errors[1].reason.contains("non è una data valida"), "{}", report.errors[1].reason);
    assert_eq!(report.errors[0].to_string().split(':').next().unwrap(), "riga 2, colonna «codice_fiscale»");
    assert_eq!(canonical_dump(f.store.conn()).unwrap(), before, "nothing imported");
    assert_eq!(change_count(&f.store), changes);

    // The fixed file imports; importing it again changes nothing.
    let path = write(f.dir.path(), "elenco.csv", GOOD.as_bytes());
    let first = run(&mut f.store, &actor, &path, false);
    assert!(first.applied && first.errors.is_empty(), "{first:?}");
    assert_eq!((first.dwellings_new, first.households_new, first.people_new, first.members_added), (2, 2, 3, 3));
    let after_first = change_count(&f.store);
    let second = run(&mut f.store, &actor, &path, false);
    assert_eq!(second.changes(), 0, "{second:?}");
    assert_eq!(second.people_unchanged, 3);
    assert_eq!(change_count(&f.store), after_first, "re-import writes nothing");

    let households = registry::list_households(f.store.conn(), &f.actor).unwrap();
    assert_eq!(households.len(), 2);
    let fermi = households.iter().find(|h| h.address.starts_with("Via Enrico Fermi")).unwrap();
    assert_eq!(fermi.tenant_of_record.as_deref(), Some("D'Amico Niccolò"));
}

#[test]
fn dry_run_reports_exact_counts_and_writes_nothing() {
    let mut f = fixture();
    let actor = f.actor;
    let path = write(f.dir.path(), "elenco.csv", GOOD.as_bytes());
    let changes = change_count(&f.store);
    let report = run(&mut f.store, &actor, &path, true);
    assert!(!report.applied);
    assert_eq!(report.people_new, 3);
    assert_eq!(change_count(&f.store), changes);
    assert_eq!(count(&f.store, "SELECT count(*) FROM person"), 0);
}

#[test]
fn semicolons_windows_1252_bom_and_header_variants_are_read() {
    let mut f = fixture();
    let actor = f.actor;
    // What Excel on an Italian PC saves: semicolons, Windows-1252, headers in its own words.
    let text = "Codice Alloggio;Indirizzo;Civico;Cognome;Nome;Data di nascita;CF;Relazione di parentela\r\n\
                TRZ-7;Via Fermi;5;Lucà;Noè;03/04/1990;;Intestatario\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let path = write(f.dir.path(), "excel.csv", &bytes);
    let report = run(&mut f.store, &actor, &path, false);
    assert!(report.applied, "{report:?}");
    let hits =
        quartiere_core::search::search(f.store.conn(), &f.actor, "luca noe", quartiere_core::search::Scope::PEOPLE, 5)
            .unwrap();
    assert_eq!(hits[0].label, "Lucà Noè");

    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(
        "codice_alloggio,indirizzo,civico,cognome,nome,colonna_strana\nTRZ-8,Via Fermi,7,Sanna,Zoë,x\n".as_bytes(),
    );
    let path = write(f.dir.path(), "bom.csv", &bom);
    let report = run(&mut f.store, &actor, &path, false);
    assert!(report.applied, "{report:?}");
    assert!(report.warnings[0].contains("colonna_strana"));
    let hits =
        quartiere_core::search::search(f.store.conn(), &f.actor, "zoe", quartiere_core::search::Scope::PEOPLE, 5)
            .unwrap();
    assert_eq!(hits[0].label, "Sanna Zoë");
}

#[test]
fn missing_columns_and_cross_row_conflicts_are_reported() {
    let mut f = fixture();
    let actor = f.actor;
    let path = write(f.dir.path(), "a.csv", b"indirizzo,civico,cognome\nVia Fermi,1,Rossi\n");
    let report = run(&mut f.store, &actor, &path, false);
    let missing: Vec<&str> = report.errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(missing, ["codice_alloggio", "nome"]);

    let text = "codice_alloggio,indirizzo,civico,cognome,nome,relazione,codice_fiscale\n\
                X1,Via Fermi,1,Rossi,Mario,intestatario,RSSMRA45D25F205N\n\
                X1,Via Fermi,3,Rossi,Anna,intestatario,\n\
                X2,Via Fermi,5,Verdi,Ugo,vicino di casa,\n\
                X3,Via Fermi,7,Verdi,Eva,figlia,rssmra45d25f205n\n";
    let path = write(f.dir.path(), "b.csv", text.as_bytes());
    let report = run(&mut f.store, &actor, &path, false);
    let named: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(named, [(3, "civico"), (3, "relazione"), (5, "codice_fiscale")]);
    // A relationship outside the anagrafe's table is kept as written, with a warning.
    assert!(report.warnings.iter().any(|w| w.starts_with("riga 4: la relazione «vicino di casa»")), "{report:?}");
    assert_eq!(count(&f.store, "SELECT count(*) FROM person"), 0);
}

#[test]
fn a_person_moving_household_keeps_history() {
    let mut f = fixture();
    let actor = f.actor;
    let path = write(f.dir.path(), "elenco.csv", GOOD.as_bytes());
    run(&mut f.store, &actor, &path, false);
    // Next month's list: Anna has moved to via Fermi 3.
    let moved = GOOD.replace(
        "TRZ-100,Via Luigi Pirandello,6/H,A,1,2,Bianchi,Anna",
        "TRZ-101,Via Enrico Fermi,3,B,0,1,Bianchi,Anna",
    );
    let path = write(f.dir.path(), "elenco2.csv", moved.as_bytes());
    let report = run(&mut f.store, &actor, &path, false);
    assert_eq!(report.members_moved, 1, "{report:?}");
    let memberships = count(
        &f.store,
        "SELECT count(*) FROM membership m JOIN person p ON p.id = m.person_id WHERE p.surname = 'Bianchi'",
    );
    assert_eq!(memberships, 2, "the old membership stays as history");
    let left = count(
        &f.store,
        "SELECT count(*) FROM membership m JOIN person p ON p.id = m.person_id WHERE p.surname = 'Bianchi' AND m.left_on = '2026-03-02'",
    );
    assert_eq!(left, 1);
}

#[test]
fn xlsx_lists_import_like_csv() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut f = fixture();
    let actor = f.actor;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let headers = [
        "CODICE_ALLOGGIO",
        "Indirizzo",
        "Civico",
        "Piano",
        "Cognome",
        "Nome",
        "Sesso",
        "Data_Nascita",
        "Codice_Fiscale",
        "Relazione",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    sheet.write_string(1, 0, "TRZ-200").unwrap();
    sheet.write_string(1, 1, "Via Luigi Pirandello").unwrap();
    sheet.write_number(1, 2, 6.0).unwrap();
    sheet.write_number(1, 3, 3.0).unwrap();
    sheet.write_string(1, 4, "Rossi").unwrap();
    sheet.write_string(1, 5, "Mario").unwrap();
    sheet.write_string(1, 6, "M").unwrap();
    sheet.write_datetime_with_format(1, 7, ExcelDateTime::from_ymd(1945, 4, 25).unwrap(), &date_format).unwrap();
    sheet.write_string(1, 8, "RSSMRA45D25F205N").unwrap();
    sheet.write_string(1, 9, "Intestatario").unwrap();
    sheet.write_string(2, 0, "TRZ-200").unwrap();
    sheet.write_string(2, 1, "Via Luigi Pirandello").unwrap();
    sheet.write_number(2, 2, 6.0).unwrap();
    sheet.write_number(2, 3, 3.0).unwrap();
    sheet.write_string(2, 4, "Rossi").unwrap();
    sheet.write_string(2, 5, "Giulia").unwrap();
    sheet.write_string(2, 6, "F").unwrap();
    sheet.write_string(2, 7, "il 3 maggio").unwrap();
    let path = f.dir.path().join("elenco.xlsx");
    workbook.save(&path).unwrap();

    let report = run(&mut f.store, &actor, &path, false);
    let named: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(named, [(3, "data_nascita")]);

    sheet_fix_and_retry(&mut f, &actor);
}

fn sheet_fix_and_retry(f: &mut Fixture, actor: &Actor) {
    use rust_xlsxwriter::Workbook;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        ["codice_alloggio", "indirizzo", "civico", "cognome", "nome", "data_nascita", "codice_fiscale"],
        ["TRZ-200", "Via Luigi Pirandello", "6", "Rossi", "Mario", "25/04/1945", "RSSMRA45D25F205N"],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    let path = f.dir.path().join("fixed.xlsx");
    workbook.save(&path).unwrap();
    let report = run(&mut f.store, actor, &path, false);
    assert!(report.applied, "{report:?}");
    let mario = registry::find_person_by_cf(f.store.conn(), "RSSMRA45D25F205N").unwrap().unwrap();
    assert_eq!(mario.birth_date, Some(date("1945-04-25")));
}

#[test]
fn title_lines_above_the_header_and_capitals_are_handled() {
    let mut f = fixture();
    let actor = f.actor;
    // As an ente gestore's export often looks: a title, a blank line, then the table in capitals.
    let text = "ELENCO ASSEGNATARI AL 31/10/2026;;;;\n;;;;\n\
                Codice contratto;Indirizzo;Civico;Cognome;Nome;Data nascita\n\
                C-77;VIA LUIGI PIRANDELLO;6/H;D'AMICO;NICCOLÒ;01/02/1980\n\
                C-77;VIA LUIGI PIRANDELLO;6/H;;ROSA;\n";
    let path = write(f.dir.path(), "ente.csv", text.as_bytes());
    let report = run(&mut f.store, &actor, &path, false);
    // Row numbers stay those of the spreadsheet: the bad row is row 5.
    let named: Vec<(usize, &str)> = report.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(named, [(5, "cognome")]);
    let fixed = text.replace(";;ROSA;", ";D'AMICO;ROSA;");
    let path = write(f.dir.path(), "ente.csv", fixed.as_bytes());
    let report = run(&mut f.store, &actor, &path, false);
    assert!(report.applied, "{report:?}");
    let hits =
        quartiere_core::search::search(f.store.conn(), &f.actor, "damico", quartiere_core::search::Scope::PEOPLE, 5)
            .unwrap();
    let labels: Vec<&str> = hits.iter().map(|h| h.label.as_str()).collect();
    assert_eq!(labels, ["D'Amico Niccolò", "D'Amico Rosa"]);
    assert!(hits[0].detail.contains("Via Luigi Pirandello 6/H"), "{}", hits[0].detail);
    assert_eq!(run(&mut f.store, &actor, &path, false).changes(), 0);
}

#[test]
fn a_title_line_without_delimiters_does_not_hide_the_table() {
    let mut f = fixture();
    let actor = f.actor;
    for (name, delimiter) in [("virgole.csv", ","), ("tab.csv", "\t"), ("punti.csv", ";")] {
        let text = format!(
            "Elenco assegnatari - via Fermi\n\
             codice_alloggio{d}indirizzo{d}civico{d}cognome{d}nome\n\
             F-12{d}Via Enrico Fermi{d}12{d}Diop{d}Awa\n",
            d = delimiter
        );
        let path = write(f.dir.path(), name, text.as_bytes());
        let report = run(&mut f.store, &actor, &path, true);
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        assert_eq!(report.rows, 1, "{name}");
    }
}

/// Each way a file can fail is named in Italian, exactly, and leaves the database as it was.
#[test]
fn every_failure_of_a_file_is_named_in_italian_and_changes_nothing() {
    use rust_xlsxwriter::Workbook;
    let mut f = fixture();
    let actor = f.actor;
    let before = canonical_dump(f.store.conn()).unwrap();
    let not_a_spreadsheet = "import non riuscito: il file non è un foglio di calcolo leggibile (XLSX, XLS, ODS) né un elenco CSV: forse è danneggiato o è un altro tipo di documento; salvalo di nuovo da Excel come «Cartella di lavoro di Excel» o come CSV";

    // Data on the second sheet: the error says which.
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("Note").unwrap().write_string(0, 0, "Elenco di dicembre").unwrap();
    let data = workbook.add_worksheet().set_name("Assegnatari").unwrap();
    for (c, h) in ["codice_alloggio", "indirizzo", "civico", "cognome", "nome"].iter().enumerate() {
        data.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["A1", "Via Fermi", "3", "Rossi", "Anna"].iter().enumerate() {
        data.write_string(1, c as u16, *v).unwrap();
    }
    let second_sheet = f.dir.path().join("due-fogli.xlsx");
    workbook.save(&second_sheet).unwrap();

    // A workbook protected by a password is an OLE file holding an "EncryptedPackage" stream.
    let mut protected = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    protected.extend(std::iter::repeat_n(0u8, 504));
    protected.extend("EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()));
    protected.extend(std::iter::repeat_n(0u8, 1024));

    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("rotto.xlsx", b"PK\x03\x04 non un vero file zip".to_vec(), not_a_spreadsheet.to_string()),
        ("foto.csv", (0u8..=255).cycle().take(4096).collect(), not_a_spreadsheet.to_string()),
        (
            "protetto.xlsx",
            protected,
            "import non riuscito: il foglio di calcolo è protetto da una password: aprilo in Excel, togli la password (File, Informazioni, Proteggi cartella di lavoro) e salvalo di nuovo".into(),
        ),
        (
            "solo-intestazione.csv",
            b"codice_alloggio;indirizzo;civico;cognome;nome\n".to_vec(),
            "import non riuscito: il file ha l'intestazione ma nessuna riga di dati: non c'è niente da importare".into(),
        ),
        ("vuoto.csv", Vec::new(), "import non riuscito: il file è vuoto: non contiene nessuna riga".into()),
    ];
    for (name, bytes, expected) in cases {
        let path = write(f.dir.path(), name, &bytes);
        let error = import_file(&mut f.store, &actor, &path, ImportOptions::new(today())).unwrap_err();
        assert_eq!(error.to_string(), expected, "{name}");
    }
    let error = import_file(&mut f.store, &actor, &second_sheet, ImportOptions::new(today())).unwrap_err();
    assert_eq!(
        error.to_string(),
        "import non riuscito: il primo foglio («Note») non contiene l'elenco: i dati sono nel foglio «Assegnatari». Sposta quel foglio al primo posto (o salvalo da solo) e riprova"
    );
    let error = import_file(&mut f.store, &actor, f.dir.path(), ImportOptions::new(today())).unwrap_err();
    assert!(error.to_string().ends_with("è una cartella, non un file: scegli il file dell'elenco"), "{error}");
    assert_eq!(canonical_dump(f.store.conn()).unwrap(), before, "nothing written by any failure");
}

/// Excel's "Testo Unicode" is UTF-16 with tabs: read as the same list.
#[test]
fn a_utf16_list_is_read() {
    let mut f = fixture();
    let actor = f.actor;
    let text = GOOD.replace(',', "\t");
    for (name, bytes) in [
        ("unicode-le.txt", [vec![0xFF, 0xFE], text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()].concat()),
        ("unicode-be.txt", [vec![0xFE, 0xFF], text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()].concat()),
        ("senza-bom.txt", text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()),
    ] {
        let path = write(f.dir.path(), name, &bytes);
        let report = run(&mut f.store, &actor, &path, true);
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        assert_eq!(report.people_new, 3, "{name}");
    }
}
