//! Request bodies read whole: the size limit of the route ([`BodyLimit`], else 413),
//! decoded per `Content-Encoding`, and kept as the bytes the connection read when they
//! came in one piece (a tick's body always does), so reading one copies nothing.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::dev::{Decompress, Payload};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest};
use futures_util::Stream;

use crate::error::{Error, Result};

/// The largest body a route reads; the app's default is [`super::BODY_LIMIT`], a route may
/// set its own ([`super::Route::body_limit`]).
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// A raw body (for routes where an empty body is allowed), with the limit, the deadline
/// and the error mapping of [`super::json::Json`].
pub struct RawBody(pub Bytes);

impl FromRequest for RawBody {
    type Error = Error;
    type Future = ReadRaw;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> ReadRaw {
        ReadRaw(ReadBody::new(req, payload))
    }
}

/// [`RawBody`]'s future.
pub struct ReadRaw(ReadBody);

impl Future for ReadRaw {
    type Output = Result<RawBody>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|read| read.map(RawBody).map_err(|e| super::from_payload(&e)))
    }
}

/// Reads a whole body: what actix's `Bytes` extractor does (a declared length over the
/// limit fails before reading, an unreadable one fails; more than the limit fails while
/// reading), without its 8 KiB buffer and copy for a body that comes in one chunk.
pub struct ReadBody {
    stream: Decompress<Payload>,
    limit: usize,
    /// The first chunk, as long as it is the only one.
    first: Option<Bytes>,
    /// The chunks so far, once there is more than one.
    joined: BytesMut,
    refused: Option<PayloadError>,
}

impl ReadBody {
    pub fn new(req: &HttpRequest, payload: &mut Payload) -> ReadBody {
        let limit = req
            .app_data::<BodyLimit>()
            .map_or(super::BODY_LIMIT, |l| l.0);
        let refused = req.headers().get(header::CONTENT_LENGTH).and_then(|value| {
            match value.to_str().ok().and_then(|v| v.parse::<usize>().ok()) {
                Some(length) if length > limit => Some(PayloadError::Overflow),
                Some(_) => None,
                None => Some(PayloadError::UnknownLength),
            }
        });
        ReadBody {
            stream: Decompress::from_headers(payload.take(), req.headers()),
            limit,
            first: None,
            joined: BytesMut::new(),
            refused,
        }
    }
}

impl Future for ReadBody {
    type Output = std::result::Result<Bytes, PayloadError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(refused) = this.refused.take() {
            return Poll::Ready(Err(refused));
        }
        loop {
            match ready!(Pin::new(&mut this.stream).poll_next(cx)) {
                Some(chunk) => {
                    let chunk = chunk?;
                    let held = this.first.as_ref().map_or(0, Bytes::len) + this.joined.len();
                    if held + chunk.len() > this.limit {
                        return Poll::Ready(Err(PayloadError::Overflow));
                    }
                    if held == 0 {
                        this.first = Some(chunk);
                    } else {
                        if let Some(first) = this.first.take() {
                            this.joined.extend_from_slice(&first);
                        }
                        this.joined.extend_from_slice(&chunk);
                    }
                }
                None => {
                    let whole = match this.first.take() {
                        Some(first) => first,
                        None => this.joined.split().freeze(),
                    };
                    return Poll::Ready(Ok(whole));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn read(req: TestRequest, chunks: &[&'static [u8]]) -> std::result::Result<Bytes, String> {
        let (req, _) = req.to_http_parts();
        let stream = futures_util::stream::iter(
            chunks
                .iter()
                .map(|c| Ok::<_, PayloadError>(Bytes::from_static(c)))
                .collect::<Vec<_>>(),
        );
        let mut payload =
            Payload::from(Box::pin(stream) as Pin<Box<dyn futures_util::Stream<Item = _>>>);
        let body = ReadBody::new(&req, &mut payload);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(body).map_err(|e| e.to_string())
    }

    #[test]
    fn one_chunk_is_the_body_as_read() {
        let body = read(TestRequest::post(), &[b"{\"qty\":1}"]).unwrap();
        assert_eq!(&body[..], b"{\"qty\":1}");
    }

    #[test]
    fn chunks_are_joined_in_order_and_empty_ones_skipped() {
        let body = read(TestRequest::post(), &[b"", b"ab", b"", b"c", b"def"]).unwrap();
        assert_eq!(&body[..], b"abcdef");
        assert_eq!(&read(TestRequest::post(), &[]).unwrap()[..], b"");
    }

    #[test]
    fn the_limit_holds_on_the_declared_length_and_on_what_arrives() {
        let limited = |n| TestRequest::post().app_data(BodyLimit(n));
        assert!(read(limited(6), &[b"abc", b"def"]).is_ok());
        let over = PayloadError::Overflow.to_string();
        assert_eq!(read(limited(5), &[b"abc", b"def"]).unwrap_err(), over);
        assert_eq!(read(limited(2), &[b"abc"]).unwrap_err(), over);
        let declared = limited(5).insert_header((header::CONTENT_LENGTH, "6"));
        assert_eq!(read(declared, &[b"a"]).unwrap_err(), over);
        let unreadable = limited(5).insert_header((header::CONTENT_LENGTH, "six"));
        assert_eq!(
            read(unreadable, &[b"a"]).unwrap_err(),
            PayloadError::UnknownLength.to_string()
        );
    }
}
