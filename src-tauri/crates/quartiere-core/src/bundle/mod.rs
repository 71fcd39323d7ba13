//! The monthly bundle to the Comune: one file a month that the Comune opens without Quartiere.
//!
//! Inside, in a folder `quartiere-AAAA-MM/`: the report (`rapporto.pdf`, from the
//! `rapporto-mensile` template), the data tables pseudonymised ([`tables`]) as CSV and as one XLSX
//! workbook, `manifest.json` (project, period, desk, the sync frontier, every file's SHA-256),
//! `manifest.sig` (the desk's Ed25519 signature of the manifest's bytes), `SHA256SUMS` (for
//! `sha256sum -c`) and `LEGGIMI.txt`. The folder is packed as a plain tar and encrypted in the
//! standard age format to the Comune's X25519 public keys: `age -d -i chiave.txt FILE | tar x`.
//!
//! Nothing is written until every recipient key is read; the file appears whole (written beside
//! and renamed) or not at all.

pub mod tables;
pub mod verify;

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::access::{self, Action};
use crate::audit::{self, AuditKind};
use crate::crypto::DeskSigner;
use crate::error::{Error, Result};
use crate::format;
use crate::indicators::{self, esf, Indicator, Period};
use crate::printing;
use crate::schema::Table;
use crate::store::{Actor, Store};
use tables::{DataTable, Pseudonyms};

/// The manifest's `formato`.
pub const FORMAT: &str = "quartiere-pacchetto-mensile/1";
/// A desk whose last bundle is older than this, on the day of the export, is named in a warning.
pub const STALE_DAYS: i64 = 14;
const SIGNING_SETTING: &str = "bundle.signing_seed";
/// The Comune's age public keys, one per line (a local setting of the desk that exports).
pub const RECIPIENTS_SETTING: &str = "bundle.recipients";
const PSEUDONYM_PURPOSE: &str = "pseudonimi";

/// What goes in, beyond the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Include {
    pub report: bool,
    pub csv: bool,
    pub xlsx: bool,
}

impl Default for Include {
    fn default() -> Include {
        Include { report: true, csv: true, xlsx: true }
    }
}

/// A bundle to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub month: Period,
    /// The project's first day, for the figures "since the start"; `None`: the first record's day.
    pub since: Option<NaiveDate>,
    pub include: Include,
    /// The coordinator's notes for the month, printed in the report (never about a person).
    pub note: Option<String>,
}

/// Where one desk's changes stand in this bundle.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FrontierLine {
    pub desk_id: String,
    pub name: String,
    pub this_desk: bool,
    /// The last bundle of that desk applied here (for this desk: published), and when it was written.
    pub last_seq: u32,
    pub last_bundle_at: Option<String>,
    /// Not heard from in [`STALE_DAYS`] days.
    pub stale: bool,
}

/// One table as the preview shows it: its first rows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TablePreview {
    pub file: String,
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total_rows: u32,
}

/// What the bundle will hold, before it is made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preview {
    pub month: String,
    pub since: NaiveDate,
    pub desk: String,
    pub files: Vec<String>,
    pub indicators: Vec<Indicator>,
    pub tables: Vec<TablePreview>,
    pub frontier: Vec<FrontierLine>,
    pub warnings: Vec<String>,
    /// The fingerprint of the key that signs this desk's bundles (the Comune may check it).
    pub signing_key: Option<String>,
}

/// A bundle written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exported {
    pub path: String,
    pub files: Vec<String>,
    pub recipients: u32,
    pub warnings: Vec<String>,
    pub signing_key: String,
}

/// The manifest, as written in `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub formato: String,
    pub id: String,
    pub progetto: String,
    pub finanziamento: String,
    pub mese: String,
    pub dal: NaiveDate,
    pub al: NaiveDate,
    pub dall_inizio: NaiveDate,
    pub postazione: String,
    pub postazione_id: String,
    pub creato_il: String,
    /// The desk's Ed25519 public key, base64.
    pub chiave_firma: String,
    pub frontiera: Vec<FrontierLine>,
    pub avvisi: Vec<String>,
    pub file: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ManifestFile {
    pub nome: String,
    pub sha256: String,
    pub byte: u64,
}

