//! Charts as SVG or PNG, rendered off the async workers at most a few at once.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::Digest;

use super::{blocking, Binary, Store_, WindowQuery};
use crate::calendar::Bucket;
use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{lang_of, Params, Viewer};
use crate::http::Guard;
use crate::report;
use crate::store::rollup::Group;

/// A chart as SVG or PNG (`pareto`, `cost`, `trend`, `compare`, `matrix`).
#[utoipa::path(get, path = "/charts/{file}", tag = "charts",
    params(("file" = String, Path, description = "chart name and format, e.g. `pareto.svg` or `pareto.png`"),
        WindowQuery,
        ("width" = Option<u32>, Query, minimum = 300, maximum = 3000, description = "pixels, default 960"),
        ("height" = Option<u32>, Query, minimum = 300, maximum = 3000, description = "pixels, default 540"),
        ("bucket" = Option<Bucket>, Query, description = "trend only"),
        ("group" = Option<Group>, Query, description = "pareto only (the other charts ignore it): one small chart per site, department or source (at most 12)"),
        ("a_from" = Option<String>, Query, format = Date, description = "compare: first window (all four or none)"),
        ("a_to" = Option<String>, Query, format = Date), ("b_from" = Option<String>, Query, format = Date, description = "compare: second window"),
        ("b_to" = Option<String>, Query, format = Date),
        ("lang" = Option<crate::i18n::Lang>, Query, description = "language of titles, axes and legends (SPEC §20); else the `horrors_lang` cookie, `Accept-Language`, then the organization's"),
        ("Accept-Language" = Option<String>, Header, description = "used when neither `lang` nor the `horrors_lang` cookie names a language"),
        ("If-None-Match" = Option<String>, Header, description = "an ETag from an earlier answer: 304 when the chart is unchanged")),
    responses((status = 200, description = "the chart", content((String = "image/svg+xml"), (Binary = "image/png")),
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "not modified: `If-None-Match` matches the chart's ETag", headers(("ETag" = String))),
        (status = 404, description = "no such chart", body = ErrorBody)),
    security(("bearer" = ["viewer"])))]
// Over 80 lines: each chart option read and checked in turn before the one render.
pub async fn chart(
    who: Viewer,
    req: HttpRequest,
    store: Store_,
    guard: web::Data<Guard>,
    file: web::Path<String>,
) -> Result<HttpResponse> {
    use crate::charts::{ChartName, Format, DEFAULT_HEIGHT, DEFAULT_WIDTH, MAX_SIZE, MIN_SIZE};
    let unknown = || {
        Error::NotFound(format!(
            "no chart {}; charts are {} as .svg or .png",
            crate::text::echo(file.as_str()),
            ChartName::ALL.map(|c| c.as_str()).join(", ")
        ))
    };
    let (name, extension) = file.rsplit_once('.').ok_or_else(unknown)?;
    let name = ChartName::parse(name).map_err(|_| unknown())?;
    let format = Format::parse(extension).map_err(|_| unknown())?;
    let params = Params::parse(
        &req,
        &[
            "width", "height", "bucket", "a_from", "a_to", "b_from", "b_to", "lang", "horror",
            "laney", "group", "baseline",
        ],
        true,
    )?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    // Only the Pareto chart is drawn per group; the others ignore it (as `bucket`).
    let group = params
        .parsed("group", Group::parse)?
        .filter(|_| name == ChartName::Pareto);
    let size = i64::from(MIN_SIZE)..=i64::from(MAX_SIZE);
    let width = params
        .integer("width", size.clone())?
        .map_or(DEFAULT_WIDTH, |w| w as u32);
    let height = params
        .integer("height", size)?
        .map_or(DEFAULT_HEIGHT, |h| h as u32);
    let bucket = params.parsed("bucket", Bucket::parse)?;
    let compare = match (
        params.get("a_from"),
        params.get("a_to"),
        params.get("b_from"),
        params.get("b_to"),
    ) {
        (None, None, None, None) => None,
        (Some(af), Some(at), Some(bf), Some(bt)) => {
            let window = |from: &str, to: &str| {
                crate::calendar::Window::between(from, to)
                    .map_err(|e| Error::invalid("invalid_window", e.to_string()))
            };
            Some((window(af, at)?, window(bf, bt)?))
        }
        _ => {
            return Err(Error::invalid(
                "invalid_window",
                "give all of a_from, a_to, b_from and b_to, or none",
            ))
        }
    };
    let request = report::ChartRequest {
        name,
        format,
        window,
        compare,
        bucket,
        width,
        height,
        today: report::today(&store, store.now())?,
        lang: Some(lang_of(&req, &store)),
        horror: params.get("horror").map(str::to_string),
        laney: params.get("laney").is_none() || params.boolean("laney")?,
        baseline: params
            .parsed("baseline", crate::control::BaselineKind::parse)?
            .unwrap_or(crate::control::BaselineKind::Before),
        scope,
        group,
    };
    if name == ChartName::Control && bucket == Some(Bucket::Month) {
        return Err(Error::invalid(
            "invalid_parameter",
            "bucket: the control chart takes day or week",
        ));
    }
    let store = store.into_inner();
    let bytes = render_bounded(&guard, move || report::chart(&store, &request)).await?;
    let etag = format!("\"{}\"", &hex::encode(sha2::Sha256::digest(&bytes))[..32]);
    let fresh = crate::http::not_modified(&req, &etag);
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, max-age=60"))
        .insert_header((header::VARY, "Authorization, Cookie, Accept-Language"));
    if fresh {
        return Ok(response.finish());
    }
    if format == crate::charts::Format::Png {
        // Already compressed; never gzip it again.
        response.insert_header(header::ContentEncoding::Identity);
    }
    Ok(response.content_type(format.content_type()).body(bytes))
}

/// How long a chart request waits for a free renderer before it gets 503.
pub const RENDER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs a chart render on the blocking pool, at most as many at once as the guard allows
/// (SPEC §14: CPU cores); a request that waits more than [`RENDER_WAIT`] gets 503.
pub(crate) async fn render_bounded<T: Send + 'static>(
    guard: &Guard,
    render: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let _permit = tokio::time::timeout(RENDER_WAIT, guard.charts.acquire())
        .await
        .map_err(|_| Error::Overloaded)?
        .map_err(|_| Error::Overloaded)?;
    blocking(render).await
}
