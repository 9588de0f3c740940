//! The complaint playbook: how to answer a reasonable complaint about a horror, in the five
//! parts of the method's source material (apologise; say who we are and what we stand for;
//! say how we will handle it; state the follow-up; then do it), per language. The tally
//! shows it right after a complaint tick.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Detail;

/// Longest part, in characters.
pub const MAX_PART: usize = 1000;

/// The languages a playbook may be written in (the pages' languages).
pub const LANGUAGES: [&str; 3] = ["en", "zh-Hans", "zh-Hant"];

/// The five parts of an answer to a complaint, in order; any may be left empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Parts {
    /// 1. Apologise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schema(max_length = 1000)]
    pub apologise: String,
    /// 2. Restate who we are and what we stand for.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schema(max_length = 1000)]
    pub who_we_are: String,
    /// 3. Say how we will handle the problem.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schema(max_length = 1000)]
    pub handling: String,
    /// 4. State the follow-up.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schema(max_length = 1000)]
    pub follow_up: String,
    /// 5. Do it, and follow up.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schema(max_length = 1000)]
    pub do_it: String,
}

impl Parts {
    /// The parts in order with their field names.
    pub fn named(&self) -> [(&'static str, &str); 5] {
        [
            ("apologise", &self.apologise),
            ("who_we_are", &self.who_we_are),
            ("handling", &self.handling),
            ("follow_up", &self.follow_up),
            ("do_it", &self.do_it),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.named().iter().all(|(_, text)| text.trim().is_empty())
    }

    fn part_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "apologise" => &mut self.apologise,
            "who_we_are" => &mut self.who_we_are,
            "handling" => &mut self.handling,
            "follow_up" => &mut self.follow_up,
            "do_it" => &mut self.do_it,
            _ => return None,
        })
    }
}

/// A playbook by language tag (`en`, `zh-Hans`, `zh-Hant`); empty when none is written.
pub type Playbook = BTreeMap<String, Parts>;

/// The names of the five parts, in order.
pub const PART_NAMES: [&str; 5] = ["apologise", "who_we_are", "handling", "follow_up", "do_it"];

/// Checks a playbook: known languages only, each part at most [`MAX_PART`] characters
/// without control characters but newline and tab. `field` prefixes the details' fields
/// (such as `horrors[2].playbook`). Returns the playbook with blank parts and languages
/// dropped.
pub fn validate(playbook: &Playbook, field: &str) -> Result<Playbook, Vec<Detail>> {
    let mut details = Vec::new();
    let mut out = Playbook::new();
    for (lang, parts) in playbook {
        if !LANGUAGES.contains(&lang.as_str()) {
            details.push(Detail::field(
                format!("{field}.{lang}"),
                "invalid_playbook",
                format!(
                    "unknown language {lang:?}: a playbook is written in {}",
                    LANGUAGES.join(", ")
                ),
            ));
            continue;
        }
        let mut kept = Parts::default();
        for (name, text) in parts.named() {
            let f = format!("{field}.{lang}.{name}");
            if text.chars().count() > MAX_PART {
                details.push(Detail::field(
                    f,
                    "invalid_playbook",
                    format!("must be at most {MAX_PART} characters"),
                ));
            } else if !crate::text::clean_note(text) {
                details.push(Detail::field(
                    f,
                    "invalid_playbook",
                    crate::text::NOTE_CONTROL,
                ));
            } else if let Some(slot) = kept.part_mut(name) {
                *slot = text.trim().to_string();
            }
        }
        if !kept.is_empty() {
            out.insert(lang.clone(), kept);
        }
    }
    if details.is_empty() {
        Ok(out)
    } else {
        Err(details)
    }
}

/// The playbook to show in `lang`: that language's, else English, else any written one.
pub fn for_lang<'a>(playbook: &'a Playbook, lang: &str) -> Option<&'a Parts> {
    playbook
        .get(lang)
        .or_else(|| playbook.get("en"))
        .or_else(|| playbook.values().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(json: &str) -> Playbook {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn keeps_known_languages_and_trims_blank_parts() {
        let ok = validate(
            &book(r#"{"en": {"apologise": " Sorry. ", "do_it": "Call back.\nToday."}, "zh-Hant": {"apologise": "  "}}"#),
            "p",
        )
        .unwrap();
        assert_eq!(ok.len(), 1, "a language with only blank parts is dropped");
        assert_eq!(ok["en"].apologise, "Sorry.");
        assert_eq!(ok["en"].do_it, "Call back.\nToday.");
    }

    #[test]
    fn refuses_unknown_languages_long_parts_and_control_characters() {
        let long = "x".repeat(MAX_PART + 1);
        let cases = [
            (r#"{"fr": {"apologise": "Pardon"}}"#.to_string(), "p.fr"),
            (
                format!(r#"{{"en": {{"handling": "{long}"}}}}"#),
                "p.en.handling",
            ),
            (
                r#"{"zh-Hans": {"follow_up": "a\u0007b"}}"#.to_string(),
                "p.zh-Hans.follow_up",
            ),
        ];
        for (json, field) in cases {
            let details = validate(&book(&json), "p").unwrap_err();
            assert_eq!(details[0].code, "invalid_playbook");
            assert_eq!(details[0].field.as_deref(), Some(field), "{json}");
        }
        assert!(serde_json::from_str::<Playbook>(r#"{"en": {"sorry": "x"}}"#).is_err());
    }

    #[test]
    fn falls_back_to_english_then_any() {
        let both = book(r#"{"en": {"apologise": "Sorry"}, "zh-Hans": {"apologise": "抱歉"}}"#);
        assert_eq!(for_lang(&both, "zh-Hans").unwrap().apologise, "抱歉");
        assert_eq!(for_lang(&both, "zh-Hant").unwrap().apologise, "Sorry");
        let chinese = book(r#"{"zh-Hant": {"apologise": "抱歉"}}"#);
        assert_eq!(for_lang(&chinese, "en").unwrap().apologise, "抱歉");
        assert!(for_lang(&Playbook::new(), "en").is_none());
    }
}
