//! JSON handlers under `/api`. Each one is thin: parse, call the store or a report, answer.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use utoipa::ToSchema;

use super::extract::{lang_of, Admin, Params, Staff, Viewer};
use super::json::Json;
use super::Guard;
use crate::auth::Role;
use crate::calendar::{local_day, Bucket, WindowEcho};
use crate::config::{validate_horrors, HorrorInput};
use crate::error::{Detail, Error, ErrorBody, Result};
use crate::ranking::{By, Ranking};
use crate::report;
use crate::sites::Scope;
use crate::store::rollup::Group;
use crate::store::{CatalogueChange, Store, TickFilter, TokenInfo};
use crate::ticks::{self, Source, Tick, TickInput};
use crate::trend::Trend;

type Store_ = web::Data<Store>;

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    web::block(f)
        .await
        .map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
}

/// `ok` or `degraded`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum HealthStatus {
    Ok,
    Degraded,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when storage is full or unwritable (reads still work).
    #[schema(example = "ok", value_type = HealthStatus)]
    status: &'static str,
    /// Why the service is degraded, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    reason: Option<&'static str>,
}

/// Liveness and database check: 200 `ok`, or 503 `degraded` while writes cannot be stored.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "the service and its database answer", body = Health),
        (status = 503, description = "storage full or unwritable, or the database does not answer", body = Health,
            headers(("Retry-After" = u32, description = "seconds to wait before trying again")))))]
pub async fn healthz(store: Store_) -> Result<HttpResponse> {
    let degraded = store.degraded() || store.call(|s| s.ping()).await.is_err();
    let mut response = if degraded {
        HttpResponse::ServiceUnavailable()
    } else {
        HttpResponse::Ok()
    };
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if degraded {
        response.insert_header((header::RETRY_AFTER, "5"));
        return Ok(response.json(Health {
            status: "degraded",
            reason: Some("storage_unavailable"),
        }));
    }
    Ok(response.json(Health {
        status: "ok",
        reason: None,
    }))
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
    /// The complaint playbook by language (`{}` when none is written).
    playbook: crate::playbook::Playbook,
}

#[derive(Serialize, ToSchema)]
pub struct Catalogue {
    organization: Organization,
    window_days: i64,
    departments: Vec<String>,
    horrors: Vec<HorrorView>,
}

async fn catalogue(store: &Store, include_retired: bool, scope: Scope) -> Result<Catalogue> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    // A site's "today" is its own local day.
    let today = local_day(store.now(), settings.site_tz(scope.stored()));
    let counts = store.call(move |s| s.counts_on(today, &scope)).await?;
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
            playbook: h.playbook.clone(),
        })
        .collect();
    Ok(Catalogue {
        organization: Organization {
            name: settings.name.clone(),
            timezone: settings.timezone.clone(),
            currency: settings.currency.clone(),
        },
        window_days: settings.window_days,
        departments: settings.departments.clone(),
        horrors,
    })
}

/// The catalogue: active horrors in configured order with today's counts.
#[utoipa::path(get, path = "/api/horrors", tag = "catalogue",
    params(("include_retired" = Option<bool>, Query, description = "also list retired horrors (`true`/`false`, default `false`)"),
        ("site" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "count `today` at this site only (a site-bound token's own by default)")),
    responses((status = 200, description = "the catalogue", body = Catalogue),
        (status = 403, description = "`wrong_site`", body = ErrorBody),
        (status = 422, description = "unknown parameter or site", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn list_horrors(who: Staff, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["include_retired", "site"], false)?;
    let scope = params.scope(&who.0, &store)?;
    Ok(
        HttpResponse::Ok()
            .json(catalogue(&store, params.boolean("include_retired")?, scope).await?),
    )
}

#[derive(Serialize, ToSchema)]
pub struct SiteList {
    sites: Vec<crate::sites::Site>,
}

/// The sites (SPEC §16): configured ones in order, then retired ones.
#[utoipa::path(get, path = "/api/sites", tag = "catalogue",
    responses((status = 200, description = "every site; empty without sites", body = SiteList)),
    security(("bearer" = ["staff"])))]
