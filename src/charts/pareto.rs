//! The Pareto chart: ticks per horror in priority order, coloured by tier, with the running
//! share of the priority score against an 80 % line.

use super::draw::{Align, Label, Shape, VAlign};
use super::layout::{
    count_label, Area, Categories, Frame, Key, PlotArea, Scale, YAxis, BLUE, INK, MUTED,
};
use super::{tier_color, tier_keys, window_text};
use crate::fonts::clean;
use crate::i18n::t;
use crate::ranking::Ranking;
use crate::tr;

pub fn draw(frame: &mut Frame<'_>, ranking: &Ranking) {
    let Some(layout) = layout(frame, ranking) else {
        return;
    };
    let plot = scales(frame, &layout);
    marks(frame, ranking, &layout, plot);
}

/// Where the parts go: the title block and legend, the two axes, the slots of the bars
/// and the category labels under them.
struct Layout {
    counts: YAxis,
    shares: YAxis,
    area: Area,
    slot: f64,
    categories: Categories,
}

/// The title block and legend; `None` (with the empty notice) when nothing was ticked.
fn layout(frame: &mut Frame<'_>, ranking: &Ranking) -> Option<Layout> {
    let lang = frame.lang;
    let subtitle = tr!(
        lang,
        "chart-pareto-subtitle",
        window = window_text(ranking),
        count = ranking.totals.count
    );
    let top = frame.header_of("chart-pareto-title", &subtitle);
    if ranking.totals.count == 0 || ranking.items.is_empty() {
        frame.empty(top);
        return None;
    }
    let mut keys = tier_keys(lang);
    keys.push((Key::Line(BLUE, None), t(lang, "chart-cumulative-share-key")));
    keys.push((Key::Line(MUTED, Some(5.0)), "80 %".into()));
    let top = frame.legend(&keys, top);

    let max_count = ranking.items.iter().map(|i| i.count).max().unwrap_or(0) as f64;
    let counts = YAxis::counts(max_count * 1.08, t(lang, "chart-axis-occurrences"));
    let shares = YAxis {
        top: 100.0,
        ticks: (0..=5)
            .map(|i| (i as f64 * 20.0, format!("{} %", i * 20)))
            .collect(),
        title: t(lang, "chart-axis-cumulative-share"),
        color: BLUE,
    };
    let (left, right) = frame.between(&counts, Some(&shares));
    let slot = (right - left) / ranking.items.len() as f64;
    let names: Vec<String> = ranking.items.iter().map(|i| clean(&i.name)).collect();
    let (categories, band) = Categories::fit(frame, &names, slot, (frame.h - top) * 0.32);
    // Room above the tallest bar for its value label.
    let label_room = Frame::line_height(frame.small);
    let area = Area {
        x0: left,
        y0: top + label_room,
        x1: right,
        y1: frame.h - frame.pad - band,
    };
    Some(Layout {
        counts,
        shares,
        area,
        slot,
        categories,
    })
}

/// Both axes and the 80 % line.
fn scales(frame: &mut Frame<'_>, layout: &Layout) -> PlotArea {
    let plot = frame.plot_area(layout.area, &layout.counts, Some(&layout.shares));
    let eighty = Scale::up(plot.area, 100.0).map(80.0);
    frame.line(
        vec![(plot.area.x0, eighty), (plot.area.x1, eighty)],
        MUTED,
        (1.2 * frame.unit).max(1.0),
        Some(6.0 * frame.unit.max(0.6)),
    );
    plot
}

/// The bars with their counts, the cumulative share line and the category labels.
fn marks(frame: &mut Frame<'_>, ranking: &Ranking, layout: &Layout, plot: PlotArea) {
    let (area, slot, counts) = (plot.area, layout.slot, plot.left);
    let shares = Scale::up(area, 100.0);
    let n = ranking.items.len();
    let bar = (slot * 0.68).min(frame.w * 0.12);
    let mut centres = Vec::with_capacity(n);
    let mut line = Vec::with_capacity(n);
    for (index, item) in ranking.items.iter().enumerate() {
        let x = area.x0 + slot * (index as f64 + 0.5);
        centres.push(x);
        let y = counts.map(item.count as f64);
        frame.rect(
            x - bar / 2.0,
            y,
            x + bar / 2.0,
            area.y1,
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
    frame.x_axis_line(area);
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
    layout.categories.draw(frame, &centres, area.y1);
}
