//! The pages' CSS, scripts and icon, compiled into the binary (no CDN, no build step) and
//! served under `/static/<name>?v=<fingerprint>` with a year-long cache: the fingerprint
//! changes whenever any asset's bytes do.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// An [`Asset`] from `assets/pages/<name>`.
macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!("../../assets/pages/", $name)),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("style.css", CSS),
    asset!("tally.js", JS),
    asset!("admin.js", JS),
    asset!("dashboard.js", JS),
    asset!("method.js", JS),
    asset!("sw.js", JS),
    asset!("icon.svg", SVG),
];

/// The service worker's file: revalidated on every check, allowed to control `/tally`.
pub const SERVICE_WORKER: &str = "sw.js";

/// First 12 hex digits of the SHA-256 of every asset.
static FINGERPRINT: LazyLock<String> = LazyLock::new(|| {
    let mut hash = Sha256::new();
    for asset in ASSETS {
        hash.update(asset.name.as_bytes());
        hash.update(asset.bytes);
    }
    hex::encode(hash.finalize())[..12].to_string()
});

/// The URL of an embedded asset, fingerprinted for caching.
pub fn url(name: &str) -> String {
    format!("/static/{name}?v={}", *FINGERPRINT)
}

/// `GET /static/{file}`.
pub async fn serve(req: actix_web::HttpRequest, file: web::Path<String>) -> Result<HttpResponse> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == file.as_str())
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no static file {}",
                crate::text::echo(file.as_str())
            ))
        })?;
    let etag = format!("\"{}\"", *FINGERPRINT);
    if crate::http::not_modified(&req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let mut response = HttpResponse::Ok();
    response
        .content_type(asset.content_type)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::ETAG, format!("\"{}\"", *FINGERPRINT)));
    if asset.name == SERVICE_WORKER {
        // A worker must be re-checked to update; its scope reaches /tally from /static.
        response
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header(("Service-Worker-Allowed", "/"));
    } else {
        response.insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"));
    }
    Ok(response.body(asset.bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_fingerprint() {
        let url = url("style.css");
        assert!(url.starts_with("/static/style.css?v="), "{url}");
        assert_eq!(url.len(), "/static/style.css?v=".len() + 12);
    }

    #[test]
    fn every_asset_is_non_empty_and_typed() {
        for asset in ASSETS {
            assert!(!asset.bytes.is_empty(), "{}", asset.name);
            let ext = asset.name.rsplit('.').next().unwrap();
            let expected = match ext {
                "css" => "text/css",
                "js" => "text/javascript",
                "svg" => "image/svg+xml",
                other => panic!("unexpected asset type {other}"),
            };
            assert!(asset.content_type.starts_with(expected), "{}", asset.name);
        }
    }
}
