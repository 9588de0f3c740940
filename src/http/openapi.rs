//! The OpenAPI 3 document, generated from the handlers' annotations.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::api;

#[derive(OpenApi)]
#[openapi(
    info(title = "horrors", description = "Tally, rank and chart the few failures that hurt customers most."),
    paths(
        api::healthz, document, api::list_horrors, api::put_horrors, api::horror_history,
        api::post_tick, api::post_batch, api::void_tick, api::list_ticks,
        api::ranking, api::trend, api::list_tokens, api::create_token, api::revoke_token, api::me,
        api::list_cycles, api::create_cycle, api::get_cycle, api::put_cycle,
        api::export_ticks, api::export_ranking, api::export_annual, api::chart,
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations", responses((status = 200, description = "OpenAPI 3 document")))]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
