//! Reading a list from a file: what the file really is (from its first bytes, not its name), its
//! text encoding, its delimiter, the sheet that holds the list, and the header row. Every way a
//! file can fail is named in Italian: not a spreadsheet, protected by a password, data on another
//! sheet, no rows.

use std::path::Path;

use crate::error::{Error, Result};
use crate::text::fold;

/// The cells of a file: headers and the data rows with their spreadsheet row numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The spreadsheet row number of the header.
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Reads a CSV (comma, semicolon or tab; UTF-8 with or without BOM, UTF-16 as Excel's "Testo
/// Unicode" writes it, or Windows-1252) or a spreadsheet (XLSX, XLS, ODS: the first sheet). What
/// the file really is comes from its first bytes, not its name; every way it can fail is named in
/// Italian (not a spreadsheet, protected by a password, data on another sheet, no rows).
pub fn read_sheet(path: &Path) -> Result<Sheet> {
    if path.is_dir() {
        return Err(Error::Import(format!(
            "{} è una cartella, non un file: scegli il file dell'elenco",
            path.display()
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Import(format!("non riesco a leggere il file {}: {}", path.display(), Error::Io(e))))?;
    if bytes.starts_with(b"PK\x03\x04") {
        read_zip_workbook(path)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        if contains_utf16(&bytes, "EncryptedPackage") {
            return Err(Error::Import(
                "il foglio di calcolo è protetto da una password: aprilo in Excel, togli la password \
                 (File, Informazioni, Proteggi cartella di lavoro) e salvalo di nuovo"
                    .into(),
            ));
        }
        let workbook = calamine::open_workbook::<calamine::Xls<_>, _>(path).map_err(|_| not_a_spreadsheet())?;
        read_workbook(workbook)
    } else {
        read_csv(&bytes)
    }
}

fn not_a_spreadsheet() -> Error {
    Error::Import(
        "il file non è un foglio di calcolo leggibile (XLSX, XLS, ODS) né un elenco CSV: forse è danneggiato \
         o è un altro tipo di documento; salvalo di nuovo da Excel come «Cartella di lavoro di Excel» o come CSV"
            .into(),
    )
}

/// A ZIP file: an Excel workbook (XLSX) or an OpenDocument one (ODS); anything else is refused.
fn read_zip_workbook(path: &Path) -> Result<Sheet> {
    if let Ok(workbook) = calamine::open_workbook::<calamine::Xlsx<_>, _>(path) {
        return read_workbook(workbook);
    }
    match calamine::open_workbook::<calamine::Ods<_>, _>(path) {
        Ok(workbook) => read_workbook(workbook),
        Err(_) => Err(not_a_spreadsheet()),
    }
}

/// Whether `bytes` hold `text` written in UTF-16 (little endian), as OLE stream names are.
fn contains_utf16(bytes: &[u8], text: &str) -> bool {
    let needle: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn read_csv(bytes: &[u8]) -> Result<Sheet> {
    let text = decode_text(bytes)?;
    let delimiter = sniff_delimiter(&text);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut records = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|_| {
            Error::Import(format!("riga {}: il file CSV non è leggibile (virgolette non chiuse?)", index + 1))
        })?;
        records.push((index + 1, record.iter().map(|c| c.trim().to_string()).collect::<Vec<_>>()));
    }
    split_header(records)
}

/// The delimiter that splits some line of the file's start into the most cells. Looking at more
/// than the first line matters: lists often start with a title line that has no delimiter at all.
/// On a tie the semicolon wins (Excel's choice in Italy), then the comma.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(HEADER_SEARCH_ROWS).collect();
    let widest = |d: u8| lines.iter().map(|l| l.bytes().filter(|&b| b == d).count()).max().unwrap_or(0);
    let mut best = (b';', widest(b';'));
    for d in [b',', b'\t'] {
        let width = widest(d);
        if width > best.1 {
            best = (d, width);
        }
    }
    best.0
}

/// UTF-16 with its byte order mark (Excel's "Testo Unicode"), or without one when every other
/// byte of the start is zero; UTF-8 (BOM stripped) when the bytes are valid UTF-8; otherwise
/// Windows-1252, which is what Excel on Italian Windows writes as "CSV". Bytes that are no text
/// at all (a picture, a PDF) are refused.
fn decode_text(bytes: &[u8]) -> Result<String> {
    let start = &bytes[..bytes.len().min(64)];
    let zeros_at = |parity: usize| start.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let half = start.len() / 2;
    let utf16 = if bytes.starts_with(&[0xFF, 0xFE]) || (half >= 4 && zeros_at(1) * 10 >= half * 9) {
        Some(encoding_rs::UTF_16LE)
    } else if bytes.starts_with(&[0xFE, 0xFF]) || (half >= 4 && zeros_at(0) * 10 >= half * 9) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    };
    let text = match utf16 {
        Some(encoding) => encoding.decode(bytes).0.into_owned(),
        None => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            match std::str::from_utf8(bytes) {
                Ok(text) => text.to_string(),
                Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
            }
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text).to_string();
    // Text has no control characters but tabs and line ends; a binary file has many.
    let controls = text.chars().take(4096).filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')).count();
    if controls > 8 {
        return Err(not_a_spreadsheet());
    }
    Ok(text)
}

/// The first sheet of a workbook. When it holds no list but another sheet does, the error names
/// that sheet: the operator moves it first (or saves it alone), the app does not guess.
fn read_workbook<R: std::io::Read + std::io::Seek>(mut workbook: impl calamine::Reader<R>) -> Result<Sheet> {
    let names = workbook.sheet_names();
    let Some(first) = names.first().cloned() else {
        return Err(Error::Import("il foglio di calcolo non contiene fogli".into()));
    };
    let mut read = |at: usize| -> Option<Vec<(usize, Vec<String>)>> {
        let range = workbook.worksheet_range_at(at)?.ok()?;
        Some(range_records(&range))
    };
    let first_records = read(0).ok_or_else(|| {
        Error::Import(format!("il primo foglio («{first}») non è leggibile: salvalo di nuovo da Excel e riprova"))
    })?;
    let has_list = |records: &[(usize, Vec<String>)]| {
        records.iter().take(HEADER_SEARCH_ROWS).any(|(_, cells)| known_headers(cells) >= 3)
    };
    if !has_list(&first_records) {
        for (at, name) in names.iter().enumerate().skip(1) {
            if read(at).is_some_and(|r| has_list(&r)) {
                return Err(Error::Import(format!(
                    "il primo foglio («{first}») non contiene l'elenco: i dati sono nel foglio «{name}». \
                     Sposta quel foglio al primo posto (o salvalo da solo) e riprova"
                )));
            }
        }
    }
    split_header(first_records)
}

fn range_records(range: &calamine::Range<calamine::Data>) -> Vec<(usize, Vec<String>)> {
    use calamine::Data;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut records = Vec::new();
    for (index, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = vec![String::new(); first_col];
        cells.extend(row.iter().map(|cell| match cell {
            Data::Empty => String::new(),
            Data::String(s) => s.trim().to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => if *b { "sì" } else { "no" }.to_string(),
            Data::DateTime(dt) => dt.as_datetime().map(|d| d.date().to_string()).unwrap_or_default(),
            Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Error(e) => format!("#ERRORE {e:?}"),
        }));
        records.push((first_row + index + 1, cells));
    }
    records
}

fn known_headers(cells: &[String]) -> usize {
    cells.iter().filter(|c| canonical_header(c).is_some()).count()
}

/// How far down the header (and, in a CSV, the delimiter) is looked for.
const HEADER_SEARCH_ROWS: usize = 10;

/// The header is the first row, among the first ten, with at least three column names we know;
/// title lines above it ("Elenco assegnatari al ...") are skipped. Without such a row, the first
/// non-empty row is the header, and the report says which columns are missing.
fn split_header(records: Vec<(usize, Vec<String>)>) -> Result<Sheet> {
    let records: Vec<(usize, Vec<String>)> =
        records.into_iter().filter(|(_, cells)| cells.iter().any(|c| !c.is_empty())).collect();
    if records.is_empty() {
        return Err(Error::Import("il file è vuoto: non contiene nessuna riga".into()));
    }
    let at = records.iter().take(HEADER_SEARCH_ROWS).position(|(_, cells)| known_headers(cells) >= 3).unwrap_or(0);
    let mut rows = records.into_iter().skip(at);
    let (header_row, headers) = rows.next().expect("at least one row");
    Ok(Sheet { header_row, headers, rows: rows.collect() })
}

/// Maps a header as people write it to our column name: case, spaces, accents and a few common
/// synonyms do not matter.
pub(super) fn canonical_header(header: &str) -> Option<&'static str> {
    let key = fold(header).replace(' ', "_");
    let name = match key.as_str() {
        "codice_alloggio"
        | "cod_alloggio"
        | "alloggio"
        | "codice_unita"
        | "codice_ui"
        | "id_alloggio"
        | "codice_unita_immobiliare"
        | "codice_contratto"
        | "contratto" => "codice_alloggio",
        "indirizzo" | "via" | "via_piazza" => "indirizzo",
        "civico" | "numero_civico" | "n_civico" | "num_civico" => "civico",
        "scala" => "scala",
        "piano" => "piano",
        "interno" | "int" => "interno",
        "cognome" => "cognome",
        "nome" => "nome",
        "sesso" | "genere" => "sesso",
        "data_nascita" | "data_di_nascita" | "nato_il" | "data_nasc" => "data_nascita",
        "luogo_nascita" | "luogo_di_nascita" | "comune_nascita" | "comune_di_nascita" | "nato_a" => "luogo_nascita",
        "codice_fiscale" | "cf" | "cod_fiscale" | "codicefiscale" => "codice_fiscale",
        "relazione" | "relazione_di_parentela" | "parentela" | "rapporto_di_parentela" | "rapporto" => "relazione",
        "telefono" | "tel" | "cellulare" | "recapito_telefonico" => "telefono",
        _ => return None,
    };
    Some(name)
}
