//! Morosità: the schedule (month ends, leap years, cents), allocation of what was actually paid,
//! rescheduling, the lapse rules, the solidarity contribution's order, each as a table of cases;
//! then the module on a real database: the statement import, signing, payments, the agreement.

use chrono::NaiveDate;
use quartiere_core::access::Role;
use quartiere_core::arrears::draft::{AssessmentDraft, MonthDraft, PaymentDraft, PlanDraft, TermsDraft};
use quartiere_core::arrears::schedule::{
    self, account, allocate, equal_parts, fixed_parts, standing, Credit, CreditUse, Instalment, LapseRule, Month, Paid,
    Split, Terms,
};
use quartiere_core::arrears::{self, statement};
use quartiere_core::codes::{InstalmentState, PlanStatus};
use quartiere_core::ids::{HouseholdId, PlanId};
use quartiere_core::registry::{self, DwellingInput};
use quartiere_core::{Actor, Error};

use crate::*;

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%d/%m/%Y").unwrap()
}

fn terms(total: i64, split: Split, start: &str, months: u32) -> Terms {
    Terms { total, split, anchor_on: d(start), anchor_index: 1, first_index: 1, frequency_months: months }
}

fn dues(s: &[Instalment]) -> Vec<String> {
    s.iter().map(|i| i.due_on.format("%d/%m/%Y").to_string()).collect()
}

#[test]
fn due_dates_keep_the_day_or_fall_on_the_months_last_day() {
    // (first due date, months between, how many, the due dates expected)
    let cases: &[(&str, u32, u32, &[&str])] = &[
        ("31/01/2026", 1, 4, &["31/01/2026", "28/02/2026", "31/03/2026", "30/04/2026"]),
        ("31/01/2024", 1, 3, &["31/01/2024", "29/02/2024", "31/03/2024"]),
        ("30/01/2025", 1, 3, &["30/01/2025", "28/02/2025", "30/03/2025"]),
        ("29/02/2024", 12, 5, &["29/02/2024", "28/02/2025", "28/02/2026", "28/02/2027", "29/02/2028"]),
        ("31/08/2026", 3, 3, &["31/08/2026", "30/11/2026", "28/02/2027"]),
        ("15/12/2026", 1, 3, &["15/12/2026", "15/01/2027", "15/02/2027"]),
        ("31/12/2099", 2, 2, &["31/12/2099", "28/02/2100"]),
    ];
    for (start, months, count, expected) in cases {
        let s = schedule::schedule(&[terms(10_000, Split::Count(*count), start, *months)]).unwrap();
        assert_eq!(dues(&s), expected.iter().map(|e| e.to_string()).collect::<Vec<_>>(), "from {start} every {months}");
    }
}

#[test]
fn instalments_add_up_to_the_debt_to_the_cent() {
    // (debt in cents, how it is split, the amounts expected; None: only check the sum and spread)
    let cases: &[(i64, Split, Option<&[i64]>)] = &[
        (100_000, Split::Count(3), Some(&[33_334, 33_333, 33_333])),
        (100, Split::Count(3), Some(&[34, 33, 33])),
        (120_000, Split::Count(12), Some(&[10_000; 12])),
        (100_000, Split::Amount(30_000), Some(&[30_000, 30_000, 30_000, 10_000])),
        (90_000, Split::Amount(30_000), Some(&[30_000, 30_000, 30_000])),
        (1_234_567, Split::Count(120), None),
        (999_999, Split::Count(7), None),
        (5, Split::Count(5), Some(&[1, 1, 1, 1, 1])),
    ];
    for (debt, split, expected) in cases {
        let s = schedule::schedule(&[terms(*debt, *split, "31/01/2026", 1)]).unwrap();
        let amounts: Vec<i64> = s.iter().map(|i| i.amount).collect();
        assert_eq!(amounts.iter().sum::<i64>(), *debt, "{debt} {split:?}");
        if let Some(expected) = expected {
            assert_eq!(&amounts, expected, "{debt} {split:?}");
        }
        if let Split::Count(n) = split {
            assert_eq!(amounts.len(), *n as usize);
            let (lo, hi) = (amounts.iter().min().unwrap(), amounts.iter().max().unwrap());
            assert!(hi - lo <= 1, "equal to the cent: {amounts:?}");
        }
    }
    assert_eq!(equal_parts(0, 0), Vec::<i64>::new());
    assert_eq!(fixed_parts(100, 0), Vec::<i64>::new());
    assert!(schedule::schedule(&[terms(1_000_000, Split::Count(121), "01/01/2026", 1)]).is_err(), "at most 120");
    assert!(
        schedule::schedule(&[terms(1_000_000, Split::Amount(1_000), "01/01/2026", 1)]).is_err(),
        "1000 instalments"
    );
}

