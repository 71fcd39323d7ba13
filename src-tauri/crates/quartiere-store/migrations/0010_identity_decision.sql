-- Quartiere schema, version 10: what the operator decided about two records of people.
--
-- `merge`: the record `other_id` was the same person as `kept_id` and was merged into it. What the
-- merge moved (`moved`: the rows it re-pointed or set aside, as JSON of table, id and action) and
-- the fields of the kept record it filled from the other (`filled`: column names) are kept, so the
-- merge can be undone (`undone_at`, `undone_by`); both records' histories stay in the change record.
-- `distinct`: the two are different people; the duplicates list no longer proposes them.
-- Synced: a merge reaches the other desks like any change. No personal value is kept here.
CREATE TABLE identity_decision (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL DEFAULT '',
    kept_id    TEXT REFERENCES person (id),
    other_id   TEXT REFERENCES person (id),
    reason     TEXT,
    moved      TEXT,
    filled     TEXT,
    decided_at TEXT,
    decided_by TEXT,
    undone_at  TEXT,
    undone_by  TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX identity_decision_kept ON identity_decision (kept_id);
CREATE INDEX identity_decision_other ON identity_decision (other_id);
