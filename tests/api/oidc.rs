//! Sign-in with an identity provider (SPEC §21) against a real provider process of the
//! test's own: an HTTP server on port 0 that publishes discovery and an RSA key made in the
//! test, checks PKCE at its token endpoint, redeems each code once, and hands out whichever
//! ID token the test made for that code, so that every bad case is a real token from a
//! real provider: wrong audience, wrong issuer, expired (by the server's injected clock),
//! `alg: none`, an unknown `kid`, a replayed nonce, no mapped group, an unknown site.
//! The PyPI provider (`oidc-provider-mock`) is driven in `oidc_mock_provider_*` and in the
//! browser test.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use rsa::pkcs1v15::SigningKey;
use rsa::sha2::{Digest, Sha256};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};

use crate::common::oidc_mock::MockProvider;
use crate::helpers::{Reply, TestApp, CONFIG};
use crate::sites::SITES;

/// The client secret the tests configure (and the provider expects).
const SECRET: &str = "test-client-secret";

/// `[auth.oidc]` for a provider at `issuer`.
pub fn oidc_section(issuer: &str, redirect: &str) -> String {
    format!(
        r#"
[auth.oidc]
issuer = "{issuer}"
client_id = "horrors"
client_secret_env = "HORRORS_TEST_OIDC_SECRET"
redirect_url = "{redirect}"
display_name = "Acme login"
site_claim = "site"

[auth.oidc.roles]
admin = ["quality-leads"]
viewer = ["executives", "station-managers"]
staff = ["floor"]
"#
    )
}

/// An app whose `[auth.oidc]` points at `issuer`, with three sites.
pub fn spawn_with_provider(issuer: &str) -> TestApp {
    // The redirect URL names the app's own port, which is known only once it listens:
    // the callback is called directly by the tests, so any URL on /auth/callback serves.
    let text = format!(
        "{CONFIG}\n{SITES}\n{}",
        oidc_section(issuer, "http://127.0.0.1:1/auth/callback")
    );
    let config = horrors::config::parse(&text).unwrap();
    let oidc = horrors::oidc::Oidc::new(config.oidc.clone().unwrap(), SECRET.into());
    TestApp::spawn_with_options(
        &text,
        horrors::http::HttpOptions {
            auth_failures: Some(1_000_000),
            oidc: Some(Arc::new(oidc)),
            ..Default::default()
        },
    )
}

// ---------------------------------------------------------------------------------------
// The test's own provider.

/// A code the provider will redeem once: the PKCE challenge it was issued for and the ID
/// token it answers with.
struct Grant {
    challenge: String,
    id_token: String,
}

#[derive(Default)]
struct ProviderState {
    grants: HashMap<String, Grant>,
    /// Token requests answered, for the assertion that a refused state never reached it.
    exchanges: usize,
}

pub struct TinyProvider {
    pub base: String,
    key: RsaPrivateKey,
    /// A key the provider never publishes (for the unknown `kid`).
    stranger: RsaPrivateKey,
    state: Arc<Mutex<ProviderState>>,
}

fn jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
        "n": B64.encode(key.n().to_bytes_be()),
        "e": B64.encode(key.e().to_bytes_be()),
    })
}

