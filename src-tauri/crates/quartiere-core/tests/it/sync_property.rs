//! The convergence property: desks make random edits (creates, edits of the same fields, deletes,
//! notes) while their files are delivered shuffled, duplicated, delayed, and some half-copied
//! first; after full delivery every desk's canonical dump is identical.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use quartiere_core::ids::IdGen;
use quartiere_core::schema::Table;
use quartiere_core::store::canonical_dump;
use quartiere_core::sync;
use uuid::Uuid;

use crate::sync::{copy_tree, desk, run, walk, Desk};

/// One file on its way from one desk's folder to another's.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Parcel {
    rel: PathBuf,
    from: usize,
    to: usize,
}

struct World {
    desks: Vec<Desk>,
    folders: Vec<tempfile::TempDir>,
    pending: Vec<Parcel>,
    delivered: BTreeSet<Parcel>,
    seen: BTreeSet<(usize, PathBuf)>,
    rng: IdGen,
    people: Vec<Uuid>,
}

impl World {
    fn new(seed: u64, n: usize) -> World {
        let folders: Vec<tempfile::TempDir> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
        let mut desks = Vec::new();
        for i in 0..n {
            if i > 0 {
                // The key file reaches each desk's copy of the folder before it enrols.
                copy_tree(&folders[0].path().join("keys"), &ensure(folders[i].path().join("keys")));
            }
            // Desk 2's clock runs 7 minutes ahead, desk 1's 3 behind: skew must not matter.
            let skew = [0, -3, 7][i % 3];
            desks.push(desk(&format!("Sportello {i}"), seed * 10 + i as u64, folders[i].path(), skew));
        }
        World {
            desks,
            folders,
            pending: Vec::new(),
            delivered: BTreeSet::new(),
            seen: BTreeSet::new(),
            rng: IdGen::seeded(seed),
            people: Vec::new(),
        }
    }

    fn pick(&mut self, n: usize) -> usize {
        self.rng.below(n as u64) as usize
    }

    /// New files a desk published in its own folder become parcels for every other desk.
    fn collect(&mut self, from: usize) {
        let own =
            self.folders[from].path().join("desks").join(self.desks[from].store.desk().0.hyphenated().to_string());
        if !own.exists() {
            return;
        }
        for file in walk(&own) {
            let rel = file.strip_prefix(self.folders[from].path()).unwrap().to_owned();
            if self.seen.insert((from, rel.clone())) {
                for to in 0..self.desks.len() {
                    if to != from {
                        self.pending.push(Parcel { rel: rel.clone(), from, to });
                    }
                }
            }
        }
    }

    fn deliver(&mut self, parcel: &Parcel, whole: bool) {
        let source = self.folders[parcel.from].path().join(&parcel.rel);
        let target = self.folders[parcel.to].path().join(&parcel.rel);
        let Ok(bytes) = fs::read(&source) else {
            // Pruned at its origin: the deletion travels too, even over a half copy.
            let _ = fs::remove_file(&target);
            return;
        };
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        let bytes = if whole { bytes } else { bytes[..bytes.len() / 3].to_vec() };
        fs::write(&target, bytes).unwrap();
    }

    fn step(&mut self) {
        let n = self.desks.len();
        match self.pick(10) {
            0..=4 => self.edit(),
            5 | 6 => {
                let d = self.pick(n);
                run(&mut self.desks[d]);
                self.collect(d);
            }
            _ => {
                if self.pending.is_empty() {
                    return;
                }
                let at = self.pick(self.pending.len());
                let parcel = self.pending[at].clone();
                match self.pick(6) {
                    // Half-copied now; stays pending, so it is delivered whole later.
                    0 => self.deliver(&parcel, false),
                    // Delivered, and kept around to be delivered again (a duplicate).
                    1 => {
                        self.deliver(&parcel, true);
                        self.delivered.insert(parcel);
                    }
                    _ => {
                        self.deliver(&parcel, true);
                        self.delivered.insert(parcel);
                        self.pending.swap_remove(at);
                    }
                }
            }
        }
    }

