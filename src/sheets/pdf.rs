//! The printable check sheet (METHOD step 2: "a one-page sheet ticked whenever a failure
//! happens"): one row per active horror with its name, pain and tier, a box per day, and a
//! QR code that opens the tally with that horror chosen. Landscape A4 or Letter, at most
//! 31 days a page; the embedded fonts are subset into the file (CJK included), with a
//! `ToUnicode` map so the text can be searched and copied.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use chrono::{Datelike, NaiveDate};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

use crate::fonts::{fonts, Fonts};
use crate::i18n::{self, Lang};

/// Most day columns on one page; longer periods continue on the next page.
pub const DAYS_PER_PAGE: usize = 31;

/// The paper a sheet is printed on (landscape).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    /// Parses `a4` or `letter`.
    pub fn parse(text: &str) -> Result<Paper, String> {
        match text {
            "a4" => Ok(Paper::A4),
            "letter" => Ok(Paper::Letter),
            other => Err(format!(
                "paper must be a4 or letter, got {}",
                crate::text::echo(other)
            )),
        }
    }

    /// Width and height in points, landscape (A4 is 595 × 842 pt, Letter 612 × 792 pt).
    pub fn landscape(self) -> (f32, f32) {
        match self {
            Paper::A4 => (842.0, 595.0),
            Paper::Letter => (792.0, 612.0),
        }
    }
}

/// One row of the sheet.
pub struct SheetRow {
    /// The horror's name as written in the catalogue.
    pub name: String,
    /// Pain (1..=10).
    pub pain: u8,
    /// The tier in the current ranking (`worst`, `worse`, `bad`), when there is one.
    pub tier: Option<&'static str>,
    /// What the row's QR code opens: the tally with this horror chosen.
    pub url: String,
}

/// Everything printed on a sheet.
pub struct CheckSheet {
    pub lang: Lang,
    pub organization: String,
    /// The site's name, when the sheet is for one site.
    pub site: Option<String>,
    pub department: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub paper: Paper,
    pub rows: Vec<SheetRow>,
    /// Where the counts are entered afterwards (the dashboard's URL).
    pub entry_url: String,
}

const MARGIN: f32 = 28.0;
const BLACK: f32 = 0.0;
const GREY: f32 = 0.35;
/// White around each QR code, in points (four modules or more at the sizes drawn).
const QR_PAD: f32 = 9.0;

/// Text drawn so far: which glyphs of which embedded face, and the characters they stand
/// for (for the `ToUnicode` map).
struct Page<'f> {
    fonts: &'f Fonts,
    content: Content,
    used: &'f mut Vec<BTreeMap<u16, char>>,
}

impl Page<'_> {
    /// Draws `text` with its baseline starting at (x, y), `size` points per em.
    fn text(&mut self, x: f32, y: f32, size: f32, gray: f32, text: &str) {
        let (placed, _) = self.fonts.layout(text, f64::from(size));
        // The layout skips invisible characters; map the rest to their glyphs in order.
        for c in text.chars() {
            if let Some(face) = self.fonts.face_with(c) {
                let glyph = self.fonts.glyph_of(face, c);
                self.used[face].entry(glyph).or_insert(c);
            }
        }
        self.content.set_fill_gray(gray);
        let mut start = 0;
        while start < placed.len() {
            let face = placed[start].key().0;
            let end = placed[start..]
                .iter()
                .position(|p| p.key().0 != face)
                .map_or(placed.len(), |n| start + n);
            let mut codes = Vec::with_capacity(2 * (end - start));
            for p in &placed[start..end] {
                codes.extend_from_slice(&p.key().1.to_be_bytes());
                self.used[face].entry(p.key().1).or_insert(' ');
            }
            self.content
                .begin_text()
                .set_font(font_name(face), size)
                .next_line(x + placed[start].x() as f32, y)
                .show(Str(&codes))
                .end_text();
            start = end;
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        self.fonts.width(text, f64::from(size)) as f32
    }

    /// `text` centred on x.
    fn centred(&mut self, x: f32, y: f32, size: f32, gray: f32, text: &str) {
        let w = self.width(text, size);
        self.text(x - w / 2.0, y, size, gray, text);
    }

    fn qr(&mut self, x: f32, y: f32, side: f32, url: &str) {
        let Ok(code) = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M) else {
            return;
        };
        let n = code.width();
        let module = side / n as f32;
        self.content.set_fill_gray(BLACK);
        for (i, color) in code.to_colors().iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (col, row) = ((i % n) as f32, (i / n) as f32);
                self.content.rect(
                    x + col * module,
                    y + side - (row + 1.0) * module,
                    module,
                    module,
                );
            }
        }
        self.content.fill_nonzero();
    }
}