impl TinyProvider {
    pub fn start() -> TinyProvider {
        let mut rng = rand::thread_rng();
        let key = RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let stranger = RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let state = Arc::new(Mutex::new(ProviderState::default()));
        let discovery = json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "jwks_uri": format!("{base}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            // "none" is advertised on purpose: horrors must never accept it anyway.
            "id_token_signing_alg_values_supported": ["RS256", "none"],
            "code_challenge_methods_supported": ["S256"],
        });
        let jwks = json!({"keys": [jwk(&key, "k1")]});
        let shared = state.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                use actix_web::{web, App, HttpResponse, HttpServer};
                let state = web::Data::from(shared);
                HttpServer::new(move || {
                    let (discovery, jwks) = (discovery.clone(), jwks.clone());
                    App::new()
                        .app_data(state.clone())
                        .route(
                            "/.well-known/openid-configuration",
                            web::get().to(move || {
                                let d = discovery.clone();
                                async move { HttpResponse::Ok().json(d) }
                            }),
                        )
                        .route(
                            "/jwks",
                            web::get().to(move || {
                                let j = jwks.clone();
                                async move { HttpResponse::Ok().json(j) }
                            }),
                        )
                        .route("/token", web::post().to(token_endpoint))
                })
                .workers(1)
                .listen(listener)
                .unwrap()
                .run()
                .await
                .unwrap();
            })
        });
        TinyProvider {
            base,
            key,
            stranger,
            state,
        }
    }

    /// The claims a good ID token for `start` carries, valid for five minutes from `now`.
    pub fn claims(&self, app: &TestApp, start: &Start, groups: &[&str]) -> Value {
        let now = app.now().timestamp();
        json!({
            "iss": self.base, "aud": "horrors", "sub": "ana-lee",
            "iat": now, "exp": now + 300, "nonce": start.nonce,
            "name": "Ana Lee", "email": "ana@example.com", "groups": groups,
        })
    }

    /// A compact JWT with `claims`, signed as `how` says.
    pub fn token(&self, claims: &Value, how: Sign) -> String {
        let (header, key) = match how {
            Sign::Good => (
                json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
                &self.key,
            ),
            // The published key itself, under a kid the provider does not list.
            Sign::UnknownKid => (
                json!({"alg": "RS256", "kid": "k9", "typ": "JWT"}),
                &self.key,
            ),
            Sign::Forged => (
                json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
                &self.stranger,
            ),
            Sign::None => {
                let header = B64.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
                let payload = B64.encode(claims.to_string());
                return format!("{header}.{payload}.");
            }
        };
        let input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let signature = SigningKey::<Sha256>::new(key.clone())
            .sign(input.as_bytes())
            .to_vec();
        format!("{input}.{}", B64.encode(signature))
    }

    /// Issues `code` for the sign-in `start` (its PKCE challenge), answered with `id_token`.
    pub fn grant(&self, code: &str, start: &Start, id_token: String) {
        self.state.lock().unwrap().grants.insert(
            code.to_string(),
            Grant {
                challenge: start.challenge.clone(),
                id_token,
            },
        );
    }

    pub fn exchanges(&self) -> usize {
        self.state.lock().unwrap().exchanges
    }
}

/// How the provider signs a token.
#[derive(Clone, Copy)]
pub enum Sign {
    Good,
    /// Under a `kid` the provider does not list.
    UnknownKid,
    /// Under the published `kid`, with a key the provider never published.
    Forged,
    /// `alg: none`, no signature.
    None,
}

/// The token endpoint: client authentication, the code once, PKCE S256.
async fn token_endpoint(
    req: actix_web::HttpRequest,
    state: actix_web::web::Data<Mutex<ProviderState>>,
    form: actix_web::web::Form<HashMap<String, String>>,
) -> actix_web::HttpResponse {
    use actix_web::HttpResponse;
    let refuse = |error: &str| HttpResponse::BadRequest().json(json!({"error": error}));
    let basic = format!("Basic {}", {
        use base64::engine::general_purpose::STANDARD;
        STANDARD.encode(format!("horrors:{SECRET}"))
    });
    let authorized = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(basic.as_str());
    if !authorized {
        return HttpResponse::Unauthorized().json(json!({"error": "invalid_client"}));
    }
    let mut state = state.lock().unwrap();
    state.exchanges += 1;
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return refuse("unsupported_grant_type");
    }
    let Some(grant) = form.get("code").and_then(|c| state.grants.remove(c)) else {
        return refuse("invalid_grant");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if B64.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return refuse("invalid_grant");
    }
    HttpResponse::Ok().json(json!({
        "access_token": "at-not-used", "token_type": "Bearer", "expires_in": 300,
        "id_token": grant.id_token,
    }))
}

// ---------------------------------------------------------------------------------------
// The browser's side, by hand.

/// A sign-in started at `/auth/login`: what the provider was sent, and the browser's cookie.
pub struct Start {
    pub state: String,
    pub nonce: String,
    pub challenge: String,
    pub cookie: String,
    pub query: HashMap<String, String>,
    /// The provider's authorization URL the browser was sent to.
    pub location: String,
}

pub fn start(app: &TestApp) -> Start {
    let reply = app.call("GET", "/auth/login?next=/dashboard", None, None, None, &[]);
    assert_eq!(reply.status, 302, "{}", reply.text);
    let location = reply.header("location").expect("a Location").to_string();
    let (_, query) = location.split_once('?').expect("a query");
    let query: HashMap<String, String> = serde_urlencoded::from_str(query).unwrap();
    let cookie = reply
        .header("set-cookie")
        .expect("the state cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    Start {
        state: query["state"].clone(),
        nonce: query["nonce"].clone(),
        challenge: query["code_challenge"].clone(),
        cookie,
        query,
        location,
    }
}

