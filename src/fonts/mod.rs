//! Embedded fonts and text measurement with per-glyph fallback, so names in any script
//! render the same on every machine (in charts, the check sheet's PDF and HTML documents): DejaVu Sans for Latin, Greek, Cyrillic and friends,
//! Droid Sans Fallback for CJK and Hangul, a Symbola subset for emoji and symbols.

use std::fmt::Write as _;
use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, GlyphId, OutlineCurve, PxScale, ScaleFont};

pub mod webfont;

pub use webfont::{web_fonts, WebFonts};

/// An embedded font could not be read, registered or subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontError(pub(crate) String);

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FontError {}

/// The CSS font stack written into SVG text; the first entry is the font measured here.
pub const FAMILY: &str =
    "DejaVu Sans, Verdana, Noto Sans, Droid Sans Fallback, Noto Sans CJK JP, Symbola, sans-serif";

const DEJAVU: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
));
const DROID: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DroidSansFallback.ttf"
));
const SYMBOLA: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/Symbola-emoji.ttf"
));

/// Top of a line box above the baseline, in em.
pub const ASCENT: f64 = 0.82;
/// Bottom of a line box below the baseline, in em.
pub const DESCENT: f64 = 0.24;

/// The embedded faces, in fallback order.
pub struct Fonts {
    faces: Vec<Face>,
}

struct Face {
    name: &'static str,
    bytes: &'static [u8],
    font: FontRef<'static>,
    /// Converts an em size in pixels into ab_glyph's scale (ascent − descent in pixels).
    em_to_scale: f32,
}

/// Parses the embedded fonts once and registers the Latin face with plotters.
pub fn fonts() -> Result<&'static Fonts, FontError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut faces = Vec::new();
            for (name, bytes) in [
                ("DejaVu Sans", DEJAVU),
                ("Droid Sans Fallback", DROID),
                ("Symbola", SYMBOLA),
            ] {
                let font = FontRef::try_from_slice(bytes)
                    .map_err(|e| format!("embedded font {name}: {e}"))?;
                let em_to_scale = font.height_unscaled() / font.units_per_em().unwrap_or(1000.0);
                faces.push(Face {
                    name,
                    bytes,
                    font,
                    em_to_scale,
                });
            }
            // plotters' own text (if anyone uses it) then finds a real font under our family name.
            plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, DEJAVU)
                .map_err(|_| "embedded font DejaVu Sans could not be registered".to_string())?;
            Ok(Fonts { faces })
        })
        .as_ref()
        .map_err(|e| FontError(e.clone()))
}

/// Characters that take no room and have no glyph of their own (joiners, variation selectors).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{FE00}'..='\u{FE0F}' | '\u{2060}' | '\u{E0020}'..='\u{E007F}')
}

/// Replaces control characters (which XML cannot carry) by spaces and trims.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A glyph placed on a baseline starting at x = 0.
pub struct Placed {
    face: usize,
    id: GlyphId,
    x: f32,
}

impl Placed {
    /// Which embedded face and which glyph of it: the same pair is the same outline.
    pub fn key(&self) -> (usize, u16) {
        (self.face, self.id.0)
    }

    /// Offset along the baseline in pixels.
    pub fn x(&self) -> f64 {
        f64::from(self.x)
    }
}

/// A point of an outline in [`PATH_UNITS`], y down.
type Units = (i64, i64);

/// Units per em of outlines written by [`Fonts::svg_path`].
pub const PATH_UNITS: f64 = 1000.0;

impl Fonts {
    fn face_for(&self, c: char) -> usize {
        self.face_with(c).unwrap_or(0)
    }

    /// The first face in fallback order that has a glyph for `c`.
    pub fn face_with(&self, c: char) -> Option<usize> {
        self.faces.iter().position(|f| f.font.glyph_id(c).0 != 0)
    }

    /// How many faces there are.
    pub fn face_count(&self) -> usize {
        self.faces.len()
    }

    /// The family name and the font file of face `face`.
    pub fn face_file(&self, face: usize) -> (&'static str, &'static [u8]) {
        (self.faces[face].name, self.faces[face].bytes)
    }

    /// The glyph `face` has for `c` (0, `.notdef`, when it has none).
    pub fn glyph_of(&self, face: usize, c: char) -> u16 {
        self.faces[face].font.glyph_id(c).0
    }

    fn scale(&self, face: usize, size: f64) -> PxScale {
        PxScale::from(size as f32 * self.faces[face].em_to_scale)
    }

    /// Lays out `text` at `size` pixels per em; returns the glyphs and the advance width.
    pub fn layout(&self, text: &str, size: f64) -> (Vec<Placed>, f64) {
        let mut placed = Vec::with_capacity(text.len());
        let mut x = 0f32;
        let mut previous: Option<(usize, GlyphId)> = None;
        for c in text.chars() {
            if invisible(c) {
                continue;
            }
            let face = self.face_for(c);
            let scaled = self.faces[face].font.as_scaled(self.scale(face, size));
            let id = scaled.glyph_id(c);
            if let Some((pf, pid)) = previous {
                if pf == face {
                    x += scaled.kern(pid, id);
                }
            }
            placed.push(Placed { face, id, x });
            x += scaled.h_advance(id);
            previous = Some((face, id));
        }
        (placed, f64::from(x))
    }

    /// Advance width of `text` in pixels.
    pub fn width(&self, text: &str, size: f64) -> f64 {
        self.layout(text, size).1
    }

