//! The bytes of a sync file: a fixed header, the compressed-then-encrypted payload, a signature.
//! Specified in docs/sync-format.md; this module is the reference reader and writer.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::types::Value;
use uuid::Uuid;

use super::keys::TeamKey;
use super::SyncError;
use crate::clock::Hlc;
use crate::crypto::{self, DeskSigner, NONCE_LEN, SIGNATURE_LEN, TAG_LEN};
use crate::ids::{DeskId, OperatorId};
use crate::schema::Table;

pub const MAGIC: &[u8; 4] = b"QRTB";
/// The version this writer writes. Version 1 wrote every change whole; version 2 names each
/// (table, column) once and leaves out what a change shares with the one before it. Both are read.
pub const VERSION: u8 = 2;
pub const HEADER_LEN: usize = 84;
/// A payload that decompresses to more than this is refused (a compression bomb, not a bundle).
pub const MAX_PLAINTEXT: usize = 1 << 30;
/// zstd's fastest level: on a version 2 payload (100,000 changes) level 3 saves 0.6 % of the bytes
/// and takes 1.6 times as long.
const ZSTD_LEVEL: i32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bundle = 1,
    Snapshot = 2,
    DeskCard = 3,
    /// The bytes of a scan (`f-<sha256>.qrt`), fetched apart from the bundles.
    Scan = 4,
}

impl Kind {
    fn from_u8(v: u8) -> Option<Kind> {
        match v {
            1 => Some(Kind::Bundle),
            2 => Some(Kind::Snapshot),
            3 => Some(Kind::DeskCard),
            4 => Some(Kind::Scan),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The format version (byte 4): how the payload's changes are encoded.
    pub version: u8,
    pub kind: Kind,
    pub schema: u16,
    pub key_id: Uuid,
    pub desk: DeskId,
    pub seq: u64,
    pub created_ms: i64,
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext_len: u32,
}

impl Header {
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..4].copy_from_slice(MAGIC);
        b[4] = self.version;
        b[5] = self.kind as u8;
        b[6..8].copy_from_slice(&self.schema.to_le_bytes());
        b[8..24].copy_from_slice(self.key_id.as_bytes());
        b[24..40].copy_from_slice(self.desk.0.as_bytes());
        b[40..48].copy_from_slice(&self.seq.to_le_bytes());
        b[48..56].copy_from_slice(&self.created_ms.to_le_bytes());
        b[56..80].copy_from_slice(&self.nonce);
        b[80..84].copy_from_slice(&self.ciphertext_len.to_le_bytes());
        b
    }

    /// Parses and checks the header and the file's exact length (a truncated file stops here).
    pub fn parse(file: &[u8]) -> Result<Header, SyncError> {
        if file.len() < HEADER_LEN + TAG_LEN + SIGNATURE_LEN {
            return Err(SyncError::Damaged("file troppo corto: copia incompleta".into()));
        }
        if &file[0..4] != MAGIC {
            return Err(SyncError::Damaged("non è un file di Quartiere".into()));
        }
        if !(1..=VERSION).contains(&file[4]) {
            return Err(SyncError::Version(file[4]));
        }
        let kind = Kind::from_u8(file[5]).ok_or_else(|| SyncError::Damaged("tipo di file sconosciuto".into()))?;
        let u64_at = |i: usize| u64::from_le_bytes(file[i..i + 8].try_into().expect("8 bytes"));
        let header = Header {
            version: file[4],
            kind,
            schema: u16::from_le_bytes([file[6], file[7]]),
            key_id: Uuid::from_slice(&file[8..24]).expect("16 bytes"),
            desk: DeskId(Uuid::from_slice(&file[24..40]).expect("16 bytes")),
            seq: u64_at(40),
            created_ms: u64_at(48) as i64,
            nonce: file[56..80].try_into().expect("24 bytes"),
            ciphertext_len: u32::from_le_bytes(file[80..84].try_into().expect("4 bytes")),
        };
        let expected = HEADER_LEN as u64 + u64::from(header.ciphertext_len) + SIGNATURE_LEN as u64;
        if (file.len() as u64) < expected {
            return Err(SyncError::Damaged("file troncato: copia incompleta".into()));
        }
        if file.len() as u64 != expected {
            return Err(SyncError::Damaged("lunghezza del file non corrispondente all'intestazione".into()));
        }
        Ok(header)
    }
}

