//! A fictional but realistic neighbourhood, deterministic from a seed: Italian and foreign names,
//! valid codici fiscali, dwellings in via Pirandello and via Fermi, households of 1 to 7 people,
//! desk contacts over the past months. Scales from 133 households to 100,000 people.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

mod arrears;
mod cases;
mod project;
mod training;

use crate::activities;
use crate::cf;
use crate::codes::{Channel, EsfAnswer, Isced, LabourStatus, MinuteKind, PartnerKind, Relationship, Topic};
use crate::desk::{self, DeskContactInput, ReferralInput, ReferralTarget};
use crate::error::Result;
use crate::ids::{ActivityId, IdGen, PartnerId, PersonId};
use crate::registry::{self, DwellingInput, EsfFields, MemberInput, PartnerContactInput, PartnerInput, PersonInput};
use crate::store::{Actor, Store, Writer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    pub households: usize,
    /// When set, households are generated until at least this many people exist.
    pub people: Option<usize>,
    pub seed: u64,
    /// The day the demo is "today": contacts lie in the six months before it.
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub households: usize,
    pub people: usize,
    pub contacts: usize,
    pub partners: usize,
    /// Activities held in the six months before today (the seed's 7 events and 6 assemblies),
    /// with attendance; one more assembly is planned for next week.
    pub activities: usize,
    /// AFOL's course and job-search path: the seed's 11 residents in a path at six months, each
    /// with the signed notice and an ESF record, and a waiting list.
    pub courses: usize,
    /// Work placements of people on the job-search path (one ended with a contract).
    pub placements: usize,
    /// Cases followed by the tutors: each participant's path, people heard at the desk, a few closed.
    pub cases: usize,
    /// Months of the ente gestore's statement (a year for each of the neighbourhood's households).
    pub statement_months: usize,
    /// Repayment plans signed (the seed's three at six months; one of them late).
    pub plans: usize,
    /// The project's targets (the seed's, and a ceiling for the no-fault debt).
    pub targets: usize,
    /// Actions of the project plan, by axis, with their activities and cases; two are late.
    pub actions: usize,
}

