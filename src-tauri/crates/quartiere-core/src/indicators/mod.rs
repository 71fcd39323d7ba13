//! The project's indicators against its targets: computed from the records for any period, never
//! typed; month by month; the records behind each number; the ESF participants broken down by
//! gender and by the regulation's categories ([`esf`]); the targets themselves ([`targets`]).
//!
//! Each counted indicator is one SQL source that yields, for a period, one row per thing counted
//! (`key`) with the day it counts on: the number is the count of distinct keys, and the records
//! behind it are the same rows, labelled. The no-fault debt is a stock, measured on the last day.

pub mod esf;
pub mod targets;

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{params, Connection};

use crate::access::{self, Action};
use crate::arrears::monitor;
use crate::audit;
use crate::codes::IndicatorCode;
use crate::error::{Error, Result};
use crate::schema::Table;
use crate::store::{Actor, Store};

pub use targets::{Target, TargetDraft};

/// What an indicator counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Persone,
    Nuclei,
    Piani,
    Attivita,
    Contatti,
    Casi,
    /// Euro cents.
    Centesimi,
}

impl Unit {
    /// Counts of people or households: cells under 5 are suppressed where they leave the lab.
    pub fn counts_people(self) -> bool {
        matches!(self, Unit::Persone | Unit::Nuclei | Unit::Casi | Unit::Contatti)
    }
}

/// The kind of record an indicator's keys are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Person,
    Household,
    Plan,
    Activity,
    Contact,
    Case,
}

impl IndicatorCode {
    pub fn unit(self) -> Unit {
        use IndicatorCode::*;
        match self {
            FormazioneLavoro | PartecipantiFse => Unit::Persone,
            NucleiRaggiunti => Unit::Nuclei,
            PianiFirmati | PianiMonitorati => Unit::Piani,
            Eventi | Assemblee => Unit::Attivita,
            ContattiSportello => Unit::Contatti,
            PreseInCarico => Unit::Casi,
            DebitoIncolpevole => Unit::Centesimi,
        }
    }

    /// The target is a ceiling, not a floor (the debt must go down).
    pub fn lower_is_better(self) -> bool {
        self == IndicatorCode::DebitoIncolpevole
    }

    /// How the figure is made, in one Italian sentence (the dashboard's and the report's legend).
    pub fn definition(self) -> &'static str {
        use IndicatorCode::*;
        match self {
            FormazioneLavoro => "persone ammesse a un corso o a un percorso di ricerca lavoro in corso nel periodo",
            NucleiRaggiunti => "nuclei con almeno un contatto allo sportello, una presenza a un'attività, una presa in carico, un percorso di formazione o un piano di rientro nel periodo",
            PianiFirmati => "piani di rientro firmati nel periodo",
            PianiMonitorati => "piani di rientro in vigore in almeno un giorno del periodo",
            Eventi => "eventi di socialità svolti nel periodo",
            Assemblee => "assemblee tematiche svolte nel periodo",
            DebitoIncolpevole => "debito dei nuclei con morosità incolpevole accertata, all'ultimo giorno del periodo",
            ContattiSportello => "contatti registrati allo sportello nel periodo",
            PreseInCarico => "prese in carico aperte nel periodo",
            PartecipantiFse => "persone entrate nel periodo con una scheda partecipante FSE",
        }
    }

    fn subject(self) -> Subject {
        use IndicatorCode::*;
        match self {
            FormazioneLavoro | PartecipantiFse => Subject::Person,
            NucleiRaggiunti | DebitoIncolpevole => Subject::Household,
            PianiFirmati | PianiMonitorati => Subject::Plan,
            Eventi | Assemblee => Subject::Activity,
            ContattiSportello => Subject::Contact,
            PreseInCarico => Subject::Case,
        }
    }
}

/// A path (enrolment admitted, not left, course not ended) in course at some day of ?1..?2.
pub(crate) const IN_PATH: &str = "e.deleted = 0 AND k.deleted = 0 AND e.admitted_on IS NOT NULL AND e.admitted_on <= ?2
    AND (e.left_on IS NULL OR e.left_on >= ?1) AND (k.ends_on IS NULL OR k.ends_on >= ?1)";

