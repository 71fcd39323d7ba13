//! Joining and keeping the team: enrolling a desk (creating the team if the folder has none, or
//! with a recovery code), unlocking a new team key, rotating the key to remove a desk, and marking
//! a desk restored from a backup so it re-enrols under a new identity.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::folder::Folder;
use super::format::{DeskCard, Kind};
use super::keys::{KeyFile, TeamKey};
use super::{
    event, header, json_map, now_text, open_folder, EnrolOutcome, Keys, META_CURRENT_KEY, META_FOLDER, META_FORK,
    META_KEYS, META_LAST_FRONTIER, META_SIGNER,
};
use super::{folder, format, keys, SyncError};
use crate::crypto::{self, DeskSigner, KdfParams};
use crate::error::{Error, Refusal, Result};
use crate::ids::DeskId;
use crate::schema::Table;
use crate::store::{meta_get, meta_set, Actor, Store};

pub(super) fn save_keys(tx: &Connection, keys: &[TeamKey], current: Option<&TeamKey>) -> Result<()> {
    let mut map = json_map(meta_get(tx, META_KEYS)?);
    for k in keys {
        map.insert(k.id.to_string(), crypto::b64(&k.bytes));
    }
    meta_set(tx, META_KEYS, &serde_json::to_string(&map).expect("json of a map"))?;
    if let Some(current) = current {
        meta_set(tx, META_CURRENT_KEY, &current.id.to_string())?;
    }
    Ok(())
}

/// The key files in the folder, parsed; unreadable ones are skipped (reported by [`sync`]).
pub(super) fn key_files(folder: &Folder) -> Result<Vec<(PathBuf, KeyFile)>> {
    let mut out = Vec::new();
    for path in folder.key_files()? {
        if let Ok(file) = folder.read_key_file(&path).map_err(SyncError::from).and_then(|b| KeyFile::parse(&b)) {
            out.push((path, file));
        }
    }
    // Newest first: the key a desk writes with is the newest it holds.
    out.sort_by(|a, b| (&b.1.created_at, b.1.key_id).cmp(&(&a.1.created_at, a.1.key_id)));
    Ok(out)
}

