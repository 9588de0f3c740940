//! The compare chart: the same horrors in two windows side by side, before and after an
//! improvement cycle, with the change in ticks labelled per horror.

use super::draw::{Align, Label, Rgb, VAlign};
use super::layout::{
    count_label, Area, Categories, Frame, Key, PlotArea, YAxis, BLUE, GREEN, MUTED, SKY, VERMILLION,
};
use super::window_text;
use crate::fonts::clean;
use crate::i18n::t;
use crate::ranking::{change_pct, Ranking};
use crate::tr;

struct Pair {
    name: String,
    before: u64,
    after: u64,
}

pub fn draw(frame: &mut Frame<'_>, a: &Ranking, b: &Ranking) {
    let Some(layout) = layout(frame, a, b) else {
        return;
    };
    let plot = frame.plot_area(layout.area, &layout.counts, None);
    marks(frame, &layout, plot);
}

/// Where the parts go: the pairs in order, the count axis, the plot area, the slot of each
/// pair and the category labels under them.
struct Layout {
    pairs: Vec<Pair>,
    counts: YAxis,
    area: Area,
    slot: f64,
    categories: Categories,
}

/// The horrors of the later window in its order, then any seen only before.
fn pairs(a: &Ranking, b: &Ranking) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = b
        .items
        .iter()
        .map(|item| Pair {
            name: clean(&item.name),
            before: a
                .items
                .iter()
                .find(|i| i.key == item.key)
                .map_or(0, |i| i.count),
            after: item.count,
        })
        .collect();
    for item in &a.items {
        if !b.items.iter().any(|i| i.key == item.key) {
            pairs.push(Pair {
                name: clean(&item.name),
                before: item.count,
                after: 0,
            });
        }
    }
    pairs
}

/// The title block and legend, the axis and the slots; `None` (with the empty notice)
/// when neither window has a tick.
fn layout(frame: &mut Frame<'_>, a: &Ranking, b: &Ranking) -> Option<Layout> {
    let lang = frame.lang;
    let subtitle = tr!(
        lang,
        "chart-compare-subtitle",
        before = window_text(a),
        after = window_text(b)
    );
    let top = frame.header_of("chart-compare-title", &subtitle);
    let pairs = pairs(a, b);
    if pairs.iter().all(|p| p.before == 0 && p.after == 0) {
        frame.empty(top);
        return None;
    }
    let keys = [
        (
            Key::Box(SKY),
            tr!(lang, "chart-compare-before", window = window_text(a)),
        ),
        (
            Key::Box(BLUE),
            tr!(lang, "chart-compare-after", window = window_text(b)),
        ),
    ];
    let top = frame.legend(&keys, top);

    let max = pairs
        .iter()
        .map(|p| p.before.max(p.after))
        .max()
        .unwrap_or(0) as f64;
    let counts = YAxis::counts(max * 1.05, t(lang, "chart-axis-occurrences"));
    let (left, right) = frame.between(&counts, None);
    let slot = (right - left) / pairs.len() as f64;
    let names: Vec<String> = pairs.iter().map(|p| p.name.clone()).collect();
    let (categories, band) = Categories::fit(frame, &names, slot, (frame.h - top) * 0.32);
    let line = Frame::line_height(frame.small);
    // Above each pair: its value labels, then the change.
    let area = Area {
        x0: left,
        y0: top + 2.0 * line,
        x1: right,
        y1: frame.h - frame.pad - band,
    };
    Some(Layout {
        pairs,
        counts,
        area,
        slot,
        categories,
    })
}

/// The change from before to after as the widest text that fits `room`, and its colour.
fn change_label(frame: &Frame<'_>, pair: &Pair, room: f64) -> (String, Rgb) {
    let change = change_pct(pair.after, pair.before);
    let colour = match change {
        Some(pct) if pct < 0.0 => GREEN,
        Some(pct) if pct > 0.0 => VERMILLION,
        Some(_) => MUTED,
        None => VERMILLION,
    };
    // One decimal when there is room, whole percent when tight.
    let options = match change {
        Some(pct) if pct != 0.0 => {
            let sign = if pct < 0.0 { "−" } else { "+" };
            let pct = pct.abs();
            vec![
                format!("{sign}{pct:.1} %"),
                format!("{sign}{pct:.0} %"),
                format!("{sign}{pct:.0}%"),
            ]
        }
        Some(_) => vec!["±0 %".to_string()],
        None if pair.after > 0 => vec![t(frame.lang, "chart-new")],
        None => vec![],
    };
    let text = options
        .iter()
        .find(|t| frame.width(t, frame.small) <= room)
        .cloned()
        .unwrap_or_default();
    (text, colour)
}

/// Each pair's two bars with their counts and the change above them, then the baseline
/// and the category labels.
fn marks(frame: &mut Frame<'_>, layout: &Layout, plot: PlotArea) {
    let (area, counts, slot) = (plot.area, plot.left, layout.slot);
    let size = frame.small;
    let line = Frame::line_height(size);
    let bar = (slot * 0.36).min(frame.w * 0.07);
    let mut centres = Vec::with_capacity(layout.pairs.len());
    for (index, pair) in layout.pairs.iter().enumerate() {
        let x = area.x0 + slot * (index as f64 + 0.5);
        centres.push(x);
        let mut highest = area.y1;
        for (count, colour, offset) in [(pair.before, SKY, -0.5), (pair.after, BLUE, 0.5)] {
            let cx = x + offset * bar;
            let y = counts.map(count as f64);
            frame.rect(cx - bar / 2.0, y, cx + bar / 2.0, area.y1, colour);
            highest = highest.min(y);
            if let Some(text) = count_label(frame, count, size, bar * 0.98) {
                frame.text(
                    Label::new(text, cx, y - 0.2 * size, size, MUTED)
                        .align(Align::Center, VAlign::Bottom),
                );
            }
        }
        let (text, colour) = change_label(frame, pair, slot * 0.96);
        let y = highest - line - 0.2 * size;
        frame.text(
            Label::new(text, x, y, size, colour)
                .align(Align::Center, VAlign::Bottom)
                .bold(),
        );
    }
    frame.x_axis_line(area);
    layout.categories.draw(frame, &centres, area.y1);
}
