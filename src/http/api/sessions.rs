//! Page sessions for admins: listed and revoked one by one (`GET /api/sessions`,
//! `POST /api/sessions/{id}/revoke`); the admin page and `horrors session` use the same.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{Admin, Params};
use crate::store::sessions::SessionInfo;
use crate::store::Store;

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    sessions: Vec<SessionInfo>,
}

/// Every live page session (token sign-ins and enrolled devices), newest first; never a
/// secret.
#[utoipa::path(get, path = "/api/sessions", tag = "tokens",
    responses((status = 200, description = "every live session", body = SessionList)),
    security(("bearer" = ["admin"])))]
pub async fn list_sessions(
    _: Admin,
    req: HttpRequest,
    store: web::Data<Store>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    Ok(HttpResponse::Ok().json(SessionList {
        sessions: store.call(|s| s.list_sessions()).await?,
    }))
}

/// Ends one session at once (on every instance within a second); its token stays.
#[utoipa::path(post, path = "/api/sessions/{id}/revoke", tag = "tokens",
    params(("id" = String, Path, description = "the session's id, 16 hex digits")),
    responses((status = 204, description = "the session has ended"),
        (status = 404, description = "no such live session", body = ErrorBody)),
    security(("bearer" = ["admin"])))]
pub async fn revoke_session(
    _: Admin,
    req: HttpRequest,
    store: web::Data<Store>,
    id: web::Path<String>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let id = id.into_inner();
    let shown = id.clone();
    if store.call(move |s| s.revoke_session(&id)).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(Error::NotFound(format!(
            "no live session with id {shown:?}"
        )))
    }
}
