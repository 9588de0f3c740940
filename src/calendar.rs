//! Local days, windows and buckets in the organization's timezone.
//!
//! Every count in horrors belongs to a local calendar day: the date of the tick's instant
//! seen in the organization's IANA timezone. Days around daylight-saving changes are 23 or
//! 25 hours long; working in dates (never in "24 hours") keeps them exact.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

/// Longest window any read endpoint accepts, in days.
pub const MAX_WINDOW_DAYS: i64 = 3660;

/// The first day anything may be recorded on (ticks and volume alike): 1970-01-01.
pub const EPOCH_DAY: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a real date");

/// Serde for a parsed IANA timezone written as its name (`"America/Chicago"`): the only
/// way a stored timezone comes back is through a successful parse, never a fallback.
pub mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tz: &Tz, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown IANA timezone {}",
                crate::text::echo(&name)
            ))
        })
    }
}

/// The local date of an instant in `tz`.
pub fn local_day(instant: DateTime<Utc>, tz: Tz) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// Why a date was refused; each quotes the text it was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not ten characters `YYYY-MM-DD`.
    #[error("{} is not a date in the form YYYY-MM-DD", crate::text::echo(.0))]
    Shape(String),
    /// The right shape, but no such day (`2026-02-30`).
    #[error("{} is not a real calendar date", crate::text::echo(.0))]
    NotReal(String),
}

/// Why a window was refused (by [`Window::new`], [`Window::ending`], [`Window::between`]
/// or [`Window::select`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error("from ({from}) is after to ({to})")]
    Reversed { from: NaiveDate, to: NaiveDate },
    #[error("the window is longer than {} days", MAX_WINDOW_DAYS)]
    TooLong,
    /// `days` outside 1 to [`MAX_WINDOW_DAYS`].
    #[error("days must be between 1 and {max}, got {0}", max = MAX_WINDOW_DAYS)]
    Days(i64),
    #[error("days: {} is not an integer", crate::text::echo(.0))]
    DaysNotInteger(String),
    #[error("from: {0}")]
    From(DateError),
    #[error("to: {0}")]
    To(DateError),
    /// Only one of `from` and `to`.
    #[error("give both from and to")]
    OneEnd,
    /// `from` and `to` with `days`.
    #[error("give either from and to, or days, not both")]
    EndsAndDays,
}

/// Parses a strict `YYYY-MM-DD` date; impossible dates such as `2026-02-30` are errors.
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err(DateError::Shape(text.to_string()));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| DateError::NotReal(text.to_string()))
}

/// An inclusive range of local days, never empty: `from` is on or before `to`. The fields
/// are private so that every window is made by a constructor that keeps this so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    from: NaiveDate,
    to: NaiveDate,
}

impl Window {
    /// The first local day.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// The last local day (included).
    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The one local day `day`.
    pub fn day(day: NaiveDate) -> Self {
        Window { from: day, to: day }
    }

    /// The days from `from` to `to`, both included; `None` when `from` is after `to`.
    /// Unlike [`Window::new`] there is no length limit: this is for spans the code derives
    /// (a chart's reach back, a tested period), not for ones a request asks for.
    pub fn spanning(from: NaiveDate, to: NaiveDate) -> Option<Self> {
        (from <= to).then_some(Window { from, to })
    }

    /// The `days` local days starting with `from` (at least that one day).
    pub fn days_from(from: NaiveDate, days: i64) -> Self {
        Window {
            from,
            to: from + chrono::Duration::days(days.max(1) - 1),
        }
    }

    /// The `days` local days ending with `to` (at least that one day).
    pub fn days_ending(to: NaiveDate, days: i64) -> Self {
        Window {
            from: to - chrono::Duration::days(days.max(1) - 1),
            to,
        }
    }

