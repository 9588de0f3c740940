//! Numbers on axes: round maxima and steps, tick positions, and counts written short
//! enough to fit where they go.

use super::layout::Frame;

/// A round axis maximum and step for values up to `max`, aiming at about `target` ticks.
pub fn nice(max: f64, target: usize, integer: bool) -> (f64, f64) {
    let max = if max > 0.0 && max.is_finite() {
        max
    } else {
        1.0
    };
    let raw = max / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let step = if integer { step.max(1.0).round() } else { step };
    let top = (max / step).ceil() * step;
    (top, step)
}

/// Ticks for a horizontal axis `width` pixels long showing values up to `max`: as many
/// (up to six) as leave room between their labels. Returns the axis maximum and the ticks.
pub fn across_ticks(frame: &Frame<'_>, max: f64, width: f64) -> (f64, Vec<(f64, String)>) {
    let mut best = None;
    for target in (1..=6).rev() {
        let (top, step) = nice(max, target, false);
        let ticks: Vec<(f64, String)> = ticks(top, step)
            .into_iter()
            .map(|v| (v, compact(v)))
            .collect();
        let widest = ticks
            .iter()
            .map(|t| frame.width(&t.1, frame.small))
            .fold(0.0, f64::max);
        let spacing = width * step / top;
        let fits = widest + frame.small <= spacing;
        if fits || target == 1 {
            // Too narrow even for two labels: keep the zero only.
            let ticks = if fits {
                ticks
            } else {
                ticks.into_iter().take(1).collect()
            };
            best = Some((top, ticks));
            break;
        }
    }
    best.unwrap_or_default()
}

/// Tick values 0, step, … top.
pub fn ticks(top: f64, step: f64) -> Vec<f64> {
    let count = (top / step).round() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// A short number for axes and tight labels: 950, 12.5k, 3.2M, 1.25B.
pub fn compact(value: f64) -> String {
    compact_to(value, 2)
}

/// [`compact`] with at most `decimals` digits after the point.
pub fn compact_to(value: f64, decimals: usize) -> String {
    let abs = value.abs();
    let (scaled, suffix) = if abs >= 1e9 {
        (value / 1e9, "B")
    } else if abs >= 1e6 {
        (value / 1e6, "M")
    } else if abs >= 1e4 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let mut text = format!("{scaled:.decimals$}");
    while text.contains('.') && (text.ends_with('0') || text.ends_with('.')) {
        text.pop();
    }
    if suffix.is_empty() && abs >= 1000.0 {
        return crate::i18n::group(value.round() as i64);
    }
    format!("{text}{suffix}")
}

/// A count for a bar label: exact when it fits `max` pixels, compact otherwise.
pub fn count_label(frame: &Frame<'_>, count: u64, size: f64, max: f64) -> Option<String> {
    let exact = crate::i18n::group(count as i64);
    if frame.width(&exact, size) <= max {
        return Some(exact);
    }
    (0..=2)
        .rev()
        .map(|decimals| compact_to(count as f64, decimals))
        .find(|short| frame.width(short, size) <= max)
}
