//! The desktop shell: parses its arguments, opens the store before any window exists, and exposes
//! the core to the web UI through a few commands. It translates; the core decides.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use quartiere_core::access::Role;
use quartiere_core::accounts;
use quartiere_core::clock::SystemClock;
use quartiere_core::crypto::KdfParams;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::ids::IdGen;
use quartiere_core::{Actor, Store};
use tauri::{Manager, Runtime};

pub mod bindings;
pub mod commands;
pub mod painting;

/// The open store and the operator signed in at it. Dropping it closes the database and wipes
/// its key from memory: that is what locking does.
pub struct Session {
    pub store: Store,
    pub actor: Actor,
    pub role: Role,
    pub name: String,
    /// Why the day's backup failed at sign-in, shown until the next sign-in.
    pub backup_warning: Option<String>,
}

/// What the shell holds. No session means locked: only the sign-in commands work.
pub struct AppState {
    pub session: Mutex<Option<Session>>,
    /// The data folder: the encrypted database and its key file.
    pub dir: PathBuf,
    /// A temporary demo folder this process created, removed when the app exits.
    pub temporary_dir: Option<PathBuf>,
    /// The demo operator's name and passphrase, shown on the sign-in screen of a demo database.
    pub demo_login: Option<(String, String)>,
    /// When the operator last did something; after [`AppState::idle_lock`] the session is closed.
    pub last_activity: Mutex<Instant>,
    pub idle_lock: Duration,
}

/// The demo database's operator, printed on its sign-in screen (demo data only, never real).
pub const DEMO_OPERATOR: &str = "Coordinatrice demo";
pub const DEMO_PASSPHRASE: &str = "quartiere-demo";
/// Minutes without activity before the app locks; `QUARTIERE_LOCK_MINUTES` changes it (tests).
pub const DEFAULT_LOCK_MINUTES: u64 = 10;

/// The commands the UI may call. Each needs an `allow-<name>` entry in capabilities/default.json,
/// and its name in build.rs.
pub fn build<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    use commands::{
        accounts, activities, arrears, audit, backup, cases, desk, documents, home, import, privacy, project, registry,
        settings, sync, training,
    };
    builder.plugin(tauri_plugin_dialog::init()).manage(state).invoke_handler(tauri::generate_handler![
        home::overview,
        arrears::plans,
        arrears::plan,
        arrears::arrears_monitoring,
        project::dashboard,
        project::indicator_records,
        project::set_target,
        project::clear_target,
        project::project_plan,
        project::save_plan_action,
        project::remove_plan_action,
        project::link_plan_action,
        project::bundle_settings,
        project::set_bundle_recipients,
        project::bundle_preview,
        project::export_bundle,
        arrears::household_account,
        arrears::sign_plan,
        arrears::record_plan_payment,
        arrears::cancel_plan_payment,
        arrears::change_plan_terms,
        arrears::close_plan,
        arrears::record_assessment,
        arrears::add_solidarity_credit,
        arrears::record_account_month,
        arrears::import_statement,
        home::home,
        home::search,
        registry::households,
        registry::household,
        registry::create_household,
        registry::person,
        registry::check_person,
        registry::save_person,
        registry::person_page,
        registry::move_person,
        registry::leave_household,
        registry::duplicates,
        registry::merges,
        registry::merge_people,
        registry::undo_merge,
        registry::mark_distinct,
        desk::add_contact,
        desk::contacts,
        desk::complete_follow_up,
        desk::keep_unsaved,
        desk::take_unsaved,
        import::import_pick,
        import::import_preview,
        import::import_confirm,
        settings::settings,
        settings::save_settings,
        settings::choices,
        home::ready,
        accounts::door,
        accounts::sign_in,
        accounts::create_desk,
        accounts::lock,
        accounts::operators,
        accounts::add_operator,
        accounts::set_operator_role,
        accounts::deactivate_operator,
        accounts::change_passphrase,
        audit::audit_events,
        audit::audit_check,
        audit::audit_export,
        backup::backups,
        backup::backup_now,
        backup::backup_restore,
        privacy::consents,
        privacy::add_consent,
        privacy::withdraw_consent,
        privacy::person_export,
        privacy::person_erase,
        privacy::retention,
        sync::sync_pick_folder,
        sync::sync_status,
        sync::sync_enrol,
        sync::sync_unlock,
        sync::sync_now,
        sync::sync_conflicts,
        sync::sync_resolve,
        activities::activities,
        activities::activity,
        activities::create_activity,
        activities::invite,
        activities::print_sheet,
        activities::sheet,
        activities::record_attendance,
        activities::add_minute,
        activities::complete_minute,
        activities::attach_scan,
        activities::open_scan,
        training::courses,
        training::course,
        training::create_course,
        training::enrol,
        training::admit,
        training::withdraw,
        training::add_sessions,
        documents::print_document,
        training::add_placement,
        training::end_placement,
        training::add_community_hours,
        training::esf_page,
        training::esf_enter,
        training::esf_exit,
        training::esf_six_months,
        cases::cases,
        cases::case,
        cases::open_case,
        cases::add_goal,
        cases::set_goal_status,
        cases::refer,
        cases::set_referral_state,
        cases::add_case_member,
        cases::close_case,
        cases::edit_goal,
        cases::remove_case_member,
        desk::notes,
        desk::add_note,
        desk::edit_note,
    ])
}

