//! `/auth/login` and `/auth/callback`: sign-in with the organization's identity provider
//! (SPEC §21). The login sends the browser to the provider and keeps the pending sign-in in
//! the database (any instance finishes it); the callback checks the state (one use, and the
//! browser's own cookie), lets [`crate::oidc`] exchange the code and check the ID token,
//! maps role and site, and starts the same page session as a token sign-in. Every refusal
//! is the login page with a message and a 4xx status, and no session. Nothing secret is
//! logged: no code, token, state or verifier.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::login::refused;
use super::session::{self, LIFETIME_DAYS};
use crate::error::{Error, Result};
use crate::http::extract::{record_failure, SESSION_COOKIE};
use crate::http::Guard;
use crate::oidc::Refused;
use crate::store::oidc::{NewPersonSession, PendingLogin};
use crate::store::Store;

/// The cookie that ties a pending sign-in to the browser that started it.
const STATE_COOKIE: &str = "horrors_oidc_state";

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

/// The login page that says no provider is configured (404).
fn not_configured(req: &HttpRequest, store: &Store) -> HttpResponse {
    refused(
        req,
        store,
        StatusCode::NOT_FOUND,
        None,
        "oidc-error-not-configured",
    )
}

/// `GET /auth/login`: a 302 to the provider's sign-in page.
pub async fn login(
    req: HttpRequest,
    store: web::Data<Store>,
    guard: web::Data<Guard>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse> {
    let Some(oidc) = guard.options.oidc.as_deref() else {
        return Ok(not_configured(&req, &store));
    };
    let next = query
        .next
        .as_deref()
        .and_then(session::safe_next)
        .map(str::to_string);
    let started = {
        let guard = guard.clone().into_inner();
        web::block(move || match guard.options.oidc.as_deref() {
            Some(oidc) => oidc.start(),
            None => Err(Refused::Unreachable("not configured".into())),
        })
        .await
        .map_err(|e| Error::internal(format!("sign-in start failed: {e}")))?
    };
    let started = match started {
        Ok(started) => started,
        Err(why) => {
            tracing::warn!(issuer = %oidc.config().issuer, "sign-in with the identity provider could not start: {why}");
            return Ok(refused(
                &req,
                &store,
                StatusCode::SERVICE_UNAVAILABLE,
                next.as_deref(),
                "oidc-error-unreachable",
            ));
        }
    };
    let pending = PendingLogin {
        verifier: started.verifier,
        nonce: started.nonce,
        next,
    };
    let state = started.state.clone();
    store
        .call(move |s| s.begin_oidc_login(&state, pending))
        .await?;
    // Lax: the browser comes back from the provider, a cross-site navigation.
    let cookie = Cookie::build(STATE_COOKIE, started.state)
        .path("/auth")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(guard.https(&req))
        .max_age(time::Duration::minutes(crate::oidc::PENDING_MINUTES))
        .finish();
    let mut response = HttpResponse::Found()
        .insert_header((header::LOCATION, started.url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish();
    response
        .add_cookie(&cookie)
        .map_err(|e| Error::internal(e.to_string()))?;
    Ok(response)
}

/// `GET /auth/callback`: the provider's answer becomes a page session, or a refusal page.
// Over 80 lines: the identity provider's answer checked step by step, each step with its own refusal.
pub async fn callback(
    req: HttpRequest,
    store: web::Data<Store>,
    guard: web::Data<Guard>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse> {
    if let Some(client) = guard.client(&req) {
        if let Some(seconds) = guard.throttle.blocked(client, std::time::Instant::now()) {
            return Err(Error::Throttled(seconds));
        }
    }
    let Some(oidc) = guard.options.oidc.as_deref() else {
        return Ok(not_configured(&req, &store));
    };
    let query = query.into_inner();
    let page = |status: StatusCode, message: &str| {
        let mut page = refused(&req, &store, status, None, message);
        // The pending sign-in is spent either way: the browser's cookie for it goes too.
        let _ = page.add_removal_cookie(&Cookie::build(STATE_COOKIE, "").path("/auth").finish());
        page
    };
    // The state must be the one this browser was given, and still pending (once).
    let cookie_state = req.cookie(STATE_COOKIE).map(|c| c.value().to_string());
    let state = match (&query.state, &cookie_state) {
        (Some(state), Some(cookie)) if !state.is_empty() && state == cookie => state.clone(),
        _ => {
            tracing::warn!(
                has_state = query.state.is_some(),
                has_cookie = cookie_state.is_some(),
                "identity provider callback refused: state missing or not this browser's"
            );
            if let Some(throttled) = record_failure(&req) {
                return Err(throttled);
            }
            return Ok(page(StatusCode::BAD_REQUEST, "oidc-error-state"));
        }
    };
    let pending = store.call(move |s| s.take_oidc_login(&state)).await?;
    let Some(pending) = pending else {
        tracing::warn!("identity provider callback refused: state unknown, used or expired");
        if let Some(throttled) = record_failure(&req) {
            return Err(throttled);
        }
        return Ok(page(StatusCode::BAD_REQUEST, "oidc-error-state"));
    };
    if let Some(error) = &query.error {
        // The provider's own refusal (the person cancelled, or was not allowed).
        tracing::info!(
            error = %crate::text::echo(error),
            "the identity provider did not sign the person in"
        );
        return Ok(page(StatusCode::UNAUTHORIZED, "oidc-error-provider"));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty()) else {
        return Ok(page(StatusCode::BAD_REQUEST, "oidc-error-state"));
    };
    let now = store.now();
    let finished = {
        let guard = guard.clone().into_inner();
        let (verifier, nonce) = (pending.verifier.clone(), pending.nonce.clone());
        web::block(move || match guard.options.oidc.as_deref() {
            Some(oidc) => oidc.finish(&code, &verifier, &nonce, now),
            None => Err(Refused::Unreachable("not configured".into())),
        })
        .await
        .map_err(|e| Error::internal(format!("sign-in finish failed: {e}")))?
    };
    let person = match finished {
        Ok(person) => person,
        Err(why) => {
            tracing::warn!(issuer = %oidc.config().issuer, "identity provider sign-in refused: {why}");
            let (status, message) = match why {
                Refused::Unreachable(_) => {
                    (StatusCode::SERVICE_UNAVAILABLE, "oidc-error-unreachable")
                }
                Refused::Exchange(_) | Refused::Token(_) => {
                    if let Some(throttled) = record_failure(&req) {
                        return Err(throttled);
                    }
                    (StatusCode::UNAUTHORIZED, "oidc-error-token")
                }
                Refused::NoRole => (StatusCode::FORBIDDEN, "oidc-error-no-role"),
            };
            return Ok(page(status, message));
        }
    };
    // A site claim must name a site of this organization that is still open.
    let mut site = None;
    if let Some(claimed) = &person.site {
        let known = store.snapshot().ok().and_then(|s| {
            let open = s.settings.site(claimed).filter(|s| !s.retired);
            open.map(|s| s.key.clone())
        });
        if known.is_none() {
            tracing::warn!(
                site = %crate::text::echo(claimed),
                "identity provider sign-in refused: unknown site"
            );
            return Ok(page(StatusCode::FORBIDDEN, "oidc-error-site"));
        }
        site = known;
    }
    let lifetime = chrono::Duration::days(LIFETIME_DAYS);
    let (secret, identity) = {
        let person = person.clone();
        store
            .call(move |s| {
                s.start_oidc_session(
                    &NewPersonSession {
                        subject: &person.subject,
                        name: &person.name,
                        role: person.role,
                        site: site.as_ref(),
                    },
                    lifetime,
                )
            })
            .await?
    };
    tracing::info!(
        token_id = identity.token_id,
        role = identity.role.as_str(),
        "signed in with the identity provider"
    );
    // Lax, as for an enrolled phone: the browser arrives from the provider (cross-site),
    // and a Strict cookie would not go with the redirect to the home page.
    let cookie = Cookie::build(SESSION_COOKIE, secret)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(guard.https(&req))
        .max_age(time::Duration::days(LIFETIME_DAYS))
        .finish();
    let home = session::home_of(identity.role);
    let target = match (&pending.next, &identity.site) {
        (Some(next), _) => next.clone(),
        (None, Some(site)) => format!(
            "{home}?{}",
            serde_urlencoded::to_string([("site", site)]).unwrap_or_default()
        ),
        (None, None) => home.to_string(),
    };
    let mut response = session::see_other(&target);
    response
        .add_cookie(&cookie)
        .map_err(|e| Error::internal(e.to_string()))?;
    response
        .add_removal_cookie(&Cookie::build(STATE_COOKIE, "").path("/auth").finish())
        .map_err(|e| Error::internal(e.to_string()))?;
    Ok(response)
}
