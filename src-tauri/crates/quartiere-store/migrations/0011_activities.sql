-- Quartiere schema, version 11: activities (social events, thematic assemblies, training
-- sessions, partnership meetings), who was invited, the attendance sheets printed, who came.
--
-- `activity.kind`: assemblea | evento | formazione | incontro; `axis`: the project's axis
-- (convivenza, disagio, formazione_lavoro, morosita); times as HH:MM, the day as YYYY-MM-DD.
-- Activities of a weekly series share `series_id`.
-- `invitation.via` says how a person came to be invited: persona, nucleo, scala, via.
-- `attendance_sheet`: one printed sheet, its id on every page and in the QR code; `people` is how
-- many invited people it listed. `attendance`: one person at one activity, `present` 1 or 0,
-- `walk_in` 1 when not invited, `minutes` attended (training sessions), `sheet_id` the sheet it
-- was recorded from. Synced; personal values only as references to people.
CREATE TABLE activity (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL DEFAULT '',
    axis       TEXT,
    title      TEXT NOT NULL DEFAULT '',
    held_on    TEXT,
    starts_at  TEXT,
    ends_at    TEXT,
    venue      TEXT,
    topic      TEXT,
    series_id  TEXT,
    created_by TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX activity_day ON activity (held_on);

CREATE TABLE activity_operator (
    id          TEXT PRIMARY KEY,
    activity_id TEXT REFERENCES activity (id),
    operator_id TEXT REFERENCES operator (id),
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX activity_operator_activity ON activity_operator (activity_id);

CREATE TABLE activity_partner (
    id          TEXT PRIMARY KEY,
    activity_id TEXT REFERENCES activity (id),
    partner_id  TEXT REFERENCES partner (id),
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX activity_partner_activity ON activity_partner (activity_id);

CREATE TABLE invitation (
    id          TEXT PRIMARY KEY,
    activity_id TEXT REFERENCES activity (id),
    person_id   TEXT REFERENCES person (id),
    via         TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invitation_activity ON invitation (activity_id);
CREATE INDEX invitation_person ON invitation (person_id);

CREATE TABLE attendance_sheet (
    id          TEXT PRIMARY KEY,
    activity_id TEXT REFERENCES activity (id),
    printed_at  TEXT,
    printed_by  TEXT,
    people      INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attendance_sheet_activity ON attendance_sheet (activity_id);

CREATE TABLE attendance (
    id          TEXT PRIMARY KEY,
    activity_id TEXT REFERENCES activity (id),
    person_id   TEXT REFERENCES person (id),
    present     INTEGER NOT NULL DEFAULT 0,
    walk_in     INTEGER NOT NULL DEFAULT 0,
    minutes     INTEGER,
    sheet_id    TEXT REFERENCES attendance_sheet (id),
    recorded_at TEXT,
    recorded_by TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attendance_activity ON attendance (activity_id);
CREATE INDEX attendance_person ON attendance (person_id);
