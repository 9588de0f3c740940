//! actix's [`Compress`], asked only when a request names an encoding.
//!
//! Without `Accept-Encoding`, `Compress` sends every answer as it is, but only after parsing
//! its `Content-Type` into a `Mime` and wrapping its body: about a thirtieth of a tick's
//! work in the HTTP worker (`scripts/icount`). A request with no `Accept-Encoding` now goes
//! past it, and gets the same bytes and headers; any other request meets `Compress` itself
//! (its choice of encoding, its 406 for an encoding it cannot give).

use std::rc::Rc;
use std::task::{Context, Poll};

use actix_http::encoding::Encoder;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::ACCEPT_ENCODING;
use actix_web::middleware::Compress;
use futures_util::future::{Either, LocalBoxFuture, MapOk, TryFutureExt};

/// The middleware: [`Compress`] for requests with `Accept-Encoding`, nothing for others.
pub struct CompressWhenAsked;

/// `Compress` over the shared inner service.
type Compressing<S> = <Compress as Transform<Rc<S>, ServiceRequest>>::Transform;
/// What `Compress` answers: the body encoded (or not) by it.
type Encoded<B> = ServiceResponse<EitherBody<Encoder<B>>>;
/// The answer either way.
type Answer<B> = ServiceResponse<EitherBody<EitherBody<Encoder<B>>, B>>;

impl<S, B> Transform<S, ServiceRequest> for CompressWhenAsked
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = Answer<B>;
    type Error = actix_web::Error;
    type Transform = CompressWhenAskedService<S, Compressing<S>>;
    type InitError = ();
    type Future = LocalBoxFuture<'static, Result<Self::Transform, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let plain = Rc::new(service);
        let compressing = Compress::default().new_transform(Rc::clone(&plain));
        Box::pin(async move {
            Ok(CompressWhenAskedService {
                plain,
                compressing: compressing.await?,
            })
        })
    }
}

/// One worker's [`CompressWhenAsked`]: the inner service, and `Compress` (`C`) over it.
pub struct CompressWhenAskedService<S, C> {
    plain: Rc<S>,
    compressing: C,
}

impl<S, C, B> Service<ServiceRequest> for CompressWhenAskedService<S, C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    C: Service<ServiceRequest, Response = Encoded<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    type Response = Answer<B>;
    type Error = actix_web::Error;
    #[allow(clippy::type_complexity)]
    type Future = Either<
        MapOk<C::Future, fn(Encoded<B>) -> Answer<B>>,
        MapOk<S::Future, fn(ServiceResponse<B>) -> Answer<B>>,
    >;

    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.plain.poll_ready(cx)
    }

    fn call(&self, req: ServiceRequest) -> Self::Future {
        if req.headers().contains_key(ACCEPT_ENCODING) {
            let left: fn(Encoded<B>) -> Answer<B> = ServiceResponse::map_into_left_body;
            Either::Left(self.compressing.call(req).map_ok(left))
        } else {
            let right: fn(ServiceResponse<B>) -> Answer<B> = ServiceResponse::map_into_right_body;
            Either::Right(self.plain.call(req).map_ok(right))
        }
    }
}
