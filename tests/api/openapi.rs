//! The OpenAPI document covers exactly the API routes of the app's table with their roles
//! (and `docs/api.md` every route), the open routes need no token, and the document
//! says what a property-based checker needs (SPEC §14): every status, the constraints, enums,
//! binary responses, nullable fields and optional bodies. `scripts/schemathesis` runs such a
//! checker against the live server; these tests pin what an outside probe once found missing.

use std::collections::BTreeMap;

use actix_web::dev::ResourceDef;
use horrors::app::ROUTES;
use horrors::auth::Role;
use horrors::http::{Kind, Method};
use serde_json::Value;

use crate::helpers::TestApp;

fn document() -> Value {
    let app = TestApp::spawn();
    let doc = app.call("GET", "/api/openapi.json", None, None, None, &[]);
    assert_eq!(doc.status, 200);
    doc.body
}

/// Follows a local `$ref` (`#/components/...`) once, or returns the value itself.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            doc.pointer(pointer)
                .unwrap_or_else(|| panic!("dangling {reference}"))
        }
        None => value,
    }
}

/// Every (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if ["get", "head", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                all.push((path.clone(), method.clone(), operation.clone()));
            }
        }
    }
    all
}

fn parameter<'a>(operation: &'a Value, name: &str) -> &'a Value {
    operation["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("no parameter {name}"))
}

fn property<'a>(doc: &'a Value, schema: &str, name: &str) -> &'a Value {
    let field = &doc["components"]["schemas"][schema]["properties"][name];
    assert!(field.is_object(), "{schema}.{name} is missing");
    field
}

fn nullable(doc: &Value, field: &Value) -> bool {
    let field = resolve(doc, field);
    field["type"]
        .as_array()
        .is_some_and(|types| types.iter().any(|t| t == "null"))
        || field["oneOf"]
            .as_array()
            .is_some_and(|variants| variants.iter().any(|v| v["type"] == "null"))
        || field["nullable"] == true
}

/// The app's table as the OpenAPI document should have it: (path, lower-case method) of
/// every API route, HEAD beside GET, with the least role (`None`: open).
fn api_table() -> BTreeMap<(String, String), Option<&'static str>> {
    let mut all = BTreeMap::new();
    for route in ROUTES.iter().filter(|route| route.kind == Kind::Api) {
        for endpoint in route.endpoints() {
            let role = endpoint.role.map(Role::as_str);
            let method = endpoint.method.as_str().to_lowercase();
            if endpoint.method == Method::Get {
                all.insert((route.path.to_string(), "head".to_string()), role);
            }
            all.insert((route.path.to_string(), method), role);
        }
    }
    all
}

/// The least role an operation's `bearer` requirement names; `None` when it has none.
fn documented_role(operation: &Value) -> Option<String> {
    operation["security"].as_array().map(|_| {
        operation["security"][0]["bearer"][0]
            .as_str()
            .unwrap_or("(no role)")
            .to_string()
    })
}

#[test]
fn openapi_documents_exactly_the_api_routes_of_the_table_and_is_open() {
    let app = TestApp::spawn();
    let doc = app.call("GET", "/api/openapi.json", None, None, None, &[]);
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let documented: BTreeMap<(String, String), Option<String>> = operations(&doc.body)
        .into_iter()
        .map(|(path, method, operation)| ((path, method), documented_role(&operation)))
        .collect();
    let table = api_table();
    for ((path, method), role) in &table {
        let label = format!("{} {path}", method.to_uppercase());
        let Some(documented) = documented.get(&(path.clone(), method.clone())) else {
            panic!("{label} is missing from the OpenAPI document");
        };
        assert_eq!(
            documented.as_deref(),
            *role,
            "{label}: the document's bearer role is not the table's"
        );
    }
    for (path, method) in documented.keys() {
        assert!(
            table.contains_key(&(path.clone(), method.clone())),
            "the document lists {} {path}, which is no API route of the table",
            method.to_uppercase()
        );
    }
    // Pages are for browsers: none of them is in the document.
    let paths = doc.body["paths"].as_object().unwrap();
    for route in ROUTES.iter().filter(|route| route.kind != Kind::Api) {
        assert!(!paths.contains_key(route.path), "{} is a page", route.path);
    }
    let tick = &paths["/api/ticks"]["post"];
    assert!(tick["requestBody"].is_object() && tick["responses"]["201"].is_object());
    let health = app.call("GET", "/healthz", None, None, None, &[]);
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
}

