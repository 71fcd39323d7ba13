//! Two desks whose shared folders are kept in step by two real `syncthing` instances talking over
//! loopback: no discovery, no relays, no internet. Each desk only ever sees its own copy of the
//! folder, as at the lab, where the folder is replicated rather than mounted.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::sync_cli::{cli, first_sync_finds_diop, json, ok, write_list, PASS};
use crate::Killed;

const FOLDER_ID: &str = "quartiere-condivisa";
const API_KEY: &str = "quartiere-e2e-chiave-api";

/// A running syncthing instance, with its home (keys, config, index) and its copy of the folder.
struct Syncthing {
    _process: Killed,
    gui: u16,
    folder: PathBuf,
}

/// `N` distinct free loopback ports. Every listener is held until all are chosen: a port taken
/// from a listener already dropped can come back for the next one (two instances then each think
/// the other is themselves, and never connect).
fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N).map(|_| TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    std::array::from_fn(|i| listeners[i].local_addr().unwrap().port())
}

fn device_id(home: &Path) -> String {
    let generated = Command::new("syncthing")
        .args(["generate", "--no-default-folder", "--skip-port-probing"])
        .arg(format!("--home={}", home.display()))
        .output()
        .expect("syncthing is installed (cargo xtask test installs it)");
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let out =
        Command::new("syncthing").args(["serve", "--device-id"]).arg(format!("--home={}", home.display())).output();
    let id = String::from_utf8_lossy(&out.unwrap().stdout).trim().to_string();
    assert_eq!(id.len(), 63, "device id: {id}");
    id
}

/// Both instances' configuration: one folder shared by the two devices, each at a fixed loopback
/// address; rescans and reconnections every second so the test does not wait on defaults.
fn config(own: (&str, u16, u16), other: (&str, u16), folder: &Path) -> String {
    let (own_id, own_port, gui) = own;
    let (other_id, other_port) = other;
    format!(
        r#"<configuration version="36">
    <folder id="{FOLDER_ID}" label="Quartiere" path="{path}" type="sendreceive" rescanIntervalS="2" fsWatcherEnabled="true" fsWatcherDelayS="1">
        <device id="{own_id}"></device>
        <device id="{other_id}"></device>
        <minDiskFree unit="%">0</minDiskFree>
    </folder>
    <device id="{own_id}" name="questa" compression="metadata"><address>tcp://127.0.0.1:{own_port}</address></device>
    <device id="{other_id}" name="altra" compression="metadata"><address>tcp://127.0.0.1:{other_port}</address></device>
    <gui enabled="true" tls="false"><address>127.0.0.1:{gui}</address><apikey>{API_KEY}</apikey></gui>
    <options>
        <listenAddress>tcp://127.0.0.1:{own_port}</listenAddress>
        <globalAnnounceEnabled>false</globalAnnounceEnabled>
        <localAnnounceEnabled>false</localAnnounceEnabled>
        <relaysEnabled>false</relaysEnabled>
        <natEnabled>false</natEnabled>
        <startBrowser>false</startBrowser>
        <urAccepted>-1</urAccepted>
        <autoUpgradeIntervalH>0</autoUpgradeIntervalH>
        <crashReportingEnabled>false</crashReportingEnabled>
        <reconnectionIntervalS>1</reconnectionIntervalS>
        <minHomeDiskFree unit="%">0</minHomeDiskFree>
    </options>
</configuration>
"#,
        path = folder.display()
    )
}

impl Syncthing {
    fn start(home: &Path, folder: &Path, config_text: String, gui: u16) -> Syncthing {
        std::fs::write(home.join("config.xml"), config_text).unwrap();
        std::fs::create_dir_all(folder).unwrap();
        let log = std::fs::File::create(home.join("syncthing.log")).unwrap();
        let process = Command::new("syncthing")
            .args(["serve", "--no-browser", "--no-restart", "--no-upgrade", "--no-default-folder"])
            .arg(format!("--home={}", home.display()))
            .env("STNOUPGRADE", "1")
            .env("STNORESTART", "1")
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        Syncthing { _process: Killed(process), gui, folder: folder.to_path_buf() }
    }

    fn get(&self, path: &str) -> Option<serde_json::Value> {
        ureq::get(&format!("http://127.0.0.1:{}{path}", self.gui))
            .header("X-API-Key", API_KEY)
            .call()
            .ok()?
            .body_mut()
            .read_json()
            .ok()
    }

    /// Asks for a rescan now rather than at the watcher's or the interval's pace.
    fn scan(&self) {
        let _ = ureq::post(&format!("http://127.0.0.1:{}/rest/db/scan?folder={FOLDER_ID}", self.gui))
            .header("X-API-Key", API_KEY)
            .send_empty();
    }

    fn connected_to_other(&self) -> bool {
        self.get("/rest/system/connections").is_some_and(|c| {
            c["connections"].as_object().is_some_and(|all| all.values().any(|d| d["connected"] == true))
        })
    }
}

