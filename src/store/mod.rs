//! Storage: the only module that knows about databases. Handlers and the CLI call the
//! typed, synchronous methods of [`Store`]; async code runs them through [`Store::call`],
//! the one way off the async workers.
//!
//! Two engines sit behind the same methods: SQLite (one file, zero set-up, the default) and
//! PostgreSQL (many instances, one database). The SQL of each aggregate is written once
//! over [`db::Conn`]:
//! - [`catalogue`]: settings, horrors and their history;
//! - [`ticks`]: recording, voiding and reading ticks;
//! - [`rollup`]: the daily totals every ranking reads;
//! - [`tokens`]: tokens and page sessions;
//! - [`cycles`]: improvement cycles;
//! - [`alerts`]: the queue of alerts sent to the webhook.
//!
//! Writes go through one writer thread with group commit ([`writer`]); reads use a small
//! pool of their own connections, so a long export never blocks a tap.

mod access;
pub mod alerts;
mod cache;
pub mod catalogue;
pub mod cycles;
pub mod db;
pub mod enrolments;
mod inline;
mod migrate;
pub mod nominations;
pub mod oidc;
pub mod pg_tls;
mod postgres;
pub mod probe;
mod readings;
mod recording;
pub mod rollup;
pub mod schema;
pub mod sessions;
pub mod sheets;
mod sqlite;
#[cfg(test)]
mod tests;
pub mod ticks;
pub mod tokens;
pub mod volume;
mod writer;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

pub use catalogue::{Applied, CatalogueChange};
pub use cycles::CycleRow;
pub use db::Engine;
pub use migrate::{Migrated, SameYear};
pub use recording::CheckedUnder;
pub use ticks::{Recorded, TickFilter};
pub use tokens::TokenInfo;

use crate::auth::{hash_secret, new_secret, Identity, Role};
use crate::calendar::Window;
use crate::catalogue::Horror;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Settings};
use crate::error::{Error, Refusal, Result};
use crate::money::Currency;
use crate::ranking::Tally;
use crate::sites::Scope;
use crate::ticks::{NewTick, Tick};
use crate::trend::DayTally;
use crate::volume::{Coverage, NewVolume};
use db::Conn;

pub use crate::location::Location;

/// The store's side of a location: its connections.
impl Location {
    fn open_reader(&self) -> Result<Box<dyn Conn>> {
        match self {
            Location::Sqlite(path) => sqlite::open_reader(path),
            Location::Postgres { config, .. } => postgres::open_reader(config),
        }
    }
}

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
    location: Location,
    writer: writer::Writer,
    readers: Mutex<Vec<Box<dyn Conn>>>,
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    /// Serialises catalogue changes with their snapshot reload, so two concurrent
    /// `PUT /api/horrors` cannot leave the older catalogue cached.
    catalogue_change: Mutex<()>,
    tokens: cache::TtlCache<Arc<Identity>>,
    sessions: cache::TtlCache<(Identity, String)>,
    /// Every site's rollup days of the last `group=site` spans (SQLite).
    site_days: Arc<rollup::SiteDays>,
    clock: Arc<dyn Clock>,
    metrics: crate::metrics::Metrics,
}

const MAX_IDLE_READERS: usize = 16;

impl Drop for Inner {
    fn drop(&mut self) {
        // A PostgreSQL client closes its connection by blocking on its own runtime, which
        // must not happen on an async worker (where the last handle may be dropped).
        let readers = std::mem::take(self.readers.get_mut().unwrap_or_else(|e| e.into_inner()));
        if !readers.is_empty() {
            let _ = std::thread::Builder::new()
                .name("horrors-close".into())
                .spawn(move || drop(readers));
        }
    }
}

pub(crate) fn millis(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_millis()
}

