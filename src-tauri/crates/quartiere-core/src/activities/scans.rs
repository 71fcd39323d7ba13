//! Scans of signed attendance sheets: the evidence an ESF auditor asks for. A scan is a PDF or an
//! image; its bytes are kept inside the encrypted database (never as a loose file), described by a
//! synced row, and carried to the other desks by sync in files of their own (`sync/scans.rs`),
//! never inside the change bundles.

use rusqlite::{params, OptionalExtension};

use super::sheet::sheet_code;
use crate::access::{self, Action};
use crate::audit::{self, AuditKind};
use crate::error::{Error, Result};
use crate::ids::{ActivityId, SheetId};
use crate::schema::Table;
use crate::store::{Actor, Store};

/// The largest scan accepted, in bytes (a few pages at 300 dpi fit many times over).
pub const SCAN_MAX: usize = 25 * 1024 * 1024;

/// What a file is, from its first bytes (never from its name): the types a scanner or a phone
/// writes. `None` for anything else.
pub fn scan_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("image/tiff")
    } else {
        None
    }
}

/// A scan, as listed on its activity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScanInfo {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: uuid::Uuid,
    /// The sheet's code (`FP-…`).
    pub sheet: String,
    pub file_name: String,
    pub mime: String,
    pub bytes: u32,
    pub attached_at: String,
    pub attached_by: String,
    /// Whether this desk has the bytes yet (a scan attached at another desk arrives with a later
    /// sync than its description).
    pub here: bool,
}

/// Checks a file offered as a scan: its type (from its first bytes), that it is neither empty nor
/// too large. The reason, in Italian, names the file.
pub fn check_scan(file_name: &str, bytes: &[u8]) -> Result<&'static str> {
    let name = file_name.trim();
    let mime = match scan_type(bytes) {
        _ if bytes.is_empty() => return Err(Error::invalid("scansione", format!("«{name}» è vuoto"))),
        Some(mime) => mime,
        None => {
            return Err(Error::invalid(
                "scansione",
                format!(
                    "«{name}» non è un PDF né un'immagine (JPEG, PNG, TIFF): scegli la scansione del foglio firmato"
                ),
            ))
        }
    };
    if bytes.len() > SCAN_MAX {
        return Err(Error::invalid(
            "scansione",
            format!(
                "«{name}» è troppo grande ({} MB, al massimo {} MB): scansiona a 200-300 dpi",
                bytes.len().div_ceil(1024 * 1024),
                SCAN_MAX / (1024 * 1024)
            ),
        ));
    }
    Ok(mime)
}

/// Attaches the scan of a signed sheet. Refused with a reason, writing nothing: a file that is not
/// a PDF or an image, an empty or oversized one ([`check_scan`]), an unknown sheet.
pub fn attach_scan(
    store: &mut Store,
    actor: &Actor,
    sheet: SheetId,
    file_name: &str,
    bytes: &[u8],
) -> Result<ScanInfo> {
    access::require(store.conn(), actor, Action::RecordActivities)?;
    let name = file_name.trim();
    let mime = check_scan(name, bytes)?;
    let activity: ActivityId = store
        .conn()
        .query_row("SELECT activity_id FROM attendance_sheet WHERE id = ?1 AND deleted = 0", [sheet], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "foglio presenze", key: sheet_code(sheet) })?;
    let sha = crate::crypto::sha256_hex(bytes);
    let desk = store.desk();
    let at = store.now().to_rfc3339();
    let id = store.write(actor, |w| {
        let id = w.new_id();
        w.insert(
            Table::SheetScan,
            id,
            &[
                ("sheet_id", sheet.to_string().into()),
                ("file_name", name.to_string().into()),
                ("mime", mime.to_string().into()),
                ("bytes", (bytes.len() as i64).into()),
                ("sha256", sha.clone().into()),
                ("desk_id", desk.to_string().into()),
                ("attached_at", at.clone().into()),
                ("attached_by", actor.operator.to_string().into()),
            ],
        )?;
        // The bytes, in the same transaction: a scan is described only if it is kept.
        w.conn().execute(
            "INSERT INTO scan_blob (sha256, content, published) VALUES (?1, ?2, 0) ON CONFLICT (sha256) DO NOTHING",
            params![sha, bytes],
        )?;
        Ok(id)
    })?;
    scans_of(store.conn(), activity)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| Error::NotFound { what: "scansione", key: id.to_string() })
}

pub(crate) fn scans_of(conn: &rusqlite::Connection, activity: ActivityId) -> Result<Vec<ScanInfo>> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.sheet_id, coalesce(s.file_name, ''), coalesce(s.mime, ''), coalesce(s.bytes, 0),
                coalesce(s.attached_at, ''), coalesce(o.name, ''),
                EXISTS (SELECT 1 FROM scan_blob b WHERE b.sha256 = s.sha256)
         FROM sheet_scan s JOIN attendance_sheet f ON f.id = s.sheet_id
         LEFT JOIN operator o ON o.id = s.attached_by
         WHERE f.activity_id = ?1 AND s.deleted = 0
         ORDER BY s.attached_at, s.id",
    )?;
    let rows = stmt.query_map([activity], |r| {
        Ok(ScanInfo {
            id: crate::store::parse_uuid(&r.get::<_, String>(0)?).unwrap_or_default(),
            sheet: sheet_code(r.get(1)?),
            file_name: r.get(2)?,
            mime: r.get(3)?,
            bytes: r.get(4)?,
            attached_at: r.get(5)?,
            attached_by: r.get(6)?,
            here: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A scan's file name, type and bytes, to open it; the look is recorded in the audit log, since a
/// signed sheet names people. Not yet here (still on its way from another desk): an Italian error.
pub fn scan_file(store: &mut Store, actor: &Actor, scan: uuid::Uuid) -> Result<(String, String, Vec<u8>)> {
    access::require(store.conn(), actor, Action::ReadActivities)?;
    let found: Option<(String, String, ActivityId, Option<Vec<u8>>)> = store
        .conn()
        .query_row(
            "SELECT coalesce(s.file_name, ''), coalesce(s.mime, ''), f.activity_id, b.content
             FROM sheet_scan s JOIN attendance_sheet f ON f.id = s.sheet_id
             LEFT JOIN scan_blob b ON b.sha256 = s.sha256
             WHERE s.id = ?1 AND s.deleted = 0",
            [scan.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let (name, mime, activity, content) =
        found.ok_or_else(|| Error::NotFound { what: "scansione", key: scan.to_string() })?;
    let content = content.ok_or_else(|| {
        Error::invalid(
            "scansione",
            format!("«{name}» non è ancora arrivata da chi l'ha allegata: sincronizza e riprova"),
        )
    })?;
    audit::record(store, actor, AuditKind::Read, Some((Table::Activity, activity.0)), &format!("scansione «{name}»"))?;
    Ok((name, mime, content))
}
