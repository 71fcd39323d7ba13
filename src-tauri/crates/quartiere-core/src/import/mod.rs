//! Import of the registry lists the Comune or the ente gestore sends: one row per person, rows with
//! the same dwelling code form one household. All or nothing: any invalid row stops the import,
//! and the report names every bad row. Who each row is follows the identity rules
//! ([`crate::registry::identity`]); a row in doubt is a question for the operator, and the list is
//! written only once every question has an answer.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use rusqlite::types::Value;

use crate::cf;
use crate::codes::Relationship;
use crate::error::{Error, Result};
use crate::format::parse_date;
use crate::ids::{DwellingId, HouseholdId, PersonId};
use crate::registry::identity::{name_key, Candidate, Claim, Doubt, Identity, Registry};
use crate::registry::{self, opt, DwellingInput, MemberInput, PersonInput};
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};
use crate::text::{clean_line, fold, tidy_capitals};

mod read;
use read::canonical_header;
pub use read::{read_sheet, Sheet};

/// The columns a list may have, in the order they are documented.
pub const COLUMNS: [&str; 14] = [
    "codice_alloggio",
    "indirizzo",
    "civico",
    "scala",
    "piano",
    "interno",
    "cognome",
    "nome",
    "sesso",
    "data_nascita",
    "luogo_nascita",
    "codice_fiscale",
    "relazione",
    "telefono",
];
const REQUIRED: [&str; 5] = ["codice_alloggio", "indirizzo", "civico", "cognome", "nome"];

/// One problem in the file, as the operator sees it in a spreadsheet program.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowError {
    /// The spreadsheet row number (the header is row 1).
    pub row: usize,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "riga {}, colonna «{}»: {}", self.row, self.column, self.reason)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub rows: usize,
    pub errors: Vec<RowError>,
    /// Things worth checking that do not stop the import.
    pub warnings: Vec<String>,
    pub dwellings_new: usize,
    pub dwellings_updated: usize,
    pub households_new: usize,
    pub people_new: usize,
    pub people_updated: usize,
    pub people_unchanged: usize,
    pub members_added: usize,
    pub members_moved: usize,
    pub members_updated: usize,
    /// Rows whose person is in doubt, with the operator's answer when given.
    pub questions: Vec<Question>,
    /// Questions still without an answer: the list is not written until there are none.
    pub people_to_decide: usize,
    /// True when the changes were written (not a dry run, no errors, no open question).
    pub applied: bool,
}

/// A row whose person is not certain: the operator says whether it is one of `candidates` or a
/// new person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Question {
    /// The spreadsheet row number.
    pub row: usize,
    pub surname: String,
    pub name: String,
    /// `M`, `F`, or not given in the row.
    pub sex: Option<char>,
    pub birth_date: Option<NaiveDate>,
    pub codice_fiscale: Option<String>,
    pub dwelling_code: String,
    /// The row's address.
    pub address: String,
    pub doubt: Doubt,
    /// Why it is in doubt, in Italian.
    pub reason: String,
    pub candidates: Vec<Candidate>,
    /// Whether the operator has answered.
    pub decided: bool,
    /// The answer: the person the row is, or none (with `decided`) for a new person.
    pub same_as: Option<PersonId>,
}

/// The operator's answer to a [`Question`]: row `row` is `person`, or a new person (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub row: usize,
    pub person: Option<PersonId>,
}