/// A key's fingerprint: the first 16 hex digits of its SHA-256, in groups of four.
pub fn fingerprint(public_key: &[u8]) -> String {
    let hex = hex(&Sha256::digest(public_key));
    hex.as_bytes()[..16].chunks(4).map(|c| std::str::from_utf8(c).unwrap_or("")).collect::<Vec<_>>().join("-")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The Comune's public keys as typed: one or more `age1…` keys, separated by lines, spaces or
/// commas. A wrong or missing key is an Italian error naming it.
pub fn parse_recipients(text: &str) -> Result<Vec<age::x25519::Recipient>> {
    let keys: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
        .collect();
    if keys.is_empty() {
        return Err(Error::invalid(
            "destinatari",
            "manca la chiave pubblica del Comune (age1…): chiedila all'ufficio e scrivila nelle impostazioni",
        ));
    }
    keys.iter()
        .map(|k| {
            k.parse::<age::x25519::Recipient>().map_err(|_| {
                let shown: String = k.chars().take(24).collect();
                Error::invalid(
                    "destinatari",
                    format!("«{shown}» non è una chiave pubblica age valida: deve iniziare con age1 ed essere copiata intera"),
                )
            })
        })
        .collect()
}

/// The Comune's public keys this desk encrypts to, as the coordinator typed them (blank: none yet).
pub fn recipients(store: &Store, actor: &Actor) -> Result<String> {
    access::require(store.conn(), actor, Action::ExportBundle)?;
    Ok(store.local_setting(RECIPIENTS_SETTING)?.unwrap_or_default())
}

/// Keeps the Comune's public keys for the next bundles, after checking every one: a wrong key
/// is refused naming it and the keys before stay. Returns how many keys there are.
pub fn set_recipients(store: &mut Store, actor: &Actor, text: &str) -> Result<usize> {
    access::require(store.conn(), actor, Action::ExportBundle)?;
    let parsed = parse_recipients(text)?;
    store.set_local_setting(RECIPIENTS_SETTING, text.trim())?;
    Ok(parsed.len())
}

/// The desk's signing key, made on first use (kept in the encrypted database, never synced).
fn signer(store: &mut Store) -> Result<DeskSigner> {
    if let Some(seed) = store.local_setting(SIGNING_SETTING)? {
        if let Some(seed) = crate::crypto::unb64(&seed) {
            return Ok(DeskSigner::from_seed(&seed));
        }
    }
    let signer = DeskSigner::generate();
    store.set_local_setting(SIGNING_SETTING, &crate::crypto::b64(&signer.seed()))?;
    Ok(signer)
}

/// The fingerprint of the key that signs this desk's bundles, if it has made one.
pub fn signing_fingerprint(store: &Store) -> Result<Option<String>> {
    Ok(store
        .local_setting(SIGNING_SETTING)?
        .and_then(|s| crate::crypto::unb64(&s))
        .map(|seed: [u8; 32]| fingerprint(&DeskSigner::from_seed(&seed).verifying_key())))
}

/// The lab's pseudonym key: the oldest row wins, so desks that made one each converge after sync.
fn pseudonym_key(conn: &Connection) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row(
            "SELECT value FROM lab_secret WHERE purpose = ?1 AND deleted = 0 AND value IS NOT NULL ORDER BY id LIMIT 1",
            [PSEUDONYM_PURPOSE],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok()))
}

