//! Backups: encrypted copies of the database with the key file that opens them, made once a day
//! at the first sign-in, before every migration, and on request; rotated; restored whole.
//!
//! A backup is a folder `backup/AAAA-MM-GG_HH-MM-SS_<reason>/` beside the database (or in the
//! folder the desk's setting `backup.dir` names, such as a USB stick) holding
//! - `quartiere.sqlite`: a compacted copy written by SQLCipher with the same database key, so it
//!   reads as noise without it, like the database itself;
//! - `quartiere.keys`: the key file as it was, so the copy opens with the passphrases of that day
//!   even if the desk's own key file is lost with the laptop;
//! - `backup.json`: when, why, the schema version, the desk's id, and the SHA-256 of the copy, so a
//!   damaged copy is told before it is restored. No personal data.
//!
//! Each backup is written under a temporary name and renamed when whole: a crash leaves either
//! the complete backup or a temporary folder that the next backup removes.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration};

use crate::access::{self, Action};
use crate::audit::{self, AuditKind};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::files::sync_dir;
use crate::ids::IdGen;
use crate::store::{Actor, Store, DB_FILE_NAME};
use crate::vault::{self, KEYS_FILE_NAME};

pub use quartiere_store::backup::{list_in, BackupInfo, BackupReason, BACKUP_DIR_NAME};
use quartiere_store::backup::{read_manifest, root, sha256_file};
pub use quartiere_store::backup::{EVERY_HOURS, KEEP_BEFORE_MIGRATION, KEEP_REGULAR};

/// Where this desk's backups go: the `backup.dir` setting, or `backup/` beside the database.
pub fn backup_dir(store: &Store) -> Result<PathBuf> {
    Ok(root(store.dir(), store.local_setting("backup.dir")?))
}

/// The file that says a backup is being made in a backup folder: one at a time, across the
/// window, commands and threads (each backup clears the temporary folders it finds, so two at once
/// would remove each other's).
const MAKING: &str = ".in-corso";

/// A lock held while a backup is made; a lock older than this was left by a crash.
const STALE_MINUTES: u64 = 30;

struct Making(PathBuf);

