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
