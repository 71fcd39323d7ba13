//! Startup benchmark: the release app to its first rendered screen (the sign-in screen, with the
//! names that may sign in read from the key file of a Mezzetta-sized demo desk), and the memory of all its processes then, next to the same
//! figures for a minimal Tauri app (tests/startup/minimal-app) built in the same run.
//!
//! Run it with `cargo xtask startup`, which builds both apps in release first. Target: Quartiere
//! at most 1.3x the minimal app on time and on memory.
//!
//! Time runs from spawning the process to the page telling the shell it has painted (two
//! animation frames after its content is in the DOM); "of it page" is the part the page reports
//! itself (`performance.now()` then: since the page began loading). Memory is the proportional set size (PSS:
//! shared pages split between the processes that map them) summed over the app and every
//! process it started (WebKit's web and network processes), one second after that.
//!
//! On a machine without a GPU (as CI and this benchmark's machine), Quartiere paints on the
//! processor (src-tauri/src/painting.rs); there it is measured a second time with WebKit's default
//! GPU painting forced, and both ratios are printed.

#[path = "../support/x11.rs"]
mod x11;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Sample {
    ready: Duration,
    /// The part of `ready` the page itself reported: from the start of its loading to the paint.
    page: Duration,
    pss_kib: u64,
    rss_kib: u64,
    processes: usize,
}

fn release_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() { target } else { root.join(target) };
    target.join("release")
}

/// Every process whose ancestry leads to `root`, `root` included.
fn process_tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // The command name is in parentheses and may hold spaces: the parent pid follows the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { continue };
        if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    tree
}

/// (PSS, RSS) in KiB, from the kernel's per-process summary.
fn memory_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("Pss:"), field("Rss:"))
}

/// WebKit's switch between painting on the processor and on the GPU (src-tauri/src/painting.rs).
const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

fn measure(binary: &Path, args: &[&str], env: &[(&str, &str)], display: &str) -> Sample {
    let start = Instant::now();
    let mut child = Command::new(binary)
        .args(args)
        // Only what the series sets: a value in the caller's environment would change the baseline too.
        .env_remove(CPU_PAINTING)
        .envs(env.iter().copied())
        .env("DISPLAY", display)
        .env("QUARTIERE_STARTUP_PROBE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(page_ms) = line.trim().strip_prefix("ready ").and_then(|ms| ms.parse::<u64>().ok()) {
                let _ = tx.send((Instant::now(), Duration::from_millis(page_ms)));
            }
        }
    });
    let (ready, page) = match rx.recv_timeout(Duration::from_secs(120)) {
        Ok((at, page)) => (at - start, page),
        Err(_) => {
            let _ = child.kill();
            panic!("{} never said it was ready", binary.display());
        }
    };
    std::thread::sleep(Duration::from_secs(1));
    let tree = process_tree(child.id());
    let (pss_kib, rss_kib) = tree.iter().map(|&p| memory_kib(p)).fold((0, 0), |(a, b), (pss, rss)| (a + pss, b + rss));
    for pid in tree.iter().rev() {
        let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
    }
    let _ = child.wait();
    Sample { ready, page, pss_kib, rss_kib, processes: tree.len() }
}

/// One app started the same way each time: its binary, arguments and extra environment.
struct Series<'a> {
    name: &'a str,
    binary: &'a Path,
    args: &'a [&'a str],
    env: &'a [(&'a str, &'a str)],
}

