//! The training axis's documents: the enrolment form a participant signs (scheda di adesione, with
//! the privacy notice and the consents) and the course register for the provider (the time each
//! participant attended at each session, with the totals).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use super::{load, waiting_position, CourseSummary, SUMMARY_SQL};
use crate::access::{self, Action};
use crate::audit::{self, AuditKind};
use crate::error::{Error, Result};
use crate::format;
use crate::ids::{CourseId, EnrolmentId, PersonId};
use crate::printing::{self, Printed};
use crate::schema::Table;
use crate::store::{Actor, Store};

/// The version of the privacy notice the enrolment form prints (the lab's own template may say
/// another, with its own text).
pub const NOTICE_VERSION: &str = "2026-01";

fn course_summary(store: &Store, course: CourseId) -> Result<CourseSummary> {
    use rusqlite::OptionalExtension;
    store
        .conn()
        .prepare_cached(&format!("{SUMMARY_SQL} WHERE c.id = ?1 AND c.deleted = 0"))?
        .query_row([course], super::summary)
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "corso", key: course.to_string() })
}

fn period(c: &CourseSummary) -> String {
    match c.ends_on {
        Some(end) => format!("dal {} al {}", format::date(c.starts_on), format::date(end)),
        None => format!("dal {}", format::date(c.starts_on)),
    }
}

/// The enrolment form of one enrolment, to print and sign. Needs [`Action::RecordTraining`] (it
/// prints the person's details); the printout is recorded in the audit log.
pub fn enrolment_form(store: &mut Store, actor: &Actor, enrolment: EnrolmentId, today: NaiveDate) -> Result<Printed> {
    access::require(store.conn(), actor, Action::RecordTraining)?;
    let (course, person, state) = load(store.conn(), enrolment)?;
    let c = course_summary(store, course)?;
    let who = crate::registry::load_person(store.conn(), person)?;
    let address = address_of(store, person)?;
    let venue: Option<String> =
        store.conn().query_row("SELECT venue FROM course WHERE id = ?1", [course], |r| r.get(0))?;
    let admitted_on: Option<String> =
        store.conn().query_row("SELECT admitted_on FROM enrolment WHERE id = ?1", [enrolment], |r| r.get(0))?;
    let state = match state.as_str() {
        "iscritto" => format!(
            "{}{}",
            format::by_sex(who.sex, "iscritto", "iscritta"),
            admitted_on.and_then(|d| d.parse().ok()).map(|d| format!(" dal {}", format::date(d))).unwrap_or_default()
        ),
        "in_attesa" => format!("in lista d'attesa, posizione {}", waiting_position(store.conn(), course, enrolment)?),
        _ => format::by_sex(who.sex, "ritirato", "ritirata"),
    };
    let birth = match (who.birth_date, who.birth_place.as_deref()) {
        (Some(d), Some(p)) => format!("{}, {p}", format::date(d)),
        (Some(d), None) => format::date(d),
        (None, Some(p)) => p.to_string(),
        (None, None) => "non indicata".into(),
    };
    let (project, funding) = printing::heading(store)?;
    let id = printing::short_id("AD", enrolment.0);
    let data = json!({
        "progetto": project,
        "finanziamento": funding,
        "id": id,
        "data": format::date(today),
        "persona": {
            "nome": who.full_name(),
            "codice_fiscale": who.codice_fiscale.clone().unwrap_or_else(|| "non indicato".into()),
            "nascita": birth,
            "indirizzo": address.unwrap_or_else(|| "non indicato".into()),
            "telefono": who.phone.clone().unwrap_or_else(|| "non indicato".into()),
        },
        "percorso": {
            "tipo": printing::capitalised(c.kind.label_it()),
            "titolo": c.title,
            "ente": c.provider.clone().unwrap_or_else(|| "non indicato".into()),
            "periodo": period(&c),
            "ore": c.hours.map(|h| h.to_string()).unwrap_or_else(|| "non indicate".into()),
            "luogo": venue.unwrap_or_else(|| "non indicato".into()),
            "stato": state,
        },
        "informativa": { "versione": NOTICE_VERSION, "titolare": "il Comune, capofila del progetto" },
    });
    let pdf = printing::render(store, "scheda-adesione", &data, &id, today)?;
    audit::record(
        store,
        actor,
        AuditKind::Print,
        Some((Table::Person, person.0)),
        &format!("scheda di adesione {id}"),
    )?;
    Ok(Printed { id, title: format!("Scheda di adesione - {} - {}", who.full_name(), c.title), pdf })
}

