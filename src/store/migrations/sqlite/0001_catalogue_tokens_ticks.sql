-- 1: catalogue, tokens, ticks, idempotency keys and the daily rollup.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE horrors (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    description     TEXT,
    pain            INTEGER NOT NULL CHECK (pain BETWEEN 1 AND 10),
    unit_cost_minor INTEGER NOT NULL CHECK (unit_cost_minor >= 0),
    operational     INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    retired         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE catalogue_history (
    id         INTEGER PRIMARY KEY,
    changed_at TEXT NOT NULL,
    source     TEXT NOT NULL,          -- 'file' or 'api'
    actor      TEXT,
    horror_key TEXT NOT NULL,
    action     TEXT NOT NULL,          -- added, changed, retired, restored
    before     TEXT,                   -- JSON
    after      TEXT                    -- JSON
);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('staff', 'viewer', 'admin')),
    hash       BLOB NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE ticks (
    id          INTEGER PRIMARY KEY,
    horror_id   INTEGER NOT NULL REFERENCES horrors(id),
    qty         INTEGER NOT NULL CHECK (qty BETWEEN 1 AND 1000),
    occurred_at INTEGER NOT NULL,      -- Unix milliseconds
    day         TEXT NOT NULL,         -- local date in the organization's timezone
    source      TEXT NOT NULL CHECK (source IN ('internal', 'complaint')),
    department  TEXT,
    note        TEXT,
    cost_minor  INTEGER NOT NULL CHECK (cost_minor >= 0),
    recorded_at INTEGER NOT NULL,      -- Unix milliseconds
    token_id    INTEGER REFERENCES tokens(id),
    recorded_by TEXT NOT NULL,
    voided_at   INTEGER,
    voided_by   TEXT,
    void_reason TEXT
);
CREATE INDEX ticks_by_day ON ticks(day, horror_id);

CREATE TABLE idempotency (
    token_id     INTEGER NOT NULL REFERENCES tokens(id),
    key          TEXT NOT NULL,
    fingerprint  BLOB NOT NULL,
    tick_id      INTEGER NOT NULL REFERENCES ticks(id),
    PRIMARY KEY (token_id, key)
) WITHOUT ROWID;

-- Totals by local day, horror and source, kept in the same transaction as every
-- insert and void, so that rankings over years read thousands of rows, not millions.
CREATE TABLE daily (
    day        TEXT NOT NULL,
    horror_id  INTEGER NOT NULL REFERENCES horrors(id),
    source     TEXT NOT NULL,
    count      INTEGER NOT NULL,
    cost_minor INTEGER NOT NULL,
    PRIMARY KEY (day, horror_id, source)
) WITHOUT ROWID;
