-- Quartiere schema, version 3: operators have a role (see access.rs for what each may do).
-- Synced like the name: a coordinator changes a role at one desk, every desk obeys it.
-- Operators that existed before roles were desk operators.
ALTER TABLE operator ADD COLUMN role TEXT NOT NULL DEFAULT 'sportello';
