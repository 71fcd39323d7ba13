//! The team key and its key file in the shared folder (the team key wrapped by the team
//! passphrase with Argon2id), and the paper recovery code.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::SyncError;
use crate::crypto::{b64, derive_wrap_key, hex, open, random, random_uuid_v7, seal, unb64, KdfParams, KdfSection};
use crate::crypto::{KEY_LEN, NONCE_LEN, TAG_LEN};

/// The team key: one random 256-bit key shared by every enrolled desk, named by its key id.
#[derive(Clone)]
pub struct TeamKey {
    pub id: Uuid,
    pub bytes: [u8; KEY_LEN],
}

impl std::fmt::Debug for TeamKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TeamKey({})", self.id)
    }
}

impl TeamKey {
    pub fn generate(unix_millis: u64) -> TeamKey {
        TeamKey { id: random_uuid_v7(unix_millis), bytes: random() }
    }

    /// Eight bytes that identify the key material without revealing it: lets a recovery code be
    /// checked against a key file.
    pub fn check_value(&self) -> [u8; 8] {
        let digest = Sha256::new().chain_update(b"quartiere key check v1").chain_update(self.bytes).finalize();
        digest[..8].try_into().expect("eight bytes")
    }
}

/// The key file in the shared folder (`keys/<wrap id>.qrtkey`, JSON): the team key wrapped by the
/// team passphrase, and a statement (previous key, removed desks) authenticated by the team key.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KeyFile {
    pub format: String,
    pub version: u32,
    pub key_id: Uuid,
    pub created_at: String,
    pub previous_key_id: Option<Uuid>,
    /// Desks removed from the team when this key was made; their bundles are refused.
    pub removed_desks: Vec<Uuid>,
    pub kdf: KdfSection,
    /// base64(nonce 24 || XChaCha20-Poly1305 of the team key), associated data = [`KeyFile::statement`].
    pub wrapped_key: String,
    /// base64(nonce 24 || tag 16): the statement sealed (empty plaintext) under the team key itself,
    /// so desks that hold the key but not the passphrase can trust the removal list.
    pub statement_tag: String,
    /// hex of [`TeamKey::check_value`].
    pub key_check: String,
    /// base64(nonce 24 || XChaCha20-Poly1305 under this team key of a JSON list of every earlier
    /// team key `[{"id", "key"}]`), associated data = the statement: a desk enrolled after a
    /// rotation still reads the bundles written before it.
    #[serde(default)]
    pub older_keys: String,
}

pub const KEY_FILE_FORMAT: &str = "quartiere-team-key";

impl KeyFile {
    /// Wraps `key` under `passphrase`.
    pub fn wrap(
        key: &TeamKey,
        passphrase: &str,
        params: KdfParams,
        created_at: &str,
        previous_key_id: Option<Uuid>,
        removed_desks: Vec<Uuid>,
        older: &[TeamKey],
    ) -> Result<KeyFile, SyncError> {
        let salt: [u8; 16] = random();
        let mut file = KeyFile {
            format: KEY_FILE_FORMAT.into(),
            version: 1,
            key_id: key.id,
            created_at: created_at.into(),
            previous_key_id,
            removed_desks,
            kdf: KdfSection { algorithm: "argon2id".into(), params, salt: b64(&salt) },
            wrapped_key: String::new(),
            statement_tag: String::new(),
            key_check: hex(&key.check_value()),
            older_keys: String::new(),
        };
        let statement = file.statement();
        let wrap_key = derive_wrap_key(passphrase, &salt, params)?;
        let nonce: [u8; NONCE_LEN] = random();
        file.wrapped_key = b64(&[&nonce[..], &seal(&wrap_key, &nonce, &statement, &key.bytes)].concat());
        let nonce: [u8; NONCE_LEN] = random();
        file.statement_tag = b64(&[&nonce[..], &seal(&key.bytes, &nonce, &statement, b"")].concat());
        if !older.is_empty() {
            let list: Vec<serde_json::Value> =
                older.iter().map(|k| serde_json::json!({ "id": k.id, "key": b64(&k.bytes) })).collect();
            let plain = serde_json::to_vec(&list).expect("json of a list");
            let nonce: [u8; NONCE_LEN] = random();
            file.older_keys = b64(&[&nonce[..], &seal(&key.bytes, &nonce, &statement, &plain)].concat());
        }
        Ok(file)
    }

