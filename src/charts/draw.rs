//! A chart is first laid out as a list of shapes, then painted by plotters onto an SVG or a
//! bitmap. Text is laid out and drawn with the embedded fonts for both (as glyph outlines in
//! SVG, as pixels in PNG), so both look the same on any machine.

use std::fmt::Write as _;

use plotters::backend::{BitMapBackend, DrawingBackend, SVGBackend};
use plotters::element::{Circle, PathElement, Polygon, Rectangle};
use plotters::prelude::{Color, IntoDrawingArea, RGBAColor, ShapeStyle};

use super::ChartError;
use crate::fonts::{fonts, Fonts, ASCENT, DESCENT, FAMILY, PATH_UNITS};

/// An sRGB colour with opacity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8, pub f64);

impl Rgb {
    pub const fn hex(value: u32) -> Rgb {
        Rgb((value >> 16) as u8, (value >> 8) as u8, value as u8, 1.0)
    }

    pub const fn alpha(self, alpha: f64) -> Rgb {
        Rgb(self.0, self.1, self.2, alpha)
    }

    fn plotters(self) -> RGBAColor {
        RGBAColor(self.0, self.1, self.2, self.3)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Start,
    Center,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VAlign {
    Top,
    Middle,
    Bottom,
}

/// A run of text anchored at (x, y); `vertical` text reads bottom to top, and its
/// alignments then apply in the text's own direction.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub text: String,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub color: Rgb,
    pub align: Align,
    pub valign: VAlign,
    pub vertical: bool,
    pub bold: bool,
}

impl Label {
    pub fn new(text: impl Into<String>, x: f64, y: f64, size: f64, color: Rgb) -> Label {
        Label {
            text: text.into(),
            x,
            y,
            size,
            color,
            align: Align::Start,
            valign: VAlign::Middle,
            vertical: false,
            bold: false,
        }
    }

    pub fn align(mut self, align: Align, valign: VAlign) -> Label {
        self.align = align;
        self.valign = valign;
        self
    }

    pub fn vertical(mut self) -> Label {
        self.vertical = true;
        self
    }

    pub fn bold(mut self) -> Label {
        self.bold = true;
        self
    }

    /// Offset of the baseline start from the anchor, along and across the text direction.
    fn origin(&self, width: f64) -> (f64, f64) {
        let along = match self.align {
            Align::Start => 0.0,
            Align::Center => -width / 2.0,
            Align::End => -width,
        };
        let across = match self.valign {
            VAlign::Top => ASCENT * self.size,
            VAlign::Middle => (ASCENT - DESCENT) / 2.0 * self.size,
            VAlign::Bottom => -DESCENT * self.size,
        };
        (along, across)
    }

    /// Where the baseline starts on the canvas for text `advance` pixels long, rounded to a
    /// whole pixel: SVG and PNG both place glyphs from here, so they match by construction.
    fn baseline_start(&self, advance: f64) -> (f64, f64) {
        let (along, across) = self.origin(advance);
        let (x, y) = if self.vertical {
            (self.x + across, self.y - along)
        } else {
            (self.x + along, self.y + across)
        };
        (x.round(), y.round())
    }

