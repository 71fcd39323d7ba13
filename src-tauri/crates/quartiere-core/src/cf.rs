//! Codice fiscale: offline validation (format, dates, omocodia, check letter) and computation.
//! Offline validation proves the format only, not that the Agenzia delle Entrate issued the code.

use chrono::{Datelike, NaiveDate};

/// A syntactically valid personal codice fiscale, upper case, as written (omocodia kept).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodiceFiscale {
    code: String,
    decoded: Decoded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Decoded {
    /// Two-digit year of birth: the century is not in the code.
    pub year2: u32,
    pub month: u32,
    pub day: u32,
    /// `M` or `F`.
    pub sex: char,
    pub omocode: bool,
}

/// What a valid code says of its holder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Facts {
    pub sex: char,
    pub birth_date: NaiveDate,
    pub birth_place: Option<crate::places::Place>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfError {
    /// What is wrong, in Italian.
    pub reason: String,
}

impl std::fmt::Display for CfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
const OMOCODE: &[u8; 10] = b"LMNPQRSTUV";
/// 1-based positions that hold digits, or their omocodia letters.
const DIGIT_POSITIONS: [usize; 7] = [7, 8, 10, 11, 13, 14, 15];
const ODD_DIGITS: [u32; 10] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
const ODD_LETTERS: [u32; 26] =
    [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

impl CodiceFiscale {
    pub fn as_str(&self) -> &str {
        &self.code
    }

    pub fn decoded(&self) -> Decoded {
        self.decoded
    }

    /// The birth date, choosing the century so that the person is not born in the future
    /// relative to `today`.
    pub fn birth_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        let yy = self.decoded.year2 as i32;
        let this_century = today.year() - today.year() % 100;
        let mut year = this_century + yy;
        if year > today.year() {
            year -= 100;
        }
        NaiveDate::from_ymd_opt(year, self.decoded.month, self.decoded.day)
    }

    /// The birth place's code (codice catastale), omocodia read back: `L409`.
    pub fn place_code(&self) -> String {
        base_form(&self.code)[11..15].to_string()
    }

    /// What the code says of its holder, for a form to fill what is still empty: sex, birth date
    /// (the century chosen against `today`) and, when the table knows the code, the birth place.
    pub fn facts(&self, today: NaiveDate) -> Option<Facts> {
        let birth_date = self.birth_date(today)?;
        Some(Facts {
            sex: self.decoded.sex,
            birth_date,
            birth_place: crate::places::by_code(&self.place_code(), birth_date),
        })
    }

    /// True when the code agrees with a birth date and sex given separately.
    pub fn matches(&self, birth: NaiveDate, sex: char) -> bool {
        let d = self.decoded;
        d.year2 == (birth.year().rem_euclid(100)) as u32
            && d.month == birth.month()
            && d.day == birth.day()
            && d.sex == sex.to_ascii_uppercase()
    }
}