pub async fn list_sites(_: Staff, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    Ok(HttpResponse::Ok().json(SiteList {
        sites: store.snapshot()?.settings.sites.clone(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueInput {
    /// Five to eight horrors with different keys, in the order to show them.
    #[schema(min_items = 5, max_items = 8)]
    horrors: Vec<HorrorInput>,
}

/// Replaces the catalogue (five to eight horrors); missing keys are retired.
#[utoipa::path(put, path = "/api/horrors", tag = "catalogue", request_body = CatalogueInput,
    responses((status = 200, description = "the new catalogue", body = Catalogue),
        (status = 422, description = "the catalogue is invalid (details per field, e.g. a duplicate key); nothing changed", body = ErrorBody)),
    security(("bearer" = ["admin"])))]
pub async fn put_horrors(
    who: Admin,
    req: HttpRequest,
    store: Store_,
    body: Json<CatalogueInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let snapshot = store.snapshot()?;
    let currency = snapshot.settings.currency();
    let mut horrors =
        validate_horrors(&body.horrors, currency).map_err(|details| Error::Invalid {
            code: "invalid_catalogue",
            message: "the catalogue is invalid; nothing was changed".into(),
            details,
        })?;
    // A horror sent without a playbook keeps the one it has.
    for (horror, input) in horrors.iter_mut().zip(&body.horrors) {
        if input.playbook.is_none() {
            if let Some(stored) = snapshot.horror(&horror.key) {
                horror.playbook = stored.playbook.clone();
            }
        }
    }
    store
        .call(move |s| s.replace_catalogue(horrors, who.0.name))
        .await?;
    Ok(HttpResponse::Ok().json(catalogue(&store, false, Scope::ALL).await?))
}

#[derive(Serialize, ToSchema)]
pub struct History {
    changes: Vec<CatalogueChange>,
}

/// Every catalogue change, newest first.
#[utoipa::path(get, path = "/api/horrors/history", tag = "catalogue",
    responses((status = 200, description = "catalogue changes, newest first", body = History)), security(("bearer" = ["admin"])))]
pub async fn horror_history(_: Admin, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    Ok(HttpResponse::Ok().json(History {
        changes: store.call(|s| s.catalogue_history()).await?,
    }))
}

// ---------------------------------------------------------------- ticks

pub(super) fn idempotency_key(req: &HttpRequest) -> Result<Option<String>> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(value) => {
            let key = value
                .to_str()
                .ok()
                .filter(|k| ticks::valid_idempotency_key(k))
                .ok_or_else(|| {
                    Error::malformed(
                        "bad_idempotency_key",
                        "Idempotency-Key must be 1 to 100 visible ASCII characters",
                    )
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
            Error::Invalid {
                code,
                message: first.message.clone(),
                details,
            }
        }
        Error::Conflict { details, .. } if !details.is_empty() => Error::Conflict {
            code: "idempotency_conflict",
            message: details[0].message.clone(),
            details: Vec::new(),
        },
        other => other,
    }
}

fn static_code(code: &str) -> &'static str {
    const CODES: &[&str] = &[
        "unknown_horror",
        "retired_horror",
        "invalid_qty",
        "occurred_in_future",
        "invalid_occurred_at",
        "invalid_note",
        "invalid_department",
        "unknown_department",
        "invalid_amount",
        "invalid_client_id",
        "site_required",
        "unknown_site",
        "retired_site",
        "invalid_source",
    ];
    CODES
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("invalid_tick")
}

