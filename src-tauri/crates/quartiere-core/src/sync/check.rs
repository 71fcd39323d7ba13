//! Checking a file from the folder whole before anything of it is used: a bundle or snapshot
//! (header against its name, the desk's pinned signing key, the signature, the AEAD over the
//! header), a desk card, and this desk's own folder (a restored desk finds bundles it does not
//! remember writing).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use super::folder::{Entry, Listed};
use super::format::{DeskCard, Header, Kind, Payload};
use super::keys::TeamKey;
use super::{event, frontier_to_json, short, Keys, Peer, META_FORK, META_LAST_FRONTIER};
use super::{format, Round};
use crate::crypto::{self, DeskSigner};
use crate::error::{Refusal, Result};
use crate::ids::DeskId;
use crate::schema::SYNCED_SCHEMA;
use crate::store::{meta_get, meta_set, Store};

/// Everything a reader checks before applying a bundle or snapshot; the reason is an Italian
/// sentence for the sync screen.
pub(super) struct Checked {
    pub(super) header: Header,
    pub(super) payload: Payload,
    pub(super) hash: String,
}

pub(super) fn check_file(
    bytes: &[u8],
    entry: Entry,
    keys: &Keys,
    peers: &BTreeMap<DeskId, Peer>,
    removed: &BTreeSet<Uuid>,
) -> std::result::Result<Checked, Refusal> {
    let (header, plain) = open_checked(bytes, entry, keys, peers, removed)?;
    let payload = Payload::decode(&plain, header.version)?;
    if header.kind == Kind::Bundle
        && payload.changes.iter().any(|c| c.desk != header.desk || c.origin_seq != header.seq)
    {
        return Err(Refusal::ForeignChanges);
    }
    Ok(Checked { header, payload, hash: crypto::sha256_hex(bytes) })
}

/// Files larger than this have their signature checked on another thread while they are
/// decrypted and decompressed.
pub(super) const PARALLEL_CHECK_BYTES: usize = 1 << 20;

/// Every check of a bundle or snapshot file but the decoding of its plaintext: header against
/// name, schema, removed desk, known desk, key, signature, AEAD, decompression.
pub(super) fn open_checked(
    bytes: &[u8],
    entry: Entry,
    keys: &Keys,
    peers: &BTreeMap<DeskId, Peer>,
    removed: &BTreeSet<Uuid>,
) -> std::result::Result<(Header, Vec<u8>), Refusal> {
    let header = Header::parse(bytes)?;
    let (kind, desk, seq) = match entry {
        Entry::Bundle { desk, seq } => (Kind::Bundle, desk, seq),
        Entry::Snapshot { desk, seq } => (Kind::Snapshot, desk, seq),
        Entry::Card { .. } => return Err(Refusal::CardWhereFileExpected),
    };
    if header.kind != kind || header.desk != desk || header.seq != seq {
        return Err(Refusal::NameMismatch);
    }
    if i64::from(header.schema) > SYNCED_SCHEMA {
        return Err(Refusal::NewerSchema);
    }
    if removed.contains(&desk.0) {
        return Err(Refusal::RemovedDesk);
    }
    let Some(peer) = peers.get(&desk) else {
        return Err(Refusal::UnknownDesk);
    };
    let key = keys.keys.get(&header.key_id).ok_or_else(|| Refusal::MissingKey { key: short(header.key_id) })?;
    let (signed, signature) = format::split_signature(bytes);
    let verify = || crypto::verify(&peer.verifying_key, signed, &signature);
    // A large file (a snapshot: tens of megabytes) is checked on two cores at once: its signature
    // on one, its decryption and decompression on the other. Nothing of it is used before both pass.
    let (signed_by_peer, opened) = if bytes.len() > PARALLEL_CHECK_BYTES {
        std::thread::scope(|scope| {
            let signature = scope.spawn(verify);
            let opened = format::open_file(bytes, &header, key);
            (signature.join().unwrap_or(false), opened)
        })
    } else {
        let signed_by_peer = verify();
        (signed_by_peer, if signed_by_peer { format::open_file(bytes, &header, key) } else { Ok(Vec::new()) })
    };
    if !signed_by_peer {
        return Err(Refusal::BadSignature { desk: peer.name.clone() });
    }
    let plain = opened?;
    Ok((header, plain))
}

/// The bundle reader on bytes alone, for the fuzz test: every check [`sync`] makes on a bundle from
/// `desk` numbered `seq`, with one key and the desk's verifying key. Never panics.
pub fn read_bundle(
    bytes: &[u8],
    desk: DeskId,
    seq: u64,
    key: &TeamKey,
    verifying_key: [u8; 32],
) -> std::result::Result<Payload, Refusal> {
    let keys = Keys {
        folder: PathBuf::new(),
        signer: DeskSigner::from_seed(&[0; 32]),
        keys: BTreeMap::from([(key.id, key.clone())]),
        current: key.id,
    };
    let peers = BTreeMap::from([(desk, Peer { name: String::new(), verifying_key })]);
    check_file(bytes, Entry::Bundle { desk, seq }, &keys, &peers, &BTreeSet::new()).map(|c| c.payload)
}

