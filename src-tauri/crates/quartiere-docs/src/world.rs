//! Our own small Typst `World`: the template (the lab's copy, or the built-in one), the data as
//! `/dati.json`, the id's QR code as `/qr.svg`, the bundled fonts, and nothing else: no system
//! fonts, no packages, no file outside the lab's template folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use chrono::Datelike;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};

use crate::{fonts, qr, Error, Request};

/// The built-in templates, by file name.
pub const BUILT_IN: [(&str, &str); 8] = [
    ("comune.typ", include_str!("../../../../assets/templates/comune.typ")),
    ("accesso.typ", include_str!("../../../../assets/templates/accesso.typ")),
    ("foglio-presenze.typ", include_str!("../../../../assets/templates/foglio-presenze.typ")),
    ("scheda-adesione.typ", include_str!("../../../../assets/templates/scheda-adesione.typ")),
    ("piano-partecipante.typ", include_str!("../../../../assets/templates/piano-partecipante.typ")),
    ("piano-rientro.typ", include_str!("../../../../assets/templates/piano-rientro.typ")),
    ("registro-corso.typ", include_str!("../../../../assets/templates/registro-corso.typ")),
    ("rapporto-mensile.typ", include_str!("../../../../assets/templates/rapporto-mensile.typ")),
];

const DATA: &str = "dati.json";
const QR: &str = "qr.svg";

/// Where a template's text came from: the lab's copy is the lab's to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Lab,
    BuiltIn,
    Data,
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::builder().build()))
}

fn file_id(name: &str) -> FileId {
    let path = VirtualPath::new(name).expect("a plain file name is a virtual path");
    FileId::new(RootedPath::new(VirtualRoot::Project, path))
}

pub struct DocWorld {
    main: FileId,
    data: Bytes,
    qr: Bytes,
    lab: Option<PathBuf>,
    today: Option<Datetime>,
    /// Every file read so far, with where it came from (read once per document).
    files: Mutex<HashMap<FileId, (Bytes, Origin)>>,
    /// Every template parsed so far (parsed once per document).
    sources: Mutex<HashMap<FileId, Source>>,
}

impl DocWorld {
    pub fn new(request: &Request<'_>) -> Result<DocWorld, Error> {
        let name = format!("{}.typ", request.template);
        let world = DocWorld {
            main: file_id(&name),
            data: Bytes::new(serde_json::to_vec(request.data).expect("JSON of a document's data")),
            qr: Bytes::from_string(qr::svg(request.id)),
            lab: request.lab_templates.map(Path::to_path_buf),
            today: Datetime::from_ymd(request.date.year(), request.date.month() as u8, request.date.day() as u8),
            files: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
        };
        match world.load(world.main) {
            Ok(_) => Ok(world),
            Err(FileError::NotFound(_)) => Err(Error::UnknownTemplate(request.template.to_string())),
            Err(other) => Err(Error::LabTemplate { file: name, where_: String::new(), message: describe(&other) }),
        }
    }

    /// A file by its id: the data, the QR code, the lab's file of that name, or a built-in template.
    fn load(&self, id: FileId) -> FileResult<(Bytes, Origin)> {
        if let Some(found) = self.files.lock().expect("files lock").get(&id) {
            return Ok(found.clone());
        }
        if *id.root() != VirtualRoot::Project {
            return Err(FileError::Other(Some(
                "i modelli di Quartiere non usano pacchetti esterni: nulla viene scaricato".into(),
            )));
        }
        let name = id.vpath().get_without_slash().to_string();
        let found = match name.as_str() {
            DATA => (self.data.clone(), Origin::Data),
            QR => (self.qr.clone(), Origin::Data),
            _ => match self.lab_file(id)? {
                Some(bytes) => (bytes, Origin::Lab),
                None => BUILT_IN
                    .iter()
                    .find(|(file, _)| *file == name)
                    .map(|(_, text)| (Bytes::from_string(*text), Origin::BuiltIn))
                    .ok_or_else(|| FileError::NotFound(PathBuf::from(&name)))?,
            },
        };
        self.files.lock().expect("files lock").insert(id, found.clone());
        Ok(found)
    }

    /// The lab's file for `id`, when the lab has one; only inside its template folder.
    fn lab_file(&self, id: FileId) -> FileResult<Option<Bytes>> {
        let Some(lab) = &self.lab else { return Ok(None) };
        let path = id.vpath().realize(lab).map_err(FileError::Realize)?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(Bytes::new(bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(FileError::from_io(e, &path)),
        }
    }

    /// The first error as the operator (or whoever keeps the lab's templates) can act on it: which
    /// file, which line, what is wrong.
    pub fn explain(&self, diagnostics: &[SourceDiagnostic]) -> Error {
        let Some(first) = diagnostics.first() else {
            return Error::BuiltInTemplate { file: self.main_name(), where_: String::new(), message: String::new() };
        };
        let id = first.span.id().unwrap_or(self.main);
        let file = id.vpath().get_without_slash().to_string();
        let line =
            self.range(first.span).and_then(|range| Some(self.source(id).ok()?.lines().byte_to_line(range.start)? + 1));
        let where_ = line.map(|l| format!("riga {l}: ")).unwrap_or_default();
        let mut message = first.message.to_string();
        for hint in &first.hints {
            message.push_str(&format!("; {}", hint.v));
        }
        let origin = self.files.lock().expect("files lock").get(&id).map(|(_, o)| *o);
        let main_is_lab = self.files.lock().expect("files lock").get(&self.main).map(|(_, o)| *o) == Some(Origin::Lab);
        if origin == Some(Origin::Lab) || (origin != Some(Origin::BuiltIn) && main_is_lab) {
            Error::LabTemplate { file, where_, message }
        } else {
            Error::BuiltInTemplate { file, where_, message }
        }
    }

    fn main_name(&self) -> String {
        self.main.vpath().get_without_slash().to_string()
    }
}

/// A file error in Italian, for a template that could not be read.
fn describe(error: &FileError) -> String {
    match error {
        FileError::InvalidUtf8 => "il file non è testo UTF-8".into(),
        FileError::AccessDenied => "il file non si può leggere".into(),
        FileError::IsDirectory => "è una cartella, non un file".into(),
        FileError::NotFound(path) => format!("il file «{}» non c'è", path.display()),
        FileError::Realize(_) => "il percorso esce dalla cartella dei modelli".into(),
        FileError::Other(Some(message)) => message.to_string(),
        _ => "il file non si può leggere".into(),
    }
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &fonts::fonts().book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(source) = self.sources.lock().expect("sources lock").get(&id) {
            return Ok(source.clone());
        }
        let (bytes, _) = self.load(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        let source = Source::new(id, text.to_string());
        self.sources.lock().expect("sources lock").insert(id, source.clone());
        Ok(source)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.load(id).map(|(bytes, _)| bytes)
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts::fonts().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}
