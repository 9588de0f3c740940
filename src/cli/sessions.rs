//! `horrors session`: page sessions listed and revoked.

use super::{open_existing, seconds, stdout_done};
use crate::error::{Error, Result};
use crate::store::Location;
use std::io::Write;

/// `horrors session list`: every live page session as a table.
pub(super) fn list(db: &Location) -> Result<()> {
    let store = open_existing(db)?;
    let rows: Vec<Vec<String>> = store
        .list_sessions()?
        .into_iter()
        .map(|s| {
            vec![
                s.id,
                s.token_id.to_string(),
                s.name,
                s.role.as_str().to_string(),
                s.site.unwrap_or_else(|| "-".into()),
                seconds(&s.created_at),
                seconds(&s.expires_at),
            ]
        })
        .collect();
    let header = [
        "id",
        "token",
        "name",
        "role",
        "site",
        "created (UTC)",
        "expires (UTC)",
    ];
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut text = line(header.to_vec()) + "\n";
    for r in &rows {
        text += &(line(r.iter().map(String::as_str).collect()) + "\n");
    }
    stdout_done(std::io::stdout().write_all(text.as_bytes()))
}

/// `horrors session revoke`: ends one page session.
pub(super) fn revoke(db: &Location, id: String) -> Result<()> {
    let store = open_existing(db)?;
    if store.revoke_session(&id)? {
        println!("revoked session {}", id.trim());
        Ok(())
    } else {
        Err(Error::NotFound(format!(
            "no live session with id {:?} (see `horrors session list`)",
            id.trim()
        )))
    }
}
