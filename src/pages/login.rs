//! `/login` (paste a token once per device → a session cookie) and `/logout`.
//!
//! CSRF: the session cookie is SameSite=Strict, the login POST must come from this origin
//! (Origin, else Referer), and logout must carry the session's CSRF secret.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, role_name, Chrome, Here, Nav};
use super::session::{self, Session, LIFETIME_DAYS};
use crate::error::Result;
use crate::http::extract::{lang_of, SESSION_COOKIE};
use crate::i18n::{t, Lang};
use crate::store::Store;

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

/// `GET /login`.
pub async fn form(
    req: HttpRequest,
    store: web::Data<Store>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse> {
    let current = session::current(&req, &store).await?;
    let next = query.next.as_deref().and_then(session::safe_next);
    Ok(render(
        &req,
        &store,
        StatusCode::OK,
        current.as_ref(),
        next,
        None,
    ))
}

/// `POST /login`: a valid token starts a session and goes on to `next` (or one's page).
pub async fn submit(
    req: HttpRequest,
    store: web::Data<Store>,
    body: web::Form<LoginForm>,
) -> Result<HttpResponse> {
    let LoginForm { token, next } = body.into_inner();
    let next = next.as_deref().and_then(session::safe_next);
    if !same_origin(&req) {
        return Ok(render(
            &req,
            &store,
            StatusCode::FORBIDDEN,
            None,
            next,
            Some("login-error-origin"),
        ));
    }
    let token = token.trim().to_string();
    if token.is_empty() {
        return Ok(render(
            &req,
            &store,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            next,
            Some("login-error-empty"),
        ));
    }
    let lifetime = chrono::Duration::days(LIFETIME_DAYS);
    let Some((secret, _csrf, identity)) = store
        .call(move |s| s.create_session(&token, lifetime))
        .await?
    else {
        if let Some(throttled) = crate::http::extract::record_failure(&req) {
            return Err(throttled);
        }
        return Ok(render(
            &req,
            &store,
            StatusCode::UNAUTHORIZED,
            None,
            next,
            Some("login-error-unknown"),
        ));
    };
    let cookie = Cookie::build(SESSION_COOKIE, secret)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(is_https(&req))
        .max_age(time::Duration::days(LIFETIME_DAYS))
        .finish();
    let target = next.unwrap_or(session::home_of(identity.role));
    let mut response = session::see_other(target);
    response
        .add_cookie(&cookie)
        .map_err(|e| crate::Error::internal(e.to_string()))?;
    Ok(response)
}

/// `POST /logout`: ends the session on the server and clears the cookie.
pub async fn logout(
    req: HttpRequest,
    store: web::Data<Store>,
    body: web::Form<LogoutForm>,
) -> Result<HttpResponse> {
    if let Some(current) = session::current(&req, &store).await? {
        if current.csrf != body.csrf {
            return Ok(render(
                &req,
                &store,
                StatusCode::FORBIDDEN,
                Some(&current),
                None,
                Some("login-error-logout"),
            ));
        }
        let secret = current.secret.clone();
        store.call(move |s| s.end_session(&secret)).await?;
    }
    let removal = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(is_https(&req))
        .max_age(time::Duration::ZERO)
        .finish();
    let mut response = session::see_other("/login?bye=1");
    response
        .add_cookie(&removal)
        .map_err(|e| crate::Error::internal(e.to_string()))?;
    Ok(response)
}

/// Whether the request reached us over HTTPS (as told by a trusted proxy).
fn is_https(req: &HttpRequest) -> bool {
    req.app_data::<web::Data<crate::http::Guard>>()
        .is_some_and(|g| g.https(req))
}

/// Whether a form POST came from a page of this origin: Origin must match the host when
/// present, else Referer; a request with neither comes from no browser page at all.
fn same_origin(req: &HttpRequest) -> bool {
    let host = match req.app_data::<web::Data<crate::http::Guard>>() {
        Some(guard) => guard.host(req),
        None => return false,
    };
    let header = |name: header::HeaderName| req.headers().get(name).and_then(|v| v.to_str().ok());
    match (header(header::ORIGIN), header(header::REFERER)) {
        (Some(origin), _) => host_of(origin).as_deref() == Some(host.as_str()),
        (None, Some(referer)) => host_of(referer).as_deref() == Some(host.as_str()),
        (None, None) => true,
    }
}

/// `host[:port]` of an absolute http(s) URL, lower-cased.
fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    (!host.is_empty() && !host.contains('@')).then(|| host.to_ascii_lowercase())
}

