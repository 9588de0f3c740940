//! One error type for the whole service, mapped to HTTP in one place.
//!
//! Every error leaves as `{"error": {"code", "message", "details"?}}`. Server-side
//! failures send a generic message and log the cause; client errors say exactly what to fix.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One problem inside a request: a batch item (`index`) or a field (`field`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Detail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The machine-readable code, one of a closed set written in the code (never built
    /// from input), so a single problem's code can be the error's own.
    pub code: &'static str,
    pub message: String,
}

impl Detail {
    pub fn field(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Detail {
            index: None,
            field: Some(field.into()),
            code,
            message: message.into(),
        }
    }

    pub fn item(index: usize, code: &'static str, message: impl Into<String>) -> Self {
        Detail {
            index: Some(index),
            field: None,
            code,
            message: message.into(),
        }
    }
}

/// What a client is told when storage is unavailable (the reason stays in the log).
pub const STORAGE_UNAVAILABLE: &str =
    "storage is unavailable (full, unwritable or unreachable); nothing was written; retry shortly";

/// Everything that can go wrong in horrors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400: the request could not be read at all.
    #[error("{message}")]
    Malformed { code: &'static str, message: String },
    /// 401: no or bad credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the caller's role is too low, or the action is not theirs to take.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 405, with the methods the resource allows.
    #[error("method not allowed; allowed: {0}")]
    MethodNotAllowed(String),
    /// 409.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        details: Vec<Detail>,
    },
    /// 408: the body did not arrive in time; the connection is closed.
    #[error("the request body did not arrive within {0} s")]
    Timeout(u64),
    /// 413.
    #[error("{0}")]
    TooLarge(String),
    /// 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed but invalid.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        details: Vec<Detail>,
    },
    /// 429: too many failed authentications from this address; retry after `0` seconds.
    #[error("too many failed attempts from this address; retry in {0} s")]
    Throttled(u64),
    /// 503: the write queue (or the chart renderers) are full.
    #[error("the server is busy; retry shortly")]
    Overloaded,
    /// 503: storage is full, unwritable or unreachable; writes resume by themselves. The
    /// engine's `reason` is for the log; clients get the fixed message.
    #[error("{STORAGE_UNAVAILABLE}")]
    StorageUnavailable { reason: String },
    /// 500 over HTTP; a one-line reason in the CLI (engine errors are classified into
    /// `Overloaded` and `StorageUnavailable` first, in `store::db`).
    #[error("storage error: {0}")]
    Storage(String),
    /// A command's argument, configuration file or input file is wrong: the CLI's one-line
    /// reason (400 if it ever reached HTTP, which takes its input through the other
    /// variants).
    #[error("{0}")]
    Usage(String),
    /// 500 over HTTP; a one-line reason in the CLI.
    #[error("{0}")]
    Internal(String),
}

/// Why the store refused a change: domain outcomes, each given its status and code here
/// (and nowhere else).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A tick names a horror that does not exist.
    UnknownHorror(String),
    /// A tick names a retired horror.
    RetiredHorror(String),
    /// An idempotency key (or `client_id`) was used before for a different tick.
    KeyReused(String),
    /// Staff may void only ticks their own token recorded.
    NotYourTick,
    /// Staff may void their own ticks only within 15 minutes of recording.
    VoidWindowPassed,
    /// A cycle's focus names a horror that does not exist.
    UnknownFocus(String),
    /// A cycle's focus names a retired horror.
    RetiredFocus(String),
    /// The configuration changes the currency after ticks were recorded.
    CurrencyChange { from: String, to: String },
    /// A site that is not configured.
    UnknownSite(String),
    /// A site removed from the configuration.
    RetiredSite(String),
}

impl Refusal {
    fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownHorror(_) | Refusal::UnknownFocus(_) => "unknown_horror",
            Refusal::RetiredHorror(_) | Refusal::RetiredFocus(_) => "retired_horror",
            Refusal::KeyReused(_) => "idempotency_conflict",
            Refusal::NotYourTick => "not_your_tick",
            Refusal::VoidWindowPassed => "void_window_passed",
            Refusal::CurrencyChange { .. } => "currency_change",
            Refusal::UnknownSite(_) => "unknown_site",
            Refusal::RetiredSite(_) => "retired_site",
        }
    }

    fn message(&self) -> String {
        match self {
            Refusal::UnknownHorror(key) => format!("no horror with key {}", crate::text::echo(key)),
            Refusal::RetiredHorror(key) => {
                format!("horror {} is retired and can no longer be ticked", crate::text::echo(key))
            }
            Refusal::KeyReused(key) => format!("key {} was already used for a different tick", crate::text::echo(key)),
            Refusal::NotYourTick => {
                "only an admin may void a tick recorded by someone else".into()
            }
            Refusal::VoidWindowPassed => {
                "your own ticks can be voided only within 15 minutes of recording; ask an admin"
                    .into()
            }
            Refusal::UnknownFocus(key) => format!("focus: no horror with key {}", crate::text::echo(key)),
            Refusal::RetiredFocus(key) => format!("focus: horror {} is retired", crate::text::echo(key)),
            Refusal::UnknownSite(key) => format!("no site with key {}", crate::text::echo(key)),
            Refusal::RetiredSite(key) => format!("site {} is retired", crate::text::echo(key)),
            Refusal::CurrencyChange { from, to } => format!(
                "organization.currency: cannot change from {from} to {to} once ticks are recorded (their costs are in {from})"
            ),
        }
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        let (code, message) = (refusal.code(), refusal.message());
        match refusal {
            Refusal::NotYourTick | Refusal::VoidWindowPassed => Error::Forbidden { code, message },
            Refusal::KeyReused(_) => Error::conflict(code, message),
            _ => Error::invalid(code, message),
        }
    }
}

