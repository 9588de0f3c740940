//! Ticks: record one or a batch (201 only once durably committed), void, list.

use std::future::Future;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Store_, WindowQuery};
use crate::calendar::WindowEcho;
use crate::error::{Detail, Error, ErrorBody, Result};
use crate::http::extract::{Params, Staff, Viewer};
use crate::http::json::FlatJson;
use crate::store::{CheckedUnder, TickFilter};
use crate::ticks::{self, Source, Tick, TickInput};

/// `Idempotency-Key`, named once: looking a header up by a `&str` that is not one of the
/// standard names copies the name for every request.
static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The answers' `Content-Type`, as it is sent: `ContentType::json()` would format a `Mime`
/// into a new header value for every answer.
fn json() -> HeaderValue {
    HeaderValue::from_static("application/json")
}

pub(super) fn idempotency_key(req: &HttpRequest) -> Result<Option<String>> {
    match req.headers().get(&IDEMPOTENCY_KEY) {
        None => Ok(None),
        Some(value) => {
            let key = value
                .to_str()
                .ok()
                .filter(|k| ticks::valid_idempotency_key(k))
                .ok_or_else(|| {
                    Error::malformed(
                        "bad_idempotency_key",
                        "Idempotency-Key must be 1 to 100 visible ASCII characters",
                    )
                })?;
            Ok(Some(key.to_string()))
        }
    }
}

/// Strings, integers and a string-named enum only (the tests of `http::json` hold the two
/// readings of a tick together).
impl crate::http::json::Flat for TickInput {
    type OnePass = Self;
}

/// Records one tick; 201 only after it is durably committed.
#[utoipa::path(post, path = "/api/ticks", tag = "ticks", request_body = TickInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\u0021-\u007e]{1,100}$",
        description = "repeat-safe key, 1..=100 visible ASCII characters; anything else is 400 `bad_idempotency_key`")),
    responses((status = 201, description = "recorded and durably committed", body = Tick),
        (status = 200, description = "idempotent replay: the tick first recorded with this key, nothing recorded", body = Tick,
            headers(("Idempotent-Replayed" = String, description = "`true`"))),
        (status = 409, description = "`idempotency_conflict`: the key was used with a different body", body = ErrorBody),
        (status = 422, description = "`unknown_horror`, `retired_horror`, `invalid_qty`, `occurred_in_future`, `invalid_amount`, …", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub fn post_tick(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    body: FlatJson<TickInput>,
) -> impl Future<Output = Result<HttpResponse>> {
    // Checked and queued before the future: it then holds only the reply it waits for
    // (an `async fn` would also keep its arguments), and so fits the allocator's cache.
    let recording = accept_tick(&who, &req, &store, body.into_inner()).and_then(|(tick, under)| {
        store
            .record_ticks_async(under, Some(&who.0), &who.0.name, vec![tick])
            .map_err(Error::one_tick)
    });
    async move {
        let mut recorded = recording?.await.map_err(Error::one_tick)?;
        let recorded = recorded
            .pop()
            .ok_or_else(|| Error::internal("no tick recorded"))?;
        let body = written(&recorded.tick);
        let mut answer = if recorded.replayed {
            let mut ok = HttpResponse::Ok();
            ok.insert_header(("Idempotent-Replayed", "true"));
            ok
        } else {
            HttpResponse::Created()
        };
        Ok(answer.content_type(json()).body(body))
    }
}

/// Room for a tick's JSON: about 300 bytes with a short note; a longer one grows it.
const TICK_JSON_ROOM: usize = 512;

/// A tick's answer as JSON ([`Tick::write_json`]), written into room for it at once:
/// serde_json's own buffer starts at 128 bytes and doubles, so it would be copied twice on
/// its way.
fn written(tick: &Tick) -> Vec<u8> {
    let mut body = Vec::with_capacity(TICK_JSON_ROOM);
    tick.write_json(&mut body);
    body
}

/// A batch's answer as JSON, the same bytes as serde_json writes for it (the tests hold
/// the two together), written into room for its ticks at once (a batch of 100 would be
/// copied about eight times on its way to 30 KB).
fn batch_written(answer: &BatchOutput) -> Vec<u8> {
    let mut body = Vec::with_capacity(TICK_JSON_ROOM * answer.ticks.len() + 32);
    body.extend_from_slice(b"{\"ticks\":[");
    for (i, tick) in answer.ticks.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        tick.write_json(&mut body);
    }
    body.extend_from_slice(b"],\"replayed\":");
    body.extend_from_slice(itoa::Buffer::new().format(answer.replayed).as_bytes());
    body.push(b'}');
    body
}

/// The tick `input` asks to record, checked, with the catalogue and instant it was
/// checked under (a plain function, so that what it holds is not part of the handler's
/// future, which is allocated for every request).
fn accept_tick(
    who: &Staff,
    req: &HttpRequest,
    store: &Store_,
    input: TickInput,
) -> Result<(ticks::NewTick, CheckedUnder)> {
    Params::parse(req, &[], false)?;
    let key = idempotency_key(req)?;
    let snapshot = store.snapshot()?;
    let now = store.now();
    let bound = who.0.site.as_deref();
    crate::sites::check_bound([input.site.as_deref()], bound, "records")?;
    let mut tick =
        ticks::validate(&input, &snapshot.settings, bound, now, None).map_err(|details| {
            Error::Invalid {
                code: "invalid_tick",
                message: String::new(),
                details,
            }
            .one_tick()
        })?;
    if let Some(key) = key {
        tick.idempotency = Some((key, input.fingerprint()));
    }
    Ok((tick, (snapshot, now)))
}

/// Most ticks in one batch.
pub const MAX_BATCH: usize = 1000;

#[derive(Debug, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    /// 1..=1000 ticks.
    #[schema(min_items = 1, max_items = 1000)]
    ticks: Vec<TickInput>,
}

