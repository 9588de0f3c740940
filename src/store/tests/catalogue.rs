//! The catalogue aggregate: settings, horrors and their history.

use super::{tick, Db, CONFIG};
use crate::store::Applied;

fn keys(db: &Db) -> Vec<String> {
    let snapshot = db.store.snapshot().unwrap();
    snapshot.active().map(|h| h.key.to_string()).collect()
}

fn the_same_file_applied_twice_changes_nothing(db: &Db) {
    assert_eq!(
        keys(db),
        [
            "late-delivery",
            "lost-package",
            "damaged",
            "wrong-address",
            "missed-pickup"
        ]
    );
    let again = db
        .store
        .apply_config(&crate::config::parse(CONFIG).unwrap())
        .unwrap();
    assert_eq!(again, Applied::default());
    let history = db.store.catalogue_history().unwrap();
    assert_eq!(history.len(), 5, "one entry per horror added");
    let now = crate::ticks::rfc3339(db.store.now());
    for change in &history {
        assert_eq!(
            (
                change.action.as_str(),
                change.source.as_str(),
                &change.changed_at
            ),
            ("added", "file", &now),
            "{change:?}"
        );
    }
}

fn a_replaced_catalogue_adds_changes_retires_and_restores(db: &Db) {
    let snapshot = db.store.snapshot().unwrap();
    let mut late = snapshot.horror("late-delivery").unwrap().clone();
    late.pain = 5;
    let mut new = late.clone();
    new.key = crate::keys::HorrorKey::parse("no-show").unwrap();
    new.name = "No show".into();
    let changes = db
        .store
        .replace_catalogue(vec![late.clone(), new.clone()], "boss".into())
        .unwrap();
    assert_eq!(changes, 6, "1 changed, 1 added, 4 retired");
    assert_eq!(keys(db), ["late-delivery", "no-show"]);
    let damaged = snapshot.horror("damaged").unwrap().clone();
    let changes = db
        .store
        .replace_catalogue(vec![late, new, damaged], "boss".into())
        .unwrap();
    assert_eq!(changes, 1, "damaged restored, nothing else");
    let history = db.store.catalogue_history().unwrap();
    // Newest first.
    let recent: Vec<(&str, &str)> = history[..7]
        .iter()
        .map(|c| (c.horror.as_str(), c.action.as_str()))
        .collect();
    assert_eq!(
        recent,
        [
            ("damaged", "restored"),
            ("wrong-address", "retired"),
            ("missed-pickup", "retired"),
            ("lost-package", "retired"),
            ("damaged", "retired"),
            ("no-show", "added"),
            ("late-delivery", "changed"),
        ]
    );
    assert_eq!(history[0].actor.as_deref(), Some("boss"));
    assert_eq!(history[6].before.as_ref().unwrap()["pain"], 9);
    assert_eq!(history[6].after.as_ref().unwrap()["pain"], 5);
}

fn a_currency_change_is_refused_once_ticks_exist(db: &Db) {
    let eur = CONFIG.replace("currency = \"USD\"", "currency = \"EUR\"");
    assert_ne!(eur, CONFIG);
    let config = crate::config::parse(&eur).unwrap();
    // Without ticks the currency may change; with them it may not.
    assert!(db.store.apply_config(&config).unwrap().changed);
    let back = crate::config::parse(CONFIG).unwrap();
    assert!(db.store.apply_config(&back).unwrap().changed);
    db.store
        .record_ticks(None, "test", vec![tick("damaged", 1, db.store.now())])
        .unwrap();
    let refused = db.store.apply_config(&config).unwrap_err();
    assert_eq!(refused.code(), "currency_change", "{refused}");
    assert_eq!(db.store.currency().unwrap().code(), "USD");
}

on_both_engines!(
    the_same_file_applied_twice_changes_nothing,
    a_replaced_catalogue_adds_changes_retires_and_restores,
    a_currency_change_is_refused_once_ticks_exist,
);
