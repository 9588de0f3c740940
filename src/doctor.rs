//! `horrors doctor`: the checks IT runs before and after a rollout, each one line in a
//! table — configuration, database reachable and migrated, free disk, clock against the
//! database, the alerts webhook reachable, the identity provider's discovery document.
//! Nothing is written anywhere; the exit status is non-zero when a check fails.

use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::store::probe::probe;
use crate::store::Location;

/// Free space below which the disk check fails.
pub const MIN_FREE_BYTES: u64 = 64 * 1024 * 1024;
/// Free space below which the disk check warns.
pub const LOW_FREE_BYTES: u64 = 1024 * 1024 * 1024;
/// Clock difference to the database that fails the clock check (instances compare
/// instants they each took; sessions and alerts expire by them).
pub const MAX_SKEW_MS: i64 = 5_000;
/// How long a network check may take.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(5);

/// How a check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Ok,
    /// Works, but deserves a look; does not fail the run.
    Warn,
    Fail,
    /// Not configured, or not possible after an earlier failure.
    Skip,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Warn => "warn",
            State::Fail => "FAIL",
            State::Skip => "skip",
        }
    }
}

/// One line of the table.
#[derive(Clone, Debug)]
pub struct Check {
    pub name: &'static str,
    pub state: State,
    pub detail: String,
}

fn check(name: &'static str, state: State, detail: impl Into<String>) -> Check {
    Check {
        name,
        state,
        detail: detail.into(),
    }
}

/// Runs every check: the configuration at `config_path` (already loaded, or the error
/// loading it), the database at `location`, the system clock `now`.
// Over 80 lines: the checks one after another, in the order the table shows them.
pub fn run(
    config_path: &Path,
    config: Result<&Config, &str>,
    location: &Location,
    now: DateTime<Utc>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    checks.push(match config {
        Ok(c) => check(
            "configuration",
            State::Ok,
            format!(
                "{}: {} horrors, {} sites",
                config_path.display(),
                c.horrors.iter().filter(|h| !h.retired).count(),
                c.settings.sites.len()
            ),
        ),
        Err(e) => check("configuration", State::Fail, e),
    });
    let probed = probe(location);
    match &probed {
        Ok(p) => {
            checks.push(check("database", State::Ok, format!("{location} answers")));
            let latest = p.latest as i64;
            checks.push(if p.version == latest {
                check(
                    "schema",
                    State::Ok,
                    format!("version {} (this binary's)", p.version),
                )
            } else if p.version < latest {
                check(
                    "schema",
                    State::Fail,
                    format!(
                        "version {} of {latest}: start `horrors serve` once (it migrates)",
                        p.version
                    ),
                )
            } else {
                check(
                    "schema",
                    State::Fail,
                    format!(
                        "version {}, newer than this binary's {latest}: upgrade horrors",
                        p.version
                    ),
                )
            });
        }
        Err(e) => {
            checks.push(check("database", State::Fail, e.to_string()));
            checks.push(check("schema", State::Skip, "the database does not answer"));
        }
    }
    checks.push(disk(location, config_path));
    checks.push(match &probed {
        Ok(p) => match p.server_now {
            Some(server) => {
                let skew = (now - server).num_milliseconds();
                let detail = format!("{skew:+} ms against the database server");
                if skew.abs() > MAX_SKEW_MS {
                    check(
                        "clock",
                        State::Fail,
                        format!("{detail}: synchronise with NTP"),
                    )
                } else if skew.abs() > 1_000 {
                    check("clock", State::Warn, detail)
                } else {
                    check("clock", State::Ok, detail)
                }
            }
            None => check("clock", State::Ok, "SQLite uses this machine's clock"),
        },
        Err(_) => check("clock", State::Skip, "the database does not answer"),
    });
    checks.push(match config.ok().and_then(|c| c.alerts.webhook.as_ref()) {
        None => check("webhook", State::Skip, "no [alerts] webhook_url"),
        Some(webhook) => reachable("webhook", &webhook.url),
    });
    checks.push(match config.ok().and_then(|c| c.oidc.as_ref()) {
        None => check(
            "oidc",
            State::Skip,
            "no [auth.oidc] (sign-in with an identity provider is not configured)",
        ),
        Some(oidc) => discovery(oidc),
    });
    checks
}

