//! JSON handlers under `/api`. Each one is thin: parse, call the store or a report, answer.

use std::collections::HashSet;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{Admin, Params, Staff, Viewer};
use crate::auth::Role;
use crate::calendar::{local_day, Bucket, WindowEcho};
use crate::config::{validate_horrors, HorrorInput};
use crate::error::{Detail, Error, ErrorBody, Result};
use crate::ranking::{By, Ranking};
use crate::report;
use crate::store::{CatalogueChange, Store, TickFilter, TokenInfo};
use crate::ticks::{self, Source, Tick, TickInput};
use crate::trend::Trend;

type Store_ = web::Data<Store>;

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    web::block(f).await.map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
}

/// Liveness and database check.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn healthz(store: Store_) -> Result<HttpResponse> {
    store.ping().await?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(Health { status: "ok" }))
}

// ---------------------------------------------------------------- catalogue

#[derive(Serialize, ToSchema)]
pub struct Organization {
    name: String,
    timezone: String,
    currency: String,
}

#[derive(Serialize, ToSchema)]
pub struct HorrorView {
    key: String,
    name: String,
    description: Option<String>,
    pain: u8,
    unit_cost: String,
    unit_cost_minor: i64,
    operational: bool,
    position: u32,
    /// Count on the current local day, all devices.
    today: u64,
    retired: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Catalogue {
    organization: Organization,
    window_days: i64,
    departments: Vec<String>,
    horrors: Vec<HorrorView>,
}

async fn catalogue(store: &Store, include_retired: bool) -> Result<Catalogue> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let counts = store.counts_on(local_day(Utc::now(), settings.tz())).await?;
    let currency = settings.currency();
    let horrors = snapshot
        .horrors
        .iter()
        .filter(|h| include_retired || !h.retired)
        .map(|h| HorrorView {
            key: h.key.clone(),
            name: h.name.clone(),
            description: h.description.clone(),
            pain: h.pain,
            unit_cost: currency.format(h.unit_cost_minor),
            unit_cost_minor: h.unit_cost_minor,
            operational: h.operational,
            position: h.position,
            today: counts.get(&h.key).copied().unwrap_or(0),
            retired: h.retired,
        })
        .collect();
    Ok(Catalogue {
        organization: Organization { name: settings.name.clone(), timezone: settings.timezone.clone(), currency: settings.currency.clone() },
        window_days: settings.window_days,
        departments: settings.departments.clone(),
        horrors,
    })
}

/// The catalogue: active horrors in configured order with today's counts.
#[utoipa::path(get, path = "/api/horrors", tag = "catalogue",
    params(("include_retired" = Option<bool>, Query, description = "also list retired horrors")),
    responses((status = 200, body = Catalogue), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_horrors(_: Staff, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["include_retired"], false)?;
    Ok(HttpResponse::Ok().json(catalogue(&store, params.boolean("include_retired")?).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueInput {
    horrors: Vec<HorrorInput>,
}

/// Replaces the catalogue (five to eight horrors); missing keys are retired.
#[utoipa::path(put, path = "/api/horrors", tag = "catalogue", request_body = CatalogueInput,
    responses((status = 200, body = Catalogue), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_horrors(who: Admin, req: HttpRequest, store: Store_, body: web::Json<CatalogueInput>) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let currency = store.snapshot()?.settings.currency();
    let horrors = validate_horrors(&body.horrors, currency).map_err(|details| Error::Invalid {
        code: "invalid_catalogue",
        message: "the catalogue is invalid; nothing was changed".into(),
        details,
    })?;
    store.replace_catalogue(horrors, who.0.name).await?;
    Ok(HttpResponse::Ok().json(catalogue(&store, false).await?))
}

#[derive(Serialize, ToSchema)]
pub struct History {
    changes: Vec<CatalogueChange>,
}

/// Every catalogue change, newest first.
#[utoipa::path(get, path = "/api/horrors/history", tag = "catalogue",
    responses((status = 200, body = History)), security(("bearer" = [])))]
pub async fn horror_history(_: Admin, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    Ok(HttpResponse::Ok().json(History { changes: store.catalogue_history().await? }))
}

// ---------------------------------------------------------------- ticks

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(value) => {
            let key = value.to_str().ok().filter(|k| ticks::valid_idempotency_key(k)).ok_or_else(|| {
                Error::malformed("bad_idempotency_key", "Idempotency-Key must be 1 to 100 visible ASCII characters")
            })?;
            Ok(Some(key.to_string()))
        }
    }
}

/// Single-tick errors carry the first problem's code at the top (`unknown_horror`, …).
fn single(error: Error) -> Error {
    match error {
        Error::Invalid { details, .. } if !details.is_empty() => {
            let first = &details[0];
            let code = static_code(&first.code);
            Error::Invalid { code, message: first.message.clone(), details }
        }
        Error::Conflict { details, .. } if !details.is_empty() => {
            Error::Conflict { code: "idempotency_conflict", message: details[0].message.clone(), details: Vec::new() }
        }
        other => other,
    }
}

