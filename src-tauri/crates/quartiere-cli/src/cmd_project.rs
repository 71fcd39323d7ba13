//! `quartiere stats`, `quartiere targets` and `quartiere export`: the project's indicators against
//! its targets, and the monthly bundle to the Comune (made at a desk, verified anywhere).

use std::process::ExitCode;

use chrono::NaiveDate;
use quartiere_core::bundle::{self, verify, Include, Request};
use quartiere_core::codes::IndicatorCode;
use quartiere_core::indicators::{self, Indicator, Period, TargetDraft, Unit};
use quartiere_core::{format, Error};

use crate::args::Cli;
use crate::args_project::{ExportCommand, StatsArgs, TargetsCommand};
use crate::output::print_json;
use crate::session::open;

fn date(field: &str, text: &str) -> Result<NaiveDate, Error> {
    format::parse_date(text).ok_or_else(|| Error::invalid(field, format!("«{text}» non è una data: scrivi gg/mm/aaaa")))
}

fn code(text: &str) -> Result<IndicatorCode, Error> {
    IndicatorCode::from_code(text.trim()).ok_or_else(|| {
        Error::invalid(
            "indicatore",
            format!("«{text}» non è un indicatore: usa uno tra {}", IndicatorCode::codes_list()),
        )
    })
}

fn shown(i: &Indicator, v: i64) -> String {
    match i.unit {
        Unit::Centesimi => format::money(v),
        _ => v.to_string(),
    }
}

/// `quartiere stats --from D --to D [--records CODE] [--json]`.
pub fn stats(cli: &Cli, args: &StatsArgs) -> Result<ExitCode, Error> {
    let period = Period::new(date("from", &args.from)?, date("to", &args.to)?)?;
    let (mut store, actor) = open(cli)?;
    if let Some(code_text) = &args.records {
        let lines = indicators::records(&mut store, &actor, code(code_text)?, period)?;
        if args.json {
            return print_json(&lines).map(|_| ExitCode::SUCCESS);
        }
        for l in &lines {
            out!("{}  {}  {}", l.on.map(format::date).unwrap_or_default(), l.id, l.label);
        }
        out!("{}.", format::count(lines.len(), "record", "record"));
        return Ok(ExitCode::SUCCESS);
    }
    let d = indicators::dashboard(&store, &actor, period)?;
    if args.json {
        return print_json(&d).map(|_| ExitCode::SUCCESS);
    }
    out!("Indicatori dal {} al {}", format::date(period.from), format::date(period.to));
    for i in &d.indicators {
        let target = match &i.target {
            Some(t) => format!(
                " · obiettivo {}{}",
                shown(i, t.target),
                match i.met {
                    Some(true) => " (raggiunto)",
                    _ => " (non ancora)",
                }
            ),
            None => String::new(),
        };
        let of = i.of.map(|o| format!(" su {o}")).unwrap_or_default();
        out!("  {}: {}{of}{target}", i.label, shown(i, i.value));
    }
    out!("Partecipanti FSE entrati nel periodo (donne / uomini / totale):");
    let cell = |c: Option<u32>| c.map_or("<5".to_string(), |n| n.to_string());
    for r in d.esf.rows.iter().filter(|r| r.total != Some(0)) {
        out!("  {} · {}: {} / {} / {}", r.group, r.label, cell(r.women), cell(r.men), cell(r.total));
    }
    Ok(ExitCode::SUCCESS)
}