pub(crate) fn instant(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub(crate) fn parse_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| Error::internal(format!("bad stored day {text}: {e}")))
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path`, on the system clock.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_at(&Location::Sqlite(path.to_path_buf()), Arc::new(SystemClock))
    }

    /// Opens the database at `location` and applies migrations; time comes from `clock`.
    pub fn open_at(location: &Location, clock: Arc<dyn Clock>) -> Result<Store> {
        let site_days = Arc::new(rollup::SiteDays::default());
        let (conn, admit, recover): (Box<dyn Conn>, writer::Admit, writer::Recover) = match location
        {
            Location::Sqlite(path) => {
                let mut conn = sqlite::open_writer(path)?;
                schema::migrate(&mut conn)?;
                sqlite::tune_writer(&conn)?;
                (
                    Box::new(conn),
                    sqlite::admit(path.clone()),
                    sqlite::recover(path.clone()),
                )
            }
            Location::Postgres { config, shown } => {
                let mut conn = postgres::connect(config, shown)?;
                schema::migrate(&mut conn)?;
                (
                    Box::new(conn),
                    writer::always(),
                    postgres::recover((**config).clone()),
                )
            }
        };
        let after = match location {
            Location::Sqlite(_) => rollup::SiteDays::after_group(Arc::clone(&site_days)),
            Location::Postgres { .. } => writer::nothing_after(),
        };
        let writer = writer::Writer::start(conn, writer::QUEUE_CAPACITY, admit, recover, after)
            .map_err(|e| Error::internal(format!("cannot start the writer thread: {e}")))?;
        let metrics = crate::metrics::Metrics::new(
            match location.engine() {
                Engine::Sqlite => "sqlite",
                Engine::Postgres => "postgres",
            },
            writer.figures(),
        );
        let store = Store {
            inner: Arc::new(Inner {
                location: location.clone(),
                writer,
                metrics,
                readers: Mutex::new(Vec::new()),
                snapshot: RwLock::new(None),
                catalogue_change: Mutex::new(()),
                tokens: cache::TtlCache::new(),
                sessions: cache::TtlCache::new(),
                site_days,
                clock,
            }),
        };
        store.reload()?;
        let alive = Arc::downgrade(&store.inner);
        match location {
            Location::Sqlite(path) => sqlite::start_checkpointer(path, alive)?,
            Location::Postgres { config, .. } => {
                postgres::start_listener((**config).clone(), alive, |inner: Arc<Inner>| {
                    let store = Store { inner };
                    store.forget_identities();
                    if let Err(e) = store.reload() {
                        tracing::warn!(error = %e, "reloading after a change elsewhere failed");
                    }
                })?
            }
        }
        Ok(store)
    }

    /// Runs `f` with this store on the blocking thread pool: the one way async code uses
    /// the store (every method blocks on a database).
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| Error::internal(format!("storage task failed: {e}")))?
    }

    /// Where the data lives.
    pub fn location(&self) -> &Location {
        &self.inner.location
    }

    pub fn engine(&self) -> Engine {
        self.inner.location.engine()
    }

    /// The SQLite file, if this store is one.
    pub fn path(&self) -> Option<&Path> {
        match &self.inner.location {
            Location::Sqlite(path) => Some(path),
            Location::Postgres { .. } => None,
        }
    }

    /// The current instant, from the store's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Runs `f` on a pooled reader connection, here and now.
    pub fn read<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        let pooled = self
            .inner
            .readers
            .lock()
            .map_err(|_| Error::internal("reader pool poisoned"))?
            .pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => self.inner.location.open_reader()?,
        };
        self.inner.metrics.reader_busy(1);
        let result = f(&mut *conn);
        self.inner.metrics.reader_busy(-1);
        if conn.healthy() {
            if let Ok(mut pool) = self.inner.readers.lock() {
                if pool.len() < MAX_IDLE_READERS {
                    pool.push(conn);
                }
            }
        }
        result
    }

    fn write<T, F>(&self, work: F) -> Result<T>
    where
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.writer.write(work)
    }

    fn reload(&self) -> Result<Option<Arc<Snapshot>>> {
        let snapshot = self.read(|conn| {
            Ok(match catalogue::load_settings(conn)? {
                Some(settings) => Some(Arc::new(Snapshot {
                    settings,
                    horrors: catalogue::load_horrors(conn)?,
                })),
                None => None,
            })
        })?;
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

    fn currency(&self) -> Result<Currency> {
        Ok(self.snapshot()?.settings.currency())
    }

    // ------------------------------------------------------------ catalogue

    /// Applies the configuration file unless its exact content was applied before.
    pub fn apply_config(&self, config: &Config) -> Result<Applied> {
        let config = config.clone();
        let now = self.now();
        let applied = self.write(move |conn| {
            catalogue::apply_config(conn, &config.settings, &config.horrors, &config.digest, now)
        })?;
        self.reload()?;
        Ok(applied)
    }

    /// Replaces the active catalogue (`PUT /api/horrors`).
    pub fn replace_catalogue(&self, horrors: Vec<Horror>, actor: String) -> Result<usize> {
        let _one_at_a_time = self
            .inner
            .catalogue_change
            .lock()
            .map_err(|_| Error::internal("catalogue lock poisoned"))?;
        let now = self.now();
        let changes = self.write(move |conn| {
            catalogue::replace_catalogue(conn, &horrors, "api", Some(&actor), now)
        })?;
        self.reload()?;
        Ok(changes)
    }

    pub fn catalogue_history(&self) -> Result<Vec<CatalogueChange>> {
        self.read(catalogue::catalogue_history)
    }

    // ------------------------------------------------------------ cycles

    pub fn create_cycle(
        &self,
        name: String,
        window: Window,
        note: Option<String>,
        focus: Vec<String>,
    ) -> Result<i64> {
        let now = self.now();
        self.write(move |conn| cycles::create(conn, &name, &window, note.as_deref(), &focus, now))
    }

    pub fn update_cycle(
        &self,
        id: i64,
        name: Option<String>,
        note: Option<Option<String>>,
        focus: Option<Vec<String>>,
    ) -> Result<bool> {
        let now = self.now();
        self.write(move |conn| {
            cycles::update(
                conn,
                id,
                name.as_deref(),
                note.as_ref().map(|n| n.as_deref()),
                focus.as_deref(),
                now,
            )
        })
    }

    pub fn cycle(&self, id: i64) -> Result<Option<CycleRow>> {
        self.read(|conn| cycles::get(conn, id))
    }

    pub fn cycles(&self) -> Result<Vec<CycleRow>> {
        self.read(cycles::all)
    }

    pub fn focus_keys(&self, window: &Window) -> Result<HashSet<String>> {
        self.read(|conn| cycles::focus_keys(conn, window))
    }

    // ------------------------------------------------------------ alerts

    /// Queues alerts not queued before (each is sent once); returns how many were new.
    pub fn queue_alerts(&self, list: &[crate::outbox::Message]) -> Result<usize> {
        let (list, now) = (list.to_vec(), self.now());
        self.write(move |conn| alerts::queue(conn, &list, now))
    }

    /// The oldest queued event due now (with `retry_now`, retries too), leased to this
    /// caller for `lease`.
    pub fn claim_due_alert(
        &self,
        retry_now: bool,
        after: &alerts::Cursor,
        lease: chrono::Duration,
    ) -> Result<Option<alerts::Pending>> {
        let (now, after) = (self.now(), after.clone());
        self.write(move |conn| alerts::claim_due(conn, now, retry_now, &after, lease))
    }

    pub fn alert_delivered(&self, id: &str) -> Result<()> {
        let (id, now) = (id.to_string(), self.now());
        self.write(move |conn| alerts::delivered(conn, &id, now))
    }

    /// Records a failed delivery; `false` once it is given up (failing for 24 h).
    pub fn alert_failed(&self, id: &str, error: &str) -> Result<bool> {
        let (id, error, now) = (id.to_string(), error.to_string(), self.now());
        self.write(move |conn| alerts::failed(conn, &id, &error, now))
    }

    // ------------------------------------------------------------ operations

    /// Whether the database answers (for `/healthz`).
    pub fn ping(&self) -> Result<()> {
        self.read(|conn| {
            conn.one_row("SELECT CAST(1 AS BIGINT)", &[], |r| r.int(0))
                .map(drop)
        })
    }

    /// This store's figures for `/metrics` (counted by the HTTP layer and the alerts too).
    pub fn metrics(&self) -> &crate::metrics::Metrics {
        &self.inner.metrics
    }

    /// The `/metrics` exposition (OpenMetrics text when `openmetrics`, else Prometheus text).
    pub fn render_metrics(&self, openmetrics: bool) -> String {
        let idle = self.inner.readers.lock().map_or(0, |pool| pool.len());
        self.inner
            .metrics
            .render(self.degraded(), idle, openmetrics)
    }

    /// Whether writes currently fail because storage is full or unreachable.
    pub fn degraded(&self) -> bool {
        self.inner.writer.degraded()
    }

    /// Caps a SQLite database at `pages` pages (None: SQLite's default), so tests can make
    /// storage run out without filling a disk. Not for production use.
    #[doc(hidden)]
    pub fn limit_pages_for_tests(&self, pages: Option<u64>) -> Result<()> {
        let pages = pages.unwrap_or(4_294_967_294);
        self.inner
            .writer
            .maintain(move |conn| conn.batch(&format!("PRAGMA max_page_count = {pages};")))
    }

    /// A clean stop. SQLite: copies the write-ahead log into the database file and
    /// truncates it, so the `.db` file alone holds every acknowledged write.
    pub fn close(&self) -> Result<()> {
        match &self.inner.location {
            Location::Sqlite(path) => sqlite::close(path),
            Location::Postgres { .. } => Ok(()),
        }
    }

    /// Copies this SQLite store into the empty PostgreSQL database at `target` and
    /// verifies the copy (`horrors migrate --to`), each year's ranking with `same_year`.
    pub fn migrate_to(&self, target: &Location, same_year: migrate::SameYear) -> Result<Migrated> {
        migrate::to_postgres(self, target, same_year)
    }

    /// A consistent copy of a SQLite database while it is in use, written atomically.
    pub fn backup(&self, out: &Path) -> Result<()> {
        match &self.inner.location {
            Location::Sqlite(path) => sqlite::backup(path, out),
            Location::Postgres { shown, .. } => Err(Error::internal(format!(
                "backup copies SQLite files; for {shown} use pg_dump (e.g. pg_dump -Fc -f horrors.dump DBNAME)"
            ))),
        }
    }
}
