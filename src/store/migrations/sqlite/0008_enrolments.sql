-- 8: one-time codes that enrol a device (a phone) by QR code.
CREATE TABLE enrolments (
    id         INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    site       TEXT,
    name       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    token_id   INTEGER REFERENCES tokens(id)
);
