//! `quartiere plans`, `quartiere statement` and `quartiere arrears`: repayment plans, the ente
//! gestore's statement, a household's account.

use std::process::ExitCode;

use chrono::NaiveDate;
use quartiere_core::arrears::draft::{AssessmentDraft, PaymentDraft, PlanDraft, TermsDraft};
use quartiere_core::arrears::{self, statement};
use quartiere_core::ids::{AssessmentId, HouseholdId, PlanId};
use quartiere_core::registry::resolve_id;
use quartiere_core::schema::Table;
use quartiere_core::{format, Error, Store};

use crate::args::{ArrearsCommand, Cli, PlansCommand, StatementCommand};
use crate::output::print_json;
use crate::session::{open, today};

fn plan_id(store: &Store, key: &str) -> Result<PlanId, Error> {
    resolve_id(store.conn(), Table::RepaymentPlan, key).map(PlanId)
}

fn household_id(store: &Store, key: &str) -> Result<HouseholdId, Error> {
    resolve_id(store.conn(), Table::Household, key).map(HouseholdId)
}

/// The day figures are computed for: `--on gg/mm/aaaa`, or today.
fn day(on: &Option<String>) -> Result<NaiveDate, Error> {
    match on.as_deref() {
        None => Ok(today()),
        Some(text) => format::parse_date(text)
            .ok_or_else(|| Error::invalid("on", format!("«{text}» non è una data: scrivi gg/mm/aaaa"))),
    }
}

fn lapse_setting(store: &Store) -> Result<arrears::schedule::LapseRule, Error> {
    Ok(arrears::default_lapse_rule(store.local_setting(arrears::LAPSE_RULE_SETTING)?.as_deref()))
}