/// Records one tick; 201 only after it is durably committed.
#[utoipa::path(post, path = "/api/ticks", tag = "ticks", request_body = TickInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\u0021-\u007e]{1,100}$",
        description = "repeat-safe key, 1..=100 visible ASCII characters; anything else is 400 `bad_idempotency_key`")),
    responses((status = 201, description = "recorded and durably committed", body = Tick,
            headers(("Location" = String, description = "`/api/ticks/{id}`"))),
        (status = 200, description = "idempotent replay: the tick first recorded with this key, nothing recorded", body = Tick,
            headers(("Idempotent-Replayed" = String, description = "`true`"))),
        (status = 409, description = "`idempotency_conflict`: the key was used with a different body", body = ErrorBody),
        (status = 422, description = "`unknown_horror`, `retired_horror`, `invalid_qty`, `occurred_in_future`, `invalid_amount`, …", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn post_tick(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    body: Json<TickInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let input = body.into_inner();
    let key = idempotency_key(&req)?;
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let bound = who.0.site.as_deref();
    crate::sites::check_bound([input.site.as_deref()], bound, "records")?;
    let mut tick =
        ticks::validate(&input, settings, bound, store.now(), None).map_err(|details| {
            single(Error::Invalid {
                code: "invalid_tick",
                message: String::new(),
                details,
            })
        })?;
    if let Some(key) = key {
        tick.idempotency = Some((key, input.fingerprint()));
    }
    let mut recorded = store
        .record_ticks_async(Some(who.0.clone()), &who.0.name, vec![tick])
        .await
        .map_err(single)?;
    let recorded = recorded
        .pop()
        .ok_or_else(|| Error::internal("no tick recorded"))?;
    if recorded.replayed {
        Ok(HttpResponse::Ok()
            .insert_header(("Idempotent-Replayed", "true"))
            .json(recorded.tick))
    } else {
        Ok(HttpResponse::Created().json(recorded.tick))
    }
}

/// Most ticks in one batch.
pub const MAX_BATCH: usize = 1000;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// 1..=1000 ticks.
    #[schema(min_items = 1, max_items = 1000)]
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
    responses((status = 201, description = "all recorded (or replayed by `client_id`)", body = BatchOutput),
        (status = 409, description = "a `client_id` was used with a different tick", body = ErrorBody),
        (status = 422, description = "one or more items are invalid (`details` with `index`); nothing recorded", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn post_batch(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    body: Json<BatchInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let inputs = body.into_inner().ticks;
    if inputs.is_empty() || inputs.len() > MAX_BATCH {
        return Err(Error::invalid(
            "invalid_batch",
            format!("a batch holds 1 to {MAX_BATCH} ticks, got {}", inputs.len()),
        ));
    }
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let now = store.now();
    let bound = who.0.site.as_deref();
    crate::sites::check_bound(inputs.iter().map(|i| i.site.as_deref()), bound, "records")?;
    let mut details: Vec<Detail> = Vec::new();
    let mut valid = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        match ticks::validate(input, settings, bound, now, Some(index)) {
            Ok(tick) => valid.push(tick),
            Err(problems) => details.extend(problems),
        }
    }
    if !details.is_empty() {
        return Err(Error::Invalid {
            code: "invalid_ticks",
            message: "one or more ticks are invalid; nothing was recorded".into(),
            details,
        });
    }
    let recorded = store
        .record_ticks_async(Some(who.0.clone()), &who.0.name, valid)
        .await?;
    let replayed = recorded.iter().filter(|r| r.replayed).count();
    let ticks = recorded.into_iter().map(|r| r.tick).collect();
    Ok(HttpResponse::Created().json(BatchOutput { ticks, replayed }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct VoidInput {
    /// At most 500 characters; newline and tab are the only control characters allowed.
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    reason: Option<String>,
}

/// Voids a tick: staff their own within 15 minutes, admin any. Idempotent.
#[utoipa::path(post, path = "/api/ticks/{id}/void", tag = "ticks", request_body(content = Option<VoidInput>,
        description = "optional: an empty body voids without a reason"),
    params(("id" = i64, Path, description = "the tick's id")),
    responses((status = 200, description = "the voided tick (unchanged if it was already void)", body = Tick),
        (status = 403, description = "staff may void only their own ticks, within 15 minutes", body = ErrorBody),
        (status = 404, description = "no such tick", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn void_tick(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
    body: super::json::RawBody,
) -> Result<HttpResponse> {
    let body = body.0;
    Params::parse(&req, &[], false)?;
    let id: i64 = id
        .parse()
        .map_err(|_| Error::NotFound(format!("no tick with id {id}")))?;
    let input: VoidInput = if body.iter().all(u8::is_ascii_whitespace) {
        VoidInput::default()
    } else {
        super::json_content_type(&req)?;
        super::json::from_slice(&body)?
    };
    if input
        .reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > ticks::MAX_NOTE || !crate::text::clean_note(r))
    {
        return Err(Error::invalid(
            "invalid_reason",
            "reason must be at most 500 characters, without control characters but newline and tab",
        ));
    }
    Ok(HttpResponse::Ok().json(
        store
            .call(move |s| s.void_tick(id, who.0, input.reason))
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TickPage {
    window: WindowEcho,
    ticks: Vec<Tick>,
    next_before_id: Option<i64>,
}

/// Ticks in the window, newest first, with paging by `before_id`.
#[utoipa::path(get, path = "/api/ticks", tag = "ticks",
    params(super::openapi::WindowQuery,
        ("horror" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "only this horror (an unknown key is 422)"),
        ("source" = Option<Source>, Query), ("department" = Option<String>, Query),
        ("include_voided" = Option<bool>, Query),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "default 100"),
        ("before_id" = Option<i64>, Query, minimum = 1, description = "page: ticks with a smaller id")),
    responses((status = 200, description = "ticks, newest first", body = TickPage)), security(("bearer" = ["viewer"])))]
pub async fn list_ticks(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(
        &req,
        &[
            "horror",
            "source",
            "department",
            "include_voided",
            "limit",
            "before_id",
        ],
        true,
    )?;
    let window = params.window(&store).await?;
    let snapshot = store.snapshot()?;
    let horror = params.get("horror").map(str::to_string);
    if let Some(key) = &horror {
        if snapshot.horror(key).is_none() {
            return Err(Error::invalid(
                "unknown_horror",
                format!("no horror with key {}", crate::text::echo(key)),
            ));
        }
    }
    let scope = params.scope(&who.0, &store)?;
    let filter = TickFilter {
        window,
        horror,
        site: scope.site,
        source: params.parsed("source", Source::parse)?,
        department: params.get("department").map(str::to_string),
        include_voided: params.boolean("include_voided")?,
        limit: params.integer("limit", 1..=1000)?.unwrap_or(100),
        before_id: params.integer("before_id", 1..=i64::MAX)?,
    };
    let (ticks, next_before_id) = store.call(move |s| s.list_ticks(&filter)).await?;
    Ok(HttpResponse::Ok().json(TickPage {
        window: window.echo(snapshot.settings.tz()),
        ticks,
        next_before_id,
    }))
}

// ---------------------------------------------------------------- ranking and trend

/// The ranked horrors of a window (SPEC §8).
#[utoipa::path(get, path = "/api/ranking", tag = "ranking",
    params(super::openapi::WindowQuery, ("by" = Option<By>, Query, description = "order (default `priority`)"),
        ("group" = Option<Group>, Query, description = "one ranking per site, department or source (SPEC §16): the response is then a `GroupedRanking`")),
    responses((status = 200, description = "the ranking (with `group`: one per group value)", body = RankingAnswer),
        (status = 403, description = "`wrong_site`: a site-bound token asked for another site", body = ErrorBody),
        (status = 422, description = "bad window, order, group or site", body = ErrorBody)),
    security(("bearer" = ["viewer"])))]
pub async fn ranking(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["by", "group"], true)?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    let by = params.parsed("by", By::parse)?.unwrap_or(By::Priority);
    let group = params.parsed("group", Group::parse)?;
    let store = store.into_inner();
    let answer = store
        .call(move |store| {
            Ok(match group {
                None => RankingAnswer::Whole(report::ranking(store, &window, by, &scope)?),
                Some(group) => RankingAnswer::Grouped(report::grouped_ranking(
                    store, &window, by, group, &scope,
                )?),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// `GET /api/ranking`: one ranking, or with `group` one per group value.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum RankingAnswer {
    Whole(Ranking),
    Grouped(report::GroupedRanking),
}

/// Zero-filled counts, cost and pain points by day, week or month.
#[utoipa::path(get, path = "/api/trend", tag = "ranking",
    params(super::openapi::WindowQuery, ("bucket" = Option<Bucket>, Query, description = "default `day`"),
        ("horror" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "only this horror (an unknown key is 422)")),
    responses((status = 200, description = "zero-filled series", body = Trend)), security(("bearer" = ["viewer"])))]
pub async fn trend(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["bucket", "horror"], true)?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    let bucket = params
        .parsed("bucket", Bucket::parse)?
        .unwrap_or(Bucket::Day);
    let horror = params.get("horror").map(str::to_string);
    let store = store.into_inner();
    let trend = store
        .call(move |store| {
            let today = report::today(store, store.now())?;
            report::trend(store, &window, bucket, horror.as_deref(), today, &scope)
        })
        .await?;
    Ok(HttpResponse::Ok().json(trend))
}

/// A control chart of complete days or weeks against a baseline before the window
/// (docs/statistics.md "Control charts").
#[utoipa::path(get, path = "/api/control", tag = "ranking",
    params(super::openapi::WindowQuery,
        ("bucket" = Option<String>, Query, pattern = "^(day|week)$", description = "`day` (default) or `week`; only buckets wholly inside the window and already over"),
        ("horror" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "only this horror (an unknown key is 422); default all together"),
        ("laney" = Option<bool>, Query, description = "widen the limits for over-dispersion (φ, default true)"),
        ("baseline" = Option<String>, Query, pattern = "^(before|window)$", description = "`before` (default): the buckets before the window; `window`: the window's own points")),
    responses((status = 200, description = "baseline, centre, φ and every point with its limits, CUSUM and signals", body = crate::control::ControlChart),
        (status = 422, description = "bad window, bucket, horror, site, laney or baseline", body = crate::error::ErrorBody)),
    security(("bearer" = ["viewer"])))]
pub async fn control(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["bucket", "horror", "laney", "baseline"], true)?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    let bucket = params
        .parsed("bucket", |text| match text {
            "day" => Ok(Bucket::Day),
            "week" => Ok(Bucket::Week),
            other => Err(format!(
                "bucket must be day or week; got {}",
                crate::text::echo(other)
            )),
        })?
        .unwrap_or(Bucket::Day);
    let laney = params.get("laney").is_none() || params.boolean("laney")?;
    let baseline = params
        .parsed("baseline", crate::control::BaselineKind::parse)?
        .unwrap_or(crate::control::BaselineKind::Before);
    let spec = crate::control::Spec {
        window,
        bucket,
        horror: params.get("horror").map(str::to_string),
        laney,
        baseline,
    };
    let chart = store
        .call(move |store| crate::control::chart(store, &spec, &scope))
        .await?;
    Ok(HttpResponse::Ok().json(chart))
}

/// Alert episodes (docs/statistics.md "Alerts"), newest first; with `from`/`to`, a
/// backtest: what the alerts said on each of those days.
#[utoipa::path(get, path = "/api/alerts", tag = "ranking",
    params(
        ("from" = Option<String>, Query, format = Date, description = "first day (default: lookback_days before `to`)"),
        ("to" = Option<String>, Query, format = Date, description = "last day, the day episodes are judged as of (default: yesterday)"),
        ("state" = Option<String>, Query, pattern = "^(open|all)$", description = "`open` (default): open as of `to`; `all`: every episode overlapping the period"),
        ("site" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "only this site's series")),
    responses((status = 200, description = "alert episodes, newest first", body = crate::alerts::Alerts),
        (status = 422, description = "unknown parameter, site or state; bad or reversed dates; a period over 366 days", body = crate::error::ErrorBody)),
    security(("bearer" = ["viewer"])))]
