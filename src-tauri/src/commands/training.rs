//! Formazione e lavoro: courses and job-search paths, enrolment and the waiting list.

use chrono::Utc;
use quartiere_core::codes::ResultAt6m;
use quartiere_core::ids::{CourseId, EnrolmentId, PersonId};
use quartiere_core::training::placements::{self, PlacementDraft};
use quartiere_core::training::{self, esf, CourseDetail, CourseDraft, CourseSummary, Enrolled, EsfDraft, ExitDraft};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use super::{optional_date, parse_id, today, with_session, write, UiResult};
use crate::AppState;

#[tauri::command]
pub async fn courses(state: State<'_, AppState>) -> UiResult<Vec<CourseSummary>> {
    with_session(&state, |s| training::courses(&s.store, &s.actor))
}

#[tauri::command]
pub async fn course(state: State<'_, AppState>, id: String) -> UiResult<CourseDetail> {
    let id = CourseId(parse_id("corso", &id)?);
    with_session(&state, |s| training::course(&s.store, &s.actor, id))
}

#[tauri::command]
pub async fn create_course(state: State<'_, AppState>, form: CourseDraft) -> UiResult<CourseId> {
    let input = form.parse()?;
    write(&state, |w| training::create_course(w, &input))
}

/// Enrols a person now: admitted if a place is free and nobody waits, else on the waiting list.
#[tauri::command]
pub async fn enrol(state: State<'_, AppState>, course: String, person: String) -> UiResult<Enrolled> {
    let course = CourseId(parse_id("corso", &course)?);
    let person = PersonId(parse_id("persona", &person)?);
    write(&state, |w| training::enrol(w, course, person, Utc::now(), today()))
}

/// Admits someone from the waiting list into a free place; out of turn needs `reason`.
#[tauri::command]
pub async fn admit(state: State<'_, AppState>, enrolment: String, reason: String) -> UiResult<()> {
    let enrolment = EnrolmentId(parse_id("iscrizione", &enrolment)?);
    let reason = Some(reason).filter(|r| !r.trim().is_empty());
    write(&state, |w| training::admit(w, enrolment, reason.as_deref(), today()))
}

/// Who is next when a withdrawal freed a place: the window offers to admit them.
#[derive(Debug, Serialize, TS)]
pub struct NextInLine {
    pub enrolment: EnrolmentId,
    pub name: String,
}

/// Takes someone off a course or its waiting list today, with the reason.
#[tauri::command]
pub async fn withdraw(state: State<'_, AppState>, enrolment: String, reason: String) -> UiResult<Option<NextInLine>> {
    let enrolment = EnrolmentId(parse_id("iscrizione", &enrolment)?);
    let next = write(&state, |w| training::withdraw(w, enrolment, today(), &reason))?;
    Ok(next.map(|(enrolment, name)| NextInLine { enrolment, name }))
}

/// A course's sessions as the course page's form has them: a day, the times, the venue, and how
/// many weeks a weekly series lasts.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct SessionForm {
    pub date: String,
    pub start: String,
    pub end: String,
    pub venue: String,
    pub weeks: String,
}

/// Adds sessions to a course and invites its participants; returns how many sessions.
#[tauri::command]
pub async fn add_sessions(state: State<'_, AppState>, course: String, form: SessionForm) -> UiResult<u32> {
    let course = CourseId(parse_id("corso", &course)?);
    let draft = quartiere_core::activities::ActivityDraft {
        kind: "formazione".into(),
        axis: "formazione_lavoro".into(),
        // The session takes the course's title.
        title: "lezione".into(),
        date: form.date,
        start: form.start,
        end: form.end,
        venue: form.venue,
        topic: String::new(),
        weeks: form.weeks,
    };
    let (mut input, weeks) = draft.parse()?;
    input.title = String::new();
    let ids = write(&state, |w| training::add_sessions(w, course, &input, weeks))?;
    Ok(ids.len() as u32)
}

/// A person's ESF record for their page: the record if written; otherwise the entry form filled
/// from what their registry record says, with the fields it filled (for the operator to check).
#[derive(Debug, Serialize, TS)]
pub struct EsfPage {
    pub record: Option<esf::EsfRecord>,
    pub draft: EsfDraft,
    pub prefilled: Vec<String>,
}