const SURNAMES: &[&str] = &[
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
    "Serra",
    "Coppola",
    "De Santis",
    "D'Angelo",
    "Marchetti",
    "Parisi",
    "Villa",
    "Conte",
    "Ferraro",
    "Ferri",
    "Fabbri",
    "Bianco",
    "Marini",
    "Grasso",
    "Valentini",
    "Messina",
    "Sala",
    "De Angelis",
    "Gatti",
    "Pellegrini",
    "Palumbo",
    "Sanna",
    "Farina",
    "Rizzi",
    "Monti",
    "Cattaneo",
    "Morelli",
    "Amato",
    "Silvestri",
    "Mazza",
    "Testa",
    "Grassi",
    "Pellegrino",
    "Carbone",
    "Giuliani",
    "D'Amico",
    "Dell'Acqua",
    "D'Onofrio",
    "Brambilla",
    "Riva",
    "Lucà",
    "Cantù",
    "Nicolò",
    "Fumagalli",
    "Sorrentino",
    "Caputo",
    "Melis",
    "Pagano",
    "Ruggiero",
    "Basile",
    "Santangelo",
    "Piras",
    "Orlando",
    "Cirillo",
    "Calabrese",
];
const FOREIGN_SURNAMES: &[(&str, &str, &str)] = &[
    // (surname, place code, citizenship)
    ("El Amrani", "Z330", "marocchina"),
    ("Benali", "Z330", "marocchina"),
    ("Haddad", "Z330", "marocchina"),
    ("Popescu", "Z129", "rumena"),
    ("Ionescu", "Z129", "rumena"),
    ("Hoxha", "Z100", "albanese"),
    ("Shehu", "Z100", "albanese"),
    ("Mansour", "Z336", "egiziana"),
    ("Abdelrahman", "Z336", "egiziana"),
    ("Quispe", "Z611", "peruviana"),
    ("Flores", "Z611", "peruviana"),
    ("Santos", "Z216", "filippina"),
    ("Reyes", "Z216", "filippina"),
    ("Diop", "Z343", "senegalese"),
    ("Vera", "Z605", "ecuadoriana"),
];
const MALE_NAMES: &[&str] = &[
    "Mario",
    "Giuseppe",
    "Giovanni",
    "Antonio",
    "Francesco",
    "Luigi",
    "Angelo",
    "Vincenzo",
    "Pietro",
    "Salvatore",
    "Carlo",
    "Franco",
    "Domenico",
    "Bruno",
    "Paolo",
    "Michele",
    "Giorgio",
    "Aldo",
    "Sergio",
    "Luciano",
    "Marco",
    "Andrea",
    "Luca",
    "Alessandro",
    "Matteo",
    "Lorenzo",
    "Davide",
    "Simone",
    "Federico",
    "Niccolò",
    "Nicolò",
    "Mattia",
    "Gabriele",
    "Riccardo",
    "Tommaso",
    "Edoardo",
    "Giosuè",
    "Noè",
    "Leonardo",
    "Stefano",
    "Roberto",
];
const FEMALE_NAMES: &[&str] = &[
    "Maria",
    "Anna",
    "Giuseppina",
    "Rosa",
    "Angela",
    "Giovanna",
    "Teresa",
    "Lucia",
    "Carmela",
    "Caterina",
    "Francesca",
    "Antonietta",
    "Carla",
    "Elena",
    "Paola",
    "Laura",
    "Rita",
    "Franca",
    "Sara",
    "Giulia",
    "Chiara",
    "Martina",
    "Alessia",
    "Sofia",
    "Aurora",
    "Ginevra",
    "Beatrice",
    "Alice",
    "Noemi",
    "Zoe",
    "Emma",
    "Greta",
    "Federica",
    "Valentina",
    "Silvia",
    "Simona",
    "Roberta",
    "Daniela",
    "Cristina",
    "Letizia",
    "Maddalena",
];
const FOREIGN_MALE_NAMES: &[&str] =
    &["Mohamed", "Youssef", "Ahmed", "Ion", "Andrei", "Arben", "Ervin", "Jose", "Luis", "Mamadou"];
const FOREIGN_FEMALE_NAMES: &[&str] =
    &["Fatima", "Khadija", "Amina", "Elena", "Ioana", "Elira", "Rosa", "Maricel", "Awa", "Nadia"];
const ITALIAN_PLACES: &[(&str, &str)] = &[
    ("Milano", "F205"),
    ("Trezzano sul Naviglio", "L408"),
    ("Corsico", "D045"),
    ("Napoli", "F839"),
    ("Palermo", "G273"),
    ("Bari", "A662"),
    ("Foggia", "D643"),
    ("Lecce", "E506"),
    ("Catania", "C351"),
    ("Reggio di Calabria", "H224"),
    ("Torino", "L219"),
    ("Roma", "H501"),
];
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("Z330", "Marocco"),
    ("Z129", "Romania"),
    ("Z100", "Albania"),
    ("Z336", "Egitto"),
    ("Z611", "Perù"),
    ("Z216", "Filippine"),
    ("Z343", "Senegal"),
    ("Z605", "Ecuador"),
];
/// The two streets of the Mezzetta estate, then other streets for larger benchmark datasets.
const STREETS: &[&str] = &[
    "Via Luigi Pirandello",
    "Via Enrico Fermi",
    "Via Giuseppe Verdi",
    "Via Alessandro Manzoni",
    "Via Dante Alighieri",
    "Via Giacomo Leopardi",
    "Via Ugo Foscolo",
    "Via Giovanni Verga",
];
const NOTES: &[&str] = &[
    "Chiede informazioni sul bando per il contributo regionale di solidarietà.",
    "Segnala infiltrazioni d'acqua in bagno: già scritto all'ente gestore, nessuna risposta.",
    "Ha perso il lavoro a marzo; interessata a un percorso con AFOL.",
    "Accompagnato a fare l'ISEE; porterà la DSU la prossima settimana.",
    "Lite con i vicini del piano di sopra per il rumore: proposta una mediazione.",
    "Chiede aiuto per l'iscrizione a scuola del figlio.",
    "Arretrati di canone da gennaio; valutare un piano di rientro.",
    "Vuole partecipare alla festa di quartiere come volontaria.",
    "Documenti di soggiorno in scadenza: indirizzato al patronato.",
    "Anziano solo, chiede una visita domiciliare periodica.",
];