impl ImportReport {
    pub fn changes(&self) -> usize {
        self.dwellings_new
            + self.dwellings_updated
            + self.households_new
            + self.people_new
            + self.people_updated
            + self.members_added
            + self.members_moved
            + self.members_updated
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// The date recorded when a person moves from one household to another.
    pub today: NaiveDate,
    /// The operator's answers to the questions of an earlier run on the same file.
    pub decisions: Vec<Decision>,
}

impl ImportOptions {
    /// A run that writes, with no answers yet.
    pub fn new(today: NaiveDate) -> ImportOptions {
        ImportOptions { dry_run: false, today, decisions: Vec::new() }
    }
}

/// How far a long import has gone, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportProgress {
    pub phase: ImportPhase,
    pub done: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ImportPhase {
    /// Rows being validated.
    Checking,
    /// Dwellings (with their households and people) being written.
    Writing,
}

/// Progress is reported at most this often (in rows or dwellings), and at the end of each phase.
const PROGRESS_STEP: usize = 250;

/// One valid data row.
#[derive(Debug, Clone)]
struct Row {
    number: usize,
    dwelling_code: String,
    dwelling: DwellingInput,
    person: PersonInput,
    relationship: Relationship,
    /// The relationship as written, when the anagrafe's table does not hold it.
    relationship_text: Option<String>,
    /// The birth date the row gives, or failing that the one its codice fiscale gives: what
    /// identity compares (only the row's own date is written).
    identity_birth: Option<NaiveDate>,
}

/// The longest value each column may hold, in characters.
fn max_chars(column: &str) -> usize {
    match column {
        "cognome" | "nome" | "luogo_nascita" => 100,
        "indirizzo" => 150,
        "relazione" => 100,
        "codice_alloggio" => 40,
        "telefono" => 40,
        _ => 30,
    }
}

/// Validates every row; returns the valid rows, or every problem found. The sheet is consumed
/// row by row, so a long list is not held twice (as cells and as rows).
fn parse_rows(
    sheet: Sheet,
    today: NaiveDate,
    report: &mut ImportReport,
    progress: &mut dyn FnMut(ImportProgress),
) -> Vec<Row> {
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, header) in sheet.headers.iter().enumerate() {
        match canonical_header(header) {
            Some(name) if index.contains_key(name) => report.errors.push(RowError {
                row: sheet.header_row,
                column: header.clone(),
                reason: format!("la colonna «{name}» compare due volte"),
            }),
            Some(name) => {
                index.insert(name, i);
            }
            None if header.trim().is_empty() => {}
            None => report.warnings.push(format!("la colonna «{header}» non è riconosciuta ed è stata ignorata")),
        }
    }
    for required in REQUIRED {
        if !index.contains_key(required) {
            report.errors.push(RowError {
                row: sheet.header_row,
                column: required.into(),
                reason: "colonna obbligatoria mancante nell'intestazione".into(),
            });
        }
    }
    if !report.errors.is_empty() {
        return Vec::new();
    }
    let mut rows = Vec::new();
    let total = sheet.rows.len();
    for (i, (number, cells)) in sheet.rows.into_iter().enumerate() {
        let number = &number;
        if i % PROGRESS_STEP == 0 {
            progress(ImportProgress { phase: ImportPhase::Checking, done: i, total });
        }
        report.rows += 1;
        let mut errors = Vec::new();
        // Every cell is cleaned at the door: one line, no invisible characters, a sane length.
        let mut cleaned: HashMap<&'static str, String> = HashMap::new();
        for (&column, &at) in &index {
            let raw = cells.get(at).map(String::as_str).unwrap_or("");
            match clean_line(raw, max_chars(column)) {
                Ok(value) => {
                    cleaned.insert(column, value);
                }
                Err(unclean) => errors.push(RowError { row: *number, column: column.into(), reason: unclean.reason() }),
            }
        }
        let get = |name: &str| -> String { cleaned.get(name).cloned().unwrap_or_default() };
        let optional = |name: &str| -> Option<String> { Some(get(name)).filter(|v| !v.is_empty()) };
        let mut error =
            |column: &str, reason: String| errors.push(RowError { row: *number, column: column.into(), reason });

        for required in REQUIRED {
            if get(required).is_empty() && cleaned.contains_key(required) {
                error(required, "il valore è obbligatorio".into());
            }
        }
        let sex = match get("sesso").to_uppercase().as_str() {
            "" => None,
            "M" | "MASCHIO" | "MASCHILE" | "U" | "UOMO" => Some('M'),
            "F" | "FEMMINA" | "FEMMINILE" | "D" | "DONNA" => Some('F'),
            other => {
                error("sesso", format!("«{other}» non è valido: scrivi M o F"));
                None
            }
        };
        let birth_date = match optional("data_nascita") {
            None => None,
            Some(text) => match parse_date(&text) {
                Some(d) if d > today => {
                    error("data_nascita", format!("la data {text} è nel futuro"));
                    None
                }
                Some(d) => Some(d),
                None => {
                    error("data_nascita", format!("«{text}» non è una data valida: usa gg/mm/aaaa"));
                    None
                }
            },
        };
        let codice_fiscale = optional("codice_fiscale").map(|c| c.replace(' ', "").to_uppercase());
        let mut identity_birth = birth_date;
        if let Some(code) = &codice_fiscale {
            match cf::validate(code) {
                Err(e) => error("codice_fiscale", format!("«{code}» non è valido: {e}")),
                Ok(valid) => {
                    if let Some(birth) = birth_date {
                        if !valid.matches(birth, sex.unwrap_or(valid.decoded().sex)) {
                            error(
                                "codice_fiscale",
                                format!("«{code}» non corrisponde alla data di nascita o al sesso della riga"),
                            );
                        }
                    } else {
                        identity_birth = valid.birth_date(today);
                    }
                }
            }
        }
        // A relationship outside the anagrafe's table is kept as written, never a refusal.
        let (relationship, relationship_text) = match optional("relazione") {
            None => (Relationship::Altro, None),
            Some(text) => match Relationship::parse_loose(&text) {
                Some(r) => (r, None),
                None => {
                    report.warnings.push(format!(
                        "riga {number}: la relazione «{text}» non è nella tabella dell'anagrafe: è registrata come «altro», con il testo com'è scritto"
                    ));
                    (Relationship::Altro, Some(text))
                }
            },
        };
        let person = PersonInput {
            surname: tidy_capitals(&get("cognome")),
            name: tidy_capitals(&get("nome")),
            sex,
            birth_date,
            birth_place: optional("luogo_nascita").map(|p| tidy_capitals(&p)),
            codice_fiscale,
            phone: optional("telefono"),
            ..Default::default()
        };
        for e in person.validate() {
            // Name and CF problems were reported above with the file's column names.
            if matches!(e.field.as_str(), "telefono") {
                error("telefono", e.message);
            }
        }
        let dwelling = DwellingInput {
            code: optional("codice_alloggio"),
            street: tidy_capitals(&get("indirizzo")),
            civic: get("civico"),
            scala: optional("scala"),
            piano: optional("piano"),
            interno: optional("interno"),
            ..Default::default()
        };
        if errors.is_empty() {
            rows.push(Row {
                number: *number,
                dwelling_code: get("codice_alloggio"),
                dwelling,
                person,
                relationship,
                relationship_text,
                identity_birth,
            });
        } else {
            report.errors.extend(errors);
        }
    }
    check_across_rows(&rows, report);
    rows
}

