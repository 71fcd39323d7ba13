-- Quartiere schema, version 9.
--
-- A relationship the anagrafe's table does not hold ("badante", "zio acquisito") is kept as the
-- list wrote it, next to the nearest code (`altro`), instead of refusing the whole list. Synced.
ALTER TABLE membership ADD COLUMN relationship_text TEXT;

-- Search folding now spells the letters that do not decompose (ł, đ, ı, ø, ß, æ, œ...) as a
-- keyboard without them would: the index, derived data, is made again when the desk next opens.
INSERT INTO local_meta (key, value) VALUES ('search.rebuild_due', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
