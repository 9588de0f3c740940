//! Sign-in with the organization's identity provider (OpenID Connect, SPEC §21): the
//! `[auth.oidc]` settings, the redirect to the provider (authorization code flow with PKCE
//! S256, state and nonce), and the checks on its answer (the ID token's signature against
//! the provider's published keys, `iss`, `aud`, `exp`, `nonce`), then role and site from
//! its claims. Pending sign-ins live in the database (`store::oidc`), so any instance can
//! finish one that another started. The calls to the provider block: run them off the
//! async workers.

use std::time::Duration;

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;

use crate::auth::Role;
use crate::text::FieldError;

/// How long a started sign-in may take at the provider.
pub const PENDING_MINUTES: i64 = 10;

/// The callback's path; `redirect_url` must end with it.
pub const CALLBACK_PATH: &str = "/auth/callback";

/// `[auth.oidc]` as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOidc {
    issuer: String,
    client_id: String,
    client_secret_env: String,
    redirect_url: String,
    display_name: String,
    #[serde(default)]
    role_claim: Option<String>,
    #[serde(default)]
    site_claim: Option<String>,
    #[serde(default)]
    roles: Option<RoleMap>,
}

/// `[auth.oidc.roles]`: claim values that give each role; the highest match wins.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleMap {
    #[serde(default)]
    pub admin: Vec<String>,
    #[serde(default)]
    pub viewer: Vec<String>,
    #[serde(default)]
    pub staff: Vec<String>,
}

impl RoleMap {
    /// The highest role any of `values` maps to.
    pub fn role_of(&self, values: &[String]) -> Option<Role> {
        let has = |list: &[String]| values.iter().any(|v| list.contains(v));
        if has(&self.admin) {
            Some(Role::Admin)
        } else if has(&self.viewer) {
            Some(Role::Viewer)
        } else if has(&self.staff) {
            Some(Role::Staff)
        } else {
            None
        }
    }
}

/// Valid `[auth.oidc]` settings (the client secret is not among them: it is read from the
/// environment variable `client_secret_env` names, when the server starts).
#[derive(Clone, Debug, PartialEq)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret_env: String,
    pub redirect_url: String,
    pub display_name: String,
    pub role_claim: String,
    pub site_claim: Option<String>,
    pub roles: RoleMap,
}

impl OidcConfig {
    /// Checks the settings; the error names the key (`auth.oidc.issuer: ...`).
    pub fn from_raw(raw: RawOidc) -> Result<OidcConfig, FieldError> {
        let issuer = raw.issuer.trim().trim_end_matches('/').to_string();
        check_url("issuer", &issuer)?;
        let redirect_url = raw.redirect_url.trim().to_string();
        check_url("redirect_url", &redirect_url)?;
        if !url_path(&redirect_url).ends_with(CALLBACK_PATH) {
            return Err(FieldError::new(
                "auth.oidc.redirect_url",
                format!(
                    "{} must end with {CALLBACK_PATH} (the route that finishes a sign-in)",
                    crate::text::echo(&redirect_url)
                ),
            ));
        }
        let client_id = raw.client_id.trim().to_string();
        plain_text("client_id", &client_id, 255)?;
        let env = raw.client_secret_env.trim().to_string();
        let env_ok = env
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && env.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !env_ok {
            return Err(FieldError::new(
                "auth.oidc.client_secret_env",
                format!(
                    "{} is not an environment variable name such as HORRORS_OIDC_SECRET (the secret itself never sits in the file)",
                    crate::text::echo(&env)
                ),
            ));
        }
        let display_name = raw.display_name.trim().to_string();
        plain_text("display_name", &display_name, 60)?;
        let role_claim = raw.role_claim.unwrap_or_else(|| "groups".into());
        plain_text("role_claim", role_claim.trim(), 100)?;
        let site_claim = match raw.site_claim {
            Some(claim) => {
                plain_text("site_claim", claim.trim(), 100)?;
                Some(claim.trim().to_string())
            }
            None => None,
        };
        let roles = raw.roles.unwrap_or_default();
        for (role, list) in [
            ("admin", &roles.admin),
            ("viewer", &roles.viewer),
            ("staff", &roles.staff),
        ] {
            for (i, value) in list.iter().enumerate() {
                plain_text(&format!("roles.{role}[{i}]"), value, 255)?;
            }
        }
        if roles.admin.is_empty() && roles.viewer.is_empty() && roles.staff.is_empty() {
            return Err(FieldError::new(
                "auth.oidc.roles",
                format!(
                    "map at least one {role_claim:?} value to admin, viewer or staff (nobody could sign in)"
                ),
            ));
        }
        Ok(OidcConfig {
            issuer,
            client_id,
            client_secret_env: env,
            redirect_url,
            display_name,
            role_claim: role_claim.trim().to_string(),
            site_claim,
            roles,
        })
    }

