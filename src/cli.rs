//! The command line (SPEC §3). Precedence, written once: built-in defaults <
//! `HORRORS_*` environment variables < flags (clap's `env` does exactly this).

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use chrono::Utc;
use clap::{Args, Parser, Subcommand};

use crate::auth::Role;

/// A line on stderr for the person at the terminal; a full disk or closed pipe under
/// stderr is ignored (`eprintln!` would panic).
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
use crate::calendar::{local_day, Window};
use crate::clock::SystemClock;
use crate::config;
use crate::demo;
use crate::error::{Error, Result};
use crate::output::write_atomically;
use crate::ranking::{By, Ranking};
use crate::report;
use crate::store::{Location, Store};
use std::sync::Arc;

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
        .map_err(|m| Error::internal(format!("bad window: {m}")))
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let db = location(&cli)?;
    match cli.command {
        Command::Serve { bind, demo } => serve(&cli.config, &db, &bind, demo),
        Command::Token(command) => token(&cli.config, &db, command),
        Command::Rank { window, by, json } => {
            let store = open_configured(&cli.config, &db)?;
            let by = By::parse(&by).map_err(Error::internal)?;
            let window = window.window(&store)?;
            let ranking = report::ranking(&store, &window, by, &crate::sites::Scope::ALL)?;
            let mut out = std::io::stdout().lock();
            let written = if json {
                serde_json::to_writer_pretty(&mut out, &ranking)
                    .map_err(std::io::Error::from)
                    .and_then(|()| writeln!(out))
            } else {
                write_table(&mut out, &ranking)
            };
            stdout_done(written)
        }
        Command::Charts { out, window } => {
            let store = open_configured(&cli.config, &db)?;
            let window = window.window(&store)?;
            let today = crate::report::today(&store, store.now())?;
            let charts = crate::export::charts_for(&store, &window, "", today)?;
            for (name, bytes) in &charts {
                let path = out.join(name);
                write_atomically(&path, |file| file.write_all(bytes).map_err(io))?;
            }
            say!("wrote {} charts to {}", charts.len(), out.display());
            Ok(())
        }
        Command::Export(ExportCommand::Annual { year, site, out }) => {
            let year = crate::export::annual::parse_year(&year).map_err(Error::internal)?;
            let store = open_configured(&cli.config, &db)?;
            let scope = match site {
                None => crate::sites::Scope::ALL,
                Some(key) => {
                    let snapshot = store.snapshot()?;
                    if snapshot.settings.site(&key).is_none() {
                        return Err(Error::internal(format!(
                            "--site: no site with key {}{}",
                            crate::text::echo(&key),
                            if snapshot.settings.sites.is_empty() {
                                ": no sites are configured".to_string()
                            } else {
                                let keys: Vec<&str> = snapshot
                                    .settings
                                    .sites
                                    .iter()
                                    .map(|s| s.key.as_str())
                                    .collect();
                                format!("; sites are {}", keys.join(", "))
                            }
                        )));
                    }
                    crate::sites::Scope::site(key)
                }
            };
            let out = out
                .unwrap_or_else(|| PathBuf::from(crate::export::annual::file_name(year, &scope)));
            write_atomically(&out, |file| {
                let lang = store.snapshot()?.settings.language;
                crate::export::annual::write_in(&store, year, store.now(), lang, &scope, file)
            })?;
            say!("wrote {}", out.display());
            Ok(())
        }
        Command::Export(ExportCommand::Ticks {
            out,
            window,
            include_voided,
        }) => {
            let store = open_configured(&cli.config, &db)?;
            let window = window.window(&store)?;
            write_atomically(&out, |file| {
                crate::export::csv::ticks(
                    &store,
                    &window,
                    &crate::sites::Scope::ALL,
                    include_voided,
                    std::io::BufWriter::new(file),
                )
            })?;
            say!("wrote {}", out.display());
            Ok(())
        }
        Command::Catalogue(CatalogueCommand::Export { out }) => {
            let store = open_configured(&cli.config, &db)?;
            let snapshot = store.snapshot()?;
            let text = config::to_toml(&snapshot.settings, &snapshot.horrors);
            match out {
                Some(path) => {
                    write_atomically(&path, |file| file.write_all(text.as_bytes()).map_err(io))?;
                    say!("wrote {}", path.display());
                    Ok(())
                }
                None => stdout_done(std::io::stdout().write_all(text.as_bytes())),
            }
        }
        Command::Backup { out } => {
            if let Location::Postgres { shown, .. } = &db {
                return Err(Error::internal(format!(
                    "backup copies SQLite files; back up {shown} with pg_dump (e.g. pg_dump -Fc -f horrors.dump DBNAME)"
                )));
            }
            let store = open_existing(&db)?;
            store.backup(&out)?;
            say!("backed up {db} to {}", out.display());
            Ok(())
        }
        Command::Volume(VolumeCommand::Import { csv }) => {
            let bytes = std::fs::read(&csv)
                .map_err(|e| Error::internal(format!("{}: cannot read: {e}", csv.display())))?;
            let inputs = crate::volume::read_csv(&bytes).map_err(|e| {
                Error::internal(format!("{}: {e}; nothing imported", csv.display()))
            })?;
            if inputs.is_empty() {
                return Err(Error::internal(format!(
                    "{}: the file has the header day,site,units but no rows; nothing imported",
                    csv.display()
                )));
            }
            let store = open_configured(&cli.config, &db)?;
            let settings = store.snapshot()?.settings.clone();
            // A day may be today wherever any site already is.
            let today = settings.latest_today(store.now());
            let (lines, inputs): (Vec<u64>, Vec<_>) = inputs.into_iter().unzip();
            let entries =
                crate::volume::validate_up_to(&inputs, &settings, None, today, usize::MAX)
                    .map_err(|e| {
                        let line = match &e {
                            Error::Invalid { details, .. } => details
                                .first()
                                .and_then(|d| d.index)
                                .and_then(|i| lines.get(i))
                                .map(|line| format!("line {line}: "))
                                .unwrap_or_default(),
                            _ => String::new(),
                        };
                        let message = match &e {
                            Error::Invalid { details, .. } if !details.is_empty() => {
                                details[0].message.clone()
                            }
                            other => other.to_string(),
                        };
                        Error::internal(format!(
                            "{}: {line}{message}; nothing imported",
                            csv.display()
                        ))
                    })?;
            let count = entries.len();
            store.set_volume(entries)?;
            say!("imported {count} volume entries from {}", csv.display());
            Ok(())
        }
        Command::Alerts(AlertsCommand::Send) => {
            let config = config::load(&cli.config).map_err(Error::internal)?;
            let store = open_configured(&cli.config, &db)?;
            let current = crate::alerts::current(&store)?;
            for a in &current {
                println!(
                    "{}  {}  {}  {}  {} signal days, last {}: {} (limit {})",
                    a.opened,
                    a.closed.as_deref().unwrap_or("open"),
                    a.site.as_deref().unwrap_or("(all sites)"),
                    a.horror,
                    a.signal_days,
                    a.last_signal,
                    a.count,
                    a.ucl
                        .map_or("-".to_string(), |u| format!("{u:.2} per {}", a.rate_unit)),
                );
            }
            if config.alerts.webhook.is_none() {
                say!(
                    "{} alert episodes; no [alerts] webhook_url is configured, so nothing was sent",
                    current.len()
                );
                return Ok(());
            }
            let done = crate::alerts::send(&store, &config.alerts, &current, true)?;
            say!(
                "{} alert episodes, {} new events; delivered {}, failed {} (retried later), given up {}",
                current.len(),
                done.new_alerts,
                done.delivered,
                done.failed,
                done.gave_up
            );
            if done.failed + done.gave_up > 0 {
                return Err(Error::internal(format!(
                    "{} alerts could not be delivered to the webhook; they are retried for 24 h",
                    done.failed + done.gave_up
                )));
            }
            Ok(())
        }
        Command::Migrate { to } => {
            let target = Location::parse(&to).map_err(|e| Error::internal(format!("--to: {e}")))?;
            if !matches!(target, Location::Postgres { .. }) {
                return Err(Error::internal(
                    "--to: give the PostgreSQL database to copy into, postgres://user[:password]@host[:port]/dbname",
                ));
            }
            if !matches!(db, Location::Sqlite(_)) {
                return Err(Error::internal(
                    "migrate copies from a SQLite database: give it with --db PATH (not a postgres:// URL)",
                ));
            }
            // A `serve` on this file would go on acknowledging writes that never reach
            // PostgreSQL: refuse while one runs, and keep one from starting meanwhile.
            let _lock = match &db {
                Location::Sqlite(path) if path.exists() => Some(lock_db(path, |db| {
                    format!(
                        "a `horrors serve` is running on {}; stop it before migrating (it would go on writing to SQLite only)",
                        absolute(db).display()
                    )
                })?),
                _ => None,
            };
            let store = open_existing(&db)?;
            let migrated = store.migrate_to(&target)?;
            for (table, rows) in &migrated.rows {
                println!("{table:>18}  {rows:>9} rows");
            }
            let years: Vec<String> = migrated.years.iter().map(i32::to_string).collect();
            println!(
                "copied {db} into {target} and verified every table's row count and the ranking of {}",
                if years.is_empty() { "every year (there are no ticks)".to_string() } else { format!("each year with ticks ({})", years.join(", ")) }
            );
            Ok(())
        }
        Command::Session(SessionCommand::List) => {
            let store = open_existing(&db)?;
            let rows: Vec<Vec<String>> = store
                .list_sessions()?
                .into_iter()
                .map(|s| {
                    vec![
                        s.id,
                        s.token_id.to_string(),
                        s.name,
                        s.role.as_str().to_string(),
                        s.site.unwrap_or_else(|| "-".into()),
                        seconds(&s.created_at),
                        seconds(&s.expires_at),
                    ]
                })
                .collect();
            let header = [
                "id",
                "token",
                "name",
                "role",
                "site",
                "created (UTC)",
                "expires (UTC)",
            ];
            let widths: Vec<usize> = (0..header.len())
                .map(|i| {
                    rows.iter()
                        .map(|r| r[i].chars().count())
                        .chain([header[i].len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            let mut text = line(header.to_vec()) + "\n";
            for r in &rows {
                text += &(line(r.iter().map(String::as_str).collect()) + "\n");
            }
            stdout_done(std::io::stdout().write_all(text.as_bytes()))
        }
        Command::Session(SessionCommand::Revoke { id }) => {
            let store = open_existing(&db)?;
            if store.revoke_session(&id)? {
                println!("revoked session {}", id.trim());
                Ok(())
            } else {
                Err(Error::NotFound(format!(
                    "no live session with id {:?} (see `horrors session list`)",
                    id.trim()
                )))
            }
        }
        Command::Doctor => {
            let config = config::load(&cli.config);
            let checks = crate::doctor::run(
                &cli.config,
                config.as_ref().map_err(String::as_str),
                &db,
                Utc::now(),
            );
            stdout_done(std::io::stdout().write_all(crate::doctor::table(&checks).as_bytes()))?;
            let failed = checks
                .iter()
                .filter(|c| c.state == crate::doctor::State::Fail)
                .count();
            if failed > 0 {
                return Err(Error::internal(format!(
                    "{failed} of {} checks failed",
                    checks.len()
                )));
            }
            Ok(())
        }
        Command::Check { repair } => {
            let store = open_existing(&db)?;
            let problems = store.check_rollup()?;
            if problems.is_empty() {
                println!(
                    "ok: the daily rollup matches {} ticks",
                    store.count_ticks()?
                );
                return Ok(());
            }
            if repair {
                store.rebuild_rollup()?;
                println!(
                    "repaired: rebuilt the daily rollup ({} rows disagreed)",
                    problems.len()
                );
                return Ok(());
            }
            Err(Error::internal(format!(
                "the daily rollup disagrees with the ticks in {} rows (first: {}); run `horrors check --repair`",
                problems.len(),
                problems[0]
            )))
        }
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
            .map_err(|e| Error::internal(format!("--database-url / HORRORS_DATABASE_URL: {e}")));
    }
    if let Some(db) = &cli.db {
        return Ok(Location::Sqlite(db.clone()));
    }
    if cli.config.exists() {
        if let Some(url) = config::storage_url(&cli.config).map_err(Error::internal)? {
            return Location::parse(&url).map_err(|e| {
                Error::internal(format!("{}: storage.url: {e}", cli.config.display()))
            });
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
        return Err(Error::internal(format!(
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
        let config = config::load(config_path).map_err(Error::internal)?;
        store.apply_config(&config)?;
    }
    Ok(store)
}

fn token(config_path: &Path, db: &Location, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create { role, name, site } => {
            // Check the arguments before creating anything.
            let role = Role::parse(&role).map_err(|e| Error::internal(format!("--role: {e}")))?;
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 60 || !crate::text::clean_name(name) {
                return Err(Error::internal(
                    "--name must be 1 to 60 characters, without control characters",
                ));
            }
            if site.is_some() && role == Role::Admin {
                return Err(Error::internal(
                    "--site: admin tokens cannot be bound to a site",
                ));
            }
            let created = matches!(db, Location::Sqlite(path) if !path.exists());
            let store = Store::open_at(db, Arc::new(SystemClock))?;
            // Sites come from the configuration: on a database that has none yet, apply it.
            if site.is_some() && store.snapshot().is_err() {
                if let Ok(config) = config::load(config_path) {
                    store.apply_config(&config)?;
                }
            }
            if created {
                say!(
                    "created a new database at {} (a running server on another database will not know this token)",
                    shown(db)
                );
            }
            let (info, secret) = store.create_site_token(name, role, site.as_deref())?;
            say!(
                "created {} token {} ({}) in {db}; it is shown only now:",
                info.role.as_str(),
                info.id,
                info.name,
            );
            println!("{secret}");
        }
        TokenCommand::List => {
            let store = open_existing(db)?;
            let tokens = store.list_tokens()?;
            let rows: Vec<[String; 5]> = tokens
                .iter()
                .map(|t| {
                    [
                        t.id.to_string(),
                        t.role.as_str().to_string(),
                        t.name.clone(),
                        seconds(&t.created_at),
                        t.revoked_at.as_deref().map_or("-".into(), seconds),
                    ]
                })
                .collect();
            let header = ["id", "role", "name", "created (UTC)", "revoked (UTC)"];
            let width = |i: usize| {
                rows.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header[i].len()])
                    .max()
                    .unwrap_or(0)
            };
            let widths: Vec<usize> = (0..5).map(width).collect();
            let line = |cells: [&str; 5]| {
                let pad = |i: usize| " ".repeat(widths[i] - cells[i].chars().count());
                format!(
                    "{}{}  {}{}  {}{}  {}{}  {}",
                    pad(0),
                    cells[0],
                    cells[1],
                    pad(1),
                    cells[2],
                    pad(2),
                    cells[3],
                    pad(3),
                    cells[4]
                )
            };
            let mut out = std::io::stdout().lock();
            let mut written = writeln!(out, "{}", line(header));
            for r in &rows {
                if written.is_ok() {
                    written = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3], &r[4]]));
                }
            }
            stdout_done(written)?;
        }
        TokenCommand::Revoke { id } => {
            let store = open_existing(db)?;
            let before = store
                .list_tokens()?
                .into_iter()
                .find(|t| t.id == id)
                .ok_or_else(|| {
                    Error::NotFound(format!("no token with id {id} (see `horrors token list`)"))
                })?;
            if let Some(at) = &before.revoked_at {
                println!(
                    "token {} ({}) was already revoked at {}; nothing changed",
                    before.id,
                    before.name,
                    seconds(at)
                );
                return Ok(());
            }
            match store.revoke_token(id)? {
                Some(t) => println!("revoked token {} ({})", t.id, t.name),
                None => return Err(Error::NotFound(format!("no token with id {id}"))),
            }
        }
    }
    Ok(())
}

