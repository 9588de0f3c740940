//! The embedded fonts cut down to the characters an HTML document uses, as CSS `@font-face`
//! rules with data URLs, so the document's text renders on a machine without any fonts.
//! Characters go to the face the charts would draw them with (the same fallback order), and
//! each face's subset keeps a Unicode `cmap`, which browsers need to map text to glyphs.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{subset, CmapTarget, SubsetProfile};
use base64::Engine as _;

use super::{fonts, FontError};

/// `@font-face` rules and the font-family list that names them, fallback order first.
pub struct WebFonts {
    /// The `@font-face` rules.
    pub css: String,
    /// A CSS font-family list of the embedded families (quoted, comma-separated), to put
    /// before the system fonts.
    pub families: String,
}

/// The family name a subset of the embedded face `name` is declared under; distinct from the
/// font's own name so a locally installed copy is never shadowed by the subset.
fn family(name: &str) -> String {
    format!("Embedded {name}")
}

fn failed(name: &str, e: impl std::fmt::Display) -> FontError {
    FontError(format!("subsetting embedded font {name}: {e}"))
}

/// Subsets the embedded faces to the characters of `text` (faces none of whose glyphs are
/// used are left out) and returns them as CSS.
pub fn web_fonts(text: &str) -> Result<WebFonts, FontError> {
    let fonts = fonts()?;
    let mut used: Vec<BTreeSet<u16>> = vec![BTreeSet::new(); fonts.face_count()];
    for c in text.chars() {
        if c.is_control() {
            continue;
        }
        if let Some(face) = fonts.face_with(c) {
            used[face].insert(fonts.glyph_of(face, c));
        }
    }
    let mut css = String::new();
    let mut families = Vec::new();
    for (face, glyphs) in used.into_iter().enumerate() {
        if glyphs.is_empty() {
            continue;
        }
        let (name, bytes) = fonts.face_file(face);
        let subset = subset_font(name, bytes, &glyphs)?;
        let family = family(name);
        let data = base64::engine::general_purpose::STANDARD.encode(&subset);
        let _ = writeln!(
            css,
            "@font-face {{ font-family: \"{family}\"; font-display: block; \
             src: url(data:font/ttf;base64,{data}) format(\"truetype\"); }}"
        );
        families.push(format!("\"{family}\""));
    }
    Ok(WebFonts {
        css,
        families: families.join(", "),
    })
}

/// A TrueType font with only `glyphs` (and `.notdef`), a Unicode cmap for them, and the
/// tables an OpenType font needs.
pub(crate) fn subset_font(
    name: &str,
    bytes: &[u8],
    glyphs: &BTreeSet<u16>,
) -> Result<Vec<u8>, FontError> {
    let data = ReadScope::new(bytes)
        .read::<FontData<'_>>()
        .map_err(|e| failed(name, e))?;
    let provider = data.table_provider(0).map_err(|e| failed(name, e))?;
    // Glyph 0 must come first; a BTreeSet is sorted and has no duplicates.
    let ids: Vec<u16> = std::iter::once(0)
        .chain(glyphs.iter().copied().filter(|&g| g != 0))
        .collect();
    subset(
        &provider,
        &ids,
        &SubsetProfile::Minimal,
        CmapTarget::Unicode,
    )
    .map_err(|e| failed(name, e))
}
