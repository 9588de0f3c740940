//! `/metrics` (off unless `[metrics]` turns it on): on its own listener
//! ([`serve_metrics`], `[metrics] bind`), or on the main listener behind a bearer token
//! (`[metrics] token`). Not in the route table: whether it exists is a deployment choice,
//! and it is for a scraper, not for people or the API's clients.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use sha2::{Digest, Sha256};

use super::extract::record_failure;
use super::Guard;
use crate::error::{Error, Result};
use crate::store::Store;

/// The path, on either listener.
pub const PATH: &str = "/metrics";

/// Whether the scraper asked for OpenMetrics (Prometheus asks for it first); else the
/// Prometheus text format.
fn wants_openmetrics(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("application/openmetrics-text"))
}

fn exposition(req: &HttpRequest, store: &Store) -> HttpResponse {
    let openmetrics = wants_openmetrics(req);
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type(crate::metrics::content_type(openmetrics))
        .body(store.render_metrics(openmetrics))
}

/// `/metrics` on the main listener: only with `Authorization: Bearer <[metrics] token>`
/// (failures count towards the sign-in throttle, like any other credential).
pub async fn with_token(
    req: HttpRequest,
    store: web::Data<Store>,
    guard: web::Data<Guard>,
) -> Result<HttpResponse> {
    let Some(expected) = guard.options.metrics_token.as_deref() else {
        return Err(Error::NotFound("no route for /metrics".into()));
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, secret)| secret.trim());
    // Compared as digests: the time taken says nothing about the token.
    let digest = |s: &str| Sha256::digest(s.as_bytes());
    match presented {
        Some(secret) if digest(secret) == digest(expected) => Ok(exposition(&req, &store)),
        Some(_) => Err(record_failure(&req)
            .unwrap_or_else(|| Error::Unauthorized("wrong metrics token".into()))),
        None => Err(Error::Unauthorized(
            "send Authorization: Bearer <the [metrics] token>".into(),
        )),
    }
}

async fn open(req: HttpRequest, store: web::Data<Store>) -> HttpResponse {
    exposition(&req, &store)
}

/// Serves `/metrics` alone, without credentials, on `listener` (`[metrics] bind`; keep
/// it on a private address).
pub fn serve_metrics(listener: TcpListener, store: Store) -> std::io::Result<Server> {
    let store = web::Data::new(store);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(store.clone())
            .route(PATH, web::get().to(open))
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(Error::NotFound(format!("this listener serves {PATH} only")))
            }))
    })
    .workers(1)
    .listen(listener)?
    .shutdown_timeout(1)
    .run())
}