/// Every file under `dir` (relative path and bytes) but syncthing's own marker and temp files.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".st") || name.starts_with(".syncthing.") {
                continue;
            }
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let Ok(bytes) = std::fs::read(&path) {
                out.push((path.strip_prefix(root).unwrap().to_string_lossy().into_owned(), bytes));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Waits until `to` holds every file of `from`, byte for byte (it may hold more).
fn wait_replicated(from: &Syncthing, to: &Syncthing) {
    from.scan();
    let (start, mut scanned) = (Instant::now(), Instant::now());
    let want = contents(&from.folder);
    assert!(!want.is_empty());
    loop {
        let have = contents(&to.folder);
        if want.iter().all(|f| have.contains(f)) {
            return;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let names =
                |v: &[(String, Vec<u8>)]| v.iter().map(|(n, b)| format!("{n} ({} B)", b.len())).collect::<Vec<_>>();
            panic!("syncthing did not replicate within 120 s\nwanted {:?}\nhave {:?}", names(&want), names(&have));
        }
        if scanned.elapsed() > Duration::from_secs(5) {
            from.scan();
            scanned = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

pub(crate) fn two_desks_sync_through_two_syncthing_instances() {
    let root = tempfile::tempdir().unwrap();
    let (home_a, home_b) = (root.path().join("syncthing-a"), root.path().join("syncthing-b"));
    let (id_a, id_b) = (device_id(&home_a), device_id(&home_b));
    let [port_a, port_b, gui_a, gui_b] = free_ports();
    let (folder_a, folder_b) = (root.path().join("condivisa-a"), root.path().join("condivisa-b"));
    let st_a = Syncthing::start(&home_a, &folder_a, config((&id_a, port_a, gui_a), (&id_b, port_b), &folder_a), gui_a);
    let st_b = Syncthing::start(&home_b, &folder_b, config((&id_b, port_b, gui_b), (&id_a, port_a), &folder_b), gui_b);
    let start = Instant::now();
    while !(st_a.connected_to_other() && st_b.connected_to_other()) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the two syncthing instances did not connect within 60 s; logs:\n{}\n{}",
            std::fs::read_to_string(home_a.join("syncthing.log")).unwrap_or_default(),
            std::fs::read_to_string(home_b.join("syncthing.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(250));
    }

    // Desk a (Giulia's) creates the team in its copy of the folder and publishes two households.
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    ok(cli(&a, &["init", "--desk", "Sportello Mezzetta", "--as", "Giulia"], None));
    ok(cli(&b, &["init", "--desk", "Sportello Comune", "--as", "Marco"], None));
    ok(cli(&a, &["desk", "enrol", "--folder", folder_a.to_str().unwrap(), "--name", "Sportello Mezzetta"], Some(PASS)));
    let list = write_list(root.path());
    ok(cli(&a, &["import", list.to_str().unwrap()], None));
    ok(cli(&a, &["sync"], None));

    // Desk b sees only its own copy: once syncthing has carried the key file, a's card and bundle
    // there, b enrols with the team passphrase and receives the households.
    wait_replicated(&st_a, &st_b);
    ok(cli(&b, &["desk", "enrol", "--folder", folder_b.to_str().unwrap(), "--name", "Sportello Comune"], Some(PASS)));
    let person = first_sync_finds_diop(&b);

    // b records a desk contact; syncthing carries b's card and bundle back.
    ok(cli(&b, &["desk", "add", "--person", &person, "--topic", "casa", "--note", "chiede un colloquio"], None));
    ok(cli(&b, &["sync"], None));
    wait_replicated(&st_b, &st_a);
    // b's first bundle (its desk and operator, published at its first sync) and the contact's.
    let report = json(cli(&a, &["sync", "--json"], None));
    assert_eq!(report["bundles_applied"], 2, "{report}");
    assert_eq!(report["refused"].as_array().unwrap().len(), 0, "{report}");
    let contacts = json(cli(&a, &["desk", "list", "--json"], None));
    assert_eq!(contacts.as_array().unwrap().len(), 1, "{contacts}");

    // b syncs over and over while syncthing is still carrying a's next bundle: whatever state of
    // the transfer it meets (syncthing's temp files, the bundle not there yet) is never refused,
    // and the bundle applies once it has arrived.
    ok(cli(&a, &["desk", "add", "--person", &person, "--topic", "lavoro", "--note", "cerca un corso AFOL"], None));
    ok(cli(&a, &["sync"], None));
    st_a.scan();
    let start = Instant::now();
    loop {
        let report = json(cli(&b, &["sync", "--json"], None));
        assert_eq!(report["refused"].as_array().unwrap().len(), 0, "{report}");
        if json(cli(&b, &["desk", "list", "--json"], None)).as_array().unwrap().len() == 2 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "a's second contact did not reach b within 120 s");
        std::thread::sleep(Duration::from_millis(200));
    }

    // Both copies end up holding the same files, none of them a syncthing conflict copy, and both
    // desks list each other with nothing refused.
    // (Equal, not only each holding the other's files: a file one desk prunes goes from both.)
    st_a.scan();
    st_b.scan();
    let start = Instant::now();
    let in_a = loop {
        let (in_a, in_b) = (contents(&folder_a), contents(&folder_b));
        if in_a == in_b {
            break in_a;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the two copies still differ after 120 s");
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(
        in_a.iter().all(|(name, _)| !name.contains("sync-conflict")),
        "{:?}",
        in_a.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for desk in [&a, &b] {
        let status = json(cli(desk, &["sync", "status", "--json"], None));
        assert_eq!(status["refused"].as_array().unwrap().len(), 0, "{status}");
        assert_eq!(status["desks"].as_array().unwrap().len(), 2, "{status}");
    }
}
