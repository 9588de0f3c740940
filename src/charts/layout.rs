//! Pieces every chart shares: sizes that scale with the canvas, the title block, legends,
//! axes with round ticks, category labels that never overlap, and the empty-window notice.

use super::draw::{Align, Label, Rgb, Shape, VAlign};
use crate::fonts::Fonts;
use crate::i18n::{t, Lang};

pub use super::scales::{across_ticks, compact, compact_to, count_label, nice, ticks};

pub const INK: Rgb = Rgb::hex(0x222222);
pub const MUTED: Rgb = Rgb::hex(0x5f6368);
pub const GRID: Rgb = Rgb::hex(0xe6e6e6);
pub const AXIS: Rgb = Rgb::hex(0x9a9a9a);
/// Okabe–Ito, safe for the common colour-vision deficiencies.
pub const VERMILLION: Rgb = Rgb::hex(0xd55e00);
pub const ORANGE: Rgb = Rgb::hex(0xe69f00);
pub const SKY: Rgb = Rgb::hex(0x56b4e9);
pub const GREEN: Rgb = Rgb::hex(0x009e73);
pub const BLUE: Rgb = Rgb::hex(0x0072b2);
pub const PURPLE: Rgb = Rgb::hex(0xcc79a7);
pub const BLUE_GREY: Rgb = Rgb::hex(0x7b8fa1);
/// Okabe–Ito's yellow darkened so that a thin line stays visible on white.
pub const OLIVE: Rgb = Rgb::hex(0xb8a200);
pub const BLACK: Rgb = Rgb::hex(0x000000);

/// A rectangle on the canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Area {
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// A linear map from data values to canvas pixels.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub px_lo: f64,
    pub px_hi: f64,
}

impl Scale {
    /// From 0 at the bottom of `area` to `top` at its top.
    pub fn up(area: Area, top: f64) -> Scale {
        Scale {
            lo: 0.0,
            hi: top,
            px_lo: area.y1,
            px_hi: area.y0,
        }
    }

    /// From 0 at the left of `area` to `top` at its right.
    pub fn across(area: Area, top: f64) -> Scale {
        Scale {
            lo: 0.0,
            hi: top,
            px_lo: area.x0,
            px_hi: area.x1,
        }
    }

    pub fn map(&self, value: f64) -> f64 {
        let span = if self.hi > self.lo {
            self.hi - self.lo
        } else {
            1.0
        };
        self.px_lo + (value - self.lo) / span * (self.px_hi - self.px_lo)
    }
}

/// A vertical axis: from 0 to `top`, its ticks with their labels, its title and colour.
pub struct YAxis {
    pub top: f64,
    pub ticks: Vec<(f64, String)>,
    pub title: String,
    pub color: Rgb,
}

impl YAxis {
    /// Occurrences up to a round top at or above `max`: whole ticks, short labels, in ink.
    pub fn counts(max: f64, title: String) -> YAxis {
        let (top, step) = nice(max, 5, true);
        YAxis {
            top,
            ticks: ticks(top, step)
                .into_iter()
                .map(|v| (v, compact(v)))
                .collect(),
            title,
            color: INK,
        }
    }
}

/// A chart's plot area and the scales of its vertical axes ([`Frame::plot_area`]).
#[derive(Clone, Copy, Debug)]
pub struct PlotArea {
    pub area: Area,
    pub left: Scale,
    pub right: Option<Scale>,
}

/// One entry of a legend.
pub enum Key {
    Box(Rgb),
    Line(Rgb, Option<f64>),
    Dot(Rgb),
}

/// The canvas being laid out: its size, type sizes and the shapes so far.
pub struct Frame<'f> {
    pub fonts: &'f Fonts,
    /// The language of the chart's own words.
    pub lang: Lang,
    /// Who the chart is for, as its title names them.
    pub organization: &'f str,
    pub w: f64,
    pub h: f64,
    /// Pixels per "design pixel" of a 960×540 chart.
    pub unit: f64,
    pub title: f64,
    pub body: f64,
    pub small: f64,
    pub pad: f64,
    pub shapes: Vec<Shape>,
}

