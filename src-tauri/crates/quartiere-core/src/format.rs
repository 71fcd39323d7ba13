//! Italian formats for dates and money, and the one place words agree with a person's sex and
//! with a number.

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
    format!("{sign}{},{:02} EUR", thousands(abs / 100), abs % 100)
}

/// A word said of a person: its feminine or masculine form when their sex (`F`, `M`) is known;
/// both, as the Comune's forms write them («nato/a»), only when it is not.
pub fn by_sex(sex: Option<char>, masculine: &str, feminine: &str) -> String {
    match sex {
        Some('F') => feminine.to_string(),
        Some('M') => masculine.to_string(),
        _ => {
            let common = masculine.chars().zip(feminine.chars()).take_while(|(a, b)| a == b).count();
            let tail: String = feminine.chars().skip(common).collect();
            format!("{masculine}/{tail}")
        }
    }
}

/// A label written for both sexes («disoccupato/a di lunga durata», «coniuge o unito/a
/// civilmente») said of one person: each «-o/a» becomes «-o» or «-a» when the sex is known.
pub fn agree(label: &str, sex: Option<char>) -> String {
    let ending = match sex {
        Some('M') => "o",
        Some('F') => "a",
        _ => return label.to_string(),
    };
    let mut out = String::with_capacity(label.len());
    let mut rest = label;
    while let Some(at) = rest.find("o/a") {
        let word_goes_on = rest[at + 3..].chars().next().is_some_and(char::is_alphabetic);
        let after_letter = rest[..at].chars().next_back().is_some_and(char::is_alphabetic);
        out.push_str(&rest[..at]);
        out.push_str(if after_letter && !word_goes_on { ending } else { "o/a" });
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out
}

/// A count with its noun, the number written Italian style: «1 componente», «3 componenti».
pub fn count(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    match n.try_into().unwrap_or(0) {
        1 => format!("1 {one}"),
        n => format!("{} {many}", thousands(n)),
    }
}

/// A length of time in minutes, as said: «45 minuti», «1 ora», «2 ore e 30 minuti».
pub fn duration(minutes: i64) -> String {
    let (hours, rest) = (minutes / 60, minutes % 60);
    match (hours, rest) {
        (0, m) => count(m.max(0), "minuto", "minuti"),
        (h, 0) => count(h, "ora", "ore"),
        (h, m) => format!("{} e {}", count(h, "ora", "ore"), count(m, "minuto", "minuti")),
    }
}

/// `12.345`: digits grouped by three with a dot.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    grouped
}

