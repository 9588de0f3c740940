//! The web app: every route the server answers, JSON API and pages, in one table, and the
//! entry points that serve it. This module wires [`crate::http`] (the server, the API
//! handlers) and [`crate::pages`] (the HTML) together; neither of them knows this table.
//!
//! The table is the one source for:
//! - the registration ([`crate::http::route`]): one actix route per method, HEAD beside
//!   GET, 405 with `Allow` from the methods, the batch's body limit, the pages' language
//!   cookie;
//! - the OpenAPI coverage test (`tests/api/openapi.rs`): every [`Kind::Api`] method is in
//!   the document with its role as the `bearer` requirement, and nothing else is;
//! - the role matrix (`tests/api/auth.rs`): each role reaches exactly the methods its role
//!   allows, API and pages;
//! - the route tables of `docs/api.md`, checked by `tests/api/openapi.rs`.
//!
//! To add a route: add a line here (`Route::api(path).get(VIEWER, |r| r.to(api::group::handler))`,
//! in registration order: a pattern such as `/charts/{file}` answers for any later path it
//! matches), list the handler in `paths(...)` in `http/openapi.rs` when it is an API route,
//! and teach `request()` in `tests/api/auth.rs` how to call it when it is not a plain GET.

use std::net::TcpListener;

use actix_web::dev::Server;

use crate::http::route::{ADMIN, OPEN, STAFF, VIEWER};
use crate::http::{api, openapi, HttpOptions, Route, BATCH_BODY_LIMIT};
use crate::pages::{admin, assets, dashboard, enrol, login, nominations, oidc, tally};
use crate::store::Store;

/// Every route, in registration order; the role is the least one each method needs.
pub const ROUTES: &[Route] = &[
    // Operations.
    Route::api("/healthz").get(OPEN, |r| r.to(api::operations::healthz)),
    Route::api("/api/openapi.json").get(OPEN, |r| r.to(openapi::document)),
    Route::api("/api/me").get(STAFF, |r| r.to(api::operations::me)),
    // The catalogue.
    Route::api("/api/horrors")
        .get(STAFF, |r| r.to(api::catalogue::list_horrors))
        .put(ADMIN, |r| r.to(api::catalogue::put_horrors)),
    Route::api("/api/horrors/history").get(ADMIN, |r| r.to(api::catalogue::horror_history)),
    Route::api("/api/sites").get(STAFF, |r| r.to(api::catalogue::list_sites)),
    // Ticks.
    Route::api("/api/ticks")
        .get(VIEWER, |r| r.to(api::ticks::list_ticks))
        .post(STAFF, |r| r.to(api::ticks::post_tick)),
    Route::api("/api/ticks/batch")
        .body_limit(BATCH_BODY_LIMIT)
        .post(STAFF, |r| r.to(api::ticks::post_batch)),
    Route::api("/api/ticks/{id}/void").post(STAFF, |r| r.to(api::ticks::void_tick)),
    // Reports.
    Route::api("/api/ranking").get(VIEWER, |r| r.to(api::readings::ranking)),
    Route::api("/api/trend").get(VIEWER, |r| r.to(api::readings::trend)),
    Route::api("/api/control").get(VIEWER, |r| r.to(api::readings::control)),
    Route::api("/api/alerts").get(VIEWER, |r| r.to(api::readings::alerts)),
    // Volume.
    Route::api("/api/volume")
        .body_limit(BATCH_BODY_LIMIT)
        .get(VIEWER, |r| r.to(api::volume::get_volume))
        .put(STAFF, |r| r.to(api::volume::put_volume)),
    // Improvement cycles.
    Route::api("/api/cycles")
        .get(VIEWER, |r| r.to(api::cycles::list_cycles))
        .post(ADMIN, |r| r.to(api::cycles::create_cycle)),
    Route::api("/api/cycles/{id}")
        .get(VIEWER, |r| r.to(api::cycles::get_cycle))
        .put(ADMIN, |r| r.to(api::cycles::put_cycle)),
    // Tokens.
    Route::api("/api/tokens")
        .get(ADMIN, |r| r.to(api::tokens::list_tokens))
        .post(ADMIN, |r| r.to(api::tokens::create_token)),
    Route::api("/api/tokens/{id}/revoke").post(ADMIN, |r| r.to(api::tokens::revoke_token)),
    // Page sessions.
    Route::api("/api/sessions").get(ADMIN, |r| r.to(api::sessions::list_sessions)),
    Route::api("/api/sessions/{id}/revoke").post(ADMIN, |r| r.to(api::sessions::revoke_session)),
    // Devices enrolled by QR code.
    Route::api("/api/enrolments").post(ADMIN, |r| r.to(api::devices::create_enrolment)),
    // The method's list (step 1): nominations.
    Route::api("/api/nominations")
        .get(STAFF, |r| r.to(api::nominations::list_nominations))
        .post(STAFF, |r| r.to(api::nominations::create_nomination)),
    Route::api("/api/nominations/{id}/support")
        .post(VIEWER, |r| r.to(api::nominations::support_nomination)),
    Route::api("/api/nominations/{id}/adopt")
        .post(ADMIN, |r| r.to(api::nominations::adopt_nomination)),
    Route::api("/api/nominations/{id}/decline")
        .post(ADMIN, |r| r.to(api::nominations::decline_nomination)),
    // Counting beyond the phone (step 2): paper check sheets, printed and entered.
    Route::api("/api/sheets").post(STAFF, |r| r.to(api::sheets::post_sheet)),
    Route::api("/api/sheets/{id}").delete(ADMIN, |r| r.to(api::sheets::delete_sheet)),
    Route::api("/sheets/check-sheet.pdf").get(VIEWER, |r| r.to(api::sheets::check_sheet)),
    // Exports and charts.
    Route::api("/api/export/ticks.csv").get(VIEWER, |r| r.to(api::exports::export_ticks)),
    Route::api("/api/export/ranking.csv").get(VIEWER, |r| r.to(api::exports::export_ranking)),
    Route::api("/api/export/annual.zip").get(VIEWER, |r| r.to(api::exports::export_annual)),
    Route::api("/charts/{file}").get(VIEWER, |r| r.to(api::charts::chart)),
    // Pages (docs/pages.md). Each checks its role itself and answers with a redirect to
    // `/login` or a 403 page rather than JSON.
    Route::page("/").get(OPEN, |r| r.to(crate::pages::home)),
    Route::page("/login")
        .get(OPEN, |r| r.to(login::form))
        .post(OPEN, |r| r.to(login::submit)),
    Route::plain("/logout").post(OPEN, |r| r.to(login::logout)),
    // Sign-in with the organization's identity provider (OpenID Connect, SPEC §21).
    Route::page("/auth/login").get(OPEN, |r| r.to(oidc::login)),
    Route::page("/auth/callback").get(OPEN, |r| r.to(oidc::callback)),
    Route::page("/tally").get(STAFF, |r| r.to(tally::page)),
    Route::page("/dashboard").get(VIEWER, |r| r.to(dashboard::page)),
    Route::page("/nominations").get(STAFF, |r| r.to(nominations::page)),
    Route::page("/admin").get(ADMIN, |r| r.to(admin::page)),
    Route::page("/enrol/{code}").get(OPEN, |r| r.to(enrol::page)),
    Route::plain("/static/{file}").get(OPEN, |r| r.to(assets::serve)),
];

