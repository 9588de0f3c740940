//! `/admin`: the catalogue (five to eight horrors), tokens (created with the secret shown
//! once, listed, revoked) and improvement cycles with up to three focus horrors. The forms
//! are rendered here; `admin.js` sends them to the JSON API and shows its 422 details
//! beside the fields they name.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::layout::{self, Chrome, Nav};
use super::session;
use crate::auth::Role;
use crate::calendar::local_day;
use crate::catalogue::Horror;
use crate::config::{MAX_HORRORS, MIN_HORRORS};
use crate::cycles::{CycleSummary, MAX_FOCUS};
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::report;
use crate::store::{Snapshot, Store, TokenInfo};

#[derive(Deserialize)]
pub struct AdminQuery {
    saved: Option<String>,
}

struct Data {
    snapshot: std::sync::Arc<Snapshot>,
    tokens: Vec<TokenInfo>,
    cycles: Vec<CycleSummary>,
    today: String,
}

/// `GET /admin` (admin). `?saved=catalogue|cycle` shows what was just saved.
pub async fn page(
    req: HttpRequest,
    store: web::Data<Store>,
    query: web::Query<AdminQuery>,
) -> Result<HttpResponse> {
    let session = match session::require(&req, &store, Role::Admin).await? {
        Ok(session) => session,
        Err(response) => return Ok(response),
    };
    let inner = store.clone().into_inner();
    let data = web::block(move || -> Result<Data> {
        let snapshot = inner.snapshot()?;
        let now = inner.now();
        Ok(Data {
            today: local_day(now, snapshot.settings.tz()).to_string(),
            tokens: inner.list_tokens()?,
            cycles: report::cycle_list(&inner, now)?,
            snapshot,
        })
    })
    .await
    .map_err(|e| Error::internal(format!("admin task failed: {e}")))??;
    let saved = match query.saved.as_deref() {
        Some("catalogue") => Some("The catalogue was saved."),
        Some("cycle") => Some("The cycle was saved."),
        _ => None,
    };
    let content = html! {
        h1 { "Admin" }
        @if let Some(saved) = saved {
            p.notice.saved role="status" { (saved) }
        }
        nav.toc aria-label="Sections" {
            ul {
                li { a href="#catalogue" { "Catalogue" } }
                li { a href="#tokens" { "Tokens" } }
                li { a href="#cycles" { "Cycles and focus" } }
            }
        }
        (catalogue(&data.snapshot))
        (tokens(&data.tokens, session.identity.token_id))
        (cycles(&data))
    };
    let chrome = Chrome {
        title: "Admin",
        organization: &data.snapshot.settings.name,
        session: Some(&session),
        nav: Nav::Admin,
        script: Some("admin.js"),
    };
    Ok(layout::respond(
        StatusCode::OK,
        layout::page(&chrome, content),
    ))
}

fn catalogue(snapshot: &Snapshot) -> Markup {
    let currency = snapshot.settings.currency();
    let active: Vec<&Horror> = snapshot.active().collect();
    let retired: Vec<&Horror> = snapshot.horrors.iter().filter(|h| h.retired).collect();
    html! {
        section #catalogue aria-labelledby="catalogue-heading" {
            h2 #catalogue-heading { "Catalogue" }
            p {
                "The " (MIN_HORRORS) " to " (MAX_HORRORS)
                " worst ways you can fail a customer, in the order staff see them. A horror left out is retired: "
                "its ticks stay, and adding its key back brings it back. A key never changes once saved."
            }
            form.catalogue #catalogue-form novalidate data-min=(MIN_HORRORS) data-max=(MAX_HORRORS) {
                div.form-error #catalogue-error role="alert" tabindex="-1" {}
                ol.horror-rows #horror-rows {
                    @for (i, horror) in active.iter().enumerate() {
                        (horror_row(Some(horror), i + 1, currency))
                    }
                }
                div.actions {
                    button type="button" #add-horror { "Add a horror" }
                    button.primary type="submit" { "Save catalogue" }
                }
            }
            template #horror-row-template { (horror_row(None, 0, currency)) }
            @if !retired.is_empty() {
                h3 { "Retired" }
                ul.retired #retired {
                    @for horror in &retired {
                        li {
                            (horror.name) " (" code { (horror.key) } ") "
                            button.link.readd type="button"
                                data-key=(horror.key) data-name=(horror.name)
                                data-description=(horror.description.as_deref().unwrap_or(""))
                                data-pain=(horror.pain) data-unit-cost=(currency.format(horror.unit_cost_minor))
                                data-operational=(horror.operational)
                            { "Add back" }
                        }
                    }
                }
            }
        }
    }
}

