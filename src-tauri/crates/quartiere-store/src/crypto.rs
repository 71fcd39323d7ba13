//! The cryptographic primitives every floor uses, kept in one place: random bytes and keys,
//! AEAD sealing (XChaCha20-Poly1305), signatures (Ed25519), the passphrase wrap (Argon2id),
//! hashes and encodings. The sync floor builds its team key and key file on them.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::Signer;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::SyncError;

pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 24;
pub const TAG_LEN: usize = 16;
pub const SIGNATURE_LEN: usize = 64;

/// Random bytes from the operating system.
pub fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).expect("the operating system's random source is unavailable");
    out
}

/// A random UUID v7 (time-ordered, random tail from the OS), for key ids and new desk ids.
pub fn random_uuid_v7(unix_millis: u64) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(unix_millis, &random::<10>()).into_uuid()
}

/// Encrypts `plaintext` with `key`, authenticating `ad` too. Returns the ciphertext with its tag.
pub fn seal(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN], ad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    XChaCha20Poly1305::new(key.into())
        .encrypt(XNonce::from_slice(nonce), Payload { msg: plaintext, aad: ad })
        .expect("encryption of an in-memory buffer cannot fail")
}

/// Decrypts and checks; `None` if the key is wrong or any byte of `ciphertext` or `ad` changed.
pub fn open(key: &[u8; KEY_LEN], nonce: &[u8; NONCE_LEN], ad: &[u8], ciphertext: &[u8]) -> Option<Vec<u8>> {
    XChaCha20Poly1305::new(key.into()).decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: ad }).ok()
}

/// A desk's own signing key. Only its 32-byte seed is stored.
pub struct DeskSigner(ed25519_dalek::SigningKey);

impl DeskSigner {
    pub fn generate() -> DeskSigner {
        DeskSigner(ed25519_dalek::SigningKey::from_bytes(&random()))
    }

    pub fn from_seed(seed: &[u8; 32]) -> DeskSigner {
        DeskSigner(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn verifying_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        self.0.sign(message).to_bytes()
    }
}

/// Checks an Ed25519 signature made by the holder of `verifying_key`.
pub fn verify(verifying_key: &[u8; 32], message: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(verifying_key) else {
        return false;
    };
    key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(signature)).is_ok()
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn unb64<const N: usize>(text: &str) -> Option<[u8; N]> {
    B64.decode(text).ok()?.try_into().ok()
}

/// Argon2id cost of the passphrase wrap. About half a second on a lab laptop; run once per
/// unlock, never per bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    pub const DEFAULT: KdfParams = KdfParams { memory_kib: 64 * 1024, iterations: 3, parallelism: 1 };
    /// The floor a key file may ask for: a forged key file cannot make us derive a weak key.
    pub const MINIMUM: KdfParams = KdfParams { memory_kib: 19 * 1024, iterations: 2, parallelism: 1 };
}

pub fn derive_wrap_key(passphrase: &str, salt: &[u8], params: KdfParams) -> Result<[u8; KEY_LEN], SyncError> {
    let bad = |_| SyncError::KeyFile("parametri di derivazione della chiave non validi".into());
    let params = Params::new(params.memory_kib, params.iterations, params.parallelism, Some(KEY_LEN)).map_err(bad)?;
    let mut out = [0u8; KEY_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(bad)?;
    Ok(out)
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KdfSection {
    pub algorithm: String,
    #[serde(flatten)]
    pub params: KdfParams,
    pub salt: String,
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
