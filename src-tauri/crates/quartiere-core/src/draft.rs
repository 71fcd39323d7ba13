//! Reading what an operator typed, once, for the window and the command line alike.
//!
//! Each domain module has its drafts: a form as text (`PersonDraft`, `ContactDraft`...) that
//! parses into the module's typed input or into field errors, every wrong field at once. These
//! helpers are the spellings they share: a blank is "not given", a date is `gg/mm/aaaa` (or
//! `aaaa-mm-gg`), a date and time also takes `aaaa-mm-ggThh:mm`, a code is read as its list says.

use chrono::{NaiveDate, NaiveDateTime};

use crate::error::FieldError;
use crate::format;
use crate::text::{clean_line, clean_text};

/// The longest names, places and other one-line values, in characters.
pub const LINE_MAX: usize = 100;
/// The longest street, or any longer one-line value.
pub const LONG_LINE_MAX: usize = 200;
/// The longest note.
pub const TEXT_MAX: usize = 20_000;

/// One line as typed, cleaned at the door ([`clean_line`]); `None` when blank. A line break
/// inside, or more than `max` characters, is a field error.
pub fn line(field: &str, text: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    match clean_line(text, max) {
        Ok(clean) => Some(clean).filter(|c| !c.is_empty()),
        Err(unclean) => {
            errors.push(FieldError::new(field, unclean.reason()));
            None
        }
    }
}

/// A required line: [`line`], blank as empty text (the module's own rule reports it).
pub fn required_line(field: &str, text: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    line(field, text, max, errors).unwrap_or_default()
}

/// Text of several lines (a note), cleaned at the door ([`clean_text`]); `None` when blank.
pub fn text(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match clean_text(text, TEXT_MAX) {
        Ok(clean) => Some(clean).filter(|c| !c.is_empty()),
        Err(unclean) => {
            errors.push(FieldError::new(field, unclean.reason()));
            None
        }
    }
}

/// The text, trimmed, or `None` when it is blank.
pub fn given(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// An optional date: `None` when blank; one that is not a date is a field error, never a blank.
pub fn date(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let text = given(text)?;
    let date = format::parse_date(&text);
    if date.is_none() {
        errors.push(FieldError::new(field, format!("«{text}» non è una data: usa gg/mm/aaaa")));
    }
    date
}

/// The furthest a date counted from today may reach, in days.
pub const DAYS_AHEAD_MAX: u32 = 366;

/// An optional date that may also be said from `today`, as people at a desk say it: a date,
/// `oggi`, `domani`, or `+N` for N days from today (`+7`: in a week). `None` when blank; anything
/// else is a field error that says what to write.
pub fn date_from_today(field: &str, text: &str, today: NaiveDate, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let given_text = given(text)?;
    let folded = given_text.to_lowercase();
    let offset = match folded.as_str() {
        "oggi" | "today" => Some(Ok(0)),
        "domani" | "tomorrow" => Some(Ok(1)),
        _ => folded.strip_prefix('+').map(|n| n.trim().parse::<u32>().map_err(|_| ())),
    };
    match offset {
        None => date(field, &given_text, errors),
        Some(Ok(days)) if days <= DAYS_AHEAD_MAX => today.checked_add_days(chrono::Days::new(days.into())),
        Some(Ok(_)) => {
            errors.push(FieldError::new(
                field,
                format!("«{given_text}» è troppo lontano: al massimo +{DAYS_AHEAD_MAX} giorni, oppure scrivi la data"),
            ));
            None
        }
        Some(Err(())) => {
            errors.push(FieldError::new(
                field,
                format!("«{given_text}» non è una data: usa gg/mm/aaaa, oppure +7 per fra sette giorni"),
            ));
            None
        }
    }
}

/// Time spent, as people write hours: `2`, `1,5`, `1.5`, `1:30`, `90 min`. Returns minutes;
/// `None` when blank; anything else (or nothing at all: `0`) is a field error.
pub fn hours(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    let text = given(text)?;
    let folded = text.to_lowercase().replace(' ', "");
    let minutes = if let Some(m) = folded.strip_suffix("min").or_else(|| folded.strip_suffix('m')) {
        m.parse::<u32>().ok()
    } else if let Some((h, m)) = folded.split_once(':') {
        match (h.parse::<u32>(), m.parse::<u32>()) {
            (Ok(h), Ok(m)) if m < 60 => Some(h * 60 + m),
            _ => None,
        }
    } else {
        let h = folded.strip_suffix("ore").or_else(|| folded.strip_suffix('h')).unwrap_or(&folded);
        h.replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|h| h.is_finite() && *h >= 0.0 && *h <= 24.0)
            .map(|h| (h * 60.0).round() as u32)
    };
    match minutes {
        Some(m @ 1..=1440) => Some(m),
        _ => {
            errors.push(FieldError::new(
                field,
                format!("«{text}» non è un numero di ore: scrivi per esempio 2, 1,5 oppure 1:30"),
            ));
            None
        }
    }
}

