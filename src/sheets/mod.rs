//! Paper check sheets (step 2 of the method, counting beyond the phone): a filled-in sheet
//! (day × horror counts) becomes ticks with `source: "sheet"`, one of qty N per day and
//! horror at local noon of the day, all or nothing. [`pdf`] prints the empty sheet.

pub mod pdf;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::calendar::local_day;
use crate::config::Settings;
use crate::error::{Detail, Error};
use crate::keys::SiteKey;
use crate::ticks::{NewTick, Source, Tick, MAX_QTY};

/// Most days one sheet may carry (two months of a daily sheet).
pub const MAX_DAYS: usize = 62;

/// `POST /api/sheets`: what a filled-in check sheet says.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetInput {
    /// The site's key: required with sites configured unless the token is bound to one;
    /// refused without sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    pub site: Option<String>,
    /// One of the configured departments (any name of at most 60 characters when none are
    /// configured; `""` means none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 60, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub department: Option<String>,
    /// 1..=62 different days, none after today.
    #[schema(min_items = 1, max_items = 62)]
    pub days: Vec<SheetDay>,
}

/// One column of the sheet: a day and the count of each horror ticked on it.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetDay {
    /// `YYYY-MM-DD`, local date; not after today.
    #[schema(format = Date, pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub day: String,
    /// Horror key → count, 0..=1000 (0 records nothing).
    #[schema(value_type = BTreeMap<String, i64>)]
    pub counts: BTreeMap<String, i64>,
}

impl SheetInput {
    /// A fingerprint of what was sent, to tell a replay from another sheet that reuses an
    /// idempotency key (maps are ordered, so equal sheets serialise equally).
    pub fn fingerprint(&self) -> Vec<u8> {
        Sha256::digest(serde_json::to_vec(self).unwrap_or_default()).to_vec()
    }
}

/// A checked sheet, ready for the store: its ticks carry no idempotency of their own (the
/// sheet's key covers them) and learn the sheet's id when it is stored.
#[derive(Clone, Debug, PartialEq)]
pub struct NewSheet {
    pub site: Option<SiteKey>,
    pub department: Option<String>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub ticks: Vec<NewTick>,
}

/// A stored sheet with its ticks, as `POST /api/sheets` and `DELETE /api/sheets/{id}`
/// answer.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Sheet {
    pub id: i64,
    /// The site's key; null without sites.
    #[schema(value_type = Option<String>)]
    pub site: Option<SiteKey>,
    pub department: Option<String>,
    /// The sheet's first and last day (`YYYY-MM-DD`).
    pub first_day: String,
    pub last_day: String,
    pub recorded_at: String,
    pub recorded_by: String,
    /// Whether the sheet (all its ticks) was voided.
    pub voided: bool,
    /// One tick per day and horror with a count above zero, in day order.
    pub ticks: Vec<Tick>,
}

/// Horrors a sheet may count: `Ok(true)` active, `Ok(false)` retired, `Err` unknown.
pub trait Catalogue {
    fn active(&self, key: &str) -> Option<bool>;
}

/// A `YYYY-MM-DD` date written in full, from 1970-01-02 on.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    // chrono accepts one-digit months and days; a date on a sheet is written in full.
    let well_formed = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !well_formed {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| *d >= NaiveDate::from_ymd_opt(1970, 1, 2).unwrap_or_default())
}