/// The rows `(key, on_day)` an indicator counts in the period `?1..?2` (ISO dates).
fn source(code: IndicatorCode) -> Option<String> {
    use IndicatorCode::*;
    Some(match code {
        FormazioneLavoro => format!(
            "SELECT e.person_id AS key, max(e.admitted_on, ?1) AS on_day FROM enrolment e
               JOIN course k ON k.id = e.course_id JOIN person p ON p.id = e.person_id
              WHERE p.deleted = 0 AND {IN_PATH}"
        ),
        NucleiRaggiunti => format!(
            "WITH touch(person_id, household_id, on_day) AS (
               SELECT person_id, household_id, substr(occurred_at, 1, 10) FROM desk_contact
                WHERE deleted = 0 AND substr(occurred_at, 1, 10) BETWEEN ?1 AND ?2
               UNION ALL
               SELECT t.person_id, NULL, a.held_on FROM attendance t JOIN activity a ON a.id = t.activity_id
                WHERE t.deleted = 0 AND t.present = 1 AND a.deleted = 0 AND a.held_on BETWEEN ?1 AND ?2
               UNION ALL
               SELECT person_id, household_id, max(opened_on, ?1) FROM case_file
                WHERE deleted = 0 AND opened_on <= ?2 AND (closed_on IS NULL OR closed_on >= ?1)
               UNION ALL
               SELECT e.person_id, NULL, max(e.admitted_on, ?1) FROM enrolment e JOIN course k ON k.id = e.course_id
                WHERE {IN_PATH}
               UNION ALL
               SELECT NULL, household_id, max(signed_on, ?1) FROM repayment_plan
                WHERE deleted = 0 AND signed_on <= ?2 AND (closed_on IS NULL OR closed_on >= ?1)
             ),
             reached(household_id, on_day) AS (
               SELECT household_id, on_day FROM touch WHERE household_id IS NOT NULL
               UNION ALL
               SELECT m.household_id, t.on_day FROM touch t JOIN membership m ON m.person_id = t.person_id
                WHERE m.deleted = 0 AND (m.resident_since IS NULL OR m.resident_since <= t.on_day)
                  AND (m.left_on IS NULL OR m.left_on > t.on_day)
             )
             SELECT r.household_id AS key, r.on_day AS on_day FROM reached r
               JOIN household h ON h.id = r.household_id WHERE h.deleted = 0"
        ),
        PianiFirmati => {
            "SELECT id AS key, signed_on AS on_day FROM repayment_plan WHERE deleted = 0 AND signed_on BETWEEN ?1 AND ?2"
                .into()
        }
        PianiMonitorati => "SELECT id AS key, max(signed_on, ?1) AS on_day FROM repayment_plan
              WHERE deleted = 0 AND signed_on <= ?2 AND (closed_on IS NULL OR closed_on >= ?1)"
            .into(),
        Eventi => "SELECT id AS key, held_on AS on_day FROM activity
              WHERE deleted = 0 AND kind = 'evento' AND held_on BETWEEN ?1 AND ?2"
            .into(),
        Assemblee => "SELECT id AS key, held_on AS on_day FROM activity
              WHERE deleted = 0 AND kind = 'assemblea' AND held_on BETWEEN ?1 AND ?2"
            .into(),
        ContattiSportello => "SELECT id AS key, substr(occurred_at, 1, 10) AS on_day FROM desk_contact
              WHERE deleted = 0 AND substr(occurred_at, 1, 10) BETWEEN ?1 AND ?2"
            .into(),
        PreseInCarico => {
            "SELECT id AS key, opened_on AS on_day FROM case_file WHERE deleted = 0 AND opened_on BETWEEN ?1 AND ?2"
                .into()
        }
        PartecipantiFse => "SELECT f.person_id AS key, f.entry_on AS on_day FROM esf_participant f
              JOIN person p ON p.id = f.person_id WHERE f.deleted = 0 AND p.deleted = 0 AND f.entry_on BETWEEN ?1 AND ?2"
            .into(),
        DebitoIncolpevole => return None,
    })
}

