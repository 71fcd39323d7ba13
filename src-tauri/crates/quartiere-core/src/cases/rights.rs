//! What the rights of a person (privacy) need from their cases: the free text an erasure clears,
//! and the lines of the access export.

use rusqlite::Connection;
use uuid::Uuid;

use crate::codes::{Axis, CaseOutcome, GoalStatus, ReferralState};
use crate::format;
use crate::ids::PersonId;
use crate::schema::Table;

/// The free text of a person's cases that may name them or say what they live through: the
/// reason and closing note, goals' titles and owners, referrals' reasons, notes on the cases.
/// Each as (table, row, column).
pub(crate) fn free_text_cells(conn: &Connection, person: PersonId) -> crate::Result<Vec<(Table, Uuid, &'static str)>> {
    let ids = |sql: &str| -> crate::Result<Vec<Uuid>> {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([person], |r| r.get::<_, String>(0))?;
        Ok(rows.filter_map(|r| r.ok()).filter_map(|s| Uuid::parse_str(&s).ok()).collect())
    };
    let mut cells = Vec::new();
    for id in ids("SELECT id FROM case_file WHERE person_id = ?1")? {
        cells.extend([(Table::CaseFile, id, "reason"), (Table::CaseFile, id, "outcome_note")]);
    }
    for id in ids("SELECT id FROM case_goal WHERE case_id IN (SELECT id FROM case_file WHERE person_id = ?1)")? {
        cells.extend([(Table::CaseGoal, id, "title"), (Table::CaseGoal, id, "owner")]);
    }
    for id in ids("SELECT id FROM referral WHERE case_id IN (SELECT id FROM case_file WHERE person_id = ?1)")? {
        cells.push((Table::Referral, id, "reason"));
    }
    for id in ids("SELECT id FROM note WHERE subject_table = 'case_file'
           AND subject_id IN (SELECT id FROM case_file WHERE person_id = ?1)")?
    {
        cells.push((Table::Note, id, "body"));
    }
    Ok(cells)
}

/// The access export's lines about a person's cases: each case, its goals and its referrals.
pub(crate) fn access_lines(conn: &Connection, person: PersonId) -> crate::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT c.id, c.axis, c.opened_on, coalesce(o.name, ''), c.closed_on, c.outcome, c.servizio_sociale
         FROM case_file c LEFT JOIN operator o ON o.id = c.tutor_id
         WHERE c.person_id = ?1 AND c.deleted = 0 ORDER BY c.opened_on",
    )?;
    type Row = (String, String, String, String, Option<String>, Option<String>, bool);
    let cases: Vec<Row> = stmt
        .query_map([person], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let day = |d: &str| d.parse().map(format::date).unwrap_or_else(|_| d.to_string());
    for (id, axis, opened, tutor, closed, outcome, shared) in cases {
        let axis = Axis::from_code(&axis).map(|a| a.label_it()).unwrap_or("");
        let mut line = format!("Presa in carico «{axis}» dal {}, tutor {tutor}", day(&opened));
        if shared {
            line.push_str(", condivisa con il Servizio Sociale");
        }
        if let Some(closed) = closed {
            let outcome = outcome.as_deref().and_then(CaseOutcome::from_code).map(|o| o.label_it()).unwrap_or("");
            line.push_str(&format!("; chiusa il {}: {outcome}", day(&closed)));
        }
        out.push(line);
        let mut goals = conn.prepare(
            "SELECT title, coalesce(owner, ''), due_on, status, parent_id IS NOT NULL FROM case_goal
             WHERE case_id = ?1 AND deleted = 0 ORDER BY position",
        )?;
        let rows = goals.query_map([&id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?;
        for row in rows {
            let (title, owner, due, status, step) = row?;
            let status = GoalStatus::from_code(&status).map(|s| s.label_it()).unwrap_or("");
            let due = due.map(|d| format!(", entro il {}", day(&d))).unwrap_or_default();
            let what = if step { "  Passo" } else { "  Obiettivo" };
            out.push(format!("{what} «{title}» (responsabile {owner}{due}): {status}"));
        }
        let mut referrals = conn.prepare(
            "SELECT CASE WHEN r.servizio_sociale = 1 THEN 'Servizio Sociale' ELSE coalesce(p.name, '') END,
                    r.referred_on, r.state, r.shares_data
             FROM referral r LEFT JOIN partner p ON p.id = r.partner_id
             WHERE r.case_id = ?1 AND r.deleted = 0 ORDER BY r.referred_on",
        )?;
        let rows = referrals.query_map([&id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        for row in rows {
            let (to, on, state, shares) = row?;
            let state = state.as_deref().and_then(ReferralState::from_code).map(|s| s.label_it()).unwrap_or("inviato");
            let data = if shares { ", con i suoi dati (con il suo consenso)" } else { "" };
            out.push(format!("  Invio a {to} il {}{data}: {state}", on.as_deref().map(day).unwrap_or_default()));
        }
        for note in crate::desk::load_notes(
            conn,
            crate::desk::NoteSubject::Case(crate::ids::CaseId(
                Uuid::parse_str(&id).map_err(|_| crate::Error::invalid("id", "id non valido"))?,
            )),
        )? {
            out.push(format!("  Nota del {}: {}", note.written_at.get(..10).map(day).unwrap_or_default(), note.body));
        }
    }
    Ok(out)
}