/// The provider sends the browser back with `code` and `state`, and `cookie`.
pub fn callback(app: &TestApp, code: &str, state: &str, cookie: Option<&str>) -> Reply {
    let query = serde_urlencoded::to_string([("code", code), ("state", state)]).unwrap();
    let headers: Vec<(&str, &str)> = cookie.map(|c| vec![("Cookie", c)]).unwrap_or_default();
    app.call(
        "GET",
        &format!("/auth/callback?{query}"),
        None,
        None,
        None,
        &headers,
    )
}

/// The session cookie a reply set, if any (a removal does not count).
pub fn session_cookie(reply: &Reply) -> Option<String> {
    reply
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("horrors_session=") && c.len() > "horrors_session=".len())
}

fn sessions(app: &TestApp) -> Vec<Value> {
    app.get("/api/sessions", &app.admin).body["sessions"]
        .as_array()
        .unwrap()
        .clone()
}

/// A refusal: the login page with `status` and `message`, no session made.
#[track_caller]
fn assert_refused(app: &TestApp, reply: &Reply, status: u16, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert!(
        reply
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/html"),
        "a page"
    );
    assert!(
        reply.text.contains(message),
        "{message:?} in {}",
        reply.text
    );
    assert!(reply.text.contains("Sign in with Acme login"), "the button");
    assert_eq!(session_cookie(reply), None);
    assert!(sessions(app).is_empty(), "no session: {:?}", sessions(app));
}

// ---------------------------------------------------------------------------------------

#[test]
fn oidc_an_executive_signs_in_as_a_viewer_with_the_same_session_as_a_token() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let login = app.call("GET", "/login", None, None, None, &[]);
    assert!(
        login.text.contains("Sign in with Acme login"),
        "{}",
        login.text
    );

    let s = start(&app);
    // The authorization request: code flow, PKCE S256, state, nonce, the client's own id.
    assert_eq!(s.query["response_type"], "code");
    assert_eq!(s.query["client_id"], "horrors");
    assert_eq!(s.query["code_challenge_method"], "S256");
    assert_eq!(s.query["redirect_uri"], "http://127.0.0.1:1/auth/callback");
    assert!(s.query["scope"].split(' ').any(|w| w == "openid"));
    assert!(s.state.len() >= 16 && s.nonce.len() >= 16);

    let claims = provider.claims(&app, &s, &["floor", "executives"]);
    provider.grant("c1", &s, provider.token(&claims, Sign::Good));
    let reply = callback(&app, "c1", &s.state, Some(&s.cookie));
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/dashboard"));
    let cookie = session_cookie(&reply).expect("a session cookie");

    // The dashboard opens with it, as a viewer.
    let page = app.call(
        "GET",
        "/dashboard",
        None,
        None,
        None,
        &[("Cookie", &cookie)],
    );
    assert_eq!(page.status, 200, "{}", page.text);
    // Listed like any session, with the provider's name for the person.
    let listed = sessions(&app);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["name"], "Ana Lee");
    assert_eq!(listed[0]["role"], "viewer");
    assert_eq!(listed[0]["site"], Value::Null);
    // A viewer's page session reaches no admin page.
    let admin = app.call("GET", "/admin", None, None, None, &[("Cookie", &cookie)]);
    assert_eq!(admin.status, 403);

    // Signing in again reuses the person's token: two sessions, one token.
    let s2 = start(&app);
    let claims = provider.claims(&app, &s2, &["executives"]);
    provider.grant("c2", &s2, provider.token(&claims, Sign::Good));
    let again = callback(&app, "c2", &s2.state, Some(&s2.cookie));
    assert_eq!(again.status, 303, "{}", again.text);
    let listed = sessions(&app);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["token_id"], listed[1]["token_id"]);

    // Revoked by an admin: the page sends the person back to log in.
    let id = listed
        .iter()
        .find(|s| s["id"] == horrors::store::sessions::id_of_secret(&cookie[16..]))
        .expect("the first session")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revoked = app.post(
        &format!("/api/sessions/{id}/revoke"),
        &app.admin,
        &json!({}),
    );
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    let page = app.call(
        "GET",
        "/dashboard",
        None,
        None,
        None,
        &[("Cookie", &cookie)],
    );
    assert_eq!(page.status, 303);
    assert_eq!(sessions(&app).len(), 1);
}