    /// A window from `from` to `to` inclusive; `from` after `to` or a span over
    /// [`MAX_WINDOW_DAYS`] is an error.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, WindowError> {
        if from > to {
            return Err(WindowError::Reversed { from, to });
        }
        let window = Window { from, to };
        if window.days() > MAX_WINDOW_DAYS {
            return Err(WindowError::TooLong);
        }
        Ok(window)
    }

    /// The `days` local days ending with `today`.
    pub fn ending(today: NaiveDate, days: i64) -> Result<Self, WindowError> {
        if !(1..=MAX_WINDOW_DAYS).contains(&days) {
            return Err(WindowError::Days(days));
        }
        let from = today - chrono::Duration::days(days - 1);
        Ok(Window { from, to: today })
    }

    /// The window from two `YYYY-MM-DD` strings, both ends included.
    pub fn between(from: &str, to: &str) -> Result<Self, WindowError> {
        let from = parse_date(from).map_err(WindowError::From)?;
        let to = parse_date(to).map_err(WindowError::To)?;
        Window::new(from, to)
    }

    /// The window chosen by `from`+`to` (inclusive dates), or `days` ending `today`, or
    /// else the default number of days ending `today` (SPEC §7).
    pub fn select(
        from: Option<&str>,
        to: Option<&str>,
        days: Option<&str>,
        today: NaiveDate,
        default_days: i64,
    ) -> Result<Self, WindowError> {
        let days = days
            .map(|text| {
                text.parse::<i64>()
                    .map_err(|_| WindowError::DaysNotInteger(text.to_string()))
            })
            .transpose()?;
        match (from, to, days) {
            (Some(from), Some(to), None) => Window::between(from, to),
            (None, None, Some(days)) => Window::ending(today, days),
            (None, None, None) => Window::ending(today, default_days),
            (Some(_), None, _) | (None, Some(_), _) => Err(WindowError::OneEnd),
            (Some(_), Some(_), Some(_)) => Err(WindowError::EndsAndDays),
        }
    }

    /// A whole calendar year.
    pub fn year(year: i32) -> Option<Self> {
        Some(Window {
            from: NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// Number of local days in the window, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The window a ranking compares this one with (SPEC §8): a whole calendar year with
    /// the calendar year before, a whole calendar month with the month before, any other
    /// window with the one of equal length just before it.
    pub fn previous(&self) -> Window {
        let (from, to) = (self.from, self.to);
        let first_of_month = from.day() == 1;
        let last_of_month = to.succ_opt().is_none_or(|next| next.day() == 1);
        if first_of_month && last_of_month {
            if from.month() == 1 && to.month() == 12 && from.year() == to.year() {
                if let Some(year) = Window::year(from.year() - 1) {
                    return year;
                }
            }
            if from.year() == to.year() && from.month() == to.month() {
                let end = from.pred_opt();
                if let Some(end) = end {
                    if let Some(start) = end.with_day(1) {
                        return Window {
                            from: start,
                            to: end,
                        };
                    }
                }
            }
        }
        self.preceding()
    }

    /// The window of equal length that ends the day before this one starts (cycles'
    /// "before", SPEC §18).
    pub fn preceding(&self) -> Window {
        self.days_before(self.days())
    }

    /// The `days` local days (at least one) that end the day before this window starts.
    pub fn days_before(&self, days: i64) -> Window {
        Window::days_ending(self.from - chrono::Duration::days(1), days)
    }

    /// From this window's first day to `later`'s last (both windows of a comparison, read
    /// at once).
    pub fn through(&self, later: &Window) -> Window {
        Window {
            from: self.from.min(later.from),
            to: self.to.max(later.to),
        }
    }

    /// Whether the two windows share at least one day.
    pub fn overlaps(&self, other: &Window) -> bool {
        self.from <= other.to && other.from <= self.to
    }

    /// The echo every response carries.
    pub fn echo(&self, tz: Tz) -> WindowEcho {
        WindowEcho {
            from: self.from.to_string(),
            to: self.to.to_string(),
            days: self.days(),
            timezone: tz.name().to_string(),
        }
    }
}

/// `"window": {"from","to","days","timezone"}` as echoed by every read endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct WindowEcho {
    /// First local day, `YYYY-MM-DD`.
    pub from: String,
    /// Last local day, inclusive.
    pub to: String,
    /// Number of days in the window.
    pub days: i64,
    /// IANA timezone the days are counted in.
    pub timezone: String,
}

/// Size of a trend bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    /// Parses `day`, `week` or `month`.
    pub fn parse(text: &str) -> Result<Self, crate::text::NotAllowed> {
        match text {
            "day" => Ok(Bucket::Day),
            "week" => Ok(Bucket::Week),
            "month" => Ok(Bucket::Month),
            _ => Err(crate::text::NotAllowed::new(
                "bucket",
                "one of day, week, month",
                text,
            )),
        }
    }

    /// The calendar start of the bucket holding `day` (ISO weeks start on Monday).
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => day,
            Bucket::Week => {
                day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
            }
            Bucket::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// The start of the bucket after the one starting at `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + Days::new(1),
            Bucket::Week => start + Days::new(7),
            Bucket::Month => start + Months::new(1),
        }
    }

    /// The bucket that starts on `start`: one day, seven days or a calendar month.
    pub fn window_at(self, start: NaiveDate) -> Window {
        Window {
            from: start,
            to: self.next(start).pred_opt().unwrap_or(start).max(start),
        }
    }

    /// Every bucket start that touches the window, in order.
    pub fn starts(self, window: &Window) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut start = self.start_of(window.from);
        while start <= window.to {
            out.push(start);
            start = self.next(start);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn local_days_around_us_dst_changes() {
        let chicago: Tz = "America/Chicago".parse().unwrap();
        // (instant, local day) computed by hand: CST is UTC-6, CDT is UTC-5.
        let cases = [
            // 2026-03-08 02:00 CST jumps to 03:00 CDT: that day is 23 hours long.
            ("2026-03-08T05:59:59Z", "2026-03-07"), // 23:59:59 CST on the 7th
            ("2026-03-08T06:00:00Z", "2026-03-08"), // 00:00 CST on the 8th
            ("2026-03-08T07:59:59Z", "2026-03-08"), // 01:59:59 CST
            ("2026-03-08T08:00:00Z", "2026-03-08"), // 03:00 CDT
            ("2026-03-09T04:59:59Z", "2026-03-08"), // 23:59:59 CDT, last second of the short day
            ("2026-03-09T05:00:00Z", "2026-03-09"),
            // 2026-11-01 02:00 CDT falls back to 01:00 CST: that day is 25 hours long.
            ("2026-11-01T04:59:59Z", "2026-10-31"),
            ("2026-11-01T05:00:00Z", "2026-11-01"), // 00:00 CDT
            ("2026-11-01T06:30:00Z", "2026-11-01"), // 01:30 CDT
            ("2026-11-01T07:30:00Z", "2026-11-01"), // 01:30 CST, the repeated hour
            ("2026-11-02T05:59:59Z", "2026-11-01"), // 23:59:59 CST, the 25th hour ends
            ("2026-11-02T06:00:00Z", "2026-11-02"),
        ];
        for (instant, day) in cases {
            assert_eq!(local_day(utc(instant), chicago), d(day), "{instant}");
        }
    }

    #[test]
    fn local_days_far_from_utc() {
        let kiritimati: Tz = "Pacific/Kiritimati".parse().unwrap(); // UTC+14
        let honolulu: Tz = "Pacific/Honolulu".parse().unwrap(); // UTC-10
        let cases = [
            ("2026-12-31T10:00:00Z", kiritimati, "2027-01-01"),
            ("2026-12-31T09:59:59Z", kiritimati, "2026-12-31"),
            ("2027-01-01T09:59:59Z", honolulu, "2026-12-31"),
            ("2027-01-01T10:00:00Z", honolulu, "2027-01-01"),
        ];
        for (instant, tz, day) in cases {
            assert_eq!(local_day(utc(instant), tz), d(day), "{instant} in {tz}");
        }
        let t = Utc.with_ymd_and_hms(2024, 2, 29, 23, 30, 0).unwrap();
        assert_eq!(local_day(t, chrono_tz::UTC), d("2024-02-29"));
    }

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(
            d("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        for bad in [
            "2026-02-29",
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "20260101",
            "2026-01-01T00:00",
            "",
            "abcd-ef-gh",
            "+2026-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn windows_count_days_and_previous() {
        let w = Window::ending(d("2026-03-31"), 30).unwrap();
        assert_eq!(
            (w.from, w.to, w.days()),
            (d("2026-03-02"), d("2026-03-31"), 30)
        );
        let p = w.previous();
        assert_eq!(
            (p.from, p.to, p.days()),
            (d("2026-01-31"), d("2026-03-01"), 30)
        );
        // Across a leap day.
        let w = Window::new(d("2024-02-28"), d("2024-03-01")).unwrap();
        assert_eq!(w.days(), 3);
        assert_eq!(
            w.previous(),
            Window::new(d("2024-02-25"), d("2024-02-27")).unwrap()
        );
        assert_eq!(
            Window::ending(d("2026-01-01"), 1).unwrap().from,
            d("2026-01-01")
        );
        assert!(Window::new(d("2026-01-02"), d("2026-01-01")).is_err());
        assert!(Window::ending(d("2026-01-01"), 0).is_err());
        assert!(Window::ending(d("2026-01-01"), 3661).is_err());
        assert!(Window::ending(d("2026-01-01"), 3660).is_ok());
        assert_eq!(Window::year(2024).unwrap().days(), 366);
        assert_eq!(Window::year(2026).unwrap().days(), 365);
    }

    #[test]
    fn calendar_years_and_months_compare_with_the_calendar_one_before() {
        let cases = [
            // A year after a leap year: all of 2024 (366 days), not 2024-01-02..12-31.
            (("2025-01-01", "2025-12-31"), ("2024-01-01", "2024-12-31")),
            (("2024-01-01", "2024-12-31"), ("2023-01-01", "2023-12-31")),
            // March after a leap February, and after a common one.
            (("2024-03-01", "2024-03-31"), ("2024-02-01", "2024-02-29")),
            (("2026-03-01", "2026-03-31"), ("2026-02-01", "2026-02-28")),
            (("2026-02-01", "2026-02-28"), ("2026-01-01", "2026-01-31")),
            (("2026-01-01", "2026-01-31"), ("2025-12-01", "2025-12-31")),
            // Not whole months or years: equal length.
            (("2026-03-01", "2026-03-30"), ("2026-01-30", "2026-02-28")),
            (("2026-02-01", "2026-03-31"), ("2025-12-04", "2026-01-31")),
        ];
        for ((from, to), (pfrom, pto)) in cases {
            let w = Window::new(d(from), d(to)).unwrap();
            assert_eq!(
                w.previous(),
                Window::new(d(pfrom), d(pto)).unwrap(),
                "{from}..{to}"
            );
        }
        let year = Window::year(2025).unwrap();
        assert_eq!(
            year.preceding(),
            Window::new(d("2024-01-02"), d("2024-12-31")).unwrap()
        );
    }

    #[test]
    fn select_follows_the_window_rules() {
        let today = d("2026-11-23");
        let w = Window::select(Some("2026-11-01"), Some("2026-11-30"), None, today, 30).unwrap();
        assert_eq!(w.days(), 30);
        assert_eq!(
            Window::select(None, None, Some("7"), today, 30)
                .unwrap()
                .from,
            d("2026-11-17")
        );
        assert_eq!(
            Window::select(None, None, None, today, 30).unwrap().from,
            d("2026-10-25")
        );
        for (from, to, days, message) in [
            (
                Some("2026-11-02"),
                Some("2026-11-01"),
                None,
                "from (2026-11-02) is after to (2026-11-01)",
            ),
            (Some("2026-11-01"), None, None, "give both from and to"),
            (None, Some("2026-11-01"), None, "give both from and to"),
            (
                Some("2026-11-01"),
                Some("2026-11-02"),
                Some("2"),
                "give either from and to, or days, not both",
            ),
            (
                None,
                None,
                Some("0"),
                "days must be between 1 and 3660, got 0",
            ),
            (
                None,
                None,
                Some("3661"),
                "days must be between 1 and 3660, got 3661",
            ),
            (None, None, Some("x"), "days: \"x\" is not an integer"),
            (
                Some("2026-02-29"),
                Some("2026-03-01"),
                None,
                "from: \"2026-02-29\" is not a real calendar date",
            ),
            (
                Some("2026-02-28"),
                Some("2026-3-01"),
                None,
                "to: \"2026-3-01\" is not a date in the form YYYY-MM-DD",
            ),
            (
                Some("2000-01-01"),
                Some("2026-01-01"),
                None,
                "the window is longer than 3660 days",
            ),
        ] {
            let error = Window::select(from, to, days, today, 30).unwrap_err();
            assert_eq!(error.to_string(), message, "{from:?} {to:?} {days:?}");
        }
    }

    #[test]
    fn bucket_starts_follow_the_calendar() {
        let w = Window::new(d("2026-02-25"), d("2026-03-10")).unwrap();
        // 2026-02-25 is a Wednesday; its ISO week starts Monday 2026-02-23.
        assert_eq!(
            Bucket::Week.starts(&w),
            vec![d("2026-02-23"), d("2026-03-02"), d("2026-03-09")]
        );
        assert_eq!(
            Bucket::Month.starts(&w),
            vec![d("2026-02-01"), d("2026-03-01")]
        );
        assert_eq!(Bucket::Day.starts(&w).len(), 14);
        let leap = Window::new(d("2024-01-31"), d("2024-03-01")).unwrap();
        assert_eq!(
            Bucket::Month.starts(&leap),
            vec![d("2024-01-01"), d("2024-02-01"), d("2024-03-01")]
        );
        // A week that spans a year boundary starts in the old year.
        assert_eq!(Bucket::Week.start_of(d("2027-01-01")), d("2026-12-28"));
        assert!(Bucket::parse("year").is_err());
    }

    #[test]
    fn every_constructor_makes_a_window_that_is_not_empty() {
        let w = |from: &str, to: &str| Window::new(d(from), d(to)).unwrap();
        let cases: [(Window, Window); 9] = [
            (Window::day(d("2026-03-08")), w("2026-03-08", "2026-03-08")),
            (
                Window::days_from(d("2026-03-08"), 7),
                w("2026-03-08", "2026-03-14"),
            ),
            (
                Window::days_from(d("2026-03-08"), 0),
                w("2026-03-08", "2026-03-08"),
            ),
            (
                Window::days_ending(d("2026-03-08"), 28),
                w("2026-02-09", "2026-03-08"),
            ),
            (
                Window::days_ending(d("2026-03-08"), -3),
                w("2026-03-08", "2026-03-08"),
            ),
            (
                w("2026-03-08", "2026-03-14").days_before(3),
                w("2026-03-05", "2026-03-07"),
            ),
            (
                w("2026-03-08", "2026-03-14").preceding(),
                w("2026-03-01", "2026-03-07"),
            ),
            (
                Bucket::Month.window_at(d("2026-02-01")),
                w("2026-02-01", "2026-02-28"),
            ),
            (
                Bucket::Week.window_at(d("2026-03-09")),
                w("2026-03-09", "2026-03-15"),
            ),
        ];
        for (made, expected) in cases {
            assert_eq!(made, expected);
            assert!(made.from() <= made.to());
        }
        // Longer than a request may ask for (MAX_WINDOW_DAYS), as a chart's reach may be.
        assert!(Window::new(d("2026-03-01"), d("2037-03-01")).is_err());
        assert_eq!(
            Window::spanning(d("2026-03-01"), d("2037-03-01")).map(|w| w.days()),
            Some(4019)
        );
        assert_eq!(Window::spanning(d("2026-03-02"), d("2026-03-01")), None);
        assert!(Window::new(d("2026-03-02"), d("2026-03-01")).is_err());
    }
}
