//! Paper check sheets (step 2 of the method): printed, entered as ticks, voided.

use actix_web::{web, HttpRequest, HttpResponse};

use super::Store_;
use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{Admin, Params, Staff, Viewer};
use crate::http::json::Json;
use crate::sheets::{self, Sheet, SheetInput};

fn sheet_id(text: &str) -> Result<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| Error::NotFound(format!("no sheet with id {text}")))
}

/// Enters a filled-in paper check sheet: one tick of qty N per day and horror (N = 0
/// records nothing) at local noon of the day, `source: "sheet"`, all or nothing.
#[utoipa::path(post, path = "/api/sheets", tag = "sheets", request_body = SheetInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = r"^[\u0021-\u007e]{1,100}$",
        description = "repeat-safe key, 1..=100 visible ASCII characters; anything else is 400 `bad_idempotency_key`")),
    responses((status = 201, description = "recorded and durably committed: the sheet and its ticks", body = Sheet,
            headers(("Location" = String, description = "`/api/sheets/{id}`"))),
        (status = 200, description = "idempotent replay: the sheet first recorded with this key, nothing recorded", body = Sheet,
            headers(("Idempotent-Replayed" = String, description = "`true`"))),
        (status = 403, description = "`wrong_site`: the token is bound to another site", body = ErrorBody),
        (status = 409, description = "`idempotency_conflict`: the key was used with a different sheet", body = ErrorBody),
        (status = 422, description = "`invalid_count` (negative, over 1000 or not a whole number), `day_in_future`, `invalid_day`, `duplicate_day`, `invalid_days` (none or more than 62), `unknown_horror`, `retired_horror`, `unknown_site`, `site_required`, `invalid_department`, …; `details` name each field; nothing recorded", body = ErrorBody)),
    security(("bearer" = ["staff"])))]
pub async fn post_sheet(
    who: Staff,
    req: HttpRequest,
    store: Store_,
    body: Json<SheetInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let input = body.into_inner();
    let key = super::ticks::idempotency_key(&req)?;
    let snapshot = store.snapshot()?;
    let bound = who.0.site.as_deref();
    crate::sites::check_bound([input.site.as_deref()], bound, "records")?;
    let sheet = sheets::validate(&input, &snapshot.settings, &*snapshot, bound, store.now())?;
    let fingerprint = input.fingerprint();
    let (sheet, replayed) = store
        .call(move |s| s.record_sheet(who.into_identity(), sheet, key, fingerprint))
        .await?;
    if replayed {
        return Ok(HttpResponse::Ok()
            .insert_header(("Idempotent-Replayed", "true"))
            .json(sheet));
    }
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/sheets/{}", sheet.id),
        ))
        .json(sheet))
}

/// Voids a sheet and every tick entered from it; voiding a voided sheet returns it
/// unchanged (200), so a repeated DELETE is harmless.
#[utoipa::path(delete, path = "/api/sheets/{id}", tag = "sheets",
    params(("id" = i64, Path, description = "the sheet's id")),
    responses((status = 200, description = "voided (or already voided): the sheet with its voided ticks", body = Sheet),
        (status = 404, description = "no such sheet", body = ErrorBody)),
    security(("bearer" = ["admin"])))]
pub async fn delete_sheet(
    who: Admin,
    req: HttpRequest,
    store: Store_,
    id: web::Path<String>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let id = sheet_id(&id)?;
    let sheet = store
        .call(move |s| s.void_sheet(id, who.into_identity()))
        .await?;
    Ok(HttpResponse::Ok().json(sheet))
}

/// Most days one printed check sheet covers.
const MAX_SHEET_DAYS: i64 = sheets::MAX_DAYS as i64;

/// The printable check sheet: one row per active horror (name, pain, tier), a box per
/// day, and a QR code per horror that opens `/tally?horror=KEY` (with `&site=KEY`).
#[utoipa::path(get, path = "/sheets/check-sheet.pdf", tag = "sheets",
    params(("site" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "the site the sheet is for (its name is printed and its key goes into the QR codes); a site-bound token's own by default"),
        ("department" = Option<String>, Query, max_length = 60, pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$", description = "the department printed on the sheet (one of the configured ones when there are any); blank to fill in by hand"),
        ("from" = Option<String>, Query, format = Date, description = "first day, `YYYY-MM-DD`; default today (or 29 days before `to`)"),
        ("to" = Option<String>, Query, format = Date, description = "last day, on or after `from`, at most 62 days in all; default 29 days after `from`"),
        ("paper" = Option<String>, Query, pattern = "^(a4|letter)$", description = "`a4` (default) or `letter`, printed landscape"),
        ("lang" = Option<crate::i18n::Lang>, Query, description = "language of the sheet's words (the horror names stay as written); else the `horrors_lang` cookie, `Accept-Language`, then the organization's")),
    responses((status = 200, description = "the check sheet, a PDF with its fonts embedded", content_type = "application/pdf", body = super::Binary),
        (status = 403, description = "`wrong_site`", body = ErrorBody),
        (status = 422, description = "`invalid_period` (a malformed date, `to` before `from`, more than 62 days), `invalid_paper`, `unknown_site`, `unknown_department`, `invalid_department`", body = ErrorBody)),
    security(("bearer" = ["viewer"])))]
