use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;

use super::draw::Shape;
use super::*;
use crate::calendar::{Bucket, Window};
use crate::i18n::{t, Lang};
use crate::money::Minor;
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
            key: crate::keys::HorrorKey::parse(&format!("h{i}")).unwrap(),
            name: name.to_string(),
            description: None,
            pain: [9, 7, 10, 5, 6, 3, 8, 2][i % 8],
            unit_cost_minor: Minor::new(
                [3_500, 12_000, 45_000, 2_000, 1_500, 800, 600, 25_000][i % 8],
            ),
            operational: false,
            position: i as u32,
            retired: false,
            playbook: Default::default(),
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
                    h.key.to_string(),
                    Tally {
                        count: c,
                        complaints: c / 3,
                        cost_minor: Minor::new(c as i64 * h.unit_cost_minor.get()),
                    },
                )
            })
            .collect()
    };
    let (current, previous) = (tally(counts), tally(previous));
    let evidence = crate::ranking::tests::evidence_of(&current, &previous);
    rank(&RankingInput {
        horrors,
        current: &current,
        previous: &previous,
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
        exposure: crate::stats::Exposure::Days,
        tested: crate::reading::Tested::of(None),
        evidence: &evidence,
        volume: None,
    })
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

/// A chart case: the horrors and their counts now and in the window before.
#[derive(Clone)]
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
        .from()
        .iter_days()
        .take_while(|d| *d <= window.to())
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
                    key: horror.key.as_str().into(),
                    count: share,
                    cost_minor: Minor::new(share as i64 * horror.unit_cost_minor.get()),
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
        window.to().succ_opt().expect("a day after"),
    )
}

struct Built {
    pareto: Ranking,
    cost: Ranking,
    before: Ranking,
    trend: Trend,
    control: crate::control::ControlChart,
}

/// A day control chart of the case's daily totals (one signal-worthy spike when a case
/// has ticks: the busiest day counts three times).
fn control_of(case: &Case) -> crate::control::ControlChart {
    let days = trend_of(case, Bucket::Day);
    let mut counts: Vec<u64> = days.totals.iter().map(|p| p.count).collect();
    if let Some(max) = counts.iter().copied().max().filter(|m| *m > 0) {
        let i = counts.iter().position(|c| *c == max).unwrap_or(0);
        counts[i] = max * 3;
    }
    let series: Vec<(u64, f64)> = counts.iter().map(|c| (*c, 1.0)).collect();
    let chart = crate::stats::rev2::control(
        &series,
        Some(&series),
        crate::stats::rev2::ControlOptions::default(),
    );
    crate::control::ControlChart {
        window: days.window.clone(),
        bucket: Bucket::Day,
        horror: None,
        site: None,
        exposure: crate::stats::Exposure::Days,
        rate_unit: "day".into(),
        baseline: crate::control::Baseline {
            from: days.totals.first().map(|p| p.start.to_string()),
            to: days.totals.last().map(|p| p.start.to_string()),
            kind: crate::control::BaselineKind::Window,
        },
        center: chart.center,
        phi: chart.phi,
        points: days
            .totals
            .iter()
            .zip(chart.points)
            .map(|(p, point)| crate::control::ControlPointAt {
                start: p.start.to_string(),
                point,
            })
            .collect(),
    }
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
        control: control_of(case),
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
        ChartName::Control => ChartData::Control(&b.control, &case.horrors[0].name),
    }
}

fn ctx(width: u32, height: u32) -> ChartContext {
    ctx_in(Lang::EN, width, height)
}

fn ctx_in(lang: Lang, width: u32, height: u32) -> ChartContext {
    ChartContext {
        organization: "Acme Parcel & Co".into(),
        lang,
        currency: usd(),
        width,
        height,
    }
}

