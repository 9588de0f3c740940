//! Volume (SPEC §17): the units a business handles per local day and site, so failures can
//! be read per 1,000 units, and so comparisons can use volume exposure (SPEC §18).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::Window;
use crate::config::Settings;
use crate::error::{Detail, Error};
use crate::keys::SiteKey;
use crate::sites::Scope;

/// Most units one (day, site) may hold.
pub const MAX_UNITS: i64 = 1_000_000_000_000;
/// Most entries one request or import may set.
pub const MAX_ENTRIES: usize = 1000;

/// Units handled on one local day at one site.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VolumeEntry {
    #[schema(format = Date)]
    pub day: String,
    /// The site's key; null without sites.
    #[schema(value_type = Option<String>)]
    pub site: Option<SiteKey>,
    pub units: i64,
}

/// One entry as sent to `PUT /api/volume` or read from a CSV row.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeInput {
    #[schema(format = Date)]
    pub day: String,
    /// The site's key: required with sites (a site-bound token's own site by default),
    /// null or absent without.
    #[serde(default)]
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    pub site: Option<String>,
    /// A whole number 0..=10^12 (anything else is 422 `invalid_volume`, not a body error).
    #[schema(value_type = i64, minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub units: serde_json::Number,
}

/// A valid entry, ready for the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewVolume {
    pub day: NaiveDate,
    /// `''` without sites.
    pub site: String,
    pub units: i64,
}

/// Checks entries all at once: every problem is listed with its index (the CSV import
/// turns indexes into line numbers). `bound_site` is a site-bound token's site: it fills
/// in a missing site, and another site is 403 `wrong_site`.
pub fn validate(
    inputs: &[VolumeInput],
    settings: &Settings,
    bound_site: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<NewVolume>, Error> {
    validate_up_to(inputs, settings, bound_site, today, MAX_ENTRIES)
}

/// [`validate`] for at most `max` entries (a CSV import takes any number at once).
// Over 80 lines: one check per field of each entry, in the order its details are reported.
pub fn validate_up_to(
    inputs: &[VolumeInput],
    settings: &Settings,
    bound_site: Option<&str>,
    today: NaiveDate,
    max: usize,
) -> Result<Vec<NewVolume>, Error> {
    if inputs.is_empty() {
        return Err(Error::invalid(
            "invalid_volume",
            "entries is empty: give at least one entry",
        ));
    }
    if inputs.len() > max {
        return Err(Error::invalid(
            "invalid_volume",
            format!(
                "entries must hold at most {max} entries, got {}",
                inputs.len()
            ),
        ));
    }
    crate::sites::check_bound(
        inputs.iter().map(|i| i.site.as_deref()),
        bound_site,
        "sets volume",
    )?;
    let mut details = Vec::new();
    let mut out = Vec::with_capacity(inputs.len());
    let mut seen = BTreeSet::new();
    for (index, input) in inputs.iter().enumerate() {
        let mut problem = |code: &'static str, message: String| {
            details.push(Detail {
                index: Some(index),
                field: None,
                code,
                message,
            })
        };
        let day = match crate::calendar::parse_date(&input.day) {
            Ok(day) if day > today => {
                problem(
                    "invalid_volume",
                    format!("day {day} is after today ({today})"),
                );
                None
            }
            // As for ticks: nothing is recorded before 1970.
            Ok(day) if day < crate::calendar::EPOCH_DAY => {
                problem("invalid_volume", format!("day {day} is before 1970"));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                problem(
                    "invalid_volume",
                    format!(
                        "day {} is not a date such as 2026-03-08",
                        crate::text::echo(&input.day)
                    ),
                );
                None
            }
        };
        let units = input.units.as_i64().filter(|u| (0..=MAX_UNITS).contains(u));
        if units.is_none() {
            problem(
                "invalid_volume",
                format!(
                    "units must be a whole number from 0 to {MAX_UNITS}, got {}",
                    input.units
                ),
            );
        }
        // '' is the one implicit site when none are configured.
        let site = match settings.site_for_write(input.site.as_deref(), bound_site) {
            Ok(site) => Some(SiteKey::column(site).to_string()),
            Err((code, message)) => {
                problem(code, message);
                None
            }
        };
        if let (Some(day), Some(site), Some(units)) = (day, site, units) {
            if !seen.insert((day, site.clone())) {
                problem(
                    "invalid_volume",
                    format!("day {day} and this site appear twice in one request"),
                );
            }
            out.push(NewVolume { day, site, units });
        }
    }
    if !details.is_empty() {
        let first = &details[0];
        let code = match first.code {
            "unknown_site" => "unknown_site",
            "retired_site" => "retired_site",
            "site_required" => "site_required",
            _ => "invalid_volume",
        };
        return Err(Error::Invalid {
            code,
            message: format!(
                "entries[{}]: {}; nothing was set",
                first.index.unwrap_or(0),
                first.message
            ),
            details,
        });
    }
    Ok(out)
}

/// Why a volume CSV could not be read (its rows' values are checked later, by
/// [`validate_up_to`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// Nothing but white space.
    #[error("the file is empty: it needs the header day,site,units and one row per day and site")]
    Empty,
    /// The header or a row at `line` (1-based, blank lines counted) cannot be read.
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
}