/// The route tables of `docs/api.md` (§2 Routes and §12 Pages): (method, path, role) of
/// each row, the role as the docs word it.
fn documented_routes() -> Vec<(String, String, String)> {
    let text = include_str!("../../docs/api.md");
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with("## ") {
            in_table = line == "## 2. Routes" || line == "## 12. Pages";
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | Method | Path | Role | What |
        if !in_table || cells.len() < 5 || !cells[2].starts_with('`') {
            continue;
        }
        for method in cells[1].split(',').map(str::trim) {
            for path in cells[2].split(',').map(|p| p.trim().trim_matches('`')) {
                rows.push((method.to_string(), path.to_string(), cells[3].to_string()));
            }
        }
    }
    rows
}

/// `docs/api.md` lists every method of the table, with its role, and nothing else.
#[test]
fn the_documentation_lists_the_routes_of_the_table() {
    let docs = documented_routes();
    assert!(docs.len() > 20, "the tables of docs/api.md were not found");
    // The docs' words for a route anyone may call ("session": logging out, which needs
    // none to work), and for a role, by its first word ("staff (own ticks) / admin").
    let role_of = |words: &str| match words.split_whitespace().next() {
        Some("none" | "anyone" | "session") => None,
        Some(word) => Some(Role::parse(word).unwrap_or_else(|e| panic!("docs/api.md: {e}"))),
        None => panic!("docs/api.md: a route without a role"),
    };
    // A documented path such as `/charts/{name}.svg` stands for the route that answers it.
    let answers = |pattern: &str, path: &str| {
        let sample = path
            .split('/')
            .map(|segment| segment.replace(['{', '}'], ""))
            .collect::<Vec<_>>()
            .join("/");
        pattern == path || ResourceDef::new(pattern).is_match(&sample)
    };
    for (method, path, words) in &docs {
        let route = ROUTES
            .iter()
            .find(|route| answers(route.path, path))
            .unwrap_or_else(|| panic!("docs/api.md lists {method} {path}, which is no route"));
        let endpoint = route
            .endpoints()
            .find(|e| e.method.as_str() == method)
            .unwrap_or_else(|| {
                panic!(
                    "docs/api.md lists {method} {path}: {} has no {method}",
                    route.path
                )
            });
        assert_eq!(
            role_of(words),
            endpoint.role,
            "docs/api.md: the role of {method} {path} is not the table's"
        );
    }
    for route in ROUTES {
        for endpoint in route.endpoints() {
            let method = endpoint.method.as_str();
            assert!(
                docs.iter()
                    .any(|(m, path, _)| m == method && answers(route.path, path)),
                "{method} {} is missing from the route tables of docs/api.md",
                route.path
            );
        }
    }
}

#[test]
fn every_operation_lists_the_errors_it_can_answer() {
    let doc = document();
    for (path, method, operation) in operations(&doc) {
        let responses = operation["responses"].as_object().unwrap();
        let has = |status: &str| responses.contains_key(status);
        let label = format!("{} {path}", method.to_uppercase());
        for (status, response) in responses {
            let response = resolve(&doc, response);
            assert!(
                response["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{label} {status} has no description"
            );
        }
        if operation["security"].is_array() {
            for status in ["401", "422", "429", "503"] {
                assert!(has(status), "{label} needs a token but lists no {status}");
            }
            let role = operation["security"][0]["bearer"][0].as_str();
            assert!(
                matches!(role, Some("staff" | "viewer" | "admin")),
                "{label} names its least role: {role:?}"
            );
            if role != Some("staff") || method != "get" && method != "head" {
                assert!(has("403"), "{label} can be forbidden but lists no 403");
            }
        } else {
            assert_eq!(
                api_table().get(&(path.clone(), method.clone())),
                Some(&None),
                "{label} is open in the document, not in the table"
            );
        }
        if operation["requestBody"].is_object() {
            for status in ["400", "408", "413", "415", "422"] {
                assert!(has(status), "{label} takes a body but lists no {status}");
            }
        }
        if path.contains('{') {
            assert!(has("404"), "{label} has a path parameter but lists no 404");
        }
        for status in ["429", "503"] {
            if let Some(response) = responses.get(status) {
                let header = &resolve(&doc, response)["headers"]["Retry-After"];
                assert_eq!(header["required"], true, "{label} {status} has Retry-After");
            }
        }
        if let Some(response) = responses.get("401") {
            let header = &resolve(&doc, response)["headers"]["WWW-Authenticate"];
            assert!(header.is_object(), "{label} 401 has WWW-Authenticate");
        }
    }
}

#[test]
fn head_is_documented_beside_every_get() {
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if let Some(get) = item.get("get") {
            let head = &item["head"];
            assert!(head.is_object(), "HEAD {path} is missing");
            assert_eq!(head["responses"], get["responses"], "HEAD {path}");
            assert_eq!(head["parameters"], get["parameters"], "HEAD {path}");
            assert_ne!(head["operationId"], get["operationId"], "HEAD {path}");
        }
    }
}

