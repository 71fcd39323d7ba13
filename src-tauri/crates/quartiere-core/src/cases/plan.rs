//! The participant's plan (piano individuale), printed to go through with the person and sign:
//! the case, its goals and steps with who takes care of each and by when, the referrals, the
//! person's courses and placements.

use chrono::NaiveDate;
use serde_json::json;

use crate::audit::{self, AuditKind};
use crate::error::Result;
use crate::format;
use crate::ids::CaseId;
use crate::printing::{self, Printed};
use crate::schema::Table;
use crate::store::{Actor, Store};

fn day(d: Option<NaiveDate>) -> String {
    d.map(format::date).unwrap_or_else(|| "—".into())
}

/// The plan of a case as a PDF. Needs [`crate::access::Action::ReadCases`] (and reads the person's
/// courses only for roles that read training); the printout is recorded in the audit log.
pub fn plan_document(store: &mut Store, actor: &Actor, case: CaseId, today: NaiveDate) -> Result<Printed> {
    let detail = super::case(store, actor, case, today)?;
    let c = &detail.summary;
    let goal = |g: &super::GoalView| json!({ "titolo": g.title, "responsabile": g.owner, "scadenza": day(g.due_on), "stato": g.status.label_it() });
    let goals: Vec<serde_json::Value> = detail
        .goals
        .iter()
        .map(|g| {
            let mut line = goal(g);
            line["passi"] = g.steps.iter().map(goal).collect();
            line
        })
        .collect();
    let referrals: Vec<String> = detail
        .referrals
        .iter()
        .map(|r| {
            format!(
                "{}, dal {}: {}{}",
                r.to,
                day(r.referred_on),
                r.state.label_it(),
                if r.shares_data { " (con i suoi dati, con il suo consenso)" } else { "" }
            )
        })
        .collect();
    let role = crate::access::role_of(store.conn(), actor.operator)?;
    let mut paths: Vec<String> = Vec::new();
    if role.is_some_and(|r| crate::access::allows(r, crate::access::Action::ReadTraining)) {
        for course in crate::training::of_person(store, actor, c.person)? {
            let state = match course.state.as_str() {
                "iscritto" => "nel corso".to_string(),
                "in_attesa" => "in lista d'attesa".to_string(),
                _ => "ha lasciato".to_string(),
            };
            let hours = if course.minutes > 0 {
                format!(", {} di presenza", format::duration(i64::from(course.minutes)))
            } else {
                String::new()
            };
            paths.push(format!("{} ({}): {state}{hours}", course.title, course.kind.label_it()));
        }
        for p in crate::training::placements::load_work_path(store.conn(), c.person)?.placements {
            paths.push(format!(
                "Tirocinio presso {} dal {}{}",
                p.host,
                format::date(p.starts_on),
                p.ends_on.map(|d| format!(" al {}", format::date(d))).unwrap_or_default()
            ));
        }
    }
    let (project, funding) = printing::heading(store)?;
    let id = printing::short_id("PI", case.0);
    let data = json!({
        "progetto": project,
        "finanziamento": funding,
        "id": id,
        "data": format::date(today),
        "persona": c.person_name,
        "presa": {
            "asse": c.axis.label_it(),
            "tutor": c.tutor_name,
            "aperta": format::date(c.opened_on),
            "servizio_sociale": if c.servizio_sociale { "sì, condivisa" } else { "no" },
            "motivo": detail.reason.clone().unwrap_or_default(),
        },
        "obiettivi": goals,
        "invii": referrals,
        "percorsi": paths,
    });
    let pdf = printing::render(store, "piano-partecipante", &data, &id, today)?;
    audit::record(
        store,
        actor,
        AuditKind::Print,
        Some((Table::Person, c.person.0)),
        &format!("piano individuale {id}"),
    )?;
    Ok(Printed { id, title: format!("Piano individuale - {}", c.person_name), pdf })
}
