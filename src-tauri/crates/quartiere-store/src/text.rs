//! Text folding for search: lower case, no diacritics, no apostrophes.

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
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        if is_joiner(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
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
