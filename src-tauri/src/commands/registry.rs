//! The registry: households with their dwelling and members, people and their forms.

use quartiere_core::access::{self, Action};
use quartiere_core::desk::{self, ContactFilter, DeskContactView, NoteSubject};
use quartiere_core::ids::{HouseholdId, PersonId};
use quartiere_core::registry::{self, DwellingDraft, HouseholdSummary, MembershipDraft, Person, PersonDraft};
use quartiere_core::FieldError;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::{parse_id, today, with_session, write, UiResult};
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
    let input = DwellingDraft {
        code: dwelling.code,
        street: dwelling.street,
        civic: dwelling.civic,
        scala: dwelling.scala,
        piano: dwelling.piano,
        interno: dwelling.interno,
        cap: dwelling.cap,
        comune: dwelling.comune,
        provincia: dwelling.provincia,
    }
    .parse()?;
    write(&state, |w| registry::create_dwelling_and_household(w, &input, Some(today())))
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
    /// The core's draft of the same form: the core reads it, as it reads the command line's.
    fn into_draft(self) -> PersonDraft {
        PersonDraft {
            surname: self.surname,
            name: self.name,
            sex: self.sex,
            birth_date: self.birth_date,
            birth_place: self.birth_place,
            codice_fiscale: self.codice_fiscale,
            citizenship: self.citizenship,
            phone: self.phone,
            email: self.email,
            esf_labour_status: self.esf_labour_status,
            esf_isced: self.esf_isced,
            esf_migrant: self.esf_migrant,
            esf_disability: self.esf_disability,
            esf_other_disadvantage: self.esf_other_disadvantage,
            esf_homeless: self.esf_homeless,
            esf_rural: self.esf_rural,
        }
    }
}

/// A person form checked as the operator types: what is wrong so far, and what a valid codice
/// fiscale says, for the form to fill what is still empty (and say that it did).
#[derive(Debug, Serialize, TS)]
pub struct PersonCheck {
    pub errors: Vec<FieldError>,
    pub from_code: Option<CodeFacts>,
}

/// What a valid codice fiscale says, as the form writes it.
#[derive(Debug, Serialize, TS)]
pub struct CodeFacts {
    /// `M` or `F`.
    pub sex: String,
    /// `gg/mm/aaaa`.
    pub birth_date: String,
    /// «Trezzano sul Naviglio (MI)», «Senegal»; `None` when the place code is not in the table.
    pub birth_place: Option<String>,
}

