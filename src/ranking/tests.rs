use super::*;

fn horror(key: &str, pain: u8, unit_cost_minor: i64, retired: bool) -> Horror {
    Horror {
        key: crate::keys::HorrorKey::parse(key).unwrap(),
        name: key.to_uppercase(),
        description: None,
        pain,
        unit_cost_minor: crate::money::Minor::new(unit_cost_minor),
        operational: false,
        position: 0,
        playbook: Default::default(),
        retired,
    }
}

fn tally(count: u64, complaints: u64, cost_minor: i64) -> Tally {
    Tally {
        count,
        complaints,
        cost_minor: crate::money::Minor::new(cost_minor),
    }
}

fn run(
    horrors: &[Horror],
    current: &[(&str, Tally)],
    previous: &[(&str, Tally)],
    by: By,
) -> Ranking {
    let current: BTreeMap<String, Tally> =
        current.iter().map(|(k, t)| (k.to_string(), *t)).collect();
    let previous: BTreeMap<String, Tally> =
        previous.iter().map(|(k, t)| (k.to_string(), *t)).collect();
    let evidence = evidence_of(&current, &previous);
    rank(&RankingInput {
        horrors,
        current: &current,
        previous: &previous,
        focus: &HashSet::from(["b".to_string()]),
        weights: Weights {
            pain_weight: 0.5,
            cost_weight: 0.5,
            worst: 0.5,
            worse: 0.8,
        },
        currency: Currency::parse("USD").unwrap(),
        window: WindowEcho {
            from: "2026-01-01".into(),
            to: "2026-01-30".into(),
            days: 30,
            timezone: "UTC".into(),
        },
        by,
        exposure: crate::stats::Exposure::Days,
        tested: crate::reading::Tested::of(None),
        evidence: &evidence,
        volume: None,
    })
}

/// Whole windows of 30 days on each side, no dispersion.
pub(crate) fn evidence_of(
    current: &BTreeMap<String, Tally>,
    previous: &BTreeMap<String, Tally>,
) -> BTreeMap<String, Evidence> {
    current
        .keys()
        .chain(previous.keys())
        .map(|k| {
            let count = |m: &BTreeMap<String, Tally>| m.get(k).map_or(0, |t| t.count);
            (
                k.clone(),
                Evidence {
                    a: count(current),
                    b: count(previous),
                    ea: 30.0,
                    eb: 30.0,
                    phi: 1.0,
                    phi_tested: 1.0,
                },
            )
        })
        .collect()
}

#[test]
fn scores_shares_and_tiers_by_hand() {
    // a: 10 ticks × pain 9 = 90 pain points, cost 100.00
    // b: 20 ticks × pain 3 = 60 pain points, cost 300.00
    // c:  5 ticks × pain 6 = 30 pain points, cost   0.00
    // pain total 180, cost total 40000 minor.
    // score a = (0.5×90/180 + 0.5×10000/40000)/1 = 0.25 + 0.125 = 0.375
    // score b = 0.5×60/180 + 0.5×30000/40000 = 0.1666… + 0.375 = 0.541666…
    // score c = 0.5×30/180 = 0.083333…
    let horrors = [
        horror("a", 9, 1000, false),
        horror("b", 3, 1500, false),
        horror("c", 6, 0, false),
    ];
    let ranking = run(
        &horrors,
        &[
            ("a", tally(10, 4, 10_000)),
            ("b", tally(20, 0, 30_000)),
            ("c", tally(5, 5, 0)),
        ],
        &[("a", tally(8, 0, 8_000)), ("c", tally(10, 0, 0))],
        By::Priority,
    );
    let keys: Vec<_> = ranking.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["b", "a", "c"]);
    let b = &ranking.items[0];
    assert!((b.score - (1.0 / 6.0 + 0.375)).abs() < 1e-12);
    assert_eq!(
        (b.rank, b.tier, b.focus, b.change_pct),
        (1, Tier::Worst, true, None)
    );
    let a = &ranking.items[1];
    assert!((a.score - 0.375).abs() < 1e-12);
    // before = 0.5417 ≥ worst 0.5 and < worse 0.8 → worse
    assert_eq!(a.tier, Tier::Worse);
    assert_eq!(a.change_pct, Some(25.0));
    assert_eq!(a.cost, "100.00");
    assert_eq!(a.pain_points, 90);
    let c = &ranking.items[2];
    // before = 0.9167 ≥ 0.8 → bad
    assert_eq!(c.tier, Tier::Bad);
    assert_eq!(c.change_pct, Some(-50.0));
    assert!((c.cumulative_share - 1.0).abs() < 1e-12);
    assert_eq!(
        ranking.totals,
        Totals {
            count: 35,
            complaints: 9,
            cost: "400.00".into(),
            cost_minor: crate::money::Minor::new(40_000),
            pain_points: 180,
            rate_per_1000: None,
        }
    );
    let total_score: f64 = ranking.items.iter().map(|i| i.score).sum();
    assert!((total_score - 1.0).abs() < 1e-12);
}

