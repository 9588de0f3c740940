//! JSON handlers under `/api`, one module per group of [`crate::app::ROUTES`]. Each handler
//! is thin: parse, call the store or a report, answer. The OpenAPI document
//! ([`super::openapi`]) is built from their annotations; nothing here depends on it.

pub mod catalogue;
pub mod charts;
pub mod cycles;
pub mod devices;
pub mod exports;
pub mod nominations;
pub mod operations;
pub mod readings;
pub mod sessions;
pub mod sheets;
pub mod ticks;
pub mod tokens;
pub mod volume;

use actix_web::web;
use utoipa::{IntoParams, ToSchema};

use crate::error::{Error, Result};
use crate::store::Store;

type Store_ = web::Data<Store>;

/// The `name` of a new token or device (which becomes a token), trimmed, or 422
/// `invalid_name` naming the rule.
fn token_name(name: &str) -> Result<String> {
    crate::auth::token_name(name)
        .map(str::to_string)
        .ok_or_else(|| {
            let rule = crate::auth::TOKEN_NAME_RULE;
            Error::invalid("invalid_name", format!("name {rule}"))
        })
}

/// Runs blocking work (SQLite, a chart, a file) on actix's blocking pool.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    web::block(f)
        .await
        .map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
}

/// The window options every read accepts (SPEC §7): `from` and `to`, or `days`, or `cycle`
/// (given together otherwise: 422 `invalid_window`); none: the configured number of days.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct WindowQuery {
    /// First local day, `YYYY-MM-DD`; needs `to`, on or before it, at most 3660 days before.
    #[param(format = Date)]
    from: Option<String>,
    /// Last local day, inclusive; needs `from`.
    #[param(format = Date)]
    to: Option<String>,
    /// The N local days ending today, 1..=3660.
    #[param(minimum = 1, maximum = 3660)]
    days: Option<i64>,
    /// The window of this improvement cycle (an unknown id is 422 `unknown_cycle`).
    cycle: Option<i64>,
    /// Only this site (SPEC §16; an unknown key is 422 `unknown_site`). A site-bound
    /// token reads its own site by default and gets 403 `wrong_site` for another.
    #[param(pattern = r"^[a-z0-9-]{1,40}$")]
    site: Option<String>,
}

/// The bytes of a file (ZIP, PNG).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct Binary(Vec<u8>);