    /// `text` shortened with an ellipsis to fit `max` pixels; empty when not even "…" fits.
    pub fn fit(&self, text: &str, size: f64, max: f64) -> String {
        if self.width(text, size) <= max {
            return text.to_string();
        }
        let ellipsis = self.width("…", size);
        if ellipsis > max {
            return String::new();
        }
        let mut out = String::new();
        let mut width = 0.0;
        for c in text.chars() {
            let w = self.width(&c.to_string(), size);
            if width + w + ellipsis > max {
                break;
            }
            width += w;
            out.push(c);
        }
        // Don't leave a dangling joiner or half a word-space before the ellipsis.
        while out.ends_with(|c: char| c.is_whitespace() || invisible(c)) {
            out.pop();
        }
        out.push('…');
        out
    }

    /// Splits `text` into at most `lines` lines of at most `max` pixels, breaking at spaces
    /// (or between any two characters when a word is too long); the last line gets an
    /// ellipsis when the text does not fit.
    pub fn wrap(&self, text: &str, size: f64, max: f64, lines: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = text.trim().to_string();
        while !rest.is_empty() && out.len() + 1 < lines {
            if self.width(&rest, size) <= max {
                break;
            }
            let chars: Vec<char> = rest.chars().collect();
            let mut fit = 0;
            let mut width = 0.0;
            for &c in &chars {
                let w = self.width(&c.to_string(), size);
                if width + w > max {
                    break;
                }
                width += w;
                fit += 1;
            }
            if fit == 0 {
                break;
            }
            let space = chars[..=fit.min(chars.len() - 1)]
                .iter()
                .rposition(|c| c.is_whitespace());
            let cut = match space {
                Some(i) if i > 0 => i,
                _ => fit,
            };
            out.push(
                chars[..cut]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string(),
            );
            rest = chars[cut..]
                .iter()
                .collect::<String>()
                .trim_start()
                .to_string();
        }
        if !rest.is_empty() {
            out.push(self.fit(&rest, size, max));
        }
        out
    }

    /// The outline of glyph `id` of face `face` as SVG path data, in thousandths of an em
    /// ([`PATH_UNITS`]) with y pointing down and the origin on the baseline; `None` for
    /// glyphs that draw nothing (spaces). Coordinates are whole units, written relative to
    /// the previous point (from the rounded absolute ones, so no error accumulates).
    pub fn svg_path(&self, face: usize, id: u16) -> Option<String> {
        let face = self.faces.get(face)?;
        let outline = face.font.outline(GlyphId(id))?;
        let k = PATH_UNITS / f64::from(face.font.units_per_em().unwrap_or(1000.0));
        let at = |p: ab_glyph::Point| {
            (
                (f64::from(p.x) * k).round() as i64,
                (-f64::from(p.y) * k).round() as i64,
            )
        };
        let points: Vec<(Units, Vec<Units>)> = outline
            .curves
            .iter()
            .map(|curve| match curve {
                OutlineCurve::Line(a, b) => (at(*a), vec![at(*b)]),
                OutlineCurve::Quad(a, b, c) => (at(*a), vec![at(*b), at(*c)]),
                OutlineCurve::Cubic(a, b, c, d) => (at(*a), vec![at(*b), at(*c), at(*d)]),
            })
            .collect();
        if points.is_empty() {
            return None;
        }
        let mut out = String::new();
        let mut pen: Option<Units> = None;
        let mut start = (0, 0);
        let mut command = ' ';
        for (i, (first, rest)) in points.iter().enumerate() {
            let first = *first;
            if pen != Some(first) {
                if pen.is_some() {
                    out.push('z');
                }
                out.push('M');
                number_pair(&mut out, first, true);
                start = first;
                command = 'M';
            }
            let end = *rest.last().unwrap_or(&first);
            pen = Some(end);
            // A line back to the contour's start just before the next contour (or the end)
            // is what `z` draws anyway.
            let next = points.get(i + 1).map(|(p, _)| *p);
            if rest.len() == 1 && end == start && next != Some(end) {
                continue;
            }
            let letter = match rest.len() {
                1 => 'l',
                2 => 'q',
                _ => 'c',
            };
            // A repeated command letter may be left out.
            let repeated = letter == command;
            if !repeated {
                out.push(letter);
                command = letter;
            }
            // Every point of a segment is relative to the segment's start.
            for (j, p) in rest.iter().enumerate() {
                number_pair(
                    &mut out,
                    (p.0 - first.0, p.1 - first.1),
                    j == 0 && !repeated,
                );
            }
        }
        out.push('z');
        Some(out)
    }

    /// Rasterizes glyphs laid out by [`Fonts::layout`] at `size`, calling `pixel(u, v, coverage)`
    /// in text coordinates (u along the baseline from its start, v down from the baseline).
    pub fn raster(&self, placed: &[Placed], size: f64, mut pixel: impl FnMut(i32, i32, f32)) {
        for glyph in placed {
            let face = &self.faces[glyph.face];
            let positioned = glyph
                .id
                .with_scale_and_position(self.scale(glyph.face, size), point(glyph.x, 0.0));
            if let Some(outline) = face.font.outline_glyph(positioned) {
                let bounds = outline.px_bounds();
                outline.draw(|x, y, coverage| {
                    pixel(
                        bounds.min.x as i32 + x as i32,
                        bounds.min.y as i32 + y as i32,
                        coverage,
                    );
                });
            }
        }
    }
}

/// Appends "x y" (or "x-y"), with a leading space unless `first` follows a command letter.
fn number_pair(out: &mut String, (x, y): Units, first: bool) {
    if !first && x >= 0 {
        out.push(' ');
    }
    let _ = write!(out, "{x}");
    if y >= 0 {
        out.push(' ');
    }
    let _ = write!(out, "{y}");
}
