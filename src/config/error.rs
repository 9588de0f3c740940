//! Why a configuration was refused: [`ConfigError`] for its text, [`LoadError`] for a file
//! (which names the file first). Each is one line; the CLI reports a [`LoadError`] as
//! [`crate::error::Error::Usage`].

use std::fmt;
use std::path::PathBuf;

/// Why configuration text was refused: one line naming the field (and, where known, the
/// line) or, for TOML that does not read, the line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not TOML, or not in the sections' shape (an unknown key, a value of the wrong type):
    /// TOML's own words, after where it stopped when that is known.
    #[error("{}{message}", place_prefix(.at))]
    Toml {
        at: Option<TomlPlace>,
        message: String,
    },
    /// A value that breaks its field's rule: `field (line N): message`, the line only for a
    /// horror of the catalogue.
    #[error("{field}{}: {message}", line_suffix(.line))]
    Field {
        field: String,
        line: Option<usize>,
        message: String,
    },
    /// `[http] auth_failures_per_minute = 0`.
    #[error("http.auth_failures_per_minute must be at least 1")]
    NoAuthFailures,
}

impl From<crate::text::FieldError> for ConfigError {
    fn from(e: crate::text::FieldError) -> Self {
        ConfigError::field(e.field, e.message)
    }
}

impl ConfigError {
    /// A value of `field` that breaks its rule; `message` says what is wrong.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError::Field {
            field: field.into(),
            line: None,
            message: message.into(),
        }
    }
}

/// Where TOML stopped reading: the 1-based line and column, and the key (or table) written
/// on that line, so that the field is always named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TomlPlace {
    pub line: usize,
    pub column: usize,
    pub key: Option<String>,
}

impl fmt::Display for TomlPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)?;
        match &self.key {
            Some(key) => write!(f, " ({key})"),
            None => Ok(()),
        }
    }
}

fn place_prefix(at: &Option<TomlPlace>) -> String {
    at.as_ref().map(|at| format!("{at}: ")).unwrap_or_default()
}

fn line_suffix(line: &Option<usize>) -> String {
    line.map(|line| format!(" (line {line})"))
        .unwrap_or_default()
}

/// Why a configuration file was refused: its path, then what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all.
    #[error("{}: cannot read: {io}", path.display())]
    Unreadable { path: PathBuf, io: std::io::Error },
    /// The file was read, and its text refused.
    #[error("{}: {error}", path.display())]
    Invalid { path: PathBuf, error: ConfigError },
}

/// A configuration file is the command's input: a wrong one is a usage error.
impl From<LoadError> for crate::error::Error {
    fn from(error: LoadError) -> Self {
        crate::error::Error::Usage(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_the_place_and_the_field() {
        let place = |key: Option<&str>| TomlPlace {
            line: 3,
            column: 7,
            key: key.map(String::from),
        };
        let path = PathBuf::from("data/horrors.toml");
        let cases = [
            (
                ConfigError::Toml {
                    at: Some(place(Some("pain"))),
                    message: "invalid type".into(),
                },
                "line 3, column 7 (pain): invalid type",
            ),
            (
                ConfigError::Toml {
                    at: Some(place(None)),
                    message: "invalid table header".into(),
                },
                "line 3, column 7: invalid table header",
            ),
            (
                ConfigError::Toml {
                    at: None,
                    message: "missing field `organization`".into(),
                },
                "missing field `organization`",
            ),
            (
                ConfigError::field("window.days", "must be between 1 and 366, got 0"),
                "window.days: must be between 1 and 366, got 0",
            ),
            (
                ConfigError::Field {
                    field: "horrors[2].pain".into(),
                    line: Some(31),
                    message: "must be 1 to 5".into(),
                },
                "horrors[2].pain (line 31): must be 1 to 5",
            ),
            (
                ConfigError::NoAuthFailures,
                "http.auth_failures_per_minute must be at least 1",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
            let loaded = LoadError::Invalid {
                path: path.clone(),
                error,
            };
            assert_eq!(loaded.to_string(), format!("data/horrors.toml: {message}"));
        }
        let unreadable = LoadError::Unreadable {
            path,
            io: std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
        };
        assert_eq!(
            unreadable.to_string(),
            "data/horrors.toml: cannot read: gone"
        );
        let error = crate::error::Error::from(unreadable);
        assert!(
            matches!(&error, crate::error::Error::Usage(m) if m == "data/horrors.toml: cannot read: gone")
        );
    }
}