fn static_code(code: &str) -> &'static str {
    const CODES: &[&str] = &[
        "unknown_horror", "retired_horror", "invalid_qty", "occurred_in_future", "invalid_occurred_at",
        "invalid_note", "invalid_department", "unknown_department", "invalid_amount", "invalid_client_id",
    ];
    CODES.iter().find(|c| **c == code).copied().unwrap_or("invalid_tick")
}

/// Records one tick; 201 only after it is durably committed.
#[utoipa::path(post, path = "/api/ticks", tag = "ticks", request_body = TickInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key, 1..=100 visible ASCII")),
    responses((status = 201, body = Tick), (status = 200, description = "idempotent replay", body = Tick),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_tick(who: Staff, req: HttpRequest, store: Store_, body: web::Json<TickInput>) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let input = body.into_inner();
    let key = idempotency_key(&req)?;
    let settings = store.snapshot()?.settings.clone();
    let mut tick = ticks::validate(&input, &settings, Utc::now(), None).map_err(|details| single(Error::Invalid {
        code: "invalid_tick",
        message: String::new(),
        details,
    }))?;
    if let Some(key) = key {
        tick.idempotency = Some((key, input.fingerprint()));
    }
    let mut recorded = store.record_ticks(who.0, vec![tick]).await.map_err(single)?;
    let recorded = recorded.pop().ok_or_else(|| Error::internal("no tick recorded"))?;
    if recorded.replayed {
        Ok(HttpResponse::Ok().insert_header(("Idempotent-Replayed", "true")).json(recorded.tick))
    } else {
        Ok(HttpResponse::Created().insert_header((header::LOCATION, format!("/api/ticks/{}", recorded.tick.id))).json(recorded.tick))
    }
}

/// Most ticks in one batch.
pub const MAX_BATCH: usize = 1000;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    ticks: Vec<TickInput>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchOutput {
    ticks: Vec<Tick>,
    /// How many items were replays of earlier `client_id`s.
    replayed: usize,
}

/// Records 1..=1000 ticks all-or-nothing (the tally page's offline queue syncs with this).
#[utoipa::path(post, path = "/api/ticks/batch", tag = "ticks", request_body = BatchInput,
    responses((status = 201, body = BatchOutput), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_batch(who: Staff, req: HttpRequest, store: Store_, body: web::Json<BatchInput>) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let inputs = body.into_inner().ticks;
    if inputs.is_empty() || inputs.len() > MAX_BATCH {
        return Err(Error::invalid("invalid_batch", format!("a batch holds 1 to {MAX_BATCH} ticks, got {}", inputs.len())));
    }
    let settings = store.snapshot()?.settings.clone();
    let now = Utc::now();
    let mut details: Vec<Detail> = Vec::new();
    let mut valid = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        match ticks::validate(input, &settings, now, Some(index)) {
            Ok(tick) => valid.push(tick),
            Err(problems) => details.extend(problems),
        }
    }
    if !details.is_empty() {
        return Err(Error::Invalid { code: "invalid_ticks", message: "one or more ticks are invalid; nothing was recorded".into(), details });
    }
    let recorded = store.record_ticks(who.0, valid).await?;
    let replayed = recorded.iter().filter(|r| r.replayed).count();
    let ticks = recorded.into_iter().map(|r| r.tick).collect();
    Ok(HttpResponse::Created().json(BatchOutput { ticks, replayed }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct VoidInput {
    reason: Option<String>,
}

/// Voids a tick: staff their own within 15 minutes, admin any. Idempotent.
#[utoipa::path(post, path = "/api/ticks/{id}/void", tag = "ticks", request_body = VoidInput,
    params(("id" = i64, Path)),
    responses((status = 200, body = Tick), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn void_tick(who: Staff, req: HttpRequest, store: Store_, id: web::Path<String>, body: web::Bytes) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound(format!("no tick with id {id}")))?;
    let input: VoidInput = if body.iter().all(u8::is_ascii_whitespace) {
        VoidInput::default()
    } else {
        super::json_content_type(&req)?;
        super::parse_json(&body)?
    };
    if input.reason.as_ref().is_some_and(|r| r.chars().count() > ticks::MAX_NOTE) {
        return Err(Error::invalid("invalid_reason", "reason must be at most 500 characters"));
    }
    Ok(HttpResponse::Ok().json(store.void_tick(id, who.0, input.reason).await?))
}

#[derive(Serialize, ToSchema)]
pub struct TickPage {
    window: WindowEcho,
    ticks: Vec<Tick>,
    next_before_id: Option<i64>,
}

/// Ticks in the window, newest first, with paging by `before_id`.
#[utoipa::path(get, path = "/api/ticks", tag = "ticks",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query), ("days" = Option<i64>, Query), ("cycle" = Option<i64>, Query),
        ("horror" = Option<String>, Query), ("source" = Option<Source>, Query), ("department" = Option<String>, Query),
        ("include_voided" = Option<bool>, Query), ("limit" = Option<i64>, Query), ("before_id" = Option<i64>, Query)),
    responses((status = 200, body = TickPage)), security(("bearer" = [])))]
