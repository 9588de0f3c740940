use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;

use super::draw::Shape;
use super::*;
use crate::calendar::{Bucket, Window};
use crate::ranking::{rank, By, RankingInput, Tally, Weights};
use crate::trend::{build, DayTally, Trend};

const EIGHT: [&str; 8] = [
    "Late delivery",
    "Damaged package",
    "Lost package",
    "Wrong address",
    "Missed pickup",
    "Billing error",
    "Unanswered complaint",
    "Package left in the rain behind the neighbour's garden shed",
];
const SCRIPTS: [&str; 8] = [
    "配送遅延",
    "包裹丢失",
    "Late 🚚",
    "손상된 소포",
    "Ошибка счёта",
    "Ürün hasarı & <fee>",
    "Παράδοση αργά",
    "Wrong 📦 address",
];
const LONG: [&str; 8] = [
    "Delivery arrived after the promised day without any notification",
    "Package damaged in transit and returned to the sender unopened",
    "Package lost somewhere between the hub and the last-mile depot",
    "Address corrected by the customer but ignored by the driver",
    "Pickup missed although the customer waited at home all day",
    "Invoice charged twice for the same shipment and never refunded",
    "Complaint left unanswered for more than ten working days",
    "配送が約束の日より遅れて通知もなかった場合の顧客対応の遅れ",
];

fn d(text: &str) -> NaiveDate {
    crate::calendar::parse_date(text).unwrap()
}

fn window() -> Window {
    Window::new(d("2026-01-01"), d("2026-03-31")).unwrap()
}

fn horrors(names: &[&str]) -> Vec<Horror> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| Horror {
            key: format!("h{i}"),
            name: name.to_string(),
            description: None,
            pain: [9, 7, 10, 5, 6, 3, 8, 2][i % 8],
            unit_cost_minor: [3_500, 12_000, 45_000, 2_000, 1_500, 800, 600, 25_000][i % 8],
            operational: false,
            position: i as u32,
            retired: false,
        })
        .collect()
}