    /// The client secret from the environment variable `client_secret_env` names.
    pub fn secret_from_env(&self) -> Result<String, String> {
        match std::env::var(&self.client_secret_env) {
            Ok(secret) if !secret.trim().is_empty() => Ok(secret.trim().to_string()),
            _ => Err(format!(
                "auth.oidc.client_secret_env: the environment variable {} is not set; put the client secret there (never in the file)",
                self.client_secret_env
            )),
        }
    }
}

/// An absolute `https` URL, or `http` to this machine (a provider in a test).
fn check_url(key: &str, url: &str) -> Result<(), FieldError> {
    let refuse = |why: &str| {
        Err(FieldError::new(
            format!("auth.oidc.{key}"),
            format!("{} {why}", crate::text::echo(url)),
        ))
    };
    let Ok(parsed) = openidconnect::url::Url::parse(url) else {
        return refuse("is not an absolute URL such as https://login.example.com/realms/acme");
    };
    let loopback = match parsed.host() {
        Some(openidconnect::url::Host::Domain(d)) => d == "localhost",
        Some(openidconnect::url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(openidconnect::url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return refuse("has no host"),
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return refuse("must use https (plain http only to this machine)"),
        _ => return refuse("must be an https URL"),
    }
    if parsed.fragment().is_some() || !parsed.username().is_empty() {
        return refuse("must have no fragment and no user name");
    }
    Ok(())
}

fn url_path(url: &str) -> String {
    openidconnect::url::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}

fn plain_text(key: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.trim().is_empty() || value.chars().count() > max || value.chars().any(char::is_control)
    {
        return Err(FieldError::new(
            format!("auth.oidc.{key}"),
            format!("must be 1 to {max} characters without control characters"),
        ));
    }
    Ok(())
}

/// A sign-in on its way to the provider: where to send the browser, and what to keep
/// until it comes back (the state is the key; the verifier and nonce are checked then).
pub struct Started {
    pub url: String,
    pub state: String,
    pub verifier: String,
    pub nonce: String,
}

/// Who the provider says signed in, mapped to horrors' terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// `issuer sub`: stable for one person at one provider.
    pub subject: String,
    /// A name to show (name, preferred_username, email or sub).
    pub name: String,
    pub role: Role,
    /// The site claim's value, when `site_claim` is set and the claim is there.
    pub site: Option<String>,
}

/// Why a provider's answer did not sign anybody in. The text is for the log: never a code,
/// token or secret.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The provider could not be reached or answered nonsense (discovery, keys).
    Unreachable(String),
    /// The code exchange failed (a used or forged code, a wrong secret).
    Exchange(String),
    /// The ID token failed a check (signature, key, algorithm, iss, aud, exp, nonce).
    Token(String),
    /// The role claim holds no value mapped in `[auth.oidc.roles]`.
    NoRole,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Unreachable(why) => write!(f, "provider unreachable: {why}"),
            Refused::Exchange(why) => write!(f, "code exchange failed: {why}"),
            Refused::Token(why) => write!(f, "ID token refused: {why}"),
            Refused::NoRole => write!(f, "no mapped role in the role claim"),
        }
    }
}

/// The configured provider, with its client secret and HTTP client.
pub struct Oidc {
    config: OidcConfig,
    secret: ClientSecret,
    agent: ureq::Agent,
}

/// Never prints the secret.
impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("config", &self.config)
            .field("secret", &"(set)")
            .finish()
    }
}

impl Oidc {
    /// The provider with the secret read from the environment.
    pub fn from_env(config: OidcConfig) -> Result<Oidc, String> {
        let secret = config.secret_from_env()?;
        Ok(Oidc::new(config, secret))
    }

    pub fn new(config: OidcConfig, secret: String) -> Oidc {
        // No redirects: following them would let a provider's answer point us anywhere.
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout(Duration::from_secs(10))
            .build();
        Oidc {
            config,
            secret: ClientSecret::new(secret),
            agent,
        }
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The provider's discovery document and keys.
    fn metadata(&self) -> Result<CoreProviderMetadata, Refused> {
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| Refused::Unreachable(format!("issuer: {e}")))?;
        CoreProviderMetadata::discover(&issuer, &|r| exchange(&self.agent, r))
            .map_err(|e| Refused::Unreachable(error_chain(&e)))
    }

    /// Whether discovery works (`horrors doctor`): the token endpoint it names, or why not.
    pub fn check_discovery(&self) -> Result<String, String> {
        let metadata = self.metadata().map_err(|e| e.to_string())?;
        Ok(match metadata.token_endpoint() {
            Some(url) => format!("{} ({} keys)", url.as_str(), metadata.jwks().keys().len()),
            None => return Err("the discovery document names no token endpoint".into()),
        })
    }

