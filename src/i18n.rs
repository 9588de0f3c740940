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
mod tests;
