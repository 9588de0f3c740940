//! What a route table is made of: each path with the methods it answers, the least role each
//! method needs and the handler that answers it, and how such a table is registered. The
//! table itself, pages included, is [`crate::app::ROUTES`]; the same table is what the tests
//! check against the OpenAPI document and the role matrix.
//!
//! Registering a route gives it, from the table alone:
//! - one actix route per method, GET answering HEAD as well (SPEC §14);
//! - a 405 for any other method, with `Allow` listing the table's methods;
//! - the route's own body limit when it has one ([`Route::body_limit`]);
//! - for pages, the middleware that remembers a `?lang=` choice in a cookie (SPEC §20).
//!
//! The role is not enforced here: each handler asks for it by type ([`super::extract::Staff`]
//! and the others for the API, `guard::require` in the pages), so a handler cannot
//! forget it. The table says what those checks are, and the tests hold the two together.

use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse};

use crate::auth::Role;
use crate::error::Error;

/// A method anyone may call, without credentials.
pub const OPEN: Option<Role> = None;
/// A method for staff and above (roles are cumulative: staff < viewer < admin).
pub const STAFF: Option<Role> = Some(Role::Staff);
/// A method for viewers and admins.
pub const VIEWER: Option<Role> = Some(Role::Viewer);
/// A method for admins only.
pub const ADMIN: Option<Role> = Some(Role::Admin);

/// A method a route answers; [`Method::Get`] answers HEAD too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    /// Every method, in the order `Allow` lists them.
    pub const ALL: [Method; 5] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    /// The method's name: `GET`, `POST`…
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// The actix route that matches this method (GET: GET and HEAD).
    fn route(self) -> actix_web::Route {
        web::route().guard(self)
    }

    /// Whether a request's method is this one (GET: GET or HEAD).
    fn matches(self, method: &actix_web::http::Method) -> bool {
        use actix_web::http::Method as M;
        match self {
            Method::Get => method == M::GET || method == M::HEAD,
            Method::Post => method == M::POST,
            Method::Put => method == M::PUT,
            Method::Patch => method == M::PATCH,
            Method::Delete => method == M::DELETE,
        }
    }
}

/// A route's method guard. Actix's own method guards also record each method they test in
/// the request's extensions, for a 405 of theirs: four allocations a request, for an
/// answer each resource here gives itself from the table (`Allow` included).
impl actix_web::guard::Guard for Method {
    fn check(&self, ctx: &actix_web::guard::GuardContext<'_>) -> bool {
        self.matches(&ctx.head().method)
    }
}

/// The route template that answered a request, for the request metrics: each resource
/// carries its own, so that counting a request copies no string.
#[derive(Clone, Copy, Debug)]
pub struct Template(pub &'static str);

/// What a route serves: where it is documented and what wraps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The JSON API and the operations routes (`/healthz`, `/charts/…`): every method is
    /// in the OpenAPI document, with its role as the `bearer` requirement.
    Api,
    /// An HTML page: not in the OpenAPI document; a valid `?lang=` is remembered in the
    /// `horrors_lang` cookie ([`super::remember_lang`]).
    Page,
    /// Served for the pages but no page itself (the logout form's target, the embedded
    /// files): neither documented nor wrapped.
    Plain,
}

/// Registers a handler on the route [`Method`] prepares: `|r| r.to(api::readings::ranking)`.
pub type Handler = fn(actix_web::Route) -> actix_web::Route;

/// One method of a route.
#[derive(Clone, Copy)]
pub struct Endpoint {
    pub method: Method,
    /// The least role the method needs (roles are cumulative); `None` ([`OPEN`]): anyone.
    pub role: Option<Role>,
    handler: Handler,
}

/// One path and its methods. Built in `const` context, so a table is a plain `const`:
///
/// ```ignore
/// Route::api("/api/cycles")
///     .get(VIEWER, |r| r.to(api::cycles::list_cycles))
///     .post(ADMIN, |r| r.to(api::cycles::create_cycle)),
/// ```
#[derive(Clone, Copy)]
pub struct Route {
    pub path: &'static str,
    pub kind: Kind,
    /// The largest body this route reads, when not [`super::BODY_LIMIT`].
    pub body_limit: Option<usize>,
    /// Indexed by the position of the method in [`Method::ALL`].
    endpoints: [Option<Endpoint>; Method::ALL.len()],
}

impl Route {
    const fn new(path: &'static str, kind: Kind) -> Route {
        Route {
            path,
            kind,
            body_limit: None,
            endpoints: [None; Method::ALL.len()],
        }
    }

    /// A route of the JSON API (documented in OpenAPI).
    pub const fn api(path: &'static str) -> Route {
        Route::new(path, Kind::Api)
    }

