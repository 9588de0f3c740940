//! Sign-in with the identity provider, as stored: the sign-ins on their way to the provider
//! (keyed by the hash of their state, ten minutes, used once, on any instance), and the
//! token that stands for each person the provider signed in, whose page sessions are the
//! same as a token sign-in's (listed, revocable).

use chrono::{DateTime, Utc};

use super::db::{params, Conn};
use super::{millis, tokens, Store};
use crate::auth::{hash_secret, new_secret, Identity, Role};
use crate::error::{Error, Result};
use crate::keys::SiteKey;

/// What a started sign-in keeps until the provider sends the browser back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingLogin {
    pub verifier: String,
    pub nonce: String,
    /// Where to go after signing in (a checked local path).
    pub next: Option<String>,
}

/// A person signed in by the provider, mapped to horrors' terms.
pub struct NewPersonSession<'a> {
    /// `issuer sub`.
    pub subject: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub site: Option<&'a SiteKey>,
}

impl Store {
    /// Keeps a started sign-in under the hash of its `state` for ten minutes.
    pub fn begin_oidc_login(&self, state: &str, pending: PendingLogin) -> Result<()> {
        let now = self.now();
        let expires = now + chrono::Duration::minutes(crate::oidc::PENDING_MINUTES);
        let hash = hash_secret(state);
        self.write(move |conn| insert_pending(conn, &hash, &pending, now, expires))
    }

    /// Takes the sign-in started with `state`: once only, and only within its ten minutes.
    pub fn take_oidc_login(&self, state: &str) -> Result<Option<PendingLogin>> {
        let now = self.now();
        let hash = hash_secret(state);
        self.write(move |conn| take_pending(conn, &hash, now))
    }

    /// A page session for the person the provider signed in (the token that stands for
    /// them, made or reused); the session's secret (the cookie) and who it is.
    pub fn start_oidc_session(
        &self,
        person: &NewPersonSession<'_>,
        lifetime: chrono::Duration,
    ) -> Result<(String, Identity)> {
        let session = new_secret().map_err(Error::internal)?;
        let csrf = new_secret().map_err(Error::internal)?;
        let token_hash = hash_secret(&new_secret().map_err(Error::internal)?);
        let session_hash = hash_secret(&session);
        let now = self.now();
        let (subject, name, role, site) = (
            person.subject.to_string(),
            person.name.to_string(),
            person.role,
            person.site.cloned(),
        );
        let identity = self.write(move |conn| {
            let identity =
                account_token(conn, &subject, &name, role, site.as_ref(), &token_hash, now)?;
            tokens::create_session(
                conn,
                &session_hash,
                identity.token_id,
                &csrf,
                now,
                now + lifetime,
            )?;
            Ok(identity)
        })?;
        self.forget_identities();
        Ok((session, identity))
    }
}

pub fn insert_pending(
    conn: &mut dyn Conn,
    hash: &[u8],
    pending: &PendingLogin,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "DELETE FROM oidc_logins WHERE expires_at <= ?1",
        params![millis(now)],
    )?;
    conn.execute(
        "INSERT INTO oidc_logins (state_hash, verifier, nonce, next, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            hash,
            pending.verifier.as_str(),
            pending.nonce.as_str(),
            pending.next.as_deref(),
            millis(now),
            millis(expires)
        ],
    )?;
    Ok(())
}

