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

/// A random tick body built from tricky pieces: mostly good values, so that many take the
/// one pass and the rest differ in one place.
fn random_tick_body(rng: &mut rand::rngs::StdRng) -> String {
    use rand::Rng;
    let fields: [(&str, &[&str]); 10] = [
        ("horror", &[r#""late-delivery""#, r#""wrong-order""#]),
        ("qty", &["1", "3", "1000"]),
        ("occurred_at", &[r#""2026-03-02T09:00:00-06:00""#]),
        (
            "source",
            &[r#""internal""#, r#""complaint""#, r#""observer""#],
        ),
        ("department", &[r#""dock""#, r#""""#]),
        ("note", &[r#""a\"b\n""#, r#""\u00e9""#]),
        ("cost", &[r#""12.50""#]),
        ("client_id", &[r#""tap-1""#]),
        ("site", &[r#""chicago-hub""#]),
        ("extra", &["1"]),
    ];
    let edges = [
        "0",
        "-1",
        "-0",
        "4.0",
        "4.5",
        "1e2",
        "1E0",
        "9223372036854775808",
        "null",
        "true",
        "[]",
        "{}",
        r#"{"internal":null}"#,
        r#"["x"]"#,
        r#""x""#,
        "1",
    ];
    let mut parts = vec![r#""horror": "late-delivery""#.to_string()];
    for _ in 0..rng.gen_range(0..5) {
        let (key, good) = fields[rng.gen_range(0..fields.len())];
        let value = if rng.gen_bool(0.8) {
            good[rng.gen_range(0..good.len())]
        } else {
            edges[rng.gen_range(0..edges.len())]
        };
        parts.push(format!("{key:?}: {value}"));
    }
    if rng.gen_bool(0.1) {
        parts.remove(0);
    }
    if parts.len() > 1 {
        let to = rng.gen_range(0..parts.len());
        parts.swap(0, to);
    }
    format!("{{{}}}", parts.join(", "))
}

/// [`from_slice_flat`] and [`from_slice`] answer alike for `body`: the same value, or the
/// same error code and message. Returns whether the one pass took the body on its own.
fn reads_alike<T: Flat + PartialEq + std::fmt::Debug>(body: &str) -> bool {
    let one_pass = {
        let mut reader = serde_json::Deserializer::from_slice(body.as_bytes());
        <T::OnePass as Deserialize>::deserialize(ObjectOnly(&mut reader))
            .ok()
            .and_then(|value| reader.end().ok().map(|()| value.into()))
    };
    let strict = from_slice::<T>(body.as_bytes());
    if let Some(fast) = &one_pass {
        assert_eq!(strict.as_ref().ok(), Some(fast), "{body}");
    }
    let flat = from_slice_flat::<T>(body.as_bytes());
    match (&flat, &strict) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{body}"),
        (Err(a), Err(b)) => {
            assert_eq!(
                (a.code(), a.to_string()),
                (b.code(), b.to_string()),
                "{body}"
            )
        }
        _ => panic!("{body}: {flat:?} against {strict:?}"),
    }
    one_pass.is_some()
}

/// The one-pass reading of a flat body ([`from_slice_flat`]) against the strict one, on
/// hand-picked bodies and on thousands built at random from tricky pieces: whatever the
/// pass accepts, the strict reading accepts as the same value, and the two answer alike
/// (same value, or same error code and message) for every body.
#[test]
fn a_flat_body_reads_in_one_pass_exactly_as_strictly() {
    use crate::ticks::TickInput;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    let mut accepted = 0;
    let mut check = |body: &str| accepted += usize::from(reads_alike::<TickInput>(body));
    for body in [
        r#"{"horror":"late-delivery","qty":1,"source":"internal","site":"chicago-hub"}"#,
        r#"{"horror":"late-delivery"}"#,
        r#"["late-delivery",1]"#,
        r#"{"horror":"late-delivery","qty":1,"qty":1000}"#,
        r#"{"horror":"late-delivery","qty":4.0}"#,
        r#"{"horror":"late-delivery","qty":4.5}"#,
        r#"{"horror":"late-delivery","qty":1e2}"#,
        r#"{"horror":"late-delivery","qty":-0}"#,
        r#"{"horror":"late-delivery","qty":4.0000000000000001}"#,
        r#"{"horror":"late-delivery","qty":18446744073709551616}"#,
        r#"{"horror":"late-delivery","qty":null,"note":null}"#,
        r#"{"horror":"late-delivery","source":{"internal":null}}"#,
        r#"{"horror":"late-delivery","source":"sideways"}"#,
        r#"{"horror":"late-delivery","extra":1}"#,
        r#"{"horror":"late-delivery"} trailing"#,
        r#"{"horror":"late\u0000delivery","note":"\ud800"}"#,
        r#"{"horror":["late-delivery"]}"#,
        r#"{"horror":"late-delivery","qty":[1]}"#,
        r#"{}"#,
        r#"null"#,
        r#""#,
    ] {
        check(body);
    }
    let mut rng = StdRng::seed_from_u64(23);
    for _ in 0..5000 {
        let mut body = random_tick_body(&mut rng);
        if rng.gen_bool(0.05) {
            body = format!("[{body}]");
        }
        check(&body);
    }
    assert!(accepted > 500, "only {accepted} bodies took the one pass");
}

/// The same for a batch (a list of flat ticks under `ticks`): hand-picked shapes, then
/// batches of random ticks, some with a tick written as an array or the list's key
/// repeated or misspelt.
#[test]
fn a_batch_reads_in_one_pass_exactly_as_strictly() {
    use crate::http::api::ticks::BatchInput;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    let mut accepted = 0;
    let mut check = |body: &str| accepted += usize::from(reads_alike::<BatchInput>(body));
    for body in [
        r#"{"ticks":[{"horror":"late-delivery"}]}"#,
        r#"{"ticks":[]}"#,
        r#"{"ticks":[["late-delivery",1]]}"#,
        r#"{"ticks":[{"horror":"late-delivery"},["late-delivery"]]}"#,
        r#"{"ticks":{"horror":"late-delivery"}}"#,
        r#"{"ticks":[{"horror":"late-delivery"}],"ticks":[]}"#,
        r#"{"ticks":[{"horror":"late-delivery"}],"extra":1}"#,
        r#"{"ticks":[null]}"#,
        r#"{"ticks":["late-delivery"]}"#,
        r#"{"ticks":[1]}"#,
        r#"{"ticks":[{"horror":"late-delivery","qty":4.0}]}"#,
        r#"{"ticks":null}"#,
        r#"[[{"horror":"late-delivery"}]]"#,
        r#"{}"#,
        r#"{"ticks":[{"horror":"late-delivery"}]} trailing"#,
    ] {
        check(body);
    }
    let mut rng = StdRng::seed_from_u64(24);
    for _ in 0..4000 {
        let mut items: Vec<String> = (0..rng.gen_range(0..6))
            .map(|_| random_tick_body(&mut rng))
            .collect();
        if rng.gen_bool(0.05) && !items.is_empty() {
            let at = rng.gen_range(0..items.len());
            items[at] = format!("[{}]", items[at]);
        }
        let key = if rng.gen_bool(0.03) { "tick" } else { "ticks" };
        let mut body = format!("{{{key:?}: [{}]}}", items.join(", "));
        if rng.gen_bool(0.03) {
            body = format!("{{\"ticks\": [], {}", &body[1..]);
        }
        // An empty list always takes the one pass: only batches with ticks count.
        let took = reads_alike::<BatchInput>(&body);
        accepted += usize::from(took && !items.is_empty());
    }
    assert!(
        accepted > 300,
        "only {accepted} batches with ticks took the one pass"
    );
}