/// Compresses, encrypts with the header as associated data, signs header and ciphertext.
pub fn seal_file(mut header: Header, plaintext: &[u8], key: &TeamKey, signer: &DeskSigner) -> Vec<u8> {
    let compressed = zstd::bulk::compress(plaintext, ZSTD_LEVEL).expect("compression of an in-memory buffer");
    header.key_id = key.id;
    header.nonce = crypto::random();
    header.ciphertext_len = (compressed.len() + TAG_LEN) as u32;
    let head = header.to_bytes();
    let ciphertext = crypto::seal(&key.bytes, &header.nonce, &head, &compressed);
    let mut file = Vec::with_capacity(HEADER_LEN + ciphertext.len() + SIGNATURE_LEN);
    file.extend_from_slice(&head);
    file.extend_from_slice(&ciphertext);
    let signature = signer.sign(&file);
    file.extend_from_slice(&signature);
    file
}

/// The signed part of a file and its signature.
pub fn split_signature(file: &[u8]) -> (&[u8], [u8; SIGNATURE_LEN]) {
    let at = file.len() - SIGNATURE_LEN;
    (&file[..at], file[at..].try_into().expect("64 bytes"))
}

/// Decrypts (AEAD over the header) and decompresses. The signature is checked by the caller, who
/// knows which desk key to use.
pub fn open_file(file: &[u8], header: &Header, key: &TeamKey) -> Result<Vec<u8>, SyncError> {
    let ciphertext = &file[HEADER_LEN..file.len() - SIGNATURE_LEN];
    let compressed = crypto::open(&key.bytes, &header.nonce, &file[..HEADER_LEN], ciphertext).ok_or_else(|| {
        SyncError::Damaged("il contenuto non supera il controllo di integrità (file alterato o danneggiato)".into())
    })?;
    decompress(&compressed)
}

fn decompress(compressed: &[u8]) -> Result<Vec<u8>, SyncError> {
    let bad = || SyncError::Damaged("contenuto compresso non valido".into());
    let size = zstd::zstd_safe::get_frame_content_size(compressed).map_err(|_| bad())?.ok_or_else(bad)?;
    if size > MAX_PLAINTEXT as u64 {
        return Err(bad());
    }
    let out = zstd::bulk::decompress(compressed, size as usize).map_err(|_| bad())?;
    if out.len() as u64 != size {
        return Err(bad());
    }
    Ok(out)
}

/// One change as carried in a bundle or snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct WireChange {
    pub table: Table,
    pub row_id: Uuid,
    pub column: &'static str,
    pub value: Value,
    pub hlc: Hlc,
    pub desk: DeskId,
    pub operator: OperatorId,
    pub batch: Uuid,
    /// The bundle of `desk` that first published this change.
    pub origin_seq: u64,
    /// Index into [`Payload::contexts`]: what the writer had seen when it made the change.
    pub context: u32,
}

#[cfg(test)]
impl WireChange {
    /// A change for unit tests: desk 1, operator 2, batch 3, context 0.
    pub(crate) fn for_test(
        table: Table,
        row: u128,
        column: &'static str,
        value: Value,
        hlc: u64,
        origin_seq: u64,
    ) -> Self {
        WireChange {
            table,
            row_id: Uuid::from_u128(row),
            column,
            value,
            hlc: Hlc(hlc),
            desk: DeskId(Uuid::from_u128(1)),
            operator: OperatorId(Uuid::from_u128(2)),
            batch: Uuid::from_u128(3),
            origin_seq,
            context: 0,
        }
    }
}

