//! The trend chart: ticks per horror per bucket as lines, and the weighted pain-point index
//! (Σ count × pain, in the spirit of FedEx's SQI) on its own right-hand axis.

use super::draw::{Align, Label, Rgb, Shape, VAlign};
use super::layout::{
    self, nice, Area, Frame, Key, PlotArea, YAxis, BLACK, BLUE, GREEN, INK, OLIVE, ORANGE, PURPLE,
    SKY, VERMILLION,
};
use crate::fonts::clean;
use crate::i18n::t;
use crate::tr;
use crate::trend::Trend;

/// Okabe–Ito order for the series (then Tol's wine); black is kept for the index.
const SERIES: [Rgb; 8] = [
    BLUE,
    ORANGE,
    GREEN,
    VERMILLION,
    SKY,
    PURPLE,
    OLIVE,
    Rgb::hex(0x882255),
];
const INDEX: Rgb = Rgb::hex(0x444444);

pub fn draw(frame: &mut Frame<'_>, trend: &Trend) {
    let Some(layout) = layout(frame, trend) else {
        return;
    };
    let (plot, xs) = scales(frame, trend, &layout);
    marks(frame, trend, plot, &xs);
}

/// Where the parts go: the title block and legend, and the two axes around the plot.
struct Layout {
    counts: YAxis,
    index: YAxis,
    area: Area,
}

/// The title block and legend, and both axes with as many ticks each; `None` (with the
/// empty notice) when nothing was ticked.
fn layout(frame: &mut Frame<'_>, trend: &Trend) -> Option<Layout> {
    let lang = frame.lang;
    let bucket = match trend.bucket {
        crate::calendar::Bucket::Day => t(lang, "chart-by-day"),
        crate::calendar::Bucket::Week => t(lang, "chart-by-week"),
        crate::calendar::Bucket::Month => t(lang, "chart-by-month"),
    };
    let total: u64 = trend.totals.iter().map(|p| p.count).sum();
    let subtitle = tr!(
        lang,
        "chart-trend-subtitle",
        window = format!("{} – {}", trend.window.from, trend.window.to),
        bucket = bucket,
        count = total
    );
    let top = frame.header_of("chart-trend-title", &subtitle);
    if total == 0 || trend.totals.is_empty() {
        frame.empty(top);
        return None;
    }
    let mut keys: Vec<(Key, String)> = trend
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (Key::Line(SERIES[i % SERIES.len()], None), clean(&s.name)))
        .collect();
    keys.push((Key::Line(INDEX, Some(5.0)), t(lang, "chart-index-key")));
    let top = frame.legend(&keys, top);

    let max_count = trend
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.count))
        .max()
        .unwrap_or(0) as f64;
    let max_index = trend
        .totals
        .iter()
        .map(|p| p.pain_points)
        .max()
        .unwrap_or(0) as f64;
    let counts = YAxis::counts(max_count * 1.05, t(lang, "chart-axis-occurrences"));
    let (index_top, index_step) = nice(max_index * 1.05, 5, true);
    // Both axes get the same number of ticks so that one set of gridlines serves both.
    let steps = (counts.ticks.len() - 1).max(1) as f64;
    let index_top = (index_top / steps / index_step).ceil() * index_step * steps;
    let index = YAxis {
        top: index_top,
        ticks: (0..counts.ticks.len())
            .map(|i| i as f64 * index_top / steps)
            .map(|v| (v, layout::compact(v)))
            .collect(),
        title: t(lang, "chart-axis-pain-points"),
        color: INDEX,
    };
    let area = frame.above_dates(frame.between(&counts, Some(&index)), top);
    Some(Layout {
        counts,
        index,
        area,
    })
}

/// Each bucket's x: inset from the plot's edges, or centred for a single bucket.
fn bucket_xs(area: Area, n: usize, size: f64) -> Vec<f64> {
    let inset = if n == 1 {
        area.width() / 2.0
    } else {
        size.min(area.width() / 20.0)
    };
    (0..n)
        .map(|i| {
            if n == 1 {
                area.x0 + inset
            } else {
                area.x0 + inset + (area.width() - 2.0 * inset) * i as f64 / (n - 1) as f64
            }
        })
        .collect()
}

/// Both axes, and the date labels of the buckets (as many as fit without touching,
/// evenly spaced) with the baseline; returns the plot area and each bucket's x.
fn scales(frame: &mut Frame<'_>, trend: &Trend, layout: &Layout) -> (PlotArea, Vec<f64>) {
    let plot = frame.plot_area(layout.area, &layout.counts, Some(&layout.index));
    let (area, size) = (plot.area, frame.small);
    let n = trend.totals.len();
    let xs = bucket_xs(area, n, size);
    let label_width = frame.width("0000-00-00", size) + size;
    let room = area.width() / label_width;
    let step = ((n as f64 / room.max(1.0)).ceil() as usize).max(1);
    for (i, &at) in xs.iter().enumerate().step_by(step) {
        let text = trend.totals[i].start.format("%Y-%m-%d").to_string();
        frame.date_label(area, at, text, f64::MIN);
    }
    frame.x_axis_line(area);
    (plot, xs)
}

/// The series' lines and markers, then the index's. A bucket that is not over yet (it
/// holds today) is drawn apart: a dotted last segment, a hollow marker and "so far", so
/// that its smaller count does not read as a drop.
fn marks(frame: &mut Frame<'_>, trend: &Trend, plot: PlotArea, xs: &[f64]) {
    let size = frame.small;
    let (counts, index) = (plot.left, plot.right.unwrap_or(plot.left));
    let n = xs.len();
    let width = (2.0 * frame.unit).max(1.3);
    let markers = n <= 40;
    let partial = trend.totals.last().is_some_and(|p| p.partial);
    let solid = if partial { n.saturating_sub(1) } else { n };
    if partial {
        frame.text(
            Label::new(
                t(frame.lang, "chart-so-far"),
                xs[n - 1],
                plot.area.y0 + 0.2 * size,
                size * 0.9,
                INK,
            )
            .align(Align::Center, VAlign::Top),
        );
    }
    for (s, series) in trend.series.iter().enumerate() {
        let color = SERIES[s % SERIES.len()];
        let points: Vec<(f64, f64)> = series
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| (xs[i], counts.map(p.count as f64)))
            .collect();
        if solid > 1 {
            frame.line(points[..solid].to_vec(), color, width, None);
        }
        if partial && n > 1 {
            frame.line(
                points[n - 2..].to_vec(),
                color,
                width,
                Some(2.5 * frame.unit.max(0.6)),
            );
        }
        if markers || points.len() == 1 || partial {
            for (i, (x, y)) in points.into_iter().enumerate() {
                let open = partial && i + 1 == n;
                if !(markers || n == 1 || open) {
                    continue;
                }
                frame.shapes.push(Shape::Circle {
                    x,
                    y,
                    r: (2.8 * frame.unit).max(1.8),
                    fill: if open { Rgb::hex(0xffffff) } else { color },
                    stroke: color,
                });
            }
        }
    }
    let points: Vec<(f64, f64)> = trend
        .totals
        .iter()
        .enumerate()
        .map(|(i, p)| (xs[i], index.map(p.pain_points as f64)))
        .collect();
    if points.len() > 1 {
        frame.line(
            points.clone(),
            INDEX,
            width * 1.4,
            Some(7.0 * frame.unit.max(0.6)),
        );
    }
    if markers || points.len() == 1 {
        let r = (3.2 * frame.unit).max(2.0);
        for (x, y) in points {
            frame.shapes.push(Shape::Polygon {
                points: vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)],
                fill: BLACK,
            });
        }
    }
}
