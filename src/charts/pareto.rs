//! The Pareto chart: ticks per horror in priority order, coloured by tier, with the running
//! share of the priority score against an 80 % line.

use super::draw::{Align, Label, Shape, VAlign};
use super::layout::{
    self, count_label, nice, ticks, Area, Categories, Frame, Key, Scale, BLUE, INK, MUTED,
};
use super::{tier_color, tier_keys, window_text};
use crate::fonts::clean;
use crate::i18n::t;
use crate::ranking::Ranking;
use crate::tr;

// Over 80 lines: this chart's layout, scales and marks in one pass; not yet split into the three.
pub fn draw(frame: &mut Frame<'_>, organization: &str, ranking: &Ranking) {
    let lang = frame.lang;
    let title = tr!(lang, "chart-pareto-title", organization = organization);
    let subtitle = tr!(
        lang,
        "chart-pareto-subtitle",
        window = window_text(ranking),
        count = ranking.totals.count
    );
    let top = frame.header(&title, &subtitle);
    if ranking.totals.count == 0 || ranking.items.is_empty() {
        frame.empty(top);
        return;
    }
    let mut keys = tier_keys(lang);
    keys.push((Key::Line(BLUE, None), t(lang, "chart-cumulative-share-key")));
    keys.push((Key::Line(MUTED, Some(5.0)), "80 %".into()));
    let top = frame.legend(&keys, top);

    let max_count = ranking.items.iter().map(|i| i.count).max().unwrap_or(0) as f64;
    let (count_top, count_step) = nice(max_count * 1.08, 5, true);
    let count_ticks: Vec<(f64, String)> = ticks(count_top, count_step)
        .into_iter()
        .map(|v| (v, layout::compact(v)))
        .collect();
    let share_ticks: Vec<(f64, String)> = (0..=5)
        .map(|i| (i as f64 * 20.0, format!("{} %", i * 20)))
        .collect();
    let left =
        frame.pad + frame.axis_width(&count_ticks.iter().map(|t| t.1.clone()).collect::<Vec<_>>());
    let right = frame.w
        - frame.pad
        - frame.axis_width(&share_ticks.iter().map(|t| t.1.clone()).collect::<Vec<_>>());

    let n = ranking.items.len();
    let slot = (right - left) / n as f64;
    let names: Vec<String> = ranking.items.iter().map(|i| clean(&i.name)).collect();
    let (categories, band) = Categories::fit(frame, &names, slot, (frame.h - top) * 0.32);
    // Room above the tallest bar for its value label.
    let label_room = Frame::line_height(frame.small);
    let plot = Area {
        x0: left,
        y0: top + label_room,
        x1: right,
        y1: frame.h - frame.pad - band,
    };
    let counts = Scale {
        lo: 0.0,
        hi: count_top,
        px_lo: plot.y1,
        px_hi: plot.y0,
    };
    let shares = Scale {
        lo: 0.0,
        hi: 100.0,
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
        shares,
        &share_ticks,
        &t(lang, "chart-axis-cumulative-share"),
        true,
        BLUE,
    );
    let eighty = shares.map(80.0);
    frame.line(
        vec![(plot.x0, eighty), (plot.x1, eighty)],
        MUTED,
        (1.2 * frame.unit).max(1.0),
        Some(6.0 * frame.unit.max(0.6)),
    );

    let bar = (slot * 0.68).min(frame.w * 0.12);
    let mut centres = Vec::with_capacity(n);
    let mut line = Vec::with_capacity(n);
    for (index, item) in ranking.items.iter().enumerate() {
        let x = plot.x0 + slot * (index as f64 + 0.5);
        centres.push(x);
        let y = counts.map(item.count as f64);
        frame.rect(
            x - bar / 2.0,
            y,
            x + bar / 2.0,
            plot.y1,
            tier_color(item.tier),
        );
        if let Some(text) = count_label(frame, item.count, frame.small, slot * 0.96) {
            frame.text(
                Label::new(text, x, y - 0.25 * frame.small, frame.small, INK)
                    .align(Align::Center, VAlign::Bottom),
            );
        }
        line.push((x, shares.map(item.cumulative_share * 100.0)));
    }
    frame.x_axis_line(plot);
    let width = (2.2 * frame.unit).max(1.5);
    frame.line(line.clone(), BLUE, width, None);
    for (x, y) in line {
        frame.shapes.push(Shape::Circle {
            x,
            y,
            r: (3.5 * frame.unit).max(2.0),
            fill: BLUE,
            stroke: BLUE,
        });
    }
    categories.draw(frame, &centres, plot.y1);
}
