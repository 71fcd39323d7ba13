//! The one place that formats what the command line prints: a line, JSON, and the records
//! (an import report, a household, a desk contact) as a person reads them in a terminal.

use quartiere_core::desk;
use quartiere_core::import::ImportReport;
use quartiere_core::registry;
use quartiere_core::{format, Error};

/// Prints a line to stdout; a closed pipe (`quartiere ... | head`) ends the program quietly
/// instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Import(e.to_string()))?;
    out!("{text}");
    Ok(())
}

pub fn print_import_report(report: &ImportReport, dry_run: bool) {
    if !report.errors.is_empty() {
        out!(
            "Il file contiene {} errori: non è stato importato nulla. Correggi le righe indicate e riprova.",
            report.errors.len()
        );
        for e in &report.errors {
            out!("  {e}");
        }
    } else {
        use format::count;
        let done = match (report.applied, report.rows) {
            (false, _) => "da importare",
            (true, 1) => "importata",
            (true, _) => "importate",
        };
        out!(
            "{} {done}: {}, {}; {}; {}, {}, {}; {}, {}, {}.",
            count(report.rows, "riga", "righe"),
            count(report.dwellings_new, "alloggio nuovo", "alloggi nuovi"),
            count(report.dwellings_updated, "aggiornato", "aggiornati"),
            count(report.households_new, "nucleo nuovo", "nuclei nuovi"),
            count(report.people_new, "persona nuova", "persone nuove"),
            count(report.people_updated, "aggiornata", "aggiornate"),
            count(report.people_unchanged, "invariata", "invariate"),
            count(report.members_added, "ingresso in un nucleo", "ingressi in un nucleo"),
            count(report.members_moved, "cambio di nucleo", "cambi di nucleo"),
            count(report.members_updated, "relazione aggiornata", "relazioni aggiornate"),
        );
        if report.changes() == 0 {
            out!("Nessuna modifica: l'archivio era già aggiornato.");
        }
        if dry_run {
            out!("Prova senza scrittura: l'archivio non è stato modificato.");
        }
    }
    if !report.questions.is_empty() {
        out!("");
        let rows = format::count(report.people_to_decide, "riga", "righe");
        out!("Chi è? {rows} da decidere prima di importare:");
        for q in &report.questions {
            let born = born_on(q.sex, q.birth_date);
            let code = q.codice_fiscale.as_deref().map(|c| format!(", {c}")).unwrap_or_default();
            let answer = match (q.decided, q.same_as) {
                (false, _) => String::new(),
                (true, Some(id)) => format!("  [scelto: stessa persona {id}]"),
                (true, None) => "  [scelto: persona nuova]".to_string(),
            };
            out!("  Riga {}: {} {}{born}{code}, {}{answer}", q.row, q.surname, q.name, q.address);
            out!("    {}", q.reason);
            for c in &q.candidates {
                let born = born_on(c.sex, c.birth_date);
                let code = c.codice_fiscale.as_deref().map(|c| format!(", {c}")).unwrap_or_default();
                let lives = c.lives_at.as_deref().map(|a| format!(", abita in {a}")).unwrap_or_default();
                out!("    - {} {} {}{born}{code}{lives}", c.person, c.surname, c.name);
            }
        }
        if report.people_to_decide > 0 {
            out!(
                "Nulla è stato scritto. Rispondi con --same RIGA=ID (è la persona già registrata) o --new RIGA (è una persona nuova) e importa di nuovo."
            );
        }
    }
    for w in &report.warnings {
        out!("  Attenzione: {w}");
    }
}

pub fn print_household(detail: &registry::HouseholdDetail, contacts: &[desk::DeskContactView]) {
    let d = &detail.dwelling.fields;
    out!("Nucleo {}", detail.id);
    out!("  Alloggio: {}{}", d.address_line(), d.code.as_ref().map(|c| format!(" (codice {c})")).unwrap_or_default());
    out!("  Componenti:");
    for m in detail.current_members() {
        out!("    {}", member_line(m));
    }
    let past: Vec<_> = detail.members.iter().filter(|m| m.membership.left_on.is_some()).collect();
    if !past.is_empty() {
        out!("  Componenti usciti:");
        for m in past {
            out!("    {}", member_line(m));
        }
    }
    out!("  Contatti allo sportello: {}", contacts.len());
    for c in contacts.iter().take(10) {
        print_contact(c);
    }
}

/// «, nata il 03/07/1988», said by the person's sex; nothing without a birth date.
pub fn born_on(sex: Option<char>, birth_date: Option<chrono::NaiveDate>) -> String {
    birth_date.map(|d| format!(", {} il {}", format::by_sex(sex, "nato", "nata"), format::date(d))).unwrap_or_default()
}

pub fn member_line(m: &registry::Member) -> String {
    let sex = m.person.sex;
    let rel = m.membership.relationship.map(|r| r.label_it_for(sex)).unwrap_or("relazione non indicata".into());
    let mut line = format!("{} ({rel})", m.person.full_name());
    if let Some(since) = m.membership.resident_since {
        line.push_str(&format!(", dal {}", format::date(since)));
    }
    if let Some(left) = m.membership.left_on {
        line.push_str(&format!(", {} il {}", format::by_sex(sex, "uscito", "uscita"), format::date(left)));
    }
    line
}

pub fn print_contact(c: &desk::DeskContactView) {
    let who = c.person_name.clone().or_else(|| c.household_address.clone()).unwrap_or_default();
    let topics: Vec<&str> = c.topics.iter().map(|t| t.label_it()).collect();
    out!(
        "{}  {}  {}  [{}]  {}",
        c.occurred_at.format("%d/%m/%Y %H:%M"),
        who,
        c.channel.map(|ch| ch.label_it()).unwrap_or(""),
        topics.join(", "),
        c.operator
    );
    if let Some(note) = &c.note {
        out!("    {note}");
    }
    if let Some(due) = c.follow_up_on {
        let state = match c.follow_up_done_on {
            Some(done) => match &c.follow_up_done_by {
                Some(who) => format!("fatto il {} da {who}", format::date(done)),
                None => format!("fatto il {}", format::date(done)),
            },
            None => "da fare".into(),
        };
        out!("    Richiamo: {} ({state})", format::date(due));
    }
    for r in &c.referrals {
        out!("    Inviato a {}: {}", r.to, r.reason);
    }
}
