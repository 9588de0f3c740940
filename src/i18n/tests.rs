//! Unit tests of `i18n`.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast;

use super::*;

fn lang(tag: &str) -> Lang {
    Lang::exact(tag).unwrap_or_else(|| panic!("{tag} is not embedded"))
}

#[test]
fn the_three_languages_are_embedded_english_first() {
    let tags: Vec<&str> = Lang::all().map(Lang::tag).collect();
    assert_eq!(tags, ["en", "zh-Hans", "zh-Hant"]);
    assert_eq!(Lang::EN.tag(), "en");
    assert_eq!(Lang::default(), Lang::EN);
}

#[test]
fn tags_map_to_the_language_that_serves_them() {
    let cases = [
        ("en", Some("en")),
        ("EN", Some("en")),
        ("en-US", Some("en")),
        ("en_GB", Some("en")),
        ("zh", Some("zh-Hans")),
        ("zh-CN", Some("zh-Hans")),
        ("zh-cn", Some("zh-Hans")),
        ("zh-SG", Some("zh-Hans")),
        ("zh-Hans", Some("zh-Hans")),
        ("zh-hans", Some("zh-Hans")),
        ("zh-Hans-HK", Some("zh-Hans")),
        ("zh-TW", Some("zh-Hant")),
        ("zh-HK", Some("zh-Hant")),
        ("zh-MO", Some("zh-Hant")),
        ("zh_TW", Some("zh-Hant")),
        ("zh-Hant", Some("zh-Hant")),
        ("zh-Hant-CN", Some("zh-Hant")),
        ("zh-Hans-CN-x-foo", Some("zh-Hans")),
        ("zh-Hant-TW-u-ca-chinese", Some("zh-Hant")),
        ("zh-x-foo", Some("zh-Hans")),
        ("en-US-x-twain", Some("en")),
        ("zh-Hans-CN-waytoolongvariant", Some("zh-Hans")),
        ("zh-TW-!!", None),
        ("x-foo", None),
        ("-zh", None),
        ("zh-Latn", None),
        ("fr", None),
        ("fr-CA", None),
        ("", None),
        ("*", None),
        ("zh-", None),
        ("en--US", None),
        ("e", None),
        ("12", None),
        ("zh-Hans\u{0}", None),
        ("中文", None),
        ("<script>", None),
        ("en;q=1", None),
    ];
    for (input, expected) in cases {
        assert_eq!(Lang::parse(input).map(Lang::tag), expected, "{input:?}");
    }
    assert_eq!(Lang::parse(&"a".repeat(10_000)), None);
}

#[test]
fn accept_language_picks_the_best_embedded_language() {
    let cases: [(&[u8], Option<&str>); 15] = [
        (b"zh-TW,zh;q=0.9,en;q=0.8", Some("zh-Hant")),
        (b"fr-FR, fr;q=0.9, zh-CN;q=0.8, en;q=0.7", Some("zh-Hans")),
        (b"en;q=0.5, zh-HK;q=0.9", Some("zh-Hant")),
        (b"de, en-US;q=0.1", Some("en")),
        (b"zh;q=0, en;q=0.2", Some("en")),
        (b"de, fr", None),
        (b"*", None),
        (b"", None),
        (b";;;,,,q=,=", None),
        (b"zh-CN;q=abc, en", Some("en")),
        (b"zh-CN;q=2, zh-TW", Some("zh-Hant")),
        (b"\xff\xfe zh-TW", None),
        (b"\xff\xfe, zh-TW", Some("zh-Hant")),
        (b"EN-us ; Q = 0.9", Some("en")),
        (b"fr, zh-Hans-CN-x-foo;q=0.5", Some("zh-Hans")),
    ];
    for (header, expected) in cases {
        assert_eq!(
            Lang::from_accept_language(header).map(Lang::tag),
            expected,
            "{:?}",
            String::from_utf8_lossy(header)
        );
    }
}

