//! The catalogue: the horrors with today's counts, their history, and the sites.

use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Store_;
use crate::calendar::local_day;
use crate::config::{validate_horrors, HorrorInput};
use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{Admin, Params, Staff};
use crate::http::json::Json;
use crate::money::Minor;
use crate::sites::Scope;
use crate::store::{CatalogueChange, Store};

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
    #[schema(value_type = i64)]
    unit_cost_minor: Minor,
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
            key: h.key.to_string(),
            name: h.name.clone(),
            description: h.description.clone(),
            pain: h.pain,
            unit_cost: currency.format(h.unit_cost_minor),
            unit_cost_minor: h.unit_cost_minor,
            operational: h.operational,
            position: h.position,
            today: counts.get(h.key.as_str()).copied().unwrap_or(0),
            retired: h.retired,
            playbook: h.playbook.clone(),
        })
        .collect();
    Ok(Catalogue {
        organization: Organization {
            name: settings.name.clone(),
            timezone: settings.timezone.name().to_string(),
            currency: settings.currency.code().to_string(),
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
        .call(move |s| s.replace_catalogue(horrors, who.into_identity().name))
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
