//! The project: the indicators dashboard with its targets and the records behind a number, the
//! project plan, and the monthly bundle to the Comune (preview, the Comune's keys, export).

use chrono::{Datelike, Months};
use quartiere_core::bundle::{self, Exported, Include, Preview, Request};
use quartiere_core::codes::IndicatorCode;
use quartiere_core::ids::{ActivityId, CaseId, PlanActionId};
use quartiere_core::indicators::{self, Dashboard, Period, RecordLine, Target, TargetDraft};
use quartiere_core::project::{self, ActionDraft, ActionView, LinkTarget, ProjectPlan};
use quartiere_core::FieldError;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use super::{invalid, optional_date, parse_id, pick_save_path, today, with_session, write, UiResult};
use crate::AppState;

/// A period as the screen sends it: blank `from` is the project's first day on record (or six
/// months ago), blank `to` is today.
fn period(state: &AppState, from: Option<String>, to: Option<String>) -> UiResult<Period> {
    let mut errors = Vec::new();
    let from = optional_date("dal", from.as_deref().unwrap_or(""), &mut errors);
    let to = optional_date("al", to.as_deref().unwrap_or(""), &mut errors);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let to = to.unwrap_or_else(today);
    let from = match from {
        Some(f) => f,
        None => {
            let start = with_session(state, |s| indicators::project_start(&s.store, &s.actor))?;
            start.unwrap_or_else(|| to.checked_sub_months(Months::new(6)).unwrap_or(to)).with_day(1).unwrap_or(to)
        }
    };
    Ok(Period::new(from, to)?)
}

fn indicator(code: &str) -> UiResult<IndicatorCode> {
    IndicatorCode::from_code(code)
        .ok_or_else(|| invalid(vec![FieldError::new("indicatore", format!("indicatore sconosciuto: «{code}»"))]))
}

/// The indicators for a period against their targets, month by month.
#[tauri::command]
pub async fn dashboard(state: State<'_, AppState>, from: Option<String>, to: Option<String>) -> UiResult<Dashboard> {
    let period = period(&state, from, to)?;
    with_session(&state, |s| indicators::dashboard(&s.store, &s.actor, period))
}

/// The records behind one indicator's number (registry readers only; the read is audited).
#[tauri::command]
pub async fn indicator_records(
    state: State<'_, AppState>,
    code: String,
    from: Option<String>,
    to: Option<String>,
) -> UiResult<Vec<RecordLine>> {
    let code = indicator(&code)?;
    let period = period(&state, from, to)?;
    with_session(&state, |s| {
        let actor = s.actor;
        indicators::records(&mut s.store, &actor, code, period)
    })
}

/// Sets an indicator's target (the coordinator); returns the targets now.
#[tauri::command]
pub async fn set_target(state: State<'_, AppState>, draft: TargetDraft) -> UiResult<Vec<Target>> {
    let target = draft.parse()?;
    write(&state, |w| indicators::targets::set_target(w, &target))?;
    with_session(&state, |s| indicators::targets::targets(&s.store, &s.actor))
}

#[tauri::command]
pub async fn clear_target(state: State<'_, AppState>, code: String) -> UiResult<Vec<Target>> {
    let code = indicator(&code)?;
    write(&state, |w| indicators::targets::clear_target(w, code))?;
    with_session(&state, |s| indicators::targets::targets(&s.store, &s.actor))
}

#[tauri::command]
pub async fn project_plan(state: State<'_, AppState>) -> UiResult<ProjectPlan> {
    with_session(&state, |s| project::plan(&s.store, &s.actor, today()))
}

/// Adds an action (no `id`) or changes one; returns it as saved.
#[tauri::command]
pub async fn save_plan_action(
    state: State<'_, AppState>,
    id: Option<String>,
    draft: ActionDraft,
) -> UiResult<ActionView> {
    let input = draft.parse(today())?;
    let id = match id {
        Some(id) => {
            let id = PlanActionId(parse_id("azione", &id)?);
            write(&state, |w| project::edit_action(w, id, &input))?;
            id
        }
        None => write(&state, |w| project::add_action(w, &input))?,
    };
    with_session(&state, |s| project::action(&s.store, &s.actor, id, today()))
}

#[tauri::command]
pub async fn remove_plan_action(state: State<'_, AppState>, id: String) -> UiResult<()> {
    let id = PlanActionId(parse_id("azione", &id)?);
    write(&state, |w| project::remove_action(w, id))
}