pub async fn alerts(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    use crate::alerts::{self as alerts, State};
    let params = Params::parse(&req, &["site", "from", "to", "state"], false)?;
    let scope = params.scope(&who.0, &store)?;
    let state = params.parsed("state", State::parse)?.unwrap_or(State::Open);
    let date = |name: &str| {
        params
            .get(name)
            .map(|text| {
                crate::calendar::parse_date(text)
                    .map_err(|m| Error::invalid("invalid_window", format!("{name}: {m}")))
            })
            .transpose()
    };
    let (from, to) = (date("from")?, date("to")?);
    let alerts = store
        .call(move |store| {
            let settings = store.snapshot()?.settings.clone();
            let default = alerts::default_period(&settings, store.now());
            let to = to.unwrap_or(default.to);
            let from =
                from.unwrap_or(to - chrono::Duration::days(settings.alerts_lookback_days - 1));
            let period = crate::calendar::Window::new(from, to)
                .map_err(|m| Error::invalid("invalid_window", m))?;
            if period.days() > alerts::MAX_BACKTEST_DAYS {
                return Err(Error::invalid(
                    "invalid_window",
                    format!(
                        "from to to spans more than {} days",
                        alerts::MAX_BACKTEST_DAYS
                    ),
                ));
            }
            alerts::episodes(store, &alerts::scopes(&settings, &scope), &period, state)
        })
        .await?;
    Ok(HttpResponse::Ok().json(crate::alerts::Alerts { alerts }))
}

// ---------------------------------------------------------------- tokens

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// 1 to 60 characters once trimmed, no control characters.
    #[schema(
        pattern = r"^[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]([^\u0000-\u001f\u007f-\u009f]{0,58}[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    name: String,
    role: Role,
    /// Bind the token to this site (SPEC §16): staff record and viewers read there only.
    /// Admin tokens cannot be bound.
    #[serde(default)]
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    site: Option<String>,
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
#[utoipa::path(get, path = "/api/tokens", tag = "tokens",
    responses((status = 200, description = "every token, never a secret", body = TokenList)), security(("bearer" = ["admin"])))]
