//! The registry: desks and operators, dwellings, households with their members over time, people,
//! partner organisations.

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::access::{self, Action};
use crate::audit;
use crate::cf;
use crate::codes::{EsfAnswer, Isced, LabourStatus, PartnerKind, Relationship};
use crate::error::{Error, FieldError, Result};
use crate::ids::{DwellingId, HouseholdId, MembershipId, PartnerContactId, PartnerId, PersonId};
use crate::schema::Table;
use crate::store::{Actor, Store, Writer};

mod draft;
pub mod duplicates;
pub mod identity;
pub use draft::{DwellingDraft, MembershipDraft, PersonDraft};

// ---------------------------------------------------------------------------------------------
// Desks and operators

// Desks and operators are named where their roles are kept, a floor below; the registry lists
// them with the rest.
pub use crate::access::{desk_name, operator_name};

// ---------------------------------------------------------------------------------------------
// People

/// The ESF participant fields (Reg. EU 1304/2013 Annex I). All optional: the sensitive ones may
/// be refused, and most people in the registry never enter an ESF path.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EsfFields {
    pub labour_status: Option<LabourStatus>,
    pub isced: Option<Isced>,
    pub migrant: Option<EsfAnswer>,
    pub disability: Option<EsfAnswer>,
    pub other_disadvantage: Option<EsfAnswer>,
    pub homeless: Option<EsfAnswer>,
    pub rural: Option<EsfAnswer>,
}

/// A person as entered on a form or read from an import row, before validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonInput {
    pub surname: String,
    pub name: String,
    pub sex: Option<char>,
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<String>,
    pub codice_fiscale: Option<String>,
    pub citizenship: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub esf: EsfFields,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    pub id: PersonId,
    pub surname: String,
    pub name: String,
    pub sex: Option<char>,
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<String>,
    pub codice_fiscale: Option<String>,
    pub citizenship: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub esf: EsfFields,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.surname, self.name)
    }
}

