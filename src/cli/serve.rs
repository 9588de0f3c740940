//! `horrors serve`: the configuration applied, the database locked and the server run.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{absolute, io, shown};
use crate::auth::Role;
use crate::clock::SystemClock;
use crate::config;
use crate::demo;
use crate::error::{Error, Result};
use crate::store::{Location, Store};

/// `horrors serve`: applies the configuration, opens and locks the database, and serves.
// Over 80 lines: the start-up steps in the order they must happen, each with its message.
pub(super) fn serve(config_path: &Path, db: &Location, bind: &str, demo: bool) -> Result<()> {
    // Validate before touching the database: a bad file must write nothing.
    let config = config::load(config_path)?;
    // The identity provider's client secret comes from the environment, checked as early.
    let oidc = match &config.oidc {
        Some(oidc) => Some(Arc::new(
            crate::oidc::Oidc::from_env(oidc.clone())
                .map_err(|e| Error::usage(format!("{}: {e}", config_path.display())))?,
        )),
        None => None,
    };
    // One server per SQLite file; any number per PostgreSQL database.
    let _lock = match db {
        Location::Sqlite(path) => Some(lock_for_serve(path)?),
        Location::Postgres { .. } => None,
    };
    let listener = TcpListener::bind(bind)
        .map_err(|e| Error::internal(format!("cannot listen on {bind}: {e}")))?;
    raise_file_limit();
    let store = Store::open_at(db, Arc::new(SystemClock))?;
    let applied = store
        .apply_config(&config)
        .map_err(|e| Error::usage(format!("{}: {e}", config_path.display())))?;
    if applied.changed {
        tracing::info!(
            changes = applied.catalogue_changes,
            days_recomputed = applied.days_recomputed,
            "applied {}",
            config_path.display()
        );
    }
    if demo && !store.has_ticks()? {
        let ticks = demo::ticks(&*store.snapshot()?, store.now());
        let n = store.record_ticks(None, "demo", ticks)?.len();
        let volume = demo::volume(&*store.snapshot()?, store.now());
        let days = volume.len();
        store.set_volume(volume)?;
        say!(
            "demo: recorded {n} example ticks and {days} site-days of volume over the last {} days",
            demo::DEMO_DAYS
        );
        let method = demo::method(&store)?;
        say!("{method}");
    }
    if !store.has_admin_token()? {
        let (_, secret) = store.create_token("admin", Role::Admin)?;
        println!("No admin token existed, so one was created. It is shown only this once:");
        println!("{secret}");
    } else {
        let option = match db {
            Location::Sqlite(path) => format!("--db {}", path.display()),
            Location::Postgres { .. } => "--database-url URL".to_string(),
        };
        say!(
            "lost the admin token? `horrors token create --role admin --name NAME {option}` makes another"
        );
    }
    let address = listener.local_addr().map_err(io)?;
    say!("database: {}", shown(db));
    say!("horrors is listening on http://{address}");
    crate::alerts::start(store.clone(), super::alerts::alerts_config(&config.alerts))
        .map_err(|e| Error::internal(format!("cannot start the alerts thread: {e}")))?;
    let options = crate::http::HttpOptions {
        trusted_proxies: config.trusted_proxies.clone(),
        auth_failures: config.auth_failures,
        metrics_token: config.metrics.token.clone(),
        oidc: oidc.clone(),
        ..Default::default()
    };
    let metrics_listener = match config.metrics.bind {
        Some(bind) => {
            let listener = TcpListener::bind(bind).map_err(|e| {
                Error::internal(format!("metrics.bind: cannot listen on {bind}: {e}"))
            })?;
            say!(
                "metrics: http://{}/metrics",
                listener.local_addr().map_err(io)?
            );
            Some(listener)
        }
        None => None,
    };
    if config.metrics.token.is_some() {
        say!("metrics: http://{address}/metrics with the [metrics] token");
    }
    if let Some(oidc) = &oidc {
        say!(
            "sign-in with {}: {} (discovery from {})",
            oidc.config().display_name,
            oidc.config().redirect_url,
            oidc.config().issuer
        );
    }
    let served = actix_web::rt::System::new().block_on({
        let store = store.clone();
        async move {
            let server = crate::app::run_with(listener, store.clone(), options).map_err(io)?;
            match metrics_listener {
                Some(listener) => {
                    let metrics =
                        crate::http::metrics::serve_metrics(listener, store).map_err(io)?;
                    let handle = metrics.handle();
                    actix_web::rt::spawn(metrics);
                    let served = server.await.map_err(io);
                    handle.stop(true).await;
                    served
                }
                None => server.await.map_err(io),
            }
        }
    });
    // A clean stop leaves every acknowledged write in the database file itself.
    let closed = store.close();
    served?;
    closed?;
    if let Location::Sqlite(path) = db {
        say!("horrors stopped; {} is complete on its own", path.display());
    } else {
        say!("horrors stopped");
    }
    Ok(())
}

/// Holds an exclusive lock on `<db>.lock` for as long as this `serve` runs: two servers on
/// one SQLite file would each keep their own catalogue snapshot and identity cache. The
/// lock is advisory and taken only by `serve` (and `migrate`, which must not copy a
/// database that a server goes on writing), so other CLI commands beside it keep working.
fn lock_for_serve(db: &Path) -> Result<std::fs::File> {
    lock_db(db, |db| {
        format!(
            "another `horrors serve` is already using {}; stop it first, or give this one its own --db",
            absolute(db).display()
        )
    })
}

/// Takes the lock of [`lock_for_serve`]; `held` says what it means when another process
/// holds it.
pub(super) fn lock_db(db: &Path, held: impl FnOnce(&Path) -> String) -> Result<std::fs::File> {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(Error::usage(format!(
                "{}: the folder {} does not exist",
                db.display(),
                absolute(parent).display()
            )));
        }
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::internal(format!("{}: {e}", path.display())))?;
    match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(file),
        Err(rustix::io::Errno::WOULDBLOCK) => Err(Error::internal(held(db))),
        Err(e) => Err(Error::internal(format!(
            "{}: cannot lock: {e}",
            path.display()
        ))),
    }
}

/// Many slow clients each hold a socket until their deadline: let the process have as
/// many descriptors as the system allows it.
fn raise_file_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        limit.current = limit.maximum;
        let _ = setrlimit(Resource::Nofile, limit);
    }
}
