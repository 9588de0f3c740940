//! The matrix: customer pain (1–10) against what each horror cost in the window, bubble
//! area by ticks, split at mid-range so the painful and expensive corner reads "fix first".

use super::draw::{Align, Label, Shape, VAlign};
use super::layout::{Area, Frame, Key, PlotArea, Scale, YAxis, AXIS, INK, MUTED, VERMILLION};
use super::{tier_color, window_text, CostAxis};
use crate::fonts::clean;
use crate::i18n::t;
use crate::money::Currency;
use crate::ranking::{RankedItem, Ranking, Tier};
use crate::tr;

type Bounds = (f64, f64, f64, f64);

fn overlaps(a: Bounds, b: Bounds) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

fn inside(a: Bounds, area: Area) -> bool {
    a.0 >= area.x0 && a.2 <= area.x1 && a.1 >= area.y0 && a.3 <= area.y1
}

pub fn draw(frame: &mut Frame<'_>, currency: Currency, ranking: &Ranking) {
    let Some(layout) = layout(frame, currency, ranking) else {
        return;
    };
    let (plot, x) = scales(frame, &layout);
    marks(frame, &layout, plot, x);
}

/// Where the parts go: the ticked horrors, the pain axis, the cost axis's ticks and the
/// plot area.
struct Layout<'r> {
    items: Vec<&'r RankedItem>,
    pain: YAxis,
    cost: CostAxis,
    area: Area,
}

/// The title block and legend and both axes' extent; `None` (with the empty notice) when
/// nothing was ticked.
fn layout<'r>(
    frame: &mut Frame<'_>,
    currency: Currency,
    ranking: &'r Ranking,
) -> Option<Layout<'r>> {
    let lang = frame.lang;
    let subtitle = tr!(lang, "chart-matrix-subtitle", window = window_text(ranking));
    let top = frame.header_of("chart-matrix-title", &subtitle);
    let items: Vec<_> = ranking.items.iter().filter(|i| i.count > 0).collect();
    if ranking.totals.count == 0 || items.is_empty() {
        frame.empty(top);
        return None;
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
    let pain_step = if frame.h - top < 260.0 { 3 } else { 1 };
    let pain = YAxis {
        top: 10.5,
        ticks: (1..=10)
            .filter(|p| (p - 1) % pain_step == 0)
            .map(|p| (f64::from(p), p.to_string()))
            .collect(),
        title: t(lang, "chart-axis-pain"),
        color: INK,
    };
    let (left, _) = frame.between(&pain, None);
    let cost = CostAxis::new(
        frame,
        currency,
        &items,
        1.1,
        frame.w - left - frame.pad - 2.0 * size,
    );
    let area = Area {
        x0: left,
        y0: top,
        x1: frame.w - frame.pad - cost.overhang(frame),
        y1: frame.h - frame.pad - 2.0 * line - 0.4 * size,
    };
    Some(Layout {
        items,
        pain,
        cost,
        area,
    })
}

/// The pain axis, the cost axis and the two axis lines; returns the cost scale too.
fn scales(frame: &mut Frame<'_>, layout: &Layout<'_>) -> (PlotArea, Scale) {
    let plot = frame.plot_area(layout.area, &layout.pain, None);
    let area = plot.area;
    let x = layout.cost.draw(frame, area);
    frame.line(
        vec![(area.x0, area.y0), (area.x0, area.y1), (area.x1, area.y1)],
        AXIS,
        1.0,
        None,
    );
    (plot, x)
}

