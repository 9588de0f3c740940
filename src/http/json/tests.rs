//! Unit tests of `http::json`.

use super::*;
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Inner {
    a: String,
    #[serde(default)]
    b: Option<i64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
enum Kind {
    One,
    Two,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Outer {
    items: Vec<Inner>,
    kind: Kind,
    #[serde(default)]
    maybe: Option<Inner>,
}

fn parse(text: &str) -> Result<Outer> {
    from_slice(text.as_bytes())
}

fn code(result: Result<Outer>) -> &'static str {
    result.expect_err("should be refused").code()
}

#[test]
fn only_numbers_whole_as_written_are_integers() {
    let b = |number: &str| {
        parse(&format!(
            r#"{{"kind":"one","items":[{{"a":"x","b":{number}}}]}}"#
        ))
        .map(|o| o.items[0].b)
    };
    for (text, value) in [
        ("4", 4),
        ("4.0", 4),
        ("4.000", 4),
        ("-4.0", -4),
        ("-0", 0),
        ("0.0", 0),
        ("4e0", 4),
        ("40e-1", 4),
        ("0.4E1", 4),
        ("1.5e1", 15),
        ("1e12", 1_000_000_000_000),
        ("999999999999.0", 999_999_999_999),
        ("9223372036854775807", i64::MAX),
    ] {
        assert_eq!(
            b(text).unwrap_or_else(|e| panic!("{text}: {e}")),
            Some(value),
            "{text}"
        );
    }
    for text in [
        "4.0000000000000001",
        "999999999999.99999",
        "-4.0000000000000001",
        "4.5",
        "45e-1",
        "1e-400",
        "9223372036854775808",
        "0.00000000000000000000000001e10",
    ] {
        assert_eq!(
            b(text).expect_err("should be refused").code(),
            "invalid_body",
            "{text}"
        );
    }
    // Strings and keys that look like numbers are left alone, and the queue keeps step.
    let outer = parse(
        r#"{"kind":"one","items":[{"a":"1.5 \" 4.0000000000000001","b":4.0},{"a":"y","b":2.0000000000000001}]}"#,
    );
    assert_eq!(code(outer), "invalid_body");
    let outer = parse(r#"{"kind":"one","items":[{"a":"4.1","b":4.0},{"a":"y","b":2}]}"#).unwrap();
    assert_eq!((outer.items[0].b, outer.items[1].b), (Some(4), Some(2)));
}

#[test]
fn objects_are_read_by_name() {
    let outer = parse(r#"{"kind":"two","items":[{"a":"x","b":3},{"a":"y"}]}"#).unwrap();
    assert_eq!(outer.kind, Kind::Two);
    assert_eq!(
        outer.items[0],
        Inner {
            a: "x".into(),
            b: Some(3)
        }
    );
    assert_eq!(outer.items[1].b, None);
    assert!(outer.maybe.is_none());
}

#[test]
fn arrays_never_fill_a_struct_at_any_depth() {
    assert_eq!(code(parse(r#"[[{"a":"x"}], "one"]"#)), "invalid_body");
    assert_eq!(
        code(parse(r#"{"kind":"one","items":[["x", 3]]}"#)),
        "invalid_body"
    );
    assert_eq!(
        code(parse(r#"{"kind":"one","items":[],"maybe":["x"]}"#)),
        "invalid_body"
    );
    assert_eq!(code(parse("[]")), "invalid_body");
    assert_eq!(code(parse("[null,null]")), "invalid_body");
}

#[test]
fn whole_numbers_are_integers_however_written() {
    let outer = parse(r#"{"kind":"one","items":[{"a":"x","b":4.0},{"a":"y","b":-2e1}]}"#);
    let items = outer.unwrap().items;
    assert_eq!((items[0].b, items[1].b), (Some(4), Some(-20)));
    assert_eq!(
        code(parse(r#"{"kind":"one","items":[{"a":"x","b":4.5}]}"#)),
        "invalid_body"
    );
    assert_eq!(
        code(parse(r#"{"kind":"one","items":[{"a":"x","b":1e300}]}"#)),
        "invalid_body"
    );
}

#[test]
fn wrong_types_are_422_and_bad_syntax_400() {
    assert_eq!(code(parse(r#"{"kind":1,"items":[]}"#)), "invalid_body");
    assert_eq!(
        code(parse(r#"{"kind":"one","items":[{"a":5}]}"#)),
        "invalid_body"
    );
    assert_eq!(
        code(parse(r#"{"kind":"three","items":[]}"#)),
        "invalid_body"
    );
    assert_eq!(code(parse("null")), "invalid_body");
    assert_eq!(code(parse("7")), "invalid_body");
    assert_eq!(
        code(parse(r#"{"kind":"one","items":[],"x":1}"#)),
        "invalid_body"
    );
    assert_eq!(code(parse(r#"{"kind":"one""#)), "malformed_json");
    assert_eq!(code(parse("")), "malformed_json");
    assert_eq!(
        code(parse(r#"{"kind":"one","items":[]} x"#)),
        "malformed_json"
    );
    assert_eq!(
        code(parse(r#"{"kind":"one","kind":"two","items":[]}"#)),
        "invalid_body"
    );
    assert_eq!(
        code(parse(r#"{"kind":"one","items":[{"a":"x","a":"y"}]}"#)),
        "invalid_body"
    );
}

#[test]
fn integers_keep_their_range_checks() {
    #[derive(Debug, Deserialize)]
    struct Small {
        #[allow(dead_code)]
        n: u8,
    }
    assert!(from_slice::<Small>(br#"{"n":255}"#).is_ok());
    assert!(from_slice::<Small>(br#"{"n":256}"#).is_err());
    assert!(from_slice::<Small>(br#"{"n":-1}"#).is_err());
    assert!(from_slice::<Small>(br#"{"n":1.5}"#).is_err());
}
