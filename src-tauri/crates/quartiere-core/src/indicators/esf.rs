//! The ESF participants of a period broken down by gender and by the regulation's categories
//! (Reg. EU 1304/2013 Annex I): age band, labour-market status and education at entry, the
//! disadvantages declared (refusals counted apart), and the result within four weeks of exit.

use rusqlite::{params, Connection};

use super::Period;
use crate::codes::{AgeBand, EsfAnswer, Isced, LabourStatus, ResultAtExit};
use crate::error::Result;

/// A count of people, `None` where it is 1 to 4 and hidden.
pub type Cell = Option<u32>;

/// One category: women, men, total (people whose gender is not recorded count in the total only).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EsfRow {
    /// The group's Italian title ("Età all'ingresso").
    pub group: String,
    /// The category's code (`meno_di_25`) and label.
    pub category: String,
    pub label: String,
    pub women: Cell,
    pub men: Cell,
    pub total: Cell,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EsfBreakdown {
    /// Everyone who entered in the period (the first row), then the categories.
    pub rows: Vec<EsfRow>,
}

/// Hides a count of 1 to 4.
pub fn hide_small(n: u32) -> Cell {
    (n == 0 || n >= 5).then_some(n)
}

impl EsfBreakdown {
    /// Hides every count of 1 to 4.
    pub fn suppress(&mut self) {
        for row in &mut self.rows {
            for cell in [&mut row.women, &mut row.men, &mut row.total] {
                *cell = cell.and_then(hide_small);
            }
        }
    }
}

struct Entry {
    sex: Option<String>,
    age_band: Option<String>,
    labour: Option<String>,
    isced: Option<String>,
    answers: [Option<String>; 5],
    exit_in_period: bool,
    result_exit: Option<String>,
    entered: bool,
}

/// The breakdown of the participants who entered in `period` (exits: those who left in it).
pub(crate) fn breakdown(conn: &Connection, period: Period) -> Result<EsfBreakdown> {
    let entries: Vec<Entry> = conn
        .prepare_cached(
            "SELECT f.sex, f.age_band, f.labour_status, f.isced, f.migrant, f.disability, f.other_disadvantage,
                    f.homeless, f.rural, f.exit_on BETWEEN ?1 AND ?2, f.result_exit, f.entry_on BETWEEN ?1 AND ?2
               FROM esf_participant f JOIN person p ON p.id = f.person_id
              WHERE f.deleted = 0 AND p.deleted = 0
                AND (f.entry_on BETWEEN ?1 AND ?2 OR f.exit_on BETWEEN ?1 AND ?2)",
        )?
        .query_map(params![period.from.to_string(), period.to.to_string()], |r| {
            Ok(Entry {
                sex: r.get(0)?,
                age_band: r.get(1)?,
                labour: r.get(2)?,
                isced: r.get(3)?,
                answers: [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
                exit_in_period: r.get::<_, Option<bool>>(9)?.unwrap_or(false),
                result_exit: r.get(10)?,
                entered: r.get::<_, Option<bool>>(11)?.unwrap_or(false),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Who entered before the period and left in it counts among the exits only.
    let entered: Vec<&Entry> = entries.iter().filter(|e| e.entered).collect();
    let mut rows = Vec::new();
    let row = |group: &str, category: &str, label: &str, people: &mut dyn Iterator<Item = &&Entry>| {
        let (mut women, mut men, mut total) = (0, 0, 0);
        for e in people {
            total += 1;
            match e.sex.as_deref() {
                Some("F") => women += 1,
                Some("M") => men += 1,
                _ => {}
            }
        }
        EsfRow {
            group: group.into(),
            category: category.into(),
            label: label.into(),
            women: Some(women),
            men: Some(men),
            total: Some(total),
        }
    };
    rows.push(row("Totale", "totale", "Partecipanti entrati nel periodo", &mut entered.iter()));
    for b in AgeBand::ALL {
        rows.push(row(
            "Età all'ingresso",
            b.code(),
            b.label_it(),
            &mut entered.iter().filter(|e| e.age_band.as_deref() == Some(b.code())),
        ));
    }
    for s in LabourStatus::ALL {
        rows.push(row(
            "Condizione occupazionale all'ingresso",
            s.code(),
            s.label_it(),
            &mut entered.iter().filter(|e| e.labour.as_deref() == Some(s.code())),
        ));
    }
    for l in Isced::ALL {
        rows.push(row(
            "Istruzione",
            l.code(),
            l.label_it(),
            &mut entered.iter().filter(|e| e.isced.as_deref() == Some(l.code())),
        ));
    }
    let questions = [
        ("migrante", "Migranti, origine straniera, minoranze"),
        ("disabilita", "Persone con disabilità"),
        ("altro_svantaggio", "Altre persone svantaggiate"),
        ("senza_dimora", "Senza dimora o in esclusione abitativa"),
        ("area_rurale", "Residenti in aree rurali"),
    ];
    for (i, (code, label)) in questions.iter().enumerate() {
        let yes = EsfAnswer::Si.code();
        let refused = EsfAnswer::NonRisponde.code();
        rows.push(row(
            "Svantaggi dichiarati",
            code,
            label,
            &mut entered.iter().filter(|e| e.answers[i].as_deref() == Some(yes)),
        ));
        rows.push(row(
            "Svantaggi dichiarati",
            &format!("{code}_non_risponde"),
            &format!("{label}: preferisce non rispondere"),
            &mut entered.iter().filter(|e| e.answers[i].as_deref() == Some(refused)),
        ));
    }
    let exits: Vec<&Entry> = entries.iter().filter(|e| e.exit_in_period).collect();
    rows.push(row("Uscite", "uscite", "Partecipanti usciti nel periodo", &mut exits.iter()));
    for r in ResultAtExit::ALL {
        rows.push(row(
            "Risultato entro 4 settimane dall'uscita",
            r.code(),
            r.label_it(),
            &mut exits.iter().filter(|e| e.result_exit.as_deref() == Some(r.code())),
        ));
    }
    Ok(EsfBreakdown { rows })
}
