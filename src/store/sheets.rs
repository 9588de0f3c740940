//! The sheets aggregate (step 2 of the method): a paper check sheet entered at once. Its
//! ticks are recorded through [`ticks::insert`] (so the rollup stays exact) in the same
//! transaction as the sheet, carry its id, and are voided with it.

use chrono::{DateTime, Utc};

use super::db::{params, Conn, Engine, Param};
use super::{instant, millis, ticks, Snapshot, Store};
use crate::auth::Identity;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::keys::SiteKey;
use crate::money::Currency;
use crate::sheets::{Catalogue, NewSheet, Sheet};
use crate::ticks::rfc3339;

impl Catalogue for Snapshot {
    fn active(&self, key: &str) -> Option<bool> {
        self.horror(key).map(|h| !h.retired)
    }
}

/// Sheet `id` with its ticks, if it exists.
pub fn get(conn: &mut dyn Conn, id: i64, currency: Currency) -> Result<Option<Sheet>> {
    let sheet = conn.opt_row(
        "SELECT id, site, department, first_day, last_day, recorded_at, recorded_by, voided_at
         FROM sheets WHERE id = ?1",
        params![id],
        |r| {
            Ok(Sheet {
                id: r.int(0)?,
                site: SiteKey::from_column(r.text(1)?),
                department: r.opt_text(2)?,
                first_day: r.text(3)?,
                last_day: r.text(4)?,
                recorded_at: rfc3339(instant(r.int(5)?)),
                recorded_by: r.text(6)?,
                voided: r.opt_int(7)?.is_some(),
                ticks: Vec::new(),
            })
        },
    )?;
    let Some(mut sheet) = sheet else {
        return Ok(None);
    };
    sheet.ticks = ticks::of_sheet(conn, id, currency)?;
    Ok(Some(sheet))
}

/// Records a sheet and its ticks all or nothing. With an idempotency key, a repeat with the
/// same body returns the stored sheet (`true`: a replay) and records nothing; the same key
/// with another body is 409 `idempotency_conflict`.
// Over 80 lines: the replay check, the sheet's row, its ticks and its idempotency key, in
// the order the one transaction writes them.
pub fn insert(
    conn: &mut dyn Conn,
    who: &Identity,
    sheet: &NewSheet,
    key: Option<&str>,
    fingerprint: &[u8],
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<(Sheet, bool)> {
    let currency = settings.currency();
    if let Some(key) = key {
        let seen = conn.opt_row(
            "SELECT id, fingerprint FROM sheets WHERE token_id = ?1 AND idem_key = ?2",
            params![who.token_id, key],
            |r| Ok((r.int(0)?, r.bytes(1)?)),
        )?;
        if let Some((id, seen)) = seen {
            if seen != fingerprint {
                return Err(Error::conflict(
                    "idempotency_conflict",
                    format!(
                        "key {} was already used for a different sheet; nothing was recorded",
                        crate::text::echo(key)
                    ),
                ));
            }
            let stored = get(conn, id, currency)?
                .ok_or_else(|| Error::internal("idempotent sheet vanished"))?;
            return Ok((stored, true));
        }
    }
    let (first, last) = (sheet.first_day.to_string(), sheet.last_day.to_string());
    let id = conn.one_row(
        "INSERT INTO sheets (site, department, first_day, last_day, recorded_at, token_id,
                             recorded_by, idem_key, fingerprint)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        &[
            Param::Text(SiteKey::column(sheet.site.as_ref())),
            Param::OptText(sheet.department.as_deref()),
            Param::Text(&first),
            Param::Text(&last),
            Param::Int(millis(now)),
            Param::Int(who.token_id),
            Param::Text(&who.name),
            Param::OptText(key),
            Param::Bytes(fingerprint),
        ],
        |r| r.int(0),
    )?;
    let written = ticks::insert(
        conn,
        Some(who.token_id),
        &who.name,
        &sheet.ticks,
        settings,
        now,
    )?;
    let recorded = ticks::answers(sheet.ticks.clone(), written, &who.name, now, currency)?;
    let ids: Vec<i64> = recorded.iter().map(|r| r.tick.id).collect();
    if conn.engine() == Engine::Postgres {
        conn.execute(
            "UPDATE ticks SET sheet_id = ?1 WHERE id = ANY(?2::bigint[])",
            &[Param::Int(id), Param::Ints(&ids)],
        )?;
    } else {
        for tick in &ids {
            conn.execute(
                "UPDATE ticks SET sheet_id = ?1 WHERE id = ?2",
                params![id, *tick],
            )?;
        }
    }
    let stored = Sheet {
        id,
        site: sheet.site.clone(),
        department: sheet.department.clone(),
        first_day: first,
        last_day: last,
        recorded_at: rfc3339(now),
        recorded_by: who.name.clone(),
        voided: false,
        ticks: recorded
            .into_iter()
            .map(|r| crate::ticks::Tick {
                sheet: Some(id),
                ..r.tick
            })
            .collect(),
    };
    Ok((stored, false))
}

/// Voids sheet `id` and every tick entered from it (each through [`ticks::void`], so the
/// rollup loses exactly what they added). Voiding a voided sheet returns it unchanged.
pub fn void(
    conn: &mut dyn Conn,
    id: i64,
    who: &Identity,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Sheet> {
    let currency = settings.currency();
    let sheet = get(conn, id, currency)?
        .ok_or_else(|| Error::NotFound(format!("no sheet with id {id}")))?;
    if sheet.voided {
        return Ok(sheet);
    }
    let reason = format!("sheet {id} voided");
    for tick in sheet.ticks.iter().filter(|t| !t.voided) {
        ticks::void(conn, tick.id, who, Some(&reason), settings, now)?;
    }
    conn.execute(
        "UPDATE sheets SET voided_at = ?2, voided_by = ?3 WHERE id = ?1 AND voided_at IS NULL",
        params![id, millis(now), who.name.as_str()],
    )?;
    get(conn, id, currency)?.ok_or_else(|| Error::internal("voided sheet vanished"))
}

impl Store {
    /// Records a checked sheet and its ticks; returns once durably committed, with whether
    /// it was a replay of an earlier request with the same idempotency key.
    pub fn record_sheet(
        &self,
        who: Identity,
        sheet: NewSheet,
        key: Option<String>,
        fingerprint: Vec<u8>,
    ) -> Result<(Sheet, bool)> {
        let snapshot = self.snapshot()?;
        let now = crate::ticks::to_millis(self.now());
        let (sheet, replayed) = self.write(move |conn| {
            insert(
                conn,
                &who,
                &sheet,
                key.as_deref(),
                &fingerprint,
                &snapshot.settings,
                now,
            )
        })?;
        if !replayed {
            self.metrics().ticks_recorded(sheet.ticks.len() as u64);
        }
        Ok((sheet, replayed))
    }

    /// Voids a sheet and all its ticks (admin).
    pub fn void_sheet(&self, id: i64, who: Identity) -> Result<Sheet> {
        let snapshot = self.snapshot()?;
        let now = self.now();
        self.write(move |conn| void(conn, id, &who, &snapshot.settings, now))
    }

    pub fn sheet(&self, id: i64) -> Result<Option<Sheet>> {
        let currency = self.currency()?;
        self.read(|conn| get(conn, id, currency))
    }
}