#[test]
fn oidc_the_highest_group_wins_and_the_site_claim_binds_the_session() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let s = start(&app);
    let mut claims = provider.claims(&app, &s, &[]);
    // A single string is one value.
    claims["groups"] = json!("floor");
    claims["site"] = json!("tokyo");
    provider.grant("c1", &s, provider.token(&claims, Sign::Good));
    let reply = callback(&app, "c1", &s.state, Some(&s.cookie));
    assert_eq!(reply.status, 303, "{}", reply.text);
    let listed = sessions(&app);
    assert_eq!(listed[0]["role"], "staff");
    assert_eq!(listed[0]["site"], "tokyo");

    let s = start(&app);
    let mut claims = provider.claims(&app, &s, &["floor", "quality-leads", "executives"]);
    claims["sub"] = json!("boss-2");
    provider.grant("c2", &s, provider.token(&claims, Sign::Good));
    let reply = callback(&app, "c2", &s.state, Some(&s.cookie));
    assert_eq!(reply.status, 303, "{}", reply.text);
    let cookie = session_cookie(&reply).unwrap();
    let admin = app.call("GET", "/admin", None, None, None, &[("Cookie", &cookie)]);
    assert_eq!(admin.status, 200, "the admin group wins");
}

#[test]
fn oidc_a_forged_missing_or_replayed_state_is_refused_before_the_provider() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let s = start(&app);
    let claims = provider.claims(&app, &s, &["executives"]);
    provider.grant("c1", &s, provider.token(&claims, Sign::Good));

    let not_valid = "This sign-in is not valid";
    // Forged: a state nobody issued, with a matching cookie.
    let forged = callback(
        &app,
        "c1",
        "forged-state",
        Some("horrors_oidc_state=forged-state"),
    );
    assert_refused(&app, &forged, 400, not_valid);
    // Missing.
    let missing = app.call(
        "GET",
        "/auth/callback?code=c1",
        None,
        None,
        None,
        &[("Cookie", &s.cookie)],
    );
    assert_refused(&app, &missing, 400, not_valid);
    // The real state, from another browser (no cookie, or another cookie).
    let elsewhere = callback(&app, "c1", &s.state, None);
    assert_refused(&app, &elsewhere, 400, not_valid);
    let other = callback(
        &app,
        "c1",
        &s.state,
        Some("horrors_oidc_state=someone-else"),
    );
    assert_refused(&app, &other, 400, not_valid);
    assert_eq!(provider.exchanges(), 0, "no code was sent to the provider");

    // The real one works once; the same callback again is refused.
    let ok = callback(&app, "c1", &s.state, Some(&s.cookie));
    assert_eq!(ok.status, 303, "{}", ok.text);
    let replay = callback(&app, "c1", &s.state, Some(&s.cookie));
    assert_eq!(replay.status, 400, "{}", replay.text);
    assert!(replay.text.contains(not_valid));
    assert_eq!(session_cookie(&replay), None);
    assert_eq!(sessions(&app).len(), 1);
}

#[test]
fn oidc_a_state_expires_after_ten_minutes_by_the_servers_clock() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let s = start(&app);
    app.clock.advance(chrono::Duration::minutes(10));
    let claims = provider.claims(&app, &s, &["executives"]);
    provider.grant("c1", &s, provider.token(&claims, Sign::Good));
    let reply = callback(&app, "c1", &s.state, Some(&s.cookie));
    assert_refused(&app, &reply, 400, "This sign-in is not valid");
}

#[test]
fn oidc_a_replayed_code_is_refused() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let s = start(&app);
    let claims = provider.claims(&app, &s, &["executives"]);
    provider.grant("c1", &s, provider.token(&claims, Sign::Good));
    assert_eq!(callback(&app, "c1", &s.state, Some(&s.cookie)).status, 303);
    let before = sessions(&app);
    // A fresh sign-in, finished with the used code: the provider refuses it.
    let s2 = start(&app);
    let reply = callback(&app, "c1", &s2.state, Some(&s2.cookie));
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert!(
        reply.text.contains("could not be verified"),
        "{}",
        reply.text
    );
    assert_eq!(session_cookie(&reply), None);
    assert_eq!(sessions(&app), before);
}