/// What an enrolment needs before anything is read: a folder, a name for this desk, and the
/// team's secret (`secret`: its field and what is wrong with it, if anything). Every missing one
/// is reported at once, as a field error the window shows next to its field.
fn check_enrolment(folder: &Path, desk_name: &str, secret: Option<(&str, &str)>) -> Result<()> {
    let mut errors = Vec::new();
    if folder.as_os_str().is_empty() {
        errors.push(crate::error::FieldError::new(
            "cartella",
            "scegli la cartella condivisa con «Scegli la cartella…», o scrivi il suo percorso",
        ));
    }
    if desk_name.trim().is_empty() {
        errors.push(crate::error::FieldError::new(
            "postazione",
            "scrivi il nome di questa postazione, per esempio «Sportello Mezzetta»",
        ));
    }
    if let Some((field, message)) = secret {
        errors.push(crate::error::FieldError::new(field, message));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Enrols this desk in the team whose shared folder is `folder`. If the folder has no team key yet,
/// this desk creates the team: a random key, wrapped by `passphrase`, and a recovery code.
pub fn enrol(
    store: &mut Store,
    actor: &Actor,
    folder_path: &Path,
    passphrase: &str,
    desk_name: &str,
    params: KdfParams,
) -> Result<EnrolOutcome> {
    crate::access::require(store.conn(), actor, crate::access::Action::ManageSync)?;
    let short = passphrase.chars().count() < 10;
    check_enrolment(
        folder_path,
        desk_name,
        short.then_some((
            "passphrase",
            "la parola d'accesso del gruppo deve avere almeno 10 caratteri (meglio una frase di più parole)",
        )),
    )?;
    let folder = open_folder(folder_path)?;
    let files = key_files(&folder)?;
    if files.is_empty() {
        let key = TeamKey::generate(store.now().timestamp_millis() as u64);
        let file = KeyFile::wrap(&key, passphrase, params, &now_text(store), None, vec![], &[])?;
        publish_key_file(&folder, store, &file)?;
        let outcome = join(store, actor, &folder, std::slice::from_ref(&key), &key, desk_name)?;
        return Ok(EnrolOutcome { created_team: true, recovery_code: Some(keys::recovery_code(&key)), ..outcome });
    }
    // The newest key file first; Argon2id runs once per key file tried, never per bundle.
    let (_, file) = &files[0];
    let key = file.unlock(passphrase)?;
    let mut keys = file.older_keys(&key)?;
    keys.push(key.clone());
    join(store, actor, &folder, &keys, &key, desk_name)
}

/// Enrols with the paper recovery code instead of the passphrase (the passphrase was lost).
pub fn enrol_with_recovery_code(
    store: &mut Store,
    actor: &Actor,
    folder_path: &Path,
    code: &str,
    desk_name: &str,
) -> Result<EnrolOutcome> {
    crate::access::require(store.conn(), actor, crate::access::Action::ManageSync)?;
    check_enrolment(
        folder_path,
        desk_name,
        code.trim()
            .is_empty()
            .then_some(("codice", "scrivi il codice di recupero stampato quando il gruppo è stato creato")),
    )?;
    let key = keys::parse_recovery_code(code)?;
    let folder = open_folder(folder_path)?;
    let file = key_files(&folder)?
        .into_iter()
        .map(|(_, f)| f)
        .find(|f| f.key_id == key.id && f.verify_with(&key).is_ok())
        .ok_or_else(|| {
            SyncError::KeyFile("nessun file della chiave nella cartella corrisponde a questo codice di recupero".into())
        })?;
    let mut keys = file.older_keys(&key)?;
    keys.push(key.clone());
    join(store, actor, &folder, &keys, &key, desk_name)
}

pub(super) fn publish_key_file(folder: &Folder, store: &mut Store, file: &KeyFile) -> Result<()> {
    let name = format!("{}.qrtkey", crypto::random_uuid_v7(store.now().timestamp_millis() as u64));
    let bytes = serde_json::to_vec_pretty(file).expect("json of a key file");
    folder::publish(&folder.keys_dir(), &name, &bytes)?;
    Ok(())
}

pub(super) fn join(
    store: &mut Store,
    actor: &Actor,
    folder: &Folder,
    keys: &[TeamKey],
    current: &TeamKey,
    desk_name: &str,
) -> Result<EnrolOutcome> {
    let desk_name = desk_name.trim();
    if desk_name.is_empty() {
        return Err(Error::invalid("postazione", "dai un nome a questa postazione (per esempio «Sportello Mezzetta»)"));
    }
    if let Some(existing) = meta_get(store.conn(), META_FOLDER)? {
        if meta_get(store.conn(), META_FORK)?.is_none() {
            return Err(Error::invalid(
                "cartella",
                format!("questa postazione è già registrata (cartella {existing}): non serve registrarla di nuovo"),
            ));
        }
    }
    // A desk that re-enrols (restored from a backup) takes a new identity: its old id's bundles in the
    // folder are read back like another desk's, so nothing it published before the backup is lost.
    let restored = meta_get(store.conn(), META_FORK)?.is_some();
    let replaces = restored.then(|| store.desk().0);
    if restored {
        let new = DeskId(crypto::random_uuid_v7(store.now().timestamp_millis() as u64));
        store.change_desk_id(new)?;
    }
    let desk = store.desk();
    let actor = Actor { desk, operator: actor.operator };
    let known: Option<String> =
        store.conn().query_row("SELECT name FROM desk WHERE id = ?1", [desk], |r| r.get(0)).optional()?;
    store.write(&actor, |w| match known {
        None => w.insert(Table::Desk, desk.0, &[("name", desk_name.to_string().into())]),
        Some(_) => w.update(Table::Desk, desk.0, &[("name", desk_name.to_string().into())]).map(|_| ()),
    })?;
    let signer = DeskSigner::generate();
    let now = now_text(store);
    let card = DeskCard {
        desk_id: desk.0,
        name: desk_name.to_string(),
        verifying_key: crypto::b64(&signer.verifying_key()),
        enrolled_at: now.clone(),
        replaces,
    };
    let header = header(Kind::DeskCard, desk, 0, store.now().timestamp_millis());
    let bytes = format::seal_file(header, &serde_json::to_vec(&card).expect("json of a card"), current, &signer);
    let dir = folder.desk_dir(desk);
    if !folder::publish(&dir, "desk.qrt", &bytes)? {
        return Err(Refusal::DeskIdTaken.into());
    }
    let folder_text = folder.root.display().to_string();
    store.local_write(|tx| {
        meta_set(tx, META_FOLDER, &folder_text)?;
        meta_set(tx, META_SIGNER, &crypto::b64(&signer.seed()))?;
        save_keys(tx, keys, Some(current))?;
        tx.execute("DELETE FROM local_meta WHERE key = ?1", [META_FORK])?;
        if restored {
            tx.execute("DELETE FROM sync_published", [])?;
            tx.execute("DELETE FROM local_meta WHERE key = ?1", [META_LAST_FRONTIER])?;
        }
        event(tx, &now, "enrol", &format!("postazione registrata come «{desk_name}»"))?;
        Ok(())
    })?;
    Ok(EnrolOutcome { desk_id: desk, created_team: false, recovery_code: None })
}

/// Opens the key files this desk cannot read yet (a rotation) with `passphrase`.
/// Returns how many new keys it learned.
pub fn unlock(store: &mut Store, actor: &Actor, passphrase: &str) -> Result<usize> {
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let keys = Keys::load(store.conn())?;
    let folder = open_folder(&keys.folder)?;
    let waiting: Vec<KeyFile> =
        key_files(&folder)?.into_iter().map(|(_, f)| f).filter(|f| !keys.keys.contains_key(&f.key_id)).collect();
    if waiting.is_empty() {
        return Ok(0);
    }
    let mut learned = Vec::new();
    for file in &waiting {
        match file.unlock(passphrase) {
            Ok(key) => {
                learned.extend(file.older_keys(&key)?);
                learned.push(key);
            }
            Err(SyncError::WrongPassphrase) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if learned.is_empty() {
        return Err(SyncError::WrongPassphrase.into());
    }
    let newest = waiting.iter().find(|f| learned.iter().any(|k| k.id == f.key_id)).map(|f| f.key_id);
    let current = learned.iter().find(|k| Some(k.id) == newest).cloned();
    let count = learned.iter().filter(|k| !keys.keys.contains_key(&k.id)).count();
    store.local_write(|tx| save_keys(tx, &learned, current.as_ref()))?;
    Ok(count)
}

/// Makes a new team key (a desk was lost or removed): wrapped by `new_passphrase`, carrying the
/// earlier keys, naming the removed desks, whose bundles every desk refuses from then on.
/// Returns the new recovery code.
pub fn rotate_key(
    store: &mut Store,
    actor: &Actor,
    new_passphrase: &str,
    remove: &[DeskId],
    params: KdfParams,
) -> Result<String> {
    crate::access::require(store.conn(), actor, crate::access::Action::ManageSync)?;
    if new_passphrase.chars().count() < 10 {
        return Err(Error::invalid("passphrase", "la nuova passphrase deve avere almeno 10 caratteri"));
    }
    let keys = Keys::load(store.conn())?;
    if remove.contains(&store.desk()) {
        return Err(Error::invalid("postazione", "una postazione non può rimuovere se stessa dal gruppo"));
    }
    let folder = open_folder(&keys.folder)?;
    let mut removed: BTreeSet<Uuid> = removed_desks(&folder, &keys)?;
    removed.extend(remove.iter().map(|d| d.0));
    let key = TeamKey::generate(store.now().timestamp_millis() as u64);
    let older: Vec<TeamKey> = keys.keys.values().cloned().collect();
    let file = KeyFile::wrap(
        &key,
        new_passphrase,
        params,
        &now_text(store),
        Some(keys.current),
        removed.into_iter().collect(),
        &older,
    )?;
    publish_key_file(&folder, store, &file)?;
    let now = now_text(store);
    store.local_write(|tx| {
        save_keys(tx, std::slice::from_ref(&key), Some(&key))?;
        event(tx, &now, "rotate", "nuova chiave del gruppo creata")
    })?;
    Ok(keys::recovery_code(&key))
}

/// The desks removed by key files this desk can verify.
pub(super) fn removed_desks(folder: &Folder, keys: &Keys) -> Result<BTreeSet<Uuid>> {
    let mut out = BTreeSet::new();
    for (_, file) in key_files(folder)? {
        if let Some(key) = keys.keys.get(&file.key_id) {
            if file.verify_with(key).is_ok() {
                out.extend(file.removed_desks.iter().copied());
            }
        }
    }
    Ok(out)
}

/// Marks an enrolled desk as restored from a backup: it publishes nothing until it re-enrols under
/// a new id (its bundle numbers went back in time). A desk never enrolled has nothing to mark.
pub(crate) fn mark_restored(store: &mut Store, reason: &str) -> Result<()> {
    if meta_get(store.conn(), META_FOLDER)?.is_none() {
        return Ok(());
    }
    store.local_write(|tx| meta_set(tx, META_FORK, reason))
}
