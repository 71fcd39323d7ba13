//! Scans travel apart from the records: after the bundles, a desk writes the bytes of the scans it
//! attached as `desks/<its id>/f-<sha256>.qrt` (encrypted with the team key and signed, like a
//! bundle), and fetches the scans whose description it has received but whose bytes it lacks. A
//! bundle never carries a scan, so the everyday sync of records stays as small as it was; a scan
//! that has not arrived yet is simply fetched by a later sync.
//!
//! Older desks skip these files: [`super::folder::parse_entry`] does not know their names.

use rusqlite::params;

use super::format::{self, Header, Kind};
use super::{header, Round};
use crate::crypto;
use crate::error::Result;
use crate::ids::DeskId;
use crate::store::Store;

/// The name of a scan's file in its desk's folder.
pub fn scan_file_name(sha256: &str) -> String {
    format!("f-{sha256}.qrt")
}

/// Writes the scans attached at this desk that are not in the shared folder yet.
pub(super) fn publish_scans(store: &mut Store, round: &mut Round) -> Result<u32> {
    let pending: Vec<String> = store
        .conn()
        .prepare("SELECT sha256 FROM scan_blob WHERE published = 0 ORDER BY sha256")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let Some(key) = round.keys.keys.get(&round.keys.current) else { return Ok(0) };
    let dir = round.folder.desk_dir(round.this);
    let mut written = 0;
    for sha in pending {
        let content: Vec<u8> =
            store.conn().query_row("SELECT content FROM scan_blob WHERE sha256 = ?1", [&sha], |r| r.get(0))?;
        let file =
            format::seal_file(header(Kind::Scan, round.this, 0, round.now_ms), &content, key, &round.keys.signer);
        super::folder::publish(&dir, &scan_file_name(&sha), &file)?;
        store.local_write(|tx| {
            tx.execute("UPDATE scan_blob SET published = 1 WHERE sha256 = ?1", [&sha])?;
            Ok(())
        })?;
        written += 1;
    }
    Ok(written)
}

/// Fetches the scans described here whose bytes this desk lacks, from the desk that attached each.
/// A file that fails a check is left where it is and named in the report's warnings.
pub(super) fn fetch_scans(store: &mut Store, round: &mut Round) -> Result<u32> {
    let missing: Vec<(String, DeskId, String)> = store
        .conn()
        .prepare(
            "SELECT DISTINCT s.sha256, s.desk_id, coalesce(s.file_name, '') FROM sheet_scan s
             WHERE s.deleted = 0 AND s.sha256 IS NOT NULL AND s.desk_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM scan_blob b WHERE b.sha256 = s.sha256)",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut fetched = 0;
    for (sha, desk, name) in missing {
        let path = round.folder.desk_dir(desk).join(scan_file_name(&sha));
        let Ok(file) = std::fs::read(&path) else { continue }; // not here yet: a later sync
        match open_scan(&file, desk, &sha, round) {
            Ok(content) => {
                store.local_write(|tx| {
                    tx.execute(
                        "INSERT INTO scan_blob (sha256, content, published) VALUES (?1, ?2, 1)
                         ON CONFLICT (sha256) DO NOTHING",
                        params![sha, content],
                    )?;
                    Ok(())
                })?;
                fetched += 1;
            }
            Err(reason) => round.report.warnings.push(format!("scansione «{name}» non accettata: {reason}")),
        }
    }
    Ok(fetched)
}

/// Opens a scan's file: its header names the desk that attached it, its signature is that desk's,
/// it decrypts with a team key this desk holds, and its bytes have the SHA-256 its name says.
fn open_scan(file: &[u8], desk: DeskId, sha: &str, round: &Round) -> std::result::Result<Vec<u8>, String> {
    let header = Header::parse(file).map_err(|e| e.to_string())?;
    if header.kind != Kind::Scan || header.desk != desk {
        return Err("il file non è la scansione di questa postazione".into());
    }
    let peer = if desk == round.this { None } else { round.known.get(&desk) };
    let verifying_key = match peer {
        Some(p) => p.verifying_key,
        None if desk == round.this => round.keys.signer.verifying_key(),
        None => return Err("la postazione che l'ha scritta non è ancora conosciuta".into()),
    };
    let (signed, signature) = format::split_signature(file);
    if !crypto::verify(&verifying_key, signed, &signature) {
        return Err("la firma della postazione non corrisponde (file alterato)".into());
    }
    let key = round.keys.keys.get(&header.key_id).ok_or("manca la chiave del gruppo con cui è cifrata")?;
    let content = format::open_file(file, &header, key).map_err(|e| e.to_string())?;
    if crypto::sha256_hex(&content) != sha {
        return Err("il contenuto non è quello descritto (impronta SHA-256 diversa)".into());
    }
    Ok(content)
}