/// The plaintext of a bundle or snapshot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Payload {
    /// For every desk, the highest bundle sequence the writer had applied with no gap (its own
    /// included): this is the writer's acknowledgement, and the causal context of its changes.
    pub frontier: BTreeMap<DeskId, u64>,
    /// The causal contexts of the changes: for each, the frontier of its writer when it was made.
    pub contexts: Vec<BTreeMap<DeskId, u64>>,
    pub changes: Vec<WireChange>,
}

impl Payload {
    /// The payload in the format this writer writes ([`VERSION`]).
    pub fn encode(&self) -> Vec<u8> {
        self.encode_as(VERSION)
    }

    /// The payload in format `version` (1 or 2): the writer uses [`VERSION`]; the older one is kept
    /// for tests and tools that check files written by older desks still read.
    ///
    /// # Panics
    ///
    /// If `version` is neither 1 nor 2 (a version this writer has no encoder for).
    pub fn encode_as(&self, version: u8) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.changes.len() * if version == 1 { 96 } else { 16 });
        put_frontier(&mut out, &self.frontier);
        put_varint(&mut out, self.contexts.len() as u64);
        for context in &self.contexts {
            put_frontier(&mut out, context);
        }
        match version {
            1 => put_changes_v1(&mut out, &self.changes),
            2 => put_changes_v2(&mut out, &self.changes),
            _ => panic!("no writer for format version {version}"),
        }
        out
    }

    /// Strict decoding of a payload in format `version`: unknown tables or columns, bad text,
    /// counts past the end, trailing bytes all refuse the whole payload.
    pub fn decode(bytes: &[u8], version: u8) -> Result<Payload, SyncError> {
        let (frontier, contexts, mut changes) = ChangeReader::open(bytes, version)?;
        let mut payload = Payload { frontier, contexts, changes: Vec::with_capacity(changes.left) };
        while let Some(c) = changes.next_change()? {
            payload.changes.push(c);
        }
        Ok(payload)
    }
}

/// Version 1: every change whole, its table and column by name.
fn put_changes_v1(out: &mut Vec<u8>, changes: &[WireChange]) {
    put_varint(out, changes.len() as u64);
    for c in changes {
        put_str(out, c.table.name());
        out.extend_from_slice(c.row_id.as_bytes());
        put_str(out, c.column);
        put_value(out, &c.value);
        out.extend_from_slice(&c.hlc.0.to_le_bytes());
        out.extend_from_slice(c.desk.0.as_bytes());
        out.extend_from_slice(c.operator.0.as_bytes());
        out.extend_from_slice(c.batch.as_bytes());
        put_varint(out, c.origin_seq);
        put_varint(out, u64::from(c.context));
    }
}

/// Version 2, flags of a change: which of its parts differ from the change before it and follow.
const NEW_ROW: u8 = 0x01;
const NEW_CLOCK: u8 = 0x02;
const NEW_AUTHOR: u8 = 0x04;
const NEW_ORIGIN: u8 = 0x08;
const ALL_NEW: u8 = NEW_ROW | NEW_CLOCK | NEW_AUTHOR | NEW_ORIGIN;

