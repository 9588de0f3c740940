//! Unit tests of the store's aggregates, each case run on both engines through the
//! `Store`'s public methods: SQLite (a file in a temporary folder) and PostgreSQL (a fresh
//! database on the server `HORRORS_TEST_DATABASE_URL` names).
//!
//! A PostgreSQL-only test is `#[ignore]`d with the reason "needs PostgreSQL", and its name
//! holds `on_postgres`: without a database, `cargo test` reports it *ignored*, never *ok*.
//! `scripts/test` starts a throwaway server and runs them with `--ignored on_postgres`;
//! run that way without the variable, they fail (see `docs/decisions.md`).

use std::sync::atomic::{AtomicUsize, Ordering};

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
