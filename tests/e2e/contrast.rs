//! WCAG AA contrast of the UI's colour pairs, computed from the variables in ui/src/app.css: 4.5:1
//! for text, 3:1 for the edges of controls and the focus ring (WCAG 2.1, 1.4.3 and 1.4.11).

use std::collections::HashMap;

fn palette() -> HashMap<String, [f64; 3]> {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/app.css")).unwrap();
    let mut colours = HashMap::new();
    for declaration in css.split(';') {
        // A declaration's last line holds it; earlier lines may hold a comment or a selector.
        let line = declaration.trim().rsplit('\n').next().unwrap_or("");
        let Some((name, value)) = line.split_once(':') else { continue };
        let (name, value) = (name.trim(), value.trim());
        if let (Some(name), Some(hex)) = (name.strip_prefix("--"), value.strip_prefix('#')) {
            if hex.len() == 6 {
                let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
                colours.insert(name.to_string(), [channel(0), channel(2), channel(4)]);
            }
        }
    }
    colours
}

fn luminance([r, g, b]: [f64; 3]) -> f64 {
    let linear = |c: f64| if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

pub(crate) fn the_ui_colours_pass_wcag_aa() {
    let colours = palette();
    // (foreground, background, minimum ratio): every pairing the stylesheets use.
    let pairs = [
        ("ink", "paper", 4.5),
        ("ink", "ground", 4.5),
        ("muted", "paper", 4.5),
        ("muted", "ground", 4.5),
        ("accent", "paper", 4.5),
        ("accent", "ground", 4.5),
        ("accent-ink", "accent", 4.5),
        ("accent", "accent-soft", 4.5),
        ("warn", "paper", 4.5),
        ("error", "paper", 4.5),
        ("error", "error-soft", 4.5),
        ("field-line", "paper", 3.0),
        ("focus", "paper", 3.0),
        ("focus", "ground", 3.0),
    ];
    let mut failures = Vec::new();
    for (fg, bg, minimum) in pairs {
        let colour = |name: &str| *colours.get(name).unwrap_or_else(|| panic!("app.css has no --{name}"));
        let ratio = contrast(colour(fg), colour(bg));
        if ratio < minimum {
            failures.push(format!("--{fg} on --{bg}: {ratio:.2}:1, needs {minimum}:1"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
