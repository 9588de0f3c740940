//! The HTTP server: the registration of a route table ([`route`]), body limits, the
//! middleware, and every error in one JSON shape, actix's own extractor and routing errors
//! included. The route table itself, API and pages, is [`crate::app::ROUTES`].

pub mod api;
pub mod body;
mod compress;
pub mod extract;
pub mod guard;
pub mod json;
pub mod metrics;
pub(crate) mod openapi;
pub mod route;

use std::future::Future as _;
use std::net::TcpListener;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, Server, ServiceRequest, ServiceResponse};
use actix_web::error::{PathError, PayloadError, QueryPayloadError, UrlencodedError};
use actix_web::http::{header, StatusCode, Version};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, Next};
use actix_web::web::Bytes;
use actix_web::{web, App, HttpMessage as _, HttpRequest, HttpResponse, HttpServer};
use futures_util::Stream;

pub use guard::{Guard, HttpOptions};
pub use route::{Kind, Method, Route};

use crate::error::{Error, Result};
use crate::store::Store;

/// Body cap for one tick (and every other JSON body but a batch).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Body cap for a batch of ticks.
pub const BATCH_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Serves `routes` on `listener` (bind `127.0.0.1:0` in tests) with deployment options
/// (trusted proxies, body deadline, chart renders), and returns the running server. The
/// app's own table and entry points are in [`crate::app`].
pub fn serve(
    listener: TcpListener,
    store: Store,
    options: HttpOptions,
    routes: &'static [Route],
) -> std::io::Result<Server> {
    let store = web::Data::new(store);
    let guard = web::Data::new(Guard::new(options));
    let server = HttpServer::new(move || {
        App::new()
            .app_data(store.clone())
            .app_data(guard.clone())
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .app_data(
                web::FormConfig::default()
                    .limit(BODY_LIMIT)
                    .error_handler(form_error),
            )
            .app_data(body::BodyLimit(BODY_LIMIT))
            .configure(|cfg| route::configure(cfg, routes))
            .service(
                // Any other method is "no route" (404), as when metrics are off.
                web::resource(metrics::PATH)
                    .app_data(route::Template(metrics::PATH))
                    .route(web::get().to(metrics::with_token))
                    .default_service(web::to(not_found)),
            )
            .default_service(web::to(not_found))
            .wrap(ErrorHandlers::new().default_handler(json_error_body))
            .wrap(compress::CompressWhenAsked)
            .wrap(actix_web::middleware::from_fn(edge))
    })
    // Request heads get 5 s (actix's default); bodies get the body deadline above.
    .client_request_timeout(std::time::Duration::from_secs(5))
    .listen(listener)?
    .shutdown_timeout(5)
    .run();
    Ok(server)
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse> {
    Err(Error::NotFound(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

/// Maps an error reading a body (JSON or raw) to ours: too large, too slow, or broken.
pub(crate) fn from_payload(error: &PayloadError) -> Error {
    match error {
        PayloadError::Overflow => Error::TooLarge("the body is over the size limit".into()),
        PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            Error::Timeout(json::BodyDeadline::default().0.as_secs())
        }
        other => Error::malformed("malformed_body", format!("cannot read the body: {other}")),
    }
}

fn form_error(error: UrlencodedError, _: &HttpRequest) -> actix_web::Error {
    match error {
        UrlencodedError::Overflow { size, limit } => {
            Error::TooLarge(format!("the body is {size} bytes; the limit is {limit}"))
        }
        UrlencodedError::Payload(e) => from_payload(&e),
        other => Error::invalid("invalid_body", format!("cannot read the form: {other}")),
    }
    .into()
}

/// Whether `If-None-Match` matches `etag` (weak comparison, `*` included, RFC 9110 §13.1.2).
pub(crate) fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    let ours = opaque(etag);
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

/// Refuses a body that is not declared as JSON.
pub(crate) fn json_content_type(req: &HttpRequest) -> Result<()> {
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // What nearly every client sends is taken as it is; anything else (parameters, a
    // `+json` suffix, odd spacing) is parsed.
    let plain = declared.is_some_and(|v| v.eq_ignore_ascii_case("application/json"));
    let ok = plain
        || declared
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

/// What every request passes through first, in one layer (each layer of actix middleware
/// is a boxed future per request): the body deadline ([`with_body_deadline`]), whole
/// bodies for HTTP/1.0 ([`whole_body_for_http10`]), and the access log and request metrics
/// ([`log_request`]).
async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> actix_web::Result<ServiceResponse<EitherBody<impl MessageBody, Bytes>>> {
    let started = Instant::now();
    let method = req.method().clone();
    let old = req.version() < Version::HTTP_11;
    let res = next.call(with_body_deadline(req)).await?;
    let res = whole_body_for_http10(res, old).await?;
    log_request(&res, &method, started);
    Ok(res)
}

/// The access log (target `access`, off at the default level; `HORRORS_LOG=info,access=info`
/// turns it on): method, path (never the query, which may carry names), status and time.
/// Headers and bodies (tokens, notes) are never logged. Server errors always are.
fn log_request<B>(res: &ServiceResponse<B>, method: &actix_web::http::Method, started: Instant) {
    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    let micros = elapsed.as_micros() as u64;
    count(res, status, elapsed.as_secs_f64());
    let path = res.request().path();
    if status >= 500 {
        tracing::warn!(target: "access", %method, %path, status, micros, "request failed");
    } else {
        tracing::info!(target: "access", %method, %path, status, micros, "request");
    }
}

/// Counts an answered request for `/metrics`: by the route template that answered (never
/// the raw path), and a refused tick by its error code.
fn count<B>(res: &ServiceResponse<B>, status: u16, seconds: f64) {
    let req = res.request();
    let Some(store) = req.app_data::<web::Data<Store>>() else {
        return;
    };
    let metrics = store.metrics();
    let route = req.app_data::<route::Template>().map(|t| t.0);
    metrics.request(route, req.method().as_str(), status, seconds);
    let tick_route = matches!(route, Some("/api/ticks" | "/api/ticks/batch"));
    if tick_route && req.method() == actix_web::http::Method::POST && status >= 400 {
        let code = res
            .response()
            .error()
            .and_then(|e| e.as_error::<Error>())
            .map_or_else(|| status_code_label(status), Error::code);
        metrics.tick_refused(code);
    }
}

/// The code of an error response that did not come from [`Error`].
fn status_code_label(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "invalid",
        429 => "too_many_attempts",
        503 => "overloaded",
        s if s >= 500 => "internal",
        _ => "other",
    }
}

/// How long the language cookie lives: a year (the choice is a preference, not a secret).
const LANG_COOKIE_DAYS: i64 = 365;

/// Middleware for the page routes ([`Kind::Page`]): a page asked for with a valid `?lang=`
/// remembers it in the `horrors_lang` cookie, so the next page (and the charts it shows)
/// keep it.
pub async fn remember_lang(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> actix_web::Result<ServiceResponse<impl MessageBody>> {
    use actix_web::cookie::{time, Cookie, SameSite};
    let asked = crate::i18n::Lang::asked(req.request());
    let mut res = next.call(req).await?;
    if let Some(lang) = asked {
        let cookie = Cookie::build(crate::i18n::LANG_COOKIE, lang.tag())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .max_age(time::Duration::days(LANG_COOKIE_DAYS))
            .finish();
        // A header that cannot be added leaves the page as it is, in the right language.
        let _ = res.response_mut().add_cookie(&cookie);
    }
    Ok(res)
}

/// Gives every request body a deadline (SPEC §14: 15 s): past it, reading fails, the
/// handler answers 408 and the connection is closed, so slow clients cannot pile up.
fn with_body_deadline(mut req: ServiceRequest) -> ServiceRequest {
    let deadline = req
        .app_data::<web::Data<Guard>>()
        .map(|g| g.options.body_deadline.0)
        .unwrap_or(json::BodyDeadline::default().0);
    match req.take_payload() {
        Payload::None => {}
        payload => {
            let timed = DeadlineStream {
                inner: payload,
                deadline: tokio::time::Instant::now() + deadline,
                waited: false,
                sleep: None,
            };
            req.set_payload(Payload::from(
                Box::pin(timed) as Pin<Box<dyn Stream<Item = _>>>
            ));
        }
    }
    req
}

/// A body stream that fails with `TimedOut` past `deadline`. The timer is armed only when
/// a read waits twice: most bodies arrive with the request head and never need one.
struct DeadlineStream {
    inner: Payload,
    deadline: tokio::time::Instant,
    /// A read has waited once (and woke the task to try again).
    waited: bool,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Stream for DeadlineStream {
    type Item = std::result::Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match Pin::new(&mut self.inner).poll_next(cx) {
            // A body that came with its head is handed over by the dispatcher right after
            // this first poll: the task is polled again at once (woken here, and by the
            // hand-over), and the timer (an allocation and a place in the timer wheel) is
            // armed only if the body is still missing then.
            Poll::Pending if !self.waited => {
                self.waited = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Poll::Pending => {
                let deadline = self.deadline;
                let sleep = self
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            "the request body did not arrive in time",
                        )))))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
            ready => ready,
        }
    }
}

/// HTTP/1.0 has no chunked encoding: a streamed body (CSV, ZIP, a compressed response) is
/// collected and sent with its length (`old`: the request was HTTP/1.0).
async fn whole_body_for_http10<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
    old: bool,
) -> actix_web::Result<ServiceResponse<EitherBody<B, Bytes>>> {
    if !old || !matches!(res.response().body().size(), BodySize::Stream) {
        return Ok(res.map_into_left_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| Error::internal("the response body could not be produced"))?;
    let res = head.set_body(bytes).map_into_right_body();
    Ok(ServiceResponse::new(req, res))
}
