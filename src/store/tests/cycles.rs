//! Improvement cycles and their focus horrors.

use super::{day, Db};
use crate::calendar::Window;

fn a_cycle_is_stored_changed_and_found_by_its_window(db: &Db) {
    let window = Window::between("2026-03-02", "2026-03-29").unwrap();
    let focus = vec!["damaged".to_string(), "late-delivery".to_string()];
    let id = db
        .store
        .create_cycle("Spring".into(), window, Some("pack better".into()), focus)
        .unwrap();
    let cycle = db.store.cycle(id).unwrap().unwrap();
    assert_eq!(
        (
            cycle.name.as_str(),
            cycle.start,
            cycle.days,
            cycle.note.as_deref()
        ),
        ("Spring", day("2026-03-02"), 28, Some("pack better"))
    );
    assert_eq!(
        cycle.focus,
        ["damaged", "late-delivery"],
        "in the order given"
    );
    // (window, focus keys of the cycles overlapping it)
    let cases: [(&str, &str, &[&str]); 3] = [
        ("2026-02-01", "2026-03-01", &[]),
        ("2026-02-01", "2026-03-02", &["damaged", "late-delivery"]),
        ("2026-03-29", "2026-04-30", &["damaged", "late-delivery"]),
    ];
    for (from, to, keys) in cases {
        let mut found: Vec<String> = db
            .store
            .focus_keys(&Window::between(from, to).unwrap())
            .unwrap()
            .into_iter()
            .collect();
        found.sort();
        assert_eq!(found, keys, "{from}..{to}");
    }
    let changed = db
        .store
        .update_cycle(id, None, Some(None), Some(vec!["lost-package".into()]))
        .unwrap();
    assert!(changed);
    let cycle = db.store.cycle(id).unwrap().unwrap();
    assert_eq!(
        (cycle.name.as_str(), cycle.note.clone(), cycle.focus.clone()),
        ("Spring", None, vec!["lost-package".to_string()])
    );
    assert_eq!(db.store.cycles().unwrap(), [cycle]);
}

fn a_cycle_focused_on_an_unknown_horror_is_refused(db: &Db) {
    let window = Window::between("2026-03-02", "2026-03-29").unwrap();
    let refused = db
        .store
        .create_cycle("x".into(), window, None, vec!["no-such-horror".into()])
        .unwrap_err();
    assert_eq!(refused.code(), "unknown_horror");
    assert!(db.store.cycles().unwrap().is_empty(), "nothing stored");
    assert!(!db
        .store
        .update_cycle(999, Some("y".into()), None, None)
        .unwrap());
    assert_eq!(db.store.cycle(999).unwrap(), None);
}

on_both_engines!(
    a_cycle_is_stored_changed_and_found_by_its_window,
    a_cycle_focused_on_an_unknown_horror_is_refused,
);
