//! Likely duplicates already in the registry, and the operator's answer to each: the same person
//! (a merge, which can be undone) or two different people.
//!
//! A merge keeps one record and sets the other aside (`deleted`), re-pointing to the kept one
//! what was the other's (memberships, desk contacts, notes, consents, privacy requests). The kept
//! record's empty fields take the other's values; where both have a value, the kept one's stays:
//! the operator chose which record to keep, seeing both. What the merge moved and filled is
//! recorded (`identity_decision`), with who merged and why, so undoing it puts everything back.
//! Every step is an ordinary write: it reaches the other desks through sync, and both records'
//! histories stay in the change record.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::identity::name_key;
use super::{load_person, Person};
use crate::access::{self, Action};
use crate::audit;
use crate::cf;
use crate::error::{Error, Result};
use crate::ids::PersonId;
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

/// Why two records look like one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// Same name (folded as search folds it) and same birth date.
    SameNameAndBirth,
    /// Codici fiscali that differ only by omocodia.
    Omocodia,
    /// Same name, in the same household.
    SameNameInHousehold,
    /// Same name and same phone number.
    SameNameAndPhone,
}

impl Sign {
    pub fn label(self) -> &'static str {
        match self {
            Sign::SameNameAndBirth => "stesso nome e stessa data di nascita",
            Sign::Omocodia => "codici fiscali che differiscono solo per omocodia",
            Sign::SameNameInHousehold => "stesso nome nello stesso nucleo",
            Sign::SameNameAndPhone => "stesso nome e stesso telefono",
        }
    }
}

/// A person of a pair, with where they live now.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PairSide {
    pub person: Person,
    /// The address of their household now, if any.
    pub lives_at: Option<String>,
    /// How many desk contacts are recorded about them.
    pub contacts: u32,
}

/// Two records that may be one person.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DuplicatePair {
    pub a: PairSide,
    pub b: PairSide,
    pub signs: Vec<Sign>,
}

struct Row {
    id: PersonId,
    key: (String, String),
    birth: Option<NaiveDate>,
    code: Option<String>,
    phone: Option<String>,
    household: Option<String>,
}

/// The pairs of records that look like one person, not yet answered as "different people".
pub fn likely_duplicates(store: &mut Store, actor: &Actor) -> Result<Vec<DuplicatePair>> {
    let role = access::require(store.conn(), actor, Action::ReadRegistry)?;
    let pairs = find_pairs(store.conn())?;
    let mut out = Vec::new();
    for ((a, b), signs) in pairs {
        out.push(DuplicatePair { a: side(store.conn(), a)?, b: side(store.conn(), b)?, signs });
    }
    audit::record_read(store, actor, role, (Table::Person, None), "possibili doppioni")?;
    Ok(out)
}