#[test]
fn charts_are_named_by_an_enum_and_come_as_svg_or_png() {
    let doc = document();
    let chart = &doc["paths"]["/charts/{file}"]["get"];
    let names: Vec<&str> = parameter(chart, "file")["schema"]["enum"]
        .as_array()
        .expect("the chart file is an enum")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for name in ["pareto", "cost", "trend", "compare", "matrix"] {
        for format in ["svg", "png"] {
            let file = format!("{name}.{format}");
            assert!(names.contains(&file.as_str()), "{file} in {names:?}");
        }
    }
    assert_eq!(names.len(), 10);
    let content = &chart["responses"]["200"]["content"];
    assert_eq!(content["image/svg+xml"]["schema"]["type"], "string");
    let png = resolve(&doc, &content["image/png"]["schema"]);
    assert_eq!(
        (&png["type"], &png["format"]),
        (&"string".into(), &"binary".into())
    );
    assert!(chart["responses"]["304"].is_object());
    for size in ["width", "height"] {
        let schema = &parameter(chart, size)["schema"];
        assert_eq!(
            (&schema["minimum"], &schema["maximum"]),
            (&300.into(), &3000.into())
        );
    }
}

#[test]
fn downloads_are_declared_as_what_they_are() {
    let doc = document();
    let zip = &doc["paths"]["/api/export/annual.zip"]["get"]["responses"]["200"]["content"];
    let schema = resolve(&doc, &zip["application/zip"]["schema"]);
    assert_eq!(schema["type"], "string", "annual.zip is binary: {zip}");
    assert_eq!(schema["format"], "binary", "annual.zip is binary: {zip}");
    for csv in ["/api/export/ticks.csv", "/api/export/ranking.csv"] {
        let content = &doc["paths"][csv]["get"]["responses"]["200"]["content"];
        assert_eq!(content["text/csv"]["schema"]["type"], "string", "{csv}");
    }
}

#[test]
fn nullable_fields_say_so_and_the_void_body_is_optional() {
    let doc = document();
    for (schema, name) in [
        ("CatalogueChange", "before"),
        ("CatalogueChange", "after"),
        ("CatalogueChange", "actor"),
        ("Tick", "department"),
        ("Tick", "note"),
        ("Tick", "void_reason"),
        ("TickPage", "next_before_id"),
        ("RankedItem", "change_pct"),
        ("FocusResult", "change_pct"),
        ("TokenInfo", "revoked_at"),
        ("HorrorView", "description"),
    ] {
        assert!(
            nullable(&doc, property(&doc, schema, name)),
            "{schema}.{name} may be null"
        );
    }
    let void = &doc["paths"]["/api/ticks/{id}/void"]["post"]["requestBody"];
    assert_ne!(void["required"], true, "the void body is optional: {void}");
    let schema = resolve(&doc, &void["content"]["application/json"]["schema"]);
    assert_eq!(
        schema["type"], "object",
        "the void body is an object, not null"
    );
}

