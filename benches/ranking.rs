//! Micro-benchmarks of the pure ranking and trend code (`cargo bench --bench ranking`).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use horrors::calendar::{Bucket, Window};
use horrors::catalogue::Horror;
use horrors::money::Currency;
use horrors::ranking::{rank, By, Evidence, RankingInput, Tally, Weights};
use horrors::trend::{build, DayTally};

fn horrors() -> Vec<Horror> {
    (0..8)
        .map(|i| Horror {
            key: horrors::keys::HorrorKey::parse(&format!("horror-{i}")).unwrap(),
            name: format!("Horror number {i}"),
            description: None,
            pain: (i % 10 + 1) as u8,
            unit_cost_minor: horrors::money::Minor::new(1000 + i as i64 * 250),
            operational: i % 2 == 0,
            position: i,
            retired: false,
            playbook: Default::default(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let horrors = horrors();
    let tallies: BTreeMap<String, Tally> = horrors
        .iter()
        .enumerate()
        .map(|(i, h)| {
            (
                h.key.to_string(),
                Tally {
                    count: 1000 + i as u64 * 37,
                    complaints: 100,
                    cost_minor: horrors::money::Minor::new(50_000 * i as i64),
                },
            )
        })
        .collect();
    let focus = HashSet::new();
    let window = Window::new(
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    )
    .unwrap();
    // Each horror's counts over the year's 365 complete days against the same before.
    let evidence: BTreeMap<String, Evidence> = tallies
        .iter()
        .map(|(key, t)| {
            let e = Evidence {
                a: t.count,
                b: t.count,
                ea: 365.0,
                eb: 365.0,
                ..Evidence::default()
            };
            (key.clone(), e)
        })
        .collect();
    let input = RankingInput {
        horrors: &horrors,
        current: &tallies,
        previous: &tallies,
        focus: &focus,
        weights: Weights {
            pain_weight: 0.5,
            cost_weight: 0.5,
            worst: 0.5,
            worse: 0.8,
        },
        currency: Currency::parse("USD").unwrap(),
        window: window.echo(chrono_tz::UTC),
        by: By::Priority,
        exposure: horrors::stats::Exposure::Days,
        tested: horrors::reading::Tested::of(Some(&window)),
        evidence: &evidence,
        volume: None,
    };
    c.bench_function("rank 8 horrors", |b| {
        b.iter(|| rank(std::hint::black_box(&input)))
    });

    let days: Vec<DayTally> = Bucket::Day
        .starts(&window)
        .into_iter()
        .flat_map(|day| {
            horrors.iter().map(move |h| DayTally {
                day,
                key: h.key.as_str().into(),
                count: 7,
                cost_minor: horrors::money::Minor::new(700),
            })
        })
        .collect();
    c.bench_function("trend 365 days x 8 horrors by day", |b| {
        b.iter(|| {
            build(
                &horrors,
                std::hint::black_box(&days),
                &window,
                window.echo(chrono_tz::UTC),
                Bucket::Day,
                window.to(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
