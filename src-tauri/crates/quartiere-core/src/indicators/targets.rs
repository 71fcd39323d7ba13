//! The project's targets: data the coordinator edits, one current target per indicator. Setting a
//! target writes a new row, so the history of targets stays in the change record; the latest wins.

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::access::{self, Action};
use crate::codes::IndicatorCode;
use crate::draft::{code, date, given, money, text};
use crate::error::{Error, FieldError, Result};
use crate::registry::opt;
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Target {
    pub code: IndicatorCode,
    /// In the indicator's unit (euro cents for the debt).
    pub target: i64,
    /// The figure when the target was set (the seed's month-6 figures), if known.
    pub baseline: Option<i64>,
    pub due_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A target as typed: whole numbers, or euro (`12.345,67`) for the debt.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct TargetDraft {
    /// An [`IndicatorCode`].
    pub code: String,
    pub target: String,
    pub baseline: String,
    /// `gg/mm/aaaa`.
    pub due_on: String,
    pub note: String,
}

fn amount(field: &str, text: &str, cents: bool, errors: &mut Vec<FieldError>) -> Option<i64> {
    if cents {
        return money(field, text, errors);
    }
    let t = given(text)?;
    match t.replace('.', "").parse::<i64>() {
        Ok(n) if (0..=10_000_000).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(field, format!("«{t}» non è un numero intero non negativo")));
            None
        }
    }
}

impl TargetDraft {
    pub fn parse(&self) -> Result<Target> {
        let mut errors = Vec::new();
        let code = code(
            "indicatore",
            &self.code,
            "un indicatore",
            IndicatorCode::from_code,
            &IndicatorCode::codes_list(),
            &mut errors,
        );
        if given(&self.code).is_none() {
            errors.push(FieldError::new("indicatore", "scegli l'indicatore"));
        }
        let cents = code == Some(IndicatorCode::DebitoIncolpevole);
        let target = amount("obiettivo", &self.target, cents, &mut errors);
        if given(&self.target).is_none() {
            errors.push(FieldError::new("obiettivo", "scrivi il valore da raggiungere"));
        }
        let baseline = amount("valore_iniziale", &self.baseline, cents, &mut errors);
        let due_on = date("scadenza", &self.due_on, &mut errors);
        let note = text("nota", &self.note, &mut errors);
        match (code, target, errors.is_empty()) {
            (Some(code), Some(target), true) => Ok(Target { code, target, baseline, due_on, note }),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// The current target of every indicator that has one, in the indicators' order.
pub(crate) fn current(conn: &Connection) -> Result<Vec<Target>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT target, baseline, due_on, note FROM indicator_target WHERE code = ?1 AND deleted = 0
          ORDER BY id DESC LIMIT 1",
    )?;
    for &code in IndicatorCode::ALL {
        let mut rows = stmt.query([code.code()])?;
        if let Some(r) = rows.next()? {
            out.push(Target {
                code,
                target: r.get(0)?,
                baseline: r.get(1)?,
                due_on: r.get::<_, Option<String>>(2)?.and_then(|d| d.parse().ok()),
                note: r.get(3)?,
            });
        }
    }
    Ok(out)
}

/// The targets (aggregates: any role).
pub fn targets(store: &Store, actor: &Actor) -> Result<Vec<Target>> {
    access::require(store.conn(), actor, Action::ReadAggregates)?;
    current(store.conn())
}

/// Sets an indicator's target (a new row; the one before stays in the history).
pub fn set_target(w: &mut Writer<'_>, target: &Target) -> Result<()> {
    let id = w.new_id();
    w.insert(
        Table::IndicatorTarget,
        id,
        &[
            ("code", target.code.code().to_string().into()),
            ("target", target.target.into()),
            ("baseline", target.baseline.map(Into::into).unwrap_or(rusqlite::types::Value::Null)),
            ("due_on", opt(target.due_on.map(|d| d.to_string()))),
            ("note", opt(target.note.clone())),
            ("set_by", w.actor().operator.to_string().into()),
        ],
    )
}

/// Removes an indicator's target: the dashboard shows the figure with no target.
pub fn clear_target(w: &mut Writer<'_>, code: IndicatorCode) -> Result<()> {
    let ids: Vec<String> = w
        .conn()
        .prepare("SELECT id FROM indicator_target WHERE code = ?1 AND deleted = 0")?
        .query_map([code.code()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        let id = crate::store::parse_uuid(&id)?;
        w.update(Table::IndicatorTarget, id, &[("deleted", 1.into())])?;
    }
    Ok(())
}
