//! `/nominations` (staff and above): step 1 of the method, the list workshop. Everyone
//! proposes a horror from what customers complain about; viewers and admins support
//! proposals; an admin adopts one into the catalogue or declines it with a reason. The
//! forms are rendered here and sent to the JSON API by `method.js`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::guard;
use super::layout::{self, Chrome, Here, Nav};
use crate::auth::Role;
use crate::http::extract::lang_of;
use crate::i18n::{script_messages, t, Lang};
use crate::nominations::{Nomination, State, MAX_REASON, MAX_TEXT, MAX_TITLE};
use crate::store::Store;
use crate::tr;

/// The messages `method.js` uses: its key, the message id, and the placeholders it fills.
pub(crate) const SCRIPT_MESSAGES: &[(&str, &str, &[&str])] = &[
    ("unreachable", "method-unreachable", &[]),
    ("serverAnswered", "method-server-answered", &["status"]),
];

/// `GET /nominations` (staff).
pub async fn page(
    req: HttpRequest,
    store: web::Data<Store>,
) -> Result<HttpResponse, crate::error::Error> {
    let session = match guard::require(&req, &store, Role::Staff).await? {
        Ok(session) => session,
        Err(response) => return Ok(response),
    };
    let lang = lang_of(&req, &store);
    let snapshot = store.snapshot()?;
    let viewer = session.identity.token_id;
    let nominations = store.call(move |s| s.nominations(viewer)).await?;
    let role = session.identity.role;
    let content = html! {
        div.method #method data-messages=(script_messages(lang, SCRIPT_MESSAGES)) {
            h1 { (t(lang, "nominations-title")) }
            p.lead { (t(lang, "nominations-intro")) }
            (propose(lang))
            h2 #list-heading { (t(lang, "nominations-list")) }
            @if nominations.is_empty() {
                p.empty { (t(lang, "nominations-none")) }
            } @else {
                ol.nominations aria-labelledby="list-heading" {
                    @for n in &nominations {
                        (item(lang, role, n))
                    }
                }
            }
        }
    };
    let title = t(lang, "nominations-title");
    let chrome = Chrome {
        title: &title,
        organization: &snapshot.settings.name,
        session: Some(&session),
        nav: Nav::Nominations,
        script: Some("method.js"),
        lang,
        here: Here::of(&req),
    };
    Ok(layout::respond(
        StatusCode::OK,
        layout::page(&chrome, content),
    ))
}

fn propose(lang: Lang) -> Markup {
    html! {
        section.card.propose aria-labelledby="propose-heading" {
            h2 #propose-heading { (t(lang, "nominations-propose")) }
            form #propose data-api="/api/nominations" data-reload="true" {
                div.field {
                    label for="nomination-title" { (t(lang, "nominations-field-title")) }
                    input #nomination-title name="title" required maxlength=(MAX_TITLE);
                }
                div.field {
                    label for="nomination-description" { (t(lang, "nominations-field-description")) }
                    textarea #nomination-description name="description" rows="2" maxlength=(MAX_TEXT) {}
                }
                div.field {
                    label for="nomination-example" { (t(lang, "nominations-field-example")) }
                    textarea #nomination-example name="example" rows="2" maxlength=(MAX_TEXT) {}
                }
                button.primary type="submit" { (t(lang, "nominations-submit")) }
                p.form-error role="alert" {}
            }
        }
    }
}

fn item(lang: Lang, role: Role, n: &Nomination) -> Markup {
    let state = n.state.as_str();
    html! {
        li.nomination.card data-id=(n.id) data-state=(state) {
            div.nomination-head {
                h3 { (n.title) }
                span.support data-support=(n.support) {
                    (tr!(lang, "nominations-supporters", count = n.support))
                }
                span.state class=(state) { (t(lang, &format!("nominations-state-{state}"))) }
            }
            p.meta { (tr!(lang, "nominations-by", by = n.by.as_str(), date = n.created_at.get(..10).unwrap_or(""))) }
            @if let Some(text) = &n.description {
                p.description { (text) }
            }
            @if let Some(text) = &n.example {
                blockquote.example { (text) }
            }
            @match n.state {
                State::Adopted => p.fate { (tr!(lang, "nominations-adopted-as", key = n.horror.as_deref().unwrap_or(""))) },
                State::Declined => p.fate { (tr!(lang, "nominations-declined-because", reason = n.reason.as_deref().unwrap_or(""))) },
                State::Open => {
                    @if role >= Role::Viewer {
                        @if n.supported {
                            p.supported { (t(lang, "nominations-supported")) }
                        } @else {
                            form.support data-api={ "/api/nominations/" (n.id) "/support" } data-reload="true" {
                                button type="submit" { (t(lang, "nominations-support")) }
                                p.form-error role="alert" {}
                            }
                        }
                    }
                    @if role >= Role::Admin {
                        (decide(lang, n))
                    }
                }
            }
        }
    }
}

/// The admin's two answers to an open nomination: adopt it as a horror, or decline it.
fn decide(lang: Lang, n: &Nomination) -> Markup {
    let id = n.id;
    html! {
        details.decide {
            summary { (t(lang, "nominations-adopt")) }
            form.adopt data-api={ "/api/nominations/" (id) "/adopt" } data-reload="true" {
                div.field {
                    label for={ "adopt-key-" (id) } { (t(lang, "nominations-adopt-key")) }
                    input id={ "adopt-key-" (id) } name="key" required pattern="[a-z0-9\\-]{1,40}" maxlength="40";
                }
                div.field {
                    label for={ "adopt-name-" (id) } { (t(lang, "nominations-adopt-name")) }
                    input id={ "adopt-name-" (id) } name="name" required maxlength="60" value=(n.title.chars().take(60).collect::<String>());
                }
                div.field {
                    label for={ "adopt-pain-" (id) } { (t(lang, "nominations-adopt-pain")) }
                    input id={ "adopt-pain-" (id) } name="pain" type="number" data-number="true" required min="1" max="10" step="1" inputmode="numeric";
                }
                div.field {
                    label for={ "adopt-cost-" (id) } { (t(lang, "nominations-adopt-cost")) }
                    input id={ "adopt-cost-" (id) } name="unit_cost" required inputmode="decimal" pattern="[0-9]+(\\.[0-9]+)?";
                }
                button type="submit" { (t(lang, "nominations-adopt-submit")) }
                p.form-error role="alert" {}
            }
        }
        details.decide {
            summary { (t(lang, "nominations-decline")) }
            form.decline data-api={ "/api/nominations/" (id) "/decline" } data-reload="true" {
                div.field {
                    label for={ "decline-reason-" (id) } { (t(lang, "nominations-decline-reason")) }
                    input id={ "decline-reason-" (id) } name="reason" required maxlength=(MAX_REASON);
                }
                button type="submit" { (t(lang, "nominations-decline-submit")) }
                p.form-error role="alert" {}
            }
        }
    }
}
