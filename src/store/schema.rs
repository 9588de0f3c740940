//! The schema, as numbered migrations embedded in the binary and tracked with
//! `PRAGMA user_version`.

use rusqlite::Connection;

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: catalogue, tokens, ticks, idempotency keys and the daily rollup.
    r#"
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
    "#,
    // 2: page sessions, improvement cycles and their focus horrors.
    r#"
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
    "#,
];

/// Applies every migration the database has not seen, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(rusqlite::Error::InvalidPath(std::path::PathBuf::from(format!(
            "the database has schema version {version}, newer than this binary's {}; upgrade horrors",
            MIGRATIONS.len()
        ))));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}
