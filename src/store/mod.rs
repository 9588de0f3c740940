//! Storage: the only module that knows about SQLite. Handlers and the CLI call the typed
//! methods of [`Store`]; a PostgreSQL backend would implement the same methods.
//!
//! Writes go through one writer thread with group commit ([`writer`]); reads use a small
//! pool of their own connections on the blocking thread pool, so a long export never
//! blocks a tap (WAL lets readers and the writer run side by side).

mod cache;
mod queries;
mod schema;
mod writer;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags};

pub use queries::{Applied, CatalogueChange, CycleRow, Recorded, TickFilter, TokenInfo};

use crate::auth::{hash_secret, new_secret, Identity, Role};
use crate::calendar::Window;
use crate::catalogue::Horror;
use crate::config::{Config, Settings};
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::ranking::Tally;
use crate::ticks::{NewTick, Tick};
use crate::trend::DayTally;

/// The organization's settings and every horror, as last committed.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub settings: Settings,
    /// Active horrors in configured order, then retired ones.
    pub horrors: Vec<Horror>,
}

impl Snapshot {
    pub fn active(&self) -> impl Iterator<Item = &Horror> {
        self.horrors.iter().filter(|h| !h.retired)
    }

    pub fn horror(&self, key: &str) -> Option<&Horror> {
        self.horrors.iter().find(|h| h.key == key)
    }
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    writer: writer::Writer,
    readers: Mutex<Vec<Connection>>,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// Serialises catalogue changes with their snapshot reload, so two concurrent
    /// `PUT /api/horrors` cannot leave the older catalogue cached.
    catalogue_change: tokio::sync::Mutex<()>,
    tokens: cache::TtlCache<Identity>,
    sessions: cache::TtlCache<(Identity, String)>,
}

const MAX_IDLE_READERS: usize = 16;

