//! Fuzzing the bundle reader on stable Rust: mutations of real bundles (bit flips, truncation,
//! extension, header edits), garbage payloads sealed and signed with the right keys (so they get
//! past the cryptography into zstd and the decoder), and mutated plain encodings fed to the
//! decoder; in both payload formats (version 1 as older desks wrote it, version 2 as this one
//! writes it). The reader must refuse, never panic, never accept a changed file.
//! QUARTIERE_FUZZ_ITERS sets the number of rounds (CI runs the default; longer runs locally).

use quartiere_core::clock::Hlc;
use quartiere_core::crypto::{self, DeskSigner};
use quartiere_core::ids::{DeskId, IdGen, OperatorId};
use quartiere_core::schema::Table;
use quartiere_core::sync::format::{self, Header, Kind, Payload, WireChange, HEADER_LEN};
use quartiere_core::sync::keys::TeamKey;
use quartiere_core::sync::read_bundle;
use quartiere_core::RefusalKind;
use rusqlite::types::Value;
use uuid::Uuid;

fn sample(rng: &mut IdGen, desk: DeskId) -> Payload {
    let mut p = Payload::default();
    p.frontier.insert(desk, 3);
    p.contexts.push(p.frontier.clone());
    p.contexts.push(Default::default());
    // A few rows, clocks and batches, so that changes share parts with the one before them.
    let rows: Vec<Uuid> = (0..3).map(|_| rng.uuid_v7(1_700_000_000_000)).collect();
    let clocks: Vec<u64> = (0..3).map(|_| rng.next_u64() >> 1).collect();
    for i in 0..(1 + rng.below(20)) {
        let value = match rng.below(5) {
            0 => Value::Null,
            1 => Value::Integer(rng.next_u64() as i64),
            2 => Value::Real(rng.next_u64() as f64 / 7.0),
            3 => Value::Text(format!("Via Pirandello {i} àèì")),
            _ => Value::Blob(vec![rng.below(256) as u8; rng.below(40) as usize]),
        };
        let (table, column) = [
            (Table::Person, "surname"),
            (Table::Person, "name"),
            (Table::Person, "phone"),
            (Table::Person, "deleted"),
            (Table::Partner, "name"),
        ][rng.below(5) as usize];
        p.changes.push(WireChange {
            table,
            row_id: rows[rng.below(3) as usize],
            column,
            value,
            hlc: Hlc(clocks[rng.below(3) as usize]),
            desk,
            operator: OperatorId(Uuid::from_u128(rng.below(2).into())),
            batch: Uuid::from_u128(rng.below(2).into()),
            origin_seq: 3,
            context: rng.below(2) as u32,
        });
    }
    p
}

fn mutate(rng: &mut IdGen, bytes: &mut Vec<u8>) {
    for _ in 0..(1 + rng.below(4)) {
        if bytes.is_empty() {
            bytes.push(rng.below(256) as u8);
            continue;
        }
        let at = rng.below(bytes.len() as u64) as usize;
        match rng.below(7) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes.truncate(at),
            2 => bytes.insert(at, rng.below(256) as u8),
            3 => {
                bytes.remove(at);
            }
            4 => bytes[at] = [0, 0xff, 0x7f, 0x80][rng.below(4) as usize],
            5 => bytes.extend((0..rng.below(64)).map(|_| rng.below(256) as u8)),
            _ => {
                // A header field: length, seq, kind, version.
                let field = [80usize, 40, 5, 4][rng.below(4) as usize];
                if field < bytes.len() {
                    bytes[field] = bytes[field].wrapping_add(1 + rng.below(255) as u8);
                }
            }
        }
    }
}

fn header(desk: DeskId, seq: u64) -> Header {
    Header {
        version: format::VERSION,
        kind: Kind::Bundle,
        schema: 2,
        key_id: Uuid::nil(),
        desk,
        seq,
        created_ms: 0,
        nonce: [0; 24],
        ciphertext_len: 0,
    }
}

/// A container whose "compressed" payload is `inner` as is: valid AEAD and signature around it.
fn sealed_raw(inner: &[u8], desk: DeskId, seq: u64, key: &TeamKey, signer: &DeskSigner) -> Vec<u8> {
    let mut h = header(desk, seq);
    h.key_id = key.id;
    h.nonce = crypto::random();
    h.ciphertext_len = (inner.len() + crypto::TAG_LEN) as u32;
    let head = h.to_bytes();
    let mut file = head.to_vec();
    file.extend(crypto::seal(&key.bytes, &h.nonce, &head, inner));
    let signature = signer.sign(&file);
    file.extend(signature);
    file
}

