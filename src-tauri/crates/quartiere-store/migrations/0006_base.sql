-- Quartiere schema, version 6: the snapshot base (local, never synced).
--
-- A desk that joins from a snapshot loads hundreds of thousands of rows at once. The clocks of
-- their cells (clock, desk, operator, batch, origin bundle; never a value, which is in the row)
-- are kept here in chunks of rows with consecutive ids (64 a chunk), instead of one change_log row
-- per cell: the merge reads a row's base cells as it reads change_log, and the desk's own
-- snapshots include them.
-- Only rows loaded from a snapshot into an empty table are here. Format: sync/base.rs.
CREATE TABLE base_chunk (
    tbl       TEXT NOT NULL,
    first_row TEXT NOT NULL,
    last_row  TEXT NOT NULL,
    rows      BLOB NOT NULL,
    PRIMARY KEY (tbl, first_row)
);