    /// The box the text covers on the canvas: (x0, y0, x1, y1).
    pub fn bounds(&self, fonts: &Fonts) -> (f64, f64, f64, f64) {
        let width = fonts.width(&self.text, self.size);
        let (along, across) = self.origin(width);
        let (top, bottom) = (across - ASCENT * self.size, across + DESCENT * self.size);
        if self.vertical {
            (
                self.x + top,
                self.y - along - width,
                self.x + bottom,
                self.y - along,
            )
        } else {
            (
                self.x + along,
                self.y + top,
                self.x + along + width,
                self.y + bottom,
            )
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: Rgb,
    },
    Line {
        points: Vec<(f64, f64)>,
        color: Rgb,
        width: f64,
        dash: Option<f64>,
    },
    Circle {
        x: f64,
        y: f64,
        r: f64,
        fill: Rgb,
        stroke: Rgb,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        fill: Rgb,
    },
    Text(Label),
}

fn at(x: f64, y: f64) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

fn drawing(e: impl std::fmt::Display) -> ChartError {
    ChartError(format!("drawing failed: {e}"))
}

/// Breaks a polyline into dashes of `dash` pixels with equal gaps.
fn dashes(points: &[(f64, f64)], dash: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut on = true;
    let mut left = dash;
    let mut current = vec![points[0]];
    for pair in points.windows(2) {
        let (mut x, mut y) = pair[0];
        let (x1, y1) = pair[1];
        let mut length = ((x1 - x).powi(2) + (y1 - y).powi(2)).sqrt();
        while length > 0.0 {
            let step = left.min(length);
            let t = step / length;
            x += (x1 - x) * t;
            y += (y1 - y) * t;
            length -= step;
            left -= step;
            if on {
                current.push((x, y));
            }
            if left <= 0.0 {
                if on {
                    out.push(std::mem::take(&mut current));
                } else {
                    current = vec![(x, y)];
                }
                on = !on;
                left = dash;
            }
        }
    }
    if on && current.len() > 1 {
        out.push(current);
    }
    out
}

/// Paints every shape but text, with coordinates multiplied by `k`.
fn paint_shapes<DB: DrawingBackend>(
    area: &plotters::drawing::DrawingArea<DB, plotters::coord::Shift>,
    shapes: &[Shape],
    k: f64,
) -> Result<(), ChartError> {
    let at = |x: f64, y: f64| at(x * k, y * k);
    area.fill(&plotters::style::WHITE).map_err(drawing)?;
    for shape in shapes {
        match shape {
            Shape::Rect {
                x0,
                y0,
                x1,
                y1,
                fill,
            } => {
                let (a, b) = (at(*x0, *y0), at(*x1, *y1));
                if a.0 == b.0 || a.1 == b.1 {
                    continue;
                }
                // plotters fills rectangles inclusive of their far corner.
                let b = (b.0 - 1, b.1 - 1);
                area.draw(&Rectangle::new([a, b], fill.plotters().filled()))
                    .map_err(drawing)?;
            }
            Shape::Line {
                points,
                color,
                width,
                dash,
            } => {
                let style = ShapeStyle {
                    color: color.plotters(),
                    filled: false,
                    stroke_width: (width * k).round().max(1.0) as u32,
                };
                let runs = match dash {
                    Some(d) if points.len() > 1 => dashes(points, *d),
                    _ => vec![points.clone()],
                };
                for run in runs {
                    let run: Vec<_> = run.iter().map(|&(x, y)| at(x, y)).collect();
                    area.draw(&PathElement::new(run, style)).map_err(drawing)?;
                }
            }
            Shape::Circle {
                x,
                y,
                r,
                fill,
                stroke,
            } => {
                let radius = (r * k).round().max(1.0) as i32;
                area.draw(&Circle::new(at(*x, *y), radius, fill.plotters().filled()))
                    .map_err(drawing)?;
                area.draw(&Circle::new(
                    at(*x, *y),
                    radius,
                    ShapeStyle::from(stroke.plotters()),
                ))
                .map_err(drawing)?;
            }
            Shape::Polygon { points, fill } => {
                let points: Vec<_> = points.iter().map(|&(x, y)| at(x, y)).collect();
                area.draw(&Polygon::new(points, fill.plotters().filled()))
                    .map_err(drawing)?;
            }
            Shape::Text(_) => {}
        }
    }
    Ok(())
}

/// Paints the shapes as an SVG document. Text is drawn as glyph outlines from the embedded
/// fonts, laid out exactly as in PNG, so the SVG needs no font on the viewer's machine; the
/// text itself is kept as invisible `<text>` for search, selection and screen readers.
pub fn svg(width: u32, height: u32, shapes: &[Shape]) -> Result<Vec<u8>, ChartError> {
    let fonts = fonts()?;
    let mut out = String::with_capacity(16 * 1024);
    {
        let area = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        paint_shapes(&area, shapes, 1.0)?;
        area.present().map_err(drawing)?;
    }
    let end = out.rfind("</svg>").ok_or_else(|| drawing("no </svg>"))?;
    out.truncate(end);
    let mut glyphs = Glyphs::default();
    for shape in shapes {
        if let Shape::Text(label) = shape {
            svg_label(fonts, label, &mut glyphs, &mut out);
        }
    }
    glyphs.write_defs(&mut out);
    out.push_str("</svg>\n");
    Ok(out.into_bytes())
}

/// The id prefix of glyph outlines in an SVG's `<defs>`; see [`scope_ids`].
const GLYPH_ID: &str = "g";

/// The glyphs an SVG uses, in order of first use, each to be defined once.
#[derive(Default)]
struct Glyphs {
    /// Outlines to define, in order of first use.
    paths: Vec<((usize, u16), String)>,
    /// Every glyph met, and whether it has an outline (spaces have none).
    seen: std::collections::HashMap<(usize, u16), bool>,
}

impl Glyphs {
    /// Whether the glyph draws anything; remembers its outline for `<defs>` when it does.
    fn use_glyph(&mut self, fonts: &Fonts, key: (usize, u16)) -> bool {
        if let Some(&drawn) = self.seen.get(&key) {
            return drawn;
        }
        let path = fonts.svg_path(key.0, key.1);
        let drawn = path.is_some();
        if let Some(path) = path {
            self.paths.push((key, path));
        }
        self.seen.insert(key, drawn);
        drawn
    }

