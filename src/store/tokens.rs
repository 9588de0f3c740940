//! The access aggregate: API tokens (stored as hashes) and the page sessions made from them.

use chrono::{DateTime, Utc};

use super::db::{params, Conn, Row};
use super::millis;
use crate::auth::{Identity, Role};
use crate::error::{Error, Result};
use crate::keys::SiteKey;
use crate::ticks::rfc3339;

/// A token as listed (never its secret).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The site the token is bound to; null when it is not bound.
    #[schema(value_type = Option<String>)]
    pub site: Option<SiteKey>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

fn role(row: &dyn Row, i: usize) -> Result<Role> {
    let text = row.text(i)?;
    Role::parse(&text).map_err(|_| Error::internal(format!("unknown stored role {text:?}")))
}

fn token_from_row(row: &dyn Row) -> Result<TokenInfo> {
    Ok(TokenInfo {
        id: row.int(0)?,
        name: row.text(1)?,
        role: role(row, 2)?,
        created_at: row.text(3)?,
        revoked_at: row.opt_text(4)?,
        site: row.opt_text(5)?.map(SiteKey::from_stored),
    })
}

pub fn create_token(
    conn: &mut dyn Conn,
    name: &str,
    role: Role,
    site: Option<&SiteKey>,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<TokenInfo> {
    let created_at = rfc3339(now);
    let id = conn.one_row(
        "INSERT INTO tokens (name, role, hash, created_at, site) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![name, role.as_str(), hash, created_at.as_str(), site],
        |r| r.int(0),
    )?;
    Ok(TokenInfo {
        id,
        name: name.to_string(),
        role,
        site: site.cloned(),
        created_at,
        revoked_at: None,
    })
}

pub fn list_tokens(conn: &mut dyn Conn) -> Result<Vec<TokenInfo>> {
    conn.rows(
        "SELECT id, name, role, created_at, revoked_at, site FROM tokens ORDER BY id",
        params![],
        token_from_row,
    )
}

fn token(conn: &mut dyn Conn, id: i64) -> Result<Option<TokenInfo>> {
    conn.opt_row(
        "SELECT id, name, role, created_at, revoked_at, site FROM tokens WHERE id = ?1",
        params![id],
        token_from_row,
    )
}

/// Revokes a token (idempotent). `None` when there is no such token.
pub fn revoke_token(conn: &mut dyn Conn, id: i64, now: DateTime<Utc>) -> Result<Option<TokenInfo>> {
    let changed = conn.execute(
        "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, rfc3339(now).as_str()],
    )?;
    if changed > 0 {
        conn.notify("tokens")?;
    }
    token(conn, id)
}

pub fn has_admin_token(conn: &mut dyn Conn) -> Result<bool> {
    conn.one_row(
        "SELECT EXISTS (SELECT 1 FROM tokens WHERE role = 'admin' AND revoked_at IS NULL)",
        params![],
        |r| r.bool(0),
    )
}

/// The live (unrevoked) token with this hash.
pub fn lookup_token(conn: &mut dyn Conn, hash: &[u8]) -> Result<Option<Identity>> {
    conn.opt_row(
        "SELECT id, name, role, site FROM tokens WHERE hash = ?1 AND revoked_at IS NULL",
        params![hash],
        |row| {
            Ok(Identity {
                token_id: row.int(0)?,
                name: row.text(1)?,
                role: role(row, 2)?,
                site: row.opt_text(3)?.map(SiteKey::from_stored),
            })
        },
    )
}

/// Creates a page session for a token; stores only the hash of its secret.
pub fn create_session(
    conn: &mut dyn Conn,
    hash: &[u8],
    token_id: i64,
    csrf: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<()> {
    conn.execute(
        "DELETE FROM sessions WHERE expires_at < ?1",
        params![millis(now)],
    )?;
    conn.execute(
        "INSERT INTO sessions (hash, token_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash, token_id, csrf, millis(now), millis(expires)],
    )?;
    Ok(())
}

/// The identity and CSRF secret of a live session whose token is not revoked.
pub fn lookup_session(
    conn: &mut dyn Conn,
    hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<(Identity, String)>> {
    conn.opt_row(
        "SELECT t.id, t.name, t.role, s.csrf, t.site FROM sessions s JOIN tokens t ON t.id = s.token_id
         WHERE s.hash = ?1 AND s.expires_at > ?2 AND t.revoked_at IS NULL",
        params![hash, millis(now)],
        |row| {
            Ok((
                Identity {
                    token_id: row.int(0)?,
                    name: row.text(1)?,
                    role: role(row, 2)?,
                    site: row.opt_text(4)?.map(SiteKey::from_stored),
                },
                row.text(3)?,
            ))
        },
    )
}

pub fn delete_session(conn: &mut dyn Conn, hash: &[u8]) -> Result<()> {
    conn.execute("DELETE FROM sessions WHERE hash = ?1", params![hash])?;
    conn.notify("sessions")?;
    Ok(())
}
