//! Improvement cycles: list, start, read with their results, change.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::Store_;
use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{Admin, Params, Viewer};
use crate::http::json::Json;
use crate::report;
use crate::sites::Scope;

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
    Params::parse(&req, &[], false)?;
    let window_days = store.snapshot()?.settings.window_days;
    let cycle = body.into_inner().validate(window_days)?;
    let id = store
        .call(move |s| s.create_cycle(cycle.name, cycle.window, cycle.note, cycle.focus))
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
    Params::parse(&req, &[], false)?;
    let id = cycle_id(&id)?;
    let change = body.into_inner().validate()?;
    if !store
        .call(move |s| s.update_cycle(id, change.name, change.note, change.focus))
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
