//! Units handled per local day (and site).

use super::{day, Db};
use crate::calendar::Window;
use crate::sites::Scope;
use crate::volume::NewVolume;

fn entry(d: &str, units: i64) -> NewVolume {
    NewVolume {
        day: day(d),
        site: String::new(),
        units,
    }
}

fn volume_is_set_per_day_replaced_and_read_by_window(db: &Db) {
    let window = Window::between("2026-03-01", "2026-03-02").unwrap();
    assert!(db
        .store
        .volume_entries(&window, &Scope::ALL)
        .unwrap()
        .is_empty());
    db.store
        .set_volume(vec![
            entry("2026-03-02", 1200),
            entry("2026-02-28", 900),
            entry("2026-03-01", 1000),
        ])
        .unwrap();
    // The same day again replaces its figure.
    db.store
        .set_volume(vec![entry("2026-03-01", 1100)])
        .unwrap();
    let entries = db.store.volume_entries(&window, &Scope::ALL).unwrap();
    assert_eq!(
        entries,
        [
            (day("2026-03-01"), String::new(), 1100),
            (day("2026-03-02"), String::new(), 1200),
        ],
        "by day, the window only"
    );
}

fn a_year_of_days_is_set_at_once(db: &Db) {
    // More entries than one multi-row statement takes (250), and a remainder.
    let first = day("2025-01-01");
    let entries: Vec<NewVolume> = (0..365)
        .map(|i| NewVolume {
            day: first + chrono::Duration::days(i),
            site: String::new(),
            units: 1000 + i,
        })
        .collect();
    db.store.set_volume(entries).unwrap();
    let year = Window::year(2025).unwrap();
    let stored = db.store.volume_entries(&year, &Scope::ALL).unwrap();
    assert_eq!(stored.len(), 365);
    assert_eq!(stored[0], (first, String::new(), 1000));
    assert_eq!(stored[364], (day("2025-12-31"), String::new(), 1364));
}

on_both_engines!(
    volume_is_set_per_day_replaced_and_read_by_window,
    a_year_of_days_is_set_at_once,
);
