//! Ticks: one occurrence (or `qty` occurrences) of a horror, as sent by a device and as
//! stored. Validation that needs no database lives here; the store checks the catalogue.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::{Identity, Role};
use crate::calendar::local_day;
use crate::config::Settings;
use crate::error::{Detail, Refusal};
use crate::keys::{HorrorKey, SiteKey};
use crate::money::Minor;

mod json;

/// Largest `qty` a tick may carry.
pub const MAX_QTY: i64 = 1000;
/// How far in the future `occurred_at` may be (device clocks drift).
pub const MAX_FUTURE: Duration = Duration::minutes(5);
/// Longest note, in characters.
pub const MAX_NOTE: usize = 500;
/// How long staff may void their own ticks.
pub const OWN_VOID_WINDOW: Duration = Duration::minutes(15);

/// Where a tick came from: noticed inside, a customer complained, an observer from outside
/// the department watched, or a paper check sheet was entered (`sheet` only through
/// `POST /api/sheets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Internal,
    Complaint,
    Observer,
    Sheet,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Internal => "internal",
            Source::Complaint => "complaint",
            Source::Observer => "observer",
            Source::Sheet => "sheet",
        }
    }

    /// Every source, in the order lists show them.
    pub const ALL: [Source; 4] = [
        Source::Internal,
        Source::Complaint,
        Source::Observer,
        Source::Sheet,
    ];

    pub fn parse(text: &str) -> Result<Self, crate::text::NotAllowed> {
        match text {
            "internal" => Ok(Source::Internal),
            "complaint" => Ok(Source::Complaint),
            "observer" => Ok(Source::Observer),
            "sheet" => Ok(Source::Sheet),
            _ => Err(crate::text::NotAllowed::new(
                "source",
                "internal, complaint, observer or sheet",
                text,
            )),
        }
    }
}

/// A tick as sent to `POST /api/ticks` (and each item of a batch).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickInput {
    /// Key of an active horror.
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    pub horror: String,
    /// 1..=1000, default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1000)]
    pub qty: Option<i64>,
    /// RFC 3339; defaults to now; at most 5 minutes in the future, not before 1970.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub occurred_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// One of the configured departments (any name of at most 60 characters when none
    /// are configured; `""` means none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 60, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$")]
    pub department: Option<String>,
    /// At most 500 characters; newline and tab are the only control characters allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    pub note: Option<String>,
    /// Total cost override, a non-negative decimal string with at most the currency's
    /// minor digits, such as `"12.50"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub cost: Option<String>,
    /// The device's id for this tap (1..=100 visible ASCII characters), with the meaning
    /// of an idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[\u0021-\u007e]{1,100}$")]
    pub client_id: Option<String>,
    /// The site's key (SPEC §16): required with sites configured unless the token is bound
    /// to one (then it defaults to that site); refused without sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    pub site: Option<String>,
}

impl TickInput {
    /// A fingerprint of what was sent, to tell a replay from a different request that
    /// reuses an idempotency key.
    pub fn fingerprint(&self) -> Vec<u8> {
        let canonical = TickInput {
            client_id: None,
            ..self.clone()
        };
        Sha256::digest(serde_json::to_vec(&canonical).unwrap_or_default()).to_vec()
    }
}

/// A validated tick, ready for the store (which resolves the horror and its unit cost).
#[derive(Clone, Debug, PartialEq)]
pub struct NewTick {
    pub horror: String,
    pub qty: i64,
    pub occurred_at: DateTime<Utc>,
    pub source: Source,
    pub department: Option<String>,
    pub note: Option<String>,
    /// Explicit total cost in minor units, else qty × unit cost at recording.
    pub cost_minor: Option<Minor>,
    /// Idempotency key (header or `client_id`) with the request's fingerprint.
    pub idempotency: Option<(String, Vec<u8>)>,
    /// The site's key; `None` without sites.
    pub site: Option<SiteKey>,
}

impl NewTick {
    /// What the tick costs: its explicit cost, else `qty` × the horror's unit cost at
    /// recording. (PostgreSQL's one-statement insert says the same in SQL:
    /// `COALESCE(cost, qty * unit)`.)
    pub fn cost(&self, unit_cost: Minor) -> Minor {
        self.cost_minor
            .unwrap_or_else(|| Minor::new(self.qty * unit_cost.get()))
    }

