//! Tokens (stored as hashes) and the page sessions made from them.

use chrono::Duration;

use super::Db;
use crate::auth::Role;

fn a_token_signs_in_until_it_is_revoked(db: &Db) {
    assert!(!db.store.has_admin_token().unwrap());
    let (info, secret) = db.store.create_token("exec", Role::Viewer).unwrap();
    assert_eq!((info.name.as_str(), info.role), ("exec", Role::Viewer));
    assert!(!db.store.has_admin_token().unwrap(), "a viewer is no admin");
    db.store.create_token("boss", Role::Admin).unwrap();
    assert!(db.store.has_admin_token().unwrap());
    let who = db.store.authenticate(&secret).unwrap().unwrap();
    assert_eq!(
        (who.token_id, who.role, who.site.clone()),
        (info.id, Role::Viewer, None)
    );
    assert_eq!(db.store.authenticate("hrr_not-a-token").unwrap(), None);
    let listed: Vec<(String, Role)> = db
        .store
        .list_tokens()
        .unwrap()
        .into_iter()
        .map(|t| (t.name, t.role))
        .collect();
    assert_eq!(
        listed,
        [("exec".into(), Role::Viewer), ("boss".into(), Role::Admin)]
    );
    let revoked = db.store.revoke_token(info.id).unwrap().unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(db.store.authenticate(&secret).unwrap(), None);
    assert!(db.store.revoke_token(999_999).unwrap().is_none());
}

fn site_tokens_are_refused_for_admins_and_unknown_sites(db: &Db) {
    // (role, site, code)
    let cases = [
        (Role::Admin, "north", "invalid_site"),
        (Role::Staff, "north", "unknown_site"),
    ];
    for (role, site, code) in cases {
        let refused = db
            .store
            .create_site_token("x", role, Some(site))
            .unwrap_err();
        assert_eq!(refused.code(), code, "{role:?} at {site}");
    }
    assert!(db.store.list_tokens().unwrap().is_empty());
}

fn a_session_lives_until_it_ends_or_expires(db: &Db) {
    let (_, secret) = db.store.create_token("ana", Role::Staff).unwrap();
    assert!(db
        .store
        .create_session("hrr_unknown", Duration::hours(1))
        .unwrap()
        .is_none());
    let (session, csrf, who) = db
        .store
        .create_session(&secret, Duration::hours(1))
        .unwrap()
        .unwrap();
    let (found, found_csrf) = db.store.session(&session).unwrap().unwrap();
    assert_eq!((found, found_csrf), (who, csrf));
    db.store.end_session(&session).unwrap();
    assert!(db.store.session(&session).unwrap().is_none());
    let (expiring, _, _) = db
        .store
        .create_session(&secret, Duration::hours(1))
        .unwrap()
        .unwrap();
    db.clock.advance(Duration::hours(1) + Duration::seconds(1));
    assert!(db.store.session(&expiring).unwrap().is_none());
}

on_both_engines!(
    a_token_signs_in_until_it_is_revoked,
    site_tokens_are_refused_for_admins_and_unknown_sites,
    a_session_lives_until_it_ends_or_expires,
);
