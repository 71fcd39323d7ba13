//! The demo project: Mezzetta's targets and its plan of actions.

use chrono::Duration;

use super::DemoConfig;
use crate::codes::{ActionStatus, Axis};
use crate::error::Result;
use crate::ids::{ActivityId, CaseId, PartnerId};
use crate::project::{add_action, link, ActionInput, LinkTarget};
use crate::store::Writer;

/// Mezzetta's targets: the seed's figures (30 residents in paths from 11 at month six, 3 plans,
/// 7 events, 6 assemblies), households reached (100 of 133, the lab's own aim), and the no-fault
/// debt brought under four fifths of what it was six months ago.
pub(super) fn demo_targets(w: &mut Writer<'_>, config: &DemoConfig) -> Result<usize> {
    use crate::codes::IndicatorCode as C;
    use crate::indicators::targets::{set_target, Target};
    // The project runs eighteen months: a year still to go at month six.
    let end = Some(config.today + chrono::Duration::days(365));
    let six_months_ago = config.today - chrono::Duration::days(183);
    let plans = crate::arrears::monitor::all_plans(w.conn())?;
    let debt = crate::arrears::monitor::no_fault_debt_on(w.conn(), &plans, &[six_months_ago])?[0];
    // 100 of Mezzetta's 133 households; as many in proportion for a smaller or larger demo.
    let reached = if config.people.is_none() { (config.households as i64 * 100 / 133).max(1) } else { 100 };
    let targets = [
        (C::FormazioneLavoro, 30, Some(11)),
        (C::NucleiRaggiunti, reached, None),
        (C::PianiFirmati, 3, None),
        (C::PianiMonitorati, 3, None),
        (C::Eventi, 7, None),
        (C::Assemblee, 6, None),
        (C::DebitoIncolpevole, debt * 4 / 5, Some(debt)),
    ];
    for (code, target, baseline) in targets {
        set_target(w, &Target { code, target, baseline, due_on: end, note: None })?;
    }
    Ok(targets.len())
}

/// The plan of an eighteen-month project six months in: ten actions over the four axes, owned by
/// the partners, with budgets and what they spent so far; the events and assemblies and the first
/// cases linked to the actions they carry out; two actions late (one overdue, one not started).
pub(super) fn demo_actions(w: &mut Writer<'_>, partners: &[PartnerId], config: &DemoConfig) -> Result<usize> {
    use ActionStatus as S;
    use Axis as A;
    let today = config.today;
    let start = today - Duration::days(183);
    let end = today + Duration::days(365);
    let partner = |i: usize| partners.get(i).copied();
    let day = |d: i64| Some(today + Duration::days(d));
    // (axis, title, partner, owner, starts, due, status, done, budget €, spent €)
    #[rustfmt::skip]
    let actions = [
        (A::Convivenza, "Eventi di socialità nei cortili", partner(5), "Giulia Ferri", Some(start), Some(end), S::InCorso, None, 6_000, 2_150),
        (A::Convivenza, "Assemblee tematiche con gli abitanti", partner(3), "Marco Galli", Some(start), Some(end), S::InCorso, None, 3_000, 1_200),
        (A::Convivenza, "Regolamento condiviso degli spazi comuni", partner(3), "Marco Galli", Some(start), day(-20), S::InCorso, None, 1_500, 400),
        (A::Disagio, "Mappatura dei bisogni dei nuclei", partner(2), "Sara Colombo", Some(start), day(-90), S::Completata, day(-95), 2_500, 2_500),
        (A::Disagio, "Sportello di ascolto tre giorni a settimana", partner(2), "Sara Colombo", Some(start), Some(end), S::InCorso, None, 18_000, 9_300),
        (A::Disagio, "Prese in carico con il tutor di quartiere", partner(2), "Sara Colombo", Some(start), Some(end), S::InCorso, None, 15_000, 6_100),
        (A::FormazioneLavoro, "Corso di formazione e orientamento con AFOL", partner(4), "Paola Riva", Some(start), Some(end), S::InCorso, None, 12_000, 7_800),
        (A::FormazioneLavoro, "Tirocini e inserimenti lavorativi", partner(4), "Paola Riva", day(-60), day(-10), S::DaAvviare, None, 8_000, 0),
        (A::Morosita, "Piani di rientro concordati con l'ente gestore", partner(0), "Luca Moretti", Some(start), Some(end), S::InCorso, None, 4_000, 1_000),
        (A::Morosita, "Domande al fondo per la morosità incolpevole", partner(1), "Luca Moretti", day(-30), day(60), S::DaAvviare, None, 1_000, 0),
    ];
    let mut ids = Vec::new();
    for (axis, title, partner, owner, starts_on, due_on, status, done_on, budget, spent) in actions {
        let input = ActionInput {
            axis,
            title: title.into(),
            partner,
            owner_name: Some(owner.into()),
            starts_on,
            due_on,
            status,
            done_on,
            budget: budget * 100,
            spent: spent * 100,
        };
        ids.push(add_action(w, &input)?);
    }
    let held = |kind: &str| -> Result<Vec<ActivityId>> {
        Ok(w.conn()
            .prepare("SELECT id FROM activity WHERE kind = ?1 AND deleted = 0 AND held_on < ?2 ORDER BY held_on")?
            .query_map([kind, &today.to_string()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    };
    let (events, assemblies) = (held("evento")?, held("assemblea")?);
    let cases: Vec<CaseId> = w
        .conn()
        .prepare("SELECT id FROM case_file WHERE deleted = 0 ORDER BY opened_on, id LIMIT 4")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for a in events {
        link(w, ids[0], LinkTarget::Activity(a))?;
    }
    for a in assemblies {
        link(w, ids[1], LinkTarget::Activity(a))?;
    }
    for c in cases {
        link(w, ids[5], LinkTarget::Case(c))?;
    }
    Ok(ids.len())
}
