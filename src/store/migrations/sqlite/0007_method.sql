-- 7: the method end to end (paper sheets, observers, nominations, the complaint playbook).
-- A tick's source may also be 'observer' (someone outside the department watched) or
-- 'sheet' (entered from a paper check sheet). Widening a CHECK constraint changes nothing
-- on disk, so the table's stored definition is edited in place (SQLite's documented way
-- for such changes); the CREATE TABLE statements below bump the schema cookie.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (source IN (''internal'', ''complaint''))',
                          'CHECK (source IN (''internal'', ''complaint'', ''observer'', ''sheet''))')
 WHERE type = 'table' AND name = 'ticks';
PRAGMA writable_schema = RESET;

-- A paper check sheet entered at once: its ticks carry its id, and voiding it voids them.
CREATE TABLE sheets (
    id           INTEGER PRIMARY KEY,
    site         TEXT NOT NULL DEFAULT '',
    department   TEXT,
    first_day    TEXT NOT NULL,
    last_day     TEXT NOT NULL,
    recorded_at  INTEGER NOT NULL,     -- Unix milliseconds
    token_id     INTEGER REFERENCES tokens(id),
    recorded_by  TEXT NOT NULL,
    idem_key     TEXT,                 -- the Idempotency-Key it was sent with
    fingerprint  BLOB,
    voided_at    INTEGER,
    voided_by    TEXT
);
CREATE UNIQUE INDEX sheets_by_key ON sheets(token_id, idem_key);
ALTER TABLE ticks ADD COLUMN sheet_id INTEGER REFERENCES sheets(id);
CREATE INDEX ticks_by_sheet ON ticks(sheet_id) WHERE sheet_id IS NOT NULL;

-- Step 1 of the method: proposed horrors, their support and their fate.
CREATE TABLE nominations (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT,
    example     TEXT,
    token_id    INTEGER REFERENCES tokens(id),
    proposed_by TEXT NOT NULL,
    created_at  INTEGER NOT NULL,      -- Unix milliseconds
    state       TEXT NOT NULL CHECK (state IN ('open', 'adopted', 'declined')),
    horror_key  TEXT,
    reason      TEXT,
    decided_at  INTEGER,
    decided_by  TEXT
);
CREATE TABLE nomination_support (
    nomination_id INTEGER NOT NULL REFERENCES nominations(id),
    token_id      INTEGER NOT NULL REFERENCES tokens(id),
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (nomination_id, token_id)
) WITHOUT ROWID;

-- The complaint playbook of each horror, as JSON by language.
ALTER TABLE horrors ADD COLUMN playbook TEXT;
