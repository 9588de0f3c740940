//! What the service tells a Prometheus scraper (`/metrics`, off unless `[metrics]` turns
//! it on): requests by route template and status with their latency, ticks recorded and
//! refused, the writer's queue and group sizes, storage state, the reader pool, alert
//! deliveries and the build. One [`Metrics`] per [`crate::store::Store`], so every part
//! of the process that holds the store can count, and tests that start many apps in one
//! process keep their figures apart.
//!
//! Labels are bounded by construction: a route is its template from the route table
//! (`/api/cycles/{id}`), or `(unmatched)` for every path no route answers; a method is
//! one of the HTTP methods the table knows, or `OTHER`; a refusal is an error code.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};
use rustc_hash::FxHashMap;

thread_local! {
    /// Each thread's handles on the two figures of a request, by [`HandleKey`]: a family finds
    /// its member by hashing the labels (SipHash over the route's text) under a lock shared by
    /// every worker, which is the most a request costs in counting. The labels are bounded (see
    /// above), so the table is; it is emptied past [`MAX_HANDLES`] all the same.
    static HANDLES: RefCell<FxHashMap<HandleKey, (Counter, Histogram)>> =
        RefCell::new(FxHashMap::default());
}

/// Most handles one thread keeps.
const MAX_HANDLES: usize = 4096;

/// A request's labels by identity: its registry, the address (and length) of its route
/// template, the address of its method label (all `'static`: the same text at another
/// address only adds an entry for the same figures), and its status.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct HandleKey {
    metrics: u64,
    route: (usize, usize),
    method: usize,
    status: u16,
}

/// The route label of a request that no route of the table answered.
pub const UNMATCHED: &str = "(unmatched)";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    method: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
    engine: &'static str,
}

/// How an alert delivery to the webhook ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// Failed; retried with backoff.
    Failed,
    /// Failed for 24 h: no more retries.
    GaveUp,
}

impl Delivery {
    fn label(self) -> &'static str {
        match self {
            Delivery::Delivered => "delivered",
            Delivery::Failed => "failed",
            Delivery::GaveUp => "gave_up",
        }
    }
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The figures of one store and the HTTP servers in front of it.
pub struct Metrics {
    /// This registry among all of the process (see [`HANDLES`]).
    id: u64,
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    ticks_recorded: Counter,
    ticks_refused: Family<ReasonLabels, Counter>,
    alert_deliveries: Family<OutcomeLabels, Counter>,
    /// Read at scrape time (see [`Metrics::render`]).
    storage_degraded: Gauge,
    pool_idle: Gauge,
    pool_busy: Gauge,
}

/// What the writer thread keeps up to date itself.
#[derive(Clone, Default)]
pub struct WriterFigures {
    /// Jobs waiting for the writer.
    pub queue: Gauge,
    /// Jobs per group transaction.
    pub group_size: GroupSize,
}

/// A histogram of jobs per group transaction (1 to 1024).
#[derive(Clone)]
pub struct GroupSize(pub Histogram);

impl Default for GroupSize {
    fn default() -> Self {
        GroupSize(Histogram::new(exponential_buckets(1.0, 2.0, 11)))
    }
}

impl Metrics {
    /// The registry for a store on `engine` whose writer keeps `writer` up to date.
    // Over 80 lines: every metric registered with its help text, one after another.
    pub fn new(engine: &'static str, writer: &WriterFigures) -> Metrics {
        let mut registry = Registry::with_prefix("horrors");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by route template and method",
            Unit::Seconds,
            latency.clone(),
        );
        let ticks_recorded = Counter::default();
        registry.register(
            "ticks_recorded",
            "Ticks recorded (replays of an idempotency key or client_id not counted)",
            ticks_recorded.clone(),
        );
        let ticks_refused = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "ticks_refused",
            "Requests to record ticks that were refused, by error code",
            ticks_refused.clone(),
        );
        registry.register(
            "writer_queue_depth",
            "Write jobs waiting for the writer thread",
            writer.queue.clone(),
        );
        registry.register(
            "writer_group_size",
            "Write jobs committed together in one transaction (group commit)",
            writer.group_size.0.clone(),
        );
        let storage_degraded = Gauge::default();
        registry.register(
            "storage_degraded",
            "1 while writes fail because storage is full, unwritable or unreachable, else 0",
            storage_degraded.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Reader connections open and waiting in the pool",
            pool_idle.clone(),
        );
        let pool_busy = Gauge::default();
        registry.register(
            "db_pool_busy_connections",
            "Reader connections in use",
            pool_busy.clone(),
        );
        let alert_deliveries = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "alert_deliveries",
            "Alert deliveries to the webhook, by outcome (delivered, failed, gave_up)",
            alert_deliveries.clone(),
        );
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
                engine,
            })
            .set(1);
        registry.register(
            "build_info",
            "Always 1; the labels say the version and the storage engine",
            build,
        );
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Metrics {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            registry,
            requests,
            latency,
            ticks_recorded,
            ticks_refused,
            alert_deliveries,
            storage_degraded,
            pool_idle,
            pool_busy,
        }
    }

    /// Counts one answered request. `route` is the template that answered it (None: no
    /// route did).
    pub fn request(&self, route: Option<&'static str>, method: &str, status: u16, seconds: f64) {
        let route = route.unwrap_or(UNMATCHED);
        let method = method_label(method);
        let key = HandleKey {
            metrics: self.id,
            route: (route.as_ptr() as usize, route.len()),
            method: method.as_ptr() as usize,
            status,
        };
        HANDLES.with_borrow_mut(|handles| {
            if handles.len() >= MAX_HANDLES {
                handles.clear();
            }
            let (count, latency) = handles.entry(key).or_insert_with(|| {
                let labels = RequestLabels {
                    route,
                    method,
                    status,
                };
                (
                    self.requests.get_or_create_owned(&labels),
                    self.latency
                        .get_or_create_owned(&RouteLabels { route, method }),
                )
            });
            count.inc();
            latency.observe(seconds);
        });
    }

    /// Counts ticks newly recorded.
    pub fn ticks_recorded(&self, n: u64) {
        self.ticks_recorded.inc_by(n);
    }

    /// Counts a refused request to record ticks, by its error code.
    pub fn tick_refused(&self, code: &'static str) {
        self.ticks_refused
            .get_or_create(&ReasonLabels { reason: code })
            .inc();
    }

    /// Counts one alert delivery.
    pub fn alert_delivery(&self, outcome: Delivery) {
        self.alert_deliveries
            .get_or_create(&OutcomeLabels {
                outcome: outcome.label(),
            })
            .inc();
    }

    /// A reader connection was taken from (`+1`) or given back to (`-1`) the pool.
    pub fn reader_busy(&self, delta: i64) {
        self.pool_busy.inc_by(delta);
    }

    /// The exposition: OpenMetrics text when `openmetrics`, else the Prometheus text
    /// format (version 0.0.4). `degraded` and `idle` are read at scrape time.
    pub fn render(&self, degraded: bool, idle: usize, openmetrics: bool) -> String {
        self.storage_degraded.set(i64::from(degraded));
        self.pool_idle.set(idle as i64);
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        if openmetrics {
            text
        } else {
            prometheus_text(&text)
        }
    }
}

