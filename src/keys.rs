//! The keys that name horrors and sites: 1 to 40 of `a-z`, `0-9` and `-`, stable for life
//! (SPEC §3, §16). A key is checked once, where it enters (the configuration, a stored
//! row); past that point a `HorrorKey` or `SiteKey` is known to be well formed, and "no
//! site" is `None`, never `""`.
//!
//! What a request sends stays a `String` until it is looked up: an unknown horror is a
//! refusal with its own code, not a parse error.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize};

/// A text that is not a valid key; the message names what a key is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} must be 1 to 40 of a-z, 0-9 and -", crate::text::echo(.0))]
pub struct InvalidKey(pub String);

/// Defines a key type: a `String` known to keep [`crate::text::is_valid_key`], serialised
/// as that string, read as `&str`.
macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks a key.
            pub fn parse(text: &str) -> Result<Self, InvalidKey> {
                if crate::text::is_valid_key(text) {
                    Ok($name(text.to_string()))
                } else {
                    Err(InvalidKey(text.to_string()))
                }
            }

            /// A key read back from the database, which only ever stored checked keys.
            pub fn from_stored(text: String) -> Self {
                debug_assert!(crate::text::is_valid_key(&text), "stored key {text:?}");
                $name(text)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl From<$name> for String {
            fn from(key: $name) -> String {
                key.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

key_type!(
    /// A horror's key.
    HorrorKey
);

key_type!(
    /// A site's key.
    SiteKey
);

impl SiteKey {
    /// The site column of a stored row, where `''` means "no site".
    pub fn from_column(text: String) -> Option<SiteKey> {
        (!text.is_empty()).then(|| SiteKey::from_stored(text))
    }

    /// A site as the site column stores it: `''` for "no site".
    pub fn column(site: Option<&SiteKey>) -> &str {
        site.map_or("", SiteKey::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked_once_and_read_as_text() {
        for good in ["a", "late-delivery", "0", &"x".repeat(40)] {
            let key = HorrorKey::parse(good).unwrap();
            assert_eq!(key, good);
            assert_eq!(serde_json::to_string(&key).unwrap(), format!("{good:?}"));
            let back: HorrorKey = serde_json::from_str(&format!("{good:?}")).unwrap();
            assert_eq!(back, key);
        }
        for bad in ["", "Late", "late delivery", "é", &"x".repeat(41)] {
            let error = SiteKey::parse(bad).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("{bad:?} must be 1 to 40 of a-z, 0-9 and -")
            );
            assert!(serde_json::from_str::<SiteKey>(&format!("{bad:?}")).is_err());
        }
    }

    #[test]
    fn no_site_is_none_and_stored_as_empty_text() {
        assert_eq!(SiteKey::from_column(String::new()), None);
        let north = SiteKey::from_column("north".into());
        assert_eq!(north.as_ref().map(SiteKey::as_str), Some("north"));
        assert_eq!(SiteKey::column(north.as_ref()), "north");
        assert_eq!(SiteKey::column(None), "");
    }
}
