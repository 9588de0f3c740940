//! Page sessions as an admin sees them: listed (who, since when, until when) and revoked
//! one by one. A session's id is the first 8 bytes of the hash of its secret, in hex: it
//! names the session without being able to open it.

use chrono::{DateTime, Utc};

use super::db::{params, Conn};
use super::{instant, millis, Store};
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::ticks::rfc3339;

/// Bytes of the hash that make a session's id.
const ID_BYTES: usize = 8;

/// A live session (never its secret).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// 16 hex digits.
    pub id: String,
    /// The token the session was opened with (a device's, a person's).
    pub token_id: i64,
    pub name: String,
    pub role: Role,
    pub site: Option<String>,
    pub created_at: String,
    pub expires_at: String,
}

/// Live sessions of unrevoked tokens, newest first.
pub fn list(conn: &mut dyn Conn, now: DateTime<Utc>) -> Result<Vec<SessionInfo>> {
    conn.rows(
        "SELECT s.hash, t.id, t.name, t.role, t.site, s.created_at, s.expires_at
         FROM sessions s JOIN tokens t ON t.id = s.token_id
         WHERE s.expires_at > ?1 AND t.revoked_at IS NULL
         ORDER BY s.created_at DESC, t.id",
        params![millis(now)],
        |row| {
            let hash = row.bytes(0)?;
            let role = row.text(3)?;
            Ok(SessionInfo {
                id: hex::encode(&hash[..ID_BYTES.min(hash.len())]),
                token_id: row.int(1)?,
                name: row.text(2)?,
                role: Role::parse(&role)
                    .map_err(|_| Error::internal(format!("unknown stored role {role:?}")))?,
                site: row.opt_text(4)?,
                created_at: rfc3339(instant(row.int(5)?)),
                expires_at: rfc3339(instant(row.int(6)?)),
            })
        },
    )
}

/// Ends the session with this id; how many ended (0: no such session).
pub fn revoke(conn: &mut dyn Conn, prefix: &[u8]) -> Result<usize> {
    let ended = conn.execute(
        "DELETE FROM sessions WHERE substr(hash, 1, 8) = ?1",
        params![prefix],
    )?;
    if ended > 0 {
        conn.notify("sessions")?;
    }
    Ok(ended as usize)
}

/// The id of the session whose secret is `secret`.
pub fn id_of_secret(secret: &str) -> String {
    hex::encode(&crate::auth::hash_secret(secret)[..ID_BYTES])
}

/// A session id as typed: 16 hex digits.
pub fn parse_id(id: &str) -> Option<Vec<u8>> {
    let bytes = hex::decode(id.trim()).ok()?;
    (bytes.len() == ID_BYTES).then_some(bytes)
}

impl Store {
    /// Every live session (admin page, `horrors session list`).
    pub fn list_sessions(&self) -> Result<Vec<SessionInfo>> {
        let now = self.now();
        self.read(|conn| list(conn, now))
    }

    /// Ends a session by id, here at once and on other instances at the change notice;
    /// `false` when there is no such session.
    pub fn revoke_session(&self, id: &str) -> Result<bool> {
        let Some(prefix) = parse_id(id) else {
            return Ok(false);
        };
        let ended = self.write(move |conn| revoke(conn, &prefix))?;
        self.forget_identities();
        Ok(ended > 0)
    }
}