/// Local noon of `day` in `tz` (the first noon, should a zone ever repeat it).
fn noon(day: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// Checks a sheet against the settings, the catalogue and the clock: every problem is one
/// detail (`field` names where: `days[3].counts.late`), and any problem refuses it all.
// Over 80 lines: one check per field and cell, in the order its details are reported.
pub fn validate(
    input: &SheetInput,
    settings: &Settings,
    catalogue: &dyn Catalogue,
    bound_site: Option<&str>,
    now: DateTime<Utc>,
) -> Result<NewSheet, Error> {
    let mut details = Vec::new();
    let mut problem = |field: String, code: &'static str, message: String| {
        details.push(Detail::field(field, code, message));
    };
    let site = match settings.site_for_write(input.site.as_deref(), bound_site) {
        Ok(site) => site.cloned(),
        Err((code, message)) => {
            problem("site".into(), code, message);
            None
        }
    };
    let department = match crate::ticks::department(settings, input.department.as_deref()) {
        Ok(department) => department,
        Err((code, message)) => {
            problem("department".into(), code, message);
            None
        }
    };
    if input.days.is_empty() || input.days.len() > MAX_DAYS {
        problem(
            "days".into(),
            "invalid_days",
            format!(
                "a sheet holds 1 to {MAX_DAYS} days, got {}",
                input.days.len()
            ),
        );
    }
    let tz = settings.site_tz(site.as_deref());
    let today = local_day(now, tz);
    let now = crate::ticks::to_millis(now);
    let mut seen = BTreeSet::new();
    let mut ticks = Vec::new();
    for (i, day) in input.days.iter().enumerate() {
        let Some(date) = parse_day(&day.day) else {
            problem(
                format!("days[{i}].day"),
                "invalid_day",
                format!(
                    "day {} is not a date from 1970-01-02 on, such as 2026-03-08",
                    crate::text::echo(&day.day)
                ),
            );
            continue;
        };
        if date > today {
            problem(
                format!("days[{i}].day"),
                "day_in_future",
                format!("day {date} is after today ({today}): count a day once it happened"),
            );
        }
        if !seen.insert(date) {
            problem(
                format!("days[{i}].day"),
                "duplicate_day",
                format!("day {date} is on the sheet twice"),
            );
        }
        // Today's ticks cannot be at a noon still to come.
        let at = noon(date, tz).min(now);
        for (key, &count) in &day.counts {
            let field = format!("days[{i}].counts.{key}");
            match catalogue.active(key) {
                None => problem(
                    field.clone(),
                    "unknown_horror",
                    format!("no horror with key {}", crate::text::echo(key)),
                ),
                Some(false) => problem(
                    field.clone(),
                    "retired_horror",
                    format!(
                        "horror {} is retired and can no longer be ticked",
                        crate::text::echo(key)
                    ),
                ),
                Some(true) => {}
            }
            if !(0..=MAX_QTY).contains(&count) {
                problem(
                    field,
                    "invalid_count",
                    format!("a count must be a whole number from 0 to {MAX_QTY}, got {count}"),
                );
                continue;
            }
            if count > 0 {
                ticks.push(NewTick {
                    horror: key.clone(),
                    qty: count,
                    occurred_at: at,
                    source: Source::Sheet,
                    department: department.clone(),
                    note: None,
                    cost_minor: None,
                    idempotency: None,
                    site: site.clone(),
                });
            }
        }
    }
    if !details.is_empty() {
        let first = details[0].code;
        return Err(Error::Invalid {
            code: top_code(first),
            message: format!(
                "the sheet is invalid ({}); nothing was recorded",
                details[0].message
            ),
            details,
        });
    }
    ticks.sort_by_key(|t| t.occurred_at);
    let (Some(first_day), Some(last_day)) = (seen.first(), seen.last()) else {
        return Err(Error::invalid(
            "invalid_days",
            "a sheet holds at least one day",
        ));
    };
    Ok(NewSheet {
        site,
        department,
        first_day: *first_day,
        last_day: *last_day,
        ticks,
    })
}

