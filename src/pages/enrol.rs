//! `/enrol/{code}`: the page a phone opens from an enrolment QR code. A live code becomes
//! a device token and a long-lived session, and the phone lands on its page (staff: the
//! tally at its site). A used or expired code gets a page that says so (410); a code
//! that never existed counts as a failed sign-in (so guessing is throttled) and gets 404.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::layout::{self, Chrome, Here, Nav};
use super::session;
use crate::error::{Error, Result};
use crate::http::extract::{lang_of, record_failure, SESSION_COOKIE};
use crate::http::Guard;
use crate::i18n::t;
use crate::store::enrolments::{EnrolRefusal, DEVICE_SESSION_DAYS};
use crate::store::Store;

pub async fn page(
    req: HttpRequest,
    store: web::Data<Store>,
    guard: web::Data<Guard>,
    code: web::Path<String>,
) -> Result<HttpResponse> {
    // A throttled address learns nothing about codes until its minute has passed.
    if let Some(client) = guard.client(&req) {
        if let Some(seconds) = guard.throttle.blocked(client, std::time::Instant::now()) {
            return Err(Error::Throttled(seconds));
        }
    }
    let code = code.into_inner();
    let redeemed = store.call(move |s| s.redeem_enrolment(&code)).await?;
    let enrolled = match redeemed {
        Ok(enrolled) => enrolled,
        Err(refusal) => {
            if refusal == EnrolRefusal::Unknown {
                if let Some(throttled) = record_failure(&req) {
                    return Err(throttled);
                }
            }
            return Ok(refused(&req, &store, refusal));
        }
    };
    let secure = guard.https(&req);
    let cookie = Cookie::build(SESSION_COOKIE, enrolled.session)
        .path("/")
        .http_only(true)
        // Lax: the phone arrives from a camera app, a cross-site navigation.
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::days(DEVICE_SESSION_DAYS))
        .finish();
    let home = session::home_of(enrolled.identity.role);
    let target = match &enrolled.identity.site {
        Some(site) => format!("{home}?site={site}"),
        None => home.to_string(),
    };
    let mut response = session::see_other(&target);
    response
        .add_cookie(&cookie)
        .map_err(|e| Error::internal(e.to_string()))?;
    Ok(response)
}

fn refused(req: &HttpRequest, store: &Store, refusal: EnrolRefusal) -> HttpResponse {
    let lang = lang_of(req, store);
    let organization = layout::organization(store);
    let (status, message) = match refusal {
        EnrolRefusal::Used => (StatusCode::GONE, "enrol-used"),
        EnrolRefusal::Expired => (StatusCode::GONE, "enrol-expired"),
        EnrolRefusal::Unknown => (StatusCode::NOT_FOUND, "enrol-unknown"),
    };
    let title = t(lang, "enrol-title");
    let chrome = Chrome {
        title: &title,
        organization: &organization,
        session: None,
        nav: Nav::None,
        script: None,
        lang,
        here: Here::of(req),
    };
    let content = html! {
        section.login {
            h1 { (title) }
            p.form-error #enrol-error role="alert" { (t(lang, message)) }
            p { a href="/login" { (t(lang, "enrol-login")) } }
        }
    };
    layout::respond(status, layout::page(&chrome, content))
}
