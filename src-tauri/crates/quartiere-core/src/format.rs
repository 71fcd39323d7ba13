//! Italian formats for dates and money.

use chrono::{Datelike, NaiveDate, Weekday};

pub const MONTH_NAMES: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// `15/03/2019`.
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `venerdì 15 marzo 2019`.
pub fn date_long(d: NaiveDate) -> String {
    let weekday = match d.weekday() {
        Weekday::Mon => "lunedì",
        Weekday::Tue => "martedì",
        Weekday::Wed => "mercoledì",
        Weekday::Thu => "giovedì",
        Weekday::Fri => "venerdì",
        Weekday::Sat => "sabato",
        Weekday::Sun => "domenica",
    };
    format!("{weekday} {} {} {}", d.day(), MONTH_NAMES[d.month0() as usize], d.year())
}

/// Integer euro cents as `1.234,50 EUR`, thousands always grouped.
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let euros = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in euros.chars().enumerate() {
        if i > 0 && (euros.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02} EUR", abs % 100)
}

/// Parses a date as operators and Comune lists write it: `15/03/2019`, `15-03-2019`,
/// `15.03.2019`, `2019-03-15`, or with an Excel-style time part appended.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    for fmt in ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(text, fmt) {
            if d.year() >= 1000 {
                return Some(d);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let d = NaiveDate::from_ymd_opt(2019, 3, 15).unwrap();
        assert_eq!(date(d), "15/03/2019");
        assert_eq!(date_long(d), "venerdì 15 marzo 2019");
        assert_eq!(money(123_450), "1.234,50 EUR");
        assert_eq!(money(1_234_567), "12.345,67 EUR");
        assert_eq!(money(5), "0,05 EUR");
        assert_eq!(money(-100_000_000), "-1.000.000,00 EUR");
    }

    #[test]
    fn parses_dates() {
        let d = NaiveDate::from_ymd_opt(2019, 3, 5);
        for text in ["05/03/2019", "5/3/2019", "05-03-2019", "2019-03-05", "2019-03-05 00:00:00", "05.03.2019"] {
            assert_eq!(parse_date(text), d, "{text}");
        }
        assert_eq!(parse_date("31/02/2019"), None);
        assert_eq!(parse_date("05/03/19"), None);
        assert_eq!(parse_date("ieri"), None);
    }
}

/// A cell of a CSV the app writes, safe to open in a spreadsheet: text that a spreadsheet would
/// run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return, also after
/// leading spaces) gets a leading apostrophe, which spreadsheets show as plain text.
pub fn spreadsheet_cell(text: &str) -> std::borrow::Cow<'_, str> {
    let first = text.trim_start_matches(' ').chars().next();
    if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod spreadsheet_tests {
    use super::spreadsheet_cell;

    #[test]
    fn formulas_are_written_as_text() {
        for formula in ["=HYPERLINK(\"http://x\",\"clic\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", " =1", "＝1"] {
            assert_eq!(spreadsheet_cell(formula), format!("'{formula}"), "{formula}");
        }
        for plain in ["Rossi", "D'Amico", "2026-03-02T09:00:00Z", "", "a=b"] {
            assert_eq!(spreadsheet_cell(plain), plain);
        }
    }
}
