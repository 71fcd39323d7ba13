-- Quartiere schema, version 14: training and job-search paths (formazione e lavoro).
--
-- `course`: a training course or a job-search path (`kind`: corso | ricerca_lavoro), run by a
-- provider (a partner such as AFOL), with its dates, planned hours and places. Its sessions are
-- activities of kind `formazione` whose `course_id` names it; hours attended come from their
-- attendance.
-- `enrolment`: one person on one course. `state`: in_attesa (on the waiting list) | iscritto |
-- ritirato | concluso. The waiting list is ordered by `queue_key`, which is the request time
-- (`requested_at`) unless an operator moved the person, saying why (`moved_reason`).
-- `esf_participant`: the ESF participant record (Reg. EU 1304/2013 Annex I), one per person and
-- project, its entry data fixed when written: age band and labour status are derived at entry.
-- Exit date and reason, the result within 4 weeks of exit and at 6 months are added later.
-- Synced; personal values only as references to people.
CREATE TABLE course (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    provider_id TEXT REFERENCES partner (id),
    starts_on   TEXT,
    ends_on     TEXT,
    hours       INTEGER,
    places      INTEGER,
    venue       TEXT,
    created_by  TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE enrolment (
    id           TEXT PRIMARY KEY,
    course_id    TEXT REFERENCES course (id),
    person_id    TEXT REFERENCES person (id),
    state        TEXT NOT NULL DEFAULT '',
    requested_at TEXT,
    queue_key    REAL,
    moved_reason TEXT,
    admitted_on  TEXT,
    left_on      TEXT,
    left_reason  TEXT,
    recorded_by  TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enrolment_course ON enrolment (course_id, state);
CREATE INDEX enrolment_person ON enrolment (person_id);

CREATE TABLE esf_participant (
    id                 TEXT PRIMARY KEY,
    person_id          TEXT REFERENCES person (id),
    entry_on           TEXT,
    sex                TEXT,
    birth_date         TEXT,
    age_band           TEXT,
    labour_status      TEXT,
    unemployed_months  INTEGER,
    isced              TEXT,
    migrant            TEXT,
    disability         TEXT,
    other_disadvantage TEXT,
    homeless           TEXT,
    rural              TEXT,
    notice_version     TEXT,
    notice_on          TEXT,
    exit_on            TEXT,
    exit_reason        TEXT,
    result_exit        TEXT,
    result_6m          TEXT,
    checked_6m_on      TEXT,
    recorded_by        TEXT,
    deleted            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX esf_participant_person ON esf_participant (person_id);

ALTER TABLE activity ADD COLUMN course_id TEXT REFERENCES course (id);
CREATE INDEX activity_course ON activity (course_id);