fn font_name(face: usize) -> Name<'static> {
    const NAMES: [&[u8]; 4] = [b"F0", b"F1", b"F2", b"F3"];
    Name(NAMES[face.min(NAMES.len() - 1)])
}

fn label(lang: Lang, id: &str) -> String {
    i18n::t(lang, id)
}

fn weekday(lang: Lang, day: NaiveDate) -> String {
    let names = label(lang, "sheet-weekdays");
    names
        .split_whitespace()
        .nth(day.weekday().num_days_from_monday() as usize)
        .unwrap_or("")
        .to_string()
}

/// The header above the grid: title, who and when, how to tick.
fn header(page: &mut Page<'_>, sheet: &CheckSheet, height: f32, number: usize, pages: usize) {
    let lang = sheet.lang;
    let top = height - MARGIN;
    let title = format!("{} — {}", label(lang, "sheet-title"), sheet.organization);
    page.text(MARGIN, top - 16.0, 16.0, BLACK, &title);
    let mut facts = Vec::new();
    if let Some(site) = &sheet.site {
        facts.push(format!("{}: {site}", label(lang, "sheet-site")));
    }
    facts.push(format!(
        "{}: {}",
        label(lang, "sheet-department"),
        sheet.department.as_deref().unwrap_or("________________")
    ));
    facts.push(format!(
        "{}: {} – {}",
        label(lang, "sheet-period"),
        sheet.from,
        sheet.to
    ));
    facts.push(format!(
        "{}: ________________",
        label(lang, "sheet-counted-by")
    ));
    page.text(MARGIN, top - 34.0, 9.5, BLACK, &facts.join("   ·   "));
    page.text(MARGIN, top - 48.0, 8.0, GREY, &label(lang, "sheet-how"));
    let footer = format!(
        "{} {}   ·   {} {number} / {pages}",
        label(lang, "sheet-enter"),
        sheet.entry_url,
        label(lang, "sheet-page")
    );
    page.text(MARGIN, MARGIN - 12.0, 7.5, GREY, &footer);
}

/// Geometry of one page's grid.
struct Grid {
    top: f32,
    row_h: f32,
    qr_w: f32,
    name_w: f32,
    day_w: f32,
    head_h: f32,
}

fn grid(width: f32, height: f32, rows: usize, days: usize) -> Grid {
    let top = height - MARGIN - 58.0;
    let head_h = 24.0;
    let bottom = MARGIN + 2.0;
    let row_h = ((top - head_h - bottom) / rows.max(1) as f32).min(100.0);
    // A QR code needs a quiet margin (about four modules) of white around it to scan.
    let qr_w = (row_h - 2.0 * QR_PAD).min(72.0) + 2.0 * QR_PAD;
    let name_w = 150.0;
    let day_w = ((width - 2.0 * MARGIN - qr_w - name_w) / days.max(1) as f32).min(48.0);
    Grid {
        top,
        row_h,
        qr_w,
        name_w,
        day_w,
        head_h,
    }
}

