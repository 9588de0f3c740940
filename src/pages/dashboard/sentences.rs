//! The dashboard's sentences: what to fix first, the 80/20 line, rates, tiers and changes in words.

use crate::calendar::Window;
use crate::i18n::{t, Lang};
use crate::money::Currency;
use crate::ranking::{Ranking, Tier};
use crate::stats::rev2::ChangeVerdict;
use crate::tr;

use super::data::Choice;

/// The words for a window and for the window before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// "in the last 30 days", "from 2026-01-01 to 2026-01-31", "during cycle “Q1”".
    pub this: String,
    /// "the previous 30 days", "the 30 days before it".
    pub previous: String,
}

impl Span {
    /// The words for `window`, chosen as `choice` says, in `lang`.
    pub fn of(lang: Lang, choice: &Choice, window: &Window) -> Span {
        let days = window.days();
        let previous = if days == 1 {
            t(lang, "span-previous-day")
        } else {
            tr!(lang, "span-previous-days", days = days)
        };
        match choice {
            Choice::Days(1) => Span {
                this: t(lang, "span-today"),
                previous,
            },
            Choice::Days(n) => Span {
                this: tr!(lang, "span-last-days", days = *n),
                previous,
            },
            Choice::Custom => Span {
                this: tr!(
                    lang,
                    "span-custom",
                    from = window.from().to_string(),
                    to = window.to().to_string()
                ),
                previous,
            },
            Choice::Cycle(_, name) => Span {
                this: tr!(lang, "span-cycle", name = name.as_str()),
                previous: if days == 1 {
                    t(lang, "span-cycle-previous-day")
                } else {
                    tr!(lang, "span-cycle-previous-days", days = days)
                },
            },
        }
    }
}

/// One sentence from the data answering "what should we fix first?".
pub fn fix_first(lang: Lang, ranking: &Ranking, currency: Currency, span: &Span) -> String {
    let Some(top) = ranking.items.first().filter(|item| item.count > 0) else {
        return tr!(lang, "fix-first-nothing", span = span.this.as_str());
    };
    let previous = span.previous.as_str();
    // The verdict, with the change in rate over complete days beside it: never a bare
    // percentage that may be noise.
    let pct = top.change_rate_pct.unwrap_or_default().abs();
    let change = match top.change_verdict {
        ChangeVerdict::Up => tr!(
            lang,
            "change-clear-up",
            pct = percent(pct),
            previous = previous
        ),
        ChangeVerdict::Down => {
            tr!(
                lang,
                "change-clear-down",
                pct = percent(pct),
                previous = previous
            )
        }
        ChangeVerdict::NoClearChange => tr!(lang, "change-unclear", previous = previous),
        ChangeVerdict::TooFew if top.previous.count == 0 => {
            tr!(lang, "change-none", previous = previous)
        }
        ChangeVerdict::TooFew => tr!(lang, "change-unknown", previous = previous),
    };
    tr!(
        lang,
        "fix-first",
        name = top.name.as_str(),
        share = percent((top.score * 100.0).round()),
        count = top.count,
        complaints = top.complaints,
        cost = currency.format_grouped(top.cost_minor),
        span = span.this.as_str(),
        change = change,
    )
}

/// "The top 2 of 6 horrors make up 83 % of the priority score." (the 80/20 view), when
/// there is anything to say.
pub fn pareto_line(lang: Lang, ranking: &Ranking) -> Option<String> {
    let counted = ranking.items.iter().filter(|item| item.count > 0).count();
    if counted < 2 {
        return None;
    }
    let mut cumulative = 0.0;
    for (i, item) in ranking.items.iter().enumerate() {
        cumulative += item.score;
        if cumulative >= 0.8 - 1e-9 {
            return Some(tr!(
                lang,
                "pareto-line",
                top = i + 1,
                total = ranking.items.len(),
                share = percent((cumulative * 100.0).round())
            ));
        }
    }
    None
}

/// `31 %`, `12.5 %` (one decimal at most, none when whole; a no-break space before `%`
/// so the sign never wraps onto a line of its own).
pub(super) fn percent(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}\u{a0}%")
    } else {
        format!("{rounded:.1}\u{a0}%")
    }
}

/// "2.9 a day" or "2.9 per 1,000 shipments" (a rate always says its unit).
pub(super) fn rate_words(lang: Lang, value: Option<f64>, unit: &str) -> String {
    // Two decimals below 10 ("0.82"), where one would blur a rise into noise.
    let number = value.map_or("–".to_string(), |v| {
        if v < 10.0 {
            format!("{v:.2}")
        } else {
            format!("{v:.1}")
        }
    });
    if unit == "day" {
        tr!(lang, "rate-per-day", rate = number)
    } else {
        tr!(lang, "rate-per-volume", rate = number, unit = unit)
    }
}

/// `12,345`.
pub(super) fn group(n: u64) -> String {
    crate::i18n::group(i64::try_from(n).unwrap_or(i64::MAX))
}

/// A rate per 1,000 units, or a dash when there is none.
pub(super) fn rate(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |r| format!("{r:.2}"))
}

/// A tier's name in `lang` (the tier itself stays `worst`, `worse`, `bad` in the API).
pub fn tier_name(lang: Lang, tier: Tier) -> String {
    t(lang, &format!("tier-{}", tier.as_str()))
}

pub(super) fn change_words(lang: Lang, change: Option<f64>, previous: u64) -> String {
    match change {
        Some(p) if p > 0.0 => tr!(
            lang,
            "total-change-up",
            pct = percent(p),
            previous = previous
        ),
        Some(p) if p < 0.0 => tr!(
            lang,
            "total-change-down",
            pct = percent(-p),
            previous = previous
        ),
        Some(_) => tr!(lang, "total-change-same", previous = previous),
        None => t(lang, "total-change-none"),
    }
}
