//! API tokens: list, create (the secret shown once), revoke.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Store_;
use crate::auth::Role;
use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{Admin, Params};
use crate::http::json::Json;
use crate::store::TokenInfo;

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
    let name = super::token_name(&name)?;
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
