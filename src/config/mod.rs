//! `data/horrors.toml`: parsing and validating the organization, window, ranking weights,
//! departments and the catalogue (SPEC §2). Nothing touches the database until this passes.
//!
//! - [`settings`]: the settings model ([`Settings`]) kept in the database;
//! - [`error`]: why a file or its text was refused ([`LoadError`], [`ConfigError`]);
//! - [`file`]: reading the TOML file into a [`Config`], with the line of any error;
//! - [`horrors`]: the catalogue's input and its checks;
//! - [`sections`]: `[alerts]`, `[metrics]`, `[control]` and `[cycles]`;
//! - [`write`]: the settings and catalogue written back as a file.

pub mod error;
pub mod file;
pub mod horrors;
pub mod sections;
pub mod settings;
pub mod write;

pub use error::{ConfigError, LoadError, TomlPlace};
pub use file::{load, parse, storage_url};
pub use horrors::{is_valid_key, validate_horrors, HorrorInput, MAX_HORRORS, MIN_HORRORS};
pub use sections::{
    AlertsSection, MetricsConfig, WebhookSection, DEFAULT_DELIVERY_TIMEOUT_SECONDS,
    MIN_METRICS_TOKEN,
};
#[cfg(test)]
pub(crate) use settings::example_settings;
pub use settings::{Settings, SignalSettings, Weights};
pub use write::to_toml;

use crate::catalogue::Horror;

/// A valid configuration file.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub settings: Settings,
    pub horrors: Vec<Horror>,
    /// SHA-256 of the file's bytes: the file is applied again only when this changes.
    pub digest: String,
    /// `[http] trusted_proxies`: peers whose forwarded headers are believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `[http] auth_failures_per_minute`: failed authentications an address may make within
    /// a minute before it gets 429 (default 20, SPEC §14).
    pub auth_failures: Option<usize>,
    /// `[storage] url`: where the data lives (`--database-url` and `HORRORS_DATABASE_URL`
    /// come first; without any, the SQLite file at `--db`).
    pub storage: Option<crate::location::Location>,
    /// `[alerts]`: where alerts go (the look-back is in the settings).
    pub alerts: AlertsSection,
    /// `[metrics]`: where `/metrics` is served, if anywhere.
    pub metrics: MetricsConfig,
    /// `[auth.oidc]`: sign-in with the organization's identity provider, if configured.
    pub oidc: Option<crate::oidc::OidcConfig>,
}

#[cfg(test)]
mod tests;
