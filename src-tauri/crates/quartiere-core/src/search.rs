//! Search over people and households: prefix, diacritics- and apostrophe-insensitive, ranked.
//!
//! The index (`search_doc` + the FTS5 table `search_fts`) is derived data: the write path refreshes
//! the documents of the rows a write touched, inside the same transaction, and it is never synced.
//! `search_fts` keeps only which documents hold each word (no positions, no copy of the text):
//! every query is an AND of word prefixes.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;

use crate::access::{self, Action};
use crate::error::Result;
use crate::ids::{HouseholdId, MembershipId, PersonId};
use crate::registry;
use crate::schema::Table;
use crate::store::Actor;
use crate::text::{fold, index_words};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Person,
    Household,
}

impl HitKind {
    pub(crate) fn code(self) -> &'static str {
        match self {
            HitKind::Person => "person",
            HitKind::Household => "household",
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    pub kind: HitKind,
    pub id: Uuid,
    /// `Rossi Mario`, or the household's address.
    pub label: String,
    /// A second line: birth date and address for a person, tenant of record for a household.
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub people: bool,
    pub households: bool,
}

impl Scope {
    pub const ALL: Scope = Scope { people: true, households: true };
    pub const PEOPLE: Scope = Scope { people: true, households: false };
    pub const HOUSEHOLDS: Scope = Scope { people: false, households: true };
}

/// Every word of the query must start a word of the document. Results come in three tiers,
/// alphabetical within each: those whose name (or address) starts with the whole query; those
/// whose surname (or street) starts with the query's first word; then every other match.
///
/// The first two tiers are range scans on B-tree indexes that stop at `limit`, so a short,
/// common prefix costs no more than a specific one; only the last tier sorts full-text matches.
/// Needs [`Action::ReadRegistry`].
pub fn search(conn: &Connection, actor: &Actor, query: &str, scope: Scope, limit: usize) -> Result<Vec<SearchHit>> {
    access::require(conn, actor, Action::ReadRegistry)?;
    let folded = fold(query);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() || !(scope.people || scope.households) || limit == 0 {
        return Ok(Vec::new());
    }
    // Folded words are alphanumeric only, so quoting them is enough to keep FTS syntax out.
    let fts_query: String = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
    let kinds: &[&str] = match (scope.people, scope.households) {
        (true, true) => &["person", "household"],
        (true, false) => &["person"],
        _ => &["household"],
    };
    let (kind_a, kind_b) = (kinds[0], kinds[kinds.len() - 1]);
    let mut found: Vec<(String, String)> = Vec::with_capacity(limit);
    let mut seen = std::collections::HashSet::new();
    let mut take = |rows: Vec<(String, String)>, found: &mut Vec<(String, String)>| {
        for row in rows {
            if found.len() < limit && seen.insert(row.1.clone()) {
                found.push(row);
            }
        }
    };
    let want = |found: &Vec<(String, String)>| (limit - found.len() + limit) as i64;

    // Tier 1: the name (or address) starts with the whole query.
    let rows = query_pairs(
        conn,
        "SELECT kind, ref_id FROM search_doc WHERE sort_key >= ?1 AND sort_key < ?2 AND kind IN (?3, ?4)
         ORDER BY sort_key LIMIT ?5",
        params![folded, upper_bound(&folded), kind_a, kind_b, want(&found)],
    )?;
    take(rows, &mut found);
    // Tier 2: the surname (or street) starts with the first word, and every word matches. For one
    // word the lead-key range alone decides; for several, the words' full-text match is an AND and
    // small, so tiers 2 and 3 come from one query ordered by tier.
    if found.len() < limit && words.len() == 1 {
        let rows = query_pairs(
            conn,
            "SELECT kind, ref_id FROM search_doc WHERE kind IN (?3, ?4) AND lead_key >= ?1 AND lead_key < ?2
             ORDER BY sort_key LIMIT ?5",
            params![words[0], upper_bound(words[0]), kind_a, kind_b, want(&found)],
        )?;
        take(rows, &mut found);
    }
    // Tier 3: any other full-text match.
    if found.len() < limit {
        let rows = query_pairs(
            conn,
            "SELECT d.kind, d.ref_id FROM search_fts JOIN search_doc d ON d.docid = search_fts.rowid
             WHERE search_fts MATCH ?1 AND d.kind IN (?2, ?3)
             ORDER BY d.lead_key >= ?5 AND d.lead_key < ?6 DESC, d.sort_key LIMIT ?4",
            params![fts_query, kind_a, kind_b, want(&found), words[0], upper_bound(words[0])],
        )?;
        take(rows, &mut found);
    }
    let mut hits = Vec::with_capacity(found.len());
    for (kind, id) in found {
        let id = crate::store::parse_uuid(&id)?;
        hits.push(if kind == "person" {
            person_hit(conn, PersonId(id))?
        } else {
            household_hit(conn, HouseholdId(id))?
        });
    }
    Ok(hits)
}

fn query_pairs(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The smallest string greater than every string starting with `prefix` (folded text is
/// lowercase ASCII letters, digits and spaces after folding, so bumping the last byte is enough).
fn upper_bound(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    match chars.pop() {
        Some(last) => {
            chars.push(char::from_u32(last as u32 + 1).unwrap_or(char::MAX));
            chars.into_iter().collect()
        }
        None => String::new(),
    }
}

fn person_hit(conn: &Connection, id: PersonId) -> Result<SearchHit> {
    let person = registry::load_person(conn, id)?;
    let mut detail = Vec::new();
    if let Some(birth) = person.birth_date {
        let born = if person.sex == Some('F') { "nata il" } else { "nato il" };
        detail.push(format!("{born} {}", crate::format::date(birth)));
    }
    if let Some(cf) = &person.codice_fiscale {
        detail.push(cf.clone());
    }
    if let Some(address) = current_address(conn, id)? {
        detail.push(address);
    }
    Ok(SearchHit { kind: HitKind::Person, id: id.0, label: person.full_name(), detail: detail.join(" · ") })
}

fn household_hit(conn: &Connection, id: HouseholdId) -> Result<SearchHit> {
    let detail = registry::load_household(conn, id)?;
    let tenant = detail.tenant_of_record().map(|m| m.person.full_name());
    let count = detail.current_members().count();
    let people = if count == 1 { "1 componente".to_string() } else { format!("{count} componenti") };
    Ok(SearchHit {
        kind: HitKind::Household,
        id: id.0,
        label: format!("Nucleo {}", detail.dwelling.fields.address_line()),
        detail: match tenant {
            Some(t) => format!("intestatario {t} · {people}"),
            None => people,
        },
    })
}

fn current_address(conn: &Connection, person: PersonId) -> Result<Option<String>> {
    let address = conn
        .prepare_cached(
            "SELECT d.street, d.civic, d.scala, d.piano, d.interno FROM membership m
             JOIN household h ON h.id = m.household_id JOIN dwelling d ON d.id = h.dwelling_id
             WHERE m.person_id = ?1 AND m.left_on IS NULL AND m.deleted = 0 ORDER BY m.id DESC LIMIT 1",
        )?
        .query_row([person], |r| registry::address_at(r, 0))
        .optional()?;
    Ok(address.flatten())
}

/// Refreshes the search documents affected by the touched rows. Called by the write path.
pub(crate) fn refresh(conn: &Connection, touched: &BTreeSet<(Table, Uuid)>) -> Result<()> {
    // A large bundle on a young desk touches much of the index: one pass over everything then
    // costs less than row by row.
    let relevant = touched
        .iter()
        .filter(|(t, _)| matches!(t, Table::Person | Table::Household | Table::Membership | Table::Dwelling))
        .count();
    if relevant >= 2_000 {
        let docs: i64 = conn.query_row("SELECT count(*) FROM search_doc", [], |r| r.get(0))?;
        if relevant as i64 * 2 > docs {
            return rebuild(conn);
        }
    }
    let mut people = BTreeSet::new();
    let mut households = BTreeSet::new();
    for &(table, id) in touched {
        match table {
            Table::Person => {
                people.insert(id);
                households.extend(ids(conn, "SELECT household_id FROM membership WHERE person_id = ?1", id)?);
            }
            Table::Membership => {
                let pair: Option<(Option<String>, Option<String>)> = conn
                    .prepare_cached("SELECT person_id, household_id FROM membership WHERE id = ?1")?
                    .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if let Some((person, household)) = pair {
                    people.extend(person.and_then(|p| Uuid::parse_str(&p).ok()));
                    households.extend(household.and_then(|h| Uuid::parse_str(&h).ok()));
                }
            }
            Table::Household => {
                households.insert(id);
                people.extend(ids(conn, "SELECT person_id FROM membership WHERE household_id = ?1", id)?);
            }
            Table::Dwelling => {
                for h in ids(conn, "SELECT id FROM household WHERE dwelling_id = ?1", id)? {
                    households.insert(h);
                    people.extend(ids(conn, "SELECT person_id FROM membership WHERE household_id = ?1", h)?);
                }
            }
            _ => {}
        }
    }
    for id in people {
        refresh_person(conn, id)?;
    }
    for id in households {
        refresh_household(conn, id)?;
    }
    Ok(())
}

fn ids(conn: &Connection, sql: &str, id: Uuid) -> Result<Vec<Uuid>> {
    let texts: Vec<Option<String>> =
        conn.prepare_cached(sql)?.query_map([id.to_string()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(texts.into_iter().flatten().filter_map(|t| Uuid::parse_str(&t).ok()).collect())
}

fn refresh_person(conn: &Connection, id: Uuid) -> Result<()> {
    let row: Option<(String, String, Option<String>, i64)> = conn
        .prepare_cached("SELECT surname, name, codice_fiscale, deleted FROM person WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    match row {
        Some((surname, name, cf, 0)) => {
            let address = current_address(conn, PersonId(id))?.unwrap_or_default();
            let doc = person_doc(&surname, &name, cf.as_deref(), &address);
            put_doc(conn, HitKind::Person, id, &doc)
        }
        _ => remove_doc(conn, HitKind::Person, id),
    }
}

fn refresh_household(conn: &Connection, id: Uuid) -> Result<()> {
    // Dissolved and deleted households drop out of the index.
    let row: Option<(String, String, Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT d.street, d.civic, d.scala, d.code FROM household h JOIN dwelling d ON d.id = h.dwelling_id
             WHERE h.id = ?1 AND h.deleted = 0 AND h.dissolved_on IS NULL",
        )?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    match row {
        Some((street, civic, scala, code)) => {
            let surnames: Vec<String> = conn
                .prepare_cached(
                    "SELECT p.surname FROM membership m JOIN person p ON p.id = m.person_id
                     WHERE m.household_id = ?1 AND m.left_on IS NULL AND m.deleted = 0 AND p.deleted = 0",
                )?
                .query_map([id.to_string()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let doc = household_doc(&street, &civic, scala.as_deref(), code.as_deref(), &surnames);
            put_doc(conn, HitKind::Household, id, &doc)
        }
        _ => remove_doc(conn, HitKind::Household, id),
    }
}

/// `Via Luigi Pirandello` -> `pirandello`: the word people type to find a street.
fn street_key(street: &str) -> String {
    fold(street).rsplit(' ').next().unwrap_or_default().to_string()
}

/// A search document: its sort key, its lead key (a match there ranks first) and its words.
struct Doc {
    sort_key: String,
    lead_key: String,
    body: String,
}

fn person_doc(surname: &str, name: &str, cf: Option<&str>, address: &str) -> Doc {
    let lead_key = index_words(surname);
    Doc {
        sort_key: fold(&format!("{surname} {name}")),
        body: format!(
            "{} {} {} {}",
            lead_key,
            index_words(name),
            cf.map(|c| c.to_lowercase()).unwrap_or_default(),
            fold(address)
        ),
        lead_key,
    }
}

fn household_doc<S: AsRef<str>>(
    street: &str,
    civic: &str,
    scala: Option<&str>,
    code: Option<&str>,
    surnames: &[S],
) -> Doc {
    let address = format!("{street} {civic} {}", scala.unwrap_or_default());
    let names: Vec<String> = surnames.iter().map(|s| index_words(s.as_ref())).collect();
    Doc {
        sort_key: fold(&address),
        lead_key: street_key(street),
        body: format!("{} {} {}", fold(&address), fold(code.unwrap_or_default()), names.join(" ")),
    }
}

/// Set (in `local_meta`) by a migration that redefined the index: the desk rebuilds it on opening.
pub(crate) const REBUILD_DUE: &str = "search.rebuild_due";

/// Rebuilds the whole index from the tables, set by set rather than row by row: after a large
/// bundle on a young desk, or a snapshot whose rows could not give the documents themselves.
pub(crate) fn rebuild(conn: &Connection) -> Result<()> {
    let sources = Sources::read(conn)?;
    load(conn, &documents(&sources))
}

/// A person as the index sees them.
pub(crate) struct PersonSource {
    pub id: Uuid,
    pub surname: String,
    pub name: String,
    pub codice_fiscale: Option<String>,
    pub deleted: bool,
}

/// A membership as the index sees it: open means not ended and not deleted.
pub(crate) struct MembershipSource {
    pub id: Uuid,
    pub person: Option<Uuid>,
    pub household: Option<Uuid>,
    pub open: bool,
}

/// A household as the index sees it: listed means neither dissolved nor deleted.
pub(crate) struct HouseholdSource {
    pub id: Uuid,
    pub dwelling: Option<Uuid>,
    pub listed: bool,
}

/// Everything the documents are made of: read from the tables ([`Sources::read`]), or taken from
/// a snapshot while it loads (`sync::merge`), so both give the same documents by construction.
#[derive(Default)]
pub(crate) struct Sources {
    pub people: Vec<PersonSource>,
    pub memberships: Vec<MembershipSource>,
    pub households: Vec<HouseholdSource>,
    pub dwellings: HashMap<Uuid, registry::DwellingInput>,
}

impl Sources {
    fn read(conn: &Connection) -> Result<Sources> {
        // A reference that is not an id (it could only come from a damaged record) matches nothing,
        // as a join on it would not.
        let opt_id = |r: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<Option<Uuid>> {
            Ok(r.get::<_, Option<String>>(i)?.and_then(|t| Uuid::parse_str(&t).ok()))
        };
        let people = conn
            .prepare("SELECT id, surname, name, codice_fiscale, deleted FROM person")?
            .query_map([], |r| {
                Ok(PersonSource {
                    id: r.get::<_, PersonId>(0)?.0,
                    surname: r.get(1)?,
                    name: r.get(2)?,
                    codice_fiscale: r.get(3)?,
                    deleted: r.get::<_, i64>(4)? != 0,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let memberships = conn
            .prepare("SELECT id, person_id, household_id, left_on IS NULL AND deleted = 0 FROM membership")?
            .query_map([], |r| {
                Ok(MembershipSource {
                    id: r.get::<_, MembershipId>(0)?.0,
                    person: opt_id(r, 1)?,
                    household: opt_id(r, 2)?,
                    open: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let households = conn
            .prepare("SELECT id, dwelling_id, deleted = 0 AND dissolved_on IS NULL FROM household")?
            .query_map([], |r| {
                Ok(HouseholdSource { id: r.get::<_, HouseholdId>(0)?.0, dwelling: opt_id(r, 1)?, listed: r.get(2)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let dwellings = conn
            .prepare(&format!("SELECT {} FROM dwelling", registry::DWELLING_COLUMNS))?
            .query_map([], |r| registry::dwelling_from_row(r).map(|d| (d.id.0, d.fields)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Sources { people, memberships, households, dwellings })
    }
}

/// A document ready to be inserted: its kind, the record it finds, and its keys and words.
pub(crate) struct Document {
    kind: HitKind,
    id: Uuid,
    doc: Doc,
}

/// Every document of the index: people not deleted, each with the address of their newest open
/// membership; households neither dissolved nor deleted, at a known dwelling, each with the
/// surnames of its members (newest membership first). People first, then households, each in id
/// order.
pub(crate) fn documents(sources: &Sources) -> Vec<Document> {
    let people: HashMap<Uuid, &PersonSource> = sources.people.iter().map(|p| (p.id, p)).collect();
    let households: HashMap<Uuid, &HouseholdSource> = sources.households.iter().map(|h| (h.id, h)).collect();
    let mut addresses: HashMap<Uuid, String> = HashMap::new();
    let mut surnames: HashMap<Uuid, Vec<&str>> = HashMap::new();
    let mut open: Vec<&MembershipSource> = sources.memberships.iter().filter(|m| m.open).collect();
    open.sort_by_key(|m| std::cmp::Reverse(m.id));
    for m in open {
        let Some(person) = m.person.and_then(|p| people.get(&p)) else { continue };
        let dwelling = m
            .household
            .and_then(|h| households.get(&h))
            .and_then(|h| h.dwelling)
            .and_then(|d| sources.dwellings.get(&d));
        if let Some(d) = dwelling {
            addresses.entry(person.id).or_insert_with(|| d.address_line());
        }
        if let (Some(household), false) = (m.household, person.deleted) {
            surnames.entry(household).or_default().push(&person.surname);
        }
    }
    let mut out = Vec::with_capacity(sources.people.len() + sources.households.len());
    let mut people: Vec<&PersonSource> = sources.people.iter().filter(|p| !p.deleted).collect();
    people.sort_by_key(|p| p.id);
    for p in people {
        let address = addresses.get(&p.id).map(String::as_str).unwrap_or_default();
        let doc = person_doc(&p.surname, &p.name, p.codice_fiscale.as_deref(), address);
        out.push(Document { kind: HitKind::Person, id: p.id, doc });
    }
    let mut listed: Vec<&HouseholdSource> = sources.households.iter().filter(|h| h.listed).collect();
    listed.sort_by_key(|h| h.id);
    for h in listed {
        let Some(d) = h.dwelling.and_then(|d| sources.dwellings.get(&d)) else { continue };
        let names = surnames.get(&h.id).map(Vec::as_slice).unwrap_or_default();
        let doc = household_doc(&d.street, &d.civic, d.scala.as_deref(), d.code.as_deref(), names);
        out.push(Document { kind: HitKind::Household, id: h.id, doc });
    }
    out
}

/// Replaces the whole index with `documents`.
pub(crate) fn load(conn: &Connection, documents: &[Document]) -> Result<()> {
    load_words(conn, documents)?;
    load_documents(conn, documents, None)?;
    Ok(())
}

/// Replaces the full-text index with the words of `documents`; [`load_documents`] then gives them
/// their rows, under the same numbers (a document's position, from 1).
pub(crate) fn load_words(conn: &Connection, documents: &[Document]) -> Result<()> {
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')", [])?;
    // The full-text index gathers terms in memory (64 MB) before writing them: fewer, larger
    // segments to merge.
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 67108864)", [])?;
    let mut insert = conn.prepare_cached("INSERT INTO search_fts (rowid, body) VALUES (?1, ?2)")?;
    for (docid, d) in (1i64..).zip(documents) {
        insert.execute(params![docid, d.doc.body])?;
    }
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', 1048576)", [])?;
    Ok(())
}

/// Replaces the rows of `search_doc` with `documents`: copied whole from `staged` when it holds
/// them (then `true`), otherwise inserted here and the table's indexes built once at the end.
pub(crate) fn load_documents(conn: &Connection, documents: &[Document], staged: Option<Staged>) -> Result<bool> {
    conn.execute("DELETE FROM search_doc", [])?;
    if let Some(staged) = staged {
        // An empty table and a source with the same columns and indexes: SQLite copies the rows
        // and the index entries as they are, with nothing to sort.
        conn.execute(&format!("ATTACH DATABASE '{}' AS {STAGING} KEY ''", staged.uri), [])?;
        let copied = conn.execute(&format!("INSERT INTO search_doc SELECT * FROM {STAGING}.search_doc"), [])?;
        if copied == documents.len() {
            return Ok(true);
        }
        conn.execute("DELETE FROM search_doc", [])?;
    }
    crate::store::without_indexes(conn, "search_doc", || insert_documents(conn, documents))?;
    Ok(false)
}

fn insert_documents(conn: &Connection, documents: &[Document]) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO search_doc (docid, kind, ref_id, sort_key, lead_key) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (docid, d) in (1i64..).zip(documents) {
        insert.execute(params![docid, d.kind.code(), d.id.to_string(), d.doc.sort_key, d.doc.lead_key])?;
    }
    Ok(())
}

/// The name under which the loading connection attaches a staged `search_doc`.
const STAGING: &str = "search_staging";

/// `search_doc` built for a list of documents in a private in-memory database, on another thread
/// while the loading connection goes on with other work; [`load_documents`] then copies it whole.
/// The database lives while this connection or an attachment holds it: [`release_staged`] after
/// the loading transaction ends.
pub(crate) struct Staged {
    uri: String,
    _holder: Connection,
}

/// The SQL of `search_doc` and its indexes, for [`stage`]: the same definitions let SQLite copy
/// the staged rows without decoding them.
pub(crate) fn staging_schema(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'search_doc' AND sql IS NOT NULL
         ORDER BY type = 'table' DESC, name",
    )?;
    let sql = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(sql)
}

/// Builds `search_doc` for `documents` (numbered as [`load_documents`] numbers them) in a new
/// in-memory database: the rows, then the indexes, each built once.
pub(crate) fn stage(schema: &[String], documents: &[Document]) -> Result<Staged> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // A name starting with '/' makes the memory database one that other connections of this
    // process can open by name.
    let uri = format!("file:/quartiere-search-{}-{n}?vfs=memdb", std::process::id());
    let mut holder = Connection::open_with_flags(
        &uri,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
            | rusqlite::OpenFlags::SQLITE_OPEN_URI
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let tx = holder.transaction()?;
    let (table, indexes) =
        schema.split_first().ok_or(crate::error::Error::NotFound { what: "tabella", key: "search_doc".into() })?;
    tx.execute_batch(table)?;
    insert_documents(&tx, documents)?;
    for index in indexes {
        tx.execute_batch(index)?;
    }
    tx.commit()?;
    Ok(Staged { uri, _holder: holder })
}

/// Detaches a staged `search_doc` from `conn` once its transaction has ended (SQLite refuses to
/// detach a database within one), freeing it.
pub(crate) fn release_staged(conn: &Connection) -> Result<()> {
    let attached: bool = conn
        .prepare("SELECT count(*) FROM pragma_database_list WHERE name = ?1")?
        .query_row([STAGING], |r| r.get::<_, i64>(0))?
        > 0;
    if attached {
        conn.execute_batch(&format!("DETACH DATABASE {STAGING}"))?;
    }
    Ok(())
}

fn put_doc(conn: &Connection, kind: HitKind, id: Uuid, doc: &Doc) -> Result<()> {
    let Doc { sort_key, lead_key, body } = doc;
    let existing: Option<i64> = conn
        .prepare_cached("SELECT docid FROM search_doc WHERE kind = ?1 AND ref_id = ?2")?
        .query_row(params![kind.code(), id.to_string()], |r| r.get(0))
        .optional()?;
    let docid = match existing {
        Some(docid) => {
            conn.prepare_cached("UPDATE search_doc SET sort_key = ?2, lead_key = ?3 WHERE docid = ?1")?
                .execute(params![docid, sort_key, lead_key])?;
            conn.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?.execute([docid])?;
            docid
        }
        None => {
            conn.prepare_cached("INSERT INTO search_doc (kind, ref_id, sort_key, lead_key) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![kind.code(), id.to_string(), sort_key, lead_key])?;
            conn.last_insert_rowid()
        }
    };
    conn.prepare_cached("INSERT INTO search_fts (rowid, body) VALUES (?1, ?2)")?.execute(params![docid, body])?;
    Ok(())
}

fn remove_doc(conn: &Connection, kind: HitKind, id: Uuid) -> Result<()> {
    let docid: Option<i64> = conn
        .prepare_cached("SELECT docid FROM search_doc WHERE kind = ?1 AND ref_id = ?2")?
        .query_row(params![kind.code(), id.to_string()], |r| r.get(0))
        .optional()?;
    if let Some(docid) = docid {
        conn.prepare_cached("DELETE FROM search_doc WHERE docid = ?1")?.execute([docid])?;
        conn.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?.execute([docid])?;
    }
    Ok(())
}
