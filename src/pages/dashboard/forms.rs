//! The dashboard's forms: the paper check sheet's entry and the day's volume.

use maud::{html, Markup};

use crate::calendar::Window;
use crate::i18n::{t, Lang};
use crate::sites::Site;
use crate::tr;

use super::data::{site_name, site_suffix, Data};
use super::SCRIPT_MESSAGES;

/// The messages the paper sheet's form uses (in `dashboard.js`).
pub(super) const SHEET_MESSAGES: &[(&str, &str, &[&str])] = &[
    ("unreachable", "method-unreachable", &[]),
    ("serverAnswered", "method-server-answered", &["status"]),
    ("saved", "sheet-form-saved", &["count"]),
];

/// The paper check sheet's entry form (METHOD step 2), shaped like the printed sheet: a
/// row per horror, a column per day of the window (its last 31 days, up to today).
pub(super) fn sheet_form(lang: Lang, data: &Data, window: &Window) -> Markup {
    let today = data.today.parse().unwrap_or(window.to());
    let last = window.to().min(today);
    let first = window
        .from()
        .max(last - chrono::Days::new(crate::sheets::pdf::DAYS_PER_PAGE as u64 - 1));
    let days: Vec<chrono::NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let active: Vec<&Site> = data.sites.iter().filter(|s| !s.retired).collect();
    let print = format!(
        "/sheets/check-sheet.pdf?lang={}{}",
        lang.tag(),
        site_suffix(&data.scope)
    );
    html! {
        section #sheet-entry aria-labelledby="sheet-heading" data-messages=(crate::i18n::script_messages(lang, SHEET_MESSAGES)) {
            h2 #sheet-heading { (t(lang, "sheet-form-title")) }
            p.hint { (t(lang, "sheet-form-intro")) }
            p { a #print-sheet href=(print) { (t(lang, "sheet-form-print")) } }
            form #sheet-form novalidate {
                div.inline {
                    @if !data.bound && !active.is_empty() {
                        div.field {
                            label for="sheet-site" { (t(lang, "sheet-form-site")) }
                            select #sheet-site name="site" {
                                @for site in &active {
                                    option value=(site.key) selected[data.scope.site.as_deref() == Some(site.key.as_str())] { (site.name) }
                                }
                            }
                        }
                    }
                    div.field {
                        label for="sheet-department" { (t(lang, "sheet-form-department")) }
                        @if data.departments.is_empty() {
                            input #sheet-department name="department" maxlength="60";
                        } @else {
                            select #sheet-department name="department" {
                                option value="" { "—" }
                                @for department in &data.departments {
                                    option value=(department) { (department) }
                                }
                            }
                        }
                    }
                }
                div.sheet-grid {
                    table {
                        thead {
                            tr {
                                th scope="col" { (t(lang, "col-horror")) }
                                @for day in &days {
                                    th scope="col" { time datetime=(day) { (day.format("%-m/%-d")) } }
                                }
                            }
                        }
                        tbody {
                            @for (key, name) in &data.horrors {
                                tr {
                                    th scope="row" { (name) }
                                    @for day in &days {
                                        td {
                                            input.count type="number" min="0" max="1000" step="1" inputmode="numeric"
                                                data-day=(day) data-key=(key) aria-label={ (name) " " (day) };
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                button.primary type="submit" { (t(lang, "sheet-form-submit")) }
                p.form-error #sheet-error role="alert" {}
                p.form-status #sheet-status role="status" aria-live="polite" {}
            }
        }
    }
}

/// The form a supervisor uses to record a day's volume at a site (SPEC §17).
pub(super) fn volume_form(lang: Lang, data: &Data) -> Markup {
    let unit = data.volume_unit.as_str();
    let active: Vec<&Site> = data.sites.iter().filter(|s| !s.retired).collect();
    html! {
        section #volume aria-labelledby="volume-heading" data-messages=(crate::i18n::script_messages(lang, SCRIPT_MESSAGES)) {
            h2 #volume-heading { (t(lang, "volume-heading")) }
            p.hint { (tr!(lang, "volume-intro", unit = unit)) }
            form.inline #volume-form novalidate data-unit=(unit) {
                div.field {
                    label for="volume-day" { (t(lang, "volume-day")) }
                    input #volume-day type="date" name="day" value=(data.yesterday) max=(data.today) required;
                }
                @if data.bound {
                    @if let Some(name) = site_name(data) {
                        p.fixed-site { (t(lang, "volume-site")) " " strong { (name) } }
                    }
                } @else if !active.is_empty() {
                    div.field {
                        label for="volume-site" { (t(lang, "volume-site")) }
                        select #volume-site name="site" {
                            @for site in &active {
                                option value=(site.key) selected[data.scope.site.as_deref() == Some(site.key.as_str())] { (site.name) }
                            }
                        }
                    }
                }
                div.field {
                    label for="volume-units" { (tr!(lang, "volume-units", unit = unit)) }
                    input #volume-units type="number" name="units" min="0" step="1" required inputmode="numeric";
                }
                button.primary type="submit" { (t(lang, "volume-save")) }
                p.form-status #volume-status role="status" aria-live="polite" {}
            }
        }
    }
}