fn link_target(activity: Option<String>, case: Option<String>) -> UiResult<LinkTarget> {
    match (activity, case) {
        (Some(a), _) => Ok(LinkTarget::Activity(ActivityId(parse_id("attivita", &a)?))),
        (None, Some(c)) => Ok(LinkTarget::Case(CaseId(parse_id("presa_in_carico", &c)?))),
        (None, None) => Err(invalid(vec![FieldError::new("attivita", "scegli un'attività o una presa in carico")])),
    }
}

/// Links (or, with `remove`, unlinks) an activity or a case to an action; returns the action.
#[tauri::command]
pub async fn link_plan_action(
    state: State<'_, AppState>,
    id: String,
    activity: Option<String>,
    case: Option<String>,
    remove: bool,
) -> UiResult<ActionView> {
    let id = PlanActionId(parse_id("azione", &id)?);
    let target = link_target(activity, case)?;
    write(&state, |w| if remove { project::unlink(w, id, target) } else { project::link(w, id, target) })?;
    with_session(&state, |s| project::action(&s.store, &s.actor, id, today()))
}

/// What the export screen sends: the month (`AAAA-MM`), the project's first day (blank: the first
/// on record), what goes in, and the coordinator's notes for the report.
#[derive(Debug, Deserialize, TS)]
pub struct BundleForm {
    pub month: String,
    #[serde(default)]
    pub since: String,
    pub include: Include,
    #[serde(default)]
    pub note: String,
}

fn request(form: &BundleForm) -> UiResult<Request> {
    let mut errors = Vec::new();
    let since = optional_date("dall_inizio", &form.since, &mut errors);
    let month = match Period::month(form.month.trim()) {
        Ok(m) => Some(m),
        Err(quartiere_core::Error::Invalid(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(e) => return Err(e.into()),
    };
    match month {
        Some(month) if errors.is_empty() => Ok(Request {
            month,
            since,
            include: form.include,
            note: Some(form.note.trim().to_string()).filter(|n| !n.is_empty()),
        }),
        _ => Err(invalid(errors)),
    }
}

/// The bundle's settings on this desk: the Comune's keys and this desk's signing key.
#[derive(Debug, Serialize, TS)]
pub struct BundleSettings {
    /// The Comune's age public keys, one per line (blank: none yet).
    pub recipients: String,
    /// The fingerprint of the key that signs this desk's bundles (none before the first one).
    pub signing_key: Option<String>,
    /// The month to propose: the one before today's.
    pub last_month: String,
}

#[tauri::command]
pub async fn bundle_settings(state: State<'_, AppState>) -> UiResult<BundleSettings> {
    let last = today().with_day(1).and_then(|d| d.pred_opt()).unwrap_or_else(today);
    with_session(&state, |s| {
        Ok(BundleSettings {
            recipients: bundle::recipients(&s.store, &s.actor)?,
            signing_key: bundle::signing_fingerprint(&s.store)?,
            last_month: format!("{:04}-{:02}", last.year(), last.month()),
        })
    })
}

/// Keeps the Comune's keys after checking each; a wrong one is refused naming it.
#[tauri::command]
pub async fn set_bundle_recipients(state: State<'_, AppState>, recipients: String) -> UiResult<u32> {
    with_session(&state, |s| {
        let actor = s.actor;
        bundle::set_recipients(&mut s.store, &actor, &recipients).map(|n| n as u32)
    })
}

/// What the bundle will hold, computed as the export would, writing nothing.
#[tauri::command]
pub async fn bundle_preview(state: State<'_, AppState>, form: BundleForm) -> UiResult<Preview> {
    let request = request(&form)?;
    with_session(&state, |s| bundle::preview(&s.store, &s.actor, &request))
}

/// Makes the bundle where the operator chooses (`None` if they cancel). The keys are checked
/// before the dialog opens, so a wrong key is said at once and nothing is written.
#[tauri::command]
pub async fn export_bundle<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    form: BundleForm,
) -> UiResult<Option<Exported>> {
    let request = request(&form)?;
    let recipients = with_session(&state, |s| bundle::recipients(&s.store, &s.actor))?;
    bundle::parse_recipients(&recipients)?;
    let name = format!("quartiere-{}.tar.age", request.month.month_code());
    let Some(path) = pick_save_path(&app, "Salva il pacchetto mensile per il Comune", &name) else {
        return Ok(None);
    };
    with_session(&state, |s| {
        let actor = s.actor;
        bundle::export(&mut s.store, &actor, &request, &recipients, &path).map(Some)
    })
}
