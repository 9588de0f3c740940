//! Languages (SPEC §20): the embedded Fluent messages (`locales/<tag>/horrors.ftl`, one file
//! per language), the choice of a language for a request (`?lang=`, the `horrors_lang`
//! cookie, `Accept-Language`, then `[organization] language`), and [`t`]/[`tr!`] to turn a
//! message id into text.
//!
//! Adding a language is adding a folder under `locales/`: `build.rs` embeds whatever is
//! there, and the unit tests below check it has every message with the same placeholders.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use actix_web::HttpRequest;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

pub use fluent_bundle::FluentArgs as Args;

/// Name of the cookie in which pages remember the language chosen with `?lang=`.
pub const LANG_COOKIE: &str = "horrors_lang";

/// The longest `Accept-Language` prefix looked at, and the most entries read from it: a
/// header of any size costs at most this much work.
const ACCEPT_LANGUAGE_BYTES: usize = 2048;
const ACCEPT_LANGUAGE_ENTRIES: usize = 32;

/// A language the messages exist in: an index into the embedded locales (English is 0).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Lang(u8);

impl Lang {
    /// English, the fallback for every message.
    pub const EN: Lang = Lang(0);

    /// Every embedded language, English first.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..LOCALES.len()).map(|i| Lang(i as u8))
    }

    /// The BCP 47 tag: `en`, `zh-Hans`, `zh-Hant`.
    pub fn tag(self) -> &'static str {
        LOCALES[usize::from(self.0)].0
    }

    /// Exactly one of the embedded tags (ASCII case ignored): how the configuration names one.
    pub fn exact(tag: &str) -> Option<Lang> {
        Lang::all().find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    /// The embedded language that best serves a requested tag, if any: `en-GB` → `en`,
    /// `zh`, `zh-CN`, `zh-SG` → `zh-Hans`, `zh-TW`, `zh-HK`, `zh-MO` → `zh-Hant`,
    /// `zh-Hant-*` by its script. Malformed or unknown tags give `None`, never an error.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim();
        if tag.is_empty()
            || tag.len() > 64
            || !tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        // Extensions and private use (`-u-…`, `-x-…`, any one-letter subtag) say nothing
        // about the language; past them, subtags are dropped from the end until the rest
        // reads as a language (`zh-Hans-CN-x-foo` → `zh-Hans-CN`).
        let tag = tag.replace('_', "-");
        if tag.split('-').any(str::is_empty) {
            return None;
        }
        let mut subtags: Vec<&str> = tag.split('-').take_while(|s| s.len() != 1).collect();
        let id = loop {
            if subtags.is_empty() {
                return None;
            }
            if let Ok(id) = LanguageIdentifier::from_str(&subtags.join("-")) {
                break id;
            }
            subtags.pop();
        };
        let wanted = Wanted::of(&id);
        let mut best: Option<(u8, Lang)> = None;
        for (lang, have) in Lang::all().zip(AVAILABLE.iter()) {
            if let Some(score) = wanted.score(have) {
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, lang));
                }
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The first language of an `Accept-Language` header (by `q`, then order) that is
    /// embedded. Lenient: unreadable entries are skipped; only the first
    /// [`ACCEPT_LANGUAGE_BYTES`] bytes and [`ACCEPT_LANGUAGE_ENTRIES`] entries are read.
    pub fn from_accept_language(header: &[u8]) -> Option<Lang> {
        let head = &header[..header.len().min(ACCEPT_LANGUAGE_BYTES)];
        let text = String::from_utf8_lossy(head);
        let mut entries: Vec<(u16, usize, Lang)> = Vec::new();
        for (order, entry) in text.split(',').take(ACCEPT_LANGUAGE_ENTRIES).enumerate() {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut q = 1000u16;
            for param in parts {
                if let Some((name, value)) = param.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        q = quality(value.trim()).unwrap_or(0);
                    }
                }
            }
            if q == 0 {
                continue;
            }
            if let Some(lang) = Lang::parse(tag) {
                entries.push((q, order, lang));
            }
        }
        entries
            .into_iter()
            .min_by_key(|&(q, order, _)| (std::cmp::Reverse(q), order))
            .map(|(_, _, lang)| lang)
    }

    /// The language a request asks for: a valid `?lang=`, else the cookie, else
    /// `Accept-Language`, else `default` (the organization's). Never fails.
    pub fn of_request(req: &HttpRequest, default: Lang) -> Lang {
        Lang::asked(req)
            .or_else(|| req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
            .or_else(|| {
                req.headers()
                    .get(actix_web::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| Lang::from_accept_language(v.as_bytes()))
            })
            .unwrap_or(default)
    }

    /// The language named by a valid `?lang=` parameter, if any (a malformed query or an
    /// unknown tag is ignored: pages never fail over the language).
    pub fn asked(req: &HttpRequest) -> Option<Lang> {
        let query = req.query_string();
        if !query.contains("lang=") {
            return None;
        }
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .ok()?
            .into_iter()
            .find(|(name, _)| name == "lang")
            .and_then(|(_, value)| Lang::parse(&value))
    }
}

