-- 2: page sessions, improvement cycles and their focus horrors.
CREATE TABLE sessions (
    hash       BLOB PRIMARY KEY,
    token_id   INTEGER NOT NULL REFERENCES tokens(id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE cycles (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    start_day  TEXT NOT NULL,
    end_day    TEXT NOT NULL,
    days       INTEGER NOT NULL,
    note       TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE cycle_focus (
    cycle_id  INTEGER NOT NULL REFERENCES cycles(id),
    horror_id INTEGER NOT NULL REFERENCES horrors(id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (cycle_id, horror_id)
) WITHOUT ROWID;