/// A period, both days included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The period, or the Italian reason it is not one.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period> {
        if to < from {
            return Err(Error::invalid("al", "la fine del periodo viene prima del suo inizio"));
        }
        Ok(Period { from, to })
    }

    /// The calendar month `YYYY-MM`.
    pub fn month(text: &str) -> Result<Period> {
        let bad = || Error::invalid("mese", format!("«{text}» non è un mese: usa AAAA-MM, per esempio 2026-11"));
        let first = NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").map_err(|_| bad())?;
        let last = first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).ok_or_else(bad)?;
        Ok(Period { from: first, to: last })
    }

    /// `YYYY-MM` of the first day.
    pub fn month_code(self) -> String {
        self.from.format("%Y-%m").to_string()
    }

    /// The calendar months the period touches, each clipped to the period.
    pub fn months(self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut first = self.from.with_day(1).unwrap_or(self.from);
        while first <= self.to {
            let next = first.checked_add_months(Months::new(1)).unwrap_or(NaiveDate::MAX);
            let last = next.pred_opt().unwrap_or(next).min(self.to);
            out.push(Period { from: first.max(self.from), to: last });
            first = next;
        }
        out
    }
}

/// One month of an indicator: its value in that month alone (for the debt: on its last day).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MonthValue {
    /// `YYYY-MM`.
    pub month: String,
    pub value: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Indicator {
    pub code: IndicatorCode,
    pub label: String,
    pub definition: String,
    pub unit: Unit,
    pub lower_is_better: bool,
    /// Over the whole period (for the debt: on its last day).
    pub value: i64,
    /// For the debt, its value on the day before the period: the reduction is `start - value`.
    pub start: Option<i64>,
    /// Out of how many (households reached: of the households on record).
    pub of: Option<i64>,
    pub target: Option<Target>,
    /// Whether the value meets the target; `None` without a target.
    pub met: Option<bool>,
    pub months: Vec<MonthValue>,
}

/// The dashboard: every indicator for a period, and the ESF participants broken down.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Dashboard {
    pub period: Period,
    pub indicators: Vec<Indicator>,
    pub esf: esf::EsfBreakdown,
    /// Counts of people under 5 are hidden (`None`) in the ESF breakdown: the Comune's reader.
    pub suppressed: bool,
}

/// The indicators for `period`: aggregates only, any role; the Comune's reader sees the ESF
/// breakdown with counts under 5 hidden.
pub fn dashboard(store: &Store, actor: &Actor, period: Period) -> Result<Dashboard> {
    let role = access::require(store.conn(), actor, Action::ReadAggregates)?;
    let conn = store.conn();
    let suppressed = !access::allows(role, Action::ReadRegistry);
    let targets = targets::current(conn)?;
    let indicators = compute_all(conn, period, &targets)?;
    let mut esf = esf::breakdown(conn, period)?;
    if suppressed {
        esf.suppress();
    }
    Ok(Dashboard { period, indicators, esf, suppressed })
}

/// The project's first day on record (the earliest activity, contact, path, case or plan): where
/// the dashboard and the bundle's «dall'inizio» start. Aggregates: any role.
pub fn project_start(store: &Store, actor: &Actor) -> Result<Option<NaiveDate>> {
    access::require(store.conn(), actor, Action::ReadAggregates)?;
    crate::bundle::first_day(store.conn())
}

pub(crate) fn compute_all(conn: &Connection, period: Period, targets: &[Target]) -> Result<Vec<Indicator>> {
    let months = period.months();
    let debts = {
        let plans = monitor::all_plans(conn)?;
        let mut days: Vec<NaiveDate> = months.iter().map(|m| m.to).collect();
        days.push(period.from.pred_opt().unwrap_or(period.from));
        monitor::no_fault_debt_on(conn, &plans, &days)?
    };
    let households: i64 =
        conn.query_row("SELECT count(*) FROM household WHERE deleted = 0 AND dissolved_on IS NULL", [], |r| r.get(0))?;
    IndicatorCode::ALL
        .iter()
        .map(|&code| {
            let (value, start, by_month) = match source(code) {
                Some(sql) => {
                    let count = |p: Period| count(conn, &sql, p);
                    (count(period)?, None, months.iter().map(|&m| count(m)).collect::<Result<Vec<_>>>()?)
                }
                None => (debts[months.len() - 1], Some(debts[months.len()]), debts[..months.len()].to_vec()),
            };
            let target = targets.iter().find(|t| t.code == code).cloned();
            let met =
                target.as_ref().map(|t| if code.lower_is_better() { value <= t.target } else { value >= t.target });
            Ok(Indicator {
                code,
                label: code.label_it().to_string(),
                definition: code.definition().to_string(),
                unit: code.unit(),
                lower_is_better: code.lower_is_better(),
                value,
                start,
                of: (code == IndicatorCode::NucleiRaggiunti).then_some(households),
                target,
                met,
                months: months
                    .iter()
                    .zip(by_month)
                    .map(|(m, value)| MonthValue { month: m.month_code(), value })
                    .collect(),
            })
        })
        .collect()
}