/// Whether the identity provider's discovery document (and its keys) can be fetched, and
/// the client secret's environment variable is set (`serve` refuses to start without it).
fn discovery(config: &crate::oidc::OidcConfig) -> Check {
    let secret = config.secret_from_env();
    let provider = crate::oidc::Oidc::new(config.clone(), String::new());
    match (provider.check_discovery(), secret) {
        (Err(why), _) => check("oidc", State::Fail, format!("{}: {why}", config.issuer)),
        (Ok(_), Err(why)) => check("oidc", State::Fail, why),
        (Ok(found), Ok(_)) => check("oidc", State::Ok, format!("discovery answers: {found}")),
    }
}

/// The folder whose file system holds the data: the SQLite file's, else the
/// configuration's (PostgreSQL keeps its data elsewhere; logs and exports land here).
fn disk(location: &Location, config_path: &Path) -> Check {
    let folder = match location {
        Location::Sqlite(path) => path.parent().map(Path::to_path_buf),
        Location::Postgres { .. } => config_path.parent().map(Path::to_path_buf),
    }
    .filter(|p| !p.as_os_str().is_empty())
    .unwrap_or_else(|| ".".into());
    match rustix::fs::statvfs(&folder) {
        Ok(stat) => {
            let free = stat.f_bavail.saturating_mul(stat.f_frsize);
            let detail = format!("{} MiB free in {}", free / (1024 * 1024), folder.display());
            if free < MIN_FREE_BYTES {
                check("disk", State::Fail, detail)
            } else if free < LOW_FREE_BYTES {
                check("disk", State::Warn, detail)
            } else {
                check("disk", State::Ok, detail)
            }
        }
        Err(e) => check("disk", State::Fail, format!("{}: {e}", folder.display())),
    }
}

/// Whether a TCP connection to the URL's host and port opens (nothing is sent: a POST
/// would deliver something).
fn reachable(name: &'static str, url: &str) -> Check {
    let (https, rest) = match url.strip_prefix("https://") {
        Some(rest) => (true, rest),
        None => (false, url.strip_prefix("http://").unwrap_or(url)),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Credentials in the URL are never shown.
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let target = if host_port
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        && !host_port.ends_with(']')
    {
        host_port.to_string()
    } else {
        format!("{host_port}:{}", if https { 443 } else { 80 })
    };
    let addresses = match target.to_socket_addrs() {
        Ok(a) => a.collect::<Vec<_>>(),
        Err(e) => return check(name, State::Fail, format!("{target}: {e}")),
    };
    for address in &addresses {
        if TcpStream::connect_timeout(address, NETWORK_TIMEOUT).is_ok() {
            return check(name, State::Ok, format!("{target} accepts connections"));
        }
    }
    check(
        name,
        State::Fail,
        format!(
            "{target}: no connection within {} s",
            NETWORK_TIMEOUT.as_secs()
        ),
    )
}

/// The checks as a table: `check  state  detail`.
pub fn table(checks: &[Check]) -> String {
    let width = checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut out = format!("{:<width$}  {:<5}  detail\n", "check", "state");
    for c in checks {
        out.push_str(&format!(
            "{:<width$}  {:<5}  {}\n",
            c.name,
            c.state.as_str(),
            c.detail.replace('\n', " ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lines_up_and_names_each_state() {
        let text = table(&[
            check("configuration", State::Ok, "fine"),
            check("disk", State::Fail, "full"),
        ]);
        assert_eq!(
            text,
            "check          state  detail\nconfiguration  ok     fine\ndisk           FAIL   full\n"
        );
    }

    #[test]
    fn an_unreachable_webhook_fails_without_showing_its_credentials() {
        // A port nothing listens on: bind one, then free it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = reachable("webhook", &format!("http://user:pw@127.0.0.1:{port}/hook"));
        assert_eq!(c.state, State::Fail, "{c:?}");
        assert!(!c.detail.contains("pw"), "{c:?}");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let c = reachable("webhook", &format!("http://127.0.0.1:{port}/hook"));
        assert_eq!(c.state, State::Ok, "{c:?}");
    }
}
