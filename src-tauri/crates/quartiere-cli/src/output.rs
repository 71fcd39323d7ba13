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
        let verb = if report.applied { "Importati" } else { "Verrebbero importati" };
        out!(
            "{verb} {} righe: {} alloggi nuovi, {} aggiornati; {} nuclei nuovi; {} persone nuove, {} aggiornate, {} invariate; {} ingressi in un nucleo, {} cambi di nucleo, {} relazioni aggiornate.",
            report.rows,
            report.dwellings_new,
            report.dwellings_updated,
            report.households_new,
            report.people_new,
            report.people_updated,
            report.people_unchanged,
            report.members_added,
            report.members_moved,
            report.members_updated,
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
        let rows = match report.people_to_decide {
            1 => "1 riga".to_string(),
            n => format!("{n} righe"),
        };
        out!("Chi è? {rows} da decidere prima di importare:");
        for q in &report.questions {
            let born = q.birth_date.map(|d| format!(", nato/a il {}", d.format("%d/%m/%Y"))).unwrap_or_default();
            let code = q.codice_fiscale.as_deref().map(|c| format!(", {c}")).unwrap_or_default();
            let answer = match (q.decided, q.same_as) {
                (false, _) => String::new(),
                (true, Some(id)) => format!("  [scelto: stessa persona {id}]"),
                (true, None) => "  [scelto: persona nuova]".to_string(),
            };
            out!("  Riga {}: {} {}{born}{code}, {}{answer}", q.row, q.surname, q.name, q.address);
            out!("    {}", q.reason);
            for c in &q.candidates {
                let born = c.birth_date.map(|d| format!(", nato/a il {}", d.format("%d/%m/%Y"))).unwrap_or_default();
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

pub fn member_line(m: &registry::Member) -> String {
    let rel = m.membership.relationship.map(|r| r.label_it()).unwrap_or("relazione non indicata");
    let mut line = format!("{} ({rel})", m.person.full_name());
    if let Some(since) = m.membership.resident_since {
        line.push_str(&format!(", dal {}", format::date(since)));
    }
    if let Some(left) = m.membership.left_on {
        line.push_str(&format!(", uscito/a il {}", format::date(left)));
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