/// Command-line options of the desktop app.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub data_dir: Option<PathBuf>,
    /// Start on a demo database: a fresh one in a temporary folder unless `data_dir` is given.
    pub demo: bool,
}

pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--demo" => options.demo = true,
            "--data-dir" => {
                let dir = args.next().ok_or("dopo --data-dir indica una cartella")?;
                options.data_dir = Some(PathBuf::from(dir));
            }
            other if other.starts_with("--data-dir=") => {
                options.data_dir = Some(PathBuf::from(&other["--data-dir=".len()..]));
            }
            other => return Err(format!("opzione sconosciuta «{other}»: usa --data-dir CARTELLA o --demo")),
        }
    }
    Ok(options)
}

/// Finds the data folder (and for `--demo`, creates and fills a demo desk there). Runs before any
/// window, so a failure is reported as a sentence, never as a half-open app. The app starts
/// locked: an operator signs in from the first screen.
pub fn open_state(options: &Options) -> Result<AppState, String> {
    let mut temporary_dir = None;
    let dir = match (&options.data_dir, options.demo) {
        (Some(dir), _) => dir.clone(),
        (None, true) => {
            remove_stale_demo_dirs();
            let dir = std::env::temp_dir().join(format!("quartiere-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            temporary_dir = Some(dir.clone());
            dir
        }
        (None, false) => directories::ProjectDirs::from("it", "Quartiere", "Quartiere")
            .map(|d| d.data_dir().to_path_buf())
            .ok_or("non trovo la cartella dati dell'utente: avvia con --data-dir CARTELLA")?,
    };
    let cannot = |e: &dyn std::fmt::Display| format!("non riesco ad aprire l'archivio in {}: {e}", dir.display());
    std::fs::create_dir_all(&dir).map_err(|e| cannot(&e))?;
    accounts::door(&dir).map_err(|e| cannot(&e))?;
    let mut demo_login = None;
    if options.demo {
        if !quartiere_core::vault::exists(&dir) {
            let signed = accounts::create_desk(
                &dir,
                "Laboratorio Mezzetta (demo)",
                DEMO_OPERATOR,
                DEMO_PASSPHRASE,
                KdfParams::DEFAULT,
                Box::new(SystemClock),
                IdGen::from_entropy(),
            )
            .map_err(|e| cannot(&e))?;
            let (mut store, actor) = (signed.store, signed.actor);
            let config =
                DemoConfig { households: 133, people: None, seed: 2019, today: chrono::Local::now().date_naive() };
            demo::generate(&mut store, &actor, &config).map_err(|e| cannot(&e))?;
        }
        demo_login = Some((DEMO_OPERATOR.to_string(), DEMO_PASSPHRASE.to_string()));
    }
    let minutes =
        std::env::var("QUARTIERE_LOCK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(DEFAULT_LOCK_MINUTES);
    Ok(AppState {
        session: Mutex::new(None),
        dir,
        temporary_dir,
        demo_login,
        last_activity: Mutex::new(Instant::now()),
        idle_lock: Duration::from_secs(minutes * 60),
    })
}

/// Removes demo folders left by demo runs that were killed before they could clean up. Only where
/// `/proc` tells whether their process is still alive.
fn remove_stale_demo_dirs() {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name.to_str().and_then(|n| n.strip_prefix("quartiere-demo-")).and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid {
            if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

pub fn main() -> ExitCode {
    // Before anything else, while this is the only thread.
    painting::choose();
    let state = match parse_args(std::env::args().skip(1)).and_then(|o| open_state(&o)) {
        Ok(state) => state,
        Err(message) => {
            eprintln!("Quartiere non può partire: {message}");
            return ExitCode::FAILURE;
        }
    };
    let app = build(tauri::Builder::default(), state).setup(|app| {
        // Locked at start: the title says so until someone signs in (then it shows the counts).
        let new = !quartiere_core::vault::exists(&app.state::<AppState>().dir);
        if let Some(window) = app.get_webview_window("main") {
            window.set_title(if new { "Quartiere — nuova postazione" } else { "Quartiere — accesso" })?;
        }
        Ok(())
    });
    let app = match app.build(tauri::generate_context!()) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("Quartiere non può aprire la finestra: {e}");
            return ExitCode::FAILURE;
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            if let Some(dir) = &handle.state::<AppState>().temporary_dir {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    });
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    #[test]
    fn arguments() {
        let parse = |args: &[&str]| parse_args(args.iter().map(|s| s.to_string()));
        assert_eq!(parse(&[]), Ok(Options::default()));
        assert_eq!(parse(&["--demo"]), Ok(Options { data_dir: None, demo: true }));
        assert_eq!(
            parse(&["--data-dir", "/tmp/x", "--demo"]),
            Ok(Options { data_dir: Some("/tmp/x".into()), demo: true })
        );
        assert_eq!(parse(&["--data-dir=/tmp/y"]).unwrap().data_dir, Some(PathBuf::from("/tmp/y")));
        assert!(parse(&["--data-dir"]).unwrap_err().contains("cartella"));
        assert!(parse(&["--boh"]).unwrap_err().contains("opzione sconosciuta"));
    }

    /// An app on the mock runtime with the real context, so the real capability file decides
    /// what the window may call.
    fn app(options: Options) -> (tauri::App<tauri::test::MockRuntime>, tauri::WebviewWindow<tauri::test::MockRuntime>) {
        let state = open_state(&options).unwrap();
        let app = build(mock_builder(), state).build(tauri::generate_context!(test = true)).unwrap();
        let webview = match app.get_webview_window("main") {
            Some(w) => w,
            None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap(),
        };
        (app, webview)
    }

    /// Calls a command as the UI does; `Err` carries the serialized `UiError`.
    fn call(
        webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
        cmd: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        let mut request = invoke(cmd, "tauri://localhost");
        request.body = InvokeBody::Json(args);
        get_ipc_response(webview, request).map(|r| r.deserialize().unwrap())
    }

    #[test]
    fn the_overview_command_reaches_the_demo_store() {
        use serde_json::json;
        let dir = tempfile::tempdir().unwrap();
        let (_app, webview) = app(Options { data_dir: Some(dir.path().into()), demo: true });
        // Locked until someone signs in; the demo's sign-in screen shows its credentials.
        assert_eq!(call(&webview, "overview", json!({})).unwrap_err()["kind"], "locked");
        let door = call(&webview, "door", json!({})).unwrap();
        assert_eq!((door["is_new"].as_bool(), door["me"].is_null()), (Some(false), true));
        let (name, pass) = (door["demo"][0].clone(), door["demo"][1].clone());
        let wrong = call(&webview, "sign_in", json!({ "name": name, "passphrase": "sbagliata" })).unwrap_err();
        assert_eq!(wrong["kind"], "wrong_credentials");
        let me = call(&webview, "sign_in", json!({ "name": name, "passphrase": pass })).unwrap();
        assert_eq!((me["role"].as_str(), me["administer"].as_bool()), (Some("coordinatore"), Some(true)));
        let overview = call(&webview, "overview", serde_json::json!({})).unwrap();
        assert_eq!(overview["households"], 133);
        assert!(overview["people"].as_i64().unwrap() > 250);
        // Remote content may not call the app's commands.
        let refused = get_ipc_response(&webview, invoke("overview", "https://example.org")).unwrap_err();
        assert!(format!("{refused:?}").contains("not allowed"), "{refused:?}");
        call(&webview, "lock", json!({})).unwrap();
        assert_eq!(call(&webview, "home", json!({})).unwrap_err()["kind"], "locked");
    }

    /// A new desk: its first operator, a coordinator, creates it and adds a Comune viewer, who
    /// then sees the counts and nothing about any person.
    #[test]
    fn roles_reach_the_window_through_the_commands() {
        use serde_json::json;
        let dir = tempfile::tempdir().unwrap();
        let (_app, w) = app(Options { data_dir: Some(dir.path().into()), demo: false });
        assert_eq!(call(&w, "door", json!({})).unwrap()["is_new"], true);
        let short = call(&w, "create_desk", json!({ "desk": "Sportello", "name": "Anna", "passphrase": "corta" }));
        assert_eq!(short.unwrap_err()["fields"][0]["field"], "passphrase");
        sign_up(&w, "Anna");
        let viewer = json!({ "name": "Ufficio Comune", "role": "comune", "passphrase": "frase del comune 2026" });
        call(&w, "add_operator", viewer).unwrap();
        let list = call(&w, "operators", json!({})).unwrap();
        assert_eq!(list.as_array().unwrap().len(), 2);
        call(&w, "lock", json!({})).unwrap();
        let me =
            call(&w, "sign_in", json!({ "name": "ufficio comune", "passphrase": "frase del comune 2026" })).unwrap();
        assert_eq!((me["read_registry"].as_bool(), me["sync"].as_bool()), (Some(false), Some(false)));
        assert_eq!(call(&w, "overview", json!({})).unwrap()["people"], 0);
        let home = call(&w, "home", json!({})).unwrap();
        assert_eq!(home["recent_contacts"], json!([]));
        let refused = call(&w, "search", json!({ "query": "rossi" })).unwrap_err();
        assert_eq!(refused["kind"], "forbidden");
        assert!(refused["message"].as_str().unwrap().contains("Comune (solo dati aggregati)"), "{refused}");
        assert_eq!(call(&w, "operators", json!({})).unwrap_err()["kind"], "forbidden");
        let err = call(&w, "change_passphrase", json!({ "old": "non è lei", "new": "nuova frase lunga" })).unwrap_err();
        assert_eq!(err["fields"][0]["field"], "old");
        call(&w, "change_passphrase", json!({ "old": "frase del comune 2026", "new": "nuova frase lunga" })).unwrap();
        assert_eq!(call(&w, "audit_events", json!({ "filter": {} })).unwrap_err()["kind"], "forbidden");

        // The coordinator's audit screen: the viewer's sign-in, the wrong old passphrase, the
        // locks; an export written where the seam says, with a clean chain.
        call(&w, "lock", json!({})).unwrap();
        call(&w, "sign_in", json!({ "name": "Anna", "passphrase": "parola di prova 1" })).unwrap();
        let events = call(&w, "audit_events", json!({ "filter": {} })).unwrap();
        let kinds: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        for kind in ["login", "logout", "failed_unlock", "edit"] {
            assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
        }
        let failed = call(&w, "audit_events", json!({ "filter": { "kind": "failed_unlock" } })).unwrap();
        assert_eq!(failed[0]["operator"], "Ufficio Comune");
        let bad = call(&w, "audit_events", json!({ "filter": { "from": "ieri" } })).unwrap_err();
        assert_eq!(bad["fields"][0]["field"], "dal");
        assert_eq!(call(&w, "audit_check", json!({})).unwrap()["problems"], json!([]));
        let out = tempfile::tempdir().unwrap();
        std::env::set_var(commands::SAVE_DIR_SEAM, out.path());
        let exported = call(&w, "audit_export", json!({})).unwrap();
        std::env::remove_var(commands::SAVE_DIR_SEAM);
        let path = PathBuf::from(exported["path"].as_str().unwrap());
        assert!(path.starts_with(out.path()) && path.exists() && path.with_extension("csv").exists(), "{exported}");

        // Backups: the day's was made at sign-in; one more on request; a restore with a wrong
        // passphrase changes nothing and keeps the coordinator signed in; the right one restores.
        let list = call(&w, "backups", json!({})).unwrap();
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        let made = call(&w, "backup_now", json!({})).unwrap();
        assert_eq!(made["reason"], "manual");
        let path = made["path"].clone();
        let wrong = call(&w, "backup_restore", json!({ "path": path, "passphrase": "non è questa" })).unwrap_err();
        assert_eq!(wrong["fields"][0]["field"], "passphrase", "{wrong}");
        let elsewhere = call(&w, "backup_restore", json!({ "path": "/tmp", "passphrase": "parola di prova 1" }));
        assert_eq!(elsewhere.unwrap_err()["fields"][0]["field"], "path");
        assert!(call(&w, "overview", json!({})).is_ok(), "still signed in");
        let me = call(&w, "backup_restore", json!({ "path": path, "passphrase": "parola di prova 1" })).unwrap();
        assert_eq!(me["name"], "Anna");
        let events = call(&w, "audit_events", json!({ "filter": { "kind": "restore" } })).unwrap();
        assert_eq!(events.as_array().unwrap().len(), 1);
    }

    /// Creates the desk from the first screen, as its coordinator.
    fn sign_up(w: &tauri::WebviewWindow<tauri::test::MockRuntime>, name: &str) {
        let form =
            serde_json::json!({ "desk": "Sportello Pirandello", "name": name, "passphrase": "parola di prova 1" });
        call(w, "create_desk", form).unwrap();
    }

    #[test]
    fn a_desk_day_through_the_commands() {
        use serde_json::json;
        let dir = tempfile::tempdir().unwrap();
        let (_app, w) = app(Options { data_dir: Some(dir.path().into()), demo: false });
        sign_up(&w, "Giulia");
        let household = call(
            &w,
            "create_household",
            json!({ "dwelling": { "code": " ", "street": "Via Luigi Pirandello", "civic": "6/H", "scala": "A", "cap": "20090" } }),
        )
        .unwrap();
        let mut form = json!({ "surname": "Rossi", "name": "Mario", "sex": "M", "birth_date": "25/04/1945",
                               "codice_fiscale": "RSSMRA45D25F205X" });
        let membership = json!({ "household": household, "relationship": "intestatario", "tenant_of_record": true });

        // An invalid codice fiscale: the Italian reason, on its field, and nothing saved.
        let checked = call(&w, "check_person", json!({ "form": form })).unwrap();
        assert_eq!(checked["errors"][0]["field"], "codice_fiscale");
        assert_eq!(checked["from_code"], serde_json::Value::Null, "a wrong code says nothing");
        let valid = json!({ "surname": "", "name": "", "codice_fiscale": "RSSMRA45D25F205N" });
        let facts = &call(&w, "check_person", json!({ "form": valid })).unwrap()["from_code"];
        assert_eq!(facts, &json!({ "sex": "M", "birth_date": "25/04/1945", "birth_place": "Milano (MI)" }));
        let err = call(&w, "save_person", json!({ "form": form, "membership": membership })).unwrap_err();
        assert_eq!(err["kind"], "invalid");
        assert!(err["fields"][0]["message"].as_str().unwrap().contains("carattere di controllo"), "{err}");
        assert_eq!(call(&w, "overview", json!({})).unwrap()["people"], 0);

        form["codice_fiscale"] = json!("RSSMRA45D25F205N");
        let person = call(&w, "save_person", json!({ "form": form, "membership": membership })).unwrap();
        let hits = call(&w, "search", json!({ "query": "rossi m", "scope": "people" })).unwrap();
        assert_eq!(hits[0]["label"], "Rossi Mario");
        assert_eq!(hits[0]["id"], person);

        // A contact with a follow-up due today shows on Home, under the operator signed in.
        let settings = json!({ "desk": "Sportello Pirandello", "language": "it", "lapse_rule": "consecutive:3" });
        call(&w, "save_settings", json!({ "settings": settings })).unwrap();
        let today = chrono::Local::now().date_naive().format("%d/%m/%Y").to_string();
        call(
            &w,
            "add_contact",
            json!({ "form": { "person": person, "channel": "di_persona", "topics": ["lavoro", "casa"],
                              "note": "Cerca lavoro", "follow_up_on": today } }),
        )
        .unwrap();
        let home = call(&w, "home", json!({})).unwrap();
        assert_eq!(home["follow_ups_due"][0]["person_name"], "Rossi Mario");
        let households = call(&w, "households", json!({})).unwrap();
        assert_eq!((households[0]["scala"].as_str(), households[0]["open_follow_ups"].as_i64()), (Some("A"), Some(1)));
        assert_eq!(households[0]["dwelling_code"], serde_json::Value::Null, "a blank field is not an empty code");
        assert_eq!(home["follow_ups_due"][0]["operator"], "Giulia");
        let detail = call(&w, "household", json!({ "id": household })).unwrap();
        assert_eq!(detail["household"]["members"][0]["person"]["codice_fiscale"], "RSSMRA45D25F205N");
        assert_eq!(detail["contacts"][0]["note"], "Cerca lavoro");
        assert_eq!(call(&w, "settings", json!({})).unwrap(), settings);
        let blank = json!({ "desk": " ", "language": "en" });
        assert_eq!(call(&w, "save_settings", json!({ "settings": blank })).unwrap_err()["kind"], "invalid");
        assert_eq!(call(&w, "settings", json!({})).unwrap(), settings, "a refused change leaves settings as they were");
        let err = call(&w, "contacts", json!({ "filter": { "from": "ieri" } })).unwrap_err();
        assert_eq!(err["fields"][0]["field"], "dal");

        let bad = call(&w, "add_contact", json!({ "form": { "person": person, "channel": "piccione", "topics": [] } }))
            .unwrap_err();
        let fields: Vec<&str> =
            bad["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["canale"]);
        let choices = call(&w, "choices", json!({})).unwrap();
        assert!(choices["topics"].as_array().unwrap().iter().any(|t| t["it"] == "lavoro"));

        // Privacy: the notice given today, a bad date refused; an erasure request needs its reason,
        // then erases Rossi Mario everywhere he was shown.
        let notice = json!({ "kind": "notice", "version": "2026-01", "given_on": "" });
        call(&w, "add_consent", json!({ "person": person, "form": notice })).unwrap();
        let bad = json!({ "kind": "images", "version": "2026-01", "given_on": "domani" });
        let err = call(&w, "add_consent", json!({ "person": person, "form": bad })).unwrap_err();
        assert_eq!(err["fields"][0]["field"], "given_on");
        let consents = call(&w, "consents", json!({ "person": person })).unwrap();
        assert_eq!(consents[0]["kind"], "notice");
        let no_reason = call(&w, "person_erase", json!({ "person": person, "mode": "erase", "reason": " " }));
        assert_eq!(no_reason.unwrap_err()["fields"][0]["field"], "reason");
        let done =
            call(&w, "person_erase", json!({ "person": person, "mode": "erase", "reason": "modulo firmato" })).unwrap();
        assert_eq!(done["outcome"], "erased");
        assert_eq!(call(&w, "person", json!({ "id": person })).unwrap()["surname"], "Persona cancellata");
        assert_eq!(call(&w, "search", json!({ "query": "rossi" })).unwrap(), json!([]));
        assert_eq!(call(&w, "retention", json!({})).unwrap(), json!([]));
    }

    /// The ESF record from the person's page: the entry form filled from the person's record and
    /// saying which fields; refused without the signed notice; written once the notice is; the exit
    /// not before the entry; the six-month result not before six months.
    #[test]
    fn an_esf_record_through_the_commands() {
        use serde_json::json;
        let dir = tempfile::tempdir().unwrap();
        let (_app, w) = app(Options { data_dir: Some(dir.path().into()), demo: false });
        sign_up(&w, "Giulia");
        let household =
            call(&w, "create_household", json!({ "dwelling": { "street": "Via Enrico Fermi", "civic": "3" } }))
                .unwrap();
        let form = json!({ "surname": "Diop", "name": "Awa", "sex": "F", "birth_date": "12/03/1990",
                           "esf_labour_status": "disoccupato", "esf_isced": "isced_3_4" });
        let membership = json!({ "household": household, "relationship": "intestatario", "tenant_of_record": true });
        let awa = call(&w, "save_person", json!({ "form": form, "membership": membership })).unwrap();

        let page = call(&w, "esf_page", json!({ "person": awa })).unwrap();
        assert_eq!(page["record"], serde_json::Value::Null);
        assert_eq!(page["prefilled"], json!(["condizione", "isced"]));
        let mut draft = page["draft"].clone();
        assert_eq!((draft["labour"].as_str(), draft["isced"].as_str()), (Some("disoccupato"), Some("isced_3_4")));
        draft["entry_on"] = json!("01/02/2026");
        draft["unemployed_months"] = json!("14");
        let err = call(&w, "esf_enter", json!({ "person": awa, "draft": draft })).unwrap_err();
        assert_eq!(err["fields"][0]["field"], "informativa", "{err}");
        let notice = json!({ "kind": "notice", "version": "2026-01", "given_on": "15/01/2026" });
        call(&w, "add_consent", json!({ "person": awa, "form": notice })).unwrap();
        call(&w, "esf_enter", json!({ "person": awa, "draft": draft })).unwrap();
        let record = &call(&w, "esf_page", json!({ "person": awa })).unwrap()["record"];
        assert_eq!(
            (record["age_band"].as_str(), record["labour_status"].as_str()),
            (Some("25_54"), Some("disoccupato_lunga_durata"))
        );

        let early = json!({ "exit_on": "31/01/2026", "reason": "lavoro", "result": "occupato" });
        let err = call(&w, "esf_exit", json!({ "person": awa, "draft": early })).unwrap_err();
        assert!(err["message"].as_str().unwrap().contains("non può precedere l'ingresso"), "{err}");
        let today = chrono::Local::now().date_naive().format("%d/%m/%Y").to_string();
        let exit = json!({ "exit_on": today, "reason": "lavoro", "result": "occupato" });
        call(&w, "esf_exit", json!({ "person": awa, "draft": exit })).unwrap();
        let err = call(&w, "esf_six_months", json!({ "person": awa, "result": "occupato" })).unwrap_err();
        assert!(err["message"].as_str().unwrap().contains("la verifica a sei mesi si fa dal"), "{err}");
    }

    #[test]
    fn import_preview_then_confirm() {
        use serde_json::json;
        let dir = tempfile::tempdir().unwrap();
        let (_app, w) = app(Options { data_dir: Some(dir.path().join("dati")), demo: false });
        sign_up(&w, "Giulia");
        let file = dir.path().join("elenco.csv");
        std::fs::write(&file, "codice_alloggio;indirizzo;civico;cognome;nome;sesso\nA1;Via Fermi;3;Diop;Awa;X\n")
            .unwrap();
        // The file dialog's seam: tests name the file instead of picking it.
        // No other test of this binary reads or writes this variable.
        std::env::set_var(commands::import::IMPORT_FILE_SEAM, &file);
        let picked = call(&w, "import_pick", json!({})).unwrap();
        assert_eq!(picked.as_str(), file.to_str());
        // The UI passes a channel for progress; here its messages go nowhere.
        let path = json!({ "path": picked, "decisions": [], "onProgress": "__CHANNEL__:7" });
        let report = call(&w, "import_preview", path.clone()).unwrap();
        assert_eq!(report["errors"][0]["row"], 2);
        assert_eq!(report["errors"][0]["column"], "sesso");
        std::fs::write(&file, "codice_alloggio;indirizzo;civico;cognome;nome;sesso\nA1;Via Fermi;3;Diop;Awa;F\n")
            .unwrap();
        let preview = call(&w, "import_preview", path.clone()).unwrap();
        assert_eq!((preview["people_new"].as_i64(), preview["applied"].as_bool()), (Some(1), Some(false)));
        assert_eq!(call(&w, "overview", json!({})).unwrap()["people"], 0);
        let done = call(&w, "import_confirm", path).unwrap();
        assert_eq!(done["applied"], true);
        assert_eq!(call(&w, "overview", json!({})).unwrap()["people"], 1);
        let missing = call(
            &w,
            "import_confirm",
            json!({ "path": "/nessuna/cartella/elenco.csv", "decisions": [], "onProgress": "__CHANNEL__:8" }),
        )
        .unwrap_err();
        assert_eq!(missing["kind"], "import");
    }

    fn invoke(cmd: &str, url: &str) -> InvokeRequest {
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: url.parse().unwrap(),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        }
    }

    #[test]
    fn a_store_that_cannot_open_is_a_sentence() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, "x").unwrap();
        let err = open_state(&Options { data_dir: Some(file), demo: false }).err().unwrap();
        assert!(err.starts_with("non riesco ad aprire l'archivio"), "{err}");
    }
}