/// Reads `day,site,units` rows (with that header) for `horrors volume import`, each with its
/// line number. A row that cannot be read is an error naming its line; the entries are
/// validated by the caller.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<(u64, VolumeInput)>, CsvError> {
    // The line a record starts on, counted in the file itself (blank lines included).
    // Records come in file order, so the newlines are counted once, from the last record
    // on (counting from the start of the file for each record made imports quadratic).
    let mut counted = (0usize, 1u64);
    let mut line_at = |position: Option<&csv::Position>| {
        position.map_or(0, |p| {
            // A record's position may be at the blank lines before it: skip them.
            let mut end = (p.byte() as usize).min(bytes.len());
            while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
                end += 1;
            }
            let (from, line) = counted;
            let line = if end >= from {
                line + bytes[from..end].iter().filter(|b| **b == b'\n').count() as u64
            } else {
                bytes[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
            };
            counted = (end, line);
            line
        })
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CsvError::Empty);
    }
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = csv
        .headers()
        .map_err(|e| CsvError::Line {
            line: 1,
            message: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect::<Vec<_>>();
    if header != ["day", "site", "units"] {
        return Err(CsvError::Line {
            line: 1,
            message: format!(
                "the header must be day,site,units; got {}",
                crate::text::echo(&header.join(","))
            ),
        });
    }
    let mut out = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| CsvError::Line {
            line: line_at(e.position()),
            message: e.to_string(),
        })?;
        let line = line_at(record.position());
        let units = record[2].parse::<i64>().map_err(|_| CsvError::Line {
            line,
            message: format!(
                "units {} is not a whole number from 0 to {MAX_UNITS}",
                crate::text::echo(&record[2])
            ),
        })?;
        out.push((
            line,
            VolumeInput {
                day: record[0].to_string(),
                site: Some(record[1].to_string()).filter(|s| !s.is_empty()),
                units: units.into(),
            },
        ));
    }
    Ok(out)
}

/// The sites whose every day must be covered for volume exposure: the one asked for, else
/// the active sites (a retired site takes no ticks and needs no volume). As the site
/// column holds them: `""` is the one implicit site when none are configured.
pub fn required_sites(settings: &Settings, scope: &Scope) -> Vec<String> {
    match &scope.site {
        Some(site) => vec![site.to_string()],
        None if settings.sites.is_empty() => vec![String::new()],
        None => settings.active_sites().map(|s| s.key.to_string()).collect(),
    }
}

/// The recorded volume of a window, by (day, site).
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    units: BTreeMap<(NaiveDate, String), i64>,
}

impl Coverage {
    /// From stored entries (already limited to the sites counted).
    pub fn new(entries: impl IntoIterator<Item = (NaiveDate, String, i64)>) -> Coverage {
        Coverage {
            units: entries.into_iter().map(|(d, s, u)| ((d, s), u)).collect(),
        }
    }

    /// Every entry: day, site (`''` for none) and units.
    pub fn iter(&self) -> impl Iterator<Item = (NaiveDate, &str, i64)> {
        self.units.iter().map(|((d, s), u)| (*d, s.as_str(), *u))
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    pub fn is_covered(&self, day: NaiveDate, site: &str) -> bool {
        self.units.contains_key(&(day, site.to_string()))
    }

    /// Σ units and the number of covered pairs inside `window` (at `site`, or all).
    pub fn sum(&self, window: &Window, site: Option<&str>) -> (i64, u64) {
        let mut units = 0;
        let mut pairs = 0;
        for ((day, s), u) in &self.units {
            if window.from() <= *day && *day <= window.to() && site.is_none_or(|k| k == s) {
                units += u;
                pairs += 1;
            }
        }
        (units, pairs)
    }

    /// Whether every day of `window` is covered for every site in `sites`.
    pub fn complete(&self, window: &Window, sites: &[String]) -> bool {
        !sites.is_empty()
            && sites.iter().all(|site| {
                window
                    .from()
                    .iter_days()
                    .take_while(|d| *d <= window.to())
                    .all(|d| self.is_covered(d, site))
            })
    }
}

/// Failures per 1,000 units, rounded half away from zero to 2 decimals, computed in
/// integers; `None` when `units` is 0.
pub fn rate_per_1000(count: u64, units: i64) -> Option<f64> {
    if units <= 0 {
        return None;
    }
    let numerator = i128::from(count) * 100_000;
    let denominator = i128::from(units);
    let hundredths = (2 * numerator + denominator) / (2 * denominator);
    Some(hundredths as f64 / 100.0)
}

/// The volume part of a ranking (SPEC §17).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct VolumeSummary {
    pub unit: String,
    /// Σ units of the covered (day, site) pairs in the window.
    pub units: i64,
    /// The number of covered (day, site) pairs in the window.
    pub days_covered: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn csv_of(rows: usize) -> Vec<u8> {
        let mut text = String::from("day,site,units\n");
        for i in 0..rows {
            text.push_str(&format!("2026-01-01,s{i},{i}\n"));
        }
        text.into_bytes()
    }

