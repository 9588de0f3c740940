//! `/tally`: the floor staff's page, phone first. One big button per active horror with
//! today's count; `tally.js` turns a tap into a queued tick (localStorage, `client_id`)
//! and syncs it through `POST /api/ticks/batch`, so taps survive the network and reloads.
//! The texts the script shows come with the page (`data-messages`), in the page's
//! language: no extra request, no delay before the first tap.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::assets;
use super::layout::{self, Chrome, Here, Nav};
use super::session;
use crate::auth::Role;
use crate::calendar::local_day;
use crate::error::Result;
use crate::http::extract::lang_of;
use crate::i18n::{script_messages, t, Lang};
use crate::store::{Snapshot, Store};

/// The messages `tally.js` uses: its key, the message id, and the placeholders it fills.
const SCRIPT_MESSAGES: &[(&str, &str, &[&str])] = &[
    ("stateSaved", "tally-state-saved", &[]),
    ("stateQueued", "tally-state-queued", &[]),
    ("stateSaving", "tally-state-saving", &[]),
    ("waiting", "tally-waiting", &["count"]),
    (
        "waitingProblem",
        "tally-waiting-problem",
        &["count", "problem"],
    ),
    ("allSaved", "tally-all-saved", &[]),
    ("chooseDepartment", "tally-choose-department", &[]),
    ("tapped", "tally-tapped", &["name", "qty"]),
    (
        "tappedComplaint",
        "tally-tapped-complaint",
        &["name", "qty"],
    ),
    ("line", "tally-line", &["what", "status"]),
    ("statusSaving", "tally-status-saving", &[]),
    ("statusOffline", "tally-status-offline", &[]),
    ("statusWaiting", "tally-status-waiting", &[]),
    ("statusSaved", "tally-status-saved", &[]),
    ("problemSession", "tally-problem-session", &[]),
    ("problemReload", "tally-problem-reload", &[]),
    ("problemBusy", "tally-problem-busy", &[]),
    ("notRecorded", "tally-not-recorded", &["reasons"]),
    ("rejected", "tally-rejected", &["name", "reason"]),
    ("refused", "tally-refused", &[]),
    ("undoing", "tally-undoing", &["name"]),
    ("undoneUnsent", "tally-undone-unsent", &["name"]),
    ("stillSaving", "tally-still-saving", &[]),
    ("undone", "tally-undone", &["name"]),
    ("tooLate", "tally-too-late", &[]),
    ("undoFailed", "tally-undo-failed", &["status"]),
    ("undoOffline", "tally-undo-offline", &[]),
    ("logoutConfirm", "tally-logout-confirm", &["count"]),
];

/// `GET /tally` (staff).
pub async fn page(req: HttpRequest, store: web::Data<Store>) -> Result<HttpResponse> {
    let session = match session::require(&req, &store, Role::Staff).await? {
        Ok(session) => session,
        Err(response) => return Ok(response),
    };
    let snapshot = store.snapshot()?;
    let now = store.now();
    // Staff tally at their token's site, else at the site the page was opened for.
    let asked =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("site").cloned());
    let scope =
        crate::http::extract::scope(asked.as_deref(), &session.identity, &snapshot.settings)
            .or_else(|_| {
                crate::http::extract::scope(None, &session.identity, &snapshot.settings)
            })?;
    let site = scope.site.clone();
    let today = local_day(now, snapshot.settings.site_tz(site.as_deref()));
    let counts = store.call(move |s| s.counts_on(today, &scope)).await?;
    let count = |key: &str| counts.get(key).copied().unwrap_or(0);
    let lang = lang_of(&req, &store);
    let content = content(
        lang,
        &snapshot,
        site.as_deref(),
        &count,
        &today.to_string(),
        now.timestamp_millis(),
    );
    let title = t(lang, "tally-title");
    let chrome = Chrome {
        title: &title,
        organization: &snapshot.settings.name,
        session: Some(&session),
        nav: Nav::Tally,
        script: Some("tally.js"),
        lang,
        here: Here::of(&req),
    };
    Ok(layout::respond(
        StatusCode::OK,
        layout::page(&chrome, content),
    ))
}

fn content(
    lang: Lang,
    snapshot: &Snapshot,
    site: Option<&str>,
    count: &dyn Fn(&str) -> u64,
    day: &str,
    rendered_at: i64,
) -> Markup {
    let departments = &snapshot.settings.departments;
    html! {
        div.tally #tally
            data-day=(day)
            data-site=(site.unwrap_or(""))
            data-rendered-at=(rendered_at)
            data-departments-required=(if departments.is_empty() { "false" } else { "true" })
            data-sw=(assets::url(assets::SERVICE_WORKER))
            data-messages=(script_messages(lang, SCRIPT_MESSAGES))
        {
            h1.visually-hidden { (t(lang, "tally-title")) }
            @if let Some(site) = site.and_then(|key| snapshot.settings.site(key)) {
                p.site #site { (t(lang, "tally-site")) " " strong { (site.name) } }
            }
            noscript {
                p.error { (t(lang, "tally-noscript")) }
            }
            div.controls {
                @if !departments.is_empty() {
                    div.field.department {
                        label for="department" { (t(lang, "tally-department")) }
                        select #department name="department" {
                            option value="" { (t(lang, "tally-department-choose")) }
                            @for department in departments {
                                option value=(department) { (department) }
                            }
                        }
                    }
                }
                label.toggle for="complaint" {
                    input #complaint type="checkbox" name="complaint";
                    span { (t(lang, "tally-complaint")) }
                }
                details.more #more {
                    summary { (t(lang, "tally-more")) }
                    div.more-fields {
                        div.field {
                            label for="qty" { (t(lang, "tally-qty")) }
                            input #qty type="number" name="qty" min="1" max="1000" value="1" inputmode="numeric";
                        }
                        div.field {
                            label for="note" { (t(lang, "tally-note")) }
                            textarea #note name="note" maxlength="500" rows="2" {}
                        }
                        p.hint { (t(lang, "tally-next-only")) }
                    }
                }
            }
            p.hint.lead { (t(lang, "tally-lead")) }
            ul.horrors {
                @for horror in snapshot.active() {
                    li {
                        button.horror type="button" data-key=(horror.key) data-today=(count(&horror.key)) {
                            span.name { (horror.name) }
                            span.count aria-label=(t(lang, "tally-today")) { (count(&horror.key)) }
                            span.state aria-hidden="true" {}
                        }
                    }
                }
            }
            div.statusbar {
                p #last role="status" aria-live="polite" {}
                button.undo #undo type="button" hidden { (t(lang, "tally-undo")) }
                p #sync aria-live="polite" {}
            }
        }
    }
}