/// Deletes the pending sign-in and returns it if it was still live: two callbacks with the
/// same state (two instances, the same moment) get it once between them.
pub fn take_pending(
    conn: &mut dyn Conn,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<PendingLogin>> {
    let taken = conn.opt_row(
        "DELETE FROM oidc_logins WHERE state_hash = ?1
         RETURNING verifier, nonce, next, expires_at",
        params![hash],
        |r| {
            Ok((
                PendingLogin {
                    verifier: r.text(0)?,
                    nonce: r.text(1)?,
                    next: r.opt_text(2)?,
                },
                r.int(3)?,
            ))
        },
    )?;
    Ok(taken.and_then(|(pending, expires)| (expires > millis(now)).then_some(pending)))
}

/// The live token that stands for `subject` with this name, role and site; a new one (the
/// old one revoked, so its sessions end) when any of them changed at the provider.
pub fn account_token(
    conn: &mut dyn Conn,
    subject: &str,
    name: &str,
    role: Role,
    site: Option<&SiteKey>,
    new_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Identity> {
    let current = conn.opt_row(
        "SELECT t.id, t.name, t.role, t.site, t.revoked_at FROM oidc_accounts a
         JOIN tokens t ON t.id = a.token_id WHERE a.subject = ?1",
        params![subject],
        |r| {
            Ok((
                r.int(0)?,
                r.text(1)?,
                r.text(2)?,
                r.opt_text(3)?.map(SiteKey::from_stored),
                r.opt_text(4)?,
            ))
        },
    )?;
    if let Some((id, old_name, old_role, old_site, revoked)) = current {
        let same = old_name == name && old_role == role.as_str() && old_site.as_ref() == site;
        if same && revoked.is_none() {
            return Ok(Identity {
                token_id: id,
                name: old_name,
                role,
                site: old_site,
            });
        }
        if revoked.is_none() {
            tokens::revoke_token(conn, id, now)?;
        }
    }
    let token = tokens::create_token(conn, name, role, site, new_hash, now)?;
    conn.execute(
        "INSERT INTO oidc_accounts (subject, token_id) VALUES (?1, ?2)
         ON CONFLICT (subject) DO UPDATE SET token_id = excluded.token_id",
        params![subject, token.id],
    )?;
    Ok(Identity {
        token_id: token.id,
        name: token.name,
        role,
        site: token.site,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;

    fn store() -> (tempfile::TempDir, Store, ManualClock) {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new(Utc::now());
        let store = Store::open_at(
            &super::super::Location::Sqlite(dir.path().join("h.db")),
            Arc::new(clock.clone()),
        )
        .unwrap();
        (dir, store, clock)
    }

    #[test]
    fn a_pending_login_is_taken_once_and_only_within_ten_minutes() {
        let (_dir, store, clock) = store();
        let pending = PendingLogin {
            verifier: "v".into(),
            nonce: "n".into(),
            next: Some("/dashboard".into()),
        };
        store.begin_oidc_login("s1", pending.clone()).unwrap();
        store.begin_oidc_login("s2", pending.clone()).unwrap();
        assert_eq!(store.take_oidc_login("s1").unwrap(), Some(pending.clone()));
        assert_eq!(store.take_oidc_login("s1").unwrap(), None);
        assert_eq!(store.take_oidc_login("forged").unwrap(), None);
        clock.advance(chrono::Duration::minutes(10));
        assert_eq!(store.take_oidc_login("s2").unwrap(), None);
    }

    #[test]
    fn a_person_keeps_one_token_until_the_provider_changes_their_role() {
        let (_dir, store, _clock) = store();
        let person = |role| NewPersonSession {
            subject: "https://idp ana",
            name: "Ana",
            role,
            site: None,
        };
        let days = chrono::Duration::days(1);
        let (s1, a) = store
            .start_oidc_session(&person(Role::Viewer), days)
            .unwrap();
        let (s2, b) = store
            .start_oidc_session(&person(Role::Viewer), days)
            .unwrap();
        assert_ne!(s1, s2);
        assert_eq!(a.token_id, b.token_id);
        assert_eq!(store.list_sessions().unwrap().len(), 2);
        let (_, c) = store
            .start_oidc_session(&person(Role::Staff), days)
            .unwrap();
        assert_ne!(c.token_id, a.token_id);
        assert_eq!(c.role, Role::Staff);
        // The viewer token was revoked: its sessions are gone, the staff one remains.
        let sessions = store.list_sessions().unwrap();
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].role, Role::Staff);
    }
}
