//! `/admin`: the catalogue (five to eight horrors), tokens (created with the secret shown
//! once, listed, revoked) and improvement cycles with up to three focus horrors. The forms
//! are rendered here; `admin.js` sends them to the JSON API and shows its 422 details
//! beside the fields they name.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::guard;
use super::layout::{self, role_name, Chrome, Here, Nav};
use crate::auth::Role;
use crate::calendar::local_day;
use crate::catalogue::Horror;
use crate::config::{MAX_HORRORS, MIN_HORRORS};
use crate::cycles::{CycleSummary, MAX_FOCUS};
use crate::error::{Error, Result};
use crate::http::extract::lang_of;
use crate::i18n::{cycle_status, rich, script_messages, t, Lang};
use crate::money::Currency;
use crate::report;
use crate::sites::Site;
use crate::store::{Snapshot, Store, TokenInfo};
use crate::tr;

/// The messages `admin.js` uses: its key, the message id, and the placeholders it fills.
const SCRIPT_MESSAGES: &[(&str, &str, &[&str])] = &[
    ("unreachable", "admin-unreachable", &[]),
    ("serverAnswered", "admin-server-answered", &["status"]),
    ("catalogueFull", "admin-catalogue-full", &["max"]),
    ("painWhole", "admin-pain-whole", &[]),
    ("tokenNameNeeded", "admin-token-name-needed", &[]),
    ("tokenActive", "admin-token-active", &[]),
    ("tokenRevoked", "admin-token-revoked", &["date"]),
    ("newTokenFor", "admin-new-token-for", &["name", "role"]),
    ("copied", "admin-copied", &[]),
    ("revoke", "admin-revoke-confirm", &["name"]),
    ("revokeOwn", "admin-revoke-own-confirm", &["name"]),
    ("daysWhole", "admin-days-whole", &[]),
    ("role_staff", "role-staff", &[]),
    ("role_viewer", "role-viewer", &[]),
    ("role_admin", "role-admin", &[]),
    ("allSites", "admin-token-all-sites", &[]),
];

#[derive(Deserialize)]
pub struct AdminQuery {
    saved: Option<String>,
}

struct Data {
    snapshot: std::sync::Arc<Snapshot>,
    tokens: Vec<TokenInfo>,
    sessions: Vec<crate::store::sessions::SessionInfo>,
    cycles: Vec<CycleSummary>,
    today: String,
}

/// `GET /admin` (admin). `?saved=catalogue|cycle` shows what was just saved.
pub async fn page(
    req: HttpRequest,
    store: web::Data<Store>,
    query: web::Query<AdminQuery>,
) -> Result<HttpResponse> {
    let session = match guard::require(&req, &store, Role::Admin).await? {
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
            sessions: inner.list_sessions()?,
            cycles: report::cycle_list(&inner, now)?,
            snapshot,
        })
    })
    .await
    .map_err(|e| Error::internal(format!("admin task failed: {e}")))??;
    let lang = lang_of(&req, &store);
    let saved = match query.saved.as_deref() {
        Some("catalogue") => Some(t(lang, "admin-saved-catalogue")),
        Some("cycle") => Some(t(lang, "admin-saved-cycle")),
        _ => None,
    };
    let content = html! {
        div #admin data-messages=(script_messages(lang, SCRIPT_MESSAGES)) {
            h1 { (t(lang, "admin-title")) }
            @if let Some(saved) = saved {
                p.notice.saved role="status" { (saved) }
            }
            nav.toc aria-label=(t(lang, "admin-sections")) {
                ul {
                    li { a href="#catalogue" { (t(lang, "admin-catalogue")) } }
                    li { a href="#tokens" { (t(lang, "admin-tokens")) } }
                    li { a href="#devices" { (t(lang, "admin-devices")) } }
                    li { a href="#sessions" { (t(lang, "admin-sessions")) } }
                    li { a href="#cycles" { (t(lang, "admin-cycles")) } }
                }
            }
            (catalogue(lang, &data.snapshot))
            (tokens(lang, &data.tokens, session.identity.token_id, &data.snapshot.settings.sites))
            (devices(lang, &data.snapshot.settings.sites))
            (sessions(lang, &data.sessions, &session.secret))
            (cycles(lang, &data))
        }
    };
    let title = t(lang, "admin-title");
    let chrome = Chrome {
        title: &title,
        organization: &data.snapshot.settings.name,
        session: Some(&session),
        nav: Nav::Admin,
        script: Some("admin.js"),
        lang,
        here: Here::of(&req),
    };
    Ok(layout::respond(
        StatusCode::OK,
        layout::page(&chrome, content),
    ))
}

