//! Text as Quartiere keeps it: cleaned at the door ([`clean_line`], [`clean_text`]) and folded for
//! matching ([`fold`]: lower case, no diacritics, no apostrophes, letters that do not decompose
//! spelled as a keyboard without them would).

use unicode_normalization::UnicodeNormalization;

/// Folds text for matching: `D'Amico` -> `damico`, `Niccolò` -> `niccolo`, `NICCOLO'` -> `niccolo`.
/// Apostrophes and similar marks vanish (they join); any other non-alphanumeric becomes a space.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return fold_ascii(text);
    }
    fold_unicode(text)
}

/// [`fold`] for plain ASCII (most names and addresses): no decomposition needed.
fn fold_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for b in text.bytes() {
        if is_joiner(char::from(b)) {
            continue;
        }
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else {
            pending_space = true;
        }
    }
    out
}

fn fold_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) || is_joiner(c) || is_invisible(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            for lower in c.to_lowercase() {
                match undecomposed(lower) {
                    Some(spelled) => out.push_str(spelled),
                    None => out.push(lower),
                }
            }
        } else {
            pending_space = true;
        }
    }
    out
}

/// The words of a name for the search index: the joined form and, where the name had an
/// apostrophe or hyphen, its parts too, so `D'Amico` is found by `damico` and by `amico`.
pub fn index_words(text: &str) -> String {
    let joined = fold(text);
    let split = fold(&text.replace(is_joiner, " "));
    if split == joined {
        joined
    } else {
        format!("{joined} {split}")
    }
}

/// Lists from registry offices often write names in capitals: `D'AMICO` -> `D'Amico`,
/// `DE LUCA-ROSSI` -> `De Luca-Rossi`. Text that already has lower-case letters is kept as typed.
pub fn tidy_capitals(text: &str) -> String {
    let text = text.trim();
    if text.chars().any(char::is_lowercase) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut start_of_word = true;
    for c in text.chars() {
        if start_of_word {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start_of_word = !c.is_alphanumeric();
    }
    out
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '`' | '´' | 'ʼ')
}

/// Lower-case letters that Unicode does not decompose into a base letter and a mark, and how a
/// keyboard without them spells them (`Łukasz` is typed `lukasz`, `Đorđević` `dordevic`).
pub const UNDECOMPOSED: &[(char, &str)] = &[
    ('ł', "l"),
    ('đ', "d"),
    ('ð', "d"),
    ('ı', "i"),
    ('ø', "o"),
    ('ß', "ss"),
    ('æ', "ae"),
    ('œ', "oe"),
    ('ħ', "h"),
    ('þ', "th"),
    ('ŀ', "l"),
    ('ŧ', "t"),
    ('ŋ', "n"),
    ('ĸ', "k"),
    ('ſ', "s"),
    ('ƒ', "f"),
    ('ɨ', "i"),
    ('ə', "e"),
];

fn undecomposed(c: char) -> Option<&'static str> {
    if c.is_ascii() {
        return None;
    }
    UNDECOMPOSED.iter().find(|(letter, _)| *letter == c).map(|(_, spelled)| *spelled)
}

/// Characters that print nothing but change what text means or how it shows: zero-width spaces
/// and joiners, bidirectional overrides and isolates, the byte order mark, soft hyphens, variation
/// selectors, tags. Kept inside a name they hide it from search and scramble it on screen.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFF8}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Why a value was refused at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unclean {
    /// A line break where one line is expected (a name, an address).
    LineBreak,
    /// Longer than the field allows, in characters.
    TooLong { max: usize },
}

impl Unclean {
    /// The reason, in Italian, for the field's error.
    pub fn reason(self) -> String {
        match self {
            Unclean::LineBreak => "va scritto su una riga sola: togli l'a capo".into(),
            Unclean::TooLong { max } => format!("è troppo lungo: al massimo {max} caratteri"),
        }
    }
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{000B}' | '\u{000C}')
}

