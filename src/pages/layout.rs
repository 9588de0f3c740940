//! The frame every page shares: head (embedded CSS, icon, CSRF meta), the header with the
//! pages one's role may open, the language switcher and the logout button, and the
//! response headers pages carry.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::assets;
use super::session::Session;
use crate::auth::Role;
use crate::html::document;
use crate::i18n::{t, Lang};
use crate::store::Store;

/// The page being shown, so the header can mark it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Tally,
    Dashboard,
    Nominations,
    Admin,
    None,
}

/// What the frame needs to know about the page inside it.
pub struct Chrome<'a> {
    pub title: &'a str,
    pub organization: &'a str,
    pub session: Option<&'a Session>,
    pub nav: Nav,
    /// An embedded script (file name under `/static`) the page loads.
    pub script: Option<&'a str>,
    /// The language the page is in.
    pub lang: Lang,
    /// This page's path and query, for the language switcher's links.
    pub here: Here,
}

/// A page's own path and query without `lang`, to which the switcher adds each language.
/// A query parameter of a page request, if it is there and the query string is readable
/// (pages fall back instead of refusing a bad query).
pub fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    query.into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

#[derive(Clone, Debug, Default)]
pub struct Here {
    path: String,
    query: Vec<(String, String)>,
}

impl Here {
    /// The request's path and its readable query parameters other than `lang`.
    pub fn of(req: &HttpRequest) -> Here {
        let query: Vec<(String, String)> =
            serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
        Here {
            path: req.path().to_string(),
            query: query
                .into_iter()
                .filter(|(name, _)| name != "lang")
                .collect(),
        }
    }

    /// This page in `lang`.
    pub fn with_lang(&self, lang: Lang) -> String {
        let mut query = self.query.clone();
        query.push(("lang".into(), lang.tag().into()));
        let query = serde_urlencoded::to_string(&query).unwrap_or_default();
        format!("{}?{query}", self.path)
    }
}

/// Content-Security-Policy of every page: nothing but this origin, no inline script.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
    connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
    frame-ancestors 'none'; form-action 'self'";

/// A whole HTML document around `content`.
pub fn page(chrome: &Chrome, content: Markup) -> Markup {
    let title = if chrome.organization.is_empty() {
        format!("{} · horrors", chrome.title)
    } else {
        format!("{} · {} · horrors", chrome.title, chrome.organization)
    };
    let lang = chrome.lang;
    let head = html! {
        meta name="color-scheme" content="light dark";
        @if let Some(session) = chrome.session {
            meta name="csrf-token" content=(session.csrf);
        }
        title { (title) }
        link rel="icon" type="image/svg+xml" href=(assets::url("icon.svg"));
        link rel="stylesheet" href=(assets::url("style.css"));
        @if let Some(script) = chrome.script {
            script src=(assets::url(script)) defer {}
        }
    };
    let body = html! {
        a.skip href="#main" { (t(lang, "layout-skip")) }
        header.top {
            div.brand {
                span.logo aria-hidden="true" { "✓" }
                span { (if chrome.organization.is_empty() { "horrors" } else { chrome.organization }) }
            }
            @if let Some(session) = chrome.session.filter(|s| s.identity.role >= Role::Viewer) {
                nav aria-label=(t(lang, "layout-pages")) {
                    ul {
                        (nav_link("/tally", &t(lang, "nav-tally"), chrome.nav == Nav::Tally))
                        @if session.identity.role >= Role::Viewer {
                            (nav_link("/dashboard", &t(lang, "nav-dashboard"), chrome.nav == Nav::Dashboard))
                        }
                        (nav_link("/nominations", &t(lang, "nav-nominations"), chrome.nav == Nav::Nominations))
                        @if session.identity.role >= Role::Admin {
                            (nav_link("/admin", &t(lang, "nav-admin"), chrome.nav == Nav::Admin))
                        }
                    }
                }
            }
            (switcher(lang, &chrome.here))
            @if let Some(session) = chrome.session {
                form.logout #logout-form method="post" action="/logout" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    span.who {
                        (session.identity.name) " · " (role_name(lang, session.identity.role))
                    }
                    button.link type="submit" { (t(lang, "layout-logout")) }
                }
            }
        }
        main #main tabindex="-1" { (content) }
    };
    document(lang, head, body)
}

/// The organization's name for a page's frame (empty until the settings are read).
pub fn organization(store: &Store) -> String {
    store
        .snapshot()
        .map(|s| s.settings.name.clone())
        .unwrap_or_default()
}

/// The role's name in `lang` (the role itself stays `staff`, `viewer`, `admin` in the API).
pub fn role_name(lang: Lang, role: Role) -> String {
    t(lang, &format!("role-{}", role.as_str()))
}

/// Links to this page in every language, each named in its own language; the current
/// one is marked. A choice made here is remembered in a cookie
/// ([`crate::http::remember_lang`]).
fn switcher(current: Lang, here: &Here) -> Markup {
    html! {
        nav.lang aria-label=(t(current, "layout-language")) {
            ul {
                @for lang in Lang::all() {
                    @let name = t(lang, "language-name");
                    li {
                        // Phones show the short name (`简体`), wider screens the full one.
                        a href=(here.with_lang(lang)) lang=(lang.tag()) hreflang=(lang.tag())
                            aria-current=[(lang == current).then_some("true")] aria-label=(name) title=(name)
                        {
                            span.long { (name) }
                            span.short aria-hidden="true" { (t(lang, "language-short")) }
                        }
                    }
                }
            }
        }
    }
}

fn nav_link(href: &str, label: &str, current: bool) -> Markup {
    html! {
        li {
            @if current {
                a href=(href) aria-current="page" { (label) }
            } @else {
                a href=(href) { (label) }
            }
        }
    }
}

/// An HTML response with the headers every page carries: never cached (it holds the CSRF
/// secret), no framing, no sniffing, and a CSP that allows this origin only.
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(markup.into_string())
}
