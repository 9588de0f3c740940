//! Small multiples of the Pareto chart (SPEC §16): one small chart per site, department or
//! source, most ticks first, at most 12, all on one count scale so panels compare at a
//! glance. Each panel names its group, its total and its top horror.

use super::draw::{Align, Label, VAlign};
use super::layout::{count_label, nice, Area, Frame, Scale, BLUE, INK, MUTED};
use super::{tier_color, tier_keys};
use crate::fonts::clean;
use crate::i18n::t;
use crate::ranking::{GroupedRanking, RankingGroup};
use crate::tr;

/// Most panels one chart draws.
pub const MAX_PANELS: usize = 12;

pub fn draw(frame: &mut Frame<'_>, grouped: &GroupedRanking) {
    let lang = frame.lang;
    let title = tr!(
        lang,
        "chart-pareto-groups-title",
        organization = frame.organization,
        group = t(lang, &format!("group-{}", grouped.group.as_str()))
    );
    let shown = grouped.groups.len().min(MAX_PANELS);
    let left_out = grouped.groups.len() - shown;
    let mut subtitle = format!("{} – {}", grouped.window.from, grouped.window.to);
    if left_out > 0 {
        subtitle.push_str(" · ");
        subtitle.push_str(&tr!(lang, "chart-pareto-groups-more", count = left_out));
    }
    let top = frame.header(&title, &subtitle);
    if shown == 0 {
        frame.empty(top);
        return;
    }
    let top = frame.legend(&tier_keys(lang), top);
    let columns = match shown {
        1 => 1,
        2 | 4 => 2,
        _ => 3,
    };
    let rows = shown.div_ceil(columns);
    let gap = frame.pad * 0.8;
    let cell_w = (frame.w - 2.0 * frame.pad - gap * (columns as f64 - 1.0)) / columns as f64;
    let cell_h = (frame.h - frame.pad - top - gap * (rows as f64 - 1.0)) / rows as f64;
    let max_count = grouped
        .groups
        .iter()
        .take(shown)
        .flat_map(|g| g.items.iter().map(|i| i.count))
        .max()
        .unwrap_or(0) as f64;
    let (count_top, _) = nice(max_count * 1.1, 4, true);
    for (index, group) in grouped.groups.iter().take(shown).enumerate() {
        let (col, row) = (index % columns, index / columns);
        let x0 = frame.pad + col as f64 * (cell_w + gap);
        let y0 = top + row as f64 * (cell_h + gap);
        panel(frame, group, (x0, y0, cell_w, cell_h), count_top);
    }
}

/// One group's panel in its cell (left, top, width, height): its name and total, its top
/// horror, then its bars on the common count scale and its cumulative share.
fn panel(
    frame: &mut Frame<'_>,
    group: &RankingGroup,
    (x0, y0, cell_w, cell_h): (f64, f64, f64, f64),
    count_top: f64,
) {
    let lang = frame.lang;
    let size = frame.small;
    let line = Frame::line_height(size);
    let name = clean(group.name.as_deref().unwrap_or(&t(lang, "group-none")));
    let heading = frame.fit(&format!("{name} · {}", group.totals.count), size, cell_w);
    frame.text(
        Label::new(heading, x0, y0, size, INK)
            .align(Align::Start, VAlign::Top)
            .bold(),
    );
    let leader = group
        .items
        .first()
        .map(|i| clean(&i.name))
        .unwrap_or_default();
    let leader = frame.fit(
        &tr!(lang, "chart-pareto-groups-top", horror = leader),
        size,
        cell_w,
    );
    frame.text(Label::new(leader, x0, y0 + line, size, MUTED).align(Align::Start, VAlign::Top));
    let plot = Area {
        x0,
        y0: y0 + 2.0 * line + line * 0.8,
        x1: x0 + cell_w,
        y1: y0 + cell_h,
    };
    if plot.height() < size {
        return;
    }
    let (counts, shares) = (Scale::up(plot, count_top), Scale::up(plot, 1.0));
    let n = group.items.len().max(1);
    let slot = plot.width() / n as f64;
    let bar = slot * 0.7;
    let mut cumulative = Vec::with_capacity(n);
    for (i, item) in group.items.iter().enumerate() {
        let x = plot.x0 + slot * (i as f64 + 0.5);
        let y = counts.map(item.count as f64);
        frame.rect(
            x - bar / 2.0,
            y,
            x + bar / 2.0,
            plot.y1,
            tier_color(item.tier),
        );
        if let Some(text) = count_label(frame, item.count, size * 0.85, slot * 0.96) {
            frame.text(
                Label::new(text, x, y - 0.2 * size, size * 0.85, INK)
                    .align(Align::Center, VAlign::Bottom),
            );
        }
        cumulative.push((x, shares.map(item.cumulative_share)));
    }
    frame.x_axis_line(plot);
    frame.line(cumulative, BLUE, (1.6 * frame.unit).max(1.0), None);
}