    /// The bytes both seals authenticate: everything in the file that is not itself a seal.
    pub fn statement(&self) -> Vec<u8> {
        let removed: Vec<String> = self.removed_desks.iter().map(Uuid::to_string).collect();
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}:{}:{}:{}\n{}\n{}",
            self.format,
            self.version,
            self.key_id,
            self.created_at,
            self.previous_key_id.map(|k| k.to_string()).unwrap_or_default(),
            removed.join(","),
            self.kdf.algorithm,
            self.kdf.params.memory_kib,
            self.kdf.params.iterations,
            self.kdf.params.parallelism,
            self.kdf.salt,
            self.key_check,
        )
        .into_bytes()
    }

    pub fn parse(bytes: &[u8]) -> Result<KeyFile, SyncError> {
        let file: KeyFile = serde_json::from_slice(bytes)
            .map_err(|e| SyncError::KeyFile(format!("il file della chiave non è leggibile ({e})")))?;
        if file.format != KEY_FILE_FORMAT || file.version != 1 {
            return Err(SyncError::KeyFile("formato del file della chiave non riconosciuto".into()));
        }
        if file.kdf.algorithm != "argon2id"
            || file.kdf.params.memory_kib < KdfParams::MINIMUM.memory_kib
            || file.kdf.params.iterations < KdfParams::MINIMUM.iterations
            || file.kdf.params.memory_kib > 4 * 1024 * 1024
            || file.kdf.params.iterations > 64
            || file.kdf.params.parallelism == 0
            || file.kdf.params.parallelism > 16
        {
            return Err(SyncError::KeyFile("parametri di derivazione della chiave non accettabili".into()));
        }
        Ok(file)
    }

    /// Runs Argon2id once and unwraps the team key; a wrong passphrase is told at once.
    pub fn unlock(&self, passphrase: &str) -> Result<TeamKey, SyncError> {
        let salt = B64.decode(&self.kdf.salt).map_err(|_| SyncError::KeyFile("sale non valido".into()))?;
        let wrap_key = derive_wrap_key(passphrase, &salt, self.kdf.params)?;
        let sealed =
            B64.decode(&self.wrapped_key).map_err(|_| SyncError::KeyFile("chiave cifrata illeggibile".into()))?;
        if sealed.len() != NONCE_LEN + KEY_LEN + TAG_LEN {
            return Err(SyncError::KeyFile("chiave cifrata di lunghezza errata".into()));
        }
        let nonce: [u8; NONCE_LEN] = sealed[..NONCE_LEN].try_into().expect("length checked");
        let bytes =
            open(&wrap_key, &nonce, &self.statement(), &sealed[NONCE_LEN..]).ok_or(SyncError::WrongPassphrase)?;
        let key = TeamKey { id: self.key_id, bytes: bytes.try_into().expect("length checked") };
        self.verify_with(&key)?;
        Ok(key)
    }

    /// Checks the statement with a key this desk already holds (no passphrase needed).
    /// The earlier team keys this file carries, opened with its own key.
    pub fn older_keys(&self, key: &TeamKey) -> Result<Vec<TeamKey>, SyncError> {
        if self.older_keys.is_empty() {
            return Ok(Vec::new());
        }
        let bad = || SyncError::KeyFile("elenco delle chiavi precedenti illeggibile".into());
        let sealed = B64.decode(&self.older_keys).map_err(|_| bad())?;
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(bad());
        }
        let nonce: [u8; NONCE_LEN] = sealed[..NONCE_LEN].try_into().expect("length checked");
        let plain = open(&key.bytes, &nonce, &self.statement(), &sealed[NONCE_LEN..]).ok_or_else(bad)?;
        #[derive(serde::Deserialize)]
        struct Older {
            id: Uuid,
            key: String,
        }
        let list: Vec<Older> = serde_json::from_slice(&plain).map_err(|_| bad())?;
        list.into_iter().map(|o| Ok(TeamKey { id: o.id, bytes: unb64(&o.key).ok_or_else(bad)? })).collect()
    }

    pub fn verify_with(&self, key: &TeamKey) -> Result<(), SyncError> {
        let sealed = B64.decode(&self.statement_tag).map_err(|_| SyncError::KeyFile("sigillo illeggibile".into()))?;
        let ok = sealed.len() == NONCE_LEN + TAG_LEN
            && key.id == self.key_id
            && hex(&key.check_value()) == self.key_check
            && open(
                &key.bytes,
                &sealed[..NONCE_LEN].try_into().expect("length checked"),
                &self.statement(),
                &sealed[NONCE_LEN..],
            )
            .is_some();
        if ok {
            Ok(())
        } else {
            Err(SyncError::KeyFile("il file della chiave è stato alterato".into()))
        }
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The team key as a paper recovery code: key id (16 bytes) + key (32) + 2 check bytes, in
/// Crockford base32 groups of five (`7ZK3Q-...`): no I, L, O, U to misread.
pub fn recovery_code(key: &TeamKey) -> String {
    let mut bytes = Vec::with_capacity(50);
    bytes.extend_from_slice(key.id.as_bytes());
    bytes.extend_from_slice(&key.bytes);
    let check = Sha256::digest(&bytes);
    bytes.extend_from_slice(&check[..2]);
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for byte in bytes {
        acc = (acc << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(CROCKFORD[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(CROCKFORD[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out.as_bytes().chunks(5).map(|c| std::str::from_utf8(c).expect("ascii")).collect::<Vec<_>>().join("-")
}

/// Reads a recovery code back, forgiving case, spaces, dashes and the letters people confuse.
pub fn parse_recovery_code(code: &str) -> Result<TeamKey, SyncError> {
    let bad = || SyncError::KeyFile("codice di recupero non valido: controlla di averlo copiato tutto".into());
    let (mut acc, mut bits, mut bytes) = (0u32, 0u32, Vec::new());
    for c in code.chars().filter(|c| !c.is_whitespace() && *c != '-') {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        let value = CROCKFORD.iter().position(|&d| d as char == c).ok_or_else(bad)? as u32;
        acc = (acc << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bytes.len() != 50 {
        return Err(bad());
    }
    let check = Sha256::digest(&bytes[..48]);
    if check[..2] != bytes[48..] {
        return Err(bad());
    }
    Ok(TeamKey {
        id: Uuid::from_slice(&bytes[..16]).map_err(|_| bad())?,
        bytes: bytes[16..48].try_into().map_err(|_| bad())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_code_round_trips_and_catches_a_typo() {
        let key = TeamKey::generate(1_700_000_000_000);
        let code = recovery_code(&key);
        let back = parse_recovery_code(&code.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!((back.id, back.bytes), (key.id, key.bytes));
        let mut typo: Vec<char> = code.chars().collect();
        typo[7] = if typo[7] == 'A' { 'B' } else { 'A' };
        assert!(parse_recovery_code(&typo.into_iter().collect::<String>()).is_err());
    }

    #[test]
    fn key_file_unwraps_only_with_its_passphrase_and_detects_edits() {
        let key = TeamKey::generate(1_700_000_000_000);
        let file =
            KeyFile::wrap(&key, "una frase lunga", KdfParams::MINIMUM, "2026-11-22T10:00:00Z", None, vec![], &[])
                .unwrap();
        let parsed = KeyFile::parse(&serde_json::to_vec(&file).unwrap()).unwrap();
        assert_eq!(parsed.unlock("una frase lunga").unwrap().bytes, key.bytes);
        assert!(matches!(parsed.unlock("un'altra frase"), Err(SyncError::WrongPassphrase)));
        let mut edited = parsed.clone();
        edited.removed_desks.push(Uuid::nil());
        assert!(edited.verify_with(&key).is_err());
    }
}
