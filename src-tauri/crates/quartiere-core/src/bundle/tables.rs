//! The bundle's data tables, pseudonymised: no name, no codice fiscale, no free text about a
//! person; people and households under keyed pseudonyms, stable from month to month; counts of
//! people under 5 hidden. Each table is written as CSV (Italian Excel's: semicolons, a BOM, CRLF,
//! no cell a spreadsheet would run as a formula) and as a sheet of one XLSX workbook.

use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use rusqlite::{params, Connection};
use sha2::Sha256;

use crate::arrears::monitor;
use crate::codes::{ActivityKind, AgeBand, Axis};
use crate::error::{Error, Result};
use crate::format;
use crate::indicators::{esf, Indicator, Period};
use crate::training::esf::age_band;

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Euro cents, written as euro.
    Euro(i64),
    /// A count of 1 to 4 people, hidden.
    Hidden,
    Empty,
}

impl Cell {
    fn count(n: i64, people: bool) -> Cell {
        if people && (1..5).contains(&n) {
            Cell::Hidden
        } else {
            Cell::Int(n)
        }
    }

    fn shown(c: esf::Cell) -> Cell {
        c.map_or(Cell::Hidden, |n| Cell::Int(n.into()))
    }

    fn text(t: impl Into<String>) -> Cell {
        Cell::Text(t.into())
    }

    fn yes(b: bool) -> Cell {
        Cell::text(if b { "sì" } else { "no" })
    }

    /// As a CSV cell.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(t) => format::spreadsheet_cell(t).into_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Euro(c) => format!("{}{},{:02}", if *c < 0 { "-" } else { "" }, c.abs() / 100, c.abs() % 100),
            Cell::Hidden => "<5".into(),
            Cell::Empty => String::new(),
        }
    }
}

/// A table: its file's name (without extension), the sheet's title, the header, the rows.
#[derive(Clone, Debug, PartialEq)]
pub struct DataTable {
    pub name: &'static str,
    pub title: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// The keyed pseudonyms: `P-` or `N-` and 10 base-32 characters of HMAC-SHA-256(secret, id).
pub struct Pseudonyms {
    key: Vec<u8>,
}

impl Pseudonyms {
    pub fn new(key: &[u8]) -> Pseudonyms {
        Pseudonyms { key: key.to_vec() }
    }

