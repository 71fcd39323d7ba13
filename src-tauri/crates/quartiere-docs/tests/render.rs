//! The documents read back by independent tools: `pdftotext` (every name exactly as given, the
//! sheet id on every page, the page numbers), `pdffonts` (every font embedded), `pdftoppm` (pages
//! render). A golden text per template catches any change to what a document says.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use quartiere_docs::{render, Error, Request};
use serde_json::{json, Value};

const NAMES: [&str; 13] = [
    "Nguyễn Thị Lan",
    "Ștefănescu Ioana",
    "Łukasz Kowalczyk",
    "Çelik Ayşe",
    "Xhaferri Arbër",
    "Diop Awa",
    "Rossi Mario",
    "Müller Jürgen",
    "Ødegård Åse",
    "Žukauskas Gintarė",
    "Gonçalves João",
    "Ben Salah Fatma",
    "D'Angelo Niccolò",
];

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
}

/// An assembly with `invited` people (names from many countries) and six blank rows.
fn sheet_data(invited: usize) -> Value {
    let people: Vec<Value> = (0..invited)
        .map(|i| json!({ "nome": format!("{} {}", NAMES[i % NAMES.len()], i / NAMES.len() + 1), "dettaglio": "Via Luigi Pirandello 6/H, scala A" }))
        .collect();
    json!({
        "progetto": "Laboratorio sociale di quartiere Mezzetta · Comune di Trezzano sul Naviglio",
        "finanziamento": "Progetto cofinanziato dal Fondo Sociale Europeo Plus",
        "id": "FP-0193A1B2",
        "attivita": {
            "tipo": "Assemblea tematica", "titolo": "Assemblea sulla manutenzione dei cortili",
            "asse": "Convivenza", "data": "giovedì 3 dicembre 2026", "orario": "17:30-19:00",
            "luogo": "Sala comune, Via Luigi Pirandello 6/H", "tema": "Pulizia e cura degli spazi comuni"
        },
        "operatori": ["Giulia Operatrice", "Marco Tutor"],
        "partecipanti": people,
        "righe_libere": 6
    })
}

fn sheet(data: &Value, lab: Option<&Path>) -> Result<Vec<u8>, Error> {
    render(&Request { template: "foglio-presenze", data, id: "FP-0193A1B2", date: day(), lab_templates: lab })
}

fn tool(name: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let mut all: Vec<&str> = args.to_vec();
    all.push(file.to_str().unwrap());
    if name == "pdftotext" {
        all.push("-");
    }
    let out = Command::new(name).args(&all).output().unwrap_or_else(|e| panic!("{name}: {e} (poppler-utils)"));
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_sheet_for_sixty_people_reads_back_every_name_and_its_id_on_every_page() {
    let data = sheet_data(60);
    let pdf = sheet(&data, None).unwrap();
    // To look at the pages: QUARTIERE_DOCS_OUT=/some/folder keeps the PDF there.
    if let Ok(folder) = std::env::var("QUARTIERE_DOCS_OUT") {
        std::fs::write(Path::new(&folder).join("foglio-presenze-60.pdf"), &pdf).unwrap();
    }
    let text = tool("pdftotext", &["-layout"], &pdf);
    for person in data["partecipanti"].as_array().unwrap() {
        let name = person["nome"].as_str().unwrap();
        assert!(text.contains(name), "«{name}» is not in the sheet as written");
    }
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert!(pages.len() >= 3, "60 rows take several pages: {}", pages.len());
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("FP-0193A1B2"), "page {} has no sheet id", i + 1);
        assert!(page.contains(&format!("Pagina {} di {}", i + 1, pages.len())), "page {}: numbering", i + 1);
        assert!(page.contains("Firma all'ingresso"), "page {}: the table's header is repeated", i + 1);
    }
    // Every font embedded, none taken from the system.
    let fonts = tool("pdffonts", &[], &pdf);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        assert!(row.contains("NotoSans"), "only the bundled fonts: {row}");
        let columns: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(columns[columns.len() - 5], "yes", "font not embedded: {row}");
    }
    // The pages render.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sheet.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-r", "40", "-png", file.to_str().unwrap(), dir.path().join("page").to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let images = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "png")
        .count();
    assert_eq!(images, pages.len());
}