fn catalogue(lang: Lang, snapshot: &Snapshot) -> Markup {
    let currency = snapshot.settings.currency();
    let active: Vec<&Horror> = snapshot.active().collect();
    let retired: Vec<&Horror> = snapshot.horrors.iter().filter(|h| h.retired).collect();
    html! {
        section #catalogue aria-labelledby="catalogue-heading" {
            h2 #catalogue-heading { (t(lang, "admin-catalogue")) }
            p { (tr!(lang, "admin-catalogue-intro", min = MIN_HORRORS, max = MAX_HORRORS)) }
            form.catalogue #catalogue-form novalidate data-min=(MIN_HORRORS) data-max=(MAX_HORRORS) {
                div.form-error #catalogue-error role="alert" tabindex="-1" {}
                ol.horror-rows #horror-rows {
                    @for (i, horror) in active.iter().enumerate() {
                        (horror_row(lang, Some(horror), i + 1, currency))
                    }
                }
                div.actions {
                    button type="button" #add-horror { (t(lang, "admin-add-horror")) }
                    button.primary type="submit" { (t(lang, "admin-save-catalogue")) }
                }
            }
            template #horror-row-template { (horror_row(lang, None, 0, currency)) }
            @if !retired.is_empty() {
                h3 { (t(lang, "admin-retired")) }
                ul.retired #retired {
                    @for horror in &retired {
                        li {
                            (horror.name) " (" code { (horror.key) } ") "
                            button.link.readd type="button"
                                data-key=(horror.key) data-name=(horror.name)
                                data-description=(horror.description.as_deref().unwrap_or(""))
                                data-pain=(horror.pain) data-unit-cost=(currency.format(horror.unit_cost_minor))
                                data-operational=(horror.operational)
                            { (t(lang, "admin-add-back")) }
                        }
                    }
                }
            }
        }
    }
}

/// The complaint playbook of a horror: five parts in each page language, folded away.
fn playbook_fields(lang: Lang, horror: Option<&Horror>) -> Markup {
    let empty = crate::playbook::Playbook::new();
    let playbook = horror.map_or(&empty, |h| &h.playbook);
    html! {
        details.playbook data-had-playbook=(if playbook.is_empty() { "false" } else { "true" }) {
            summary { (t(lang, "admin-playbook")) }
            p.hint { (t(lang, "admin-playbook-hint")) }
            small.error data-field="playbook" {}
            @for written in Lang::all() {
                fieldset.playbook-lang data-lang=(written.tag()) {
                    legend { (t(written, "language-name")) }
                    @for part in crate::playbook::PART_NAMES {
                        @let text = playbook.get(written.tag()).map_or("", |p| {
                            p.named().into_iter().find(|(n, _)| *n == part).map_or("", |(_, t)| t)
                        });
                        label.field {
                            span { (t(lang, &format!("playbook-{}", part.replace('_', "-")))) }
                            textarea name={ "playbook." (written.tag()) "." (part) } rows="2"
                                maxlength=(crate::playbook::MAX_PART) lang=(written.tag()) { (text) }
                        }
                    }
                }
            }
        }
    }
}

