//! Devices enrolled by QR code (`POST /api/enrolments`): an admin asks for a one-time
//! code; the answer carries the link to open on the phone and that link as a QR code
//! (SVG). Opening it is [`crate::pages::enrol`].

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Role;
use crate::error::{Error, ErrorBody, Result};
use crate::http::extract::{Admin, Params};
use crate::http::json::Json;
use crate::http::Guard;
use crate::store::Store;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentInput {
    /// `staff` (records ticks) or `viewer` (reads); never `admin`.
    #[schema(pattern = "^(staff|viewer)$")]
    role: String,
    /// The site the device works at (required when sites are configured is not
    /// enforced: none means every site).
    #[serde(default)]
    #[schema(pattern = r"^[a-z0-9-]{1,40}$")]
    site: Option<String>,
    /// The device's name, 1 to 60 characters (e.g. "Dock 3 phone").
    #[schema(
        min_length = 1,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*\S[^\u0000-\u001f\u007f-\u009f]*$"
    )]
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct NewEnrolment {
    /// The one-time code (it is also in `url`).
    code: String,
    /// The link to open on the device: `/enrol/{code}` on this server.
    url: String,
    /// When the code stops working (10 minutes from now), RFC 3339.
    expires_at: String,
    /// `url` as a QR code, an SVG document.
    qr_svg: String,
}

/// A one-time code that signs a device in as `name` with `role` at `site`: usable once,
/// for 10 minutes, by opening `url` (the QR code) on the device.
#[utoipa::path(post, path = "/api/enrolments", tag = "tokens", request_body = EnrolmentInput,
    responses((status = 201, description = "the code, its link and the link as a QR code", body = NewEnrolment),
        (status = 422, description = "role not staff or viewer (`invalid_role`), a bad name (`invalid_name`), an unknown or retired site", body = ErrorBody)),
    security(("bearer" = ["admin"])))]
pub async fn create_enrolment(
    who: Admin,
    req: HttpRequest,
    store: web::Data<Store>,
    guard: web::Data<Guard>,
    body: Json<EnrolmentInput>,
) -> Result<HttpResponse> {
    Params::parse(&req, &[], false)?;
    let EnrolmentInput { role, site, name } = body.into_inner();
    let role = match Role::parse(&role) {
        Ok(role @ (Role::Staff | Role::Viewer)) => role,
        _ => {
            return Err(Error::invalid(
                "invalid_role",
                "role must be staff or viewer (a device is never admin)",
            ))
        }
    };
    // The device's name becomes its token's name.
    let name = super::token_name(&name)?;
    let by = who.0.name.clone();
    let enrolment = store
        .call(move |s| s.create_enrolment(role, site.as_deref(), &name, &by))
        .await?;
    let scheme = if guard.https(&req) { "https" } else { "http" };
    let url = format!("{scheme}://{}/enrol/{}", guard.host(&req), enrolment.code);
    let qr_svg = qr_svg(&url)?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(NewEnrolment {
            code: enrolment.code,
            url,
            expires_at: crate::ticks::rfc3339(enrolment.expires_at),
            qr_svg,
        }))
}

/// `text` as a QR code in SVG (medium error correction, with its quiet zone).
pub fn qr_svg(text: &str) -> Result<String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| Error::internal(format!("cannot make a QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}