#[test]
fn the_same_data_make_the_same_bytes() {
    let data = sheet_data(5);
    assert_eq!(sheet(&data, None).unwrap(), sheet(&data, None).unwrap());
}

/// What each template says, word for word, against the text kept in tests/golden: a change to a
/// template shows here and is looked at (regenerate with QUARTIERE_GOLDEN=write).
#[test]
fn golden_text_of_each_template() {
    let access = json!({
        "titolo": "Dati personali di Nguyễn Thị Lan",
        "preparato": "Risposta alla richiesta di accesso (art. 15 GDPR), preparata il giovedì 3 dicembre 2026.",
        "titolare": "Dati trattati dal laboratorio sociale di quartiere per conto del Comune (titolare del trattamento).",
        "id": "AC-0193A1B2",
        "sezioni": [
            { "titolo": "Anagrafica", "campi": [["Cognome e nome", "Nguyễn Thị Lan"], ["Codice fiscale", "non indicato"]], "righe": [], "vuoto": "" },
            { "titolo": "Note", "campi": [], "righe": [], "vuoto": "Nessuna." }
        ]
    });
    let project = "Laboratorio sociale di quartiere Mezzetta · Comune di Trezzano sul Naviglio";
    let funding = "Progetto cofinanziato dal Fondo Sociale Europeo Plus";
    let enrolment = json!({
        "progetto": project, "finanziamento": funding, "id": "AD-0193A1B2", "data": "03/12/2026",
        "persona": { "nome": "Nguyễn Thị Lan", "codice_fiscale": "NGYTHL85M41Z251X", "nascita": "01/08/1985, Vietnam",
                     "indirizzo": "Via Luigi Pirandello 6/H, scala A", "telefono": "333 1234567" },
        "percorso": { "tipo": "Corso di formazione", "titolo": "Operatore di magazzino", "ente": "AFOL Metropolitana",
                      "periodo": "dall'11/01/2027 al 26/03/2027", "ore": "80", "luogo": "Sede AFOL, Corsico",
                      "stato": "nel corso dal 03/12/2026" },
        "informativa": { "versione": "2026-01", "titolare": "il Comune di Trezzano sul Naviglio" }
    });
    let plan = json!({
        "progetto": project, "finanziamento": funding, "id": "PI-0193A1B2", "data": "03/12/2026",
        "persona": "Diop Awa",
        "presa": { "asse": "formazione e lavoro", "tutor": "Marta Ferri", "aperta": "02/09/2026",
                   "servizio_sociale": "sì", "motivo": "Cerca lavoro dopo la chiusura del magazzino" },
        "obiettivi": [
            { "titolo": "Iscrizione al centro per l'impiego", "responsabile": "Marta Ferri", "scadenza": "15/09/2026",
              "stato": "raggiunto", "passi": [
                { "titolo": "Portare la carta d'identità", "responsabile": "la persona", "scadenza": "10/09/2026", "stato": "raggiunto" } ] },
            { "titolo": "Curriculum aggiornato", "responsabile": "la persona", "scadenza": "31/12/2026", "stato": "in corso", "passi": [] }
        ],
        "invii": ["AFOL Metropolitana, dal 05/09/2026: accettato (con i suoi dati, con il suo consenso)"],
        "percorsi": ["Operatore di magazzino (corso di formazione): nel corso, 12 ore di presenza"]
    });
    let register = json!({
        "progetto": project, "finanziamento": funding, "id": "RC-0193A1B2", "data": "03/12/2026",
        "corso": { "titolo": "Operatore di magazzino", "tipo": "Corso di formazione", "ente": "AFOL Metropolitana",
                   "periodo": "dall'11/01/2027 al 26/03/2027", "ore": "80" },
        "lezioni": ["12/01", "19/01", "26/01"],
        "partecipanti": [
            { "nome": "Nguyễn Thị Lan", "ore": ["2:00", "2:00", "assente"], "totale": "4:00" },
            { "nome": "Łukasz Kowalczyk", "ore": ["1:30", "2:00", "2:00"], "totale": "5:30" }
        ],
        "totali": ["3:30", "4:00", "2:00"]
    });
    let agreement = json!({
        "progetto": project, "finanziamento": funding, "id": "PR-0193A1B2", "data": "03/12/2026",
        "intestatario": "Ștefănescu Ioana", "indirizzo": "Via Luigi Pirandello 6, scala H",
        "firma": "03/12/2026", "firmatari": "Ioana Ștefănescu; ALER Milano; Laboratorio Mezzetta",
        "debito_canone": "2.400,00 EUR", "debito_spese": "600,00 EUR", "totale": "3.000,00 EUR",
        "rate": "3 rate", "frequenza": "mensile", "causa": "licenziamento",
        "decadenza": "il piano decade se 3 rate consecutive restano non pagate dopo la scadenza",
        "scadenze": [
            { "n": "1", "scadenza": "31/01/2027", "importo": "1.000,00 EUR" },
            { "n": "2", "scadenza": "28/02/2027", "importo": "1.000,00 EUR" },
            { "n": "3", "scadenza": "31/03/2027", "importo": "1.000,00 EUR" }
        ]
    });
    let month = |mese: &str, valore: i64| json!({ "mese": mese, "valore": valore, "testo": valore.to_string() });
    let report = json!({
        "progetto": project, "finanziamento": funding, "id": "PM-0193A1B2", "mese": "novembre 2026",
        "dal": "01/11/2026", "al": "30/11/2026", "inizio": "01/06/2026", "data": "03/12/2026",
        "indicatori": [
            { "codice": "formazione_lavoro", "etichetta": "Residenti in percorsi di formazione o ricerca lavoro",
              "definizione": "persone ammesse a un corso o a un percorso di ricerca lavoro in corso nel periodo",
              "mese": "11", "totale": "14", "su": "", "obiettivo": "30", "iniziale": "11", "raggiunto": "no",
              "quota": 0.47, "al_ribasso": false,
              "mesi": [month("giu", 6), month("lug", 9), month("ago", 9), month("set", 11), month("ott", 12), month("nov", 11)] },
            { "codice": "nuclei_raggiunti", "etichetta": "Nuclei raggiunti",
              "definizione": "nuclei con almeno un contatto, una presenza, una presa in carico, un percorso o un piano",
              "mese": "41", "totale": "97", "su": "133", "obiettivo": "100", "iniziale": "", "raggiunto": "no",
              "quota": 0.97, "al_ribasso": false,
              "mesi": [month("giu", 30), month("lug", 35), month("ago", 22), month("set", 40), month("ott", 44), month("nov", 41)] },
            { "codice": "debito_incolpevole", "etichetta": "Debito per morosità incolpevole",
              "definizione": "debito dei nuclei con morosità incolpevole riconosciuta, all'ultimo giorno",
              "mese": "8.120,00 EUR", "totale": "8.120,00 EUR", "su": "", "obiettivo": "8.000,00 EUR",
              "iniziale": "10.000,00 EUR", "raggiunto": "no", "quota": 1.01, "al_ribasso": true,
              "mesi": [{ "mese": "ott", "valore": 890_000, "testo": "8.900 €" }, { "mese": "nov", "valore": 812_000, "testo": "8.120 €" }] }
        ],
        "fse": [
            { "gruppo": "Partecipanti", "descrizione": "entrati nel periodo", "donne": "9", "uomini": "5", "totale": "14" },
            { "gruppo": "Età all'ingresso", "descrizione": "meno di 25 anni", "donne": "<5", "uomini": "<5", "totale": "5" }
        ],
        "attivita": [
            { "data": "12/11/2026", "tipo": "assemblea tematica", "titolo": "Assemblea sui cortili", "invitati": "40", "presenti": "22" },
            { "data": "28/11/2026", "tipo": "evento di socialità", "titolo": "Castagnata in cortile", "invitati": "120", "presenti": "64" }
        ],
        "frontiera": [
            { "nome": "Sportello Mezzetta", "fino_al": "03/12/2026", "questa": true, "ferma": false },
            { "nome": "Portatile tutor", "fino_al": "02/11/2026", "questa": false, "ferma": true }
        ],
        "avvisi": ["la postazione «Portatile tutor» non si sincronizza dal 02/11/2026: i suoi dati più recenti mancano"],
        "nota": "A novembre due nuove famiglie hanno chiesto il percorso con AFOL."
    });
    let make = |template: &str, data: &Value, id: &str| {
        render(&Request { template, data, id, date: day(), lab_templates: None }).unwrap()
    };
    let documents = [
        ("foglio-presenze", sheet(&sheet_data(3), None).unwrap()),
        ("scheda-adesione", make("scheda-adesione", &enrolment, "AD-0193A1B2")),
        ("piano-partecipante", make("piano-partecipante", &plan, "PI-0193A1B2")),
        ("registro-corso", make("registro-corso", &register, "RC-0193A1B2")),
        ("piano-rientro", make("piano-rientro", &agreement, "PR-0193A1B2")),
        ("rapporto-mensile", make("rapporto-mensile", &report, "PM-0193A1B2")),
        (
            "accesso",
            render(&Request {
                template: "accesso",
                data: &access,
                id: "AC-0193A1B2",
                date: day(),
                lab_templates: None,
            })
            .unwrap(),
        ),
    ];
    for (name, pdf) in documents {
        if let Ok(folder) = std::env::var("QUARTIERE_DOCS_OUT") {
            std::fs::write(Path::new(&folder).join(format!("{name}.pdf")), &pdf).unwrap();
        }
        let text = tool("pdftotext", &["-layout"], &pdf);
        let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.txt"));
        if std::env::var("QUARTIERE_GOLDEN").as_deref() == Ok("write") {
            std::fs::write(&golden, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert_eq!(text, expected, "{name}: the text differs from {}", golden.display());
    }
}

#[test]
fn the_labs_own_template_replaces_the_built_in_one_and_a_broken_one_is_named() {
    let lab = tempfile::tempdir().unwrap();
    let data = sheet_data(2);
    std::fs::write(
        lab.path().join("foglio-presenze.typ"),
        "#let d = json(\"/dati.json\")\n#set text(font: \"Noto Sans\")\nFoglio del laboratorio: #d.attivita.titolo\n",
    )
    .unwrap();
    let text = tool("pdftotext", &[], &sheet(&data, Some(lab.path())).unwrap());
    assert!(text.contains("Foglio del laboratorio: Assemblea sulla manutenzione dei cortili"), "{text}");

    std::fs::write(lab.path().join("foglio-presenze.typ"), "#let d = json(\"/dati.json\")\n\n#d.attivita.nessuno\n")
        .unwrap();
    let err = sheet(&data, Some(lab.path())).unwrap_err().to_string();
    assert!(
        err.starts_with("il modello «foglio-presenze.typ» della cartella «modelli» non funziona (riga 3: "),
        "{err}"
    );
    assert!(err.contains("toglilo dalla cartella per usare quello di Quartiere"), "{err}");

    // A template may not fetch a package, nor read outside its folder.
    std::fs::write(lab.path().join("foglio-presenze.typ"), "#import \"@preview/tiaoma:0.3.0\": qrcode\n").unwrap();
    let err = sheet(&data, Some(lab.path())).unwrap_err().to_string();
    assert!(err.contains("nulla viene scaricato"), "{err}");
    std::fs::write(lab.path().join("foglio-presenze.typ"), "#read(\"../../etc/passwd\")\n").unwrap();
    assert!(sheet(&data, Some(lab.path())).is_err());

    let unknown = render(&Request { template: "nessuno", data: &data, id: "X", date: day(), lab_templates: None });
    assert_eq!(unknown.unwrap_err().to_string(), "nessun modello di documento si chiama «nessuno»");
}
