//! The pages: server-rendered HTML (maud, escaped by default) for floor staff (`/tally`),
//! executives (`/dashboard`) and admins (`/admin`), behind a cookie session made from a
//! token at `/login`. Every asset is compiled into the binary and served under `/static`.
//!
//! The pages call the same JSON API as any other client; this module only renders, logs
//! in and out, and guards each page by role.

mod admin;
mod assets;
mod dashboard;
mod layout;
mod login;
mod session;
mod tally;

use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::Result;
use crate::i18n::Lang;
use crate::store::Store;

/// The page routes: `/`, `/login`, `/logout`, `/tally`, `/dashboard`, `/admin`, `/static/…`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // GET routes answer HEAD too (SPEC §14).
    use crate::http::get;
    // Pages remember a `?lang=` choice in a cookie (SPEC §20).
    let page = |path: &str| web::resource(path).wrap(from_fn(layout::remember_lang));
    cfg.service(page("/").route(get().to(home)))
        .service(
            page("/login")
                .route(get().to(login::form))
                .route(web::post().to(login::submit)),
        )
        .service(web::resource("/logout").route(web::post().to(login::logout)))
        .service(page("/tally").route(get().to(tally::page)))
        .service(page("/dashboard").route(get().to(dashboard::page)))
        .service(page("/admin").route(get().to(admin::page)))
        .service(web::resource("/static/{file}").route(get().to(assets::serve)));
}

/// `/`: the page that fits the caller's role, or the login page.
async fn home(req: HttpRequest, store: web::Data<Store>) -> Result<HttpResponse> {
    let target = match session::current(&req, &store).await? {
        Some(session) => session::home_of(session.identity.role).to_string(),
        None => "/login".to_string(),
    };
    Ok(session::see_other(&target))
}

/// The language of a page: `?lang=`, the cookie, `Accept-Language`, then the
/// organization's (English before any configuration).
pub fn lang_of(req: &HttpRequest, store: &Store) -> Lang {
    let default = store
        .snapshot()
        .map(|s| s.settings.language)
        .unwrap_or_default();
    Lang::of_request(req, default)
}

/// A cycle's status (`planned`, `running`, `finished`) in `lang`.
pub fn cycle_status(lang: Lang, status: &str) -> String {
    match status {
        "planned" | "running" | "finished" => {
            crate::i18n::t(lang, &format!("cycle-status-{status}"))
        }
        other => other.to_string(),
    }
}
