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
    pub code: String,
    pub message: String,
}

impl Detail {
    pub fn field(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Detail {
            index: None,
            field: Some(field.into()),
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn item(index: usize, code: &str, message: impl Into<String>) -> Self {
        Detail {
            index: Some(index),
            field: None,
            code: code.to_string(),
            message: message.into(),
        }
    }
}

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
    MethodNotAllowed(&'static str),
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
    /// 503: storage is full or unwritable; reads still work and writes resume by themselves.
    #[error("storage is full or unwritable; nothing was written; retry shortly")]
    StorageUnavailable,
    /// 500 over HTTP; a one-line reason in the CLI.
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    /// 500 over HTTP; a one-line reason in the CLI.
    #[error("{0}")]
    Internal(String),
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
            Error::TooLarge(_) => "payload_too_large",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::Invalid { code, .. } => code,
            Error::Throttled(_) => "too_many_attempts",
            Error::Overloaded => "overloaded",
            Error::StorageUnavailable => "storage_unavailable",
            Error::Storage(e) if crate::store::is_full(e) => "storage_unavailable",
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

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Malformed { .. } => StatusCode::BAD_REQUEST,
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
            Error::Overloaded | Error::StorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Storage(e) if crate::store::is_busy(e) || crate::store::is_full(e) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::Storage(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = if status.is_server_error() {
            // The cause stays in the log; clients get a message that leaks nothing.
            tracing::error!(error = %self, "request failed");
            match status {
                StatusCode::SERVICE_UNAVAILABLE if self.code() == "storage_unavailable" => {
                    Error::StorageUnavailable.to_string()
                }
                StatusCode::SERVICE_UNAVAILABLE => self.to_string(),
                _ => "internal error; see the server log".to_string(),
            }
        } else {
            self.to_string()
        };
        let details = match self {
            Error::Invalid { details, .. } | Error::Conflict { details, .. }
                if !details.is_empty() =>
            {
                Some(details.clone())
            }
            _ => None,
        };
        let mut response = HttpResponse::build(status);
        match self {
            Error::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"horrors\""));
            }
            Error::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, *allow));
            }
            Error::Throttled(seconds) => {
                response.insert_header((header::RETRY_AFTER, seconds.max(&1).to_string()));
            }
            Error::StorageUnavailable | Error::Storage(_)
                if self.code() == "storage_unavailable" =>
            {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Error::Overloaded | Error::Storage(_) if status == StatusCode::SERVICE_UNAVAILABLE => {
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
