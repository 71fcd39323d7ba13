//! A small PDF writer for the documents Quartiere prints: A4 pages of text in the standard
//! Helvetica fonts (no font files embedded), headings, wrapped paragraphs, page numbers.
//!
//! Text is encoded in WinAnsi (Windows-1252), which covers Italian (à è é ì ò ù, «», €); any other
//! character is written as `?`. Enough for an access-request export, a register or a sheet; the
//! output is read back with `pdftotext` in the tests.

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY_SIZE: f32 = 10.0;
const LINE: f32 = 13.5;

/// One line of the document, as laid out.
enum Item {
    Title(String),
    Heading(String),
    Text(String),
    Gap,
}

/// A document built line by line, then rendered by [`Document::render`].
pub struct Document {
    title: String,
    items: Vec<Item>,
}

impl Document {
    pub fn new(title: &str) -> Document {
        Document { title: title.to_string(), items: vec![Item::Title(title.to_string())] }
    }

    pub fn heading(&mut self, text: &str) {
        self.items.push(Item::Gap);
        self.items.push(Item::Heading(text.to_string()));
    }

    /// A paragraph, wrapped to the page's width.
    pub fn text(&mut self, text: &str) {
        for line in text.lines() {
            for wrapped in wrap(line, 98) {
                self.items.push(Item::Text(wrapped));
            }
        }
    }

    /// `label: value`, wrapped.
    pub fn field(&mut self, label: &str, value: &str) {
        self.text(&format!("{label}: {value}"));
    }

    /// The PDF file's bytes.
    pub fn render(&self) -> Vec<u8> {
        // Lay out pages: each a content stream.
        let mut pages: Vec<Vec<u8>> = Vec::new();
        let mut content: Vec<u8> = Vec::new();
        let mut y = PAGE_H - MARGIN;
        let bottom = MARGIN + 20.0;
        for item in &self.items {
            let (font, size, advance) = match item {
                Item::Title(_) => ("F2", 15.0, 24.0),
                Item::Heading(_) => ("F2", 11.5, 17.0),
                Item::Text(_) => ("F1", BODY_SIZE, LINE),
                Item::Gap => ("F1", BODY_SIZE, LINE / 2.0),
            };
            if y - advance < bottom {
                pages.push(std::mem::take(&mut content));
                y = PAGE_H - MARGIN;
            }
            y -= advance;
            if let Item::Title(t) | Item::Heading(t) | Item::Text(t) = item {
                content.extend(format!("BT /{font} {size} Tf {MARGIN} {y:.1} Td (").into_bytes());
                content.extend(escape(t));
                content.extend(b") Tj ET\n");
            }
        }
        pages.push(content);
        let total = pages.len();

        // Objects: 1 catalog, 2 pages, 3-4 fonts, 5 info, then per page: page object and content.
        let mut objects: Vec<Vec<u8>> = Vec::new();
        let kids: Vec<String> = (0..total).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        objects.push(format!("<< /Type /Pages /Kids [{}] /Count {total} >>", kids.join(" ")).into_bytes());
        for base in ["Helvetica", "Helvetica-Bold"] {
            objects.push(
                format!("<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>").into_bytes(),
            );
        }
        let mut info = b"<< /Producer (Quartiere) /Title (".to_vec();
        info.extend(escape(&self.title));
        info.extend(b") >>");
        objects.push(info);
        for (i, body) in pages.iter().enumerate() {
            let mut stream = body.clone();
            // The page number at the foot: "pagina 1 di 3".
            let foot = format!("pagina {} di {total}", i + 1);
            stream.extend(format!("BT /F1 8 Tf {MARGIN} {:.1} Td (", MARGIN - 10.0).into_bytes());
            stream.extend(escape(&foot));
            stream.extend(b") Tj ET\n");
            objects.push(
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
                     /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                    7 + 2 * i
                )
                .into_bytes(),
            );
            let mut content_obj = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
            content_obj.extend(stream);
            content_obj.extend(b"\nendstream");
            objects.push(content_obj);
        }

        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
            out.extend(object);
            out.extend(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").into_bytes());
        }
        out.extend(
            format!("trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
                .into_bytes(),
        );
        out
    }
}

/// Splits a line at spaces so no piece is longer than `width` characters (a longer word is cut).
fn wrap(line: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            out.push(head);
        }
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    out.push(current);
    out
}

/// The text as a PDF string's bytes in WinAnsi, with `(`, `)` and `\` escaped.
fn escape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let byte = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            '…' => 0x85,
            '\t' => b' ',
            _ => b'?',
        };
        out.push(byte);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_the_width() {
        let line = "una riga piuttosto lunga ".repeat(10);
        let wrapped = wrap(line.trim(), 30);
        assert!(wrapped.iter().all(|l| l.chars().count() <= 30));
        assert_eq!(wrapped.join(" "), line.trim());
        assert_eq!(wrap(&"x".repeat(65), 30).len(), 3);
    }

    #[test]
    fn italian_letters_become_winansi_bytes() {
        assert_eq!(escape("è (à) €"), vec![0xe8, b' ', b'\\', b'(', 0xe0, b'\\', b')', b' ', 0x80]);
        assert_eq!(escape("漢"), b"?");
    }
}