/// One horror's fields; `None` is the empty row new horrors are cloned from.
fn horror_row(horror: Option<&Horror>, number: usize, currency: Currency) -> Markup {
    let key = horror.map(|h| h.key.as_str()).unwrap_or("");
    let name = horror.map(|h| h.name.as_str()).unwrap_or("");
    let description = horror.and_then(|h| h.description.as_deref()).unwrap_or("");
    let pain = horror
        .map(|h| h.pain.to_string())
        .unwrap_or_else(|| "5".into());
    let unit_cost = horror
        .map(|h| currency.format(h.unit_cost_minor))
        .unwrap_or_default();
    let operational = horror.is_some_and(|h| h.operational);
    html! {
        li.horror-row {
            fieldset {
                legend { "Horror " span.number { (number) } }
                div.grid {
                    label.field.f-key {
                        span { "Key" }
                        @if horror.is_some() {
                            input name="key" value=(key) readonly required title="A key never changes";
                        } @else {
                            input name="key" value=(key) required maxlength="40" pattern="[a-z0-9-]{1,40}"
                                autocapitalize="off" spellcheck="false";
                        }
                        small.error data-field="key" {}
                    }
                    label.field.f-name {
                        span { "Name" }
                        input name="name" value=(name) required maxlength="60";
                        small.error data-field="name" {}
                    }
                    label.field.f-desc {
                        span { "Description (optional)" }
                        input name="description" value=(description) maxlength="500";
                        small.error data-field="description" {}
                    }
                    label.field.f-pain {
                        span { "Pain (1–10)" }
                        input name="pain" type="number" min="1" max="10" value=(pain) required inputmode="numeric";
                        small.error data-field="pain" {}
                    }
                    label.field.f-cost {
                        span { "Unit cost (" (currency.code()) ")" }
                        input name="unit_cost" value=(unit_cost) required inputmode="decimal" placeholder="0.00";
                        small.error data-field="unit_cost" {}
                    }
                    label.check.f-ops {
                        input name="operational" type="checkbox" checked[operational];
                        span { "Also hurts operations" }
                    }
                }
                div.row-actions {
                    button.link.up type="button" { "Move up" }
                    button.link.remove type="button" { "Remove" }
                }
            }
        }
    }
}

fn tokens(tokens: &[TokenInfo], own: i64) -> Markup {
    html! {
        section #tokens aria-labelledby="tokens-heading" {
            h2 #tokens-heading { "Tokens" }
            p.hint {
                "Each person or device gets its own token: " strong { "staff" } " tally, "
                strong { "viewer" } " also reads the dashboard and exports, "
                strong { "admin" } " also changes the catalogue, cycles and tokens. "
                "A revoked token stops working at once, and so do its sessions."
            }
            form.inline #token-form novalidate {
                div.field {
                    label for="token-name" { "Name" }
                    input #token-name name="name" required maxlength="60" placeholder="e.g. Dispatch phone 2";
                }
                div.field {
                    label for="token-role" { "Role" }
                    select #token-role name="role" {
                        option value="staff" { "staff" }
                        option value="viewer" { "viewer" }
                        option value="admin" { "admin" }
                    }
                }
                button.primary type="submit" { "Create token" }
                div.form-error #token-error role="alert" tabindex="-1" {}
            }
            div.secret #new-token hidden {
                p {
                    "New token for " strong #new-token-name {} ". Copy it now: it is shown only this once."
                }
                div.secret-row {
                    code #new-token-secret {}
                    button type="button" #copy-token { "Copy" }
                }
            }
            div.table-scroll role="region" aria-labelledby="tokens-heading" tabindex="0" {
                table #token-table {
                    thead {
                        tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Role" }
                            th scope="col" { "Created" }
                            th scope="col" { "Status" }
                            th scope="col" { span.visually-hidden { "Action" } }
                        }
                    }
                    tbody {
                        @for token in tokens {
                            (token_row(Some(token), token.id == own))
                        }
                    }
                }
            }
            template #token-row-template { (token_row(None, false)) }
        }
    }
}