    fn edit(&mut self) {
        let d = self.pick(self.desks.len());
        let choice = if self.people.is_empty() { 0 } else { self.pick(6) };
        let target = if self.people.is_empty() {
            Uuid::nil()
        } else {
            let at = self.pick(self.people.len());
            self.people[at]
        };
        let drawn = self.rng.next_u64() % 1000;
        let value = format!("v{drawn}");
        let desk = &mut self.desks[d];
        let actor = desk.actor;
        let exists: bool = desk
            .store
            .conn()
            .query_row("SELECT count(*) > 0 FROM person WHERE id = ?1", [target.to_string()], |r| r.get(0))
            .unwrap();
        match choice {
            // Now and then a list of 70 at once: rows that reach the others whole, into their base.
            0 if drawn.is_multiple_of(8) => self.import(d, 70),
            0 => {
                let id = desk.store.new_id();
                desk.store
                    .write(&actor, |w| {
                        w.insert(
                            Table::Person,
                            id,
                            &[("surname", value.clone().into()), ("name", "N".to_string().into())],
                        )
                    })
                    .unwrap();
                self.people.push(id);
            }
            // Edits of the same few fields, from whichever desk, known row or not yet.
            1 | 2 if exists => {
                let column = if choice == 1 { "phone" } else { "surname" };
                desk.store.write(&actor, |w| w.update(Table::Person, target, &[(column, value.into())])).unwrap();
            }
            3 if exists => {
                desk.store.write(&actor, |w| w.tombstone(Table::Person, target)).unwrap();
            }
            4 | 5 if exists => {
                desk.store
                    .write(&actor, |w| {
                        quartiere_core::desk::add_note(
                            w,
                            quartiere_core::desk::NoteSubject::Person(quartiere_core::ids::PersonId(target)),
                            &format!("nota {value}"),
                        )
                    })
                    .unwrap();
            }
            _ => {}
        }
    }

    /// Desk `d` adds `n` people in one write, as an import does.
    fn import(&mut self, d: usize, n: usize) {
        let desk = &mut self.desks[d];
        let actor = desk.actor;
        let ids: Vec<Uuid> = (0..n).map(|_| desk.store.new_id()).collect();
        desk.store
            .write(&actor, |w| {
                for (i, id) in ids.iter().enumerate() {
                    let values = [("surname", format!("Elenco{i}").into()), ("name", "E".to_string().into())];
                    w.insert(Table::Person, *id, &values)?;
                }
                Ok(())
            })
            .unwrap();
        self.people.extend(ids);
    }

    /// How many chunks of people each desk keeps in its snapshot base.
    fn person_chunks(&self) -> Vec<i64> {
        let sql = "SELECT count(*) FROM base_chunk WHERE tbl = 'person'";
        self.desks.iter().map(|d| d.store.conn().query_row(sql, [], |r| r.get(0)).unwrap()).collect()
    }