#[tauri::command]
pub async fn esf_page(state: State<'_, AppState>, person: String) -> UiResult<EsfPage> {
    let person = PersonId(parse_id("persona", &person)?);
    with_session(&state, |s| {
        let actor = s.actor;
        let record = esf::record(&mut s.store, &actor, person)?;
        let (draft, prefilled) = if record.is_none() {
            let who = quartiere_core::registry::get_person(&mut s.store, &actor, person)?;
            let (mut draft, filled) = EsfDraft::from_person(&who.esf);
            draft.entry_on = quartiere_core::format::date(today());
            (draft, filled.into_iter().map(String::from).collect())
        } else {
            (EsfDraft::default(), Vec::new())
        };
        Ok(EsfPage { record, draft, prefilled })
    })
}

/// Writes the ESF record at entry (needs the signed notice; fixed afterwards).
#[tauri::command]
pub async fn esf_enter(state: State<'_, AppState>, person: String, draft: EsfDraft) -> UiResult<()> {
    let person = PersonId(parse_id("persona", &person)?);
    let entry = draft.parse()?;
    write(&state, |w| esf::enter(w, person, &entry).map(drop))
}

/// Records the exit from the path, its reason and the result at exit.
#[tauri::command]
pub async fn esf_exit(state: State<'_, AppState>, person: String, draft: ExitDraft) -> UiResult<()> {
    let person = PersonId(parse_id("persona", &person)?);
    let (on, reason, result) = draft.parse()?;
    write(&state, |w| esf::exit(w, person, on, reason, result))
}

/// Records the result six months after exit, heard today.
#[tauri::command]
pub async fn esf_six_months(state: State<'_, AppState>, person: String, result: String) -> UiResult<()> {
    let person = PersonId(parse_id("persona", &person)?);
    let result = ResultAt6m::from_code(result.trim()).ok_or_else(|| {
        super::invalid(vec![quartiere_core::FieldError::new("esito_6_mesi", "scegli l'esito a sei mesi")])
    })?;
    write(&state, |w| esf::six_month_result(w, person, result, today()))
}

/// Records a work placement for a person.
#[tauri::command]
pub async fn add_placement(state: State<'_, AppState>, person: String, draft: PlacementDraft) -> UiResult<()> {
    let person = PersonId(parse_id("persona", &person)?);
    let input = draft.parse()?;
    write(&state, |w| placements::add_placement(w, person, &input).map(drop))
}

/// Ends a placement on a day (blank: today) with how it went.
#[tauri::command]
pub async fn end_placement(state: State<'_, AppState>, placement: String, on: String, outcome: String) -> UiResult<()> {
    let placement = parse_id("tirocinio", &placement)?;
    let mut errors = Vec::new();
    let on = optional_date("fine", &on, &mut errors).unwrap_or_else(today);
    if !errors.is_empty() {
        return Err(super::invalid(errors));
    }
    write(&state, |w| placements::end_placement(w, placement, on, &outcome))
}

/// Time given back to the community, as the form has it.
#[derive(Debug, Default, Deserialize, TS)]
#[serde(default)]
pub struct CommunityForm {
    /// `gg/mm/aaaa`; blank: today.
    pub on: String,
    /// `2`, `1,5`, `1:30`.
    pub hours: String,
    pub what: String,
}

/// Records time a person gave back to the community.
#[tauri::command]
pub async fn add_community_hours(state: State<'_, AppState>, person: String, form: CommunityForm) -> UiResult<()> {
    let person = PersonId(parse_id("persona", &person)?);
    let mut errors = Vec::new();
    let on = optional_date("giorno", &form.on, &mut errors).unwrap_or_else(today);
    let minutes = quartiere_core::draft::hours("ore", &form.hours, &mut errors).unwrap_or(0);
    if !errors.is_empty() {
        return Err(super::invalid(errors));
    }
    write(&state, |w| placements::add_community_hours(w, person, on, minutes, &form.what, None, today()).map(drop))
}
