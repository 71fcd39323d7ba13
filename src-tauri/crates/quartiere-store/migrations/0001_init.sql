-- Quartiere schema, version 1.
--
-- Two kinds of tables live here:
-- * synced tables (desk ... note): every row has a UUID v7 text id and a `deleted` tombstone column;
--   they are written only through `store::Writer`, which records each column change in `change_log`.
--   Constraints stay light (ids, foreign keys) because changes from other desks can arrive in any order;
--   domain rules are enforced in Rust before a write.
-- * local tables (local_meta, change_log, search_*): this desk's own state and derived indexes.

CREATE TABLE local_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per column change. `value` has no type affinity so text such as '007' stays text.
CREATE TABLE change_log (
    seq         INTEGER PRIMARY KEY,
    batch       TEXT NOT NULL,
    tbl         TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    col         TEXT NOT NULL,
    value       BLOB,
    hlc         INTEGER NOT NULL,
    desk_id     TEXT NOT NULL,
    operator_id TEXT NOT NULL
);
CREATE INDEX change_log_cell ON change_log (tbl, row_id, col, hlc);
CREATE INDEX change_log_clock ON change_log (hlc, desk_id);
CREATE INDEX change_log_batch ON change_log (batch);

CREATE TABLE desk (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL DEFAULT '',
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE operator (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL DEFAULT '',
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE dwelling (
    id        TEXT PRIMARY KEY,
    code      TEXT,           -- the ente gestore's code of the dwelling
    street    TEXT NOT NULL DEFAULT '',
    civic     TEXT NOT NULL DEFAULT '',
    scala     TEXT,
    piano     TEXT,
    interno   TEXT,
    cap       TEXT,
    comune    TEXT,
    provincia TEXT,
    deleted   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX dwelling_code ON dwelling (code);
CREATE INDEX dwelling_street ON dwelling (street, civic);

CREATE TABLE household (
    id           TEXT PRIMARY KEY,
    dwelling_id  TEXT REFERENCES dwelling (id),
    formed_on    TEXT,
    dissolved_on TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX household_dwelling ON household (dwelling_id);

CREATE TABLE person (
    id                     TEXT PRIMARY KEY,
    surname                TEXT NOT NULL DEFAULT '',
    name                   TEXT NOT NULL DEFAULT '',
    sex                    TEXT,
    birth_date             TEXT,
    birth_place            TEXT,
    codice_fiscale         TEXT,
    citizenship            TEXT,
    phone                  TEXT,
    email                  TEXT,
    esf_labour_status      TEXT,
    esf_isced              TEXT,
    esf_migrant            TEXT,
    esf_disability         TEXT,
    esf_other_disadvantage TEXT,
    esf_homeless           TEXT,
    esf_rural              TEXT,
    created_at             TEXT,
    deleted                INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX person_cf ON person (codice_fiscale);
CREATE INDEX person_surname ON person (surname, name);

-- A person's membership of a household over time; ending one sets left_on, never deletes it.
CREATE TABLE membership (
    id               TEXT PRIMARY KEY,
    household_id     TEXT REFERENCES household (id),
    person_id        TEXT REFERENCES person (id),
    relationship     TEXT,
    resident_since   TEXT,
    left_on          TEXT,
    tenant_of_record INTEGER NOT NULL DEFAULT 0,
    deleted          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX membership_household ON membership (household_id);
CREATE INDEX membership_person ON membership (person_id);

CREATE TABLE partner (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL DEFAULT '',
    kind    TEXT,
    address TEXT,
    phone   TEXT,
    email   TEXT,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE partner_contact (
    id         TEXT PRIMARY KEY,
    partner_id TEXT REFERENCES partner (id),
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT,
    phone      TEXT,
    email      TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX partner_contact_partner ON partner_contact (partner_id);

CREATE TABLE desk_contact (
    id                TEXT PRIMARY KEY,
    occurred_at       TEXT NOT NULL DEFAULT '',
    operator_id       TEXT REFERENCES operator (id),
    person_id         TEXT REFERENCES person (id),
    household_id      TEXT REFERENCES household (id),
    channel           TEXT,
    follow_up_on      TEXT,
    follow_up_done_on TEXT,
    deleted           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX desk_contact_when ON desk_contact (occurred_at);
CREATE INDEX desk_contact_person ON desk_contact (person_id);
CREATE INDEX desk_contact_household ON desk_contact (household_id);
CREATE INDEX desk_contact_follow_up ON desk_contact (follow_up_on);

CREATE TABLE desk_contact_topic (
    id         TEXT PRIMARY KEY,
    contact_id TEXT REFERENCES desk_contact (id),
    topic      TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX desk_contact_topic_contact ON desk_contact_topic (contact_id);

CREATE TABLE referral (
    id               TEXT PRIMARY KEY,
    contact_id       TEXT REFERENCES desk_contact (id),
    partner_id       TEXT REFERENCES partner (id),
    servizio_sociale INTEGER NOT NULL DEFAULT 0,
    reason           TEXT,
    referred_on      TEXT,
    deleted          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX referral_contact ON referral (contact_id);

-- Notes are append-only: an edit inserts a new version pointing at the one it supersedes.
CREATE TABLE note (
    id            TEXT PRIMARY KEY,
    subject_table TEXT NOT NULL DEFAULT '',
    subject_id    TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    supersedes_id TEXT REFERENCES note (id),
    written_at    TEXT NOT NULL DEFAULT '',
    operator_id   TEXT REFERENCES operator (id),
    deleted       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX note_subject ON note (subject_table, subject_id);

-- Search index, derived from the synced tables by the write path (never synced).
CREATE TABLE search_doc (
    docid    INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    ref_id   TEXT NOT NULL,
    sort_key TEXT NOT NULL,  -- folded 'surname name', or the address
    lead_key TEXT NOT NULL,  -- folded surname, or the street: a match here ranks first
    UNIQUE (kind, ref_id)
);
CREATE INDEX search_doc_sort ON search_doc (kind, sort_key);
CREATE INDEX search_doc_lead ON search_doc (kind, lead_key, sort_key);
CREATE VIRTUAL TABLE search_fts USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
