//! Check sheets: recorded with their ticks all or nothing, replayed by their idempotency
//! key, and voided with every tick they entered.

use chrono::Duration;

use super::{day, identity, tick, Db};
use crate::auth::Role;
use crate::calendar::Window;
use crate::ranking::Tally;
use crate::sheets::NewSheet;
use crate::sites::Scope;

fn week() -> Window {
    Window::between("2026-02-23", "2026-03-01").unwrap()
}

/// A sheet of last week: 2 × damaged on Monday, 3 × late-delivery on Friday.
fn sheet(db: &Db) -> NewSheet {
    let monday = db.store.now() - Duration::days(7);
    NewSheet {
        site: None,
        department: Some("dock".into()),
        first_day: day("2026-02-23"),
        last_day: day("2026-03-01"),
        ticks: vec![
            tick("damaged", 2, monday),
            tick("late-delivery", 3, monday + Duration::days(4)),
        ],
    }
}

fn totals(db: &Db) -> Vec<(String, Tally)> {
    db.store
        .tallies(&week(), &Scope::ALL)
        .unwrap()
        .into_iter()
        .collect()
}

fn a_sheet_is_recorded_with_its_ticks_and_replayed_by_its_key(db: &Db) {
    let clerk = identity(db, "clerk", Role::Staff);
    let (stored, replayed) = db
        .store
        .record_sheet(clerk.clone(), sheet(db), Some("k1".into()), vec![1])
        .unwrap();
    assert!(!replayed);
    assert_eq!(
        (
            stored.first_day.as_str(),
            stored.last_day.as_str(),
            stored.recorded_by.as_str(),
            stored.department.as_deref(),
            stored.voided
        ),
        ("2026-02-23", "2026-03-01", "clerk", Some("dock"), false)
    );
    let ticks: Vec<(&str, i64)> = stored
        .ticks
        .iter()
        .map(|t| (t.horror.as_str(), t.qty))
        .collect();
    assert_eq!(ticks, [("damaged", 2), ("late-delivery", 3)]);
    let tally = |count, cost_minor: i64| Tally {
        count,
        complaints: 0,
        cost_minor: crate::money::Minor::new(cost_minor),
    };
    let expected = vec![
        ("damaged".to_string(), tally(2, 12_000)),
        ("late-delivery".to_string(), tally(3, 10_500)),
    ];
    assert_eq!(totals(db), expected);
    // (key, fingerprint, what happens)
    let cases = [
        (Some("k1"), vec![1], Ok(stored.id)),
        (Some("k1"), vec![2], Err("idempotency_conflict")),
    ];
    for (key, fingerprint, outcome) in cases {
        let got = db
            .store
            .record_sheet(
                clerk.clone(),
                sheet(db),
                key.map(str::to_string),
                fingerprint,
            )
            .map(|(s, replayed)| {
                assert!(replayed, "a replay");
                s.id
            })
            .map_err(|e| e.code());
        assert_eq!(got, outcome, "{key:?}");
    }
    assert_eq!(totals(db), expected, "replays record nothing");
    assert_eq!(db.store.sheet(stored.id).unwrap().unwrap().ticks.len(), 2);
    assert!(db.store.sheet(stored.id + 1).unwrap().is_none());
}

fn voiding_a_sheet_voids_its_ticks_and_their_totals(db: &Db) {
    let (clerk, boss) = (
        identity(db, "clerk", Role::Staff),
        identity(db, "boss", Role::Admin),
    );
    let (stored, _) = db
        .store
        .record_sheet(clerk, sheet(db), None, vec![1])
        .unwrap();
    let voided = db.store.void_sheet(stored.id, boss.clone()).unwrap();
    assert!(voided.voided);
    assert!(voided.ticks.iter().all(|t| t.voided), "{:?}", voided.ticks);
    let zero: Vec<(String, Tally)> = ["damaged", "late-delivery"]
        .map(|key| (key.to_string(), Tally::default()))
        .into();
    assert_eq!(totals(db), zero, "the rollup lost what the sheet added");
    let again = db.store.void_sheet(stored.id, boss.clone()).unwrap();
    assert!(again.voided && again.ticks.len() == 2, "unchanged");
    let missing = db.store.void_sheet(stored.id + 1, boss).unwrap_err();
    assert_eq!(missing.code(), "not_found");
}

on_both_engines!(
    a_sheet_is_recorded_with_its_ticks_and_replayed_by_its_key,
    voiding_a_sheet_voids_its_ticks_and_their_totals,
);
