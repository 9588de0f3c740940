//! Request extractors: who is calling (one type per role, so a handler cannot forget to
//! check), the language of what people read, and strict query-string parsing with the
//! window options every read shares.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::{ready, Either, LocalBoxFuture, Ready};

use crate::auth::{digest_secret, Identity, Role, SecretDigest};
use crate::calendar::{local_day, Window};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::sites::Scope;
use crate::store::Store;

use super::Guard;

/// Name of the pages' session cookie.
pub const SESSION_COOKIE: &str = "horrors_session";

/// Who is calling, with failed attempts throttled per client address (SPEC §14): valid
/// credentials always pass; a failure from an address with 20 failures in the last
/// minute is 429 instead of 401. `presented` is [`credential`]'s reading of `req`.
async fn identify(req: HttpRequest, presented: Result<Credential>) -> Result<Arc<Identity>> {
    let result = match presented {
        Ok(credential) => identify_unthrottled(&req, credential).await,
        Err(e) => Err(e),
    };
    // Only credentials that were presented and failed count; a request with none is
    // not an attempt (a browser opening a page before logging in). Checked only on
    // failure, so the tick path never parses cookies for it.
    if let Err(Error::Unauthorized(_)) = &result {
        let presented = req.headers().contains_key(header::AUTHORIZATION)
            || req.cookie(SESSION_COOKIE).is_some();
        if let Some(throttled) = presented.then(|| record_failure(&req)).flatten() {
            return Err(throttled);
        }
    }
    result
}

/// Counts a failed authentication from this request's client; returns the 429 to send
/// instead when that client is already throttled.
pub fn record_failure(req: &HttpRequest) -> Option<Error> {
    let guard = req.app_data::<web::Data<Guard>>()?;
    let client = guard.client(req)?;
    let now = std::time::Instant::now();
    if let Some(seconds) = guard.throttle.blocked(client, now) {
        return Some(Error::Throttled(seconds));
    }
    guard.throttle.fail(client, now);
    None
}

/// A credential as presented, by its digest: a bearer token, or the pages' session cookie.
enum Credential {
    Bearer(SecretDigest),
    Session(SecretDigest),
}

fn credential(req: &HttpRequest) -> Result<Credential> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return req
            .cookie(SESSION_COOKIE)
            .map(|cookie| Credential::Session(digest_secret(cookie.value())))
            .ok_or_else(|| {
                Error::Unauthorized(
                    "missing credentials: send Authorization: Bearer <token>".into(),
                )
            });
    };
    let value = value
        .to_str()
        .map_err(|_| Error::Unauthorized("malformed Authorization header".into()))?;
    let secret = bearer_secret(value)
        .ok_or_else(|| Error::Unauthorized("use Authorization: Bearer <token>".into()))?;
    Ok(Credential::Bearer(digest_secret(secret)))
}

/// The secret of an `Authorization: Bearer <secret>` value (the scheme in any case).
fn bearer_secret(value: &str) -> Option<&str> {
    let (scheme, secret) = value.split_once(' ')?;
    let secret = secret.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !secret.is_empty()).then_some(secret)
}

async fn identify_unthrottled(req: &HttpRequest, presented: Credential) -> Result<Arc<Identity>> {
    let store = req
        .app_data::<web::Data<Store>>()
        .ok_or_else(|| Error::internal("store missing from app data"))?;
    match presented {
        // The extractor has already looked in the cache for a bearer token.
        Credential::Bearer(digest) => store
            .call(move |s| s.look_up_token(digest))
            .await?
            .ok_or_else(|| Error::Unauthorized("unknown or revoked token".into())),
        // Recently seen sessions answer from memory, without leaving the worker.
        Credential::Session(digest) => {
            let found = match store.cached_session(&digest) {
                Some(found) => Some(found),
                None => store.call(move |s| s.session_by_digest(digest)).await?,
            };
            let (identity, csrf) = found.ok_or_else(|| {
                Error::Unauthorized("the session has expired or was revoked; log in again".into())
            })?;
            check_csrf(req, &csrf)?;
            Ok(Arc::new(identity))
        }
    }
}

