-- Quartiere schema, version 12: the minutes of an activity (a thematic assembly, a partnership
-- meeting): the topics discussed, the decisions taken, and the follow-ups, each with who takes
-- care of it and by when; a follow-up is done when `done_on` is set.
--
-- `kind`: tema | decisione | impegno. `owner` is free text (an operator, a resident, the ente
-- gestore), required for a follow-up; `due_on` YYYY-MM-DD, required for a follow-up.
-- `position` keeps the order they were written in. Synced.
CREATE TABLE minute_item (
    id          TEXT PRIMARY KEY,
    activity_id TEXT REFERENCES activity (id),
    kind        TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    owner       TEXT,
    due_on      TEXT,
    done_on     TEXT,
    done_by     TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    written_by  TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX minute_item_activity ON minute_item (activity_id);
CREATE INDEX minute_item_due ON minute_item (due_on) WHERE kind = 'impegno' AND done_on IS NULL;
