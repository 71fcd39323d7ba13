//! The repayment plan agreement (accordo di rientro), printed for signatures: the household, the
//! debt at signing split into rent and charges, the terms, the lapse clause, and every instalment
//! with its due date and amount, in Italian format.

use chrono::NaiveDate;
use serde_json::json;

use crate::audit::{self, AuditKind};
use crate::error::Result;
use crate::format;
use crate::ids::PlanId;
use crate::printing::{self, Printed};
use crate::schema::Table;
use crate::store::{Actor, Store};

fn frequency(months: u32) -> String {
    match months {
        1 => "mensile".into(),
        2 => "bimestrale".into(),
        3 => "trimestrale".into(),
        4 => "quadrimestrale".into(),
        6 => "semestrale".into(),
        12 => "annuale".into(),
        n => format!("ogni {n} mesi"),
    }
}

/// The agreement of a plan as a PDF, its schedule as in force on `today`. Needs
/// [`crate::access::Action::ReadArrears`]; the printout is recorded in the audit log.
pub fn agreement_document(store: &mut Store, actor: &Actor, plan: PlanId, today: NaiveDate) -> Result<Printed> {
    let view = super::plan(store, actor, plan, today)?;
    let (project, funding) = printing::heading(store)?;
    let id = printing::short_id("PR", plan.0);
    let instalments: Vec<serde_json::Value> = view
        .instalments
        .iter()
        .map(|i| json!({ "n": i.number.to_string(), "scadenza": format::date(i.due_on), "importo": format::money(i.amount) }))
        .collect();
    let count = view.instalments.len();
    let data = json!({
        "progetto": project,
        "finanziamento": funding,
        "id": id,
        "data": format::date(today),
        "intestatario": view.tenant.clone().unwrap_or_default(),
        "indirizzo": view.address,
        "firma": format::date(view.signed_on),
        "firmatari": view.signatories,
        "debito_canone": format::money(view.rent_debt),
        "debito_spese": format::money(view.charges_debt),
        "totale": format::money(view.total),
        "rate": format::count(count, "rata", "rate"),
        "frequenza": frequency(view.frequency_months),
        "decadenza": view.lapse_rule_text,
        "causa": view.assessment.as_ref().map(|a| a.cause.label_it()).unwrap_or(""),
        "scadenze": instalments,
    });
    let pdf = printing::render(store, "piano-rientro", &data, &id, today)?;
    audit::record(
        store,
        actor,
        AuditKind::Print,
        Some((Table::Household, view.household.0)),
        &format!("piano di rientro {id}"),
    )?;
    Ok(Printed { id, title: format!("Piano di rientro - {}", view.address), pdf })
}
