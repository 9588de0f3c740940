//! The frame every page shares: head (embedded CSS, icon, CSRF meta), the header with the
//! pages one's role may open and the logout button, and the response headers pages carry.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use maud::{html, Markup, DOCTYPE};

use super::assets;
use super::session::Session;
use crate::auth::Role;

/// The page being shown, so the header can mark it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Tally,
    Dashboard,
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
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
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
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    div.brand {
                        span.logo aria-hidden="true" { "✓" }
                        span { (if chrome.organization.is_empty() { "horrors" } else { chrome.organization }) }
                    }
                    @if let Some(session) = chrome.session.filter(|s| s.identity.role >= Role::Viewer) {
                        nav aria-label="Pages" {
                            ul {
                                (nav_link("/tally", "Tally", chrome.nav == Nav::Tally))
                                @if session.identity.role >= Role::Viewer {
                                    (nav_link("/dashboard", "Dashboard", chrome.nav == Nav::Dashboard))
                                }
                                @if session.identity.role >= Role::Admin {
                                    (nav_link("/admin", "Admin", chrome.nav == Nav::Admin))
                                }
                            }
                        }
                    }
                    @if let Some(session) = chrome.session {
                        form.logout #logout-form method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(session.csrf);
                            span.who {
                                (session.identity.name) " · " (session.identity.role.as_str())
                            }
                            button.link type="submit" { "Log out" }
                        }
                    }
                }
                main #main tabindex="-1" { (content) }
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