impl Making {
    /// Takes the folder's lock, or `None` if another backup is being made there now.
    fn take(root: &Path) -> Result<Option<Making>> {
        fs::create_dir_all(root)?;
        let path = root.join(MAKING);
        for _ in 0..2 {
            match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Ok(Some(Making(path))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = fs::metadata(&path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a.as_secs() > STALE_MINUTES * 60) {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    return Ok(None);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }
}

impl Drop for Making {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Makes a backup now and records it in the audit log.
pub fn backup_now(store: &mut Store, actor: &Actor, reason: BackupReason) -> Result<BackupInfo> {
    access::require(store.conn(), actor, Action::Backup)?;
    let root = backup_dir(store)?;
    let Some(_making) = Making::take(&root)? else {
        return Err(Error::Forbidden {
            message:
                "una copia di sicurezza è già in corso (un'altra finestra o un comando): riprova tra qualche minuto"
                    .into(),
        });
    };
    let info = store.backup_into(&root, reason)?;
    audit::record(store, actor, AuditKind::Backup, None, reason.label())?;
    Ok(info)
}

/// Makes the day's backup if the newest is older than [`EVERY_HOURS`] (called at sign-in, by any
/// operator: the schedule is the desk's, not a permission). Returns it if one was made.
pub fn backup_if_due(store: &mut Store, actor: &Actor) -> Result<Option<BackupInfo>> {
    let root = backup_dir(store)?;
    // Another sign-in making the day's backup now (commands started together) makes it for all.
    let Some(_making) = Making::take(&root)? else { return Ok(None) };
    let newest = list_in(&root)?.into_iter().find(|b| b.reason != BackupReason::BeforeMigration);
    let now = store.now();
    let due = newest
        .and_then(|b| DateTime::parse_from_rfc3339(&b.made_at).ok())
        .is_none_or(|made| now.signed_duration_since(made) >= Duration::hours(EVERY_HOURS));
    if !due {
        return Ok(None);
    }
    let info = store.backup_into(&root, BackupReason::Scheduled)?;
    audit::record(store, actor, AuditKind::Backup, None, BackupReason::Scheduled.label())?;
    Ok(Some(info))
}

/// This desk's backups, newest first.
pub fn list(store: &Store, actor: &Actor) -> Result<Vec<BackupInfo>> {
    access::require(store.conn(), actor, Action::Backup)?;
    list_in(&backup_dir(store)?)
}

/// Checks a backup whole without touching anything: its manifest and checksum, that `name` and
/// `passphrase` open its own key file, that the key opens the copy and the copy is intact, and
/// that `name` was a coordinator on the day of the backup. Returns its manifest's time.
pub fn check(backup: &Path, name: &str, passphrase: &str) -> Result<String> {
    let manifest = read_manifest(backup).ok_or_else(|| Error::Forbidden {
        message: format!("{} non è una copia di sicurezza di Quartiere", backup.display()),
    })?;
    let (sha256, _) = sha256_file(&backup.join(DB_FILE_NAME))?;
    if sha256 != manifest.sha256 {
        return Err(Error::Forbidden {
            message: "la copia di sicurezza è danneggiata (il contenuto non corrisponde alla sua impronta): scegline un'altra"
                .into(),
        });
    }
    let (key, operator) = vault::unlock(backup, name, passphrase)?;
    let file = backup.join(DB_FILE_NAME);
    let wrong_key = || Error::WrongKey(file.display().to_string());
    let conn = vault::open_keyed(&file, &key, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?.ok_or_else(wrong_key)?;
    let intact: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|_| wrong_key())?;
    if intact != "ok" {
        return Err(Error::Forbidden { message: format!("la copia di sicurezza non è integra: {intact}") });
    }
    if access::role_of(&conn, operator)? != Some(access::Role::Coordinator) {
        return Err(Error::Forbidden {
            message: "solo un coordinatore (alla data della copia) può ripristinare una copia di sicurezza".into(),
        });
    }
    Ok(manifest.made_at)
}

/// Puts a backup in place of the desk's database, after [`check`]ing it. The database, its log
/// and key file it replaces are moved into `backup/sostituito-…`, never deleted. The restored
/// desk must re-enrol before it syncs again (its bundle numbers went back in time).
///
/// Runs with no store open: the caller closes the session first. Restoring is for a coordinator
/// who knows a passphrase valid on the day of the backup.
pub fn restore(
    dir: &Path,
    backup: &Path,
    name: &str,
    passphrase: &str,
    clock: Box<dyn Clock>,
    ids: IdGen,
) -> Result<crate::accounts::SignedIn> {
    let restored_from = check(backup, name, passphrase)?;
    let now = clock.now();
    // The copies are made first under temporary names, so a failure (a full disk) leaves the desk
    // as it was; only then are the current files set aside and the copies renamed into place.
    let staged = |file: &str| dir.join(format!(".{file}.restoring"));
    let staging = (|| -> Result<()> {
        for file in [DB_FILE_NAME, KEYS_FILE_NAME] {
            fs::copy(backup.join(file), staged(file))?;
            fs::File::open(staged(file))?.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = staging {
        for file in [DB_FILE_NAME, KEYS_FILE_NAME] {
            let _ = fs::remove_file(staged(file));
        }
        return Err(e);
    }
    let aside = dir.join(BACKUP_DIR_NAME).join(format!("sostituito-{}", now.format("%Y-%m-%d_%H-%M-%S")));
    fs::create_dir_all(&aside)?;
    for file in
        [DB_FILE_NAME.to_string(), format!("{DB_FILE_NAME}-wal"), format!("{DB_FILE_NAME}-shm"), KEYS_FILE_NAME.into()]
    {
        let from = dir.join(&file);
        if from.exists() {
            fs::rename(&from, aside.join(&file))?;
        }
    }
    for file in [DB_FILE_NAME, KEYS_FILE_NAME] {
        fs::rename(staged(file), dir.join(file))?;
    }
    sync_dir(dir);
    let mut signed = crate::accounts::sign_in(dir, name, passphrase, clock, ids)?;
    let day = DateTime::parse_from_rfc3339(&restored_from)
        .map(|d| crate::format::date(d.date_naive()))
        .unwrap_or_else(|_| restored_from.clone());
    crate::sync::mark_restored(
        &mut signed.store,
        &format!(
            "questa postazione è stata ripristinata dalla copia di sicurezza del {day}: collegala di nuovo alla \
             cartella condivisa (le modifiche pubblicate dopo quella data tornano dalla cartella)"
        ),
    )?;
    let actor = signed.actor;
    audit::record(&mut signed.store, &actor, AuditKind::Restore, None, &format!("copia del {restored_from}"))?;
    Ok(signed)
}