    /// The tick's local day: `occurred_at` in its site's timezone (the organization's
    /// without sites).
    pub fn day(&self, settings: &Settings) -> NaiveDate {
        local_day(self.occurred_at, settings.site_tz(self.site.as_deref()))
    }
}

/// Who may void a tick (SPEC §6): an admin any; anyone else only a tick their own token
/// recorded, within [`OWN_VOID_WINDOW`] of recording.
pub fn may_void(
    who: &Identity,
    recorded_by_token: Option<i64>,
    recorded_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if who.role >= Role::Admin {
        return Ok(());
    }
    if recorded_by_token != Some(who.token_id) {
        return Err(Refusal::NotYourTick);
    }
    if now - recorded_at > OWN_VOID_WINDOW {
        return Err(Refusal::VoidWindowPassed);
    }
    Ok(())
}

/// A stored tick as every endpoint returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Tick {
    pub id: i64,
    #[schema(value_type = String)]
    pub horror: HorrorKey,
    pub qty: i64,
    pub occurred_at: String,
    /// Local date of `occurred_at` in its site's timezone (the organization's without
    /// sites).
    pub day: String,
    /// The site's key; null without sites.
    #[schema(value_type = Option<String>)]
    pub site: Option<SiteKey>,
    pub source: Source,
    pub department: Option<String>,
    pub note: Option<String>,
    pub cost: String,
    #[schema(value_type = i64)]
    pub cost_minor: Minor,
    pub recorded_at: String,
    pub recorded_by: String,
    pub voided: bool,
    pub void_reason: Option<String>,
    /// The paper check sheet this tick was entered from (`source: "sheet"`); absent
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<i64>,
}

/// Drops sub-millisecond precision: instants are stored in milliseconds, and a tick must
/// read back exactly as it was acknowledged.
pub fn to_millis(instant: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(instant.timestamp_millis()).unwrap_or(instant)
}

/// Formats an instant the way every response does: RFC 3339 in UTC.
pub fn rfc3339(instant: DateTime<Utc>) -> String {
    crate::stamp::rfc3339(instant)
}