#[test]
fn payments_are_allocated_by_the_amount_actually_paid() {
    // Three instalments of 100,00 EUR due 31/01, 28/02, 31/03/2026.
    let plan = schedule::schedule(&[terms(30_000, Split::Count(3), "31/01/2026", 1)]).unwrap();
    // (payments as (day, cents), the day looked at, paid per instalment, settled days, surplus)
    type Case<'a> = (&'a [(&'a str, i64)], &'a str, [i64; 3], [Option<&'a str>; 3], i64);
    let cases: &[Case] = &[
        // A partial payment leaves the first instalment partly paid.
        (&[("20/01/2026", 4_000)], "25/01/2026", [4_000, 0, 0], [None, None, None], 0),
        // Two partial payments complete it on the day of the second.
        (
            &[("20/01/2026", 4_000), ("05/02/2026", 6_000)],
            "10/02/2026",
            [10_000, 0, 0],
            [Some("05/02/2026"), None, None],
            0,
        ),
        // An over-payment goes on to the next instalments.
        (
            &[("30/01/2026", 25_000)],
            "31/01/2026",
            [10_000, 10_000, 5_000],
            [Some("30/01/2026"), Some("30/01/2026"), None],
            0,
        ),
        // Paying more than the plan leaves a surplus.
        (
            &[("30/01/2026", 20_000), ("01/03/2026", 15_000)],
            "31/03/2026",
            [10_000, 10_000, 10_000],
            [Some("30/01/2026"), Some("30/01/2026"), Some("01/03/2026")],
            5_000,
        ),
        // A late payment pays the oldest instalment still open.
        (&[("15/03/2026", 10_000)], "20/03/2026", [10_000, 0, 0], [Some("15/03/2026"), None, None], 0),
        // A payment after the day looked at is not counted yet.
        (&[("15/03/2026", 10_000)], "14/03/2026", [0, 0, 0], [None, None, None], 0),
        // The scheduled amount does not matter: 33,33 is credited as 33,33.
        (
            &[("31/01/2026", 3_333), ("31/01/2026", 3_333), ("31/01/2026", 3_334)],
            "31/01/2026",
            [10_000, 0, 0],
            [Some("31/01/2026"), None, None],
            0,
        ),
    ];
    for (payments, day, paid, settled, surplus) in cases {
        let payments: Vec<Paid> = payments.iter().map(|(on, amount)| Paid { on: d(on), amount: *amount }).collect();
        let a = allocate(&plan, &payments, d(day));
        let got: Vec<i64> = a.instalments.iter().map(|i| i.paid).collect();
        assert_eq!(got, paid.to_vec(), "{payments:?} on {day}");
        let got: Vec<Option<NaiveDate>> = a.instalments.iter().map(|i| i.settled_on).collect();
        assert_eq!(got, settled.iter().map(|s| s.map(d)).collect::<Vec<_>>(), "{payments:?} on {day}");
        assert_eq!(a.surplus, *surplus);
        assert_eq!(a.paid, payments.iter().filter(|p| p.on <= d(day)).map(|p| p.amount).sum::<i64>(), "nothing lost");
    }
}

#[test]
fn a_change_of_total_or_start_reschedules_the_unpaid_instalments_without_adding_any() {
    let first = terms(120_000, Split::Count(12), "31/01/2026", 1);
    // Two instalments paid; the third pays from here.
    let later = |total: i64, split: Split, anchor: Option<&str>| Terms {
        total,
        split,
        anchor_on: anchor.map(d).unwrap_or(first.anchor_on),
        anchor_index: if anchor.is_some() { 3 } else { 1 },
        first_index: 3,
        frequency_months: 1,
    };
    // (new terms, how many instalments, the amounts of 3 and 12, the due dates of 3 and 4)
    type Case<'a> = (Terms, usize, (i64, i64), (&'a str, &'a str));
    let cases: &[Case] = &[
        // A larger total: the same 12 instalments, the ten unpaid ones larger, the dates kept.
        (later(150_000, Split::Count(12), None), 12, (13_000, 13_000), ("31/03/2026", "30/04/2026")),
        // A smaller one.
        (later(100_000, Split::Count(12), None), 12, (8_000, 8_000), ("31/03/2026", "30/04/2026")),
        // A new start: the same amounts, the dates from the new start.
        (later(120_000, Split::Count(12), Some("15/06/2026")), 12, (10_000, 10_000), ("15/06/2026", "15/07/2026")),
        // Both, with rounding.
        (later(110_001, Split::Count(12), Some("31/05/2026")), 12, (9_001, 9_000), ("31/05/2026", "30/06/2026")),
        // More instalments, agreed: the plan grows to 24, not to 12 + 24.
        (later(120_000, Split::Count(24), None), 24, (4_546, 4_546), ("31/03/2026", "30/04/2026")),
    ];
    for (new, count, (third, twelfth), (due3, due4)) in cases {
        let s = schedule::schedule(&[first.clone(), new.clone()]).unwrap();
        assert_eq!(s.len(), *count, "{new:?}");
        assert_eq!((s[0].amount, s[1].amount), (10_000, 10_000), "the paid ones stay as they were");
        assert_eq!((s[0].due_on, s[1].due_on), (d("31/01/2026"), d("28/02/2026")));
        assert_eq!((s[2].amount, s[11].amount), (*third, *twelfth), "{new:?}");
        assert_eq!((s[2].due_on, s[3].due_on), (d(due3), d(due4)), "{new:?}");
        assert_eq!(s.iter().map(|i| i.amount).sum::<i64>(), new.total, "to the cent");
        let numbers: Vec<u32> = s.iter().map(|i| i.number).collect();
        assert_eq!(numbers, (1..=*count as u32).collect::<Vec<_>>());
    }
    // A total under what was paid is refused, as is a count that leaves nothing to pay.
    assert!(schedule::schedule(&[first.clone(), later(15_000, Split::Count(12), None)]).is_err());
    assert!(schedule::schedule(&[first.clone(), later(150_000, Split::Count(2), None)]).is_err());
}

#[test]
fn each_lapse_rule_decides_when_a_plan_lapses() {
    // Six monthly instalments of 100,00 EUR from 31/01/2026.
    let plan = schedule::schedule(&[terms(60_000, Split::Count(6), "31/01/2026", 1)]).unwrap();
    let pay = |list: &[(&str, i64)]| list.iter().map(|(on, a)| Paid { on: d(on), amount: *a }).collect::<Vec<_>>();
    // (rule, payments, current charges unpaid from, day, status, lapsed on)
    type Case<'a> = (LapseRule, Vec<Paid>, Option<&'a str>, &'a str, PlanStatus, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (LapseRule::ConsecutiveMissed(3), pay(&[]), None, "15/01/2026", PlanStatus::Attivo, None),
        (LapseRule::ConsecutiveMissed(3), pay(&[]), None, "01/02/2026", PlanStatus::InRitardo, None),
        (LapseRule::ConsecutiveMissed(3), pay(&[]), None, "31/03/2026", PlanStatus::InRitardo, None),
        // The third unpaid instalment makes it lapse the day after it falls due.
        (LapseRule::ConsecutiveMissed(3), pay(&[]), None, "01/04/2026", PlanStatus::Decaduto, Some("01/04/2026")),
        // Paying one in time keeps the count under three.
        (
            LapseRule::ConsecutiveMissed(3),
            pay(&[("31/03/2026", 10_000)]),
            None,
            "01/04/2026",
            PlanStatus::InRitardo,
            None,
        ),
        // Paying late, after the lapse, does not undo it.
        (
            LapseRule::ConsecutiveMissed(3),
            pay(&[("10/04/2026", 30_000)]),
            None,
            "15/04/2026",
            PlanStatus::Decaduto,
            Some("01/04/2026"),
        ),
        // A partial payment does not stop an instalment from being missed.
        (
            LapseRule::ConsecutiveMissed(2),
            pay(&[("20/01/2026", 5_000)]),
            None,
            "01/03/2026",
            PlanStatus::Decaduto,
            Some("01/03/2026"),
        ),
        (LapseRule::ConsecutiveMissed(1), pay(&[("31/01/2026", 10_000)]), None, "31/01/2026", PlanStatus::Attivo, None),
        // With charges: missed instalments alone do not make it lapse...
        (LapseRule::MissedWithCharges(2), pay(&[]), None, "15/04/2026", PlanStatus::InRitardo, None),
        // ...missed instalments and the current charges unpaid do.
        (
            LapseRule::MissedWithCharges(2),
            pay(&[]),
            Some("01/04/2026"),
            "15/04/2026",
            PlanStatus::Decaduto,
            Some("01/04/2026"),
        ),
        (
            LapseRule::MissedWithCharges(2),
            pay(&[]),
            Some("01/01/2026"),
            "15/04/2026",
            PlanStatus::Decaduto,
            Some("01/03/2026"),
        ),
        // Paid in full: closed, whatever was missed on the way.
        (
            LapseRule::MissedWithCharges(2),
            pay(&[("20/01/2026", 60_000)]),
            Some("01/01/2026"),
            "15/04/2026",
            PlanStatus::Chiuso,
            None,
        ),
    ];
    for (rule, payments, unpaid_from, day, status, lapsed_on) in cases {
        let a = allocate(&plan, &payments, d(day));
        let s = standing(&a, rule, None, d(day), |on| unpaid_from.is_some_and(|f| on >= d(f)));
        assert_eq!((s.status, s.lapsed_on), (status, lapsed_on.map(d)), "{rule:?} {payments:?} on {day}");
    }
    assert_eq!(LapseRule::from_code("consecutive:3"), Some(LapseRule::ConsecutiveMissed(3)));
    assert_eq!(LapseRule::from_code("with_charges:2"), Some(LapseRule::MissedWithCharges(2)));
    assert_eq!(LapseRule::from_code("consecutive:0"), None);
    assert!(LapseRule::ConsecutiveMissed(3).describe().contains("3 rate consecutive"));
}

#[test]
fn the_solidarity_contribution_pays_charges_first_then_arrears() {
    let month = |m: &str, rent: i64, charges: i64, rent_paid: i64, charges_paid: i64| Month {
        month: d(&format!("01/{m}")),
        rent_billed: rent,
        charges_billed: charges,
        rent_paid,
        charges_paid,
    };
    // Three months, each 300,00 rent and 100,00 charges; January paid, February and March not.
    let months = vec![
        month("01/2026", 30_000, 10_000, 30_000, 10_000),
        month("02/2026", 30_000, 10_000, 0, 0),
        month("03/2026", 30_000, 10_000, 0, 0),
    ];
    // (contribution day and amount, plan signed on, how it is used, arrears after, balance after)
    type Case<'a> = ((&'a str, i64), Option<&'a str>, CreditUse, i64);
    let cases: &[Case] = &[
        // Charges first (February's and March's 200,00), then rent.
        (("31/03/2026", 50_000), None, CreditUse { to_charges: 20_000, to_rent: 30_000, to_plan: 0, left: 0 }, 30_000),
        // Less than the charges: all to charges.
        (("31/03/2026", 15_000), None, CreditUse { to_charges: 15_000, to_rent: 0, to_plan: 0, left: 0 }, 65_000),
        // On 28 February only February is due: March's charges are not there yet.
        (
            ("28/02/2026", 50_000),
            None,
            CreditUse { to_charges: 10_000, to_rent: 30_000, to_plan: 0, left: 10_000 },
            40_000,
        ),
        // More than everything owed: the rest stays a credit.
        (("31/03/2026", 100_000), None, CreditUse { to_charges: 20_000, to_rent: 60_000, to_plan: 0, left: 20_000 }, 0),
        // With a plan signed on 28/02 (January and February in it), March's charges first, then the plan.
        (
            ("31/03/2026", 50_000),
            Some("28/02/2026"),
            CreditUse { to_charges: 10_000, to_rent: 0, to_plan: 40_000, left: 0 },
            30_000,
        ),
    ];
    for ((on, amount), signed, used, arrears) in cases {
        let credits = [Credit { on: d(on), amount: *amount }];
        let state = account(&months, &credits, signed.map(d), d("31/03/2026"));
        assert_eq!(state.credits, vec![used.clone()], "{amount} on {on}");
        assert_eq!(state.arrears, *arrears, "{amount} on {on}");
        assert_eq!(state.balance, 120_000 - 40_000 - amount);
        let to_plan: i64 = state.to_plan.iter().map(|p| p.amount).sum();
        assert_eq!(to_plan, used.to_plan);
    }
    // After the plan closed (15/03), a contribution pays March's charges and rent, never the closed
    // plan, and leaves the months that were the plan's alone.
    let credits = [Credit { on: d("31/03/2026"), amount: 50_000 }];
    let state =
        schedule::account_in(&months, &credits, Some((d("28/02/2026"), Some(d("15/03/2026")))), d("31/03/2026"));
    assert_eq!(state.credits, vec![CreditUse { to_charges: 10_000, to_rent: 30_000, to_plan: 0, left: 10_000 }]);
    assert!(state.to_plan.is_empty());
}

// ------------------------------------------------------------------------------------------------
// On a real database

struct Lab {
    f: Fixture,
    officer: Actor,
    household: HouseholdId,
}

fn lab() -> Lab {
    let mut f = fixture();
    let coordinator = f.actor;
    let household = f
        .store
        .write(&coordinator, |w| {
            let h = registry::create_dwelling_and_household(
                w,
                &DwellingInput {
                    code: Some("TRZ-0042".into()),
                    street: "Via Luigi Pirandello".into(),
                    civic: "6".into(),
                    scala: Some("H".into()),
                    ..Default::default()
                },
                Some(d("01/01/2020")),
            )?;
            let p = registry::create_person(
                w,
                &registry::PersonInput { surname: "Ștefănescu".into(), name: "Ioana".into(), ..Default::default() },
            )?;
            registry::add_member(
                w,
                h,
                p,
                &registry::MemberInput {
                    relationship: quartiere_core::codes::Relationship::Intestatario,
                    relationship_text: None,
                    resident_since: None,
                    tenant_of_record: true,
                },
            )?;
            Ok(h)
        })
        .unwrap();
    let officer = operator_with_role(&mut f, "Rita Morosità", Role::ArrearsOfficer);
    Lab { f, officer, household }
}

fn sign(draft: PlanDraft, lab: &mut Lab) -> quartiere_core::Result<PlanId> {
    let input = draft.parse()?;
    let officer = lab.officer;
    lab.f.store.write(&officer, |w| arrears::sign_plan(w, &input, LapseRule::DEFAULT))
}

fn plan_draft(household: HouseholdId) -> PlanDraft {
    PlanDraft {
        household: household.to_string(),
        signed_on: "15/01/2026".into(),
        signatories: "Ioana Ștefănescu, ALER Milano, Laboratorio Mezzetta".into(),
        rent_debt: "2.400,00".into(),
        charges_debt: "600,00".into(),
        first_due_on: "31/01/2026".into(),
        count: "12".into(),
        ..Default::default()
    }
}

fn pay(lab: &mut Lab, plan: PlanId, on: &str, amount: &str) -> quartiere_core::Result<uuid::Uuid> {
    let input = PaymentDraft { on: on.into(), amount: amount.into(), ..Default::default() }.parse(d("30/06/2026"))?;
    let officer = lab.officer;
    lab.f.store.write(&officer, |w| arrears::record_payment(w, plan, &input))
}

fn fields(e: &Error) -> Vec<String> {
    match e {
        Error::Invalid(f) => f.iter().map(|f| format!("{}: {}", f.field, f.message)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn a_plan_is_signed_paid_in_part_and_late_after_its_due_date() {
    let mut lab = lab();
    let plan = sign(plan_draft(lab.household), &mut lab).unwrap();
    let officer = lab.officer;
    let view = arrears::plan(&mut lab.f.store, &officer, plan, d("20/01/2026")).unwrap();
    assert_eq!(view.instalments.len(), 12);
    assert_eq!(view.total, 300_000);
    assert_eq!(view.instalments[0].amount, 25_000);
    assert_eq!(view.instalments[1].due_on, d("28/02/2026"));
    assert_eq!(view.status, PlanStatus::Attivo);
    assert_eq!(view.tenant.as_deref(), Some("Ștefănescu Ioana"));

    // A partial payment: the first instalment partly paid, the plan active until its due date passes.
    pay(&mut lab, plan, "25/01/2026", "100,00").unwrap();
    let view = arrears::plan(&mut lab.f.store, &officer, plan, d("31/01/2026")).unwrap();
    assert_eq!((view.instalments[0].paid, view.instalments[0].state), (10_000, InstalmentState::Parziale));
    assert_eq!(view.status, PlanStatus::Attivo);
    let view = arrears::plan(&mut lab.f.store, &officer, plan, d("01/02/2026")).unwrap();
    assert_eq!(view.instalments[0].state, InstalmentState::Scaduta);
    assert_eq!((view.status, view.overdue, view.overdue_amount), (PlanStatus::InRitardo, 1, 15_000));
    assert_eq!(view.payments[0].parts.len(), 1);

    // Paid late with an over-payment: the first paid late, the second in part.
    pay(&mut lab, plan, "10/02/2026", "200,00").unwrap();
    let view = arrears::plan(&mut lab.f.store, &officer, plan, d("11/02/2026")).unwrap();
    assert_eq!(view.instalments[0].state, InstalmentState::PagataInRitardo);
    assert_eq!((view.instalments[1].paid, view.instalments[1].state), (5_000, InstalmentState::Parziale));
    assert_eq!(view.status, PlanStatus::Attivo);
    assert_eq!((view.paid, view.remaining), (30_000, 270_000));

    // Three months without paying: it lapses under the default rule (3 consecutive missed).
    let view = arrears::plan(&mut lab.f.store, &officer, plan, d("01/05/2026")).unwrap();
    assert_eq!((view.status, view.lapsed_on), (PlanStatus::Decaduto, Some(d("01/05/2026"))));

    // Home's monitoring sees the overdue instalments.
    let m = arrears::monitoring(&mut lab.f.store, &officer, d("20/03/2026")).unwrap();
    assert_eq!(m.overdue.iter().map(|o| o.number).collect::<Vec<_>>(), vec![2]);
    assert_eq!(m.due_this_week.iter().map(|o| o.number).collect::<Vec<_>>(), Vec::<u32>::new());
    let m = arrears::monitoring(&mut lab.f.store, &officer, d("25/03/2026")).unwrap();
    assert_eq!(m.due_this_week.iter().map(|o| o.number).collect::<Vec<_>>(), vec![3]);
    assert_eq!((m.plans_signed, m.plans_monitored), (1, 1));
}

#[test]
fn bad_plans_and_payments_are_refused_with_a_reason_and_write_nothing() {
    let mut lab = lab();
    let before = change_count(&lab.f.store);
    // A stray thousands separator, a first due date before signing, no count.
    let err = sign(
        PlanDraft {
            rent_debt: "2.40,00".into(),
            first_due_on: "01/01/2026".into(),
            count: String::new(),
            ..plan_draft(lab.household)
        },
        &mut lab,
    )
    .unwrap_err();
    let f = fields(&err);
    assert!(f.iter().any(|e| e.starts_with("debito_canone:") && e.contains("punto")), "{f:?}");
    assert!(f.iter().any(|e| e.starts_with("prima_rata:")), "{f:?}");
    assert!(f.iter().any(|e| e.starts_with("rate:")), "{f:?}");

    // An instalment over 1/8 of the income is a warning the officer confirms.
    let err = sign(PlanDraft { monthly_income: "1.200,00".into(), ..plan_draft(lab.household) }, &mut lab).unwrap_err();
    let f = fields(&err);
    assert!(
        f[0].starts_with("conferma_reddito:") && f[0].contains("250,00 EUR") && f[0].contains("150,00 EUR"),
        "{f:?}"
    );
    assert_eq!(change_count(&lab.f.store), before, "nothing written");
    let plan = sign(
        PlanDraft { monthly_income: "1.200,00".into(), confirm_over_income: true, ..plan_draft(lab.household) },
        &mut lab,
    )
    .unwrap();
    let confirmed: bool = lab
        .f
        .store
        .conn()
        .query_row("SELECT over_income_confirmed FROM repayment_plan WHERE id = ?1", [plan], |r| r.get(0))
        .unwrap();
    assert!(confirmed, "the confirmation is recorded");

    // A second plan while one is open.
    let err = sign(plan_draft(lab.household), &mut lab).unwrap_err();
    assert!(fields(&err)[0].contains("ha già un piano di rientro aperto, firmato il 15/01/2026"));

    // A payment before the plan was signed.
    let before = change_count(&lab.f.store);
    let err = pay(&mut lab, plan, "10/01/2026", "100,00").unwrap_err();
    assert!(fields(&err)[0].contains("è prima della firma del piano (15/01/2026)"), "{err:?}");
    assert_eq!(change_count(&lab.f.store), before);
    let err = pay(&mut lab, plan, "20/01/2026", "1,234.00").unwrap_err();
    assert!(fields(&err)[0].starts_with("importo:"));

    // Only the arrears officer and the coordinator write; the desk operator reads.
    let desk = operator_with_role(&mut lab.f, "Sara Sportello", Role::DeskOperator);
    let input = PaymentDraft { on: "20/01/2026".into(), amount: "10,00".into(), ..Default::default() }
        .parse(d("30/06/2026"))
        .unwrap();
    let err = lab.f.store.write(&desk, |w| arrears::record_payment(w, plan, &input)).unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert!(arrears::plan(&mut lab.f.store, &desk, plan, d("20/01/2026")).is_ok());
    let afol = operator_with_role(&mut lab.f, "Aldo Afol", Role::Afol);
    assert!(matches!(arrears::plan(&mut lab.f.store, &afol, plan, d("20/01/2026")), Err(Error::Forbidden { .. })));
}

#[test]
fn changing_the_terms_reschedules_and_keeps_the_history() {
    let mut lab = lab();
    let plan = sign(plan_draft(lab.household), &mut lab).unwrap();
    pay(&mut lab, plan, "31/01/2026", "250,00").unwrap();
    pay(&mut lab, plan, "27/02/2026", "300,00").unwrap();
    let officer = lab.officer;
    let change = |total: &str, next: &str, reason: &str| TermsDraft {
        total: total.into(),
        next_due_on: next.into(),
        reason: reason.into(),
        on: "05/03/2026".into(),
        ..Default::default()
    };
    let input = change("3.600,00", "", "Addebitate spese arretrate del 2025").parse(d("05/03/2026")).unwrap();
    lab.f.store.write(&officer, |w| arrears::change_terms(w, plan, &input)).unwrap();
    let view = arrears::plan(&mut lab.f.store, &officer, plan, d("05/03/2026")).unwrap();
    assert_eq!(view.instalments.len(), 12, "rescheduled, none added");
    assert_eq!(view.total, 360_000);
    assert_eq!(view.instalments[1].amount, 25_000, "the second, paid, as it was");
    assert_eq!(view.instalments[2].amount, 31_000, "(3.600 - 500) / 10");
    assert_eq!(view.instalments[2].paid, 5_000, "the over-payment stays on the third");
    assert_eq!(view.instalments[2].due_on, d("31/03/2026"));
    assert_eq!(view.instalments.iter().map(|i| i.amount).sum::<i64>(), 360_000);

    let input = change("", "30/06/2026", "Rinvio concordato: nuovo lavoro da luglio").parse(d("05/03/2026")).unwrap();
    lab.f.store.write(&officer, |w| arrears::change_terms(w, plan, &input)).unwrap();
    let view = arrears::plan(&mut lab.f.store, &officer, plan, d("05/03/2026")).unwrap();
    assert_eq!(view.instalments.len(), 12);
    assert_eq!(view.instalments[2].due_on, d("30/06/2026"));
    assert_eq!(view.instalments[3].due_on, d("30/07/2026"));
    assert_eq!(view.instalments[11].due_on, d("30/03/2027"));
    assert_eq!(view.terms.len(), 3, "signing and two changes kept");
    assert_eq!(view.terms[1].reason.as_deref(), Some("Addebitate spese arretrate del 2025"));
    assert_eq!(view.terms[2].first_index, 3);

    // Terms that give the same instalments are refused: no empty version in the history.
    let same = change("3.600,00", "", "Nessun cambiamento").parse(d("05/03/2026")).unwrap();
    let err = lab.f.store.write(&officer, |w| arrears::change_terms(w, plan, &same)).unwrap_err();
    assert!(fields(&err)[0].contains("le stesse rate"), "{err:?}");
    // A new start before a paid instalment's due date is refused.
    let input = change("", "15/02/2026", "Errore").parse(d("05/03/2026")).unwrap();
    let err = lab.f.store.write(&officer, |w| arrears::change_terms(w, plan, &input)).unwrap_err();
    assert!(fields(&err)[0].contains("la rata 2 (pagata) scadeva il 28/02/2026"), "{err:?}");
}

fn write_csv(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_statement_imports_whole_or_not_at_all_and_the_account_follows() {
    let mut lab = lab();
    let officer = lab.officer;
    let dir = tempfile::tempdir().unwrap();
    let bad = write_csv(
        dir.path(),
        "estratto.csv",
        "Codice alloggio;Periodo;Canone;Spese;Canone pagato;Spese pagate\n\
         TRZ-0042;01/2026;300,00;100,00;300,00;100,00\n\
         TRZ-9999;01/2026;300,00;100,00;0;0\n\
         TRZ-0042;02/2026;3.00,00;100,00;0;0\n",
    );
    let before = change_count(&lab.f.store);
    let report = statement::import_statement(&mut lab.f.store, &officer, &bad, false).unwrap();
    let errors: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("riga 3, colonna «codice_alloggio»: l'alloggio TRZ-9999 non è nell'anagrafica"),
        "{errors:?}"
    );
    assert!(errors[1].starts_with("riga 4, colonna «canone»: «3.00,00»: un punto è fuori posto"), "{errors:?}");
    assert_eq!(change_count(&lab.f.store), before, "nothing written");

    let good = write_csv(
        dir.path(),
        "estratto.csv",
        "Codice alloggio;Periodo;Canone;Spese;Canone pagato;Spese pagate\n\
         TRZ-0042;01/2026;300,00;100,00;300,00;100,00\n\
         TRZ-0042;02/2026;300,00;100,00;0;0\n\
         TRZ-0042;03/2026;300,00;100,00;150,00;0\n",
    );
    let report = statement::import_statement(&mut lab.f.store, &officer, &good, false).unwrap();
    assert_eq!((report.added, report.changed, report.unchanged, report.households), (3, 0, 0, 1));
    let again = statement::import_statement(&mut lab.f.store, &officer, &good, false).unwrap();
    assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 3), "imported again: nothing changes");
    let account = arrears::household_account(&mut lab.f.store, &officer, lab.household, d("31/03/2026")).unwrap();
    assert_eq!((account.billed, account.paid, account.balance, account.arrears), (120_000, 55_000, 65_000, 65_000));
    let over_time: Vec<i64> = account.debt_over_time.iter().map(|p| p.debt).collect();
    assert_eq!(over_time, vec![0, 40_000, 65_000]);

    // A contribution: March's and February's charges first, then rent.
    let input = PaymentDraft { on: "31/03/2026".into(), amount: "300,00".into(), ..Default::default() }
        .parse(d("31/03/2026"))
        .unwrap();
    let household = lab.household;
    lab.f.store.write(&officer, |w| arrears::add_credit(w, household, &input)).unwrap();
    let account = arrears::household_account(&mut lab.f.store, &officer, lab.household, d("31/03/2026")).unwrap();
    assert_eq!((account.credits[0].to_charges, account.credits[0].to_rent), (20_000, 10_000));
    assert_eq!(account.arrears, 35_000);

    // A month typed by hand.
    let month = MonthDraft {
        period: "04/2026".into(),
        rent_billed: "300".into(),
        charges_billed: "100".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    lab.f.store.write(&officer, |w| arrears::record_month(w, household, &month, "manuale")).unwrap();
    let account = arrears::household_account(&mut lab.f.store, &officer, lab.household, d("30/04/2026")).unwrap();
    assert_eq!(account.arrears, 75_000);

    // The assessment travels with the household.
    let input = AssessmentDraft {
        household: lab.household.to_string(),
        cause: "licenziamento".into(),
        event_on: "10/11/2025".into(),
        evidence: "Lettera di licenziamento".into(),
        ss_confirmed: true,
        ..Default::default()
    }
    .parse(d("30/04/2026"))
    .unwrap();
    lab.f.store.write(&officer, |w| arrears::record_assessment(w, &input)).unwrap();
    let account = arrears::household_account(&mut lab.f.store, &officer, lab.household, d("30/04/2026")).unwrap();
    assert_eq!(account.assessments[0].ss_confirmed_on, Some(d("30/04/2026")));
    let m = arrears::monitoring(&mut lab.f.store, &officer, d("30/04/2026")).unwrap();
    assert_eq!(m.over_time.last().unwrap().no_fault_debt, 75_000);
}

#[test]
fn the_plan_agreement_reads_back_with_the_household_the_amounts_and_every_instalment() {
    let mut lab = lab();
    let plan = sign(PlanDraft { count: "18".into(), ..plan_draft(lab.household) }, &mut lab).unwrap();
    let officer = lab.officer;
    let printed = arrears::agreement::agreement_document(&mut lab.f.store, &officer, plan, d("15/01/2026")).unwrap();
    let text = pdf_text(&printed.pdf);
    for expected in [
        "Piano di rientro",
        "Ștefănescu Ioana",
        "Via Luigi Pirandello 6",
        "2.400,00 EUR",
        "600,00 EUR",
        "3.000,00 EUR",
        "18 rate",
        "consecutive restano non pagate",
    ] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
    let view = arrears::plan(&mut lab.f.store, &officer, plan, d("15/01/2026")).unwrap();
    for i in &view.instalments {
        let (due, amount) = (i.due_on.format("%d/%m/%Y").to_string(), quartiere_core::format::money(i.amount));
        let found = text.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.len() == 4
                && words[0] == i.number.to_string()
                && words[1] == due
                && format!("{} {}", words[2], words[3]) == amount
        });
        assert!(found, "instalment {} ({due}, {amount}) missing", i.number);
    }
    assert!(text.contains("166,67 EUR") && text.contains("166,66 EUR"), "{text}");
}

// ------------------------------------------------------------------------------------------------
// Two desks apart

/// The files a desk published in its own folder, relative to the folder.
fn published(desk: &crate::sync::Desk) -> Vec<std::path::PathBuf> {
    let own = desk.folder.join("desks").join(desk.store.desk().0.hyphenated().to_string());
    if !own.exists() {
        return Vec::new();
    }
    crate::sync::walk(&own).into_iter().map(|f| f.strip_prefix(&desk.folder).unwrap().to_owned()).collect()
}

#[test]
fn two_desks_recording_payments_apart_agree_after_sync_whatever_the_delivery_order() {
    use crate::sync::{copy_tree, desk, run};
    for seed in 1..=6_u64 {
        let folders = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let mut a = desk("Sportello Mezzetta", seed * 10, folders[0].path(), 0);
        std::fs::create_dir_all(folders[1].path().join("keys")).unwrap();
        copy_tree(&folders[0].path().join("keys"), &folders[1].path().join("keys"));
        let mut b = desk("Sportello Pirandello", seed * 10 + 1, folders[1].path(), 4);
        // Desk A signs the plan; B receives it.
        let actor = a.actor;
        let household = a
            .store
            .write(&actor, |w| {
                registry::create_dwelling_and_household(
                    w,
                    &DwellingInput {
                        code: Some("TRZ-7".into()),
                        street: "Via Leonardo da Vinci".into(),
                        civic: "15".into(),
                        ..Default::default()
                    },
                    None,
                )
            })
            .unwrap();
        let input = plan_draft(household).parse().unwrap();
        let plan = a.store.write(&actor, |w| arrears::sign_plan(w, &input, LapseRule::DEFAULT)).unwrap();
        run(&mut a);
        run(&mut b);
        copy_tree(folders[0].path(), folders[1].path());
        run(&mut b);
        copy_tree(folders[1].path(), folders[0].path());
        run(&mut a);
        assert!(arrears::plan(&mut b.store, &b.actor.clone(), plan, d("20/01/2026")).is_ok(), "B has the plan");

        // Each desk records payments while apart, publishing after each; A's files reach B and
        // B's reach A one at a time, in an order drawn from the seed, each desk syncing now and then.
        let mut rng = quartiere_core::ids::IdGen::seeded(seed);
        let mut expected = Vec::new();
        for i in 0..8_u64 {
            let which = rng.below(2) as usize;
            let day = 16 + rng.below(12) as u32;
            let cents = 1_000 + rng.below(40_000) as i64;
            let payment = arrears::draft::PaymentInput {
                on: NaiveDate::from_ymd_opt(2026, 1, day).unwrap(),
                amount: cents,
                note: Some(format!("ricevuta {i}")),
            };
            let desk = if which == 0 { &mut a } else { &mut b };
            let actor = desk.actor;
            desk.store.write(&actor, |w| arrears::record_payment(w, plan, &payment)).unwrap();
            expected.push(cents);
            run(desk);
        }
        // Both desks type December's statement for the household while apart, differently.
        for (k, desk) in [&mut a, &mut b].into_iter().enumerate() {
            let month = arrears::draft::MonthInput {
                month: d("01/12/2025"),
                rent_billed: 30_000,
                charges_billed: 10_000,
                rent_paid: 10_000 * k as i64,
                charges_paid: 0,
            };
            let actor = desk.actor;
            desk.store.write(&actor, |w| arrears::record_month(w, household, &month, "manuale")).unwrap();
            run(desk);
        }
        let mut parcels: Vec<(usize, std::path::PathBuf)> =
            published(&a).into_iter().map(|p| (0, p)).chain(published(&b).into_iter().map(|p| (1, p))).collect();
        while !parcels.is_empty() {
            let at = rng.below(parcels.len() as u64) as usize;
            let (from, rel) = parcels.swap_remove(at);
            let to = 1 - from;
            let target = folders[to].path().join(&rel);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            if !target.exists() {
                std::fs::copy(folders[from].path().join(&rel), &target).unwrap();
            }
            if rng.below(3) == 0 {
                run(if to == 0 { &mut a } else { &mut b });
            }
        }
        run(&mut a);
        run(&mut b);
        let day = d("30/06/2026");
        let (aa, ba) = (a.actor, b.actor);
        let va = arrears::plan(&mut a.store, &aa, plan, day).unwrap();
        let vb = arrears::plan(&mut b.store, &ba, plan, day).unwrap();
        let amounts = |v: &arrears::PlanView| {
            let mut x: Vec<i64> = v.payments.iter().map(|p| p.amount).collect();
            x.sort();
            x
        };
        expected.sort();
        assert_eq!(amounts(&va), expected, "seed {seed}: every payment once at A");
        assert_eq!(amounts(&vb), expected, "seed {seed}: every payment once at B");
        assert_eq!(va.paid, expected.iter().sum::<i64>());
        assert_eq!((va.paid, va.remaining, va.status), (vb.paid, vb.remaining, vb.status), "seed {seed}");
        assert_eq!(va.instalments, vb.instalments, "seed {seed}: the same allocation");
        // The month typed at both desks counts once, the same at both, and is shown as doubled.
        let ca = arrears::household_account(&mut a.store, &aa, household, d("31/12/2025")).unwrap();
        let cb = arrears::household_account(&mut b.store, &ba, household, d("31/12/2025")).unwrap();
        assert_eq!(
            (ca.billed, ca.arrears, ca.doubled.clone()),
            (cb.billed, cb.arrears, cb.doubled.clone()),
            "seed {seed}"
        );
        assert_eq!((ca.billed, ca.doubled), (40_000, vec!["2025-12".to_string()]), "seed {seed}");
    }
}

#[test]
fn the_tenants_access_export_includes_the_households_arrears_and_plan() {
    let mut lab = lab();
    let plan = sign(PlanDraft { assessment: String::new(), ..plan_draft(lab.household) }, &mut lab).unwrap();
    pay(&mut lab, plan, "25/01/2026", "250,00").unwrap();
    let tenant: String = lab
        .f
        .store
        .conn()
        .query_row("SELECT person_id FROM membership WHERE tenant_of_record = 1", [], |r| r.get(0))
        .unwrap();
    let person = quartiere_core::ids::PersonId(tenant.parse().unwrap());
    let coordinator = lab.f.actor;
    let out = tempfile::tempdir().unwrap();
    let files = quartiere_core::privacy::export_person(
        &mut lab.f.store,
        &coordinator,
        person,
        &out.path().join("accesso"),
        d("31/01/2026"),
    )
    .unwrap();
    let json = std::fs::read_to_string(&files.json).unwrap();
    assert!(
        json.contains("Piano di rientro firmato il 15/01/2026: 3.000,00 EUR in 12 rate, pagati 250,00 EUR, attivo"),
        "{json}"
    );
    let text = pdf_text(&std::fs::read(&files.pdf).unwrap());
    assert!(text.contains("Morosità e piani di rientro del nucleo"), "{text}");
}

#[test]
fn a_contribution_pays_the_plan_in_force_not_one_closed_before() {
    let mut lab = lab();
    let officer = lab.officer;
    let first = sign(plan_draft(lab.household), &mut lab).unwrap();
    lab.f
        .store
        .write(&officer, |w| arrears::close_plan(w, first, d("28/02/2026"), "Sostituito da un nuovo piano"))
        .unwrap();
    let second = sign(
        PlanDraft { signed_on: "01/03/2026".into(), first_due_on: "31/03/2026".into(), ..plan_draft(lab.household) },
        &mut lab,
    )
    .unwrap();
    let input = PaymentDraft { on: "10/03/2026".into(), amount: "400,00".into(), ..Default::default() }
        .parse(d("30/06/2026"))
        .unwrap();
    let household = lab.household;
    lab.f.store.write(&officer, |w| arrears::add_credit(w, household, &input)).unwrap();
    let old = arrears::plan(&mut lab.f.store, &officer, first, d("30/06/2026")).unwrap();
    let new = arrears::plan(&mut lab.f.store, &officer, second, d("30/06/2026")).unwrap();
    assert_eq!((old.paid, old.status), (0, PlanStatus::Chiuso));
    assert_eq!(new.paid, 40_000);
    assert!(new.payments[0].contribution);
}