fn side(conn: &Connection, id: PersonId) -> Result<PairSide> {
    let person = load_person(conn, id)?;
    let lives_at: Option<String> = conn
        .query_row(
            "SELECT d.street || ' ' || d.civic FROM membership m JOIN household h ON h.id = m.household_id
             JOIN dwelling d ON d.id = h.dwelling_id
             WHERE m.person_id = ?1 AND m.left_on IS NULL AND m.deleted = 0 ORDER BY m.id DESC LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let contacts: u32 =
        conn.query_row("SELECT count(*) FROM desk_contact WHERE person_id = ?1 AND deleted = 0", [id], |r| r.get(0))?;
    Ok(PairSide { person, lives_at, contacts })
}

/// Two records, the older id first, and why they look like one person.
type Pair = ((PersonId, PersonId), Vec<Sign>);

fn find_pairs(conn: &Connection) -> Result<Vec<Pair>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, p.surname, p.name, p.birth_date, p.codice_fiscale, p.phone,
                (SELECT m.household_id FROM membership m WHERE m.person_id = p.id AND m.left_on IS NULL
                  AND m.deleted = 0 ORDER BY m.id DESC LIMIT 1)
         FROM person p WHERE p.deleted = 0 AND p.erased_on IS NULL ORDER BY p.id",
    )?;
    let rows: Vec<Row> = stmt
        .query_map([], |r| {
            let surname: String = r.get(1)?;
            let name: String = r.get(2)?;
            Ok(Row {
                id: r.get(0)?,
                key: name_key(&surname, &name),
                birth: r.get::<_, Option<String>>(3)?.and_then(|s| s.parse().ok()),
                code: r.get(4)?,
                phone: r.get::<_, Option<String>>(5)?.map(|p| p.chars().filter(char::is_ascii_digit).collect()),
                household: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let answered: BTreeSet<(String, String)> = conn
        .prepare(
            "SELECT kept_id, other_id FROM identity_decision
             WHERE kind = 'distinct' AND undone_at IS NULL AND deleted = 0",
        )?
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .filter_map(|r| r.ok())
        .flat_map(|(a, b)| [(a.clone(), b.clone()), (b, a)])
        .collect();
    let mut signs: HashMap<(PersonId, PersonId), BTreeSet<Sign>> = HashMap::new();
    let mut add = |a: &Row, b: &Row, sign: Sign| {
        let pair = if a.id < b.id { (a.id, b.id) } else { (b.id, a.id) };
        signs.entry(pair).or_default().insert(sign);
    };
    let mut by_name: HashMap<&(String, String), Vec<&Row>> = HashMap::new();
    let mut by_base: HashMap<String, Vec<&Row>> = HashMap::new();
    for row in &rows {
        by_name.entry(&row.key).or_default().push(row);
        if let Some(code) = &row.code {
            by_base.entry(cf::base_form(code)).or_default().push(row);
        }
    }
    for group in by_name.values().filter(|g| g.len() > 1) {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                // Two valid codes that differ more than by omocodia are two people.
                let codes_differ =
                    matches!((&a.code, &b.code), (Some(x), Some(y)) if cf::base_form(x) != cf::base_form(y));
                if codes_differ {
                    continue;
                }
                if a.birth.is_some() && a.birth == b.birth {
                    add(a, b, Sign::SameNameAndBirth);
                }
                if a.household.is_some() && a.household == b.household {
                    add(a, b, Sign::SameNameInHousehold);
                }
                if a.phone.as_ref().is_some_and(|p| p.len() >= 6) && a.phone == b.phone {
                    add(a, b, Sign::SameNameAndPhone);
                }
            }
        }
    }
    for group in by_base.values().filter(|g| g.len() > 1) {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                if a.code != b.code {
                    add(a, b, Sign::Omocodia);
                }
            }
        }
    }
    let mut pairs: Vec<Pair> = signs
        .into_iter()
        .filter(|((a, b), _)| !answered.contains(&(a.to_string(), b.to_string())))
        .map(|(pair, signs)| (pair, signs.into_iter().collect()))
        .collect();
    pairs.sort();
    Ok(pairs)
}

/// What a merge re-pointed or set aside, to undo it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Moved {
    table: String,
    id: Uuid,
    column: String,
    /// `repoint`: the column held the other record's id; `set_aside`: the row was marked deleted.
    action: String,
}

/// The fields a merge fills on the kept record when it has none and the other has one: every
/// column of a person but the name (the kept record's is the one chosen) and the bookkeeping.
fn fillable() -> Vec<&'static str> {
    Table::Person
        .columns()
        .iter()
        .copied()
        .filter(|c| !matches!(*c, "surname" | "name" | "deleted" | "created_at" | "erased_on"))
        .collect()
}

/// The rows that point at a person, by table and column.
const POINTERS: [(Table, &str, &str); 4] = [
    (Table::Membership, "person_id", "membership"),
    (Table::DeskContact, "person_id", "desk_contact"),
    (Table::Consent, "person_id", "consent"),
    (Table::PrivacyRequest, "person_id", "privacy_request"),
];

