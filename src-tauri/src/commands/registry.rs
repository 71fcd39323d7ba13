//! The registry: households with their dwelling and members, people and their forms.

use quartiere_core::access::{self, Action};
use quartiere_core::codes::{EsfAnswer, Isced, LabourStatus, Relationship};
use quartiere_core::desk::{self, ContactFilter, DeskContactView, NoteSubject};
use quartiere_core::ids::{HouseholdId, PersonId};
use quartiere_core::registry::{self, DwellingInput, EsfFields, HouseholdSummary, MemberInput, Person, PersonInput};
use quartiere_core::{format, FieldError};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::{code, given, invalid, parse_id, today, with_session, write, UiResult};
use crate::AppState;

#[tauri::command]
pub async fn households(state: State<'_, AppState>) -> UiResult<Vec<HouseholdSummary>> {
    with_session(&state, |s| registry::list_households(s.store.conn(), &s.actor))
}

#[derive(Debug, Serialize, TS)]
pub struct HouseholdView {
    pub household: registry::HouseholdDetail,
    pub contacts: Vec<DeskContactView>,
    pub notes: Vec<desk::Note>,
}

#[tauri::command]
pub async fn household(state: State<'_, AppState>, id: String) -> UiResult<HouseholdView> {
    let id = HouseholdId(parse_id("nucleo", &id)?);
    with_session(&state, |s| {
        let (store, actor) = (&mut s.store, &s.actor);
        let household = registry::household_detail(store, actor, id)?;
        if !access::allows(s.role, Action::ReadDesk) {
            return Ok(HouseholdView { household, contacts: Vec::new(), notes: Vec::new() });
        }
        Ok(HouseholdView {
            household,
            contacts: desk::list_contacts(store, actor, &ContactFilter { household: Some(id), ..Default::default() })?,
            notes: desk::notes(store, actor, NoteSubject::Household(id))?,
        })
    })
}

/// A dwelling form as the UI sends it: every value a string, empty meaning "not given".
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct DwellingForm {
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

/// Creates a dwelling and the household living in it.
#[tauri::command]
pub async fn create_household(state: State<'_, AppState>, dwelling: DwellingForm) -> UiResult<HouseholdId> {
    let input = DwellingInput {
        code: given(&dwelling.code),
        street: dwelling.street.trim().to_string(),
        civic: dwelling.civic.trim().to_string(),
        scala: given(&dwelling.scala),
        piano: given(&dwelling.piano),
        interno: given(&dwelling.interno),
        cap: given(&dwelling.cap),
        comune: given(&dwelling.comune),
        provincia: given(&dwelling.provincia),
    };
    write(&state, |w| {
        let d = registry::create_dwelling(w, &input)?;
        registry::create_household(w, d, Some(today()))
    })
}

#[tauri::command]
pub async fn person(state: State<'_, AppState>, id: String) -> UiResult<Person> {
    let id = PersonId(parse_id("persona", &id)?);
    with_session(&state, |s| registry::get_person(&mut s.store, &s.actor, id))
}

/// A person form as the UI sends it: every value a string, empty meaning "not given".
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct PersonForm {
    pub surname: String,
    pub name: String,
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

impl PersonForm {
    fn to_input(&self) -> UiResult<PersonInput> {
        let mut errors = Vec::new();
        let birth_date = given(&self.birth_date).and_then(|text| {
            let date = format::parse_date(&text);
            if date.is_none() {
                errors.push(FieldError::new("data_nascita", format!("«{text}» non è una data: usa gg/mm/aaaa")));
            }
            date
        });
        let sex = given(&self.sex).map(|s| s.to_uppercase().chars().next().unwrap_or(' '));
        let esf = EsfFields {
            labour_status: code("esf_labour_status", &self.esf_labour_status, LabourStatus::from_code, &mut errors),
            isced: code("esf_isced", &self.esf_isced, Isced::from_code, &mut errors),
            migrant: code("esf_migrant", &self.esf_migrant, EsfAnswer::from_code, &mut errors),
            disability: code("esf_disability", &self.esf_disability, EsfAnswer::from_code, &mut errors),
            other_disadvantage: code(
                "esf_other_disadvantage",
                &self.esf_other_disadvantage,
                EsfAnswer::from_code,
                &mut errors,
            ),
            homeless: code("esf_homeless", &self.esf_homeless, EsfAnswer::from_code, &mut errors),
            rural: code("esf_rural", &self.esf_rural, EsfAnswer::from_code, &mut errors),
        };
        let input = PersonInput {
            surname: self.surname.clone(),
            name: self.name.clone(),
            sex,
            birth_date,
            birth_place: given(&self.birth_place),
            codice_fiscale: given(&self.codice_fiscale),
            citizenship: given(&self.citizenship),
            phone: given(&self.phone),
            email: given(&self.email),
            esf,
        };
        errors.extend(input.validate());
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(invalid(errors))
        }
    }
}

/// Checks a person form as the operator types, without saving (codice fiscale, dates, e-mail...).
#[tauri::command]
pub async fn check_person(form: PersonForm) -> UiResult<Vec<FieldError>> {
    Ok(form.to_input().err().map(|e| e.fields).unwrap_or_default())
}

#[derive(Debug, Deserialize, TS)]
pub struct MembershipForm {
    pub household: String,
    pub relationship: String,
    #[serde(default)]
    pub resident_since: String,
    #[serde(default)]
    pub tenant_of_record: bool,
}

/// Creates (no `id`) or updates a person; a new person may join a household in the same write.
#[tauri::command]
pub async fn save_person(
    state: State<'_, AppState>,
    id: Option<String>,
    form: PersonForm,
    membership: Option<MembershipForm>,
) -> UiResult<PersonId> {
    let input = form.to_input()?;
    let id = id.as_deref().map(|i| parse_id("persona", i).map(PersonId)).transpose()?;
    let member = match &membership {
        None => None,
        Some(m) => {
            let relationship = Relationship::from_code(&m.relationship)
                .ok_or_else(|| invalid(vec![FieldError::new("relazione", "scegli la relazione con l'intestatario")]))?;
            let since = given(&m.resident_since).and_then(|t| format::parse_date(&t));
            let household = HouseholdId(parse_id("nucleo", &m.household)?);
            Some((household, MemberInput { relationship, resident_since: since, tenant_of_record: m.tenant_of_record }))
        }
    };
    write(&state, |w| {
        let person = match id {
            Some(id) => registry::update_person(w, id, &input).map(|_| id)?,
            None => registry::create_person(w, &input)?,
        };
        if let Some((household, member)) = &member {
            registry::add_member(w, *household, person, member)?;
        }
        Ok(person)
    })
}