impl<'f> Frame<'f> {
    pub fn new(
        fonts: &'f Fonts,
        width: u32,
        height: u32,
        lang: Lang,
        organization: &'f str,
    ) -> Frame<'f> {
        let (w, h) = (f64::from(width), f64::from(height));
        // Type grows with the area, but not past what the narrow side can hold.
        let unit = (w * h / (960.0 * 540.0))
            .sqrt()
            .min(1.5 * (w / 960.0).min(h / 540.0));
        let round = |v: f64| (v * 2.0).round() / 2.0;
        Frame {
            fonts,
            lang,
            organization,
            w,
            h,
            unit,
            title: round((18.0 * unit).max(12.0)),
            body: round((12.5 * unit).max(9.0)),
            small: round((11.0 * unit).max(8.5)),
            pad: (14.0 * unit).max(7.0).round(),
            shapes: Vec::with_capacity(128),
        }
    }

    pub fn text(&mut self, label: Label) {
        if !label.text.is_empty() {
            self.shapes.push(Shape::Text(label));
        }
    }

    pub fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, fill: Rgb) {
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        let (y0, y1) = (y0.min(y1), y0.max(y1));
        self.shapes.push(Shape::Rect {
            x0,
            y0,
            x1,
            y1,
            fill,
        });
    }

    pub fn line(&mut self, points: Vec<(f64, f64)>, color: Rgb, width: f64, dash: Option<f64>) {
        self.shapes.push(Shape::Line {
            points,
            color,
            width,
            dash,
        });
    }

    pub fn width(&self, text: &str, size: f64) -> f64 {
        self.fonts.width(text, size)
    }

    pub fn fit(&self, text: &str, size: f64, max: f64) -> String {
        self.fonts.fit(text, size, max)
    }

    /// Line height for text of `size`.
    pub fn line_height(size: f64) -> f64 {
        size * 1.25
    }

    /// The chart's title (message `title_id`, which names the organization) and `subtitle`
    /// at the top left; returns the y below them.
    pub fn header_of(&mut self, title_id: &str, subtitle: &str) -> f64 {
        let title = crate::tr!(self.lang, title_id, organization = self.organization);
        self.header(&title, subtitle)
    }

    /// Title and subtitle at the top left; returns the y below them.
    pub fn header(&mut self, title: &str, subtitle: &str) -> f64 {
        let max = self.w - 2.0 * self.pad;
        let mut y = self.pad;
        let title = self.fit(title, self.title, max);
        self.text(
            Label::new(title, self.pad, y, self.title, INK)
                .align(Align::Start, VAlign::Top)
                .bold(),
        );
        y += Self::line_height(self.title);
        let subtitle = self.fit(subtitle, self.small, max);
        self.text(
            Label::new(subtitle, self.pad, y, self.small, MUTED).align(Align::Start, VAlign::Top),
        );
        y + Self::line_height(self.small) + 0.3 * self.pad
    }

    /// A legend flowing left to right from `y`, in rows; returns the y below it.
    pub fn legend(&mut self, items: &[(Key, String)], y: f64) -> f64 {
        let size = self.small;
        let swatch = size * 1.4;
        let gap = size * 0.45;
        let spacing = size * 1.3;
        let max_row = self.w - 2.0 * self.pad;
        let max_text = if items.len() <= 2 {
            max_row - swatch - gap
        } else {
            max_row * 0.48 - swatch - gap
        };
        let row_height = Self::line_height(size) * 1.1;
        let (mut x, mut y) = (self.pad, y);
        for (key, text) in items {
            let text = self.fit(text, size, max_text);
            let item = swatch + gap + self.width(&text, size);
            if x > self.pad && x + item > self.pad + max_row {
                x = self.pad;
                y += row_height;
            }
            let mid = y + row_height / 2.0;
            match key {
                Key::Box(color) => {
                    self.rect(x, mid - size * 0.4, x + swatch, mid + size * 0.4, *color)
                }
                Key::Line(color, dash) => {
                    let width = (2.0 * self.unit).max(1.5);
                    self.line(
                        vec![(x, mid), (x + swatch, mid)],
                        *color,
                        width,
                        dash.map(|d| d * self.unit.max(0.6)),
                    )
                }
                Key::Dot(color) => self.shapes.push(Shape::Circle {
                    x: x + swatch / 2.0,
                    y: mid,
                    r: size * 0.45,
                    fill: color.alpha(0.55),
                    stroke: *color,
                }),
            }
            self.text(
                Label::new(text, x + swatch + gap, mid, size, INK)
                    .align(Align::Start, VAlign::Middle),
            );
            x += item + spacing;
        }
        y + row_height + 0.4 * self.pad
    }

    /// The "no ticks in this window" notice filling the area below `top`.
    pub fn empty(&mut self, top: f64) {
        let area = Area {
            x0: self.pad,
            y0: top,
            x1: self.w - self.pad,
            y1: self.h - self.pad,
        };
        self.rect(area.x0, area.y0, area.x1, area.y1, Rgb::hex(0xf4f5f7));
        let size = (self.title * 1.1).min(area.width() / 14.0).max(self.body);
        let text = self.fit(
            &t(self.lang, "chart-no-ticks"),
            size,
            area.width() - 2.0 * self.pad,
        );
        let (cx, cy) = ((area.x0 + area.x1) / 2.0, (area.y0 + area.y1) / 2.0);
        self.text(Label::new(text, cx, cy, size, MUTED).align(Align::Center, VAlign::Middle));
    }

    /// Width taken by a vertical axis: tick labels, gap and the rotated axis title.
    pub fn axis_width(&self, ticks: &[(f64, String)]) -> f64 {
        let widest = ticks
            .iter()
            .map(|(_, t)| self.width(t, self.small))
            .fold(0.0, f64::max);
        widest + 0.5 * self.small + Self::line_height(self.small) + 0.4 * self.small
    }

    /// The left and right edges of a plot area between `left` and `right` (the canvas's
    /// padding where there is no right axis).
    pub fn between(&self, left: &YAxis, right: Option<&YAxis>) -> (f64, f64) {
        let x0 = self.pad + self.axis_width(&left.ticks);
        let x1 = match right {
            Some(right) => self.w - self.pad - self.axis_width(&right.ticks),
            None => self.w - self.pad,
        };
        (x0, x1)
    }

    /// The plot area every chart with vertical axes draws in: draws `left` (with the
    /// gridlines) and `right` at the edges of `area` and returns their scales.
    pub fn plot_area(&mut self, area: Area, left: &YAxis, right: Option<&YAxis>) -> PlotArea {
        let left_scale = Scale::up(area, left.top);
        self.y_axis(
            area,
            left_scale,
            &left.ticks,
            &left.title,
            false,
            left.color,
        );
        let right_scale = right.map(|axis| {
            let scale = Scale::up(area, axis.top);
            self.y_axis(area, scale, &axis.ticks, &axis.title, true, axis.color);
            scale
        });
        PlotArea {
            area,
            left: left_scale,
            right: right_scale,
        }
    }

    /// A horizontal value axis under `plot`: gridlines and labels at `ticks`, and `title`
    /// centred at the foot of the canvas.
    pub fn x_axis(&mut self, plot: Area, x: Scale, ticks: &[(f64, String)], title: &str) {
        let size = self.small;
        for (value, text) in ticks {
            let px = x.map(*value);
            self.line(vec![(px, plot.y0), (px, plot.y1)], GRID, 1.0, None);
            self.text(
                Label::new(text.clone(), px, plot.y1 + 0.4 * size, size, INK)
                    .align(Align::Center, VAlign::Top),
            );
        }
        let title = self.fit(title, size, self.w - 2.0 * self.pad);
        self.text(
            Label::new(title, self.w / 2.0, self.h - self.pad, size, INK)
                .align(Align::Center, VAlign::Bottom),
        );
    }

    /// Draws a vertical axis at the left or right edge of `plot`: gridlines (left only),
    /// tick labels and a rotated title centred on the plot.
    fn y_axis(
        &mut self,
        plot: Area,
        scale: Scale,
        ticks: &[(f64, String)],
        title: &str,
        right: bool,
        color: Rgb,
    ) {
        let gap = 0.5 * self.small;
        let widest = ticks
            .iter()
            .map(|(_, t)| self.width(t, self.small))
            .fold(0.0, f64::max);
        for (value, text) in ticks {
            let y = scale.map(*value);
            if !right {
                self.line(vec![(plot.x0, y), (plot.x1, y)], GRID, 1.0, None);
            }
            let (x, align) = if right {
                (plot.x1 + gap, Align::Start)
            } else {
                (plot.x0 - gap, Align::End)
            };
            self.text(
                Label::new(text.clone(), x, y, self.small, color).align(align, VAlign::Middle),
            );
        }
        let line_h = Self::line_height(self.small);
        let title = self.fit(title, self.small, plot.height());
        let x = if right {
            plot.x1 + gap + widest + 0.4 * self.small + line_h / 2.0
        } else {
            plot.x0 - gap - widest - 0.4 * self.small - line_h / 2.0
        };
        let mid = (plot.y0 + plot.y1) / 2.0;
        self.text(
            Label::new(title, x, mid, self.small, color)
                .align(Align::Center, VAlign::Middle)
                .vertical(),
        );
    }

    /// The baseline of a plot.
    pub fn x_axis_line(&mut self, plot: Area) {
        self.line(
            vec![(plot.x0, plot.y1), (plot.x1, plot.y1)],
            AXIS,
            1.0,
            None,
        );
    }

    /// The plot area from `x0` to `x1`, from just below `top` down to a row of date labels
    /// at the foot of the canvas.
    pub fn above_dates(&self, (x0, x1): (f64, f64), top: f64) -> Area {
        let size = self.small;
        Area {
            x0,
            y0: top + 0.5 * size,
            x1,
            y1: self.h - self.pad - Self::line_height(size) - 0.6 * size,
        }
    }

    /// A bucket's date label under `plot`: a short tick at `at` and the label centred under
    /// it, pushed in from the canvas's edges. Left out (`None`) when it would start before
    /// `free_from`; otherwise returns where the label ends.
    pub fn date_label(&mut self, plot: Area, at: f64, text: String, free_from: f64) -> Option<f64> {
        let size = self.small;
        let half = self.width(&text, size) / 2.0;
        let x = at.clamp(half, self.w - half);
        if x - half < free_from {
            return None;
        }
        self.line(
            vec![(at, plot.y1), (at, plot.y1 + 0.3 * size)],
            INK,
            1.0,
            None,
        );
        self.text(
            Label::new(text, x, plot.y1 + 0.6 * size, size, INK).align(Align::Center, VAlign::Top),
        );
        Some(x + half)
    }
}

