//! The desk's key file (`quartiere.keys`, next to the database): the random key the database is
//! encrypted with, wrapped once per operator by that operator's passphrase (Argon2id, then
//! XChaCha20-Poly1305). Changing a passphrase rewrites one slot of this small file; the database
//! is never re-encrypted. Losing every passphrase loses the data: the coordinator keeps a paper
//! copy of theirs, and the other desks hold the same records through sync.

use std::fs;
use std::path::{Path, PathBuf};

use uuid::Uuid;
use zeroize::Zeroize;

use crate::crypto::{self, b64, derive_wrap_key, hex, KdfParams, KEY_LEN, NONCE_LEN};
use crate::error::{Error, Result};
use crate::ids::OperatorId;
use crate::text::fold;

pub const KEYS_FILE_NAME: &str = "quartiere.keys";
const FORMAT: &str = "quartiere-desk-keys";
/// Shortest passphrase accepted for an operator.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// The page size of a database made now: 16 KiB. Each page is encrypted and authenticated on its
/// own, so larger pages mean fewer of them to seal and write: a desk joining 100,000 people loads
/// its snapshot about 15 % faster than with SQLCipher's default 4 KiB, while a single edit stays a
/// few milliseconds. Databases made before keep their 4 KiB pages: [`open_keyed`] finds which.
pub const PAGE_SIZE: u32 = 16_384;
/// The page sizes a database of Quartiere may have, tried in this order.
const PAGE_SIZES: [u32; 2] = [PAGE_SIZE, 4_096];

/// Opens the encrypted database at `path` (a new file is made with pages of [`PAGE_SIZE`]),
/// trying each page size a database of Quartiere may have, until the first read succeeds.
/// `None` when none does: not the key of this file, or not a database of Quartiere.
/// How long a statement waits for another connection (the window, a CLI command, sync) to finish
/// its write before it gives up as busy. Every write starts as one (`BEGIN IMMEDIATE`), so this
/// wait applies to it whole.
pub const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

