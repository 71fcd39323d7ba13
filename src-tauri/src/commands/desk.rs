//! The sportello: recording a desk contact and listing contacts.

use chrono::Local;
use quartiere_core::desk::{self, ContactDraft, ContactFilterDraft, DeskContactView, NoteSubject};
use quartiere_core::ids::{CaseId, DeskContactId, HouseholdId, NoteId, PersonId};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::{parse_id, today, with_session, write, UiResult};
use crate::AppState;

#[derive(Debug, Deserialize, TS)]
pub struct ContactForm {
    /// `aaaa-mm-ggThh:mm` (or `gg/mm/aaaa hh:mm`); empty for now.
    #[serde(default)]
    pub occurred_at: String,
    pub person: Option<String>,
    pub household: Option<String>,
    pub channel: String,
    pub topics: Vec<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub follow_up_on: String,
    /// A partner id, or `servizio_sociale` (see `ContactDraft::refer_to`).
    pub refer_to: Option<String>,
    #[serde(default)]
    pub referral_reason: String,
}

#[tauri::command]
pub async fn add_contact(
    state: State<'_, AppState>,
    form: ContactForm,
) -> UiResult<quartiere_core::ids::DeskContactId> {
    let draft = ContactDraft {
        occurred_at: form.occurred_at,
        person: form.person.unwrap_or_default(),
        household: form.household.unwrap_or_default(),
        channel: form.channel,
        topics: form.topics,
        note: form.note,
        follow_up_on: form.follow_up_on,
        refer_to: form.refer_to.unwrap_or_default(),
        referral_reason: form.referral_reason,
    };
    with_session(&state, |s| {
        let actor = s.actor;
        let input = draft.parse(s.store.conn(), &actor, Local::now().naive_local())?;
        s.store.write(&actor, |w| desk::add_contact(w, &input))
    })
}

#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct ContactFilterForm {
    pub from: String,
    pub to: String,
    pub person: Option<String>,
    pub household: Option<String>,
    pub topic: String,
    pub follow_ups_only: bool,
}

#[tauri::command]
pub async fn contacts(state: State<'_, AppState>, filter: ContactFilterForm) -> UiResult<Vec<DeskContactView>> {
    let draft = ContactFilterDraft {
        from: filter.from,
        to: filter.to,
        person: filter.person.unwrap_or_default(),
        household: filter.household.unwrap_or_default(),
        topic: filter.topic,
        follow_ups_only: filter.follow_ups_only,
    };
    with_session(&state, |s| {
        let filter = draft.parse(s.store.conn(), today(), 200)?;
        desk::list_contacts(&mut s.store, &s.actor, &filter)
    })
}

/// Marks a contact's follow-up as done today, by the operator signed in.
#[tauri::command]
pub async fn complete_follow_up(state: State<'_, AppState>, contact: String) -> UiResult<()> {
    let contact = quartiere_core::ids::DeskContactId(super::parse_id("contatto", &contact)?);
    super::write(&state, |w| desk::complete_follow_up(w, contact, today()))
}

/// Keeps what the operator is typing in `form` (the window sends it as they type), so a lock
/// does not lose it; an empty body forgets it.
#[tauri::command]
pub async fn keep_unsaved(state: State<'_, AppState>, form: String, body: String) -> UiResult<()> {
    with_session(&state, |s| {
        let actor = s.actor;
        desk::unsaved::keep(&mut s.store, &actor, &form, &body)
    })
}

/// What the operator was typing in `form` before the app locked, if anything; taken once.
#[tauri::command]
pub async fn take_unsaved(state: State<'_, AppState>, form: String) -> UiResult<Option<String>> {
    with_session(&state, |s| {
        let actor = s.actor;
        desk::unsaved::take(&mut s.store, &actor, &form)
    })
}

/// What a note is about, as the window names it: `person`, `household`, `case` or `desk_contact`.
fn note_subject(kind: &str, id: &str) -> UiResult<NoteSubject> {
    let uuid = parse_id("soggetto", id)?;
    Ok(match kind {
        "person" => NoteSubject::Person(PersonId(uuid)),
        "household" => NoteSubject::Household(HouseholdId(uuid)),
        "case" => NoteSubject::Case(CaseId(uuid)),
        "desk_contact" => NoteSubject::DeskContact(DeskContactId(uuid)),
        other => {
            return Err(super::invalid(vec![quartiere_core::FieldError::new(
                "soggetto",
                format!("una nota non può riguardare «{other}»"),
            )]))
        }
    })
}

/// The notes about a person, a household, a case or a contact, each with its earlier versions.
#[tauri::command]
pub async fn notes(state: State<'_, AppState>, kind: String, id: String) -> UiResult<Vec<desk::Note>> {
    let subject = note_subject(&kind, &id)?;
    with_session(&state, |s| {
        let actor = s.actor;
        desk::notes(&mut s.store, &actor, subject)
    })
}

/// Writes a new note.
#[tauri::command]
pub async fn add_note(state: State<'_, AppState>, kind: String, id: String, body: String) -> UiResult<NoteId> {
    let subject = note_subject(&kind, &id)?;
    write(&state, |w| desk::add_note(w, subject, &body))
}

/// Edits a note: a new version, the old one kept as history.
#[tauri::command]
pub async fn edit_note(state: State<'_, AppState>, note: String, body: String) -> UiResult<NoteId> {
    let note = NoteId(parse_id("nota", &note)?);
    write(&state, |w| desk::edit_note(w, note, &body))
}
