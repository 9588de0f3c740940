-- 3: the alert queue (SPEC §19): one row per alert, sent once, retried for 24 h.
CREATE TABLE alert_deliveries (
    id              TEXT PRIMARY KEY,      -- horror|site|day
    body            TEXT NOT NULL,         -- the JSON POSTed
    created_at      INTEGER NOT NULL,      -- Unix milliseconds
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    gave_up_at      INTEGER,
    last_error      TEXT
) WITHOUT ROWID;
