//! Step 1 of the method, the list: anyone with staff rights proposes a horror from what
//! customers complain about, viewers and admins support it, and an admin adopts it into the
//! catalogue (five to eight active horrors) or declines it with a reason.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Error, Result};

/// Longest title, in characters.
pub const MAX_TITLE: usize = 80;
/// Longest description or example, in characters.
pub const MAX_TEXT: usize = 2000;
/// Longest reason for declining, in characters.
pub const MAX_REASON: usize = 500;

/// `POST /api/nominations`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationInput {
    /// What goes wrong, 1 to 80 characters, no control characters.
    #[schema(min_length = 1, max_length = 80)]
    pub title: String,
    /// At most 2,000 characters; newline and tab are the only control characters allowed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// What a customer said or what happened, at most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub example: Option<String>,
}

/// A checked nomination, ready for the store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewNomination {
    pub title: String,
    pub description: Option<String>,
    pub example: Option<String>,
}

fn invalid(code: &'static str, field: &str, message: String) -> Error {
    Error::Invalid {
        code,
        message: message.clone(),
        details: vec![crate::error::Detail::field(field, code, message)],
    }
}

fn text(field: &str, value: &Option<String>, max: usize) -> Result<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    if value.chars().count() > max {
        return Err(invalid(
            "invalid_nomination",
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    if !crate::text::clean_note(value) {
        return Err(invalid(
            "invalid_nomination",
            field,
            format!("{field} {}", crate::text::NOTE_CONTROL),
        ));
    }
    Ok(Some(value.trim().to_string()).filter(|v| !v.is_empty()))
}

impl NominationInput {
    /// Checks lengths and characters: 422 `invalid_nomination` naming the field.
    pub fn validate(&self) -> Result<NewNomination> {
        // Counted and checked as sent: trimming would hide a control character such as
        // U+0085 (which Rust counts as whitespace) and the characters it stands for.
        let title = self.title.trim();
        let sent = self.title.chars().count();
        if title.is_empty() || sent > MAX_TITLE {
            return Err(invalid(
                "invalid_nomination",
                "title",
                format!("title must be 1 to {MAX_TITLE} characters, got {sent}"),
            ));
        }
        if !crate::text::clean_name(&self.title) {
            return Err(invalid(
                "invalid_nomination",
                "title",
                format!("title {}", crate::text::NAME_CONTROL),
            ));
        }
        Ok(NewNomination {
            title: title.to_string(),
            description: text("description", &self.description, MAX_TEXT)?,
            example: text("example", &self.example, MAX_TEXT)?,
        })
    }
}

/// Where a nomination stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Open,
    Adopted,
    Declined,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Adopted => "adopted",
            State::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        match text {
            "open" => Some(State::Open),
            "adopted" => Some(State::Adopted),
            "declined" => Some(State::Declined),
            _ => None,
        }
    }
}

/// A nomination as every endpoint returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Nomination {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub example: Option<String>,
    /// The name of the token that proposed it.
    pub by: String,
    /// RFC 3339.
    pub created_at: String,
    /// How many tokens support it.
    pub support: i64,
    pub state: State,
    /// The adopted horror's key, once adopted.
    pub horror: Option<String>,
    /// Why it was declined.
    pub reason: Option<String>,
    /// When it was adopted or declined (RFC 3339).
    pub decided_at: Option<String>,
    /// Who adopted or declined it.
    pub decided_by: Option<String>,
    /// Whether the caller's token supports it.
    pub supported: bool,
}

/// `POST /api/nominations/{id}/adopt`: the horror it becomes.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptInput {
    /// 1 to 40 of `a-z`, `0-9` and `-`: a new key, or a retired horror's (re-added).
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    pub key: String,
    /// 1 to 60 characters.
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// Customer pain 1..=10.
    #[schema(minimum = 1, maximum = 10)]
    pub pain: i64,
    /// Cost of one occurrence, a decimal string.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub unit_cost: String,
    /// At most 500 characters; defaults to the nomination's description when that fits.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[serde(default)]
    pub operational: bool,
}

/// `POST /api/nominations/{id}/decline`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    /// Why, 1 to 500 characters (the yearly re-run reads it).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

impl DeclineInput {
    pub fn validate(&self) -> Result<String> {
        let reason = self.reason.trim();
        let count = reason.chars().count();
        if count == 0 || count > MAX_REASON || !crate::text::clean_note(reason) {
            return Err(invalid(
                "invalid_reason",
                "reason",
                format!(
                    "reason must be 1 to {MAX_REASON} characters, without control characters but newline and tab"
                ),
            ));
        }
        Ok(reason.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str) -> NominationInput {
        NominationInput {
            title: title.into(),
            description: None,
            example: None,
        }
    }

    #[test]
    fn titles_are_one_to_eighty_clean_characters() {
        assert_eq!(input(" Cold food ").validate().unwrap().title, "Cold food");
        assert!(input(&"菜".repeat(80)).validate().is_ok());
        // A C1 control character is refused, not trimmed away as whitespace.
        assert!(input(&format!("\u{85}{}", "*".repeat(80)))
            .validate()
            .is_err());
        assert!(input(&format!("\u{85}{}", "*".repeat(10)))
            .validate()
            .is_err());
        for bad in ["", "   ", &"x".repeat(81), "a\u{0}b", "tab\there"] {
            assert!(input(bad).validate().is_err(), "{bad:?}");
        }
        let long = NominationInput {
            example: Some("x".repeat(2001)),
            ..input("ok")
        };
        assert!(long.validate().is_err());
        let blank = NominationInput {
            description: Some("  ".into()),
            ..input("ok")
        };
        assert_eq!(blank.validate().unwrap().description, None);
    }
}
