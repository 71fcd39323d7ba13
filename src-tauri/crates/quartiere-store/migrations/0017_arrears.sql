-- Quartiere schema, version 17: arrears (morosità) and repayment plans (piani di rientro).
--
-- `account_period`: what the ente gestore billed a household for one month (`period`, YYYY-MM) and
-- what was paid of it, rent (canone) and service charges (servizi a rimborso) apart, in euro
-- cents; from the ente gestore's statement or typed by hand (`source`). Balance and arrears are
-- computed from these rows, never stored.
-- `arrears_assessment`: why a household fell behind through no fault (coded cause, the day it
-- happened, the evidence) and whether the Servizio Sociale confirmed it; the case it belongs to.
-- `repayment_plan`: the agreement: household, debt at signing (rent and charges), who signed and
-- when, how often an instalment falls due, the lapse rule agreed (`consecutive:3`,
-- `with_charges:2`), the monthly income the 1/8 rule was checked against, and the officer's
-- confirmation when an instalment is over it; closing.
-- `plan_terms`: the plan's terms, one row per version (position 0 at signing): total, number of
-- instalments or amount per instalment, and the anchor (the instalment `anchor_index` falls due on
-- `anchor_on`, the others a whole number of periods from it). A change of total or start
-- reschedules from the first instalment not yet paid (`first_index`), keeping the ones before as
-- they were; a new start moves the anchor there, a new total keeps it.
-- `plan_payment`: what was actually paid towards the plan, on which day.
-- `solidarity_credit`: the regional solidarity contribution (R.R. 11/2019), a credit to the
-- household's account applied to service charges first, then to arrears.
-- Synced; amounts are integers (cents); free text only in evidence, signatories, reasons, notes.
CREATE TABLE account_period (
    id             TEXT PRIMARY KEY,
    household_id   TEXT REFERENCES household (id),
    dwelling_id    TEXT REFERENCES dwelling (id),
    period         TEXT NOT NULL DEFAULT '',
    rent_billed    INTEGER NOT NULL DEFAULT 0,
    charges_billed INTEGER NOT NULL DEFAULT 0,
    rent_paid      INTEGER NOT NULL DEFAULT 0,
    charges_paid   INTEGER NOT NULL DEFAULT 0,
    source         TEXT,
    recorded_by    TEXT,
    deleted        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX account_period_household ON account_period (household_id, period);

CREATE TABLE arrears_assessment (
    id              TEXT PRIMARY KEY,
    household_id    TEXT REFERENCES household (id),
    case_id         TEXT REFERENCES case_file (id),
    cause           TEXT NOT NULL DEFAULT '',
    event_on        TEXT,
    evidence        TEXT,
    ss_confirmed    INTEGER NOT NULL DEFAULT 0,
    ss_confirmed_on TEXT,
    recorded_by     TEXT,
    deleted         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX arrears_assessment_household ON arrears_assessment (household_id);

CREATE TABLE repayment_plan (
    id                    TEXT PRIMARY KEY,
    household_id          TEXT REFERENCES household (id),
    assessment_id         TEXT REFERENCES arrears_assessment (id),
    signed_on             TEXT,
    signatories           TEXT,
    rent_debt             INTEGER NOT NULL DEFAULT 0,
    charges_debt          INTEGER NOT NULL DEFAULT 0,
    frequency_months      INTEGER NOT NULL DEFAULT 1,
    lapse_rule            TEXT NOT NULL DEFAULT '',
    monthly_income        INTEGER,
    over_income_confirmed INTEGER NOT NULL DEFAULT 0,
    closed_on             TEXT,
    close_reason          TEXT,
    recorded_by           TEXT,
    deleted               INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX repayment_plan_household ON repayment_plan (household_id);

CREATE TABLE plan_terms (
    id           TEXT PRIMARY KEY,
    plan_id      TEXT REFERENCES repayment_plan (id),
    position     INTEGER NOT NULL DEFAULT 0,
    effective_on TEXT,
    total        INTEGER NOT NULL DEFAULT 0,
    count        INTEGER,
    instalment   INTEGER,
    anchor_on    TEXT,
    anchor_index INTEGER NOT NULL DEFAULT 1,
    first_index  INTEGER NOT NULL DEFAULT 1,
    reason       TEXT,
    recorded_by  TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plan_terms_plan ON plan_terms (plan_id, position);

CREATE TABLE plan_payment (
    id          TEXT PRIMARY KEY,
    plan_id     TEXT REFERENCES repayment_plan (id),
    paid_on     TEXT,
    amount      INTEGER NOT NULL DEFAULT 0,
    note        TEXT,
    recorded_by TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plan_payment_plan ON plan_payment (plan_id, paid_on);

CREATE TABLE solidarity_credit (
    id           TEXT PRIMARY KEY,
    household_id TEXT REFERENCES household (id),
    plan_id      TEXT REFERENCES repayment_plan (id),
    granted_on   TEXT,
    amount       INTEGER NOT NULL DEFAULT 0,
    note         TEXT,
    recorded_by  TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX solidarity_credit_household ON solidarity_credit (household_id);
