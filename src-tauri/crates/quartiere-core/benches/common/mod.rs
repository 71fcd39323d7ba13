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

/// The median of `rounds` runs of `f`, after one run to warm up.
#[allow(dead_code)]
pub fn timed(rounds: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        f();
        samples.push(t.elapsed());
    }
    median(samples)
}

/// One line of a benchmark's table: what, ours, the baseline, the ratio.
#[allow(dead_code)]
pub fn report(what: &str, ours: Duration, base: Duration) {
    println!(
        "{:<44} {:>9.3} ms {:>9.3} ms {:>7.2}x",
        what,
        ours.as_secs_f64() * 1e3,
        base.as_secs_f64() * 1e3,
        ours.as_secs_f64() / base.as_secs_f64()
    );
}