#[test]
fn huge_or_garbage_accept_language_is_cheap_and_harmless() {
    // Far past the cap: the language named after it is never read.
    let mut huge = "xx, ".repeat(100_000).into_bytes();
    huge.extend_from_slice(b"zh-TW");
    let started = std::time::Instant::now();
    assert_eq!(Lang::from_accept_language(&huge), None);
    let noise: Vec<u8> = (0..1_000_000u64).map(|i| (i * 7919 % 256) as u8).collect();
    let _ = Lang::from_accept_language(&noise);
    let commas = vec![b','; 1_000_000];
    assert_eq!(Lang::from_accept_language(&commas), None);
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    // Within the cap, a late entry still counts.
    assert_eq!(
        Lang::from_accept_language(b"xx, yy, zz, zh-TW;q=0.5").map(Lang::tag),
        Some("zh-Hant")
    );
}

#[test]
fn the_request_chooses_query_then_cookie_then_header_then_default() {
    use actix_web::cookie::Cookie;
    use actix_web::test::TestRequest;
    let zh_hant = lang("zh-Hant");
    let zh_hans = lang("zh-Hans");
    let req = |uri: &str, cookie: Option<&str>, accept: Option<&str>| {
        let mut r = TestRequest::get().uri(uri);
        if let Some(c) = cookie {
            r = r.cookie(Cookie::new(LANG_COOKIE, c.to_string()));
        }
        if let Some(a) = accept {
            r = r.insert_header(("Accept-Language", a));
        }
        r.to_http_request()
    };
    let cases = [
        (req("/tally?lang=zh-TW", Some("en"), Some("en")), zh_hant),
        (req("/tally?lang=xx", Some("zh-Hans"), Some("en")), zh_hans),
        (req("/tally?lang=%FF%00", None, Some("zh-HK")), zh_hant),
        (req("/tally?lang=zh&lang=en", None, None), zh_hans),
        (req("/tally", Some("zh-Hant"), Some("zh-CN")), zh_hant),
        (req("/tally", Some("bogus"), Some("zh-CN")), zh_hans),
        (req("/tally", None, Some("fr, zh-MO;q=0.3")), zh_hant),
        (req("/tally", None, Some("fr")), Lang::EN),
        (req("/tally?days=7&lang", None, None), Lang::EN),
        (req("/tally?lang=zh-Hans-CN-x-foo", None, None), zh_hans),
        (req("/tally", Some("zh-Hant-TW-x-a"), Some("en")), zh_hant),
    ];
    for (i, (request, expected)) in cases.into_iter().enumerate() {
        assert_eq!(Lang::of_request(&request, Lang::EN), expected, "case {i}");
    }
    assert_eq!(Lang::of_request(&req("/", None, None), zh_hans), zh_hans);
}

#[test]
fn numbers_are_grouped_and_isolation_marks_left_out() {
    assert_eq!(group(0), "0");
    assert_eq!(group(999), "999");
    assert_eq!(group(1234567), "1,234,567");
    assert_eq!(group(-1234), "-1,234");
    let text = tr!(Lang::EN, "chart-occurrences", count = 12345);
    assert_eq!(text, "12,345 occurrences");
    assert!(!text.contains(['\u{2068}', '\u{2069}']));
}

#[test]
fn english_plurals_come_from_the_library() {
    assert_eq!(
        tr!(Lang::EN, "chart-occurrences", count = 1),
        "1 occurrence"
    );
    assert_eq!(
        tr!(Lang::EN, "chart-occurrences", count = 2),
        "2 occurrences"
    );
    assert_eq!(
        tr!(Lang::EN, "chart-occurrences", count = 0),
        "0 occurrences"
    );
    assert_eq!(tr!(lang("zh-Hans"), "chart-occurrences", count = 1), "1 次");
    assert_eq!(
        tr!(lang("zh-Hant"), "chart-occurrences", count = 2000),
        "2,000 次"
    );
}

#[test]
fn a_missing_message_falls_back_to_its_id() {
    assert_eq!(t(lang("zh-Hant"), "no-such-message"), "no-such-message");
}

#[test]
fn script_messages_keep_placeholders_for_the_script() {
    let json = script_messages(
        Lang::EN,
        &[
            ("undone", "tally-undone", &["name"]),
            ("saved", "tally-all-saved", &[]),
        ],
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["undone"], "Undone: {name}.");
    assert_eq!(value["saved"], "All taps saved.");
}

