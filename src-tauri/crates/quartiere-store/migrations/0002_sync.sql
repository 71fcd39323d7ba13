-- Quartiere schema, version 2: sync through a shared folder (see docs/sync-format.md).
-- All tables here are local to this desk and never synced themselves.

-- The bundle sequence number under which the change was published by its origin desk:
-- NULL for this desk's own changes not yet published. Used to tell concurrent edits from later ones.
ALTER TABLE change_log ADD COLUMN origin_seq INTEGER;
-- For this desk's own changes: what it had applied from the other desks when it made them (a row
-- of sync_context). Tells a concurrent edit from one made after seeing the other desk's value.
ALTER TABLE change_log ADD COLUMN ctx INTEGER;

CREATE TABLE sync_context (
    id       INTEGER PRIMARY KEY,
    frontier TEXT NOT NULL
) STRICT;

-- Bundles this desk has published, in order. `last_change` is the last change_log.seq it carried.
CREATE TABLE sync_published (
    seq         INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL,
    last_change INTEGER NOT NULL,
    changes     INTEGER NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Bundles received from other desks and applied (or, for snapshots, loaded).
CREATE TABLE sync_received (
    desk_id    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    changes    INTEGER NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (desk_id, seq)
) STRICT;

-- The other desks this desk knows: their signing key is pinned the first time their card is read.
-- `acked` is the sender's frontier as of its latest bundle (JSON: desk id -> highest contiguous seq).
CREATE TABLE sync_peer (
    desk_id       TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    verifying_key TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seq      INTEGER NOT NULL DEFAULT 0,
    last_bundle_at TEXT,
    acked         TEXT NOT NULL DEFAULT '{}'
) STRICT;

-- Files in the shared folder that failed their checks. Retried at every sync (a half-copied file is
-- usually completed later); removed from here once they pass.
CREATE TABLE sync_refused (
    path       TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL
) STRICT;

-- Concurrent edits of the same field by two desks: the losing value is kept here for review.
CREATE TABLE sync_conflict (
    id           INTEGER PRIMARY KEY,
    tbl          TEXT NOT NULL,
    row_id       TEXT NOT NULL,
    col          TEXT NOT NULL,
    winner_value BLOB,
    winner_hlc   INTEGER NOT NULL,
    winner_desk  TEXT NOT NULL,
    loser_value  BLOB,
    loser_hlc    INTEGER NOT NULL,
    loser_desk   TEXT NOT NULL,
    loser_operator TEXT NOT NULL,
    detected_at  TEXT NOT NULL,
    resolved_at  TEXT,
    resolution   TEXT
);
CREATE UNIQUE INDEX sync_conflict_pair ON sync_conflict (tbl, row_id, col, loser_hlc, loser_desk);

-- What happened at each sync, newest last: for the sync screen's last-sync line and warnings.
CREATE TABLE sync_event (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    message TEXT NOT NULL
) STRICT;

-- Nothing reads the change record by clock or by batch; each index costs every write and every
-- applied change.
DROP INDEX change_log_clock;
DROP INDEX change_log_batch;