/// Validates a 16-character personal code. Spaces are ignored and case does not matter.
pub fn validate(input: &str) -> Result<CodiceFiscale, CfError> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    let err = |reason: String| Err(CfError { reason });
    let n = code.chars().count();
    if n != 16 {
        if n == 11 && code.chars().all(|c| c.is_ascii_digit()) {
            return err("è un codice numerico di 11 cifre (provvisorio o partita IVA), non un codice fiscale \
                        personale di 16 caratteri"
                .into());
        }
        return err(format!("deve avere 16 caratteri, ne ha {n}"));
    }
    let bytes = code.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let pos = i + 1;
        let ok = if DIGIT_POSITIONS.contains(&pos) {
            b.is_ascii_digit() || OMOCODE.contains(&b)
        } else {
            b.is_ascii_uppercase()
        };
        if !ok {
            let expected = if DIGIT_POSITIONS.contains(&pos) { "una cifra" } else { "una lettera" };
            return err(format!("in posizione {pos} c'è «{}», ci vuole {expected}", b as char));
        }
    }
    // Omocodia: decode letters in digit positions back to digits before reading the date.
    let mut plain = bytes.to_vec();
    let mut omocode = false;
    for pos in DIGIT_POSITIONS {
        let b = plain[pos - 1];
        if let Some(d) = OMOCODE.iter().position(|&o| o == b) {
            plain[pos - 1] = b'0' + d as u8;
            omocode = true;
        }
    }
    let month_letter = plain[8];
    let Some(month) = MONTHS.iter().position(|&m| m == month_letter) else {
        return err(format!("la lettera del mese «{}» non corrisponde a nessun mese", month_letter as char));
    };
    let number = |a: usize, b: usize| -> u32 { (plain[a] - b'0') as u32 * 10 + (plain[b] - b'0') as u32 };
    let year2 = number(6, 7);
    let raw_day = number(9, 10);
    let (day, sex) = match raw_day {
        1..=31 => (raw_day, 'M'),
        41..=71 => (raw_day - 40, 'F'),
        _ => return err(format!("il giorno di nascita «{raw_day:02}» non è valido (1-31, o 41-71 per le donne)")),
    };
    // February 29 is allowed whatever the year, since the century is unknown.
    let days_in_month = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
    if day > days_in_month {
        return err(format!("il giorno {day} non esiste nel mese di {}", crate::format::MONTH_NAMES[month]));
    }
    let place_letter = plain[11];
    if !(b'A'..=b'M').contains(&place_letter) && place_letter != b'Z' {
        return err(format!("il codice del luogo di nascita non può iniziare con «{}»", place_letter as char));
    }
    let expected = check_letter(&bytes[..15]);
    if bytes[15] != expected {
        return err(format!(
            "il carattere di controllo è «{}», ma dovrebbe essere «{}»: c'è probabilmente un errore di battitura",
            bytes[15] as char, expected as char
        ));
    }
    Ok(CodiceFiscale { code, decoded: Decoded { year2, month: month as u32 + 1, day, sex, omocode } })
}

/// The check letter over the first 15 characters (upper case ASCII letters and digits).
pub fn check_letter(first15: &[u8]) -> u8 {
    let sum: u32 = first15
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let odd = i % 2 == 0; // position i + 1 is odd
            match (b.is_ascii_digit(), odd) {
                (true, true) => ODD_DIGITS[(b - b'0') as usize],
                (true, false) => (b - b'0') as u32,
                (false, true) => ODD_LETTERS[(b - b'A') as usize],
                (false, false) => (b - b'A') as u32,
            }
        })
        .sum();
    b'A' + (sum % 26) as u8
}

/// Computes the code from personal data (the standard, non-omocode form). `place` is the
/// cadastral code of the comune of birth, or Z+3 digits for a foreign country.
pub fn compute(surname: &str, name: &str, sex: char, birth: NaiveDate, place: &str) -> String {
    let mut code = String::with_capacity(16);
    code.push_str(&name_part(surname, false));
    code.push_str(&name_part(name, true));
    code.push_str(&format!("{:02}", birth.year().rem_euclid(100)));
    code.push(MONTHS[birth.month0() as usize] as char);
    let day = birth.day() + if sex.eq_ignore_ascii_case(&'F') { 40 } else { 0 };
    code.push_str(&format!("{day:02}"));
    code.push_str(&place.to_uppercase());
    let check = check_letter(code.as_bytes());
    code.push(check as char);
    code
}

