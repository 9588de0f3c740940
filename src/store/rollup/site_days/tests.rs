//! The days kept agree with the rollup read afresh after every kind of write.

use std::sync::Arc;

use chrono::Duration;

use super::*;
use crate::keys::SiteKey;
use crate::store::rollup::Group;
use crate::store::tests::{identity, tick, Db, CONFIG};
use crate::store::Store;

#[test]
fn touched_days_merge_and_all_wins() {
    let mut a = Touched::default();
    assert!(a.is_empty());
    a.merge(Touched {
        all: false,
        days: HashMap::from([("s1".to_string(), HashSet::from(["2026-01-01".to_string()]))]),
    });
    assert!(!a.is_empty());
    a.merge(Touched {
        all: true,
        ..Touched::default()
    });
    assert!(a.all && a.days.is_empty());
}

#[test]
fn a_thread_takes_what_it_touched_once() {
    touch("s1", "2026-01-01");
    touch("s1", "2026-01-01");
    touch("", "2026-01-02");
    let touched = take_touched();
    assert_eq!(touched.days["s1"].len(), 1);
    assert!(touched.days[""].contains("2026-01-02"));
    assert!(take_touched().is_empty());
    touch_all();
    assert!(take_touched().all);
}

/// The catalogue with three sites in two time zones, and `extra` after it.
fn with_sites(extra: &str) -> crate::config::Config {
    let sites = [
        ("s1", "America/Chicago"),
        ("s2", "Europe/London"),
        ("s3", "America/Chicago"),
    ]
    .iter()
    .map(|(key, tz)| {
        format!("[[sites]]\nkey = \"{key}\"\nname = \"{key}\"\ntimezone = \"{tz}\"\n\n")
    })
    .collect::<String>();
    crate::config::parse(&format!("{CONFIG}\n{sites}{extra}")).unwrap()
}

fn at_site(db: &Db, horror: &str, qty: i64, site: &str, days_ago: i64) -> crate::ticks::NewTick {
    let mut t = tick(horror, qty, db.store.now() - Duration::days(days_ago));
    t.site = Some(SiteKey::parse(site).unwrap());
    t
}

/// The reading through the days kept equals the rollup read afresh, for two spans.
fn agrees(store: &Store) {
    for days in [30, 7] {
        let now = store.now().date_naive();
        let window = Window::days_ending(now, days);
        let windows = [window, window.previous()];
        let span = crate::reading::span_with_sample(&windows);
        let kept = store
            .grouped_days_and_totals(&span, &windows, &Scope::ALL, Some(Group::Site))
            .unwrap();
        let fresh = store
            .read(|conn| {
                super::super::grouped_days_and_totals(
                    conn,
                    &span,
                    &windows,
                    &Scope::ALL,
                    Some(Group::Site),
                )
            })
            .unwrap();
        assert_eq!(kept, fresh, "{days} days");
    }
}

#[test]
fn kept_days_follow_every_write_here_and_elsewhere() {
    let db = Db::sqlite();
    let store = &db.store;
    // A tick without a site, from before sites were configured.
    let before = tick("damaged", 2, store.now() - Duration::days(3));
    store.record_ticks(None, "t", vec![before]).unwrap();
    store.apply_config(&with_sites("")).unwrap();
    let site_days = Arc::clone(&store.inner.site_days);
    let first = vec![
        at_site(&db, "damaged", 1, "s1", 0),
        at_site(&db, "lost-package", 3, "s2", 40),
    ];
    store.record_ticks(None, "t", first).unwrap();
    agrees(store);
    let whole = site_days.whole_reads();
    // Writes here are patched in: today's, a late one, a complaint, voids, a new site.
    let mut complaint = at_site(&db, "damaged", 4, "s2", 2);
    complaint.source = crate::ticks::Source::Complaint;
    let more = vec![
        at_site(&db, "damaged", 1, "s1", 0),
        at_site(&db, "late-delivery", 2, "s1", 50),
        complaint,
    ];
    let recorded = store.record_ticks(None, "t", more).unwrap();
    agrees(store);
    let boss = identity(&db, "boss", crate::auth::Role::Admin);
    store
        .void_tick(recorded[2].tick.id, boss.clone(), None)
        .unwrap();
    store.void_tick(recorded[1].tick.id, boss, None).unwrap();
    agrees(store);
    let new_site = vec![at_site(&db, "damaged", 5, "s3", 1)];
    store.record_ticks(None, "t", new_site).unwrap();
    agrees(store);
    // Many days of one site at once: its span is read again.
    let many: Vec<_> = (0..20)
        .map(|d| at_site(&db, "damaged", 1, "s1", d))
        .collect();
    store.record_ticks(None, "t", many).unwrap();
    agrees(store);
    // A checkpoint of the write-ahead log is not a change.
    store
        .read(|conn| conn.one_row("PRAGMA wal_checkpoint(PASSIVE)", &[], |r| r.int(0)))
        .unwrap();
    let today = vec![at_site(&db, "damaged", 1, "s2", 0)];
    store.record_ticks(None, "t", today).unwrap();
    agrees(store);
    assert_eq!(site_days.whole_reads(), whole, "only patched since");
    // A rebuild, a new horror and another process's write are read whole.
    store.rebuild_rollup().unwrap();
    agrees(store);
    assert_eq!(site_days.whole_reads(), whole + 2, "both spans read whole");
    let extra =
        "[[horrors]]\nkey = \"a-new-one\"\nname = \"A new one\"\npain = 3\nunit_cost = \"10.00\"\n";
    store.apply_config(&with_sites(extra)).unwrap();
    let newly = vec![at_site(&db, "a-new-one", 1, "s1", 0)];
    store.record_ticks(None, "t", newly).unwrap();
    agrees(store);
    let whole = site_days.whole_reads();
    let other = Store::open_at(store.location(), Arc::new(db.clock.clone())).unwrap();
    let elsewhere = vec![at_site(&db, "damaged", 7, "s2", 5)];
    other.record_ticks(None, "cli", elsewhere).unwrap();
    agrees(store);
    assert!(
        site_days.whole_reads() > whole,
        "another process's write is seen"
    );
}