pub async fn list_ticks(_: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["horror", "source", "department", "include_voided", "limit", "before_id"], true)?;
    let window = params.window(&store)?;
    let snapshot = store.snapshot()?;
    let horror = params.get("horror").map(str::to_string);
    if let Some(key) = &horror {
        if snapshot.horror(key).is_none() {
            return Err(Error::invalid("unknown_horror", format!("no horror with key {key:?}")));
        }
    }
    let filter = TickFilter {
        window,
        horror,
        source: params.parsed("source", Source::parse)?,
        department: params.get("department").map(str::to_string),
        include_voided: params.boolean("include_voided")?,
        limit: params.integer("limit", 1..=1000)?.unwrap_or(100),
        before_id: params.integer("before_id", 1..=i64::MAX)?,
    };
    let (ticks, next_before_id) = store.list_ticks(filter).await?;
    Ok(HttpResponse::Ok().json(TickPage { window: window.echo(snapshot.settings.tz()), ticks, next_before_id }))
}

// ---------------------------------------------------------------- ranking and trend

/// The ranked horrors of a window (SPEC §8).
#[utoipa::path(get, path = "/api/ranking", tag = "ranking",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query), ("days" = Option<i64>, Query), ("cycle" = Option<i64>, Query),
        ("by" = Option<By>, Query)),
    responses((status = 200, body = Ranking), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn ranking(_: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["by"], true)?;
    let window = params.window(&store)?;
    let by = params.parsed("by", By::parse)?.unwrap_or(By::Priority);
    let store = store.into_inner();
    let ranking = blocking(move || report::ranking(&store, &window, by, &HashSet::new())).await?;
    Ok(HttpResponse::Ok().json(ranking))
}

/// Zero-filled counts, cost and pain points by day, week or month.
#[utoipa::path(get, path = "/api/trend", tag = "ranking",
    params(("from" = Option<String>, Query), ("to" = Option<String>, Query), ("days" = Option<i64>, Query), ("cycle" = Option<i64>, Query),
        ("bucket" = Option<Bucket>, Query), ("horror" = Option<String>, Query)),
    responses((status = 200, body = Trend), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn trend(_: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["bucket", "horror"], true)?;
    let window = params.window(&store)?;
    let bucket = params.parsed("bucket", Bucket::parse)?.unwrap_or(Bucket::Day);
    let horror = params.get("horror").map(str::to_string);
    let store = store.into_inner();
    let trend = blocking(move || report::trend(&store, &window, bucket, horror.as_deref())).await?;
    Ok(HttpResponse::Ok().json(trend))
}

// ---------------------------------------------------------------- tokens

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    name: String,
    role: Role,
}

#[derive(Serialize, ToSchema)]
pub struct NewToken {
    #[serde(flatten)]
    info: TokenInfo,
    /// The secret, shown this once.
    token: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    tokens: Vec<TokenInfo>,
}

/// Every token (never a secret).
#[utoipa::path(get, path = "/api/tokens", tag = "tokens", responses((status = 200, body = TokenList)), security(("bearer" = [])))]
pub async fn list_tokens(_: Admin, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    Ok(HttpResponse::Ok().json(TokenList { tokens: store.list_tokens().await? }))
}

/// Creates a token; the secret is in this response only.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = TokenInput,
    responses((status = 201, body = NewToken), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_token(_: Admin, req: HttpRequest, store: Store_, body: web::Json<TokenInput>) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let TokenInput { name, role } = body.into_inner();
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::invalid("invalid_name", "name must be 1 to 60 characters"));
    }
    let (info, token) = store.create_token(name, role).await?;
    Ok(HttpResponse::Created().json(NewToken { info, token }))
}

/// Revokes a token at once (idempotent).
#[utoipa::path(post, path = "/api/tokens/{id}/revoke", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 200, body = TokenInfo), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn revoke_token(_: Admin, req: HttpRequest, store: Store_, id: web::Path<String>) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound(format!("no token with id {id}")))?;
    let info = store.revoke_token(id).await?.ok_or_else(|| Error::NotFound(format!("no token with id {id}")))?;
    Ok(HttpResponse::build(StatusCode::OK).json(info))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    name: String,
    role: Role,
}

/// Who the credentials belong to.
#[utoipa::path(get, path = "/api/me", tag = "tokens", responses((status = 200, body = Me)), security(("bearer" = [])))]
pub async fn me(who: Staff, req: HttpRequest) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    Ok(HttpResponse::Ok().json(Me { name: who.0.name, role: who.0.role }))
}
