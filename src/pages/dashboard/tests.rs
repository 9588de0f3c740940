//! Unit tests of the dashboard's sentences and data.

use super::sentences::percent;
use super::*;
use crate::calendar::{parse_date, WindowEcho};
use crate::money::Currency;
use crate::ranking::{Previous, Totals};
use crate::ranking::{RankedItem, Ranking};
use crate::stats::rev2::ChangeVerdict;

fn item(rank: u32, name: &str, count: u64, score: f64, change_pct: Option<f64>) -> RankedItem {
    RankedItem {
        rank,
        key: name.to_lowercase().replace(' ', "-"),
        name: name.into(),
        pain: 9,
        unit_cost: "35.00".into(),
        count,
        complaints: 0,
        cost: String::new(),
        cost_minor: crate::money::Minor::new(count as i64 * 3500),
        pain_points: count * 9,
        score,
        share: score,
        cumulative_share: 0.0,
        tier: Tier::Worst,
        retired: false,
        focus: false,
        // A change given is a clear one, in rate over the complete days.
        previous: Previous {
            count: u64::from(change_pct.is_some()),
            cost_minor: crate::money::Minor::new(0),
        },
        change_pct,
        change_p_value: None,
        change_q_value: None,
        change_significant: change_pct.is_some(),
        change_verdict: match change_pct {
            Some(p) if p > 0.0 => ChangeVerdict::Up,
            Some(p) if p < 0.0 => ChangeVerdict::Down,
            Some(_) => ChangeVerdict::NoClearChange,
            None => ChangeVerdict::TooFew,
        },
        change_rate_pct: change_pct,
        phi: 1.0,
        ahead_of_next: None,
        ahead_of_next_p_value: None,
        evidence: Default::default(),
        rate_per_1000: None,
    }
}

fn ranking(items: Vec<RankedItem>) -> Ranking {
    Ranking {
        window: WindowEcho {
            from: "2026-01-01".into(),
            to: "2026-01-30".into(),
            days: 30,
            timezone: "UTC".into(),
        },
        by: By::Priority,
        currency: "USD".into(),
        tested: crate::reading::Tested::of(None),
        exposure: crate::stats::Exposure::Days,
        volume: None,
        items,
        totals: Totals::default(),
    }
}

fn last_30() -> Span {
    let window = Window::new(
        parse_date("2026-01-01").unwrap(),
        parse_date("2026-01-30").unwrap(),
    )
    .unwrap();
    Span::of(Lang::EN, &Choice::Days(30), &window)
}

#[test]
fn the_sentence_names_the_top_horror_with_its_numbers() {
    let usd = Currency::parse("USD").unwrap();
    let r = ranking(vec![
        item(1, "Late delivery", 104, 0.312, Some(12.0)),
        item(2, "Lost package", 3, 0.2, None),
    ]);
    assert_eq!(
        fix_first(Lang::EN, &r, usd, &last_30()),
        "Fix first: Late delivery — 31\u{a0}% of the priority score, 104 occurrences costing USD 3,640.00 in the last 30 days, up 12\u{a0}% on the previous 30 days — a clear change."
    );
}

#[test]
fn the_sentence_covers_falls_firsts_and_complaints() {
    let usd = Currency::parse("USD").unwrap();
    let mut top = item(1, "Damaged package", 1, 1.0, Some(-50.0));
    top.complaints = 1;
    assert_eq!(
        fix_first(Lang::EN, &ranking(vec![top]), usd, &last_30()),
        "Fix first: Damaged package — 100\u{a0}% of the priority score, 1 occurrence (1 complaint) costing USD 35.00 in the last 30 days, down 50\u{a0}% on the previous 30 days — a clear change."
    );
    let r = ranking(vec![item(1, "Late delivery", 2000, 0.6, None)]);
    assert!(fix_first(Lang::EN, &r, usd, &last_30()).ends_with("2,000 occurrences costing USD 70,000.00 in the last 30 days, none in the previous 30 days."));
    let r = ranking(vec![item(1, "Late delivery", 7, 0.6, Some(12.5))]);
    assert!(fix_first(Lang::EN, &r, usd, &last_30())
        .ends_with("up 12.5\u{a0}% on the previous 30 days — a clear change."));
    // Noise is never quoted as a percentage.
    let mut noise = item(1, "Late delivery", 7, 0.6, Some(25.3));
    noise.change_verdict = ChangeVerdict::NoClearChange;
    assert!(fix_first(Lang::EN, &ranking(vec![noise]), usd, &last_30())
        .ends_with("no clear change on the previous 30 days."));
    let mut few = item(1, "Late delivery", 2, 0.6, Some(100.0));
    few.change_verdict = ChangeVerdict::TooFew;
    assert!(fix_first(Lang::EN, &ranking(vec![few]), usd, &last_30())
        .ends_with("too few to tell a change on the previous 30 days."));
}

#[test]
fn an_empty_window_says_so() {
    let usd = Currency::parse("USD").unwrap();
    let r = ranking(vec![item(1, "Late delivery", 0, 0.0, None)]);
    assert!(fix_first(Lang::EN, &r, usd, &last_30())
        .starts_with("Nothing was recorded in the last 30 days"));
    assert_eq!(pareto_line(Lang::EN, &r), None);
}

#[test]
fn spans_read_naturally() {
    let window = Window::new(
        parse_date("2026-03-01").unwrap(),
        parse_date("2026-03-31").unwrap(),
    )
    .unwrap();
    assert_eq!(
        Span::of(Lang::EN, &Choice::Custom, &window).this,
        "from 2026-03-01 to 2026-03-31"
    );
    let cycle = Span::of(Lang::EN, &Choice::Cycle(1, "Q1 push".into()), &window);
    assert_eq!(
        (cycle.this.as_str(), cycle.previous.as_str()),
        ("during cycle “Q1 push”", "the 31 days before it")
    );
}

#[test]
fn pareto_line_counts_items_up_to_eighty_percent() {
    let r = ranking(vec![
        item(1, "A", 10, 0.5, None),
        item(2, "B", 5, 0.33, None),
        item(3, "C", 1, 0.17, None),
    ]);
    assert_eq!(
        pareto_line(Lang::EN, &r).unwrap(),
        "The top 2 of 3 horrors make up 83\u{a0}% of the priority score."
    );
}

#[test]
fn numbers_are_grouped_and_percentages_trimmed() {
    assert_eq!(group(0), "0");
    assert_eq!(group(1234567), "1,234,567");
    assert_eq!(percent(31.0), "31\u{a0}%");
    assert_eq!(percent(12.46), "12.5\u{a0}%");
}