pub fn open_keyed(path: &Path, key: &DbKey, flags: rusqlite::OpenFlags) -> Result<Option<rusqlite::Connection>> {
    // A file is whole pages: one whose size is not a multiple of 16 KiB has 4 KiB pages.
    let mut sizes = PAGE_SIZES;
    if fs::metadata(path).map(|m| m.len() % u64::from(PAGE_SIZE) != 0).unwrap_or(false) {
        sizes.reverse();
    }
    for (tried, page_size) in sizes.into_iter().enumerate() {
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        conn.execute_batch(&key.pragma_for(page_size))?;
        // SQLCipher checks the first page it reads: a wrong key or page size fails here. It
        // reports a failed check on stderr; a page size that does not fit, while another is left
        // to try, is no fault to report.
        let quiet = tried + 1 < sizes.len();
        if quiet {
            conn.execute_batch("PRAGMA cipher_log_level = NONE")?;
        }
        // Another process may be writing: wait for it as every statement does, so a busy file
        // is not taken for a wrong key.
        conn.busy_timeout(BUSY_WAIT)?;
        let read = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
        if quiet {
            // SQLCipher's own level once it is in use.
            conn.execute_batch("PRAGMA cipher_log_level = WARN")?;
        }
        match read {
            Ok(_) => return Ok(Some(conn)),
            // What a wrong key (or page size) looks like: try the next, then say so.
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {}
            // Anything else (busy, unreadable, read-only, full) is itself, never a wrong key.
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

/// The database key. Wiped from memory when dropped; never written anywhere in clear.
pub struct DbKey([u8; KEY_LEN]);

impl DbKey {
    pub fn generate() -> DbKey {
        DbKey(crypto::random())
    }

    /// A key from its bytes: for tests and tools that open a file they built themselves.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> DbKey {
        DbKey(bytes)
    }

    /// The key as SQL for a plain SQLCipher connection to a database made now (pages of
    /// [`PAGE_SIZE`]): see [`DbKey::pragma_for`].
    pub fn pragma(&self) -> String {
        self.pragma_for(PAGE_SIZE)
    }

    /// The key as SQL for a plain SQLCipher connection to a database with pages of `page_size`
    /// bytes: `PRAGMA key = …;`, the page size (SQLCipher cannot read it from the encrypted file),
    /// then temporary files in memory (SQLCipher encrypts the database and its journals, not
    /// SQLite's other temporary files: large sorts, temporary tables), so no connection with the key
    /// writes plaintext.
    pub fn pragma_for(&self, page_size: u32) -> String {
        format!(
            "PRAGMA key = {}; PRAGMA cipher_page_size = {page_size}; PRAGMA temp_store = MEMORY;",
            self.sqlcipher_literal()
        )
    }

    /// The key as the text SQLCipher reads as a raw key (`x'…'`), for a bound `ATTACH … KEY ?`.
    pub fn raw_key_text(&self) -> String {
        format!("x'{}'", hex(&self.0))
    }

    /// The key as SQLCipher's raw-key literal (`x'…'`), so SQLCipher skips its own derivation.
    pub fn sqlcipher_literal(&self) -> String {
        format!("\"x'{}'\"", hex(&self.0))
    }

    fn check_value(&self) -> String {
        use sha2::{Digest, Sha256};
        hex(&Sha256::new().chain_update(b"quartiere db key check v1").chain_update(self.0).finalize()[..8])
    }
}

impl Drop for DbKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct KeysFile {
    format: String,
    version: u32,
    /// hex of eight bytes of SHA-256 over the key: tells a slot that opens to the wrong key.
    key_check: String,
    slots: Vec<Slot>,
}

/// One operator's way in. The name is kept so the sign-in screen can list who may sign in here
/// while the database is still locked; it is an operator's name, never a resident's.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Slot {
    operator: Uuid,
    name: String,
    kdf: crypto::KdfSection,
    /// base64(nonce 24 || XChaCha20-Poly1305 of the database key); associated data = [`slot_ad`].
    wrapped_key: String,
}

fn slot_ad(operator: Uuid, name: &str) -> Vec<u8> {
    format!("{FORMAT}\n1\n{operator}\n{name}").into_bytes()
}

pub fn keys_path(dir: &Path) -> PathBuf {
    dir.join(KEYS_FILE_NAME)
}

pub fn exists(dir: &Path) -> bool {
    keys_path(dir).exists()
}

fn read(dir: &Path) -> Result<KeysFile> {
    let bytes = fs::read(keys_path(dir))?;
    let file: KeysFile = serde_json::from_slice(&bytes).map_err(|e| bad_file(&e.to_string()))?;
    if file.format != FORMAT || file.version != 1 {
        return Err(bad_file("formato sconosciuto"));
    }
    Ok(file)
}

fn bad_file(why: &str) -> Error {
    Error::Forbidden {
        message: format!("il file delle chiavi della postazione ({KEYS_FILE_NAME}) è illeggibile: {why}"),
    }
}

/// Writes the key file whole or not at all.
fn write(dir: &Path, file: &KeysFile) -> Result<()> {
    crate::files::write_whole(&keys_path(dir), &serde_json::to_vec_pretty(file).expect("json of the key file"))
}

/// Checks a new passphrase; the message is for the form's passphrase field.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid(
            "passphrase",
            format!("la parola d'accesso deve avere almeno {MIN_PASSPHRASE_CHARS} caratteri"),
        ));
    }
    Ok(())
}

fn seal_slot(key: &DbKey, operator: OperatorId, name: &str, passphrase: &str, params: KdfParams) -> Result<Slot> {
    check_passphrase(passphrase)?;
    let salt: [u8; 16] = crypto::random();
    let mut wrap = derive_wrap_key(passphrase, &salt, params)?;
    let nonce: [u8; NONCE_LEN] = crypto::random();
    let sealed = crypto::seal(&wrap, &nonce, &slot_ad(operator.0, name), &key.0);
    wrap.zeroize();
    Ok(Slot {
        operator: operator.0,
        name: name.to_string(),
        kdf: crypto::KdfSection { algorithm: "argon2id".into(), params, salt: b64(&salt) },
        wrapped_key: b64(&[&nonce[..], &sealed].concat()),
    })
}

