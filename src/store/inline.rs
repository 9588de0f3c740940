//! Short text kept inline, for the keys the writer handles per tick (a day, a source, a
//! site): formatting or copying one allocates nothing. Each allocation the writer makes
//! for a tick is freed with the rest of its group, in a burst that overflows glibc's
//! per-thread cache and then waits on an arena lock an HTTP worker shares
//! (docs/performance.md, "Eleventh session").

use std::fmt::{self, Write as _};

/// Up to `N` bytes of UTF-8, inline. Ordered and compared as the text it holds.
#[derive(Clone, Copy)]
pub struct Inline<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

/// A date as `YYYY-MM-DD` (any date chrono has fits: `+262143-12-31` is 13 bytes).
pub type DayText = Inline<16>;

impl<const N: usize> Inline<N> {
    const EMPTY: Self = Inline {
        bytes: [0; N],
        len: 0,
    };

    /// `text` when it fits in `N` bytes.
    pub fn new(text: &str) -> Option<Self> {
        let mut inline = Self::EMPTY;
        inline.write_str(text).ok()?;
        Some(inline)
    }

    /// `value` as its `Display` writes it, when that fits in `N` bytes.
    pub fn display(value: impl fmt::Display) -> Option<Self> {
        let mut inline = Self::EMPTY;
        write!(inline, "{value}").ok()?;
        Some(inline)
    }

    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in (`write_str`), so the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl DayText {
    /// A date's text, e.g. `2026-03-08`.
    pub fn of(date: chrono::NaiveDate) -> DayText {
        if let Some(text) = crate::stamp::date_bytes(date) {
            let mut inline = Self::EMPTY;
            inline.bytes[..text.len()].copy_from_slice(&text);
            inline.len = text.len();
            return inline;
        }
        // Every chrono date fits (see `DayText`); an empty text would be a bug, caught
        // by the tests below.
        Inline::display(date).unwrap_or(Self::EMPTY)
    }
}

impl<const N: usize> fmt::Write for Inline<N> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.len + text.len();
        let room = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        room.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl<const N: usize> PartialEq for Inline<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<const N: usize> Eq for Inline<N> {}

impl<const N: usize> PartialOrd for Inline<N> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<const N: usize> Ord for Inline<N> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl<const N: usize> fmt::Debug for Inline<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_day_reads_as_chrono_writes_it_even_at_the_ends_of_its_range() {
        for date in [
            NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
            NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap(),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ] {
            assert_eq!(DayText::of(date).as_str(), date.to_string());
        }
    }

    #[test]
    fn text_that_fits_is_kept_and_longer_text_is_refused() {
        let site = Inline::<8>::new("chicago").unwrap();
        assert_eq!(site.as_str(), "chicago");
        assert_eq!(Inline::<8>::new("12345678").unwrap().as_str(), "12345678");
        assert!(Inline::<8>::new("123456789").is_none());
        assert_eq!(Inline::<8>::new("").unwrap().as_str(), "");
        // Multi-byte text is counted in bytes and never cut inside a character.
        assert!(Inline::<4>::new("né").is_some());
        assert!(Inline::<4>::new("néé").is_none());
        assert!(Inline::<4>::display(12_345).is_none());
    }

    #[test]
    fn order_and_equality_are_the_texts() {
        let mut keys: Vec<Inline<8>> = ["b", "ab", "a", "", "abc", "ab"]
            .iter()
            .map(|t| Inline::new(t).unwrap())
            .collect();
        keys.sort();
        let texts: Vec<&str> = keys.iter().map(Inline::as_str).collect();
        assert_eq!(texts, ["", "a", "ab", "ab", "abc", "b"]);
        assert_eq!(keys[2], keys[3]);
        assert_ne!(keys[1], keys[2]);
    }
}
