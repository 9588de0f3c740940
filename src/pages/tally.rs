//! `/tally`: the floor staff's page, phone first. One big button per active horror with
//! today's count; `tally.js` turns a tap into a queued tick (localStorage, `client_id`)
//! and syncs it through `POST /api/ticks/batch`, so taps survive the network and reloads.
//! The texts the script shows come with the page (`data-messages`), in the page's
//! language: no extra request, no delay before the first tap.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::assets;
use super::guard;
use super::layout::{self, Chrome, Here, Nav};
use crate::auth::Role;
use crate::calendar::local_day;
use crate::error::Result;
use crate::http::extract::lang_of;
use crate::i18n::{script_messages, t, Lang};
use crate::keys::SiteKey;
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
    let session = match guard::require(&req, &store, Role::Staff).await? {
        Ok(session) => session,
        Err(response) => return Ok(response),
    };
    let snapshot = store.snapshot()?;
    let now = store.now();
    let lang = lang_of(&req, &store);
    let asked = layout::query_value(&req, "site");
    let remembered = req.cookie(SITE_COOKIE).map(|c| c.value().to_string());
    // `?horror=KEY` (a check sheet's QR code): that horror's button comes first, chosen.
    let chosen =
        layout::query_value(&req, "horror").filter(|key| snapshot.active().any(|h| &h.key == key));
    let place = place(
        &session.identity,
        &snapshot.settings,
        asked.as_deref(),
        remembered.as_deref(),
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
    let site = match &place {
        Place::Pick => {
            let content = picker(lang, &snapshot, remembered.as_deref(), chosen.as_deref());
            let mut response = layout::respond(
                StatusCode::OK,
                layout::page(
                    &Chrome {
                        script: None,
                        ..chrome
                    },
                    content,
                ),
            );
            // The service worker keeps the buttons for offline reloads, never the picker.
            response.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static(PICKER_HEADER),
                actix_web::http::header::HeaderValue::from_static("picker"),
            );
            return Ok(response);
        }
        Place::Fixed(site) | Place::Chosen(site) => site.clone(),
    };
    let scope = crate::sites::Scope { site: site.clone() };
    let today = local_day(now, snapshot.settings.site_tz(site.as_deref()));
    let counts = store.call(move |s| s.counts_on(today, &scope)).await?;
    let count = |key: &str| counts.get(key).copied().unwrap_or(0);
    let content = content(
        lang,
        &snapshot,
        &place,
        &count,
        &today.to_string(),
        now.timestamp_millis(),
        chosen.as_deref(),
    );
    let mut response = layout::respond(StatusCode::OK, layout::page(&chrome, content));
    // A site picked from the list is remembered on this device for the next visit.
    if let (Place::Chosen(Some(site)), Some(asked)) = (&place, asked.as_deref()) {
        if site == asked {
            use actix_web::cookie::{time, Cookie, SameSite};
            let cookie = Cookie::build(SITE_COOKIE, site.as_str())
                .path("/tally")
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(time::Duration::days(SITE_COOKIE_DAYS))
                .finish();
            let _ = response.add_cookie(&cookie);
        }
    }
    Ok(response)
}

/// The cookie that remembers the site a device tallies at (for tokens not bound to one).
pub const SITE_COOKIE: &str = "horrors_tally_site";
const SITE_COOKIE_DAYS: i64 = 365;
/// The response header that marks the site picker, which `sw.js` does not keep offline.
const PICKER_HEADER: &str = "horrors-tally";

/// Where the taps of this page go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Decided for the caller: the token's own site, or no site when none are configured.
    Fixed(Option<SiteKey>),
    /// Chosen on this device (`?site=` or the remembered cookie); it can be changed.
    Chosen(Option<SiteKey>),
    /// Sites exist and none is chosen yet: the page shows the list of sites first,
    /// since a tick without a site would be refused (`site_required`).
    Pick,
}

/// The place of a tally page: a bound token's site always; without sites, none; else the
/// active site asked for (`?site=`, where an empty or unusable one asks for the list),
/// else the active site remembered on the device, else the list.
pub fn place(
    who: &crate::auth::Identity,
    settings: &crate::config::Settings,
    asked: Option<&str>,
    remembered: Option<&str>,
) -> Place {
    if let Some(bound) = &who.site {
        return Place::Fixed(Some(bound.clone()));
    }
    if settings.sites.is_empty() {
        return Place::Fixed(None);
    }
    let active = |key: &str| settings.active_sites().find(|s| s.key == key);
    match asked.or(remembered).and_then(active) {
        Some(site) => Place::Chosen(Some(site.key.clone())),
        None => Place::Pick,
    }
}

/// The list of sites, one big link each, before any tap.
fn picker(
    lang: Lang,
    snapshot: &Snapshot,
    remembered: Option<&str>,
    chosen: Option<&str>,
) -> Markup {
    html! {
        div.tally.site-picker #site-picker {
            h1 { (t(lang, "tally-pick-heading")) }
            p.hint.lead { (t(lang, "tally-pick-lead")) }
            ul.sites {
                @for site in snapshot.settings.active_sites() {
                    li {
                        a.site-choice href={ "/tally?site=" (site.key) @if let Some(key) = chosen { "&horror=" (key) } }
                            aria-current=[(remembered == Some(site.key.as_str())).then_some("true")]
                        { (site.name) }
                    }
                }
            }
            @if snapshot.settings.active_sites().next().is_none() {
                p.error { (t(lang, "tally-pick-none")) }
            }
        }
    }
}

