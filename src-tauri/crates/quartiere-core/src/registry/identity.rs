//! Who a row of a list is: the identity rules of ARCHITECTURE.md ("Who a person is").
//!
//! - A valid codice fiscale is the identity: a row with one is the person who has it, or a new
//!   person. A row never gives its code to someone who has another one.
//! - Without a codice fiscale a row is an existing person only on the name folded as search folds
//!   it (spaces, case, accents, apostrophes written for accents, letters that do not decompose)
//!   and the birth date.
//! - A match that is not certain is a [`Doubt`], never applied: a code that differs only by
//!   omocodia; a namesake born the same day recorded without a code (or, for a row without a
//!   code, with one) who lives elsewhere; a birth date missing on either side; two candidates.
//!   The operator decides (same person or a new one), and the decision is recorded.
//! - Certain: the one namesake already living in the row's dwelling whose birth date does not
//!   contradict the row (and, for a row with a code, who has none yet); or, for a row without a
//!   code, the one namesake born the same day recorded without a code.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::cf;
use crate::error::Result;
use crate::ids::PersonId;
use crate::text::fold;

/// Why a row's identity is left to the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Doubt {
    /// A person is recorded with a codice fiscale that differs from the row's only by omocodia.
    Omocodia,
    /// A namesake born the same day is recorded without a codice fiscale and lives elsewhere.
    NamesakeWithoutCode,
    /// The row has no codice fiscale; the namesake born the same day has one and lives elsewhere.
    NamesakeWithCode,
    /// The row or the namesake has no birth date: the name alone does not make a person.
    NoBirthDate,
    /// More than one recorded person could be the row.
    SeveralCandidates,
}

impl Doubt {
    /// The doubt, in Italian, for the import report.
    pub fn reason(self) -> &'static str {
        match self {
            Doubt::Omocodia => "un codice fiscale registrato differisce da questo solo per omocodia",
            Doubt::NamesakeWithoutCode => {
                "una persona con lo stesso nome e la stessa data di nascita è registrata senza codice fiscale e abita altrove"
            }
            Doubt::NamesakeWithCode => {
                "la riga non ha codice fiscale; una persona con lo stesso nome e la stessa data di nascita ne ha uno e abita altrove"
            }
            Doubt::NoBirthDate => "manca la data di nascita: il solo nome non basta a dire che è la stessa persona",
            Doubt::SeveralCandidates => "più persone registrate potrebbero essere questa",
        }
    }
}

/// A recorded person a row could be, as the operator sees them to decide.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Candidate {
    pub person: PersonId,
    pub surname: String,
    pub name: String,
    /// `M`, `F`, or not given: the words said of them agree with it.
    pub sex: Option<char>,
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<String>,
    pub codice_fiscale: Option<String>,
    /// The code of the dwelling whose household they belong to now, if any.
    pub dwelling_code: Option<String>,
    /// Its address, for the operator.
    pub lives_at: Option<String>,
}

/// What a row claims about a person.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub surname: &'a str,
    pub name: &'a str,
    /// The row's birth date, or the one its codice fiscale gives.
    pub birth_date: Option<NaiveDate>,
    pub codice_fiscale: Option<&'a str>,
    pub dwelling_code: &'a str,
}

/// Who a row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Certainly this recorded person.
    Known(PersonId),
    /// Nobody recorded: a new person.
    New,
    /// Not certain: the operator decides among these.
    Doubtful(Doubt, Vec<Candidate>),
}

/// The people of the registry, indexed the ways the rules look them up. Loaded once per import
/// (one query), so a list of any length is checked without a query per row.
#[derive(Debug, Default)]
pub struct Registry {
    people: Vec<Candidate>,
    by_code: HashMap<String, usize>,
    by_base: HashMap<String, Vec<usize>>,
    by_name: HashMap<(String, String), Vec<usize>>,
}