/// Merges `other` into `kept`: they are one person. Refused when they hold two codici fiscali that
/// differ more than by omocodia, or live in two households now (record the move first). Returns
/// the decision's id, which [`undo_merge`] takes.
pub fn merge(w: &mut Writer<'_>, kept: PersonId, other: PersonId, reason: &str) -> Result<Uuid> {
    let reason = crate::text::clean_line(reason, 200).map_err(|u| Error::invalid("motivo", u.reason()))?;
    if reason.is_empty() {
        return Err(Error::invalid("motivo", "scrivi perché sono la stessa persona"));
    }
    if kept == other {
        return Err(Error::invalid("persona", "scegli due schede diverse"));
    }
    let a = load_person(w.conn(), kept)?;
    let b = load_person(w.conn(), other)?;
    if let (Some(x), Some(y)) = (&a.codice_fiscale, &b.codice_fiscale) {
        if cf::base_form(x) != cf::base_form(y) {
            return Err(Error::invalid(
                "persona",
                "le due schede hanno codici fiscali diversi: sono due persone e non si possono unire",
            ));
        }
    }
    let open = |id: PersonId| -> Result<Option<(String, String)>> {
        Ok(w.conn()
            .query_row(
                "SELECT id, household_id FROM membership WHERE person_id = ?1 AND left_on IS NULL AND deleted = 0
                 ORDER BY id DESC LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    };
    let (kept_open, other_open) = (open(kept)?, open(other)?);
    let mut set_aside: Option<String> = None;
    if let (Some((_, h1)), Some((m2, h2))) = (&kept_open, &other_open) {
        if h1 != h2 {
            return Err(Error::invalid(
                "nucleo",
                "le due schede sono in due nuclei diversi: prima registra l'uscita di una delle due dal suo nucleo",
            ));
        }
        // Both in the same household: the other's membership is set aside, the kept one's stays.
        set_aside = Some(m2.clone());
    }
    let mut moved: Vec<Moved> = Vec::new();
    if let Some(membership) = set_aside {
        let id = crate::store::parse_uuid(&membership)?;
        w.update(Table::Membership, id, &[("deleted", Value::Integer(1))])?;
        moved.push(Moved { table: "membership".into(), id, column: "deleted".into(), action: "set_aside".into() });
    }
    for (table, column, name) in POINTERS {
        let ids: Vec<String> = w
            .conn()
            .prepare(&format!("SELECT id FROM {name} WHERE {column} = ?1 AND deleted = 0"))?
            .query_map([other], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in ids {
            let id = crate::store::parse_uuid(&id)?;
            w.update(table, id, &[(column, kept.to_string().into())])?;
            moved.push(Moved { table: name.into(), id, column: column.into(), action: "repoint".into() });
        }
    }
    let notes: Vec<String> = w
        .conn()
        .prepare("SELECT id FROM note WHERE subject_table = 'person' AND subject_id = ?1 AND deleted = 0")?
        .query_map([other], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in notes {
        let id = crate::store::parse_uuid(&id)?;
        w.update(Table::Note, id, &[("subject_id", kept.to_string().into())])?;
        moved.push(Moved { table: "note".into(), id, column: "subject_id".into(), action: "repoint".into() });
    }
    let columns = fillable();
    let values = |id: PersonId| -> Result<Vec<Value>> {
        Ok(w.conn().query_row(&format!("SELECT {} FROM person WHERE id = ?1", columns.join(", ")), [id], |r| {
            (0..columns.len()).map(|i| r.get::<_, Value>(i)).collect()
        })?)
    };
    let (kept_values, other_values) = (values(kept)?, values(other)?);
    let mut filled: Vec<&str> = Vec::new();
    let mut fill: Vec<(&str, Value)> = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        if kept_values[i] == Value::Null && other_values[i] != Value::Null {
            filled.push(column);
            fill.push((column, other_values[i].clone()));
        }
    }
    // Set aside, the other record is found by no search and no code lookup.
    w.update(Table::Person, other.0, &[("deleted", Value::Integer(1))])?;
    if !fill.is_empty() {
        w.update(Table::Person, kept.0, &fill)?;
    }
    let id = decide(
        w,
        "merge",
        kept,
        other,
        vec![
            ("reason", reason.into()),
            ("moved", serde_json::to_string(&moved).expect("json of ids").into()),
            ("filled", serde_json::to_string(&filled).expect("json of names").into()),
        ],
    )?;
    audit::record_decision(
        w,
        (Table::Person, kept.0),
        format!("unite due schede della stessa persona (decisione {id})"),
    )?;
    Ok(id)
}

/// Undoes a merge: the set-aside record comes back with what was its own, and the kept record's
/// fields filled from it are emptied again (unless they were changed since).
pub fn undo_merge(w: &mut Writer<'_>, decision: Uuid) -> Result<()> {
    let found: Option<(String, String, String, String, String, Option<String>)> = w
        .conn()
        .query_row(
            "SELECT kind, kept_id, other_id, moved, filled, undone_at FROM identity_decision WHERE id = ?1 AND deleted = 0",
            [decision.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((kind, kept, other, moved, filled, undone)) = found else {
        return Err(Error::NotFound { what: "unione di schede", key: decision.to_string() });
    };
    if kind != "merge" {
        return Err(Error::invalid("decisione", "questa decisione non è un'unione di schede"));
    }
    if undone.is_some() {
        return Err(Error::invalid("decisione", "questa unione è già stata annullata"));
    }
    let moved: Vec<Moved> =
        serde_json::from_str(&moved).map_err(|_| Error::invalid("decisione", "unione illeggibile"))?;
    let filled: Vec<String> =
        serde_json::from_str(&filled).map_err(|_| Error::invalid("decisione", "unione illeggibile"))?;
    let other_id = crate::store::parse_uuid(&other)?;
    let kept_id = crate::store::parse_uuid(&kept)?;
    w.update(Table::Person, other_id, &[("deleted", Value::Integer(0))])?;
    for entry in &moved {
        let table = Table::from_name(&entry.table)
            .ok_or_else(|| Error::invalid("decisione", format!("tabella sconosciuta: {}", entry.table)))?;
        let column = table
            .column(&entry.column)
            .ok_or_else(|| Error::invalid("decisione", format!("colonna sconosciuta: {}", entry.column)))?;
        match entry.action.as_str() {
            "set_aside" => w.update(table, entry.id, &[("deleted", Value::Integer(0))])?,
            _ => w.update(table, entry.id, &[(column, other.clone().into())])?,
        };
    }
    // A filled field goes back to empty only if it still holds what it took from the other record.
    for column in filled {
        let Some(column) = Table::Person.column(&column) else { continue };
        let sql = format!(
            "SELECT (SELECT {column} FROM person WHERE id = ?1) IS (SELECT {column} FROM person WHERE id = ?2)"
        );
        let same: bool = w.conn().query_row(&sql, [&kept, &other], |r| r.get(0))?;
        if same {
            w.update(Table::Person, kept_id, &[(column, Value::Null)])?;
        }
    }
    let now = w.now().to_rfc3339();
    let by = w.actor().operator.to_string();
    w.update(Table::IdentityDecision, decision, &[("undone_at", now.into()), ("undone_by", by.into())])?;
    audit::record_decision(
        w,
        (Table::Person, other_id),
        format!("annullata l'unione di due schede (decisione {decision})"),
    )?;
    Ok(())
}

/// Records that two records are different people: the duplicates list stops proposing them.
pub fn mark_distinct(w: &mut Writer<'_>, a: PersonId, b: PersonId) -> Result<Uuid> {
    load_person(w.conn(), a)?;
    load_person(w.conn(), b)?;
    let id = decide(w, "distinct", a, b, Vec::new())?;
    audit::record_decision(w, (Table::Person, a.0), format!("due schede sono persone diverse (decisione {id})"))?;
    Ok(id)
}

/// Records a decision about two records (`merge` or `distinct`), by whom and when, with `more`.
fn decide(
    w: &mut Writer<'_>,
    kind: &str,
    kept: PersonId,
    other: PersonId,
    more: Vec<(&'static str, Value)>,
) -> Result<Uuid> {
    let id = w.new_id();
    let mut columns: Vec<(&str, Value)> = vec![
        ("kind", kind.to_string().into()),
        ("kept_id", kept.to_string().into()),
        ("other_id", other.to_string().into()),
        ("decided_at", w.now().to_rfc3339().into()),
        ("decided_by", w.actor().operator.to_string().into()),
    ];
    columns.extend(more);
    w.insert(Table::IdentityDecision, id, &columns)?;
    Ok(id)
}

/// A merge as the duplicates screen lists it, with who made it, why, and whether it was undone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MergeView {
    pub id: String,
    pub kept: PersonId,
    pub kept_name: String,
    pub other: PersonId,
    pub other_name: String,
    pub reason: String,
    pub decided_at: String,
    pub decided_by: String,
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
}

/// The merges made, newest first.
pub fn merges(conn: &Connection, actor: &Actor) -> Result<Vec<MergeView>> {
    access::require(conn, actor, Action::ReadRegistry)?;
    let mut stmt = conn.prepare(
        "SELECT d.id, d.kept_id, k.surname || ' ' || k.name, d.other_id, o.surname || ' ' || o.name,
                coalesce(d.reason, ''), d.decided_at, coalesce(op.name, ''), d.undone_at, un.name
         FROM identity_decision d
         JOIN person k ON k.id = d.kept_id JOIN person o ON o.id = d.other_id
         LEFT JOIN operator op ON op.id = d.decided_by LEFT JOIN operator un ON un.id = d.undone_by
         WHERE d.kind = 'merge' AND d.deleted = 0 ORDER BY d.decided_at DESC, d.id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(MergeView {
            id: r.get(0)?,
            kept: r.get(1)?,
            kept_name: r.get(2)?,
            other: r.get(3)?,
            other_name: r.get(4)?,
            reason: r.get(5)?,
            decided_at: r.get(6)?,
            decided_by: r.get(7)?,
            undone_at: r.get(8)?,
            undone_by: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
