//! Dates and instants as text, written digit by digit: every tick's answer carries a day
//! and two instants, and chrono's formatting machinery (`Display`, `to_rfc3339_opts`) costs
//! several times what the text does. The text is chrono's own, byte for byte (the tests
//! below hold the two together); dates outside the years 0000 to 9999 and leap seconds,
//! which chrono writes its own way, are left to chrono.

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, Timelike, Utc};

/// `date` as `YYYY-MM-DD`, as chrono writes it, for the years 0000 to 9999.
pub fn date_bytes(date: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    let mut text = *b"0000-00-00";
    put(&mut text[0..4], year);
    put(&mut text[5..7], date.month());
    put(&mut text[8..10], date.day());
    Some(text)
}

/// `instant` in RFC 3339, in UTC with `Z`, and as many fractional digits as it needs (none,
/// 3, 6 or 9): `DateTime::to_rfc3339_opts(SecondsFormat::AutoSi, true)`.
pub fn rfc3339(instant: DateTime<Utc>) -> String {
    let time = instant.time();
    let nanos = time.nanosecond();
    let date = date_bytes(instant.date_naive()).filter(|_| nanos < 1_000_000_000);
    let Some(date) = date else {
        return instant.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    };
    let mut text = [0u8; 30];
    text[..10].copy_from_slice(&date);
    text[10..19].copy_from_slice(b"T00:00:00");
    put(&mut text[11..13], time.hour());
    put(&mut text[14..16], time.minute());
    put(&mut text[17..19], time.second());
    let digits = match nanos {
        0 => 0,
        n if n % 1_000_000 == 0 => 3,
        n if n % 1_000 == 0 => 6,
        _ => 9,
    };
    let mut end = 19;
    if digits > 0 {
        text[end] = b'.';
        put(&mut text[end + 1..end + 10], nanos);
        end += 1 + digits;
    }
    text[end] = b'Z';
    // Only ASCII digits and separators were written.
    String::from_utf8_lossy(&text[..=end]).into_owned()
}

/// Writes `value` into `room` as decimal digits, zero-padded on the left, keeping the
/// digits that fit (the callers give room for all of them).
fn put(room: &mut [u8], mut value: u32) {
    for byte in room.iter_mut().rev() {
        *byte = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Days, Duration, TimeZone};

    fn chrono_date(date: NaiveDate) -> String {
        date.to_string()
    }

    #[test]
    fn dates_are_chronos_text() {
        let mut date = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        for _ in 0..800 {
            let ours = date_bytes(date).unwrap();
            assert_eq!(std::str::from_utf8(&ours).unwrap(), chrono_date(date));
            date = date.checked_add_days(Days::new(1)).unwrap();
        }
        for (y, m, d) in [
            (0, 1, 1),
            (1, 2, 3),
            (999, 12, 31),
            (2024, 2, 29),
            (9999, 12, 31),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let ours = date_bytes(date).unwrap();
            assert_eq!(std::str::from_utf8(&ours).unwrap(), chrono_date(date));
        }
    }

    #[test]
    fn dates_chrono_writes_its_own_way_are_left_to_it() {
        for (y, m, d) in [(-1, 12, 31), (10_000, 1, 1)] {
            assert_eq!(date_bytes(NaiveDate::from_ymd_opt(y, m, d).unwrap()), None);
        }
        assert_eq!(date_bytes(NaiveDate::MIN), None);
        assert_eq!(date_bytes(NaiveDate::MAX), None);
    }

    #[test]
    fn instants_are_chronos_text() {
        let start = Utc.with_ymd_and_hms(2024, 2, 28, 23, 59, 58).unwrap();
        // Whole seconds, milliseconds, microseconds and nanoseconds, across a leap day.
        let steps = [
            Duration::seconds(1),
            Duration::milliseconds(1),
            Duration::milliseconds(1_001),
            Duration::microseconds(1_234),
            Duration::nanoseconds(1_234_567),
            Duration::nanoseconds(7),
            Duration::minutes(59),
            Duration::hours(13),
        ];
        let mut instant = start;
        for round in 0..600 {
            instant += steps[round % steps.len()];
            let chronos = instant.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            assert_eq!(rfc3339(instant), chronos, "{chronos}");
        }
        for text in [
            "0000-01-01T00:00:00Z",
            "1970-01-01T00:00:00.001Z",
            "2026-03-08T08:00:00.100Z",
            "2026-12-31T23:59:59.999999Z",
            "9999-12-31T23:59:59.999999999Z",
        ] {
            let instant = DateTime::parse_from_rfc3339(text).unwrap().to_utc();
            assert_eq!(rfc3339(instant), text);
        }
    }

    #[test]
    fn instants_chrono_writes_its_own_way_are_left_to_it() {
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(rfc3339(far), "+10000-01-01T00:00:00Z");
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1_500)
            .unwrap()
            .and_utc();
        assert_eq!(
            rfc3339(leap),
            leap.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        );
        assert_eq!(
            rfc3339(DateTime::<Utc>::MIN_UTC),
            DateTime::<Utc>::MIN_UTC.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        );
    }
}
