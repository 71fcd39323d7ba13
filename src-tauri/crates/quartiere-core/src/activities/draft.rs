//! An activity as typed in the window or on the command line, read once into an
//! [`ActivityInput`] or into field errors, every wrong field at once.

use chrono::NaiveTime;

use super::ActivityInput;
use crate::codes::{ActivityKind, Axis};
use crate::draft::{code, date, line, required_line, LINE_MAX, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};

/// Every field as text; a blank means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityDraft {
    /// `assemblea`, `evento`, `formazione`, `incontro`.
    pub kind: String,
    /// `convivenza`, `disagio`, `formazione_lavoro`, `morosita`; blank: none.
    pub axis: String,
    pub title: String,
    /// `gg/mm/aaaa`.
    pub date: String,
    /// `hh:mm` (also `hh.mm`, `hh`).
    pub start: String,
    pub end: String,
    pub venue: String,
    pub topic: String,
    /// How many weeks a weekly series lasts; blank or 1: one activity.
    pub weeks: String,
}

impl ActivityDraft {
    /// The activity this draft describes, and how many weeks it repeats.
    pub fn parse(&self) -> Result<(ActivityInput, u32)> {
        let mut errors = Vec::new();
        let kind = code(
            "tipo",
            &self.kind,
            "un tipo di attività",
            ActivityKind::from_code,
            &ActivityKind::codes_list(),
            &mut errors,
        );
        if self.kind.trim().is_empty() {
            errors
                .push(FieldError::new("tipo", format!("scegli il tipo di attività ({})", ActivityKind::codes_list())));
        }
        let axis = code("asse", &self.axis, "un asse del progetto", Axis::from_code, &Axis::codes_list(), &mut errors);
        let title = required_line("titolo", &self.title, LINE_MAX, &mut errors);
        if title.is_empty() && errors.iter().all(|e| e.field != "titolo") {
            errors.push(FieldError::new("titolo", "scrivi il titolo dell'attività"));
        }
        let held_on = date("data", &self.date, &mut errors);
        if self.date.trim().is_empty() {
            errors.push(FieldError::new("data", "scrivi la data dell'attività (gg/mm/aaaa)"));
        }
        let starts_at = time("inizio", &self.start, &mut errors);
        let ends_at = time("fine", &self.end, &mut errors);
        let venue = required_line("luogo", &self.venue, LONG_LINE_MAX, &mut errors);
        if venue.is_empty() && errors.iter().all(|e| e.field != "luogo") {
            errors.push(FieldError::new("luogo", "scrivi dove si tiene l'attività"));
        }
        let topic = line("tema", &self.topic, LONG_LINE_MAX, &mut errors);
        let weeks = match self.weeks.trim() {
            "" => 1,
            text => match text.parse::<u32>() {
                Ok(n @ 1..=52) => n,
                _ => {
                    errors
                        .push(FieldError::new("settimane", format!("«{text}» non è un numero di settimane da 1 a 52")));
                    1
                }
            },
        };
        if let (Some(start), Some(end)) = (starts_at, ends_at) {
            if end <= start {
                errors.push(FieldError::new(
                    "fine",
                    format!(
                        "l'attività finisce ({}) prima di cominciare ({}): controlla gli orari",
                        end.format("%H:%M"),
                        start.format("%H:%M")
                    ),
                ));
            }
        }
        match (kind, held_on, starts_at, ends_at) {
            (Some(kind), Some(held_on), Some(starts_at), Some(ends_at)) if errors.is_empty() => Ok((
                ActivityInput {
                    kind,
                    axis,
                    title,
                    held_on,
                    starts_at,
                    ends_at,
                    venue,
                    topic,
                    operators: Vec::new(),
                    partners: Vec::new(),
                },
                weeks,
            )),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// A time of day as people write it: `17:30`, `17.30`, `17`.
fn time(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<NaiveTime> {
    let text = text.trim();
    if text.is_empty() {
        let which = if field == "inizio" { "di inizio" } else { "di fine" };
        errors.push(FieldError::new(field, format!("scrivi l'ora {which} (hh:mm)")));
        return None;
    }
    let parsed = NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H.%M"))
        .or_else(|_| NaiveTime::parse_from_str(&format!("{text}:00"), "%H:%M"));
    if parsed.is_err() {
        errors.push(FieldError::new(field, format!("«{text}» non è un'ora: usa hh:mm, per esempio 17:30")));
    }
    parsed.ok()
}