fn ensure_pseudonym_key(store: &mut Store, actor: &Actor) -> Result<Vec<u8>> {
    if let Some(key) = pseudonym_key(store.conn())? {
        return Ok(key);
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    let now = store.now();
    store.write(actor, |w| {
        let id = w.new_id();
        w.insert(
            Table::LabSecret,
            id,
            &[
                ("purpose", PSEUDONYM_PURPOSE.to_string().into()),
                ("value", base64::engine::general_purpose::STANDARD.encode(key).into()),
                ("created_at", now.to_rfc3339().into()),
            ],
        )
    })?;
    Ok(key.to_vec())
}

/// Where every desk's changes stand here, and which desks are quiet.
fn frontier(store: &Store, today: NaiveDate) -> Result<Vec<FrontierLine>> {
    let conn = store.conn();
    let this = store.desk();
    let stale = |at: &Option<String>| {
        at.as_deref()
            .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
            .is_some_and(|a| (today - a.date_naive()).num_days() > STALE_DAYS)
    };
    let name: String = conn
        .query_row("SELECT name FROM desk WHERE id = ?1", [this], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| "questa postazione".into());
    let (seq, at): (i64, Option<String>) =
        conn.query_row("SELECT coalesce(max(seq), 0), max(created_at) FROM sync_published", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let mut out = vec![FrontierLine {
        desk_id: this.to_string(),
        name,
        this_desk: true,
        last_seq: seq as u32,
        last_bundle_at: at,
        stale: false,
    }];
    let mut stmt =
        conn.prepare("SELECT desk_id, name, last_seq, last_bundle_at FROM sync_peer ORDER BY name, desk_id")?;
    for row in stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?))
    })? {
        let (desk_id, name, last_seq, last_bundle_at) = row?;
        if desk_id == this.to_string() {
            continue;
        }
        let stale = last_bundle_at.is_none() || stale(&last_bundle_at);
        out.push(FrontierLine { desk_id, name, this_desk: false, last_seq: last_seq as u32, last_bundle_at, stale });
    }
    Ok(out)
}

fn warnings(frontier: &[FrontierLine]) -> Vec<String> {
    frontier
        .iter()
        .filter(|f| f.stale)
        .map(|f| match f.last_bundle_at.as_deref().and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok()) {
            Some(at) => format!(
                "la postazione «{}» non si sincronizza dal {}: le sue modifiche successive non sono nel pacchetto",
                f.name,
                format::date(at.date_naive())
            ),
            None => format!(
                "dalla postazione «{}» non è mai arrivato nulla: le sue modifiche non sono nel pacchetto",
                f.name
            ),
        })
        .collect()
}

/// The project's first day on record: the earliest activity, contact, path, case or plan.
pub(crate) fn first_day(conn: &Connection) -> Result<Option<NaiveDate>> {
    let day: Option<String> = conn.query_row(
        "SELECT min(d) FROM (
           SELECT min(held_on) AS d FROM activity WHERE deleted = 0
           UNION ALL SELECT min(substr(occurred_at, 1, 10)) FROM desk_contact WHERE deleted = 0
           UNION ALL SELECT min(admitted_on) FROM enrolment WHERE deleted = 0
           UNION ALL SELECT min(opened_on) FROM case_file WHERE deleted = 0
           UNION ALL SELECT min(signed_on) FROM repayment_plan WHERE deleted = 0)",
        [],
        |r| r.get(0),
    )?;
    Ok(day.and_then(|d| d.parse().ok()))
}

/// Everything the bundle says, computed once for the preview and the file.
struct Content {
    since: NaiveDate,
    month_indicators: Vec<Indicator>,
    to_date: Vec<Indicator>,
    breakdown: esf::EsfBreakdown,
    tables: Vec<DataTable>,
    frontier: Vec<FrontierLine>,
    warnings: Vec<String>,
}

fn content(store: &Store, request: &Request, names: &Pseudonyms) -> Result<Content> {
    let conn = store.conn();
    let month = request.month;
    let since = request.since.or(first_day(conn)?).unwrap_or(month.from).min(month.from);
    let targets = indicators::targets::current(conn)?;
    let month_indicators = indicators::compute_all(conn, month, &targets)?;
    let to_date = indicators::compute_all(conn, Period::new(since, month.to)?, &targets)?;
    let breakdown = esf::breakdown(conn, month)?;
    let tables = tables::tables(conn, month, &month_indicators, &to_date, &breakdown, names)?;
    let today = store.now().date_naive();
    let frontier = frontier(store, today)?;
    let warnings = warnings(&frontier);
    Ok(Content { since, month_indicators, to_date, breakdown, tables, frontier, warnings })
}

fn file_names(include: Include, tables: &[DataTable]) -> Vec<String> {
    let mut out = Vec::new();
    if include.report {
        out.push("rapporto.pdf".to_string());
    }
    if include.csv {
        out.extend(tables.iter().map(|t| format!("{}.csv", t.name)));
    }
    if include.xlsx {
        out.push("dati.xlsx".to_string());
    }
    out
}