#[test]
fn oidc_bad_id_tokens_are_refused_with_no_session() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let unverified = "could not be verified";
    type Spoil = fn(&mut Value, &TestApp);
    let cases: &[(&str, Spoil, Sign)] = &[
        (
            "token for another audience",
            |c, _| c["aud"] = json!("other-app"),
            Sign::Good,
        ),
        (
            "another audience beside ours",
            |c, _| c["aud"] = json!(["horrors", "other-app"]),
            Sign::Good,
        ),
        (
            "wrong issuer",
            |c, _| c["iss"] = json!("http://127.0.0.1:9/evil"),
            Sign::Good,
        ),
        (
            "expired",
            |c, app| {
                let now = app.now().timestamp();
                c["iat"] = json!(now - 900);
                c["exp"] = json!(now - 600);
            },
            Sign::Good,
        ),
        ("alg none", |_, _| {}, Sign::None),
        ("unknown kid", |_, _| {}, Sign::UnknownKid),
        ("signed with another key", |_, _| {}, Sign::Forged),
        ("no nonce", |c, _| c["nonce"] = Value::Null, Sign::Good),
    ];
    for (i, (what, spoil, sign)) in cases.iter().enumerate() {
        let s = start(&app);
        let mut claims = provider.claims(&app, &s, &["executives"]);
        spoil(&mut claims, &app);
        if claims["nonce"].is_null() {
            claims.as_object_mut().unwrap().remove("nonce");
        }
        let code = format!("bad{i}");
        provider.grant(&code, &s, provider.token(&claims, *sign));
        let reply = callback(&app, &code, &s.state, Some(&s.cookie));
        assert_eq!(reply.status, 401, "{what}: {}", reply.text);
        assert!(reply.text.contains(unverified), "{what}: {}", reply.text);
        assert_refused(&app, &reply, 401, unverified);
    }
}

#[test]
fn oidc_a_token_expires_by_the_servers_clock_not_the_wall_clock() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let s = start(&app);
    // Valid for a minute; the server's clock then moves two minutes on.
    let mut claims = provider.claims(&app, &s, &["executives"]);
    claims["exp"] = json!(app.now().timestamp() + 60);
    provider.grant("c1", &s, provider.token(&claims, Sign::Good));
    app.clock.advance(chrono::Duration::minutes(2));
    let reply = callback(&app, "c1", &s.state, Some(&s.cookie));
    assert_refused(&app, &reply, 401, "could not be verified");
}

#[test]
fn oidc_a_replayed_nonce_is_refused() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let s1 = start(&app);
    let claims = provider.claims(&app, &s1, &["executives"]);
    let first = provider.token(&claims, Sign::Good);
    provider.grant("c1", &s1, first.clone());
    assert_eq!(
        callback(&app, "c1", &s1.state, Some(&s1.cookie)).status,
        303
    );
    let before = sessions(&app);
    // A second sign-in answered with the first one's ID token (its nonce is s1's).
    let s2 = start(&app);
    provider.grant("c2", &s2, first);
    let reply = callback(&app, "c2", &s2.state, Some(&s2.cookie));
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(session_cookie(&reply), None);
    assert_eq!(sessions(&app), before);
}

#[test]
fn oidc_no_mapped_group_or_an_unknown_site_gets_a_clear_refusal() {
    let provider = TinyProvider::start();
    let app = spawn_with_provider(&provider.base);
    let s = start(&app);
    let claims = provider.claims(&app, &s, &["visitors"]);
    provider.grant("c1", &s, provider.token(&claims, Sign::Good));
    let reply = callback(&app, "c1", &s.state, Some(&s.cookie));
    assert_refused(
        &app,
        &reply,
        403,
        "Your account is in no group that may use horrors",
    );

    let s = start(&app);
    let mut claims = provider.claims(&app, &s, &["floor"]);
    claims["site"] = json!("atlantis");
    provider.grant("c2", &s, provider.token(&claims, Sign::Good));
    let reply = callback(&app, "c2", &s.state, Some(&s.cookie));
    assert_refused(&app, &reply, 403, "names a site that horrors does not know");

    // In the page's language.
    let s = start(&app);
    let claims = provider.claims(&app, &s, &[]);
    provider.grant("c3", &s, provider.token(&claims, Sign::Good));
    let cookie = format!("{}; horrors_lang=zh-Hans", s.cookie);
    let reply = callback(&app, "c3", &s.state, Some(&cookie));
    assert_eq!(reply.status, 403);
    assert!(
        reply.text.contains("使用 Acme login 登录"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("不在任何可以使用 horrors 的组中"));
}

#[test]
fn oidc_an_unreachable_provider_or_none_configured_gets_a_page() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_with_provider(&format!("http://127.0.0.1:{port}"));
    let reply = app.call("GET", "/auth/login", None, None, None, &[]);
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert!(reply.text.contains("cannot be reached"));

    let plain = TestApp::spawn();
    let reply = plain.call("GET", "/auth/login", None, None, None, &[]);
    assert_eq!(reply.status, 404);
    assert!(reply.text.contains("not set up here"));
    let login = plain.call("GET", "/login", None, None, None, &[]);
    assert!(
        !login.text.contains("Sign in with"),
        "no button without [auth.oidc]"
    );
}