    /// An HTML page.
    pub const fn page(path: &'static str) -> Route {
        Route::new(path, Kind::Page)
    }

    /// Neither API nor page (see [`Kind::Plain`]).
    pub const fn plain(path: &'static str) -> Route {
        Route::new(path, Kind::Plain)
    }

    /// Adds `method`, needing `role` (`None`: open), answered by `handler`.
    pub const fn method(mut self, method: Method, role: Option<Role>, handler: Handler) -> Route {
        let slot = &mut self.endpoints[method as usize];
        assert!(slot.is_none(), "a route lists a method twice");
        *slot = Some(Endpoint {
            method,
            role,
            handler,
        });
        self
    }

    /// Adds GET (and so HEAD).
    pub const fn get(self, role: Option<Role>, handler: Handler) -> Route {
        self.method(Method::Get, role, handler)
    }

    pub const fn post(self, role: Option<Role>, handler: Handler) -> Route {
        self.method(Method::Post, role, handler)
    }

    pub const fn put(self, role: Option<Role>, handler: Handler) -> Route {
        self.method(Method::Put, role, handler)
    }

    pub const fn patch(self, role: Option<Role>, handler: Handler) -> Route {
        self.method(Method::Patch, role, handler)
    }

    pub const fn delete(self, role: Option<Role>, handler: Handler) -> Route {
        self.method(Method::Delete, role, handler)
    }

    /// Lets this route read bodies of up to `bytes` (a batch of ticks).
    pub const fn body_limit(mut self, bytes: usize) -> Route {
        self.body_limit = Some(bytes);
        self
    }

    /// The route's methods, in [`Method::ALL`] order.
    pub fn endpoints(&self) -> impl Iterator<Item = &Endpoint> {
        self.endpoints.iter().flatten()
    }

    /// The methods a 405 lists in `Allow`: `GET, HEAD, POST`.
    pub fn allow(&self) -> String {
        self.endpoints()
            .flat_map(|e| match e.method {
                Method::Get => vec!["GET", "HEAD"],
                other => vec![other.as_str()],
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The actix resource answering this route.
    fn register(&self, cfg: &mut web::ServiceConfig) {
        let allow = self.allow();
        let mut resource = web::resource(self.path)
            .app_data(Template(self.path))
            .default_service(web::to(move || {
                let error = Error::MethodNotAllowed(allow.clone());
                async move { Err::<HttpResponse, _>(error) }
            }));
        if let Some(limit) = self.body_limit {
            resource = resource.app_data(super::body::BodyLimit(limit));
        }
        for endpoint in self.endpoints() {
            resource = resource.route((endpoint.handler)(endpoint.method.route()));
        }
        match self.kind {
            Kind::Page => cfg.service(resource.wrap(from_fn(super::remember_lang))),
            Kind::Api | Kind::Plain => cfg.service(resource),
        };
    }
}

/// Registers every route of `routes`, in order (an earlier pattern such as `/charts/{file}`
/// would answer for a later path it matches).
pub fn configure(cfg: &mut web::ServiceConfig, routes: &[Route]) {
    for route in routes {
        route.register(cfg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_head_beside_get_in_a_fixed_order() {
        let noop: Handler = |r| r;
        let route = Route::api("/x")
            .put(None, noop)
            .get(None, noop)
            .post(None, noop);
        assert_eq!(route.allow(), "GET, HEAD, POST, PUT");
        assert_eq!(Route::api("/y").post(None, noop).allow(), "POST");
        let methods: Vec<Method> = route.endpoints().map(|e| e.method).collect();
        assert_eq!(methods, [Method::Get, Method::Post, Method::Put]);
    }

    #[test]
    fn each_method_matches_its_own_and_get_matches_head() {
        use actix_web::http::Method as M;
        let all = [
            M::GET,
            M::HEAD,
            M::POST,
            M::PUT,
            M::PATCH,
            M::DELETE,
            M::OPTIONS,
        ];
        let matched =
            |method: Method| -> Vec<&M> { all.iter().filter(|m| method.matches(m)).collect() };
        assert_eq!(matched(Method::Get), [&M::GET, &M::HEAD]);
        assert_eq!(matched(Method::Post), [&M::POST]);
        assert_eq!(matched(Method::Put), [&M::PUT]);
        assert_eq!(matched(Method::Patch), [&M::PATCH]);
        assert_eq!(matched(Method::Delete), [&M::DELETE]);
    }

    #[test]
    fn the_methods_index_their_own_slots() {
        for (i, method) in Method::ALL.into_iter().enumerate() {
            assert_eq!(method as usize, i);
        }
    }
}
