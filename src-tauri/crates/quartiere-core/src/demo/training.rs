//! The demo's training: AFOL's course and job-search path, full, with their waiting lists.

use chrono::{Duration, NaiveTime};

use super::{pick, DemoConfig};
use crate::codes::Isced;
use crate::error::Result;
use crate::ids::{IdGen, PartnerId, PersonId};

use crate::store::Writer;

/// AFOL's warehouse course (6 places, full, 3 waiting) and job-search path (5 places, full, 2
/// waiting), begun in the project's first months: 11 residents of working age in a path, each
/// with the signed notice and the ESF record written at entry.
pub(super) fn demo_training(
    w: &mut Writer<'_>,
    rng: &mut IdGen,
    afol: Option<PartnerId>,
    config: &DemoConfig,
) -> Result<usize> {
    use crate::codes::CourseKind;
    use crate::training::{self, esf, CourseInput};
    let today = config.today;
    let day = |months_ago: u32, days: u64| {
        today.checked_sub_months(chrono::Months::new(months_ago)).unwrap_or(today) + chrono::Days::new(days)
    };
    // Working-age residents, in a fixed order, none on two courses.
    let adults: Vec<PersonId> = {
        let mut stmt = w.conn().prepare(
            "SELECT id FROM person WHERE deleted = 0 AND sex IS NOT NULL
               AND birth_date BETWEEN ?1 AND ?2 ORDER BY id LIMIT 400",
        )?;
        let rows = stmt.query_map(
            [(today - Duration::days(60 * 365)).to_string(), (today - Duration::days(20 * 365)).to_string()],
            |r| r.get(0),
        )?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let courses = [
        ("Operatore di magazzino e logistica", CourseKind::Corso, 6u32, 3usize, Some(80u32), 5u32),
        ("Ricerca attiva del lavoro", CourseKind::RicercaLavoro, 5, 2, None, 4),
    ];
    let mut next = adults.iter().copied().step_by(7);
    let mut made = 0;
    for (title, kind, places, waiting, hours, months_ago) in courses {
        let starts_on = day(months_ago, 0);
        let course = training::create_course(
            w,
            &CourseInput {
                kind,
                title: title.into(),
                provider: afol,
                starts_on,
                ends_on: hours.map(|_| day(0, 30)),
                hours,
                places,
                venue: Some("Sede AFOL, Corsico".into()),
            },
        )?;
        made += 1;
        for i in 0..(places as usize + waiting) {
            let Some(person) = next.next() else { return Ok(made) };
            let asked = day(months_ago, 0) - Duration::days(20 - i as i64);
            let requested_at = asked.and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("a time")).and_utc();
            let enrolled = training::enrol(w, course, person, requested_at, asked.max(starts_on))?;
            if let training::Enrolled::Admitted { .. } = enrolled {
                crate::privacy::record_consent(w, person, crate::privacy::ConsentKind::Notice, "2026-01", asked)?;
                let labour = match rng.below(10) {
                    0..=5 => esf::Labour::Unemployed { months: 3 + rng.below(30) as u32 },
                    6..=8 => esf::Labour::Inactive { in_education: false },
                    _ => esf::Labour::Employed,
                };
                let entry = esf::EsfEntry {
                    entry_on: starts_on,
                    labour,
                    isced: Some(*pick(rng, &[Isced::Livello1_2, Isced::Livello1_2, Isced::Livello3_4, Isced::Nessuno])),
                    migrant: None,
                    disability: None,
                    other_disadvantage: None,
                    homeless: None,
                    rural: None,
                };
                esf::enter(w, person, &entry)?;
            }
        }
    }
    Ok(made)
}

/// Three work placements for people on the job-search path (two at the project's cooperatives,
/// one at a local firm, one of them already ended with a contract), and hours given back to the
/// neighbourhood by five participants: the courtyard, the summer party, the homework club.
pub(super) fn demo_placements(w: &mut Writer<'_>, partners: &[PartnerId], config: &DemoConfig) -> Result<usize> {
    use crate::training::placements::{self, PlacementInput};
    let today = config.today;
    let participants: Vec<PersonId> = {
        let mut stmt = w.conn().prepare(
            "SELECT e.person_id FROM enrolment e JOIN course c ON c.id = e.course_id
             WHERE e.state = 'iscritto' AND e.deleted = 0 ORDER BY c.kind = 'ricerca_lavoro' DESC, e.id",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let hosts = [
        (partners.get(2).copied(), None, "addetta alle pulizie"),
        (partners.get(3).copied(), None, "aiuto cuoco"),
        (None, Some("Logistica Naviglio srl"), "magazziniere"),
    ];
    let mut made = 0;
    for (i, (person, (host, host_name, role))) in participants.iter().zip(hosts).enumerate() {
        let starts_on = today - Duration::days(75 - 20 * i as i64);
        let id = placements::add_placement(
            w,
            *person,
            &PlacementInput {
                host,
                host_name: host_name.map(str::to_string),
                role: Some(role.into()),
                starts_on,
                ends_on: Some(starts_on + Duration::days(90)),
                weekly_hours: Some(20),
            },
        )?;
        if i == 0 {
            placements::end_placement(
                w,
                id,
                starts_on + Duration::days(60),
                "assunta a tempo determinato dalla cooperativa",
            )?;
        }
        made += 1;
    }
    let chores = [
        "Pulizia del cortile di via Pirandello",
        "Allestimento della festa d'estate",
        "Doposcuola per i ragazzi della scala B",
    ];
    for (i, person) in participants.iter().skip(3).take(5).enumerate() {
        for week in 0..3 {
            let on = today - Duration::days(7 * (week + 1) + i as i64);
            placements::add_community_hours(
                w,
                *person,
                on,
                90 + 30 * (week as u32 % 2),
                chores[(i + week as usize) % 3],
                None,
                today,
            )?;
        }
    }
    Ok(made)
}
