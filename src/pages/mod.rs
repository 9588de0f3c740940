//! The pages: server-rendered HTML (maud, escaped by default) for floor staff (`/tally`),
//! executives (`/dashboard`) and admins (`/admin`), behind a cookie session made from a
//! token at `/login`. Every asset is compiled into the binary and served under `/static`.
//!
//! The pages call the same JSON API as any other client; this module only renders, logs
//! in and out, and guards each page by role. Its routes are in the app's one table,
//! [`crate::app::ROUTES`]; it uses `http` (sessions, the language, HTTP helpers) and `http`
//! never uses it.

pub(crate) mod admin;
pub(crate) mod assets;
pub(crate) mod dashboard;
pub(crate) mod enrol;
mod guard;
mod layout;
pub(crate) mod login;
pub(crate) mod nominations;
pub(crate) mod oidc;
mod session;
pub(crate) mod tally;

use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::Result;
use crate::store::Store;

/// `/`: the page that fits the caller's role, or the login page.
pub(crate) async fn home(req: HttpRequest, store: web::Data<Store>) -> Result<HttpResponse> {
    let target = match session::current(&req, &store).await? {
        Some(session) => session::home_of(session.identity.role).to_string(),
        None => "/login".to_string(),
    };
    Ok(session::see_other(&target))
}