pub async fn list_tokens(_: Admin, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    Ok(HttpResponse::Ok().json(TokenList {
        tokens: store.call(|s| s.list_tokens()).await?,
    }))
}

/// Creates a token; the secret is in this response only.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = TokenInput,
    responses((status = 201, description = "the token, with its secret shown this once", body = NewToken)), security(("bearer" = ["admin"])))]
pub async fn create_token(
    _: Admin,
    req: HttpRequest,
    store: Store_,
    body: Json<TokenInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let TokenInput { name, role, site } = body.into_inner();
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 60 || !crate::text::clean_name(&name) {
        return Err(Error::invalid(
            "invalid_name",
            "name must be 1 to 60 characters, without control characters",
        ));
    }
    let (info, token) = store
        .call(move |s| s.create_site_token(&name, role, site.as_deref()))
        .await?;
    Ok(HttpResponse::Created().json(NewToken { info, token }))
}

/// Revokes a token at once (idempotent).
#[utoipa::path(post, path = "/api/tokens/{id}/revoke", tag = "tokens", params(("id" = i64, Path, description = "the token's id")),
    responses((status = 200, description = "the revoked token (unchanged if it was already revoked)", body = TokenInfo),
        (status = 404, description = "no such token", body = ErrorBody)), security(("bearer" = ["admin"])))]
pub async fn revoke_token(
    _: Admin,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let id: i64 = id
        .parse()
        .map_err(|_| Error::NotFound(format!("no token with id {id}")))?;
    let info = store
        .call(move |s| s.revoke_token(id))
        .await?
        .ok_or_else(|| Error::NotFound(format!("no token with id {id}")))?;
    Ok(HttpResponse::build(StatusCode::OK).json(info))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    name: String,
    role: Role,
    /// The site the token is bound to; null when it is not bound.
    site: Option<String>,
}

/// Who the credentials belong to.
#[utoipa::path(get, path = "/api/me", tag = "tokens",
    responses((status = 200, description = "the caller", body = Me)), security(("bearer" = ["staff"])))]
pub async fn me(who: Staff, req: HttpRequest) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    Ok(HttpResponse::Ok().json(Me {
        name: who.0.name,
        role: who.0.role,
        site: who.0.site,
    }))
}

// ---------------------------------------------------------------- cycles

#[derive(Serialize, ToSchema)]
pub struct CycleList {
    cycles: Vec<crate::cycles::CycleSummary>,
}

fn cycle_id(text: &str) -> Result<i64> {
    text.parse()
        .map_err(|_| Error::NotFound(format!("no cycle with id {text}")))
}

/// Every improvement cycle, newest first.
#[utoipa::path(get, path = "/api/cycles", tag = "cycles",
    responses((status = 200, description = "every cycle, newest first", body = CycleList)), security(("bearer" = ["viewer"])))]
pub async fn list_cycles(_: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let store = store.into_inner();
    let cycles = store
        .call(move |store| report::cycle_list(store, store.now()))
        .await?;
    Ok(HttpResponse::Ok().json(CycleList { cycles }))
}

/// Starts an improvement cycle with up to three focus horrors.
#[utoipa::path(post, path = "/api/cycles", tag = "cycles", request_body = crate::cycles::CycleInput,
    responses((status = 201, description = "the new cycle", body = crate::cycles::CycleDetail,
            headers(("Location" = String, description = "`/api/cycles/{id}`"))),
        (status = 422, description = "invalid name, note, days or focus (an unknown or retired horror)", body = ErrorBody)),
    security(("bearer" = ["admin"])))]
pub async fn create_cycle(
    _: Admin,
    req: HttpRequest,
    store: Store_,
    body: Json<crate::cycles::CycleInput>,
) -> Result<HttpResponse> {
    use crate::cycles::*;
    Params::parse(&req, &[], false)?;
    let input = body.into_inner();
    let bad = |code: &'static str| move |m: String| Error::invalid(code, m);
    let name = validate_name(&input.name).map_err(bad("invalid_name"))?;
    let note = validate_note(input.note.as_deref()).map_err(bad("invalid_note"))?;
    validate_focus(&input.focus).map_err(bad("invalid_focus"))?;
    let start = crate::calendar::parse_date(&input.start)
        .map_err(|m| Error::invalid("invalid_start", format!("start: {m}")))?;
    let days = input.days.unwrap_or(store.snapshot()?.settings.window_days);
    validate_days(days).map_err(bad("invalid_days"))?;
    let end = start + chrono::Duration::days(days - 1);
    if chrono::Datelike::year(&end) > 9999 {
        return Err(Error::invalid(
            "invalid_days",
            "the cycle would end after the year 9999",
        ));
    }
    let window = crate::calendar::Window::new(start, end).map_err(bad("invalid_days"))?;
    let id = store
        .call(move |s| s.create_cycle(name, window, note, input.focus))
        .await?;
    let store = store.into_inner();
    let detail = store
        .call(move |store| report::cycle_detail(store, id, store.now(), &Scope::ALL))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/cycles/{id}")))
        .json(detail))
}

/// A cycle with its ranking and, per focus horror, before vs during and a verdict.
#[utoipa::path(get, path = "/api/cycles/{id}", tag = "cycles", params(("id" = i64, Path, description = "the cycle's id"),
        ("site" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "rank and judge this site's ticks only")),
    responses((status = 200, description = "the cycle with its ranking and results", body = crate::cycles::CycleDetail),
        (status = 403, description = "`wrong_site`", body = ErrorBody),
        (status = 404, description = "no such cycle", body = ErrorBody),
        (status = 422, description = "unknown parameter or site", body = ErrorBody)), security(("bearer" = ["viewer"])))]
