//! The ticks aggregate: recording (with idempotent replays), refusing, voiding, listing.

use chrono::Duration;

use super::{identity, tick, Db};
use crate::auth::Role;
use crate::calendar::Window;
use crate::error::Error;
use crate::store::TickFilter;

fn recorded_ticks_are_dated_in_local_time_and_costed(db: &Db) {
    let now = db.store.now();
    let recorded = db
        .store
        .record_ticks(
            None,
            "test",
            vec![
                tick("late-delivery", 2, now),
                // 03:00 UTC on 2 March is still 1 March in Chicago.
                tick("damaged", 1, now - Duration::hours(12)),
            ],
        )
        .unwrap();
    let got: Vec<(&str, i64, &str, &str, bool)> = recorded
        .iter()
        .map(|r| {
            let t = &r.tick;
            (
                t.horror.as_str(),
                t.qty,
                t.day.as_str(),
                t.cost.as_str(),
                r.replayed,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("late-delivery", 2, "2026-03-02", "70.00", false),
            ("damaged", 1, "2026-03-01", "60.00", false),
        ]
    );
    assert_eq!(db.store.count_ticks().unwrap(), 2);
    let filter = TickFilter {
        window: Window::between("2026-03-01", "2026-03-02").unwrap(),
        horror: None,
        source: None,
        department: None,
        site: None,
        include_voided: false,
        limit: 1,
        before_id: None,
    };
    let (page, next) = db.store.list_ticks(&filter).unwrap();
    assert_eq!(page, [recorded[1].tick.clone()], "newest id first");
    let (rest, end) = db
        .store
        .list_ticks(&TickFilter {
            before_id: next,
            ..filter
        })
        .unwrap();
    assert_eq!((rest, end), (vec![recorded[0].tick.clone()], None));
}

fn refused_ticks_store_nothing_and_replays_store_once(db: &Db) {
    let now = db.store.now();
    let keyed = |horror: &str, fingerprint: &[u8]| {
        let mut t = tick(horror, 1, now);
        t.idempotency = Some(("key-1".into(), fingerprint.to_vec()));
        t
    };
    // Idempotency keys are the token's own.
    let ana = identity(db, "ana", Role::Staff);
    let record = |ticks| db.store.record_ticks(Some(&ana), "ana", ticks);
    let first = record(vec![keyed("damaged", b"a")]).unwrap();
    let replay = record(vec![keyed("damaged", b"a")]).unwrap();
    assert!(replay[0].replayed);
    assert_eq!(replay[0].tick, first[0].tick);
    let snapshot = db.store.snapshot().unwrap();
    let kept: Vec<_> = snapshot
        .active()
        .filter(|h| h.key != "missed-pickup")
        .cloned()
        .collect();
    db.store.replace_catalogue(kept, "boss".into()).unwrap();
    // (the refused tick, the batch's code, the tick's code)
    let cases = [
        (
            tick("no-such-horror", 1, now),
            "invalid_ticks",
            "unknown_horror",
        ),
        (
            tick("missed-pickup", 1, now),
            "invalid_ticks",
            "retired_horror",
        ),
        (
            keyed("damaged", b"b"),
            "idempotency_conflict",
            "idempotency_conflict",
        ),
    ];
    for (bad, code, why) in cases {
        // All or nothing: the good tick before the bad one is not stored either.
        let refused = record(vec![tick("damaged", 1, now), bad]).unwrap_err();
        assert_eq!(refused.code(), code, "{why}: {refused}");
        let (Error::Invalid { details, .. } | Error::Conflict { details, .. }) = &refused else {
            panic!("{why}: {refused:?}");
        };
        let listed: Vec<(Option<usize>, &str)> =
            details.iter().map(|d| (d.index, d.code)).collect();
        assert_eq!(listed, [(Some(1), why)]);
        assert_eq!(db.store.count_ticks().unwrap(), 1, "{why}");
    }
}

fn staff_void_their_own_ticks_for_15_minutes_and_admins_any(db: &Db) {
    let (ana, ben) = (
        identity(db, "ana", Role::Staff),
        identity(db, "ben", Role::Staff),
    );
    let boss = identity(db, "boss", Role::Admin);
    let now = db.store.now();
    let record = |who: &crate::auth::Identity| {
        let recorded = db
            .store
            .record_ticks(Some(who), &who.name, vec![tick("damaged", 1, now)])
            .unwrap();
        recorded[0].tick.id
    };
    let (own, late, other) = (record(&ana), record(&ana), record(&ben));
    let voided = db
        .store
        .void_tick(own, ana.clone(), Some("typo".into()))
        .unwrap();
    assert!(voided.voided);
    assert_eq!(voided.void_reason.as_deref(), Some("typo"));
    // Voiding it again returns it unchanged.
    assert_eq!(db.store.void_tick(own, ana.clone(), None).unwrap(), voided);
    let refused = db.store.void_tick(other, ana.clone(), None).unwrap_err();
    assert_eq!(refused.code(), "not_your_tick");
    db.clock
        .advance(Duration::minutes(15) + Duration::seconds(1));
    let refused = db.store.void_tick(late, ana, None).unwrap_err();
    assert_eq!(refused.code(), "void_window_passed");
    assert!(db.store.void_tick(late, boss.clone(), None).unwrap().voided);
    let missing = db.store.void_tick(999_999, boss, None).unwrap_err();
    assert_eq!(missing.code(), "not_found");
}

/// The writer remembers each horror it recorded a tick for (SQLite); every change of the
/// catalogue, through this store or another process, must be seen by the next tick.
fn a_changed_catalogue_is_seen_by_the_next_tick(db: &Db) {
    let now = db.store.now();
    let record = |horror: &str| {
        db.store
            .record_ticks(None, "test", vec![tick(horror, 1, now)])
    };
    let cost = |horror: &str| record(horror).unwrap()[0].tick.cost.clone();
    assert_eq!(cost("late-delivery"), "35.00");
    assert_eq!(cost("missed-pickup"), cost("missed-pickup"));
    let snapshot = db.store.snapshot().unwrap();
    let kept: Vec<_> = snapshot
        .active()
        .filter(|h| h.key != "missed-pickup")
        .cloned()
        .map(|mut h| {
            if h.key == "late-delivery" {
                h.unit_cost_minor = crate::money::Minor::new(4000);
            }
            h
        })
        .collect();
    db.store.replace_catalogue(kept, "boss".into()).unwrap();
    assert_eq!(cost("late-delivery"), "40.00");
    let refused = record("missed-pickup").unwrap_err();
    assert_eq!(refused.code(), "invalid_ticks", "{refused}");
    if let Some(path) = db.sqlite_path() {
        // Another process (the CLI on a running server's file) changes the catalogue.
        let other = rusqlite::Connection::open(path).unwrap();
        other
            .execute(
                "UPDATE horrors SET unit_cost_minor = 5000 WHERE key = 'late-delivery'",
                [],
            )
            .unwrap();
        assert_eq!(cost("late-delivery"), "50.00");
    }
}

on_both_engines!(
    a_changed_catalogue_is_seen_by_the_next_tick,
    recorded_ticks_are_dated_in_local_time_and_costed,
    refused_ticks_store_nothing_and_replays_store_once,
    staff_void_their_own_ticks_for_15_minutes_and_admins_any,
);

/// SQLite builds a temporary b-tree for `x IN (...)` over more than two constants, once per
/// executed statement; the tick's INSERT runs per tap, so its plan (CHECK constraints
/// included) must not open one (migration 0012). The CHECK still takes exactly the four
/// sources.
#[test]
fn the_tick_insert_builds_no_temporary_table() {
    let db = Db::sqlite();
    let conn = rusqlite::Connection::open(db.sqlite_path().unwrap()).unwrap();
    let mut plan = conn
        .prepare(&format!("EXPLAIN {}", crate::store::ticks::INSERT_TICK))
        .unwrap();
    let opcodes: Vec<String> = plan
        .query_map([rusqlite::types::Null; 12], |r| r.get::<_, String>(1))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(opcodes.iter().any(|op| op == "NewRowid"), "{opcodes:?}");
    assert!(
        !opcodes.iter().any(|op| op == "OpenEphemeral"),
        "the tick's INSERT opens a temporary b-tree: {opcodes:?}"
    );
    let insert = |source: &str| {
        conn.execute(
            crate::store::ticks::INSERT_TICK,
            rusqlite::params![
                1,
                1,
                0,
                "2026-03-02",
                source,
                None::<String>,
                None::<String>,
                0,
                0,
                None::<i64>,
                "test",
                ""
            ],
        )
    };
    for source in ["internal", "complaint", "observer", "sheet"] {
        insert(source).unwrap();
    }
    for source in ["", "Internal", "sheets", "other"] {
        let refused = insert(source).unwrap_err().to_string();
        assert!(
            refused.contains("CHECK constraint failed"),
            "{source}: {refused}"
        );
    }
}
