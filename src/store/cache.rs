//! A short-lived cache of who a token or session belongs to.
//!
//! Looking a credential up in SQLite on every request costs more than the rest of a tick
//! (each read transaction after a commit starts from a cold page cache), so identities are
//! remembered for [`TTL`]. Revoking through this server (API, admin page, logout) clears the
//! cache at once; a revocation made by another process (`horrors token revoke` while the
//! server runs) takes effect within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a looked-up identity is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(1);
/// Beyond this many entries the cache starts over (bounds memory under a token-guessing flood).
const MAX_ENTRIES: usize = 10_000;

/// Identities by credential hash, each remembered for [`TTL`].
pub struct TtlCache<V> {
    entries: Mutex<HashMap<Vec<u8>, (V, Instant)>>,
}

impl<V: Clone> TtlCache<V> {
    pub fn new() -> Self {
        TtlCache {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value for `key` if it was stored less than [`TTL`] ago.
    pub fn get(&self, key: &[u8]) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(v, _)| v.clone())
    }

    pub fn put(&self, key: Vec<u8>, value: V) {
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
        assert_eq!(cache.get(b"a"), None);
        cache.put(b"a".to_vec(), 1);
        assert_eq!(cache.get(b"a"), Some(1));
        cache.clear();
        assert_eq!(cache.get(b"a"), None);
        for i in 0..MAX_ENTRIES + 1 {
            cache.put(i.to_le_bytes().to_vec(), i);
        }
        assert!(cache.entries.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
