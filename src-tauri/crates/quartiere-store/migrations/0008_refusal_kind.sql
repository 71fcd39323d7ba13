-- The kind of each refused file (a code of RefusalKind), so the sync screen and tests switch on it
-- instead of reading the sentence. Local table: desks a version apart still read each other.
-- Refusals recorded before this migration have none until the next sync checks the file again.
ALTER TABLE sync_refused ADD COLUMN kind TEXT;
