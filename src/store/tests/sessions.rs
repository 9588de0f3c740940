//! Page sessions as an admin sees them: listed without their secrets, revoked one by one.

use chrono::Duration;

use super::Db;
use crate::auth::Role;
use crate::store::sessions::id_of_secret;

fn sessions_are_listed_by_id_and_revoked_once(db: &Db) {
    let (_, secret) = db.store.create_token("exec laptop", Role::Viewer).unwrap();
    assert!(db.store.list_sessions().unwrap().is_empty());
    let (session, _, _) = db
        .store
        .create_session(&secret, Duration::days(1))
        .unwrap()
        .unwrap();
    let listed = db.store.list_sessions().unwrap();
    let got: Vec<(&str, &str, Role)> = listed
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str(), s.role))
        .collect();
    let id = id_of_secret(&session);
    assert_eq!(got, [(id.as_str(), "exec laptop", Role::Viewer)]);
    assert_eq!(id.len(), 16);
    // (id, revoked?)
    let cases = [
        ("not hex", false),
        ("0000000000000000", false),
        (id.as_str(), true),
        (id.as_str(), false),
    ];
    for (which, revoked) in cases {
        assert_eq!(db.store.revoke_session(which).unwrap(), revoked, "{which}");
    }
    assert!(db.store.session(&session).unwrap().is_none());
    assert!(db.store.list_sessions().unwrap().is_empty());
}

fn expired_sessions_are_not_listed(db: &Db) {
    let (_, secret) = db.store.create_token("ana", Role::Staff).unwrap();
    db.store
        .create_session(&secret, Duration::minutes(5))
        .unwrap()
        .unwrap();
    assert_eq!(db.store.list_sessions().unwrap().len(), 1);
    db.clock.advance(Duration::minutes(5));
    assert!(db.store.list_sessions().unwrap().is_empty());
}

on_both_engines!(
    sessions_are_listed_by_id_and_revoked_once,
    expired_sessions_are_not_listed,
);
