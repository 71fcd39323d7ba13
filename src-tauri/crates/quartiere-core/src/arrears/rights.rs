//! What the access export takes from arrears: for each household the person is (or was) the tenant
//! of record of, its no-fault assessments and its repayment plans with what was paid, as lines.

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::error::Result;
use crate::format;
use crate::ids::{HouseholdId, PersonId};
use crate::store::parse_uuid;

/// The lines of the access export about the arrears of the person's households (as tenant).
pub fn access_lines(conn: &Connection, person: PersonId, today: NaiveDate) -> Result<Vec<String>> {
    let households: Vec<HouseholdId> = conn
        .prepare(
            "SELECT DISTINCT household_id FROM membership WHERE person_id = ?1 AND tenant_of_record = 1 AND deleted = 0",
        )?
        .query_map([person], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|h| Ok(HouseholdId(parse_uuid(&h)?)))
        .collect::<Result<_>>()?;
    let mut lines = Vec::new();
    for household in households {
        let view = super::view::account_view(conn, household, today)?;
        if view.months.is_empty() && view.plans.is_empty() && view.assessments.is_empty() {
            continue;
        }
        lines.push(format!(
            "{}: {} nell'estratto conto dell'ente gestore; al {} saldo {}, debito {}",
            view.address,
            format::count(view.months.len(), "mese", "mesi"),
            format::date(today),
            format::money(view.balance),
            format::money(view.debt)
        ));
        for a in &view.assessments {
            lines.push(format!(
                "Morosità incolpevole: {}{}{}",
                a.cause.label_it(),
                a.event_on.map(|d| format!(" dal {}", format::date(d))).unwrap_or_default(),
                a.ss_confirmed_on
                    .map(|d| format!(", confermata dal Servizio Sociale il {}", format::date(d)))
                    .unwrap_or_default()
            ));
        }
        for p in &view.plans {
            lines.push(format!(
                "Piano di rientro firmato il {}: {} in {}, pagati {}, {}",
                format::date(p.signed_on),
                format::money(p.total),
                format::count(p.instalments, "rata", "rate"),
                format::money(p.paid),
                p.status.label_it()
            ));
        }
    }
    Ok(lines)
}
