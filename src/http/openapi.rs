//! The OpenAPI 3.1 document, generated from the handlers' annotations and completed here
//! with what every route shares (SPEC §4, §14): the error statuses each route can really
//! answer, `HEAD` beside every `GET`, and the constraints that come from the organization's
//! configuration (the currency's minor digits, the departments) and from the chart list.
//!
//! The aim is a document a property-based checker can trust both ways: every value it
//! allows is read by the server (or refused only for a reason no schema can say, such as an
//! unknown horror key or `from` after `to`), and every value it forbids is refused.

use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::api;
use crate::config::Settings;
use crate::error::{ErrorBody, Result};
use crate::store::Store;

#[derive(OpenApi)]
#[openapi(
    info(title = "horrors", description = "Tally, rank and chart the few failures that hurt customers most.\n\n\
        Every error is `{\"error\": {\"code\", \"message\", \"details\"?}}`. A method a path does not list \
        is 405 with `Allow`. `HEAD` is answered wherever `GET` is, with the same status and headers. \
        The `bearer` requirement names the least role an operation needs (staff < viewer < admin)."),
    paths(
        api::operations::healthz, document, api::catalogue::list_horrors, api::catalogue::put_horrors, api::catalogue::horror_history, api::catalogue::list_sites,
        api::volume::put_volume, api::volume::get_volume,
        api::ticks::post_tick, api::ticks::post_batch, api::ticks::void_tick, api::ticks::list_ticks,
        api::readings::ranking, api::readings::trend, api::readings::control, api::readings::alerts, api::tokens::list_tokens, api::tokens::create_token, api::tokens::revoke_token, api::operations::me,
        api::devices::create_enrolment, api::sessions::list_sessions, api::sessions::revoke_session,
        api::cycles::list_cycles, api::cycles::create_cycle, api::cycles::get_cycle, api::cycles::put_cycle,
        api::exports::export_ticks, api::exports::export_ranking, api::exports::export_annual, api::charts::chart,
        api::nominations::create_nomination, api::nominations::list_nominations, api::nominations::support_nomination,
        api::nominations::adopt_nomination, api::nominations::decline_nomination,
        api::sheets::post_sheet, api::sheets::delete_sheet, api::sheets::check_sheet,
    ),
    components(schemas(ErrorBody, crate::i18n::Lang)),
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
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "this OpenAPI 3.1 document", body = Object)))]
pub async fn document(store: web::Data<Store>) -> Result<HttpResponse> {
    let snapshot = store.snapshot()?;
    Ok(HttpResponse::Ok().json(openapi(&snapshot.settings)))
}

/// The complete document for an organization's settings.
pub fn openapi(settings: &Settings) -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    optional_values(&mut doc);
    shared_responses(&mut doc);
    per_organization(&mut doc, settings);
    head_beside_get(&mut doc);
    doc
}

/// An error answer in the one JSON shape, with the headers that always come with it.
fn error_response(description: &str, headers: &[(&str, &str, Value)]) -> Value {
    let mut response = json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    });
    if !headers.is_empty() {
        let headers: Map<String, Value> = headers
            .iter()
            .map(|(name, description, schema)| {
                (
                    name.to_string(),
                    json!({"description": description, "required": true, "schema": schema}),
                )
            })
            .collect();
        response["headers"] = Value::Object(headers);
    }
    response
}

