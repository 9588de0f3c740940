//! JSON request bodies, read strictly: a struct is only ever filled from a JSON object.
//!
//! serde's derived `Deserialize` for a struct also accepts a JSON array and fills the
//! fields by position, so `["late-delivery", 3]` would be read as a tick. Bodies are
//! therefore parsed into a [`Value`] first (bad syntax: 400 `malformed_json`) and then
//! deserialized through [`Strict`], a deserializer over that value which refuses an array
//! wherever a struct is expected, at any depth (wrong shape: 422 `invalid_body`).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};

use super::body::ReadBody;
use crate::error::{Error, Result};

mod flat;
#[cfg(test)]
use flat::ObjectOnly;
pub use flat::{flat_items, from_slice_flat, Flat};

/// Parses a JSON body into `T`, never filling a struct from an array.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let floats = RefCell::new(float_wholeness(body));
    let mut reader = serde_json::Deserializer::from_slice(body);
    let value = de::Deserializer::deserialize_any(
        &mut reader,
        UniqueKeys {
            depth: 0,
            floats: &floats,
        },
    )
    .and_then(|value| reader.end().map(|()| value))
    .map_err(|e| {
        if e.classify() == serde_json::error::Category::Data {
            Error::invalid(
                "invalid_body",
                format!("the body is not a valid request: {e}"),
            )
        } else {
            Error::malformed("malformed_json", format!("the body is not valid JSON: {e}"))
        }
    })?;
    T::deserialize(Strict(&value)).map_err(|e| {
        Error::invalid(
            "invalid_body",
            format!("the body is valid JSON but not a valid request: {e}"),
        )
    })
}

/// For each number of `body` that serde_json reads as a float (one written with a fraction
/// or an exponent, `-0`, or an integer beyond 64 bits), in the order they appear: whether its
/// exact decimal value, as written, is a whole number. serde_json rounds to the nearest
/// `f64`, so `4.0000000000000001` arrives as exactly 4.0: only the text can tell.
fn float_wholeness(body: &[u8]) -> VecDeque<bool> {
    let mut out = VecDeque::new();
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'"' => {
                i += 1;
                while i < body.len() && body[i] != b'"' {
                    i += if body[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < body.len()
                    && matches!(body[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                if let Some(whole) = number_wholeness(&body[start..i]) {
                    out.push_back(whole);
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// `None` for a number serde_json reads as an integer; else whether its exact value is whole.
fn number_wholeness(token: &[u8]) -> Option<bool> {
    let text = std::str::from_utf8(token).ok()?;
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (int_digits, frac_digits) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if exponent.is_none() && frac_digits.is_empty() && !mantissa.contains('.') {
        // An integer: serde_json reads it as one when it fits (`-0` aside).
        let fits = if negative {
            unsigned
                .parse::<u64>()
                .is_ok_and(|n| (1..=1u64 << 63).contains(&n))
        } else {
            unsigned.parse::<u64>().is_ok()
        };
        return (!fits).then_some(true);
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let digits = e.trim_start_matches(['+', '-']);
            let magnitude = digits
                .parse::<i64>()
                .unwrap_or(i64::MAX / 4)
                .min(i64::MAX / 4);
            if e.starts_with('-') {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    let digits: String = format!("{int_digits}{frac_digits}");
    let significant = digits.trim_end_matches('0');
    if significant.trim_start_matches('0').is_empty() {
        return Some(true);
    }
    let zeros = (digits.len() - significant.len()) as i64;
    // Decimal places the value needs: those written, less the exponent and trailing zeros.
    Some(frac_digits.len() as i64 - exponent - zeros <= 0)
}

/// Builds a [`Value`] like serde_json does, but refuses an object that names a key twice
/// (`{"qty": 1, "qty": 1000}` must not be read as either), and keeps a number that is not
/// whole as written from becoming one (see [`float_wholeness`]).
#[derive(Clone, Copy)]
struct UniqueKeys<'a> {
    depth: usize,
    floats: &'a RefCell<VecDeque<bool>>,
}

/// Deepest nesting read (serde_json stops at 128 with a syntax error; valid JSON nested
/// this deep is a wrong shape, 422).
const MAX_DEPTH: usize = 64;

impl<'a> UniqueKeys<'a> {
    fn inner<E: de::Error>(&self) -> Result<UniqueKeysSeed<'a>, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format_args!(
                "nested deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(UniqueKeysSeed {
            depth: self.depth + 1,
            floats: self.floats,
        })
    }
}

impl<'de> Visitor<'de> for UniqueKeys<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<X: de::Error>(self, v: bool) -> Result<Value, X> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<X: de::Error>(self, v: i64) -> Result<Value, X> {
        Ok(Value::from(v))
    }
    fn visit_u64<X: de::Error>(self, v: u64) -> Result<Value, X> {
        Ok(Value::from(v))
    }
    fn visit_f64<X: de::Error>(self, v: f64) -> Result<Value, X> {
        let whole = self.floats.borrow_mut().pop_front().unwrap_or(true);
        // Rounded to a whole f64 though not whole as written: the nearest f64 towards zero
        // (or the smallest above it) stands in, so it is refused wherever a whole number
        // is required and reads like what was sent.
        let v = if !whole && v.fract() == 0.0 {
            if v > 0.0 {
                v.next_down()
            } else if v < 0.0 {
                v.next_up()
            } else {
                f64::MIN_POSITIVE
            }
        } else {
            v
        };
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<X: de::Error>(self, v: &str) -> Result<Value, X> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<X: de::Error>(self, v: String) -> Result<Value, X> {
        Ok(Value::String(v))
    }
    fn visit_unit<X: de::Error>(self) -> Result<Value, X> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let seed = self.inner()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(seed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let seed = self.inner()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            let value = map.next_value_seed(seed)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[derive(Clone, Copy)]
struct UniqueKeysSeed<'a> {
    depth: usize,
    floats: &'a RefCell<VecDeque<bool>>,
}

impl<'de> DeserializeSeed<'de> for UniqueKeysSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(UniqueKeys {
            depth: self.depth,
            floats: self.floats,
        })
    }
}

/// A JSON body extractor: `Content-Type: application/json` (else 415), the size limit of
/// the route's [`super::body::BodyLimit`] (else 413), a deadline for the body (see
/// [`BodyDeadline`]), then [`from_slice`].
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = Error;
    type Future = JsonBody<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        json_body(req, payload, |body| from_slice(body).map(Json))
    }
}

/// A JSON body's future: the content type checked, the body read ([`ReadBody`]), then
/// `parse` ([`Json`] and [`FlatJson`] differ only there).
fn json_body<X>(
    req: &HttpRequest,
    payload: &mut Payload,
    parse: fn(&[u8]) -> Result<X>,
) -> JsonBody<X> {
    JsonBody {
        refused: super::json_content_type(req).err(),
        body: ReadBody::new(req, payload),
        parse,
    }
}

/// The future of [`Json`] and [`FlatJson`].
pub struct JsonBody<X> {
    refused: Option<Error>,
    body: ReadBody,
    parse: fn(&[u8]) -> Result<X>,
}

impl<X> Future for JsonBody<X> {
    type Output = Result<X>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<X>> {
        if let Some(refused) = self.refused.take() {
            return Poll::Ready(Err(refused));
        }
        let body =
            ready!(Pin::new(&mut self.body).poll(cx)).map_err(|e| super::from_payload(&e))?;
        Poll::Ready((self.parse)(&body))
    }
}

/// [`Json`] for a [`Flat`] body, read by [`from_slice_flat`] (the tick's hot path).
pub struct FlatJson<T>(pub T);

impl<T> FlatJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: Flat + 'static> FromRequest for FlatJson<T> {
    type Error = Error;
    type Future = JsonBody<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        json_body(req, payload, |body| from_slice_flat(body).map(FlatJson))
    }
}

