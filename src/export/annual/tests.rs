use super::*;

#[test]
fn years_are_numbers_from_1970_to_9998() {
    assert_eq!(parse_year("2026"), Ok(2026));
    for (text, message) in [
        ("abc", "year \"abc\" is not a number such as 2026"),
        ("2026.5", "year \"2026.5\" is not a number such as 2026"),
        ("1969", "year must be between 1970 and 9998, got 1969"),
        ("10000", "year must be between 1970 and 9998, got 10000"),
    ] {
        assert_eq!(parse_year(text).unwrap_err().to_string(), message);
    }
}
