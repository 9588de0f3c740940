//! `horrors token`: API tokens created, listed and revoked.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::{open_existing, seconds, shown, stdout_done, TokenCommand};
use crate::auth::Role;
use crate::clock::SystemClock;
use crate::config;
use crate::error::{Error, Result};
use crate::store::{Location, Store};

/// `horrors token create`, `list` and `revoke`.
// Over 80 lines: one arm per subcommand, each a few lines of output formatting.
pub(super) fn token(config_path: &Path, db: &Location, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create { role, name, site } => {
            // Check the arguments before creating anything.
            let role = Role::parse(&role).map_err(|e| Error::usage(format!("--role: {e}")))?;
            let name = crate::auth::token_name(&name)
                .ok_or_else(|| Error::usage(format!("--name {}", crate::auth::TOKEN_NAME_RULE)))?;
            if site.is_some() && role == Role::Admin {
                return Err(Error::usage(
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
