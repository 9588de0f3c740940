//! The cost chart: what each horror cost in the window, in the organization's currency,
//! as horizontal bars from the most to the least expensive.

use super::draw::{Align, Label, VAlign};
use super::layout::{Area, Frame, Scale, AXIS, INK};
use super::{tier_color, tier_keys, window_text, CostAxis};
use crate::fonts::clean;
use crate::money::Currency;
use crate::ranking::{RankedItem, Ranking};
use crate::tr;

pub fn draw(frame: &mut Frame<'_>, currency: Currency, ranking: &Ranking) {
    let Some(layout) = layout(frame, currency, ranking) else {
        return;
    };
    let x = layout.cost.draw(frame, layout.area);
    marks(frame, &layout, x);
}

/// Where the parts go: the horrors from the most to the least expensive with their names
/// and values, the columns they take and the cost axis's ticks.
struct Layout<'r> {
    items: Vec<&'r RankedItem>,
    names: Vec<String>,
    values: Vec<String>,
    name_width: f64,
    gap: f64,
    cost: CostAxis,
    area: Area,
}

/// The title block and legend, and the room for names, bars and values; `None` (with the
/// empty notice) when nothing was ticked.
fn layout<'r>(
    frame: &mut Frame<'_>,
    currency: Currency,
    ranking: &'r Ranking,
) -> Option<Layout<'r>> {
    let lang = frame.lang;
    let subtitle = tr!(
        lang,
        "chart-cost-subtitle",
        window = window_text(ranking),
        cost = currency.format_grouped(ranking.totals.cost_minor)
    );
    let top = frame.header_of("chart-cost-title", &subtitle);
    if ranking.totals.count == 0 || ranking.items.is_empty() {
        frame.empty(top);
        return None;
    }
    let top = frame.legend(&tier_keys(lang), top);

    let mut items: Vec<_> = ranking.items.iter().collect();
    // Stable: equal costs keep the ranking's order.
    items.sort_by_key(|i| std::cmp::Reverse(i.cost_minor));

    let size = frame.small;
    let values: Vec<String> = items
        .iter()
        .map(|i| currency.format_grouped(i.cost_minor))
        .collect();
    let value_width = values
        .iter()
        .map(|v| frame.width(v, size))
        .fold(0.0, f64::max)
        + 0.5 * size;
    let names: Vec<String> = items.iter().map(|i| clean(&i.name)).collect();
    // Names get up to a third of the width, bars keep at least a quarter.
    let name_room = (frame.w * 0.34)
        .min(frame.w - 2.0 * frame.pad - value_width - frame.w * 0.25)
        .max(frame.w * 0.15);
    let name_width = names
        .iter()
        .map(|n| frame.width(n, size))
        .fold(0.0, f64::max)
        .min(name_room);
    let gap = 0.6 * size;

    let line = Frame::line_height(size);
    let bars = frame.w - 2.0 * frame.pad - name_width - gap - value_width;
    let cost = CostAxis::new(frame, currency, &items, 1.0, bars);
    let area = Area {
        x0: frame.pad + name_width + gap,
        y0: top,
        x1: frame.w - frame.pad - value_width.max(cost.overhang(frame)),
        y1: frame.h - frame.pad - 2.0 * line - 0.5 * size,
    };
    Some(Layout {
        items,
        names,
        values,
        name_width,
        gap,
        cost,
        area,
    })
}

/// A bar per horror with its name before it and its value after it, then the axis line.
fn marks(frame: &mut Frame<'_>, layout: &Layout<'_>, x: Scale) {
    let (area, size, gap) = (layout.area, frame.small, layout.gap);
    let line = Frame::line_height(size);
    let row = area.height() / layout.items.len() as f64;
    let thickness = (row * 0.66).min(frame.h * 0.12);
    for (index, item) in layout.items.iter().enumerate() {
        let y = area.y0 + row * (index as f64 + 0.5);
        let end = x.map(layout.cost.major(item.cost_minor));
        frame.rect(
            area.x0,
            y - thickness / 2.0,
            end,
            y + thickness / 2.0,
            tier_color(item.tier),
        );
        let name = frame.fit(&layout.names[index], size, layout.name_width);
        frame.text(Label::new(name, area.x0 - gap, y, size, INK).align(Align::End, VAlign::Middle));
        if row >= line * 0.9 {
            frame.text(
                Label::new(layout.values[index].clone(), end + 0.4 * size, y, size, INK)
                    .align(Align::Start, VAlign::Middle),
            );
        }
    }
    frame.line(
        vec![(area.x0, area.y0), (area.x0, area.y1)],
        AXIS,
        1.0,
        None,
    );
}
