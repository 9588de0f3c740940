-- 3: the alert queue (SPEC §19): one row per alert, sent once, retried for 24 h.
CREATE TABLE alert_deliveries (
    id              TEXT COLLATE "C" PRIMARY KEY,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    delivered_at    BIGINT,
    gave_up_at      BIGINT,
    last_error      TEXT
);
