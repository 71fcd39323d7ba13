//! A course and an ESF entry as typed in the window or on the command line, read once into typed
//! inputs or into field errors, every wrong field at once.

use super::esf::{EsfEntry, Labour};
use super::CourseInput;
use crate::codes::{CourseKind, EsfAnswer, Isced};
use crate::draft::{code, date, given, line, required_line, LINE_MAX, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::ids::PartnerId;

/// Every field of a course as text; a blank means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

/// The ESF entry as typed: every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
