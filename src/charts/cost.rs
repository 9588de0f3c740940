//! The cost chart: what each horror cost in the window, in the organization's currency,
//! as horizontal bars from the most to the least expensive.

use super::draw::{Align, Label, VAlign};
use super::layout::{self, Area, Frame, Scale, AXIS, GRID, INK};
use super::{tier_color, tier_keys, window_text};
use crate::fonts::clean;
use crate::money::Currency;
use crate::ranking::Ranking;
use crate::tr;

// Over 80 lines: this chart's layout, scales and marks in one pass; not yet split into the three.
pub fn draw(frame: &mut Frame<'_>, organization: &str, currency: Currency, ranking: &Ranking) {
    let lang = frame.lang;
    let title = tr!(lang, "chart-cost-title", organization = organization);
    let subtitle = tr!(
        lang,
        "chart-cost-subtitle",
        window = window_text(ranking),
        cost = currency.format_grouped(ranking.totals.cost_minor)
    );
    let top = frame.header(&title, &subtitle);
    if ranking.totals.count == 0 || ranking.items.is_empty() {
        frame.empty(top);
        return;
    }
    let top = frame.legend(&tier_keys(lang), top);

    let mut items: Vec<_> = ranking.items.iter().collect();
    // Stable: equal costs keep the ranking's order.
    items.sort_by_key(|i| std::cmp::Reverse(i.cost_minor));

    let size = frame.small;
    let scale_major = 10f64.powi(currency.minor_digits() as i32);
    let max_major = items
        .iter()
        .map(|i| i.cost_minor.get().max(0))
        .max()
        .unwrap_or(0) as f64
        / scale_major;

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
    let (x_top, x_ticks) = layout::across_ticks(frame, max_major, bars);
    let last_tick = frame.width(x_ticks.last().map_or("", |t| t.1.as_str()), size) / 2.0;
    let plot = Area {
        x0: frame.pad + name_width + gap,
        y0: top,
        x1: frame.w - frame.pad - value_width.max(last_tick),
        y1: frame.h - frame.pad - 2.0 * line - 0.5 * size,
    };
    let x = Scale {
        lo: 0.0,
        hi: x_top,
        px_lo: plot.x0,
        px_hi: plot.x1,
    };
    for (value, text) in &x_ticks {
        let px = x.map(*value);
        frame.line(vec![(px, plot.y0), (px, plot.y1)], GRID, 1.0, None);
        frame.text(
            Label::new(text.clone(), px, plot.y1 + 0.4 * size, size, INK)
                .align(Align::Center, VAlign::Top),
        );
    }
    let axis_title = tr!(lang, "chart-axis-cost", currency = currency.code());
    let axis_title = frame.fit(&axis_title, size, frame.w - 2.0 * frame.pad);
    frame.text(
        Label::new(axis_title, frame.w / 2.0, frame.h - frame.pad, size, INK)
            .align(Align::Center, VAlign::Bottom),
    );

    let row = plot.height() / items.len() as f64;
    let thickness = (row * 0.66).min(frame.h * 0.12);
    for (index, item) in items.iter().enumerate() {
        let y = plot.y0 + row * (index as f64 + 0.5);
        let end = x.map(item.cost_minor.get().max(0) as f64 / scale_major);
        frame.rect(
            plot.x0,
            y - thickness / 2.0,
            end,
            y + thickness / 2.0,
            tier_color(item.tier),
        );
        let name = frame.fit(&names[index], size, name_width);
        frame.text(Label::new(name, plot.x0 - gap, y, size, INK).align(Align::End, VAlign::Middle));
        if row >= line * 0.9 {
            frame.text(
                Label::new(values[index].clone(), end + 0.4 * size, y, size, INK)
                    .align(Align::Start, VAlign::Middle),
            );
        }
    }
    frame.line(
        vec![(plot.x0, plot.y0), (plot.x0, plot.y1)],
        AXIS,
        1.0,
        None,
    );
}