/// Fills the store with the demo neighbourhood in one write.
pub fn generate(store: &mut Store, actor: &Actor, config: &DemoConfig) -> Result<DemoSummary> {
    let mut rng = IdGen::seeded(config.seed);
    store.write(actor, |w| {
        let mut summary = DemoSummary::default();
        let partners = demo_partners(w)?;
        summary.partners = partners.len();
        let mut people: Vec<PersonId> = Vec::new();
        let mut used = UsedCodes::new();
        let mut index = 0;
        loop {
            let done = match config.people {
                Some(target) => people.len() >= target,
                None => index >= config.households,
            };
            if done {
                break;
            }
            demo_household(w, &mut rng, index, config, &mut people, &mut used)?;
            index += 1;
        }
        summary.households = index;
        summary.people = people.len();
        summary.contacts = demo_contacts(w, &mut rng, &people, &partners, config)?;
        // The residents' committee organises the events with the lab.
        let committee = partners.get(5).copied();
        summary.activities = demo_activities(w, &mut rng, &people, committee, config)?;
        summary.courses = training::demo_training(w, &mut rng, partners.get(4).copied(), config)?;
        summary.placements = training::demo_placements(w, &partners, config)?;
        summary.cases = cases::demo_cases(w, &mut rng, &partners, config)?;
        let written = arrears::demo_arrears(w, &mut rng, config)?;
        summary.statement_months = written.months;
        summary.plans = written.plans;
        summary.targets = project::demo_targets(w, config)?;
        summary.actions = project::demo_actions(w, &partners, config)?;
        Ok(summary)
    })
}