/// Version 2: the (table, column) pairs once, by name, in order of first use; then each change as
/// its flags, the index of its pair, the parts that differ from the previous change, its value.
fn put_changes_v2(out: &mut Vec<u8>, changes: &[WireChange]) {
    let mut names: Vec<(Table, &str)> = Vec::new();
    let mut index: HashMap<(Table, &str), usize> = HashMap::new();
    for c in changes {
        index.entry((c.table, c.column)).or_insert_with(|| {
            names.push((c.table, c.column));
            names.len() - 1
        });
    }
    put_varint(out, names.len() as u64);
    for (table, column) in &names {
        put_str(out, table.name());
        put_str(out, column);
    }
    put_varint(out, changes.len() as u64);
    let mut prev: Option<&WireChange> = None;
    for c in changes {
        let flags = match prev {
            None => ALL_NEW,
            Some(p) => {
                let mut f = 0;
                if p.row_id != c.row_id {
                    f |= NEW_ROW;
                }
                if p.hlc != c.hlc {
                    f |= NEW_CLOCK;
                }
                if (p.desk, p.operator, p.batch) != (c.desk, c.operator, c.batch) {
                    f |= NEW_AUTHOR;
                }
                if (p.origin_seq, p.context) != (c.origin_seq, c.context) {
                    f |= NEW_ORIGIN;
                }
                f
            }
        };
        out.push(flags);
        put_varint(out, index[&(c.table, c.column)] as u64);
        if flags & NEW_ROW != 0 {
            out.extend_from_slice(c.row_id.as_bytes());
        }
        if flags & NEW_CLOCK != 0 {
            out.extend_from_slice(&c.hlc.0.to_le_bytes());
        }
        if flags & NEW_AUTHOR != 0 {
            out.extend_from_slice(c.desk.0.as_bytes());
            out.extend_from_slice(c.operator.0.as_bytes());
            out.extend_from_slice(c.batch.as_bytes());
        }
        if flags & NEW_ORIGIN != 0 {
            put_varint(out, c.origin_seq);
            put_varint(out, u64::from(c.context));
        }
        put_value(out, &c.value);
        prev = Some(c);
    }
}

/// For every desk, the highest bundle sequence applied with no gap.
pub type Frontier = BTreeMap<DeskId, u64>;

/// A payload's changes read one at a time, after its frontier and contexts: a large snapshot can
/// be loaded while it is still being decoded. As strict as [`Payload::decode`]: the reader's error
/// comes at the change where the fault is, or after the last change if bytes are left over.
pub struct ChangeReader<'a> {
    r: Reader<'a>,
    left: usize,
    contexts: usize,
    version: u8,
    /// Version 2: the payload's (table, column) pairs.
    names: Vec<(Table, &'static str)>,
    /// Version 2: the change before, whose parts the next one may share.
    prev: Option<Shared>,
}

/// What a version 2 change may share with the one before it.
#[derive(Clone, Copy)]
struct Shared {
    row_id: Uuid,
    hlc: Hlc,
    desk: DeskId,
    operator: OperatorId,
    batch: Uuid,
    origin_seq: u64,
    context: u32,
}

impl<'a> ChangeReader<'a> {
    /// Reads the frontier, the contexts (and in version 2 the column names); the changes follow
    /// through [`ChangeReader::next_change`].
    pub fn open(bytes: &'a [u8], version: u8) -> Result<(Frontier, Vec<Frontier>, ChangeReader<'a>), SyncError> {
        let mut r = Reader { bytes, at: 0 };
        let frontier = r.frontier()?;
        let n = r.count(1)?;
        let mut contexts = Vec::with_capacity(n);
        for _ in 0..n {
            contexts.push(r.frontier()?);
        }
        let mut names = Vec::new();
        let left = match version {
            1 => r.count(16 + 1 + 8 + 48 + 4)?,
            2 => {
                let n = r.count(2)?;
                let mut seen = HashSet::new();
                for _ in 0..n {
                    let (table, column) = r.column_name()?;
                    if !seen.insert((table, column)) {
                        return Err(r.bad("colonna ripetuta"));
                    }
                    names.push((table, column));
                }
                r.count(3)?
            }
            _ => return Err(SyncError::Version(version)),
        };
        let reader = ChangeReader { r, left, contexts: contexts.len(), version, names, prev: None };
        Ok((frontier, contexts, reader))
    }

    /// The next change, or `None` after the last one (checking nothing follows it).
    pub fn next_change(&mut self) -> Result<Option<WireChange>, SyncError> {
        if self.left == 0 {
            if !self.r.at_end() {
                return Err(self.r.bad("dati in eccesso dopo l'ultimo cambiamento"));
            }
            return Ok(None);
        }
        self.left -= 1;
        let change = if self.version == 1 { self.next_v1()? } else { self.next_v2()? };
        if u64::from(change.context) >= self.contexts as u64 {
            return Err(self.r.bad("contesto inesistente"));
        }
        Ok(Some(change))
    }