/// How category names under a row of slots are drawn.
pub enum Categories {
    /// Up to two centred lines per name.
    Across(Vec<Vec<String>>),
    /// One line per name reading upwards, ending just under the axis.
    Up(Vec<String>),
}

impl Categories {
    /// Picks a layout for `names` under slots `slot` pixels wide, using at most `max_band`
    /// pixels of height; returns it with the height it takes.
    pub fn fit(frame: &Frame<'_>, names: &[String], slot: f64, max_band: f64) -> (Categories, f64) {
        let size = frame.small;
        let line = Frame::line_height(size);
        let room = slot * 0.92;
        let gap = 0.6 * size;
        if names.iter().all(|n| frame.width(n, size) <= room) {
            let lines = names.iter().map(|n| vec![n.clone()]).collect();
            return (Categories::Across(lines), gap + line);
        }
        let wrapped: Vec<Vec<String>> = names
            .iter()
            .map(|n| frame.fonts.wrap(n, size, room, 2))
            .collect();
        let complete = wrapped
            .iter()
            .zip(names)
            .all(|(lines, name)| !lines.iter().any(|l| l.ends_with('…')) || name.ends_with('…'));
        let readable = wrapped.iter().all(|lines| {
            lines
                .iter()
                .all(|l| l.chars().count() >= 4 || !l.ends_with('…'))
        });
        if complete || (slot >= 80.0 * frame.unit.max(1.0) && readable) {
            return (Categories::Across(wrapped), gap + 2.0 * line);
        }
        let band = max_band.max(line);
        let longest = names
            .iter()
            .map(|n| frame.width(n, size))
            .fold(0.0, f64::max);
        let length = longest.min(band - gap);
        let up = names.iter().map(|n| frame.fit(n, size, length)).collect();
        (Categories::Up(up), gap + length + 0.2 * size)
    }

    /// Draws the names under slot centres `xs`, below the axis at `y`.
    pub fn draw(&self, frame: &mut Frame<'_>, xs: &[f64], y: f64) {
        let size = frame.small;
        let gap = 0.6 * size;
        match self {
            Categories::Across(names) => {
                for (lines, &x) in names.iter().zip(xs) {
                    for (i, text) in lines.iter().enumerate() {
                        let top = y + gap + i as f64 * Frame::line_height(size);
                        frame.text(
                            Label::new(text.clone(), x, top, size, INK)
                                .align(Align::Center, VAlign::Top),
                        );
                    }
                }
            }
            Categories::Up(names) => {
                for (text, &x) in names.iter().zip(xs) {
                    frame.text(
                        Label::new(text.clone(), x, y + gap, size, INK)
                            .align(Align::End, VAlign::Middle)
                            .vertical(),
                    );
                }
            }
        }
    }
}