/// Checks a person form as the operator types, without saving (codice fiscale, dates, e-mail...).
#[tauri::command]
pub async fn check_person(form: PersonForm) -> UiResult<PersonCheck> {
    let from_code =
        quartiere_core::cf::validate(&form.codice_fiscale).ok().and_then(|cf| cf.facts(today())).map(|f| CodeFacts {
            sex: f.sex.to_string(),
            birth_date: quartiere_core::format::date(f.birth_date),
            birth_place: f.birth_place.map(|p| p.line()),
        });
    let errors = match form.into_draft().parse() {
        Err(quartiere_core::Error::Invalid(fields)) => fields,
        _ => Vec::new(),
    };
    Ok(PersonCheck { errors, from_code })
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

impl From<MembershipForm> for MembershipDraft {
    fn from(m: MembershipForm) -> MembershipDraft {
        MembershipDraft {
            household: m.household,
            relationship: m.relationship,
            resident_since: m.resident_since,
            tenant_of_record: m.tenant_of_record,
        }
    }
}

/// Creates (no `id`) or updates a person; a person may join a household in the same write.
#[tauri::command]
pub async fn save_person(
    state: State<'_, AppState>,
    id: Option<String>,
    form: PersonForm,
    membership: Option<MembershipForm>,
) -> UiResult<PersonId> {
    let input = form.into_draft().parse()?;
    let id = id.as_deref().map(|i| parse_id("persona", i).map(PersonId)).transpose()?;
    let membership = membership.map(MembershipDraft::from);
    with_session(&state, |s| {
        let actor = s.actor;
        let member = membership.map(|m| m.parse(s.store.conn())).transpose()?;
        s.store.write(&actor, |w| registry::save_person(w, id, &input, member))
    })
}

/// Pairs of records that look like one person, for the operator to answer.
#[tauri::command]
pub async fn duplicates(state: State<'_, AppState>) -> UiResult<Vec<registry::duplicates::DuplicatePair>> {
    with_session(&state, |s| registry::duplicates::likely_duplicates(&mut s.store, &s.actor))
}

/// The merges made, newest first, with who made them, why, and whether they were undone.
#[tauri::command]
pub async fn merges(state: State<'_, AppState>) -> UiResult<Vec<registry::duplicates::MergeView>> {
    with_session(&state, |s| registry::duplicates::merges(s.store.conn(), &s.actor))
}

/// Merges `other` into `keep` (the same person); returns the decision, which `undo_merge` takes.
#[tauri::command]
pub async fn merge_people(state: State<'_, AppState>, keep: String, other: String, reason: String) -> UiResult<String> {
    let keep = PersonId(parse_id("persona", &keep)?);
    let other = PersonId(parse_id("persona", &other)?);
    write(&state, |w| registry::duplicates::merge(w, keep, other, &reason)).map(|id| id.to_string())
}

#[tauri::command]
pub async fn undo_merge(state: State<'_, AppState>, decision: String) -> UiResult<()> {
    let decision = parse_id("decisione", &decision)?;
    write(&state, |w| registry::duplicates::undo_merge(w, decision))
}

/// Records that two records are different people.
#[tauri::command]
pub async fn mark_distinct(state: State<'_, AppState>, a: String, b: String) -> UiResult<()> {
    let a = PersonId(parse_id("persona", &a)?);
    let b = PersonId(parse_id("persona", &b)?);
    write(&state, |w| registry::duplicates::mark_distinct(w, a, b).map(drop))
}

/// What a person's page shows: who they are, where they live and lived, when the desk saw them.
#[derive(Debug, Serialize, TS)]
pub struct PersonPage {
    pub person: Person,
    pub households: Vec<registry::PersonHousehold>,
    /// Their desk contacts, newest first (empty for roles that do not read the desk log).
    pub contacts: Vec<DeskContactView>,
    /// Activities they were invited to or came to, the latest first (empty for roles that do not
    /// read activities), and how many they came to.
    pub activities: Vec<quartiere_core::activities::PersonActivity>,
    pub activities_attended: u32,
    /// Courses and job-search paths they are in, wait for or left (empty for roles that do not
    /// read training).
    pub courses: Vec<quartiere_core::training::PersonCourse>,
    /// Their work placements and hours given back (for roles that read training).
    pub work: Option<quartiere_core::training::placements::WorkPath>,
    /// Their cases, open first (empty for roles that do not read cases).
    pub cases: Vec<quartiere_core::cases::CaseSummary>,
    /// Notes about them, each with its earlier versions (empty for roles that do not read the desk log).
    pub notes: Vec<desk::Note>,
}

#[tauri::command]
pub async fn person_page(state: State<'_, AppState>, id: String) -> UiResult<PersonPage> {
    let id = PersonId(parse_id("persona", &id)?);
    with_session(&state, |s| {
        let actor = s.actor;
        let person = registry::get_person(&mut s.store, &actor, id)?;
        let households = registry::households_of(s.store.conn(), id)?;
        let contacts = if access::allows(s.role, Action::ReadDesk) {
            desk::list_contacts(&mut s.store, &actor, &ContactFilter { person: Some(id), ..Default::default() })?
        } else {
            Vec::new()
        };
        let (activities, activities_attended) = if access::allows(s.role, Action::ReadActivities) {
            quartiere_core::activities::of_person(&s.store, &actor, id)?
        } else {
            (Vec::new(), 0)
        };
        let courses = if access::allows(s.role, Action::ReadTraining) {
            quartiere_core::training::of_person(&s.store, &actor, id)?
        } else {
            Vec::new()
        };
        let cases =
            if access::allows(s.role, Action::ReadCases) { super::cases::of_person(s, id)? } else { Vec::new() };
        let notes = if access::allows(s.role, Action::ReadDesk) {
            desk::notes(&mut s.store, &actor, NoteSubject::Person(id))?
        } else {
            Vec::new()
        };
        let work = if access::allows(s.role, Action::ReadTraining) {
            Some(quartiere_core::training::placements::work_path(&s.store, &actor, id)?)
        } else {
            None
        };
        Ok(PersonPage { person, households, contacts, activities, activities_attended, courses, work, cases, notes })
    })
}

/// Moves a person to another household on the membership's date (today when blank).
#[tauri::command]
pub async fn move_person(state: State<'_, AppState>, person: String, membership: MembershipForm) -> UiResult<()> {
    let person = PersonId(parse_id("persona", &person)?);
    let draft = MembershipDraft::from(membership);
    with_session(&state, |s| {
        let actor = s.actor;
        let (household, member) = draft.parse(s.store.conn())?;
        let on = member.resident_since.unwrap_or_else(today);
        s.store.write(&actor, |w| registry::move_person(w, person, household, on, &member).map(drop))
    })
}

/// A person leaves their household on `on` (`gg/mm/aaaa`; today when blank).
#[tauri::command]
pub async fn leave_household(state: State<'_, AppState>, person: String, on: String) -> UiResult<()> {
    let person = PersonId(parse_id("persona", &person)?);
    let mut errors = Vec::new();
    let on = quartiere_core::draft::date("uscita", &on, &mut errors);
    if !errors.is_empty() {
        return Err(quartiere_core::Error::Invalid(errors).into());
    }
    write(&state, |w| registry::leave_household(w, person, on.unwrap_or_else(today)))
}
