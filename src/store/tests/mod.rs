//! Unit tests of the store's aggregates, each case run on both engines through the
//! [`Store`]'s public methods: SQLite (a file in a temporary folder) and PostgreSQL (a fresh
//! database on the server `HORRORS_TEST_DATABASE_URL` names).
//!
//! A PostgreSQL-only test is `#[ignore]`d with the reason "needs PostgreSQL", and its name
//! holds `on_postgres`: without a database, `cargo test` reports it *ignored*, never *ok*.
//! `scripts/test` starts a throwaway server and runs them with `--ignored on_postgres`;
//! run that way without the variable, they fail (see `docs/decisions.md`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{Location, Store};
use crate::auth::{Identity, Role};
use crate::clock::ManualClock;
use crate::ticks::{NewTick, Source};

/// The variable that names the test server (`scripts/test` sets it).
pub(crate) const PG_ENV: &str = "HORRORS_TEST_DATABASE_URL";

/// The test server's URL. Panics when [`PG_ENV`] is unset: the tests that call this are
/// ignored unless asked for, and asked for they must not pass without a database.
pub(crate) fn postgres_url() -> String {
    std::env::var(PG_ENV).unwrap_or_else(|_| {
        panic!("this test needs PostgreSQL: set {PG_ENV} (scripts/test starts a throwaway server)")
    })
}

/// The URL of a fresh, empty database on the test server, named after `name`, this
/// process and a counter (so two tests never share one).
pub(crate) fn fresh_postgres(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let base = postgres_url();
    let name = format!(
        "{name}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        admin.batch_execute(&sql).unwrap();
    }
    let (prefix, _) = base.rsplit_once('/').expect("a URL with a database name");
    format!("{prefix}/{name}")
}

/// The catalogue the store's tests run against (the HTTP suite's): Chicago time, USD, five
/// horrors, no sites.
pub(crate) const CONFIG: &str = include_str!("../../../tests/fixtures/horrors.toml");

/// One test's store on one engine, with the clock it reads and what keeps its data alive.
pub(crate) struct Db {
    pub store: Store,
    pub clock: ManualClock,
    dir: Option<tempfile::TempDir>,
}

impl Db {
    /// The instant every test starts at: Monday 2 March 2026, 09:00 in Chicago.
    fn start() -> ManualClock {
        ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap())
    }

    /// A store on a fresh SQLite file in a temporary folder, configured with [`CONFIG`].
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::Sqlite(dir.path().join("horrors.db"));
        Db::open(&location, Some(dir))
    }

    /// A store on a fresh database on the test server, configured with [`CONFIG`]; panics
    /// without `HORRORS_TEST_DATABASE_URL`.
    pub fn postgres() -> Db {
        let location = Location::parse(&fresh_postgres("store")).unwrap();
        Db::open(&location, None)
    }

    /// The database file, on SQLite.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.dir.as_ref().map(|dir| dir.path().join("horrors.db"))
    }

    fn open(location: &Location, dir: Option<tempfile::TempDir>) -> Db {
        let clock = Db::start();
        let store = Store::open_at(location, Arc::new(clock.clone())).unwrap();
        store
            .apply_config(&crate::config::parse(CONFIG).unwrap())
            .unwrap();
        Db { store, clock, dir }
    }
}

/// Turns case functions `fn(&Db)` of an aggregate's test module into two tests each:
/// `on_sqlite::case`, and `on_postgres::case`, ignored unless asked for (see above).
macro_rules! on_both_engines {
    ($($case:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $case() {
                    super::$case(&$crate::store::tests::Db::sqlite());
                }
            )+
        }
        mod on_postgres {
            $(
                #[test]
                #[ignore = "needs PostgreSQL: HORRORS_TEST_DATABASE_URL, run with --ignored on_postgres"]
                fn $case() {
                    super::$case(&$crate::store::tests::Db::postgres());
                }
            )+
        }
    };
}

/// A tick of `qty` × `horror` at `at`, internal, with nothing else said.
pub(crate) fn tick(horror: &str, qty: i64, at: DateTime<Utc>) -> NewTick {
    NewTick {
        horror: horror.to_string(),
        qty,
        occurred_at: at,
        source: Source::Internal,
        department: None,
        note: None,
        cost_minor: None,
        idempotency: None,
        site: None,
    }
}

/// A new token of `role` called `name`, as the identity its secret signs in as.
pub(crate) fn identity(db: &Db, name: &str, role: Role) -> Identity {
    let (_, secret) = db.store.create_token(name, role).unwrap();
    db.store
        .authenticate(&secret)
        .unwrap()
        .map(std::sync::Arc::unwrap_or_clone)
        .expect("a new token signs in")
}

/// A local day `YYYY-MM-DD`.
pub(crate) fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

mod alerts;
mod catalogue;
mod cycles;
mod enrolments;
mod nominations;
mod oidc;
mod rollup;
mod sessions;
mod sheets;
mod ticks;
mod tokens;
mod volume;
