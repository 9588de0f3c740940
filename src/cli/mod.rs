//! The command line (SPEC §3). Precedence, written once: built-in defaults <
//! `HORRORS_*` environment variables < flags (clap's `env` does exactly this).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use clap::{Args, Parser, Subcommand};

use crate::calendar::{local_day, Window};
use crate::clock::SystemClock;
use crate::config;
use crate::error::{Error, Result};
use crate::store::{Location, Store};

/// A line on stderr for the person at the terminal; a full disk or closed pipe under
/// stderr is ignored (`eprintln!` would panic).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod alerts;
mod maintenance;
mod reports;
mod serve;
mod sessions;
mod tokens;
mod volume;

#[derive(Parser, Debug)]
#[command(
    name = "horrors",
    version,
    about = "Tally, rank and chart the few failures that hurt customers most."
)]
pub struct Cli {
    /// Configuration file (relative paths are from the current folder).
    #[arg(
        long,
        global = true,
        env = "HORRORS_CONFIG",
        default_value = "data/horrors.toml"
    )]
    pub config: PathBuf,
    /// SQLite database file (relative paths are from the current folder; default
    /// data/horrors.db). Only `serve` and `token create` create it; every other command
    /// needs it to exist.
    #[arg(long, global = true, env = "HORRORS_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Database URL: `sqlite:PATH` or `postgres://user[:password]@host[:port]/dbname`.
    /// Comes before `[storage] url` in the configuration file, which comes before --db.
    #[arg(long, global = true, env = "HORRORS_DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP service (creates the database if missing; one `serve` per database).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "HORRORS_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Fill an empty database with about 120 days of example ticks.
        #[arg(long)]
        demo: bool,
    },
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// List and revoke page sessions (token sign-ins and enrolled devices).
    #[command(subcommand)]
    Session(SessionCommand),
    /// Print the ranking of a window.
    Rank {
        #[command(flatten)]
        window: WindowArgs,
        /// Order: priority, count, cost or pain.
        #[arg(long, default_value = "priority")]
        by: String,
        /// Print JSON (the same document as GET /api/ranking).
        #[arg(long)]
        json: bool,
    },
    /// Write all five charts as SVG and PNG into a folder (created if missing).
    Charts {
        /// Folder for the charts.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        window: WindowArgs,
    },
    /// Write exports: the annual review ZIP or ticks as CSV.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Catalogue tools.
    #[command(subcommand)]
    Catalogue(CatalogueCommand),
    /// Write a consistent copy of the database while it is in use.
    Backup {
        /// The copy (replaced atomically if it exists).
        #[arg(long)]
        out: PathBuf,
    },
    /// Check that the daily rollup matches the ticks (and rebuild it with --repair).
    Check {
        #[arg(long)]
        repair: bool,
    },
    /// Alerts: evaluate the control charts and deliver the webhook now.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Volume: units handled per day and site.
    #[command(subcommand)]
    Volume(VolumeCommand),
    /// Check configuration, database (reachable, migrated), free disk, clock, webhook and
    /// identity provider; prints a table and exits non-zero when a check fails.
    Doctor,
    /// Copy the SQLite database (--db) into an empty PostgreSQL database and verify it.
    Migrate {
        /// The PostgreSQL database, postgres://user[:password]@host[:port]/dbname.
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token (and the database, if missing); the secret alone goes to stdout.
    Create {
        /// staff, viewer or admin.
        #[arg(long)]
        role: String,
        /// Who or what holds it, 1..=60 characters (e.g. "Dispatch tablet").
        #[arg(long)]
        name: String,
        /// Bind it to a site: staff record and viewers read there only (not for admin).
        #[arg(long)]
        site: Option<String>,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id (see `token list`).
    Revoke { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum SessionCommand {
    /// List live sessions (never their secrets), newest first.
    List,
    /// End a session by id (see `session list`); on every instance within a second.
    Revoke { id: String },
}

#[derive(Subcommand, Debug)]
pub enum VolumeCommand {
    /// Set volume from a CSV file with the header day,site,units (all rows or none).
    Import {
        /// The CSV file (site empty without sites).
        #[arg(long)]
        csv: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum AlertsCommand {
    /// Evaluate alerts now, print them, and POST those not sent before to the webhook.
    Send,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The annual review of a calendar year as one ZIP.
    Annual {
        /// Calendar year, e.g. 2026.
        #[arg(long)]
        year: String,
        /// Only this site (its key); the review says so and is named after it.
        #[arg(long)]
        site: Option<String>,
        /// The ZIP to write (replaced atomically if it exists); default
        /// horrors-annual-YEAR.zip, or horrors-annual-YEAR-SITE.zip with --site.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every tick of a window as CSV.
    Ticks {
        /// The CSV to write (replaced atomically if it exists).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        window: WindowArgs,
        /// Include voided ticks (marked in the `voided` column).
        #[arg(long)]
        include_voided: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CatalogueCommand {
    /// Write the current catalogue and settings as a configuration file.
    Export {
        /// The file to write (replaced atomically if it exists); stdout without it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Window options shared by every reading command.
#[derive(Args, Debug, Clone, Default)]
pub struct WindowArgs {
    /// First local day, YYYY-MM-DD (with --to).
    #[arg(long)]
    pub from: Option<String>,
    /// Last local day, inclusive.
    #[arg(long)]
    pub to: Option<String>,
    /// The N local days ending today.
    #[arg(long)]
    pub days: Option<String>,
}

impl WindowArgs {
    pub fn window(&self, store: &Store) -> Result<Window> {
        let settings = store.snapshot()?.settings.clone();
        let today = local_day(store.now(), settings.tz());
        Window::select(
            self.from.as_deref(),
            self.to.as_deref(),
            self.days.as_deref(),
            today,
            settings.window_days,
        )
        .map_err(|m| Error::usage(format!("bad window: {m}")))
    }
}

/// Runs a parsed command line./// Runs one command: each subcommand's work is in its own module.
pub fn run(cli: Cli) -> Result<()> {
    let db = location(&cli)?;
    match cli.command {
        Command::Serve { bind, demo } => serve::serve(&cli.config, &db, &bind, demo),
        Command::Token(command) => tokens::token(&cli.config, &db, command),
        Command::Rank { window, by, json } => reports::rank(&cli.config, &db, window, by, json),
        Command::Charts { out, window } => reports::charts(&cli.config, &db, out, window),
        Command::Export(ExportCommand::Annual { year, site, out }) => {
            reports::export_annual(&cli.config, &db, year, site, out)
        }
        Command::Export(ExportCommand::Ticks {
            out,
            window,
            include_voided,
        }) => reports::export_ticks(&cli.config, &db, out, window, include_voided),
        Command::Catalogue(CatalogueCommand::Export { out }) => {
            reports::export_catalogue(&cli.config, &db, out)
        }
        Command::Backup { out } => maintenance::backup(&db, out),
        Command::Volume(VolumeCommand::Import { csv }) => volume::import(&cli.config, &db, csv),
        Command::Alerts(AlertsCommand::Send) => alerts::send(&cli.config, &db),
        Command::Migrate { to } => maintenance::migrate(&db, to),
        Command::Session(SessionCommand::List) => sessions::list(&db),
        Command::Session(SessionCommand::Revoke { id }) => sessions::revoke(&db, id),
        Command::Doctor => maintenance::doctor(&cli.config, &db),
        Command::Check { repair } => maintenance::check(&db, repair),
    }
}

/// Output to stdout is done when written, or when the reader went away (`| head`).
fn stdout_done(written: std::io::Result<()>) -> Result<()> {
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(io),
    }
}

fn io(e: std::io::Error) -> Error {
    Error::internal(e.to_string())
}

/// Where the data lives: `--database-url` / `HORRORS_DATABASE_URL`, else `--db` /
/// `HORRORS_DB`, else `[storage] url` in the configuration file (when it exists), else
/// `data/horrors.db`. Flags and variables come before the file, as everywhere.
fn location(cli: &Cli) -> Result<Location> {
    if let Some(url) = &cli.database_url {
        return Location::parse(url)
            .map_err(|e| Error::usage(format!("--database-url / HORRORS_DATABASE_URL: {e}")));
    }
    if let Some(db) = &cli.db {
        return Ok(Location::Sqlite(db.clone()));
    }
    if cli.config.exists() {
        if let Some(url) = config::storage_url(&cli.config).map_err(Error::usage)? {
            return Location::parse(&url)
                .map_err(|e| Error::usage(format!("{}: storage.url: {e}", cli.config.display())));
        }
    }
    Ok(Location::Sqlite(PathBuf::from(DEFAULT_DB)))
}

/// The SQLite file when nothing else says where the data lives.
pub const DEFAULT_DB: &str = "data/horrors.db";

fn open_existing(db: &Location) -> Result<Store> {
    let db = match db {
        Location::Sqlite(path) => path,
        postgres => return Store::open_at(postgres, Arc::new(SystemClock)),
    };
    if !db.exists() {
        return Err(Error::usage(format!(
            "{}: no such database (looked in {}; give --db or HORRORS_DB, or start `horrors serve` once to create it)",
            db.display(),
            absolute(db).display()
        )));
    }
    Store::open(db)
}

/// A location for people: SQLite files as absolute paths, PostgreSQL without password.
fn shown(db: &Location) -> String {
    match db {
        Location::Sqlite(path) => absolute(path).display().to_string(),
        other => other.to_string(),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Opens the database, applying the configuration file only if the database has never
/// been configured (the database is the source of truth; `serve` re-applies changed files).
fn open_configured(config_path: &Path, db: &Location) -> Result<Store> {
    let store = open_existing(db)?;
    if store.snapshot().is_err() {
        let config = config::load(config_path)?;
        store.apply_config(&config)?;
    }
    Ok(store)
}

/// An RFC 3339 instant shown to the second, e.g. `2026-11-23 14:05:09`.
pub(super) fn seconds(instant: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(instant)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| instant.to_string())
}
