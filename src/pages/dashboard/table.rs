//! The ranked table's rows: tier badges and the change against the previous window.

use maud::{html, Markup};

use crate::i18n::{t, Lang};
use crate::money::Currency;
use crate::ranking::{RankedItem, Tier};
use crate::stats::rev2::ChangeVerdict;

use super::sentences::{group, percent, rate, tier_name};

/// One ranked horror. When the data cannot tell it weighs more than the next one down,
/// the row says so rather than implying an order the data cannot carry; its change is a
/// verdict, with the change in rate beside a clear one.
pub(super) fn row(lang: Lang, item: &RankedItem, currency: Currency, rates: bool) -> Markup {
    html! {
        tr data-key=(item.key) {
            td { (item.rank) }
            th scope="row" {
                (item.name)
                @if item.focus { " " span.badge.focus title=(t(lang, "badge-focus-title")) { (t(lang, "badge-focus")) } }
                @if item.retired { " " span.badge.retired { (t(lang, "badge-retired")) } }
                @if item.ahead_of_next == Some(false) { " " span.badge.not-ahead title=(t(lang, "badge-not-ahead-title")) { (t(lang, "badge-not-ahead")) } }
            }
            td { (tier_badge(lang, item.tier)) }
            td.num { (group(item.count)) }
            td.num { (group(item.complaints)) }
            td.num { (currency.format_separated(item.cost_minor)) }
            td.num { (group(item.previous.count)) }
            td.num {
                @match item.change_verdict {
                    ChangeVerdict::Up | ChangeVerdict::Down => {
                        span.clear title=(t(lang, "change-clear-title")) {
                            (change_cell(lang, item.change_rate_pct, item.count))
                            br;
                            small { (t(lang, "change-clear")) }
                        }
                    }
                    _ if item.count + item.previous.count == 0 => { (change_cell(lang, item.change_pct, item.count)) }
                    ChangeVerdict::NoClearChange => {
                        span.noise title=(t(lang, "change-noise-title")) { (t(lang, "change-noise")) }
                    }
                    ChangeVerdict::TooFew => {
                        span.noise title=(t(lang, "change-too-few-title")) { (t(lang, "change-too-few")) }
                    }
                }
            }
            @if rates {
                td.num { (rate(item.rate_per_1000)) }
            }
        }
    }
}

pub(super) fn tier_badge(lang: Lang, tier: Tier) -> Markup {
    let class = match tier {
        Tier::Worst => "tier tier-worst",
        Tier::Worse => "tier tier-worse",
        Tier::Bad => "tier tier-bad",
    };
    html! { span class=(class) { (tier_name(lang, tier)) } }
}

/// ▲ for more horrors (bad, red), ▼ for fewer (good, green), "new" when there were none.
pub(super) fn change_cell(lang: Lang, change: Option<f64>, count: u64) -> Markup {
    html! {
        @match change {
            Some(p) if p > 0.0 => span.change.up { span aria-hidden="true" { "▲ " } span.visually-hidden { (t(lang, "change-cell-up")) " " } (percent(p)) },
            Some(p) if p < 0.0 => span.change.down { span aria-hidden="true" { "▼ " } span.visually-hidden { (t(lang, "change-cell-down")) " " } (percent(-p)) },
            Some(_) => span.change.same { span aria-hidden="true" { "= " } span.visually-hidden { (t(lang, "change-cell-same")) " " } "0\u{a0}%" },
            None if count > 0 => span.change.up { span aria-hidden="true" { "▲ " } (t(lang, "change-cell-new")) },
            None => span.change.same { "—" },
        }
    }
}