// Over 80 lines: the page's sections in reading order, in one `html!` template.
fn content(
    lang: Lang,
    snapshot: &Snapshot,
    place: &Place,
    count: &dyn Fn(&str) -> u64,
    day: &str,
    rendered_at: i64,
    chosen: Option<&str>,
) -> Markup {
    let departments = &snapshot.settings.departments;
    // The chosen horror first, then the others in catalogue order.
    let mut horrors: Vec<&crate::catalogue::Horror> = snapshot.active().collect();
    horrors.sort_by_key(|h| Some(h.key.as_str()) != chosen);
    let (site, changeable) = match place {
        Place::Fixed(site) => (site.as_deref(), false),
        Place::Chosen(site) => (site.as_deref(), true),
        Place::Pick => (None, true),
    };
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
                p.site #site {
                    (t(lang, "tally-site")) " " strong { (site.name) }
                    @if changeable {
                        " " a.change-site href="/tally?site=" { (t(lang, "tally-change-site")) }
                    }
                }
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
                // Where the next tap comes from: internal (the default), a customer's
                // complaint (for that tap only), or an outside observer (kept on the device).
                fieldset.sources #sources {
                    legend.visually-hidden { (t(lang, "tally-source")) }
                    label.toggle.internal for="source-internal" {
                        input #source-internal type="radio" name="source" value="internal" checked;
                        span { (t(lang, "tally-source-internal")) }
                    }
                    label.toggle.complaint for="complaint" {
                        input #complaint type="radio" name="source" value="complaint";
                        span { (t(lang, "tally-complaint")) }
                    }
                    label.toggle.observer for="observer" {
                        input #observer type="radio" name="source" value="observer";
                        span { (t(lang, "tally-observer")) }
                    }
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
            @if let Some(horror) = horrors.first().filter(|h| Some(h.key.as_str()) == chosen) {
                p.hint.lead.chosen-lead #chosen-lead {
                    (crate::tr!(lang, "tally-chosen", name = horror.name.as_str()))
                }
            } @else {
                p.hint.lead { (t(lang, "tally-lead")) }
            }
            ul.horrors {
                @for horror in &horrors {
                    @let is_chosen = Some(horror.key.as_str()) == chosen;
                    li {
                        button.horror.chosen[is_chosen] type="button" data-key=(horror.key) data-today=(count(&horror.key))
                            aria-current=[is_chosen.then_some("true")] autofocus[is_chosen] {
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
            // Each horror's complaint playbook, shown by tally.js right after a complaint
            // tap: it is in the page, so it shows at once, offline too.
            @for horror in snapshot.active() {
                @if let Some(parts) = crate::playbook::for_lang(&horror.playbook, lang.tag()) {
                    (playbook(lang, &horror.key, &horror.name, parts))
                }
            }
        }
    }
}

/// One horror's playbook: the five parts of answering the complaint, in order.
fn playbook(lang: Lang, key: &str, name: &str, parts: &crate::playbook::Parts) -> Markup {
    html! {
        section.playbook id={ "playbook-" (key) } data-key=(key) hidden tabindex="-1"
            aria-labelledby={ "playbook-title-" (key) }
        {
            h2 id={ "playbook-title-" (key) } { (crate::tr!(lang, "tally-playbook-heading", name = name)) }
            ol {
                @for (part, text) in parts.named() {
                    @if !text.is_empty() {
                        li data-part=(part) {
                            strong { (t(lang, &format!("playbook-{}", part.replace('_', "-")))) }
                            " "
                            span.text { (text) }
                        }
                    }
                }
            }
            button.close-playbook type="button" { (t(lang, "tally-playbook-close")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Identity;
    use crate::config::Settings;
    use crate::sites::Site;

    fn settings(sites: &[(&str, bool)]) -> Settings {
        Settings {
            sites: sites
                .iter()
                .map(|(key, retired)| Site {
                    key: SiteKey::parse(key).unwrap(),
                    name: key.to_uppercase(),
                    timezone: chrono_tz::America::Chicago,
                    retired: *retired,
                })
                .collect(),
            ..crate::config::example_settings()
        }
    }

    fn who(site: Option<&str>) -> Identity {
        Identity {
            token_id: 1,
            name: "Phone".into(),
            role: Role::Staff,
            site: site.map(|s| SiteKey::parse(s).unwrap()),
        }
    }

    #[test]
    fn the_picker_shows_only_when_an_unbound_device_has_no_usable_site() {
        let sites = settings(&[("a", false), ("b", false), ("old", true)]);
        let none = settings(&[]);
        let site = |key: &str| Some(SiteKey::parse(key).unwrap());
        let chosen = |key: &str| Place::Chosen(site(key));
        let cases = [
            // (bound, settings, ?site=, cookie, expected)
            (Some("b"), &sites, None, None, Place::Fixed(site("b"))),
            (
                Some("b"),
                &sites,
                Some("a"),
                Some("a"),
                Place::Fixed(site("b")),
            ),
            (None, &none, None, None, Place::Fixed(None)),
            (None, &none, Some("a"), None, Place::Fixed(None)),
            (None, &sites, None, None, Place::Pick),
            (None, &sites, Some("a"), None, chosen("a")),
            (None, &sites, Some("a"), Some("b"), chosen("a")),
            (None, &sites, None, Some("b"), chosen("b")),
            (None, &sites, Some(""), Some("b"), Place::Pick),
            (None, &sites, Some("nowhere"), Some("b"), Place::Pick),
            (None, &sites, Some("old"), None, Place::Pick),
            (None, &sites, None, Some("old"), Place::Pick),
        ];
        for (bound, settings, asked, remembered, expected) in cases {
            assert_eq!(
                place(&who(bound), settings, asked, remembered),
                expected,
                "{bound:?} {asked:?} {remembered:?}"
            );
        }
    }
}