/// Pages authenticate with the session cookie; a state-changing request must also carry
/// the session's CSRF secret in `X-CSRF-Token` (SameSite=Strict is the first line).
fn check_csrf(req: &HttpRequest, csrf: &str) -> Result<()> {
    let safe = matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    );
    if !safe {
        let sent = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok());
        if sent != Some(csrf) {
            return Err(Error::forbidden(
                "csrf",
                "missing or wrong X-CSRF-Token for a session request",
            ));
        }
    }
    Ok(())
}

macro_rules! role_extractor {
    ($name:ident, $role:expr, $doc:literal) => {
        #[doc = $doc]
        /// The identity is shared with the token cache: taking it costs no copy.
        pub struct $name(pub Arc<Identity>);

        impl $name {
            /// The identity itself, for a store call that keeps it (copied only when the
            /// token cache still shares it).
            pub fn into_identity(self) -> Identity {
                Arc::unwrap_or_clone(self.0)
            }

            fn admit(identity: Arc<Identity>) -> Result<Self> {
                if identity.role >= $role {
                    Ok($name(identity))
                } else {
                    Err(Error::forbidden(
                        "forbidden",
                        format!(
                            "this needs the {} role; your token has {}",
                            $role.as_str(),
                            identity.role.as_str()
                        ),
                    ))
                }
            }
        }

        impl FromRequest for $name {
            type Error = Error;
            type Future = Either<Ready<Result<Self>>, LocalBoxFuture<'static, Result<Self>>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                // The secret is read and hashed once; a bearer token this instance has
                // seen lately answers without a future (most requests, every tap after
                // the first).
                let presented = credential(req);
                if let Ok(Credential::Bearer(digest)) = &presented {
                    let store = req.app_data::<web::Data<Store>>();
                    if let Some(identity) = store.and_then(|s| s.cached_token(digest)) {
                        return Either::Left(ready($name::admit(identity)));
                    }
                }
                let req = req.clone();
                Either::Right(Box::pin(async move {
                    $name::admit(identify(req, presented).await?)
                }))
            }
        }
    };
}

role_extractor!(Staff, Role::Staff, "A caller with at least the staff role.");
role_extractor!(
    Viewer,
    Role::Viewer,
    "A caller with at least the viewer role."
);
role_extractor!(Admin, Role::Admin, "A caller with the admin role.");

/// The language of a page, chart or annual review: `?lang=`, the cookie,
/// `Accept-Language`, then the organization's (English before any configuration).
pub fn lang_of(req: &HttpRequest, store: &Store) -> Lang {
    let default = store
        .snapshot()
        .map(|s| s.settings.language)
        .unwrap_or_default();
    Lang::of_request(req, default)
}