/// One horror's fields; `None` is the empty row new horrors are cloned from.
fn horror_row(lang: Lang, horror: Option<&Horror>, number: usize, currency: Currency) -> Markup {
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
                legend { (rich(lang, "admin-horror-number", &[("number", html! { span.number { (number) } })])) }
                div.grid {
                    label.field.f-key {
                        span { (t(lang, "admin-key")) }
                        @if horror.is_some() {
                            input name="key" value=(key) readonly required title=(t(lang, "admin-key-fixed"));
                        } @else {
                            input name="key" value=(key) required maxlength="40" pattern="[a-z0-9-]{1,40}"
                                autocapitalize="off" spellcheck="false";
                        }
                        small.error data-field="key" {}
                    }
                    label.field.f-name {
                        span { (t(lang, "admin-name")) }
                        input name="name" value=(name) required maxlength="60";
                        small.error data-field="name" {}
                    }
                    label.field.f-desc {
                        span { (t(lang, "admin-description")) }
                        input name="description" value=(description) maxlength="500";
                        small.error data-field="description" {}
                    }
                    label.field.f-pain {
                        span { (t(lang, "admin-pain")) }
                        input name="pain" type="number" min="1" max="10" value=(pain) required inputmode="numeric";
                        small.error data-field="pain" {}
                    }
                    label.field.f-cost {
                        span { (tr!(lang, "admin-unit-cost", currency = currency.code())) }
                        input name="unit_cost" value=(unit_cost) required inputmode="decimal" placeholder="0.00";
                        small.error data-field="unit_cost" {}
                    }
                    label.check.f-ops {
                        input name="operational" type="checkbox" checked[operational];
                        span { (t(lang, "admin-operational")) }
                    }
                }
                (playbook_fields(lang, horror))
                div.row-actions {
                    button.link.up type="button" { (t(lang, "admin-move-up")) }
                    button.link.remove type="button" { (t(lang, "admin-remove")) }
                }
            }
        }
    }
}

fn tokens(lang: Lang, tokens: &[TokenInfo], own: i64, sites: &[Site]) -> Markup {
    let role = |role: Role| html! { strong { (role_name(lang, role)) } };
    let columns: Vec<&str> = ["admin-name", "admin-role"]
        .into_iter()
        .chain((!sites.is_empty()).then_some("admin-token-site"))
        .chain(["admin-created", "admin-status"])
        .collect();
    html! {
        section #tokens aria-labelledby="tokens-heading" {
            h2 #tokens-heading { (t(lang, "admin-tokens")) }
            p.hint {
                (rich(lang, "admin-tokens-intro", &[
                    ("staff", role(Role::Staff)),
                    ("viewer", role(Role::Viewer)),
                    ("admin", role(Role::Admin)),
                ]))
            }
            form.inline #token-form novalidate {
                // Admin tokens cannot be bound to a site (admin.js disables it for them).
                (holder_fields(lang, "token", &[Role::Staff, Role::Viewer, Role::Admin], sites, Some("token-site-hint")))
                button.primary type="submit" { (t(lang, "admin-create-token")) }
                @if !sites.is_empty() {
                    p.hint.token-site-hint #token-site-hint { (t(lang, "admin-token-site-hint")) }
                }
                div.form-error #token-error role="alert" tabindex="-1" {}
            }
            div.secret #new-token hidden {
                p {
                    (rich(lang, "admin-new-token", &[("name", html! { strong #new-token-name {} })]))
                }
                div.secret-row {
                    code #new-token-secret {}
                    button type="button" #copy-token { (t(lang, "admin-copy")) }
                }
            }
            (table(lang, "tokens-heading", "token-table", &columns, html! {
                @for token in tokens {
                    (token_row(lang, Some(token), token.id == own, sites))
                }
            }))
            template #token-row-template { (token_row(lang, None, false, sites)) }
        }
    }
}

/// Enrol a phone by QR code: the form asks the API for a one-time code and shows it as a
/// QR code (admin.js). The device then appears with the tokens, revoked like any token.
fn devices(lang: Lang, sites: &[Site]) -> Markup {
    html! {
        section #devices aria-labelledby="devices-heading" {
            h2 #devices-heading { (t(lang, "admin-devices")) }
            p.hint { (t(lang, "admin-devices-intro")) }
            form.inline #enrol-form novalidate {
                (holder_fields(lang, "enrol", &[Role::Staff, Role::Viewer], sites, None))
                button.primary type="submit" { (t(lang, "admin-enrol-create")) }
                div.form-error #enrol-error role="alert" tabindex="-1" {}
            }
            div.enrolment #enrolment hidden {
                p #enrol-ready tabindex="-1" { (t(lang, "admin-enrol-ready")) }
                img #enrol-qr alt=(t(lang, "admin-enrol-qr")) width="240" height="240";
                p { code #enrol-url {} }
                p.hint { (t(lang, "admin-enrol-expires")) " " time #enrol-expires {} }
            }
        }
    }
}

/// Live sessions (sign-ins and devices), each with a button that ends it (admin.js).
fn sessions(
    lang: Lang,
    sessions: &[crate::store::sessions::SessionInfo],
    own_secret: &str,
) -> Markup {
    let own = crate::store::sessions::id_of_secret(own_secret);
    let columns = [
        "admin-name",
        "admin-role",
        "admin-created",
        "admin-session-expires",
    ];
    html! {
        section #sessions aria-labelledby="sessions-heading" {
            h2 #sessions-heading { (t(lang, "admin-sessions")) }
            p.hint { (t(lang, "admin-sessions-intro")) }
            (table(lang, "sessions-heading", "session-table", &columns, html! {
                @for s in sessions {
                    tr data-session=(s.id) {
                        td.name { (s.name) @if let Some(site) = &s.site { " · " (site) } }
                        td { (role_name(lang, s.role)) }
                        td { (s.created_at.get(..10).unwrap_or(&s.created_at)) }
                        td { (s.expires_at.get(..10).unwrap_or(&s.expires_at)) }
                        td {
                            @if s.id == own {
                                span.hint { (t(lang, "admin-session-this")) }
                            } @else {
                                button.revoke-session type="button" data-id=(s.id) { (t(lang, "admin-session-end")) }
                            }
                        }
                    }
                }
            }))
        }
    }
}

