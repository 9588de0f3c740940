//! The trend chart: ticks per horror per bucket as lines, and the weighted pain-point index
//! (Σ count × pain, in the spirit of FedEx's SQI) on its own right-hand axis.

use super::draw::{Align, Label, Rgb, Shape, VAlign};
use super::layout::{
    self, nice, ticks, Area, Frame, Key, Scale, BLACK, BLUE, GREEN, INK, OLIVE, ORANGE, PURPLE,
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

// Over 80 lines: this chart's layout, scales and marks in one pass; not yet split into the three.
pub fn draw(frame: &mut Frame<'_>, organization: &str, trend: &Trend) {
    let lang = frame.lang;
    let title = tr!(lang, "chart-trend-title", organization = organization);
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
    let top = frame.header(&title, &subtitle);
    if total == 0 || trend.totals.is_empty() {
        frame.empty(top);
        return;
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
    let (count_top, count_step) = nice(max_count * 1.05, 5, true);
    let (index_top, index_step) = nice(max_index * 1.05, 5, true);
    // Both axes get the same number of ticks so that one set of gridlines serves both.
    let count_ticks: Vec<(f64, String)> = ticks(count_top, count_step)
        .into_iter()
        .map(|v| (v, layout::compact(v)))
        .collect();
    let steps = (count_ticks.len() - 1).max(1) as f64;
    let index_top = (index_top / steps / index_step).ceil() * index_step * steps;
    let index_ticks: Vec<(f64, String)> = (0..count_ticks.len())
        .map(|i| i as f64 * index_top / steps)
        .map(|v| (v, layout::compact(v)))
        .collect();
    let left =
        frame.pad + frame.axis_width(&count_ticks.iter().map(|t| t.1.clone()).collect::<Vec<_>>());
    let right = frame.w
        - frame.pad
        - frame.axis_width(&index_ticks.iter().map(|t| t.1.clone()).collect::<Vec<_>>());

    let size = frame.small;
    let line = Frame::line_height(size);
    let plot = Area {
        x0: left,
        y0: top + 0.5 * size,
        x1: right,
        y1: frame.h - frame.pad - line - 0.6 * size,
    };
    let counts = Scale {
        lo: 0.0,
        hi: count_top,
        px_lo: plot.y1,
        px_hi: plot.y0,
    };
    let index = Scale {
        lo: 0.0,
        hi: index_top,
        px_lo: plot.y1,
        px_hi: plot.y0,
    };
    frame.y_axis(
        plot,
        counts,
        &count_ticks,
        &t(lang, "chart-axis-occurrences"),
        false,
        INK,
    );
    frame.y_axis(
        plot,
        index,
        &index_ticks,
        &t(lang, "chart-axis-pain-points"),
        true,
        INDEX,
    );

    let n = trend.totals.len();
    let inset = if n == 1 {
        plot.width() / 2.0
    } else {
        size.min(plot.width() / 20.0)
    };
    let x_at = |i: usize| {
        if n == 1 {
            plot.x0 + inset
        } else {
            plot.x0 + inset + (plot.width() - 2.0 * inset) * i as f64 / (n - 1) as f64
        }
    };

    // Date labels: as many as fit without touching, evenly spaced.
    let label_width = frame.width("0000-00-00", size) + size;
    let room = plot.width() / label_width;
    let step = ((n as f64 / room.max(1.0)).ceil() as usize).max(1);
    let mut i = 0;
    while i < n {
        let x = x_at(i);
        let text = trend.totals[i].start.format("%Y-%m-%d").to_string();
        let half = frame.width(&text, size) / 2.0;
        let x = x.clamp(half, frame.w - half);
        frame.line(
            vec![(x_at(i), plot.y1), (x_at(i), plot.y1 + 0.3 * size)],
            INK,
            1.0,
            None,
        );
        frame.text(
            Label::new(text, x, plot.y1 + 0.6 * size, size, INK).align(Align::Center, VAlign::Top),
        );
        i += step;
    }
    frame.x_axis_line(plot);

    let width = (2.0 * frame.unit).max(1.3);
    let markers = n <= 40;
    // A bucket that is not over yet (it holds today) is drawn apart: a dotted last segment,
    // a hollow marker and "so far", so that its smaller count does not read as a drop.
    let partial = trend.totals.last().is_some_and(|p| p.partial);
    let solid = if partial { n.saturating_sub(1) } else { n };
    if partial {
        frame.text(
            Label::new(
                t(lang, "chart-so-far"),
                x_at(n - 1),
                plot.y0 + 0.2 * size,
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
            .map(|(i, p)| (x_at(i), counts.map(p.count as f64)))
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
        .map(|(i, p)| (x_at(i), index.map(p.pain_points as f64)))
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
