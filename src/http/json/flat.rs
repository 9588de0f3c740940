//! The one-pass reading of a flat body (a tick, or a batch of them): serde_json straight
//! into the type, structs from JSON objects only; whatever it refuses goes to the strict
//! reading ([`from_slice`]), which answers every error.

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

use super::from_slice;
use crate::error::Result;

/// A request body of scalars only: each field a string, an integer, an enum named by a
/// string, or an option of one; no struct, sequence, map or float anywhere inside, and
/// unknown fields refused. For such a body, [`from_slice_flat`] reads a plain object in
/// one pass and leaves every other spelling to [`from_slice`].
///
/// A body that is a list of flat objects under one key (the batch of ticks) is flat too:
/// its [`Flat::OnePass`] is a twin type whose list is read with [`flat_items`].
pub trait Flat: DeserializeOwned {
    /// What the one pass reads: the type itself, or its twin (see above).
    type OnePass: DeserializeOwned + Into<Self>;
}

/// [`from_slice`] for a [`Flat`] body, in one pass when it can: serde_json reads it
/// straight into `T`, but only from a JSON object (never an array by position). Whatever
/// that pass refuses (a duplicate or unknown key, a number written with a fraction or an
/// exponent, bad syntax, a wrong shape) is read again by [`from_slice`], so every answer
/// and every error is [`from_slice`]'s. What the pass accepts, [`from_slice`] accepts as
/// the same value: serde's derived structs refuse a key named twice, the fields' types
/// refuse anything nested, and integers are read only from integers as written.
pub fn from_slice_flat<T: Flat>(body: &[u8]) -> Result<T> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    <T::OnePass as serde::Deserialize>::deserialize(ObjectOnly(&mut reader))
        .and_then(|value| reader.end().map(|()| value.into()))
        .or_else(|_| from_slice(body))
}

/// A list of [`Flat`] objects in [`Flat::OnePass`]: `#[serde(deserialize_with =
/// "flat_items")]` on its field. Each item is read from a JSON object only, as the one
/// pass reads a whole flat body.
pub fn flat_items<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: de::Deserializer<'de>,
    T: Flat,
{
    struct Items<T>(std::marker::PhantomData<T>);

    impl<'de, T: Flat> Visitor<'de> for Items<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of JSON objects")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(ItemSeed(std::marker::PhantomData))? {
                items.push(item);
            }
            Ok(items)
        }
    }

    struct ItemSeed<T>(std::marker::PhantomData<T>);

    impl<'de, T: Flat> DeserializeSeed<'de> for ItemSeed<T> {
        type Value = T;

        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
            <T::OnePass as serde::Deserialize>::deserialize(ObjectOnly(d)).map(Into::into)
        }
    }

    d.deserialize_seq(Items(std::marker::PhantomData))
}

/// A deserializer that reads structs from JSON objects only and nothing else (see
/// [`from_slice_flat`]): serde_json's own would fill a struct from an array by position.
pub(super) struct ObjectOnly<D>(pub(super) D);

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("a flat body is read as a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(MapOnly(visitor))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// A struct's visitor that takes a map and refuses everything else (a sequence above all).
struct MapOnly<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for MapOnly<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(map)
    }
}