impl PersonInput {
    /// Checks every field and returns all problems at once, in Italian.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.surname.trim().is_empty() {
            errors.push(FieldError::new("cognome", "il cognome è obbligatorio"));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("nome", "il nome è obbligatorio"));
        }
        if let Some(sex) = self.sex {
            if !matches!(sex, 'M' | 'F') {
                errors.push(FieldError::new("sesso", format!("«{sex}» non è valido: scrivi M o F")));
            }
        }
        if let Some(code) = non_empty(&self.codice_fiscale) {
            match cf::validate(code) {
                Err(e) => errors.push(FieldError::new("codice_fiscale", format!("codice fiscale non valido: {e}"))),
                Ok(valid) => {
                    // Each disagreement says which field and what the code says.
                    let d = valid.decoded();
                    if let Some(sex) = self.sex.filter(|s| matches!(s, 'M' | 'F')) {
                        if sex != d.sex {
                            let said = if d.sex == 'F' { "femminile" } else { "maschile" };
                            errors.push(FieldError::new(
                                "codice_fiscale",
                                format!("il codice fiscale è di una persona di sesso {said}: controlla il sesso o il codice"),
                            ));
                        }
                    }
                    if let Some(birth) = self.birth_date {
                        if !valid.matches(birth, d.sex) {
                            errors.push(FieldError::new(
                                "codice_fiscale",
                                format!(
                                    "il codice fiscale indica la nascita il {:02}/{:02}/'{:02}, non il {}: controlla la data o il codice",
                                    d.day,
                                    d.month,
                                    d.year2,
                                    crate::format::date(birth)
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if let Some(email) = non_empty(&self.email) {
            let ok =
                email.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !email.contains(' '));
            if !ok {
                errors.push(FieldError::new("email", format!("«{email}» non sembra un indirizzo e-mail")));
            }
        }
        if let Some(phone) = non_empty(&self.phone) {
            let ok = phone.chars().all(|c| c.is_ascii_digit() || " +-/.()".contains(c))
                && phone.chars().filter(|c| c.is_ascii_digit()).count() >= 6;
            if !ok {
                errors.push(FieldError::new("telefono", format!("«{phone}» non sembra un numero di telefono")));
            }
        }
        errors
    }

    fn columns(&self) -> Vec<(&'static str, Value)> {
        let cf = non_empty(&self.codice_fiscale).map(|c| c.replace(' ', "").to_uppercase());
        vec![
            ("surname", self.surname.trim().to_string().into()),
            ("name", self.name.trim().to_string().into()),
            ("sex", opt(self.sex.map(String::from))),
            ("birth_date", opt(self.birth_date.map(|d| d.to_string()))),
            ("birth_place", opt(trimmed(&self.birth_place))),
            ("codice_fiscale", opt(cf)),
            ("citizenship", opt(trimmed(&self.citizenship))),
            ("phone", opt(trimmed(&self.phone))),
            ("email", opt(trimmed(&self.email))),
            ("esf_labour_status", opt(self.esf.labour_status.map(|v| v.code().to_string()))),
            ("esf_isced", opt(self.esf.isced.map(|v| v.code().to_string()))),
            ("esf_migrant", opt(self.esf.migrant.map(|v| v.code().to_string()))),
            ("esf_disability", opt(self.esf.disability.map(|v| v.code().to_string()))),
            ("esf_other_disadvantage", opt(self.esf.other_disadvantage.map(|v| v.code().to_string()))),
            ("esf_homeless", opt(self.esf.homeless.map(|v| v.code().to_string()))),
            ("esf_rural", opt(self.esf.rural.map(|v| v.code().to_string()))),
        ]
    }
}

pub fn create_person(w: &mut Writer<'_>, input: &PersonInput) -> Result<PersonId> {
    check_person(w.conn(), input, None)?;
    let id = PersonId(w.new_id());
    let mut columns = input.columns();
    columns.push(("created_at", w.now().to_rfc3339().into()));
    w.insert(Table::Person, id.0, &columns)?;
    Ok(id)
}

/// Sets every field of the person to `input`; returns how many fields changed.
pub fn update_person(w: &mut Writer<'_>, id: PersonId, input: &PersonInput) -> Result<usize> {
    let erased: Option<Option<String>> =
        w.conn().query_row("SELECT erased_on FROM person WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    if erased.flatten().is_some() {
        return Err(Error::Forbidden {
            message: "i dati di questa persona sono stati cancellati su sua richiesta: non si possono modificare"
                .into(),
        });
    }
    check_person(w.conn(), input, Some(id))?;
    w.update(Table::Person, id.0, &input.columns())
}

/// Creates a person (`id` is `None`) or updates one, and, when `member` is given, adds them to a
/// household: one write, so a refused membership leaves no half-saved person.
pub fn save_person(
    w: &mut Writer<'_>,
    id: Option<PersonId>,
    input: &PersonInput,
    member: Option<(HouseholdId, MemberInput)>,
) -> Result<PersonId> {
    let person = match id {
        Some(id) => update_person(w, id, input).map(|_| id)?,
        None => create_person(w, input)?,
    };
    if let Some((household, member)) = &member {
        add_member(w, *household, person, member)?;
    }
    Ok(person)
}

/// A person moves to `to` on `on`: their current membership ends that day and a new one starts
/// it, so both households keep the dated history. Moving into the household they are in is
/// refused, as is a date before they joined the current one.
pub fn move_person(
    w: &mut Writer<'_>,
    person: PersonId,
    to: HouseholdId,
    on: NaiveDate,
    member: &MemberInput,
) -> Result<MembershipId> {
    let name = load_person(w.conn(), person)?.full_name();
    if let Some(current) = current_membership(w.conn(), person)? {
        if current.household == to {
            return Err(Error::invalid("nucleo", format!("{name} fa già parte di questo nucleo")));
        }
        end_membership(w, current.id, on)?;
    }
    let member = MemberInput { resident_since: Some(on), ..member.clone() };
    add_member(w, to, person, &member)
}

/// A person leaves their household on `on` (kept as history); refused if they are in none.
pub fn leave_household(w: &mut Writer<'_>, person: PersonId, on: NaiveDate) -> Result<()> {
    let name = load_person(w.conn(), person)?.full_name();
    let Some(current) = current_membership(w.conn(), person)? else {
        return Err(Error::invalid("nucleo", format!("{name} non fa parte di nessun nucleo")));
    };
    end_membership(w, current.id, on)
}

/// One of a person's memberships, with the address of the household, for their page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonHousehold {
    pub membership: Membership,
    pub address: Option<String>,
}

/// A person's households over time: the current one first, then the past ones, latest first.
pub fn households_of(conn: &Connection, person: PersonId) -> Result<Vec<PersonHousehold>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.household_id, m.person_id, m.relationship, m.resident_since, m.left_on,
                m.tenant_of_record, m.relationship_text, d.street, d.civic, d.scala, d.piano, d.interno
         FROM membership m
         LEFT JOIN household h ON h.id = m.household_id
         LEFT JOIN dwelling d ON d.id = h.dwelling_id
         WHERE m.person_id = ?1 AND m.deleted = 0
         ORDER BY m.left_on IS NOT NULL, m.left_on DESC, m.id DESC",
    )?;
    let rows = stmt.query_map([person], |r| {
        Ok(PersonHousehold { membership: membership_from_row(r)?, address: address_at(r, 8)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Creates a dwelling and the household living in it, formed on `formed_on`.
pub fn create_dwelling_and_household(
    w: &mut Writer<'_>,
    dwelling: &DwellingInput,
    formed_on: Option<NaiveDate>,
) -> Result<HouseholdId> {
    let dwelling = create_dwelling(w, dwelling)?;
    create_household(w, dwelling, formed_on)
}

fn check_person(conn: &Connection, input: &PersonInput, this: Option<PersonId>) -> Result<()> {
    let mut errors = input.validate();
    if let Some(code) = non_empty(&input.codice_fiscale) {
        let code = code.replace(' ', "").to_uppercase();
        if let Some(other) = find_person_by_cf(conn, &code)? {
            if Some(other.id) != this {
                errors.push(FieldError::new(
                    "codice_fiscale",
                    format!("questo codice fiscale è già registrato per {}", other.full_name()),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

const PERSON_COLUMNS: &str = "id, surname, name, sex, birth_date, birth_place, codice_fiscale, citizenship, \
     phone, email, esf_labour_status, esf_isced, esf_migrant, esf_disability, esf_other_disadvantage, \
     esf_homeless, esf_rural";

fn person_from_row(r: &Row<'_>) -> rusqlite::Result<Person> {
    let answer = |i: usize| -> rusqlite::Result<Option<EsfAnswer>> {
        Ok(r.get::<_, Option<String>>(i)?.and_then(|c| EsfAnswer::from_code(&c)))
    };
    Ok(Person {
        id: r.get(0)?,
        surname: r.get(1)?,
        name: r.get(2)?,
        sex: r.get::<_, Option<String>>(3)?.and_then(|s| s.chars().next()),
        birth_date: r.get::<_, Option<String>>(4)?.and_then(|s| s.parse().ok()),
        birth_place: r.get(5)?,
        codice_fiscale: r.get(6)?,
        citizenship: r.get(7)?,
        phone: r.get(8)?,
        email: r.get(9)?,
        esf: EsfFields {
            labour_status: r.get::<_, Option<String>>(10)?.and_then(|c| LabourStatus::from_code(&c)),
            isced: r.get::<_, Option<String>>(11)?.and_then(|c| Isced::from_code(&c)),
            migrant: answer(12)?,
            disability: answer(13)?,
            other_disadvantage: answer(14)?,
            homeless: answer(15)?,
            rural: answer(16)?,
        },
    })
}

/// A person's record, with the ESF fields (special categories). Needs [`Action::ReadRegistry`];
/// the read is recorded in the audit log.
pub fn get_person(store: &mut Store, actor: &Actor, id: PersonId) -> Result<Person> {
    let role = access::require(store.conn(), actor, Action::ReadRegistry)?;
    let person = load_person(store.conn(), id)?;
    audit::record_read(store, actor, role, (Table::Person, Some(id.0)), "scheda della persona")?;
    Ok(person)
}

pub(crate) fn load_person(conn: &Connection, id: PersonId) -> Result<Person> {
    conn.prepare_cached(&format!("SELECT {PERSON_COLUMNS} FROM person WHERE id = ?1 AND deleted = 0"))?
        .query_row([id], person_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "persona", key: id.to_string() })
}

pub fn find_person_by_cf(conn: &Connection, code: &str) -> Result<Option<Person>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {PERSON_COLUMNS} FROM person WHERE codice_fiscale = ?1 AND deleted = 0 ORDER BY id LIMIT 1"
            ),
            [code],
            person_from_row,
        )
        .optional()?)
}

/// People without a codice fiscale are matched on name and birth date (case-insensitive).
pub fn find_person_by_identity(
    conn: &Connection,
    surname: &str,
    name: &str,
    birth: Option<NaiveDate>,
) -> Result<Option<Person>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {PERSON_COLUMNS} FROM person WHERE surname = ?1 COLLATE NOCASE AND name = ?2 COLLATE NOCASE
                 AND birth_date IS ?3 AND deleted = 0 ORDER BY id LIMIT 1"
            ),
            params![surname.trim(), name.trim(), birth.map(|d| d.to_string())],
            person_from_row,
        )
        .optional()?)
}

// ---------------------------------------------------------------------------------------------
// Dwellings

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DwellingInput {
    /// The ente gestore's code.
    pub code: Option<String>,
    pub street: String,
    pub civic: String,
    pub scala: Option<String>,
    pub piano: Option<String>,
    pub interno: Option<String>,
    pub cap: Option<String>,
    pub comune: Option<String>,
    pub provincia: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Dwelling {
    pub id: DwellingId,
    #[serde(flatten)]
    pub fields: DwellingInput,
}

impl DwellingInput {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.street.trim().is_empty() {
            errors.push(FieldError::new("indirizzo", "l'indirizzo è obbligatorio"));
        }
        if self.civic.trim().is_empty() {
            errors.push(FieldError::new("civico", "il numero civico è obbligatorio"));
        }
        if let Some(cap) = non_empty(&self.cap) {
            if cap.len() != 5 || !cap.chars().all(|c| c.is_ascii_digit()) {
                errors.push(FieldError::new("cap", format!("il CAP «{cap}» deve avere 5 cifre")));
            }
        }
        errors
    }

    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("code", opt(trimmed(&self.code))),
            ("street", self.street.trim().to_string().into()),
            ("civic", self.civic.trim().to_string().into()),
            ("scala", opt(trimmed(&self.scala))),
            ("piano", opt(trimmed(&self.piano))),
            ("interno", opt(trimmed(&self.interno))),
            ("cap", opt(trimmed(&self.cap))),
            ("comune", opt(trimmed(&self.comune))),
            ("provincia", opt(trimmed(&self.provincia))),
        ]
    }

    /// `Via Luigi Pirandello 6/H, scala A, piano 2, int. 5`.
    pub fn address_line(&self) -> String {
        let mut line = format!("{} {}", self.street.trim(), self.civic.trim());
        for (label, part) in [("scala", &self.scala), ("piano", &self.piano), ("int.", &self.interno)] {
            if let Some(p) = non_empty(part) {
                line.push_str(&format!(", {label} {p}"));
            }
        }
        line
    }
}

/// Reads `street, civic, scala, piano, interno` from consecutive columns starting at `first` and
/// formats the address line; `None` when the street is NULL (a LEFT JOIN found no dwelling).
pub(crate) fn address_at(r: &Row<'_>, first: usize) -> rusqlite::Result<Option<String>> {
    let Some(street) = r.get::<_, Option<String>>(first)? else {
        return Ok(None);
    };
    let dwelling = DwellingInput {
        street,
        civic: r.get::<_, Option<String>>(first + 1)?.unwrap_or_default(),
        scala: r.get(first + 2)?,
        piano: r.get(first + 3)?,
        interno: r.get(first + 4)?,
        ..Default::default()
    };
    Ok(Some(dwelling.address_line()))
}

pub fn create_dwelling(w: &mut Writer<'_>, input: &DwellingInput) -> Result<DwellingId> {
    let errors = input.validate();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let id = DwellingId(w.new_id());
    w.insert(Table::Dwelling, id.0, &input.columns())?;
    Ok(id)
}

pub fn update_dwelling(w: &mut Writer<'_>, id: DwellingId, input: &DwellingInput) -> Result<usize> {
    let errors = input.validate();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    w.update(Table::Dwelling, id.0, &input.columns())
}

pub(crate) const DWELLING_COLUMNS: &str = "id, code, street, civic, scala, piano, interno, cap, comune, provincia";

pub(crate) fn dwelling_from_row(r: &Row<'_>) -> rusqlite::Result<Dwelling> {
    Ok(Dwelling {
        id: r.get(0)?,
        fields: DwellingInput {
            code: r.get(1)?,
            street: r.get(2)?,
            civic: r.get(3)?,
            scala: r.get(4)?,
            piano: r.get(5)?,
            interno: r.get(6)?,
            cap: r.get(7)?,
            comune: r.get(8)?,
            provincia: r.get(9)?,
        },
    })
}

pub fn find_dwelling_by_code(conn: &Connection, code: &str) -> Result<Option<Dwelling>> {
    Ok(conn
        .query_row(
            &format!("SELECT {DWELLING_COLUMNS} FROM dwelling WHERE code = ?1 AND deleted = 0 ORDER BY id LIMIT 1"),
            [code.trim()],
            dwelling_from_row,
        )
        .optional()?)
}

pub fn get_dwelling(conn: &Connection, id: DwellingId) -> Result<Dwelling> {
    conn.query_row(&format!("SELECT {DWELLING_COLUMNS} FROM dwelling WHERE id = ?1"), [id], dwelling_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "alloggio", key: id.to_string() })
}

// ---------------------------------------------------------------------------------------------
// Households and their members over time

pub fn create_household(w: &mut Writer<'_>, dwelling: DwellingId, formed_on: Option<NaiveDate>) -> Result<HouseholdId> {
    get_dwelling(w.conn(), dwelling)?;
    let id = HouseholdId(w.new_id());
    w.insert(
        Table::Household,
        id.0,
        &[("dwelling_id", dwelling.to_string().into()), ("formed_on", opt(formed_on.map(|d| d.to_string())))],
    )?;
    Ok(id)
}

/// The household currently living in a dwelling, if any.
pub fn household_in_dwelling(conn: &Connection, dwelling: DwellingId) -> Result<Option<HouseholdId>> {
    Ok(conn
        .query_row(
            "SELECT id FROM household WHERE dwelling_id = ?1 AND dissolved_on IS NULL AND deleted = 0 ORDER BY id LIMIT 1",
            [dwelling],
            |r| r.get(0),
        )
        .optional()?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberInput {
    pub relationship: Relationship,
    /// What a list wrote when the anagrafe's table does not hold it (`relationship` is then `altro`).
    pub relationship_text: Option<String>,
    pub resident_since: Option<NaiveDate>,
    pub tenant_of_record: bool,
}

/// Adds a person to a household. A person belongs to at most one household at a time: ending the
/// previous membership is an explicit step ([`end_membership`]), so history is never lost silently.
pub fn add_member(
    w: &mut Writer<'_>,
    household: HouseholdId,
    person: PersonId,
    input: &MemberInput,
) -> Result<MembershipId> {
    let person_row = load_person(w.conn(), person)?;
    if let Some(current) = current_membership(w.conn(), person)? {
        let same = current.household == household;
        return Err(Error::invalid(
            "nucleo",
            if same {
                format!("{} fa già parte di questo nucleo", person_row.full_name())
            } else {
                format!(
                    "{} fa già parte di un altro nucleo: prima registra l'uscita da quel nucleo",
                    person_row.full_name()
                )
            },
        ));
    }
    if input.tenant_of_record {
        clear_tenant_of_record(w, household)?;
    }
    let id = MembershipId(w.new_id());
    w.insert(
        Table::Membership,
        id.0,
        &[
            ("household_id", household.to_string().into()),
            ("person_id", person.to_string().into()),
            ("relationship", input.relationship.code().to_string().into()),
            ("relationship_text", opt(input.relationship_text.clone())),
            ("resident_since", opt(input.resident_since.map(|d| d.to_string()))),
            ("tenant_of_record", Value::Integer(input.tenant_of_record as i64)),
        ],
    )?;
    Ok(id)
}

fn clear_tenant_of_record(w: &mut Writer<'_>, household: HouseholdId) -> Result<()> {
    let ids: Vec<MembershipId> = w
        .conn()
        .prepare("SELECT id FROM membership WHERE household_id = ?1 AND tenant_of_record = 1 AND left_on IS NULL AND deleted = 0")?
        .query_map([household], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        w.update(Table::Membership, id.0, &[("tenant_of_record", Value::Integer(0))])?;
    }
    Ok(())
}

/// Records that a member left the household on `left_on`. The membership row stays, as history.
pub fn end_membership(w: &mut Writer<'_>, membership: MembershipId, left_on: NaiveDate) -> Result<()> {
    let since: Option<String> = w
        .conn()
        .query_row("SELECT resident_since FROM membership WHERE id = ?1 AND deleted = 0", [membership], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "appartenenza al nucleo", key: membership.to_string() })?;
    if let Some(since) = since.and_then(|s| s.parse::<NaiveDate>().ok()) {
        if left_on < since {
            return Err(Error::invalid("uscita", "la data di uscita è precedente alla data di ingresso nel nucleo"));
        }
    }
    w.update(
        Table::Membership,
        membership.0,
        &[("left_on", left_on.to_string().into()), ("tenant_of_record", Value::Integer(0))],
    )?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Membership {
    pub id: MembershipId,
    pub household: HouseholdId,
    pub person: PersonId,
    pub relationship: Option<Relationship>,
    /// The relationship as a list wrote it, when the anagrafe's table does not hold it.
    pub relationship_text: Option<String>,
    pub resident_since: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub tenant_of_record: bool,
}

fn membership_from_row(r: &Row<'_>) -> rusqlite::Result<Membership> {
    Ok(Membership {
        id: r.get(0)?,
        household: r.get(1)?,
        person: r.get(2)?,
        relationship: r.get::<_, Option<String>>(3)?.and_then(|c| Relationship::from_code(&c)),
        resident_since: r.get::<_, Option<String>>(4)?.and_then(|s| s.parse().ok()),
        left_on: r.get::<_, Option<String>>(5)?.and_then(|s| s.parse().ok()),
        tenant_of_record: r.get::<_, i64>(6)? != 0,
        relationship_text: r.get(7)?,
    })
}

const MEMBERSHIP_COLUMNS: &str =
    "id, household_id, person_id, relationship, resident_since, left_on, tenant_of_record, relationship_text";

pub fn current_membership(conn: &Connection, person: PersonId) -> Result<Option<Membership>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {MEMBERSHIP_COLUMNS} FROM membership WHERE person_id = ?1 AND left_on IS NULL AND deleted = 0
                 ORDER BY id DESC LIMIT 1"
            ),
            [person],
            membership_from_row,
        )
        .optional()?)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Member {
    pub membership: Membership,
    pub person: Person,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdDetail {
    pub id: HouseholdId,
    pub dwelling: Dwelling,
    pub formed_on: Option<NaiveDate>,
    /// Current members first (tenant of record first), then past members, most recent first.
    pub members: Vec<Member>,
}

impl HouseholdDetail {
    pub fn current_members(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.membership.left_on.is_none())
    }

    pub fn tenant_of_record(&self) -> Option<&Member> {
        self.current_members().find(|m| m.membership.tenant_of_record)
    }
}

