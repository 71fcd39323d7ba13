//! Search over people and households: prefix, diacritics- and apostrophe-insensitive, ranked.
//!
//! The index (`search_doc` + the FTS5 table `search_fts`) is derived data: the write path refreshes
//! the documents of the rows a write touched, inside the same transaction, and it is never synced.
//! `search_fts` keeps only which documents hold each word (no positions, no copy of the text):
//! every query is an AND of word prefixes.

use std::collections::{BTreeSet, HashMap, HashSet};

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
    let kinds: &[&str] = match (scope.people, scope.households) {
        (true, true) => &["person", "household"],
        (true, false) => &["person"],
        _ => &["household"],
    };
    let (kind_a, kind_b) = (kinds[0], kinds[kinds.len() - 1]);
    let mut found: Vec<(String, String)> = Vec::with_capacity(limit);
    let mut seen = HashSet::new();
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
        if let Some(expression) = match_expression(conn, &words)? {
            let rows = full_text_tier(conn, &expression, (kind_a, kind_b), words[0], want(&found))?;
            take(rows, &mut found);
        }
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

/// The in-memory view of the full-text index's words (`fts5vocab`), made by [`attach_vocabulary`].
const VOCABULARY: &str = "temp.search_vocab";
/// A query word that starts more words of the index than this is matched as a prefix. (The three
/// limits are small in unit tests, so a small index takes every path.)
const EXPAND_MAX: usize = if cfg!(test) { 3 } else { 16 };
/// Full-text matches up to this many are joined to their documents and sorted; more are picked
/// by walking the documents in order (see [`full_text_tier`]).
const SORT_MAX: usize = if cfg!(test) { 12 } else { 2_000 };
/// How many documents of a kind the walk reads before that kind's matches are sorted instead.
const WALK_MAX: usize = if cfg!(test) { 40 } else { 8_000 };

/// Makes the view of the index's words that [`match_expression`] reads, on this connection and in
/// memory (a temporary table: nothing is written to the file). Without it, search still works,
/// matching every word as a prefix.
pub(crate) fn attach_vocabulary(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY} USING fts5vocab(main, search_fts, row)"
    ))?;
    Ok(())
}

