//! Nominations: proposed, supported once per token, declined or adopted into the catalogue,
//! and closed to change after either.

use super::{identity, Db};
use crate::auth::Role;
use crate::nominations::{AdoptInput, NewNomination, State};

fn proposal(title: &str, description: Option<&str>) -> NewNomination {
    NewNomination {
        title: title.to_string(),
        description: description.map(str::to_string),
        example: None,
    }
}

fn adoption(key: &str) -> AdoptInput {
    AdoptInput {
        key: key.to_string(),
        name: format!("The {key}"),
        pain: 6,
        unit_cost: "12.50".to_string(),
        description: None,
        operational: false,
    }
}

fn support_counts_once_per_token_and_the_most_supported_come_first(db: &Db) {
    let (ana, ben) = (
        identity(db, "ana", Role::Staff),
        identity(db, "ben", Role::Staff),
    );
    let first = db
        .store
        .create_nomination(ana.clone(), proposal("Late pickups", None))
        .unwrap();
    assert_eq!(
        (first.by.as_str(), first.support, first.state),
        ("ana", 0, State::Open)
    );
    db.clock.advance(chrono::Duration::minutes(1));
    let second = db
        .store
        .create_nomination(ben.clone(), proposal("Wrong change", None))
        .unwrap();
    // Newest first while support is equal.
    let titles = |viewer: i64| -> Vec<(String, i64, bool)> {
        db.store
            .nominations(viewer)
            .unwrap()
            .into_iter()
            .map(|n| (n.title, n.support, n.supported))
            .collect()
    };
    assert_eq!(
        titles(ana.token_id),
        [
            ("Wrong change".into(), 0, false),
            ("Late pickups".into(), 0, false)
        ]
    );
    let supported = db.store.support_nomination(first.id, ben.clone()).unwrap();
    assert_eq!((supported.support, supported.supported), (1, true));
    let twice = db
        .store
        .support_nomination(first.id, ben.clone())
        .unwrap_err();
    assert_eq!(twice.code(), "already_supported");
    // `supported` is the viewer's own.
    assert_eq!(
        titles(ana.token_id),
        [
            ("Late pickups".into(), 1, false),
            ("Wrong change".into(), 0, false)
        ]
    );
    assert_eq!(titles(ben.token_id)[0], ("Late pickups".into(), 1, true));
    assert_eq!(
        db.store
            .nomination(second.id, ana.token_id)
            .unwrap()
            .map(|n| n.title),
        Some("Wrong change".into())
    );
    assert_eq!(db.store.nomination(999_999, ana.token_id).unwrap(), None);
}

fn a_decided_nomination_changes_no_more(db: &Db) {
    let boss = identity(db, "boss", Role::Admin);
    let declined = db
        .store
        .create_nomination(boss.clone(), proposal("Rude driver", None))
        .unwrap();
    let adopted = db
        .store
        .create_nomination(
            boss.clone(),
            proposal("Late pickup", Some("Driver came late")),
        )
        .unwrap();
    let declined = db
        .store
        .decline_nomination(
            declined.id,
            boss.clone(),
            "a complaint, not a failure".into(),
        )
        .unwrap();
    assert_eq!(
        (
            declined.state,
            declined.reason.as_deref(),
            declined.decided_by.as_deref()
        ),
        (
            State::Declined,
            Some("a complaint, not a failure"),
            Some("boss")
        )
    );
    let adopted = db
        .store
        .adopt_nomination(adopted.id, boss.clone(), adoption("late-pickup"))
        .unwrap();
    assert_eq!(
        (adopted.state, adopted.horror.as_deref()),
        (State::Adopted, Some("late-pickup"))
    );
    let horror = db.store.snapshot().unwrap();
    let horror = horror
        .horror("late-pickup")
        .expect("adopted into the catalogue");
    assert_eq!(
        (
            horror.pain,
            horror.unit_cost_minor,
            horror.description.as_deref()
        ),
        (6, crate::money::Minor::new(1250), Some("Driver came late"))
    );
    // (what is tried, on which nomination, the code)
    for id in [declined.id, adopted.id] {
        let cases = [
            ("support", db.store.support_nomination(id, boss.clone())),
            (
                "decline",
                db.store
                    .decline_nomination(id, boss.clone(), "again".into()),
            ),
            (
                "adopt",
                db.store
                    .adopt_nomination(id, boss.clone(), adoption("other-key")),
            ),
        ];
        for (what, outcome) in cases {
            assert_eq!(
                outcome.unwrap_err().code(),
                "nomination_closed",
                "{what} {id}"
            );
        }
    }
    let missing = db
        .store
        .support_nomination(999_999, boss.clone())
        .unwrap_err();
    assert_eq!(missing.code(), "not_found");
}

fn adopting_refuses_a_key_in_use_and_a_ninth_horror(db: &Db) {
    let boss = identity(db, "boss", Role::Admin);
    let nominate = |title: &str| {
        db.store
            .create_nomination(boss.clone(), proposal(title, None))
            .unwrap()
            .id
    };
    // The fixture has five horrors; three more make eight, the most the method allows.
    let taken = db
        .store
        .adopt_nomination(nominate("Again"), boss.clone(), adoption("damaged"))
        .unwrap_err();
    assert_eq!(taken.code(), "invalid_horror");
    for key in ["sixth", "seventh", "eighth"] {
        db.store
            .adopt_nomination(nominate(key), boss.clone(), adoption(key))
            .unwrap();
    }
    let ninth = db
        .store
        .adopt_nomination(nominate("Ninth"), boss.clone(), adoption("ninth"))
        .unwrap_err();
    assert_eq!(ninth.code(), "too_many_horrors");
    assert_eq!(db.store.snapshot().unwrap().active().count(), 8);
}

on_both_engines!(
    support_counts_once_per_token_and_the_most_supported_come_first,
    a_decided_nomination_changes_no_more,
    adopting_refuses_a_key_in_use_and_a_ninth_horror,
);