fn check_across_rows(rows: &[Row], report: &mut ImportReport) {
    let mut first_of_dwelling: HashMap<&str, &Row> = HashMap::new();
    let mut tenant_of: HashMap<&str, usize> = HashMap::new();
    let mut seen_cf: HashMap<&str, usize> = HashMap::new();
    // A person without a code, as the file names them: folded name, birth date, and the dwelling
    // when there is no birth date.
    type Named<'a> = ((String, String), Option<NaiveDate>, Option<&'a str>);
    let mut seen_identity: HashMap<Named<'_>, usize> = HashMap::new();
    for row in rows {
        let code = row.dwelling_code.as_str();
        match first_of_dwelling.get(code) {
            None => {
                first_of_dwelling.insert(code, row);
            }
            Some(first) => {
                let a = &first.dwelling;
                let b = &row.dwelling;
                let fields = [
                    ("indirizzo", fold(&a.street) != fold(&b.street)),
                    ("civico", fold(&a.civic) != fold(&b.civic)),
                    ("scala", a.scala != b.scala),
                    ("piano", a.piano != b.piano),
                    ("interno", a.interno != b.interno),
                ];
                for (column, differs) in fields {
                    if differs {
                        report.errors.push(RowError {
                            row: row.number,
                            column: column.into(),
                            reason: format!(
                                "l'alloggio {code} ha un valore diverso alla riga {}: lo stesso alloggio deve avere lo stesso indirizzo",
                                first.number
                            ),
                        });
                    }
                }
            }
        }
        if row.relationship == Relationship::Intestatario {
            if let Some(previous) = tenant_of.insert(code, row.number) {
                report.errors.push(RowError {
                    row: row.number,
                    column: "relazione".into(),
                    reason: format!("l'alloggio {code} ha già un intestatario alla riga {previous}"),
                });
            }
        }
        if let Some(code) = row.person.codice_fiscale.as_deref() {
            if let Some(previous) = seen_cf.insert(code, row.number) {
                report.errors.push(RowError {
                    row: row.number,
                    column: "codice_fiscale".into(),
                    reason: format!("lo stesso codice fiscale compare anche alla riga {previous}"),
                });
            }
        } else {
            // Without a code and a birth date, a name repeats only as one person in one dwelling:
            // two namesakes at two addresses may be two people.
            let birth = row.person.birth_date;
            let place = if birth.is_none() { Some(code) } else { None };
            let key = (name_key(&row.person.surname, &row.person.name), birth, place);
            if let Some(previous) = seen_identity.insert(key, row.number) {
                report.errors.push(RowError {
                    row: row.number,
                    column: "cognome".into(),
                    reason: format!(
                        "la stessa persona (cognome, nome e data di nascita) compare anche alla riga {previous}"
                    ),
                });
            }
        }
    }
    report.errors.sort_by_key(|e| e.row);
}