/// Whether `key` is a valid idempotency key or client id: 1..=100 visible ASCII characters.
pub fn valid_idempotency_key(key: &str) -> bool {
    (1..=100).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// A tick's (or a sheet's) department: one of the configured ones, else any name of at
/// most 60 characters without control characters (`""` means none); refused with its error
/// code and message.
pub fn department(
    settings: &Settings,
    name: Option<&str>,
) -> Result<Option<String>, (&'static str, String)> {
    match name {
        None => Ok(None),
        // No list configured: any short name, and "" means none.
        Some(name) if settings.departments.is_empty() => {
            if name.chars().count() > 60 || !crate::text::clean_name(name) {
                return Err((
                    "invalid_department",
                    "department must be at most 60 characters, without control characters".into(),
                ));
            }
            Ok(Some(name).filter(|n| !n.is_empty()).map(str::to_string))
        }
        Some(name) => {
            if !settings.departments.iter().any(|d| d == name) {
                let allowed = settings.departments.join(", ");
                return Err((
                    "unknown_department",
                    format!("department must be one of {allowed}"),
                ));
            }
            Ok(Some(name.to_string()))
        }
    }
}

/// Checks everything about a tick that needs no database. `index` is the batch position
/// (for details) or `None` for a single tick (details name the field).
// Over 80 lines: one check per field, in the order its details are reported.
pub fn validate(
    input: &TickInput,
    settings: &Settings,
    bound_site: Option<&str>,
    now: DateTime<Utc>,
    index: Option<usize>,
) -> Result<NewTick, Vec<Detail>> {
    let mut details = Vec::new();
    let mut problem = |field: &str, code: &'static str, message: String| {
        details.push(match index {
            Some(i) => Detail {
                index: Some(i),
                field: Some(field.to_string()),
                code,
                message,
            },
            None => Detail::field(field, code, message),
        });
    };
    let qty = input.qty.unwrap_or(1);
    if !(1..=MAX_QTY).contains(&qty) {
        problem(
            "qty",
            "invalid_qty",
            format!("qty must be between 1 and {MAX_QTY}, got {qty}"),
        );
    }
    let now = to_millis(now);
    let occurred_at = match &input.occurred_at {
        None => now,
        Some(text) => match DateTime::parse_from_rfc3339(text) {
            Ok(t) => {
                let t = to_millis(t.with_timezone(&Utc));
                if t > now + MAX_FUTURE {
                    problem(
                        "occurred_at",
                        "occurred_in_future",
                        format!("occurred_at {text} is more than 5 minutes in the future"),
                    );
                }
                if t.timestamp() < 0 {
                    problem(
                        "occurred_at",
                        "invalid_occurred_at",
                        format!("occurred_at {text} is before 1970"),
                    );
                }
                t
            }
            Err(_) => {
                problem("occurred_at", "invalid_occurred_at", format!("occurred_at {} is not an RFC 3339 instant such as 2026-03-08T07:30:00-06:00", crate::text::echo(text)));
                now
            }
        },
    };
    if let Some(note) = &input.note {
        if note.chars().count() > MAX_NOTE {
            problem(
                "note",
                "invalid_note",
                format!("note must be at most {MAX_NOTE} characters"),
            );
        } else if !crate::text::clean_note(note) {
            problem(
                "note",
                "invalid_note",
                format!("note {}", crate::text::NOTE_CONTROL),
            );
        }
    }
    let department = match department(settings, input.department.as_deref()) {
        Ok(department) => department,
        Err((code, message)) => {
            problem("department", code, message);
            None
        }
    };
    let cost_minor = match &input.cost {
        None => None,
        Some(text) => match settings.currency().parse_amount(text) {
            Ok(minor) => Some(minor),
            Err(error) => {
                problem("cost", "invalid_amount", error.to_string());
                None
            }
        },
    };
    let idempotency = match &input.client_id {
        Some(id) if !valid_idempotency_key(id) => {
            problem(
                "client_id",
                "invalid_client_id",
                "client_id must be 1 to 100 visible ASCII characters".into(),
            );
            None
        }
        Some(id) => Some((id.clone(), input.fingerprint())),
        None => None,
    };
    let site = match settings.site_for_write(input.site.as_deref(), bound_site) {
        Ok(site) => site,
        Err((code, message)) => {
            problem("site", code, message);
            None
        }
    };
    if input.source == Some(Source::Sheet) {
        problem(
            "source",
            "invalid_source",
            "source \"sheet\" is for ticks entered from a paper check sheet: send the sheet to POST /api/sheets".into(),
        );
    }
    if input.horror.is_empty() {
        problem(
            "horror",
            "unknown_horror",
            "horror must be the key of an active horror".into(),
        );
    }
    if !details.is_empty() {
        return Err(details);
    }
    Ok(NewTick {
        horror: input.horror.clone(),
        qty,
        occurred_at,
        source: input.source.unwrap_or(Source::Internal),
        department,
        note: input.note.clone().filter(|n| !n.is_empty()),
        cost_minor,
        idempotency,
        site: site.cloned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(departments: &[&str]) -> Settings {
        Settings {
            departments: departments.iter().map(|d| d.to_string()).collect(),
            ..crate::config::example_settings()
        }
    }

    fn input(json: &str) -> TickInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn staff_void_only_their_own_ticks_within_fifteen_minutes() {
        let who = |role| Identity {
            token_id: 7,
            name: "phone".into(),
            role,
            site: None,
        };
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let recorded = at("2026-03-08T12:00:00Z");
        // (role, recording token, now) → refusal
        let cases = [
            (Role::Staff, Some(7), "2026-03-08T12:15:00Z", None),
            (
                Role::Staff,
                Some(7),
                "2026-03-08T12:15:00.001Z",
                Some(Refusal::VoidWindowPassed),
            ),
            (
                Role::Staff,
                Some(8),
                "2026-03-08T12:00:01Z",
                Some(Refusal::NotYourTick),
            ),
            (
                Role::Staff,
                None,
                "2026-03-08T12:00:01Z",
                Some(Refusal::NotYourTick),
            ),
            (
                Role::Viewer,
                Some(7),
                "2026-03-08T12:20:00Z",
                Some(Refusal::VoidWindowPassed),
            ),
            (Role::Admin, Some(8), "2027-01-01T00:00:00Z", None),
            (Role::Admin, None, "2027-01-01T00:00:00Z", None),
        ];
        for (role, token, now, refusal) in cases {
            let got = may_void(&who(role), token, recorded, at(now)).err();
            assert_eq!(got, refusal, "{role:?} {token:?} {now}");
        }
    }

    #[test]
    fn a_tick_costs_its_own_amount_else_qty_times_the_unit_cost() {
        let settings = settings(&[]);
        let mut tick = validate(
            &input(r#"{"horror":"late","qty":3}"#),
            &settings,
            None,
            now(),
            None,
        )
        .unwrap();
        assert_eq!(tick.cost(Minor::new(250)), Minor::new(750));
        tick.cost_minor = Some(Minor::new(99));
        assert_eq!(tick.cost(Minor::new(250)), Minor::new(99));
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-08T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn defaults_fill_in() {
        let tick = validate(
            &input(r#"{"horror":"late"}"#),
            &settings(&[]),
            None,
            now(),
            None,
        )
        .unwrap();
        assert_eq!(
            (tick.qty, tick.occurred_at, tick.source, tick.cost_minor),
            (1, now(), Source::Internal, None)
        );
    }

    #[test]
    fn accepts_the_edges() {
        let ok = [
            r#"{"horror":"late","qty":1000}"#,
            r#"{"horror":"late","occurred_at":"2026-03-08T12:05:00Z"}"#,
            r#"{"horror":"late","occurred_at":"2026-03-08T06:04:59-06:00"}"#,
            r#"{"horror":"late","cost":"1.23"}"#,
            r#"{"horror":"late","department":"Dispatch"}"#,
            r#"{"horror":"late","source":"complaint","note":"ok"}"#,
            r#"{"horror":"late","source":"observer"}"#,
        ];
        for json in ok {
            assert!(
                validate(&input(json), &settings(&["Dispatch"]), None, now(), None).is_ok(),
                "{json}"
            );
        }
    }

    #[test]
    fn refuses_out_of_range_values() {
        let long_note = format!(r#"{{"horror":"late","note":"{}"}}"#, "x".repeat(501));
        let cases = [
            (r#"{"horror":"late","qty":0}"#, "invalid_qty"),
            (r#"{"horror":"late","qty":1001}"#, "invalid_qty"),
            (r#"{"horror":"late","qty":-3}"#, "invalid_qty"),
            (
                r#"{"horror":"late","occurred_at":"2026-03-08T12:05:01Z"}"#,
                "occurred_in_future",
            ),
            (
                r#"{"horror":"late","occurred_at":"yesterday"}"#,
                "invalid_occurred_at",
            ),
            (
                r#"{"horror":"late","occurred_at":"2026-03-08 12:00:00"}"#,
                "invalid_occurred_at",
            ),
            (r#"{"horror":"late","cost":"1.234"}"#, "invalid_amount"),
            (r#"{"horror":"late","cost":"-1.00"}"#, "invalid_amount"),
            (
                r#"{"horror":"late","department":"Kitchen"}"#,
                "unknown_department",
            ),
            (r#"{"horror":"late","client_id":""}"#, "invalid_client_id"),
            (r#"{"horror":""}"#, "unknown_horror"),
            (r#"{"horror":"late","source":"sheet"}"#, "invalid_source"),
            (&long_note, "invalid_note"),
        ];
        for (json, code) in cases {
            let details =
                validate(&input(json), &settings(&["Dispatch"]), None, now(), Some(3)).unwrap_err();
            assert_eq!(details[0].code, code, "{json}");
            assert_eq!(details[0].index, Some(3));
        }
    }

    #[test]
    fn fingerprint_ignores_client_id_only() {
        let a = input(r#"{"horror":"late","client_id":"a"}"#);
        let b = input(r#"{"horror":"late","client_id":"b"}"#);
        let c = input(r#"{"horror":"late","qty":2,"client_id":"a"}"#);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        assert!(valid_idempotency_key("abc-123_XYZ~!"));
        assert!(valid_idempotency_key(&"k".repeat(100)));
        for bad in ["", "has space", "tab\t", "é", &"k".repeat(101)] {
            assert!(!valid_idempotency_key(bad), "{bad:?}");
        }
    }
}