/// The name, role and (where there are sites) site fields of the form with the id prefix
/// `form`, offering `roles`; `site_hint` is the id of the site field's hint, if any.
fn holder_fields(
    lang: Lang,
    form: &str,
    roles: &[Role],
    sites: &[Site],
    site_hint: Option<&str>,
) -> Markup {
    let id = |name: &str| format!("{form}-{name}");
    html! {
        div.field {
            label for=(id("name")) { (t(lang, "admin-name")) }
            input #(id("name")) name="name" required maxlength="60" placeholder=(t(lang, "admin-token-name-example"));
        }
        div.field {
            label for=(id("role")) { (t(lang, "admin-role")) }
            select #(id("role")) name="role" {
                @for role in roles {
                    option value=(role.as_str()) { (role_name(lang, *role)) }
                }
            }
        }
        @if !sites.is_empty() {
            div.field {
                label for=(id("site")) { (t(lang, "admin-token-site")) }
                select #(id("site")) name="site" aria-describedby=[site_hint] {
                    option value="" { (t(lang, "admin-token-any-site")) }
                    @for site in sites.iter().filter(|s| !s.retired) {
                        option value=(site.key) { (site.name) }
                    }
                }
            }
        }
    }
}

/// A scrolling table labelled by the element `heading`: a row of `columns` (message ids)
/// and an unnamed last one for each row's action, then `rows`.
fn table(lang: Lang, heading: &str, id: &str, columns: &[&str], rows: Markup) -> Markup {
    html! {
        div.table-scroll role="region" aria-labelledby=(heading) tabindex="0" {
            table #(id) {
                thead {
                    tr {
                        @for column in columns {
                            th scope="col" { (t(lang, column)) }
                        }
                        th scope="col" { span.visually-hidden { (t(lang, "admin-action")) } }
                    }
                }
                tbody { (rows) }
            }
        }
    }
}

fn token_row(lang: Lang, token: Option<&TokenInfo>, own: bool, sites: &[Site]) -> Markup {
    let id = token.map(|t| t.id.to_string()).unwrap_or_default();
    let date = |text: &str| text.get(..10).unwrap_or(text).to_string();
    html! {
        tr data-id=(id) {
            th scope="row" {
                span.name { (token.map(|t| t.name.as_str()).unwrap_or("")) }
                @if own { " " span.badge { (t(lang, "admin-you")) } }
            }
            td.role { (token.map(|tk| role_name(lang, tk.role)).unwrap_or_default()) }
            @if !sites.is_empty() {
                td.site {
                    @match token.and_then(|tk| tk.site.as_deref()) {
                        Some(key) => { (sites.iter().find(|s| s.key == key).map_or(key, |s| s.name.as_str())) }
                        None if token.is_some() => { span.unbound { (t(lang, "admin-token-all-sites")) } }
                        None => {}
                    }
                }
            }
            td.created { (token.map(|tk| date(&tk.created_at)).unwrap_or_default()) }
            td.status {
                @match token.and_then(|tk| tk.revoked_at.as_deref()) {
                    Some(at) => { (tr!(lang, "admin-token-revoked", date = date(at))) }
                    None => { (t(lang, "admin-token-active")) }
                }
            }
            td {
                @if token.is_none_or(|tk| tk.revoked_at.is_none()) {
                    button.revoke type="button" data-own=(own) { (t(lang, "admin-revoke")) }
                }
            }
        }
    }
}