/// How long a client may take to send a request body (SPEC: 15 s) before it gets 408.
#[derive(Clone, Copy, Debug)]
pub struct BodyDeadline(pub Duration);

impl Default for BodyDeadline {
    fn default() -> Self {
        BodyDeadline(Duration::from_secs(15))
    }
}

/// A deserializer over a borrowed [`Value`] that refuses arrays for structs.
#[derive(Clone, Copy)]
pub struct Strict<'a>(pub &'a Value);

type E = serde::de::value::Error;

impl<'de, 'a> de::Deserializer<'de> for Strict<'a> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(whole) = integral(n) {
                    // JSON has one kind of number: `4.0` is the integer 4 (as JSON Schema's
                    // `integer`, and so the OpenAPI document, says).
                    visitor.visit_i64(whole)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visitor.visit_seq(Seq(items.iter())),
            Value::Object(map) => visitor.visit_map(Fields::new(map)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Fields::new(map)),
            other => Err(de::Error::invalid_type(unexpected(other), &"a JSON object")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Object(map) if map.len() == 1 => {
                let (variant, value) = map.iter().next().expect("one entry");
                visitor.visit_enum(Variant { variant, value })
            }
            other => Err(de::Error::invalid_type(
                unexpected(other),
                &"a string naming a variant",
            )),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// A number written with a fraction or exponent that is a whole number in `i64`'s range.
fn integral(n: &serde_json::Number) -> Option<i64> {
    let f = n.as_f64()?;
    // 2^63 is exactly representable; every whole f64 below it in magnitude fits in i64.
    (f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0).then_some(f as i64)
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => de::Unexpected::Signed(i),
            None => de::Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

struct Seq<'a>(std::slice::Iter<'a, Value>);

impl<'de, 'a> SeqAccess<'de> for Seq<'a> {
    type Error = E;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, E> {
        self.0
            .next()
            .map(|value| seed.deserialize(Strict(value)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Fields<'a> {
    entries: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'a> Fields<'a> {
    fn new(map: &'a Map<String, Value>) -> Self {
        Fields {
            entries: map.iter(),
            value: None,
        }
    }
}

impl<'de, 'a> MapAccess<'de> for Fields<'a> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, E> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(key.as_str().into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, E> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value without a key"))?;
        seed.deserialize(Strict(value))
    }
}

struct Variant<'a> {
    variant: &'a str,
    value: &'a Value,
}

impl<'de, 'a> EnumAccess<'de> for Variant<'a> {
    type Error = E;
    type Variant = Strict<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Strict<'a>), E> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, Strict(self.value)))
    }
}

impl<'de, 'a> VariantAccess<'de> for Strict<'a> {
    type Error = E;

    fn unit_variant(self) -> Result<(), E> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(
                unexpected(other),
                &"a unit variant",
            )),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, E> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, E> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests;
