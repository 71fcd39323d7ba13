//! The demo's cases, as a lab six months in has them: every resident in a training path has a
//! case on the training axis (referred to AFOL with their consent to share data), people heard at
//! the desk are followed on the hardship axis, some shared with the Servizio Sociale; goals and
//! steps done, in progress and overdue; two cases closed. Two tutors follow them: the operator who
//! made the demo and Marta Ferri, a tutor of the other desk.

use chrono::{Days, Months, NaiveDate};
use rusqlite::types::Value;

use super::{chance, pick, DemoConfig};
use crate::cases::{self, CaseInput, CloseInput, GoalInput, ReferralInput};
use crate::codes::{Axis, CaseOutcome, GoalStatus};
use crate::desk::{self, NoteSubject, ReferralTarget};
use crate::error::Result;
use crate::ids::{CaseId, DeskContactId, IdGen, OperatorId, PartnerId, PersonId};
use crate::privacy::{self, ConsentKind};
use crate::schema::Table;
use crate::store::Writer;

/// Hardship goals: (title, owner: None is the tutor, days from the opening to the due date).
const HARDSHIP_GOALS: &[(&str, Option<&str>, u64)] = &[
    ("Rinnovo dell'ISEE", Some("la persona"), 20),
    ("Domanda di contributo di solidarietà regionale", None, 35),
    ("Colloquio con l'assistente sociale", Some("Servizio Sociale"), 45),
    ("Piano per le spese della casa", None, 60),
    ("Iscrizione del figlio al centro estivo", Some("la persona"), 75),
    ("Accompagnamento al CAF per la pratica di invalidità", None, 50),
];

const NOTES: &[&str] = &[
    "Disponibile solo al mattino: il pomeriggio accudisce la madre.",
    "Ha portato i documenti richiesti; manca la dichiarazione del datore di lavoro.",
    "Preferisce essere contattata per telefono, non per messaggio.",
    "Buona partecipazione agli incontri, chiede di essere coinvolta nelle assemblee.",
];