fn count(conn: &Connection, sql: &str, p: Period) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!("SELECT count(DISTINCT key) FROM ({sql})"))?
        .query_row(params![p.from.to_string(), p.to.to_string()], |r| r.get(0))?)
}

/// One record behind a number.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordLine {
    pub subject: Subject,
    pub id: String,
    /// The first day in the period it counts on.
    pub on: Option<NaiveDate>,
    pub label: String,
}

/// The records behind an indicator's number for `period`, one per thing counted. They name
/// people: the registry's readers only, and the read is in the audit log.
pub fn records(store: &mut Store, actor: &Actor, code: IndicatorCode, period: Period) -> Result<Vec<RecordLine>> {
    let role = access::require(store.conn(), actor, Action::ReadRegistry)?;
    let lines = record_lines(store.conn(), code, period)?;
    audit::record_read(
        store,
        actor,
        role,
        (Table::Person, None),
        &format!("dettaglio dell'indicatore «{}» ({} righe)", code.label_it(), lines.len()),
    )?;
    Ok(lines)
}

pub(crate) fn record_lines(conn: &Connection, code: IndicatorCode, period: Period) -> Result<Vec<RecordLine>> {
    let subject = code.subject();
    let rows: Vec<(String, Option<String>)> = match source(code) {
        Some(sql) => conn
            .prepare(&format!("SELECT key, min(on_day) FROM ({sql}) GROUP BY key"))?
            .query_map(params![period.from.to_string(), period.to.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?,
        None => {
            // The households whose no-fault debt makes the figure.
            conn.prepare(
                "SELECT DISTINCT household_id, NULL FROM arrears_assessment WHERE deleted = 0 AND household_id IS NOT NULL",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
        }
    };
    let mut lines = rows
        .into_iter()
        .map(|(id, on)| {
            Ok(RecordLine { subject, label: label(conn, subject, &id)?, on: on.and_then(|d| d.parse().ok()), id })
        })
        .collect::<Result<Vec<_>>>()?;
    lines.sort_by(|a, b| (a.on, &a.label).cmp(&(b.on, &b.label)));
    Ok(lines)
}

fn label(conn: &Connection, subject: Subject, id: &str) -> Result<String> {
    let sql = match subject {
        Subject::Person => "SELECT trim(surname || ' ' || name) FROM person WHERE id = ?1",
        Subject::Household => {
            "SELECT trim(coalesce(d.street, '') || ' ' || coalesce(d.civic, '') || coalesce(', scala ' || d.scala, '')
                     || coalesce(', int. ' || d.interno, ''))
               FROM household h LEFT JOIN dwelling d ON d.id = h.dwelling_id WHERE h.id = ?1"
        }
        Subject::Plan => {
            "SELECT 'piano firmato il ' || strftime('%d/%m/%Y', p.signed_on) || ' · ' || trim(coalesce(d.street, '') || ' '
                     || coalesce(d.civic, '') || coalesce(', int. ' || d.interno, ''))
               FROM repayment_plan p LEFT JOIN household h ON h.id = p.household_id
               LEFT JOIN dwelling d ON d.id = h.dwelling_id WHERE p.id = ?1"
        }
        Subject::Activity => "SELECT title FROM activity WHERE id = ?1",
        Subject::Contact => {
            "SELECT 'contatto · ' || coalesce((SELECT trim(p.surname || ' ' || p.name) FROM person p WHERE p.id = c.person_id),
                     (SELECT trim(d.street || ' ' || d.civic) FROM household h JOIN dwelling d ON d.id = h.dwelling_id
                       WHERE h.id = c.household_id), '')
               FROM desk_contact c WHERE c.id = ?1"
        }
        Subject::Case => {
            "SELECT 'presa in carico · ' || coalesce((SELECT trim(p.surname || ' ' || p.name) FROM person p WHERE p.id = c.person_id),
                     (SELECT trim(d.street || ' ' || d.civic) FROM household h JOIN dwelling d ON d.id = h.dwelling_id
                       WHERE h.id = c.household_id), '')
               FROM case_file c WHERE c.id = ?1"
        }
    };
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(sql)?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .unwrap_or_default())
}
