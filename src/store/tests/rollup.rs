//! The daily rollup: totals by local day and horror, kept in step with every insert and
//! void, and rebuilt to the same figures.

use chrono::Duration;

use super::{day, identity, tick, Db};
use crate::auth::Role;
use crate::calendar::Window;
use crate::ranking::Tally;
use crate::sites::Scope;
use crate::ticks::Source;
use crate::trend::DayTally;

fn window() -> Window {
    Window::between("2026-02-24", "2026-03-02").unwrap()
}

fn tallies_count_quantities_complaints_and_costs_until_a_void(db: &Db) {
    assert!(db.store.tallies(&window(), &Scope::ALL).unwrap().is_empty());
    let now = db.store.now();
    let mut complaint = tick("damaged", 3, now - Duration::days(1));
    complaint.source = Source::Complaint;
    let recorded = db
        .store
        .record_ticks(
            None,
            "test",
            vec![
                tick("damaged", 1, now),
                complaint,
                tick("late-delivery", 2, now),
                // Outside the window.
                tick("late-delivery", 5, now - Duration::days(8)),
            ],
        )
        .unwrap();
    let tallies = db.store.tallies(&window(), &Scope::ALL).unwrap();
    let got: Vec<(&str, Tally)> = tallies.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let tally = |count, complaints, cost_minor| Tally {
        count,
        complaints,
        cost_minor: crate::money::Minor::new(cost_minor),
    };
    assert_eq!(
        got,
        [
            ("damaged", tally(4, 3, 24_000)),
            ("late-delivery", tally(2, 0, 7_000)),
        ]
    );
    let days = db.store.day_tallies(&window(), &Scope::ALL).unwrap();
    let row = |d: &str, key: &str, count, cost_minor| DayTally {
        day: day(d),
        key: key.into(),
        count,
        cost_minor: crate::money::Minor::new(cost_minor),
    };
    assert_eq!(
        days,
        [
            row("2026-03-01", "damaged", 3, 18_000),
            row("2026-03-02", "damaged", 1, 6_000),
            row("2026-03-02", "late-delivery", 2, 7_000),
        ]
    );
    let boss = identity(db, "boss", Role::Admin);
    db.store.void_tick(recorded[1].tick.id, boss, None).unwrap();
    let tallies = db.store.tallies(&window(), &Scope::ALL).unwrap();
    assert_eq!(tallies["damaged"], tally(1, 0, 6_000));
    assert_eq!(db.store.first_day(None).unwrap(), Some(day("2026-02-22")));
}

fn a_rebuilt_rollup_has_the_same_figures(db: &Db) {
    let now = db.store.now();
    let ticks = (0..10)
        .map(|i| {
            tick(
                ["damaged", "lost-package"][i % 2],
                i as i64 + 1,
                now - Duration::days(i as i64),
            )
        })
        .collect();
    db.store.record_ticks(None, "test", ticks).unwrap();
    let before = db.store.day_tallies(&window(), &Scope::ALL).unwrap();
    assert_eq!(before.len(), 7, "one row per day in the window");
    assert_eq!(db.store.check_rollup().unwrap(), Vec::<String>::new());
    db.store.rebuild_rollup().unwrap();
    assert_eq!(
        db.store.day_tallies(&window(), &Scope::ALL).unwrap(),
        before
    );
    assert_eq!(db.store.check_rollup().unwrap(), Vec::<String>::new());
    let on = db.store.counts_on(day("2026-03-01"), &Scope::ALL).unwrap();
    assert_eq!(on.get("lost-package"), Some(&2));
    assert_eq!(on.get("damaged"), None);
}

on_both_engines!(
    tallies_count_quantities_complaints_and_costs_until_a_void,
    a_rebuilt_rollup_has_the_same_figures,
);