/// The query string, parsed strictly: unknown and repeated parameters are errors.
pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    /// Parses the query string, allowing only `allowed` names (plus the window options
    /// when `window` is true).
    pub fn parse(req: &HttpRequest, allowed: &[&str], window: bool) -> Result<Params> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).map_err(|e| {
                Error::malformed("bad_query", format!("cannot read the query string: {e}"))
            })?;
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            let known = allowed.contains(&name.as_str())
                || (window && WINDOW_PARAMS.contains(&name.as_str()));
            if !known {
                let mut all: Vec<&str> = allowed.to_vec();
                if window {
                    all.extend(WINDOW_PARAMS);
                }
                return Err(Error::invalid(
                    "unknown_parameter",
                    format!(
                        "unknown query parameter {}; allowed: {}",
                        crate::text::echo(&name),
                        if all.is_empty() {
                            "none".into()
                        } else {
                            all.join(", ")
                        }
                    ),
                ));
            }
            if values.insert(name.clone(), value).is_some() {
                return Err(Error::invalid(
                    "repeated_parameter",
                    format!(
                        "query parameter {} is given more than once",
                        crate::text::echo(&name)
                    ),
                ));
            }
        }
        Ok(Params { values })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A parameter parsed with `parse`, whose error message is returned as a 422.
    pub fn parsed<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> std::result::Result<T, E>,
    ) -> Result<Option<T>> {
        self.get(name)
            .map(|text| {
                parse(text).map_err(|message| {
                    Error::invalid("invalid_parameter", format!("{name}: {message}"))
                })
            })
            .transpose()
    }

    pub fn integer(&self, name: &str, range: std::ops::RangeInclusive<i64>) -> Result<Option<i64>> {
        self.parsed(name, |text| {
            let value: i64 = text
                .parse()
                .map_err(|_| format!("{} is not an integer", crate::text::echo(text)))?;
            if range.contains(&value) {
                Ok(value)
            } else {
                Err(format!(
                    "must be between {} and {}, got {value}",
                    range.start(),
                    range.end()
                ))
            }
        })
    }

    pub fn boolean(&self, name: &str) -> Result<bool> {
        Ok(self
            .parsed(name, |text| match text {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(format!("{} is not true or false", crate::text::echo(text))),
            })?
            .unwrap_or(false))
    }

    /// The site this request reads (see [`scope`]).
    pub fn scope(&self, who: &Identity, store: &Store) -> Result<Scope> {
        scope(self.get("site"), who, &store.snapshot()?.settings)
    }

    /// The window these options select (SPEC §7); the configured `days` by default.
    /// A `cycle=` window is looked up off the async workers.
    pub async fn window(&self, store: &Store) -> Result<Window> {
        let snapshot = store.snapshot()?;
        let settings = &snapshot.settings;
        if let Some(text) = self.get("cycle") {
            if self.get("from").is_some() || self.get("to").is_some() || self.get("days").is_some()
            {
                return Err(Error::invalid(
                    "invalid_window",
                    "give either cycle, or from and to, or days",
                ));
            }
            let unknown = || {
                Error::invalid(
                    "unknown_cycle",
                    format!("no cycle with id {}", crate::text::echo(text)),
                )
            };
            let id: i64 = text.parse().map_err(|_| unknown())?;
            let row = store
                .call(move |s| s.cycle(id))
                .await?
                .ok_or_else(unknown)?;
            return Ok(crate::cycles::window(&row));
        }
        let today = local_day(store.now(), settings.tz());
        Window::select(
            self.get("from"),
            self.get("to"),
            self.get("days"),
            today,
            settings.window_days,
        )
        .map_err(|error| Error::invalid("invalid_window", error.to_string()))
    }
}

/// The window options every read endpoint accepts, with `site`.
pub const WINDOW_PARAMS: [&str; 5] = ["from", "to", "days", "cycle", "site"];

/// The sites a caller may read (SPEC §16): `site=KEY` limits a read to one site; a
/// site-bound token reads its own site only (403 `wrong_site` for another).
pub fn scope(asked: Option<&str>, who: &Identity, settings: &Settings) -> Result<Scope> {
    match (asked, who.site.as_deref()) {
        (Some(asked), Some(bound)) if asked != bound => Err(Error::forbidden(
            "wrong_site",
            format!(
                "this token reads site {} only, not {}",
                crate::text::echo(bound),
                crate::text::echo(asked)
            ),
        )),
        (None, Some(_)) => Ok(Scope {
            site: who.site.clone(),
        }),
        (Some(key), _) => match settings.site(key) {
            Some(site) => Ok(Scope::site(site.key.clone())),
            None if settings.sites.is_empty() => Err(Error::invalid(
                "unknown_site",
                format!(
                    "no site {}: no sites are configured",
                    crate::text::echo(key)
                ),
            )),
            None => Err(Error::invalid(
                "unknown_site",
                format!("no site with key {}", crate::text::echo(key)),
            )),
        },
        (None, None) => Ok(Scope::ALL),
    }
}
