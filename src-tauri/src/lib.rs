//! The desktop shell: parses its arguments, opens the store before any window exists, and exposes
//! the core to the web UI through a few commands. It translates; the core decides.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use quartiere_core::clock::SystemClock;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::ids::IdGen;
use quartiere_core::registry::{self, Overview};
use quartiere_core::{Actor, Store};
use serde::Serialize;
use tauri::{Manager, Runtime, State};

/// What the shell holds: the open store and who is working at this desk.
pub struct AppState {
    pub store: Mutex<Store>,
    pub actor: Actor,
    /// A temporary demo folder this process created, removed when the app exits.
    pub temporary_dir: Option<PathBuf>,
}

/// The one error type the UI sees: `kind` picks the Italian sentence, `message` adds detail.
#[derive(Debug, Serialize)]
pub struct UiError {
    pub kind: &'static str,
    pub message: String,
}

impl From<quartiere_core::Error> for UiError {
    fn from(e: quartiere_core::Error) -> UiError {
        UiError { kind: e.kind(), message: e.to_string() }
    }
}

#[tauri::command]
async fn overview(state: State<'_, AppState>) -> Result<Overview, UiError> {
    let store =
        state.store.lock().map_err(|_| UiError { kind: "internal", message: "archivio non disponibile".into() })?;
    Ok(registry::overview(store.conn())?)
}

/// Registers the commands and the state; generic so tests can use Tauri's mock runtime.
pub fn build<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder.manage(state).invoke_handler(tauri::generate_handler![overview])
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

/// Opens (and for `--demo`, fills) the store. Runs before any window, so a failure is reported
/// as a sentence, never as a half-open app.
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
    let mut store = Store::open_dir(&dir, Box::new(SystemClock), IdGen::from_entropy())
        .map_err(|e| format!("non riesco ad aprire l'archivio in {}: {e}", dir.display()))?;
    let operator = store.local_setting("operator").ok().flatten().unwrap_or_else(|| "Operatore".into());
    let desk = store.local_setting("desk_name").ok().flatten().unwrap_or_default();
    let actor = registry::ensure_actor(&mut store, &desk, &operator).map_err(|e| e.to_string())?;
    if options.demo {
        let empty = registry::overview(store.conn()).map_err(|e| e.to_string())?.households == 0;
        if empty {
            let config =
                DemoConfig { households: 133, people: None, seed: 2019, today: chrono::Local::now().date_naive() };
            demo::generate(&mut store, &actor, &config).map_err(|e| e.to_string())?;
        }
    }
    Ok(AppState { store: Mutex::new(store), actor, temporary_dir })
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
    let state = match parse_args(std::env::args().skip(1)).and_then(|o| open_state(&o)) {
        Ok(state) => state,
        Err(message) => {
            eprintln!("Quartiere non può partire: {message}");
            return ExitCode::FAILURE;
        }
    };
    let app = build(tauri::Builder::default(), state).setup(|app| {
        let state = app.state::<AppState>();
        let counts = state.store.lock().ok().and_then(|s| registry::overview(s.conn()).ok());
        if let (Some(window), Some(c)) = (app.get_webview_window("main"), counts) {
            window.set_title(&format!("Quartiere — {} nuclei, {} persone", c.households, c.people))?;
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

    #[test]
    fn the_overview_command_reaches_the_demo_store() {
        let dir = tempfile::tempdir().unwrap();
        let state = open_state(&Options { data_dir: Some(dir.path().into()), demo: true }).unwrap();
        // The real context, so the real capability file decides what the window may call.
        let app = build(mock_builder(), state).build(tauri::generate_context!(test = true)).unwrap();
        let webview = match app.get_webview_window("main") {
            Some(w) => w,
            None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap(),
        };
        let response = get_ipc_response(&webview, invoke("overview", "tauri://localhost")).unwrap();
        let overview: serde_json::Value = response.deserialize().unwrap();
        assert_eq!(overview["households"], 133);
        assert!(overview["people"].as_i64().unwrap() > 250);
        // Remote content may not call the app's commands.
        let refused = get_ipc_response(&webview, invoke("overview", "https://example.org")).unwrap_err();
        assert!(format!("{refused:?}").contains("not allowed"), "{refused:?}");
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
