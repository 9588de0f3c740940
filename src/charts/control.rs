//! The control chart: the rate in each bucket (per day, or per 1,000 of the volume
//! unit), the centre line ū of the baseline, the probability limits (steps where
//! exposures differ), and the signals marked — a filled vermillion point outside the
//! limits, a ring around a point where the upward CUSUM signals.

use super::draw::{Rgb, Shape};
use super::layout::{self, nice, ticks, Area, Frame, Key, PlotArea, YAxis, BLUE, INK, VERMILLION};
use crate::control::ControlChart;
use crate::i18n::{t, Lang};
use crate::stats::rev2::Signal;
use crate::tr;

const CENTRE: Rgb = Rgb::hex(0x444444);
const LIMIT: Rgb = Rgb::hex(0x999999);

pub fn draw(frame: &mut Frame<'_>, chart: &ControlChart, horror: &str) {
    let Some((layout, center)) = layout(frame, chart, horror) else {
        return;
    };
    let plot = scales(frame, chart, &layout);
    marks(frame, chart, plot, center);
}

/// Where the parts go: the rate axis and the plot area beside it.
struct Layout {
    rates: YAxis,
    area: Area,
}

/// The title block and legend and the rate axis; `None` (with the empty notice) when
/// nothing was ticked or there is no centre line; otherwise the centre line too.
fn layout(frame: &mut Frame<'_>, chart: &ControlChart, horror: &str) -> Option<(Layout, f64)> {
    let lang = frame.lang;
    let title = tr!(
        lang,
        "chart-control-title",
        organization = frame.organization,
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
        return None;
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
    let rates = rates_axis(lang, chart, max);
    let area = frame.above_dates(frame.between(&rates, None), top);
    Some((Layout { rates, area }, center))
}

/// The rate axis up to a round top above `max`: per day, or per 1,000 of the volume unit.
fn rates_axis(lang: Lang, chart: &ControlChart, max: f64) -> YAxis {
    let (axis_top, step) = nice(max * 1.05, 5, false);
    YAxis {
        top: axis_top,
        ticks: ticks(axis_top, step)
            .into_iter()
            .map(|v| (v, layout::compact_to(v, 2)))
            .collect(),
        title: if chart.rate_unit == "day" {
            t(lang, "chart-axis-per-day")
        } else {
            tr!(
                lang,
                "chart-axis-per-volume",
                unit = chart.rate_unit.as_str()
            )
        },
        color: INK,
    }
}

/// The rate axis, and the buckets' date labels (a label pushed in from the edge that
/// would touch its neighbour is left out) with the baseline.
fn scales(frame: &mut Frame<'_>, chart: &ControlChart, layout: &Layout) -> PlotArea {
    let plot = frame.plot_area(layout.area, &layout.rates, None);
    let (area, size) = (plot.area, frame.small);
    let n = chart.points.len();
    let slot = area.width() / n as f64;
    let x_at = |i: usize| area.x0 + slot * (i as f64 + 0.5);
    let label_width = frame.width("0000-00-00", size) + size;
    let every = ((label_width / slot).ceil() as usize).max(1);
    let mut free_from = f64::MIN;
    for i in (0..n).step_by(every) {
        let text = chart.points[i].start.clone();
        if let Some(end) = frame.date_label(area, x_at(i), text, free_from) {
            free_from = end + 0.5 * size;
        }
    }
    frame.x_axis_line(area);
    plot
}

/// The limits as steps (each bucket's limit spans its slot), the centre line, then the
/// rates with their signals.
fn marks(frame: &mut Frame<'_>, chart: &ControlChart, plot: PlotArea, center: f64) {
    let (area, y) = (plot.area, plot.left);
    let slot = area.width() / chart.points.len() as f64;
    let x_at = |i: usize| area.x0 + slot * (i as f64 + 0.5);
    let unit = frame.unit.max(0.6);
    for pick in [
        |p: &crate::stats::rev2::ControlPoint| p.ucl,
        |p: &crate::stats::rev2::ControlPoint| p.lcl,
    ] {
        let mut steps = Vec::new();
        for (i, point) in chart.points.iter().enumerate() {
            if let Some(v) = pick(&point.point) {
                let (x0, x1) = (area.x0 + slot * i as f64, area.x0 + slot * (i as f64 + 1.0));
                steps.push((x0, y.map(v)));
                steps.push((x1, y.map(v)));
            }
        }
        if steps.len() > 1 {
            frame.line(steps, LIMIT, 1.5 * unit, Some(5.0 * unit));
        }
    }
    frame.line(
        vec![(area.x0, y.map(center)), (area.x1, y.map(center))],
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
