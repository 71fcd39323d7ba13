//! Birth places as the codice fiscale writes them: a four-character code (codice catastale, or
//! Belfiore) for each Italian comune and each foreign country. The table
//! (`assets/data/belfiore.tsv`, made by `assets/data/make_belfiore.py` from ISTAT and Agenzia
//! delle Entrate data) is built into the program and read on first use. A code can name different
//! places over time (comuni merged, renamed, moved to another province), so a date chooses.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;

const TABLE: &str = include_str!("../../../../assets/data/belfiore.tsv");

/// A place of birth: an Italian comune with its province, or a foreign country.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    pub name: String,
    /// The province's two letters; `None` for a foreign country.
    pub province: Option<String>,
}

impl Place {
    /// As a person's form writes it: «Trezzano sul Naviglio (MI)», «Senegal».
    pub fn line(&self) -> String {
        match &self.province {
            Some(p) => format!("{} ({p})", self.name),
            None => self.name.clone(),
        }
    }
}

struct Period {
    name: &'static str,
    province: &'static str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

fn table() -> &'static HashMap<&'static str, Vec<Period>> {
    static TABLE_BY_CODE: OnceLock<HashMap<&'static str, Vec<Period>>> = OnceLock::new();
    TABLE_BY_CODE.get_or_init(|| {
        let mut by_code: HashMap<&'static str, Vec<Period>> = HashMap::new();
        for line in TABLE.lines() {
            let mut cells = line.split('\t');
            let (Some(code), Some(name), Some(province)) = (cells.next(), cells.next(), cells.next()) else {
                continue;
            };
            let mut date = || cells.next().and_then(|d| d.parse().ok());
            let (from, to) = (date(), date());
            by_code.entry(code).or_default().push(Period { name, province, from, to });
        }
        by_code
    })
}

/// The place `code` named on `on` (a birth date). When the date falls outside every period the
/// table knows, a code that only ever named one place still names it; otherwise `None`: a guess
/// between two places is not made.
pub fn by_code(code: &str, on: NaiveDate) -> Option<Place> {
    let periods = table().get(code.to_ascii_uppercase().as_str())?;
    let within = |p: &&Period| p.from.is_none_or(|f| f <= on) && p.to.is_none_or(|t| on <= t);
    let found = periods.iter().find(within).or_else(|| {
        let first = periods.first()?;
        periods.iter().all(|p| p.name == first.name && p.province == first.province).then_some(first)
    })?;
    Some(Place { name: found.name.to_string(), province: (found.province != "EE").then(|| found.province.to_string()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn a_code_names_the_place_of_its_time() {
        for (code, on, expected) in [
            ("L409", "1988-07-03", Some("Trezzano sul Naviglio (MI)")),
            ("F205", "1945-04-25", Some("Milano (MI)")),
            ("l409", "2001-01-01", Some("Trezzano sul Naviglio (MI)")),
            ("Z343", "1988-07-03", Some("Senegal")),
            ("Z100", "1990-05-01", Some("Albania")),
            // Bari was «Bari delle Puglie» until 1931.
            ("A662", "1925-06-01", Some("Bari delle Puglie (BA)")),
            ("A662", "1950-06-01", Some("Bari (BA)")),
            // Acquaviva d'Isernia moved from Campobasso to the new province of Isernia in 1970.
            ("A051", "1960-01-01", Some("Acquaviva d'Isernia (CB)")),
            ("A051", "1980-01-01", Some("Acquaviva d'Isernia (IS)")),
            ("Q999", "1980-01-01", None),
        ] {
            assert_eq!(by_code(code, day(on)).map(|p| p.line()).as_deref(), expected, "{code} on {on}");
        }
    }

    #[test]
    fn the_table_is_whole() {
        let codes = table();
        assert!(codes.len() > 9_000, "{} codes", codes.len());
        assert!(codes.values().flatten().all(|p| !p.name.is_empty() && p.province.len() == 2));
    }
}