/// The quadrants, the bubbles (big ones first, so that small ones stay visible on top)
/// and their labels.
fn marks(frame: &mut Frame<'_>, layout: &Layout<'_>, plot: PlotArea, x: Scale) {
    let (area, y) = (plot.area, plot.left);
    let taken = quadrants(frame, area, x.map(layout.cost.top / 2.0), y.map(5.5));
    let mut items = layout.items.clone();
    items.sort_by(|a, b| b.count.cmp(&a.count).then(a.rank.cmp(&b.rank)));
    let max_count = items[0].count as f64;
    let r_max = area.width().min(area.height()) * 0.085;
    let r_min = (3.0 * frame.unit).max(2.5);
    let bubbles: Vec<(f64, f64, f64)> = items
        .iter()
        .map(|i| {
            let r = (r_max * (i.count as f64 / max_count).sqrt()).max(r_min);
            (
                x.map(layout.cost.major(i.cost_minor)),
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
    labels(frame, area, &items, &bubbles, taken);
}

/// Quadrants split at mid-range of both axes, the painful and expensive one shaded and
/// named; returns the space its name takes.
fn quadrants(frame: &mut Frame<'_>, area: Area, mid_x: f64, mid_y: f64) -> Vec<Bounds> {
    let size = frame.small;
    frame.rect(mid_x, area.y0, area.x1, mid_y, VERMILLION.alpha(0.06));
    let dash = Some(5.0 * frame.unit.max(0.6));
    frame.line(vec![(mid_x, area.y0), (mid_x, area.y1)], MUTED, 1.0, dash);
    frame.line(vec![(area.x0, mid_y), (area.x1, mid_y)], MUTED, 1.0, dash);
    let corner = Label::new(
        t(frame.lang, "chart-fix-first"),
        area.x1 - 0.5 * size,
        area.y0 + 0.4 * size,
        frame.body,
        VERMILLION,
    )
    .align(Align::End, VAlign::Top)
    .bold();
    let taken: Vec<Bounds> = vec![corner.bounds(frame.fonts)];
    frame.text(corner);
    taken
}

/// The places a bubble's label may go, in the order they are tried: right, left, above,
/// below, then the four diagonals.
fn spots(text: &str, (cx, cy, r): (f64, f64, f64), gap: f64, size: f64) -> [Label; 8] {
    let at = |x: f64, y: f64, align: Align, valign: VAlign| {
        Label::new(text.to_string(), x, y, size, INK).align(align, valign)
    };
    let d = r * 0.7;
    [
        at(cx + r + gap, cy, Align::Start, VAlign::Middle),
        at(cx - r - gap, cy, Align::End, VAlign::Middle),
        at(cx, cy - r - gap, Align::Center, VAlign::Bottom),
        at(cx, cy + r + gap, Align::Center, VAlign::Top),
        at(cx + d + gap, cy - d - gap, Align::Start, VAlign::Bottom),
        at(cx - d - gap, cy + d + gap, Align::End, VAlign::Top),
        at(cx + d + gap, cy + d + gap, Align::Start, VAlign::Top),
        at(cx - d - gap, cy - d - gap, Align::End, VAlign::Bottom),
    ]
}

/// Labels: the first free spot around each bubble, shortening the name if need be.
fn labels(
    frame: &mut Frame<'_>,
    area: Area,
    items: &[&RankedItem],
    bubbles: &[(f64, f64, f64)],
    mut taken: Vec<Bounds>,
) {
    let size = frame.small;
    let discs: Vec<Bounds> = bubbles
        .iter()
        .map(|&(cx, cy, r)| (cx - r, cy - r, cx + r, cy + r))
        .collect();
    let gap = 0.35 * size;
    for (item, &bubble) in items.iter().zip(bubbles).rev() {
        let name = clean(&item.name);
        let mut placed = None;
        'search: for max_width in [area.width() * 0.3, area.width() * 0.18, area.width() * 0.1] {
            let text = frame.fit(&name, size, max_width);
            if text.is_empty() {
                continue;
            }
            let candidates = spots(&text, bubble, gap, size);
            // First try to keep clear of other bubbles too, then of other labels only.
            for avoid_discs in [true, false] {
                for label in &candidates {
                    let bounds = label.bounds(frame.fonts);
                    let clear = inside(bounds, area)
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
