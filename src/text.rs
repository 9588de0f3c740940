//! Rules for text people type: names carry no control characters at all; notes may break
//! lines and use tabs, nothing else invisible (SPEC §14). Control characters are
//! U+0000–U+001F and U+007F–U+009F (Unicode category Cc).

/// Whether a name (horror, department, site, cycle, token, organization) is free of
/// control characters.
pub fn clean_name(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// Whether a note (tick note, void reason, cycle note, description) has no control
/// characters but newline and tab.
pub fn clean_note(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// The message for a refused name.
pub const NAME_CONTROL: &str = "must not contain control characters";
/// The message for a refused note.
pub const NOTE_CONTROL: &str = "must not contain control characters other than newline and tab";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_exactly_the_c0_and_c1_ranges() {
        for c in [
            '\u{0}', '\u{1}', '\t', '\n', '\r', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}',
        ] {
            assert!(!clean_name(&format!("a{c}b")), "{c:?}");
        }
        for c in [' ', '\u{a0}', '\u{200b}', 'é', '迟', '🚚'] {
            assert!(clean_name(&format!("a{c}b")), "{c:?}");
        }
        assert!(clean_note("line one\nline\ttwo"));
        for c in ['\u{0}', '\r', '\u{1b}', '\u{85}'] {
            assert!(!clean_note(&format!("a{c}b")), "{c:?}");
        }
    }
}
