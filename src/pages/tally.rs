//! `/tally`: the floor staff's page, phone first. One big button per active horror with
//! today's count; `tally.js` turns a tap into a queued tick (localStorage, `client_id`)
//! and syncs it through `POST /api/ticks/batch`, so taps survive the network and reloads.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::assets;
use super::layout::{self, Chrome, Nav};
use super::session;
use crate::auth::Role;
use crate::calendar::local_day;
use crate::error::Result;
use crate::store::{Snapshot, Store};

/// `GET /tally` (staff).
pub async fn page(req: HttpRequest, store: web::Data<Store>) -> Result<HttpResponse> {
    let session = match session::require(&req, &store, Role::Staff).await? {
        Ok(session) => session,
        Err(response) => return Ok(response),
    };
    let snapshot = store.snapshot()?;
    let now = store.now();
    let today = local_day(now, snapshot.settings.tz());
    let counts = store.call(move |s| s.counts_on(today)).await?;
    let count = |key: &str| counts.get(key).copied().unwrap_or(0);
    let content = content(
        &snapshot,
        &count,
        &today.to_string(),
        now.timestamp_millis(),
    );
    let chrome = Chrome {
        title: "Tally",
        organization: &snapshot.settings.name,
        session: Some(&session),
        nav: Nav::Tally,
        script: Some("tally.js"),
    };
    Ok(layout::respond(
        StatusCode::OK,
        layout::page(&chrome, content),
    ))
}

fn content(
    snapshot: &Snapshot,
    count: &dyn Fn(&str) -> u64,
    day: &str,
    rendered_at: i64,
) -> Markup {
    let departments = &snapshot.settings.departments;
    html! {
        div.tally #tally
            data-day=(day)
            data-rendered-at=(rendered_at)
            data-departments-required=(if departments.is_empty() { "false" } else { "true" })
            data-sw=(assets::url(assets::SERVICE_WORKER))
        {
            h1.visually-hidden { "Tally" }
            noscript {
                p.error { "The tally needs JavaScript to record taps. Please turn it on for this site." }
            }
            div.controls {
                @if !departments.is_empty() {
                    div.field.department {
                        label for="department" { "Department" }
                        select #department name="department" {
                            option value="" { "Choose your department…" }
                            @for department in departments {
                                option value=(department) { (department) }
                            }
                        }
                    }
                }
                label.toggle for="complaint" {
                    input #complaint type="checkbox" name="complaint";
                    span { "A customer complained" }
                }
                details.more #more {
                    summary { "More: quantity, note" }
                    div.more-fields {
                        div.field {
                            label for="qty" { "Quantity" }
                            input #qty type="number" name="qty" min="1" max="1000" value="1" inputmode="numeric";
                        }
                        div.field {
                            label for="note" { "Note" }
                            textarea #note name="note" maxlength="500" rows="2" {}
                        }
                        p.hint { "Used for the next tap only." }
                    }
                }
            }
            p.hint.lead { "Tap once each time it happens." }
            ul.horrors {
                @for horror in snapshot.active() {
                    li {
                        button.horror type="button" data-key=(horror.key) data-today=(count(&horror.key)) {
                            span.name { (horror.name) }
                            span.count aria-label="today" { (count(&horror.key)) }
                            span.state aria-hidden="true" {}
                        }
                    }
                }
            }
            div.statusbar {
                p #last role="status" aria-live="polite" {}
                button.undo #undo type="button" hidden { "Undo" }
                p #sync aria-live="polite" {}
            }
        }
    }
}
