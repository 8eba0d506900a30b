//! Prometheus text metrics: request counts and latency histograms per route, snapshot age and
//! generation.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Histogram bucket upper bounds, seconds.
const BUCKETS: [f64; 10] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default, Clone)]
struct RouteStats {
    /// By status code.
    counts: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    sum_s: f64,
    n: u64,
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
}

impl Metrics {
    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let s = routes.entry(route.to_owned()).or_default();
        *s.counts.entry(status).or_default() += 1;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                s.buckets[i] += 1;
            }
        }
        s.sum_s += seconds;
        s.n += 1;
    }

    pub fn render(&self, generation: u64, age_s: f64) -> String {
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut out = String::new();
        out.push_str("# HELP senda_http_requests_total Requests by route and status.\n");
        out.push_str("# TYPE senda_http_requests_total counter\n");
        for (route, s) in &routes {
            for (status, n) in &s.counts {
                let _ = writeln!(
                    out,
                    "senda_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP senda_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE senda_http_request_duration_seconds histogram\n");
        for (route, s) in &routes {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "senda_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "senda_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 senda_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 senda_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                s.n, s.sum_s, s.n
            );
        }
        let _ = writeln!(
            out,
            "# TYPE senda_snapshot_generation gauge\nsenda_snapshot_generation {generation}\n\
             # TYPE senda_snapshot_age_seconds gauge\nsenda_snapshot_age_seconds {age_s:.3}"
        );
        out
    }
}
