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

/// Most characters of a refused input an error message repeats.
pub const ECHO_CHARS: usize = 60;

/// A refused input as an error message quotes it: in double quotes with Rust's escapes,
/// cut after [`ECHO_CHARS`] characters with "…", so a 50 MB cell or a 60 KB key never comes
/// back whole.
pub fn echo(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        None => format!("{text:?}"),
        Some((end, _)) => format!("{:?}…", &text[..end]),
    }
}

/// The message for a refused name.
pub const NAME_CONTROL: &str = "must not contain control characters";
/// The message for a refused note.
pub const NOTE_CONTROL: &str = "must not contain control characters other than newline and tab";

/// Whether `key` is a valid horror or site key: `[a-z0-9-]`, 1 to 40 characters.
pub fn is_valid_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A refused setting of the configuration file: the field (`sites[2].key`,
/// `auth.oidc.issuer`) and what is wrong. Modules below the configuration return it; the
/// configuration reports it as a `ConfigError::Field`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A value outside a closed list (`by`, `bucket`, a tick's `source`): names the field, the
/// values it allows and, echoed safely, what was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} must be {allowed}; got {}", echo(.got))]
pub struct NotAllowed {
    pub field: &'static str,
    /// The allowed values as the message lists them, e.g. `one of day, week, month`.
    pub allowed: &'static str,
    pub got: String,
}

impl NotAllowed {
    pub fn new(field: &'static str, allowed: &'static str, got: &str) -> Self {
        NotAllowed {
            field,
            allowed,
            got: got.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_are_quoted_and_capped() {
        assert_eq!(echo("abc"), "\"abc\"");
        assert_eq!(echo("a\"b\n"), "\"a\\\"b\\n\"");
        let long = "é".repeat(50_000);
        let e = echo(&long);
        assert_eq!(e, format!("{:?}…", "é".repeat(ECHO_CHARS)));
        assert_eq!(
            echo(&"x".repeat(ECHO_CHARS)),
            format!("{:?}", "x".repeat(ECHO_CHARS))
        );
    }

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

    #[test]
    fn closed_lists_name_their_values_and_echo_what_was_given() {
        let cases = [
            (
                crate::ranking::By::parse("size").unwrap_err(),
                "by must be one of priority, count, cost, pain; got \"size\"",
            ),
            (
                crate::calendar::Bucket::parse("year").unwrap_err(),
                "bucket must be one of day, week, month; got \"year\"",
            ),
            (
                crate::ticks::Source::parse("phone").unwrap_err(),
                "source must be internal, complaint, observer or sheet; got \"phone\"",
            ),
            (
                crate::auth::Role::parse("root").unwrap_err(),
                "role must be staff, viewer or admin; got \"root\"",
            ),
            (
                crate::ranking::Group::parse("horror").unwrap_err(),
                "group must be one of site, department, source; got \"horror\"",
            ),
            (
                crate::control::BaselineKind::parse("too_few").unwrap_err(),
                "baseline must be before or window; got \"too_few\"",
            ),
            (
                crate::alerts::State::parse("closed").unwrap_err(),
                "state must be open or all; got \"closed\"",
            ),
            (
                crate::charts::ChartName::parse("pie").unwrap_err(),
                "chart must be one of pareto, cost, trend, compare, matrix, control; got \"pie\"",
            ),
            (
                crate::charts::Format::parse("gif").unwrap_err(),
                "format must be one of svg, png; got \"gif\"",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