pub(super) fn demo_cases(
    w: &mut Writer<'_>,
    rng: &mut IdGen,
    partners: &[PartnerId],
    config: &DemoConfig,
) -> Result<usize> {
    let today = config.today;
    let me = w.actor().operator;
    // A second tutor, who works at the other desk (she signs in there, not here).
    let marta = OperatorId(w.new_id());
    w.insert(
        Table::Operator,
        marta.0,
        &[("name", Value::Text("Marta Ferri".into())), ("role", Value::Text("tutor".into()))],
    )?;
    let tutors = [me, marta];
    let my_name: String = w.conn().query_row("SELECT name FROM operator WHERE id = ?1", [me], |r| r.get(0))?;
    let names = [my_name.as_str(), "Marta Ferri"];
    let afol = partners.get(4).copied();
    let mut made = 0;

    // Everyone in a training path: a case on the training axis, referred to AFOL with consent.
    let trainees: Vec<(PersonId, String, Option<String>)> = {
        let mut stmt = w.conn().prepare(
            "SELECT e.person_id, c.title, c.ends_on FROM enrolment e JOIN course c ON c.id = e.course_id
             WHERE e.state = 'iscritto' AND e.deleted = 0 ORDER BY e.id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (i, (person, course, ends)) in trainees.iter().enumerate() {
        let opened = today.checked_sub_months(Months::new(5)).unwrap_or(today) + Days::new(i as u64 * 3);
        let tutor = tutors[i % 2];
        let case = open(w, *person, Axis::FormazioneLavoro, tutor, None, opened, i % 4 == 0)?;
        made += 1;
        let g1 = goal(
            w,
            case,
            &format!("Completare il corso «{course}»"),
            "la persona",
            ends.as_deref().and_then(|e| e.parse().ok()),
            None,
        )?;
        goal(w, case, "Presenza ad almeno l'80% delle lezioni", "la persona", None, Some(g1))?;
        let g2 =
            goal(w, case, "Bilancio di competenze con AFOL", "AFOL Metropolitana", Some(opened + Days::new(30)), None)?;
        cases::set_goal_status(w, g2, GoalStatus::Raggiunto, opened + Days::new(28))?;
        let cv = goal(
            w,
            case,
            "Curriculum aggiornato e profilo sul portale lavoro",
            names[i % 2],
            Some(today - Days::new(3 + i as u64)),
            None,
        )?;
        if chance(rng, 50) {
            cases::set_goal_status(w, cv, GoalStatus::InCorso, today - Days::new(10))?;
        }
        if let Some(afol) = afol {
            privacy::record_consent(w, *person, ConsentKind::DataSharing, "2026-01", opened)?;
            let referral = cases::refer(
                w,
                case,
                &ReferralInput {
                    target: ReferralTarget::Partner(afol),
                    reason: "Percorso di formazione e orientamento al lavoro".into(),
                    shares_data: true,
                    on: opened,
                },
            )?;
            cases::set_referral_state(w, referral, crate::codes::ReferralState::Accettato, opened + Days::new(7))?;
        }
    }

    // People heard at the desk about the house, income or family: a hardship case from their contact.
    let heard: Vec<(DeskContactId, PersonId, String)> = {
        let mut stmt = w.conn().prepare(
            "SELECT c.id, c.person_id, c.occurred_at FROM desk_contact c
             WHERE c.person_id IS NOT NULL AND c.deleted = 0
               AND c.person_id NOT IN (SELECT person_id FROM enrolment WHERE state = 'iscritto')
               AND EXISTS (SELECT 1 FROM desk_contact_topic t WHERE t.contact_id = c.id
                           AND t.topic IN ('casa', 'reddito', 'famiglia', 'morosita'))
             ORDER BY c.occurred_at LIMIT 40",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut seen = std::collections::HashSet::new();
    let mut hardship = 0;
    for (contact, person, at) in heard {
        if hardship == 9 || !seen.insert(person) {
            continue;
        }
        let opened: NaiveDate = at.get(..10).and_then(|d| d.parse().ok()).unwrap_or(today);
        let tutor = tutors[hardship % 2];
        let shared = hardship % 3 == 0;
        let axis = if hardship % 4 == 3 { Axis::Morosita } else { Axis::Disagio };
        let case = open(w, person, axis, tutor, Some(contact), opened, shared)?;
        made += 1;
        for k in 0..3 {
            let (title, owner, days) = HARDSHIP_GOALS[(hardship + k) % HARDSHIP_GOALS.len()];
            let owner = owner.unwrap_or(names[hardship % 2]);
            let due = opened + Days::new(days);
            let id = goal(w, case, title, owner, Some(due), None)?;
            // What was due long ago is mostly done; a few are overdue, as in any real plan.
            if due + Days::new(20) < today || (due < today && chance(rng, 60)) {
                let status = *pick(rng, &[GoalStatus::Raggiunto, GoalStatus::Raggiunto, GoalStatus::NonRaggiunto]);
                cases::set_goal_status(w, id, status, due)?;
            }
        }
        if shared {
            privacy::record_consent(w, person, ConsentKind::DataSharing, "2026-01", opened)?;
            cases::refer(
                w,
                case,
                &ReferralInput {
                    target: ReferralTarget::ServizioSociale,
                    reason: "Valutazione integrata della situazione del nucleo".into(),
                    shares_data: true,
                    on: opened + Days::new(5),
                },
            )?;
        }
        let note = pick(rng, NOTES);
        desk::add_note(w, NoteSubject::Case(case), note)?;
        // The first two, opened longest ago, are closed.
        if hardship < 2 {
            let closed_on = (opened + Days::new(90)).min(today);
            let outcome = [CaseOutcome::ObiettiviRaggiunti, CaseOutcome::AffidatoServizi][hardship];
            // The demo's operator is the coordinator, who may close any case.
            cases::close_case(w, case, &CloseInput { outcome, note: None, closed_on })?;
        }
        hardship += 1;
    }
    Ok(made)
}

fn open(
    w: &mut Writer<'_>,
    person: PersonId,
    axis: Axis,
    tutor: OperatorId,
    contact: Option<DeskContactId>,
    opened_on: NaiveDate,
    servizio_sociale: bool,
) -> Result<CaseId> {
    cases::open_case(
        w,
        &CaseInput {
            person,
            axis,
            tutor,
            servizio_sociale,
            reason: Some(match axis {
                Axis::FormazioneLavoro => "Percorso di inclusione attiva: formazione e ricerca del lavoro".into(),
                Axis::Morosita => "Difficoltà a pagare canone e spese dopo la perdita del lavoro".into(),
                _ => "Segnalata dallo sportello di ascolto: difficoltà economiche e familiari".into(),
            }),
            contact,
            opened_on,
        },
    )
}

fn goal(
    w: &mut Writer<'_>,
    case: CaseId,
    title: &str,
    owner: &str,
    due_on: Option<NaiveDate>,
    parent: Option<crate::ids::GoalId>,
) -> Result<crate::ids::GoalId> {
    cases::add_goal(w, case, &GoalInput { title: title.into(), owner: owner.into(), due_on, parent })
}