/// The date-time spellings accepted: as typed at the desk, as a spreadsheet writes it, as a date
/// and time input of the window sends it.
const DATE_TIMES: [&str; 4] = ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"];

/// An optional date and time: `None` when blank; anything else not a date and time is a field error.
pub fn date_time(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDateTime> {
    let text = given(text)?;
    let parsed = DATE_TIMES.iter().find_map(|f| NaiveDateTime::parse_from_str(&text, f).ok());
    if parsed.is_none() {
        errors.push(FieldError::new(field, format!("«{text}» non è una data e ora: usa gg/mm/aaaa hh:mm")));
    }
    parsed
}

/// An optional id chosen from a list (`what`: "una persona"); text that is not an id is a field error.
pub fn id<T>(
    field: &str,
    text: &str,
    what: &str,
    wrap: fn(uuid::Uuid) -> T,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let text = given(text)?;
    match text.parse::<uuid::Uuid>() {
        Ok(id) => Some(wrap(id)),
        Err(_) => {
            errors.push(FieldError::new(field, format!("«{text}» non è {what}: sceglilo dall'elenco")));
            None
        }
    }
}

/// An optional amount of euro in cents (`1.234,50`), not negative: a wrong one is a field error
/// with the reason (`crate::format::parse_money`).
pub fn money(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let text = given(text)?;
    match crate::format::parse_money(&text) {
        Ok(cents) if cents >= 0 => Some(cents),
        Ok(_) => {
            errors.push(FieldError::new(field, format!("«{text}»: l'importo non può essere negativo")));
            None
        }
        Err(reason) => {
            errors.push(FieldError::new(field, reason));
            None
        }
    }
}

/// An optional coded value: `None` when blank; an unknown code is a field error naming what is
/// expected (`what`: "un canale") and the codes of the list.
pub fn code<T>(
    field: &str,
    text: &str,
    what: &str,
    parse: fn(&str) -> Option<T>,
    codes: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let text = given(text)?;
    let value = parse(&text).or_else(|| parse(&crate::text::fold(&text).replace([' ', '-'], "_")));
    if value.is_none() {
        errors.push(FieldError::new(field, format!("«{text}» non è {what}: usa uno tra {codes}")));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_read_as_people_write_them() {
        for (text, minutes) in [
            ("2", 120),
            ("1,5", 90),
            ("1.5", 90),
            ("1:30", 90),
            ("0:45", 45),
            ("90 min", 90),
            ("2 ore", 120),
            ("2h", 120),
        ] {
            let mut errors = Vec::new();
            assert_eq!(hours("ore", text, &mut errors), Some(minutes), "{text}");
            assert!(errors.is_empty(), "{text}");
        }
        let mut errors = Vec::new();
        assert_eq!(hours("ore", "  ", &mut errors), None);
        assert!(errors.is_empty());
        for text in ["due", "0", "1:75", "-1", "30 ore"] {
            let mut errors = Vec::new();
            assert_eq!(hours("ore", text, &mut errors), None, "{text}");
            assert!(errors[0].message.contains("non è un numero di ore"), "{text}");
        }
    }

    #[test]
    fn every_spelling_of_a_date_and_time_reads_the_same() {
        let mut errors = Vec::new();
        let expected = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap().and_hms_opt(9, 30, 0);
        for text in ["03/12/2026 09:30", "2026-12-03 09:30", "2026-12-03T09:30", " 2026-12-03T09:30:00 "] {
            assert_eq!(date_time("quando", text, &mut errors), expected, "{text}");
        }
        assert!(errors.is_empty());
        assert_eq!(date_time("quando", "  ", &mut errors), None);
        assert!(errors.is_empty(), "a blank is not given, not wrong");
        assert_eq!(date_time("quando", "ieri", &mut errors), None);
        assert_eq!(errors[0].field, "quando");
    }
}
