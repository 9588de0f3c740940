//! Operations: the health check and who the credentials belong to.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::Store_;
use crate::auth::Role;
use crate::error::Result;
use crate::http::extract::{Params, Staff};

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

/// How long `/healthz` waits for the database to answer before it says `degraded`.
const PING_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Liveness and database check: 200 `ok`, or 503 `degraded` while writes cannot be stored.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "the service and its database answer", body = Health),
        (status = 503, description = "storage full or unwritable, or the database does not answer within 2 s", body = Health,
            headers(("Retry-After" = u32, description = "seconds to wait before trying again")))))]
pub async fn healthz(store: Store_) -> Result<HttpResponse> {
    // A database that hangs (a frozen server, a network that drops packets) is degraded
    // too: the answer does not wait for it past the limit.
    let ping = tokio::time::timeout(PING_LIMIT, store.call(|s| s.ping()));
    let degraded = store.degraded() || !matches!(ping.await, Ok(Ok(_)));
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
    let who = who.into_identity();
    Ok(HttpResponse::Ok().json(Me {
        name: who.name,
        role: who.role,
        site: who.site.map(String::from),
    }))
}