/// Who each row is, once the operator's decisions are read: the person, or `None` for a new one.
/// Rows still in doubt become questions in the report and are left out of the plan.
fn identify_rows(
    rows: &[Row],
    registry: &Registry,
    decisions: &[Decision],
    report: &mut ImportReport,
) -> HashMap<usize, Option<PersonId>> {
    let decided: HashMap<usize, Option<PersonId>> = decisions.iter().map(|d| (d.row, d.person)).collect();
    let mut targets = HashMap::new();
    let mut taken: HashMap<PersonId, usize> = HashMap::new();
    for row in rows {
        let claim = Claim {
            surname: &row.person.surname,
            name: &row.person.name,
            birth_date: row.identity_birth,
            codice_fiscale: row.person.codice_fiscale.as_deref(),
            dwelling_code: &row.dwelling_code,
        };
        let target = match registry.identify(&claim) {
            Identity::Known(person) => Some(person),
            Identity::New => None,
            Identity::Doubtful(doubt, candidates) => {
                let choice = decided.get(&row.number).copied();
                let valid = match choice {
                    Some(Some(person)) => candidates.iter().any(|c| c.person == person),
                    Some(None) => true,
                    None => false,
                };
                if choice.is_some() && !valid {
                    report.errors.push(RowError {
                        row: row.number,
                        column: "cognome".into(),
                        reason: "la scelta fatta non è tra le persone proposte per questa riga: rifai la scelta".into(),
                    });
                }
                report.questions.push(Question {
                    row: row.number,
                    surname: row.person.surname.clone(),
                    name: row.person.name.clone(),
                    sex: row.person.sex,
                    birth_date: row.person.birth_date,
                    codice_fiscale: row.person.codice_fiscale.clone(),
                    dwelling_code: row.dwelling_code.clone(),
                    address: row.dwelling.address_line(),
                    doubt,
                    reason: doubt.reason().to_string(),
                    candidates,
                    decided: choice.is_some() && valid,
                    same_as: choice.flatten().filter(|_| valid),
                });
                match choice {
                    Some(choice) if valid => choice,
                    _ => {
                        report.people_to_decide += 1;
                        continue;
                    }
                }
            }
        };
        if let Some(person) = target {
            if let Some(previous) = taken.insert(person, row.number) {
                report.errors.push(RowError {
                    row: row.number,
                    column: "cognome".into(),
                    reason: format!("è la stessa persona della riga {previous}: una persona compare una volta sola"),
                });
            }
        }
        targets.insert(row.number, target);
    }
    report.errors.sort_by_key(|e| e.row);
    targets
}