/// One line of text as it is kept: Unicode NFC; control and invisible characters removed; any
/// space (tab, no-break space...) a plain space; spaces trimmed and collapsed. A line break inside
/// (one at either end is trimmed) and text longer than `max` characters are refused.
pub fn clean_line(text: &str, max: usize) -> Result<String, Unclean> {
    let text = text.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if text.chars().any(is_line_break) {
        return Err(Unclean::LineBreak);
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfc() {
        if c.is_whitespace() {
            pending_space = true;
        } else if c.is_control() || is_invisible(c) {
            continue;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    if out.chars().count() > max {
        return Err(Unclean::TooLong { max });
    }
    Ok(out)
}

/// Text of several lines (a note): [`clean_line`] for each line, line breaks kept as `\n`, at
/// most one empty line in a row, none at either end; longer than `max` characters is refused.
pub fn clean_text(text: &str, max: usize) -> Result<String, Unclean> {
    let unified =
        text.replace("\r\n", "\n").replace(['\r', '\u{0085}', '\u{2028}', '\u{2029}', '\u{000B}', '\u{000C}'], "\n");
    let mut lines: Vec<String> = Vec::new();
    for line in unified.split('\n') {
        // A line has no break left, so only its length can be refused, and that is checked whole.
        let line = clean_line(line, usize::MAX).unwrap_or_default();
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let out = lines.join("\n");
    if out.chars().count() > max {
        return Err(Unclean::TooLong { max });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_fold() {
        let check = |input: &str, expected: &str| assert_eq!(fold(input), expected, "{input}");
        check("D'Amico", "damico");
        check("Niccolò", "niccolo");
        check("NICCOLO'", "niccolo");
        check("  De  Luca-Rossi ", "de luca rossi");
        check("Via L. Pirandello 6/H", "via l pirandello 6 h");
        check("Çelik Şahin", "celik sahin");
        check("DE  LUCA", "de luca");
        check("Nguyễn Thị", "nguyen thi");
        check("Ro\u{200B}ssi", "rossi");
    }

    /// One case per letter that does not decompose: the name as written and as typed without it.
    #[test]
    fn letters_that_do_not_decompose_fold_as_typed() {
        let cases = [
            ("Łukasz", "lukasz"),
            ("Đorđević", "dordevic"),
            ("Guðmundsson", "gudmundsson"),
            ("Yıldız", "yildiz"),
            ("Søren", "soren"),
            ("Weiß", "weiss"),
            ("Ærø", "aero"),
            ("Œuvre", "oeuvre"),
            ("Ħamrun", "hamrun"),
            ("Þór", "thor"),
            ("Paŀlarès", "pallares"),
            ("Ŧ", "t"),
            ("Ŋ", "n"),
            ("ĸ", "k"),
            ("ſ", "s"),
            ("ƒ", "f"),
            ("Ɨ", "i"),
            ("Əliyev", "eliyev"),
        ];
        for (written, typed) in cases {
            assert_eq!(fold(written), typed, "{written}");
        }
        // Every letter of the table is covered by a case above, in either case.
        for (letter, _) in UNDECOMPOSED {
            let upper: String = letter.to_uppercase().collect();
            assert!(
                cases.iter().any(|(w, _)| w.contains(*letter) || w.contains(upper.as_str())),
                "no case for {letter}"
            );
        }
    }

    #[test]
    fn a_line_is_cleaned_at_the_door() {
        let clean = |t: &str| clean_line(t, 100);
        assert_eq!(clean("  Rossi  "), Ok("Rossi".into()));
        assert_eq!(clean("De \t  Luca"), Ok("De Luca".into()));
        assert_eq!(clean("Ro\u{0}ssi"), Ok("Rossi".into()));
        assert_eq!(clean("Ro\u{200B}ssi"), Ok("Rossi".into()));
        assert_eq!(clean("\u{202E}issoR"), Ok("issoR".into()), "a right-to-left override is dropped, not obeyed");
        assert_eq!(clean("\u{FEFF}Rossi\u{2066}"), Ok("Rossi".into()));
        assert_eq!(clean("Via\u{00A0}Roma"), Ok("Via Roma".into()));
        assert_eq!(clean("Niccolo\u{0300}"), Ok("Niccolò".into()), "NFC");
        assert_eq!(clean("Rossi\n"), Ok("Rossi".into()), "a break at the end is trimmed");
        assert_eq!(clean("Via Roma\n12"), Err(Unclean::LineBreak));
        assert_eq!(clean("Via Roma\r12"), Err(Unclean::LineBreak));
        assert_eq!(clean_line(&"a".repeat(101), 100), Err(Unclean::TooLong { max: 100 }));
        assert_eq!(clean_line(&"è".repeat(100), 100).map(|s| s.chars().count()), Ok(100), "characters, not bytes");
    }

    #[test]
    fn text_keeps_its_lines() {
        assert_eq!(clean_text("  prima\r\n\r\n\r\n  seconda \u{200B}\n\n", 100), Ok("prima\n\nseconda".into()));
        assert_eq!(clean_text(&"a".repeat(101), 100), Err(Unclean::TooLong { max: 100 }));
    }

    #[test]
    fn the_ascii_path_folds_as_the_general_one() {
        for input in
            ["D'Amico", "  De  Luca-Rossi ", "Via L. Pirandello 6/H", "O`Neil", "RSSMRA80A01F205X", "", "--", "a_b"]
        {
            assert_eq!(fold_ascii(input), fold_unicode(input), "{input}");
        }
        // Every printable ASCII character, alone and between letters.
        for b in 0x20u8..0x7f {
            let c = char::from(b);
            for input in [c.to_string(), format!("a{c}B"), format!("{c}{c}x")] {
                assert_eq!(fold_ascii(&input), fold_unicode(&input), "{input:?}");
            }
        }
    }

    #[test]
    fn capitals_are_tidied() {
        assert_eq!(tidy_capitals("D'AMICO"), "D'Amico");
        assert_eq!(tidy_capitals("DELL'ACQUA"), "Dell'Acqua");
        assert_eq!(tidy_capitals(" DE LUCA-ROSSI "), "De Luca-Rossi");
        assert_eq!(tidy_capitals("NICCOLÒ"), "Niccolò");
        assert_eq!(tidy_capitals("McLaren"), "McLaren");
        assert_eq!(tidy_capitals("VIA L. PIRANDELLO"), "Via L. Pirandello");
    }

    #[test]
    fn index_words_keep_parts() {
        assert_eq!(index_words("D'Amico"), "damico d amico");
        assert_eq!(index_words("Rossi"), "rossi");
    }
}