fn draw_page(page: &mut Page<'_>, sheet: &CheckSheet, days: &[NaiveDate], g: &Grid) {
    let lang = sheet.lang;
    let x_days = MARGIN + g.qr_w + g.name_w;
    let rows = sheet.rows.len() as f32;
    let bottom = g.top - g.head_h - rows * g.row_h;
    // Weekends shaded, so a week is easy to find.
    page.content.set_fill_gray(0.92);
    for (i, day) in days.iter().enumerate() {
        if day.weekday().num_days_from_monday() >= 5 {
            let x = x_days + i as f32 * g.day_w;
            page.content.rect(x, bottom, g.day_w, g.top - bottom);
        }
    }
    page.content.fill_nonzero();
    // Column heads: the day of the month (month too on the first column and each 1st).
    for (i, day) in days.iter().enumerate() {
        let x = x_days + (i as f32 + 0.5) * g.day_w;
        let number = if i == 0 || day.day() == 1 {
            format!("{}/{}", day.month(), day.day())
        } else {
            day.day().to_string()
        };
        page.centred(x, g.top - 11.0, 8.0, BLACK, &number);
        page.centred(x, g.top - 20.0, 6.0, GREY, &weekday(lang, *day));
    }
    page.text(
        MARGIN + g.qr_w + 4.0,
        g.top - 15.0,
        8.0,
        GREY,
        &label(lang, "sheet-horror"),
    );
    for (r, row) in sheet.rows.iter().enumerate() {
        let y = g.top - g.head_h - (r as f32 + 1.0) * g.row_h;
        let side = g.qr_w - 2.0 * QR_PAD;
        page.qr(MARGIN + QR_PAD, y + (g.row_h - side) / 2.0, side, &row.url);
        let lines = page
            .fonts
            .wrap(&row.name, 10.5, f64::from(g.name_w - 10.0), 2);
        let mut baseline = y + g.row_h - 16.0;
        for line in &lines {
            page.text(MARGIN + g.qr_w + 4.0, baseline, 10.5, BLACK, line);
            baseline -= 13.0;
        }
        let mut detail = format!("{} {}/10", label(lang, "sheet-pain"), row.pain);
        if let Some(tier) = row.tier {
            detail.push_str(&format!("  ·  {}", label(lang, &format!("tier-{tier}"))));
        }
        page.text(MARGIN + g.qr_w + 4.0, baseline - 1.0, 7.5, GREY, &detail);
    }
    // The grid: thin lines between boxes, a firmer frame around each row.
    let right = x_days + days.len() as f32 * g.day_w;
    page.content.set_stroke_gray(0.55).set_line_width(0.5);
    for i in 0..=days.len() {
        let x = x_days + i as f32 * g.day_w;
        page.content.move_to(x, g.top).line_to(x, bottom);
    }
    page.content.stroke();
    page.content.set_stroke_gray(0.0).set_line_width(0.9);
    for r in 0..=sheet.rows.len() {
        let y = g.top - g.head_h - r as f32 * g.row_h;
        page.content.move_to(MARGIN, y).line_to(right, y);
    }
    page.content
        .move_to(MARGIN, g.top)
        .line_to(right, g.top)
        .move_to(MARGIN, g.top)
        .line_to(MARGIN, bottom)
        .move_to(right, g.top)
        .line_to(right, bottom)
        .move_to(x_days, g.top)
        .line_to(x_days, bottom);
    page.content.stroke();
}

