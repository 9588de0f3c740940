//! Devices enrolled by QR code: one-time codes (stored as hashes) that, opened once within
//! their ten minutes, become a device token and a long-lived page session in one
//! transaction.

use chrono::{DateTime, Utc};

use super::db::{params, Conn};
use super::{catalogue, millis, tokens, Store};
use crate::auth::{hash_secret, new_secret, Identity, Role};
use crate::error::{Error, Refusal, Result};
use crate::keys::SiteKey;

/// How long an enrolment code can be used.
pub const CODE_MINUTES: i64 = 10;
/// How long an enrolled device's page session lasts.
pub const DEVICE_SESSION_DAYS: i64 = 365;

/// A new enrolment code: shown once (in the QR code), stored as a hash.
pub struct Enrolment {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// An enrolled device, signed in.
pub struct Enrolled {
    /// The page session's secret (the cookie).
    pub session: String,
    pub identity: Identity,
}

impl Store {
    /// Makes a one-time code that enrols a device as `name` with `role` (staff or viewer)
    /// at `site` (a configured, active site, or none).
    pub fn create_enrolment(
        &self,
        role: Role,
        site: Option<&str>,
        name: &str,
        created_by: &str,
    ) -> Result<Enrolment> {
        if role == Role::Admin {
            return Err(Error::invalid(
                "invalid_role",
                "a device is enrolled as staff or viewer, never admin",
            ));
        }
        if let Some(key) = site {
            let sites = self.read(catalogue::load_settings)?.map(|s| s.sites);
            match sites.unwrap_or_default().iter().find(|s| s.key == key) {
                None => return Err(Refusal::UnknownSite(key.to_string()).into()),
                Some(s) if s.retired => return Err(Refusal::RetiredSite(key.to_string()).into()),
                Some(_) => {}
            }
        }
        // 128 random bits: the code is in a URL, so no prefix and no padding.
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
        let code = hex::encode(bytes);
        let now = self.now();
        let expires_at = now + chrono::Duration::minutes(CODE_MINUTES);
        let (hash, site, name, by) = (
            hash_secret(&code),
            site.map(str::to_string),
            name.to_string(),
            created_by.to_string(),
        );
        self.write(move |conn| {
            let new = NewEnrolment {
                hash: &hash,
                role,
                site: site.as_deref(),
                name: &name,
                created_by: &by,
            };
            create(conn, &new, now, expires_at)
        })?;
        Ok(Enrolment { code, expires_at })
    }

    /// Uses an enrolment code: the device's token and a long-lived session, or why not.
    pub fn redeem_enrolment(
        &self,
        code: &str,
    ) -> Result<std::result::Result<Enrolled, EnrolRefusal>> {
        // Anything that is not a code we could have made is unknown without a lookup.
        if code.len() != 32 || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Err(EnrolRefusal::Unknown));
        }
        let device_token = new_secret().map_err(Error::internal)?;
        let session = new_secret().map_err(Error::internal)?;
        let csrf = new_secret().map_err(Error::internal)?;
        let now = self.now();
        let (hash, token_hash, session_hash) = (
            hash_secret(code),
            hash_secret(&device_token),
            hash_secret(&session),
        );
        let session_expires = now + chrono::Duration::days(DEVICE_SESSION_DAYS);
        let identity = self.write(move |conn| {
            let secrets = DeviceSecrets {
                token_hash: &token_hash,
                session_hash: &session_hash,
                csrf: &csrf,
                session_expires,
            };
            redeem(conn, &hash, &secrets, now)
        })?;
        // The device token's secret is dropped here: it is never shown anywhere.
        Ok(identity.map(|identity| Enrolled { session, identity }))
    }
}

/// Why a code did not enrol anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnrolRefusal {
    /// No such code (a guess, or a mistyped link).
    Unknown,
    /// The code was used already.
    Used,
    /// The code's ten minutes are over.
    Expired,
}

/// What a code asks for.
pub struct NewEnrolment<'a> {
    pub hash: &'a [u8],
    pub role: Role,
    pub site: Option<&'a str>,
    pub name: &'a str,
    pub created_by: &'a str,
}

pub fn create(
    conn: &mut dyn Conn,
    new: &NewEnrolment<'_>,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> Result<i64> {
    conn.one_row(
        "INSERT INTO enrolments (hash, role, site, name, created_by, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        params![
            new.hash,
            new.role.as_str(),
            new.site,
            new.name,
            new.created_by,
            millis(now),
            millis(expires)
        ],
        |r| r.int(0),
    )
}

/// The secrets a successful enrolment stores (hashes) for its device.
pub struct DeviceSecrets<'a> {
    pub token_hash: &'a [u8],
    pub session_hash: &'a [u8],
    pub csrf: &'a str,
    pub session_expires: DateTime<Utc>,
}

/// Uses the code with `hash`: creates the device token and its session, marks the code
/// used. All or nothing (it runs in one write job); a code is used at most once even
/// when two phones open it at the same moment.
pub fn redeem(
    conn: &mut dyn Conn,
    hash: &[u8],
    secrets: &DeviceSecrets<'_>,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Identity, EnrolRefusal>> {
    let found = conn.opt_row(
        "SELECT id, role, site, name, expires_at, used_at FROM enrolments WHERE hash = ?1",
        params![hash],
        |r| {
            Ok((
                r.int(0)?,
                r.text(1)?,
                r.opt_text(2)?.map(SiteKey::from_stored),
                r.text(3)?,
                r.int(4)?,
                r.opt_int(5)?,
            ))
        },
    )?;
    let Some((id, role, site, name, expires_at, used_at)) = found else {
        return Ok(Err(EnrolRefusal::Unknown));
    };
    if used_at.is_some() {
        return Ok(Err(EnrolRefusal::Used));
    }
    if expires_at <= millis(now) {
        return Ok(Err(EnrolRefusal::Expired));
    }
    let role =
        Role::parse(&role).map_err(|_| Error::internal(format!("unknown stored role {role:?}")))?;
    let token = tokens::create_token(conn, &name, role, site.as_ref(), secrets.token_hash, now)?;
    let claimed = conn.execute(
        "UPDATE enrolments SET used_at = ?2, token_id = ?3 WHERE id = ?1 AND used_at IS NULL",
        params![id, millis(now), token.id],
    )?;
    if claimed != 1 {
        // Another instance used it between the read and now: undo the token.
        return Err(Error::Conflict {
            code: "enrolment_used",
            message: "this enrolment code was used just now".into(),
            details: Vec::new(),
        });
    }
    tokens::create_session(
        conn,
        secrets.session_hash,
        token.id,
        secrets.csrf,
        now,
        secrets.session_expires,
    )?;
    Ok(Ok(Identity {
        token_id: token.id,
        name,
        role,
        site,
    }))
}