/// The errors routes share, as `components/responses`, keyed by status.
fn shared_error_responses() -> Vec<(&'static str, &'static str, Value)> {
    let retry_after = || json!({"type": "integer", "minimum": 1});
    vec![
        ("400", "BadRequest", error_response(
            "malformed: the body is not JSON (`malformed_json`) or a header is unreadable (`bad_idempotency_key`)",
            &[],
        )),
        ("401", "Unauthorized", error_response(
            "no or bad credentials (`unauthorized`)",
            &[("WWW-Authenticate", "`Bearer realm=\"horrors\"`", json!({"type": "string", "pattern": "^Bearer"}))],
        )),
        ("403", "Forbidden", error_response(
            "the token's role is too low (`forbidden`), or a session request lacks its CSRF token (`csrf`)",
            &[],
        )),
        ("404", "NotFound", error_response("no such resource (`not_found`)", &[])),
        ("408", "RequestTimeout", error_response(
            "the body did not arrive within 15 s (`request_timeout`); the connection is closed",
            &[],
        )),
        ("413", "PayloadTooLarge", error_response(
            "the body is over the limit: 64 KiB, 2 MiB for a batch (`payload_too_large`)",
            &[],
        )),
        ("415", "UnsupportedMediaType", error_response(
            "the body is not sent as `Content-Type: application/json` (`unsupported_media_type`)",
            &[],
        )),
        ("422", "Unprocessable", error_response(
            "well-formed but invalid: a value out of range, the wrong JSON type (`invalid_body`), an unknown \
             field, or an unknown or repeated query parameter (`unknown_parameter`, `repeated_parameter`); \
             nothing was written",
            &[],
        )),
        ("429", "TooManyRequests", error_response(
            "too many failed authentications from this address within a minute (`too_many_attempts`)",
            &[("Retry-After", "seconds until this address may try again", retry_after())],
        )),
        ("503", "ServiceUnavailable", error_response(
            "the server is busy (`overloaded`: the write queue or the chart renderers are full) or storage is \
             full or unwritable (`storage_unavailable`: nothing was written; reads keep working)",
            &[("Retry-After", "seconds to wait before trying again", retry_after())],
        )),
    ]
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Calls `each` with every operation in the document and its method.
fn for_each_operation(doc: &mut Value, mut each: impl FnMut(&str, &mut Value)) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            if let Some(operation) = item.get_mut(method) {
                each(method, operation);
            }
        }
    }
}

/// Adds to every operation the errors it can answer besides its own: by its security
/// requirement (401, 403, 429, 503, and 422 for the strict query string every
/// authenticated route reads), its body (400, 408, 413, 415, 422), its headers (400) and
/// its path parameters (404).
fn shared_responses(doc: &mut Value) {
    let shared = shared_error_responses();
    let components = doc["components"]
        .as_object_mut()
        .expect("the document has components");
    let responses = components
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("components/responses is an object");
    for (_, name, response) in &shared {
        responses.insert(name.to_string(), response.clone());
    }
    for_each_operation(doc, |method, operation| {
        let mut statuses: Vec<&str> = Vec::new();
        let role = operation["security"]
            .as_array()
            .and_then(|s| s.first())
            .and_then(|r| r["bearer"].as_array())
            .map(|scopes| scopes.first().and_then(Value::as_str).unwrap_or("staff"));
        if let Some(role) = role {
            statuses.extend(["401", "422", "429", "503"]);
            // Staff is the least role: a staff route refuses only a session request
            // without its CSRF token, and only when it changes something.
            if role != "staff" || method != "get" {
                statuses.push("403");
            }
        }
        if operation.get("requestBody").is_some() {
            statuses.extend(["400", "408", "413", "415", "422"]);
        }
        let parameters = operation["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if parameters.iter().any(|p| p["in"] == "path") {
            statuses.push("404");
        }
        if parameters
            .iter()
            .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key")
        {
            statuses.push("400");
        }
        let responses = operation["responses"]
            .as_object_mut()
            .expect("every operation has responses");
        // A route's own 503 (`/healthz`) always says when to come back too.
        if let Some(headers) = responses
            .get_mut("503")
            .and_then(|r| r.get_mut("headers"))
            .and_then(|h| h.get_mut("Retry-After"))
        {
            headers["required"] = json!(true);
        }
        for status in statuses {
            let (_, name, _) = shared
                .iter()
                .find(|(s, _, _)| *s == status)
                .expect("a shared response for every status");
            responses
                .entry(status)
                .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
        }
    });
}