/// The first fifteen characters with every omocodia letter read back as its digit: two codes of
/// one person, one of them given for omocodia, share it (the check letters differ).
pub fn base_form(code: &str) -> String {
    let mut bytes: Vec<u8> = code.as_bytes().iter().take(15).map(u8::to_ascii_uppercase).collect();
    for &pos in &DIGIT_POSITIONS {
        if let Some(b) = bytes.get_mut(pos - 1) {
            if let Some(digit) = OMOCODE.iter().position(|l| l == b) {
                *b = b'0' + digit as u8;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_default()
}

/// Replaces the rightmost `count` digits (omocodia order) with their letters and recomputes the check.
pub fn omocode(code: &str, count: usize) -> String {
    let mut bytes = code.as_bytes()[..15].to_vec();
    for &pos in DIGIT_POSITIONS.iter().rev().take(count) {
        let b = bytes[pos - 1];
        if b.is_ascii_digit() {
            bytes[pos - 1] = OMOCODE[(b - b'0') as usize];
        }
    }
    let check = check_letter(&bytes);
    bytes.push(check);
    String::from_utf8(bytes).unwrap_or_default()
}

fn name_part(text: &str, is_name: bool) -> String {
    let folded: Vec<char> =
        crate::text::fold(text).to_uppercase().chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let vowels: Vec<char> = folded.iter().copied().filter(|c| "AEIOU".contains(*c)).collect();
    let consonants: Vec<char> = folded.iter().copied().filter(|c| !"AEIOU".contains(*c)).collect();
    let mut part: Vec<char> = if is_name && consonants.len() >= 4 {
        vec![consonants[0], consonants[2], consonants[3]]
    } else {
        consonants.into_iter().take(3).collect()
    };
    part.extend(vowels.into_iter().take(3 - part.len().min(3)));
    while part.len() < 3 {
        part.push('X');
    }
    part.truncate(3);
    part.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<(), &str>) {
        match (validate(input), expected) {
            (Ok(_), Ok(())) => {}
            (Err(e), Err(fragment)) => assert!(e.reason.contains(fragment), "{input}: {}", e.reason),
            (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
        }
    }

    #[test]
    fn validation_cases() {
        check("RSSMRA45D25F205N", Ok(()));
        check("rssmra45d25f205n", Ok(()));
        check("RSSMRA45D25F205X", Err("carattere di controllo"));
        check("RSSMRA45W25F205N", Err("mese"));
        check("RSSMRA45D25F205", Err("16 caratteri"));
        check("RSSMRA45D35F205N", Err("giorno di nascita"));
        check("RSSMRA45B30F205N", Err("non esiste"));
        check("RSSMR445D25F205N", Err("posizione 6"));
        check("12345678901", Err("11 cifre"));
    }

    #[test]
    fn omocodes_share_the_base_form() {
        let code = "RSSMRA45D25F205N";
        for n in 0..=7 {
            assert_eq!(base_form(&omocode(code, n)), "RSSMRA45D25F205", "{n}");
        }
        assert_ne!(base_form("RSSMRA45D25F206N"), base_form(code));
    }

    #[test]
    fn omocodia_is_decoded() {
        let omo = omocode("RSSMRA45D25F205N", 1);
        assert_eq!(&omo[..15], "RSSMRA45D25F20R");
        let cf = validate(&omo).unwrap();
        assert!(cf.decoded().omocode);
        assert_eq!(cf.decoded().day, 25);
        // Every level of omocodia stays valid and decodes to the same date.
        for n in 1..=7 {
            let cf = validate(&omocode("RSSMRA45D25F205N", n)).unwrap();
            assert_eq!((cf.decoded().year2, cf.decoded().month, cf.decoded().day), (45, 4, 25));
        }
    }

    #[test]
    fn compute_known_codes() {
        let birth = NaiveDate::from_ymd_opt(1945, 4, 25).unwrap();
        assert_eq!(compute("Rossi", "Mario", 'M', birth, "F205"), "RSSMRA45D25F205N");
        let cf = validate(&compute("D'Amico", "Niccolò", 'M', birth, "F205")).unwrap();
        assert_eq!(&cf.as_str()[..6], "DMCNCL");
        let f = validate(&compute("Bianchi", "Anna", 'F', birth, "Z330")).unwrap();
        assert_eq!(f.decoded().sex, 'F');
        assert!(f.matches(birth, 'F'));
        assert_eq!(f.birth_date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()), Some(birth));
        // Short names pad with vowels then X.
        assert_eq!(&compute("Fo", "Al", 'M', birth, "F205")[..6], "FOXLAX");
    }

    #[test]
    fn a_code_tells_sex_birth_date_and_place_even_with_omocodia() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let born = NaiveDate::from_ymd_opt(1988, 7, 3).unwrap();
        let plain = compute("Diop", "Awa", 'F', born, "Z343");
        for code in [plain.clone(), omocode(&plain, 3), omocode(&plain, 7)] {
            let facts = validate(&code).unwrap().facts(today).unwrap();
            assert_eq!((facts.sex, facts.birth_date), ('F', born), "{code}");
            assert_eq!(facts.birth_place.map(|p| p.line()).as_deref(), Some("Senegal"), "{code}");
        }
        let milano = validate(&compute("Rossi", "Mario", 'M', NaiveDate::from_ymd_opt(1945, 4, 25).unwrap(), "F205"));
        assert_eq!(milano.unwrap().facts(today).unwrap().birth_place.unwrap().line(), "Milano (MI)");
        // A code for a place the table does not know still gives sex and birth date.
        let unknown = validate(&compute("Bianchi", "Anna", 'F', born, "M999")).unwrap().facts(today).unwrap();
        assert_eq!((unknown.sex, unknown.birth_place), ('F', None));
    }
}