/// What the bundle for `request` will hold. The pseudonyms in the preview are the bundle's own
/// once the lab has a pseudonym key; before the first export they are shown as «(da assegnare)».
pub fn preview(store: &Store, actor: &Actor, request: &Request) -> Result<Preview> {
    access::require(store.conn(), actor, Action::ExportBundle)?;
    let key = pseudonym_key(store.conn())?;
    let names = Pseudonyms::new(key.as_deref().unwrap_or(b"anteprima"));
    let c = content(store, request, &names)?;
    let desk: String = store
        .conn()
        .query_row("SELECT name FROM desk WHERE id = ?1", [store.desk()], |r| r.get(0))
        .optional()?
        .unwrap_or_default();
    let tables = c
        .tables
        .iter()
        .map(|t| TablePreview {
            file: format!("{}.csv", t.name),
            title: t.title.to_string(),
            header: t.header.iter().map(|h| h.to_string()).collect(),
            rows: t
                .rows
                .iter()
                .take(5)
                .map(|r| {
                    r.iter()
                        .map(|cell| match cell {
                            tables::Cell::Text(t) if key.is_none() && (t.starts_with("P-") || t.starts_with("N-")) => {
                                "(da assegnare)".to_string()
                            }
                            other => other.csv(),
                        })
                        .collect()
                })
                .collect(),
            total_rows: t.rows.len() as u32,
        })
        .collect();
    Ok(Preview {
        month: request.month.month_code(),
        since: c.since,
        desk,
        files: file_names(request.include, &c.tables),
        indicators: c.to_date,
        tables,
        frontier: c.frontier,
        warnings: c.warnings,
        signing_key: signing_fingerprint(store)?,
    })
}

/// Makes the bundle for `request`, encrypted to `recipients` (age public keys as typed), at `out`.
pub fn export(store: &mut Store, actor: &Actor, request: &Request, recipients: &str, out: &Path) -> Result<Exported> {
    access::require(store.conn(), actor, Action::ExportBundle)?;
    let keys = parse_recipients(recipients)?;
    let folder = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(Error::invalid("file", format!("la cartella {} non esiste", folder.display())));
    }
    if out.is_dir() {
        return Err(Error::invalid("file", format!("{} è una cartella: scegli il nome del file", out.display())));
    }
    let names = Pseudonyms::new(&ensure_pseudonym_key(store, actor)?);
    let signer = signer(store)?;
    let c = content(store, request, &names)?;
    let today = store.now().date_naive();
    let bundle_id = store.new_id();
    let doc_id = printing::short_id(&format!("PM-{}", request.month.month_code()), bundle_id);
    let (project, funder) = printing::heading(store)?;

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    if request.include.report {
        let data = report_data(&c, request, &project, &funder, &doc_id, today);
        files.push(("rapporto.pdf".into(), printing::render(store, "rapporto-mensile", &data, &doc_id, today)?));
    }
    if request.include.csv {
        for t in &c.tables {
            files.push((format!("{}.csv", t.name), tables::csv(t)?));
        }
    }
    if request.include.xlsx {
        files.push(("dati.xlsx".into(), tables::xlsx(&c.tables)?));
    }
    let manifest = Manifest {
        formato: FORMAT.into(),
        id: doc_id.clone(),
        progetto: project,
        finanziamento: funder,
        mese: request.month.month_code(),
        dal: request.month.from,
        al: request.month.to,
        dall_inizio: c.since,
        postazione: c.frontier.first().map(|f| f.name.clone()).unwrap_or_default(),
        postazione_id: store.desk().to_string(),
        creato_il: store.now().to_rfc3339(),
        chiave_firma: crate::crypto::b64(&signer.verifying_key()),
        frontiera: c.frontier.clone(),
        avvisi: c.warnings.clone(),
        file: files
            .iter()
            .map(|(name, bytes)| ManifestFile {
                nome: name.clone(),
                sha256: hex(&Sha256::digest(bytes)),
                byte: bytes.len() as u64,
            })
            .collect(),
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Document(e.to_string()))?;
    let signature = crate::crypto::b64(&signer.sign(&manifest_json));
    let sums: String = manifest.file.iter().map(|f| format!("{}  {}\n", f.sha256, f.nome)).collect();
    let readme = readme(&manifest, &fingerprint(&signer.verifying_key()));
    let dir = format!("quartiere-{}", manifest.mese);
    let mut all: Vec<(String, Vec<u8>)> = vec![
        ("LEGGIMI.txt".into(), readme.into_bytes()),
        ("manifest.json".into(), manifest_json),
        ("manifest.sig".into(), format!("{signature}\n").into_bytes()),
        ("SHA256SUMS".into(), sums.into_bytes()),
    ];
    all.extend(files);
    let tar = pack(&dir, &all, store.now().timestamp().max(0) as u64)?;
    let encrypted = encrypt(&tar, keys.clone())?;
    write_whole(out, &encrypted)?;
    audit::record(
        store,
        actor,
        AuditKind::Export,
        None,
        &format!(
            "pacchetto mensile {} per il Comune ({} file, cifrato per {} destinatari)",
            manifest.mese,
            manifest.file.len(),
            keys.len()
        ),
    )?;
    Ok(Exported {
        path: out.display().to_string(),
        files: manifest.file.iter().map(|f| f.nome.clone()).collect(),
        recipients: keys.len() as u32,
        warnings: c.warnings,
        signing_key: fingerprint(&signer.verifying_key()),
    })
}