#[test]
fn request_constraints_are_stated() {
    let doc = document();
    let horrors = property(&doc, "CatalogueInput", "horrors");
    assert_eq!(
        (&horrors["minItems"], &horrors["maxItems"]),
        (&5.into(), &8.into())
    );
    let key = property(&doc, "HorrorInput", "key");
    assert_eq!(key["pattern"], "^[a-z0-9-]{1,40}$");
    let pain = property(&doc, "HorrorInput", "pain");
    assert_eq!(
        (&pain["minimum"], &pain["maximum"]),
        (&1.into(), &10.into())
    );
    let name = property(&doc, "HorrorInput", "name");
    assert_eq!(name["maxLength"], 60);
    assert!(name["pattern"].is_string());
    for (schema, field) in [("HorrorInput", "unit_cost"), ("TickInput", "cost")] {
        let pattern = property(&doc, schema, field)["pattern"].as_str().unwrap();
        // The fixture's currency is USD: two minor digits.
        assert!(pattern.contains("{1,2}"), "{schema}.{field}: {pattern}");
    }
    let qty = property(&doc, "TickInput", "qty");
    assert_eq!(
        (&qty["minimum"], &qty["maximum"]),
        (&1.into(), &1000.into())
    );
    assert_eq!(property(&doc, "TickInput", "note")["maxLength"], 500);
    assert_eq!(
        property(&doc, "TickInput", "occurred_at")["format"],
        "date-time"
    );
    let ticks = property(&doc, "BatchInput", "ticks");
    assert_eq!(
        (&ticks["minItems"], &ticks["maxItems"]),
        (&1.into(), &1000.into())
    );
    let focus = property(&doc, "CycleInput", "focus");
    assert_eq!(
        (&focus["maxItems"], &focus["uniqueItems"]),
        (&3.into(), &true.into())
    );
    assert_eq!(property(&doc, "CycleInput", "start")["format"], "date");
    assert!(property(&doc, "TokenInput", "name")["pattern"].is_string());
    for schema in [
        "TickInput",
        "HorrorInput",
        "CatalogueInput",
        "CycleInput",
        "TokenInput",
    ] {
        assert_eq!(
            doc["components"]["schemas"][schema]["additionalProperties"], false,
            "{schema} refuses unknown fields"
        );
    }
    for (schema, values) in [
        ("Role", vec!["staff", "viewer", "admin"]),
        ("Source", vec!["internal", "complaint", "observer", "sheet"]),
        ("By", vec!["priority", "count", "cost", "pain"]),
        ("Bucket", vec!["day", "week", "month"]),
    ] {
        let listed: Vec<&str> = doc["components"]["schemas"][schema]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema} is an enum"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(listed, values, "{schema}");
    }
    let idempotency = parameter(&doc["paths"]["/api/ticks"]["post"], "Idempotency-Key");
    assert_eq!(idempotency["in"], "header");
    assert_eq!(idempotency["schema"]["type"], "string");
    assert!(idempotency["schema"]["pattern"]
        .as_str()
        .is_some_and(|p| p.contains("{1,100}")));
    for route in [
        "/api/ticks",
        "/api/ranking",
        "/api/trend",
        "/api/export/ticks.csv",
        "/api/export/ranking.csv",
        "/charts/{file}",
    ] {
        let get = &doc["paths"][route]["get"];
        let days = &parameter(get, "days")["schema"];
        assert_eq!(
            (&days["minimum"], &days["maximum"]),
            (&1.into(), &3660.into()),
            "{route}"
        );
        for date in ["from", "to"] {
            assert_eq!(
                parameter(get, date)["schema"]["format"],
                "date",
                "{route} {date}"
            );
        }
    }
    let limit = &parameter(&doc["paths"]["/api/ticks"]["get"], "limit")["schema"];
    assert_eq!(
        (&limit["minimum"], &limit["maximum"]),
        (&1.into(), &1000.into())
    );
    let year = &parameter(&doc["paths"]["/api/export/annual.zip"]["get"], "year")["schema"];
    assert_eq!(
        (&year["minimum"], &year["maximum"]),
        (&1970.into(), &9998.into())
    );
    // A query parameter is optional by being left out; it is never `null`.
    for (path, method, operation) in operations(&doc) {
        for p in operation["parameters"].as_array().into_iter().flatten() {
            assert!(
                !nullable(&doc, &p["schema"]),
                "{method} {path} {}: a parameter cannot be null",
                p["name"]
            );
        }
    }
}

#[test]
fn configured_departments_are_an_enum() {
    let doc = document();
    let department = property(&doc, "TickInput", "department");
    assert_eq!(
        department["enum"],
        serde_json::json!(["Dispatch", "Warehouse", "Drivers", null]),
        "{department}"
    );
    let config: String = crate::helpers::CONFIG
        .lines()
        .filter(|line| !line.starts_with("departments"))
        .map(|line| format!("{line}\n"))
        .collect();
    let app = TestApp::spawn_with(&config);
    let doc = app
        .call("GET", "/api/openapi.json", None, None, None, &[])
        .body;
    let department = property(&doc, "TickInput", "department");
    assert!(department["enum"].is_null(), "{department}");
    assert_eq!(department["maxLength"], 60, "{department}");
}
