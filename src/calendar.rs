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
mod tests;
