//! Units handled per local day and site, the denominator of rates.

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Store_, WindowQuery};
use crate::calendar::WindowEcho;
use crate::error::{ErrorBody, Result};
use crate::http::extract::{Params, Staff, Viewer};
use crate::http::json::Json;
use crate::keys::SiteKey;

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
    let window = entries
        .iter()
        .map(|e| crate::calendar::Window::day(e.day))
        .reduce(|a, b| a.through(&b))
        .unwrap_or(crate::calendar::Window::day(today));
    let echo: Vec<crate::volume::VolumeEntry> = entries
        .iter()
        .map(|e| crate::volume::VolumeEntry {
            day: e.day.to_string(),
            site: SiteKey::from_column(e.site.clone()),
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
    params(WindowQuery),
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
            site: SiteKey::from_column(site),
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