#[test]
fn other_orders_keep_priority_tiers_and_break_ties() {
    let horrors = [
        horror("a", 9, 1000, false),
        horror("b", 3, 1500, false),
        horror("c", 6, 0, false),
        horror("d", 1, 0, false),
    ];
    let current = [
        ("a", tally(10, 0, 10_000)),
        ("b", tally(20, 0, 30_000)),
        ("c", tally(15, 0, 0)),
    ];
    let by_count = run(&horrors, &current, &[], By::Count);
    let keys: Vec<_> = by_count
        .items
        .iter()
        .map(|i| (i.key.as_str(), i.tier))
        .collect();
    assert_eq!(
        keys,
        [
            ("b", Tier::Worst),
            ("c", Tier::Bad),
            ("a", Tier::Worse),
            ("d", Tier::Bad)
        ]
    );
    assert!((by_count.items[0].share - 20.0 / 45.0).abs() < 1e-12);
    assert_eq!(by_count.items[3].share, 0.0);
    // Pain: a 90, c 90, b 60 — a and c tie on pain points, c has the higher count.
    let by_pain = run(&horrors, &current, &[], By::Pain);
    let keys: Vec<_> = by_pain.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["c", "a", "b", "d"]);
    // Cost: a and c… c and d tie at 0 cost, c has more ticks.
    let by_cost = run(&horrors, &current, &[], By::Cost);
    let keys: Vec<_> = by_cost.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["b", "a", "c", "d"]);
}

#[test]
fn empty_window_scores_zero_and_ties_by_key() {
    let horrors = [
        horror("b", 9, 1000, false),
        horror("a", 3, 1500, false),
        horror("old", 5, 0, true),
    ];
    let ranking = run(&horrors, &[], &[], By::Priority);
    let keys: Vec<_> = ranking
        .items
        .iter()
        .map(|i| (i.key.as_str(), i.score, i.tier))
        .collect();
    assert_eq!(keys, [("a", 0.0, Tier::Bad), ("b", 0.0, Tier::Bad)]);
    assert_eq!(ranking.totals.cost, "0.00");
}

#[test]
fn retired_horrors_appear_only_with_ticks() {
    let horrors = [horror("a", 9, 1000, false), horror("old", 5, 0, true)];
    let ranking = run(&horrors, &[("old", tally(2, 0, 0))], &[], By::Priority);
    let old = ranking.items.iter().find(|i| i.key == "old").unwrap();
    assert!(old.retired);
    assert_eq!(old.tier, Tier::Worst);
    assert_eq!(ranking.items.len(), 2);
}

#[test]
fn a_zero_weight_total_drops_out_of_the_divisor() {
    // No cost anywhere: W = pain_weight only, so scores are pain shares and sum to 1.
    let horrors = [horror("a", 9, 0, false), horror("b", 1, 0, false)];
    let ranking = run(
        &horrors,
        &[("a", tally(1, 0, 0)), ("b", tally(1, 0, 0))],
        &[],
        By::Priority,
    );
    assert!((ranking.items[0].score - 0.9).abs() < 1e-12);
    assert!((ranking.items[1].score - 0.1).abs() < 1e-12);
}

#[test]
fn change_pct_rounds_half_away_from_zero() {
    let cases = [
        (10, 0, None),
        (0, 10, Some(-100.0)),
        (9, 8, Some(12.5)),
        (1, 3, Some(-66.7)),
        (2, 3, Some(-33.3)),
        (1001, 1000, Some(0.1)),
        (20001, 20000, Some(0.0)), // 0.005 % rounds to 0.0
        (40003, 40000, Some(0.0)), // 0.0075 % → 0.01 → 0.0
        (3, 2, Some(50.0)),
        (7, 6, Some(16.7)),
        (5, 6, Some(-16.7)),
    ];
    for (count, previous, expected) in cases {
        assert_eq!(
            change_pct(count, previous),
            expected,
            "{count} vs {previous}"
        );
    }
}
