//! Where the data lives, parsed from a database URL: `sqlite:PATH` or
//! `postgres://user[:password]@host[:port]/dbname`, with PostgreSQL's TLS settings read as
//! libpq reads them (`sslmode`, `sslrootcert`). The store connects to it (`store::pg_tls`);
//! the configuration and the command line only parse it.

use std::path::PathBuf;

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Where the data lives: `sqlite:PATH` or `postgres://user[:password]@host[:port]/dbname`.
#[derive(Clone)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres {
        /// The driver's settings and TLS ([`PgConfig`]: `sslmode`, `sslrootcert`).
        config: Box<PgConfig>,
        /// The URL without its password, for messages and logs.
        shown: String,
    },
}

/// Equal when they name the same file, or the same user, server and database.
impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_string())
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            Location::Postgres { shown, .. } => f.write_str(shown),
        }
    }
}

impl Location {
    /// Parses a database URL; the error says what is accepted (never echoing a password).
    pub fn parse(url: &str) -> Result<Location, String> {
        const ACCEPTED: &str = "use sqlite:PATH or postgres://user[:password]@host[:port]/dbname";
        if let Some(path) = url.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err(format!("sqlite: needs a file path; {ACCEPTED}"));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let config: PgConfig = url
                .parse()
                .map_err(|e| format!("not a valid PostgreSQL URL ({e}); {ACCEPTED}"))?;
            let host = config
                .get_hosts()
                .first()
                .map(|h| match h {
                    ::postgres::config::Host::Tcp(name) => name.clone(),
                    ::postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .unwrap_or_else(|| "localhost".into());
            let port = config.get_ports().first().copied().unwrap_or(5432);
            let shown = format!(
                "postgres://{}@{host}:{port}/{}",
                config.get_user().unwrap_or(""),
                config.get_dbname().unwrap_or("")
            );
            return Ok(Location::Postgres {
                config: Box::new(config),
                shown,
            });
        }
        let scheme = url.split_once(':').map_or("(none)", |(s, _)| s);
        Err(format!(
            "unsupported database URL scheme {}; {ACCEPTED}",
            crate::text::echo(scheme)
        ))
    }

    pub fn engine(&self) -> Engine {
        match self {
            Location::Sqlite(_) => Engine::Sqlite,
            Location::Postgres { .. } => Engine::Postgres,
        }
    }
}

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(text: &str) -> Result<SslMode, String> {
        Ok(match text {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            // libpq's "allow" tries without TLS first: closest is prefer's opposite; refuse
            // it rather than guess.
            other => {
                return Err(format!(
                "sslmode={other:?} is not one of disable, prefer, require, verify-ca, verify-full"
            ))
            }
        })
    }
}

/// A PostgreSQL connection's settings: the driver's, plus TLS as libpq reads it. (The
/// driver's `Debug` leaves the password out.)
#[derive(Clone, Debug)]
pub struct PgConfig {
    pub config: postgres::Config,
    pub mode: SslMode,
    /// `sslrootcert`: the CA certificates (PEM) the server's must be signed by.
    pub root_cert: Option<PathBuf>,
}

impl std::ops::Deref for PgConfig {
    type Target = postgres::Config;
    fn deref(&self) -> &postgres::Config {
        &self.config
    }
}

impl std::ops::DerefMut for PgConfig {
    fn deref_mut(&mut self) -> &mut postgres::Config {
        &mut self.config
    }
}

impl std::str::FromStr for PgConfig {
    type Err = String;

    /// A `postgres://` URL; `sslmode` and `sslrootcert` are taken out of its query
    /// before the driver reads the rest.
    fn from_str(url: &str) -> Result<PgConfig, String> {
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut mode = None;
        let mut root_cert = None;
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => mode = Some(SslMode::parse(&percent_decode(value)?)?),
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(value)?)),
                _ => rest.push(pair),
            }
        }
        let url = if rest.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", rest.join("&"))
        };
        let mut config: postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
        let mode = match mode {
            Some(mode) => mode,
            None => match std::env::var("PGSSLMODE") {
                Ok(text) => SslMode::parse(&text).map_err(|e| format!("PGSSLMODE: {e}"))?,
                Err(_) => SslMode::Prefer,
            },
        };
        let root_cert = root_cert.or_else(|| std::env::var_os("PGSSLROOTCERT").map(PathBuf::from));
        config.ssl_mode(match mode {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        Ok(PgConfig {
            config,
            mode,
            root_cert,
        })
    }
}

fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent-encoding in {text:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{text:?} is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn sslmode_and_sslrootcert_are_read_like_libpq() {
        let c: PgConfig = "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem"
            .parse()
            .unwrap();
        assert_eq!(c.mode, SslMode::VerifyFull);
        assert_eq!(c.root_cert.as_deref(), Some(Path::new("/etc/ca.pem")));
        assert_eq!(c.get_dbname(), Some("db"));
        let c: PgConfig = "postgres://u@h/db?application_name=x&sslmode=disable"
            .parse()
            .unwrap();
        assert_eq!(c.mode, SslMode::Disable);
        assert_eq!(c.get_application_name(), Some("x"));
        assert!("postgres://u@h/db?sslmode=allow"
            .parse::<PgConfig>()
            .unwrap_err()
            .contains("verify-full"));
    }
}
