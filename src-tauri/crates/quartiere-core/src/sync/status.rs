//! What the sync screen shows: the desks, refused files, warnings, and the conflicts to review
//! with their settling.

use std::collections::BTreeSet;

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::base;
use super::folder::Folder;
use super::team::{key_files, removed_desks};
use super::{
    now_text, ConflictChoice, ConflictView, DeskStatus, Keys, RefusedFile, SyncStatus, META_FOLDER, META_FORK,
    META_LAST_SYNC, META_RETIRED, META_SIGNER,
};
use crate::error::{Error, RefusalKind, Result};
use crate::ids::{DeskId, OperatorId};
use crate::schema::table_label;
use crate::schema::Table;
use crate::store::{meta_get, Actor, Store};

/// The desk whose change a cell holds now: the newest of the cell's changes in the change record
/// and in the snapshot base.
pub(super) fn winning_desk(conn: &Connection, table: Table, row: Uuid, column: &str) -> Result<Option<DeskId>> {
    let logged = base::newest_logged(conn, table, row, column)?;
    let based =
        base::cells_of(conn, table, row)?.into_iter().filter(|c| c.column == column).map(|c| (c.hlc, c.desk)).max();
    Ok(logged.max(based).map(|(_, desk)| desk))
}

/// The sync screen's data.
pub fn status(store: &Store, actor: &Actor) -> Result<SyncStatus> {
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let conn = store.conn();
    let this = store.desk();
    let folder = meta_get(conn, META_FOLDER)?;
    let enrolled = folder.is_some() && meta_get(conn, META_SIGNER)?.is_some();
    let published: (i64, Option<String>) =
        conn.query_row("SELECT coalesce(max(seq), 0), max(created_at) FROM sync_published", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let last_change: i64 =
        conn.query_row("SELECT coalesce(max(last_change), 0) FROM sync_published", [], |r| r.get(0))?;
    let unpublished: i64 = conn.query_row(
        "SELECT count(*) FROM change_log WHERE seq > ?1 AND desk_id = ?2 AND origin_seq IS NULL",
        params![last_change, this],
        |r| r.get(0),
    )?;
    let (removed, new_key_waiting) = match (enrolled, Keys::load(conn)) {
        (true, Ok(keys)) if keys.folder.is_dir() => {
            let folder = Folder::new(&keys.folder);
            let waiting = key_files(&folder)?.iter().any(|(_, f)| !keys.keys.contains_key(&f.key_id));
            (removed_desks(&folder, &keys)?, waiting)
        }
        _ => (BTreeSet::new(), false),
    };
    let retired: BTreeSet<Uuid> =
        meta_get(conn, META_RETIRED)?.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default();
    let this_name: String = conn
        .query_row("SELECT name FROM desk WHERE id = ?1", [this], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "questa postazione".into());
    let mut desks = vec![DeskStatus {
        desk_id: this,
        name: this_name,
        this_desk: true,
        removed: removed.contains(&this.0),
        replaced: false,
        last_seq: published.0 as u32,
        last_bundle_at: published.1,
    }];
    let mut stmt =
        conn.prepare("SELECT desk_id, name, last_seq, last_bundle_at FROM sync_peer ORDER BY name, desk_id")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, DeskId>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?))
    })?;
    for row in rows {
        let (desk_id, name, last_seq, last_bundle_at) = row?;
        desks.push(DeskStatus {
            desk_id,
            name,
            this_desk: false,
            removed: removed.contains(&desk_id.0),
            replaced: retired.contains(&desk_id.0),
            last_seq: last_seq as u32,
            last_bundle_at,
        });
    }
    let refused = conn
        .prepare("SELECT path, kind, reason FROM sync_refused ORDER BY path")?
        .query_map([], |r| {
            let kind: Option<String> = r.get(1)?;
            Ok(RefusedFile {
                path: r.get(0)?,
                kind: kind.as_deref().and_then(RefusalKind::from_code),
                reason: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let open_conflicts: i64 =
        conn.query_row("SELECT count(*) FROM sync_conflict WHERE resolved_at IS NULL", [], |r| r.get(0))?;
    let warnings = conn
        .prepare("SELECT message FROM sync_event WHERE kind IN ('warning', 'fork') ORDER BY id DESC LIMIT 5")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let mut blocked = meta_get(conn, META_FORK)?;
    if blocked.is_none() && removed.contains(&this.0) {
        blocked = Some("questa postazione è stata rimossa dal gruppo: non può più sincronizzare".into());
    }
    Ok(SyncStatus {
        enrolled,
        folder,
        desk_id: this,
        last_sync_at: meta_get(conn, META_LAST_SYNC)?,
        unpublished_changes: unpublished as u32,
        desks,
        refused,
        open_conflicts: open_conflicts as u32,
        warnings,
        new_key_waiting,
        blocked,
    })
}

pub(super) fn show_value(value: &Value) -> String {
    match value {
        Value::Null => "(vuoto)".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        Value::Text(t) if t.is_empty() => "(vuoto)".into(),
        Value::Text(t) => t.clone(),
        Value::Blob(b) => format!("{} byte", b.len()),
    }
}

pub(super) fn desk_name(conn: &Connection, desk: DeskId) -> Result<String> {
    Ok(conn
        .query_row("SELECT name FROM desk WHERE id = ?1", [desk], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "postazione sconosciuta".into()))
}

pub(super) fn record_label(conn: &Connection, table: Table, id: Uuid) -> Result<String> {
    let sql = match table {
        Table::Person => "SELECT surname || ' ' || name FROM person WHERE id = ?1",
        Table::Dwelling => "SELECT street || ' ' || civic FROM dwelling WHERE id = ?1",
        Table::Household => {
            "SELECT d.street || ' ' || d.civic FROM household h JOIN dwelling d ON d.id = h.dwelling_id WHERE h.id = ?1"
        }
        Table::Partner => "SELECT name FROM partner WHERE id = ?1",
        Table::Desk => "SELECT name FROM desk WHERE id = ?1",
        Table::Operator => "SELECT name FROM operator WHERE id = ?1",
        _ => return Ok(table_label(table).to_string()),
    };
    Ok(conn.query_row(sql, [id.to_string()], |r| r.get::<_, String>(0)).optional()?.unwrap_or_default())
}

/// Open conflicts, oldest first.
pub fn conflicts(store: &Store, actor: &Actor) -> Result<Vec<ConflictView>> {
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let conn = store.conn();
    let mut stmt = conn.prepare(
        "SELECT id, tbl, row_id, col, loser_value, loser_desk, loser_operator, detected_at
         FROM sync_conflict WHERE resolved_at IS NULL ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Value>(4)?,
                r.get::<_, DeskId>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (id, tbl, row_id, col, loser, loser_desk, loser_operator, detected_at) in rows {
        let Some(table) = Table::from_name(&tbl) else { continue };
        let row = crate::store::parse_uuid(&row_id)?;
        let current: Value =
            conn.query_row(&format!("SELECT t.{col} FROM {tbl} t WHERE t.id = ?1"), params![row_id], |r| r.get(0))?;
        let current_desk = winning_desk(conn, table, row, &col)?;
        let operator = Uuid::parse_str(&loser_operator)
            .ok()
            .map(|o| crate::access::operator_name(conn, OperatorId(o)))
            .transpose()?
            .unwrap_or_default();
        out.push(ConflictView {
            id,
            record_kind: table_label(table).to_string(),
            table: tbl,
            row_id: row,
            record_label: record_label(conn, table, row)?,
            field: col,
            current_value: show_value(&current),
            current_desk: current_desk.map(|d| desk_name(conn, d)).transpose()?.unwrap_or_default(),
            other_value: show_value(&loser),
            other_desk: desk_name(conn, loser_desk)?,
            other_operator: operator,
            detected_at,
        });
    }
    Ok(out)
}

/// Settles a conflict: the chosen value is written again as a new edit, so it wins on every desk
/// (and settles the same conflict there when it arrives).
pub fn resolve_conflict(store: &mut Store, actor: &Actor, id: i64, choice: ConflictChoice) -> Result<()> {
    crate::access::require(store.conn(), actor, crate::access::Action::Sync)?;
    let row: Option<(String, String, String, Value)> = store
        .conn()
        .query_row(
            "SELECT tbl, row_id, col, loser_value FROM sync_conflict WHERE id = ?1 AND resolved_at IS NULL",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((tbl, row_id, col, loser)) = row else {
        return Err(Error::NotFound { what: "conflitto", key: id.to_string() });
    };
    let table = Table::from_name(&tbl).ok_or_else(|| Error::invalid("tbl", "tabella sconosciuta"))?;
    if !table.has_column(&col) {
        return Err(Error::invalid("col", "colonna sconosciuta"));
    }
    let row = crate::store::parse_uuid(&row_id)?;
    let value = match choice {
        ConflictChoice::Other => loser,
        ConflictChoice::Current => {
            store.conn().query_row(&format!("SELECT {col} FROM {tbl} WHERE id = ?1"), [&row_id], |r| r.get(0))?
        }
    };
    store.write(actor, |w| w.reassert(table, row, &[(col.as_str(), value)]))?;
    let now = now_text(store);
    let resolution = match choice {
        ConflictChoice::Current => "kept_current",
        ConflictChoice::Other => "took_other",
    };
    store.local_write(|tx| {
        tx.execute(
            "UPDATE sync_conflict SET resolved_at = ?1, resolution = ?2
             WHERE tbl = ?3 AND row_id = ?4 AND col = ?5 AND resolved_at IS NULL",
            params![now, resolution, tbl, row_id, col],
        )?;
        Ok(())
    })?;
    Ok(())
}
