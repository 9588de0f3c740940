use super::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[test]
fn a_claim_is_leased_for_six_delivery_timeouts() {
    for (seconds, lease) in [(1, 6), (3, 18), (10, 60), (60, 360)] {
        let config = AlertsConfig {
            delivery_timeout_seconds: seconds,
            ..AlertsConfig::default()
        };
        assert_eq!(
            config.delivery_timeout(),
            std::time::Duration::from_secs(seconds)
        );
        assert_eq!(config.lease(), Duration::seconds(lease));
    }
    assert_eq!(AlertsConfig::default().lease(), Duration::seconds(60));
}

#[test]
fn signatures_are_hmac_sha256_of_time_dot_body() {
    // RFC 4231, test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?"); the
    // message here is "<t>.<body>" with t = "what do ya want for nothing?" split at
    // the dot-free point, so recompute with the same primitive instead.
    let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
    mac.update(b"1700000000.{}");
    let want = format!(
        "t=1700000000,v1={}",
        hex::encode(mac.finalize().into_bytes())
    );
    assert_eq!(signature("Jefe", 1_700_000_000, b"{}"), want);
    // And the primitive itself against RFC 4231 test case 2.
    let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
    mac.update(b"what do ya want for nothing?");
    assert_eq!(
        hex::encode(mac.finalize().into_bytes()),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn credentials_are_cut_from_urls() {
    assert_eq!(
        redact("https://user:secret@hooks.example.com/a?b=c@d"),
        "https://hooks.example.com/a?b=c@d"
    );
    assert_eq!(
        redact("http://hooks.example.com/x"),
        "http://hooks.example.com/x"
    );
    assert_eq!(redact("https://a:b@c:8443"), "https://c:8443");
}

fn point(signals: Vec<Signal>) -> ControlPoint {
    ControlPoint {
        count: 5,
        exposure: 1.0,
        expected: Some(1.0),
        rate: Some(5.0),
        ucl: Some(4.0),
        lcl: None,
        cusum: Some(0.0),
        signals,
    }
}

#[test]
fn signal_days_at_most_seven_apart_make_one_episode() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let signalling = [
        d("2026-03-01"),
        d("2026-03-08"),
        d("2026-03-16"),
        d("2026-03-20"),
    ];
    let judge = |day: NaiveDate| {
        signalling
            .contains(&day)
            .then(|| point(vec![Signal::Above]))
    };
    // From the 10th: the episode of the 1st and 8th reaches it (closes on the 15th).
    let found = series_episodes(judge, d("2026-03-10"), d("2026-03-31"), d("2025-01-01"));
    let spans: Vec<(NaiveDate, NaiveDate)> = found
        .iter()
        .map(|(days, _)| (days[0].0, days.last().unwrap().0))
        .collect();
    assert_eq!(
        spans,
        [
            (d("2026-03-01"), d("2026-03-08")),
            (d("2026-03-16"), d("2026-03-20"))
        ]
    );
    // From the 16th: the first episode closed on the 15th, before it.
    let found = series_episodes(judge, d("2026-03-16"), d("2026-03-31"), d("2025-01-01"));
    assert_eq!(found.len(), 1);
}

#[test]
fn retries_back_off_from_a_minute_to_an_hour() {
    let minutes: Vec<i64> = (0..9).map(|a| backoff(a).num_minutes()).collect();
    assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
}