pub async fn check_sheet(
    who: Viewer,
    req: HttpRequest,
    store: Store_,
    guard: web::Data<crate::http::Guard>,
) -> Result<HttpResponse> {
    let params = Params::parse(
        &req,
        &["site", "department", "from", "to", "paper", "lang"],
        false,
    )?;
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let scope = params.scope(&who.0, &store)?;
    let site = scope.stored().map(str::to_string);
    let department = crate::ticks::department(settings, params.get("department"))
        .map_err(|(code, message)| Error::invalid(code, message))?;
    let paper = match params.get("paper") {
        None => sheets::pdf::Paper::A4,
        Some(text) => sheets::pdf::Paper::parse(text)
            .map_err(|message| Error::invalid("invalid_paper", message))?,
    };
    let today = crate::calendar::local_day(store.now(), settings.site_tz(site.as_deref()));
    let (from, to) = period(params.get("from"), params.get("to"), today)?;
    let lang = crate::http::extract::lang_of(&req, &store);
    // Each horror's tier in the current ranking (the configured window up to today).
    let window = crate::calendar::Window::select(None, None, None, today, settings.window_days)
        .map_err(|error| Error::invalid("invalid_window", error.to_string()))?;
    let ranking_scope = scope.clone();
    let ranking = store
        .call(move |s| {
            crate::report::ranking(s, &window, crate::ranking::By::Priority, &ranking_scope)
        })
        .await?;
    let scheme = if guard.https(&req) { "https" } else { "http" };
    let base = format!("{scheme}://{}", guard.host(&req));
    let rows = snapshot
        .active()
        .map(|h| sheets::pdf::SheetRow {
            name: h.name.clone(),
            pain: h.pain,
            tier: ranking
                .items
                .iter()
                .find(|i| i.key == h.key && i.count > 0)
                .map(|i| i.tier.as_str()),
            url: match &site {
                Some(site) => format!("{base}/tally?horror={}&site={site}", h.key),
                None => format!("{base}/tally?horror={}", h.key),
            },
        })
        .collect();
    let sheet = sheets::pdf::CheckSheet {
        lang,
        organization: settings.name.clone(),
        site: site.as_deref().map(|key| {
            settings
                .site(key)
                .map_or(key, |s| s.name.as_str())
                .to_string()
        }),
        department,
        from,
        to,
        paper,
        rows,
        entry_url: format!("{base}/dashboard"),
    };
    let bytes = web::block(move || sheets::pdf::render(&sheet))
        .await
        .map_err(|e| Error::internal(format!("blocking task failed: {e}")))?
        .map_err(|cause| Error::internal(format!("check sheet: {cause}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "inline; filename=\"check-sheet.pdf\"",
        ))
        .body(bytes))
}

/// The sheet's period: both days given, one (the other 29 days away), or none (the 30
/// days from today); at most [`MAX_SHEET_DAYS`].
fn period(
    from: Option<&str>,
    to: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
    let day = |name: &str, text: &str| {
        sheets::parse_day(text).ok_or_else(|| {
            Error::invalid(
                "invalid_period",
                format!(
                    "{name} {} is not a date from 1970-01-02 on, such as 2026-03-08",
                    crate::text::echo(text)
                ),
            )
        })
    };
    let span = chrono::Days::new(29);
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (day("from", f)?, day("to", t)?),
        (Some(f), None) => {
            let f = day("from", f)?;
            (f, f.checked_add_days(span).unwrap_or(f))
        }
        (None, Some(t)) => {
            let t = day("to", t)?;
            (t.checked_sub_days(span).unwrap_or(t), t)
        }
        (None, None) => (today, today.checked_add_days(span).unwrap_or(today)),
    };
    let days = (to - from).num_days() + 1;
    if days < 1 {
        return Err(Error::invalid(
            "invalid_period",
            format!("to ({to}) is before from ({from})"),
        ));
    }
    if days > MAX_SHEET_DAYS {
        return Err(Error::invalid(
            "invalid_period",
            format!("a check sheet covers at most {MAX_SHEET_DAYS} days, got {days}"),
        ));
    }
    Ok((from, to))
}