impl Registry {
    pub fn load(conn: &Connection) -> Result<Registry> {
        let mut stmt = conn.prepare(
            "SELECT p.id, p.surname, p.name, p.sex, p.birth_date, p.birth_place, p.codice_fiscale, d.code,
                    d.street || ' ' || d.civic
             FROM person p
             LEFT JOIN membership m ON m.person_id = p.id AND m.left_on IS NULL AND m.deleted = 0
             LEFT JOIN household h ON h.id = m.household_id
             LEFT JOIN dwelling d ON d.id = h.dwelling_id
             WHERE p.deleted = 0 AND p.erased_on IS NULL
             ORDER BY p.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Candidate {
                person: r.get(0)?,
                surname: r.get(1)?,
                name: r.get(2)?,
                sex: r.get::<_, Option<String>>(3)?.and_then(|s| s.chars().next()),
                birth_date: r.get::<_, Option<String>>(4)?.and_then(|s| s.parse().ok()),
                birth_place: r.get(5)?,
                codice_fiscale: r.get(6)?,
                dwelling_code: r.get(7)?,
                lives_at: r.get(8)?,
            })
        })?;
        let mut registry = Registry::default();
        for candidate in rows {
            let candidate = candidate?;
            // A person with two open memberships (only possible through concurrent edits at two
            // desks) is listed once, at the first.
            if registry.people.last().is_some_and(|p| p.person == candidate.person) {
                continue;
            }
            registry.add(candidate);
        }
        Ok(registry)
    }

    fn add(&mut self, candidate: Candidate) {
        let index = self.people.len();
        if let Some(code) = &candidate.codice_fiscale {
            self.by_code.insert(code.clone(), index);
            self.by_base.entry(cf::base_form(code)).or_default().push(index);
        }
        self.by_name.entry(name_key(&candidate.surname, &candidate.name)).or_default().push(index);
        self.people.push(candidate);
    }

    /// The recorded person with this id, as a candidate.
    pub fn get(&self, person: PersonId) -> Option<&Candidate> {
        self.people.iter().find(|p| p.person == person)
    }

    /// Who `claim` is, by the rules at the top of this module.
    pub fn identify(&self, claim: &Claim<'_>) -> Identity {
        let namesakes: Vec<&Candidate> = self
            .by_name
            .get(&name_key(claim.surname, claim.name))
            .into_iter()
            .flatten()
            .map(|&i| &self.people[i])
            .filter(|p| births_agree(p.birth_date, claim.birth_date))
            .collect();
        let lives_here = |p: &Candidate| p.dwelling_code.as_deref() == Some(claim.dwelling_code);
        let same_day = |p: &Candidate| p.birth_date.is_some() && p.birth_date == claim.birth_date;
        let ask = |doubt: Doubt, found: Vec<&Candidate>| {
            let doubt = if found.len() > 1 { Doubt::SeveralCandidates } else { doubt };
            Identity::Doubtful(doubt, found.into_iter().cloned().collect())
        };
        if let Some(code) = claim.codice_fiscale {
            if let Some(&i) = self.by_code.get(code) {
                return Identity::Known(self.people[i].person);
            }
            let omocodes: Vec<&Candidate> =
                self.by_base.get(&cf::base_form(code)).into_iter().flatten().map(|&i| &self.people[i]).collect();
            if !omocodes.is_empty() {
                return ask(Doubt::Omocodia, omocodes);
            }
            // A namesake with another code is another person; one without a code may be this one.
            let uncoded: Vec<&Candidate> = namesakes.into_iter().filter(|p| p.codice_fiscale.is_none()).collect();
            return match uncoded.as_slice() {
                [] => Identity::New,
                // Already in the row's dwelling, with no birth date against it: the row gives it its code.
                [one] if lives_here(one) => Identity::Known(one.person),
                [one] if !same_day(one) => ask(Doubt::NoBirthDate, uncoded),
                _ => ask(Doubt::NamesakeWithoutCode, uncoded),
            };
        }
        // One namesake already in the row's dwelling is the row, however many live elsewhere.
        if let [one] = namesakes.iter().filter(|p| lives_here(p)).collect::<Vec<_>>().as_slice() {
            return Identity::Known(one.person);
        }
        match namesakes.as_slice() {
            [] => Identity::New,
            [one] if same_day(one) && one.codice_fiscale.is_none() => Identity::Known(one.person),
            [one] if !same_day(one) => ask(Doubt::NoBirthDate, namesakes),
            _ => ask(Doubt::NamesakeWithCode, namesakes),
        }
    }
}

/// Two birth dates that do not contradict each other: equal, or one of them unknown.
fn births_agree(a: Option<NaiveDate>, b: Option<NaiveDate>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// A name as the rules compare it: surname and name folded as search folds them.
pub fn name_key(surname: &str, name: &str) -> (String, String) {
    (fold(surname).replace(' ', ""), fold(name).replace(' ', ""))
}
