//! Quartiere's documents: attendance sheets, the answer to an access request, and the documents
//! to come (repayment plans, the monthly report) are Typst templates filled with JSON and
//! rendered to PDF here, inside the program.
//!
//! - **Templates** are `.typ` files in `assets/templates/`, built in. The lab may put its own copy of
//!   one (its header, its logo) in the data folder's `modelli/` folder: it replaces the built-in one
//!   of the same name, and a copy that does not compile is refused with an Italian message that
//!   names the file and the line.
//! - **Data** reaches a template as `/dati.json` (`json("/dati.json")`); the document's id as a QR
//!   code is `/qr.svg`.
//! - **Fonts** are bundled (Noto Sans, Latin extended, Greek, Cyrillic, Vietnamese; Noto Sans
//!   Arabic), never read from the system; no package is fetched: a template that asks for one gets
//!   an error.
//! - **Output is deterministic**: the document's id and date are given by the caller, so the same
//!   data make the same bytes.
//! - **Loaded on first use**: the fonts are parsed and the standard library built the first time a
//!   document is made, not when the app starts.

mod fonts;
mod qr;
mod world;

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use world::BUILT_IN;

/// The folder of the data folder where the lab keeps its own templates.
pub const LAB_FOLDER: &str = "modelli";

/// One document to make.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The template's name, without `.typ`: `foglio-presenze`, `accesso`.
    pub template: &'a str,
    /// What the template reads from `/dati.json`.
    pub data: &'a serde_json::Value,
    /// The document's id: printed by the template where it wants, in the QR code, and the PDF's
    /// identifier.
    pub id: &'a str,
    /// The document's date (its PDF creation date too).
    pub date: NaiveDate,
    /// The data folder's `modelli/` folder, when the lab may have its own templates.
    pub lab_templates: Option<&'a Path>,
}

/// Why a document was not made, in Italian.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// No built-in template has this name (a caller's mistake).
    #[error("nessun modello di documento si chiama «{0}»")]
    UnknownTemplate(String),
    /// The lab's own copy of a template does not compile.
    #[error(
        "il modello «{file}» della cartella «{LAB_FOLDER}» non funziona ({where_}{message}): correggilo, oppure toglilo dalla cartella per usare quello di Quartiere"
    )]
    LabTemplate { file: String, where_: String, message: String },
    /// A built-in template does not compile: a fault of this version of Quartiere.
    #[error("il modello «{file}» di Quartiere non funziona ({where_}{message}): segnalalo a chi cura Quartiere")]
    BuiltInTemplate { file: String, where_: String, message: String },
    /// The PDF could not be written from the laid-out pages.
    #[error("il PDF non si è potuto scrivere: {0}")]
    Pdf(String),
}

/// Makes the PDF of `request`.
pub fn render(request: &Request<'_>) -> Result<Vec<u8>, Error> {
    let world = world::DocWorld::new(request)?;
    let warned = typst::compile::<PagedDocument>(&world);
    let document = warned.output.map_err(|diagnostics| world.explain(&diagnostics))?;
    let date = Datetime::from_ymd(request.date.year(), request.date.month() as u8, request.date.day() as u8);
    let options = PdfOptions {
        ident: Smart::Custom(request.id.to_string()),
        creator: Smart::Custom(Some("Quartiere".into())),
        timestamp: date.map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|diagnostics| {
        Error::Pdf(diagnostics.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; "))
    })
}

/// Where the lab's templates are kept, in a data folder.
pub fn lab_folder(data_dir: &Path) -> PathBuf {
    data_dir.join(LAB_FOLDER)
}