/// The login page with a refusal (from the identity provider's sign-in): no session.
pub(crate) fn refused(
    req: &HttpRequest,
    store: &Store,
    status: StatusCode,
    next: Option<&str>,
    error: &str,
) -> HttpResponse {
    render(req, store, status, None, next, Some(error))
}

/// `/auth/login`, with where to go afterwards.
fn provider_href(next: Option<&str>) -> String {
    match next {
        Some(next) => format!(
            "/auth/login?{}",
            serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
        ),
        None => "/auth/login".to_string(),
    }
}

/// The identity provider's name for the button, when `[auth.oidc]` is configured.
fn provider_name(req: &HttpRequest) -> Option<String> {
    let guard = req.app_data::<web::Data<crate::http::Guard>>()?;
    let oidc = guard.options.oidc.as_ref()?;
    Some(oidc.config().display_name.clone())
}

/// The login page; `error` is the id of the message to show above the form.
fn render(
    req: &HttpRequest,
    store: &Store,
    status: StatusCode,
    current: Option<&Session>,
    next: Option<&str>,
    error: Option<&str>,
) -> HttpResponse {
    let organization = layout::organization(store);
    let lang = lang_of(req, store);
    let title = t(lang, "login-title");
    let chrome = Chrome {
        title: &title,
        organization: &organization,
        session: current,
        nav: Nav::None,
        script: None,
        lang,
        here: Here::of(req),
    };
    // A refusal of the identity provider's sign-in is shown by its button, not as a fault
    // of the token field.
    let (error, provider_error) = match error {
        Some(id) if id.starts_with("oidc-") => (None, Some(t(lang, id))),
        Some(id) => (Some(t(lang, id)), None),
        None => (None, None),
    };
    let provider = provider_name(req);
    let content = content(
        lang,
        current,
        next,
        error.as_deref(),
        (provider.as_deref(), provider_error.as_deref()),
    );
    layout::respond(status, layout::page(&chrome, content))
}

fn content(
    lang: Lang,
    current: Option<&Session>,
    next: Option<&str>,
    error: Option<&str>,
    (provider, refusal): (Option<&str>, Option<&str>),
) -> Markup {
    html! {
        section.login {
            h1 { (t(lang, "login-title")) }
            @if let Some(refusal) = refusal {
                p.error #login-error role="alert" { (refusal) }
            }
            @if let Some(provider) = provider {
                // Sign-in with the organization's identity provider (SPEC §21). A link, not
                // a form: the pages' `form-action 'self'` would stop the redirect onwards.
                p.provider {
                    a.button.primary #provider-login role="button" href=(provider_href(next)) {
                        (crate::tr!(lang, "login-with-provider", provider = provider))
                    }
                }
                p.or { (t(lang, "login-or-token")) }
            }
            @if let Some(current) = current {
                p.notice {
                    (crate::tr!(lang, "login-signed-in",
                        name = current.identity.name.as_str(),
                        role = role_name(lang, current.identity.role)))
                    " "
                    a href=(session::home_of(current.identity.role)) { (t(lang, "login-go-home")) }
                    " "
                    (t(lang, "login-switch"))
                }
            }
            p { (crate::tr!(lang, "login-intro", days = LIFETIME_DAYS)) }
            form method="post" action="/login" {
                @if let Some(error) = error {
                    p.error #login-error role="alert" { (error) }
                }
                label for="token" { (t(lang, "login-token")) }
                @if error.is_some() {
                    input #token type="password" name="token" required autocomplete="off"
                        spellcheck="false" autocapitalize="off" aria-invalid="true"
                        aria-describedby="login-error" autofocus;
                } @else {
                    input #token type="password" name="token" required autocomplete="off"
                        spellcheck="false" autocapitalize="off" autofocus;
                }
                @if let Some(next) = next {
                    input type="hidden" name="next" value=(next);
                }
                button.primary type="submit" { (t(lang, "login-submit")) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_reads_absolute_urls_only() {
        let cases = [
            ("http://127.0.0.1:8080", Some("127.0.0.1:8080")),
            ("https://Example.com/login?x=1", Some("example.com")),
            ("http://example.com#frag", Some("example.com")),
            ("null", None),
            ("/login", None),
            ("http://user@evil.example/", None),
            ("ftp://example.com", None),
        ];
        for (input, expected) in cases {
            assert_eq!(host_of(input).as_deref(), expected, "{input:?}");
        }
    }
}