/// A batch of flat ticks.
impl crate::http::json::Flat for BatchInput {
    type OnePass = FlatBatch;
}

/// [`BatchInput`] as the one pass reads it: each tick from a JSON object only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlatBatch {
    #[serde(deserialize_with = "crate::http::json::flat_items")]
    ticks: Vec<TickInput>,
}

impl From<FlatBatch> for BatchInput {
    fn from(batch: FlatBatch) -> Self {
        BatchInput { ticks: batch.ticks }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BatchOutput {
    ticks: Vec<Tick>,
    /// How many items were replays of earlier `client_id`s.
    replayed: usize,
}

/// Records 1..=1000 ticks all-or-nothing (the tally page's offline queue syncs with this).
#[utoipa::path(post, path = "/api/ticks/batch", tag = "ticks", request_body = BatchInput,
    responses((status = 201, description = "all recorded (or replayed by `client_id`)", body = BatchOutput),
        (status = 409, description = "a `client_id` was used with a different tick", body = ErrorBody),
        (status = 422, description = "one or more items are invalid (`details` with `index`); nothing recorded", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn post_batch(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    body: FlatJson<BatchInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let inputs = body.into_inner().ticks;
    if inputs.is_empty() || inputs.len() > MAX_BATCH {
        return Err(Error::invalid(
            "invalid_batch",
            format!("a batch holds 1 to {MAX_BATCH} ticks, got {}", inputs.len()),
        ));
    }
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let now = store.now();
    let bound = who.0.site.as_deref();
    crate::sites::check_bound(inputs.iter().map(|i| i.site.as_deref()), bound, "records")?;
    let mut details: Vec<Detail> = Vec::new();
    let mut valid = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        match ticks::validate(input, settings, bound, now, Some(index)) {
            Ok(tick) => valid.push(tick),
            Err(problems) => details.extend(problems),
        }
    }
    if !details.is_empty() {
        return Err(Error::Invalid {
            code: "invalid_ticks",
            message: "one or more ticks are invalid; nothing was recorded".into(),
            details,
        });
    }
    let recorded = store
        .record_ticks_async((snapshot, now), Some(&who.0), &who.0.name, valid)?
        .await?;
    let replayed = recorded.iter().filter(|r| r.replayed).count();
    let ticks: Vec<Tick> = recorded.into_iter().map(|r| r.tick).collect();
    let body = batch_written(&BatchOutput { ticks, replayed });
    Ok(HttpResponse::Created().content_type(json()).body(body))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct VoidInput {
    /// At most 500 characters; newline and tab are the only control characters allowed.
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$"
    )]
    reason: Option<String>,
}

/// Voids a tick: staff their own within 15 minutes, admin any. Idempotent.
#[utoipa::path(post, path = "/api/ticks/{id}/void", tag = "ticks", request_body(content = Option<VoidInput>,
        description = "optional: an empty body voids without a reason"),
    params(("id" = i64, Path, description = "the tick's id")),
    responses((status = 200, description = "the voided tick (unchanged if it was already void)", body = Tick),
        (status = 403, description = "staff may void only their own ticks, within 15 minutes", body = ErrorBody),
        (status = 404, description = "no such tick", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn void_tick(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
    body: crate::http::body::RawBody,
) -> Result<HttpResponse> {
    let body = body.0;
    Params::parse(&req, &[], false)?;
    let id: i64 = id
        .parse()
        .map_err(|_| Error::NotFound(format!("no tick with id {id}")))?;
    let input: VoidInput = if body.iter().all(u8::is_ascii_whitespace) {
        VoidInput::default()
    } else {
        crate::http::json_content_type(&req)?;
        crate::http::json::from_slice(&body)?
    };
    if input
        .reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > ticks::MAX_NOTE || !crate::text::clean_note(r))
    {
        return Err(Error::invalid(
            "invalid_reason",
            "reason must be at most 500 characters, without control characters but newline and tab",
        ));
    }
    Ok(HttpResponse::Ok().json(
        store
            .call(move |s| s.void_tick(id, who.into_identity(), input.reason))
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct TickPage {
    window: WindowEcho,
    ticks: Vec<Tick>,
    next_before_id: Option<i64>,
}

/// Ticks in the window, newest first, with paging by `before_id`.
#[utoipa::path(get, path = "/api/ticks", tag = "ticks",
    params(WindowQuery,
        ("horror" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "only this horror (an unknown key is 422)"),
        ("source" = Option<Source>, Query), ("department" = Option<String>, Query),
        ("include_voided" = Option<bool>, Query),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "default 100"),
        ("before_id" = Option<i64>, Query, minimum = 1, description = "page: ticks with a smaller id")),
    responses((status = 200, description = "ticks, newest first", body = TickPage)), security(("bearer" = ["viewer"])))]
pub async fn list_ticks(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(
        &req,
        &[
            "horror",
            "source",
            "department",
            "include_voided",
            "limit",
            "before_id",
        ],
        true,
    )?;
    let window = params.window(&store).await?;
    let snapshot = store.snapshot()?;
    let horror = params.get("horror").map(str::to_string);
    if let Some(key) = &horror {
        if snapshot.horror(key).is_none() {
            return Err(Error::invalid(
                "unknown_horror",
                format!("no horror with key {}", crate::text::echo(key)),
            ));
        }
    }
    let scope = params.scope(&who.0, &store)?;
    let filter = TickFilter {
        window,
        horror,
        site: scope.site,
        source: params.parsed("source", Source::parse)?,
        department: params.get("department").map(str::to_string),
        include_voided: params.boolean("include_voided")?,
        limit: params.integer("limit", 1..=1000)?.unwrap_or(100),
        before_id: params.integer("before_id", 1..=i64::MAX)?,
    };
    let (ticks, next_before_id) = store.call(move |s| s.list_ticks(&filter)).await?;
    Ok(HttpResponse::Ok().json(TickPage {
        window: window.echo(snapshot.settings.tz()),
        ticks,
        next_before_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn future_size<A, B, C, D, F: Future>(_: impl Fn(A, B, C, D) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// The batch's answer, written by hand, is serde_json's to the byte (escapes, empty and
    /// missing notes, the replayed count).
    #[test]
    fn a_batchs_own_json_is_serde_jsons() {
        let tick = |id: i64, note: Option<&str>| Tick {
            id,
            horror: crate::keys::HorrorKey::parse("late-delivery").unwrap(),
            qty: 2,
            occurred_at: "2026-03-08T07:30:00Z".into(),
            day: "2026-03-08".into(),
            site: None,
            source: Source::Complaint,
            department: Some("Dock \"B\"".into()),
            note: note.map(str::to_string),
            cost: "70.00".into(),
            cost_minor: crate::money::Minor::new(7000),
            recorded_at: "2026-03-08T07:30:00.001Z".into(),
            recorded_by: "phone\n1".into(),
            voided: false,
            void_reason: None,
            sheet: Some(3),
        };
        for (ticks, replayed) in [
            (vec![tick(1, None)], 0),
            (
                vec![tick(1, Some("é\u{1}")), tick(2, None), tick(3, Some(""))],
                2,
            ),
            ((1..=100).map(|i| tick(i, Some("x"))).collect(), 100),
        ] {
            let answer = BatchOutput { ticks, replayed };
            assert_eq!(
                String::from_utf8(batch_written(&answer)).unwrap(),
                serde_json::to_string(&answer).unwrap()
            );
        }
    }

    /// Actix allocates each request's handler future; past 1,032 bytes glibc serves it from
    /// its shared arena (a lock) instead of the thread's cache. The tick's was 1,088 bytes
    /// alone, with the extractors' around it 1,432.
    #[test]
    fn the_tick_handler_future_is_small() {
        let size = future_size(post_tick);
        assert!(size <= 512, "post_tick's future is {size} bytes");
    }
}