/// The content type of [`Metrics::render`]'s output.
pub fn content_type(openmetrics: bool) -> &'static str {
    if openmetrics {
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    } else {
        "text/plain; version=0.0.4; charset=utf-8"
    }
}

fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "OTHER",
    }
}

/// OpenMetrics text to the Prometheus text format: a counter's `# HELP`/`# TYPE` name
/// its `_total` samples, and the OpenMetrics-only lines (`# UNIT`, `# EOF`) go.
fn prometheus_text(openmetrics: &str) -> String {
    let counters: std::collections::HashSet<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        }
        let described = ["# HELP ", "# TYPE "]
            .into_iter()
            .find_map(|prefix| Some((prefix, line.strip_prefix(prefix)?)));
        match described {
            Some((prefix, rest)) => {
                let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                out.push_str(prefix);
                out.push_str(name);
                if counters.contains(name) {
                    out.push_str("_total");
                }
                out.push(' ');
                out.push_str(tail);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(metrics: &Metrics) -> String {
        metrics.render(false, 3, false)
    }

    #[test]
    fn counters_are_named_with_total_in_the_prometheus_text_format() {
        let metrics = Metrics::new("sqlite", &WriterFigures::default());
        metrics.ticks_recorded(2);
        let text = sample(&metrics);
        assert!(
            text.contains("# TYPE horrors_ticks_recorded_total counter\n"),
            "{text}"
        );
        assert!(
            text.contains("\nhorrors_ticks_recorded_total 2\n"),
            "{text}"
        );
        assert!(
            !text.contains("# EOF") && !text.contains("# UNIT"),
            "{text}"
        );
        let open = metrics.render(false, 3, true);
        assert!(open.ends_with("# EOF\n"), "{open}");
        assert!(
            open.contains("# TYPE horrors_ticks_recorded counter\n"),
            "{open}"
        );
    }

    #[test]
    fn labels_stay_bounded_whatever_the_requests() {
        let metrics = Metrics::new("sqlite", &WriterFigures::default());
        for i in 0..500 {
            metrics.request(None, &format!("X{i}"), 404, 0.001);
        }
        metrics.request(Some("/api/cycles/{id}"), "GET", 200, 0.002);
        let text = sample(&metrics);
        let requests: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("horrors_http_requests_total{"))
            .collect();
        assert!(requests.contains(
            &r#"horrors_http_requests_total{route="(unmatched)",method="OTHER",status="404"} 500"#
        ));
        assert!(requests.contains(
            &r#"horrors_http_requests_total{route="/api/cycles/{id}",method="GET",status="200"} 1"#
        ));
        assert_eq!(requests.len(), 2, "{text}");
    }

    #[test]
    fn scrape_time_figures_and_build_info() {
        let metrics = Metrics::new("postgres", &WriterFigures::default());
        let text = metrics.render(true, 3, false);
        assert!(text.contains("\nhorrors_storage_degraded 1\n"), "{text}");
        assert!(
            text.contains("\nhorrors_db_pool_idle_connections 3\n"),
            "{text}"
        );
        assert!(text.contains(&format!(
            "horrors_build_info{{version=\"{}\",engine=\"postgres\"}} 1",
            env!("CARGO_PKG_VERSION")
        )));
    }
}
