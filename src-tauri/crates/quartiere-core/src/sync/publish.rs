//! Publishing: this desk's bundle of new changes and acknowledgements, a snapshot now and then,
//! and pruning the desk's own files every other desk has.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::folder::{Entry, Folder, Listed};
use super::format::{Kind, Payload, WireChange};
use super::{base, folder, format, merge, Round};
use super::{
    frontier, frontier_from_json, frontier_to_json, header, now_text, sync_with, Keys, SyncReport, META_BASE,
    META_LAST_FRONTIER, SNAPSHOT_EVERY,
};
use crate::clock::Hlc;
use crate::crypto;
use crate::error::{Error, Refusal, Result};
use crate::ids::{DeskId, OperatorId};
use crate::schema::Table;
use crate::store::{meta_get, meta_set, Actor, Store};

/// Publishes this desk's own changes (and its acknowledgements), a snapshot when one is due or
/// asked for, and prunes the desk's own files every other desk has.
pub(super) fn publish(store: &mut Store, round: &mut Round, force_snapshot: bool) -> Result<()> {
    publish_bundle(store, &round.keys, &round.folder, &mut round.report)?;
    let own_snapshot = latest_own_snapshot(&round.listed, round.this);
    let own_seq: i64 = store.conn().query_row("SELECT coalesce(max(seq), 0) FROM sync_published", [], |r| r.get(0))?;
    if own_seq > 0
        && (force_snapshot || own_seq as u64 >= own_snapshot + SNAPSHOT_EVERY)
        && own_seq as u64 != own_snapshot
    {
        write_snapshot(store, &round.keys, &round.folder, own_seq as u64)?;
        round.report.snapshot_written = Some(own_seq as u32);
    }
    round.report.files_pruned = prune(store, &round.folder, &round.removed, &round.retired)?;
    Ok(())
}