pub(super) fn check_card(bytes: &[u8], desk: DeskId, keys: &Keys) -> std::result::Result<DeskCard, Refusal> {
    let header = Header::parse(bytes)?;
    if header.kind != Kind::DeskCard || header.desk != desk {
        return Err(Refusal::CardMismatch);
    }
    let key = keys.keys.get(&header.key_id).ok_or_else(|| Refusal::CardMissingKey { key: short(header.key_id) })?;
    let plain = format::open_file(bytes, &header, key)?;
    let card: DeskCard = serde_json::from_slice(&plain).map_err(|_| Refusal::CardUnreadable)?;
    let verifying_key: [u8; 32] = crypto::unb64(&card.verifying_key).ok_or(Refusal::CardUnreadable)?;
    let (signed, signature) = format::split_signature(bytes);
    if card.desk_id != desk.0 || !crypto::verify(&verifying_key, signed, &signature) {
        return Err(Refusal::CardBadSignature);
    }
    Ok(card)
}

/// Whether this desk may publish at the end of a sync.
pub(super) enum Publishing {
    Allowed,
    /// Its own folder shows it was restored from a backup: the reason is warned instead.
    Blocked(String),
    /// It was removed from the team (already warned).
    Removed,
}

/// This desk's own folder: a bundle it does not remember writing means it was restored from an
/// old backup (or it crashed between publishing and recording; then the content is all known).
/// A desk removed from the team is warned.
pub(super) fn may_publish(store: &mut Store, round: &mut Round) -> Result<Publishing> {
    let blocked = check_own_folder(store, &round.keys, &round.listed, &round.now)?;
    let removed = round.removed.contains(&round.this.0);
    if removed {
        let message = "questa postazione è stata rimossa dal gruppo: non può più sincronizzare".to_string();
        round.report.warnings.push(message);
    }
    Ok(match blocked {
        Some(reason) => Publishing::Blocked(reason),
        None if removed => Publishing::Removed,
        None => Publishing::Allowed,
    })
}

/// Returns why this desk must not publish, if it must not.
pub(super) fn check_own_folder(store: &mut Store, keys: &Keys, listed: &[Listed], now: &str) -> Result<Option<String>> {
    if let Some(reason) = meta_get(store.conn(), META_FORK)? {
        return Ok(Some(reason));
    }
    let this = store.desk();
    let published: i64 =
        store.conn().query_row("SELECT coalesce(max(seq), 0) FROM sync_published", [], |r| r.get(0))?;
    let mut ahead: Vec<&Listed> = listed
        .iter()
        .filter(|i| matches!(i.entry, Entry::Bundle { desk, seq } if desk == this && seq as i64 > published))
        .collect();
    ahead.sort_by_key(|i| match i.entry {
        Entry::Bundle { seq, .. } => seq,
        _ => 0,
    });
    for item in ahead {
        let Entry::Bundle { seq, .. } = item.entry else { continue };
        // Adopt a bundle this desk wrote but did not record (a crash between the two), if it is the
        // next one, carries this desk's signature and only changes this desk has.
        let bytes = item.read()?;
        let mut own = BTreeMap::new();
        own.insert(this, Peer { name: String::new(), verifying_key: keys.signer.verifying_key() });
        let adoptable = seq as i64 == published + 1
            && match check_file(&bytes, item.entry, keys, &own, &BTreeSet::new()) {
                Ok(checked) => {
                    let mut all_known = true;
                    let mut last = 0i64;
                    for c in &checked.payload.changes {
                        let found: Option<i64> = store
                            .conn()
                            .query_row(
                                "SELECT seq FROM change_log WHERE tbl = ?1 AND row_id = ?2 AND col = ?3 AND hlc = ?4 AND desk_id = ?5",
                                params![c.table.name(), c.row_id.to_string(), c.column, c.hlc.as_i64(), c.desk],
                                |r| r.get(0),
                            )
                            .optional()?;
                        match found {
                            Some(s) => last = last.max(s),
                            None => all_known = false,
                        }
                    }
                    if all_known {
                        let hash = checked.hash.clone();
                        let count = checked.payload.changes.len() as i64;
                        let frontier = frontier_to_json(&checked.payload.frontier);
                        store.local_write(|tx| {
                            let prev_last: i64 = tx.query_row(
                                "SELECT coalesce(max(last_change), 0) FROM sync_published",
                                [],
                                |r| r.get(0),
                            )?;
                            let last = last.max(prev_last);
                            tx.execute(
                                "INSERT INTO sync_published (seq, hash, last_change, changes, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                                params![seq as i64, hash, last, count, now],
                            )?;
                            tx.execute(
                                "UPDATE change_log SET origin_seq = ?1 WHERE seq > ?2 AND seq <= ?3 AND desk_id = ?4 AND origin_seq IS NULL",
                                params![seq as i64, prev_last, last, this],
                            )?;
                            meta_set(tx, META_LAST_FRONTIER, &frontier)?;
                            Ok(())
                        })?;
                    }
                    all_known
                }
                Err(_) => false,
            };
        if !adoptable {
            let reason = format!(
                "questa postazione risulta ripristinata da una copia di sicurezza: nella cartella c'è il suo pacchetto \
                 n. {seq}, che non ricorda di aver scritto. Per non sovrascrivere dati, non pubblica più: \
                 registrala di nuovo (Sincronizza → Registra di nuovo); i dati già pubblicati verranno recuperati"
            );
            store.local_write(|tx| {
                meta_set(tx, META_FORK, &reason)?;
                event(tx, now, "fork", &reason)
            })?;
            return Ok(Some(reason));
        }
    }
    Ok(None)
}
