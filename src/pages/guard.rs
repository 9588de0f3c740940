//! The pages' guard: it sends a stranger to `/login` (to come back afterwards) and answers a
//! page above the caller's role with a plain 403 page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::layout::{self, role_name, Chrome, Here, Nav};
use super::session::{current, home_of, safe_next, see_other, Session};
use crate::auth::Role;
use crate::error::Result;
use crate::http::extract::lang_of;
use crate::i18n::t;
use crate::store::Store;

/// The session if its role reaches `role`; otherwise the response that replaces the page:
/// a 303 to `/login?next=…` without a session, a plain 403 page with one.
pub async fn require(
    req: &HttpRequest,
    store: &web::Data<Store>,
    role: Role,
) -> Result<std::result::Result<Session, HttpResponse>> {
    let Some(session) = current(req, store).await? else {
        return Ok(Err(to_login(req)));
    };
    if session.identity.role < role {
        return Ok(Err(forbidden(req, store, &session, role)));
    }
    Ok(Ok(session))
}

/// `/login?next=<this page>`.
fn to_login(req: &HttpRequest) -> HttpResponse {
    let mut next = req.path().to_string();
    if !req.query_string().is_empty() {
        next.push('?');
        next.push_str(req.query_string());
    }
    match safe_next(&next) {
        Some(next) => {
            let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
            see_other(&format!("/login?{query}"))
        }
        None => see_other("/login"),
    }
}

/// The plain 403 page: which role the page needs and which one the caller has.
fn forbidden(
    req: &HttpRequest,
    store: &web::Data<Store>,
    session: &Session,
    needed: Role,
) -> HttpResponse {
    let organization = layout::organization(store);
    let lang = lang_of(req, store);
    let who = &session.identity;
    let (needed, has) = (role_name(lang, needed), role_name(lang, who.role));
    let content = html! {
        section.notice {
            h1 { (crate::tr!(lang, "forbidden-heading", role = needed.as_str())) }
            p {
                (crate::tr!(lang, "forbidden-signed-in", name = who.name.as_str(), role = has))
                " "
                (crate::tr!(lang, "forbidden-ask", role = needed))
                " "
                a href=(home_of(who.role)) { (t(lang, "forbidden-own-page")) }
            }
        }
    };
    let title = t(lang, "forbidden-title");
    let chrome = Chrome {
        title: &title,
        organization: &organization,
        session: Some(session),
        nav: Nav::None,
        script: None,
        lang,
        here: Here::of(req),
    };
    layout::respond(StatusCode::FORBIDDEN, layout::page(&chrome, content))
}
