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
    /// 503: the write queue is full.
    #[error("the server is busy; retry shortly")]
    Overloaded,
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
            Error::TooLarge(_) => "payload_too_large",
            Error::UnsupportedMediaType(_) => "unsupported_media_type",
            Error::Invalid { code, .. } => code,
            Error::Overloaded => "overloaded",
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
            Error::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Error::Storage(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
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
            Error::Overloaded | Error::Storage(_) if status == StatusCode::SERVICE_UNAVAILABLE => {
                response.insert_header((header::RETRY_AFTER, "1"));
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