pub async fn get_cycle(
    who: Viewer,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["site"], false)?;
    let scope = params.scope(&who.0, &store)?;
    let id = cycle_id(&id)?;
    let store = store.into_inner();
    Ok(HttpResponse::Ok().json(
        store
            .call(move |store| report::cycle_detail(store, id, store.now(), &scope))
            .await?,
    ))
}

// ---------------------------------------------------------------- volume

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeBody {
    /// 1..=1000 entries; each sets the units of one (day, site).
    #[schema(min_items = 1, max_items = 1000)]
    entries: Vec<crate::volume::VolumeInput>,
}

/// `GET /api/volume` and the answer to `PUT /api/volume`.
#[derive(Serialize, ToSchema)]
pub struct VolumeReport {
    window: WindowEcho,
    /// `[organization] volume_unit`.
    unit: String,
    /// By day, then site.
    entries: Vec<crate::volume::VolumeEntry>,
    /// Σ units of the entries.
    units: i64,
    /// The number of covered (day, site) pairs.
    days_covered: u64,
}

/// Sets units handled per local day and site, all or nothing (SPEC §17).
#[utoipa::path(put, path = "/api/volume", tag = "volume", request_body = VolumeBody,
    responses((status = 200, description = "set; the entries as stored", body = VolumeReport),
        (status = 403, description = "`wrong_site`: a site-bound token named another site", body = ErrorBody),
        (status = 422, description = "`invalid_volume` (day after today, units out of range, a pair twice), `unknown_site`, `retired_site`, `site_required`; nothing set", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn put_volume(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    body: Json<VolumeBody>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let inputs = body.into_inner().entries;
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let bound = who.0.site.as_deref();
    // A day may be today wherever any site already is.
    let today = settings.latest_today(store.now());
    let entries = crate::volume::validate(&inputs, settings, bound, today)?;
    let window = crate::calendar::Window {
        from: entries.iter().map(|e| e.day).min().unwrap_or(today),
        to: entries.iter().map(|e| e.day).max().unwrap_or(today),
    };
    let echo: Vec<crate::volume::VolumeEntry> = entries
        .iter()
        .map(|e| crate::volume::VolumeEntry {
            day: e.day.to_string(),
            site: crate::sites::from_stored(e.site.clone()),
            units: e.units,
        })
        .collect();
    store.call(move |s| s.set_volume(entries)).await?;
    Ok(HttpResponse::Ok().json(VolumeReport {
        window: window.echo(settings.tz()),
        unit: settings.volume_unit.clone(),
        units: echo.iter().map(|e| e.units).sum(),
        days_covered: echo.len() as u64,
        entries: echo,
    }))
}

/// The window's recorded volume (SPEC §17).
#[utoipa::path(get, path = "/api/volume", tag = "volume",
    params(super::openapi::WindowQuery),
    responses((status = 200, description = "entries by day then site, with their sum", body = VolumeReport),
        (status = 403, description = "`wrong_site`", body = ErrorBody),
        (status = 422, description = "bad window or site", body = ErrorBody)),
    security(("bearer" = ["viewer"])))]
pub async fn get_volume(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &[], true)?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    let settings = store.snapshot()?.settings.clone();
    let rows = store
        .call(move |s| s.volume_entries(&window, &scope))
        .await?;
    let entries: Vec<crate::volume::VolumeEntry> = rows
        .into_iter()
        .map(|(day, site, units)| crate::volume::VolumeEntry {
            day: day.to_string(),
            site: crate::sites::from_stored(site),
            units,
        })
        .collect();
    Ok(HttpResponse::Ok().json(VolumeReport {
        window: window.echo(settings.tz()),
        unit: settings.volume_unit.clone(),
        units: entries.iter().map(|e| e.units).sum(),
        days_covered: entries.len() as u64,
        entries,
    }))
}

/// Changes a cycle's name, focus or note.
#[utoipa::path(put, path = "/api/cycles/{id}", tag = "cycles", params(("id" = i64, Path, description = "the cycle's id")),
    request_body = crate::cycles::CycleUpdate,
    responses((status = 200, description = "the changed cycle", body = crate::cycles::CycleDetail),
        (status = 404, description = "no such cycle", body = ErrorBody),
        (status = 422, description = "invalid name, note or focus (an unknown or retired horror)", body = ErrorBody)),
    security(("bearer" = ["admin"])))]
pub async fn put_cycle(
    _: Admin,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
    body: Json<crate::cycles::CycleUpdate>,
) -> Result<HttpResponse> {
    use crate::cycles::*;
    Params::parse(&req, &[], false)?;
    let id = cycle_id(&id)?;
    let update = body.into_inner();
    let name = update
        .name
        .as_deref()
        .map(validate_name)
        .transpose()
        .map_err(|m| Error::invalid("invalid_name", m))?;
    let note = match &update.note {
        None => None,
        Some(note) => {
            Some(validate_note(note.as_deref()).map_err(|m| Error::invalid("invalid_note", m))?)
        }
    };
    if let Some(focus) = &update.focus {
        validate_focus(focus).map_err(|m| Error::invalid("invalid_focus", m))?;
    }
    if !store
        .call(move |s| s.update_cycle(id, name, note, update.focus))
        .await?
    {
        return Err(Error::NotFound(format!("no cycle with id {id}")));
    }
    let store = store.into_inner();
    Ok(HttpResponse::Ok().json(
        store
            .call(move |store| report::cycle_detail(store, id, store.now(), &Scope::ALL))
            .await?,
    ))
}