/// Writes one subset font face as a Type 0 font with Identity-H encoding: CIDs are the
/// face's own glyph ids, mapped to the subset's by a `CIDToGIDMap`.
fn embed_face(
    pdf: &mut Pdf,
    next: &mut impl FnMut() -> Ref,
    font_ref: Ref,
    face: usize,
    glyphs: &BTreeMap<u16, char>,
    fonts: &Fonts,
) -> Result<(), String> {
    let (name, bytes) = fonts.face_file(face);
    let ids: BTreeSet<u16> = glyphs.keys().copied().collect();
    let subset = crate::fonts::webfont::subset_font(name, bytes, &ids).map_err(|e| e.0)?;
    let base = format!(
        "HRR{}AA+{}",
        (b'A' + face as u8) as char,
        name.replace(' ', "")
    );
    let base = Name(base.as_bytes());
    let (cid_ref, descriptor, file, cmap, map) = (next(), next(), next(), next(), next());
    let info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    pdf.type0_font(font_ref)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap);
    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(CidFontType::Type2)
        .base_font(base)
        .system_info(info)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_stream(map);
    {
        let mut widths = cid.widths();
        for (&glyph, &c) in glyphs {
            let advance = fonts.width(&c.to_string(), 1000.0) as f32;
            widths.consecutive(glyph, [advance]);
        }
    }
    cid.finish();
    pdf.font_descriptor(descriptor)
        .name(base)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(-1100.0, -400.0, 2000.0, 1100.0))
        .italic_angle(0.0)
        .ascent(820.0)
        .descent(-240.0)
        .cap_height(730.0)
        .stem_v(80.0)
        .font_file2(file);
    let packed = deflate(&subset);
    pdf.stream(file, &packed)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), subset.len() as i32);
    let mut unicode = pdf_writer::types::UnicodeCmap::new(Name(b"Horrors-UCS"), info);
    for (&glyph, &c) in glyphs {
        unicode.pair(glyph, c);
    }
    pdf.cmap(cmap, &unicode.finish());
    // CID (the face's glyph id) → glyph id in the subset, which keeps glyph 0 first and
    // the others in increasing order.
    let last = glyphs.keys().next_back().copied().unwrap_or(0) as usize;
    let mut table = vec![0u8; 2 * (last + 1)];
    for (new, &old) in std::iter::once(0u16)
        .chain(ids.iter().copied().filter(|&g| g != 0))
        .collect::<Vec<_>>()
        .iter()
        .enumerate()
    {
        let at = 2 * old as usize;
        table[at..at + 2].copy_from_slice(&(new as u16).to_be_bytes());
    }
    pdf.stream(map, &deflate(&table))
        .filter(Filter::FlateDecode);
    Ok(())
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Renders the sheet as a PDF document.
pub fn render(sheet: &CheckSheet) -> Result<Vec<u8>, String> {
    let fonts = fonts().map_err(|e| e.0)?;
    let mut pdf = Pdf::new();
    let mut counter = 0;
    let mut next = move || {
        counter += 1;
        Ref::new(counter)
    };
    let (catalog, tree) = (next(), next());
    let font_refs: Vec<Ref> = (0..fonts.face_count()).map(|_| next()).collect();
    let days: Vec<NaiveDate> = sheet
        .from
        .iter_days()
        .take_while(|d| *d <= sheet.to)
        .collect();
    let chunks: Vec<&[NaiveDate]> = days.chunks(DAYS_PER_PAGE).collect();
    let (width, height) = sheet.paper.landscape();
    let mut used = vec![BTreeMap::new(); fonts.face_count()];
    let mut kids = Vec::new();
    for (number, chunk) in chunks.iter().enumerate() {
        let (page_ref, content_ref) = (next(), next());
        let g = grid(
            width,
            height,
            sheet.rows.len(),
            DAYS_PER_PAGE.min(days.len()),
        );
        let mut page = Page {
            fonts,
            content: Content::new(),
            used: &mut used,
        };
        header(&mut page, sheet, height, number + 1, chunks.len());
        draw_page(&mut page, sheet, chunk, &g);
        let content = page.content.finish();
        pdf.stream(content_ref, &deflate(&content))
            .filter(Filter::FlateDecode);
        let mut page = pdf.page(page_ref);
        page.media_box(Rect::new(0.0, 0.0, width, height))
            .parent(tree)
            .contents(content_ref);
        let mut resources = page.resources();
        let mut font_dict = resources.fonts();
        for (face, font) in font_refs.iter().enumerate() {
            font_dict.pair(font_name(face), *font);
        }
        font_dict.finish();
        resources.finish();
        page.finish();
        kids.push(page_ref);
    }
    pdf.pages(tree)
        .kids(kids.iter().copied())
        .count(kids.len() as i32);
    pdf.catalog(catalog).pages(tree);
    for (face, glyphs) in used.iter_mut().enumerate() {
        glyphs.entry(0).or_insert(' ');
        embed_face(&mut pdf, &mut next, font_refs[face], face, glyphs, fonts)?;
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(days: i64, paper: Paper) -> CheckSheet {
        let from = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        CheckSheet {
            lang: Lang::EN,
            organization: "Example Freight".into(),
            site: None,
            department: Some("Dock".into()),
            from,
            to: from + chrono::Days::new(days as u64 - 1),
            paper,
            rows: vec![SheetRow {
                name: "配送先の誤り".into(),
                pain: 7,
                tier: Some("worst"),
                url: "http://example.test/tally?horror=late".into(),
            }],
            entry_url: "http://example.test/dashboard".into(),
        }
    }

    fn count(haystack: &[u8], needle: &[u8]) -> usize {
        haystack
            .windows(needle.len())
            .filter(|w| *w == needle)
            .count()
    }

    #[test]
    fn a_month_is_one_page_and_two_months_are_two() {
        let one = render(&sheet(30, Paper::A4)).unwrap();
        assert!(one.starts_with(b"%PDF-"));
        assert_eq!(count(&one, b"/Type /Page\n"), 1);
        assert_eq!(count(&one, b"[0 0 842 595]"), 1);
        let two = render(&sheet(62, Paper::Letter)).unwrap();
        assert_eq!(count(&two, b"[0 0 792 612]"), 2);
        // Every face is embedded as a TrueType subset.
        assert_eq!(count(&two, b"/FontFile2"), fonts().unwrap().face_count());
    }
}
