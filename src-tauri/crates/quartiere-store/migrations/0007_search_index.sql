-- Quartiere schema, version 7: a leaner full-text index (local, never synced).
--
-- The index keeps only which documents hold each word: no word positions (every query is an AND
-- of word prefixes, never a phrase) and no copy of the text it indexes (the tables hold it;
-- contentless_delete keeps removing one document possible). One prefix index, for one-letter
-- prefixes: a civic number like the 6 of "pirandello 6" would otherwise merge every word starting
-- with 6; longer prefixes are cheap to merge over rowid-only lists, and the commonest short ones
-- are answered first from the B-tree ranges of search_doc. On 100,000 people the file is 23 MB
-- smaller and a new desk builds the index in about two thirds of the time.
--
-- The index is derived data: the desk rebuilds it from the tables when it next opens the file
-- (`search.rebuild_due`), in one transaction.
DROP TABLE search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2',
    detail = none,
    prefix = '1',
    content = '',
    contentless_delete = 1
);
INSERT INTO local_meta (key, value) VALUES ('search.rebuild_due', '1')
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
