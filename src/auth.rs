//! Roles and tokens. Tokens are random secrets shown once; only their SHA-256 is stored
//! (a 256-bit random secret needs no slow hash: there is nothing to brute-force).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Cumulative roles: staff < viewer < admin.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Staff,
    Viewer,
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Result<Self, crate::text::NotAllowed> {
        match text {
            "staff" => Ok(Role::Staff),
            "viewer" => Ok(Role::Viewer),
            "admin" => Ok(Role::Admin),
            _ => Err(crate::text::NotAllowed::new(
                "role",
                "staff, viewer or admin",
                text,
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Viewer => "viewer",
            Role::Admin => "admin",
        }
    }
}

/// Who is calling: the token's id, name and role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub token_id: i64,
    pub name: String,
    pub role: Role,
    /// The site a token is bound to (SPEC §16): it records and reads only there.
    pub site: Option<crate::keys::SiteKey>,
}

/// What a token's name must be, as its errors say after the field's name.
pub const TOKEN_NAME_RULE: &str = "must be 1 to 60 characters, without control characters";

/// A token's name, trimmed, if it keeps [`TOKEN_NAME_RULE`] (the API and the CLI both ask).
pub fn token_name(name: &str) -> Option<&str> {
    let name = name.trim();
    let fits = !name.is_empty() && name.chars().count() <= 60 && crate::text::clean_name(name);
    fits.then_some(name)
}

/// Prefix that makes horrors tokens easy to recognise in a secret scanner.
pub const TOKEN_PREFIX: &str = "hrr_";

/// A new random token secret.
pub fn new_secret() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// The stored form of a secret.
pub fn hash_secret(secret: &str) -> Vec<u8> {
    digest_secret(secret).as_bytes().to_vec()
}

/// [`hash_secret`] without an allocation, to look a secret up (every request does).
pub fn digest_secret(secret: &str) -> SecretDigest {
    SecretDigest(Sha256::digest(secret.as_bytes()).into())
}

/// A presented secret's SHA-256, computed once per request and then used for the cache
/// and the database alike (the secret itself is not kept).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretDigest([u8; 32]);

impl SecretDigest {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Its first eight bytes: the digest is uniform already (see `store::cache`).
impl std::hash::Hash for SecretDigest {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let [a, b, c, d, e, f, g, h, ..] = self.0;
        state.write_u64(u64::from_le_bytes([a, b, c, d, e, f, g, h]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_cumulative() {
        assert!(Role::Staff < Role::Viewer && Role::Viewer < Role::Admin);
        assert_eq!(Role::parse("viewer"), Ok(Role::Viewer));
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == 68);
        assert_eq!(hash_secret(&a), hash_secret(&a));
        assert_ne!(hash_secret(&a), hash_secret(&b));
    }
}