/// `quartiere targets list|set|clear`.
pub fn targets(cli: &Cli, command: &TargetsCommand) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match command {
        TargetsCommand::List { json } => {
            let list = indicators::targets::targets(&store, &actor)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for t in &list {
                let value = if t.code == IndicatorCode::DebitoIncolpevole {
                    format!("al massimo {}", format::money(t.target))
                } else {
                    t.target.to_string()
                };
                let due = t.due_on.map(|d| format!(" entro il {}", format::date(d))).unwrap_or_default();
                out!("{} ({}): {value}{due}", t.code.label_it(), t.code.code());
            }
            out!("{}.", format::count(list.len(), "obiettivo", "obiettivi"));
        }
        TargetsCommand::Set { code: c, value, baseline, due, note } => {
            let target = TargetDraft {
                code: c.clone(),
                target: value.clone(),
                baseline: baseline.clone().unwrap_or_default(),
                due_on: due.clone().unwrap_or_default(),
                note: note.clone().unwrap_or_default(),
            }
            .parse()?;
            store.write(&actor, |w| indicators::targets::set_target(w, &target))?;
            out!("Obiettivo fissato: {}.", target.code.label_it());
        }
        TargetsCommand::Clear { code: c } => {
            let c = code(c)?;
            store.write(&actor, |w| indicators::targets::clear_target(w, c))?;
            out!("Obiettivo tolto: {}.", c.label_it());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `quartiere export month|preview|verify|recipients`.
pub fn export(cli: &Cli, command: &ExportCommand) -> Result<ExitCode, Error> {
    match command {
        ExportCommand::Verify { file, identity, desk_key, open: folder, json } => {
            let key_text = std::fs::read_to_string(identity).map_err(|e| {
                Error::invalid(
                    "identity",
                    format!("non riesco a leggere il file della chiave {}: {e}", identity.display()),
                )
            })?;
            let identities = verify::parse_identities(&key_text)?;
            let bytes = std::fs::read(file)
                .map_err(|e| Error::invalid("file", format!("non riesco a leggere {}: {e}", file.display())))?;
            let verified = verify::verify(&bytes, &identities, desk_key.as_deref())?;
            let opened = folder.as_deref().map(|f| verify::open(&verified, f)).transpose()?;
            if *json {
                return print_json(&serde_json::json!({
                    "manifest": verified.manifest,
                    "firmato_da": verified.signed_by,
                    "aperto_in": opened.map(|p| p.display().to_string()),
                }))
                .map(|_| ExitCode::SUCCESS);
            }
            let m = &verified.manifest;
            out!("Pacchetto verificato: firma valida e tutte le impronte SHA-256 corrispondono.");
            out!("{} · mese {} · postazione «{}» · documento {}", m.progetto, m.mese, m.postazione, m.id);
            out!("Chiave di firma della postazione: {}", verified.signed_by);
            for f in &m.file {
                out!("  {}  {} byte", f.nome, f.byte);
            }
            for a in &m.avvisi {
                out!("Attenzione: {a}.");
            }
            if let Some(dir) = opened {
                out!("File scritti in {}", dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        ExportCommand::Recipients { keys } => {
            let (mut store, actor) = open(cli)?;
            if keys.is_empty() {
                match bundle::recipients(&store, &actor)? {
                    k if !k.trim().is_empty() => out!("{k}"),
                    _ => out!("Nessuna chiave del Comune impostata."),
                }
                return Ok(ExitCode::SUCCESS);
            }
            let n = bundle::set_recipients(&mut store, &actor, &keys.join("\n"))?;
            out!("{}.", format::count(n, "chiave del Comune impostata", "chiavi del Comune impostate"));
            Ok(ExitCode::SUCCESS)
        }
        ExportCommand::Preview { month, since, json } => {
            let (store, actor) = open(cli)?;
            let request = Request {
                month: Period::month(month)?,
                since: since.as_deref().map(|s| date("since", s)).transpose()?,
                include: Include::default(),
                note: None,
            };
            let p = bundle::preview(&store, &actor, &request)?;
            if *json {
                return print_json(&p).map(|_| ExitCode::SUCCESS);
            }
            out!(
                "Pacchetto del mese {} (dati dall'inizio: {}), postazione «{}»",
                p.month,
                format::date(p.since),
                p.desk
            );
            out!("File: {}", p.files.join(", "));
            for t in &p.tables {
                out!("  {}: {}", t.file, format::count(t.total_rows as usize, "riga", "righe"));
            }
            for w in &p.warnings {
                out!("Attenzione: {w}.");
            }
            Ok(ExitCode::SUCCESS)
        }
        ExportCommand::Month { month, recipient, out, since, note, no_report, no_csv, no_xlsx, json } => {
            let (mut store, actor) = open(cli)?;
            let recipients =
                if recipient.is_empty() { bundle::recipients(&store, &actor)? } else { recipient.join("\n") };
            let request = Request {
                month: Period::month(month)?,
                since: since.as_deref().map(|s| date("since", s)).transpose()?,
                include: Include { report: !no_report, csv: !no_csv, xlsx: !no_xlsx },
                note: note.clone().filter(|n| !n.trim().is_empty()),
            };
            let done = bundle::export(&mut store, &actor, &request, &recipients, out)?;
            if *json {
                return print_json(&done).map(|_| ExitCode::SUCCESS);
            }
            out!(
                "Pacchetto scritto: {} ({} file, cifrato per {}).",
                done.path,
                done.files.len(),
                format::count(done.recipients as usize, "destinatario", "destinatari")
            );
            out!("Impronta della chiave di firma di questa postazione: {}", done.signing_key);
            for w in &done.warnings {
                out!("Attenzione: {w}.");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