// ---------------------------------------------------------------------------------------
// The PyPI provider (oidc-provider-mock), a real process.

/// The person signs in at the mock provider as `sub` (its form, as the browser posts it):
/// the provider's redirect back, as (code, state).
fn sign_in_at_mock(s: &Start, sub: &str) -> (String, String) {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let response = match agent.post(&s.location).send_form(&[("sub", sub)]) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("the provider's form: {e}"),
    };
    assert_eq!(response.status(), 302, "the provider redirects back");
    let back = response.header("location").unwrap().to_string();
    assert!(
        back.starts_with("http://127.0.0.1:1/auth/callback?"),
        "{back}"
    );
    let query: HashMap<String, String> =
        serde_urlencoded::from_str(back.split_once('?').unwrap().1).unwrap();
    (query["code"].clone(), query["state"].clone())
}

#[test]
fn oidc_mock_provider_signs_in_an_executive_and_refuses_a_visitor() {
    let Some(provider) = MockProvider::start(&[
        json!({"sub": "eve", "name": "Eve Exec", "groups": ["executives"]}),
        json!({"sub": "vic", "name": "Vic Visitor", "groups": ["visitors"]}),
        json!({"sub": "flo", "name": "Flo Floor", "groups": "floor", "site": "tokyo"}),
    ]) else {
        return;
    };
    let app = spawn_with_provider(&provider.issuer);

    // An executive: a viewer's session, listed.
    let s = start(&app);
    assert!(s
        .location
        .starts_with(&format!("{}/oauth2/authorize?", provider.issuer)));
    let (code, state) = sign_in_at_mock(&s, "eve");
    assert_eq!(state, s.state, "the provider returns our state");
    let reply = callback(&app, &code, &state, Some(&s.cookie));
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/dashboard"));
    let cookie = session_cookie(&reply).expect("a session");
    let page = app.call(
        "GET",
        "/dashboard",
        None,
        None,
        None,
        &[("Cookie", &cookie)],
    );
    assert_eq!(page.status, 200);
    let listed = sessions(&app);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "Eve Exec");
    assert_eq!(listed[0]["role"], "viewer");

    // The same code once more, with a fresh state: the provider refuses the used code.
    let s2 = start(&app);
    let reply = callback(&app, &code, &s2.state, Some(&s2.cookie));
    assert_refused_keeping(&app, &reply, 401, "could not be verified", 1);

    // In no mapped group: a clear refusal, no session.
    let s = start(&app);
    let (code, state) = sign_in_at_mock(&s, "vic");
    let reply = callback(&app, &code, &state, Some(&s.cookie));
    assert_refused_keeping(&app, &reply, 403, "Your account is in no group", 1);

    // A floor worker with a site: staff, bound to it, sent to the tally there.
    let reply = {
        let reply = app.call("GET", "/auth/login", None, None, None, &[]);
        let location = reply.header("location").unwrap().to_string();
        let cookie = reply
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let query: HashMap<String, String> =
            serde_urlencoded::from_str(location.split_once('?').unwrap().1).unwrap();
        let s = Start {
            state: query["state"].clone(),
            nonce: query["nonce"].clone(),
            challenge: query["code_challenge"].clone(),
            cookie,
            query,
            location,
        };
        let (code, state) = sign_in_at_mock(&s, "flo");
        callback(&app, &code, &state, Some(&s.cookie))
    };
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(reply.header("location"), Some("/tally?site=tokyo"));
    let listed = sessions(&app);
    let flo = listed.iter().find(|s| s["name"] == "Flo Floor").unwrap();
    assert_eq!(flo["role"], "staff");
    assert_eq!(flo["site"], "tokyo");
}

/// A refusal that leaves the `sessions` there were.
#[track_caller]
fn assert_refused_keeping(app: &TestApp, reply: &Reply, status: u16, message: &str, kept: usize) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert!(
        reply.text.contains(message),
        "{message:?} in {}",
        reply.text
    );
    assert_eq!(session_cookie(reply), None);
    assert_eq!(sessions(app).len(), kept);
}
