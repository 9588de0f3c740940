//! The compare chart: the same horrors in two windows side by side, before and after an
//! improvement cycle, with the change in ticks labelled per horror.

use super::draw::{Align, Label, VAlign};
use super::layout::{
    self, count_label, nice, ticks, Area, Categories, Frame, Key, Scale, BLUE, GREEN, INK, MUTED,
    SKY, VERMILLION,
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

// Over 80 lines: this chart's layout, scales and marks in one pass; not yet split into the three.
pub fn draw(frame: &mut Frame<'_>, organization: &str, a: &Ranking, b: &Ranking) {
    let lang = frame.lang;
    let title = tr!(lang, "chart-compare-title", organization = organization);
    let subtitle = tr!(
        lang,
        "chart-compare-subtitle",
        before = window_text(a),
        after = window_text(b)
    );
    let top = frame.header(&title, &subtitle);

    // The horrors of the later window in its order, then any seen only before.
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
    if pairs.iter().all(|p| p.before == 0 && p.after == 0) {
        frame.empty(top);
        return;
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

    let size = frame.small;
    let max = pairs
        .iter()
        .map(|p| p.before.max(p.after))
        .max()
        .unwrap_or(0) as f64;
    let (count_top, count_step) = nice(max * 1.05, 5, true);
    let count_ticks: Vec<(f64, String)> = ticks(count_top, count_step)
        .into_iter()
        .map(|v| (v, layout::compact(v)))
        .collect();
    let left =
        frame.pad + frame.axis_width(&count_ticks.iter().map(|t| t.1.clone()).collect::<Vec<_>>());
    let right = frame.w - frame.pad;
    let slot = (right - left) / pairs.len() as f64;
    let names: Vec<String> = pairs.iter().map(|p| p.name.clone()).collect();
    let (categories, band) = Categories::fit(frame, &names, slot, (frame.h - top) * 0.32);
    let line = Frame::line_height(size);
    // Above each pair: its value labels, then the change.
    let plot = Area {
        x0: left,
        y0: top + 2.0 * line,
        x1: right,
        y1: frame.h - frame.pad - band,
    };
    let counts = Scale {
        lo: 0.0,
        hi: count_top,
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

    let bar = (slot * 0.36).min(frame.w * 0.07);
    let mut centres = Vec::with_capacity(pairs.len());
    for (index, pair) in pairs.iter().enumerate() {
        let x = plot.x0 + slot * (index as f64 + 0.5);
        centres.push(x);
        let mut highest = plot.y1;
        for (count, colour, offset) in [(pair.before, SKY, -0.5), (pair.after, BLUE, 0.5)] {
            let cx = x + offset * bar;
            let y = counts.map(count as f64);
            frame.rect(cx - bar / 2.0, y, cx + bar / 2.0, plot.y1, colour);
            highest = highest.min(y);
            if let Some(text) = count_label(frame, count, size, bar * 0.98) {
                frame.text(
                    Label::new(text, cx, y - 0.2 * size, size, MUTED)
                        .align(Align::Center, VAlign::Bottom),
                );
            }
        }
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
            None if pair.after > 0 => vec![t(lang, "chart-new")],
            None => vec![],
        };
        let text = options
            .iter()
            .find(|t| frame.width(t, size) <= slot * 0.96)
            .cloned()
            .unwrap_or_default();
        let y = highest - line - 0.2 * size;
        frame.text(
            Label::new(text, x, y, size, colour)
                .align(Align::Center, VAlign::Bottom)
                .bold(),
        );
    }
    frame.x_axis_line(plot);
    categories.draw(frame, &centres, plot.y1);
}
