//! Page sessions: who is looking at a page (from the `horrors_session` cookie), the page a
//! role lands on, and the rules for where a login may send the browser next. The guard that
//! uses them is in [`super::guard`].

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::{Identity, Role};
use crate::error::{Error, Result};
use crate::http::extract::SESSION_COOKIE;
use crate::store::Store;

/// How long a page session lives on the server (and the cookie in the browser).
pub const LIFETIME_DAYS: i64 = 30;

/// A live page session.
pub struct Session {
    pub identity: Identity,
    /// The session's CSRF secret: pages send it back as `X-CSRF-Token` (or a form field).
    pub csrf: String,
    /// The session secret from the cookie.
    pub secret: String,
}

/// The session behind the request's cookie, if it is live and its token not revoked.
pub async fn current(req: &HttpRequest, store: &web::Data<Store>) -> Result<Option<Session>> {
    let Some(cookie) = req.cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let secret = cookie.value().to_string();
    if secret.is_empty() {
        return Ok(None);
    }
    let store = store.clone().into_inner();
    let lookup = secret.clone();
    let found = web::block(move || store.session(&lookup))
        .await
        .map_err(|e| Error::internal(format!("session lookup failed: {e}")))??;
    Ok(found.map(|(identity, csrf)| Session {
        identity,
        csrf,
        secret,
    }))
}

/// The page that fits a role: staff tally, everyone else reads the dashboard.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Staff => "/tally",
        Role::Viewer | Role::Admin => "/dashboard",
    }
}

/// A 303 See Other to a local path.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// `next` if it is a local path worth returning to; never another origin (`//host`,
/// `/\host`), never a control character, never the login or logout pages themselves.
pub fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 2000;
    let pointless = next == "/login" || next.starts_with("/login?") || next.starts_with("/logout");
    (local && !pointless).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_ever_a_local_path() {
        let cases = [
            ("/dashboard", Some("/dashboard")),
            ("/dashboard?days=7", Some("/dashboard?days=7")),
            ("/", Some("/")),
            ("//evil.example/x", None),
            ("/\\evil.example", None),
            ("https://evil.example/", None),
            ("dashboard", None),
            ("/tally\r\nSet-Cookie: x", None),
            ("/login", None),
            ("/login?next=/tally", None),
            ("/logout", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(safe_next(input), expected, "{input:?}");
        }
    }

    #[test]
    fn each_role_lands_on_its_page() {
        assert_eq!(home_of(Role::Staff), "/tally");
        assert_eq!(home_of(Role::Viewer), "/dashboard");
        assert_eq!(home_of(Role::Admin), "/dashboard");
    }
}