fn address_of(store: &Store, person: PersonId) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(store
        .conn()
        .query_row(
            "SELECT d.street, d.civic, d.scala, d.piano, d.interno FROM membership m
               JOIN household h ON h.id = m.household_id JOIN dwelling d ON d.id = h.dwelling_id
             WHERE m.person_id = ?1 AND m.left_on IS NULL AND m.deleted = 0 LIMIT 1",
            [person],
            |r| crate::registry::address_at(r, 0),
        )
        .optional()?
        .flatten())
}

/// The course register: who was in the course (now or before), the time each attended at each
/// session (`assente` when recorded absent, `—` when not recorded), the totals. Needs
/// [`Action::ReadTraining`]; the printout is recorded in the audit log.
pub fn course_register(store: &mut Store, actor: &Actor, course: CourseId, today: NaiveDate) -> Result<Printed> {
    access::require(store.conn(), actor, Action::ReadTraining)?;
    let c = course_summary(store, course)?;
    let sessions = super::sessions::sessions_of(store.conn(), course)?;
    let people: Vec<(PersonId, String)> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT e.person_id, p.surname || ' ' || p.name FROM enrolment e JOIN person p ON p.id = e.person_id
             WHERE e.course_id = ?1 AND e.deleted = 0 AND (e.state IN ('iscritto', 'concluso') OR e.admitted_on IS NOT NULL)
             ORDER BY p.surname, p.name",
        )?;
        let rows = stmt.query_map([course], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    // (session, person) -> (present, minutes)
    let marks: HashMap<(String, String), (bool, u32)> = {
        let mut stmt = store.conn().prepare_cached(
            "SELECT t.activity_id, t.person_id, t.present, coalesce(t.minutes, 0) FROM attendance t
               JOIN activity a ON a.id = t.activity_id
             WHERE a.course_id = ?1 AND a.deleted = 0 AND t.deleted = 0",
        )?;
        let rows = stmt.query_map([course], |r| {
            Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), (r.get::<_, i64>(2)? != 0, r.get(3)?)))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut per_session = vec![0u32; sessions.len()];
    let rows: Vec<serde_json::Value> = people
        .iter()
        .map(|(person, name)| {
            let mut total = 0;
            let cells: Vec<String> = sessions
                .iter()
                .enumerate()
                .map(|(i, s)| match marks.get(&(s.activity.to_string(), person.to_string())) {
                    Some((true, minutes)) => {
                        total += minutes;
                        per_session[i] += minutes;
                        printing::hours(*minutes)
                    }
                    Some((false, _)) => "assente".into(),
                    None => "—".into(),
                })
                .collect();
            json!({ "nome": name, "ore": cells, "totale": printing::hours(total) })
        })
        .collect();
    let (project, funding) = printing::heading(store)?;
    let id = printing::short_id("RC", course.0);
    let data = json!({
        "progetto": project,
        "finanziamento": funding,
        "id": id,
        "data": format::date(today),
        "corso": {
            "titolo": c.title,
            "tipo": printing::capitalised(c.kind.label_it()),
            "ente": c.provider.clone().unwrap_or_else(|| "ente non indicato".into()),
            "periodo": period(&c),
            "ore": c.hours.map(|h| h.to_string()).unwrap_or_else(|| "non indicate".into()),
        },
        "lezioni": sessions.iter().map(|s| s.held_on.format("%d/%m").to_string()).collect::<Vec<_>>(),
        "partecipanti": rows,
        "totali": per_session.iter().map(|m| printing::hours(*m)).collect::<Vec<_>>(),
    });
    let pdf = printing::render(store, "registro-corso", &data, &id, today)?;
    audit::record(
        store,
        actor,
        AuditKind::Print,
        Some((Table::Course, course.0)),
        &format!("registro del corso {id}"),
    )?;
    Ok(Printed { id, title: format!("Registro - {}", c.title), pdf })
}