/// What utoipa spells for an `Option` where JSON null cannot be sent: a parameter is
/// optional by being left out (never `null`), and an optional body (`Option<T>`) is sent as
/// no body at all, not as `null`.
fn optional_values(doc: &mut Value) {
    for_each_operation(doc, |_, operation| {
        // (`get_mut`, not indexing: indexing a missing key would insert a null.)
        if let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        {
            for parameter in parameters {
                if let Some(types) = parameter["schema"]["type"].as_array() {
                    let types: Vec<Value> =
                        types.iter().filter(|t| *t != "null").cloned().collect();
                    parameter["schema"]["type"] = match types.as_slice() {
                        [one] => one.clone(),
                        _ => Value::Array(types),
                    };
                }
            }
        }
        if let Some(content) = operation
            .get_mut("requestBody")
            .and_then(|body| body.get_mut("content"))
            .and_then(Value::as_object_mut)
        {
            let mut optional = false;
            for media in content.values_mut() {
                let schema = &mut media["schema"];
                let variants = schema["oneOf"].as_array().cloned().unwrap_or_default();
                if let [null, other] = variants.as_slice() {
                    if null == &json!({"type": "null"}) {
                        *schema = other.clone();
                        optional = true;
                    }
                }
            }
            if optional {
                operation["requestBody"]["required"] = json!(false);
            }
        }
    });
}

/// Money, departments and chart names as this server reads them.
fn per_organization(doc: &mut Value, settings: &Settings) {
    let amount = amount_pattern(settings.currency().minor_digits());
    for (schema, property) in [("HorrorInput", "unit_cost"), ("TickInput", "cost")] {
        let field = &mut doc["components"]["schemas"][schema]["properties"][property];
        assert!(field.is_object(), "{schema}.{property} is in the document");
        field["pattern"] = json!(amount);
        field["description"] = json!(format!(
            "A non-negative decimal amount in {} with at most {} decimal places, such as `\"12.50\"`.",
            settings.currency,
            settings.currency().minor_digits()
        ));
    }
    // A focus names each horror once (utoipa has no `unique_items`).
    for schema in ["CycleInput", "CycleUpdate"] {
        let field = &mut doc["components"]["schemas"][schema]["properties"]["focus"];
        assert!(field.is_object(), "{schema}.focus is in the document");
        field["uniqueItems"] = json!(true);
    }
    if !settings.departments.is_empty() {
        let field = &mut doc["components"]["schemas"]["TickInput"]["properties"]["department"];
        assert!(field.is_object(), "TickInput.department is in the document");
        let mut names: Vec<Value> = settings.departments.iter().map(|d| json!(d)).collect();
        names.push(Value::Null);
        *field = json!({
            "type": ["string", "null"],
            "enum": names,
            "description": "One of the configured departments.",
        });
    }
    let charts: Vec<String> = crate::charts::ChartName::ALL
        .iter()
        .flat_map(|name| {
            [crate::charts::Format::Svg, crate::charts::Format::Png]
                .map(|format| format!("{}.{}", name.as_str(), format.extension()))
        })
        .collect();
    let parameters = doc["paths"]["/charts/{file}"]["get"]["parameters"]
        .as_array_mut()
        .expect("/charts/{file} has parameters");
    for parameter in parameters.iter_mut().filter(|p| p["name"] == "file") {
        parameter["schema"] = json!({"type": "string", "enum": charts});
    }
}

/// The pattern of an amount [`crate::money::Currency::parse_amount`] accepts: digits, an
/// optional fraction of 1..=`digits` digits, at most [`crate::money::MAX_AMOUNT_MINOR`]
/// minor units (a power of ten: any shorter whole part, or exactly the power itself).
pub fn amount_pattern(digits: u32) -> String {
    let max_digits = crate::money::MAX_AMOUNT_MINOR.ilog10();
    debug_assert_eq!(10_i64.pow(max_digits), crate::money::MAX_AMOUNT_MINOR);
    let whole = max_digits - digits;
    if digits == 0 {
        format!("^0*([0-9]{{1,{whole}}}|10{{{whole}}})$")
    } else {
        format!(
            "^0*([0-9]{{1,{whole}}}(\\.[0-9]{{1,{digits}}})?|10{{{whole}}}(\\.0{{1,{digits}}})?)$"
        )
    }
}

/// `HEAD` beside every `GET`: the same parameters, statuses and headers, never a body.
fn head_beside_get(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(get) = item.get("get").cloned() else {
            continue;
        };
        let mut head = get;
        if let Some(id) = head["operationId"].as_str() {
            head["operationId"] = json!(format!("{id}_head"));
        }
        let summary = head["summary"].as_str().unwrap_or_default().to_string();
        head["summary"] = json!(format!("{summary} (HEAD: headers only)"));
        item["head"] = head;
    }
}