fn cycles(lang: Lang, data: &Data) -> Markup {
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
            h2 #cycles-heading { (t(lang, "admin-cycles")) }
            p { (tr!(lang, "admin-cycles-intro", max = MAX_FOCUS)) }
            @if data.cycles.is_empty() {
                p.hint { (t(lang, "admin-no-cycles")) }
            } @else {
                ul.cycle-list {
                    @for cycle in &data.cycles {
                        li.cycle {
                            h3 { (cycle.name) }
                            @let focus: Vec<String> = cycle.focus.iter().map(|key| name_of(key)).collect();
                            p {
                                (tr!(lang, "admin-cycle-line",
                                    start = cycle.start.as_str(),
                                    end = cycle.end.as_str(),
                                    days = cycle.days,
                                    status = cycle_status(lang, &cycle.status),
                                    focus = if focus.is_empty() { t(lang, "admin-focus-none") } else { focus.join(&t(lang, "list-separator")) }))
                                " "
                                a href={ "/dashboard?cycle=" (cycle.id) } { (t(lang, "admin-cycle-ranking")) }
                            }
                            @if let Some(note) = &cycle.note { p.note { (note) } }
                            details {
                                summary { (tr!(lang, "admin-edit-cycle", name = cycle.name.as_str())) }
                                form.cycle-form.cycle-edit data-id=(cycle.id) novalidate {
                                    (cycle_fields(lang, &format!("c{}", cycle.id), Some(cycle), &active, &data.today, snapshot.settings.window_days))
                                    button.primary type="submit" { (t(lang, "admin-save-cycle")) }
                                }
                            }
                        }
                    }
                }
            }
            h3 { (t(lang, "admin-start-cycle-heading")) }
            form.cycle-form #cycle-form novalidate {
                (cycle_fields(lang, "new", None, &active, &data.today, snapshot.settings.window_days))
                button.primary type="submit" { (t(lang, "admin-start-cycle")) }
            }
        }
    }
}

/// Name, dates (new cycles only), focus and note; `prefix` keeps ids unique per form.
fn cycle_fields(
    lang: Lang,
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
                label for=(id("name")) { (t(lang, "admin-name")) }
                input #(id("name")) name="name" required maxlength="100" value=(cycle.map(|c| c.name.as_str()).unwrap_or(""));
                small.error data-field="name" {}
            }
            @if cycle.is_none() {
                div.field {
                    label for=(id("start")) { (t(lang, "admin-first-day")) }
                    input #(id("start")) name="start" type="date" required value=(today);
                    small.error data-field="start" {}
                }
                div.field {
                    label for=(id("days")) { (t(lang, "admin-days")) }
                    input #(id("days")) name="days" type="number" min="1" max="366" value=(window_days) inputmode="numeric";
                    small.error data-field="days" {}
                }
            }
        }
        fieldset.focus {
            legend { (tr!(lang, "admin-focus-legend", max = MAX_FOCUS)) }
            @for horror in active {
                label.check {
                    input type="checkbox" name="focus" value=(horror.key) checked[focus.iter().any(|f| *f == horror.key)];
                    span { (horror.name) }
                }
            }
            small.error data-field="focus" {}
        }
        div.field.wide {
            label for=(id("note")) { (t(lang, "admin-note")) }
            textarea #(id("note")) name="note" rows="2" maxlength="2000" { (cycle.and_then(|c| c.note.as_deref()).unwrap_or("")) }
            small.error data-field="note" {}
        }
    }
}
