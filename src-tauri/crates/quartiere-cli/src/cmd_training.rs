//! `quartiere training`: courses and job-search paths, enrolment and the waiting list, the ESF
//! participant record.

use std::process::ExitCode;

use chrono::Utc;
use quartiere_core::ids::{CourseId, EnrolmentId, PersonId};
use quartiere_core::registry::resolve_id;
use quartiere_core::schema::Table;
use quartiere_core::training::{self, esf, CourseDraft, Enrolled, EsfDraft};
use quartiere_core::{draft, format, Error, Store};

use crate::args::{Cli, CourseAdd, EsfArgs, TrainingCommand};
use crate::output::print_json;
use crate::session::{open, today};

/// Runs a `training` subcommand.
pub fn run(cli: &Cli, command: &TrainingCommand) -> Result<ExitCode, Error> {
    match command {
        TrainingCommand::List { json } => {
            let (store, actor) = open(cli)?;
            let list = training::courses(&store, &actor)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for c in &list {
                let end = c.ends_on.map(|d| format!(" al {}", format::date(d))).unwrap_or_default();
                out!(
                    "{}  {} · {} · dal {}{end} · {} su {}, {} in attesa",
                    c.id,
                    c.kind.label_it(),
                    c.title,
                    format::date(c.starts_on),
                    c.admitted,
                    format::count(c.places, "posto", "posti"),
                    c.waiting
                );
            }
            out!("{}.", format::count(list.len(), "corso o percorso", "corsi e percorsi"));
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Add(args) => add(cli, args),
        TrainingCommand::Show { course, json } => {
            let (store, actor) = open(cli)?;
            let id = course_id(&store, course)?;
            let detail = training::course(&store, &actor, id)?;
            if *json {
                return print_json(&detail).map(|_| ExitCode::SUCCESS);
            }
            let c = &detail.course;
            out!(
                "{} ({}), dal {}{}: {} su {}",
                c.title,
                c.kind.label_it(),
                format::date(c.starts_on),
                c.provider.as_ref().map(|p| format!(", {p}")).unwrap_or_default(),
                c.admitted,
                format::count(c.places, "posto", "posti")
            );
            for e in &detail.admitted {
                let hours = if e.minutes > 0 {
                    format!(", {} di presenza", format::duration(i64::from(e.minutes)))
                } else {
                    String::new()
                };
                out!("Nel corso: {} ({}){hours}", e.name, e.id);
            }
            for (i, e) in detail.waiting.iter().enumerate() {
                let moved = e.moved_reason.as_ref().map(|r| format!(" — spostato: {r}")).unwrap_or_default();
                out!("In attesa {}: {} ({}){moved}", i + 1, e.name, e.id);
            }
            for e in &detail.left {
                out!("Ha lasciato: {} ({})", e.name, e.left_reason.as_deref().unwrap_or(""));
            }
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Enrol { course, person, json } => {
            let (mut store, actor) = open(cli)?;
            let course = course_id(&store, course)?;
            let person = PersonId(resolve_id(store.conn(), Table::Person, person)?);
            let result = store.write(&actor, |w| training::enrol(w, course, person, Utc::now(), today()))?;
            if *json {
                return print_json(&result).map(|_| ExitCode::SUCCESS);
            }
            match result {
                Enrolled::Admitted { id } => out!("Iscritto al corso (iscrizione {id})."),
                Enrolled::Waiting { id, position } => {
                    out!("Il corso è al completo: in lista d'attesa, posizione {position} (iscrizione {id}).")
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Admit { enrolment, reason } => {
            let (mut store, actor) = open(cli)?;
            let id = enrolment_id(&store, enrolment)?;
            store.write(&actor, |w| training::admit(w, id, reason.as_deref(), today()))?;
            out!("Entrato nel corso dalla lista d'attesa.");
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Move { enrolment, position, reason } => {
            let (mut store, actor) = open(cli)?;
            let id = enrolment_id(&store, enrolment)?;
            store.write(&actor, |w| training::move_in_queue(w, id, *position, reason))?;
            out!("Spostato in lista d'attesa alla posizione {position}.");
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Withdraw { enrolment, reason, on } => {
            let (mut store, actor) = open(cli)?;
            let id = enrolment_id(&store, enrolment)?;
            let mut errors = Vec::new();
            let on = draft::date("giorno", on.as_deref().unwrap_or(""), &mut errors).unwrap_or_else(today);
            if !errors.is_empty() {
                return Err(Error::Invalid(errors));
            }
            let next = store.write(&actor, |w| training::withdraw(w, id, on, reason))?;
            out!("Ha lasciato il corso il {}.", format::date(on));
            if let Some((next, name)) = next {
                out!("Si è liberato un posto: la prima in lista d'attesa è {name} (iscrizione {next}).");
            }
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Esf(args) => esf_record(cli, args),
        TrainingCommand::Session { course, date, start, end, venue, weeks } => {
            let (mut store, actor) = open(cli)?;
            let course = course_id(&store, course)?;
            let (mut input, weeks) = quartiere_core::activities::ActivityDraft {
                kind: "formazione".into(),
                title: "lezione".into(),
                date: date.clone(),
                start: start.clone(),
                end: end.clone(),
                venue: venue.clone(),
                weeks: weeks.clone(),
                ..Default::default()
            }
            .parse()?;
            input.title = String::new();
            let ids = store.write(&actor, |w| training::add_sessions(w, course, &input, weeks))?;
            out!("{}.", format::count(ids.len(), "lezione aggiunta", "lezioni aggiunte"));
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Form { enrolment, out } => {
            let (mut store, actor) = open(cli)?;
            let id = enrolment_id(&store, enrolment)?;
            let printed = training::documents::enrolment_form(&mut store, &actor, id, today())?;
            quartiere_core::files::write_whole(out, &printed.pdf)?;
            out!("{}", printed.id);
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Register { course, out } => {
            let (mut store, actor) = open(cli)?;
            let id = course_id(&store, course)?;
            let printed = training::documents::course_register(&mut store, &actor, id, today())?;
            quartiere_core::files::write_whole(out, &printed.pdf)?;
            out!("{}", printed.id);
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Placement { person, host, role, start, end, weekly_hours } => {
            let (mut store, actor) = open(cli)?;
            let person = PersonId(resolve_id(store.conn(), Table::Person, person)?);
            let (host, host_name) = match resolve_id(store.conn(), Table::Partner, host) {
                Ok(id) => (id.to_string(), String::new()),
                Err(_) => (String::new(), host.clone()),
            };
            let input = training::placements::PlacementDraft {
                host,
                host_name,
                role: role.clone().unwrap_or_default(),
                starts_on: start.clone(),
                ends_on: end.clone().unwrap_or_default(),
                weekly_hours: weekly_hours.clone().unwrap_or_default(),
            }
            .parse()?;
            let id = store.write(&actor, |w| training::placements::add_placement(w, person, &input))?;
            out!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        TrainingCommand::Hours { person, hours, what, on } => {
            let (mut store, actor) = open(cli)?;
            let person = PersonId(resolve_id(store.conn(), Table::Person, person)?);
            let mut errors = Vec::new();
            let on = draft::date("giorno", on.as_deref().unwrap_or(""), &mut errors).unwrap_or_else(today);
            let minutes = draft::hours("ore", hours, &mut errors).unwrap_or(0);
            if !errors.is_empty() {
                return Err(Error::Invalid(errors));
            }
            store.write(&actor, |w| {
                training::placements::add_community_hours(w, person, on, minutes, what, None, today())
            })?;
            out!("Registrate {} il {}.", format::duration(i64::from(minutes)), format::date(on));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn add(cli: &Cli, args: &CourseAdd) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    let provider = match &args.provider {
        Some(p) => resolve_id(store.conn(), Table::Partner, p)?.to_string(),
        None => String::new(),
    };
    let input = CourseDraft {
        kind: args.kind.clone(),
        title: args.title.clone(),
        provider,
        starts_on: args.start.clone(),
        ends_on: args.end.clone().unwrap_or_default(),
        hours: args.hours.clone().unwrap_or_default(),
        places: args.places.clone(),
        venue: args.venue.clone().unwrap_or_default(),
    }
    .parse()?;
    let id = store.write(&actor, |w| training::create_course(w, &input))?;
    if args.json {
        return print_json(&id).map(|_| ExitCode::SUCCESS);
    }
    out!("{id}");
    Ok(ExitCode::SUCCESS)
}

/// Shows a person's ESF record, or writes it at entry when `--entry` is given.
fn esf_record(cli: &Cli, args: &EsfArgs) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    let person = PersonId(resolve_id(store.conn(), Table::Person, &args.person)?);
    if let Some(entry) = &args.entry {
        let input = EsfDraft {
            entry_on: entry.clone(),
            labour: args.labour.clone().unwrap_or_default(),
            unemployed_months: args.months.clone().unwrap_or_default(),
            in_education: args.in_education.clone().unwrap_or_default(),
            isced: args.isced.clone().unwrap_or_default(),
            ..Default::default()
        }
        .parse()?;
        store.write(&actor, |w| esf::enter(w, person, &input))?;
    }
    let record = esf::record(&mut store, &actor, person)?;
    if args.json {
        return print_json(&record).map(|_| ExitCode::SUCCESS);
    }
    match record {
        None => out!("Nessuna scheda FSE per questa persona."),
        Some(r) => {
            let sex = r.sex.chars().next();
            out!(
                "Scheda FSE: ingresso il {}, {}, {}",
                format::date(r.entry_on),
                r.age_band.label_it(),
                format::agree(r.labour_status.label_it(), sex)
            );
            if let Some(exit) = r.exit_on {
                out!(
                    "Uscita il {}{}",
                    format::date(exit),
                    r.exit_reason.map(|x| format!(": {}", format::agree(x.label_it(), sex))).unwrap_or_default()
                );
            }
            if let Some(due) = r.check_due_on {
                out!("Verifica a sei mesi dal {}", format::date(due));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn course_id(store: &Store, key: &str) -> Result<CourseId, Error> {
    resolve_id(store.conn(), Table::Course, key).map(CourseId)
}

fn enrolment_id(store: &Store, key: &str) -> Result<EnrolmentId, Error> {
    resolve_id(store.conn(), Table::Enrolment, key).map(EnrolmentId)
}