/// Starts the app on `listener` (bind `127.0.0.1:0` in tests) and returns the running server.
pub fn run(listener: TcpListener, store: Store) -> std::io::Result<Server> {
    run_with(listener, store, HttpOptions::default())
}

/// [`run`] with deployment options (trusted proxies, body deadline, chart renders).
pub fn run_with(
    listener: TcpListener,
    store: Store,
    options: HttpOptions,
) -> std::io::Result<Server> {
    crate::http::serve(listener, store, options, ROUTES)
}

#[cfg(test)]
mod tests {
    use actix_web::dev::ResourceDef;

    use super::*;
    use crate::http::Kind;

    #[test]
    fn every_path_is_listed_once_with_at_least_one_method() {
        for (i, route) in ROUTES.iter().enumerate() {
            assert!(route.path.starts_with('/'), "{}", route.path);
            assert!(
                route.endpoints().next().is_some(),
                "{} has no method",
                route.path
            );
            assert!(
                ROUTES[..i].iter().all(|r| r.path != route.path),
                "{} is listed twice",
                route.path
            );
        }
    }

    /// actix answers a request with the first resource that matches it: no route may sit
    /// behind an earlier pattern that matches its path.
    #[test]
    fn no_route_is_hidden_behind_an_earlier_pattern() {
        for (i, route) in ROUTES.iter().enumerate() {
            // The path with each `{parameter}` filled in, as a request would have it.
            let sample: String = route
                .path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "7"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            for earlier in &ROUTES[..i] {
                assert!(
                    !ResourceDef::new(earlier.path).is_match(&sample),
                    "{} would answer for {}: list {} first",
                    earlier.path,
                    route.path,
                    route.path
                );
            }
        }
    }

    #[test]
    fn the_json_api_lives_under_api_and_pages_do_not() {
        for route in ROUTES {
            if route.path.starts_with("/api/") {
                assert_eq!(route.kind, Kind::Api, "{}", route.path);
            }
            if route.kind != Kind::Api {
                assert!(
                    !route.path.starts_with("/api/") && !route.path.starts_with("/charts/"),
                    "{}",
                    route.path
                );
            }
        }
    }
}