/// A household with its dwelling and members over time. Needs [`Action::ReadRegistry`].
/// The read is recorded in the audit log.
pub fn household_detail(store: &mut Store, actor: &Actor, id: HouseholdId) -> Result<HouseholdDetail> {
    let role = access::require(store.conn(), actor, Action::ReadRegistry)?;
    let household = load_household(store.conn(), id)?;
    audit::record_read(store, actor, role, (Table::Household, Some(id.0)), "scheda del nucleo")?;
    Ok(household)
}

pub(crate) fn load_household(conn: &Connection, id: HouseholdId) -> Result<HouseholdDetail> {
    let (dwelling_id, formed_on): (DwellingId, Option<String>) = conn
        .query_row("SELECT dwelling_id, formed_on FROM household WHERE id = ?1 AND deleted = 0", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| Error::NotFound { what: "nucleo", key: id.to_string() })?;
    let dwelling = get_dwelling(conn, dwelling_id)?;
    // The person is looked up per membership (`EXISTS`): `person_id IN (SELECT id FROM person ...)`
    // made SQLite list every person first, 50 ms per household over 100,000 people.
    let memberships: Vec<Membership> = conn
        .prepare_cached(&format!(
            "SELECT {MEMBERSHIP_COLUMNS} FROM membership WHERE household_id = ?1 AND deleted = 0
                 AND EXISTS (SELECT 1 FROM person p WHERE p.id = membership.person_id AND p.deleted = 0)
             ORDER BY left_on IS NOT NULL, tenant_of_record DESC, left_on DESC, resident_since, id"
        ))?
        .query_map([id], membership_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    // A deleted person's memberships are left out with them (they may have been deleted at another
    // desk, which did not see the membership).
    let mut members = Vec::with_capacity(memberships.len());
    for membership in memberships {
        let person = load_person(conn, membership.person)?;
        members.push(Member { membership, person });
    }
    Ok(HouseholdDetail { id, dwelling, formed_on: formed_on.and_then(|s| s.parse().ok()), members })
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HouseholdSummary {
    pub id: HouseholdId,
    pub address: String,
    /// The parts the list is filtered by.
    pub street: String,
    pub civic: String,
    pub scala: Option<String>,
    pub dwelling_code: Option<String>,
    pub tenant_of_record: Option<String>,
    pub members: i64,
    /// Desk contacts about this household whose follow-up is set and not yet done.
    pub open_follow_ups: i64,
}

/// Every current household, ordered by address.
/// Needs [`Action::ReadRegistry`].
pub fn list_households(conn: &Connection, actor: &Actor) -> Result<Vec<HouseholdSummary>> {
    access::require(conn, actor, Action::ReadRegistry)?;
    let mut stmt = conn.prepare(
        "SELECT h.id, d.street, d.civic, d.scala, d.piano, d.interno, d.code,
                (SELECT p.surname || ' ' || p.name FROM membership m JOIN person p ON p.id = m.person_id
                  WHERE m.household_id = h.id AND m.tenant_of_record = 1 AND m.left_on IS NULL AND m.deleted = 0 LIMIT 1),
                (SELECT count(*) FROM membership m WHERE m.household_id = h.id AND m.left_on IS NULL AND m.deleted = 0),
                (SELECT count(*) FROM desk_contact c WHERE c.household_id = h.id AND c.deleted = 0
                   AND c.follow_up_on IS NOT NULL AND c.follow_up_done_on IS NULL)
         FROM household h JOIN dwelling d ON d.id = h.dwelling_id
         WHERE h.deleted = 0 AND h.dissolved_on IS NULL
         ORDER BY d.street, CAST(d.civic AS INTEGER), d.civic, d.scala, CAST(d.piano AS INTEGER), d.interno",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(HouseholdSummary {
            id: r.get(0)?,
            address: address_at(r, 1)?.unwrap_or_default(),
            street: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            civic: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            scala: r.get(3)?,
            dwelling_code: r.get(6)?,
            tenant_of_record: r.get(7)?,
            members: r.get(8)?,
            open_follow_ups: r.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Resolves a full id or a unique prefix of at least 6 characters, as typed at the command line.
pub fn resolve_id(conn: &Connection, table: Table, key: &str) -> Result<uuid::Uuid> {
    let key = key.trim().to_lowercase();
    let not_found = || Error::NotFound { what: crate::schema::table_label(table), key: key.clone() };
    if !key.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(not_found());
    }
    if key.len() < 6 {
        return Err(Error::invalid(
            "id",
            format!("«{key}» è troppo corto per indicare un elemento: scrivi almeno 6 caratteri dell'identificativo"),
        ));
    }
    let ids: Vec<String> = conn
        .prepare(&format!("SELECT id FROM {} WHERE id >= ?1 AND id < ?1 || 'g' AND deleted = 0 LIMIT 2", table.name()))?
        .query_map([&key], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [one] => crate::store::parse_uuid(one),
        [] => Err(not_found()),
        _ => Err(Error::Ambiguous { key }),
    }
}

// ---------------------------------------------------------------------------------------------
// Partners

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartnerInput {
    pub name: String,
    pub kind: PartnerKind,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Partner {
    pub id: PartnerId,
    #[serde(flatten)]
    pub fields: PartnerInput,
}

pub fn create_partner(w: &mut Writer<'_>, input: &PartnerInput) -> Result<PartnerId> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid("nome", "il nome dell'organizzazione è obbligatorio"));
    }
    let id = PartnerId(w.new_id());
    w.insert(
        Table::Partner,
        id.0,
        &[
            ("name", input.name.trim().to_string().into()),
            ("kind", input.kind.code().to_string().into()),
            ("address", opt(trimmed(&input.address))),
            ("phone", opt(trimmed(&input.phone))),
            ("email", opt(trimmed(&input.email))),
        ],
    )?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartnerContactInput {
    pub name: String,
    pub role: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub fn add_partner_contact(
    w: &mut Writer<'_>,
    partner: PartnerId,
    input: &PartnerContactInput,
) -> Result<PartnerContactId> {
    if input.name.trim().is_empty() {
        return Err(Error::invalid("nome", "il nome del referente è obbligatorio"));
    }
    let id = PartnerContactId(w.new_id());
    w.insert(
        Table::PartnerContact,
        id.0,
        &[
            ("partner_id", partner.to_string().into()),
            ("name", input.name.trim().to_string().into()),
            ("role", opt(trimmed(&input.role))),
            ("phone", opt(trimmed(&input.phone))),
            ("email", opt(trimmed(&input.email))),
        ],
    )?;
    Ok(id)
}

/// Needs [`Action::ReadRegistry`].
pub fn list_partners(conn: &Connection, actor: &Actor) -> Result<Vec<Partner>> {
    access::require(conn, actor, Action::ReadRegistry)?;
    let mut stmt =
        conn.prepare("SELECT id, name, kind, address, phone, email FROM partner WHERE deleted = 0 ORDER BY name")?;
    let rows = stmt.query_map([], |r| {
        Ok(Partner {
            id: r.get(0)?,
            fields: PartnerInput {
                name: r.get(1)?,
                kind: r
                    .get::<_, Option<String>>(2)?
                    .and_then(|c| PartnerKind::from_code(&c))
                    .unwrap_or(PartnerKind::Altro),
                address: r.get(3)?,
                phone: r.get(4)?,
                email: r.get(5)?,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------------------------
// Counts

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Overview {
    pub households: i64,
    pub people: i64,
    pub dwellings: i64,
    pub partners: i64,
    pub desk_contacts: i64,
}

/// Counts only: every role may see them ([`Action::ReadAggregates`]).
pub fn overview(conn: &Connection, actor: &Actor) -> Result<Overview> {
    access::require(conn, actor, Action::ReadAggregates)?;
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    Ok(Overview {
        households: count("SELECT count(*) FROM household WHERE deleted = 0 AND dissolved_on IS NULL")?,
        people: count("SELECT count(*) FROM person WHERE deleted = 0")?,
        dwellings: count("SELECT count(*) FROM dwelling WHERE deleted = 0")?,
        partners: count("SELECT count(*) FROM partner WHERE deleted = 0")?,
        desk_contacts: count("SELECT count(*) FROM desk_contact WHERE deleted = 0")?,
    })
}

// ---------------------------------------------------------------------------------------------

pub(crate) fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) fn trimmed(value: &Option<String>) -> Option<String> {
    non_empty(value).map(str::to_string)
}

pub(crate) fn opt(value: Option<String>) -> Value {
    value.map(Value::Text).unwrap_or(Value::Null)
}