fn median<T: Copy + Ord>(mut values: Vec<T>) -> T {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is not ours.
    let release = release_dir();
    let app = release.join("quartiere-app");
    let cli = release.join("quartiere");
    let minimal = release.join("minimal-tauri-app");
    for binary in [&app, &cli, &minimal] {
        if !binary.exists() {
            eprintln!("{} is missing: run `cargo xtask startup`, which builds it in release", binary.display());
            std::process::exit(2);
        }
    }
    let runs: usize = std::env::var("QUARTIERE_STARTUP_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(7);
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().to_str().unwrap().to_string();
    // A desk with its coordinator, then the demo neighbourhood written by them.
    for args in [&["init", "--desk", "Sportello", "--as", "Benchmark"][..], &["demo", "--households", "133"][..]] {
        let status = Command::new(&cli)
            .args(["--data-dir", &data_dir])
            .args(args)
            .env("QUARTIERE_OPERATOR", "Benchmark")
            .env("QUARTIERE_PASSPHRASE", "parola del benchmark")
            .output()
            .unwrap();
        assert!(status.status.success(), "{args:?}: {}", String::from_utf8_lossy(&status.stderr));
    }
    let (_x, display) = x11::xvfb();
    let quartiere_args = ["--data-dir", data_dir.as_str()];

    // Quartiere asks WebKit to paint on the processor where there is no GPU (src-tauri/src/painting.rs);
    // there it is also measured with WebKit's default (GPU painting through software OpenGL), to
    // show what the choice is worth. The minimal app always keeps WebKit's default.
    let no_gpu = !std::fs::read_dir("/dev/dri")
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false);
    let gpu_forced: &[(&str, &str)] = &[(CPU_PAINTING, "0")];
    let series: Vec<Series> = [
        Series { name: "minimal Tauri app (static page)", binary: &minimal, args: &[], env: &[] },
        Series { name: "Quartiere (sign-in, 133 households)", binary: &app, args: &quartiere_args, env: &[] },
    ]
    .into_iter()
    .chain(no_gpu.then_some(Series {
        name: "Quartiere, GPU painting forced",
        binary: &app,
        args: &quartiere_args,
        env: gpu_forced,
    }))
    .collect();

    // One unmeasured start of each fills the page cache, then they alternate.
    for s in &series {
        measure(s.binary, s.args, s.env, &display);
    }
    let mut samples: Vec<Vec<Sample>> = series.iter().map(|_| Vec::new()).collect();
    for _ in 0..runs {
        for (s, taken) in series.iter().zip(&mut samples) {
            taken.push(measure(s.binary, s.args, s.env, &display));
        }
    }

    let summary = |samples: &[Sample]| {
        (
            median(samples.iter().map(|s| s.ready).collect()),
            median(samples.iter().map(|s| s.page).collect()),
            median(samples.iter().map(|s| s.pss_kib).collect()),
            median(samples.iter().map(|s| s.rss_kib).collect()),
            median(samples.iter().map(|s| s.processes).collect()),
        )
    };
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!("startup, median of {runs} runs each, release builds, Xvfb 1366x768");
    if no_gpu {
        println!("no GPU render node in /dev/dri: Quartiere paints on the processor ({CPU_PAINTING}=1)");
    }
    println!("{:<34}{:>14}{:>12}{:>12}{:>12}{:>11}", "", "first screen", "of it page", "PSS", "RSS", "processes");
    let figures: Vec<_> = samples.iter().map(|s| summary(s)).collect();
    for (s, (time, page, pss, rss, procs)) in series.iter().zip(&figures) {
        println!(
            "{:<34}{:>11.0} ms{:>9} ms{:>8.1} MiB{:>8.1} MiB{:>11}",
            s.name,
            time.as_secs_f64() * 1000.0,
            page.as_millis(),
            mib(*pss),
            mib(*rss),
            procs
        );
    }
    let (b_time, _, b_pss, ..) = figures[0];
    let verdict = |r: f64| if r <= 1.3 { "within 1.3x" } else { "OVER 1.3x" };
    for (s, (time, _, pss, ..)) in series.iter().zip(&figures).skip(1) {
        let name = s.name;
        let time_ratio = time.as_secs_f64() / b_time.as_secs_f64();
        let memory_ratio = *pss as f64 / b_pss as f64;
        println!(
            "ratio, {name}: time {time_ratio:.2}x ({}), memory (PSS) {memory_ratio:.2}x ({})",
            verdict(time_ratio),
            verdict(memory_ratio)
        );
    }
}