/// Whether `e` means another connection holds the write lock (retry shortly).
pub fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Whether `e` means storage is full or cannot be written (disk full, quota, I/O error,
/// read-only file system): writes answer 503 `storage_unavailable` until it passes.
pub fn is_full(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            rusqlite::ErrorCode::DiskFull
                | rusqlite::ErrorCode::SystemIoFailure
                | rusqlite::ErrorCode::ReadOnly
                | rusqlite::ErrorCode::CannotOpen
        )
    )
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // WAL + synchronous=FULL: a commit is on disk (WAL fsynced) before it returns,
    // so an acknowledged tick survives kill -9 and a power cut.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // After a checkpoint resets the WAL, it is cut back to 4 MiB, so space taken in a burst
    // (or before a full disk) goes back to the file system.
    conn.pragma_update(None, "journal_size_limit", 4 * 1024 * 1024)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies migrations.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(Error::internal(format!(
                    "{}: the folder {} does not exist",
                    path.display(),
                    parent.display()
                )));
            }
        }
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        schema::migrate(&mut conn)?;
        // Most checkpoint work runs on its own thread (below), off the commit path. The
        // writer still checkpoints past 4000 pages (16 MiB): only a checkpoint run between
        // its own transactions lets the WAL restart, so the WAL stays bounded under constant
        // writes (and recovery after a crash stays fast).
        conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
        conn.pragma_update(None, "cache_size", -32_768)?;
        let store = Store {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                writer: writer::Writer::start(
                    conn,
                    writer::QUEUE_CAPACITY,
                    Some(path.to_path_buf()),
                )
                .map_err(|e| Error::internal(format!("cannot start the writer thread: {e}")))?,
                readers: Mutex::new(Vec::new()),
                snapshot: RwLock::new(None),
                catalogue_change: tokio::sync::Mutex::new(()),
                tokens: cache::TtlCache::new(),
                sessions: cache::TtlCache::new(),
            }),
        };
        store.reload_blocking()?;
        store.start_checkpointer()?;
        Ok(store)
    }

    /// Copies committed WAL frames into the database every half second (PASSIVE: never
    /// blocks the writer or readers), so commits stay one WAL append and one fsync.
    fn start_checkpointer(&self) -> Result<()> {
        let conn = Connection::open(&self.inner.path)?;
        configure(&conn)?;
        let weak = Arc::downgrade(&self.inner);
        std::thread::Builder::new()
            .name("horrors-checkpoint".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_millis(500));
                if weak.upgrade().is_none() {
                    // The store is gone: a last full checkpoint, then stop.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
                    return;
                }
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "checkpoint failed");
                }
            })
            .map_err(|e| Error::internal(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    fn reader(&self) -> Result<Reader<'_>> {
        let pooled = self
            .inner
            .readers
            .lock()
            .map_err(|_| Error::internal("reader pool poisoned"))?
            .pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &self.inner.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&conn)?;
                conn
            }
        };
        Ok(Reader {
            store: self,
            conn: Some(conn),
        })
    }

    /// Runs `f` on a reader connection, on the blocking pool.
    async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read_blocking(f))
            .await
            .map_err(|e| Error::internal(format!("read task failed: {e}")))?
    }

    /// Runs `f` on a reader connection, here and now (CLI, or already on a blocking thread).
    pub fn read_blocking<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let reader = self.reader()?;
        f(reader.conn.as_ref().expect("reader holds a connection"))
    }

    fn reload_blocking(&self) -> Result<Option<Arc<Snapshot>>> {
        let snapshot = self.read_blocking(|conn| {
            Ok(queries::load_settings(conn)?.map(|settings| Snapshot {
                settings,
                horrors: Vec::new(),
            }))
        })?;
        let snapshot = match snapshot {
            Some(mut s) => {
                s.horrors = self.read_blocking(queries::load_horrors)?;
                Some(Arc::new(s))
            }
            None => None,
        };
        *self
            .inner
            .snapshot
            .write()
            .map_err(|_| Error::internal("snapshot lock poisoned"))? = snapshot.clone();
        Ok(snapshot)
    }

    /// The current settings and catalogue; an error before any configuration was applied.
    pub fn snapshot(&self) -> Result<Arc<Snapshot>> {
        self.inner
            .snapshot
            .read()
            .map_err(|_| Error::internal("snapshot lock poisoned"))?
            .clone()
            .ok_or_else(|| Error::internal("the database has no configuration yet; start `horrors serve` with a configuration file"))
    }

    // ------------------------------------------------------------ configuration

    /// Applies the configuration file unless its exact content was applied before.
    pub fn apply_config_blocking(&self, config: &Config) -> Result<Applied> {
        let config = config.clone();
        let applied = self.inner.writer.write_blocking(move |conn| {
            queries::apply_config(
                conn,
                &config.settings,
                &config.horrors,
                &config.digest,
                Utc::now(),
            )
        })?;
        self.reload_blocking()?;
        Ok(applied)
    }

    /// Replaces the active catalogue (`PUT /api/horrors`).
    pub async fn replace_catalogue(&self, horrors: Vec<Horror>, actor: String) -> Result<usize> {
        let _one_at_a_time = self.inner.catalogue_change.lock().await;
        let changes = self
            .inner
            .writer
            .write(move |conn| {
                queries::replace_catalogue(conn, &horrors, "api", Some(&actor), Utc::now())
            })
            .await?;
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.reload_blocking())
            .await
            .map_err(|e| Error::internal(e.to_string()))??;
        Ok(changes)
    }

    pub async fn catalogue_history(&self) -> Result<Vec<CatalogueChange>> {
        self.read(queries::catalogue_history).await
    }

    // ------------------------------------------------------------ tokens

    /// Creates a token and returns its record and its secret (shown once, never stored).
    pub fn create_token_blocking(&self, name: &str, role: Role) -> Result<(TokenInfo, String)> {
        let secret = new_secret().map_err(Error::internal)?;
        let hash = hash_secret(&secret);
        let name = name.to_string();
        let info = self.inner.writer.write_blocking(move |conn| {
            queries::create_token(conn, &name, role, &hash, Utc::now())
        })?;
        Ok((info, secret))
    }

    pub async fn create_token(&self, name: String, role: Role) -> Result<(TokenInfo, String)> {
        let secret = new_secret().map_err(Error::internal)?;
        let hash = hash_secret(&secret);
        let info = self
            .inner
            .writer
            .write(move |conn| queries::create_token(conn, &name, role, &hash, Utc::now()))
            .await?;
        Ok((info, secret))
    }

    pub fn list_tokens_blocking(&self) -> Result<Vec<TokenInfo>> {
        self.read_blocking(queries::list_tokens)
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        self.read(queries::list_tokens).await
    }

    pub fn revoke_token_blocking(&self, id: i64) -> Result<Option<TokenInfo>> {
        let revoked = self
            .inner
            .writer
            .write_blocking(move |conn| queries::revoke_token(conn, id, Utc::now()));
        self.forget_identities();
        revoked
    }

    pub async fn revoke_token(&self, id: i64) -> Result<Option<TokenInfo>> {
        let revoked = self
            .inner
            .writer
            .write(move |conn| queries::revoke_token(conn, id, Utc::now()))
            .await;
        self.forget_identities();
        revoked
    }

    /// After a revocation: the next request with any credential asks the database again.
    fn forget_identities(&self) {
        self.inner.tokens.clear();
        self.inner.sessions.clear();
    }

    pub fn has_admin_token_blocking(&self) -> Result<bool> {
        self.read_blocking(queries::has_admin_token)
    }

    /// The identity behind a bearer secret: from the short-lived cache, else an indexed
    /// lookup. Revocation through this server takes effect on the very next request.
    pub fn authenticate(&self, secret: &str) -> Result<Option<Identity>> {
        let hash = hash_secret(secret);
        if let Some(identity) = self.inner.tokens.get(&hash) {
            return Ok(Some(identity));
        }
        let found = self.read_blocking(|conn| queries::lookup_token(conn, &hash))?;
        if let Some(identity) = &found {
            self.inner.tokens.put(hash, identity.clone());
        }
        Ok(found)
    }

    // ------------------------------------------------------------ sessions

    /// Starts a page session for a token secret; returns the session secret and CSRF
    /// secret, or `None` if the token is unknown or revoked.
    pub async fn create_session(
        &self,
        token_secret: String,
        lifetime: chrono::Duration,
    ) -> Result<Option<(String, String, Identity)>> {
        let store = self.clone();
        let Some(identity) = tokio::task::spawn_blocking(move || store.authenticate(&token_secret))
            .await
            .map_err(|e| Error::internal(e.to_string()))??
        else {
            return Ok(None);
        };
        let secret = new_secret().map_err(Error::internal)?;
        let csrf = new_secret().map_err(Error::internal)?;
        let (hash, token_id, csrf_copy) = (hash_secret(&secret), identity.token_id, csrf.clone());
        let now = Utc::now();
        self.inner
            .writer
            .write(move |conn| {
                queries::create_session(conn, &hash, token_id, &csrf_copy, now, now + lifetime)
            })
            .await?;
        Ok(Some((secret, csrf, identity)))
    }

    /// The identity and CSRF secret behind a session cookie, if the session is live and
    /// its token not revoked.
    pub fn session(&self, secret: &str) -> Result<Option<(Identity, String)>> {
        let hash = hash_secret(secret);
        if let Some(found) = self.inner.sessions.get(&hash) {
            return Ok(Some(found));
        }
        let found = self.read_blocking(|conn| queries::lookup_session(conn, &hash, Utc::now()))?;
        if let Some(session) = &found {
            self.inner.sessions.put(hash, session.clone());
        }
        Ok(found)
    }

    pub async fn end_session(&self, secret: &str) -> Result<()> {
        let hash = hash_secret(secret);
        let ended = self
            .inner
            .writer
            .write(move |conn| queries::delete_session(conn, &hash))
            .await;
        self.inner.sessions.clear();
        ended
    }

    // ------------------------------------------------------------ cycles

    pub async fn create_cycle(
        &self,
        name: String,
        window: Window,
        note: Option<String>,
        focus: Vec<String>,
    ) -> Result<i64> {
        self.inner
            .writer
            .write(move |conn| {
                queries::create_cycle(conn, &name, &window, note.as_deref(), &focus, Utc::now())
            })
            .await
    }

    pub async fn update_cycle(
        &self,
        id: i64,
        name: Option<String>,
        note: Option<Option<String>>,
        focus: Option<Vec<String>>,
    ) -> Result<bool> {
        self.inner
            .writer
            .write(move |conn| {
                queries::update_cycle(
                    conn,
                    id,
                    name.as_deref(),
                    note.as_ref().map(|n| n.as_deref()),
                    focus.as_deref(),
                    Utc::now(),
                )
            })
            .await
    }

    pub fn cycle_blocking(&self, id: i64) -> Result<Option<CycleRow>> {
        self.read_blocking(|conn| queries::cycle(conn, id))
    }

    pub fn cycles_blocking(&self) -> Result<Vec<CycleRow>> {
        self.read_blocking(queries::cycles)
    }

    pub fn focus_keys_blocking(
        &self,
        window: &Window,
    ) -> Result<std::collections::HashSet<String>> {
        self.read_blocking(|conn| queries::focus_keys(conn, window))
    }

    // ------------------------------------------------------------ ticks

    /// Records ticks all-or-nothing; returns once they are durably committed.
    pub async fn record_ticks(&self, who: Identity, ticks: Vec<NewTick>) -> Result<Vec<Recorded>> {
        let snapshot = self.snapshot()?;
        self.inner
            .writer
            .write(move |conn| {
                queries::insert_ticks(
                    conn,
                    Some(&who),
                    &who.name,
                    &ticks,
                    &snapshot.settings,
                    crate::ticks::to_millis(Utc::now()),
                )
            })
            .await
    }

    /// Records ticks with no token behind them (demo data, imports).
    pub fn record_ticks_blocking(
        &self,
        recorded_by: &str,
        ticks: Vec<NewTick>,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let snapshot = self.snapshot()?;
        let recorded_by = recorded_by.to_string();
        self.inner.writer.write_blocking(move |conn| {
            queries::insert_ticks(conn, None, &recorded_by, &ticks, &snapshot.settings, now)
                .map(|r| r.len())
        })
    }

    pub async fn void_tick(&self, id: i64, who: Identity, reason: Option<String>) -> Result<Tick> {
        let snapshot = self.snapshot()?;
        self.inner
            .writer
            .write(move |conn| {
                queries::void_tick(
                    conn,
                    id,
                    &who,
                    reason.as_deref(),
                    &snapshot.settings,
                    Utc::now(),
                )
            })
            .await
    }

    pub async fn list_ticks(&self, filter: TickFilter) -> Result<(Vec<Tick>, Option<i64>)> {
        let currency = self.currency()?;
        self.read(move |conn| queries::list_ticks(conn, &filter, currency))
            .await
    }

    /// Streams the window's ticks, oldest first, to `each` (on the calling thread).
    pub fn for_each_tick_blocking(
        &self,
        window: &Window,
        include_voided: bool,
        each: impl FnMut(Tick) -> Result<()>,
    ) -> Result<()> {
        let currency = self.currency()?;
        self.read_blocking(|conn| {
            queries::for_each_tick(conn, window, include_voided, currency, each)
        })
    }

    pub fn has_ticks_blocking(&self) -> Result<bool> {
        self.read_blocking(|conn| {
            Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM ticks)", [], |row| row.get(0))?)
        })
    }

    pub fn count_ticks_blocking(&self) -> Result<i64> {
        self.read_blocking(|conn| {
            Ok(conn.query_row("SELECT COUNT(*) FROM ticks", [], |row| row.get(0))?)
        })
    }

    fn currency(&self) -> Result<Currency> {
        Ok(self.snapshot()?.settings.currency())
    }

    // ------------------------------------------------------------ aggregates

    pub fn tallies_blocking(&self, window: &Window) -> Result<BTreeMap<String, Tally>> {
        self.read_blocking(|conn| queries::tallies(conn, window))
    }

    pub fn day_tallies_blocking(&self, window: &Window) -> Result<Vec<DayTally>> {
        self.read_blocking(|conn| queries::day_tallies(conn, window))
    }

    pub async fn counts_on(&self, day: NaiveDate) -> Result<HashMap<String, u64>> {
        self.read(move |conn| queries::counts_on(conn, day)).await
    }

    // ------------------------------------------------------------ operations

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    /// Whether writes currently fail for lack of space (reads still work).
    pub fn degraded(&self) -> bool {
        self.inner.writer.degraded()
    }

    /// Caps the database at `pages` pages (None: SQLite's default), so tests can make
    /// storage run out without filling a disk. Not for production use.
    #[doc(hidden)]
    pub fn limit_pages_for_tests(&self, pages: Option<u64>) -> Result<()> {
        let pages = pages.unwrap_or(4_294_967_294);
        self.inner.writer.maintain_blocking(move |conn| {
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
            Ok(())
        })
    }

    /// A clean stop: copies the write-ahead log into the database file and truncates it,
    /// so the `.db` file alone holds every acknowledged write.
    pub fn close_blocking(&self) -> Result<()> {
        let conn = Connection::open(&self.inner.path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let (busy, _, _): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if busy != 0 {
            return Err(Error::internal(
                "the write-ahead log could not be checkpointed: the database is busy",
            ));
        }
        Ok(())
    }

    /// A consistent, compact copy of the database while it is in use: `VACUUM INTO` reads
    /// one snapshot in one read transaction, so steady writes neither restart nor block it
    /// (SQLite's online backup API restarts on every commit). Written atomically to `out`.
    pub fn backup_blocking(&self, out: &Path) -> Result<()> {
        crate::output::write_path_atomically(out, |temp| {
            let temp = temp
                .to_str()
                .ok_or_else(|| Error::internal(format!("{}: not a UTF-8 path", out.display())))?;
            self.read_blocking(|conn| {
                conn.execute("VACUUM INTO ?1", [temp])?;
                Ok(())
            })
        })
    }

    /// Rows where the daily rollup disagrees with the ticks.
    pub fn check_rollup_blocking(&self) -> Result<Vec<String>> {
        self.read_blocking(queries::check_rollup)
    }

    /// Rebuilds the daily rollup from the ticks.
    pub fn rebuild_rollup_blocking(&self) -> Result<()> {
        self.inner.writer.write_blocking(queries::rebuild_rollup)
    }
}

/// A pooled reader connection, returned to the pool on drop.
struct Reader<'a> {
    store: &'a Store,
    conn: Option<Connection>,
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let (Some(conn), Ok(mut pool)) = (self.conn.take(), self.store.inner.readers.lock()) {
            if pool.len() < MAX_IDLE_READERS {
                pool.push(conn);
            }
        }
    }
}