fn token_row(token: Option<&TokenInfo>, own: bool) -> Markup {
    let id = token.map(|t| t.id.to_string()).unwrap_or_default();
    let date = |text: &str| text.get(..10).unwrap_or(text).to_string();
    html! {
        tr data-id=(id) {
            th scope="row" {
                span.name { (token.map(|t| t.name.as_str()).unwrap_or("")) }
                @if own { " " span.badge { "you" } }
            }
            td.role { (token.map(|t| t.role.as_str()).unwrap_or("")) }
            td.created { (token.map(|t| date(&t.created_at)).unwrap_or_default()) }
            td.status {
                @match token.and_then(|t| t.revoked_at.as_deref()) {
                    Some(at) => { "revoked " (date(at)) }
                    None => { "active" }
                }
            }
            td {
                @if token.is_none_or(|t| t.revoked_at.is_none()) {
                    button.revoke type="button" data-own=(own) { "Revoke" }
                }
            }
        }
    }
}

fn cycles(data: &Data) -> Markup {
    let snapshot = &data.snapshot;
    let active: Vec<&Horror> = snapshot.active().collect();
    let name_of = |key: &str| {
        snapshot
            .horror(key)
            .map(|h| h.name.clone())
            .unwrap_or_else(|| key.to_string())
    };
    html! {
        section #cycles aria-labelledby="cycles-heading" {
            h2 #cycles-heading { "Cycles and focus" }
            p {
                "An improvement cycle is a window in which the team fixes at most " (MAX_FOCUS)
                " focus horrors, taken from the top of the ranking. Measure again after it to see whether they fell."
            }
            @if data.cycles.is_empty() {
                p.hint { "No cycles yet." }
            } @else {
                ul.cycle-list {
                    @for cycle in &data.cycles {
                        li.cycle {
                            h3 { (cycle.name) }
                            p {
                                (cycle.start) " to " (cycle.end) " (" (cycle.days) " days, " (cycle.status) "). "
                                "Focus: "
                                @if cycle.focus.is_empty() { "none" }
                                @for (i, key) in cycle.focus.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    (name_of(key))
                                }
                                ". "
                                a href={ "/dashboard?cycle=" (cycle.id) } { "Ranking in this cycle" }
                            }
                            @if let Some(note) = &cycle.note { p.note { (note) } }
                            details {
                                summary { "Edit " (cycle.name) }
                                form.cycle-form.cycle-edit data-id=(cycle.id) novalidate {
                                    (cycle_fields(&format!("c{}", cycle.id), Some(cycle), &active, &data.today, snapshot.settings.window_days))
                                    button.primary type="submit" { "Save cycle" }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Start a cycle" }
            form.cycle-form #cycle-form novalidate {
                (cycle_fields("new", None, &active, &data.today, snapshot.settings.window_days))
                button.primary type="submit" { "Start cycle" }
            }
        }
    }
}

/// Name, dates (new cycles only), focus and note; `prefix` keeps ids unique per form.
fn cycle_fields(
    prefix: &str,
    cycle: Option<&CycleSummary>,
    active: &[&Horror],
    today: &str,
    window_days: i64,
) -> Markup {
    let id = |name: &str| format!("{prefix}-{name}");
    let focus: &[String] = cycle.map(|c| c.focus.as_slice()).unwrap_or(&[]);
    html! {
        div.form-error role="alert" tabindex="-1" {}
        div.grid {
            div.field.wide {
                label for=(id("name")) { "Name" }
                input #(id("name")) name="name" required maxlength="100" value=(cycle.map(|c| c.name.as_str()).unwrap_or(""));
                small.error data-field="name" {}
            }
            @if cycle.is_none() {
                div.field {
                    label for=(id("start")) { "First day" }
                    input #(id("start")) name="start" type="date" required value=(today);
                    small.error data-field="start" {}
                }
                div.field {
                    label for=(id("days")) { "Days" }
                    input #(id("days")) name="days" type="number" min="1" max="366" value=(window_days) inputmode="numeric";
                    small.error data-field="days" {}
                }
            }
        }
        fieldset.focus {
            legend { "Focus (at most " (MAX_FOCUS) ")" }
            @for horror in active {
                label.check {
                    input type="checkbox" name="focus" value=(horror.key) checked[focus.contains(&horror.key)];
                    span { (horror.name) }
                }
            }
            small.error data-field="focus" {}
        }
        div.field.wide {
            label for=(id("note")) { "Note (optional)" }
            textarea #(id("note")) name="note" rows="2" maxlength="2000" { (cycle.and_then(|c| c.note.as_deref()).unwrap_or("")) }
            small.error data-field="note" {}
        }
    }
}
