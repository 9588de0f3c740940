//! The control chart: the rate in each bucket (per day, or per 1,000 of the volume
//! unit), the centre line ū of the baseline, the probability limits (steps where
//! exposures differ), and the signals marked — a filled vermillion point outside the
//! limits, a ring around a point where the upward CUSUM signals.

use super::draw::{Align, Label, Rgb, Shape, VAlign};
use super::layout::{self, nice, ticks, Area, Frame, Key, Scale, BLUE, INK, VERMILLION};
use crate::control::ControlChart;
use crate::i18n::t;
use crate::stats::rev2::Signal;
use crate::tr;

const CENTRE: Rgb = Rgb::hex(0x444444);
const LIMIT: Rgb = Rgb::hex(0x999999);

// Over 80 lines: this chart's layout, scales and marks in one pass; not yet split into the three.
pub fn draw(frame: &mut Frame<'_>, organization: &str, chart: &ControlChart, horror: &str) {
    let lang = frame.lang;
    let title = tr!(
        lang,
        "chart-control-title",
        organization = organization,
        horror = horror
    );
    let bucket = match chart.bucket {
        crate::calendar::Bucket::Week => t(lang, "chart-by-week"),
        _ => t(lang, "chart-by-day"),
    };
    let signals = chart
        .points
        .iter()
        .filter(|p| !p.point.signals.is_empty())
        .count();
    let subtitle = tr!(
        lang,
        "chart-control-subtitle",
        window = format!("{} – {}", chart.window.from, chart.window.to),
        bucket = bucket,
        phi = format!("{:.2}", chart.phi),
        signals = signals
    );
    let top = frame.header(&title, &subtitle);
    let total: u64 = chart.points.iter().map(|p| p.point.count).sum();
    let Some(center) = chart
        .center
        .filter(|_| total > 0 && !chart.points.is_empty())
    else {
        frame.empty(top);
        return;
    };
    let keys = vec![
        (Key::Line(BLUE, None), t(lang, "chart-control-rate")),
        (Key::Line(CENTRE, None), t(lang, "chart-control-centre")),
        (Key::Line(LIMIT, Some(5.0)), t(lang, "chart-control-limits")),
        (Key::Dot(VERMILLION), t(lang, "chart-control-signal")),
    ];
    let top = frame.legend(&keys, top);

    let max = chart
        .points
        .iter()
        .flat_map(|p| [p.point.rate, p.point.ucl])
        .flatten()
        .fold(center, f64::max);
    let (axis_top, step) = nice(max * 1.05, 5, false);
    let tick_labels: Vec<(f64, String)> = ticks(axis_top, step)
        .into_iter()
        .map(|v| (v, layout::compact_to(v, 2)))
        .collect();
    let left =
        frame.pad + frame.axis_width(&tick_labels.iter().map(|t| t.1.clone()).collect::<Vec<_>>());
    let size = frame.small;
    let line = Frame::line_height(size);
    let plot = Area {
        x0: left,
        y0: top + 0.5 * size,
        x1: frame.w - frame.pad,
        y1: frame.h - frame.pad - line - 0.6 * size,
    };
    let y = Scale {
        lo: 0.0,
        hi: axis_top,
        px_lo: plot.y1,
        px_hi: plot.y0,
    };
    frame.y_axis(
        plot,
        y,
        &tick_labels,
        &if chart.rate_unit == "day" {
            t(lang, "chart-axis-per-day")
        } else {
            tr!(
                lang,
                "chart-axis-per-volume",
                unit = chart.rate_unit.as_str()
            )
        },
        false,
        INK,
    );

    let n = chart.points.len();
    let slot = plot.width() / n as f64;
    let x_at = |i: usize| plot.x0 + slot * (i as f64 + 0.5);

    let label_width = frame.width("0000-00-00", size) + size;
    let every = ((label_width / slot).ceil() as usize).max(1);
    // A label pushed in from the edge that would touch its neighbour is left out.
    let mut free_from = f64::MIN;
    for i in (0..n).step_by(every) {
        let text = chart.points[i].start.clone();
        let half = frame.width(&text, size) / 2.0;
        let x = x_at(i).clamp(half, frame.w - half);
        if x - half < free_from {
            continue;
        }
        free_from = x + half + 0.5 * size;
        frame.line(
            vec![(x_at(i), plot.y1), (x_at(i), plot.y1 + 0.3 * size)],
            INK,
            1.0,
            None,
        );
        frame.text(
            Label::new(text, x, plot.y1 + 0.6 * size, size, INK).align(Align::Center, VAlign::Top),
        );
    }
    frame.x_axis_line(plot);

    // Limits as steps: each bucket's limit spans its slot.
    let unit = frame.unit.max(0.6);
    for pick in [
        |p: &crate::stats::rev2::ControlPoint| p.ucl,
        |p: &crate::stats::rev2::ControlPoint| p.lcl,
    ] {
        let mut steps = Vec::new();
        for (i, point) in chart.points.iter().enumerate() {
            if let Some(v) = pick(&point.point) {
                let (x0, x1) = (plot.x0 + slot * i as f64, plot.x0 + slot * (i as f64 + 1.0));
                steps.push((x0, y.map(v)));
                steps.push((x1, y.map(v)));
            }
        }
        if steps.len() > 1 {
            frame.line(steps, LIMIT, 1.5 * unit, Some(5.0 * unit));
        }
    }
    frame.line(
        vec![(plot.x0, y.map(center)), (plot.x1, y.map(center))],
        CENTRE,
        1.6 * unit,
        None,
    );
    let points: Vec<(f64, f64, &crate::stats::rev2::ControlPoint)> = chart
        .points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.point.rate.map(|r| (x_at(i), y.map(r), &p.point)))
        .collect();
    if points.len() > 1 {
        frame.line(
            points.iter().map(|(x, y, _)| (*x, *y)).collect(),
            BLUE,
            (2.0 * frame.unit).max(1.3),
            None,
        );
    }
    let r = (2.8 * frame.unit).max(1.8);
    for (x, y, point) in points {
        let outside = point
            .signals
            .iter()
            .any(|s| matches!(s, Signal::Above | Signal::Below));
        let run = point.signals.contains(&Signal::Cusum);
        if run {
            frame.shapes.push(Shape::Circle {
                x,
                y,
                r: r * 1.9,
                fill: Rgb::hex(0xffffff),
                stroke: VERMILLION,
            });
        }
        let color = if outside || run { VERMILLION } else { BLUE };
        frame.shapes.push(Shape::Circle {
            x,
            y,
            r: if outside { r * 1.4 } else { r },
            fill: color,
            stroke: color,
        });
    }
}
