//! A case's history, read back from the change record: who changed what and when, in Italian.
//!
//! Every write to a synced table leaves one change row per column (`store::Writer`), with the
//! operator and the desk. The rows of a case (the case, its team, goals, referrals and notes) are
//! read in clock order and each write (a batch) becomes one entry: what was added, what changed
//! to which value.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::Connection;

use crate::codes::{Axis, CaseOutcome, GoalStatus, ReferralState};
use crate::format;
use crate::ids::CaseId;

/// One write on a case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    /// When, as the writing desk's clock had it (RFC 3339).
    pub at: String,
    pub operator: String,
    /// What the write did, one line each.
    pub changes: Vec<String>,
}

/// The case's history, newest first.
pub fn history(conn: &Connection, case: CaseId) -> crate::Result<Vec<HistoryEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.batch, l.hlc, l.tbl, l.row_id, l.col, l.value, coalesce(o.name, '') FROM change_log l
         LEFT JOIN operator o ON o.id = l.operator_id
         JOIN (SELECT 'case_file' AS tbl, ?1 AS id
               UNION ALL SELECT 'case_operator', id FROM case_operator WHERE case_id = ?1
               UNION ALL SELECT 'case_goal', id FROM case_goal WHERE case_id = ?1
               UNION ALL SELECT 'referral', id FROM referral WHERE case_id = ?1
               UNION ALL SELECT 'note', id FROM note WHERE subject_table = 'case_file' AND subject_id = ?1) r
           ON l.tbl = r.tbl AND l.row_id = r.id
         ORDER BY l.hlc, l.seq",
    )?;
    struct Change {
        batch: String,
        hlc: i64,
        table: String,
        row: String,
        column: String,
        value: Value,
        operator: String,
    }
    let changes: Vec<Change> = stmt
        .query_map([case], |r| {
            Ok(Change {
                batch: r.get(0)?,
                hlc: r.get(1)?,
                table: r.get(2)?,
                row: r.get(3)?,
                column: r.get(4)?,
                value: r.get(5)?,
                operator: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Names for ids; each goal's title is followed as the history goes (the current one is the
    // fallback, for a history whose old values were purged by an erasure).
    let mut names = Names::load(conn, case)?;
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut entries: Vec<HistoryEntry> = Vec::new();
    let mut i = 0;
    while i < changes.len() {
        let batch = &changes[i].batch;
        let end = changes[i..].iter().position(|c| &c.batch != batch).map_or(changes.len(), |n| i + n);
        let group = &changes[i..end];
        let mut lines = Vec::new();
        let mut rows: Vec<(&str, &str)> = Vec::new();
        for c in group {
            if !rows.contains(&(c.table.as_str(), c.row.as_str())) {
                rows.push((&c.table, &c.row));
            }
        }
        for (table, row) in rows {
            let cells: HashMap<&str, &Value> = group
                .iter()
                .filter(|c| c.table == table && c.row == row)
                .map(|c| (c.column.as_str(), &c.value))
                .collect();
            let created = seen.insert((table.to_string(), row.to_string()));
            lines.extend(describe(table, row, &cells, created, &mut names));
        }
        if !lines.is_empty() {
            let ms = (group[0].hlc >> 16).max(0);
            let at = DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default();
            entries.push(HistoryEntry { at, operator: group[0].operator.clone(), changes: lines });
        }
        i = end;
    }
    entries.reverse();
    Ok(entries)
}

/// Names to show instead of ids: operators, partners, goals.
struct Names {
    operators: HashMap<String, String>,
    partners: HashMap<String, String>,
    goals: HashMap<String, (String, bool)>,
    /// The team's rows, by id: the operator's name.
    members: HashMap<String, String>,
    /// Goals' titles as the history has reached them so far.
    titles_then: HashMap<String, String>,
}

impl Names {
    fn load(conn: &Connection, case: CaseId) -> crate::Result<Names> {
        let pairs = |sql: &str| -> crate::Result<HashMap<String, String>> {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let mut stmt =
            conn.prepare_cached("SELECT id, title, parent_id IS NOT NULL FROM case_goal WHERE case_id = ?1")?;
        let goals = stmt
            .query_map([case], |r| Ok((r.get::<_, String>(0)?, (r.get::<_, String>(1)?, r.get::<_, bool>(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT m.id, coalesce(o.name, '') FROM case_operator m LEFT JOIN operator o ON o.id = m.operator_id
             WHERE m.case_id = ?1",
        )?;
        let members = stmt
            .query_map([case], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Names {
            titles_then: HashMap::new(),
            members,
            operators: pairs("SELECT id, name FROM operator")?,
            partners: pairs("SELECT id, name FROM partner")?,
            goals,
        })
    }
}

fn text(value: Option<&&Value>) -> Option<String> {
    match value {
        Some(Value::Text(t)) => Some(t.clone()),
        Some(Value::Integer(n)) => Some(n.to_string()),
        Some(Value::Real(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn day(value: Option<&&Value>) -> String {
    match text(value) {
        Some(t) => t.parse().map(format::date).unwrap_or(t),
        None => "nessuna".into(),
    }
}

fn yes_no(value: Option<&&Value>) -> &'static str {
    if text(value).as_deref() == Some("1") {
        "sì"
    } else {
        "no"
    }
}

fn describe(table: &str, row: &str, cells: &HashMap<&str, &Value>, created: bool, names: &mut Names) -> Vec<String> {
    let get = |c: &str| cells.get(c);
    let operator = |c: &str| text(get(c)).map(|id| names.operators.get(&id).cloned().unwrap_or(id)).unwrap_or_default();
    let mut out = Vec::new();
    match (table, created) {
        ("case_file", true) => {
            let axis = text(get("axis")).and_then(|a| Axis::from_code(&a)).map(|a| a.label_it()).unwrap_or("");
            out.push(format!("presa in carico aperta (asse «{axis}», tutor {})", operator("tutor_id")));
            if yes_no(get("servizio_sociale")) == "sì" {
                out.push("condivisa con il Servizio Sociale".into());
            }
        }
        ("case_file", false) => {
            if cells.contains_key("tutor_id") {
                out.push(format!("tutor: {}", operator("tutor_id")));
            }
            if cells.contains_key("servizio_sociale") {
                out.push(format!("condivisa con il Servizio Sociale: {}", yes_no(get("servizio_sociale"))));
            }
            if cells.contains_key("closed_on") {
                let outcome = text(get("outcome")).and_then(|o| CaseOutcome::from_code(&o)).map(|o| o.label_it());
                match text(get("closed_on")) {
                    Some(_) => out.push(format!(
                        "presa in carico chiusa il {}{}",
                        day(get("closed_on")),
                        outcome.map(|o| format!(": {o}")).unwrap_or_default()
                    )),
                    None => out.push("presa in carico riaperta".into()),
                }
            }
            if cells.contains_key("reason") {
                out.push("motivo della presa in carico modificato".into());
            }
        }
        ("case_operator", true) => out.push(format!(
            "{} segue la presa in carico ({})",
            operator("operator_id"),
            text(get("role")).unwrap_or_default()
        )),
        ("case_operator", false) => {
            if text(get("deleted")).as_deref() == Some("1") {
                let who = names.members.get(row).cloned().unwrap_or_else(|| "un operatore".into());
                out.push(format!("{who} non segue più la presa in carico"));
            } else if cells.contains_key("role") {
                out.push(format!("ruolo nell'équipe: {}", text(get("role")).unwrap_or_default()));
            }
        }
        ("case_goal", true) => {
            let step = text(get("parent_id")).is_some();
            let title = text(get("title")).unwrap_or_default();
            names.titles_then.insert(row.to_string(), title.clone());
            out.push(format!(
                "{} «{title}» (responsabile {}, scadenza {})",
                if step { "nuovo passo" } else { "nuovo obiettivo" },
                text(get("owner")).unwrap_or_default(),
                day(get("due_on"))
            ));
        }
        ("case_goal", false) => {
            let (current, step) = names.goals.get(row).cloned().unwrap_or_default();
            let title = names.titles_then.get(row).cloned().unwrap_or(current);
            if let Some(new) = text(get("title")) {
                names.titles_then.insert(row.to_string(), new);
            }
            let what = if step { "passo" } else { "obiettivo" };
            if let Some(status) = text(get("status")).and_then(|s| GoalStatus::from_code(&s)) {
                out.push(format!("{what} «{title}»: {}", status.label_it()));
            }
            if cells.contains_key("title") || cells.contains_key("owner") || cells.contains_key("due_on") {
                let mut parts = Vec::new();
                if let Some(t) = text(get("title")) {
                    parts.push(format!("titolo «{t}»"));
                }
                if let Some(o) = text(get("owner")) {
                    parts.push(format!("responsabile {o}"));
                }
                if cells.contains_key("due_on") {
                    parts.push(format!("scadenza {}", day(get("due_on"))));
                }
                out.push(format!("{what} «{title}» modificato: {}", parts.join(", ")));
            }
        }
        ("referral", true) => {
            let to = if yes_no(get("servizio_sociale")) == "sì" {
                "Servizio Sociale".to_string()
            } else {
                text(get("partner_id")).map(|p| names.partners.get(&p).cloned().unwrap_or(p)).unwrap_or_default()
            };
            let data = if yes_no(get("shares_data")) == "sì" {
                ", con i dati della persona (consenso registrato)"
            } else {
                ""
            };
            out.push(format!("invio a {to}{data}"));
        }
        ("referral", false) => {
            if let Some(state) = text(get("state")).and_then(|s| ReferralState::from_code(&s)) {
                out.push(format!("invio: {}", state.label_it()));
            }
        }
        ("note", true) => {
            out.push(if text(get("supersedes_id")).is_some() { "nota modificata" } else { "nota scritta" }.into())
        }
        _ => {}
    }
    out
}
