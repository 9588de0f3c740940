//! Sign-in with the identity provider, as stored: pending sign-ins taken once within their
//! ten minutes, and one token per person, kept while their name and role stay the same.

use chrono::Duration;

use super::Db;
use crate::auth::Role;
use crate::store::oidc::{NewPersonSession, PendingLogin};

fn pending(next: Option<&str>) -> PendingLogin {
    PendingLogin {
        verifier: "verifier".into(),
        nonce: "nonce".into(),
        next: next.map(str::to_string),
    }
}

fn a_pending_sign_in_is_taken_once_within_ten_minutes(db: &Db) {
    db.store
        .begin_oidc_login("state-1", pending(Some("/dashboard")))
        .unwrap();
    db.store.begin_oidc_login("state-2", pending(None)).unwrap();
    // (state, found)
    let cases = [
        ("state-1", Some(pending(Some("/dashboard")))),
        ("state-1", None),
        ("state-9", None),
    ];
    for (state, found) in cases {
        assert_eq!(db.store.take_oidc_login(state).unwrap(), found, "{state}");
    }
    db.clock.advance(Duration::minutes(10));
    assert_eq!(
        db.store.take_oidc_login("state-2").unwrap(),
        None,
        "expired"
    );
}

fn a_person_keeps_one_token_until_their_role_changes(db: &Db) {
    let person = |role| NewPersonSession {
        subject: "https://idp.example sub-1",
        name: "Ana",
        role,
        site: None,
    };
    let (first, ana) = db
        .store
        .start_oidc_session(&person(Role::Viewer), Duration::hours(8))
        .unwrap();
    let (second, again) = db
        .store
        .start_oidc_session(&person(Role::Viewer), Duration::hours(8))
        .unwrap();
    assert_eq!(again, ana, "the same token");
    assert_ne!(first, second, "a session each");
    assert_eq!(db.store.list_sessions().unwrap().len(), 2);
    let (_, promoted) = db
        .store
        .start_oidc_session(&person(Role::Admin), Duration::hours(8))
        .unwrap();
    assert_ne!(
        promoted.token_id, ana.token_id,
        "a new token for the new role"
    );
    assert_eq!(promoted.role, Role::Admin);
    assert!(
        db.store.session(&first).unwrap().is_none(),
        "the old token is revoked"
    );
    let live: Vec<_> = db
        .store
        .list_tokens()
        .unwrap()
        .into_iter()
        .filter(|t| t.revoked_at.is_none())
        .map(|t| t.id)
        .collect();
    assert_eq!(live, [promoted.token_id]);
}

on_both_engines!(
    a_pending_sign_in_is_taken_once_within_ten_minutes,
    a_person_keeps_one_token_until_their_role_changes,
);
