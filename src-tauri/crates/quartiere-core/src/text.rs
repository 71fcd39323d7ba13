//! Text folding for search: lower case, no diacritics, no apostrophes.

use unicode_normalization::UnicodeNormalization;

/// Folds text for matching: `D'Amico` -> `damico`, `Niccolò` -> `niccolo`, `NICCOLO'` -> `niccolo`.
/// Apostrophes and similar marks vanish (they join); any other non-alphanumeric becomes a space.
pub fn fold(text: &str) -> String {
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
    fn index_words_keep_parts() {
        assert_eq!(index_words("D'Amico"), "damico d amico");
        assert_eq!(index_words("Rossi"), "rossi");
    }
}