fn readme(m: &Manifest, fingerprint: &str) -> String {
    format!(
        "Pacchetto mensile del laboratorio sociale di quartiere\r\n\
         {progetto}\r\n\
         Mese: {mese} (dal {dal} al {al}) · Postazione: {postazione} · Documento {id}\r\n\r\n\
         Contenuto: il rapporto del mese (rapporto.pdf) e le tabelle dei dati in CSV (separatore\r\n\
         punto e virgola, per Excel in italiano) e in un unico file Excel (dati.xlsx). Le tabelle\r\n\
         non contengono nomi, codici fiscali o note: ogni persona e ogni nucleo compaiono con uno\r\n\
         pseudonimo stabile da un mese all'altro; i conteggi di persone inferiori a 5 sono\r\n\
         indicati come «<5».\r\n\r\n\
         Verifica: manifest.json elenca ogni file con la sua impronta SHA-256 ed è firmato dalla\r\n\
         postazione (manifest.sig, Ed25519). Impronta della chiave di firma: {fingerprint}.\r\n\
         Con Quartiere: quartiere export verify FILE --identity CHIAVE. Senza: sha256sum -c SHA256SUMS.\r\n",
        progetto = m.progetto,
        mese = m.mese,
        dal = format::date(m.dal),
        al = format::date(m.al),
        postazione = m.postazione,
        id = m.id,
    )
}

/// A plain ustar archive of `files` under `dir/`.
fn pack(dir: &str, files: &[(String, Vec<u8>)], mtime: u64) -> Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, format!("{dir}/{name}"), bytes.as_slice())?;
    }
    Ok(builder.into_inner()?)
}

fn encrypt(plain: &[u8], recipients: Vec<age::x25519::Recipient>) -> Result<Vec<u8>> {
    let fail = |e: String| Error::Io(std::io::Error::other(format!("cifratura del pacchetto: {e}")));
    let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
        .map_err(|e| fail(e.to_string()))?;
    let mut out = Vec::with_capacity(plain.len() + 1024);
    let mut writer = encryptor.wrap_output(&mut out)?;
    writer.write_all(plain)?;
    writer.finish()?;
    Ok(out)
}

