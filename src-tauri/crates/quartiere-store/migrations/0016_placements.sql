-- Quartiere schema, version 16: work placements (tirocini) and hours given back to the community
-- (restituzione alla comunità), the rest of the training axis.
--
-- `placement`: a person's work placement at a host (a partner of the project, or another
-- organisation named in `host_name`), its role, dates, weekly hours, and how it ended.
-- `community_hours`: time a person gave back to the neighbourhood on a day, what they did, and
-- the activity it was part of, if any.
-- Synced; personal values only as references to people, free text in role, host and description.
CREATE TABLE placement (
    id          TEXT PRIMARY KEY,
    person_id   TEXT REFERENCES person (id),
    host_id     TEXT REFERENCES partner (id),
    host_name   TEXT,
    role        TEXT,
    starts_on   TEXT,
    ends_on     TEXT,
    weekly_hours INTEGER,
    outcome     TEXT,
    recorded_by TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX placement_person ON placement (person_id);

CREATE TABLE community_hours (
    id          TEXT PRIMARY KEY,
    person_id   TEXT REFERENCES person (id),
    given_on    TEXT,
    minutes     INTEGER,
    description TEXT,
    activity_id TEXT REFERENCES activity (id),
    recorded_by TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX community_hours_person ON community_hours (person_id);
