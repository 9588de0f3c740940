//! Readings of the tallies: the ranking, the trend, control charts and alerts.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Store_, WindowQuery};
use crate::calendar::Bucket;
use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{Params, Viewer};
use crate::ranking::{By, Ranking};
use crate::report;
use crate::store::rollup::Group;
use crate::trend::Trend;

/// The ranked horrors of a window (SPEC §8).
#[utoipa::path(get, path = "/api/ranking", tag = "ranking",
    params(WindowQuery, ("by" = Option<By>, Query, description = "order (default `priority`)"),
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
    Grouped(crate::ranking::GroupedRanking),
}

/// Zero-filled counts, cost and pain points by day, week or month.
#[utoipa::path(get, path = "/api/trend", tag = "ranking",
    params(WindowQuery, ("bucket" = Option<Bucket>, Query, description = "default `day`"),
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
    params(WindowQuery,
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
            let to = to.unwrap_or(default.to());
            let from =
                from.unwrap_or(to - chrono::Duration::days(settings.alerts_lookback_days - 1));
            let period = crate::calendar::Window::new(from, to)
                .map_err(|e| Error::invalid("invalid_window", e.to_string()))?;
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