    fn make(&self, prefix: &str, id: &str) -> String {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(prefix.as_bytes());
        mac.update(b":");
        mac.update(id.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut bits: u64 = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        let code: String = (0..10)
            .map(|_| {
                let c = ALPHABET[(bits & 31) as usize] as char;
                bits >>= 5;
                c
            })
            .collect();
        format!("{prefix}-{code}")
    }

    pub fn person(&self, id: &str) -> String {
        self.make("P", id)
    }

    pub fn household(&self, id: &str) -> String {
        self.make("N", id)
    }
}

/// Every table of the bundle for `month`, with the indicators since the project's start (`since`).
pub(crate) fn tables(
    conn: &Connection,
    month: Period,
    month_indicators: &[Indicator],
    to_date: &[Indicator],
    breakdown: &esf::EsfBreakdown,
    names: &Pseudonyms,
) -> Result<Vec<DataTable>> {
    Ok(vec![
        indicators(month_indicators, to_date),
        monthly(to_date),
        esf_table(breakdown),
        activities(conn, month)?,
        people(conn, month, names)?,
        plans(conn, month, names)?,
    ])
}

fn value_cell(i: &Indicator, v: i64) -> Cell {
    match i.unit {
        crate::indicators::Unit::Centesimi => Cell::Euro(v),
        _ => Cell::Int(v),
    }
}

fn indicators(month: &[Indicator], to_date: &[Indicator]) -> DataTable {
    let rows = to_date
        .iter()
        .map(|i| {
            let in_month = month.iter().find(|m| m.code == i.code).map(|m| m.value).unwrap_or(0);
            vec![
                Cell::text(i.code.code()),
                Cell::text(i.label.clone()),
                Cell::text(i.definition.clone()),
                value_cell(i, in_month),
                value_cell(i, i.value),
                i.target.as_ref().map_or(Cell::Empty, |t| value_cell(i, t.target)),
                i.target.as_ref().and_then(|t| t.baseline).map_or(Cell::Empty, |b| value_cell(i, b)),
                i.met.map_or(Cell::Empty, Cell::yes),
                i.of.map_or(Cell::Empty, Cell::Int),
            ]
        })
        .collect();
    DataTable {
        name: "indicatori",
        title: "Indicatori",
        header: vec![
            "codice",
            "indicatore",
            "definizione",
            "nel_mese",
            "dall_inizio",
            "obiettivo",
            "valore_iniziale",
            "obiettivo_raggiunto",
            "su_totale",
        ],
        rows,
    }
}

fn monthly(to_date: &[Indicator]) -> DataTable {
    let rows = to_date
        .iter()
        .flat_map(|i| {
            i.months.iter().map(move |m| {
                let value = match i.unit {
                    crate::indicators::Unit::Centesimi => Cell::Euro(m.value),
                    unit => Cell::count(m.value, unit.counts_people()),
                };
                vec![Cell::text(i.code.code()), Cell::text(m.month.clone()), value]
            })
        })
        .collect();
    DataTable { name: "indicatori_mensili", title: "Andamento mensile", header: vec!["codice", "mese", "valore"], rows }
}

fn esf_table(breakdown: &esf::EsfBreakdown) -> DataTable {
    let mut b = breakdown.clone();
    b.suppress();
    let rows = b
        .rows
        .iter()
        .map(|r| {
            vec![
                Cell::text(r.group.clone()),
                Cell::text(r.category.clone()),
                Cell::text(r.label.clone()),
                Cell::shown(r.women),
                Cell::shown(r.men),
                Cell::shown(r.total),
            ]
        })
        .collect();
    DataTable {
        name: "partecipanti_fse",
        title: "Partecipanti FSE",
        header: vec!["gruppo", "categoria", "descrizione", "donne", "uomini", "totale"],
        rows,
    }
}

fn activities(conn: &Connection, month: Period) -> Result<DataTable> {
    let rows = conn
        .prepare(
            "SELECT a.held_on, a.kind, a.axis, a.title, a.starts_at, a.ends_at,
                    (SELECT count(*) FROM invitation i WHERE i.activity_id = a.id AND i.deleted = 0),
                    (SELECT count(DISTINCT t.person_id) FROM attendance t WHERE t.activity_id = a.id AND t.deleted = 0 AND t.present = 1)
               FROM activity a WHERE a.deleted = 0 AND a.held_on BETWEEN ?1 AND ?2 ORDER BY a.held_on, a.starts_at, a.title",
        )?
        .query_map(params![month.from.to_string(), month.to.to_string()], |r| {
            let kind: String = r.get(1)?;
            let axis: Option<String> = r.get(2)?;
            Ok(vec![
                Cell::text(r.get::<_, Option<String>>(0)?.unwrap_or_default()),
                Cell::text(ActivityKind::from_code(&kind).map_or(kind.clone(), |k| k.label_it().to_string())),
                Cell::text(axis.as_deref().and_then(Axis::from_code).map(|a| a.label_it()).unwrap_or_default()),
                Cell::text(r.get::<_, String>(3)?),
                Cell::text(r.get::<_, Option<String>>(4)?.unwrap_or_default()),
                Cell::text(r.get::<_, Option<String>>(5)?.unwrap_or_default()),
                Cell::count(r.get(6)?, true),
                Cell::count(r.get(7)?, true),
            ])
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(DataTable {
        name: "attivita",
        title: "Attività del mese",
        header: vec!["data", "tipo", "asse", "titolo", "inizio", "fine", "invitati", "presenti"],
        rows,
    })
}

/// One row per person the lab worked with in the month, under their pseudonym.
fn people(conn: &Connection, month: Period, names: &Pseudonyms) -> Result<DataTable> {
    let range = params![month.from.to_string(), month.to.to_string()];
    let sql = format!(
        "WITH reached(person_id) AS (
           SELECT person_id FROM desk_contact WHERE deleted = 0 AND person_id IS NOT NULL
              AND substr(occurred_at, 1, 10) BETWEEN ?1 AND ?2
           UNION SELECT t.person_id FROM attendance t JOIN activity a ON a.id = t.activity_id
            WHERE t.deleted = 0 AND t.present = 1 AND a.deleted = 0 AND a.held_on BETWEEN ?1 AND ?2
           UNION SELECT e.person_id FROM enrolment e JOIN course k ON k.id = e.course_id WHERE {in_path}
           UNION SELECT person_id FROM case_file WHERE deleted = 0 AND person_id IS NOT NULL
              AND opened_on <= ?2 AND (closed_on IS NULL OR closed_on >= ?1)
         )
         SELECT p.id, p.sex, p.birth_date,
                (SELECT m.household_id FROM membership m WHERE m.person_id = p.id AND m.deleted = 0
                   AND (m.resident_since IS NULL OR m.resident_since <= ?2) AND (m.left_on IS NULL OR m.left_on > ?2)
                 ORDER BY m.resident_since DESC LIMIT 1),
                (SELECT count(*) FROM desk_contact c WHERE c.person_id = p.id AND c.deleted = 0
                   AND substr(c.occurred_at, 1, 10) BETWEEN ?1 AND ?2),
                (SELECT count(*) FROM attendance t JOIN activity a ON a.id = t.activity_id WHERE t.person_id = p.id
                   AND t.deleted = 0 AND t.present = 1 AND a.deleted = 0 AND a.held_on BETWEEN ?1 AND ?2),
                EXISTS (SELECT 1 FROM enrolment e JOIN course k ON k.id = e.course_id WHERE e.person_id = p.id AND {in_path}),
                EXISTS (SELECT 1 FROM case_file c WHERE c.person_id = p.id AND c.deleted = 0
                   AND c.opened_on <= ?2 AND (c.closed_on IS NULL OR c.closed_on >= ?1)),
                EXISTS (SELECT 1 FROM esf_participant f WHERE f.person_id = p.id AND f.deleted = 0)
           FROM reached r JOIN person p ON p.id = r.person_id WHERE p.deleted = 0 AND p.erased_on IS NULL",
        in_path = crate::indicators::IN_PATH
    );
    let mut rows: Vec<Vec<Cell>> = conn
        .prepare(&sql)?
        .query_map(range, |r| {
            let sex: Option<String> = r.get(1)?;
            let birth: Option<String> = r.get(2)?;
            let band = birth.and_then(|b| b.parse::<NaiveDate>().ok()).map(|b| age_band(b, month.to));
            Ok(vec![
                Cell::text(names.person(&r.get::<_, String>(0)?)),
                r.get::<_, Option<String>>(3)?.map_or(Cell::Empty, |h| Cell::text(names.household(&h))),
                Cell::text(sex.unwrap_or_default()),
                Cell::text(band.map(AgeBand::code).unwrap_or_default()),
                Cell::Int(r.get(4)?),
                Cell::Int(r.get(5)?),
                Cell::yes(r.get(6)?),
                Cell::yes(r.get(7)?),
                Cell::yes(r.get(8)?),
            ])
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Ordered by pseudonym: no order that follows the registry's.
    rows.sort_by(|a, b| a[0].csv().cmp(&b[0].csv()));
    Ok(DataTable {
        name: "persone",
        title: "Persone (pseudonimi)",
        header: vec![
            "pseudonimo",
            "nucleo",
            "sesso",
            "fascia_eta",
            "contatti_sportello",
            "presenze_attivita",
            "in_percorso_formazione_lavoro",
            "presa_in_carico",
            "partecipante_fse",
        ],
        rows,
    })
}

/// The repayment plans in force in the month, by household pseudonym, as on its last day.
fn plans(conn: &Connection, month: Period, names: &Pseudonyms) -> Result<DataTable> {
    let day = month.to;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for p in monitor::all_plans(conn)? {
        if p.signed_on > day || p.closed_on.is_some_and(|c| c < month.from) {
            continue;
        }
        let c = p.compute(day);
        let total: i64 = c.schedule.iter().map(|i| i.amount).sum();
        let late = c.allocation.instalments.iter().filter(|a| a.overdue_on(day)).count() as i64;
        rows.push(vec![
            Cell::text(names.household(&p.household.to_string())),
            Cell::text(format!("{:04}-{:02}", p.signed_on.year(), p.signed_on.month())),
            Cell::text(c.standing.status.label_it()),
            Cell::Euro(total),
            Cell::Euro(c.allocation.paid),
            Cell::Euro((total - c.allocation.paid).max(0)),
            Cell::Int(c.allocation.instalments.len() as i64),
            Cell::Int(late),
        ]);
    }
    rows.sort_by(|a, b| a[0].csv().cmp(&b[0].csv()));
    Ok(DataTable {
        name: "piani_rientro",
        title: "Piani di rientro",
        header: vec![
            "nucleo",
            "firmato_nel_mese",
            "stato",
            "totale_euro",
            "versato_euro",
            "residuo_euro",
            "rate",
            "rate_scadute_non_pagate",
        ],
        rows,
    })
}

/// The table as CSV for Italian Excel: UTF-8 with a BOM, semicolons, CRLF.
pub fn csv(table: &DataTable) -> Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(&table.header).map_err(|e| Error::Io(e.into()))?;
        for row in &table.rows {
            w.write_record(row.iter().map(Cell::csv)).map_err(|e| Error::Io(e.into()))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// Every table as a sheet of one workbook.
pub fn xlsx(tables: &[DataTable]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| Error::Document(format!("foglio di calcolo: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let euro = Format::new().set_num_format("#,##0.00");
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(table.title).map_err(fail)?;
        for (c, h) in table.header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(fail)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    // Strings are written as strings: a spreadsheet never runs them.
                    Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                    Cell::Int(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Euro(cents) => sheet.write_number_with_format(r, c, *cents as f64 / 100.0, &euro).map(|_| ()),
                    Cell::Hidden => sheet.write_string(r, c, "<5").map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(fail)?;
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}
