//! The nominations aggregate (step 1 of the method): proposals, their support (once per
//! token) and their fate. Adopting one adds its horror to the catalogue in the same
//! transaction that marks it adopted.

use chrono::{DateTime, Utc};

use super::db::{params, Conn, Row};
use super::{catalogue, instant, millis, Store};
use crate::auth::Identity;
use crate::config::{validate_horrors, HorrorInput, MAX_HORRORS};
use crate::error::{Detail, Error, Result};
use crate::money::Currency;
use crate::nominations::{AdoptInput, NewNomination, Nomination, State};
use crate::ticks::rfc3339;

const COLUMNS: &str = "n.id, n.title, n.description, n.example, n.proposed_by, n.created_at,
     (SELECT COUNT(*) FROM nomination_support s WHERE s.nomination_id = n.id),
     n.state, n.horror_key, n.reason, n.decided_at, n.decided_by,
     EXISTS (SELECT 1 FROM nomination_support s WHERE s.nomination_id = n.id AND s.token_id = ?1)";

fn from_row(row: &dyn Row) -> Result<Nomination> {
    let state = row.text(7)?;
    Ok(Nomination {
        id: row.int(0)?,
        title: row.text(1)?,
        description: row.opt_text(2)?,
        example: row.opt_text(3)?,
        by: row.text(4)?,
        created_at: rfc3339(instant(row.int(5)?)),
        support: row.int(6)?,
        state: State::parse(&state)
            .ok_or_else(|| Error::internal(format!("unknown stored state {state:?}")))?,
        horror: row.opt_text(8)?,
        reason: row.opt_text(9)?,
        decided_at: row.opt_int(10)?.map(|ms| rfc3339(instant(ms))),
        decided_by: row.opt_text(11)?,
        supported: row.bool(12)?,
    })
}

/// One nomination as `viewer` (a token id) sees it.
pub fn get(conn: &mut dyn Conn, id: i64, viewer: i64) -> Result<Option<Nomination>> {
    conn.opt_row(
        &format!("SELECT {COLUMNS} FROM nominations n WHERE n.id = ?2"),
        params![viewer, id],
        from_row,
    )
}

fn found(conn: &mut dyn Conn, id: i64, viewer: i64) -> Result<Nomination> {
    get(conn, id, viewer)?.ok_or_else(|| Error::NotFound(format!("no nomination with id {id}")))
}

/// Every nomination proposed in `[from, to)` (Unix milliseconds), most supported first,
/// then newest.
pub fn list(conn: &mut dyn Conn, viewer: i64, from: i64, to: i64) -> Result<Vec<Nomination>> {
    conn.rows(
        &format!(
            "SELECT {COLUMNS} FROM nominations n WHERE n.created_at >= ?2 AND n.created_at < ?3
             ORDER BY 7 DESC, n.created_at DESC, n.id DESC"
        ),
        params![viewer, from, to],
        from_row,
    )
}

pub fn create(
    conn: &mut dyn Conn,
    who: &Identity,
    input: &NewNomination,
    now: DateTime<Utc>,
) -> Result<Nomination> {
    let id = conn.one_row(
        "INSERT INTO nominations (title, description, example, token_id, proposed_by, created_at, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open') RETURNING id",
        params![
            input.title.as_str(),
            input.description.as_deref(),
            input.example.as_deref(),
            who.token_id,
            who.name.as_str(),
            millis(now)
        ],
        |r| r.int(0),
    )?;
    found(conn, id, who.token_id)
}

fn open(conn: &mut dyn Conn, id: i64, viewer: i64) -> Result<Nomination> {
    let nomination = found(conn, id, viewer)?;
    if nomination.state != State::Open {
        return Err(Error::conflict(
            "nomination_closed",
            format!(
                "nomination {id} was already {}; only open nominations change",
                nomination.state.as_str()
            ),
        ));
    }
    Ok(nomination)
}

/// Adds the caller's support; 409 `already_supported` the second time.
pub fn support(
    conn: &mut dyn Conn,
    id: i64,
    who: &Identity,
    now: DateTime<Utc>,
) -> Result<Nomination> {
    open(conn, id, who.token_id)?;
    let added = conn.execute(
        "INSERT INTO nomination_support (nomination_id, token_id, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        params![id, who.token_id, millis(now)],
    )?;
    if added == 0 {
        return Err(Error::conflict(
            "already_supported",
            format!("this token already supports nomination {id}"),
        ));
    }
    found(conn, id, who.token_id)
}