/// Validates the file and, when every row is valid, every doubt about who a row is has been
/// decided, and this is not a dry run, writes it in one transaction. Re-importing the same file
/// writes nothing.
pub fn import_file(store: &mut Store, actor: &Actor, path: &Path, options: ImportOptions) -> Result<ImportReport> {
    let sheet = read_sheet(path)?;
    import_sheet(store, actor, sheet, options)
}

pub fn import_sheet(store: &mut Store, actor: &Actor, sheet: Sheet, options: ImportOptions) -> Result<ImportReport> {
    import_sheet_with_progress(store, actor, sheet, options, &mut |_| {})
}

/// [`import_sheet`], telling `progress` how far it has gone.
pub fn import_sheet_with_progress(
    store: &mut Store,
    actor: &Actor,
    sheet: Sheet,
    options: ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportReport> {
    crate::access::require(store.conn(), actor, crate::access::Action::Import)?;
    let mut report = ImportReport::default();
    let total = sheet.rows.len();
    let rows = parse_rows(sheet, options.today, &mut report, progress);
    progress(ImportProgress { phase: ImportPhase::Checking, done: total, total });
    if !report.errors.is_empty() {
        return Ok(report);
    }
    if rows.is_empty() {
        return Err(Error::Import(
            "il file ha l'intestazione ma nessuna riga di dati: non c'è niente da importare".into(),
        ));
    }
    let registry = Registry::load(store.conn())?;
    let targets = identify_rows(&rows, &registry, &options.decisions, &mut report);
    if !report.errors.is_empty() {
        return Ok(report);
    }
    let decided: HashMap<usize, Option<PersonId>> = options.decisions.iter().map(|d| (d.row, d.person)).collect();
    // The whole plan runs inside one transaction; a dry run (or a list with questions still open)
    // rolls it back, so its counts are exact.
    let write = !options.dry_run && report.people_to_decide == 0;
    let mut planned = report.clone();
    let outcome = store.write(actor, |w| {
        let mut groups: BTreeMap<&str, Vec<(&Row, Option<PersonId>)>> = BTreeMap::new();
        for row in &rows {
            if let Some(target) = targets.get(&row.number) {
                groups.entry(row.dwelling_code.as_str()).or_default().push((row, *target));
            }
        }
        let total = groups.len();
        for (i, rows) in groups.values().enumerate() {
            if i % PROGRESS_STEP == 0 {
                progress(ImportProgress { phase: ImportPhase::Writing, done: i, total });
            }
            apply_dwelling(w, rows, options.today, &decided, &mut planned)?;
        }
        progress(ImportProgress { phase: ImportPhase::Writing, done: total, total });
        // The rows are written: freed now, before the write's own work at commit (the search
        // index of a whole new list) needs its memory.
        drop(groups);
        drop(rows);
        if write {
            Ok(())
        } else {
            Err(Error::Import(DRY_RUN.into()))
        }
    });
    match outcome {
        Ok(()) => {
            planned.applied = true;
            Ok(planned)
        }
        Err(Error::Import(message)) if message == DRY_RUN => Ok(planned),
        Err(e) => Err(e),
    }
}

const DRY_RUN: &str = "prova senza scrittura";

fn apply_dwelling(
    w: &mut Writer<'_>,
    rows: &[(&Row, Option<PersonId>)],
    today: NaiveDate,
    decided: &HashMap<usize, Option<PersonId>>,
    report: &mut ImportReport,
) -> Result<()> {
    let first = rows[0].0;
    let dwelling: DwellingId = match registry::find_dwelling_by_code(w.conn(), &first.dwelling_code)? {
        Some(existing) => {
            if registry::update_dwelling(w, existing.id, &first.dwelling)? > 0 {
                report.dwellings_updated += 1;
            }
            existing.id
        }
        None => {
            report.dwellings_new += 1;
            registry::create_dwelling(w, &first.dwelling)?
        }
    };
    let household: HouseholdId = match registry::household_in_dwelling(w.conn(), dwelling)? {
        Some(h) => h,
        None => {
            report.households_new += 1;
            registry::create_household(w, dwelling, None)?
        }
    };
    let mut listed: Vec<PersonId> = Vec::new();
    for &(row, target) in rows {
        let person = apply_person(w, row, target, report)?;
        if let Some(&choice) = decided.get(&row.number) {
            record_decision(w, row.number, person, choice.is_some())?;
        }
        listed.push(person);
        let member = MemberInput {
            relationship: row.relationship,
            relationship_text: row.relationship_text.clone(),
            resident_since: None,
            tenant_of_record: row.relationship == Relationship::Intestatario,
        };
        match registry::current_membership(w.conn(), person)? {
            Some(m) if m.household == household => {
                let changed = w.update(
                    Table::Membership,
                    m.id.0,
                    &[
                        ("relationship", row.relationship.code().to_string().into()),
                        ("relationship_text", opt(member.relationship_text.clone())),
                        ("tenant_of_record", Value::Integer(member.tenant_of_record as i64)),
                    ],
                )?;
                if changed > 0 {
                    report.members_updated += 1;
                }
            }
            Some(m) => {
                registry::end_membership(w, m.id, today)?;
                registry::add_member(w, household, person, &member)?;
                report.members_moved += 1;
            }
            None => {
                registry::add_member(w, household, person, &member)?;
                report.members_added += 1;
            }
        }
    }
    let detail = registry::load_household(w.conn(), household)?;
    for member in detail.current_members().filter(|m| !listed.contains(&m.person.id)) {
        report.warnings.push(format!(
            "{} risulta nel nucleo di {} ma non è nel file: verifica se è uscito dal nucleo",
            member.person.full_name(),
            detail.dwelling.fields.address_line()
        ));
    }
    Ok(())
}

/// Records in the audit log the operator's answer to a doubt about who a row is.
fn record_decision(w: &mut Writer<'_>, row: usize, person: PersonId, same: bool) -> Result<()> {
    let detail = if same {
        format!("elenco importato, riga {row}: è la persona già registrata (scelta dell'operatore)")
    } else {
        format!("elenco importato, riga {row}: è una persona nuova, non quella già registrata (scelta dell'operatore)")
    };
    crate::audit::record_decision(w, (Table::Person, person.0), detail)
}

/// Writes the row's person: a new one, or the fields the file carries onto `target`; fields the
/// file does not carry (e-mail, ESF data) are left alone, and a name the file spells with fewer
/// letters (`Nguyen` for `Nguyễn`, `NICCOLO'` for `Niccolò`) keeps the spelling on record.
fn apply_person(
    w: &mut Writer<'_>,
    row: &Row,
    target: Option<PersonId>,
    report: &mut ImportReport,
) -> Result<PersonId> {
    let p = &row.person;
    let Some(target) = target else {
        report.people_new += 1;
        return registry::create_person(w, p);
    };
    let existing = registry::load_person(w.conn(), target)?;
    let mut columns: Vec<(&str, Value)> = Vec::new();
    if fold(&existing.surname) != fold(&p.surname) {
        columns.push(("surname", p.surname.clone().into()));
    }
    if fold(&existing.name) != fold(&p.name) {
        columns.push(("name", p.name.clone().into()));
    }
    if let Some(sex) = p.sex {
        columns.push(("sex", String::from(sex).into()));
    }
    if let Some(d) = p.birth_date {
        columns.push(("birth_date", d.to_string().into()));
    }
    if let Some(place) = &p.birth_place {
        if existing.birth_place.as_deref().map(fold) != Some(fold(place)) {
            columns.push(("birth_place", place.clone().into()));
        }
    }
    if let Some(code) = &p.codice_fiscale {
        if let Some(old) = existing.codice_fiscale.as_deref().filter(|old| old != code) {
            // Only an operator's decision (omocodia) gets here: said in the report, never silent.
            report.warnings.push(format!(
                "riga {}: il codice fiscale di {} passa da {old} a {code}, come hai scelto",
                row.number,
                existing.full_name()
            ));
        }
        columns.push(("codice_fiscale", code.clone().into()));
    }
    if p.phone.is_some() {
        columns.push(("phone", opt(p.phone.clone())));
    }
    if !columns.is_empty() && w.update(Table::Person, existing.id.0, &columns)? > 0 {
        report.people_updated += 1;
    } else {
        report.people_unchanged += 1;
    }
    Ok(existing.id)
}
