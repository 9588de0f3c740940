//! The window and site pickers, and the links that keep the other choice.

use maud::{html, Markup};

use crate::calendar::Window;
use crate::i18n::{t, Lang};
use crate::tr;

use super::data::{site_suffix, window_params, Choice, Data, QUICK_DAYS};

/// The site picker: every site or one, keeping the window; a link down to the comparison.
pub(super) fn site_picker(lang: Lang, data: &Data, choice: &Choice, window: &Window) -> Markup {
    let chosen = data.scope.site.as_deref();
    html! {
        section.site-picker aria-labelledby="site-heading" {
            h2 #site-heading { (t(lang, "picker-site-heading")) }
            form.inline #site-form method="get" action="/dashboard" {
                @for (name, value) in window_params(choice, window) {
                    input type="hidden" name=(name) value=(value);
                }
                div.field {
                    select #site name="site" aria-labelledby="site-heading" {
                        option value="" selected[chosen.is_none()] { (t(lang, "picker-all-sites")) }
                        @for site in data.sites.iter().filter(|s| !s.retired) {
                            option value=(site.key) selected[chosen == Some(site.key.as_str())] { (site.name) }
                        }
                        @for site in data.sites.iter().filter(|s| s.retired) {
                            option value=(site.key) selected[chosen == Some(site.key.as_str())] {
                                (tr!(lang, "picker-site-retired", site = site.name.as_str()))
                            }
                        }
                    }
                }
                button type="submit" { (t(lang, "picker-show")) }
                @if data.compare.is_some() {
                    a.compare-link href="#compare-sites" { (t(lang, "compare-sites-link")) }
                } @else {
                    a.compare-link href={ (dashboard_href(choice, window, None)) "#compare-sites" } { (t(lang, "compare-sites-link")) }
                }
            }
        }
    }
}

/// This dashboard (same window) for one site, or for every site.
pub(super) fn dashboard_href(choice: &Choice, window: &Window, site: Option<&str>) -> String {
    let mut params = window_params(choice, window);
    params.extend(site.map(|site| ("site", site.to_string())));
    format!(
        "/dashboard?{}",
        serde_urlencoded::to_string(&params).unwrap_or_default()
    )
}

pub(super) fn picker(lang: Lang, data: &Data, choice: &Choice, window: &Window) -> Markup {
    let (custom_from, custom_to) = (window.from().to_string(), window.to().to_string());
    let site = site_suffix(&data.scope);
    let site_field = html! {
        @if let Some(site) = &data.scope.site {
            input type="hidden" name="site" value=(site);
        }
    };
    html! {
        section.picker aria-labelledby="window-heading" {
            h2 #window-heading { (t(lang, "picker-window")) }
            ul.chips {
                @for days in QUICK_DAYS {
                    li {
                        @if *choice == Choice::Days(days) {
                            a href={ "/dashboard?days=" (days) (site) } aria-current="true" { (tr!(lang, "picker-last-days", days = days)) }
                        } @else {
                            a href={ "/dashboard?days=" (days) (site) } { (tr!(lang, "picker-last-days", days = days)) }
                        }
                    }
                }
            }
            div.picker-forms {
                form.custom method="get" action="/dashboard" {
                    (site_field)
                    fieldset {
                        legend { (t(lang, "picker-custom")) }
                        div.field { label for="from" { (t(lang, "picker-from")) } input #from type="date" name="from" value=(custom_from) required; }
                        div.field { label for="to" { (t(lang, "picker-to")) } input #to type="date" name="to" value=(custom_to) required; }
                        button type="submit" { (t(lang, "picker-show")) }
                    }
                }
                form.cycle method="get" action="/dashboard" {
                    (site_field)
                    fieldset {
                        legend { (t(lang, "picker-cycle-legend")) }
                        @if data.cycles.is_empty() {
                            p.hint { (t(lang, "picker-no-cycles")) }
                        } @else {
                            div.field {
                                label for="cycle" { (t(lang, "picker-cycle")) }
                                select #cycle name="cycle" {
                                    @for cycle in &data.cycles {
                                        @let selected = matches!(choice, Choice::Cycle(id, _) if *id == cycle.id);
                                        option value=(cycle.id) selected[selected] {
                                            (tr!(lang, "picker-cycle-option",
                                                name = cycle.name.as_str(),
                                                start = cycle.start.as_str(),
                                                end = cycle.end.as_str(),
                                                status = crate::i18n::cycle_status(lang, &cycle.status)))
                                        }
                                    }
                                }
                            }
                            button type="submit" { (t(lang, "picker-show")) }
                        }
                    }
                }
            }
        }
    }
}