    fn next_v1(&mut self) -> Result<WireChange, SyncError> {
        let r = &mut self.r;
        let table = r.table()?;
        let row_id = r.uuid()?;
        let column = r.column(table)?;
        let value = r.value()?;
        let hlc = Hlc(u64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes")));
        let desk = DeskId(r.uuid()?);
        let operator = OperatorId(r.uuid()?);
        let batch = r.uuid()?;
        let origin_seq = r.varint()?;
        let context = r.varint()?;
        let context = u32::try_from(context).map_err(|_| r.bad("contesto inesistente"))?;
        Ok(WireChange { table, row_id, column, value, hlc, desk, operator, batch, origin_seq, context })
    }

    fn next_v2(&mut self) -> Result<WireChange, SyncError> {
        let r = &mut self.r;
        let flags = r.byte()?;
        if flags & !ALL_NEW != 0 {
            return Err(r.bad("indicatori sconosciuti"));
        }
        let mut c = match self.prev {
            Some(prev) => prev,
            None if flags == ALL_NEW => Shared {
                row_id: Uuid::nil(),
                hlc: Hlc(0),
                desk: DeskId(Uuid::nil()),
                operator: OperatorId(Uuid::nil()),
                batch: Uuid::nil(),
                origin_seq: 0,
                context: 0,
            },
            None => return Err(r.bad("il primo cambiamento non è completo")),
        };
        let name = r.varint()?;
        let (table, column) =
            *usize::try_from(name).ok().and_then(|i| self.names.get(i)).ok_or_else(|| r.bad("colonna inesistente"))?;
        if flags & NEW_ROW != 0 {
            c.row_id = r.uuid()?;
        }
        if flags & NEW_CLOCK != 0 {
            c.hlc = Hlc(u64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes")));
        }
        if flags & NEW_AUTHOR != 0 {
            c.desk = DeskId(r.uuid()?);
            c.operator = OperatorId(r.uuid()?);
            c.batch = r.uuid()?;
        }
        if flags & NEW_ORIGIN != 0 {
            c.origin_seq = r.varint()?;
            c.context = u32::try_from(r.varint()?).map_err(|_| r.bad("contesto inesistente"))?;
        }
        let value = r.value()?;
        self.prev = Some(c);
        Ok(WireChange {
            table,
            row_id: c.row_id,
            column,
            value,
            hlc: c.hlc,
            desk: c.desk,
            operator: c.operator,
            batch: c.batch,
            origin_seq: c.origin_seq,
            context: c.context,
        })
    }
}

/// A value, typed: 0 null, 1 integer (zigzag varint), 2 real, 3 text, 4 blob.
fn put_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.push(0),
        Value::Integer(i) => {
            out.push(1);
            put_zigzag(out, *i);
        }
        Value::Real(r) => {
            out.push(2);
            out.extend_from_slice(&r.to_le_bytes());
        }
        Value::Text(t) => {
            out.push(3);
            put_str(out, t);
        }
        Value::Blob(b) => {
            out.push(4);
            put_varint(out, b.len() as u64);
            out.extend_from_slice(b);
        }
    }
}

