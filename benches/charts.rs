//! Micro-benchmarks of chart rendering (`cargo bench --bench charts`).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use horrors::calendar::Window;
use horrors::catalogue::Horror;
use horrors::charts::{render, ChartContext, ChartData, Format};
use horrors::money::Currency;
use horrors::ranking::{rank, By, Evidence, RankingInput, Tally, Weights};

fn bench(c: &mut Criterion) {
    let horrors: Vec<Horror> = (0..8)
        .map(|i| Horror {
            key: horrors::keys::HorrorKey::parse(&format!("h{i}")).unwrap(),
            name: [
                "Late delivery",
                "Lost package",
                "配送先の誤り",
                "Damaged 📦",
                "Missed pickup",
                "Wrong bill",
                "No update",
                "Rude driver",
            ][i]
                .to_string(),
            description: None,
            pain: (10 - i) as u8,
            unit_cost_minor: horrors::money::Minor::new(1500 * (i as i64 + 1)),
            operational: false,
            position: i as u32,
            retired: false,
            playbook: Default::default(),
        })
        .collect();
    let tallies: BTreeMap<String, Tally> = horrors
        .iter()
        .enumerate()
        .map(|(i, h)| {
            (
                h.key.to_string(),
                Tally {
                    count: 400 - i as u64 * 40,
                    complaints: 20,
                    cost_minor: horrors::money::Minor::new(1500 * (400 - i as i64 * 40)),
                },
            )
        })
        .collect();
    let window = Window::new(
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 10, 30).unwrap(),
    )
    .unwrap();
    let focus = HashSet::new();
    // Each horror's counts over 30 complete days against the same before.
    let evidence: BTreeMap<String, Evidence> = tallies
        .iter()
        .map(|(key, t)| {
            let e = Evidence {
                a: t.count,
                b: t.count,
                ea: 30.0,
                eb: 30.0,
                ..Evidence::default()
            };
            (key.clone(), e)
        })
        .collect();
    let ranking = rank(&RankingInput {
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
    });
    let ctx = ChartContext {
        organization: "Example Freight".into(),
        lang: horrors::i18n::Lang::EN,
        currency: Currency::parse("USD").unwrap(),
        width: 960,
        height: 540,
    };
    for format in [Format::Svg, Format::Png] {
        c.bench_function(&format!("pareto {}", format.extension()), |b| {
            b.iter(|| {
                render(
                    &ctx,
                    &ChartData::Pareto(std::hint::black_box(&ranking)),
                    format,
                )
                .unwrap()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