// ---------------------------------------------------------------- exports

/// Streams a rewound file as the response body, reading it off the async workers.
/// A spooled file as the response body, with its length (never chunked); ZIP is sent
/// as it is, text may be compressed on the way.
fn file_response(file: std::fs::File, content_type: &str, filename: &str) -> HttpResponse {
    use std::io::Read;
    let length = file.metadata().map_or(0, |m| m.len());
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let chunk = web::block(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((buf, file))
        })
        .await;
        match chunk {
            Ok(Ok((buf, _))) if buf.is_empty() => None,
            Ok(Ok((buf, file))) => Some((Ok(web::Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
        }
    });
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if content_type == "application/zip" {
        response.insert_header(header::ContentEncoding::Identity);
    }
    response.body(actix_web::body::SizedStream::new(length, stream))
}

fn spool(write: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<std::fs::File> {
    use std::io::Seek;
    let mut file = tempfile::tempfile().map_err(|e| Error::internal(e.to_string()))?;
    write(&mut file)?;
    file.rewind().map_err(|e| Error::internal(e.to_string()))?;
    Ok(file)
}

/// Every tick of the window as CSV (UTF-8 with BOM, formula cells neutralised).
#[utoipa::path(get, path = "/api/export/ticks.csv", tag = "exports",
    params(super::openapi::WindowQuery, ("include_voided" = Option<bool>, Query)),
    responses((status = 200, description = "RFC 4180 CSV, UTF-8 with BOM", content_type = "text/csv", body = String,
        headers(("Content-Disposition" = String, description = "attachment with a file name")))),
    security(("bearer" = ["viewer"])))]
pub async fn export_ticks(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["include_voided"], true)?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    let include_voided = params.boolean("include_voided")?;
    let store = store.into_inner();
    let file = store
        .call(move |store| {
            spool(|f| {
                crate::export::csv::ticks(
                    store,
                    &window,
                    &scope,
                    include_voided,
                    std::io::BufWriter::new(f),
                )
            })
        })
        .await?;
    Ok(file_response(
        file,
        "text/csv; charset=utf-8",
        &format!("ticks-{}-{}.csv", window.from, window.to),
    ))
}

/// The ranking of the window as CSV.
#[utoipa::path(get, path = "/api/export/ranking.csv", tag = "exports",
    params(super::openapi::WindowQuery, ("by" = Option<By>, Query)),
    responses((status = 200, description = "RFC 4180 CSV, UTF-8", content_type = "text/csv", body = String,
        headers(("Content-Disposition" = String, description = "attachment with a file name")))),
    security(("bearer" = ["viewer"])))]
pub async fn export_ranking(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["by"], true)?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    let by = params.parsed("by", By::parse)?.unwrap_or(By::Priority);
    let store = store.into_inner();
    let file = store
        .call(move |store| {
            let ranking = report::ranking(store, &window, by, &scope)?;
            spool(|f| crate::export::csv::ranking(&ranking, f))
        })
        .await?;
    Ok(file_response(
        file,
        "text/csv; charset=utf-8",
        &format!("ranking-{}-{}.csv", window.from, window.to),
    ))
}

/// The annual review of a calendar year (default: this year) as one ZIP.
#[utoipa::path(get, path = "/api/export/annual.zip", tag = "exports",
    params(("year" = Option<i32>, Query, minimum = 1970, maximum = 9998, description = "calendar year (default: this year)"),
        ("site" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "only this site (SPEC §16); a site-bound token's own site by default"),
        ("lang" = Option<crate::i18n::Lang>, Query, description = "language of README.txt, review.html, the workbook's sheet names and headers, and the charts (SPEC §20; CSV stays English); else the `horrors_lang` cookie, `Accept-Language`, then the organization's"),
        ("Accept-Language" = Option<String>, Header, description = "used when neither `lang` nor the `horrors_lang` cookie names a language")),
    responses((status = 200, description = "the annual review as one ZIP", content_type = "application/zip", body = super::openapi::Binary,
        headers(("Content-Disposition" = String, description = "attachment with a file name")))),
    security(("bearer" = ["viewer"])))]
pub async fn export_annual(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["year", "lang", "site"], false)?;
    let scope = params.scope(&who.0, &store)?;
    let year = params.parsed("year", crate::export::annual::parse_year)?;
    let lang = lang_of(&req, &store);
    let store = store.into_inner();
    let (name, file) = store
        .call(move |store| {
            let now = store.now();
            let year = match year {
                Some(y) => y,
                None => crate::export::annual::current_year(store, now)?,
            };
            Ok((
                crate::export::annual::file_name(year, &scope),
                crate::export::annual::to_tempfile(store, year, now, lang, &scope)?,
            ))
        })
        .await?;
    Ok(file_response(file, "application/zip", &name))
}

// ---------------------------------------------------------------- charts

