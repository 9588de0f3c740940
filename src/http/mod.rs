//! The HTTP server: one route table, body limits, and every error in one JSON shape,
//! actix's own extractor and routing errors included.

pub mod api;
pub mod extract;
mod openapi;

use std::net::TcpListener;
use std::time::Instant;

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Server, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::store::Store;

/// Body cap for one tick (and every other JSON body but a batch).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Body cap for a batch of ticks.
pub const BATCH_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Starts the app on `listener` (bind `127.0.0.1:0` in tests) and returns the running server.
pub fn run(listener: TcpListener, store: Store) -> std::io::Result<Server> {
    let store = web::Data::new(store);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(store.clone())
            .app_data(json_config(BODY_LIMIT))
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(web::PayloadConfig::new(BODY_LIMIT))
            .configure(configure)
            .configure(crate::pages::configure)
            .default_service(web::to(not_found))
            .wrap(ErrorHandlers::new().default_handler(json_error_body))
            .wrap(actix_web::middleware::from_fn(log_request))
    })
    .listen(listener)?
    .shutdown_timeout(5)
    .run();
    Ok(server)
}

/// The route table: JSON under `/api`, operations at the root.
pub fn configure(cfg: &mut web::ServiceConfig) {
    use api::*;
    cfg.service(resource("/healthz", "GET, HEAD").route(get().to(healthz)))
        .service(resource("/api/openapi.json", "GET, HEAD").route(get().to(openapi::document)))
        .service(
            resource("/api/horrors", "GET, HEAD, PUT")
                .route(get().to(list_horrors))
                .route(web::put().to(put_horrors)),
        )
        .service(resource("/api/horrors/history", "GET, HEAD").route(get().to(horror_history)))
        .service(
            resource("/api/ticks", "GET, HEAD, POST")
                .route(get().to(list_ticks))
                .route(web::post().to(post_tick)),
        )
        .service(
            resource("/api/ticks/batch", "POST")
                .app_data(json_config(BATCH_BODY_LIMIT))
                .route(web::post().to(post_batch)),
        )
        .service(resource("/api/ticks/{id}/void", "POST").route(web::post().to(void_tick)))
        .service(resource("/api/ranking", "GET, HEAD").route(get().to(ranking)))
        .service(resource("/api/trend", "GET, HEAD").route(get().to(trend)))
        .service(
            resource("/api/tokens", "GET, HEAD, POST")
                .route(get().to(list_tokens))
                .route(web::post().to(create_token)),
        )
        .service(resource("/api/tokens/{id}/revoke", "POST").route(web::post().to(revoke_token)))
        .service(resource("/api/me", "GET, HEAD").route(get().to(me)))
        .service(
            resource("/api/cycles", "GET, HEAD, POST")
                .route(get().to(list_cycles))
                .route(web::post().to(create_cycle)),
        )
        .service(resource("/api/export/ticks.csv", "GET, HEAD").route(get().to(export_ticks)))
        .service(resource("/api/export/ranking.csv", "GET, HEAD").route(get().to(export_ranking)))
        .service(resource("/api/export/annual.zip", "GET, HEAD").route(get().to(export_annual)))
        .service(resource("/charts/{file}", "GET, HEAD").route(get().to(chart)))
        .service(
            resource("/api/cycles/{id}", "GET, HEAD, PUT")
                .route(get().to(get_cycle))
                .route(web::put().to(put_cycle)),
        );
}

/// Every route path, for the OpenAPI coverage test.
pub const ROUTES: &[&str] = &[
    "/healthz",
    "/api/openapi.json",
    "/api/horrors",
    "/api/horrors/history",
    "/api/ticks",
    "/api/ticks/batch",
    "/api/ticks/{id}/void",
    "/api/ranking",
    "/api/trend",
    "/api/tokens",
    "/api/tokens/{id}/revoke",
    "/api/me",
    "/api/cycles",
    "/api/cycles/{id}",
    "/api/export/ticks.csv",
    "/api/export/ranking.csv",
    "/api/export/annual.zip",
    "/charts/{file}",
];

/// A resource whose other methods get 405 with an `Allow` header listing `allow`.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<HttpResponse, _>(Error::MethodNotAllowed(allow))
    }))
}

/// GET, and HEAD with the same headers and no body (actix drops HEAD bodies).
fn get() -> actix_web::Route {
    web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse> {
    Err(Error::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|error, _| json_error(error).into())
}

fn json_error(error: JsonPayloadError) -> Error {
    match error {
        JsonPayloadError::OverflowKnownLength { length, limit } => {
            Error::TooLarge(format!("the body is {length} bytes; the limit is {limit}"))
        }
        JsonPayloadError::Overflow { limit } => {
            Error::TooLarge(format!("the body is over the {limit}-byte limit"))
        }
        JsonPayloadError::ContentType => {
            Error::UnsupportedMediaType("send the body as Content-Type: application/json".into())
        }
        JsonPayloadError::Deserialize(e) => serde_error(&e),
        other => Error::malformed("malformed_body", format!("cannot read the body: {other}")),
    }
}

fn serde_error(e: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => Error::invalid(
            "invalid_body",
            format!("the body is valid JSON but not a valid request: {e}"),
        ),
        _ => Error::malformed("malformed_json", format!("the body is not valid JSON: {e}")),
    }
}

/// Parses a JSON body read by hand (when an empty body is also allowed).
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| serde_error(&e))
}

/// Refuses a body that is not declared as JSON.
pub(crate) fn json_content_type(req: &HttpRequest) -> Result<()> {
    let ok = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| {
            m.type_() == mime::APPLICATION
                && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
        });
    if ok {
        Ok(())
    } else {
        Err(Error::UnsupportedMediaType(
            "send the body as Content-Type: application/json".into(),
        ))
    }
}

fn query_error(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    Error::invalid("invalid_parameter", error.to_string()).into()
}

fn path_error(error: PathError, _: &HttpRequest) -> actix_web::Error {
    Error::NotFound(format!("no such resource: {error}")).into()
}

/// Gives any error response that is not already JSON (actix's own 404, 405, payload
/// errors…) the `{"error": …}` shape, keeping its status and headers.
fn json_error_body<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = status.canonical_reason().unwrap_or("error").to_string();
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    let res: ServiceResponse<EitherBody<B, BoxBody>> =
        ServiceResponse::new(req, new.json(body)).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}

/// A structured log line per request: method, path (never the query, which may carry
/// names), status and time. Headers and bodies (tokens, notes) are never logged.
async fn log_request(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> actix_web::Result<ServiceResponse<impl actix_web::body::MessageBody>> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_string();
    let res = next.call(req).await?;
    let status = res.status().as_u16();
    let micros = started.elapsed().as_micros() as u64;
    // Every request at debug (HORRORS_LOG=debug); at the default level only failures, so a
    // busy tally floor does not spend its time writing log lines.
    if status >= 500 {
        tracing::warn!(%method, %path, status, micros, "request failed");
    } else {
        tracing::debug!(%method, %path, status, micros, "request");
    }
    Ok(res)
}