    /// A new desk joins from a snapshot `from` writes now: its copy of the folder holds the key
    /// files, every desk's card and `from`'s own files (so it is that snapshot it loads); every
    /// other file reaches it later, as parcels.
    fn join_from_snapshot(&mut self, from: usize, seed: u64) {
        let actor = self.desks[from].actor;
        let report = sync::snapshot_now(&mut self.desks[from].store, &actor).unwrap();
        assert!(report.snapshot_written.is_some(), "{report:?}");
        self.collect(from);
        let folder = tempfile::tempdir().unwrap();
        let source = self.folders[from].path();
        copy_tree(&source.join("keys"), &ensure(folder.path().join("keys")));
        let own = self.desks[from].store.desk().0.hyphenated().to_string();
        for desk in fs::read_dir(source.join("desks")).unwrap() {
            let desk = desk.unwrap();
            let target = ensure(folder.path().join("desks").join(desk.file_name()));
            if desk.file_name().to_string_lossy() == own {
                copy_tree(&desk.path(), &target);
            } else if desk.path().join("desk.qrt").exists() {
                fs::copy(desk.path().join("desk.qrt"), target.join("desk.qrt")).unwrap();
            }
        }
        let n = self.desks.len();
        let mut newcomer = desk(&format!("Sportello {n}"), seed * 10 + n as u64, folder.path(), 0);
        let report = run(&mut newcomer);
        assert!(report.snapshot_loaded.is_some(), "seed {seed}: {report:?}");
        let people: i64 = newcomer.store.conn().query_row("SELECT count(*) FROM person", [], |r| r.get(0)).unwrap();
        let chunks: i64 = newcomer
            .store
            .conn()
            .query_row("SELECT count(*) FROM base_chunk WHERE tbl = 'person'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(chunks, (people + 63) / 64, "seed {seed}: the people came in bulk, into the snapshot base");
        self.desks.push(newcomer);
        self.folders.push(folder);
        let seen: Vec<(usize, PathBuf)> = self.seen.iter().cloned().collect();
        for (from, rel) in seen {
            self.pending.push(Parcel { rel, from, to: n });
        }
        self.collect(n);
    }

    /// Everything delivered whole, every desk synced, until no desk has anything new.
    fn settle(&mut self) {
        for _ in 0..6 {
            for d in 0..self.desks.len() {
                run(&mut self.desks[d]);
                self.collect(d);
            }
            let pending = std::mem::take(&mut self.pending);
            for parcel in &pending {
                self.deliver(parcel, true);
            }
        }
        for d in 0..self.desks.len() {
            run(&mut self.desks[d]);
        }
    }
}

impl World {
    /// Every desk holds the same data, with nothing refused and nothing left to publish.
    fn assert_converged(&self, seed: u64) {
        let dumps: Vec<String> = self.desks.iter().map(|d| canonical_dump(d.store.conn()).unwrap()).collect();
        for (i, dump) in dumps.iter().enumerate().skip(1) {
            assert_eq!(&dumps[0], dump, "seed {seed}: desk {i} differs from desk 0");
        }
        for d in &self.desks {
            let status = sync::status(&d.store, &d.actor).unwrap();
            assert!(
                status.refused.is_empty(),
                "seed {seed}: refusals remain after whole delivery: {:?}",
                status.refused
            );
            assert_eq!(status.unpublished_changes, 0);
        }
    }
}

fn ensure(path: PathBuf) -> PathBuf {
    fs::create_dir_all(&path).unwrap();
    path
}

fn converge(seed: u64, steps: usize) {
    let mut world = World::new(seed, 3);
    // Desk 1 starts with a list of 100 people, published at once: the other two merge them as rows
    // new to them, into their snapshot base, and edit, delete and annotate them as the others.
    world.import(1, 100);
    run(&mut world.desks[1]);
    world.collect(1);
    for _ in 0..steps {
        world.step();
    }
    world.settle();
    world.assert_converged(seed);
    let chunks = world.person_chunks();
    assert!(chunks[0] > 0 && chunks[2] > 0, "seed {seed}: the list went to the base: {chunks:?}");
}

/// Desks join mid-way from snapshots: the third from the first's, the fourth from the third's
/// (which carries the rows the third loaded in bulk), and everyone edits on.
fn converge_with_joins(seed: u64, steps: usize) {
    let mut world = World::new(seed, 2);
    for round in 0..3 {
        for _ in 0..steps {
            world.step();
        }
        match round {
            0 => world.join_from_snapshot(0, seed),
            1 => world.join_from_snapshot(2, seed),
            _ => {}
        }
    }
    world.settle();
    world.assert_converged(seed);
}

/// The seeds to run: 1 to `default` in CI; `QUARTIERE_SYNC_SEEDS=N` runs 1 to N for a longer local
/// run, `QUARTIERE_SYNC_SEED=S` only seed S (the one a failure names).
fn seeds(default: u64) -> std::ops::RangeInclusive<u64> {
    let var = |name: &str| std::env::var(name).ok().and_then(|s| s.parse::<u64>().ok());
    match (var("QUARTIERE_SYNC_SEED"), var("QUARTIERE_SYNC_SEEDS")) {
        (Some(seed), _) => seed..=seed,
        (None, Some(count)) => 1..=count,
        (None, None) => 1..=default,
    }
}

#[test]
fn desks_joining_from_snapshots_converge_too() {
    for seed in seeds(12) {
        converge_with_joins(seed, 60);
    }
}

#[test]
fn desks_converge_whatever_the_delivery_order() {
    for seed in seeds(24) {
        converge(seed, 120);
    }
}