pub fn decline(
    conn: &mut dyn Conn,
    id: i64,
    who: &Identity,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Nomination> {
    open(conn, id, who.token_id)?;
    conn.execute(
        "UPDATE nominations SET state = 'declined', reason = ?2, decided_at = ?3, decided_by = ?4 WHERE id = ?1",
        params![id, reason, millis(now), who.name.as_str()],
    )?;
    found(conn, id, who.token_id)
}

/// Adds the adopted horror after the active ones (422 `too_many_horrors` when eight are
/// active; the catalogue's own rules for the rest) and links it.
fn adopt(
    conn: &mut dyn Conn,
    id: i64,
    who: &Identity,
    input: &AdoptInput,
    currency: Currency,
    now: DateTime<Utc>,
) -> Result<Nomination> {
    let nomination = open(conn, id, who.token_id)?;
    let active: Vec<_> = catalogue::load_horrors(conn)?
        .into_iter()
        .filter(|h| !h.retired)
        .collect();
    if active.len() >= MAX_HORRORS {
        return Err(Error::invalid(
            "too_many_horrors",
            format!(
                "{} horrors are active, the most the method allows ({MAX_HORRORS}); retire one first (a few at a time is why it works)",
                active.len()
            ),
        ));
    }
    let description = input.description.clone().or_else(|| {
        nomination
            .description
            .clone()
            .filter(|d| d.chars().count() <= 500)
    });
    let mut inputs: Vec<HorrorInput> = active
        .iter()
        .map(|h| HorrorInput::of(h, currency))
        .collect();
    let index = inputs.len();
    inputs.push(HorrorInput {
        key: input.key.clone(),
        name: input.name.clone(),
        description,
        pain: input.pain,
        unit_cost: input.unit_cost.clone(),
        operational: input.operational,
        playbook: None,
    });
    let prefix = format!("horrors[{index}].");
    let horrors = validate_horrors(&inputs, currency).map_err(|details| {
        let details: Vec<Detail> = details
            .into_iter()
            .map(|d| Detail {
                field: d
                    .field
                    .map(|f| f.strip_prefix(&prefix).unwrap_or(&f).to_string()),
                ..d
            })
            .collect();
        Error::Invalid {
            code: "invalid_horror",
            message: details
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default(),
            details,
        }
    })?;
    catalogue::replace_catalogue(conn, &horrors, "api", Some(&who.name), now)?;
    conn.execute(
        "UPDATE nominations SET state = 'adopted', horror_key = ?2, decided_at = ?3, decided_by = ?4 WHERE id = ?1",
        params![id, input.key.as_str(), millis(now), who.name.as_str()],
    )?;
    found(conn, id, who.token_id)
}

impl Store {
    pub fn create_nomination(&self, who: Identity, input: NewNomination) -> Result<Nomination> {
        let now = self.now();
        self.write(move |conn| create(conn, &who, &input, now))
    }

    /// Every nomination, most supported first, then newest; `supported` for `viewer`.
    pub fn nominations(&self, viewer: i64) -> Result<Vec<Nomination>> {
        self.read(|conn| list(conn, viewer, i64::MIN, i64::MAX))
    }

    /// The nominations proposed between two instants (the annual review's year).
    pub fn nominations_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Nomination>> {
        self.read(|conn| list(conn, 0, millis(from), millis(to)))
    }

    pub fn nomination(&self, id: i64, viewer: i64) -> Result<Option<Nomination>> {
        self.read(|conn| get(conn, id, viewer))
    }

    pub fn support_nomination(&self, id: i64, who: Identity) -> Result<Nomination> {
        let now = self.now();
        self.write(move |conn| support(conn, id, &who, now))
    }

    pub fn decline_nomination(&self, id: i64, who: Identity, reason: String) -> Result<Nomination> {
        let now = self.now();
        self.write(move |conn| decline(conn, id, &who, &reason, now))
    }

    /// Marks an open nomination adopted as a horror already in the catalogue (the demo's
    /// history: its list was made from nominations).
    pub fn link_adopted(&self, id: i64, who: Identity, key: String) -> Result<Nomination> {
        let now = self.now();
        self.write(move |conn| {
            open(conn, id, who.token_id)?;
            conn.execute(
                "UPDATE nominations SET state = 'adopted', horror_key = ?2, decided_at = ?3,
                        decided_by = ?4
                 WHERE id = ?1 AND state = 'open'",
                params![id, key.as_str(), millis(now), who.name.as_str()],
            )?;
            found(conn, id, who.token_id)
        })
    }

    /// Adopts a nomination: its horror joins the catalogue, in one transaction.
    pub fn adopt_nomination(
        &self,
        id: i64,
        who: Identity,
        input: AdoptInput,
    ) -> Result<Nomination> {
        let _one_at_a_time = self
            .inner
            .catalogue_change
            .lock()
            .map_err(|_| Error::internal("catalogue lock poisoned"))?;
        let currency = self.currency()?;
        let now = self.now();
        let adopted = self.write(move |conn| adopt(conn, id, &who, &input, currency, now))?;
        self.reload()?;
        Ok(adopted)
    }
}
