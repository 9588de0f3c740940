//! The OpenAPI document covers every route, and the open routes need no token.

use crate::helpers::TestApp;

#[test]
fn openapi_covers_every_route_and_is_open() {
    let app = TestApp::spawn();
    let doc = app.call("GET", "/api/openapi.json", None, None, None, &[]);
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc.body["paths"].as_object().unwrap();
    for route in horrors::http::ROUTES {
        assert!(
            paths.contains_key(*route),
            "{route} is missing from the OpenAPI document"
        );
    }
    assert_eq!(
        paths.len(),
        horrors::http::ROUTES.len(),
        "the document lists a route the server does not have"
    );
    let tick = &paths["/api/ticks"]["post"];
    assert!(tick["requestBody"].is_object() && tick["responses"]["201"].is_object());
    let health = app.call("GET", "/healthz", None, None, None, &[]);
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
}