    /// Starts a sign-in: the provider's authorization URL with a fresh state, nonce and
    /// PKCE (S256) challenge.
    pub fn start(&self) -> Result<Started, Refused> {
        let metadata = self.metadata()?;
        let client = self.client(metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        })
    }

    /// Finishes a sign-in: exchanges `code` (with the PKCE verifier), checks the ID token
    /// against the provider's keys, `iss`, `aud`, `exp` (at `now`) and `nonce`, and maps
    /// the role and site claims.
    pub fn finish(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<Person, Refused> {
        let metadata = self.metadata()?;
        // The algorithms the provider says it signs with; never `none`.
        let algorithms: Vec<CoreJwsSigningAlgorithm> = metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|a| **a != CoreJwsSigningAlgorithm::None)
            .cloned()
            .collect();
        let client = self.client(metadata)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Refused::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
            .request(&|r| exchange(&self.agent, r))
            .map_err(|e| Refused::Exchange(exchange_error(&e)))?;
        let _ = response.access_token();
        let id_token = response
            .id_token()
            .ok_or_else(|| Refused::Token("the token response has no id_token".into()))?;
        let checks = client
            .id_token_verifier()
            .set_allowed_algs(algorithms)
            .set_time_fn(move || now);
        let claims = id_token
            .claims(&checks, &Nonce::new(nonce.to_string()))
            .map_err(|e| Refused::Token(e.to_string()))?;
        let subject = format!("{} {}", self.config.issuer, claims.subject().as_str());
        // The claims are verified now; read the configured ones from the payload as JSON
        // (their names come from the file, so they are no fixed type).
        let payload = payload_of(&id_token.to_string())
            .ok_or_else(|| Refused::Token("unreadable payload".into()))?;
        let values = claim_values(&payload, &self.config.role_claim);
        let role = self.config.roles.role_of(&values).ok_or(Refused::NoRole)?;
        let site = self
            .config
            .site_claim
            .as_ref()
            .and_then(|claim| claim_values(&payload, claim).into_iter().next());
        let name = ["name", "preferred_username", "email"]
            .iter()
            .find_map(|claim| claim_values(&payload, claim).into_iter().next())
            .unwrap_or_else(|| claims.subject().as_str().to_string());
        Ok(Person {
            subject,
            name: shown_name(&name),
            role,
            site,
        })
    }

    fn client(
        &self,
        metadata: CoreProviderMetadata,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        Refused,
    > {
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| Refused::Unreachable(format!("redirect_url: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(self.secret.clone()),
        )
        .set_redirect_uri(redirect))
    }
}

/// A failed HTTP exchange with the provider (transport or body; never the body's text).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// Largest answer read from the provider (discovery, keys, tokens are a few KiB).
const MAX_ANSWER: u64 = 1024 * 1024;

/// One HTTP exchange with the provider over our agent (no redirects, 10 s timeout): the
/// client `openidconnect` calls for discovery, keys and the code exchange.
fn exchange(
    agent: &ureq::Agent,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    use std::io::Read;
    let method = request.method().as_str().to_string();
    let mut call = agent.request(&method, &request.uri().to_string());
    for (name, value) in request.headers() {
        if let Ok(value) = value.to_str() {
            call = call.set(name.as_str(), value);
        }
    }
    let answer = if request.body().is_empty() && method == "GET" {
        call.call()
    } else {
        call.send_bytes(request.body())
    };
    let response = match answer {
        Ok(response) => response,
        // An error status is an answer too (the token endpoint's `invalid_grant`).
        Err(ureq::Error::Status(_, response)) => response,
        Err(e) => return Err(HttpError(e.to_string())),
    };
    let mut builder = openidconnect::http::Response::builder().status(response.status());
    for name in response.headers_names() {
        if let Some(value) = response.header(&name) {
            builder = builder.header(name.as_str(), value);
        }
    }
    let mut body = Vec::new();
    response
        .into_reader()
        .take(MAX_ANSWER)
        .read_to_end(&mut body)
        .map_err(|e| HttpError(format!("reading the answer: {e}")))?;
    builder
        .body(body)
        .map_err(|e| HttpError(format!("the answer: {e}")))
}

/// The error and its causes on one line (no bodies: a provider's answer may hold tokens).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A failed code exchange, told without the response body.
fn exchange_error<RE: std::error::Error + 'static, T: openidconnect::ErrorResponse + 'static>(
    error: &openidconnect::RequestTokenError<RE, T>,
) -> String {
    match error {
        openidconnect::RequestTokenError::ServerResponse(response) => {
            format!("the provider answered {response}")
        }
        openidconnect::RequestTokenError::Request(e) => format!("request: {}", error_chain(e)),
        openidconnect::RequestTokenError::Parse(e, _body) => {
            format!("unreadable token response: {e}")
        }
        openidconnect::RequestTokenError::Other(why) => why.clone(),
    }
}

/// The JSON payload of a compact JWT (already verified by the caller).
fn payload_of(jwt: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A claim's values: a string is one value, an array of strings many; anything else none.
pub fn claim_values(payload: &serde_json::Value, claim: &str) -> Vec<String> {
    match payload.get(claim) {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A name fit to store as a token's name: no control characters, at most 60 characters.
fn shown_name(name: &str) -> String {
    let clean: String = name.chars().filter(|c| !c.is_control()).take(60).collect();
    if clean.trim().is_empty() {
        "(no name)".into()
    } else {
        clean.trim().to_string()
    }
}

#[cfg(test)]
mod tests;