/// Every message of a file with the variables it uses (value and attributes).
fn messages(tag: &str, source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = fluent_syntax::parser::parse(source)
        .unwrap_or_else(|(_, errors)| panic!("locales/{tag}/horrors.ftl: {errors:?}"));
    let mut out = BTreeMap::new();
    for entry in &resource.body {
        match entry {
            ast::Entry::Message(message) => {
                let mut vars = BTreeSet::new();
                if let Some(value) = &message.value {
                    pattern_vars(value, &mut vars);
                }
                for attribute in &message.attributes {
                    pattern_vars(&attribute.value, &mut vars);
                }
                let id = message.id.name.to_string();
                assert!(
                    out.insert(id.clone(), vars).is_none(),
                    "locales/{tag}/horrors.ftl: {id} twice"
                );
            }
            ast::Entry::Junk { content } => {
                panic!("locales/{tag}/horrors.ftl: cannot read {content:?}")
            }
            _ => {}
        }
    }
    out
}

fn pattern_vars(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_vars(expression, out);
        }
    }
}

fn expression_vars(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_vars(selector, out);
            for variant in variants {
                pattern_vars(&variant.value, out);
            }
        }
        ast::Expression::Inline(inline) => inline_vars(inline, out),
    }
}

fn inline_vars(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. }
        | ast::InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => {
            for argument in &arguments.positional {
                inline_vars(argument, out);
            }
            for named in &arguments.named {
                inline_vars(&named.value, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_vars(expression, out),
        _ => {}
    }
}

#[test]
fn every_message_exists_in_every_language_with_the_same_placeholders() {
    let (_, english) = LOCALES[0];
    let reference = messages("en", english);
    assert!(reference.len() > 100, "{} messages", reference.len());
    for (tag, source) in LOCALES.iter().skip(1) {
        let translated = messages(tag, source);
        let missing: Vec<&String> = reference
            .keys()
            .filter(|id| !translated.contains_key(*id))
            .collect();
        assert!(missing.is_empty(), "{tag} lacks {missing:?}");
        let extra: Vec<&String> = translated
            .keys()
            .filter(|id| !reference.contains_key(*id))
            .collect();
        assert!(
            extra.is_empty(),
            "{tag} has messages English lacks: {extra:?}"
        );
        for (id, vars) in &reference {
            assert_eq!(
                &translated[id], vars,
                "{tag} {id}: placeholders differ from English"
            );
        }
    }
}

#[test]
fn every_message_formats_cleanly_in_every_language() {
    for (tag, source) in LOCALES {
        let lang = lang(tag);
        for (id, vars) in messages(tag, source) {
            let mut args = FluentArgs::new();
            for var in &vars {
                args.set(var.as_str(), 2);
            }
            let bundle = &BUNDLES[usize::from(lang.0)];
            let pattern = bundle.get_message(&id).and_then(|m| m.value());
            let pattern = pattern.unwrap_or_else(|| panic!("{tag} {id} has no value"));
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(errors.is_empty(), "{tag} {id}: {errors:?}");
            assert!(!text.trim().is_empty(), "{tag} {id} is empty");
            assert!(!text.contains(['{', '}']), "{tag} {id}: {text}");
        }
    }
}

#[test]
fn the_languages_are_the_scripts_they_claim() {
    // A few words of the glossary, written once per language (docs/glossary.md).
    let expect = [
        ("zh-Hans", "nav-tally", "计数"),
        ("zh-Hant", "nav-tally", "計數"),
        ("zh-Hans", "tier-worst", "最严重"),
        ("zh-Hant", "tier-worst", "最嚴重"),
        ("zh-Hant", "login-title", "登入"),
        ("zh-Hans", "login-title", "登录"),
    ];
    for (tag, id, text) in expect {
        assert_eq!(t(lang(tag), id), text, "{tag} {id}");
    }
    // Simplified forms that must never appear in Traditional text.
    let simplified = [
        '这', '个', '们', '为', '录', '数', '设', '击', '单', '线', '图', '级', '计',
    ];
    let (_, hant) = LOCALES[2];
    for line in hant.lines().filter(|l| !l.trim_start().starts_with('#')) {
        assert!(
            !line.contains(simplified),
            "Simplified character in zh-Hant: {line}"
        );
    }
}
