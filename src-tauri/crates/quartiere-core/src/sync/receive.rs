//! Receiving: applying another desk's bundle in one transaction, a new desk joining from a
//! snapshot, gaps filled from a writer's snapshot, and the list of refused files kept current.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use super::check::{check_card, check_file, open_checked, Checked};
use super::folder::{Entry, Listed};
use super::format::{ChangeReader, WireChange};
use super::{format, merge, Round, SyncError};
use super::{
    frontier, frontier_from_json, frontier_to_json, now_text, Keys, Peer, RefusedFile, SyncProgress, SyncReport,
    META_BASE, META_RETIRED, SKEW_WARNING_MS,
};
use crate::access::{self, Action, Role};
use crate::clock::Hlc;
use crate::crypto;
use crate::error::{Error, Refusal, Result};
use crate::ids::{DeskId, OperatorId};
use crate::schema::Table;
use crate::store::{meta_get, meta_set, Store};

/// Reads every desk card: pins each desk's signing key the first time it is seen, refuses a card
/// whose key changed, and notes the identities re-enrolled desks left behind.
pub(super) fn read_cards(store: &mut Store, round: &mut Round) -> Result<()> {
    for item in &round.listed {
        let Entry::Card { desk } = item.entry else { continue };
        let bytes = item.read()?;
        let checked = check_card(&bytes, desk, &round.keys);
        if let Ok(card) = &checked {
            round.retired.extend(card.replaces.map(DeskId));
        }
        if desk == round.this {
            continue;
        }
        match checked {
            Ok(card) => match round.known.get(&desk) {
                Some(peer) if crypto::b64(&peer.verifying_key) != card.verifying_key => {
                    refuse(store, &mut round.report, item, &Refusal::CardKeyChanged)?;
                }
                Some(_) => clear_refusal(store, item)?,
                None => {
                    store.local_write(|tx| {
                        tx.execute(
                            "INSERT INTO sync_peer (desk_id, name, verifying_key, first_seen) VALUES (?1, ?2, ?3, ?4)",
                            params![desk, card.name, card.verifying_key, round.now],
                        )?;
                        tx.execute("DELETE FROM sync_refused WHERE path = ?1", [&item.shown])?;
                        Ok(())
                    })?;
                    round.known.insert(
                        desk,
                        Peer { name: card.name, verifying_key: crypto::unb64(&card.verifying_key).expect("checked") },
                    );
                }
            },
            Err(reason) => refuse(store, &mut round.report, item, &reason)?,
        }
    }
    let retired_json =
        serde_json::to_string(&round.retired.iter().map(|d| d.0).collect::<Vec<Uuid>>()).expect("json of desk ids");
    if meta_get(store.conn(), META_RETIRED)?.as_deref().unwrap_or("[]") != retired_json {
        store.local_write(|tx| meta_set(tx, META_RETIRED, &retired_json))?;
    }
    Ok(())
}

