//! Nominations (step 1 of the method): propose a horror, support, adopt or decline it.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::Store_;
use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{Admin, Params, Staff, Viewer};
use crate::http::json::Json;
use crate::nominations::{AdoptInput, DeclineInput, Nomination, NominationInput};

fn nomination_id(text: &str) -> Result<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| Error::NotFound(format!("no nomination with id {text}")))
}

#[derive(Serialize, ToSchema)]
pub struct NominationList {
    /// Most supported first, then newest.
    nominations: Vec<Nomination>,
}

/// Proposes a horror (step 1 of the method: what do customers complain about most?).
#[utoipa::path(post, path = "/api/nominations", tag = "nominations", request_body = NominationInput,
    responses((status = 201, description = "proposed", body = Nomination),
        (status = 422, description = "`invalid_nomination`: empty or too long title, too long text, control characters; nothing written", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn create_nomination(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    body: Json<NominationInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let input = body.into_inner().validate()?;
    let nomination = store
        .call(move |s| s.create_nomination(who.into_identity(), input))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/nominations/{}", nomination.id),
        ))
        .json(nomination))
}

/// Every nomination, most supported first, then newest.
#[utoipa::path(get, path = "/api/nominations", tag = "nominations",
    responses((status = 200, description = "the nominations", body = NominationList)),
    security(("bearer" = ["staff"])))]
pub async fn list_nominations(who: Staff, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let viewer = who.0.token_id;
    let nominations = store.call(move |s| s.nominations(viewer)).await?;
    Ok(HttpResponse::Ok().json(NominationList { nominations }))
}

/// Supports a nomination, once per token.
#[utoipa::path(post, path = "/api/nominations/{id}/support", tag = "nominations",
    params(("id" = i64, Path, description = "the nomination's id")),
    responses((status = 200, description = "supported", body = Nomination),
        (status = 404, description = "no such nomination", body = ErrorBody),
        (status = 409, description = "`already_supported` (a second time by the same token) or `nomination_closed`", body = ErrorBody)),
    security(("bearer" = ["viewer"])))]
pub async fn support_nomination(
    who: Viewer,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let id = nomination_id(&id)?;
    let nomination = store
        .call(move |s| s.support_nomination(id, who.into_identity()))
        .await?;
    Ok(HttpResponse::Ok().json(nomination))
}

/// Adopts a nomination: its horror joins the catalogue (at most eight active) and stays linked.
#[utoipa::path(post, path = "/api/nominations/{id}/adopt", tag = "nominations", request_body = AdoptInput,
    params(("id" = i64, Path, description = "the nomination's id")),
    responses((status = 200, description = "adopted; the horror is in the catalogue", body = Nomination),
        (status = 404, description = "no such nomination", body = ErrorBody),
        (status = 409, description = "`nomination_closed`: already adopted or declined", body = ErrorBody),
        (status = 422, description = "`too_many_horrors` (eight are active) or `invalid_horror` (key taken, bad name, pain or cost); nothing changed", body = ErrorBody)),
    security(("bearer" = ["admin"])))]
pub async fn adopt_nomination(
    who: Admin,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
    body: Json<AdoptInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let id = nomination_id(&id)?;
    let input = body.into_inner();
    let nomination = store
        .call(move |s| s.adopt_nomination(id, who.into_identity(), input))
        .await?;
    Ok(HttpResponse::Ok().json(nomination))
}

/// Declines a nomination with a reason.
#[utoipa::path(post, path = "/api/nominations/{id}/decline", tag = "nominations", request_body = DeclineInput,
    params(("id" = i64, Path, description = "the nomination's id")),
    responses((status = 200, description = "declined", body = Nomination),
        (status = 404, description = "no such nomination", body = ErrorBody),
        (status = 409, description = "`nomination_closed`", body = ErrorBody),
        (status = 422, description = "`invalid_reason`", body = ErrorBody)),
    security(("bearer" = ["admin"])))]
pub async fn decline_nomination(
    who: Admin,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
    body: Json<DeclineInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let id = nomination_id(&id)?;
    let reason = body.into_inner().validate()?;
    let nomination = store
        .call(move |s| s.decline_nomination(id, who.into_identity(), reason))
        .await?;
    Ok(HttpResponse::Ok().json(nomination))
}
