//! The alert outbox: each event queued once, claimed in order under a lease, retried with
//! backoff and given up after a day of failures.

use chrono::Duration;

use super::Db;
use crate::outbox::Message;
use crate::store::alerts::{Cursor, Pending};

fn message(id: &str) -> Message {
    Message {
        id: id.to_string(),
        body: format!("{{\"id\":\"{id}\"}}"),
    }
}

/// The event a new round (from the start of the queue) would claim now.
fn claim(db: &Db, retry_now: bool) -> Option<String> {
    db.store
        .claim_due_alert(retry_now, &Cursor::start(), Duration::minutes(1))
        .unwrap()
        .map(|p| p.id)
}

fn an_event_is_queued_once_and_claimed_once_a_round_in_order(db: &Db) {
    assert_eq!(
        db.store
            .queue_alerts(&[message("e2"), message("e1")])
            .unwrap(),
        2
    );
    assert_eq!(
        db.store
            .queue_alerts(&[message("e1"), message("e3")])
            .unwrap(),
        1,
        "e1 was queued before"
    );
    // One round: each due event once, oldest first (then by id), with its body.
    let mut after = Cursor::start();
    let mut round: Vec<Pending> = Vec::new();
    while let Some(pending) = db
        .store
        .claim_due_alert(false, &after, Duration::minutes(1))
        .unwrap()
    {
        after = Cursor::after(&pending);
        round.push(pending);
    }
    let ids: Vec<&str> = round.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2", "e3"]);
    assert_eq!(round[0].body, "{\"id\":\"e1\"}");
    // Leased: a second round (another instance) finds nothing until the lease ends.
    assert_eq!(claim(db, true), None);
    db.store.alert_delivered("e1").unwrap();
    db.clock.advance(Duration::minutes(1));
    assert_eq!(claim(db, false).as_deref(), Some("e2"), "e1 was delivered");
}

fn a_failing_event_waits_longer_each_time_and_is_given_up_after_a_day(db: &Db) {
    db.store.queue_alerts(&[message("e1")]).unwrap();
    // The wait after each failure: 1 min, doubling, at most 1 h.
    let waits = [1, 2, 4, 8, 16, 32, 60, 60];
    for (failure, wait) in waits.into_iter().enumerate() {
        assert_eq!(claim(db, false).as_deref(), Some("e1"), "failure {failure}");
        assert!(db.store.alert_failed("e1", "HTTP 500").unwrap());
        db.clock
            .advance(Duration::minutes(wait) - Duration::seconds(1));
        assert_eq!(claim(db, false), None, "not due before {wait} min");
        db.clock.advance(Duration::seconds(1));
    }
    // `retry_now` (`horrors alerts send`) takes a retry before its time.
    assert_eq!(claim(db, false).as_deref(), Some("e1"));
    assert!(db.store.alert_failed("e1", "HTTP 500").unwrap());
    assert_eq!(claim(db, false), None);
    assert_eq!(claim(db, true).as_deref(), Some("e1"));
    // A failure whose next try would come more than a day after it was queued gives up.
    db.clock.advance(Duration::hours(21));
    assert!(!db.store.alert_failed("e1", "HTTP 500").unwrap());
    assert_eq!(claim(db, true), None, "given up");
    assert!(!db.store.alert_failed("unknown", "x").unwrap());
}

on_both_engines!(
    an_event_is_queued_once_and_claimed_once_a_round_in_order,
    a_failing_event_waits_longer_each_time_and_is_given_up_after_a_day,
);
