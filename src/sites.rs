//! Sites (SPEC §16): the places a business works from, each with its own timezone for the
//! day of a tick, and the scope a request reads (one site or all).

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::keys::SiteKey;
use crate::text::FieldError;

/// Most sites a configuration may list.
pub const MAX_SITES: usize = 500;

/// One site as configured, and whether it was removed from the list since (retired: its
/// ticks stay, it takes no new ones).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Site {
    /// 1 to 40 of `a-z`, `0-9` and `-`; stable.
    #[schema(value_type = String)]
    pub key: SiteKey,
    pub name: String,
    /// IANA timezone; the organization's when the configuration names none.
    #[serde(with = "crate::calendar::tz_name")]
    #[schema(value_type = String)]
    pub timezone: Tz,
    #[serde(default)]
    pub retired: bool,
}

impl Site {
    /// The site's timezone.
    pub fn tz(&self) -> Tz {
        self.timezone
    }
}

/// `[[sites]]` as written in the file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Validates the file's sites; `org_tz` fills in a missing timezone. The error names the
/// field as `sites[i].field`.
pub fn validate(inputs: &[SiteInput], org_tz: Tz) -> Result<Vec<Site>, FieldError> {
    if inputs.len() > MAX_SITES {
        return Err(FieldError::new(
            "sites",
            format!("at most {MAX_SITES} sites, got {}", inputs.len()),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut sites = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let refuse =
            |field: &str, message: String| FieldError::new(format!("sites[{i}].{field}"), message);
        let key = SiteKey::parse(&input.key).map_err(|e| refuse("key", e.to_string()))?;
        if !seen.insert(input.key.as_str()) {
            return Err(refuse(
                "key",
                format!("duplicate site {}", crate::text::echo(&input.key)),
            ));
        }
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(refuse("name", "must be 1 to 60 characters".into()));
        }
        if !crate::text::clean_name(name) {
            return Err(refuse("name", crate::text::NAME_CONTROL.into()));
        }
        let tz: Tz = match &input.timezone {
            None => org_tz,
            Some(text) => text.parse().map_err(|_| {
                refuse(
                    "timezone",
                    format!("unknown IANA timezone {}", crate::text::echo(text)),
                )
            })?,
        };
        sites.push(Site {
            key,
            name: name.to_string(),
            timezone: tz,
            retired: false,
        });
    }
    Ok(sites)
}

/// The configured sites followed by the stored ones no longer listed (now retired).
pub fn merge(configured: &[Site], stored: &[Site]) -> Vec<Site> {
    let mut out = configured.to_vec();
    for old in stored {
        if !configured.iter().any(|s| s.key == old.key) {
            out.push(Site {
                retired: true,
                ..old.clone()
            });
        }
    }
    out
}

/// A site-bound token writes only at its own site (SPEC §16): 403 `wrong_site` when any of
/// `asked` names another. `what` says what is written ("records", "sets volume").
pub fn check_bound<'a>(
    asked: impl IntoIterator<Item = Option<&'a str>>,
    bound: Option<&str>,
    what: &str,
) -> Result<(), crate::error::Error> {
    let Some(bound) = bound else {
        return Ok(());
    };
    match asked.into_iter().flatten().find(|s| *s != bound) {
        None => Ok(()),
        Some(other) => Err(crate::error::Error::forbidden(
            "wrong_site",
            format!(
                "this token {what} at site {} only, not {}",
                crate::text::echo(bound),
                crate::text::echo(other)
            ),
        )),
    }
}

/// What a read counts: every site, or one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    pub site: Option<SiteKey>,
}

impl Scope {
    pub const ALL: Scope = Scope { site: None };

    pub fn site(key: SiteKey) -> Scope {
        Scope { site: Some(key) }
    }

    /// The one site read, or `None` for every site.
    pub fn stored(&self) -> Option<&str> {
        self.site.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(key: &str, tz: Option<&str>) -> SiteInput {
        SiteInput {
            key: key.into(),
            name: format!("Site {key}"),
            timezone: tz.map(str::to_string),
        }
    }

    #[test]
    fn a_missing_timezone_is_the_organizations() {
        let sites = validate(
            &[input("a", None), input("b", Some("Asia/Tokyo"))],
            chrono_tz::America::Chicago,
        )
        .unwrap();
        assert_eq!(sites[0].timezone.name(), "America/Chicago");
        assert_eq!(sites[1].timezone.name(), "Asia/Tokyo");
    }

    #[test]
    fn refuses_bad_keys_names_timezones_and_duplicates() {
        let tz = chrono_tz::UTC;
        for (sites, field) in [
            (vec![input("Bad", None)], "sites[0].key"),
            (vec![input("a", None), input("a", None)], "sites[1].key"),
            (vec![input("a", Some("Mars/Base"))], "sites[0].timezone"),
            (
                vec![SiteInput {
                    key: "a".into(),
                    name: " ".into(),
                    timezone: None,
                }],
                "sites[0].name",
            ),
            (
                vec![SiteInput {
                    key: "a".into(),
                    name: "a\u{7}b".into(),
                    timezone: None,
                }],
                "sites[0].name",
            ),
        ] {
            let error = validate(&sites, tz).unwrap_err();
            assert!(error.to_string().starts_with(field), "{error}");
        }
        let many: Vec<_> = (0..=MAX_SITES)
            .map(|i| input(&format!("s{i}"), None))
            .collect();
        assert!(validate(&many, tz)
            .unwrap_err()
            .to_string()
            .starts_with("sites:"));
        let most: Vec<_> = (0..MAX_SITES)
            .map(|i| input(&format!("s{i}"), None))
            .collect();
        assert_eq!(validate(&most, tz).unwrap().len(), MAX_SITES);
    }

    #[test]
    fn a_site_left_out_is_retired_and_one_listed_again_is_back() {
        let tz = chrono_tz::UTC;
        let first = validate(&[input("a", None), input("b", None)], tz).unwrap();
        let second = merge(&validate(&[input("b", None)], tz).unwrap(), &first);
        assert_eq!(
            second
                .iter()
                .map(|s| (s.key.as_str(), s.retired))
                .collect::<Vec<_>>(),
            [("b", false), ("a", true)]
        );
        let third = merge(
            &validate(&[input("a", None), input("b", None)], tz).unwrap(),
            &second,
        );
        assert!(third.iter().all(|s| !s.retired));
        assert_eq!(third.len(), 2);
    }
}
