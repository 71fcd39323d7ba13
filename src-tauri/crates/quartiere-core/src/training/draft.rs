//! A course and an ESF entry as typed in the window or on the command line, read once into typed
//! inputs or into field errors, every wrong field at once.

use super::esf::{EsfEntry, Labour};
use super::CourseInput;
use crate::codes::{CourseKind, EsfAnswer, ExitReason, Isced, ResultAtExit};
use crate::draft::{code, date, given, line, required_line, LINE_MAX, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::ids::PartnerId;

/// Every field of a course as text; a blank means "not given". Also the window's wire type.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CourseDraft {
    /// `corso` or `ricerca_lavoro`.
    pub kind: String,
    pub title: String,
    /// The provider's partner id; blank: none.
    pub provider: String,
    /// `gg/mm/aaaa`.
    pub starts_on: String,
    pub ends_on: String,
    /// Planned hours, a whole number.
    pub hours: String,
    pub places: String,
    pub venue: String,
}

fn whole(field: &str, text: &str, what: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    let text = given(text)?;
    match text.replace('.', "").parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(field, format!("«{text}» non è un numero intero di {what}")));
            None
        }
    }
}

impl CourseDraft {
    pub fn parse(&self) -> Result<CourseInput> {
        let mut errors = Vec::new();
        let kind = if given(&self.kind).is_none() {
            Some(CourseKind::Corso)
        } else {
            code(
                "tipo",
                &self.kind,
                "un tipo di percorso",
                CourseKind::from_code,
                &CourseKind::codes_list(),
                &mut errors,
            )
        };
        let title = required_line("titolo", &self.title, LINE_MAX, &mut errors);
        if title.is_empty() && errors.iter().all(|e| e.field != "titolo") {
            errors.push(FieldError::new("titolo", "scrivi il titolo del corso o del percorso"));
        }
        let provider = given(&self.provider).and_then(|p| match p.parse::<uuid::Uuid>() {
            Ok(id) => Some(PartnerId(id)),
            Err(_) => {
                errors.push(FieldError::new("ente", format!("«{p}» non è un partner: sceglilo dall'elenco")));
                None
            }
        });
        let starts_on = date("inizio", &self.starts_on, &mut errors);
        if given(&self.starts_on).is_none() {
            errors.push(FieldError::new("inizio", "scrivi la data di inizio (gg/mm/aaaa)"));
        }
        let ends_on = date("fine", &self.ends_on, &mut errors);
        let hours = whole("ore", &self.hours, "ore", &mut errors);
        let places = whole("posti", &self.places, "posti", &mut errors);
        if given(&self.places).is_none() {
            errors.push(FieldError::new("posti", "indica quanti posti ha il corso"));
        }
        let venue = line("luogo", &self.venue, LONG_LINE_MAX, &mut errors);
        match (kind, starts_on, places, errors.is_empty()) {
            (Some(kind), Some(starts_on), Some(places), true) => {
                Ok(CourseInput { kind, title, provider, starts_on, ends_on, hours, places, venue })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// The ESF entry as typed: every field as text. Also the window's wire type.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct EsfDraft {
    /// `gg/mm/aaaa`.
    pub entry_on: String,
    /// `occupato`, `disoccupato`, `inattivo`.
    pub labour: String,
    /// For the unemployed: months without work.
    pub unemployed_months: String,
    /// For the inactive: `si` when in education or training.
    pub in_education: String,
    pub isced: String,
    pub migrant: String,
    pub disability: String,
    pub other_disadvantage: String,
    pub homeless: String,
    pub rural: String,
}

impl EsfDraft {
    pub fn parse(&self) -> Result<EsfEntry> {
        let mut errors = Vec::new();
        let entry_on = date("ingresso", &self.entry_on, &mut errors);
        if given(&self.entry_on).is_none() {
            errors.push(FieldError::new("ingresso", "scrivi la data d'ingresso (gg/mm/aaaa)"));
        }
        let months = whole("mesi_disoccupazione", &self.unemployed_months, "mesi", &mut errors);
        let labour = match crate::text::fold(self.labour.trim()).as_str() {
            "occupato" | "occupata" => Some(Labour::Employed),
            "disoccupato" | "disoccupata" => match months {
                Some(months) => Some(Labour::Unemployed { months }),
                None => {
                    if errors.iter().all(|e| e.field != "mesi_disoccupazione") {
                        errors.push(FieldError::new(
                            "mesi_disoccupazione",
                            "da quanti mesi è senza lavoro? Serve a sapere se è disoccupazione di lunga durata",
                        ));
                    }
                    None
                }
            },
            "inattivo" | "inattiva" => {
                let in_education = matches!(crate::text::fold(self.in_education.trim()).as_str(), "si" | "sì" | "1");
                Some(Labour::Inactive { in_education })
            }
            "" => {
                errors.push(FieldError::new(
                    "condizione",
                    "scegli la condizione lavorativa all'ingresso (occupato, disoccupato, inattivo)",
                ));
                None
            }
            other => {
                errors.push(FieldError::new(
                    "condizione",
                    format!("«{other}» non è una condizione lavorativa: usa occupato, disoccupato o inattivo"),
                ));
                None
            }
        };
        let isced =
            code("isced", &self.isced, "un titolo di studio", Isced::from_code, &Isced::codes_list(), &mut errors);
        let mut answer = |field: &str, text: &str| {
            code(field, text, "una risposta", EsfAnswer::from_code, &EsfAnswer::codes_list(), &mut errors)
        };
        let migrant = answer("migrante", &self.migrant);
        let disability = answer("disabilita", &self.disability);
        let other_disadvantage = answer("altro_svantaggio", &self.other_disadvantage);
        let homeless = answer("senza_dimora", &self.homeless);
        let rural = answer("rurale", &self.rural);
        match (entry_on, labour, errors.is_empty()) {
            (Some(entry_on), Some(labour), true) => {
                Ok(EsfEntry { entry_on, labour, isced, migrant, disability, other_disadvantage, homeless, rural })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

impl EsfDraft {
    /// A draft filled from what the person's record already says (the ESF fields of the registry),
    /// with the names of the fields it filled: a guess the operator sees and confirms, never an
    /// entry written without them. The entry day and, for the unemployed, the months are left to type.
    pub fn from_person(esf: &crate::registry::EsfFields) -> (EsfDraft, Vec<&'static str>) {
        use crate::codes::LabourStatus as L;
        let mut filled = Vec::new();
        let mut draft = EsfDraft::default();
        if let Some(status) = esf.labour_status {
            let (labour, in_education) = match status {
                L::Occupato => ("occupato", ""),
                L::Disoccupato | L::DisoccupatoLungaDurata => ("disoccupato", ""),
                L::Inattivo => ("inattivo", "si"),
                L::InattivoNonInFormazione => ("inattivo", "no"),
            };
            draft.labour = labour.into();
            draft.in_education = in_education.into();
            filled.push("condizione");
        }
        if let Some(isced) = esf.isced {
            draft.isced = isced.code().into();
            filled.push("isced");
        }
        for (answer, target, field) in [
            (esf.migrant, &mut draft.migrant, "migrante"),
            (esf.disability, &mut draft.disability, "disabilita"),
            (esf.other_disadvantage, &mut draft.other_disadvantage, "altro_svantaggio"),
            (esf.homeless, &mut draft.homeless, "senza_dimora"),
            (esf.rural, &mut draft.rural, "rurale"),
        ] {
            if let Some(answer) = answer {
                *target = answer.code().into();
                filled.push(field);
            }
        }
        (draft, filled)
    }
}

/// The exit from a path as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct ExitDraft {
    /// `gg/mm/aaaa`.
    pub exit_on: String,
    /// An [`ExitReason`] code.
    pub reason: String,
    /// A [`ResultAtExit`] code, or blank when not known yet.
    pub result: String,
}

impl ExitDraft {
    pub fn parse(&self) -> Result<(chrono::NaiveDate, ExitReason, Option<ResultAtExit>)> {
        let mut errors = Vec::new();
        let exit_on = date("uscita", &self.exit_on, &mut errors);
        if given(&self.exit_on).is_none() {
            errors.push(FieldError::new("uscita", "scrivi la data di uscita (gg/mm/aaaa)"));
        }
        let reason = code(
            "motivo",
            &self.reason,
            "un motivo di uscita",
            ExitReason::from_code,
            &ExitReason::codes_list(),
            &mut errors,
        );
        if given(&self.reason).is_none() {
            errors.push(FieldError::new("motivo", "scegli perché la persona esce dal percorso"));
        }
        let result = code(
            "esito",
            &self.result,
            "un esito all'uscita",
            ResultAtExit::from_code,
            &ResultAtExit::codes_list(),
            &mut errors,
        );
        match (exit_on, reason, errors.is_empty()) {
            (Some(exit_on), Some(reason), true) => Ok((exit_on, reason, result)),
            _ => Err(Error::Invalid(errors)),
        }
    }
}
