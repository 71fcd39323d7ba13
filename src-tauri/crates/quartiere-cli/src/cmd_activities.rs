//! `quartiere activities`, `sheet`, `attendance`: activities, their attendance sheets, who came.

use std::path::Path;
use std::process::ExitCode;

use quartiere_core::activities::{self, ActivityDraft, AttendanceInput, Invitee};
use quartiere_core::ids::{ActivityId, HouseholdId, PersonId};
use quartiere_core::registry::resolve_id;
use quartiere_core::schema::Table;
use quartiere_core::{draft, format, Error, Store};

use crate::args::{ActivitiesCommand, ActivityAdd, AttendanceArgs, Cli};
use crate::output::print_json;
use crate::session::{open, today};

/// Runs an `activities` subcommand.
pub fn run(cli: &Cli, command: &ActivitiesCommand) -> Result<ExitCode, Error> {
    match command {
        ActivitiesCommand::Add(args) => add(cli, args),
        ActivitiesCommand::Invite(args) => {
            let (mut store, actor) = open(cli)?;
            let activity = activity_id(&store, &args.activity)?;
            let who = match (&args.person, &args.household, &args.street) {
                (Some(p), _, _) => Invitee::Person(PersonId(resolve_id(store.conn(), Table::Person, p)?)),
                (_, Some(h), _) => Invitee::Household(HouseholdId(resolve_id(store.conn(), Table::Household, h)?)),
                (_, _, Some(street)) => {
                    Invitee::Address { street: street.clone(), civic: args.civic.clone(), scala: args.scala.clone() }
                }
                _ => return Err(Error::invalid("invito", "indica chi invitare: --person, --household o --street")),
            };
            let added = store.write(&actor, |w| activities::invite(w, activity, &who))?;
            out!("{}.", format::count(added, "persona invitata", "persone invitate"));
            Ok(ExitCode::SUCCESS)
        }
        ActivitiesCommand::List { from, to, json } => {
            let (store, actor) = open(cli)?;
            let mut errors = Vec::new();
            let from = draft::date("dal", from.as_deref().unwrap_or(""), &mut errors);
            let to = draft::date("al", to.as_deref().unwrap_or(""), &mut errors);
            if !errors.is_empty() {
                return Err(Error::Invalid(errors));
            }
            let list = activities::list(&store, &actor, from, to)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for a in &list {
                let present =
                    a.present.map(|p| format!(", {}", format::count(p, "presente", "presenti"))).unwrap_or_default();
                out!(
                    "{}  {} {}-{}  {} · {} · {}{present}",
                    a.id,
                    format::date(a.held_on),
                    a.starts_at,
                    a.ends_at,
                    a.kind.label_it(),
                    a.title,
                    format::count(a.invited, "persona invitata", "persone invitate")
                );
            }
            out!("{}.", format::count(list.len(), "attività", "attività"));
            Ok(ExitCode::SUCCESS)
        }
        ActivitiesCommand::Show { activity, json } => {
            let (store, actor) = open(cli)?;
            let id = activity_id(&store, activity)?;
            let shown = activities::show(&store, &actor, id)?;
            if *json {
                return print_json(&shown).map(|_| ExitCode::SUCCESS);
            }
            let a = &shown.activity;
            out!(
                "{} ({}), {} {}-{}, {}",
                a.title,
                a.kind.label_it(),
                format::date(a.held_on),
                a.starts_at,
                a.ends_at,
                a.venue
            );
            out!("Operatori: {}", shown.operators.join(", "));
            if !shown.partners.is_empty() {
                out!("Insieme a: {}", shown.partners.join(", "));
            }
            for p in &shown.people {
                let state = match (p.present, p.walk_in) {
                    (_, true) => "presente, senza invito",
                    (Some(true), _) => "presente",
                    (Some(false), _) => "assente",
                    (None, _) => "presenza da registrare",
                };
                out!("  {}  {} · {state}", p.person, p.name);
            }
            for code in &shown.sheets {
                out!("Foglio {code}");
            }
            for scan in &shown.scans {
                out!("Scansione del foglio {}: {}", scan.sheet, scan.file_name);
            }
            for m in &shown.minutes {
                let follow_up = match (&m.owner, m.due_on, m.done_on) {
                    (_, _, Some(done)) => format!(" (fatto il {})", format::date(done)),
                    (Some(owner), Some(due), None) => format!(" (a cura di {owner}, entro il {})", format::date(due)),
                    _ => String::new(),
                };
                out!("Verbale, {}: {}{follow_up}", m.kind.label_it(), m.text);
            }
            Ok(ExitCode::SUCCESS)
        }
        ActivitiesCommand::Minute(args) => {
            let (mut store, actor) = open(cli)?;
            let activity = activity_id(&store, &args.activity)?;
            let input = activities::MinuteDraft {
                kind: args.kind.clone(),
                text: args.text.clone(),
                owner: args.owner.clone().unwrap_or_default(),
                due: args.due.clone().unwrap_or_default(),
            }
            .parse(today())?;
            store.write(&actor, |w| activities::add_minute(w, activity, &input))?;
            out!("Aggiunto al verbale: {}.", input.kind.label_it());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn add(cli: &Cli, args: &ActivityAdd) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    let (input, weeks) = ActivityDraft {
        kind: args.kind.clone(),
        axis: args.axis.clone().unwrap_or_default(),
        title: args.title.clone(),
        date: args.date.clone(),
        start: args.start.clone(),
        end: args.end.clone(),
        venue: args.venue.clone(),
        topic: args.topic.clone().unwrap_or_default(),
        weeks: args.weeks.clone().unwrap_or_default(),
    }
    .parse()?;
    let ids = store.write(&actor, |w| activities::create(w, &input, weeks))?;
    if args.json {
        return print_json(&ids).map(|_| ExitCode::SUCCESS);
    }
    for id in ids {
        out!("{id}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `quartiere sheet ACTIVITY --out FILE.pdf`: prints the sheet's code.
pub fn sheet(cli: &Cli, activity: &str, out: &Path) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    let id = activity_id(&store, activity)?;
    let lab = quartiere_core::docs::lab_folder(store.dir());
    let printed = activities::print_sheet(&mut store, &actor, id, today(), Some(&lab))?;
    quartiere_core::files::write_whole(out, &printed.pdf)?;
    out!("{}", printed.code);
    Ok(ExitCode::SUCCESS)
}

/// `quartiere attendance SHEET --present ID... [--walk-in ID...] [--minutes N]`.
pub fn attendance(cli: &Cli, args: &AttendanceArgs) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    let sheet = activities::resolve_sheet(&store, &args.sheet)?;
    let people = |keys: &[String]| -> Result<Vec<PersonId>, Error> {
        keys.iter().map(|k| resolve_id(store.conn(), Table::Person, k).map(PersonId)).collect()
    };
    let input =
        AttendanceInput { present: people(&args.present)?, walk_ins: people(&args.walk_in)?, minutes: args.minutes };
    // The scan is checked before anything is recorded: a wrong file leaves no half-done attendance.
    let scan = match &args.scan {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| Error::invalid("scansione", format!("non riesco a leggere «{}»: {e}", path.display())))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            activities::check_scan(&name, &bytes)?;
            Some((name, bytes))
        }
        None => None,
    };
    let count = store.write(&actor, |w| activities::record_attendance(w, sheet, &input))?;
    out!(
        "Presenze registrate: {} su {}, {}, {}.",
        count.present,
        format::count(count.invited, "persona invitata", "persone invitate"),
        format::count(count.absent, "assente", "assenti"),
        format::count(count.walk_ins, "persona venuta senza invito", "persone venute senza invito")
    );
    if let Some((name, bytes)) = scan {
        let info = activities::attach_scan(&mut store, &actor, sheet, &name, &bytes)?;
        out!("Scansione «{}» allegata al foglio {}.", info.file_name, info.sheet);
    }
    Ok(ExitCode::SUCCESS)
}

fn activity_id(store: &Store, key: &str) -> Result<ActivityId, Error> {
    resolve_id(store.conn(), Table::Activity, key).map(ActivityId)
}