#[test]
fn the_bundle_reader_refuses_mutations_and_never_panics() {
    let iterations: u64 = std::env::var("QUARTIERE_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(4_000);
    let mut rng = IdGen::seeded(0xF022);
    let key = TeamKey::generate(1_700_000_000_000);
    let signer = DeskSigner::generate();
    let desk = DeskId(rng.uuid_v7(1_700_000_000_000));
    let mut refused = 0u64;
    for round in 0..iterations {
        let payload = sample(&mut rng, desk);
        let version = 1 + (round % 2) as u8;
        let versioned = Header { version, ..header(desk, 3) };
        let good = format::seal_file(versioned, &payload.encode_as(version), &key, &signer);
        assert_eq!(read_bundle(&good, desk, 3, &key, signer.verifying_key()).unwrap(), payload);
        // 1. A mutated real bundle: refused unless the bytes came out unchanged.
        let mut bad = good.clone();
        mutate(&mut rng, &mut bad);
        match read_bundle(&bad, desk, 3, &key, signer.verifying_key()) {
            Ok(_) => assert_eq!(bad, good, "round {round}: a changed file was accepted"),
            Err(_) => refused += 1,
        }
        // 2. Garbage or a mutated encoding, compressed, encrypted and signed correctly: reaches the decoder.
        let mut plain = payload.encode_as(version);
        mutate(&mut rng, &mut plain);
        let file = format::seal_file(versioned, &plain, &key, &signer);
        let _ = read_bundle(&file, desk, 3, &key, signer.verifying_key());
        // 3. A valid AEAD and signature around bytes that are not a zstd frame (or a damaged one).
        let mut inner = zstd_frame(&payload.encode());
        mutate(&mut rng, &mut inner);
        let _ = read_bundle(&sealed_raw(&inner, desk, 3, &key, &signer), desk, 3, &key, signer.verifying_key());
        // 4. The decoder alone on random bytes.
        let random: Vec<u8> = (0..rng.below(200)).map(|_| rng.below(256) as u8).collect();
        let _ = Payload::decode(&random, version);
        let _ = Header::parse(&random);
    }
    assert!(refused > iterations * 9 / 10, "mutations should almost always be refused: {refused}/{iterations}");
}

fn zstd_frame(bytes: &[u8]) -> Vec<u8> {
    // Recover the compressed frame from a sealed file: open it with a known key.
    let key = TeamKey { id: Uuid::nil(), bytes: [7; 32] };
    let signer = DeskSigner::from_seed(&[9; 32]);
    let desk = DeskId(Uuid::nil());
    let file = format::seal_file(header(desk, 1), bytes, &key, &signer);
    let h = Header::parse(&file).unwrap();
    crypto::open(&key.bytes, &h.nonce, &file[..HEADER_LEN], &file[HEADER_LEN..file.len() - crypto::SIGNATURE_LEN])
        .unwrap()
}

/// A file over a mebibyte (a snapshot) has its signature checked on one core while it is decrypted
/// and decompressed on the other: read whole when intact, refused when signed by another desk (that
/// reason first, even if the content is damaged too) or when its content fails the AEAD check under
/// a valid signature.
#[test]
fn a_large_file_checked_on_two_cores_is_refused_for_any_fault() {
    let mut rng = IdGen::seeded(0x1A26E);
    let key = TeamKey::generate(1_700_000_000_000);
    let signer = DeskSigner::generate();
    let desk = DeskId(rng.uuid_v7(1_700_000_000_000));
    let mut payload = Payload::default();
    payload.frontier.insert(desk, 3);
    payload.contexts.push(payload.frontier.clone());
    // Values zstd cannot shrink, so the sealed file is large.
    for _ in 0..20_000 {
        let noise: String = (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect();
        payload.changes.push(WireChange {
            table: Table::Person,
            row_id: rng.uuid_v7(1_700_000_000_000),
            column: "surname",
            value: Value::Text(noise),
            hlc: Hlc(rng.next_u64() >> 1),
            desk,
            operator: OperatorId(Uuid::from_u128(1)),
            batch: Uuid::from_u128(2),
            origin_seq: 3,
            context: 0,
        });
    }
    let file = format::seal_file(Header { version: 2, ..header(desk, 3) }, &payload.encode(), &key, &signer);
    assert!(file.len() > 1 << 20, "{} bytes", file.len());
    assert!(read_bundle(&file, desk, 3, &key, signer.verifying_key()).is_ok_and(|read| read == payload));

    // The payload is megabytes: an accepted file is reported without it.
    let refused = |bytes: &[u8], verifying_key| match read_bundle(bytes, desk, 3, &key, verifying_key) {
        Ok(_) => panic!("a file that should be refused was read"),
        Err(reason) => reason,
    };
    let other = DeskSigner::generate();
    let err = refused(&file, other.verifying_key());
    assert_eq!(err.kind(), RefusalKind::BadSignature, "{err}");
    // Damaged content under the original signature: the signature no longer matches, and says so.
    let mut damaged = file.clone();
    damaged[HEADER_LEN + 1000] ^= 0x10;
    let err = refused(&damaged, signer.verifying_key());
    assert_eq!(err.kind(), RefusalKind::BadSignature, "{err}");
    // Damaged content signed again by the desk: the AEAD check refuses it.
    let mut resigned = damaged[..damaged.len() - 64].to_vec();
    let signature = signer.sign(&resigned);
    resigned.extend(signature);
    let err = refused(&resigned, signer.verifying_key());
    assert_eq!(err.kind(), RefusalKind::Damaged, "{err}");
}
