//! The matrix: customer pain (1–10) against what each horror cost in the window, bubble
//! area by ticks, split at mid-range so the painful and expensive corner reads "fix first".

use super::draw::{Align, Label, Shape, VAlign};
use super::layout::{self, Area, Frame, Key, Scale, AXIS, GRID, INK, MUTED, VERMILLION};
use super::{tier_color, window_text};
use crate::fonts::clean;
use crate::i18n::t;
use crate::money::Currency;
use crate::ranking::{Ranking, Tier};
use crate::tr;

type Bounds = (f64, f64, f64, f64);

fn overlaps(a: Bounds, b: Bounds) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

fn inside(a: Bounds, area: Area) -> bool {
    a.0 >= area.x0 && a.2 <= area.x1 && a.1 >= area.y0 && a.3 <= area.y1
}

// Over 80 lines: this chart's layout, scales and marks in one pass; not yet split into the three.
pub fn draw(frame: &mut Frame<'_>, organization: &str, currency: Currency, ranking: &Ranking) {
    let lang = frame.lang;
    let title = tr!(lang, "chart-matrix-title", organization = organization);
    let subtitle = tr!(lang, "chart-matrix-subtitle", window = window_text(ranking));
    let top = frame.header(&title, &subtitle);
    let mut items: Vec<_> = ranking.items.iter().filter(|i| i.count > 0).collect();
    if ranking.totals.count == 0 || items.is_empty() {
        frame.empty(top);
        return;
    }
    let keys: Vec<(Key, String)> = [Tier::Worst, Tier::Worse, Tier::Bad]
        .into_iter()
        .map(|tier| {
            let name = t(lang, &format!("tier-{}", tier.as_str()));
            (Key::Dot(tier_color(tier)), name)
        })
        .collect();
    let top = frame.legend(&keys, top);

    let size = frame.small;
    let line = Frame::line_height(size);
    let scale_major = 10f64.powi(currency.minor_digits() as i32);
    let max_cost = items
        .iter()
        .map(|i| i.cost_minor.get().max(0))
        .max()
        .unwrap_or(0) as f64
        / scale_major;
    let pain_step = if frame.h - top < 260.0 { 3 } else { 1 };
    let y_ticks: Vec<(f64, String)> = (1..=10)
        .filter(|p| (p - 1) % pain_step == 0)
        .map(|p| (f64::from(p), p.to_string()))
        .collect();

    let left =
        frame.pad + frame.axis_width(&y_ticks.iter().map(|t| t.1.clone()).collect::<Vec<_>>());
    let (x_top, x_ticks) = layout::across_ticks(
        frame,
        max_cost * 1.1,
        frame.w - left - frame.pad - 2.0 * size,
    );
    let last_tick = frame.width(x_ticks.last().map_or("", |t| t.1.as_str()), size) / 2.0;
    let plot = Area {
        x0: left,
        y0: top,
        x1: frame.w - frame.pad - last_tick,
        y1: frame.h - frame.pad - 2.0 * line - 0.4 * size,
    };
    let x = Scale {
        lo: 0.0,
        hi: x_top,
        px_lo: plot.x0,
        px_hi: plot.x1,
    };
    let y = Scale {
        lo: 0.0,
        hi: 10.5,
        px_lo: plot.y1,
        px_hi: plot.y0,
    };

    frame.y_axis(plot, y, &y_ticks, &t(lang, "chart-axis-pain"), false, INK);
    for (value, text) in &x_ticks {
        let px = x.map(*value);
        frame.line(vec![(px, plot.y0), (px, plot.y1)], GRID, 1.0, None);
        frame.text(
            Label::new(text.clone(), px, plot.y1 + 0.4 * size, size, INK)
                .align(Align::Center, VAlign::Top),
        );
    }
    let axis_title = frame.fit(
        &tr!(lang, "chart-axis-cost", currency = currency.code()),
        size,
        frame.w - 2.0 * frame.pad,
    );
    frame.text(
        Label::new(axis_title, frame.w / 2.0, frame.h - frame.pad, size, INK)
            .align(Align::Center, VAlign::Bottom),
    );
    frame.line(
        vec![(plot.x0, plot.y0), (plot.x0, plot.y1), (plot.x1, plot.y1)],
        AXIS,
        1.0,
        None,
    );

    // Quadrants split at mid-range of both axes.
    let (mid_x, mid_y) = (x.map(x_top / 2.0), y.map(5.5));
    frame.rect(mid_x, plot.y0, plot.x1, mid_y, VERMILLION.alpha(0.06));
    let dash = Some(5.0 * frame.unit.max(0.6));
    frame.line(vec![(mid_x, plot.y0), (mid_x, plot.y1)], MUTED, 1.0, dash);
    frame.line(vec![(plot.x0, mid_y), (plot.x1, mid_y)], MUTED, 1.0, dash);
    let corner = Label::new(
        t(lang, "chart-fix-first"),
        plot.x1 - 0.5 * size,
        plot.y0 + 0.4 * size,
        frame.body,
        VERMILLION,
    )
    .align(Align::End, VAlign::Top)
    .bold();
    let mut taken: Vec<Bounds> = vec![corner.bounds(frame.fonts)];
    frame.text(corner);

    // Big bubbles first so that small ones stay visible on top.
    items.sort_by(|a, b| b.count.cmp(&a.count).then(a.rank.cmp(&b.rank)));
    let max_count = items[0].count as f64;
    let r_max = plot.width().min(plot.height()) * 0.085;
    let r_min = (3.0 * frame.unit).max(2.5);
    let bubbles: Vec<(f64, f64, f64)> = items
        .iter()
        .map(|i| {
            let r = (r_max * (i.count as f64 / max_count).sqrt()).max(r_min);
            (
                x.map(i.cost_minor.get().max(0) as f64 / scale_major),
                y.map(f64::from(i.pain.clamp(1, 10))),
                r,
            )
        })
        .collect();
    for (item, &(cx, cy, r)) in items.iter().zip(&bubbles) {
        let colour = tier_color(item.tier);
        frame.shapes.push(Shape::Circle {
            x: cx,
            y: cy,
            r,
            fill: colour.alpha(0.5),
            stroke: colour,
        });
    }
    let discs: Vec<Bounds> = bubbles
        .iter()
        .map(|&(cx, cy, r)| (cx - r, cy - r, cx + r, cy + r))
        .collect();

    // Labels: the first free spot around each bubble, shortening the name if need be.
    let gap = 0.35 * size;
    for (item, &(cx, cy, r)) in items.iter().zip(&bubbles).rev() {
        let name = clean(&item.name);
        let mut placed = None;
        'search: for max_width in [plot.width() * 0.3, plot.width() * 0.18, plot.width() * 0.1] {
            let text = frame.fit(&name, size, max_width);
            if text.is_empty() {
                continue;
            }
            let candidates = [
                Label::new(text.clone(), cx + r + gap, cy, size, INK)
                    .align(Align::Start, VAlign::Middle),
                Label::new(text.clone(), cx - r - gap, cy, size, INK)
                    .align(Align::End, VAlign::Middle),
                Label::new(text.clone(), cx, cy - r - gap, size, INK)
                    .align(Align::Center, VAlign::Bottom),
                Label::new(text.clone(), cx, cy + r + gap, size, INK)
                    .align(Align::Center, VAlign::Top),
                Label::new(
                    text.clone(),
                    cx + r * 0.7 + gap,
                    cy - r * 0.7 - gap,
                    size,
                    INK,
                )
                .align(Align::Start, VAlign::Bottom),
                Label::new(
                    text.clone(),
                    cx - r * 0.7 - gap,
                    cy + r * 0.7 + gap,
                    size,
                    INK,
                )
                .align(Align::End, VAlign::Top),
                Label::new(
                    text.clone(),
                    cx + r * 0.7 + gap,
                    cy + r * 0.7 + gap,
                    size,
                    INK,
                )
                .align(Align::Start, VAlign::Top),
                Label::new(
                    text.clone(),
                    cx - r * 0.7 - gap,
                    cy - r * 0.7 - gap,
                    size,
                    INK,
                )
                .align(Align::End, VAlign::Bottom),
            ];
            // First try to keep clear of other bubbles too, then of other labels only.
            for avoid_discs in [true, false] {
                for label in &candidates {
                    let bounds = label.bounds(frame.fonts);
                    let clear = inside(bounds, plot)
                        && !taken.iter().any(|t| overlaps(*t, bounds))
                        && (!avoid_discs || !discs.iter().any(|d| overlaps(*d, bounds)));
                    if clear {
                        placed = Some((label.clone(), bounds));
                        break 'search;
                    }
                }
            }
        }
        if let Some((label, bounds)) = placed {
            taken.push(bounds);
            frame.text(label);
        }
    }
}