/// The query's words as a full-text expression: every word must start a word of the document.
/// A word of two or more characters that starts at most [`EXPAND_MAX`] words of the index is
/// asked for as those words, exactly: FTS5 reads a prefix that has no prefix index of its length
/// entry by entry through every segment (over 100,000 people `pirandello*` takes about four times
/// as long as `pirandello`). One-character words have their own prefix index. `None` when a word
/// starts no word of the index: nothing can match.
fn match_expression(conn: &Connection, words: &[&str]) -> Result<Option<String>> {
    // Folded words are alphanumeric only, so quoting them is enough to keep FTS syntax out; the
    // index's own words are quoted the same way, with any quote doubled.
    let quoted = |w: &str| format!("\"{}\"", w.replace('"', "\"\""));
    let mut parts = Vec::with_capacity(words.len());
    for word in words {
        let prefix = format!("{}*", quoted(word));
        if word.chars().count() < 2 {
            parts.push(prefix);
            continue;
        }
        let sql = format!("SELECT term FROM {VOCABULARY} WHERE term >= ?1 AND term < ?2 LIMIT ?3");
        let terms = conn.prepare_cached(&sql).and_then(|mut stmt| {
            stmt.query_map(params![word, upper_bound(word), EXPAND_MAX as i64 + 1], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        });
        match terms {
            // Without the view (or if it fails) the word is a prefix, as it was before the view.
            Err(_) => parts.push(prefix),
            Ok(terms) if terms.is_empty() => return Ok(None),
            Ok(terms) if terms.len() > EXPAND_MAX => parts.push(prefix),
            Ok(terms) => parts.push(format!("({})", terms.iter().map(|t| quoted(t)).collect::<Vec<_>>().join(" OR "))),
        }
    }
    Ok(Some(parts.join(" AND ")))
}

/// Tier 3: the documents of `kinds` matching `expression`, those whose lead key starts with `lead`
/// first, then by sort key (document number breaking ties), at most `want`.
///
/// Up to [`SORT_MAX`] matches are joined to their documents and sorted (their numbers go to
/// SQLite as one JSON array; `CROSS JOIN` keeps the array the outer loop, as the other order
/// reads the whole array once per document). More (a street and a civic number match thousands
/// of people) would cost a join and a sort of all of them for one page of results. Then each
/// kind's documents are walked on an index that holds the sort key and the document number, so
/// no document is read whole until it is kept: the lead key's range for the lead matches, then
/// the sort key's order for the others until enough are found. A walk that reads [`WALK_MAX`]
/// documents of a kind gives way to the join and sort (the lead range is that large, or few of
/// the matches are of that kind).
fn full_text_tier(
    conn: &Connection,
    expression: &str,
    kinds: (&str, &str),
    lead: &str,
    want: i64,
) -> Result<Vec<(String, String)>> {
    let matched: Vec<i64> = conn
        .prepare_cached("SELECT rowid FROM search_fts WHERE search_fts MATCH ?1")?
        .query_map([expression], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if matched.is_empty() || want <= 0 {
        return Ok(Vec::new());
    }
    let listed = || serde_json::to_string(&matched).map_err(|e| crate::error::Error::invalid("search", e.to_string()));
    let lead_end = upper_bound(lead);
    let sorted = || {
        #[cfg(test)]
        tests::took(tests::Path::Sorted);
        query_pairs(
            conn,
            "SELECT d.kind, d.ref_id FROM json_each(?1) j CROSS JOIN search_doc d ON d.docid = j.value
             WHERE d.kind IN (?2, ?3)
             ORDER BY d.lead_key >= ?5 AND d.lead_key < ?6 DESC, d.sort_key, d.docid LIMIT ?4",
            params![listed()?, kinds.0, kinds.1, want, lead, lead_end],
        )
    };
    if matched.len() <= SORT_MAX {
        return sorted();
    }
    let want = want as usize;
    let set: HashSet<i64> = matched.iter().copied().collect();
    let kinds = if kinds.0 == kinds.1 { vec![kinds.0] } else { vec![kinds.0, kinds.1] };
    // The lead matches, all of them (their number is small next to the walk's limit).
    let mut leading: Vec<(String, i64)> = Vec::new();
    for kind in &kinds {
        let mut walk = conn.prepare_cached(
            "SELECT docid, sort_key FROM search_doc INDEXED BY search_doc_lead
             WHERE kind = ?1 AND lead_key >= ?2 AND lead_key < ?3",
        )?;
        let mut cursor = walk.query(params![kind, lead, lead_end])?;
        let mut read = 0;
        while let Some(r) = cursor.next()? {
            read += 1;
            if read > WALK_MAX {
                #[cfg(test)]
                tests::took(tests::Path::LeadGaveWay);
                return sorted();
            }
            let docid: i64 = r.get(0)?;
            if set.contains(&docid) {
                leading.push((r.get(1)?, docid));
            }
        }
    }
    leading.sort();
    let lead_matches: HashSet<i64> = leading.iter().map(|l| l.1).collect();
    leading.truncate(want);
    // The others: the first of each kind in sort key order; merged, the first of all.
    let needed = want - leading.len();
    let mut others: Vec<(String, i64)> = Vec::new();
    for kind in &kinds {
        if needed == 0 {
            break;
        }
        let mut walk =
            conn.prepare_cached("SELECT docid, sort_key FROM search_doc WHERE kind = ?1 ORDER BY sort_key, docid")?;
        let mut cursor = walk.query([kind])?;
        let (mut read, mut kept) = (0, Vec::new());
        while kept.len() < needed && read < WALK_MAX {
            let Some(r) = cursor.next()? else { break };
            read += 1;
            let docid: i64 = r.get(0)?;
            if set.contains(&docid) && !lead_matches.contains(&docid) {
                kept.push((r.get(1)?, docid));
            }
        }
        let gave_way = kept.len() < needed && read == WALK_MAX;
        #[cfg(test)]
        tests::took(if gave_way { tests::Path::WalkGaveWay } else { tests::Path::Walked });
        if gave_way {
            kept = conn
                .prepare_cached(
                    "SELECT d.sort_key, d.docid FROM json_each(?1) j CROSS JOIN search_doc d ON d.docid = j.value
                     WHERE d.kind = ?2 AND NOT (d.lead_key >= ?3 AND d.lead_key < ?4)
                     ORDER BY d.sort_key, d.docid LIMIT ?5",
                )?
                .query_map(params![listed()?, kind, lead, lead_end, needed as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
        }
        others.extend(kept);
    }
    others.sort();
    others.truncate(needed);
    let mut document = conn.prepare_cached("SELECT kind, ref_id FROM search_doc WHERE docid = ?1")?;
    let mut rows = Vec::with_capacity(want);
    for (_, docid) in leading.into_iter().chain(others) {
        rows.push(document.query_row([docid], |r| Ok((r.get(0)?, r.get(1)?)))?);
    }
    Ok(rows)
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

/// The household's address, tenant of record and current members, read in one statement (the
/// household's record with every member would be read for three facts).
fn household_hit(conn: &Connection, id: HouseholdId) -> Result<SearchHit> {
    let (address, tenant, count): (Option<String>, Option<String>, i64) = conn
        .prepare_cached(
            "SELECT d.street, d.civic, d.scala, d.piano, d.interno,
                    (SELECT p.surname || ' ' || p.name FROM membership m JOIN person p ON p.id = m.person_id
                      WHERE m.household_id = h.id AND m.deleted = 0 AND m.left_on IS NULL AND m.tenant_of_record = 1
                        AND p.deleted = 0
                      ORDER BY m.resident_since, m.id LIMIT 1),
                    (SELECT count(*) FROM membership m JOIN person p ON p.id = m.person_id
                      WHERE m.household_id = h.id AND m.deleted = 0 AND m.left_on IS NULL AND p.deleted = 0)
             FROM household h JOIN dwelling d ON d.id = h.dwelling_id
             WHERE h.id = ?1 AND h.deleted = 0",
        )?
        .query_row([id], |r| Ok((registry::address_at(r, 0)?, r.get(5)?, r.get(6)?)))
        .optional()?
        .ok_or_else(|| crate::error::Error::NotFound { what: "nucleo", key: id.to_string() })?;
    let people = if count == 1 { "1 componente".to_string() } else { format!("{count} componenti") };
    Ok(SearchHit {
        kind: HitKind::Household,
        id: id.0,
        label: format!("Nucleo {}", address.unwrap_or_default()),
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
/// Rewrites the full-text index's segments whole, so no erased word survives in an old one.
pub(crate) fn optimize(conn: &Connection) -> Result<()> {
    conn.execute_batch("INSERT INTO search_fts (search_fts) VALUES ('optimize');")?;
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    pub(super) enum Path {
        Sorted,
        LeadGaveWay,
        Walked,
        WalkGaveWay,
    }

    thread_local! {
        static TAKEN: RefCell<BTreeMap<Path, u32>> = const { RefCell::new(BTreeMap::new()) };
    }

    pub(super) fn took(path: Path) {
        TAKEN.with(|t| *t.borrow_mut().entry(path).or_default() += 1);
    }

    /// Tier 3 as one statement, every word a prefix: what [`full_text_tier`] must return.
    fn reference(conn: &Connection, words: &[&str], kinds: (&str, &str), want: i64) -> Vec<(String, String)> {
        let expression: String = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" ");
        query_pairs(
            conn,
            "SELECT d.kind, d.ref_id FROM search_fts JOIN search_doc d ON d.docid = search_fts.rowid
             WHERE search_fts MATCH ?1 AND d.kind IN (?2, ?3)
             ORDER BY d.lead_key >= ?5 AND d.lead_key < ?6 DESC, d.sort_key, d.docid LIMIT ?4",
            params![expression, kinds.0, kinds.1, want, words[0], upper_bound(words[0])],
        )
        .unwrap()
    }

    fn tier(conn: &Connection, words: &[&str], kinds: (&str, &str), want: i64) -> Vec<(String, String)> {
        match match_expression(conn, words).unwrap() {
            Some(expression) => full_text_tier(conn, &expression, kinds, words[0], want).unwrap(),
            None => Vec::new(),
        }
    }

    /// A new desk holding the demo's `households` and their people.
    fn demo_desk(dir: &std::path::Path, households: usize) -> crate::accounts::SignedIn {
        let mut signed = crate::test_support::signed_in(dir);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let config = crate::demo::DemoConfig { households, people: None, seed: 11, today };
        crate::demo::generate(&mut signed.store, &signed.actor, &config).unwrap();
        signed
    }

    /// A household found by the search says what its record says: address, tenant of record
    /// and current members, whoever was deleted or moved out.
    #[test]
    fn household_hits_say_what_the_household_record_says() {
        let dir = tempfile::tempdir().unwrap();
        let mut signed = demo_desk(dir.path(), 12);
        let uuid = |s: String| Uuid::parse_str(&s).unwrap();
        let rows: Vec<(String, String, i64)> = signed
            .store
            .conn()
            .prepare("SELECT id, person_id, tenant_of_record FROM membership ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let tenants: Vec<&(String, String, i64)> = rows.iter().filter(|r| r.2 == 1).collect();
        let others: Vec<&(String, String, i64)> = rows.iter().filter(|r| r.2 == 0).collect();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let (gone, left, dissolved) = (tenants[0].1.clone(), others[0].0.clone(), tenants[1].0.clone());
        let other_gone = others[1].1.clone();
        signed
            .store
            .write(&signed.actor, |w| {
                w.tombstone(Table::Person, uuid(gone))?;
                w.tombstone(Table::Person, uuid(other_gone))?;
                registry::end_membership(w, MembershipId(uuid(left)), today)?;
                let household: String =
                    w.conn()
                        .query_row("SELECT household_id FROM membership WHERE id = ?1", [&dissolved], |r| r.get(0))?;
                w.update(Table::Household, uuid(household), &[("dissolved_on", today.to_string().into())])?;
                Ok(())
            })
            .unwrap();
        let conn = signed.store.conn();
        let households: Vec<String> = conn
            .prepare("SELECT id FROM household WHERE deleted = 0 ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(households.len(), 12);
        for id in households {
            let id = HouseholdId(uuid(id));
            let record = registry::load_household(conn, id).unwrap();
            let count = record.current_members().count();
            let people = if count == 1 { "1 componente".to_string() } else { format!("{count} componenti") };
            let detail = match record.tenant_of_record() {
                Some(t) => format!("intestatario {} · {people}", t.person.full_name()),
                None => people,
            };
            let hit = household_hit(conn, id).unwrap();
            assert_eq!(hit.label, format!("Nucleo {}", record.dwelling.fields.address_line()));
            assert_eq!(hit.detail, detail);
        }
        let missing = HouseholdId(Uuid::from_u128(7));
        assert!(matches!(household_hit(conn, missing), Err(crate::error::Error::NotFound { .. })));
    }

    /// Every word of the index, its one- to three-letter prefixes and pairs of them, in each
    /// scope and at three page sizes: the full-text tier returns what one statement over the
    /// prefixes returns, in the same order, whichever way it takes (the words expanded or not,
    /// the matches sorted, walked, or walked then sorted), and without the words' view too.
    #[test]
    fn the_full_text_tier_returns_what_one_statement_over_prefixes_returns() {
        let dir = tempfile::tempdir().unwrap();
        let signed = demo_desk(dir.path(), 60);
        let conn = signed.store.conn();
        let terms: Vec<String> = conn
            .prepare("SELECT term FROM temp.search_vocab ORDER BY term")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(terms.len() > 100, "{}", terms.len());
        let mut queries: BTreeSet<String> = BTreeSet::new();
        for term in &terms {
            queries.insert(term.clone());
            for n in 1..=3 {
                queries.insert(term.chars().take(n).collect());
            }
        }
        queries.insert("zzzz".into());
        let singles: Vec<String> = queries.iter().cloned().collect();
        for (i, a) in singles.iter().enumerate().step_by(7) {
            let b = &singles[(i * 31 + 5) % singles.len()];
            queries.insert(format!("{a} {b}"));
        }
        queries.insert("via 1".into());
        let scopes = [("person", "person"), ("household", "household"), ("person", "household")];
        let compare = |label: &str| {
            for query in &queries {
                let words: Vec<&str> = query.split(' ').collect();
                for kinds in scopes {
                    for want in [1, 5, 40] {
                        let expected = reference(conn, &words, kinds, want);
                        assert_eq!(tier(conn, &words, kinds, want), expected, "{label}: {query:?} {kinds:?} {want}");
                    }
                }
            }
        };
        compare("with the words' view");
        let taken = TAKEN.with(|t| t.borrow().clone());
        for path in [Path::Sorted, Path::LeadGaveWay, Path::Walked, Path::WalkGaveWay] {
            assert!(taken.get(&path).is_some_and(|n| *n > 0), "{path:?} never taken: {taken:?}");
        }
        // Expanded words: some query words stand for a few words of the index, exactly.
        let expanded = match_expression(conn, &["rossi"]).unwrap().unwrap();
        assert!(!expanded.ends_with('*'), "{expanded}");
        assert_eq!(match_expression(conn, &["zzzz"]).unwrap(), None);
        assert!(match_expression(conn, &["r"]).unwrap().unwrap().ends_with('*'));
        conn.execute_batch("PRAGMA query_only = OFF; DROP TABLE temp.search_vocab; PRAGMA query_only = ON;").unwrap();
        compare("without it");
    }
}
