//! The audit log as it grows: a desk of Mezzetta's size (133 households) after 1,000 and after
//! 8,000 edits, each its own write with its own audit event. For each size, the median time of
//! - one more edit (which hashes the changes it recorded into its event), and
//! - checking the whole log (`audit::verify`, what the DPO's screen and export run),
//!   next to a baseline measured in the same run: plain SQL reading every audit event and every
//!   change row once, the least a check of the log must read.
//!
//! Both must grow with the log, not with its square: an edit costs about the same at both sizes,
//! and a check of eight times the edits about eight times as much (once, each edit's digest was
//! recomputed by a pass over the whole change record: 31 s for 4,000 edits).
//!
//! Run with `cargo bench -p quartiere-core --bench audit`.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use quartiere_core::audit;
use quartiere_core::demo::{self, DemoConfig};
use quartiere_core::schema::Table;
use quartiere_core::{Actor, Store};
use uuid::Uuid;

mod common;
use common::median;

fn edit(store: &mut Store, actor: &Actor, person: Uuid, n: usize) {
    store.write(actor, |w| w.update(Table::Person, person, &[("phone", format!("02 {n:08}").into())])).unwrap();
}

/// Every audit event and every change row read once, with plain SQL.
fn read_everything(store: &Store) -> Duration {
    let t = Instant::now();
    for sql in ["SELECT * FROM audit_event", "SELECT * FROM change_log"] {
        let mut stmt = store.conn().prepare(sql).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut cells = 0usize;
        while let Some(r) = rows.next().unwrap() {
            for i in 0..columns {
                cells += usize::from(r.get_ref(i).unwrap().data_type() != rusqlite::types::Type::Null);
            }
        }
        std::hint::black_box(cells);
    }
    t.elapsed()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, actor) = common::desk(dir.path(), 1, "Banco di prova");
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    demo::generate(&mut store, &actor, &DemoConfig { households: 133, people: None, seed: 2019, today }).unwrap();
    let people: Vec<Uuid> = {
        let mut stmt = store.conn().prepare("SELECT id FROM person ORDER BY id").unwrap();
        let ids = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        ids.map(|id| Uuid::parse_str(&id.unwrap()).unwrap()).collect()
    };
    println!("audit log         edit     check   plain read   check / read");
    let mut made = 0;
    let mut rows = Vec::new();
    for edits in [1_000, 8_000] {
        while made < edits {
            edit(&mut store, &actor, people[made % people.len()], made);
            made += 1;
        }
        let one = median(
            (0..21)
                .map(|i| {
                    let t = Instant::now();
                    edit(&mut store, &actor, people[i % people.len()], 10_000_000 + made + i);
                    t.elapsed()
                })
                .collect(),
        );
        let check = median(
            (0..3)
                .map(|_| {
                    let t = Instant::now();
                    assert!(audit::verify(&store, &actor).unwrap().intact());
                    t.elapsed()
                })
                .collect(),
        );
        let read = median((0..3).map(|_| read_everything(&store)).collect());
        println!(
            "{:>5} edits {:>8.2} ms {:>7.0} ms {:>9.0} ms {:>10.1}x",
            edits,
            one.as_secs_f64() * 1e3,
            check.as_secs_f64() * 1e3,
            read.as_secs_f64() * 1e3,
            check.as_secs_f64() / read.as_secs_f64()
        );
        rows.push((edits, one, check));
    }
    let (small, large) = (rows[0], rows[1]);
    println!(
        "{}x the edits: an edit {:.2}x the time (target about 1x), a check {:.1}x (target about {}x, not {}x)",
        large.0 / small.0,
        large.1.as_secs_f64() / small.1.as_secs_f64(),
        large.2.as_secs_f64() / small.2.as_secs_f64(),
        large.0 / small.0,
        (large.0 / small.0).pow(2)
    );
}
