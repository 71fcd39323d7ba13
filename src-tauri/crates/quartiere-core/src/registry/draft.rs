//! The registry's forms as typed in the window or on the command line, read once into typed
//! inputs or into field errors: a person, a membership, a dwelling.

use rusqlite::Connection;

use super::{DwellingInput, EsfFields, MemberInput, PersonInput};
use crate::codes::{EsfAnswer, Isced, LabourStatus, Relationship};
use crate::draft::{code, date, given, line, required_line, LINE_MAX, LONG_LINE_MAX};
use crate::error::{Error, FieldError, Result};
use crate::ids::HouseholdId;
use crate::schema::Table;

/// A person as typed: every value text, a blank meaning "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonDraft {
    pub surname: String,
    pub name: String,
    /// `M` or `F` (any case, or a word starting with either).
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    pub codice_fiscale: String,
    pub citizenship: String,
    pub phone: String,
    pub email: String,
    pub esf_labour_status: String,
    pub esf_isced: String,
    pub esf_migrant: String,
    pub esf_disability: String,
    pub esf_other_disadvantage: String,
    pub esf_homeless: String,
    pub esf_rural: String,
}

impl PersonDraft {
    /// The person this draft describes, checked whole (codice fiscale against birth date and sex,
    /// e-mail, dates): every wrong field at once ([`Error::Invalid`]).
    pub fn parse(&self) -> Result<PersonInput> {
        let mut errors = Vec::new();
        let birth_date = date("data_nascita", &self.birth_date, &mut errors);
        let answer = |field: &str, text: &str, errors: &mut Vec<FieldError>| {
            code(field, text, "una risposta prevista", EsfAnswer::from_code, &EsfAnswer::codes_list(), errors)
        };
        let esf = EsfFields {
            labour_status: code(
                "esf_labour_status",
                &self.esf_labour_status,
                "una condizione prevista",
                LabourStatus::from_code,
                &LabourStatus::codes_list(),
                &mut errors,
            ),
            isced: code(
                "esf_isced",
                &self.esf_isced,
                "un titolo previsto",
                Isced::from_code,
                &Isced::codes_list(),
                &mut errors,
            ),
            migrant: answer("esf_migrant", &self.esf_migrant, &mut errors),
            disability: answer("esf_disability", &self.esf_disability, &mut errors),
            other_disadvantage: answer("esf_other_disadvantage", &self.esf_other_disadvantage, &mut errors),
            homeless: answer("esf_homeless", &self.esf_homeless, &mut errors),
            rural: answer("esf_rural", &self.esf_rural, &mut errors),
        };
        let input = PersonInput {
            surname: required_line("cognome", &self.surname, LINE_MAX, &mut errors),
            name: required_line("nome", &self.name, LINE_MAX, &mut errors),
            sex: given(&self.sex).map(|s| s.to_uppercase().chars().next().unwrap_or(' ')),
            birth_date,
            birth_place: line("luogo_nascita", &self.birth_place, LINE_MAX, &mut errors),
            codice_fiscale: line("codice_fiscale", &self.codice_fiscale, 30, &mut errors),
            citizenship: line("cittadinanza", &self.citizenship, LINE_MAX, &mut errors),
            phone: line("telefono", &self.phone, 40, &mut errors),
            email: line("email", &self.email, 254, &mut errors),
            esf,
        };
        // A field already refused at the door is not refused again as blank.
        for error in input.validate() {
            if !errors.iter().any(|e| e.field == error.field) {
                errors.push(error);
            }
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(Error::Invalid(errors))
        }
    }
}

/// A person joining a household, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipDraft {
    /// The household: an id, or its first characters.
    pub household: String,
    /// A relationship code or word (`coniuge`, `CG`...).
    pub relationship: String,
    pub resident_since: String,
    pub tenant_of_record: bool,
}

impl MembershipDraft {
    /// The household and the membership this draft describes, or every wrong field at once.
    pub fn parse(&self, conn: &Connection) -> Result<(HouseholdId, MemberInput)> {
        let mut errors = Vec::new();
        let relationship = Relationship::from_code(self.relationship.trim());
        if relationship.is_none() {
            errors.push(FieldError::new("relazione", "scegli la relazione con l'intestatario"));
        }
        let resident_since = date("residente_dal", &self.resident_since, &mut errors);
        let household = match super::resolve_id(conn, Table::Household, &self.household) {
            Ok(id) => Some(HouseholdId(id)),
            Err(Error::NotFound { .. } | Error::Ambiguous { .. }) => {
                errors.push(FieldError::new("nucleo", "scegli il nucleo"));
                None
            }
            // A fault of the database is an error, not the field's.
            Err(other) => return Err(other),
        };
        match (household, relationship) {
            (Some(household), Some(relationship)) if errors.is_empty() => Ok((
                household,
                MemberInput {
                    relationship_text: None,
                    relationship,
                    resident_since,
                    tenant_of_record: self.tenant_of_record,
                },
            )),
            _ => Err(Error::Invalid(errors)),
        }
    }
}

/// A dwelling as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DwellingDraft {
    pub code: String,
    pub street: String,
    pub civic: String,
    pub scala: String,
    pub piano: String,
    pub interno: String,
    pub cap: String,
    pub comune: String,
    pub provincia: String,
}

impl DwellingDraft {
    /// The dwelling this draft describes, each value cleaned at the door; its own rules (a street
    /// and a civic number) are checked when it is written.
    pub fn parse(&self) -> Result<DwellingInput> {
        let mut errors = Vec::new();
        let short = |field: &str, text: &str, errors: &mut Vec<FieldError>| line(field, text, 30, errors);
        let input = DwellingInput {
            code: line("codice", &self.code, 40, &mut errors),
            street: required_line("via", &self.street, LONG_LINE_MAX, &mut errors),
            civic: required_line("civico", &self.civic, 30, &mut errors),
            scala: short("scala", &self.scala, &mut errors),
            piano: short("piano", &self.piano, &mut errors),
            interno: short("interno", &self.interno, &mut errors),
            cap: short("cap", &self.cap, &mut errors),
            comune: line("comune", &self.comune, LINE_MAX, &mut errors),
            provincia: short("provincia", &self.provincia, &mut errors),
        };
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(Error::Invalid(errors))
        }
    }
}