fn open_slot(slot: &Slot, passphrase: &str, check: &str) -> Result<Option<DbKey>> {
    let p = slot.kdf.params;
    if slot.kdf.algorithm != "argon2id"
        || p.memory_kib < KdfParams::MINIMUM.memory_kib
        || p.iterations < KdfParams::MINIMUM.iterations
    {
        return Err(bad_file("parametri di derivazione troppo deboli"));
    }
    let salt = base64_decode(&slot.kdf.salt).ok_or_else(|| bad_file("sale non valido"))?;
    let wrapped = base64_decode(&slot.wrapped_key).ok_or_else(|| bad_file("chiave non valida"))?;
    if wrapped.len() != NONCE_LEN + KEY_LEN + crypto::TAG_LEN {
        return Err(bad_file("chiave di lunghezza errata"));
    }
    let mut wrap = derive_wrap_key(passphrase, &salt, p)?;
    let nonce: [u8; NONCE_LEN] = wrapped[..NONCE_LEN].try_into().expect("nonce length");
    let opened = crypto::open(&wrap, &nonce, &slot_ad(slot.operator, &slot.name), &wrapped[NONCE_LEN..]);
    wrap.zeroize();
    let Some(mut bytes) = opened else { return Ok(None) };
    let key = DbKey(bytes[..].try_into().expect("key length checked"));
    bytes.zeroize();
    if key.check_value() != check {
        return Err(bad_file("la chiave non corrisponde all'archivio"));
    }
    Ok(Some(key))
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Creates the key file with a fresh database key and the first operator's slot. Refuses if one exists.
pub fn create(dir: &Path, operator: OperatorId, name: &str, passphrase: &str, params: KdfParams) -> Result<DbKey> {
    if exists(dir) {
        return Err(Error::Forbidden {
            message: "questa cartella ha già un archivio con i suoi operatori: accedi invece di crearne uno".into(),
        });
    }
    fs::create_dir_all(dir)?;
    let key = DbKey::generate();
    let slot = seal_slot(&key, operator, name, passphrase, params)?;
    write(dir, &KeysFile { format: FORMAT.into(), version: 1, key_check: key.check_value(), slots: vec![slot] })?;
    Ok(key)
}

/// The names that may sign in at this desk, for the sign-in screen (no key needed).
pub fn names(dir: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = read(dir)?.slots.into_iter().map(|s| s.name).collect();
    names.sort_by_key(|n| fold(n));
    Ok(names)
}

/// The operator whose slot has this name, if any (for recording a failed unlock).
pub fn operator_named(dir: &Path, name: &str) -> Result<Option<OperatorId>> {
    let wanted = fold(name);
    Ok(read(dir)?.slots.iter().find(|s| fold(&s.name) == wanted).map(|s| OperatorId(s.operator)))
}

/// Opens the database key with an operator's name and passphrase. A wrong name and a wrong
/// passphrase give the same answer, and both cost one key derivation.
pub fn unlock(dir: &Path, name: &str, passphrase: &str) -> Result<(DbKey, OperatorId)> {
    let file = read(dir)?;
    let wanted = fold(name);
    let Some(slot) = file.slots.iter().find(|s| fold(&s.name) == wanted) else {
        // Spend the same time as a real attempt, so timing does not tell which names exist.
        let _ = derive_wrap_key(
            passphrase,
            &[0u8; 16],
            file.slots.first().map(|s| s.kdf.params).unwrap_or(KdfParams::DEFAULT),
        );
        return Err(Error::WrongCredentials);
    };
    match open_slot(slot, passphrase, &file.key_check)? {
        Some(key) => Ok((key, OperatorId(slot.operator))),
        None => Err(Error::WrongCredentials),
    }
}

/// Adds (or replaces) the slot of `operator`, wrapping the key the caller holds.
pub fn set_slot(
    dir: &Path,
    key: &DbKey,
    operator: OperatorId,
    name: &str,
    passphrase: &str,
    params: KdfParams,
) -> Result<()> {
    let mut file = read(dir)?;
    if file.key_check != key.check_value() {
        return Err(bad_file("la chiave non corrisponde all'archivio"));
    }
    let wanted = fold(name);
    if file.slots.iter().any(|s| s.operator != operator.0 && fold(&s.name) == wanted) {
        return Err(Error::invalid("name", "c'è già un operatore con questo nome in questa postazione"));
    }
    let slot = seal_slot(key, operator, name, passphrase, params)?;
    file.slots.retain(|s| s.operator != operator.0);
    file.slots.push(slot);
    write(dir, &file)
}

/// Removes an operator's slot: they can no longer sign in here.
pub fn remove_slot(dir: &Path, operator: OperatorId) -> Result<()> {
    let mut file = read(dir)?;
    let before = file.slots.len();
    file.slots.retain(|s| s.operator != operator.0);
    if file.slots.is_empty() {
        return Err(Error::Forbidden { message: "non si può togliere l'ultimo operatore della postazione".into() });
    }
    if file.slots.len() != before {
        write(dir, &file)?;
    }
    Ok(())
}

/// Changes an operator's own passphrase: the old one must open the slot. Only this file changes.
pub fn change_passphrase(dir: &Path, name: &str, old: &str, new: &str, params: KdfParams) -> Result<()> {
    check_passphrase(new)?;
    let (key, operator) = unlock(dir, name, old)?;
    let file = read(dir)?;
    let stored_name = file.slots.iter().find(|s| s.operator == operator.0).map(|s| s.name.clone()).unwrap_or_default();
    set_slot(dir, &key, operator, &stored_name, new, params)
}