/// The first problem's code becomes the error's code (as a single tick's does).
fn top_code(code: &str) -> &'static str {
    const CODES: &[&str] = &[
        "site_required",
        "unknown_site",
        "retired_site",
        "invalid_department",
        "unknown_department",
        "invalid_days",
        "invalid_day",
        "day_in_future",
        "duplicate_day",
        "unknown_horror",
        "retired_horror",
        "invalid_count",
    ];
    CODES
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("invalid_sheet")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Keys;
    impl Catalogue for Keys {
        fn active(&self, key: &str) -> Option<bool> {
            match key {
                "late" | "lost" => Some(true),
                "old" => Some(false),
                _ => None,
            }
        }
    }

    fn settings() -> Settings {
        let mut config = crate::config::parse(include_str!("../../tests/fixtures/horrors.toml"))
            .expect("the test configuration");
        config.settings.departments = vec!["Dock".into()];
        config.settings
    }

    /// 2026-03-08 09:00 in Chicago (UTC−6 until the change that night).
    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-08T09:00:00-06:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn sheet(json: serde_json::Value) -> Result<NewSheet, Error> {
        let input: SheetInput = serde_json::from_value(json).unwrap();
        validate(&input, &settings(), &Keys, None, now())
    }

    fn code(json: serde_json::Value) -> &'static str {
        match sheet(json) {
            Err(Error::Invalid { code, .. }) => code,
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn counts_become_ticks_at_local_noon_and_zero_records_nothing() {
        let sheet = sheet(serde_json::json!({"department": "Dock", "days": [
            {"day": "2026-03-07", "counts": {"late": 2, "lost": 0}},
            {"day": "2026-03-02", "counts": {"lost": 1000}},
        ]}))
        .unwrap();
        assert_eq!(sheet.first_day.to_string(), "2026-03-02");
        assert_eq!(sheet.last_day.to_string(), "2026-03-07");
        let ticks: Vec<(String, i64, String)> = sheet
            .ticks
            .iter()
            .map(|t| {
                (
                    t.horror.clone(),
                    t.qty,
                    crate::ticks::rfc3339(t.occurred_at),
                )
            })
            .collect();
        assert_eq!(
            ticks,
            vec![
                ("lost".into(), 1000, "2026-03-02T18:00:00Z".into()),
                ("late".into(), 2, "2026-03-07T18:00:00Z".into()),
            ]
        );
        assert!(sheet.ticks.iter().all(|t| t.source == Source::Sheet
            && t.department.as_deref() == Some("Dock")
            && t.idempotency.is_none()));
    }

    #[test]
    fn today_is_counted_now_rather_than_at_a_noon_to_come() {
        let sheet =
            sheet(serde_json::json!({"days": [{"day": "2026-03-08", "counts": {"late": 1}}]}))
                .unwrap();
        assert_eq!(sheet.ticks[0].occurred_at, now());
    }

    #[test]
    fn bad_sheets_are_refused_with_the_first_problem_named() {
        let day = |d: &str| serde_json::json!({"days": [{"day": d, "counts": {"late": 1}}]});
        let count =
            |n: i64| serde_json::json!({"days": [{"day": "2026-03-01", "counts": {"late": n}}]});
        let cases = [
            (count(-1), "invalid_count"),
            (count(1001), "invalid_count"),
            (day("2026-03-09"), "day_in_future"),
            (day("2026-3-1"), "invalid_day"),
            (day("2026-02-30"), "invalid_day"),
            (day("1969-12-31"), "invalid_day"),
            (day("yesterday"), "invalid_day"),
            (serde_json::json!({"days": []}), "invalid_days"),
            (
                serde_json::json!({"days": [{"day": "2026-03-01", "counts": {"nope": 1}}]}),
                "unknown_horror",
            ),
            (
                serde_json::json!({"days": [{"day": "2026-03-01", "counts": {"old": 1}}]}),
                "retired_horror",
            ),
            (
                serde_json::json!({"days": [{"day": "2026-03-01", "counts": {}},
                                            {"day": "2026-03-01", "counts": {}}]}),
                "duplicate_day",
            ),
            (
                serde_json::json!({"department": "Kitchen", "days": [{"day": "2026-03-01", "counts": {}}]}),
                "unknown_department",
            ),
            (
                serde_json::json!({"site": "north", "days": [{"day": "2026-03-01", "counts": {}}]}),
                "unknown_site",
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(code(json.clone()), expected, "{json}");
        }
        let many: Vec<_> = (1..=63)
            .map(|i| {
                let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(i);
                serde_json::json!({"day": d.to_string(), "counts": {}})
            })
            .collect();
        assert_eq!(code(serde_json::json!({"days": many})), "invalid_days");
    }
}