/// The seed's activities of six months: 7 social events and 6 thematic assemblies, each with a
/// printed sheet and who came (about half of those invited, and a few walk-ins); an assembly next
/// week, invited but not yet held.
fn demo_activities(
    w: &mut Writer<'_>,
    rng: &mut IdGen,
    people: &[PersonId],
    committee: Option<PartnerId>,
    config: &DemoConfig,
) -> Result<usize> {
    use crate::activities::{ActivityInput, AttendanceInput, Invitee};
    use crate::codes::{ActivityKind, Axis};
    const EVENTS: [&str; 7] = [
        "Festa di primavera in cortile",
        "Merenda e giochi per i bambini",
        "Cena multietnica",
        "Torneo di calcetto con ASD New San Lorenzo",
        "Cinema all'aperto",
        "Pulizia collettiva delle aiuole",
        "Festa di fine estate",
    ];
    const ASSEMBLIES: [(&str, &str); 7] = [
        ("Assemblea sulla manutenzione dei cortili", "pulizia e cura degli spazi comuni"),
        ("Assemblea sulle spese condominiali", "servizi a rimborso e bollette"),
        ("Assemblea sulla convivenza", "regole comuni e rumori"),
        ("Assemblea sul riscaldamento", "orari e guasti"),
        ("Assemblea sui giovani del quartiere", "spazi e attività per i ragazzi"),
        ("Assemblea sulla raccolta differenziata", "rifiuti e cantine"),
        ("Assemblea di avvio dell'anno", "programma delle attività"),
    ];
    if people.len() < 10 {
        return Ok(0);
    }
    let time = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a demo time");
    let mut plan: Vec<(ActivityKind, &str, Option<&str>, i64)> = Vec::new();
    for (i, title) in EVENTS.iter().enumerate() {
        plan.push((ActivityKind::Evento, title, None, 175 - 25 * i as i64));
    }
    for (i, (title, topic)) in ASSEMBLIES.iter().enumerate() {
        // Six held, every month; the seventh next week.
        plan.push((ActivityKind::Assemblea, title, Some(topic), if i < 6 { 165 - 28 * i as i64 } else { -7 }));
    }
    let mut held = 0;
    for (n, (kind, title, topic, days_ago)) in plan.into_iter().enumerate() {
        let assembly = kind == ActivityKind::Assemblea;
        let input = ActivityInput {
            kind,
            axis: Some(Axis::Convivenza),
            title: title.to_string(),
            held_on: config.today - Duration::days(days_ago),
            starts_at: if assembly { time(18, 0) } else { time(16, 30) },
            ends_at: if assembly { time(19, 30) } else { time(19, 0) },
            venue: if assembly {
                "Sala comune, Via Luigi Pirandello 6/H".into()
            } else {
                "Cortile di Via Enrico Fermi".into()
            },
            topic: topic.map(str::to_string),
            operators: Vec::new(),
            // The events are organised with the residents' committee.
            partners: if assembly { Vec::new() } else { committee.into_iter().collect() },
        };
        let activity = activities::create(w, &input, 1)?[0];
        if assembly {
            // The staircases in turn: each assembly is for the people of one.
            let scala = ["A", "B"][n % 2];
            let civic = format!("{}{}", 2 + 2 * (n % 5), if n % 5 == 2 { "/H" } else { "" });
            let staircase =
                Invitee::Address { street: STREETS[0].into(), civic: Some(civic), scala: Some(scala.into()) };
            if activities::invite(w, activity, &staircase).is_err() {
                activities::invite(
                    w,
                    activity,
                    &Invitee::Address { street: STREETS[0].into(), civic: None, scala: None },
                )?;
            }
        } else {
            for _ in 0..30 {
                activities::invite(w, activity, &Invitee::Person(*pick(rng, people)))?;
            }
        }
        if days_ago < 0 {
            continue;
        }
        // The sheet printed for it, and what it said once signed.
        let sheet = crate::ids::SheetId(w.new_id());
        let invited: Vec<PersonId> = {
            let mut stmt =
                w.conn().prepare("SELECT person_id FROM invitation WHERE activity_id = ?1 AND deleted = 0")?;
            let rows = stmt.query_map([activity], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        w.insert(
            crate::schema::Table::AttendanceSheet,
            sheet.0,
            &[
                ("activity_id", activity.to_string().into()),
                ("printed_at", (input.held_on - Duration::days(1)).to_string().into()),
                ("printed_by", w.actor().operator.to_string().into()),
                ("people", (invited.len() as i64).into()),
            ],
        )?;
        let present: Vec<PersonId> = invited.iter().copied().filter(|_| chance(rng, 55)).collect();
        let mut walk_ins: Vec<PersonId> = Vec::new();
        for _ in 0..rng.below(4) {
            let p = *pick(rng, people);
            if !invited.contains(&p) && !walk_ins.contains(&p) {
                walk_ins.push(p);
            }
        }
        activities::record_attendance(w, sheet, &AttendanceInput { present, walk_ins, minutes: None })?;
        if assembly {
            demo_minutes(w, activity, topic.unwrap_or_default(), input.held_on, config.today)?;
        }
        held += 1;
    }
    Ok(held)
}

/// An assembly's minutes: its topic, a decision, and a follow-up due two weeks later, done unless
/// it is the latest assembly's (so Home shows one overdue).
fn demo_minutes(
    w: &mut Writer<'_>,
    activity: ActivityId,
    topic: &str,
    held_on: NaiveDate,
    today: NaiveDate,
) -> Result<()> {
    let due = held_on + Duration::days(14);
    let lines = [
        (MinuteKind::Tema, format!("Discussione: {topic}"), None, None),
        (
            MinuteKind::Decisione,
            "Un referente per scala raccoglie le segnalazioni e le porta allo sportello".to_string(),
            None,
            None,
        ),
        (
            MinuteKind::Impegno,
            "Scrivere all'ente gestore le segnalazioni raccolte".to_string(),
            Some("Comitato Mezzetta con il laboratorio".to_string()),
            Some(due),
        ),
    ];
    for (kind, text, owner, due_on) in lines {
        let item = activities::add_minute(w, activity, &activities::MinuteInput { kind, text, owner, due_on })?;
        if kind == MinuteKind::Impegno && today - held_on > Duration::days(40) {
            activities::complete_follow_up(w, item, due)?;
        }
    }
    Ok(())
}

fn demo_partners(w: &mut Writer<'_>) -> Result<Vec<PartnerId>> {
    let list: &[(&str, PartnerKind, &str)] = &[
        ("Comune di Trezzano sul Naviglio", PartnerKind::Comune, "Servizio Casa"),
        ("Servizio Sociale del Comune", PartnerKind::ServizioSociale, "Assistente sociale"),
        ("Cooperativa Sociale Ripari", PartnerKind::Cooperativa, "Coordinatrice"),
        ("Cooperativa Sociale Lule", PartnerKind::Cooperativa, "Educatore"),
        ("AFOL Metropolitana", PartnerKind::Lavoro, "Orientatrice"),
        ("Comitato Mezzetta", PartnerKind::Associazione, "Presidente"),
        ("Forum Cooperazione e Tecnologia", PartnerKind::Associazione, "Referente"),
        ("ASD New San Lorenzo", PartnerKind::Associazione, "Allenatore"),
        ("Parrocchia S. Lorenzo", PartnerKind::Parrocchia, "Parroco"),
    ];
    let mut ids = Vec::new();
    for (i, (name, kind, role)) in list.iter().enumerate() {
        let id = registry::create_partner(
            w,
            &PartnerInput {
                name: (*name).into(),
                kind: *kind,
                address: Some("Trezzano sul Naviglio (MI)".into()),
                phone: Some(format!("02 4840{:04}", 1000 + i * 37)),
                email: None,
            },
        )?;
        registry::add_partner_contact(
            w,
            id,
            &PartnerContactInput {
                name: format!("{} {}", FEMALE_NAMES[i * 3 % FEMALE_NAMES.len()], SURNAMES[i * 7 % SURNAMES.len()]),
                role: Some((*role).into()),
                phone: None,
                email: None,
            },
        )?;
        ids.push(id);
    }
    Ok(ids)
}

fn pick<'a, T>(rng: &mut IdGen, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

fn chance(rng: &mut IdGen, percent: u64) -> bool {
    rng.below(100) < percent
}

fn household_size(rng: &mut IdGen) -> usize {
    // Roughly the ERP mix: many people living alone or in couples, a few large families.
    let roll = rng.below(100);
    match roll {
        0..=34 => 1,
        35..=61 => 2,
        62..=77 => 3,
        78..=89 => 4,
        90..=95 => 5,
        96..=98 => 6,
        _ => 7,
    }
}

/// Codes already given out: a collision gets the next omocodia variant, as the Agenzia does.
type UsedCodes = std::collections::HashSet<String>;

fn unique_code(used: &mut UsedCodes, code: String) -> Option<String> {
    let chosen = (0..=7)
        .map(|level| if level == 0 { code.clone() } else { cf::omocode(&code, level) })
        .find(|c| !used.contains(c))?;
    used.insert(chosen.clone());
    Some(chosen)
}

struct Origin {
    foreign: Option<(&'static str, &'static str, &'static str)>,
}

fn demo_household(
    w: &mut Writer<'_>,
    rng: &mut IdGen,
    index: usize,
    config: &DemoConfig,
    people: &mut Vec<PersonId>,
    used: &mut UsedCodes,
) -> Result<()> {
    // 133 households fill the Mezzetta streets; larger datasets move on to further streets.
    let per_street = 70;
    let street = STREETS[(index / per_street) % STREETS.len()];
    let block = index / (per_street * STREETS.len());
    let within = index % per_street;
    let civic = (within / 14) * 2 + 2 + block * 20;
    let scala = ["A", "B"][within / 7 % 2];
    let piano = (within % 7) / 2;
    let interno = within % 7 + 1;
    let suffix = if street.contains("Pirandello") && civic == 6 { "/H" } else { "" };
    let dwelling = registry::create_dwelling(
        w,
        &DwellingInput {
            code: Some(format!("TRZ-{:05}", index + 1)),
            street: street.into(),
            civic: format!("{civic}{suffix}"),
            scala: Some(scala.into()),
            piano: Some(piano.to_string()),
            interno: Some(interno.to_string()),
            cap: Some("20090".into()),
            comune: Some("Trezzano sul Naviglio".into()),
            provincia: Some("MI".into()),
        },
    )?;
    let since = config.today - Duration::days(365 * (1 + rng.below(30) as i64));
    let household = registry::create_household(w, dwelling, Some(since))?;
    let size = household_size(rng);
    let origin = Origin { foreign: if chance(rng, 22) { Some(*pick(rng, FOREIGN_SURNAMES)) } else { None } };
    let family_surname = match origin.foreign {
        Some((s, _, _)) => s,
        None => pick(rng, SURNAMES),
    };
    let tenant_age = 25 + rng.below(60) as i64;
    let tenant_sex = if chance(rng, 55) { 'F' } else { 'M' };
    let mut members: Vec<(Relationship, char, i64, &str)> =
        vec![(Relationship::Intestatario, tenant_sex, tenant_age, family_surname)];
    let mut remaining = size - 1;
    if remaining > 0 && chance(rng, 70) {
        let partner_surname = if origin.foreign.is_some() { family_surname } else { pick(rng, SURNAMES) };
        let rel = if chance(rng, 80) { Relationship::Coniuge } else { Relationship::Convivente };
        let sex = if tenant_sex == 'F' { 'M' } else { 'F' };
        members.push((rel, sex, (tenant_age + rng.below(9) as i64 - 4).max(20), partner_surname));
        remaining -= 1;
    }
    while remaining > 0 {
        let (rel, age) = if tenant_age > 70 && chance(rng, 40) {
            (Relationship::Nipote, 5 + rng.below(20) as i64)
        } else if chance(rng, 8) {
            (Relationship::Genitore, (tenant_age + 22 + rng.below(10) as i64).min(99))
        } else if chance(rng, 5) {
            (Relationship::AltroParente, 18 + rng.below(50) as i64)
        } else {
            (Relationship::Figlio, rng.below((tenant_age - 17).clamp(1, 40) as u64) as i64)
        };
        let sex = if chance(rng, 50) { 'F' } else { 'M' };
        members.push((rel, sex, age, family_surname));
        remaining -= 1;
    }
    for (relationship, sex, age, surname) in members {
        let mut person = demo_person(rng, config.today, sex, age, surname, &origin);
        person.codice_fiscale = person.codice_fiscale.and_then(|c| unique_code(used, c));
        let id = registry::create_person(w, &person)?;
        let resident_since = if relationship == Relationship::Figlio || relationship == Relationship::Nipote {
            person.birth_date.map(|b| b.max(since))
        } else {
            Some(since)
        };
        registry::add_member(
            w,
            household,
            id,
            &MemberInput {
                relationship_text: None,
                relationship,
                resident_since,
                tenant_of_record: relationship == Relationship::Intestatario,
            },
        )?;
        people.push(id);
    }
    Ok(())
}

fn demo_person(rng: &mut IdGen, today: NaiveDate, sex: char, age: i64, surname: &str, origin: &Origin) -> PersonInput {
    let name = match (origin.foreign.is_some() && chance(rng, 70), sex) {
        (true, 'F') => pick(rng, FOREIGN_FEMALE_NAMES),
        (true, _) => pick(rng, FOREIGN_MALE_NAMES),
        (false, 'F') => pick(rng, FEMALE_NAMES),
        (false, _) => pick(rng, MALE_NAMES),
    };
    let birth_year = today.year() - age as i32 - 1;
    let birth = NaiveDate::from_yo_opt(birth_year, 1 + rng.below(365) as u32).unwrap_or(today);
    let born_abroad = origin.foreign.is_some() && age > 12;
    let (place_name, place_code, citizenship) = match origin.foreign {
        Some((_, code, citizenship)) if born_abroad => {
            let country = COUNTRY_NAMES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n).unwrap_or("Estero");
            (country, code, citizenship)
        }
        Some((_, _, citizenship)) => ("Milano", "F205", citizenship),
        None => {
            let (n, c) = *pick(rng, ITALIAN_PLACES);
            (n, c, "italiana")
        }
    };
    // A few newly arrived people have no codice fiscale yet, and must still be recordable.
    let codice_fiscale =
        if born_abroad && chance(rng, 8) { None } else { Some(cf::compute(surname, name, sex, birth, place_code)) };
    let adult = age >= 18;
    let esf = if adult && age < 65 && chance(rng, 20) {
        EsfFields {
            labour_status: Some(*pick(rng, LabourStatus::ALL)),
            isced: Some(*pick(rng, &[Isced::Livello1_2, Isced::Livello1_2, Isced::Livello3_4, Isced::Livello5_8])),
            migrant: Some(if origin.foreign.is_some() { EsfAnswer::Si } else { EsfAnswer::No }),
            disability: Some(*pick(
                rng,
                &[EsfAnswer::No, EsfAnswer::No, EsfAnswer::No, EsfAnswer::Si, EsfAnswer::NonRisponde],
            )),
            other_disadvantage: Some(*pick(rng, &[EsfAnswer::No, EsfAnswer::Si, EsfAnswer::NonRisponde])),
            homeless: None,
            rural: None,
        }
    } else {
        EsfFields::default()
    };
    PersonInput {
        surname: surname.into(),
        name: (*name).into(),
        sex: Some(sex),
        birth_date: Some(birth),
        birth_place: Some(place_name.into()),
        codice_fiscale,
        citizenship: Some(citizenship.into()),
        phone: if adult && chance(rng, 75) {
            Some(format!("3{:02} {:07}", 20 + rng.below(80), rng.below(10_000_000)))
        } else {
            None
        },
        email: None,
        esf,
    }
}

fn demo_contacts(
    w: &mut Writer<'_>,
    rng: &mut IdGen,
    people: &[PersonId],
    partners: &[PartnerId],
    config: &DemoConfig,
) -> Result<usize> {
    if people.is_empty() {
        return Ok(0);
    }
    let operator = w.actor().operator;
    let count = people.len() / 2 + 10;
    for _ in 0..count {
        let person = *pick(rng, people);
        let days_ago = rng.below(180) as i64;
        let day = config.today - Duration::days(days_ago);
        let time = NaiveTime::from_hms_opt(9 + rng.below(9) as u32, [0, 15, 30, 45][rng.below(4) as usize], 0)
            .unwrap_or_default();
        let mut topics = vec![*pick(rng, Topic::ALL)];
        if chance(rng, 35) {
            topics.push(*pick(rng, Topic::ALL));
        }
        let follow_up_on = if chance(rng, 30) { Some(day + Duration::days(3 + rng.below(30) as i64)) } else { None };
        let referrals = if chance(rng, 12) {
            let target = if chance(rng, 40) {
                ReferralTarget::ServizioSociale
            } else {
                ReferralTarget::Partner(*pick(rng, partners))
            };
            vec![ReferralInput { target, reason: "Approfondimento della situazione".into() }]
        } else {
            Vec::new()
        };
        let id = desk::add_contact(
            w,
            &DeskContactInput {
                occurred_at: day.and_time(time),
                operator,
                person: Some(person),
                household: None,
                channel: *pick(
                    rng,
                    &[
                        Channel::DiPersona,
                        Channel::DiPersona,
                        Channel::DiPersona,
                        Channel::Telefono,
                        Channel::VisitaDomiciliare,
                    ],
                ),
                topics,
                note: Some((*pick(rng, NOTES)).into()),
                follow_up_on,
                referrals,
            },
        )?;
        if let Some(due) = follow_up_on {
            if due < config.today && chance(rng, 60) {
                desk::complete_follow_up(w, id, due)?;
            }
        }
    }
    Ok(count)
}
