//! Exports: the window's ticks and ranking as CSV, the annual review as a ZIP.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{Binary, Store_, WindowQuery};
use crate::error::{Error, Result};
use crate::http::extract::{lang_of, Params, Viewer};
use crate::ranking::By;
use crate::report;

/// Streams a rewound file as the response body, reading it off the async workers.
/// A spooled file as the response body, with its length (never chunked); ZIP is sent
/// as it is, text may be compressed on the way.
fn file_response(file: std::fs::File, content_type: &str, filename: &str) -> HttpResponse {
    use std::io::Read;
    let length = file.metadata().map_or(0, |m| m.len());
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let chunk = web::block(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, std::io::Error>((buf, file))
        })
        .await;
        match chunk {
            Ok(Ok((buf, _))) if buf.is_empty() => None,
            Ok(Ok((buf, file))) => Some((Ok(web::Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(e), None)),
            Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
        }
    });
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if content_type == "application/zip" {
        response.insert_header(header::ContentEncoding::Identity);
    }
    response.body(actix_web::body::SizedStream::new(length, stream))
}

fn spool(write: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<std::fs::File> {
    use std::io::Seek;
    let mut file = tempfile::tempfile().map_err(|e| Error::internal(e.to_string()))?;
    write(&mut file)?;
    file.rewind().map_err(|e| Error::internal(e.to_string()))?;
    Ok(file)
}

/// Every tick of the window as CSV (UTF-8 with BOM, formula cells neutralised).
#[utoipa::path(get, path = "/api/export/ticks.csv", tag = "exports",
    params(WindowQuery, ("include_voided" = Option<bool>, Query)),
    responses((status = 200, description = "RFC 4180 CSV, UTF-8 with BOM", content_type = "text/csv", body = String,
        headers(("Content-Disposition" = String, description = "attachment with a file name")))),
    security(("bearer" = ["viewer"])))]
pub async fn export_ticks(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["include_voided"], true)?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    let include_voided = params.boolean("include_voided")?;
    let store = store.into_inner();
    let file = store
        .call(move |store| {
            spool(|f| {
                crate::export::csv::ticks(
                    store,
                    &window,
                    &scope,
                    include_voided,
                    std::io::BufWriter::new(f),
                )
            })
        })
        .await?;
    Ok(file_response(
        file,
        "text/csv; charset=utf-8",
        &format!("ticks-{}-{}.csv", window.from(), window.to()),
    ))
}

/// The ranking of the window as CSV.
#[utoipa::path(get, path = "/api/export/ranking.csv", tag = "exports",
    params(WindowQuery, ("by" = Option<By>, Query)),
    responses((status = 200, description = "RFC 4180 CSV, UTF-8", content_type = "text/csv", body = String,
        headers(("Content-Disposition" = String, description = "attachment with a file name")))),
    security(("bearer" = ["viewer"])))]
pub async fn export_ranking(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["by"], true)?;
    let window = params.window(&store).await?;
    let scope = params.scope(&who.0, &store)?;
    let by = params.parsed("by", By::parse)?.unwrap_or(By::Priority);
    let store = store.into_inner();
    let file = store
        .call(move |store| {
            let ranking = report::ranking(store, &window, by, &scope)?;
            spool(|f| crate::export::csv::ranking(&ranking, f))
        })
        .await?;
    Ok(file_response(
        file,
        "text/csv; charset=utf-8",
        &format!("ranking-{}-{}.csv", window.from(), window.to()),
    ))
}

/// The annual review of a calendar year (default: this year) as one ZIP.
#[utoipa::path(get, path = "/api/export/annual.zip", tag = "exports",
    params(("year" = Option<i32>, Query, minimum = 1970, maximum = 9998, description = "calendar year (default: this year)"),
        ("site" = Option<String>, Query, pattern = r"^[a-z0-9-]{1,40}$", description = "only this site (SPEC §16); a site-bound token's own site by default"),
        ("lang" = Option<crate::i18n::Lang>, Query, description = "language of README.txt, review.html, the workbook's sheet names and headers, and the charts (SPEC §20; CSV stays English); else the `horrors_lang` cookie, `Accept-Language`, then the organization's"),
        ("Accept-Language" = Option<String>, Header, description = "used when neither `lang` nor the `horrors_lang` cookie names a language")),
    responses((status = 200, description = "the annual review as one ZIP", content_type = "application/zip", body = Binary,
        headers(("Content-Disposition" = String, description = "attachment with a file name")))),
    security(("bearer" = ["viewer"])))]
pub async fn export_annual(who: Viewer, req: HttpRequest, store: Store_) -> Result<HttpResponse> {
    let params = Params::parse(&req, &["year", "lang", "site"], false)?;
    let scope = params.scope(&who.0, &store)?;
    let year = params.parsed("year", crate::export::annual::parse_year)?;
    let lang = lang_of(&req, &store);
    let store = store.into_inner();
    let (name, file) = store
        .call(move |store| {
            let now = store.now();
            let year = match year {
                Some(y) => y,
                None => crate::export::annual::current_year(store, now)?,
            };
            Ok((
                crate::export::annual::file_name(year, &scope),
                crate::export::annual::to_tempfile(store, year, now, lang, &scope)?,
            ))
        })
        .await?;
    Ok(file_response(file, "application/zip", &name))
}
