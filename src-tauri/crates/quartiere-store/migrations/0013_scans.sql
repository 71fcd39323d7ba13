-- Quartiere schema, version 13: scans of signed attendance sheets.
--
-- `sheet_scan` (synced) describes a scan: which sheet, the file's name as it was chosen, its type
-- (application/pdf, image/jpeg, image/png, image/tiff), size, SHA-256, and the desk that attached
-- it (whose folder in the shared folder carries its bytes). `scan_blob` (this desk's own) holds
-- the bytes, inside the encrypted database; `published` is 1 once this desk has written them to
-- the shared folder, or when they came from there. The bytes never travel in the change bundles,
-- so a scan does not slow the everyday sync of records.
CREATE TABLE sheet_scan (
    id          TEXT PRIMARY KEY,
    sheet_id    TEXT REFERENCES attendance_sheet (id),
    file_name   TEXT,
    mime        TEXT,
    bytes       INTEGER,
    sha256      TEXT,
    desk_id     TEXT,
    attached_at TEXT,
    attached_by TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sheet_scan_sheet ON sheet_scan (sheet_id);

CREATE TABLE scan_blob (
    sha256    TEXT PRIMARY KEY,
    content   BLOB NOT NULL,
    published INTEGER NOT NULL DEFAULT 0
);
