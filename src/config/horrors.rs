//! The catalogue as written in the file or sent to `PUT /api/horrors`: horror keys, the
//! checks on each horror, and the number of horrors a catalogue may hold.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::Horror;
use crate::error::Detail;
use crate::keys::HorrorKey;
use crate::money::{Currency, Minor};
pub use crate::text::is_valid_key;

/// Fewest and most active horrors a catalogue may hold.
pub const MIN_HORRORS: usize = 5;
pub const MAX_HORRORS: usize = 8;

/// One horror as written in the file or sent to `PUT /api/horrors`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HorrorInput {
    /// 1 to 40 of `a-z`, `0-9` and `-`; unique in the catalogue.
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    pub key: String,
    /// 1 to 60 characters, not blank, no control characters.
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// At most 500 characters; newline and tab are the only control characters allowed.
    #[serde(default)]
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub description: Option<String>,
    /// 1 (mild) to 10 (unbearable).
    #[schema(minimum = 1, maximum = 10)]
    pub pain: i64,
    /// Non-negative decimal string in the organization's currency with at most its minor
    /// digits, e.g. `"35.00"`.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub unit_cost: String,
    #[serde(default)]
    #[schema(default = false)]
    pub operational: bool,
    /// The complaint playbook by language (`en`, `zh-Hans`, `zh-Hant`), five parts each.
    /// `PUT /api/horrors` keeps a horror's stored playbook when this is left out; `{}`
    /// clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub playbook: Option<crate::playbook::Playbook>,
}

impl HorrorInput {
    /// `horror` as it would be sent to `PUT /api/horrors`, its unit cost in `currency`.
    pub fn of(horror: &Horror, currency: Currency) -> HorrorInput {
        HorrorInput {
            key: horror.key.to_string(),
            name: horror.name.clone(),
            description: horror.description.clone(),
            pain: i64::from(horror.pain),
            unit_cost: currency.format(horror.unit_cost_minor),
            operational: horror.operational,
            playbook: Some(horror.playbook.clone()),
        }
    }
}

/// Validates a whole catalogue (the file's or `PUT /api/horrors`'s) and returns every
/// problem found, each naming its field as `horrors[i].field`.
// Over 80 lines: one check per field, in the order its details are reported.
pub fn validate_horrors(
    inputs: &[HorrorInput],
    currency: Currency,
) -> Result<Vec<Horror>, Vec<Detail>> {
    let mut details = Vec::new();
    let mut keys = HashSet::new();
    let mut horrors = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let field = |name: &str| format!("horrors[{i}].{name}");
        let mut problem = |name: &str, code, message: String| {
            details.push(Detail::field(field(name), code, message));
        };
        let key = crate::text::echo(&input.key);
        if !is_valid_key(&input.key) {
            problem(
                "key",
                "invalid_key",
                format!("{key} must be 1 to 40 of a-z, 0-9 and -"),
            );
        } else if !keys.insert(input.key.as_str()) {
            problem(
                "key",
                "duplicate_key",
                format!("key {key} appears more than once"),
            );
        }
        let name_len = input.name.chars().count();
        if input.name.trim().is_empty() || name_len > 60 {
            let message = format!("must be 1 to 60 characters, got {name_len}");
            problem("name", "invalid_name", message);
        } else if !crate::text::clean_name(&input.name) {
            problem("name", "invalid_name", crate::text::NAME_CONTROL.into());
        }
        if let Some(description) = &input.description {
            if !crate::text::clean_note(description) {
                let message = crate::text::NOTE_CONTROL.into();
                problem("description", "invalid_description", message);
            }
            if description.chars().count() > 500 {
                let message = "must be at most 500 characters".into();
                problem("description", "invalid_description", message);
            }
        }
        if !(1..=10).contains(&input.pain) {
            let message = format!("must be between 1 and 10, got {}", input.pain);
            problem("pain", "invalid_pain", message);
        }
        let unit_cost = currency.parse_amount(&input.unit_cost);
        if let Err(error) = &unit_cost {
            problem("unit_cost", "invalid_amount", error.to_string());
        }
        let playbook = match &input.playbook {
            None => crate::playbook::Playbook::new(),
            Some(playbook) => crate::playbook::validate(playbook, &field("playbook"))
                .unwrap_or_else(|problems| {
                    details.extend(problems);
                    crate::playbook::Playbook::new()
                }),
        };
        // A bad key has its detail already, and then nothing is kept.
        let Ok(key) = HorrorKey::parse(&input.key) else {
            continue;
        };
        horrors.push(Horror {
            key,
            name: input.name.clone(),
            description: input.description.clone().filter(|d| !d.is_empty()),
            pain: input.pain.clamp(1, 10) as u8,
            unit_cost_minor: unit_cost.unwrap_or(Minor::ZERO),
            operational: input.operational,
            position: i as u32,
            retired: false,
            playbook,
        });
    }
    if details.is_empty() && !(MIN_HORRORS..=MAX_HORRORS).contains(&inputs.len()) {
        details.push(Detail::field(
            "horrors",
            "wrong_horror_count",
            format!(
                "need {MIN_HORRORS} to {MAX_HORRORS} horrors, got {}",
                inputs.len()
            ),
        ));
    }
    if details.is_empty() {
        Ok(horrors)
    } else {
        Err(details)
    }
}