/// Runs a `plans` subcommand.
pub fn plans(cli: &Cli, command: &PlansCommand) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match command {
        PlansCommand::List { household, on, json } => {
            let household = household.as_deref().map(|h| household_id(&store, h)).transpose()?;
            let list = arrears::plans(&mut store, &actor, household, day(on)?)?;
            if *json {
                return print_json(&list).map(|_| ExitCode::SUCCESS);
            }
            for p in &list {
                let next = match (p.next_due_on, p.next_amount) {
                    (Some(d), Some(a)) => format!(" · prossima rata {} il {}", format::money(a), format::date(d)),
                    _ => String::new(),
                };
                out!(
                    "{}  {} · {} · firmato il {} · {} · pagati {} di {}{next}",
                    p.id,
                    p.address,
                    p.tenant.as_deref().unwrap_or("—"),
                    format::date(p.signed_on),
                    p.status.label_it(),
                    format::money(p.paid),
                    format::money(p.total)
                );
            }
            out!("{}.", format::count(list.len(), "piano di rientro", "piani di rientro"));
        }
        PlansCommand::Show { plan, on, json } => {
            let id = plan_id(&store, plan)?;
            let view = arrears::plan(&mut store, &actor, id, day(on)?)?;
            if *json {
                return print_json(&view).map(|_| ExitCode::SUCCESS);
            }
            out!("Piano di rientro di {} ({})", view.address, view.tenant.as_deref().unwrap_or("—"));
            out!(
                "Firmato il {} da {} · debito {} (canone {}, spese {})",
                format::date(view.signed_on),
                view.signatories,
                format::money(view.total),
                format::money(view.rent_debt),
                format::money(view.charges_debt)
            );
            out!(
                "Al {}: {}{} · pagati {} · restano {}",
                format::date(view.day),
                view.status.label_it(),
                view.lapsed_on.map(|d| format!(" dal {}", format::date(d))).unwrap_or_default(),
                format::money(view.paid),
                format::money(view.remaining)
            );
            out!("Decadenza: {}.", view.lapse_rule_text);
            for i in &view.instalments {
                out!(
                    "  rata {:>3}  {}  {:>14}  pagati {:>14}  {}",
                    i.number,
                    format::date(i.due_on),
                    format::money(i.amount),
                    format::money(i.paid),
                    i.state.label_it()
                );
            }
            for p in &view.payments {
                let parts: Vec<String> =
                    p.parts.iter().map(|x| format!("rata {}: {}", x.instalment, format::money(x.amount))).collect();
                out!(
                    "  {} {} {}{} → {}",
                    format::date(p.on),
                    if p.contribution { "contributo" } else { "pagamento" },
                    format::money(p.amount),
                    p.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default(),
                    if parts.is_empty() { "oltre il piano".to_string() } else { parts.join(", ") }
                );
            }
            for t in view.terms.iter().skip(1) {
                out!(
                    "  modificato il {}: totale {} dalla rata {} · {}",
                    t.effective_on.map(format::date).unwrap_or_default(),
                    format::money(t.total),
                    t.first_index,
                    t.reason.as_deref().unwrap_or("")
                );
            }
        }
        PlansCommand::Sign {
            household,
            signed_on,
            signatories,
            rent_debt,
            charges_debt,
            first_due,
            count,
            instalment,
            every,
            lapse_rule,
            income,
            confirm_income,
            assessment,
        } => {
            let household = household_id(&store, household)?;
            let assessment = assessment
                .as_deref()
                .map(|a| resolve_id(store.conn(), Table::ArrearsAssessment, a).map(AssessmentId))
                .transpose()?;
            let input = PlanDraft {
                household: household.to_string(),
                assessment: assessment.map(|a| a.to_string()).unwrap_or_default(),
                signed_on: signed_on.clone(),
                signatories: signatories.clone(),
                rent_debt: rent_debt.clone(),
                charges_debt: charges_debt.clone(),
                first_due_on: first_due.clone(),
                count: count.clone(),
                instalment: instalment.clone(),
                frequency_months: every.clone(),
                lapse_rule: lapse_rule.clone(),
                monthly_income: income.clone(),
                confirm_over_income: *confirm_income,
            }
            .parse()?;
            let rule = lapse_setting(&store)?;
            let id = store.write(&actor, |w| arrears::sign_plan(w, &input, rule))?;
            out!("{id}");
        }
        PlansCommand::Pay { plan, on, amount, note } => {
            let id = plan_id(&store, plan)?;
            let input = PaymentDraft { on: on.clone(), amount: amount.clone(), note: note.clone().unwrap_or_default() }
                .parse(today())?;
            store.write(&actor, |w| arrears::record_payment(w, id, &input))?;
            let view = arrears::plan(&mut store, &actor, id, today())?;
            out!(
                "Pagamento di {} registrato: pagati {} di {}, {}.",
                format::money(input.amount),
                format::money(view.paid),
                format::money(view.total),
                view.status.label_it()
            );
        }
        PlansCommand::Terms { plan, total, next_due, count, instalment, reason } => {
            let id = plan_id(&store, plan)?;
            let input = TermsDraft {
                total: total.clone(),
                next_due_on: next_due.clone(),
                count: count.clone(),
                instalment: instalment.clone(),
                reason: reason.clone(),
                on: String::new(),
            }
            .parse(today())?;
            store.write(&actor, |w| arrears::change_terms(w, id, &input))?;
            let view = arrears::plan(&mut store, &actor, id, today())?;
            out!(
                "Piano riprogrammato: {} per un totale di {}.",
                format::count(view.instalments.len(), "rata", "rate"),
                format::money(view.total)
            );
        }
        PlansCommand::Close { plan, reason, on } => {
            let id = plan_id(&store, plan)?;
            let on = day(on)?;
            store.write(&actor, |w| arrears::close_plan(w, id, on, reason))?;
            out!("Piano chiuso il {}.", format::date(on));
        }
        PlansCommand::Agreement { plan, out } => {
            let id = plan_id(&store, plan)?;
            let printed = arrears::agreement::agreement_document(&mut store, &actor, id, today())?;
            quartiere_core::files::write_whole(out, &printed.pdf)?;
            out!("{}", printed.id);
        }
        PlansCommand::Monitor { on, json } => {
            let m = arrears::monitoring(&mut store, &actor, day(on)?)?;
            if *json {
                return print_json(&m).map(|_| ExitCode::SUCCESS);
            }
            out!("Piani firmati: {} · seguiti ora: {}", m.plans_signed, m.plans_monitored);
            for (title, list) in [("Rate scadute", &m.overdue), ("In scadenza entro 7 giorni", &m.due_this_week)] {
                out!("{title}: {}", list.len());
                for d in list {
                    out!(
                        "  {} rata {} · {} · {}",
                        format::date(d.due_on),
                        d.number,
                        d.address,
                        format::money(d.outstanding)
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs a `statement` subcommand.
pub fn statement(cli: &Cli, command: &StatementCommand) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match command {
        StatementCommand::Import { file, dry_run, json } => {
            let report = statement::import_statement(&mut store, &actor, file, *dry_run)?;
            if *json {
                print_json(&report)?;
            } else {
                for e in &report.errors {
                    out!("{e}");
                }
                if report.errors.is_empty() {
                    out!(
                        "{}{} per {}: {} nuovi, {} cambiati, {} già uguali.",
                        if *dry_run { "Prova, niente scritto: " } else { "" },
                        format::count(report.rows, "riga", "righe"),
                        format::count(report.households, "nucleo", "nuclei"),
                        report.added,
                        report.changed,
                        report.unchanged
                    );
                } else {
                    out!(
                        "Niente importato: {} da correggere nel file.",
                        format::count(report.errors.len(), "problema", "problemi")
                    );
                }
            }
            Ok(if report.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// Runs an `arrears` subcommand.
pub fn arrears(cli: &Cli, command: &ArrearsCommand) -> Result<ExitCode, Error> {
    let (mut store, actor) = open(cli)?;
    match command {
        ArrearsCommand::Account { household, on, json } => {
            let household = household_id(&store, household)?;
            let view = arrears::household_account(&mut store, &actor, household, day(on)?)?;
            if *json {
                return print_json(&view).map(|_| ExitCode::SUCCESS);
            }
            out!("Estratto conto di {} ({})", view.address, view.tenant.as_deref().unwrap_or("—"));
            for m in &view.months {
                out!(
                    "  {}  canone {} (pagato {})  spese {} (pagate {})",
                    m.period,
                    format::money(m.rent_billed),
                    format::money(m.rent_paid),
                    format::money(m.charges_billed),
                    format::money(m.charges_paid)
                );
            }
            for c in &view.credits {
                out!(
                    "  contributo del {}: {} (spese {}, canone {}, piano {}, resta {})",
                    format::date(c.on),
                    format::money(c.amount),
                    format::money(c.to_charges),
                    format::money(c.to_rent),
                    format::money(c.to_plan),
                    format::money(c.left)
                );
            }
            out!(
                "Al {}: saldo {} · morosità {} · piano da pagare {} · debito {}",
                format::date(view.day),
                format::money(view.balance),
                format::money(view.arrears),
                format::money(view.plan_remaining),
                format::money(view.debt)
            );
        }
        ArrearsCommand::Assess { household, cause, event_on, evidence, confirmed } => {
            let household = household_id(&store, household)?;
            let input = AssessmentDraft {
                household: household.to_string(),
                cause: cause.clone(),
                event_on: event_on.clone(),
                evidence: evidence.clone(),
                ss_confirmed: *confirmed,
                ..Default::default()
            }
            .parse(today())?;
            let id = store.write(&actor, |w| arrears::record_assessment(w, &input))?;
            out!("{id}");
        }
        ArrearsCommand::Credit { household, on, amount, note } => {
            let household = household_id(&store, household)?;
            let input = PaymentDraft { on: on.clone(), amount: amount.clone(), note: note.clone().unwrap_or_default() }
                .parse(today())?;
            store.write(&actor, |w| arrears::add_credit(w, household, &input))?;
            out!("Contributo di {} accreditato.", format::money(input.amount));
        }
    }
    Ok(ExitCode::SUCCESS)
}