impl Error {
    /// A batch of ticks refused as a whole: 422 `invalid_ticks` when any tick is invalid
    /// (every problem listed, invalid ones first), else 409 `idempotency_conflict`.
    pub fn ticks_refused(refused: Vec<(usize, Refusal)>) -> Self {
        let (conflicts, invalid): (Vec<_>, Vec<_>) = refused
            .into_iter()
            .partition(|(_, r)| matches!(r, Refusal::KeyReused(_)));
        let detail = |(index, r): (usize, Refusal)| Detail::item(index, r.code(), r.message());
        if invalid.is_empty() {
            Error::Conflict {
                code: "idempotency_conflict",
                message: "an idempotency key was reused for a different tick; nothing was recorded"
                    .into(),
                details: conflicts.into_iter().map(detail).collect(),
            }
        } else {
            Error::Invalid {
                code: "invalid_ticks",
                message: "one or more ticks are invalid; nothing was recorded".into(),
                details: invalid.into_iter().chain(conflicts).map(detail).collect(),
            }
        }
    }
}

impl Error {
    /// The error of a single tick (not a batch): the first problem's code and message at
    /// the top (`unknown_horror`, `invalid_qty`, …), every problem still in `details`; a
    /// reused key is 409 `idempotency_conflict` without details.
    pub fn one_tick(self) -> Self {
        match self {
            Error::Invalid { details, .. } if !details.is_empty() => Error::Invalid {
                code: details[0].code,
                message: details[0].message.clone(),
                details,
            },
            Error::Conflict { details, .. } if !details.is_empty() => Error::Conflict {
                code: "idempotency_conflict",
                message: details[0].message.clone(),
                details: Vec::new(),
            },
            other => other,
        }
    }
}

/// Short for `Result<T, horrors::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn malformed(code: &'static str, message: impl Into<String>) -> Self {
        Error::Malformed {
            code,
            message: message.into(),
        }
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Error::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Storage is full, unwritable or unreachable, for the engine's `reason`.
    pub fn unavailable(reason: impl Into<String>) -> Self {
        Error::StorageUnavailable {
            reason: reason.into(),
        }
    }

    /// A wrong argument or input file of a command.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// The machine-readable code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Malformed { code, .. } => code,
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden { code, .. } => code,
            Error::NotFound(_) => "not_found",
            Error::MethodNotAllowed(_) => "method_not_allowed",
            Error::Conflict { code, .. } => code,
            Error::Timeout(_) => "request_timeout",
            Error::Usage(_) => "bad_request",
            Error::TooLarge(_) => "payload_too_large",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::Invalid { code, .. } => code,
            Error::Throttled(_) => "too_many_attempts",
            Error::Overloaded => "overloaded",
            Error::StorageUnavailable { .. } => "storage_unavailable",
            Error::Storage(_) | Error::Internal(_) => "internal",
        }
    }
}

/// The JSON error shape every error is sent in (and documented as).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorInner,
}

/// Inside [`ErrorBody`].
#[derive(Serialize, ToSchema)]
pub struct ErrorInner {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<Detail>>,
}

/// Longest error message sent. Messages quote refused input through `text::echo` (60
/// characters); this is the net under messages made elsewhere (serde's, which quote a whole
/// string), so a huge input never comes back whole.
const MAX_MESSAGE_CHARS: usize = 1000;

fn capped(message: String) -> String {
    match message.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => message,
        Some((end, _)) => format!("{}…", &message[..end]),
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Malformed { .. } | Error::Usage(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden { .. } => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Overloaded | Error::StorageUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::Storage(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = if status.is_server_error() {
            // The cause stays in the log; clients get a message that leaks nothing.
            match self {
                Error::StorageUnavailable { reason } => {
                    tracing::error!(error = %self, %reason, "request failed");
                }
                _ => tracing::error!(error = %self, "request failed"),
            }
            match status {
                StatusCode::SERVICE_UNAVAILABLE if self.code() == "storage_unavailable" => {
                    STORAGE_UNAVAILABLE.to_string()
                }
                StatusCode::SERVICE_UNAVAILABLE => self.to_string(),
                _ => "internal error; see the server log".to_string(),
            }
        } else {
            capped(self.to_string())
        };
        let details = match self {
            Error::Invalid { details, .. } | Error::Conflict { details, .. }
                if !details.is_empty() =>
            {
                Some(
                    details
                        .iter()
                        .map(|d| Detail {
                            message: capped(d.message.clone()),
                            ..d.clone()
                        })
                        .collect::<Vec<_>>(),
                )
            }
            _ => None,
        };
        let mut response = HttpResponse::build(status);
        match self {
            Error::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"horrors\""));
            }
            Error::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            Error::Throttled(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.max(&1).to_string()));
            }
            Error::StorageUnavailable { .. } => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Error::Overloaded => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Error::Timeout(_) => {
                response.force_close();
            }
            _ => {}
        }
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        response.json(ErrorBody {
            error: ErrorInner {
                code: self.code().to_string(),
                message,
                details,
            },
        })
    }
}