/// Writes `bytes` beside `path` and renames it there: the file is whole or absent.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut part = PathBuf::from(path);
    part.set_file_name(format!(
        ".{}.parziale",
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "pacchetto".into())
    ));
    let written = (|| {
        let mut f = std::fs::File::create(&part)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&part, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    Ok(written?)
}

fn unit_text(i: &Indicator, v: i64) -> String {
    match i.unit {
        indicators::Unit::Centesimi => format::money(v),
        _ => v.to_string(),
    }
}

/// A column's label: whole euro for money (the chart is narrow), the count otherwise.
fn chart_text(i: &Indicator, v: i64) -> String {
    match i.unit {
        indicators::Unit::Centesimi => {
            let euro = format::money((v + 50) / 100 * 100);
            euro.trim_end_matches(" EUR").trim_end_matches(",00").to_string() + " €"
        }
        _ => v.to_string(),
    }
}

const MONTHS: [&str; 12] = ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"];

fn report_data(
    c: &Content,
    request: &Request,
    project: &str,
    funder: &str,
    id: &str,
    today: NaiveDate,
) -> serde_json::Value {
    use serde_json::json;
    let month_label =
        format!("{} {}", format::MONTH_NAMES[request.month.from.month0() as usize], request.month.from.year());
    let indicators: Vec<serde_json::Value> = c
        .to_date
        .iter()
        .map(|i| {
            let in_month = c.month_indicators.iter().find(|m| m.code == i.code).map_or(0, |m| m.value);
            // The bar: how far the figure is towards the target (for the debt: how much of the
            // ceiling it still uses, drawn the other way).
            let share = i.target.as_ref().filter(|t| t.target > 0).map(|t| (i.value as f64 / t.target as f64).min(1.5));
            // The last twelve months of the trend.
            let months: Vec<serde_json::Value> = i
                .months
                .iter()
                .rev()
                .take(12)
                .rev()
                .map(|m| {
                    let number = m.month[5..].parse::<usize>().unwrap_or(1);
                    let hidden = i.unit.counts_people() && (1..5).contains(&m.value);
                    json!({
                        "mese": MONTHS[(number + 11) % 12],
                        "valore": if hidden { 0 } else { m.value },
                        "testo": if hidden { "<5".to_string() } else { chart_text(i, m.value) },
                    })
                })
                .collect();
            json!({
                "codice": i.code.code(),
                "etichetta": i.label,
                "definizione": i.definition,
                "mese": if i.unit == indicators::Unit::Centesimi { unit_text(i, in_month) } else if i.unit.counts_people() && (1..5).contains(&in_month) { "<5".into() } else { unit_text(i, in_month) },
                "totale": unit_text(i, i.value),
                "su": i.of.map(|o| o.to_string()).unwrap_or_default(),
                "obiettivo": i.target.as_ref().map(|t| unit_text(i, t.target)).unwrap_or_default(),
                "iniziale": i.target.as_ref().and_then(|t| t.baseline).map(|b| unit_text(i, b)).unwrap_or_default(),
                "raggiunto": match i.met { Some(true) => "sì", Some(false) => "no", None => "" },
                "quota": share,
                "al_ribasso": i.lower_is_better,
                "mesi": months,
            })
        })
        .collect();
    let mut esf = c.breakdown.clone();
    esf.suppress();
    let cell = |n: esf::Cell| n.map_or("<5".to_string(), |n| n.to_string());
    let esf_rows: Vec<serde_json::Value> = esf
        .rows
        .iter()
        .map(|r| json!({"gruppo": r.group, "descrizione": r.label, "donne": cell(r.women), "uomini": cell(r.men), "totale": cell(r.total)}))
        .collect();
    let activities: Vec<serde_json::Value> = c
        .tables
        .iter()
        .find(|t| t.name == "attivita")
        .map(|t| {
            t.rows
                .iter()
                .map(|r| {
                    let date = match &r[0] {
                        tables::Cell::Text(d) => d.parse::<NaiveDate>().map(format::date).unwrap_or_default(),
                        _ => String::new(),
                    };
                    json!({"data": date, "tipo": r[1].csv(), "titolo": r[3].csv().trim_start_matches('\'').to_string(), "invitati": r[6].csv(), "presenti": r[7].csv()})
                })
                .collect()
        })
        .unwrap_or_default();
    let frontier: Vec<serde_json::Value> = c
        .frontier
        .iter()
        .map(|f| {
            let at = f
                .last_bundle_at
                .as_deref()
                .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
                .map(|a| format::date(a.date_naive()))
                .unwrap_or_else(|| "mai".into());
            json!({"nome": f.name, "fino_al": at, "questa": f.this_desk, "ferma": f.stale})
        })
        .collect();
    json!({
        "progetto": project,
        "finanziamento": funder,
        "id": id,
        "mese": month_label,
        "dal": format::date(request.month.from),
        "al": format::date(request.month.to),
        "inizio": format::date(c.since),
        "data": format::date(today),
        "indicatori": indicators,
        "fse": esf_rows,
        "attivita": activities,
        "frontiera": frontier,
        "avvisi": c.warnings,
        "nota": request.note.clone().unwrap_or_default(),
    })
}
