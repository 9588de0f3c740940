//! Who is on the other end of a connection, and how hard they may knock: the client
//! address (behind a trusted proxy only), the host they asked for, and the throttle on
//! failed authentication (SPEC §14: 20 failures within 60 s → 429 until the minute passes).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::HttpRequest;

use super::json::BodyDeadline;

/// Options of the HTTP layer that come from deployment, not from the organization.
#[derive(Clone, Debug, Default)]
pub struct HttpOptions {
    /// Peers whose `X-Forwarded-*` / `Forwarded` headers are believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// How long a request body may take to arrive.
    pub body_deadline: BodyDeadline,
    /// Most charts rendered at once (default: the number of CPU cores).
    pub chart_renders: Option<usize>,
    /// Failed authentications per address per minute before 429 (default: 20).
    pub auth_failures: Option<usize>,
    /// `[metrics] token`: `/metrics` on the main listener, for this bearer token only.
    pub metrics_token: Option<String>,
    /// `[auth.oidc]`: sign-in with the organization's identity provider, if configured.
    pub oidc: Option<std::sync::Arc<crate::oidc::Oidc>>,
}

/// Per-server state shared by every worker.
pub struct Guard {
    pub options: HttpOptions,
    pub throttle: Throttle,
    pub charts: tokio::sync::Semaphore,
}

impl Guard {
    pub fn new(options: HttpOptions) -> Guard {
        let renders = options.chart_renders.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        });
        Guard {
            throttle: Throttle::new(options.auth_failures.unwrap_or(MAX_FAILURES)),
            options,
            charts: tokio::sync::Semaphore::new(renders.max(1)),
        }
    }

    fn trusted(&self, req: &HttpRequest) -> bool {
        req.peer_addr()
            .is_some_and(|peer| self.options.trusted_proxies.contains(&peer.ip()))
    }

    /// The client's address: the peer, or, when the peer is a trusted proxy, the last
    /// address it put in `X-Forwarded-For`.
    pub fn client(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        if !self.trusted(req) {
            return Some(peer);
        }
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .rev()
            .find(|a| !self.options.trusted_proxies.contains(a));
        Some(forwarded.unwrap_or(peer))
    }

    /// The `host[:port]` the client asked for, lower-cased; forwarded headers count only
    /// from a trusted proxy.
    pub fn host(&self, req: &HttpRequest) -> String {
        if self.trusted(req) {
            return req.connection_info().host().to_ascii_lowercase();
        }
        req.headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    /// Whether the client reached us over HTTPS (only a trusted proxy can say so).
    pub fn https(&self, req: &HttpRequest) -> bool {
        self.trusted(req) && req.connection_info().scheme().eq_ignore_ascii_case("https")
    }
}

/// Failed authentications allowed per address within [`WINDOW`].
pub const MAX_FAILURES: usize = 20;
/// The throttle's window.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most (the oldest are forgotten first when full).
const MAX_ADDRESSES: usize = 100_000;

/// Failed authentications per client address.
pub struct Throttle {
    limit: usize,
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(MAX_FAILURES)
    }
}

impl Throttle {
    /// A throttle allowing `limit` failures per address within [`WINDOW`].
    pub fn new(limit: usize) -> Throttle {
        Throttle {
            limit: limit.max(1),
            failures: Mutex::default(),
        }
    }

    /// Seconds until `ip` may try again, if it is throttled at `now`.
    pub fn blocked(&self, ip: IpAddr, now: Instant) -> Option<u64> {
        let mut map = self.failures.lock().ok()?;
        let times = map.get_mut(&ip)?;
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() < self.limit {
            if times.is_empty() {
                map.remove(&ip);
            }
            return None;
        }
        let oldest = *times.front()?;
        let left = WINDOW.saturating_sub(now.duration_since(oldest));
        Some(left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }

    /// Records a failed authentication from `ip` at `now`.
    pub fn fail(&self, ip: IpAddr, now: Instant) {
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&ip) {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
            if map.len() >= MAX_ADDRESSES {
                return;
            }
        }
        let times = map.entry(ip).or_default();
        times.push_back(now);
        while times.len() > self.limit {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_failures_in_a_minute_block_that_address_until_the_minute_passes() {
        let throttle = Throttle::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let start = Instant::now();
        for i in 0..MAX_FAILURES as u64 {
            assert_eq!(throttle.blocked(a, start + Duration::from_millis(i)), None);
            throttle.fail(a, start + Duration::from_millis(i));
        }
        let now = start + Duration::from_secs(1);
        assert_eq!(throttle.blocked(a, now), Some(59));
        assert_eq!(
            throttle.blocked(b, now),
            None,
            "other addresses are not slowed"
        );
        assert_eq!(
            throttle.blocked(a, start + Duration::from_millis(59_500)),
            Some(1)
        );
        // The first failure ages out: 19 left in the window.
        assert_eq!(
            throttle.blocked(a, start + Duration::from_millis(60_000)),
            None
        );
    }

    #[test]
    fn failures_spread_over_more_than_a_minute_never_block() {
        let throttle = Throttle::default();
        let a: IpAddr = "::1".parse().unwrap();
        let start = Instant::now();
        for i in 0..100u64 {
            let now = start + Duration::from_secs(4 * i);
            assert_eq!(throttle.blocked(a, now), None, "failure {i}");
            throttle.fail(a, now);
        }
    }
}
