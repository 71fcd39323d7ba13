-- Quartiere schema, version 15: prese in carico (case work).
--
-- `case_file`: one case for a person (and their household), on one of the project's axes, with
-- the neighbourhood tutor who follows it; `contact_id` is the desk contact it was opened from.
-- `servizio_sociale` says whether it is shared with the Comune's Servizio Sociale. Closing
-- records `closed_on`, the coded `outcome` and a note on it.
-- `case_operator`: the other operators on the case, each with their role in it.
-- `case_goal`: the plan: goals (`parent_id` blank) and their steps (`parent_id` the goal), each
-- with an owner, a due date and a status (aperto | in_corso | raggiunto | non_raggiunto | annullato).
-- `referral` gains what a case's referral needs: the case, its state (inviato | accettato |
-- rifiutato | concluso) and when it changed, whether it shares the person's data with the other
-- organisation, and the consent that allowed it. (Added columns name their tables without a
-- REFERENCES clause, so that the column can be dropped again; the core checks them.)
-- Synced; personal values only as references to people, free text in reasons and titles.
CREATE TABLE case_file (
    id               TEXT PRIMARY KEY,
    person_id        TEXT REFERENCES person (id),
    household_id     TEXT REFERENCES household (id),
    axis             TEXT NOT NULL DEFAULT '',
    opened_on        TEXT,
    contact_id       TEXT REFERENCES desk_contact (id),
    tutor_id         TEXT REFERENCES operator (id),
    servizio_sociale INTEGER NOT NULL DEFAULT 0,
    reason           TEXT,
    closed_on        TEXT,
    outcome          TEXT,
    outcome_note     TEXT,
    opened_by        TEXT,
    deleted          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_file_person ON case_file (person_id);
CREATE INDEX case_file_tutor ON case_file (tutor_id, closed_on);

CREATE TABLE case_operator (
    id          TEXT PRIMARY KEY,
    case_id     TEXT REFERENCES case_file (id),
    operator_id TEXT REFERENCES operator (id),
    role        TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_operator_case ON case_operator (case_id);

CREATE TABLE case_goal (
    id         TEXT PRIMARY KEY,
    case_id    TEXT REFERENCES case_file (id),
    parent_id  TEXT REFERENCES case_goal (id),
    title      TEXT NOT NULL DEFAULT '',
    owner      TEXT,
    due_on     TEXT,
    status     TEXT NOT NULL DEFAULT '',
    done_on    TEXT,
    position   INTEGER,
    written_by TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_goal_case ON case_goal (case_id);
-- What is still to do, by due date: Home's overdue goals read it in order and stop early.
CREATE INDEX case_goal_open_due ON case_goal (due_on) WHERE status IN ('aperto', 'in_corso') AND deleted = 0;

ALTER TABLE referral ADD COLUMN case_id TEXT;
ALTER TABLE referral ADD COLUMN state TEXT;
ALTER TABLE referral ADD COLUMN state_on TEXT;
ALTER TABLE referral ADD COLUMN shares_data INTEGER NOT NULL DEFAULT 0;
ALTER TABLE referral ADD COLUMN consent_id TEXT;
ALTER TABLE referral ADD COLUMN recorded_by TEXT;
CREATE INDEX referral_case ON referral (case_id);