/// A new desk joins from the newest snapshot instead of replaying all history. Returns whether
/// the desk has now applied something (it had before, or it joined now).
pub(super) fn join_if_new(
    store: &mut Store,
    round: &mut Round,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<bool> {
    let this = round.this;
    let was_new = is_new(store.conn())?;
    let has_snapshot = round.listed.iter().any(|i| matches!(i.entry, Entry::Snapshot { desk, .. } if desk != this));
    if was_new && has_snapshot {
        // Seconds for a large neighbourhood: say so rather than sit on "reading".
        progress(SyncProgress { phase: "snapshot".into(), done: 0, total: 1 });
        let Round { keys, known, removed, now, report, listed, .. } = round;
        if let Some(loaded) = load_snapshot(store, newest_first(listed, this), keys, known, removed, now, report)? {
            report.snapshot_loaded = Some(loaded);
        }
    }
    Ok(!was_new || round.report.snapshot_loaded.is_some())
}

/// Applies the other desks' new bundles in (desk, seq) order, each whole or not at all. Returns
/// the files that were refused before this sync, and how many bundles it tried.
pub(super) fn apply_bundles(
    store: &mut Store,
    round: &mut Round,
    progress: &mut dyn FnMut(SyncProgress),
) -> Result<(BTreeSet<String>, u32)> {
    let received: BTreeMap<(DeskId, u64), (String, i64)> = {
        let mut stmt = store.conn().prepare("SELECT desk_id, seq, hash, size FROM sync_received")?;
        let rows = stmt.query_map([], |r| {
            Ok(((r.get::<_, DeskId>(0)?, r.get::<_, i64>(1)? as u64), (r.get::<_, String>(2)?, r.get::<_, i64>(3)?)))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let base = frontier_from_json(meta_get(store.conn(), META_BASE)?);
    let refused_before: BTreeSet<String> = store
        .conn()
        .prepare("SELECT path FROM sync_refused")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let Round { keys, known, removed, now, now_ms, report, listed, this, .. } = round;
    let todo: Vec<&Listed> = listed
        .iter()
        .filter(|item| match item.entry {
            Entry::Bundle { desk, seq } => {
                desk != *this
                    && base.get(&desk).is_none_or(|&b| seq > b)
                    && (refused_before.contains(&item.shown)
                        || received.get(&(desk, seq)).is_none_or(|(_, size)| *size as u64 != item.size))
            }
            _ => false,
        })
        .collect();
    let total = todo.len() as u32;
    for (done, item) in todo.into_iter().enumerate() {
        progress(SyncProgress { phase: "applying".into(), done: done as u32, total });
        let Entry::Bundle { desk, seq } = item.entry else { continue };
        let bytes = match item.read() {
            Ok(b) => b,
            Err(e) => {
                refuse(store, report, item, &Refusal::Unreadable(e.to_string()))?;
                continue;
            }
        };
        if let Some((hash, _)) = received.get(&(desk, seq)) {
            // Already applied. The same file again (a whole copy after a half one) clears its refusal;
            // a valid, different file under the same name is a fork; a damaged copy is only reported.
            if *hash == crypto::sha256_hex(&bytes) {
                clear_refusal(store, item)?;
                continue;
            }
            let reason = match check_file(&bytes, item.entry, keys, known, removed) {
                Ok(_) => Refusal::Fork { desk: known.get(&desk).map(|p| p.name.clone()).unwrap_or_default(), seq },
                Err(reason) => Refusal::DamagedCopy(Box::new(reason)),
            };
            refuse(store, report, item, &reason)?;
            continue;
        }
        match check_file(&bytes, item.entry, keys, known, removed) {
            Ok(checked) => match apply_bundle(store, item, checked, known, *now_ms, now, report) {
                // A change its author's role did not allow: nothing of the bundle stays.
                Err(Error::Sync(SyncError::Refused(reason))) => refuse(store, report, item, &reason)?,
                other => other?,
            },
            Err(reason) => refuse(store, report, item, &reason)?,
        }
    }
    Ok((refused_before, total))
}

/// Bundles another desk pruned before this desk's card reached it: its snapshot has them.
/// Only for a desk that has applied something (a new desk joins from a snapshot first).
pub(super) fn fill_gaps(store: &mut Store, round: &mut Round, joined: bool) -> Result<()> {
    if !joined {
        return Ok(());
    }
    let Round { keys, known, removed, now, report, listed, this, .. } = round;
    for item in gaps_to_fill(store.conn(), listed, *this, removed)? {
        if let Some(loaded) = load_snapshot(store, vec![item], keys, known, removed, now, report)? {
            report.gaps_filled.push(loaded);
        }
    }
    Ok(())
}

/// Forgets refusals from earlier syncs of files this desk no longer needs (not those refused
/// again by this one).
pub(super) fn forget_settled(store: &mut Store, round: &Round, refused_before: BTreeSet<String>) -> Result<()> {
    let earlier: BTreeSet<String> =
        refused_before.into_iter().filter(|p| !round.report.refused.iter().any(|r| &r.path == p)).collect();
    let base = frontier_from_json(meta_get(store.conn(), META_BASE)?);
    forget_settled_refusals(store, &round.listed, &earlier, &base, !is_new(store.conn())?)
}

/// A refused file that has left the folder (pruned by the desk that wrote it, removed by hand)
/// is no longer something to show on the sync screen.
pub(super) fn forget_gone_refusals(store: &mut Store, listed: &[Listed]) -> Result<()> {
    let present: BTreeSet<&str> = listed.iter().map(|i| i.shown.as_str()).collect();
    let gone: Vec<String> = store
        .conn()
        .prepare("SELECT path FROM sync_refused")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|p| !present.contains(p.as_str()))
        .collect();
    if !gone.is_empty() {
        store.local_write(|tx| {
            for path in &gone {
                tx.execute("DELETE FROM sync_refused WHERE path = ?1", [path])?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

/// A refusal stands while its file is one this desk would still read. A bundle a loaded snapshot
/// covers is not read again, and once a desk has joined it reads a snapshot only to fill a gap (a
/// snapshot refused again by that is not passed here): what they met before (a desk's card that had
/// not arrived yet, say) is no longer something to show on the sync screen.
pub(super) fn forget_settled_refusals(
    store: &mut Store,
    listed: &[Listed],
    refused: &BTreeSet<String>,
    base: &BTreeMap<DeskId, u64>,
    joined: bool,
) -> Result<()> {
    for item in listed.iter().filter(|i| refused.contains(&i.shown)) {
        let settled = match item.entry {
            Entry::Bundle { desk, seq } => base.get(&desk).is_some_and(|&b| seq <= b),
            Entry::Snapshot { .. } => joined,
            Entry::Card { .. } => false,
        };
        if settled {
            clear_refusal(store, item)?;
        }
    }
    Ok(())
}

/// Records a refused file with its kind and, for the sync screen, its sentence; it is retried at
/// every sync until it passes or leaves the folder.
pub(super) fn refuse(store: &mut Store, report: &mut SyncReport, item: &Listed, refusal: &Refusal) -> Result<()> {
    let now = now_text(store);
    let (kind, reason) = (refusal.kind(), refusal.to_string());
    store.local_write(|tx| {
        tx.execute(
            "INSERT INTO sync_refused (path, kind, reason, size, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, size = excluded.size,
                 last_seen = excluded.last_seen",
            params![item.shown, kind.code(), reason, item.size as i64, now],
        )?;
        Ok(())
    })?;
    report.refused.push(RefusedFile { path: item.shown.clone(), kind: Some(kind), reason });
    Ok(())
}

pub(super) fn clear_refusal(store: &mut Store, item: &Listed) -> Result<()> {
    let present: bool =
        store.conn().query_row("SELECT count(*) > 0 FROM sync_refused WHERE path = ?1", [&item.shown], |r| r.get(0))?;
    if present {
        store.local_write(|tx| {
            tx.execute("DELETE FROM sync_refused WHERE path = ?1", [&item.shown]).map_err(Error::from)
        })?;
    }
    Ok(())
}

pub(super) fn apply_bundle(
    store: &mut Store,
    item: &Listed,
    checked: Checked,
    known: &BTreeMap<DeskId, Peer>,
    now_ms: i64,
    now: &str,
    report: &mut SyncReport,
) -> Result<()> {
    let Checked { header, payload, hash } = checked;
    let desk = header.desk;
    let name = known.get(&desk).map(|p| p.name.clone()).unwrap_or_default();
    let created = chrono::DateTime::from_timestamp_millis(header.created_ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    let ahead_ms =
        payload.changes.iter().map(|c| c.hlc.physical_ms() as i64).max().unwrap_or(0).max(header.created_ms) - now_ms;
    let stats = store.apply_tx(|tx| {
        let (stats, newest) = merge::merge(tx, &payload.changes, &payload.contexts, now)?;
        let mut authors = Authors::default();
        authors.gather(&payload.changes);
        authors.check(tx)?;
        crate::privacy::after_merge(tx, authors.erased(), now)?;
        tx.execute(
            "INSERT INTO sync_received (desk_id, seq, hash, size, changes, applied_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (desk_id, seq) DO NOTHING",
            params![desk, header.seq as i64, hash, item.size as i64, payload.changes.len() as i64, now],
        )?;
        tx.execute(
            "UPDATE sync_peer SET last_seq = ?2, last_bundle_at = ?3, acked = ?4 WHERE desk_id = ?1 AND last_seq < ?2",
            params![desk, header.seq as i64, created, frontier_to_json(&payload.frontier)],
        )?;
        tx.execute("DELETE FROM sync_refused WHERE path = ?1", [&item.shown])?;
        Ok((stats, newest))
    })?;
    report.bundles_applied += 1;
    report.changes_applied += stats.new as u32;
    report.duplicates += stats.duplicates as u32;
    report.new_conflicts += stats.conflicts as u32;
    if ahead_ms > SKEW_WARNING_MS {
        let warning = format!(
            "l'orologio della postazione «{name}» sembra avanti di circa {} minuti rispetto a questa: \
             controllate data e ora dei due computer (i dati sono stati applicati comunque)",
            ahead_ms / 60_000
        );
        if !report.warnings.contains(&warning) {
            report.warnings.push(warning);
        }
    }
    Ok(())
}

/// What the checks after a merge need to know of the changes it applied, gathered as they pass
/// (a snapshot's runs are freed once loaded): the newest clock of each author's writes to each
/// table, the audit events written, the people erased.
#[derive(Default)]
pub(super) struct Authors {
    pub(super) newest: BTreeMap<(OperatorId, Table), Hlc>,
    pub(super) audit_rows: BTreeSet<Uuid>,
    /// An audit event whose `desk_id` is not the desk that published it.
    pub(super) foreign_audit: bool,
    pub(super) erased: Vec<Uuid>,
}

impl Authors {
    fn gather(&mut self, changes: &[WireChange]) {
        // Changes come in long stretches of one operator and one table (a snapshot: millions):
        // the map is touched once per stretch.
        for stretch in changes.chunk_by(|a, b| (a.operator, a.table) == (b.operator, b.table)) {
            let hlc = stretch.iter().map(|c| c.hlc).max().unwrap_or_default();
            let e = self.newest.entry((stretch[0].operator, stretch[0].table)).or_insert(hlc);
            *e = (*e).max(hlc);
            match stretch[0].table {
                Table::AuditEvent => {
                    for c in stretch {
                        self.foreign_audit |= c.column == "desk_id" && c.value != Value::Text(c.desk.to_string());
                        self.audit_rows.insert(c.row_id);
                    }
                }
                Table::Person => {
                    let erased = stretch.iter().filter(|c| c.column == "erased_on" && c.value != Value::Null);
                    for c in erased {
                        if self.erased.last() != Some(&c.row_id) {
                            self.erased.push(c.row_id);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The people an erasure in these changes concerns (their `erased_on` was set).
    fn erased(&self) -> &[Uuid] {
        &self.erased
    }

    /// Sync obeys roles too: every change must have been allowed to its author by the author's
    /// role as it stood at the change's clock (the role's own history is in the change record,
    /// merged just before this check). One check per author, kind of write and newest clock, so a
    /// bundle of a hundred thousand changes costs a handful of lookups.
    fn check(&self, tx: &rusqlite::Connection) -> Result<()> {
        self.check_audit_events(tx)?;
        let mut checked: BTreeSet<(OperatorId, Action)> = BTreeSet::new();
        for (&(operator, table), hlc) in &self.newest {
            // The audit log is written by the core for every role; its own rule is checked above.
            let Some(action) = Action::writing(table) else { continue };
            if !checked.insert((operator, action)) {
                continue;
            }
            let role: Option<String> = tx
                .prepare_cached(
                    "SELECT value FROM change_log WHERE tbl = 'operator' AND row_id = ?1 AND col = 'role' AND hlc <= ?2
                     ORDER BY hlc DESC, desk_id DESC LIMIT 1",
                )?
                .query_row(params![operator, hlc.as_i64()], |r| r.get(0))
                .optional()?;
            let allowed = role.as_deref().and_then(Role::from_code).is_some_and(|r| access::allows(r, action));
            if !allowed {
                let name = crate::access::operator_name(tx, operator)?;
                let why = match role.as_deref().and_then(Role::from_code) {
                    Some(r) => format!("il suo ruolo «{}» non permette di {}", r.label(), action.describe()),
                    None => "non risulta un operatore attivo".into(),
                };
                return Err(Refusal::NotAllowed { author: name, why }.into());
            }
        }
        Ok(())
    }

    /// A desk appends only to its own audit chain, and nobody rewrites an event: each event's
    /// `desk_id` is the desk that published it, and each of its cells has exactly one change
    /// (checked after the merge, so a second value for a cell, from any desk, is caught).
    fn check_audit_events(&self, tx: &rusqlite::Connection) -> Result<()> {
        if self.foreign_audit {
            return Err(Refusal::ForeignAuditEvents.into());
        }
        let mut stmt = tx.prepare_cached(
            "SELECT count(*) - count(DISTINCT col) FROM change_log WHERE tbl = 'audit_event' AND row_id = ?1",
        )?;
        for row in &self.audit_rows {
            let rewritten: i64 = stmt.query_row([row.to_string()], |r| r.get(0))?;
            if rewritten > 0 {
                return Err(Refusal::RewritesAuditEvent.into());
            }
        }
        Ok(())
    }
}

/// The snapshots that fill the gaps the folder no longer can. A desk prunes its bundles once every
/// desk it knows of has them; a desk whose card had not yet reached its copy of the folder may
/// still lack some. The pruning desk's newest snapshot covers every bundle it pruned, and merging
/// it (last-writer-wins is idempotent) fills the gap. A bundle still in the folder is no such gap:
/// it is applied, or waits for a whole copy.
pub(super) fn gaps_to_fill<'a>(
    conn: &Connection,
    listed: &'a [Listed],
    this: DeskId,
    removed: &BTreeSet<Uuid>,
) -> Result<Vec<&'a Listed>> {
    let have = frontier(conn, this)?;
    let mut present = BTreeSet::new();
    let mut newest: BTreeMap<DeskId, (u64, &Listed)> = BTreeMap::new();
    for item in listed {
        match item.entry {
            Entry::Bundle { desk, seq } => {
                present.insert((desk, seq));
            }
            Entry::Snapshot { desk, seq }
                if desk != this && !removed.contains(&desk.0) && newest.get(&desk).is_none_or(|(s, _)| seq > *s) =>
            {
                newest.insert(desk, (seq, item));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (desk, (covers, item)) in newest {
        let from = have.get(&desk).copied().unwrap_or(0);
        if covers <= from {
            continue; // the everyday case: nothing to look at
        }
        let received: BTreeSet<u64> = conn
            .prepare_cached("SELECT seq FROM sync_received WHERE desk_id = ?1 AND seq > ?2 AND seq <= ?3")?
            .query_map(params![desk, from as i64, covers as i64], |r| Ok(r.get::<_, i64>(0)? as u64))?
            .collect::<rusqlite::Result<_>>()?;
        // The first bundle of `desk` this desk has not applied and the folder does not hold; the
        // walk takes at most one step per file held or applied.
        let mut seq = from + 1;
        while seq <= covers && (present.contains(&(desk, seq)) || received.contains(&seq)) {
            seq += 1;
        }
        if seq <= covers {
            out.push(item);
        }
    }
    Ok(out)
}

/// The other desks' snapshots, newest first by the time written in their headers.
pub(super) fn newest_first(listed: &[Listed], this: DeskId) -> Vec<&Listed> {
    let mut candidates: Vec<(i64, &Listed)> = listed
        .iter()
        .filter(|i| matches!(i.entry, Entry::Snapshot { desk, .. } if desk != this))
        .filter_map(|i| {
            let head = i.read_head::<{ format::HEADER_LEN }>()?;
            Some((i64::from_le_bytes(head[48..56].try_into().ok()?), i))
        })
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    candidates.into_iter().map(|(_, i)| i).collect()
}

/// A desk that has applied nothing yet, neither a snapshot nor a bundle.
pub(super) fn is_new(conn: &Connection) -> Result<bool> {
    let received: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sync_received)", [], |r| r.get(0))?;
    Ok(!received && meta_get(conn, META_BASE)?.is_none())
}

/// Loads the first of `candidates` that passes every check, in one transaction, and returns its
/// name; a candidate that fails is refused and the next is tried. A new desk joins by it (nearly
/// every page written is new); a desk that has joined fills a gap ([`gaps_to_fill`]). Afterwards
/// the desk's snapshot base covers, for every desk, what it covered before and what the snapshot
/// covers.
pub(super) fn load_snapshot(
    store: &mut Store,
    candidates: Vec<&Listed>,
    keys: &Keys,
    known: &BTreeMap<DeskId, Peer>,
    removed: &BTreeSet<Uuid>,
    now: &str,
    report: &mut SyncReport,
) -> Result<Option<String>> {
    let this = store.desk();
    let joining = is_new(store.conn())?;
    // What this desk already has: a change from a bundle its frontier covers is in its change
    // record or snapshot base, or loses to a change that is, so only the rest is merged (a gap
    // fill costs the gap, not the whole snapshot). Nothing, for a desk that joins.
    let have = if joining { BTreeMap::new() } else { frontier(store.conn(), this)? };
    for item in candidates {
        let bytes = item.read()?;
        let (version, plain) = match open_checked(&bytes, item.entry, keys, known, removed) {
            Ok((header, plain)) => (header.version, plain),
            Err(reason) => {
                refuse(store, report, item, &reason)?;
                continue;
            }
        };
        let (frontier, contexts, changes) = match ChangeReader::open(&plain, version) {
            Ok(opened) => opened,
            Err(e) => {
                refuse(store, report, item, &Refusal::from(e))?;
                continue;
            }
        };
        let mut base = frontier;
        base.remove(&this);
        // The changes are decoded on a second thread and loaded run by run as they come: a fault
        // found late in the file refuses it whole, since all of it is one transaction.
        let applied = std::thread::scope(|scope| {
            let (send, runs) = std::sync::mpsc::sync_channel::<std::result::Result<Vec<WireChange>, Refusal>>(2);
            let have = &have;
            let decoder = scope.spawn(move || decode_runs(changes, have, send));
            let work = move |tx: &rusqlite::Transaction<'_>| {
                let runs = runs.into_iter().map(|run| run.map_err(Error::from));
                let (stats, newest) = merge::load_snapshot(tx, runs, &contexts, now)?;
                // The runs also end if the decoder stopped by a fault of its own, not at the end of
                // the file: then nothing of the load may stay.
                let Ok(authors) = decoder.join() else {
                    return Err(Refusal::LoadInterrupted.into());
                };
                authors.check(tx)?;
                crate::privacy::after_merge(tx, authors.erased(), now)?;
                let mut covered = frontier_from_json(meta_get(tx, META_BASE)?);
                for (desk, seq) in base {
                    let at = covered.entry(desk).or_insert(0);
                    *at = (*at).max(seq);
                }
                meta_set(tx, META_BASE, &frontier_to_json(&covered))?;
                Ok((stats, newest))
            };
            if joining {
                store.bulk_apply_tx(work)
            } else {
                store.apply_tx(work)
            }
        });
        // Whether the load committed or not, its staged search rows are no longer needed.
        crate::search::release_staged(store.conn())?;
        let stats = match applied {
            Err(Error::Sync(SyncError::Refused(reason))) => {
                refuse(store, report, item, &reason)?;
                continue;
            }
            other => other?,
        };
        report.changes_applied += stats.new as u32;
        report.duplicates += stats.duplicates as u32;
        return Ok(Some(item.shown.clone()));
    }
    Ok(None)
}

/// How many changes a decoded run holds at most, give or take a row: the loading thread starts on
/// a table as soon as its first run is decoded, instead of waiting for the whole table.
pub(super) const RUN_CHANGES: usize = 1 << 16;

/// Decodes a payload's changes and sends them in runs (a run ends where the table changes, or at
/// the end of a row once it holds [`RUN_CHANGES`]), then stops: at the end, at the first fault
/// (sent as the reason to refuse the file), or when the receiver has given up.
pub(super) fn decode_runs(
    mut reader: ChangeReader<'_>,
    have: &BTreeMap<DeskId, u64>,
    send: std::sync::mpsc::SyncSender<std::result::Result<Vec<WireChange>, Refusal>>,
) -> Authors {
    let mut authors = Authors::default();
    // Only what this desk does not have yet goes on, and the checks after the load learn of it.
    let mut send_run = |mut run: Vec<WireChange>| {
        if !have.is_empty() {
            run.retain(|c| c.origin_seq > have.get(&c.desk).copied().unwrap_or(0));
        }
        authors.gather(&run);
        run.is_empty() || send.send(Ok(run)).is_ok()
    };
    let mut run: Vec<WireChange> = Vec::new();
    loop {
        match reader.next_change() {
            Ok(Some(c)) => {
                let ends =
                    |last: &WireChange| last.table != c.table || (run.len() >= RUN_CHANGES && last.row_id != c.row_id);
                if run.last().is_some_and(ends) && !send_run(std::mem::take(&mut run)) {
                    break;
                }
                run.push(c);
            }
            Ok(None) => {
                if !run.is_empty() {
                    send_run(run);
                }
                break;
            }
            Err(e) => {
                let _ = send.send(Err(Refusal::from(e)));
                break;
            }
        }
    }
    authors
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::NaiveDate;

    use super::*;
    use crate::clock::SystemClock;
    use crate::crypto::KdfParams;
    use crate::demo::DemoConfig;
    use crate::ids::IdGen;
    use crate::store::canonical_dump;
    use crate::store::Actor;
    use crate::sync::format::{Header, Kind, Payload};
    use crate::sync::{enrol, header, open_folder, snapshot_now, sync};

    const PASS: &str = "cortile di via Pirandello";

    /// A snapshot's changes come to the loading thread in runs of one table, never cutting a row,
    /// of about [`RUN_CHANGES`] changes, in their order.
    #[test]
    fn decoded_runs_keep_rows_whole_and_tables_apart() {
        let mut changes = Vec::new();
        for row in 0..(RUN_CHANGES / 3 + 10) as u128 {
            for column in ["surname", "name", "phone"] {
                changes.push(WireChange::for_test(Table::Person, row, column, Value::Text("x".into()), 1, 1));
            }
        }
        changes.push(WireChange::for_test(Table::Note, 1, "body", Value::Text("nota".into()), 2, 1));
        let payload = Payload { frontier: Default::default(), contexts: vec![Default::default()], changes };
        let plain = payload.encode();
        let (_, _, reader) = ChangeReader::open(&plain, format::VERSION).unwrap();
        let (send, receive) = std::sync::mpsc::sync_channel(4);
        std::thread::scope(|scope| {
            scope.spawn(move || decode_runs(reader, &BTreeMap::new(), send));
            let runs: Vec<Vec<WireChange>> = receive.into_iter().map(|r| r.unwrap()).collect();
            let sizes: Vec<(Table, usize)> = runs.iter().map(|r| (r[0].table, r.len())).collect();
            // 21,855 rows of 3: the first run ends with the row that reaches the size.
            let rows = RUN_CHANGES / 3 + 10;
            assert_eq!(
                sizes,
                [(Table::Person, RUN_CHANGES + 2), (Table::Person, rows * 3 - RUN_CHANGES - 2), (Table::Note, 1)]
            );
            assert!(runs.iter().all(|r| r.iter().all(|c| c.table == r[0].table)));
            assert_ne!(runs[0].last().unwrap().row_id, runs[1][0].row_id, "a row is never cut");
            assert_eq!(runs.concat(), payload.changes);
        });
    }

    fn desk(dir: &Path, folder: &Path, name: &str, seed: u64) -> (Store, Actor) {
        let signed = crate::accounts::create_desk(
            dir,
            name,
            "Operatrice",
            PASS,
            KdfParams::MINIMUM,
            Box::new(SystemClock),
            IdGen::seeded(seed),
        )
        .unwrap();
        let (mut store, actor) = (signed.store, signed.actor);
        enrol(&mut store, &actor, folder, PASS, name, KdfParams::MINIMUM).unwrap();
        (store, actor)
    }

    /// Rewrites the bundles and snapshots `store`'s desk published in format `version`, under the
    /// same names, sealed and signed again with its keys: as an older desk would have written them.
    fn rewrite_own_files(store: &Store, version: u8) -> usize {
        let keys = Keys::load(store.conn()).unwrap();
        let mut rewritten = 0;
        for item in open_folder(&keys.folder).unwrap().list().unwrap() {
            let (kind, desk, seq) = match item.entry {
                Entry::Bundle { desk, seq } => (Kind::Bundle, desk, seq),
                Entry::Snapshot { desk, seq } => (Kind::Snapshot, desk, seq),
                Entry::Card { .. } => continue,
            };
            if desk != store.desk() {
                continue;
            }
            let bytes = std::fs::read(&item.path).unwrap();
            let old = Header::parse(&bytes).unwrap();
            let plain = format::open_file(&bytes, &old, &keys.keys[&old.key_id]).unwrap();
            let payload = Payload::decode(&plain, old.version).unwrap();
            let new = Header { version, ..header(kind, desk, seq, old.created_ms) };
            let file = format::seal_file(new, &payload.encode_as(version), &keys.keys[&keys.current], &keys.signer);
            assert_eq!(file[4], version);
            std::fs::write(&item.path, file).unwrap();
            rewritten += 1;
        }
        rewritten
    }

    /// Desks are upgraded one at a time: a desk that writes version 2 still joins from a version 1
    /// snapshot and applies version 1 bundles, and ends with the same data as their writer.
    #[test]
    fn a_new_desk_joins_from_files_an_older_desk_wrote_in_version_one() {
        let root = tempfile::tempdir().unwrap();
        let folder = root.path().join("condivisa");
        std::fs::create_dir_all(&folder).unwrap();
        let (mut a, actor) = desk(&root.path().join("a"), &folder, "Sportello A", 1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        crate::demo::generate(&mut a, &actor, &DemoConfig { households: 12, people: None, seed: 3, today }).unwrap();
        snapshot_now(&mut a, &actor).unwrap();
        a.write(&actor, |w| {
            let id = w.new_id();
            w.insert(Table::Partner, id, &[("name", Value::Text("AFOL Metropolitana".into()))])
        })
        .unwrap();
        sync(&mut a, &actor, &mut |_| {}).unwrap();
        // The first bundle, the snapshot covering it and the bundle after it (a desk that knows of
        // no other prunes nothing).
        assert_eq!(rewrite_own_files(&a, 1), 3);

        let (mut c, actor_c) = desk(&root.path().join("c"), &folder, "Sportello C", 3);
        let report = sync(&mut c, &actor_c, &mut |_| {}).unwrap();
        assert!(report.snapshot_loaded.is_some(), "{report:?}");
        assert!(report.refused.is_empty(), "{report:?}");
        assert_eq!(report.bundles_applied, 1, "the bundle after the snapshot: {report:?}");
        let partners: i64 = c.conn().query_row("SELECT count(*) FROM partner", [], |r| r.get(0)).unwrap();
        assert!(partners >= 1);
        // The writer receives the new desk's own (version 2) bundle; then both hold the same.
        sync(&mut a, &actor, &mut |_| {}).unwrap();
        sync(&mut c, &actor_c, &mut |_| {}).unwrap();
        assert_eq!(canonical_dump(c.conn()).unwrap(), canonical_dump(a.conn()).unwrap());
    }
}