    #[test]
    fn csv_rows_keep_their_line_numbers_past_blank_lines() {
        let rows =
            read_csv(b"day,site,units\n2026-01-01,a,1\n\n\r\n2026-01-02,a,2\n2026-01-03,a,3")
                .unwrap();
        let lines: Vec<u64> = rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 5, 6]);
        let error = read_csv(b"day,site,units\n2026-01-01,a,1\n\n2026-01-02,a,x\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "line 4: units \"x\" is not a whole number from 0 to 1000000000000"
        );
        let error = read_csv(b"day,site,units\n2026-01-01,a,1\n\n2026-01-02,a\n").unwrap_err();
        assert!(matches!(error, CsvError::Line { line: 4, .. }), "{error}");
    }

    #[test]
    fn csv_errors_quote_at_most_60_characters_of_a_cell() {
        let cell = "9".repeat(5_000_000);
        let error = read_csv(format!("day,site,units\n2026-01-01,a,{cell}\n").as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.len() < 200, "{}", error.len());
        assert!(
            error.contains(&format!("\"{}\"…", "9".repeat(60))),
            "{error}"
        );
        let header = "h".repeat(100_000);
        let error = read_csv(header.as_bytes()).unwrap_err().to_string();
        assert!(error.len() < 200, "{}", error.len());
    }

    #[test]
    fn empty_and_header_only_files_say_so() {
        for empty in ["", "\n\n", "  \r\n"] {
            let error = read_csv(empty.as_bytes()).unwrap_err();
            assert_eq!(error, CsvError::Empty);
            assert!(error.to_string().contains("the file is empty"), "{error}");
        }
        assert_eq!(read_csv(b"day,site,units\n").unwrap().len(), 0);
        let settings = crate::config::example_settings();
        let error =
            validate_up_to(&[], &settings, None, day("2026-03-01"), usize::MAX).unwrap_err();
        assert_eq!(
            error.to_string(),
            "entries is empty: give at least one entry"
        );
    }

    /// Regression: each row's line number was counted from the start of the file, so an
    /// import of 100,000 rows took 39 s. Four times the rows must take about four times as
    /// long (a quadratic reading takes sixteen); the bound leaves room for a noisy machine.
    #[test]
    fn reading_a_csv_is_linear_in_its_size() {
        let time = |rows: usize| {
            let bytes = csv_of(rows);
            (0..3)
                .map(|_| {
                    let started = std::time::Instant::now();
                    assert_eq!(read_csv(&bytes).unwrap().len(), rows);
                    started.elapsed()
                })
                .min()
                .unwrap()
        };
        let (small, large) = (time(25_000), time(100_000));
        let ratio = large.as_secs_f64() / small.as_secs_f64();
        assert!(
            ratio < 9.0,
            "25k rows {small:?}, 100k rows {large:?}: ratio {ratio:.1}"
        );
    }

    #[test]
    fn volume_days_before_1970_are_refused_as_ticks_are() {
        let settings = crate::config::example_settings();
        let input = |day: &str| VolumeInput {
            day: day.into(),
            site: None,
            units: 5.into(),
        };
        for bad in ["1969-12-31", "1900-06-01"] {
            let error = validate(&[input(bad)], &settings, None, day("2026-03-01")).unwrap_err();
            assert!(error.to_string().contains("before 1970"), "{bad}: {error}");
        }
        let ok = validate(&[input("1970-01-01")], &settings, None, day("2026-03-01")).unwrap();
        assert_eq!(ok[0].day, day("1970-01-01"));
    }

    #[test]
    fn rates_round_half_away_from_zero_to_two_decimals() {
        assert_eq!(rate_per_1000(1, 3), Some(333.33));
        assert_eq!(rate_per_1000(2, 3), Some(666.67));
        assert_eq!(rate_per_1000(1, 8000), Some(0.13)); // 0.125
        assert_eq!(rate_per_1000(1, 80_000), Some(0.01)); // 0.0125
        assert_eq!(rate_per_1000(1, 400_000), Some(0.0)); // 0.0025 rounds down
        assert_eq!(rate_per_1000(1, 200_000), Some(0.01)); // 0.005 rounds up
        assert_eq!(rate_per_1000(0, 5), Some(0.0));
        assert_eq!(rate_per_1000(7, 0), None);
        assert_eq!(
            rate_per_1000(u64::MAX / 2, 1),
            Some((u64::MAX / 2) as f64 * 1000.0)
        );
    }

    #[test]
    fn coverage_sums_and_completeness() {
        let c = Coverage::new([
            (day("2026-03-01"), "a".to_string(), 100),
            (day("2026-03-02"), "a".to_string(), 50),
            (day("2026-03-01"), "b".to_string(), 7),
        ]);
        let w = Window::new(day("2026-03-01"), day("2026-03-02")).unwrap();
        assert_eq!(c.sum(&w, None), (157, 3));
        assert_eq!(c.sum(&w, Some("b")), (7, 1));
        assert!(c.complete(&w, &["a".into()]));
        assert!(!c.complete(&w, &["a".into(), "b".into()]));
        assert!(!c.complete(&w, &[]));
    }
}
