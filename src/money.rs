//! Money in integer minor units: parsing decimal strings and formatting them back,
//! with the number of minor digits decided by the ISO 4217 currency.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign};

/// An amount in integer minor units of the organization's currency (cents for USD, yen for
/// JPY). Serialised as the bare integer, so `"cost_minor": 3500` reads as before.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Minor(i64);

impl Minor {
    /// No money.
    pub const ZERO: Minor = Minor(0);

    /// `minor` minor units.
    pub const fn new(minor: i64) -> Self {
        Minor(minor)
    }

    /// The number of minor units.
    pub const fn get(self) -> i64 {
        self.0
    }
}

/// The bare integer, as in CSV's `cost_minor` column.
impl fmt::Display for Minor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Plain `i64` addition, as before the type: amounts are at most [`MAX_AMOUNT_MINOR`], so
/// sums over millions of ticks stay far from overflow.
impl Add for Minor {
    type Output = Minor;
    fn add(self, other: Minor) -> Minor {
        Minor(self.0 + other.0)
    }
}

impl AddAssign for Minor {
    fn add_assign(&mut self, other: Minor) {
        self.0 += other.0;
    }
}

impl Sum for Minor {
    fn sum<I: Iterator<Item = Minor>>(iter: I) -> Minor {
        Minor(iter.map(|m| m.0).sum())
    }
}

impl<'a> Sum<&'a Minor> for Minor {
    fn sum<I: Iterator<Item = &'a Minor>>(iter: I) -> Minor {
        iter.copied().sum()
    }
}

/// Why a currency code was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("unknown ISO 4217 currency {}", crate::text::echo(.0))]
    Unknown(String),
    /// A fund, a metal or "no currency" (`XAU`, `XXX`): no minor unit to count in.
    #[error("{} is not a currency with minor units", crate::text::echo(.0))]
    NoMinorUnits(String),
}

/// Why an amount was refused; each quotes the text it was given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not digits with at most one `.` between digits.
    #[error("{} is not a non-negative decimal amount such as \"12.50\"", crate::text::echo(.0))]
    NotDecimal(String),
    /// More fractional digits than the currency has.
    #[error("{} has more than {digits} decimal places for {code}", crate::text::echo(.text))]
    TooPrecise {
        text: String,
        digits: u32,
        code: &'static str,
    },
    /// Over [`MAX_AMOUNT_MINOR`].
    #[error("{} is too large", crate::text::echo(.0))]
    TooLarge(String),
}

/// An ISO 4217 currency and its number of minor digits (USD 2, JPY 0, BHD 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Currency {
    code: iso_currency::Currency,
}

impl Currency {
    /// Parses a three-letter ISO 4217 code such as `USD`.
    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        let found = iso_currency::Currency::from_code(code)
            .ok_or_else(|| CurrencyError::Unknown(code.to_string()))?;
        // Funds, metals and "no currency" codes have no minor unit; refuse them.
        if found.exponent().is_none() {
            return Err(CurrencyError::NoMinorUnits(code.to_string()));
        }
        Ok(Currency { code: found })
    }

    /// The three-letter code, e.g. `USD`.
    pub fn code(&self) -> &'static str {
        self.code.code()
    }

    /// Number of digits after the decimal point (USD 2, JPY 0).
    pub fn minor_digits(&self) -> u32 {
        u32::from(self.code.exponent().unwrap_or(0))
    }

    /// Parses a non-negative decimal string such as `"35.00"` or `"35"` into minor units.
    /// More fractional digits than the currency has is an error, never a rounding.
    pub fn parse_amount(&self, text: &str) -> Result<Minor, AmountError> {
        let digits = self.minor_digits();
        let (whole, frac) = match text.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !is_digits(whole) || frac.is_some_and(|f| !is_digits(f)) {
            return Err(AmountError::NotDecimal(text.to_string()));
        }
        let frac = frac.unwrap_or("");
        if frac.len() > digits as usize {
            return Err(AmountError::TooPrecise {
                text: text.to_string(),
                digits,
                code: self.code(),
            });
        }
        let scale = 10_i64.pow(digits);
        let too_big = || AmountError::TooLarge(text.to_string());
        let whole: i64 = whole.parse().map_err(|_| too_big())?;
        let mut frac_value: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| too_big())?
        };
        for _ in frac.len()..digits as usize {
            frac_value *= 10;
        }
        let minor = whole
            .checked_mul(scale)
            .and_then(|m| m.checked_add(frac_value))
            .ok_or_else(too_big)?;
        if minor > MAX_AMOUNT_MINOR {
            return Err(too_big());
        }
        Ok(Minor(minor))
    }

    /// Formats minor units as a plain decimal string with exactly the minor digits: `"35.00"`.
    pub fn format(&self, minor: Minor) -> String {
        // Written digit by digit (each tick's answer carries one, and `Display` costs
        // several times the text), into room for any i64 amount; the same text as
        // `Amount`'s, which the tests hold together.
        let digits = self.minor_digits();
        let mut text = String::with_capacity(24);
        if minor.0 < 0 {
            text.push('-');
        }
        let abs = minor.0.unsigned_abs();
        let scale = 10_u64.pow(digits);
        text.push_str(itoa::Buffer::new().format(abs / scale));
        if digits > 0 {
            text.push('.');
            let mut buffer = itoa::Buffer::new();
            let frac = buffer.format(abs % scale);
            for _ in frac.len()..digits as usize {
                text.push('0');
            }
            text.push_str(frac);
        }
        text
    }

    /// Formats minor units for people: thousands separators and the code, `"USD 12,345.00"`.
    pub fn format_grouped(&self, minor: Minor) -> String {
        format!("{} {}", self.code(), self.format_separated(minor))
    }

    /// Formats minor units with thousands separators and no code, `"12,345.00"`.
    pub fn format_separated(&self, minor: Minor) -> String {
        Amount {
            minor: minor.0,
            digits: self.minor_digits(),
            grouping: true,
        }
        .to_string()
    }
}

