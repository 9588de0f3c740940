//! [`Store`]'s tokens, devices and sessions: who may call, and as whom.

use super::*;
use crate::auth::{digest_secret, SecretDigest};

impl Store {
    // ------------------------------------------------------------ tokens and sessions

    /// Creates a token and returns its record and its secret (shown once, never stored).
    pub fn create_token(&self, name: &str, role: Role) -> Result<(TokenInfo, String)> {
        self.create_site_token(name, role, None)
    }

    /// [`Store::create_token`] bound to `site` (SPEC §16): an admin token cannot be, and
    /// the site must be a configured, active one.
    pub fn create_site_token(
        &self,
        name: &str,
        role: Role,
        site: Option<&str>,
    ) -> Result<(TokenInfo, String)> {
        // A configured, active site, or none.
        let mut bound = None;
        if let Some(key) = site {
            if role == Role::Admin {
                return Err(Error::invalid(
                    "invalid_site",
                    "admin tokens cannot be bound to a site",
                ));
            }
            let sites = self.read(catalogue::load_settings)?.map(|s| s.sites);
            match sites.unwrap_or_default().into_iter().find(|s| s.key == key) {
                None => return Err(Refusal::UnknownSite(key.to_string()).into()),
                Some(s) if s.retired => return Err(Refusal::RetiredSite(key.to_string()).into()),
                Some(s) => bound = Some(s.key),
            }
        }
        let secret = new_secret().map_err(Error::internal)?;
        let hash = hash_secret(&secret);
        let (name, now) = (name.to_string(), self.now());
        let info = self.write(move |conn| {
            tokens::create_token(conn, &name, role, bound.as_ref(), &hash, now)
        })?;
        Ok((info, secret))
    }

    pub fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        self.read(tokens::list_tokens)
    }

    pub fn revoke_token(&self, id: i64) -> Result<Option<TokenInfo>> {
        let now = self.now();
        let revoked = self.write(move |conn| tokens::revoke_token(conn, id, now));
        self.forget_identities();
        revoked
    }

    /// After a revocation: the next request with any credential asks the database again.
    pub(super) fn forget_identities(&self) {
        self.inner.tokens.clear();
        self.inner.sessions.clear();
    }

    pub fn has_admin_token(&self) -> Result<bool> {
        self.read(tokens::has_admin_token)
    }

    /// The identity behind a presented bearer secret if it was looked up within the cache's
    /// TTL (no database work: safe on an async worker).
    pub fn cached_token(&self, digest: &SecretDigest) -> Option<Arc<Identity>> {
        self.inner.tokens.get(digest)
    }

    /// [`Store::session_by_digest`] from the cache only.
    pub fn cached_session(&self, digest: &SecretDigest) -> Option<(Identity, String)> {
        self.inner.sessions.get(digest)
    }

    /// The identity behind a bearer secret: from the short-lived cache, else an indexed
    /// lookup. Revocation anywhere takes effect within the cache's TTL (at once through
    /// this instance, and on PostgreSQL at the change notice).
    pub fn authenticate(&self, secret: &str) -> Result<Option<Arc<Identity>>> {
        let digest = digest_secret(secret);
        match self.cached_token(&digest) {
            Some(identity) => Ok(Some(identity)),
            None => self.look_up_token(digest),
        }
    }

    /// The identity behind a secret's digest, from the database (a caller that already
    /// missed the cache); remembered in the cache when found.
    pub fn look_up_token(&self, digest: SecretDigest) -> Result<Option<Arc<Identity>>> {
        let found = self
            .read(|conn| tokens::lookup_token(conn, digest.as_bytes()))?
            .map(Arc::new);
        if let Some(identity) = &found {
            self.inner.tokens.put(digest, Arc::clone(identity));
        }
        Ok(found)
    }

    /// Starts a page session for a token secret; returns the session secret and CSRF
    /// secret, or `None` if the token is unknown or revoked.
    pub fn create_session(
        &self,
        token_secret: &str,
        lifetime: chrono::Duration,
    ) -> Result<Option<(String, String, Identity)>> {
        let Some(identity) = self.authenticate(token_secret)? else {
            return Ok(None);
        };
        let secret = new_secret().map_err(Error::internal)?;
        let csrf = new_secret().map_err(Error::internal)?;
        let (hash, token_id, csrf_copy) = (hash_secret(&secret), identity.token_id, csrf.clone());
        let now = self.now();
        self.write(move |conn| {
            tokens::create_session(conn, &hash, token_id, &csrf_copy, now, now + lifetime)
        })?;
        Ok(Some((secret, csrf, Arc::unwrap_or_clone(identity))))
    }

    /// The identity and CSRF secret behind a session cookie, if the session is live and
    /// its token not revoked.
    pub fn session(&self, secret: &str) -> Result<Option<(Identity, String)>> {
        self.session_by_digest(digest_secret(secret))
    }

    /// [`Store::session`] by the cookie's digest: from the cache, else the database.
    pub fn session_by_digest(&self, digest: SecretDigest) -> Result<Option<(Identity, String)>> {
        if let Some(found) = self.cached_session(&digest) {
            return Ok(Some(found));
        }
        let now = self.now();
        let found = self.read(|conn| tokens::lookup_session(conn, digest.as_bytes(), now))?;
        if let Some(session) = &found {
            self.inner.sessions.put(digest, session.clone());
        }
        Ok(found)
    }

    pub fn end_session(&self, secret: &str) -> Result<()> {
        let hash = hash_secret(secret);
        let ended = self.write(move |conn| tokens::delete_session(conn, &hash));
        self.inner.sessions.clear();
        ended
    }
}
