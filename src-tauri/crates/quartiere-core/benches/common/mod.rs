//! What the benchmarks share: a desk with its own encrypted database and the median of samples.

use std::path::Path;
use std::time::Duration;

use quartiere_core::accounts;
use quartiere_core::clock::SystemClock;
use quartiere_core::crypto::KdfParams;
use quartiere_core::ids::IdGen;
use quartiere_core::{Actor, Store};

/// The passphrase of every benchmark desk.
pub const PASS: &str = "frase di prova del banco";

/// The first operator of every benchmark desk.
pub const OPERATOR: &str = "Benchmark";

/// A new desk in `dir` (created), signed in as its first operator.
pub fn desk(dir: &Path, seed: u64, name: &str) -> (Store, Actor) {
    let signed = accounts::create_desk(
        dir,
        name,
        OPERATOR,
        PASS,
        KdfParams::MINIMUM,
        Box::new(SystemClock),
        IdGen::seeded(seed),
    )
    .unwrap();
    (signed.store, signed.actor)
}

/// The median of `samples` (not every benchmark takes medians).
#[allow(dead_code)]
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
