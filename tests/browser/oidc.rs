//! Sign-in with the organization's identity provider (SPEC §21) in the real browser,
//! against the real test provider from PyPI (`oidc-provider-mock`, a process of its own):
//! a person in no mapped group is refused with a clear page; an executive clicks the button
//! on /login, signs in at the provider, and lands on the dashboard as a viewer. Nothing
//! secret reaches the server's log.

use serde_json::json;

use crate::common::oidc_mock;

use crate::cdp::{q, DESKTOP};
use crate::server::Server;
use crate::{Suite, CONFIG};

const SECRET: &str = "browser-test-client-secret";

pub fn executive_signs_in(s: &mut Suite) {
    let Some(provider) = oidc_mock::MockProvider::start(&[
        json!({"sub": "eve", "name": "Eve Exec", "groups": ["executives"]}),
        json!({"sub": "vic", "name": "Vic Visitor", "groups": ["visitors"]}),
    ]) else {
        return;
    };
    // The redirect URL names the server's port, so the port is chosen first.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let origin = format!("http://127.0.0.1:{port}");
    let config = format!(
        r#"{CONFIG}
[auth.oidc]
issuer = "{issuer}"
client_id = "horrors"
client_secret_env = "HORRORS_OIDC_SECRET"
redirect_url = "{origin}/auth/callback"
display_name = "Acme login"

[auth.oidc.roles]
admin = ["quality-leads"]
viewer = ["executives", "station-managers"]
staff = ["floor"]
"#,
        issuer = provider.issuer
    );
    let server = Server::start_with(
        &config,
        false,
        &format!("127.0.0.1:{port}"),
        &[
            ("HORRORS_OIDC_SECRET", SECRET),
            ("HORRORS_LOG", "info,access=info"),
        ],
    );
    assert_eq!(server.origin, origin);
    let admin = server.token("admin", "Ops admin");

    // Someone in no mapped group: the provider signs them in, horrors refuses, clearly.
    let page = s.browser.page(DESKTOP);
    // The provider's pages link a stylesheet on a CDN: nothing may leave this machine.
    page.block_urls(&["https://*"]);
    page.goto(&format!("{origin}/login"));
    assert_eq!(page.text(&q("#provider-login")), "Sign in with Acme login");
    s.shot(&page, "oidc-login-button.png");
    page.click_navigating(&q("#provider-login"));
    page.wait_for(&format!(
        "location.href.startsWith({}) && !!document.querySelector('button[value=vic]')",
        crate::cdp::js(&format!("{}/oauth2/authorize", provider.issuer))
    ));
    page.click_navigating(&q(r#"button[name="sub"][value="vic"]"#));
    page.wait_for(
        "location.pathname === '/auth/callback' && !!document.querySelector('#login-error')",
    );
    assert!(
        page.text(&q("#login-error"))
            .contains("Your account is in no group that may use horrors"),
        "{}",
        page.text(&q("body"))
    );
    let status = page
        .responses()
        .iter()
        .rev()
        .find(|r| r.document && r.url.contains("/auth/callback"))
        .map(|r| r.status);
    assert_eq!(status, Some(403));
    s.shot(&page, "oidc-no-group.png");
    // What the callback carried must not be in the server's log.
    let search = page.eval_str("location.search");
    let query: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(search.trim_start_matches('?')).unwrap();
    let sessions = server.api(&admin, "GET", "/api/sessions", None);
    assert_eq!(sessions.body["sessions"].as_array().unwrap().len(), 0);

    // An executive: the button, the provider, the dashboard as a viewer.
    let page = s.browser.page(DESKTOP);
    page.block_urls(&["https://*"]);
    page.goto(&format!("{origin}/login?next=/dashboard"));
    page.click_navigating(&q("#provider-login"));
    page.wait_for("location.pathname === '/oauth2/authorize' && !!document.querySelector('button[value=eve]')");
    page.click_navigating(&q(r#"button[name="sub"][value="eve"]"#));
    page.wait_for("location.pathname === '/dashboard' && document.readyState === 'complete'");
    assert_eq!(page.path(), "/dashboard");
    let body = page.text(&q("body"));
    assert!(body.contains("Eve Exec"), "{body}");
    s.shot(&page, "oidc-dashboard.png");
    let sessions = server.api(&admin, "GET", "/api/sessions", None);
    let listed = sessions.body["sessions"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["name"], "Eve Exec");
    assert_eq!(listed[0]["role"], "viewer");
    // A viewer reaches no admin page.
    page.goto(&format!("{origin}/admin"));
    assert!(page.text(&q("body")).contains("admin"));
    assert_ne!(page.path(), "/login");

    let logs = server.logs();
    assert!(logs.contains("identity provider sign-in refused"), "{logs}");
    assert!(
        logs.contains("signed in with the identity provider"),
        "{logs}"
    );
    for secret in [&query["code"], &query["state"], &SECRET.to_string()] {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret in the log:\n{logs}"
        );
    }
}
