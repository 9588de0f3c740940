//! Devices enrolled by one-time codes: once, within ten minutes, never as admin.

use chrono::Duration;

use super::Db;
use crate::auth::Role;
use crate::store::enrolments::EnrolRefusal;

fn a_code_is_redeemed_once_into_a_device_session(db: &Db) {
    let enrolment = db
        .store
        .create_enrolment(Role::Staff, None, "dock phone", "boss")
        .unwrap();
    assert_eq!(enrolment.expires_at, db.store.now() + Duration::minutes(10));
    let enrolled = db.store.redeem_enrolment(&enrolment.code).unwrap().unwrap();
    assert_eq!(
        (enrolled.identity.name.as_str(), enrolled.identity.role),
        ("dock phone", Role::Staff)
    );
    let (who, _) = db.store.session(&enrolled.session).unwrap().unwrap();
    assert_eq!(who, enrolled.identity);
    let tokens = db.store.list_tokens().unwrap();
    assert_eq!(tokens.len(), 1, "the device is an ordinary token");
    assert_eq!(tokens[0].id, who.token_id);
    // (code, why it is refused)
    let cases = [
        (enrolment.code.clone(), EnrolRefusal::Used),
        ("0".repeat(32), EnrolRefusal::Unknown),
        ("not a code".to_string(), EnrolRefusal::Unknown),
    ];
    for (code, why) in cases {
        let refused = db.store.redeem_enrolment(&code).unwrap();
        assert_eq!(refused.err(), Some(why), "{code}");
    }
}

fn a_code_expires_after_ten_minutes_and_admins_are_never_enrolled(db: &Db) {
    let enrolment = db
        .store
        .create_enrolment(Role::Viewer, None, "wall screen", "boss")
        .unwrap();
    db.clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let refused = db.store.redeem_enrolment(&enrolment.code).unwrap();
    assert_eq!(refused.err(), Some(EnrolRefusal::Expired));
    // (role, site, code)
    let cases = [
        (Role::Admin, None, "invalid_role"),
        (Role::Staff, Some("north"), "unknown_site"),
    ];
    for (role, site, code) in cases {
        let refused = db
            .store
            .create_enrolment(role, site, "x", "boss")
            .err()
            .expect("refused");
        assert_eq!(refused.code(), code, "{role:?} {site:?}");
    }
    assert!(db.store.list_tokens().unwrap().is_empty());
}

on_both_engines!(
    a_code_is_redeemed_once_into_a_device_session,
    a_code_expires_after_ten_minutes_and_admins_are_never_enrolled,
);
