-- Quartiere schema, version 5: the rights of the people in the registry (see privacy.rs).
--
-- Synced: the privacy notice and consents each person was given (version, date, withdrawal), and the
-- requests they made (access, erasure) with their outcome and reason. `person.erased_on` marks a
-- person whose identity was erased or pseudonymised: every desk then purges its own history of them.
ALTER TABLE person ADD COLUMN erased_on TEXT;

CREATE TABLE consent (
    id           TEXT PRIMARY KEY,
    person_id    TEXT REFERENCES person (id),
    kind         TEXT,
    version      TEXT,
    given_on     TEXT,
    withdrawn_on TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX consent_person ON consent (person_id);

CREATE TABLE privacy_request (
    id          TEXT PRIMARY KEY,
    person_id   TEXT REFERENCES person (id),
    kind        TEXT,
    received_on TEXT,
    outcome     TEXT,
    reason      TEXT,
    handled_on  TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX privacy_request_person ON privacy_request (person_id);

-- Local: the writes whose recorded changes an erasure purged. Their edit events' digests can no
-- longer be recomputed, so the audit check names them instead of calling them tampered.
CREATE TABLE purged_batch (
    batch     TEXT PRIMARY KEY,
    purged_at TEXT NOT NULL
) STRICT;