/// A chart as SVG or PNG (`pareto`, `cost`, `trend`, `compare`, `matrix`).
#[utoipa::path(get, path = "/charts/{file}", tag = "charts",
    params(("file" = String, Path, description = "chart name and format, e.g. `pareto.svg` or `pareto.png`"),
        super::openapi::WindowQuery,
        ("width" = Option<u32>, Query, minimum = 300, maximum = 3000, description = "pixels, default 960"),
        ("height" = Option<u32>, Query, minimum = 300, maximum = 3000, description = "pixels, default 540"),
        ("bucket" = Option<Bucket>, Query, description = "trend only"),
        ("group" = Option<Group>, Query, description = "pareto only (the other charts ignore it): one small chart per site, department or source (at most 12)"),
        ("a_from" = Option<String>, Query, format = Date, description = "compare: first window (all four or none)"),
        ("a_to" = Option<String>, Query, format = Date), ("b_from" = Option<String>, Query, format = Date, description = "compare: second window"),
        ("b_to" = Option<String>, Query, format = Date),
        ("lang" = Option<crate::i18n::Lang>, Query, description = "language of titles, axes and legends (SPEC §20); else the `horrors_lang` cookie, `Accept-Language`, then the organization's"),
        ("Accept-Language" = Option<String>, Header, description = "used when neither `lang` nor the `horrors_lang` cookie names a language"),
        ("If-None-Match" = Option<String>, Header, description = "an ETag from an earlier answer: 304 when the chart is unchanged")),
    responses((status = 200, description = "the chart", content((String = "image/svg+xml"), (super::openapi::Binary = "image/png")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "not modified: `If-None-Match` matches the chart's ETag", headers(("ETag" = String))),
        (status = 404, description = "no such chart", body = ErrorBody)),
    security(("bearer" = ["viewer"])))]
pub async fn chart(
    who: Viewer,
    req: HttpRequest,
    store: Store_,
    guard: web::Data<Guard>,
    file: web::Path<String>,
) -> Result<HttpResponse> {
    use crate::charts::{ChartName, Format, DEFAULT_HEIGHT, DEFAULT_WIDTH, MAX_SIZE, MIN_SIZE};
    let unknown = || {
        Error::NotFound(format!(
            "no chart {}; charts are {} as .svg or .png",
            crate::text::echo(file.as_str()),
            ChartName::ALL.map(|c| c.as_str()).join(", ")
        ))
    };
    let (name, extension) = file.rsplit_once('.').ok_or_else(unknown)?;
    let name = ChartName::parse(name).map_err(|_| unknown())?;
    let format = Format::parse(extension).map_err(|_| unknown())?;
    let params = Params::parse(
        &req,
        &[
            "width", "height", "bucket", "a_from", "a_to", "b_from", "b_to", "lang", "horror",
            "laney", "group", "baseline",
        ],
        true,
    )?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    // Only the Pareto chart is drawn per group; the others ignore it (as `bucket`).
    let group = params
        .parsed("group", Group::parse)?
        .filter(|_| name == ChartName::Pareto);
    let size = i64::from(MIN_SIZE)..=i64::from(MAX_SIZE);
    let width = params
        .integer("width", size.clone())?
        .map_or(DEFAULT_WIDTH, |w| w as u32);
    let height = params
        .integer("height", size)?
        .map_or(DEFAULT_HEIGHT, |h| h as u32);
    let bucket = params.parsed("bucket", Bucket::parse)?;
    let compare = match (
        params.get("a_from"),
        params.get("a_to"),
        params.get("b_from"),
        params.get("b_to"),
    ) {
        (None, None, None, None) => None,
        (Some(af), Some(at), Some(bf), Some(bt)) => {
            let window = |from: &str, to: &str| {
                crate::calendar::Window::between(from, to)
                    .map_err(|m| Error::invalid("invalid_window", m))
            };
            Some((window(af, at)?, window(bf, bt)?))
        }
        _ => {
            return Err(Error::invalid(
                "invalid_window",
                "give all of a_from, a_to, b_from and b_to, or none",
            ))
        }
    };
    let request = report::ChartRequest {
        name,
        format,
        window,
        compare,
        bucket,
        width,
        height,
        today: report::today(&store, store.now())?,
        lang: Some(lang_of(&req, &store)),
        horror: params.get("horror").map(str::to_string),
        laney: params.get("laney").is_none() || params.boolean("laney")?,
        baseline: params
            .parsed("baseline", crate::control::BaselineKind::parse)?
            .unwrap_or(crate::control::BaselineKind::Before),
        scope,
        group,
    };
    if name == ChartName::Control && bucket == Some(Bucket::Month) {
        return Err(Error::invalid(
            "invalid_parameter",
            "bucket: the control chart takes day or week",
        ));
    }
    let store = store.into_inner();
    let bytes = render_bounded(&guard, move || report::chart(&store, &request)).await?;
    let etag = format!("\"{}\"", &hex::encode(sha2::Sha256::digest(&bytes))[..32]);
    let fresh = super::not_modified(&req, &etag);
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, max-age=60"))
        .insert_header((header::VARY, "Authorization, Cookie, Accept-Language"));
    if fresh {
        return Ok(response.finish());
    }
    if format == crate::charts::Format::Png {
        // Already compressed; never gzip it again.
        response.insert_header(header::ContentEncoding::Identity);
    }
    Ok(response.content_type(format.content_type()).body(bytes))
}

/// How long a chart request waits for a free renderer before it gets 503.
pub const RENDER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs a chart render on the blocking pool, at most as many at once as the guard allows
/// (SPEC §14: CPU cores); a request that waits more than [`RENDER_WAIT`] gets 503.
pub(crate) async fn render_bounded<T: Send + 'static>(
    guard: &Guard,
    render: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let _permit = tokio::time::timeout(RENDER_WAIT, guard.charts.acquire())
        .await
        .map_err(|_| Error::Overloaded)?
        .map_err(|_| Error::Overloaded)?;
    blocking(render).await
}