impl fmt::Display for Currency {
    /// The three-letter code, e.g. `USD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Stored and echoed as its three-letter code.
impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// Read back only through [`Currency::parse`]: an unknown stored code is an error.
impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// Largest amount accepted anywhere (a trillion major units of a 3-digit currency):
/// keeps every sum over millions of ticks far from `i64` overflow.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

struct Amount {
    minor: i64,
    digits: u32,
    grouping: bool,
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let scale = 10_u64.pow(self.digits);
        let whole = (abs / scale).to_string();
        let whole = if self.grouping {
            group_thousands(&whole)
        } else {
            whole
        };
        if self.digits == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let frac = abs % scale;
            write!(
                f,
                "{sign}{whole}.{frac:0width$}",
                width = self.digits as usize
            )
        }
    }
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn parses_amounts_to_minor_units() {
        let jpy = Currency::parse("JPY").unwrap();
        let bhd = Currency::parse("BHD").unwrap();
        let cases: &[(Currency, &str, i64)] = &[
            (usd(), "35.00", 3500),
            (usd(), "35", 3500),
            (usd(), "35.5", 3550),
            (usd(), "0.01", 1),
            (usd(), "0", 0),
            (usd(), "007.10", 710),
            (jpy, "1200", 1200),
            (bhd, "1.234", 1234),
        ];
        for (currency, text, minor) in cases {
            assert_eq!(
                currency.parse_amount(text),
                Ok(Minor::new(*minor)),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_bad_amounts() {
        let jpy = Currency::parse("JPY").unwrap();
        for text in [
            "1.234",
            "-1",
            "+1",
            "1.",
            ".5",
            "",
            "1e3",
            "1,000",
            " 1",
            "abc",
            "NaN",
            "99999999999999999999",
        ] {
            assert!(
                usd().parse_amount(text).is_err(),
                "{text:?} should be refused"
            );
        }
        assert!(jpy.parse_amount("1.5").is_err());
        for (currency, text, message) in [
            (
                usd(),
                "1,000",
                "\"1,000\" is not a non-negative decimal amount such as \"12.50\"",
            ),
            (
                usd(),
                "1.234",
                "\"1.234\" has more than 2 decimal places for USD",
            ),
            (jpy, "1.5", "\"1.5\" has more than 0 decimal places for JPY"),
            (
                usd(),
                "99999999999999999999",
                "\"99999999999999999999\" is too large",
            ),
            (usd(), "10000000000001", "\"10000000000001\" is too large"),
        ] {
            let error = currency.parse_amount(text).unwrap_err();
            assert_eq!(error.to_string(), message, "{text:?}");
        }
    }

    #[test]
    fn formats_with_minor_digits_and_grouping() {
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(usd().format(Minor::new(3500)), "35.00");
        assert_eq!(usd().format(Minor::new(1)), "0.01");
        assert_eq!(usd().format(Minor::new(0)), "0.00");
        assert_eq!(jpy.format(Minor::new(1200)), "1200");
        assert_eq!(
            usd().format_grouped(Minor::new(123_456_789)),
            "USD 1,234,567.89"
        );
        assert_eq!(jpy.format_grouped(Minor::new(1_000)), "JPY 1,000");
        assert_eq!(usd().format_grouped(Minor::new(99_999)), "USD 999.99");
    }

    #[test]
    fn format_writes_what_amount_displays() {
        let currencies = ["USD", "JPY", "BHD", "EUR"].map(|c| Currency::parse(c).unwrap());
        let mut minors = vec![0, 1, -1, 9, 10, 99, 100, 101, 999, 1_000, 1_001, 3_500];
        minors.extend([123_456_789, -123_456_789, i64::MAX, i64::MIN, i64::MIN + 1]);
        minors.extend((0..200).map(|i| i * 7_919 - 50_000));
        for currency in currencies {
            for &minor in &minors {
                let amount = Amount {
                    minor,
                    digits: currency.minor_digits(),
                    grouping: false,
                };
                assert_eq!(currency.format(Minor::new(minor)), amount.to_string());
            }
        }
        assert_eq!(usd().format(Minor::new(-5)), "-0.05");
        assert_eq!(usd().format(Minor::new(i64::MIN)), "-92233720368547758.08");
    }

    #[test]
    fn refuses_unknown_currencies() {
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("usd").is_err());
        assert_eq!(
            Currency::parse("XYZ").unwrap_err().to_string(),
            "unknown ISO 4217 currency \"XYZ\""
        );
        assert_eq!(
            Currency::parse("XAU").unwrap_err().to_string(),
            "\"XAU\" is not a currency with minor units"
        );
        assert_eq!(Currency::parse("EUR").unwrap().minor_digits(), 2);
    }

    #[test]
    fn minor_units_read_and_write_as_bare_integers() {
        let amount = Minor::new(3500);
        assert_eq!(serde_json::to_string(&amount).unwrap(), "3500");
        assert_eq!(
            serde_json::from_str::<Minor>("-120").unwrap(),
            Minor::new(-120)
        );
        assert_eq!(amount.to_string(), "3500");
        let sum: Minor = [Minor::new(1), Minor::new(2), Minor::new(-4)].iter().sum();
        assert_eq!(sum, Minor::new(-1));
    }
}