fn zh(tag: &str) -> Lang {
    Lang::exact(tag).unwrap()
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
    for (case, lang) in cases()
        .into_iter()
        .flat_map(|case| Lang::all().map(move |lang| (case.clone(), lang)))
    {
        let b = built(&case);
        for name in ChartName::EVERY {
            for (w, h) in SIZES {
                let shapes = layout(&ctx_in(lang, w, h), &data(name, &b, &case), w, h).unwrap();
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
                        "{} {lang} {name} {w}×{h}: {text:?} leaves the canvas: {:?}",
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
                            "{} {lang} {name} {w}×{h}: {ta:?} {a:?} overlaps {tb:?} {b:?}",
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
        for name in ChartName::EVERY {
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
    for name in ChartName::EVERY {
        let text = svg(name, &all[2], 960, 540);
        assert!(text.contains("no ticks in this window"), "{name}");
        assert!(text.contains("Acme Parcel &amp; Co"), "{name}");
    }
    // In Chinese too, with the organization's name as written.
    let b = built(&all[2]);
    for (tag, notice) in [("zh-Hans", "此时段没有记录"), ("zh-Hant", "此時段沒有紀錄")]
    {
        for name in ChartName::EVERY {
            let (w, h) = (960, 540);
            let shapes = layout(&ctx_in(zh(tag), w, h), &data(name, &b, &all[2]), w, h).unwrap();
            let text = String::from_utf8(draw::svg(w, h, &shapes).unwrap()).unwrap();
            assert!(text.contains(notice), "{tag} {name}");
            assert!(text.contains("Acme Parcel &amp; Co"), "{tag} {name}");
        }
    }
}

/// The chart's own words (title, subtitle, legend, axes) in `lang`, as laid out.
fn chrome_labels(shapes: &[Shape], lang: Lang) -> Vec<&draw::Label> {
    let fonts = text::fonts().unwrap();
    let words: Vec<String> = [
        "chart-axis-occurrences",
        "chart-axis-cumulative-share",
        "chart-cumulative-share-key",
        "chart-axis-pain",
        "chart-fix-first",
        "chart-index-key",
        "chart-axis-pain-points",
        "tier-worst",
        "chart-control-rate",
        "chart-control-centre",
        "chart-control-limits",
        "chart-control-signal",
        "chart-axis-per-day",
    ]
    .iter()
    .map(|id| t(lang, id))
    .collect();
    texts(shapes)
        .into_iter()
        .filter(|l| {
            let cjk = l
                .text
                .chars()
                .any(|c| fonts.face_with(c).is_some_and(|f| f > 0));
            cjk && (l.bold
                || words.iter().any(|w| l.text.contains(w.as_str()))
                || l.text.contains(" · "))
        })
        .collect()
}

#[test]
fn chinese_titles_axes_and_legends_draw_in_svg_and_png_without_fonts() {
    // A host without CJK fonts: resvg with an empty font database for the SVG, and the PNG
    // as it comes. Every Chinese word of the chart itself must leave ink where it is laid out.
    let case = &cases()[0];
    let b = built(case);
    let fonts = text::fonts().unwrap();
    for tag in ["zh-Hans", "zh-Hant"] {
        let lang = zh(tag);
        let mut checked = 0;
        for name in ChartName::EVERY {
            let (w, h) = (960, 540);
            let shapes = layout(&ctx_in(lang, w, h), &data(name, &b, case), w, h).unwrap();
            let title = texts(&shapes)[0].text.clone();
            let expected = t(lang, &format!("chart-{}-title", name.as_str()));
            let expected = expected.split(" — ").next().unwrap();
            assert!(title.starts_with(expected), "{tag} {name}: {title}");
            let (_, _, bare) = rasterize(&draw::svg(w, h, &without_text(&shapes)).unwrap(), &[]);
            let (_, _, fresh) = rasterize(&draw::svg(w, h, &shapes).unwrap(), &[]);
            let svg_ink = ink(&fresh, &bare);
            let (_, _, png_bare) = decode(&draw::png(w, h, &without_text(&shapes)).unwrap());
            let (_, _, png_fresh) = decode(&draw::png(w, h, &shapes).unwrap());
            let png_ink = ink(&png_fresh, &png_bare);
            let labels = chrome_labels(&shapes, lang);
            assert!(
                labels.len() >= 3,
                "{tag} {name}: {} Chinese labels",
                labels.len()
            );
            for label in labels {
                let chars = label.text.chars().filter(|c| !c.is_whitespace()).count();
                for (format, ink) in [("svg", &svg_ink), ("png", &png_ink)] {
                    let (_, strong, _) = ink_in(ink, w, h, label.bounds(fonts));
                    assert!(
                        strong >= 4 * chars,
                        "{tag} {name} {format}: {:?} draws {strong} pixels",
                        label.text
                    );
                }
                checked += 1;
            }
        }
        assert!(checked >= 20, "{tag}: {checked} labels checked");
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
    for name in ChartName::EVERY {
        assert_eq!(ChartName::parse(name.as_str()), Ok(name));
    }
    let error = ChartName::parse("pie").unwrap_err().to_string();
    assert!(
        error.contains("pareto, cost, trend, compare, matrix"),
        "{error}"
    );
    let names: Vec<_> = ChartName::EVERY.iter().map(|c| c.as_str()).collect();
    assert_eq!(ChartName::ALLOWED, format!("one of {}", names.join(", ")));
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

// --- Text in SVG must not depend on the viewer's fonts ---------------------------------

/// CJK names and emoji, which a machine without CJK or emoji fonts cannot draw from `<text>`.
const CJK: [&str; 8] = [
    "迟到的快递",
    "丢失包裹",
    "包裹损坏 📦",
    "地址错误",
    "漏取件 🚚",
    "账单重复扣款",
    "投诉无人回复",
    "配送遅延",
];

fn cjk_case() -> Case {
    Case {
        label: "cjk",
        horrors: horrors(&CJK),
        counts: [120, 85, 40, 230, 60, 15, 9, 3].to_vec(),
        previous: [150, 70, 55, 230, 0, 30, 12, 1].to_vec(),
    }
}

fn without_text(shapes: &[Shape]) -> Vec<Shape> {
    shapes
        .iter()
        .filter(|s| !matches!(s, Shape::Text(_)))
        .cloned()
        .collect()
}

/// SVG text as it was written before glyph outlines: `<text>` naming the font stack (what
/// plotters wrote, attribute for attribute), drawn with whatever fonts the viewer has. Kept
/// here so the tests below show that their check fails for it, i.e. that they catch the defect.
fn legacy_svg(width: u32, height: u32, shapes: &[Shape]) -> Vec<u8> {
    let bare = String::from_utf8(draw::svg(width, height, &without_text(shapes)).unwrap()).unwrap();
    let mut out = bare[..bare.rfind("</svg>").unwrap()].to_string();
    for label in texts(shapes) {
        let across = match label.valign {
            draw::VAlign::Top => text::ASCENT * label.size,
            draw::VAlign::Middle => (text::ASCENT - text::DESCENT) / 2.0 * label.size,
            draw::VAlign::Bottom => -text::DESCENT * label.size,
        };
        let anchor = match label.align {
            draw::Align::Start => "start",
            draw::Align::Center => "middle",
            draw::Align::End => "end",
        };
        let shift = across - 0.76 * label.size;
        let (x, y) = if label.vertical {
            (label.x + shift, label.y)
        } else {
            (label.x, label.y + shift)
        };
        let (x, y) = (x.round(), y.round());
        let draw::Rgb(r, g, b, a) = label.color;
        out.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" dy=\"0.76em\" text-anchor=\"{anchor}\" font-family=\"{}\" \
             font-size=\"{}\" opacity=\"{a}\" fill=\"#{r:02X}{g:02X}{b:02X}\"{}{}>\n{}\n</text>\n",
            text::FAMILY,
            label.size,
            if label.bold {
                " font-weight=\"bold\""
            } else {
                ""
            },
            if label.vertical {
                format!(" transform=\"rotate(270, {x}, {y})\"")
            } else {
                String::new()
            },
            xml(&label.text)
        ));
    }
    out.push_str("</svg>\n");
    out.into_bytes()
}

/// Rasterizes an SVG with resvg, which knows only `fonts` (none: a machine without fonts).
fn rasterize(svg: &[u8], fonts: &[&[u8]]) -> (u32, u32, Vec<u8>) {
    let mut options = resvg::usvg::Options::default();
    let db = options.fontdb_mut();
    for font in fonts {
        db.load_font_data(font.to_vec());
    }
    let tree = resvg::usvg::Tree::from_data(svg, &options).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    let rgb = pixmap
        .data()
        .chunks(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    (size.width(), size.height(), rgb)
}

/// What text adds to an RGB image: per pixel, the largest channel difference (0–1).
fn ink(with: &[u8], without: &[u8]) -> Vec<f64> {
    with.chunks(3)
        .zip(without.chunks(3))
        .map(|(a, b)| {
            (0..3)
                .map(|c| (f64::from(a[c]) - f64::from(b[c])).abs() / 255.0)
                .fold(0.0, f64::max)
        })
        .collect()
}

/// Ink inside a label's box (one pixel of slack): total mass, pixels over half, centroid.
fn ink_in(
    ink: &[f64],
    width: u32,
    height: u32,
    bounds: (f64, f64, f64, f64),
) -> (f64, usize, (f64, f64)) {
    let (x0, y0, x1, y1) = bounds;
    let xs = (x0.floor() as i64 - 1).max(0)..(x1.ceil() as i64 + 1).min(width as i64);
    let ys = (y0.floor() as i64 - 1).max(0)..(y1.ceil() as i64 + 1).min(height as i64);
    let (mut mass, mut strong, mut cx, mut cy) = (0.0, 0, 0.0, 0.0);
    for y in ys {
        for x in xs.clone() {
            let v = ink[(y * width as i64 + x) as usize];
            mass += v;
            cx += v * (x as f64 + 0.5);
            cy += v * (y as f64 + 0.5);
            if v > 0.5 {
                strong += 1;
            }
        }
    }
    let centroid = if mass > 0.0 {
        (cx / mass, cy / mass)
    } else {
        (0.0, 0.0)
    };
    (mass, strong, centroid)
}

/// The labels of a chart that hold CJK or emoji (characters only the fallback faces have).
fn fallback_labels(shapes: &[Shape]) -> Vec<&draw::Label> {
    let fonts = text::fonts().unwrap();
    texts(shapes)
        .into_iter()
        .filter(|l| {
            l.text
                .chars()
                .any(|c| fonts.face_with(c).is_some_and(|f| f > 0))
        })
        .collect()
}

#[test]
fn svg_labels_draw_on_a_machine_without_fonts() {
    // Against the old `<text>` output (legacy_svg, which is what draw::svg wrote before) the
    // same check finds no ink at all: asserted below, and checked by hand by pointing `fresh`
    // at legacy_svg, which fails the ink assertion for every CJK and emoji label.
    let case = cjk_case();
    let b = built(&case);
    let fonts = text::fonts().unwrap();
    let mut checked = 0;
    for name in ChartName::EVERY {
        let (w, h) = (960, 540);
        let shapes = layout(&ctx(w, h), &data(name, &b, &case), w, h).unwrap();
        let (_, _, bare) = rasterize(&draw::svg(w, h, &without_text(&shapes)).unwrap(), &[]);
        let (_, _, fresh) = rasterize(&draw::svg(w, h, &shapes).unwrap(), &[]);
        let (_, _, legacy) = rasterize(&legacy_svg(w, h, &shapes), &[]);
        let (fresh, legacy) = (ink(&fresh, &bare), ink(&legacy, &bare));
        let labels = fallback_labels(&shapes);
        assert!(!labels.is_empty(), "{name} shows no CJK name");
        for label in labels {
            let bounds = label.bounds(fonts);
            let chars = label.text.chars().filter(|c| !c.is_whitespace()).count();
            let (_, strong, _) = ink_in(&fresh, w, h, bounds);
            assert!(
                strong >= 4 * chars,
                "{name}: {:?} draws {strong} pixels without fonts",
                label.text
            );
            let (mass, _, _) = ink_in(&legacy, w, h, bounds);
            assert_eq!(
                mass, 0.0,
                "{name}: the old <text> output drew {:?}",
                label.text
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked} labels checked");
}

/// Column and row sums of the ink inside a label's box (one pixel of slack).
fn profiles(ink: &[f64], width: u32, bounds: (f64, f64, f64, f64)) -> (Vec<f64>, Vec<f64>) {
    let (x0, y0, x1, y1) = bounds;
    let height = ink.len() as i64 / width as i64;
    let xs = (x0.floor() as i64 - 1).max(0)..(x1.ceil() as i64 + 1).min(width as i64);
    let ys = (y0.floor() as i64 - 1).max(0)..(y1.ceil() as i64 + 1).min(height);
    let at = |x: i64, y: i64| ink[(y * width as i64 + x) as usize];
    let columns = xs
        .clone()
        .map(|x| ys.clone().map(|y| at(x, y)).sum())
        .collect();
    let rows = ys.map(|y| xs.clone().map(|x| at(x, y)).sum()).collect();
    (columns, rows)
}

/// Sum of absolute differences of two profiles, the second moved by `shift` entries.
fn apart(a: &[f64], b: &[f64], shift: i64) -> f64 {
    (0..a.len() as i64)
        .map(|i| {
            let j = i - shift;
            let other = if j >= 0 && (j as usize) < b.len() {
                b[j as usize]
            } else {
                0.0
            };
            (a[i as usize] - other).abs()
        })
        .sum()
}

#[test]
fn svg_text_lands_where_png_text_does() {
    // Text is high-frequency: moving a label's SVG ink by one pixel against the PNG makes its
    // column (or row) profile differ by about as much ink as it has; aligned, the two
    // rasterizers differ only in anti-aliasing.
    let case = cjk_case();
    let b = built(&case);
    let fonts = text::fonts().unwrap();
    let (w, h) = (960, 540);
    let (mut vertical, mut bold, mut worst) = (0, 0, 0.0f64);
    for name in ChartName::EVERY {
        let shapes = layout(&ctx(w, h), &data(name, &b, &case), w, h).unwrap();
        let bare = without_text(&shapes);
        let (_, _, svg_with) = rasterize(&draw::svg(w, h, &shapes).unwrap(), &[]);
        let (_, _, svg_without) = rasterize(&draw::svg(w, h, &bare).unwrap(), &[]);
        let (_, _, png_with) = decode(&draw::png(w, h, &shapes).unwrap());
        let (_, _, png_without) = decode(&draw::png(w, h, &bare).unwrap());
        let (svg_ink, png_ink) = (ink(&svg_with, &svg_without), ink(&png_with, &png_without));
        for label in texts(&shapes) {
            let bounds = label.bounds(fonts);
            let (sm, _, _) = ink_in(&svg_ink, w, h, bounds);
            let (pm, _, _) = ink_in(&png_ink, w, h, bounds);
            if pm < 5.0 {
                continue;
            }
            assert!(
                (sm - pm).abs() <= 0.1 * pm + 1.0,
                "{name}: {:?} has ink {sm:.1} in SVG and {pm:.1} in PNG",
                label.text
            );
            let (sc, sr) = profiles(&svg_ink, w, bounds);
            let (pc, pr) = profiles(&png_ink, w, bounds);
            let (dc, dr) = (apart(&sc, &pc, 0) / pm, apart(&sr, &pr, 0) / pm);
            let moved = apart(&sc, &pc, 1)
                .min(apart(&sc, &pc, -1))
                .min(apart(&sr, &pr, 1))
                .min(apart(&sr, &pr, -1))
                / pm;
            assert!(
                dc < 0.2 && dr < 0.2 && moved > 2.0 * dc.max(dr),
                "{name}: {:?} differs between SVG and PNG: columns {dc:.2}, rows {dr:.2}, moved a pixel {moved:.2}",
                label.text
            );
            worst = worst.max(dc).max(dr);
            vertical += usize::from(label.vertical);
            bold += usize::from(label.bold);
        }
    }
    eprintln!("largest profile difference: {worst:.3}");
    assert!(vertical > 0 && bold > 0, "vertical {vertical}, bold {bold}");
}

#[test]
fn svg_text_is_invisible_even_where_fonts_exist() {
    // A viewer with fonts must not draw the accessible <text> on top of the outlines (nor,
    // without fonts, boxes for missing glyphs): it is painted with fill-opacity 0.
    let files: Vec<Vec<u8>> = ["DejaVuSans", "DroidSansFallback", "Symbola-emoji"]
        .iter()
        .map(|name| {
            let path = format!("{}/assets/fonts/{name}.ttf", env!("CARGO_MANIFEST_DIR"));
            std::fs::read(path).unwrap()
        })
        .collect();
    let files: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let case = cjk_case();
    let b = built(&case);
    for name in [ChartName::Pareto, ChartName::Matrix] {
        let (w, h) = (960, 540);
        let shapes = layout(&ctx(w, h), &data(name, &b, &case), w, h).unwrap();
        let svg = String::from_utf8(draw::svg(w, h, &shapes).unwrap()).unwrap();
        let mut stripped = String::new();
        let mut rest = svg.as_str();
        while let Some(i) = rest.find("<text ") {
            stripped.push_str(&rest[..i]);
            let end = rest[i..].find("</text>").unwrap() + i + "</text>".len();
            rest = &rest[end..];
        }
        stripped.push_str(rest);
        assert!(stripped.len() < svg.len() && stripped.contains("<use "));
        let (_, _, with_text) = rasterize(svg.as_bytes(), &files);
        let (_, _, without) = rasterize(stripped.as_bytes(), &files);
        assert!(with_text == without, "{name}: the invisible text shows");
        // The fonts do work in this renderer: the old output draws its text with them.
        let (_, _, legacy) = rasterize(&legacy_svg(w, h, &shapes), &files);
        let (_, _, bare) = rasterize(&draw::svg(w, h, &without_text(&shapes)).unwrap(), &files);
        assert!(ink(&legacy, &bare).iter().sum::<f64>() > 100.0);
    }
}

#[test]
fn svgs_with_eight_cjk_names_stay_small() {
    let cjk = cjk_case();
    let all = cases();
    for (case, limit) in [(&cjk, 300_000), (&all[0], 150_000), (&all[4], 300_000)] {
        for name in ChartName::EVERY {
            for (w, h) in [(960, 540), (3000, 3000)] {
                let bytes = svg(name, case, w, h).len();
                eprintln!("svg size {} {name} {w}x{h}: {bytes} bytes", case.label);
                assert!(
                    bytes < limit,
                    "{} {name} {w}×{h}: {bytes} bytes",
                    case.label
                );
            }
        }
    }
}

#[test]
fn svg_glyphs_are_defined_once_and_scoped_ids_stay_linked() {
    let text = svg(ChartName::Cost, &cjk_case(), 960, 540);
    let ids: Vec<&str> = text
        .split("<path id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "each glyph is defined once");
    for id in &ids {
        assert!(text.contains(&format!("href=\"#{id}\"")), "{id} is unused");
    }
    let scoped = scope_ids(&text, "c3");
    for id in &ids {
        assert!(scoped.contains(&format!("<path id=\"c3{id}\"")));
        assert!(scoped.contains(&format!("href=\"#c3{id}\"")));
        assert!(!scoped.contains(&format!("\"#{id}\"")));
    }
}

#[test]
fn web_fonts_cover_exactly_the_characters_used() {
    let sample = "Late delivery 迟到的快递 丢失包裹 📦 Ошибка счёта — 12,345.00 %";
    let css = crate::fonts::web_fonts(sample).unwrap();
    assert_eq!(
        css.families,
        "\"Embedded DejaVu Sans\", \"Embedded Droid Sans Fallback\", \"Embedded Symbola\""
    );
    let subsets = embedded_fonts(&css.css);
    assert_eq!(subsets.len(), 3);
    for c in sample.chars() {
        let has = subsets.iter().any(|data| {
            let font = ab_glyph::FontRef::try_from_slice(data).unwrap();
            let id = ab_glyph::Font::glyph_id(&font, c);
            id.0 != 0 && (c == ' ' || ab_glyph::Font::outline(&font, id).is_some())
        });
        assert!(has, "{c:?} is missing from the embedded subsets");
    }
    let fonts = text::fonts().unwrap();
    let cjk: HashSet<char> = sample
        .chars()
        .filter(|&c| fonts.face_with(c) == Some(1))
        .collect();
    assert_eq!(cjk.len(), 9);
    // Its glyphs may include components of composite glyphs; its characters are exactly these.
    let droid = ab_glyph::FontRef::try_from_slice(&subsets[1]).unwrap();
    let mapped: HashSet<char> = ab_glyph::Font::codepoint_ids(&droid)
        .map(|(_, c)| c)
        .collect();
    assert_eq!(
        mapped, cjk,
        "the CJK subset maps exactly the characters used"
    );
    let total: usize = subsets.iter().map(Vec::len).sum();
    eprintln!("web font subsets: {total} bytes");
    assert!(total < 60_000, "subsets take {total} bytes");
}

/// The font files in `@font-face` data URLs.
pub(crate) fn embedded_fonts(css: &str) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    css.split("url(data:font/ttf;base64,")
        .skip(1)
        .map(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(&s[..s.find(')').unwrap()])
                .unwrap()
        })
        .collect()
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
        for name in ChartName::EVERY {
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
    for lang in Lang::all().skip(1) {
        for name in ChartName::EVERY {
            for format in [Format::Png, Format::Svg] {
                let bytes =
                    render(&ctx_in(lang, 960, 540), &data(name, &b, &all[0]), format).unwrap();
                let file = format!("{lang}-{name}-960x540.{}", format.extension());
                std::fs::write(out.join(file), bytes).unwrap();
            }
        }
    }
    for name in ChartName::EVERY {
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
