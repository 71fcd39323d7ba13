-- Quartiere schema, version 18: the project's targets, its plan of actions, and the lab's secret
-- for the pseudonyms of the monthly bundle to the Comune.
--
-- `indicator_target`: the target the project set for one indicator (`code`, one of the codes the
-- core computes), with its value in the indicator's own unit (people, households, plans, events,
-- euro cents) and, optionally, the figure at the baseline and the day the target is due. Targets
-- are data: the coordinator edits them; the latest row for a code wins.
-- `plan_action`: an action of the project plan: axis, title, owner (a partner organisation and a
-- person's name, an operator or a partner's contact, never a resident), start and due dates,
-- status, budget and spent in euro cents.
-- `plan_action_link`: an action's activities and cases.
-- `lab_secret`: secrets every desk of the lab shares (today only `pseudonimi`, the key of the
-- bundle's stable pseudonyms). One row per purpose, under a fixed id so that desks converge.
-- Synced.
CREATE TABLE indicator_target (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL DEFAULT '',
    target      INTEGER NOT NULL DEFAULT 0,
    baseline    INTEGER,
    due_on      TEXT,
    note        TEXT,
    set_by      TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX indicator_target_code ON indicator_target (code);

CREATE TABLE plan_action (
    id          TEXT PRIMARY KEY,
    axis        TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    partner_id  TEXT REFERENCES partner (id),
    owner_name  TEXT,
    starts_on   TEXT,
    due_on      TEXT,
    status      TEXT NOT NULL DEFAULT '',
    done_on     TEXT,
    budget      INTEGER NOT NULL DEFAULT 0,
    spent       INTEGER NOT NULL DEFAULT 0,
    recorded_by TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plan_action_link (
    id          TEXT PRIMARY KEY,
    action_id   TEXT REFERENCES plan_action (id),
    activity_id TEXT REFERENCES activity (id),
    case_id     TEXT REFERENCES case_file (id),
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plan_action_link_action ON plan_action_link (action_id);

CREATE TABLE lab_secret (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL DEFAULT '',
    value      TEXT,
    created_at TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0
);
