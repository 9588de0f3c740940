//! A short-lived cache of who a token or session belongs to.
//!
//! Looking a credential up in SQLite on every request costs more than the rest of a tick
//! (each read transaction after a commit starts from a cold page cache), so identities are
//! remembered for [`TTL`]. Revoking through this server (API, admin page, logout) clears the
//! cache at once; a revocation made by another process (`horrors token revoke` while the
//! server runs) takes effect within [`TTL`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth::SecretDigest;

/// How long a looked-up identity is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(1);
/// Beyond this many entries the cache starts over (bounds memory under a token-guessing flood).
const MAX_ENTRIES: usize = 10_000;

/// Identities by credential hash, each remembered for [`TTL`].
pub struct TtlCache<V> {
    entries: Mutex<HashMap<SecretDigest, (V, Instant), BuildHasherDefault<DigestHasher>>>,
}

/// Hashes a [`SecretDigest`] by its first eight bytes: a SHA-256 is already uniform, so
/// hashing it again (SipHash, std's default, on every request) buys nothing. Only found
/// credentials are stored, so a caller cannot fill the table with keys of its choosing.
#[derive(Default)]
pub struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // SecretDigest's Hash writes one u64; anything else is folded in, never dropped.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(word);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = self.0.rotate_left(5) ^ word;
    }
}

impl<V: Clone> TtlCache<V> {
    pub fn new() -> Self {
        TtlCache {
            entries: Mutex::new(HashMap::default()),
        }
    }

    /// The value for `key` if it was stored less than [`TTL`] ago.
    pub fn get(&self, key: &SecretDigest) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(v, _)| v.clone())
    }

    pub fn put(&self, key: SecretDigest, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (value, Instant::now()));
        }
    }

    /// Forgets everything (after a revocation or logout).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_cleared_and_bounds_its_size() {
        let cache = TtlCache::new();
        let a = crate::auth::digest_secret("a");
        assert_eq!(cache.get(&a), None);
        cache.put(a, 1);
        assert_eq!(cache.get(&a), Some(1));
        assert_eq!(cache.get(&crate::auth::digest_secret("b")), None);
        cache.clear();
        assert_eq!(cache.get(&a), None);
        for i in 0..MAX_ENTRIES + 1 {
            cache.put(crate::auth::digest_secret(&i.to_string()), i);
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