/// An RFC 3339 instant shown to the second, e.g. `2026-11-23 14:05:09`.
fn seconds(instant: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(instant)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| instant.to_string())
}

fn serve(config_path: &Path, db: &Location, bind: &str, demo: bool) -> Result<()> {
    // Validate before touching the database: a bad file must write nothing.
    let config = config::load(config_path).map_err(Error::internal)?;
    // The identity provider's client secret comes from the environment, checked as early.
    let oidc = match &config.oidc {
        Some(oidc) => Some(Arc::new(
            crate::oidc::Oidc::from_env(oidc.clone())
                .map_err(|e| Error::internal(format!("{}: {e}", config_path.display())))?,
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
        .map_err(|e| Error::internal(format!("{}: {e}", config_path.display())))?;
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
    crate::alerts::start(store.clone(), config.alerts.clone())
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
fn lock_db(db: &Path, held: impl FnOnce(&Path) -> String) -> Result<std::fs::File> {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            return Err(Error::internal(format!(
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

fn write_table(out: &mut impl Write, ranking: &Ranking) -> std::io::Result<()> {
    writeln!(
        out,
        "{} to {} ({} days, {}), by {}",
        ranking.window.from,
        ranking.window.to,
        ranking.window.days,
        ranking.window.timezone,
        serde_json::to_value(ranking.by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "{:>4}  {:<5}  {:<32}  {:>7}  {:>6}  {:>14}  {:>8}  {:>6}  {:>7}",
        "rank",
        "tier",
        "horror",
        "count",
        "compl",
        &format!("cost {}", ranking.currency),
        "pain pts",
        "score",
        "change"
    )?;
    for item in &ranking.items {
        let mut name: String = item.name.chars().take(30).collect();
        if item.name.chars().count() > 30 {
            name.push('…');
        }
        if item.retired {
            name.push_str(" (retired)");
        }
        writeln!(
            out,
            "{:>4}  {:<5}  {:<32}  {:>7}  {:>6}  {:>14}  {:>8}  {:>6.3}  {:>7}",
            item.rank,
            item.tier.as_str(),
            name,
            item.count,
            item.complaints,
            item.cost,
            item.pain_points,
            item.score,
            item.change_pct
                .map(|c| format!("{c:+.1}%"))
                .unwrap_or_else(|| "-".into())
        )?;
    }
    let t = &ranking.totals;
    writeln!(
        out,
        "{:>4}  {:<5}  {:<32}  {:>7}  {:>6}  {:>14}  {:>8}",
        "", "", "total", t.count, t.complaints, t.cost, t.pain_points
    )
}
