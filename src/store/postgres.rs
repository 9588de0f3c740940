//! What only the PostgreSQL engine needs: connecting, recovering a lost connection, and
//! listening for changes other instances made (`NOTIFY horrors`), so every instance's
//! cached catalogue, settings and credentials follow within a second.

use std::sync::Weak;
use std::time::Duration;

use super::db::{Conn, PgConn};
use super::pg_tls::PgConfig;
use super::writer::Recover;
use crate::error::{Error, Result};

/// Connects the writer for the first time: a failure here is a one-line startup error.
pub fn connect(config: &PgConfig, shown: &str) -> Result<PgConn> {
    PgConn::connect_writer(config).map_err(|e| match e {
        Error::StorageUnavailable { .. } => Error::internal(format!(
            "{shown}: cannot connect to PostgreSQL (is it running and reachable?)"
        )),
        other => Error::internal(format!("{shown}: cannot connect to PostgreSQL: {other}")),
    })
}

/// A reader connection.
pub fn open_reader(config: &PgConfig) -> Result<Box<dyn Conn>> {
    Ok(Box::new(PgConn::connect(config)?))
}

/// After the server went away: reconnects, and says whether it answers again.
pub fn recover(config: PgConfig) -> Recover {
    Box::new(move |conn| {
        if !conn.healthy() {
            match PgConn::connect_writer(&config) {
                Ok(fresh) => *conn = Box::new(fresh),
                Err(_) => return false,
            }
        }
        conn.one_row("SELECT CAST(1 AS BIGINT)", &[], |r| r.int(0))
            .is_ok()
    })
}

/// Listens for `NOTIFY horrors` and calls `changed` on each (and after every reconnect,
/// since notifications sent meanwhile are lost). Stops once `alive` cannot be upgraded.
pub fn start_listener<T, F>(config: PgConfig, alive: Weak<T>, changed: F) -> Result<()>
where
    T: Send + Sync + 'static,
    F: Fn(std::sync::Arc<T>) + Send + 'static,
{
    std::thread::Builder::new()
        .name("horrors-listen".into())
        .spawn(move || {
            use postgres::fallible_iterator::FallibleIterator;
            let mut first = true;
            loop {
                let Some(_) = alive.upgrade() else { return };
                let mut conn = match PgConn::connect(&config) {
                    Ok(conn) => conn,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(500));
                        continue;
                    }
                };
                if conn.batch("LISTEN horrors").is_err() {
                    continue;
                }
                if !first {
                    // Whatever changed while we were away.
                    match alive.upgrade() {
                        Some(target) => changed(target),
                        None => return,
                    }
                }
                first = false;
                loop {
                    let next = {
                        let mut notifications = conn.client().notifications();
                        let mut waiting = notifications.timeout_iter(Duration::from_millis(250));
                        waiting.next()
                    };
                    let Some(target) = alive.upgrade() else {
                        return;
                    };
                    match next {
                        Ok(Some(_)) => changed(target),
                        Ok(None) if conn.client().is_closed() => break,
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            }
        })
        .map_err(|e| Error::internal(format!("cannot start the listener thread: {e}")))?;
    Ok(())
}