fn ranking_of(
    horrors: &[Horror],
    counts: &[u64],
    previous: &[u64],
    window: &Window,
    by: By,
) -> Ranking {
    let tally = |counts: &[u64]| -> BTreeMap<String, Tally> {
        horrors
            .iter()
            .zip(counts)
            .map(|(h, &c)| {
                (
                    h.key.clone(),
                    Tally {
                        count: c,
                        complaints: c / 3,
                        cost_minor: c as i64 * h.unit_cost_minor,
                    },
                )
            })
            .collect()
    };
    rank(&RankingInput {
        horrors,
        current: &tally(counts),
        previous: &tally(previous),
        focus: &HashSet::new(),
        weights: Weights {
            pain_weight: 0.5,
            cost_weight: 0.5,
            worst: 0.5,
            worse: 0.8,
        },
        currency: usd(),
        window: window.echo(chrono_tz::UTC),
        by,
    })
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

/// A chart case: the horrors and their counts now and in the window before.
struct Case {
    label: &'static str,
    horrors: Vec<Horror>,
    counts: Vec<u64>,
    previous: Vec<u64>,
}

fn cases() -> Vec<Case> {
    let base = [120, 85, 40, 230, 60, 15, 9, 3];
    let before = [150, 70, 55, 230, 0, 30, 12, 1];
    vec![
        Case {
            label: "eight",
            horrors: horrors(&EIGHT),
            counts: base.to_vec(),
            previous: before.to_vec(),
        },
        Case {
            label: "one",
            horrors: horrors(&EIGHT[..1]),
            counts: vec![42],
            previous: vec![50],
        },
        Case {
            label: "empty",
            horrors: horrors(&EIGHT),
            counts: vec![0; 8],
            previous: vec![0; 8],
        },
        Case {
            label: "huge",
            horrors: horrors(&EIGHT),
            counts: base.iter().map(|c| c * 41_337).collect(),
            previous: before.iter().map(|c| c * 39_001).collect(),
        },
        Case {
            label: "scripts",
            horrors: horrors(&SCRIPTS),
            counts: base.to_vec(),
            previous: before.to_vec(),
        },
        Case {
            label: "long",
            horrors: horrors(&LONG),
            counts: base.to_vec(),
            previous: before.to_vec(),
        },
    ]
}

/// Spreads each horror's count over the window's days, unevenly, so the trend has shape.
fn trend_of(case: &Case, bucket: Bucket) -> Trend {
    let window = window();
    let days: Vec<NaiveDate> = window
        .from
        .iter_days()
        .take_while(|d| *d <= window.to)
        .collect();
    let mut rows = Vec::new();
    for (h, (horror, &count)) in case.horrors.iter().zip(&case.counts).enumerate() {
        let weights: Vec<u64> = (0..days.len())
            .map(|i| 1 + ((i * 7 + h * 13) % 11) as u64 + (i as u64 * (h as u64 % 3)) / 20)
            .collect();
        let total: u64 = weights.iter().sum();
        let mut running = 0;
        for (i, day) in days.iter().enumerate() {
            let before = count * running / total;
            running += weights[i];
            let share = count * running / total - before;
            if share > 0 {
                rows.push(DayTally {
                    day: *day,
                    key: horror.key.clone(),
                    count: share,
                    cost_minor: share as i64 * horror.unit_cost_minor,
                });
            }
        }
    }
    build(
        &case.horrors,
        &rows,
        &window,
        window.echo(chrono_tz::UTC),
        bucket,
        window.to.succ_opt().expect("a day after"),
    )
}

struct Built {
    pareto: Ranking,
    cost: Ranking,
    before: Ranking,
    trend: Trend,
}

fn built(case: &Case) -> Built {
    let window = window();
    let previous = window.previous();
    Built {
        pareto: ranking_of(
            &case.horrors,
            &case.counts,
            &case.previous,
            &window,
            By::Priority,
        ),
        cost: ranking_of(
            &case.horrors,
            &case.counts,
            &case.previous,
            &window,
            By::Cost,
        ),
        before: ranking_of(&case.horrors, &case.previous, &[], &previous, By::Priority),
        trend: trend_of(case, Bucket::Week),
    }
}

fn data<'a>(name: ChartName, b: &'a Built, case: &'a Case) -> ChartData<'a> {
    match name {
        ChartName::Pareto => ChartData::Pareto(&b.pareto),
        ChartName::Cost => ChartData::Cost(&b.cost),
        ChartName::Trend => ChartData::Trend(&b.trend, &case.horrors),
        ChartName::Compare => ChartData::Compare {
            a: &b.before,
            b: &b.pareto,
        },
        ChartName::Matrix => ChartData::Matrix(&b.pareto),
    }
}

fn ctx(width: u32, height: u32) -> ChartContext {
    ChartContext {
        organization: "Acme Parcel & Co".into(),
        currency: usd(),
        width,
        height,
    }
}

const SIZES: [(u32, u32); 6] = [
    (960, 540),
    (300, 300),
    (3000, 3000),
    (300, 3000),
    (3000, 300),
    (640, 1000),
];

fn texts(shapes: &[Shape]) -> Vec<&draw::Label> {
    shapes
        .iter()
        .filter_map(|s| {
            if let Shape::Text(l) = s {
                Some(l)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn no_text_overlaps_or_leaves_the_canvas() {
    let fonts = text::fonts().unwrap();
    for case in cases() {
        let b = built(&case);
        for name in ChartName::ALL {
            for (w, h) in SIZES {
                let shapes = layout(&ctx(w, h), &data(name, &b, &case), w, h).unwrap();
                let labels = texts(&shapes);
                let boxes: Vec<_> = labels
                    .iter()
                    .map(|l| (l.text.as_str(), l.bounds(fonts)))
                    .collect();
                for (text, (x0, y0, x1, y1)) in &boxes {
                    let eps = 0.5;
                    assert!(
                        *x0 >= -eps
                            && *y0 >= -eps
                            && *x1 <= w as f64 + eps
                            && *y1 <= h as f64 + eps,
                        "{} {name} {w}×{h}: {text:?} leaves the canvas: {:?}",
                        case.label,
                        (x0, y0, x1, y1)
                    );
                }
                for (i, (ta, a)) in boxes.iter().enumerate() {
                    for (tb, b) in &boxes[i + 1..] {
                        // Boxes include the line gap, so allow a hair of slack.
                        let slack = 0.6;
                        let apart = a.2 <= b.0 + slack
                            || b.2 <= a.0 + slack
                            || a.3 <= b.1 + slack
                            || b.3 <= a.1 + slack;
                        assert!(
                            apart,
                            "{} {name} {w}×{h}: {ta:?} {a:?} overlaps {tb:?} {b:?}",
                            case.label
                        );
                    }
                }
            }
        }
    }
}

fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    assert_eq!(info.color_type, png::ColorType::Rgb);
    (info.width, info.height, buf)
}

#[test]
fn pngs_have_the_size_asked_and_are_not_blank() {
    for case in cases() {
        let b = built(&case);
        for name in ChartName::ALL {
            for (w, h) in [(960, 540), (300, 300)] {
                let bytes = render(&ctx(w, h), &data(name, &b, &case), Format::Png).unwrap();
                let (pw, ph, pixels) = decode(&bytes);
                assert_eq!((pw, ph), (w, h));
                let inked = pixels
                    .chunks(3)
                    .filter(|p| p.iter().any(|&c| c < 200))
                    .count();
                let colours: HashSet<&[u8]> = pixels.chunks(3).collect();
                let least = if case.label == "empty" { 10 } else { 40 };
                assert!(
                    colours.len() >= least,
                    "{} {name} {w}×{h}: {} colours",
                    case.label,
                    colours.len()
                );
                let share = inked as f64 / (w * h) as f64;
                assert!(
                    share > 0.004,
                    "{} {name} {w}×{h}: {share} inked",
                    case.label
                );
            }
        }
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn svg(name: ChartName, case: &Case, w: u32, h: u32) -> String {
    let b = built(case);
    String::from_utf8(render(&ctx(w, h), &data(name, &b, case), Format::Svg).unwrap()).unwrap()
}

#[test]
fn svgs_carry_names_values_and_axes_as_text() {
    let all = cases();
    let eight = &all[0];
    let pareto = svg(ChartName::Pareto, eight, 960, 540);
    assert!(pareto.starts_with("<svg"), "{}", &pareto[..100]);
    assert!(pareto.contains("font-family=\"DejaVu Sans,"));
    for needle in [
        "Late delivery",
        "Unanswered",
        "complaint",
        "230",
        "120",
        "80 %",
        "100 %",
        "cumulative share",
        "occurrences",
        "worst",
        "2026-01-01 – 2026-03-31",
        "Acme Parcel &amp; Co",
    ] {
        assert!(
            pareto.contains(&format!(">{needle}")) || pareto.contains(needle),
            "pareto lacks {needle:?}"
        );
    }
    assert!(
        pareto.contains("Package left in") && pareto.contains('…'),
        "long name is shortened with an ellipsis"
    );

    let cost = svg(ChartName::Cost, eight, 960, 540);
    // Lost package: 40 × 450.00; Damaged: 85 × 120.00.
    for needle in [
        "USD 18,000.00",
        "USD 10,200.00",
        "cost in window (USD)",
        "Lost package",
    ] {
        assert!(cost.contains(needle), "cost lacks {needle:?}");
    }
    let positions: Vec<usize> = [
        "USD 18,000.00",
        "USD 10,200.00",
        "USD 4,600.00",
        "USD 4,200.00",
    ]
    .iter()
    .map(|s| cost.find(s).unwrap())
    .collect();
    assert!(
        positions.windows(2).all(|p| p[0] < p[1]),
        "cost bars go from the most expensive down"
    );

    let compare = svg(ChartName::Compare, eight, 960, 540);
    // Late delivery 150 → 120 is −20.0 %; Missed pickup 0 → 60 is new.
    for needle in [
        "−20.0 %",
        "new",
        "before: 2025-10-03 – 2025-12-31",
        "after: 2026-01-01 – 2026-03-31",
        "+200.0 %",
        "±0 %",
        "+21.4 %",
    ] {
        assert!(compare.contains(needle), "compare lacks {needle:?}");
    }

    let trend = svg(ChartName::Trend, eight, 960, 540);
    for needle in [
        "2025-12-29",
        "pain-point index (right axis)",
        "pain points",
        "Late delivery",
    ] {
        assert!(trend.contains(needle), "trend lacks {needle:?}");
    }

    let matrix = svg(ChartName::Matrix, eight, 960, 540);
    for needle in [
        "fix first",
        "customer pain (1–10)",
        "cost in window (USD)",
        "Wrong address",
        "Lost package",
    ] {
        assert!(matrix.contains(needle), "matrix lacks {needle:?}");
    }
}

#[test]
fn names_in_any_script_appear_verbatim_and_escaped() {
    let all = cases();
    let scripts = &all[4];
    // Bar charts may wrap a name over two lines; these show each name whole.
    for name in [ChartName::Cost, ChartName::Trend, ChartName::Matrix] {
        let text = svg(name, scripts, 960, 540);
        for horror in SCRIPTS {
            assert!(text.contains(&xml(horror)), "{name} lacks {horror:?}");
        }
        assert!(!text.contains("<fee>"));
    }
}

#[test]
fn empty_windows_say_so() {
    let all = cases();
    for name in ChartName::ALL {
        let text = svg(name, &all[2], 960, 540);
        assert!(text.contains("no ticks in this window"), "{name}");
        assert!(text.contains("Acme Parcel &amp; Co"), "{name}");
    }
}

#[test]
fn huge_counts_are_grouped_or_compact() {
    let all = cases();
    let pareto = svg(ChartName::Pareto, &all[3], 960, 540);
    // 230 × 41,337 = 9,507,510 does not fit its bar's slot in full.
    assert!(
        pareto.contains("9.51M") || pareto.contains("9,507,510"),
        "{pareto}"
    );
    assert!(pareto.contains("\n10M\n"), "axis ticks are compact");
    let one = svg(ChartName::Pareto, &all[1], 960, 540);
    assert!(one.contains("\n42\n"));
}

#[test]
fn cjk_and_emoji_glyphs_come_from_the_embedded_fonts() {
    let fonts = text::fonts().unwrap();
    for sample in ["配送遅延", "包裹丢失", "손상된", "🚚", "📦"] {
        let (placed, width) = fonts.layout(sample, 20.0);
        assert!(
            width > 10.0 * sample.chars().count() as f64,
            "{sample}: {width}"
        );
        let mut ink = 0;
        fonts.raster(&placed, 20.0, |_, _, c| {
            if c > 0.5 {
                ink += 1
            }
        });
        assert!(
            ink > 30 * sample.chars().count(),
            "{sample}: {ink} inked pixels"
        );
    }
}

#[test]
fn names_and_formats_parse() {
    for name in ChartName::ALL {
        assert_eq!(ChartName::parse(name.as_str()), Ok(name));
    }
    let error = ChartName::parse("pie").unwrap_err();
    assert!(
        error.contains("pareto, cost, trend, compare, matrix"),
        "{error}"
    );
    assert_eq!(
        Format::parse("png").map(Format::content_type),
        Ok("image/png")
    );
    assert_eq!(Format::parse("svg").map(Format::extension), Ok("svg"));
    assert!(Format::parse("gif").is_err());
}

#[test]
fn truncation_uses_an_ellipsis_and_wraps_at_spaces() {
    let fonts = text::fonts().unwrap();
    assert_eq!(fonts.fit("Late delivery", 12.0, 1000.0), "Late delivery");
    let short = fonts.fit("Late delivery of the parcel", 12.0, 60.0);
    assert!(
        short.ends_with('…') && fonts.width(&short, 12.0) <= 60.0,
        "{short}"
    );
    assert_eq!(
        fonts.wrap("Damaged package", 12.0, 70.0, 2),
        ["Damaged", "package"]
    );
}

/// Writes every chart of every case under out/ and prints timings:
/// `cargo test --release -- --ignored gallery --nocapture`.
#[test]
#[ignore]
fn gallery() {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("out");
    std::fs::create_dir_all(&out).unwrap();
    for case in cases() {
        let b = built(&case);
        for name in ChartName::ALL {
            for (w, h) in [(960, 540), (300, 300)] {
                for format in [Format::Png, Format::Svg] {
                    let bytes = render(&ctx(w, h), &data(name, &b, &case), format).unwrap();
                    let file = format!("{}-{name}-{w}x{h}.{}", case.label, format.extension());
                    std::fs::write(out.join(file), bytes).unwrap();
                }
            }
        }
    }
    let all = cases();
    let b = built(&all[0]);
    for name in ChartName::ALL {
        for format in [Format::Svg, Format::Png] {
            let runs = 30;
            render(&ctx(960, 540), &data(name, &b, &all[0]), format).unwrap();
            let start = std::time::Instant::now();
            for _ in 0..runs {
                render(&ctx(960, 540), &data(name, &b, &all[0]), format).unwrap();
            }
            let ms = start.elapsed().as_secs_f64() * 1000.0 / runs as f64;
            println!(
                "timing {name:8} {:3} 960x540: {ms:6.2} ms",
                format.extension()
            );
        }
    }
}