/// A signed number as a zigzag varint (small magnitudes, either sign, in few bytes).
pub(super) fn put_zigzag(out: &mut Vec<u8>, v: i64) {
    put_varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

pub(super) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_frontier(out: &mut Vec<u8>, frontier: &BTreeMap<DeskId, u64>) {
    put_varint(out, frontier.len() as u64);
    for (desk, seq) in frontier {
        out.extend_from_slice(desk.0.as_bytes());
        put_varint(out, *seq);
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    pub(super) fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn value(&mut self) -> Result<Value, SyncError> {
        Ok(match self.byte()? {
            0 => Value::Null,
            1 => Value::Integer(self.zigzag()?),
            2 => Value::Real(f64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"))),
            3 => Value::Text(self.str()?.to_owned()),
            4 => {
                let n = self.count(1)?;
                Value::Blob(self.take(n)?.to_vec())
            }
            _ => return Err(self.bad("tipo di valore sconosciuto")),
        })
    }

    fn bad(&self, what: &str) -> SyncError {
        SyncError::Damaged(format!("contenuto non valido alla posizione {}: {what}", self.at))
    }

    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], SyncError> {
        if self.bytes.len() - self.at < n {
            return Err(self.bad("fine inattesa"));
        }
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    pub(super) fn zigzag(&mut self) -> Result<i64, SyncError> {
        let z = self.varint()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    fn byte(&mut self) -> Result<u8, SyncError> {
        Ok(self.take(1)?[0])
    }

    pub(super) fn varint(&mut self) -> Result<u64, SyncError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.bad("numero troppo lungo"))
    }

    /// A count of items each at least `min_size` bytes long: bounded by what is left.
    pub(super) fn count(&mut self, min_size: usize) -> Result<usize, SyncError> {
        let n = self.varint()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.saturating_mul(min_size as u64) > left {
            return Err(self.bad("conteggio oltre la fine dei dati"));
        }
        Ok(n as usize)
    }

    fn frontier(&mut self) -> Result<BTreeMap<DeskId, u64>, SyncError> {
        let n = self.count(17)?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let desk = DeskId(self.uuid()?);
            let seq = self.varint()?;
            if out.insert(desk, seq).is_some() {
                return Err(self.bad("postazione ripetuta"));
            }
        }
        Ok(out)
    }

    /// A (table, column) pair by name, both known to this schema.
    fn column_name(&mut self) -> Result<(Table, &'static str), SyncError> {
        let table = self.table()?;
        Ok((table, self.column(table)?))
    }

    fn table(&mut self) -> Result<Table, SyncError> {
        let name = self.str()?;
        Table::from_name(name).ok_or_else(|| self.bad(&format!("tabella sconosciuta «{name}»")))
    }

    fn column(&mut self, table: Table) -> Result<&'static str, SyncError> {
        let name = self.str()?;
        table.column(name).ok_or_else(|| self.bad(&format!("colonna sconosciuta «{name}»")))
    }

    fn str(&mut self) -> Result<&'a str, SyncError> {
        let n = self.count(1)?;
        std::str::from_utf8(self.take(n)?).map_err(|_| self.bad("testo non UTF-8"))
    }

    pub(super) fn uuid(&mut self) -> Result<Uuid, SyncError> {
        Ok(Uuid::from_slice(self.take(16)?).expect("16 bytes"))
    }
}