pub(super) fn publish_bundle(store: &mut Store, keys: &Keys, folder: &Folder, report: &mut SyncReport) -> Result<()> {
    let this = store.desk();
    let (last_seq, last_change): (i64, i64) = store.conn().query_row(
        "SELECT coalesce(max(seq), 0), coalesce(max(last_change), 0) FROM sync_published",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let seq = last_seq as u64 + 1;
    let mut changes = Vec::new();
    let mut contexts: Vec<BTreeMap<DeskId, u64>> = Vec::new();
    let mut context_index: BTreeMap<Option<i64>, u32> = BTreeMap::new();
    let mut upto = last_change;
    {
        let mut stmt = store.conn().prepare(
            "SELECT seq, batch, tbl, row_id, col, value, hlc, operator_id, ctx FROM change_log
             WHERE seq > ?1 AND desk_id = ?2 AND origin_seq IS NULL ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![last_change, this])?;
        while let Some(r) = rows.next()? {
            let ctx: Option<i64> = r.get(8)?;
            let context = match context_index.get(&ctx) {
                Some(&i) => i,
                None => {
                    let frontier = match ctx {
                        Some(id) => frontier_from_json(
                            store
                                .conn()
                                .query_row("SELECT frontier FROM sync_context WHERE id = ?1", [id], |r| r.get(0))
                                .optional()?,
                        ),
                        None => BTreeMap::new(),
                    };
                    contexts.push(frontier);
                    context_index.insert(ctx, contexts.len() as u32 - 1);
                    contexts.len() as u32 - 1
                }
            };
            upto = upto.max(r.get::<_, i64>(0)?);
            let tbl: String = r.get(2)?;
            let table =
                Table::from_name(&tbl).ok_or_else(|| Error::invalid("tbl", format!("tabella sconosciuta {tbl}")))?;
            changes.push(WireChange {
                table,
                batch: crate::store::parse_uuid(&r.get::<_, String>(1)?)?,
                row_id: crate::store::parse_uuid(&r.get::<_, String>(3)?)?,
                column: known_column(table, r.get_ref(4)?.as_str().map_err(rusqlite::Error::from)?)?,
                value: r.get(5)?,
                hlc: Hlc::from_i64(r.get(6)?),
                desk: this,
                operator: r.get::<_, OperatorId>(7)?,
                origin_seq: seq,
                context,
            });
        }
    }
    let mut frontier = frontier(store.conn(), this)?;
    frontier.insert(this, seq);
    let previous = frontier_from_json(meta_get(store.conn(), META_LAST_FRONTIER)?);
    if changes.is_empty() && !acknowledges_news(store.conn(), &previous, &frontier, this)? {
        return Ok(());
    }
    let payload = Payload { frontier: frontier.clone(), contexts, changes };
    let current = &keys.keys[&keys.current];
    let bytes = format::seal_file(
        header(Kind::Bundle, this, seq, store.now().timestamp_millis()),
        &payload.encode(),
        current,
        &keys.signer,
    );
    let hash = crypto::sha256_hex(&bytes);
    let now = now_text(store);
    let count = payload.changes.len();
    let dir = folder.desk_dir(this);
    // Recorded and published together: if the file cannot be written, nothing is recorded; a crash
    // after the file and before the commit is recognised at the next sync (the bundle is adopted).
    store.local_write(|tx| {
        tx.execute(
            "INSERT INTO sync_published (seq, hash, last_change, changes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![seq as i64, hash, upto, count as i64, now],
        )?;
        tx.execute(
            "UPDATE change_log SET origin_seq = ?1 WHERE seq > ?2 AND seq <= ?3 AND desk_id = ?4 AND origin_seq IS NULL",
            params![seq as i64, last_change, upto, this],
        )?;
        meta_set(tx, META_LAST_FRONTIER, &frontier_to_json(&frontier))?;
        if !folder::publish(&dir, &folder::bundle_name(seq), &bytes)? {
            return Err(Refusal::OwnBundleExists { seq }.into());
        }
        Ok(())
    })?;
    report.published_seq = Some(seq as u32);
    report.published_changes = count as u32;
    Ok(())
}

/// Whether `frontier` acknowledges more than `previous` (what this desk last published) did:
/// another desk's bundle with changes, or a snapshot. An acknowledgement alone is not news: a
/// desk that acknowledged every acknowledgement would answer the other's answer at every sync,
/// for ever, with nothing to say.
pub(super) fn acknowledges_news(
    conn: &Connection,
    previous: &BTreeMap<DeskId, u64>,
    frontier: &BTreeMap<DeskId, u64>,
    this: DeskId,
) -> Result<bool> {
    let base = frontier_from_json(meta_get(conn, META_BASE)?);
    let mut with_changes = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM sync_received WHERE desk_id = ?1 AND seq > ?2 AND seq <= ?3 AND changes > 0)",
    )?;
    for (&desk, &now) in frontier.iter().filter(|(d, _)| **d != this) {
        let before = previous.get(&desk).copied().unwrap_or(0);
        if now <= before {
            continue;
        }
        if base.get(&desk).is_some_and(|&b| b > before)
            || with_changes.query_row(params![desk, before as i64, now as i64], |r| r.get::<_, bool>(0))?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(super) fn latest_own_snapshot(listed: &[Listed], this: DeskId) -> u64 {
    listed
        .iter()
        .filter_map(|i| match i.entry {
            Entry::Snapshot { desk, seq } if desk == this => Some(seq),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Writes the whole current state (the winning change of every cell, with its clock and origin)
/// as `s-<own seq>.qrt`, for new desks.
pub(super) fn write_snapshot(store: &mut Store, keys: &Keys, folder: &Folder, own_seq: u64) -> Result<()> {
    let this = store.desk();
    let mut changes = Vec::new();
    {
        let mut stmt = store.conn().prepare(
            "SELECT batch, tbl, row_id, col, value, hlc, desk_id, operator_id, origin_seq FROM (
                 SELECT *, row_number() OVER (PARTITION BY tbl, row_id, col ORDER BY hlc DESC, desk_id DESC) AS rank
                 FROM change_log WHERE origin_seq IS NOT NULL)
             WHERE rank = 1 ORDER BY tbl, row_id, seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let tbl: String = r.get(1)?;
            let table =
                Table::from_name(&tbl).ok_or_else(|| Error::invalid("tbl", format!("tabella sconosciuta {tbl}")))?;
            changes.push(WireChange {
                batch: crate::store::parse_uuid(&r.get::<_, String>(0)?)?,
                table,
                row_id: crate::store::parse_uuid(&r.get::<_, String>(2)?)?,
                column: known_column(table, r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?)?,
                value: r.get(4)?,
                hlc: Hlc::from_i64(r.get(5)?),
                desk: r.get(6)?,
                operator: r.get(7)?,
                origin_seq: r.get::<_, i64>(8)? as u64,
                context: 0,
            });
        }
    }
    // Rows loaded from a snapshot: their base cells, unless the change record holds a later one.
    if base::any(store.conn())? {
        let mut at: HashMap<(Table, Uuid, &str), usize> =
            changes.iter().enumerate().map(|(i, c)| ((c.table, c.row_id, c.column), i)).collect();
        let conn = store.conn();
        base::for_each(conn, |table, row_id, cells| {
            let mut values = None;
            for b in cells {
                let key = (table, row_id, b.column);
                if at.get(&key).is_some_and(|&i| (changes[i].hlc, changes[i].desk) >= (b.hlc, b.desk)) {
                    continue;
                }
                // The winner is the base cell: its value is the row's.
                if values.is_none() {
                    values = Some(merge::row_values(conn, table, row_id)?.unwrap_or_default());
                }
                let cell = WireChange {
                    table,
                    row_id,
                    column: b.column,
                    value: merge::column_value(table, values.as_deref().unwrap_or_default(), b.column),
                    hlc: b.hlc,
                    desk: b.desk,
                    operator: b.operator,
                    batch: b.batch,
                    origin_seq: b.origin_seq,
                    context: 0,
                };
                match at.get(&key) {
                    Some(&i) => changes[i] = cell,
                    None => {
                        at.insert(key, changes.len());
                        changes.push(cell);
                    }
                }
            }
            Ok(())
        })?;
    }
    // Rows in dependency order (tables as listed in the schema), each row's cells together and rows
    // in id order, so a reader can apply them as they come or load a table in one pass.
    changes.sort_by_key(|c| (Table::ALL.iter().position(|t| *t == c.table), c.row_id));
    let mut frontier = frontier(store.conn(), this)?;
    frontier.insert(this, own_seq);
    // Every change in a snapshot is old news to its reader: one context, the snapshot's frontier.
    let payload = Payload { contexts: vec![frontier.clone()], frontier, changes };
    let current = &keys.keys[&keys.current];
    let bytes = format::seal_file(
        header(Kind::Snapshot, this, own_seq, store.now().timestamp_millis()),
        &payload.encode(),
        current,
        &keys.signer,
    );
    folder::publish(&folder.desk_dir(this), &folder::snapshot_name(own_seq), &bytes)?;
    Ok(())
}

/// A column name read from the change record, as the table's own.
pub(super) fn known_column(table: Table, name: &str) -> Result<&'static str> {
    table.column(name).ok_or_else(|| Error::invalid("col", format!("colonna sconosciuta {name}")))
}

/// Writes a snapshot now (CLI `quartiere sync --snapshot`, and the benchmark).
pub fn snapshot_now(store: &mut Store, actor: &Actor) -> Result<SyncReport> {
    sync_with(store, actor, true, &mut |_| {})
}

/// Deletes this desk's own files every desk already has: bundles acknowledged by every other desk
/// still in the team (none while no other desk is known; not the old identity of a desk that
/// re-enrolled, which never syncs again) and covered by one of its snapshots, and its snapshots
/// but the newest. Only a desk's
/// own folder is ever touched. Returns how many files went.
pub(super) fn prune(
    store: &mut Store,
    folder: &Folder,
    removed: &BTreeSet<Uuid>,
    retired: &BTreeSet<DeskId>,
) -> Result<u32> {
    let this = store.desk();
    let listed = folder.list()?;
    let own_snapshot = latest_own_snapshot(&listed, this);
    if own_snapshot == 0 {
        return Ok(0);
    }
    // Every desk of the team this desk knows of: those whose card it pinned and any other with a
    // file in the folder (its card may be on its way), each at what it acknowledged, nothing for a
    // desk not heard from. With no other desk known, nothing is acknowledged by all.
    let mut acked: BTreeMap<DeskId, u64> = BTreeMap::new();
    for item in &listed {
        let (Entry::Card { desk } | Entry::Bundle { desk, .. } | Entry::Snapshot { desk, .. }) = item.entry;
        acked.insert(desk, 0);
    }
    let mut stmt = store.conn().prepare("SELECT desk_id, acked FROM sync_peer")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, DeskId>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (desk, frontier) = row?;
        acked.insert(desk, frontier_from_json(Some(frontier)).get(&this).copied().unwrap_or(0));
    }
    acked.remove(&this);
    acked.retain(|desk, _| !removed.contains(&desk.0) && !retired.contains(desk));
    let acked_by_all = match acked.values().min() {
        Some(&least) => least.min(own_snapshot),
        None => 0,
    };
    let mut pruned = 0;
    for item in &listed {
        let gone = match item.entry {
            Entry::Bundle { desk, seq } => desk == this && seq <= acked_by_all,
            Entry::Snapshot { desk, seq } => desk == this && seq < own_snapshot,
            Entry::Card { .. } => false,
        };
        if gone && item.remove().is_ok() {
            pruned += 1;
        }
    }
    Ok(pruned)
}
