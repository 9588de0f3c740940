//! A chart is first laid out as a list of shapes, then painted by plotters onto an SVG or a
//! bitmap. Text is measured with the embedded fonts for both, so layouts are identical.

use plotters::backend::{BitMapBackend, DrawingBackend, SVGBackend};
use plotters::element::{Circle, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{Color, IntoDrawingArea, RGBAColor, ShapeStyle};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, FontTransform, TextStyle};

use super::text::{fonts, Fonts, ASCENT, DESCENT, FAMILY};
use super::ChartError;

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

/// Paints the shapes as an SVG document; text stays text.
pub fn svg(width: u32, height: u32, shapes: &[Shape]) -> Result<Vec<u8>, ChartError> {
    fonts()?;
    let mut out = String::with_capacity(16 * 1024);
    {
        let area = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        paint_shapes(&area, shapes, 1.0)?;
        for shape in shapes {
            let Shape::Text(label) = shape else { continue };
            if label.text.is_empty() {
                continue;
            }
            // The SVG backend writes font-size = size / 1.24 and shifts the baseline by
            // dy = 0.76em below the anchor; undo both so the viewer's font lands where ours does.
            let (_, across) = label.origin(0.0);
            let h = match label.align {
                Align::Start => HPos::Left,
                Align::Center => HPos::Center,
                Align::End => HPos::Right,
            };
            let shift = across - 0.76 * label.size;
            let (x, y, transform) = if label.vertical {
                (label.x + shift, label.y, FontTransform::Rotate270)
            } else {
                (label.x, label.y + shift, FontTransform::None)
            };
            let weight = if label.bold {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            };
            let font = FontDesc::new(FontFamily::Name(FAMILY), label.size * 1.24, weight)
                .transform(transform);
            let color = label.color.plotters();
            let style = TextStyle::from(font)
                .color(&color)
                .pos(Pos::new(h, VPos::Top));
            area.draw(&Text::new(label.text.as_str(), at(x, y), style))
                .map_err(drawing)?;
        }
        area.present().map_err(drawing)?;
    }
    Ok(out.into_bytes())
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
    let (along, across) = label.origin(advance);
    let (ox, oy) = if label.vertical {
        (label.x + across, label.y - along)
    } else {
        (label.x + along, label.y + across)
    };
    let (ox, oy) = (ox.round() as i32, oy.round() as i32);
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