    fn write_defs(&self, out: &mut String) {
        if self.paths.is_empty() {
            return;
        }
        out.push_str("<defs>\n");
        for ((face, id), d) in &self.paths {
            let _ = writeln!(out, r#"<path id="{GLYPH_ID}{face}_{id}" d="{d}"/>"#);
        }
        out.push_str("</defs>\n");
    }
}

/// A number with at most `decimals` decimals and no trailing zeros.
fn num(value: f64, decimals: i32) -> String {
    let k = 10f64.powi(decimals);
    let rounded = (value * k).round() / k;
    if rounded == 0.0 {
        return "0".to_string();
    }
    let text = format!("{rounded:.*}", decimals as usize);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Escapes text for XML content and attribute values.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes one label: a group at the baseline start (rotated for vertical text) holding the
/// invisible text and the glyphs, placed in thousandths of an em.
fn svg_label(fonts: &Fonts, label: &Label, glyphs: &mut Glyphs, out: &mut String) {
    if label.text.is_empty() {
        return;
    }
    let (placed, advance) = fonts.layout(&label.text, label.size);
    let (ox, oy) = label.baseline_start(advance);
    let Rgb(r, g, b, a) = label.color;
    let _ = write!(out, r##"<g fill="#{r:02X}{g:02X}{b:02X}""##);
    if a < 1.0 {
        let _ = write!(out, r#" fill-opacity="{}""#, num(a, 3));
    }
    let _ = write!(
        out,
        r#" transform="translate({} {})"#,
        num(ox, 2),
        num(oy, 2)
    );
    if label.vertical {
        out.push_str(" rotate(-90)");
    }
    out.push_str("\">");
    // Invisible but selectable and searchable: fill-opacity 0 hides the viewer's own glyphs
    // (or its missing-glyph boxes when it has no font for them).
    let _ = write!(
        out,
        r#"<text font-family="{FAMILY}" font-size="{}"{} fill-opacity="0" textLength="{}" lengthAdjust="spacingAndGlyphs">"#,
        num(label.size, 2),
        if label.bold {
            r#" font-weight="bold""#
        } else {
            ""
        },
        num(advance, 2),
    );
    let _ = write!(out, "\n{}\n</text>", xml_escape(&label.text));
    let scale = label.size / PATH_UNITS;
    // No bold face is embedded: bold is the regular face painted twice, a pixel apart (as in PNG).
    let passes: &[f64] = if label.bold { &[0.0, 1.0] } else { &[0.0] };
    for &offset in passes {
        let mut uses = String::new();
        for glyph in &placed {
            let key = glyph.key();
            if !glyphs.use_glyph(fonts, key) {
                continue;
            }
            let x = (glyph.x() / scale).round();
            let _ = write!(uses, r##"<use href="#{GLYPH_ID}{}_{}""##, key.0, key.1);
            if x != 0.0 {
                let _ = write!(uses, r#" x="{x}""#);
            }
            uses.push_str("/>");
        }
        if uses.is_empty() {
            continue;
        }
        out.push_str("<g transform=\"");
        if offset != 0.0 {
            let _ = write!(out, "translate({offset} 0) ");
        }
        let _ = write!(out, "scale({})\">{uses}</g>", num(scale, 6));
    }
    out.push_str("</g>\n");
}

/// Makes the glyph ids of an SVG from [`svg`] unique to `prefix`, so several charts can be
/// inlined in one HTML document without their `<defs>` ids colliding.
pub fn scope_ids(svg: &str, prefix: &str) -> String {
    // Text and attribute values are escaped, so `id="` and `href="#` only occur as written here.
    svg.replace(
        &format!(r#"id="{GLYPH_ID}"#),
        &format!(r#"id="{prefix}{GLYPH_ID}"#),
    )
    .replace(
        &format!(r##"href="#{GLYPH_ID}"##),
        &format!(r##"href="#{prefix}{GLYPH_ID}"##),
    )
}

/// Paints the shapes into an RGB bitmap and encodes it as PNG.
pub fn png(width: u32, height: u32, shapes: &[Shape]) -> Result<Vec<u8>, ChartError> {
    let fonts = fonts()?;
    // Shapes are painted at twice the size and averaged down, which anti-aliases the lines
    // and circles plotters draws hard-edged; text is anti-aliased already and drawn after.
    const K: usize = 2;
    let (w, h) = (width as usize, height as usize);
    let mut big = vec![255u8; w * K * h * K * 3];
    {
        let size = (width * K as u32, height * K as u32);
        let area = BitMapBackend::with_buffer(&mut big, size).into_drawing_area();
        paint_shapes(&area, shapes, K as f64)?;
        area.present().map_err(drawing)?;
    }
    let mut pixels = vec![0u8; w * h * 3];
    let row = w * K * 3;
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..K {
                    let base = (y * K + dy) * row + x * K * 3 + c;
                    for dx in 0..K {
                        sum += u32::from(big[base + dx * 3]);
                    }
                }
                pixels[(y * w + x) * 3 + c] = ((sum + (K * K / 2) as u32) / (K * K) as u32) as u8;
            }
        }
    }
    for shape in shapes {
        if let Shape::Text(label) = shape {
            blit_text(fonts, label, &mut pixels, width, height);
        }
    }
    let mut out = Vec::with_capacity(pixels.len() / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().map_err(drawing)?;
        writer.write_image_data(&pixels).map_err(drawing)?;
        writer.finish().map_err(drawing)?;
    }
    Ok(out)
}

/// Blends a label into the RGB buffer, glyph by glyph from whichever embedded font has it.
fn blit_text(fonts: &Fonts, label: &Label, pixels: &mut [u8], width: u32, height: u32) {
    let (placed, advance) = fonts.layout(&label.text, label.size);
    let (ox, oy) = label.baseline_start(advance);
    let (ox, oy) = (ox as i32, oy as i32);
    let Rgb(r, g, b, a) = label.color;
    // No bold face is embedded: bold is the regular face painted twice, a pixel apart.
    let passes: &[i32] = if label.bold { &[0, 1] } else { &[0] };
    for &offset in passes {
        fonts.raster(&placed, label.size, |u, v, coverage| {
            let u = u + offset;
            // Pixel u covers [u, u + 1) along the text, which reads upwards when vertical:
            // that is the row from oy − u − 1 to oy − u.
            let (x, y) = if label.vertical {
                (ox + v, oy - u - 1)
            } else {
                (ox + u, oy + v)
            };
            if x < 0 || y < 0 || x as u32 >= width || y as u32 >= height {
                return;
            }
            let alpha = (coverage.min(1.0) * a as f32).clamp(0.0, 1.0);
            let i = (y as usize * width as usize + x as usize) * 3;
            for (channel, value) in [r, g, b].into_iter().enumerate() {
                let old = f32::from(pixels[i + channel]);
                pixels[i + channel] = (old + (f32::from(value) - old) * alpha).round() as u8;
            }
        });
    }
}
