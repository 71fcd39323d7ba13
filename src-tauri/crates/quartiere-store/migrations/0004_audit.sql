-- Quartiere schema, version 4: the audit log (see audit.rs).
--
-- A synced table, written only by the core (never by a form): each desk appends events to its own
-- hash chain (desk_id, seq, prev_hash, hash). Rows are never updated; an edited row, a removed row
-- or a rewritten change breaks the chain where `audit::verify` looks. Events name people by id only.
CREATE TABLE audit_event (
    id            TEXT PRIMARY KEY,
    desk_id       TEXT NOT NULL DEFAULT '',
    seq           INTEGER NOT NULL DEFAULT 0,
    at            TEXT NOT NULL DEFAULT '',
    operator_id   TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL DEFAULT '',
    subject_table TEXT,
    subject_id    TEXT,
    detail        TEXT NOT NULL DEFAULT '',
    batch         TEXT,
    digest        TEXT,
    prev_hash     TEXT NOT NULL DEFAULT '',
    hash          TEXT NOT NULL DEFAULT '',
    deleted       INTEGER NOT NULL DEFAULT 0
);
-- Not unique: two events claiming one place in a chain (a desk copied from a backup) must arrive
-- and be reported, not stop sync.
CREATE INDEX audit_event_chain ON audit_event (desk_id, seq);
CREATE INDEX audit_event_at ON audit_event (at);
CREATE INDEX audit_event_reader ON audit_event (operator_id, kind, at);