/// The plaintext of a desk card (`desks/<id>/desk.qrt`): who the desk is and its signing key.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeskCard {
    pub desk_id: Uuid,
    pub name: String,
    /// base64 of the Ed25519 verifying key.
    pub verifying_key: String,
    pub enrolled_at: String,
    /// The id this desk had before it re-enrolled (restored from a backup): that identity will
    /// never sync again, so no desk waits for its acknowledgements. Absent otherwise; readers that
    /// predate it ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<Uuid>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        let mut changes = Vec::new();
        for (row, column, hlc) in [(1, "surname", 10), (1, "name", 10), (2, "surname", 11), (2, "phone", 11)] {
            changes.push(WireChange::for_test(Table::Person, row, column, Value::Text(format!("{row}")), hlc, 4));
        }
        changes.push(WireChange {
            batch: Uuid::from_u128(9),
            ..WireChange::for_test(Table::Note, 3, "body", Value::Null, 12, 4)
        });
        Payload {
            frontier: BTreeMap::from([(DeskId(Uuid::from_u128(1)), 4)]),
            contexts: vec![Frontier::new()],
            changes,
        }
    }

    #[test]
    fn both_versions_read_back_and_the_second_leaves_out_what_changes_share() {
        let p = payload();
        let (v1, v2) = (p.encode_as(1), p.encode_as(2));
        assert_eq!(Payload::decode(&v1, 1).unwrap(), p);
        assert_eq!(Payload::decode(&v2, 2).unwrap(), p);
        assert!(v2.len() < v1.len() * 3 / 5, "{} bytes against {}", v2.len(), v1.len());
        // A change sharing row, clock, author and origin with the one before it: its flags, its
        // column's index and its value (null: one byte).
        let mut longer = p.clone();
        longer.changes.push(p.changes.last().unwrap().clone());
        assert_eq!(longer.encode_as(2).len(), v2.len() + 3);
        assert_eq!(Payload::decode(&longer.encode_as(2), 2).unwrap(), longer);
        // Each version's bytes are refused as the other's.
        assert!(Payload::decode(&v1, 2).is_err());
        assert!(Payload::decode(&v2, 1).is_err());
        assert!(matches!(Payload::decode(&v2, 3), Err(SyncError::Version(3))));
    }

    /// Where the first change starts in a version 2 payload.
    fn first_change_at(bytes: &[u8]) -> usize {
        let (_, _, reader) = ChangeReader::open(bytes, 2).unwrap();
        reader.r.at
    }

    #[test]
    fn a_damaged_version_two_payload_is_refused_where_it_is_wrong() {
        let good = payload().encode_as(2);
        let at = first_change_at(&good);
        assert_eq!(good[at], ALL_NEW);
        let refused = |bytes: &[u8], what: &str| {
            let e = Payload::decode(bytes, 2).unwrap_err().to_string();
            assert!(e.contains(what), "{e}");
        };
        // The first change must carry every part.
        let mut b = good.clone();
        b[at] = NEW_ROW;
        refused(&b, "il primo cambiamento non è completo");
        let mut b = good.clone();
        b[at] |= 0x10;
        refused(&b, "indicatori sconosciuti");
        // A column index past the names.
        let mut b = good.clone();
        b[at + 1] = 0x7f;
        refused(&b, "colonna inesistente");
        // No change, and these (table, column) names: the same one twice, one this schema lacks.
        let with_names = |names: &[(&str, &str)]| {
            let mut b = Vec::new();
            put_frontier(&mut b, &BTreeMap::new());
            put_varint(&mut b, 0);
            put_varint(&mut b, names.len() as u64);
            for (table, column) in names {
                put_str(&mut b, table);
                put_str(&mut b, column);
            }
            put_varint(&mut b, 0);
            b
        };
        assert!(Payload::decode(&with_names(&[("person", "surname")]), 2).is_ok());
        refused(&with_names(&[("person", "surname"), ("person", "surname")]), "colonna ripetuta");
        refused(&with_names(&[("person", "codice_segreto")]), "colonna sconosciuta");
        refused(&with_names(&[("persona", "surname")]), "tabella sconosciuta");
        // Bytes after the last change.
        let mut b = good.clone();
        b.push(0);
        refused(&b, "dati in eccesso");
    }

    /// Cards written before `replaces` existed still read, and a card without it writes no such
    /// field, so a desk that predates it reads the new cards as before.
    #[test]
    fn a_desk_card_names_the_identity_it_replaces_only_when_it_has_one() {
        let old = r#"{"desk_id":"0190f2a4-0000-7000-8000-000000000001","name":"Sportello A","verifying_key":"k","enrolled_at":"2026-03-02T09:00:00Z"}"#;
        let card: DeskCard = serde_json::from_str(old).unwrap();
        assert_eq!(card.replaces, None);
        assert_eq!(serde_json::to_string(&card).unwrap(), old);
        let renewed = DeskCard { replaces: Some(card.desk_id), ..card };
        let text = serde_json::to_string(&renewed).unwrap();
        assert!(text.contains(r#""replaces":"0190f2a4-0000-7000-8000-000000000001""#), "{text}");
        assert_eq!(serde_json::from_str::<DeskCard>(&text).unwrap(), renewed);
    }
}