/// Parses an amount of euro as people and the ente gestore's statements write it, into cents:
/// `1.234,50`, `1234,5`, `1234`, `1.234`, `€ 12,00`, `12,00 EUR`, `-50,00`, and `1234.50` as a
/// spreadsheet's number cell reads. The dot groups thousands (three digits each, the first group
/// one to three); a dot anywhere else, a comma used for thousands, more than two decimals, or two
/// decimal separators are refused with the reason, never guessed.
pub fn parse_money(text: &str) -> std::result::Result<i64, String> {
    let shown = text.trim();
    let mut t: String = shown.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    for unit in ["EUR", "eur", "Eur", "€"] {
        if let Some(rest) = t.strip_suffix(unit) {
            t = rest.to_string();
        }
        if let Some(rest) = t.strip_prefix(unit) {
            t = rest.to_string();
        }
    }
    let negative = t.starts_with('-');
    let t = t.trim_start_matches(['-', '+']);
    if t.is_empty() {
        return Err(format!("«{shown}» non è un importo"));
    }
    if !t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return Err(format!("«{shown}» non è un importo: scrivi solo cifre, il punto per le migliaia e la virgola per i centesimi (1.234,50)"));
    }
    let (whole, decimals) = match (t.matches(',').count(), t.matches('.').count()) {
        (0, 1)
            if t.split_once('.').is_some_and(|(w, d)| !w.is_empty() && (1..=2).contains(&d.len()) && w.len() <= 15) =>
        {
            // A spreadsheet's number cell (1234.5), never written with thousands.
            let (w, d) = t.split_once('.').unwrap_or((t, ""));
            (w.to_string(), d.to_string())
        }
        (0, _) => (t.to_string(), String::new()),
        (1, _) => {
            let (w, d) = t.split_once(',').unwrap_or((t, ""));
            if d.contains('.') {
                return Err(format!("«{shown}»: il punto separa le migliaia e va prima della virgola (1.234,50)"));
            }
            (w.to_string(), d.to_string())
        }
        _ => return Err(format!("«{shown}»: la virgola separa i centesimi e va scritta una volta sola (1.234,50)")),
    };
    if decimals.len() > 2 {
        return Err(format!("«{shown}»: dopo la virgola vanno al massimo due cifre, i centesimi"));
    }
    if whole.contains('.') {
        let groups: Vec<&str> = whole.split('.').collect();
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(format!(
                "«{shown}»: un punto è fuori posto; il punto separa le migliaia a gruppi di tre cifre (1.234,50)"
            ));
        }
    }
    let digits: String = whole.chars().filter(|c| *c != '.').collect();
    if digits.is_empty() || digits.len() > 13 {
        return Err(format!("«{shown}» non è un importo"));
    }
    let euros: i64 = digits.parse().map_err(|_| format!("«{shown}» non è un importo"))?;
    let cents: i64 = match decimals.len() {
        0 => 0,
        1 => decimals.parse::<i64>().unwrap_or(0) * 10,
        _ => decimals.parse::<i64>().unwrap_or(0),
    };
    let value = euros * 100 + cents;
    Ok(if negative { -value } else { value })
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
    }

    #[test]
    fn words_agree_with_sex_and_number() {
        assert_eq!(by_sex(Some('F'), "nato", "nata"), "nata");
        assert_eq!(by_sex(Some('M'), "uscito", "uscita"), "uscito");
        assert_eq!(by_sex(None, "nato", "nata"), "nato/a");
        assert_eq!(by_sex(None, "intestatario", "intestataria"), "intestatario/a");
        for (label, m, f) in [
            (
                "disoccupato/a di lunga durata (12 mesi o più)",
                "disoccupato di lunga durata (12 mesi o più)",
                "disoccupata di lunga durata (12 mesi o più)",
            ),
            ("coniuge o unito/a civilmente", "coniuge o unito civilmente", "coniuge o unita civilmente"),
            ("suocero/a, genero, nuora", "suocero, genero, nuora", "suocera, genero, nuora"),
            ("figlio/a", "figlio", "figlia"),
            ("e/o/a", "e/o/a", "e/o/a"),
            ("altro", "altro", "altro"),
        ] {
            assert_eq!(agree(label, Some('M')), m);
            assert_eq!(agree(label, Some('F')), f);
            assert_eq!(agree(label, None), label);
        }
        assert_eq!(count(1, "componente", "componenti"), "1 componente");
        assert_eq!(count(0, "componente", "componenti"), "0 componenti");
        assert_eq!(count(12_345_usize, "riga", "righe"), "12.345 righe");
        assert_eq!(count(1_i64, "evento", "eventi"), "1 evento");
        assert_eq!(duration(45), "45 minuti");
        assert_eq!(duration(60), "1 ora");
        assert_eq!(duration(150), "2 ore e 30 minuti");
        assert_eq!(duration(61), "1 ora e 1 minuto");
        assert_eq!(money(-100_000_000), "-1.000.000,00 EUR");
    }

    #[test]
    fn parses_money_as_written_and_refuses_stray_separators() {
        for (text, cents) in [
            ("1.234,50", 123_450),
            ("1234,5", 123_450),
            ("1234", 123_400),
            ("1.234", 123_400),
            ("12.345.678,09", 1_234_567_809),
            ("€ 12,00", 1_200),
            ("12,00 EUR", 1_200),
            ("-50,00", -5_000),
            ("1234.5", 123_450),
            ("0,07", 7),
            ("1 234,50", 123_450),
        ] {
            assert_eq!(parse_money(text), Ok(cents), "{text}");
        }
        for text in
            ["1.23,50", "12.34.56", "1,234.50", "1.2345,00", "12,345", "1,2,3", "dodici", "", "1.234.5", "12.3456"]
        {
            assert!(parse_money(text).is_err(), "{text} must be refused");
        }
        assert!(parse_money("1.23,50").unwrap_err().contains("punto"));
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