/// `q=0.8` → 800 (thousandths); anything else than a number from 0 to 1 is `None`.
fn quality(text: &str) -> Option<u16> {
    if text.len() > 5 {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// A requested language, with the script it implies (`zh-TW` is written in Traditional).
struct Wanted {
    language: String,
    script: Option<String>,
    region: Option<String>,
}

/// An embedded language as tags to match.
struct Have {
    language: String,
    script: Option<String>,
    region: Option<String>,
}

static AVAILABLE: LazyLock<Vec<Have>> = LazyLock::new(|| {
    LOCALES
        .iter()
        .map(|(tag, _)| {
            let id = LanguageIdentifier::from_str(tag).unwrap_or_default();
            Have {
                language: id.language.as_str().to_string(),
                script: id.script.map(|s| s.as_str().to_string()),
                region: id.region.map(|r| r.as_str().to_string()),
            }
        })
        .collect()
});

impl Wanted {
    fn of(id: &LanguageIdentifier) -> Wanted {
        let language = id.language.as_str().to_string();
        let region = id.region.map(|r| r.as_str().to_string());
        let script = id
            .script
            .map(|s| s.as_str().to_string())
            .or_else(|| likely_script(&language, region.as_deref()).map(str::to_string));
        Wanted {
            language,
            script,
            region,
        }
    }

    /// How well an embedded language serves this one; `None` when it cannot (another
    /// language, or another script of it).
    fn score(&self, have: &Have) -> Option<u8> {
        if have.language != self.language {
            return None;
        }
        let mut score = 1;
        match (&self.script, &have.script) {
            (Some(a), Some(b)) if a != b => return None,
            (Some(_), Some(_)) => score += 2,
            _ => {}
        }
        if have.region.is_some() && have.region == self.region {
            score += 1;
        }
        Some(score)
    }
}

/// The script a language is written in when the tag does not say (CLDR's likely
/// subtags, for the languages whose script depends on the region).
fn likely_script(language: &str, region: Option<&str>) -> Option<&'static str> {
    match (language, region) {
        ("zh", Some("TW" | "HK" | "MO")) => Some("Hant"),
        ("zh", _) => Some("Hans"),
        _ => None,
    }
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.tag())
    }
}

/// Stored settings name their language by tag; a tag no longer embedded reads as English
/// rather than making the settings unreadable.
impl<'de> serde::Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tag = String::deserialize(d)?;
        Ok(Lang::exact(&tag).unwrap_or_default())
    }
}

impl utoipa::PartialSchema for Lang {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(
                "a language tag; `en`, `zh-Hans` and `zh-Hant` are embedded, and other tags map \
                 to them where they can (`zh-TW` → `zh-Hant`); any other value, of any \
                 length, falls back (never an error)",
            ))
            .examples(["zh-Hant"])
            .into()
    }
}

impl utoipa::ToSchema for Lang {}

// ---------------------------------------------------------------- messages

type Bundle = FluentBundle<FluentResource>;

