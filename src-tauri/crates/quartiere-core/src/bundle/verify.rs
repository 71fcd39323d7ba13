//! Verify-and-open: decrypts a monthly bundle with the Comune's age identity, checks the desk's
//! signature over the manifest and every file's SHA-256, and only then hands the files over. A
//! file changed, added or missing after signing is refused, naming it.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{fingerprint, hex, Manifest, FORMAT};
use crate::error::{Error, Result};

/// The largest bundle read (decrypted), against a file that would fill the memory.
const MAX_PLAIN: u64 = 2 << 30;

/// A bundle that passed every check.
#[derive(Debug, Clone)]
pub struct Verified {
    pub manifest: Manifest,
    /// The signing key's fingerprint, to compare with the one the lab gave.
    pub signed_by: String,
    /// Every file, by name (the manifest, its signature and the checksums included).
    pub files: BTreeMap<String, Vec<u8>>,
}

fn refused(message: impl Into<String>) -> Error {
    Error::invalid("pacchetto", message)
}

/// The X25519 identities in an age key file (`age-keygen`'s output: comments and
/// `AGE-SECRET-KEY-1…` lines).
pub fn parse_identities(text: &str) -> Result<Vec<age::x25519::Identity>> {
    let keys: Vec<age::x25519::Identity> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.parse::<age::x25519::Identity>().map_err(|_| {
                Error::invalid("chiave", "il file della chiave non contiene una chiave privata age (AGE-SECRET-KEY-1…)")
            })
        })
        .collect::<Result<_>>()?;
    if keys.is_empty() {
        return Err(Error::invalid("chiave", "il file della chiave è vuoto: serve la chiave privata age del Comune"));
    }
    Ok(keys)
}

/// Decrypts and checks `encrypted`. `expected_signer`: the fingerprint the lab gave, if any.
pub fn verify(
    encrypted: &[u8],
    identities: &[age::x25519::Identity],
    expected_signer: Option<&str>,
) -> Result<Verified> {
    let decryptor = age::Decryptor::new(encrypted)
        .map_err(|_| refused("il file non è un pacchetto cifrato con age, o è danneggiato"))?;
    let mut reader = decryptor.decrypt(identities.iter().map(|i| i as &dyn age::Identity)).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => {
            refused("questa chiave non apre il pacchetto: è cifrato per un'altra chiave del Comune")
        }
        _ => refused("il pacchetto è danneggiato: la decifratura non è riuscita"),
    })?;
    let mut plain = Vec::new();
    (&mut reader)
        .take(MAX_PLAIN)
        .read_to_end(&mut plain)
        .map_err(|_| refused("il pacchetto è danneggiato o è stato modificato: la decifratura non è riuscita"))?;

    let mut files = BTreeMap::new();
    let mut archive = tar::Archive::new(plain.as_slice());
    for entry in archive.entries().map_err(|_| refused("il contenuto del pacchetto non è leggibile"))? {
        let mut entry = entry.map_err(|_| refused("il contenuto del pacchetto non è leggibile"))?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = entry.path().map_err(|_| refused("un nome di file nel pacchetto non è leggibile"))?.into_owned();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| refused("un nome di file nel pacchetto non è valido"))?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|_| refused(format!("il file «{name}» non è leggibile")))?;
        if files.insert(name.clone(), bytes).is_some() {
            return Err(refused(format!("il file «{name}» compare due volte nel pacchetto")));
        }
    }

    let manifest_bytes = files.get("manifest.json").ok_or_else(|| refused("manca il file «manifest.json»"))?;
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .map_err(|_| refused("il file «manifest.json» non è un manifesto di Quartiere"))?;
    if manifest.formato != FORMAT {
        return Err(refused(format!("formato del pacchetto non riconosciuto: «{}»", manifest.formato)));
    }
    let key: [u8; 32] = crate::crypto::unb64(&manifest.chiave_firma)
        .ok_or_else(|| refused("la chiave di firma nel manifesto non è valida"))?;
    let signature: [u8; crate::crypto::SIGNATURE_LEN] = files
        .get("manifest.sig")
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| crate::crypto::unb64(s.trim()))
        .ok_or_else(|| refused("manca la firma del manifesto («manifest.sig») o non è leggibile"))?;
    if !crate::crypto::verify(&key, manifest_bytes, &signature) {
        return Err(refused("il file «manifest.json» è stato modificato dopo la firma: la firma non corrisponde"));
    }
    let signed_by = fingerprint(&key);
    if let Some(expected) = expected_signer {
        let norm = |s: &str| s.chars().filter(|c| c.is_ascii_hexdigit()).collect::<String>().to_lowercase();
        if norm(expected) != norm(&signed_by) {
            return Err(refused(format!(
                "il pacchetto è firmato dalla chiave {signed_by}, non da quella attesa ({expected})"
            )));
        }
    }
    for f in &manifest.file {
        let bytes =
            files.get(&f.nome).ok_or_else(|| refused(format!("manca il file «{}» elencato nel manifesto", f.nome)))?;
        if hex(&Sha256::digest(bytes)) != f.sha256 || bytes.len() as u64 != f.byte {
            return Err(refused(format!(
                "il file «{}» è stato modificato dopo la firma: la sua impronta SHA-256 non corrisponde al manifesto",
                f.nome
            )));
        }
    }
    const OWN: [&str; 4] = ["manifest.json", "manifest.sig", "SHA256SUMS", "LEGGIMI.txt"];
    if let Some(extra) =
        files.keys().find(|n| !OWN.contains(&n.as_str()) && !manifest.file.iter().any(|f| &f.nome == *n))
    {
        return Err(refused(format!("il file «{extra}» non è nel manifesto: è stato aggiunto dopo la firma")));
    }
    Ok(Verified { manifest, signed_by, files })
}

/// Writes a verified bundle's files into `folder/quartiere-AAAA-MM/`; returns that folder.
pub fn open(verified: &Verified, folder: &Path) -> Result<PathBuf> {
    let dir = folder.join(format!("quartiere-{}", verified.manifest.mese));
    std::fs::create_dir_all(&dir)?;
    for (name, bytes) in &verified.files {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(dir)
}
