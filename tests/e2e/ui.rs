//! The operators' UI in the real window, driven over WebDriver (tauri-driver + WebKitWebDriver)
//! under Xvfb, as a person at the desk would use it.

use std::path::PathBuf;
use std::process::Command;

use crate::sync_cli::{cli, json, ok, PASS};
use crate::webdriver::Session;
use crate::{binary, xvfb};

fn tauri_driver() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("tauri-driver")).find(|p| p.exists()))
        .unwrap_or_default();
    let in_cargo = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver"));
    on_path.or(in_cargo.filter(|p| p.exists())).expect("tauri-driver is needed: cargo install tauri-driver --locked")
}

struct Driver {
    process: std::process::Child,
    port: u16,
}

impl Drop for Driver {
    /// SIGTERM lets tauri-driver stop WebKitWebDriver too; a plain kill would orphan it.
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.process.id().to_string()]).status();
        for _ in 0..50 {
            if matches!(self.process.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// `import_file` is what the app's file dialog returns (the seam `QUARTIERE_IMPORT_FILE`): the
/// app inherits it from tauri-driver through WebKitWebDriver.
/// `save_dir` is where exports land instead of the save dialog (the seam `QUARTIERE_SAVE_DIR`).
fn driver(display: &str, import_file: &std::path::Path, save_dir: &std::path::Path) -> Driver {
    driver_with(display, import_file, save_dir, None, None, None)
}

/// `viewer` is what the app runs to show a PDF instead of the system's viewer (the seam
/// `QUARTIERE_PDF_VIEWER`); `scan` what the scan picker returns (`QUARTIERE_SCAN_FILE`).
fn driver_with(
    display: &str,
    import_file: &std::path::Path,
    save_dir: &std::path::Path,
    viewer: Option<&std::path::Path>,
    scan: Option<&std::path::Path>,
    today: Option<&str>,
) -> Driver {
    // Tests run in parallel threads of one process: each driver gets its own pair of ports.
    static STARTED: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let nth = STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let port = 14444 + (std::process::id() % 500) as u16 * 8 + nth * 2;
    let process = Command::new(tauri_driver())
        .args(["--port", &port.to_string(), "--native-port", &(port + 1).to_string()])
        .env("DISPLAY", display)
        .env("QUARTIERE_IMPORT_FILE", import_file)
        .env("QUARTIERE_SAVE_DIR", save_dir)
        .env("QUARTIERE_PDF_VIEWER", viewer.map(|v| v.as_os_str()).unwrap_or_default())
        .env("QUARTIERE_SCAN_FILE", scan.map(|v| v.as_os_str()).unwrap_or_default())
        // The app's today (`QUARTIERE_TODAY`), for tests whose dates fall due.
        .env("QUARTIERE_TODAY", today.unwrap_or_default())
        // Its children inherit these: never let them hold the test runner's output open.
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("cannot start tauri-driver");
    Driver { process, port }
}

fn screenshots() -> PathBuf {
    let dir = binary("quartiere-app").parent().unwrap().parent().unwrap().join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn open(driver: &Driver, data: &std::path::Path) -> Session {
    let args = vec!["--data-dir".to_string(), data.display().to_string()];
    Session::start(driver.port, &binary("quartiere-app"), &args)
}

fn nav(s: &Session, section: &str) {
    let button = s.find_with_text("nav button", section);
    s.click(&button);
}

/// The operator of the test desk and their passphrase.
const OPERATOR: &str = "Giulia Operatrice";
const OPERATOR_PASS: &str = "parola d'accesso di prova";

/// Signs in from the first screen (the only name at this desk is already chosen).
fn sign_in(s: &Session, passphrase: &str) {
    s.wait_for_text("Accedi a Quartiere");
    fill(s, "#door-passphrase", passphrase);
    s.click(&s.find_with_text("button", "Accedi"));
}

/// Types `text` into the field, and types it again if the field does not hold it afterwards: a
/// screen that re-renders as its first answer arrives (the door, at start) can drop early keys.
fn fill(s: &Session, css: &str, text: &str) {
    for _ in 0..3 {
        let input = s.find(css);
        s.clear(&input);
        s.type_text(&input, text);
        if s.value(&s.find(css)) == text {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// One window at a time: the UI tests wait for screens with timeouts that two apps starting
/// together on a 2-core machine would stretch.
static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub(crate) fn an_operator_registers_a_household_and_finds_it_after_a_restart() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let data = tempfile::tempdir().unwrap();
    let shots = screenshots();
    let files = tempfile::tempdir().unwrap();
    let list = files.path().join("assegnatari-fermi.csv");
    let (_x, display) = xvfb();
    let save = tempfile::tempdir().unwrap();
    let driver = driver(&display, &list, save.path());
    let s = open(&driver, data.path());

    // An empty folder: the operator creates the desk and becomes its coordinator.
    s.wait_for_text("Nuova postazione");
    fill(&s, "#door-desk", "Sportello Pirandello");
    fill(&s, "#door-name", OPERATOR);
    fill(&s, "#door-passphrase", "corta");
    fill(&s, "#door-again", "corta");
    s.click(&s.find_with_text("button", "Crea la postazione"));
    s.wait_for_text("almeno 10 caratteri");
    fill(&s, "#door-passphrase", OPERATOR_PASS);
    fill(&s, "#door-again", OPERATOR_PASS);
    s.screenshot(&shots.join("nuova-postazione.png"));
    s.click(&s.find_with_text("button", "Crea la postazione"));
    // An empty database opens on Home.
    s.wait_for_text("Oggi è");
    s.wait_for_text("Nessun richiamo in scadenza.");

    nav(&s, "Nuclei");
    s.click(&s.find_with_text("button", "Nuovo nucleo"));
    fill(&s, "#dwelling-street", "Via Luigi Pirandello");
    fill(&s, "#dwelling-civic", "6/H");
    fill(&s, "#dwelling-scala", "A");
    s.screenshot(&shots.join("nuovo-nucleo.png"));
    s.click(&s.find_with_text("button", "Crea il nucleo"));
    s.wait_for_text("Nucleo · Via Luigi Pirandello 6/H, scala A");

    // A wrong codice fiscale: the Italian reason while typing, and saving is refused.
    s.click(&s.find_with_text("button", "Aggiungi un componente"));
    fill(&s, "#person-surname", "Rossi");
    fill(&s, "#person-name", "Mario");
    s.click(&s.find("#person-sex option[value='M']"));
    fill(&s, "#person-birth-date", "25/04/1945");
    fill(&s, "#person-cf", "RSSMRA45D25F205X");
    s.wait_for_text("il carattere di controllo è «X», ma dovrebbe essere «N»");
    s.click(&s.find("#member-relationship option[value='intestatario']"));
    s.click(&s.find("fieldset input[type='checkbox']"));
    s.screenshot(&shots.join("persona-errore.png"));
    s.click(&s.find_with_text("button", "Salva"));
    s.wait_for_text("Alcuni dati non sono validi");

    // Nothing was saved: the household has no member yet.
    nav(&s, "Nuclei");
    let row = s.find_with_text("tbody tr", "Via Luigi Pirandello 6/H");
    assert!(s.text(&row).contains("non indicato"), "{}", s.text(&row));
    s.screenshot(&shots.join("nuclei.png"));
    s.click(&s.find_with_text("tbody button", "Via Luigi Pirandello"));
    s.click(&s.find_with_text("button", "Aggiungi un componente"));
    fill(&s, "#person-surname", "Rossi");
    fill(&s, "#person-name", "Mario");
    s.click(&s.find("#person-sex option[value='M']"));
    fill(&s, "#person-birth-date", "25/04/1945");
    fill(&s, "#person-cf", "RSSMRA45D25F205N");
    s.click(&s.find("#member-relationship option[value='intestatario']"));
    s.click(&s.find("fieldset input[type='checkbox']"));
    s.click(&s.find_with_text("button", "Salva"));
    s.wait_for_text("Componenti attuali");
    s.find_with_text("tbody button", "Rossi Mario");
    s.wait_for_text("Nessuna nota per questo nucleo.");
    // A household's note is written on its page.
    s.click(&s.find("#note-add"));
    fill(&s, "#note-body", "Chiede la sostituzione della caldaia");
    s.click(&s.find("#note-save"));
    s.wait_for_text("Nota salvata.");
    s.find_with_text("[data-testid=note]", "Chiede la sostituzione della caldaia");
    s.screenshot(&shots.join("nucleo.png"));

    // The search box finds the person, accent- and case-insensitively.
    fill(&s, "#global-search", "ROSSI m");
    s.click(&s.find_with_text(".results button", "Rossi Mario"));
    s.wait_for_text("RSSMRA45D25F205N");
    s.screenshot(&shots.join("persona.png"));
    // A desk contact with a follow-up today, recorded with the keyboard, shows on Home.
    nav(&s, "Sportello");
    s.click(&s.find_with_text("button", "Registra il contatto"));
    s.wait_for_text("almeno un tema");
    let who = s.find("#desk-who");
    s.type_text(&who, "rossi");
    s.find_with_text(".picks button", "Rossi Mario");
    s.type_text(&who, "\u{E007}"); // Enter picks the first result.
    s.find_with_text(".chosen", "Rossi Mario");
    s.click(&s.find("input[type='checkbox'][value='lavoro']"));
    fill(&s, "#desk-note", "Ha perso il lavoro, cerca un corso AFOL.");
    let today = std::process::Command::new("date").arg("+%d/%m/%Y").output().unwrap();
    fill(&s, "#desk-follow-up", String::from_utf8_lossy(&today.stdout).trim());
    s.click(&s.find_with_text("button", "Registra il contatto"));
    s.wait_for_text("Contatto registrato: Rossi Mario.");
    s.find_with_text("ul.card li", "Ha perso il lavoro, cerca un corso AFOL.");
    s.screenshot(&shots.join("sportello.png"));

    // The keyboard alone: a contact for a person found by surname, two topics, a note and a
    // follow-up in a week, saved in at most 15 keystrokes besides the note's text. Focus is back
    // on «Persona o nucleo» after the save; every key goes where the focus is.
    let mut keys = 0;
    let mut press = |typed: &str| {
        keys += typed.chars().count();
        s.press(typed);
    };
    assert_eq!(s.attribute(&s.focused(), "id"), "desk-who", "after a save the focus is back on the person");
    press("ross");
    s.find_with_text("#desk-who-list li[aria-selected=true]", "Rossi Mario");
    press("\u{E007}"); // Enter chooses the highlighted result...
    s.find_with_text(".chosen", "Rossi Mario");
    assert_eq!(s.attribute(&s.focused(), "value"), "casa", "...and the focus moves on to the topics");
    for key in ["l", " ", "f", " "] {
        press(key); // a letter jumps to a topic, Space ticks it
    }
    press("\u{E004}"); // Tab: out of the topics (one tab stop) into the note
    assert_eq!(s.attribute(&s.focused(), "id"), "desk-note");
    s.type_text(&s.focused(), "Vuole iscriversi al corso di magazzino AFOL.");
    press("\u{E004}"); // Tab: the follow-up
    assert_eq!(s.attribute(&s.focused(), "id"), "desk-follow-up");
    press("+7");
    press("\u{E009}\u{E007}"); // Ctrl+Enter saves
    s.wait_for_text("Contatto registrato: Rossi Mario.");
    assert!(keys <= 15, "a desk contact took {keys} keystrokes besides the note");
    let week = std::process::Command::new("date").args(["-d", "+7 days", "+%d/%m/%Y"]).output().unwrap();
    let week = String::from_utf8_lossy(&week.stdout).trim().to_string();
    let saved = s.text(&s.find_with_text("ul.card li", "Vuole iscriversi al corso di magazzino AFOL."));
    for expected in ["lavoro", "formazione", &format!("Richiamo: {week}")] {
        assert!(saved.contains(expected), "the contact saved with the keyboard lacks «{expected}»: {saved}");
    }
    assert!(!saved.contains("casa"), "only the two topics chosen: {saved}");
    nav(&s, "Home");
    s.wait_for_text("Richiami da fare (1)");
    s.find_with_text("section li", "Rossi Mario");

    nav(&s, "Impostazioni");
    s.find("#settings-desk");
    s.wait_for_text("Nuovo operatore");
    s.screenshot(&shots.join("impostazioni.png"));
    // Importa: a list with one bad row is refused whole, and the row is named.
    std::fs::write(
        &list,
        "Elenco assegnatari - via Fermi\n\
         codice_alloggio;indirizzo;civico;scala;cognome;nome;sesso;data_nascita;relazione\n\
         F-12;Via Enrico Fermi;12;B;Diop;Awa;F;03/07/1988;intestataria\n\
         F-12;Via Enrico Fermi;12;B;Diop;Moussa;M;31/02/2015;figlio\n",
    )
    .unwrap();
    nav(&s, "Importa");
    s.click(&s.find_with_text("button", "Scegli il file"));
    s.wait_for_text("1 problema nel file: non è stato importato nulla.");
    let bad = s.find("table.row-errors tbody tr");
    let bad_text = s.text(&bad);
    assert!(bad_text.starts_with("4") && bad_text.contains("data_nascita"), "{bad_text}");
    s.screenshot(&shots.join("importa-errore.png"));
    nav(&s, "Nuclei");
    assert!(!s.page_text().contains("Via Enrico Fermi"), "nothing of the bad file was imported");
    // Fixed in the spreadsheet and checked again: the summary, then the import.
    std::fs::write(&list, std::fs::read_to_string(&list).unwrap().replace("31/02/2015", "28/02/2015")).unwrap();
    nav(&s, "Importa");
    s.click(&s.find_with_text("button", "Scegli il file"));
    s.wait_for_text("Il file è valido: 2 righe controllate.");
    s.find_with_text(".counts-list li", "nuovi nuclei");
    s.screenshot(&shots.join("importa.png"));
    s.click(&s.find_with_text("button", "Importa assegnatari-fermi.csv"));
    s.wait_for_text("Importazione completata.");

    // Nuclei: filter by street, by staircase, and by open follow-ups.
    nav(&s, "Nuclei");
    s.wait_for_text("2 nuclei");
    s.click(&s.find("#households-street option[value='Via Enrico Fermi']"));
    s.wait_for_text("1 nucleo");
    s.find_with_text("tbody tr", "Diop Awa");
    s.click(&s.find("#households-street option[value='']"));
    s.click(&s.find("#households-scala option[value='A']"));
    s.find_with_text("tbody tr", "Rossi Mario");
    s.click(&s.find("#households-scala option[value='']"));
    s.click(&s.find("#households-follow-ups"));
    s.wait_for_text("1 nucleo");
    // Two open follow-ups on Rossi Mario: today's and the one in a week typed with the keyboard.
    s.find_with_text("tbody tr", "2 aperti");
    assert!(!s.page_text().contains("Diop Awa"));
    s.screenshot(&shots.join("nuclei-filtri.png"));

    // Sincronizza: link this desk to a new team in a shared folder; the recovery code is shown once,
    // then the first sync publishes this desk's work as an encrypted bundle.
    let shared = tempfile::tempdir().unwrap();
    nav(&s, "Sincronizza");
    s.wait_for_text("Collega questa postazione");
    // «Collega» with no folder and no team passphrase says what each needs, under the field, and
    // the focus is on the first.
    s.click(&s.find_with_text("form button[type='submit']", "Collega"));
    s.wait_for_text("scegli la cartella condivisa con «Scegli la cartella…», o scrivi il suo percorso");
    s.wait_for_text("la parola d'accesso del gruppo deve avere almeno 10 caratteri");
    assert_eq!(s.attribute(&s.focused(), "id"), "sync-folder", "the focus goes to the first wrong field");
    s.screenshot(&shots.join("sincronizza-campi.png"));
    fill(&s, "#sync-folder", &shared.path().display().to_string());
    fill(&s, "#sync-desk", "Sportello Mezzetta");
    fill(&s, "#sync-passphrase", "cortile di via Pirandello");
    s.click(&s.find_with_text("form button[type='submit']", "Collega"));
    s.wait_for_text("Gruppo creato.");
    s.screenshot(&shots.join("sincronizza-codice.png"));
    s.click(&s.find_with_text("button", "Ho conservato il codice"));
    s.wait_for_text("Sincronizzazione completata");
    s.wait_for_text("Ultima sincronizzazione:");
    s.screenshot(&shots.join("sincronizza.png"));
    let bundles: Vec<_> = std::fs::read_dir(shared.path().join("desks"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(bundles.contains(&"b-0000000000000001.qrt".to_string()), "{bundles:?}");

    // A second desk (the CLI, Marco's) joins the team and receives the households. Then both change
    // Diop Awa's phone before seeing each other's change: this desk here, the other through an
    // import of the Comune's list. Whichever sync brings the other's value, the window shows the
    // conflict with both values; the operator keeps this desk's, and the other desk gets it too.
    let other_root = tempfile::tempdir().unwrap();
    let other = other_root.path().join("b");
    let shared_path = shared.path().to_str().unwrap();
    ok(cli(&other, &["init", "--desk", "Sportello Comune", "--as", "Marco"], None));
    ok(cli(&other, &["desk", "enrol", "--folder", shared_path, "--name", "Sportello Comune"], Some(PASS)));
    assert_eq!(json(cli(&other, &["sync", "--json"], None))["bundles_applied"], 1);
    fill(&s, "#global-search", "diop awa");
    s.click(&s.find_with_text(".results button", "Diop Awa"));
    s.click(&s.find_with_text("button", "Modifica"));
    fill(&s, "#person-phone", "333 2222222");
    s.click(&s.find_with_text("button", "Salva"));
    s.wait_for_text("333 2222222");
    let relist = files.path().join("elenco-comune.csv");
    std::fs::write(
        &relist,
        "codice_alloggio;indirizzo;civico;scala;cognome;nome;sesso;data_nascita;relazione;telefono\n\
         F-12;Via Enrico Fermi;12;B;Diop;Awa;F;03/07/1988;intestataria;02 1111111\n",
    )
    .unwrap();
    ok(cli(&other, &["import", relist.to_str().unwrap()], None));
    ok(cli(&other, &["sync"], None));
    nav(&s, "Sincronizza");
    s.click(&s.find_with_text("button.primary", "Sincronizza"));
    s.wait_for_text("Conflitti da rivedere (1)");
    let conflict = s.text(&s.find("[data-testid=conflict]"));
    assert!(
        conflict.contains("Diop Awa") && conflict.contains("333 2222222") && conflict.contains("02 1111111"),
        "{conflict}"
    );
    s.screenshot(&shots.join("sincronizza-conflitto.png"));
    // The other desk's change came later, so it holds the field now; this desk's is the other value.
    assert!(conflict.find("02 1111111") < conflict.find("333 2222222"), "{conflict}");
    s.click(&s.find_with_text("[data-testid=conflict] button", "Usa l'altro valore"));
    s.wait_for_text("Conflitti da rivedere (0)");
    s.click(&s.find_with_text("button.primary", "Sincronizza"));
    // The other desk syncs until the choice, published by that sync, has reached it.
    let found = json(cli(&other, &["people", "search", "diop awa", "--json"], None));
    let awa = found[0]["id"].as_str().unwrap().to_string();
    let start = std::time::Instant::now();
    loop {
        ok(cli(&other, &["sync"], None));
        let record = json(cli(&other, &["people", "show", &awa, "--json"], None));
        if record["phone"] == "333 2222222" {
            break;
        }
        assert!(start.elapsed().as_secs() < 60, "the choice did not reach the other desk: {record}");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert_eq!(json(cli(&other, &["sync", "status", "--json"], None))["open_conflicts"], 0);

    // English is one setting away, and back.
    nav(&s, "Impostazioni");
    s.click(&s.find("#settings-language option[value='en']"));
    s.click(&s.find_with_text("button", "Salva"));
    s.wait_for_text("Settings saved.");
    nav(&s, "Households");
    s.wait_for_text("Only with open follow-ups");
    s.screenshot(&shots.join("households-en.png"));
    // Home's date in English too, and the roles in English.
    nav(&s, "Home");
    let weekday = std::process::Command::new("date").arg("+%A").env("LC_ALL", "C").output().unwrap();
    let weekday = String::from_utf8_lossy(&weekday.stdout).trim().to_string();
    s.wait_for_text(&format!("Today is {weekday}"));
    s.wait_for_text("Coordination");
    s.screenshot(&shots.join("home-en.png"));
    nav(&s, "Settings");
    s.click(&s.find("#settings-language option[value='it']"));
    s.click(&s.find_with_text("button", "Save"));
    s.wait_for_text("Impostazioni salvate.");

    nav(&s, "Home");
    s.wait_for_text("Oggi è");
    s.screenshot(&shots.join("home.png"));
    s.quit();

    // After a restart everything is still there, once the operator signs in: a wrong passphrase
    // opens nothing.
    let s = open(&driver, data.path());
    fill(&s, "#door-passphrase", "non è questa");
    s.click(&s.find_with_text("button", "Accedi"));
    s.wait_for_text("Nome o parola d'accesso errati.");
    s.screenshot(&shots.join("accesso.png"));
    sign_in(&s, OPERATOR_PASS);
    s.wait_for_text("Oggi è");
    fill(&s, "#global-search", "rssmra45");
    s.click(&s.find_with_text(".results button", "Rossi Mario"));
    s.wait_for_text("25/04/1945");
    nav(&s, "Home");
    s.wait_for_text("Richiami da fare (1)");
    let people = s.find_with_text(".count", "persone");
    assert!(s.text(&people).starts_with('3'), "Rossi Mario and the two imported: {}", s.text(&people));

    // The coordinator's audit log: the wrong passphrase, the look at Rossi Mario's record, an
    // intact chain; exported for the DPO where the seam says.
    nav(&s, "Registro accessi");
    s.wait_for_text("Registro integro");
    s.wait_for_text("accesso non riuscito");
    s.find_with_text("[data-testid=audit-table] td", "persona: Rossi Mario");
    s.screenshot(&shots.join("registro-accessi.png"));
    s.click(&s.find_with_text("button", "Esporta per il DPO"));
    s.wait_for_text("Registro esportato in");
    let exported: Vec<_> = std::fs::read_dir(save.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(exported.len(), 2, "the JSON and the CSV: {exported:?}");

    // Backups in Impostazioni: the day's copy was made at this sign-in; one more on request.
    nav(&s, "Impostazioni");
    s.find_with_text("[data-testid=backups] td", "giornaliera");
    s.click(&s.find_with_text("button", "Fai una copia adesso"));
    s.wait_for_text("Copia di sicurezza fatta.");
    let row = s.find_with_text("[data-testid=backups] td", "richiesta");
    s.scroll_to(&row);
    s.screenshot(&shots.join("copie-di-sicurezza.png"));

    // Privacy on a person's record: the notice given today, then everything about him exported
    // for an access request (a PDF and a JSON where the seam says).
    fill(&s, "#global-search", "rssmra45");
    s.click(&s.find_with_text(".results button", "Rossi Mario"));
    s.wait_for_text("Nessuna informativa o consenso registrato.");
    fill(&s, "#consent-version", "2026-01");
    s.click(&s.find_with_text("form button", "Registra"));
    s.find_with_text("[data-testid=consents] td", "Informativa sul trattamento dei dati");
    s.click(&s.find_with_text("button", "Esporta tutti i dati"));
    s.wait_for_text("Dati esportati in");
    let requests = s.find_with_text("h3", "Richieste dell'interessato");
    s.scroll_to(&requests);
    s.screenshot(&shots.join("persona-privacy.png"));
    let saved: Vec<String> = std::fs::read_dir(save.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(saved.iter().any(|n| n.starts_with("accesso-dati-rossi-mario") && n.ends_with(".pdf")), "{saved:?}");

    // Who is who: next month's list has Diop Moussa, with no birth date, as the tenant of another
    // dwelling. The report asks; the operator says it is the same Moussa, and he moves there
    // instead of becoming a second person.
    std::fs::write(
        &list,
        "codice_alloggio;indirizzo;civico;scala;cognome;nome;relazione
         F-20;Via Enrico Fermi;20;C;DIOP;MOUSSA;intestatario
",
    )
    .unwrap();
    nav(&s, "Importa");
    s.click(&s.find_with_text("button", "Scegli il file"));
    s.wait_for_text("Chi è? 1 persona da decidere prima di importare");
    let question = s.text(&s.find("fieldset.question"));
    assert!(question.contains("manca la data di nascita") && question.contains("Via Enrico Fermi 12"), "{question}");
    let confirm = s.find_with_text("button.primary", "Importa assegnatari-fermi.csv");
    assert!(!s.enabled(&confirm), "nothing is imported before the operator decides");
    s.screenshot(&shots.join("importa-chi-e.png"));
    s.click(&s.find_with_text("label.choice", "Diop Moussa"));
    s.click(&s.find_with_text("button.primary", "Importa assegnatari-fermi.csv"));
    s.wait_for_text("Importazione completata.");
    nav(&s, "Nuclei");
    s.wait_for_text("3 nuclei");
    s.find_with_text("tbody tr", "Diop Moussa");
    nav(&s, "Home");
    let people = s.find_with_text(".count", "persone");
    assert!(s.text(&people).starts_with('3'), "still three people: {}", s.text(&people));

    // A second record of Rossi Mario typed by hand in his household (no codice fiscale): the
    // duplicates screen shows the pair; the operator merges it into the first, then undoes it.
    nav(&s, "Nuclei");
    s.click(&s.find_with_text("tbody button", "Via Luigi Pirandello"));
    s.click(&s.find_with_text("button", "Aggiungi un componente"));
    s.wait_for_text("Nuovo componente del nucleo di Via Luigi Pirandello 6/H");
    fill(&s, "#person-surname", "ROSSI");
    fill(&s, "#person-name", "MARIO");
    fill(&s, "#person-birth-date", "25/04/1945");
    fill(&s, "#person-phone", "333 4445556");
    s.click(&s.find("#member-relationship option[value='altro']"));
    s.click(&s.find_with_text("button", "Salva"));
    s.wait_for_text("Componenti attuali");
    nav(&s, "Persone");
    s.click(&s.find_with_text("button", "Possibili doppioni"));
    let pair = s.find("[data-testid=duplicate-pair]");
    let pair_text = s.text(&pair);
    assert!(
        pair_text.contains("stesso nome e stessa data di nascita") && pair_text.contains("RSSMRA45D25F205N"),
        "{pair_text}"
    );
    s.screenshot(&shots.join("doppioni.png"));
    fill(&s, "[data-testid=duplicate-pair] input", "stessa persona, scheda scritta due volte");
    s.click(&s.find_with_text("[data-testid=duplicate-pair] button", "Unisci e tieni Rossi Mario"));
    s.wait_for_text("Schede unite");
    s.wait_for_text("Nessun possibile doppione");
    let merged = s.text(&s.find("[data-testid=merges]"));
    assert!(merged.contains("stessa persona, scheda scritta due volte") && merged.contains("Giulia"), "{merged}");
    nav(&s, "Home");
    let people = s.find_with_text(".count", "persone");
    assert!(s.text(&people).starts_with('3'), "one Rossi Mario again: {}", s.text(&people));
    nav(&s, "Persone");
    s.click(&s.find_with_text("button", "Possibili doppioni"));
    s.click(&s.find_with_text("[data-testid=merges] button", "Annulla l'unione"));
    s.wait_for_text("Unione annullata");
    s.find("[data-testid=duplicate-pair]");

    // Home: the follow-up is closed from the list, which says so and leaves it out; the
    // household's contact says when and who.
    nav(&s, "Home");
    s.wait_for_text("Richiami da fare (1)");
    let due = s.text(&s.find("[data-testid=follow-up]"));
    assert!(due.contains("Rossi Mario") && (due.contains("oggi") || due.contains("scaduto")), "{due}");
    s.screenshot(&shots.join("home-richiami.png"));
    s.click(&s.find_with_text("[data-testid=follow-up] button", "Fatto"));
    s.wait_for_text("Richiamo di Rossi Mario segnato come fatto.");
    s.wait_for_text("Richiami da fare (0)");
    s.find_with_text("section li", "Nessun richiamo in scadenza.");
    nav(&s, "Nuclei");
    s.click(&s.find_with_text("tbody button", "Via Luigi Pirandello"));
    s.wait_for_text("da Giulia Operatrice");

    // Diop Awa moves to Via Enrico Fermi 20 from her page: both households keep the history.
    fill(&s, "#global-search", "diop awa");
    s.click(&s.find_with_text(".results button", "Diop Awa"));
    s.wait_for_text("Via Enrico Fermi 12");
    s.click(&s.find_with_text("button", "Trasferisci in un altro nucleo"));
    fill(&s, "#move-search", "fermi 20");
    s.click(&s.find_with_text(".picks button", "Via Enrico Fermi 20"));
    s.click(&s.find("#move-relationship option[value='convivente']"));
    s.click(&s.find_with_text("button.primary", "Conferma"));
    s.wait_for_text("Trasferimento registrato: Diop Awa");
    let household = s.text(&s.find("[data-testid=person-household]"));
    assert!(
        household.contains("Via Enrico Fermi 20")
            && household.contains("Nuclei precedenti")
            && household.contains("Via Enrico Fermi 12"),
        "{household}"
    );
    s.screenshot(&shots.join("persona-trasferita.png"));
    s.click(&s.find_with_text("[data-testid=person-household] li button", "Via Enrico Fermi 12"));
    s.wait_for_text("Componenti usciti");
    let past = s.text(&s.find_with_text("[data-testid=past-members] tbody tr", "Diop Awa"));
    assert!(past.contains("intestataria"), "her relationship said for a woman: {past}");

    // A half-typed desk contact survives the lock: kept encrypted as it is typed, given back at
    // the next sign-in.
    nav(&s, "Sportello");
    fill(&s, "#desk-who", "diop awa");
    s.click(&s.find_with_text(".picks button", "Diop Awa"));
    fill(&s, "#desk-note", "Chiede aiuto per la domanda di contributo");
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.click(&s.find("#lock"));
    s.wait_for_text("Quartiere è bloccato: nessuno può leggere i dati finché non accedi di nuovo.");
    sign_in(&s, OPERATOR_PASS);
    s.wait_for_text("Oggi è");
    nav(&s, "Sportello");
    s.wait_for_text("Bozza ripresa");
    assert_eq!(s.value(&s.find("#desk-note")), "Chiede aiuto per la domanda di contributo");
    s.find_with_text(".chosen", "Diop Awa");
    s.screenshot(&shots.join("sportello-bozza.png"));

    // The search box answers the arrow keys: the second result, opened with Enter.
    let search = s.find("#global-search");
    fill(&s, "#global-search", "diop");
    let second = s.text(&s.find(".results li:nth-child(2) strong"));
    s.type_text(&search, "\u{E015}");
    let selected = s.text(&s.find(".results li[aria-selected=true] strong"));
    assert_eq!(selected, second, "the arrow moved to the second result");
    s.type_text(&search, "\u{E007}");
    // A household's result reads «Nucleo <address>», its page «Nucleo · <address>».
    let expected = second.trim_start_matches("Nucleo ").to_string();
    let started = std::time::Instant::now();
    while !s.text(&s.find("h1")).contains(&expected) {
        assert!(started.elapsed().as_secs() < 20, "Enter did not open «{second}»: {}", s.text(&s.find("h1")));
        std::thread::sleep(std::time::Duration::from_millis(200));
    }

    // A new person from Persone: the codice fiscale fills sex, birth date and birth place (read from
    // the table of place codes), and says so.
    nav(&s, "Persone");
    // Persone finds with the keyboard (Enter opens the highlighted person), and a search that finds
    // nobody offers «Nuova persona» right there.
    fill(&s, "#people-search", "diop");
    s.find_with_text("#people-search-list li[aria-selected=true]", "Diop Awa");
    s.press("\u{E007}");
    s.find_with_text("h1", "Diop Awa");
    nav(&s, "Persone");
    fill(&s, "#people-search", "Zanzibar");
    s.click(&s.find_with_text("#people-search-list li button", "Nuova persona"));
    s.wait_for_text("Nuova persona");
    fill(&s, "#person-cf", "RSSMRA45D25F205N");
    s.wait_for_text("Presi dal codice fiscale: sesso, data di nascita e luogo di nascita.");
    assert_eq!(s.value(&s.find("#person-birth-place")), "Milano (MI)");
    assert_eq!(s.value(&s.find("#person-birth-date")), "25/04/1945");
    assert_eq!(s.value(&s.find("#person-sex")), "M");
    s.screenshot(&shots.join("persona-nuova-cf.png"));
    s.quit();
}

/// Giulia's desk (the CLI's desk `a`, see sync_cli) in `root`, with a list of five residents from
/// many countries imported: the data folder and the list's file.
fn giulias_desk(root: &std::path::Path) -> (PathBuf, PathBuf) {
    let data = root.join("a");
    ok(cli(&data, &["init", "--desk", "Sportello Mezzetta", "--as", "Giulia"], None));
    let list = root.join("elenco.csv");
    std::fs::write(
        &list,
        "codice_alloggio;indirizzo;civico;scala;cognome;nome;relazione\n\
         P1;Via Luigi Pirandello;6/H;A;Rossi;Mario;intestatario\n\
         P1;Via Luigi Pirandello;6/H;A;Rossi;Anna;coniuge\n\
         P2;Via Luigi Pirandello;6/H;A;Nguyễn;Thị Lan;intestataria\n\
         P3;Via Luigi Pirandello;6/H;B;Kowalski;Łukasz;intestatario\n\
         F1;Via Enrico Fermi;3;;Diop;Awa;intestataria\n",
    )
    .unwrap();
    ok(cli(&data, &["import", list.to_str().unwrap()], None));
    (data, list)
}

/// The file the window saved in `folder` (where the save dialog would have said) whose name begins
/// with `name`.
fn saved_file(folder: &std::path::Path, name: &str) -> PathBuf {
    std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
        .unwrap_or_else(|| panic!("no file «{name}…» in {}", folder.display()))
}

/// The text of a PDF, as `pdftotext -layout` reads it.
fn pdf_text(pdf: &std::path::Path) -> String {
    let out =
        Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// An assembly from start to finish in the window: planned (a wrong time is refused first), a
/// staircase invited, its sheet printed (to the viewer) and saved (to a file read back with
/// pdftotext), attendance recorded from the sheet's code with the keyboard and one walk-in, and
/// the counts on the activity and on Home.
pub(crate) fn an_assembly_is_planned_printed_and_its_attendance_recorded() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    let (data, list) = giulias_desk(root.path());
    // A course with one place: Awa is in, Mario waits; Home counts people in paths and waiting.
    let course = ok(cli(
        &data,
        &["training", "add", "--title", "Operatore di magazzino", "--start", "01/01/2026", "--places", "1"],
        None,
    ));
    for name in ["awa", "mario"] {
        let person =
            json(cli(&data, &["people", "search", name, "--json"], None))[0]["id"].as_str().unwrap().to_string();
        ok(cli(&data, &["training", "enrol", course.trim(), "--person", &person], None));
    }

    let shots = screenshots();
    let (_x, display) = xvfb();
    let save = tempfile::tempdir().unwrap();
    // The "viewer" notes the file it was asked to show.
    let shown = root.path().join("shown.txt");
    let viewer = root.path().join("viewer.sh");
    std::fs::write(&viewer, format!("#!/bin/sh\necho \"$1\" >> '{}'\n", shown.display())).unwrap();
    Command::new("chmod").arg("755").arg(&viewer).status().unwrap();
    let scan = root.path().join("scansione.pdf");
    let driver = driver_with(&display, &list, save.path(), Some(&viewer), Some(&scan), None);
    let s = open(&driver, &data);
    sign_in(&s, OPERATOR_PASS);
    s.wait_for_text("Oggi è");
    let assemblies = s.text(&s.find_with_text("[data-testid=activity-counts] .count", "assemblee tematiche"));
    assert!(assemblies.starts_with('0'), "{assemblies}");
    let training = s.text(&s.find("[data-testid=training-counts]"));
    assert!(training.contains("1 / 30") && training.contains("1 persona in lista d'attesa"), "{training}");

    // A new assembly today; an end before the start is refused and names the field.
    let today = String::from_utf8(Command::new("date").arg("+%d/%m/%Y").output().unwrap().stdout).unwrap();
    nav(&s, "Attività");
    s.click(&s.find("#activity-add"));
    s.wait_for_text("Nuova attività");
    fill(&s, "#activity-title", "Assemblea sulla cura del cortile");
    fill(&s, "#activity-date", today.trim());
    fill(&s, "#activity-start", "18:00");
    fill(&s, "#activity-end", "17:00");
    fill(&s, "#activity-venue", "Sala comune, Via Pirandello 6");
    fill(&s, "#activity-topic", "Turni di pulizia e piante del cortile");
    s.click(&s.find("#activity-save"));
    s.wait_for_text("prima di cominciare (18:00)");
    assert_eq!(s.attribute(&s.focused(), "id"), "activity-end", "the focus is on the wrong field");
    s.screenshot(&shots.join("attivita-nuova-errore.png"));
    fill(&s, "#activity-end", "19:30");
    s.click(&s.find("#activity-save"));
    s.wait_for_text("Attività «Assemblea sulla cura del cortile» creata.");
    s.wait_for_text("Nessuna persona invitata");

    // Staircase A of Via Pirandello 6/H: three people, not Kowalski (staircase B).
    fill(&s, "#invite-street", "via luigi pirandello");
    fill(&s, "#invite-civic", "6/h");
    fill(&s, "#invite-scala", "A");
    s.click(&s.find("#invite-address"));
    s.wait_for_text("3 persone invitate.");
    let people = s.text(&s.find("[data-testid=participants]"));
    assert!(
        people.contains("Nguyễn Thị Lan") && people.contains("Rossi Anna") && !people.contains("Kowalski"),
        "{people}"
    );

    // Printed: the viewer gets a PDF; saved: a file where the save dialog says.
    s.click(&s.find("#sheet-print"));
    s.wait_for_text("aperto per la stampa.");
    let opened = std::fs::read_to_string(&shown).unwrap();
    let opened = std::path::Path::new(opened.trim());
    assert!(opened.starts_with(&data) && opened.extension().unwrap() == "pdf", "{}", opened.display());
    s.click(&s.find("#sheet-save"));
    s.wait_for_text("salvato in");
    let saved = save.path().join("Foglio presenze - Assemblea sulla cura del cortile.pdf");
    let text = pdf_text(&saved);
    let sheet_codes = || -> Vec<String> {
        let list = s.text(&s.find("ul.sheets"));
        list.match_indices("FP-").map(|(at, _)| list[at..at + 11].to_string()).collect()
    };
    let started = std::time::Instant::now();
    while sheet_codes().len() < 2 {
        assert!(started.elapsed().as_secs() < 20, "two sheets printed: {:?}\n{}", sheet_codes(), s.page_text());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let codes = sheet_codes();
    let code = &codes[0];
    assert!(text.contains(code.as_str()), "the newest sheet is the saved one, {code}:\n{text}");
    for name in ["Nguyễn Thị Lan", "Rossi Mario", "Rossi Anna", "Assemblea sulla cura del cortile", "Pagina 1 di 1"]
    {
        assert!(text.contains(name), "{name} missing from the sheet:\n{text}");
    }
    s.screenshot(&shots.join("attivita.png"));

    // The signed sheet's scan: a file that is not a PDF or an image is refused; the scanner's PDF
    // is attached and opens in the viewer.
    std::fs::write(&scan, "Nome;Firma\nRossi Mario;\n").unwrap();
    s.click(&s.find_with_text("ul.sheets button", "Allega la scansione firmata"));
    s.wait_for_text("«scansione.pdf» non è un PDF né un'immagine");
    std::fs::copy(&saved, &scan).unwrap();
    s.click(&s.find_with_text("ul.sheets button", "Allega la scansione firmata"));
    s.wait_for_text("Scansione «scansione.pdf» allegata.");
    s.click(&s.find_with_text("[data-testid=scans] button", "Apri"));
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&shown).unwrap().contains("scansione.pdf") {
        assert!(started.elapsed().as_secs() < 20, "the scan was not opened in the viewer");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }

    // After the assembly: the sheet's code opens it (a wrong code is an Italian error first).
    nav(&s, "Attività");
    fill(&s, "#sheet-code", "FP-00000000");
    s.press("\u{E007}");
    s.wait_for_text("nessun foglio presenze ha il codice «FP-00000000»");
    fill(&s, "#sheet-code", &code.to_lowercase());
    s.press("\u{E007}");
    s.wait_for_text("Chi è venuto (0/3)");
    // The keyboard alone: the focus is in the list; a letter jumps to a surname, Space ticks.
    assert_eq!(s.attribute(&s.focused(), "type"), "checkbox");
    for key in ["n", " ", "r", " "] {
        s.press(key);
    }
    s.wait_for_text("Chi è venuto (2/3)");
    // Diop Awa came without an invitation: found in the registry with the picker.
    let pick = s.find("#walk-in-pick");
    s.type_text(&pick, "diop");
    s.find_with_text("#walk-in-pick-list li[aria-selected=true]", "Diop Awa");
    s.press("\u{E007}");
    s.find_with_text("[data-testid=walk-ins] li", "Diop Awa");
    s.screenshot(&shots.join("presenze.png"));
    s.click(&s.find("#attendance-save"));
    s.wait_for_text("Presenze salvate: 2 presenti su 3 e 1 persona venuta senza invito.");
    let summary = s.text(&s.find("[data-testid=attendance-summary]"));
    assert_eq!(summary, "2 presenti su 3 persone invitate, più 1 persona venuta senza invito");
    let rows = s.text(&s.find("[data-testid=participants]"));
    assert!(rows.contains("Diop Awa") && rows.contains("senza invito") && rows.contains("assente"), "{rows}");
    s.screenshot(&shots.join("attivita-presenze.png"));

    // The minutes: a decision, then a follow-up with no owner (refused, named), then with one,
    // due today: it is on Home until marked done.
    s.click(&s.find("#minute-kind option[value='decisione']"));
    fill(&s, "#minute-text", "Turni di pulizia per scala da gennaio");
    s.click(&s.find("#minute-add"));
    s.find_with_text("[data-testid=minutes] li", "Turni di pulizia per scala da gennaio");
    s.click(&s.find("#minute-kind option[value='impegno']"));
    fill(&s, "#minute-text", "Chiedere all'ente gestore le chiavi del locale rifiuti");
    fill(&s, "#minute-due", "oggi");
    s.click(&s.find("#minute-add"));
    s.wait_for_text("scrivi chi se ne occupa");
    fill(&s, "#minute-owner", "Giulia");
    s.click(&s.find("#minute-add"));
    s.find_with_text("[data-testid=minutes] li", "a cura di Giulia, entro il");
    let minutes = s.find("[data-testid=minutes]");
    s.scroll_to(&minutes);
    s.screenshot(&shots.join("attivita-verbale.png"));

    // The month's list and calendar, and Home's count.
    nav(&s, "Attività");
    s.find_with_text("[data-testid=activities] tr", "3 persone invitate · 3 presenti (1 senza invito)");
    s.click(&s.find_with_text(".views button", "Calendario"));
    s.find_with_text("[data-testid=calendar] button", "Assemblea sulla cura del cortile");
    s.screenshot(&shots.join("attivita-calendario.png"));
    nav(&s, "Home");
    let assemblies = s.text(&s.find_with_text("[data-testid=activity-counts] .count", "assemblea tematica"));
    assert!(assemblies.starts_with('1'), "{assemblies}");
    s.find_with_text("section li button", "Assemblea sulla cura del cortile");
    s.find_with_text("[data-testid=minute-due]", "Chiedere all'ente gestore le chiavi del locale rifiuti");
    s.screenshot(&shots.join("home-attivita.png"));
    s.click(&s.find_with_text("[data-testid=minute-due] button", "Fatto"));
    s.wait_for_text("Impegno «Chiedere all'ente gestore le chiavi del locale rifiuti» segnato come fatto.");
    assert!(!s.page_text().contains("Impegni presi nelle assemblee"), "done, it leaves Home");

    // Per person: Diop Awa's page counts the assembly she came to uninvited.
    fill(&s, "#global-search", "diop awa");
    s.click(&s.find_with_text(".results button", "Diop Awa"));
    let hers = s.text(&s.find("[data-testid=person-activities]"));
    assert!(hers.contains("Attività: 1 presenza su 1 attività") && hers.contains("presente (senza invito)"), "{hers}");
    s.quit();
}

/// Formazione e lavoro in the real window: a course of two places fills up, the next people wait
/// in the order they asked; when someone leaves, the window names who is next, and admitting
/// someone else out of turn asks why. Home counts the people in paths and waiting.
pub(crate) fn a_course_fills_up_and_a_freed_place_goes_to_the_waiting_list() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    let (data, list) = giulias_desk(root.path());

    let shots = screenshots();
    let (_x, display) = xvfb();
    let save = tempfile::tempdir().unwrap();
    let driver = driver(&display, &list, save.path());
    let s = open(&driver, &data);
    sign_in(&s, OPERATOR_PASS);
    s.wait_for_text("Oggi è");

    // A new course: the places are asked for, in Italian, before anything is written.
    nav(&s, "Formazione e lavoro");
    s.click(&s.find("#course-add"));
    fill(&s, "#course-title", "Operatore di magazzino");
    fill(&s, "#course-start", "11/01/2027");
    s.click(&s.find("#course-save"));
    s.wait_for_text("indica quanti posti ha il corso");
    fill(&s, "#course-places", "2");
    s.click(&s.find("#course-save"));
    s.wait_for_text("Creato: Operatore di magazzino.");

    // Four people ask, in this order: two get in, two wait.
    let enrol = |who: &str, name: &str, heard: &str| {
        let pick = s.find("#enrol-pick");
        s.type_text(&pick, who);
        s.find_with_text("#enrol-pick-list li[aria-selected=true]", name);
        s.press("\u{E007}");
        s.wait_for_text(heard);
    };
    enrol("rossi mario", "Rossi Mario", "iscrizione al corso registrata");
    enrol("rossi anna", "Rossi Anna", "iscrizione al corso registrata");
    enrol("diop", "Diop Awa", "in lista d'attesa, posizione 1");
    enrol("nguyen", "Nguyễn Thị Lan", "in lista d'attesa, posizione 2");
    // Enrolling someone twice is refused and says where they are.
    let pick = s.find("#enrol-pick");
    s.type_text(&pick, "diop");
    s.find_with_text("#enrol-pick-list li[aria-selected=true]", "Diop Awa");
    s.press("\u{E007}");
    s.wait_for_text("Diop Awa è già in lista d'attesa per questo corso (posizione 1)");
    assert_eq!(s.text(&s.find("[data-testid=course-seats]")), "2 su 2 posti · 2 in attesa");
    let waiting = s.text(&s.find("[data-testid=course-waiting]"));
    assert!(waiting.find("Diop Awa").unwrap() < waiting.find("Nguyễn Thị Lan").unwrap(), "{waiting}");
    assert!(!s.page_text().contains("Fai entrare"), "a full course admits nobody from the list");
    s.screenshot(&shots.join("corso-completo.png"));

    // Mario leaves: the window names who is next, and admits nobody by itself.
    s.click(&s.find("button[data-action=withdraw][data-name='Rossi Mario']"));
    s.click(&s.find("#leave-confirm"));
    s.wait_for_text("scrivi perché la persona lascia il corso");
    fill(&s, "#leave-reason", "ha trovato lavoro");
    s.click(&s.find("#leave-confirm"));
    s.wait_for_text("Si è liberato un posto: la prima persona in lista d'attesa è Diop Awa.");
    assert_eq!(s.text(&s.find("[data-testid=course-seats]")), "1 su 2 posti · 2 in attesa");

    // Admitting the second in line asks why she goes before the first.
    s.click(&s.find("button[data-action=admit][data-name='Nguyễn Thị Lan']"));
    s.click(&s.find("#admit-confirm"));
    s.wait_for_text("prima di Nguyễn Thị Lan in lista d'attesa c'è Diop Awa: scrivi perché passa avanti");
    fill(&s, "#admit-reason", "il corso le serve per il contratto di febbraio");
    s.click(&s.find("#admit-confirm"));
    s.wait_for_text("Nguyễn Thị Lan: ingresso nel corso dalla lista d'attesa registrato.");
    let admitted = s.text(&s.find("[data-testid=course-in]"));
    assert!(admitted.contains("Nguyễn Thị Lan") && admitted.contains("fuori turno: il corso le serve"), "{admitted}");
    assert!(s.text(&s.find("[data-testid=course-waiting]")).contains("Diop Awa"));
    assert!(s.page_text().contains("Hanno lasciato (1)") && s.page_text().contains("ha trovato lavoro"));
    s.screenshot(&shots.join("corso-lista-attesa.png"));

    // Sessions: one before the course begins is refused; two weekly ones invite who is in.
    s.click(&s.find("#sessions-add"));
    fill(&s, "#session-date", "04/01/2027");
    fill(&s, "#session-start", "09:00");
    fill(&s, "#session-end", "11:00");
    fill(&s, "#session-venue", "Sede AFOL");
    fill(&s, "#session-weeks", "2");
    s.click(&s.find("#sessions-save"));
    s.wait_for_text("la lezione del 04/01/2027 è prima dell'inizio del corso (11/01/2027)");
    fill(&s, "#session-date", "12/01/2027");
    s.click(&s.find("#sessions-save"));
    s.wait_for_text("2 lezioni aggiunte: chi è nel corso è invitato.");
    let sessions = s.text(&s.find("[data-testid=course-sessions]"));
    assert!(
        sessions.contains("Lezioni (2)") && sessions.contains("12/01/2027") && sessions.contains("19/01/2027"),
        "{sessions}"
    );
    // The register for the provider, saved and read back: who is in, the two sessions.
    s.click(&s.find("[data-testid=course-register] button[data-action=save-register]"));
    s.wait_for_text("salvato in");
    let register = pdf_text(&saved_file(save.path(), "Registro"));
    for needle in ["Registro presenze: Operatore di magazzino", "Rossi Anna", "Nguyễn Thị Lan", "12/01", "19/01"] {
        assert!(register.contains(needle), "«{needle}» not in the register:\n{register}");
    }
    s.click(&s.find_with_text("[data-testid=course-sessions] button", "12/01/2027"));
    s.wait_for_text("Nguyễn Thị Lan");

    // Home: three residents entered a path (of the project's 30), one waits.
    nav(&s, "Home");
    let training = s.text(&s.find("[data-testid=training-counts]"));
    assert!(training.contains("3 / 30") && training.contains("1 persona in lista d'attesa"), "{training}");
    // Her page says where Awa is.
    fill(&s, "#global-search", "diop awa");
    s.click(&s.find_with_text(".results button", "Diop Awa"));
    let hers = s.text(&s.find("[data-testid=person-courses]"));
    assert!(hers.contains("Operatore di magazzino") && hers.contains("in lista d'attesa (posizione 1)"), "{hers}");
    s.quit();
}

/// A case from a desk contact to Home in the real window: Awa's contact at the desk opens her
/// case (Giulia, the coordinator, follows it); a goal without an owner is refused in Italian;
/// two goals are written, one already late, and a step; a referral that would pass her data to
/// a partner is refused until her consent is recorded; the late goal is on Home, and her page
/// lists the case; a note is written and edited, and the case's history says who did what.
pub(crate) fn a_case_opened_from_a_desk_contact_puts_its_overdue_goal_on_home() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    let (data, list) = giulias_desk(root.path());
    let awa =
        json(cli(&data, &["people", "search", "diop awa", "--json"], None))[0]["id"].as_str().unwrap().to_string();
    ok(cli(&data, &["desk", "add", "--person", &awa, "--topic", "lavoro", "--note", "Ha perso il lavoro"], None));

    let shots = screenshots();
    let (_x, display) = xvfb();
    let save = tempfile::tempdir().unwrap();
    let driver = driver(&display, &list, save.path());
    let s = open(&driver, &data);
    sign_in(&s, OPERATOR_PASS);
    s.wait_for_text("Oggi è");

    // From the contact in the desk log.
    nav(&s, "Sportello");
    s.wait_for_text("Ha perso il lavoro");
    s.click(&s.find("button[data-action=open-case]"));
    s.wait_for_text("Nuova presa in carico per Diop Awa");
    assert!(s.page_text().contains("Dal contatto allo sportello"));
    fill(&s, "#case-reason", "Cerca lavoro dopo la chiusura del magazzino");
    s.click(&s.find("#case-save"));
    s.wait_for_text("Presa in carico di Diop Awa aperta.");
    s.wait_for_text("Storia delle modifiche");

    // A goal with no owner is refused, naming the field; nothing is written.
    fill(&s, "#goal-title", "Iscrizione al centro per l'impiego");
    fill(&s, "#goal-due", "05/01/2026");
    s.click(&s.find("#goal-save"));
    s.wait_for_text("ogni obiettivo ha un responsabile");
    assert!(
        !s.text(&s.find("[data-testid=case-plan]")).contains("Iscrizione al centro"),
        "a refused goal is not written"
    );
    fill(&s, "#goal-owner", "Giulia");
    s.click(&s.find("#goal-save"));
    s.wait_for_text("Obiettivo «Iscrizione al centro per l'impiego» aggiunto.");
    fill(&s, "#goal-title", "Curriculum aggiornato");
    fill(&s, "#goal-owner", "la persona");
    fill(&s, "#goal-due", "+30");
    s.click(&s.find("#goal-save"));
    s.wait_for_text("Obiettivo «Curriculum aggiornato» aggiunto.");
    s.click(&s.find_with_text("button.add-step", "Aggiungi un passo"));
    fill(&s, "#step-title", "Portare la carta d'identità");
    fill(&s, "#step-owner", "la persona");
    s.click(&s.find_with_text("form.step button", "Aggiungi"));
    s.wait_for_text("Obiettivo «Portare la carta d'identità» aggiunto.");
    let plan = s.text(&s.find("[data-testid=case-plan]"));
    assert!(plan.contains("Iscrizione al centro per l'impiego") && plan.contains("scaduto"), "{plan}");
    assert!(plan.contains("Passo: Portare la carta d'identità"), "{plan}");

    // A deadline moved: the goal is edited in place, the history keeps the change.
    s.click(&s.find("[data-title='Curriculum aggiornato'] button[data-action=edit-goal]"));
    fill(&s, "#edit-due", "+60");
    s.click(&s.find("#edit-save"));
    s.wait_for_text("«Curriculum aggiornato» modificato.");

    // A referral that passes her data to the Servizio Sociale needs her consent first.
    s.click(&s.find("#referral-to option[value='servizio_sociale']"));
    fill(&s, "#referral-reason", "Valutazione del reddito");
    s.click(&s.find("#referral-shares"));
    s.click(&s.find("#referral-save"));
    s.wait_for_text("per inviare i dati di Diop Awa a il Servizio Sociale serve il suo consenso");
    s.click(&s.find("#referral-shares"));
    s.click(&s.find("#referral-save"));
    s.wait_for_text("Invio a Servizio Sociale del Comune registrato.");

    // A note, then a second version of it.
    s.click(&s.find("#note-add"));
    fill(&s, "#note-body", "Disponibile al mattino");
    s.click(&s.find("#note-save"));
    s.wait_for_text("Nota salvata.");
    s.click(&s.find("button[data-action=edit-note]"));
    fill(&s, "#note-edit", "Disponibile al mattino, non il giovedì");
    s.click(&s.find("#note-edit-save"));
    s.wait_for_text("modificata (1 versione precedente)");
    let history = s.text(&s.find("[data-testid=case-history]"));
    for line in [
        "presa in carico aperta (asse «disagio sociale e prese in carico», tutor Giulia)",
        "nuovo obiettivo «Iscrizione al centro per l'impiego» (responsabile Giulia, scadenza 05/01/2026)",
        "invio a Servizio Sociale",
        "obiettivo «Curriculum aggiornato» modificato: scadenza",
        "nota modificata",
    ] {
        assert!(history.contains(line), "{line} not in {history}");
    }
    s.screenshot(&shots.join("presa-in-carico.png"));

    // The plan, saved as a PDF (where the save dialog would say) and read back with pdftotext.
    s.click(&s.find("[data-testid=case-plan-print] button[data-action=save-plan]"));
    s.wait_for_text("salvato in");
    let plan = pdf_text(&saved_file(save.path(), "Piano individuale"));
    for needle in [
        "Piano individuale di Diop Awa",
        "Iscrizione al centro per l'impiego",
        "– Portare la carta d'identità",
        "Servizio Sociale",
    ] {
        assert!(plan.contains(needle), "«{needle}» not in the plan:\n{plan}");
    }

    // Home: the late goal, with whose case it is; the one due in a month is not there.
    nav(&s, "Home");
    let due = s.text(&s.find("[data-testid=goals-due]"));
    assert!(
        due.contains("Iscrizione al centro per l'impiego") && due.contains("Diop Awa") && due.contains("scaduto da"),
        "{due}"
    );
    assert!(!due.contains("Curriculum aggiornato"), "{due}");
    s.screenshot(&shots.join("home-obiettivi-scaduti.png"));
    // The tutor's list, and back to the case from Home.
    nav(&s, "Prese in carico");
    let cases = s.text(&s.find("[data-testid=cases]"));
    assert!(cases.contains("Diop Awa") && cases.contains("1 scaduto"), "{cases}");
    nav(&s, "Home");
    s.click(&s.find_with_text("[data-testid=goal-due] button", "Diop Awa"));
    s.wait_for_text("Prese in carico: Diop Awa");
    s.quit();
}

/// A repayment plan in the window, on a fixed day (26/01/2027, the seam `QUARTIERE_TODAY`): the ente
/// gestore's statement checked and imported, the plan signed from the household's account (an
/// instalment over an eighth of the income confirmed first), a payment before signing refused, a
/// partial payment that leaves the first instalment partly paid, the instalment due this week on
/// Home, the plan late once its due date has passed (looked at on 01/02/2027), the agreement saved
/// and read back with pdftotext.
pub(crate) fn a_repayment_plan_is_signed_paid_in_part_and_late_after_its_due_date() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    let (data, _list) = giulias_desk(root.path());
    let statement = root.path().join("estratto-aler.csv");
    std::fs::write(
        &statement,
        "Codice alloggio;Periodo;Canone;Spese;Canone pagato;Spese pagate\n\
         P1;10/2026;200,00;50,00;0;0\n\
         P1;11/2026;200,00;50,00;0;0\n\
         P1;12/2026;200,00;50,00;0;0\n\
         P2;12/2026;150,00;40,00;150,00;40,00\n",
    )
    .unwrap();

    let shots = screenshots();
    let (_x, display) = xvfb();
    let save = tempfile::tempdir().unwrap();
    let driver = driver_with(&display, &statement, save.path(), None, None, Some("26/01/2027"));
    let s = open(&driver, &data);
    sign_in(&s, OPERATOR_PASS);
    s.wait_for_text("Oggi è");

    // The statement: checked whole and shown, then imported.
    nav(&s, "Morosità");
    s.wait_for_text("Morosità e piani di rientro");
    s.click(&s.find("#statement-pick"));
    s.wait_for_text("4 righe per 2 nuclei: 4 mesi nuovi");
    s.click(&s.find("#statement-apply"));
    s.wait_for_text("Estratto conto importato.");

    // The plan, from the household's account.
    nav(&s, "Nuclei");
    s.click(&s.find_with_text("button.link", "Via Luigi Pirandello 6/H"));
    s.click(&s.find("#household-account"));
    s.wait_for_text("Estratto conto di");
    assert!(s.text(&s.find("[data-testid=account-arrears]")).contains("750,00 EUR"));
    s.click(&s.find("#account-new-plan"));
    s.wait_for_text("Nuovo piano di rientro per");
    fill(&s, "#plan-signed", "10/01/2027");
    fill(&s, "#plan-signatories", "Mario Rossi, ALER Milano, Laboratorio Mezzetta");
    fill(&s, "#plan-rent", "600,00");
    fill(&s, "#plan-charges", "150,00");
    fill(&s, "#plan-first", "31/01/2027");
    fill(&s, "#plan-count", "6");
    fill(&s, "#plan-income", "800,00");
    s.click(&s.find("#plan-sign"));
    s.wait_for_text("supera un ottavo del reddito mensile");
    s.click(&s.find("#plan-confirm-income"));
    s.click(&s.find("#plan-sign"));
    s.wait_for_text("Piano di rientro firmato.");
    s.wait_for_text("Piano di rientro di");
    let schedule = s.text(&s.find("[data-testid=plan-schedule]"));
    assert!(
        schedule.contains("31/01/2027") && schedule.contains("28/02/2027") && schedule.contains("125,00 EUR"),
        "{schedule}"
    );
    assert_eq!(s.text(&s.find("[data-testid=plan-status]")), "attivo");

    // A payment before the signing is refused; a partial one leaves the first instalment partly paid.
    fill(&s, "#payment-on", "05/01/2027");
    fill(&s, "#payment-amount", "50,00");
    s.click(&s.find("#payment-save"));
    s.wait_for_text("è prima della firma del piano (10/01/2027)");
    fill(&s, "#payment-on", "20/01/2027");
    s.click(&s.find("#payment-save"));
    s.wait_for_text("Pagamento di 50,00 registrato.");
    s.wait_for_text("pagata in parte");
    assert!(s.text(&s.find("[data-testid=plan-payments]")).contains("rata 1: 50,00 EUR"));
    assert_eq!(s.text(&s.find("[data-testid=plan-status]")), "attivo");
    s.screenshot(&shots.join("piano-di-rientro.png"));

    // Home: the instalment falls due this week.
    nav(&s, "Home");
    s.wait_for_text("Rate dei piani di rientro");
    assert!(s.text(&s.find("[data-testid=arrears-due]")).contains("rata 1"));

    // After its due date has passed the plan is late (the day is a parameter of the view).
    nav(&s, "Morosità");
    s.click(&s.find_with_text("[data-testid=plans] button.link", "Via Luigi Pirandello"));
    s.wait_for_text("Situazione al");
    fill(&s, "#plan-at", "01/02/2027");
    s.click(&s.find("#plan-at-show"));
    s.wait_for_text("1 rata scaduta, 75,00 EUR");
    assert_eq!(s.text(&s.find("[data-testid=plan-status]")), "in ritardo");
    assert!(s.text(&s.find("[data-testid=plan-schedule]")).contains("scaduta"));
    s.screenshot(&shots.join("piano-in-ritardo.png"));

    // The agreement, saved and read back.
    s.click(&s.find("[data-testid=plan-agreement] button[data-action=save-agreement]"));
    s.wait_for_text("salvato in");
    let text = pdf_text(&saved_file(save.path(), "Piano di rientro"));
    for expected in ["Piano di rientro dalla morosità", "Rossi Mario", "750,00 EUR", "125,00 EUR", "30/06/2027"] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
    s.quit();
}

/// The last months of the project in the window: the coordinator reads the indicators (the same
/// figures as `quartiere stats` for the period the screen shows), the records behind one, sets a
/// target, adds a late action to the project plan, refuses a wrong key of the Comune, previews
/// and exports the monthly bundle (decrypted with the Debian `age`, verified by `quartiere export
/// verify`); then the Comune's reader signs in and sees the dashboard and the bundle, never a name.
pub(crate) fn the_coordinator_reads_the_indicators_and_exports_the_monthly_bundle() {
    let _one_window = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("a");
    ok(cli(&data, &["init", "--desk", "Sportello Mezzetta", "--as", "Giulia"], None));
    ok(cli(&data, &["demo", "--households", "40", "--seed", "11"], None));
    let comune = Command::new(binary("quartiere"))
        .arg("--data-dir")
        .arg(&data)
        .args(["operators", "add", "Ufficio Casa", "--role", "comune"])
        .env("QUARTIERE_OPERATOR", "Giulia")
        .env("QUARTIERE_PASSPHRASE", OPERATOR_PASS)
        .env("QUARTIERE_NEW_PASSPHRASE", "parola del comune di prova")
        .output()
        .unwrap();
    ok(comune);
    let key = root.path().join("comune.key");
    assert!(Command::new("age-keygen").arg("-o").arg(&key).output().expect("age-keygen (age)").status.success());
    let public = std::fs::read_to_string(&key)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_string();

    let shots = screenshots();
    let (_x, display) = xvfb();
    let save = tempfile::tempdir().unwrap();
    let driver = driver(&display, &root.path().join("nessun-elenco.csv"), save.path());
    let s = open(&driver, &data);
    s.wait_for_text("Accedi a Quartiere");
    s.click(&s.find("#door-name option[value='Giulia']"));
    sign_in(&s, OPERATOR_PASS);
    s.wait_for_text("Oggi è");
    // The demo plan has two actions past their due date.
    s.wait_for_text("Azioni del piano in ritardo (2)");
    assert!(s.text(&s.find_with_text("[data-testid=late-action]", "Tirocini")).contains("in ritardo di"));

    // The dashboard equals `quartiere stats` for the period it shows.
    nav(&s, "Indicatori");
    s.wait_for_text("Indicatori del progetto");
    let period = s.text(&s.find("[data-testid=indicators-period]"));
    let (from, to) = period.trim_start_matches("Dal ").split_once(" al ").unwrap();
    let stats = json(cli(&data, &["stats", "--from", from, "--to", to, "--json"], None));
    let figure = |code: &str| s.text(&s.find(&format!("[data-code={code}] [data-testid=indicator-value]")));
    for code in ["eventi", "assemblee", "nuclei_raggiunti", "formazione_lavoro", "contatti_sportello"] {
        let expected =
            stats["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap()["value"].clone();
        assert_eq!(figure(code).replace('.', ""), expected.to_string(), "{code} in {period}");
    }
    // The records behind the households reached: one per household, named.
    s.click(&s.find("[data-code=nuclei_raggiunti] [data-testid=indicator-value]"));
    s.wait_for_text(&format!("Nuclei raggiunti: {} record", figure("nuclei_raggiunti")));
    // The residents in paths: people, by name (the Comune's reader must never see one).
    s.click(&s.find("[data-code=formazione_lavoro] [data-testid=indicator-value]"));
    s.wait_for_text(&format!(
        "Residenti in percorsi di formazione o ricerca lavoro: {} record",
        figure("formazione_lavoro")
    ));
    let resident = s.text(&s.find("[data-testid=indicator-records] button.link"));
    assert!(resident.split_whitespace().count() >= 2, "a resident's name: {resident}");
    // A target, changed here, is the dashboard's at once.
    s.click(&s.find("[data-code=eventi] [data-testid=target-edit]"));
    fill(&s, "#target-value", "dieci");
    s.click(&s.find("#target-save"));
    s.wait_for_text("«dieci» non è un numero intero non negativo");
    fill(&s, "#target-value", "9");
    s.click(&s.find("#target-save"));
    s.wait_for_text("Obiettivo di «Eventi di socialità» salvato.");
    assert!(s.text(&s.find("[data-code=eventi]")).contains("obiettivo 9"));
    s.screenshot(&shots.join("indicatori.png"));

    // The project plan: a new action already past its due date is late.
    nav(&s, "Piano di progetto");
    s.wait_for_text("Budget");
    s.click(&s.find("#action-new"));
    s.click(&s.find("#action-save"));
    s.wait_for_text("scegli l'asse del progetto");
    s.click(&s.find("#action-axis option[value='convivenza']"));
    fill(&s, "#action-title", "Orto condiviso nel cortile");
    fill(&s, "#action-owner", "Giulia");
    fill(&s, "#action-due", "01/09/2025");
    fill(&s, "#action-budget", "2.000,00");
    s.click(&s.find("#action-save"));
    s.wait_for_text("Azione «Orto condiviso nel cortile» salvata.");
    let row = s.text(&s.find_with_text("[data-testid=plan-action]", "Orto condiviso"));
    assert!(row.contains("in ritardo di") && row.contains("2.000,00 EUR"), "{row}");
    assert!(s.text(&s.find("[data-testid=project-late]")).contains("3 azioni"));
    s.screenshot(&shots.join("piano-di-progetto.png"));

    // The bundle: a wrong key is refused, the right one kept; preview, then export.
    nav(&s, "Invio al Comune");
    s.wait_for_text("Pacchetto mensile per il Comune");
    fill(&s, "#bundle-keys", "age1sbagliata");
    s.click(&s.find("#bundle-keys-save"));
    s.wait_for_text("non è una chiave pubblica age valida");
    fill(&s, "#bundle-keys", &public);
    s.click(&s.find("#bundle-keys-save"));
    s.wait_for_text("1 chiave del Comune salvata.");
    let month = s.value(&s.find("#bundle-month"));
    s.click(&s.find("#bundle-preview"));
    s.wait_for_text(&format!("Il pacchetto di {month}"));
    assert!(s.text(&s.find("[data-testid=bundle-frontier]")).contains("Sportello Mezzetta"));
    s.screenshot(&shots.join("pacchetto-anteprima.png"));
    s.click(&s.find("#bundle-export"));
    s.wait_for_text("Pacchetto salvato in");
    let file = saved_file(save.path(), &format!("quartiere-{month}"));
    let plain = Command::new("age").arg("-d").arg("-i").arg(&key).arg(&file).output().expect("age");
    assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
    let listing = {
        let mut tar = Command::new("tar")
            .arg("-t")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        tar.stdin.take().unwrap().write_all(&plain.stdout).unwrap();
        String::from_utf8(tar.wait_with_output().unwrap().stdout).unwrap()
    };
    for name in ["manifest.json", "manifest.sig", "rapporto.pdf", "indicatori.csv", "dati.xlsx"] {
        assert!(listing.contains(name), "{name} missing in:\n{listing}");
    }
    let verified =
        ok(cli(&data, &["export", "verify", file.to_str().unwrap(), "--identity", key.to_str().unwrap()], None));
    assert!(verified.contains(&month), "{verified}");

    // The Comune's reader: the dashboard and the bundle, never a name.
    s.click(&s.find("#lock"));
    s.wait_for_text("Accedi a Quartiere");
    s.click(&s.find("#door-name option[value='Ufficio Casa']"));
    fill(&s, "#door-passphrase", "parola del comune di prova");
    s.click(&s.find_with_text("button", "Accedi"));
    s.wait_for_text("Oggi è");
    let nav_text = s.text(&s.find("nav"));
    assert!(nav_text.contains("Indicatori") && nav_text.contains("Invio al Comune"), "{nav_text}");
    for hidden in ["Nuclei", "Persone", "Sportello", "Piano di progetto", "Prese in carico"] {
        assert!(!nav_text.contains(hidden), "{hidden} in the Comune's menu: {nav_text}");
    }
    nav(&s, "Indicatori");
    s.wait_for_text("Indicatori del progetto");
    assert!(s.page_text().contains("I numeri da 1 a 4 sono nascosti"));
    // The figure is plain text for this role: no records behind it to click.
    s.find("[data-code=nuclei_raggiunti] strong[data-testid=indicator-value]");
    assert!(!s.page_text().contains(&resident), "a resident's name on the Comune's screen");
    s.screenshot(&shots.join("indicatori-comune.png"));
    s.quit();
}