static BUNDLES: LazyLock<Vec<Bundle>> = LazyLock::new(|| {
    LOCALES
        .iter()
        .map(|(tag, source)| {
            let id = LanguageIdentifier::from_str(tag).unwrap_or_default();
            let mut bundle = Bundle::new_concurrent(vec![id]);
            // No Unicode isolation marks: charts, spreadsheets and titles would show them.
            bundle.set_use_isolating(false);
            bundle.set_formatter(Some(format_number));
            let resource = match FluentResource::try_new((*source).to_string()) {
                Ok(resource) => resource,
                Err((resource, errors)) => {
                    tracing::error!(%tag, ?errors, "locale file has syntax errors");
                    resource
                }
            };
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(%tag, ?errors, "locale file has duplicate messages");
            }
            bundle
        })
        .collect()
});

/// Whole numbers with thousands separators (`12,345`); anything else as Fluent does.
fn format_number<M>(value: &FluentValue, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.value.fract() == 0.0 && n.value.abs() < 1e15 => {
            Some(group(n.value as i64))
        }
        _ => None,
    }
}

/// `12345` → `12,345`.
pub fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The message `id` in `lang` with `args`; English when the language lacks it, and the id
/// itself when no language has it (the unit tests make sure that never ships).
pub fn format(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let bundles = &*BUNDLES;
    let found = [lang, Lang::EN].into_iter().find_map(|l| {
        let bundle = bundles.get(usize::from(l.0))?;
        let pattern = bundle.get_message(id)?.value()?;
        Some((bundle, pattern))
    });
    let Some((bundle, pattern)) = found else {
        tracing::warn!(%lang, id, "no such message");
        return id.to_string();
    };
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(%lang, id, ?errors, "message formatted with errors");
    }
    text.into_owned()
}

/// The message `id` in `lang`, without arguments.
pub fn t(lang: Lang, id: &str) -> String {
    format(lang, id, None)
}

/// A cycle's status (`planned`, `running`, `finished`) in `lang`; anything else as it is.
pub fn cycle_status(lang: Lang, status: &str) -> String {
    match status {
        "planned" | "running" | "finished" => t(lang, &format!("cycle-status-{status}")),
        other => other.to_string(),
    }
}

/// The message `id` in `lang` with named arguments:
/// `tr!(lang, "dashboard-total", count = 12, cost = "USD 3.00")`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:expr $(, $name:ident = $value:expr)* $(,)?) => {{
        #[allow(unused_mut)]
        let mut args = $crate::i18n::Args::new();
        $( args.set(stringify!($name), $value); )*
        $crate::i18n::format($lang, $id, Some(&args))
    }};
}

/// Messages for a page's script, as a JSON object of `key → text`: each `{name}` in a text
/// is a placeholder the script fills in (the server cannot know the values).
pub fn script_messages(lang: Lang, messages: &[(&str, &str, &[&str])]) -> String {
    let mut map = serde_json::Map::new();
    for (key, id, placeholders) in messages {
        let mut args = FluentArgs::new();
        for name in *placeholders {
            args.set(*name, format!("{{{name}}}"));
        }
        map.insert(
            (*key).to_string(),
            serde_json::Value::String(format(lang, id, Some(&args))),
        );
    }
    serde_json::Value::Object(map).to_string()
}

/// A message whose placeholders are pieces of markup (a badge, a link); the text around
/// them is escaped as any other text. `parts` names each placeholder's markup.
pub fn rich(lang: Lang, id: &str, parts: &[(&str, maud::Markup)]) -> maud::Markup {
    const OPEN: char = '\u{E000}';
    const CLOSE: char = '\u{E001}';
    let mut args = FluentArgs::new();
    for (name, _) in parts {
        args.set(*name, format!("{OPEN}{name}{CLOSE}"));
    }
    let text = format(lang, id, Some(&args));
    let mut out = String::with_capacity(text.len() * 2);
    let mut rest = text.as_str();
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&maud::html! { (rest[..start]) }.into_string());
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            rest = after;
            break;
        };
        let name = &after[..end];
        if let Some((_, markup)) = parts.iter().find(|(n, _)| *n == name) {
            out.push_str(&markup.0);
        }
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(&maud::html! { (rest) }.into_string());
    maud::PreEscaped(out)
}

#[cfg(test)]
mod tests {
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
        let noise: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7919 % 256) as u8).collect();
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
}
