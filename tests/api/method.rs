//! The method end to end: observer and paper-sheet ticks, the complaint playbook,
//! nominations (step 1) and check sheets (step 2).

use serde_json::{json, Value};

use crate::helpers::TestApp;

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "CSV must start with a BOM"
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn group<'a>(grouped: &'a Value, value: &str) -> &'a Value {
    grouped["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["value"] == value)
        .unwrap_or_else(|| panic!("no group {value} in {grouped}"))
}

// ---------------------------------------------------------------------------------------
// Sources

#[test]
fn observer_ticks_count_everywhere_but_in_complaints() {
    let app = TestApp::spawn();
    let at = (app.now() - chrono::Duration::hours(1)).to_rfc3339();
    for source in ["internal", "complaint", "observer", "observer"] {
        let reply = app.tick(json!({"horror": "damaged", "source": source, "occurred_at": at}));
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.body["source"], source);
        assert!(
            reply.body.get("sheet").is_none(),
            "only sheet ticks name a sheet"
        );
    }
    let ranking = app.ranking("days=7");
    let damaged = ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "damaged")
        .unwrap();
    assert_eq!(damaged["count"], 4, "{ranking}");
    assert_eq!(damaged["complaints"], 1, "{ranking}");
    let grouped = app.ranking("days=7&group=source");
    assert_eq!(group(&grouped, "observer")["totals"]["count"], 2);
    assert_eq!(group(&grouped, "complaint")["totals"]["count"], 1);
    assert_eq!(group(&grouped, "internal")["totals"]["count"], 1);
    // The tick list filters by the new source.
    let listed = app.get("/api/ticks?days=7&source=observer", &app.viewer);
    assert_eq!(listed.body["ticks"].as_array().unwrap().len(), 2);
    // The CSV carries the source, and the sheet id in a new last column.
    let (status, _, bytes) = app.download("/api/export/ticks.csv?days=7", &app.viewer, &[]);
    assert_eq!(status, 200);
    let rows = csv_rows(&bytes);
    assert_eq!(rows[0].last().unwrap(), "sheet");
    assert_eq!(rows[0][15], "site", "earlier columns keep their places");
    let source = rows[0].iter().position(|c| c == "source").unwrap();
    let observers = rows[1..].iter().filter(|r| r[source] == "observer").count();
    assert_eq!(observers, 2);
    assert!(rows[1..].iter().all(|r| r.last().unwrap().is_empty()));
}

#[test]
fn staff_cannot_claim_a_paper_sheet_tick_or_an_unknown_source() {
    let app = TestApp::spawn();
    let before = app.tick_count();
    app.tick(json!({"horror": "damaged", "source": "sheet"}))
        .assert_error(422, "invalid_source");
    let batch = app.post(
        "/api/ticks/batch",
        &app.staff,
        &json!({"ticks": [{"horror": "damaged"}, {"horror": "damaged", "source": "sheet"}]}),
    );
    batch.assert_error(422, "invalid_ticks");
    assert_eq!(batch.body["error"]["details"][0]["index"], 1);
    assert_eq!(
        app.tick(json!({"horror": "damaged", "source": "rumour"}))
            .status,
        422
    );
    assert_eq!(app.tick_count(), before);
}

// ---------------------------------------------------------------------------------------
// The complaint playbook

/// The test catalogue with a playbook for `damaged` in English and Traditional Chinese.
fn playbook_config() -> String {
    crate::helpers::CONFIG.replace(
        "[[horrors]]\nkey = \"wrong-address\"",
        "[horrors.playbook.en]\napologise = \"We are sorry the box arrived damaged.\"\nwho_we_are = \"We deliver whole.\"\nhandling = \"We send a new one today.\"\nfollow_up = \"We call you when it is out.\"\ndo_it = \"Book the resend now.\"\n\n[horrors.playbook.zh-Hant]\napologise = \"很抱歉包裹損壞。\"\n\n[[horrors]]\nkey = \"wrong-address\"",
    )
}

fn catalogue_horror(app: &TestApp, key: &str) -> Value {
    let reply = app.get("/api/horrors", &app.staff);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["key"] == key)
        .unwrap()
        .clone()
}

fn catalogue_body(app: &TestApp) -> Vec<Value> {
    app.get("/api/horrors", &app.staff).body["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            json!({"key": h["key"], "name": h["name"], "description": h["description"],
                   "pain": h["pain"], "unit_cost": h["unit_cost"], "operational": h["operational"]})
        })
        .collect()
}

#[test]
fn the_playbook_comes_from_the_file_and_survives_a_catalogue_export() {
    let config = playbook_config();
    assert!(config.contains("[horrors.playbook.en]"));
    let app = TestApp::spawn_with(&config);
    let damaged = catalogue_horror(&app, "damaged");
    assert_eq!(
        damaged["playbook"]["en"]["apologise"],
        "We are sorry the box arrived damaged."
    );
    assert_eq!(damaged["playbook"]["en"]["do_it"], "Book the resend now.");
    assert_eq!(
        damaged["playbook"]["zh-Hant"]["apologise"],
        "很抱歉包裹損壞。"
    );
    assert_eq!(
        catalogue_horror(&app, "lost-package")["playbook"],
        json!({})
    );
    // The catalogue export writes it back, and it reads the same.
    let snapshot = app.store.snapshot().unwrap();
    let text = horrors::config::to_toml(&snapshot.settings, &snapshot.horrors);
    assert!(text.contains("[horrors.playbook.en]"), "{text}");
    let again = horrors::config::parse(&text).unwrap();
    let original = snapshot.horror("damaged").unwrap();
    let exported = again.horrors.iter().find(|h| h.key == "damaged").unwrap();
    assert_eq!(exported.playbook, original.playbook);
    // An unknown language in the file is refused, naming the field.
    let bad = config.replace("[horrors.playbook.zh-Hant]", "[horrors.playbook.fr]");
    let error = horrors::config::parse(&bad).unwrap_err().to_string();
    assert!(
        error.contains("playbook") && error.contains("fr"),
        "{error}"
    );
}

#[test]
fn put_horrors_sets_keeps_and_clears_the_playbook() {
    let app = TestApp::spawn_with(&playbook_config());
    let mut horrors = catalogue_body(&app);
    // Left out: kept.
    let reply = app.put("/api/horrors", &app.admin, &json!({"horrors": horrors}));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        catalogue_horror(&app, "damaged")["playbook"]["en"]["handling"],
        "We send a new one today."
    );
    // Set on another horror, in Simplified Chinese.
    horrors[0]["playbook"] =
        json!({"zh-Hans": {"apologise": "抱歉迟到了。", "do_it": "今天送达。"}});
    let reply = app.put("/api/horrors", &app.admin, &json!({"horrors": horrors}));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let late = reply.body["horrors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["key"] == "late-delivery")
        .unwrap()
        .clone();
    assert_eq!(late["playbook"]["zh-Hans"]["do_it"], "今天送达。");
    // `{}` clears it.
    let damaged = horrors.iter().position(|h| h["key"] == "damaged").unwrap();
    horrors[damaged]["playbook"] = json!({});
    assert_eq!(
        app.put("/api/horrors", &app.admin, &json!({"horrors": horrors}))
            .status,
        200
    );
    assert_eq!(catalogue_horror(&app, "damaged")["playbook"], json!({}));
}

#[test]
fn a_bad_playbook_is_refused_and_changes_nothing() {
    let app = TestApp::spawn_with(&playbook_config());
    let before = app.get("/api/horrors", &app.staff).body;
    let history = app.get("/api/horrors/history", &app.admin).body["changes"]
        .as_array()
        .unwrap()
        .len();
    let long = "x".repeat(1001);
    let cases = [
        (
            json!({"fr": {"apologise": "Pardon"}}),
            "horrors[1].playbook.fr",
        ),
        (
            json!({"en": {"handling": long}}),
            "horrors[1].playbook.en.handling",
        ),
        (
            json!({"en": {"apologise": "Sorry\u{1b}[31m"}}),
            "horrors[1].playbook.en.apologise",
        ),
    ];
    for (playbook, field) in cases {
        let mut horrors = catalogue_body(&app);
        horrors[1]["playbook"] = playbook;
        let reply = app.put("/api/horrors", &app.admin, &json!({"horrors": horrors}));
        reply.assert_error(422, "invalid_catalogue");
        assert_eq!(reply.body["error"]["details"][0]["field"], field);
        assert_eq!(
            reply.body["error"]["details"][0]["code"],
            "invalid_playbook"
        );
    }
    // An unknown part is refused as an unknown field.
    let mut horrors = catalogue_body(&app);
    horrors[1]["playbook"] = json!({"en": {"sorry": "x"}});
    assert_eq!(
        app.put("/api/horrors", &app.admin, &json!({"horrors": horrors}))
            .status,
        422
    );
    assert_eq!(app.get("/api/horrors", &app.staff).body, before);
    assert_eq!(
        app.get("/api/horrors/history", &app.admin).body["changes"]
            .as_array()
            .unwrap()
            .len(),
        history
    );
}

#[test]
fn the_tally_page_carries_the_playbook_in_the_page_language() {
    let app = TestApp::spawn_with(&playbook_config());
    let cookie = app.session(&app.staff);
    let page = |lang: &str| {
        let reply = app.call(
            "GET",
            &format!("/tally?lang={lang}"),
            None,
            None,
            None,
            &[("Cookie", &cookie)],
        );
        assert_eq!(reply.status, 200);
        reply.text
    };
    let en = page("en");
    assert!(en.contains(r#"id="playbook-damaged""#), "{en}");
    assert!(en.contains("We send a new one today."));
    assert!(
        !en.contains(r#"id="playbook-lost-package""#),
        "no playbook, no section"
    );
    let hant = page("zh-Hant");
    assert!(hant.contains("很抱歉包裹損壞。"));
    // zh-Hans has none written: English stands in.
    assert!(page("zh-Hans").contains("We are sorry the box arrived damaged."));
}

// ---------------------------------------------------------------------------------------
// Nominations

fn nominate(app: &TestApp, title: &str) -> i64 {
    let reply = app.post(
        "/api/nominations",
        &app.staff,
        &json!({"title": title, "description": "Customers call about it", "example": "“Where is my box?”"}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body["id"].as_i64().unwrap()
}

fn nominations(app: &TestApp) -> Vec<Value> {
    let reply = app.get("/api/nominations", &app.staff);
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["nominations"].as_array().unwrap().clone()
}

#[test]
fn nominations_are_proposed_supported_and_listed_by_support() {
    let app = TestApp::spawn();
    let cold = nominate(&app, "Cold food");
    let wait = nominate(&app, "Long wait on the phone 电话");
    let listed = nominations(&app);
    assert_eq!(listed.len(), 2);
    // Equal support: newest first.
    assert_eq!(listed[0]["id"], wait);
    let first = &listed[1];
    for field in [
        "id",
        "title",
        "description",
        "example",
        "by",
        "created_at",
        "support",
        "state",
        "horror",
        "reason",
    ] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    assert_eq!(first["by"], "ana");
    assert_eq!(first["state"], "open");
    assert_eq!(first["support"], 0);
    assert_eq!(first["horror"], Value::Null);
    // Support moves it up; a second support by the same token is 409 and counts nothing.
    let path = format!("/api/nominations/{cold}/support");
    let reply = app.post(&path, &app.viewer, &json!({}));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["support"], 1);
    app.post(&path, &app.viewer, &json!({}))
        .assert_error(409, "already_supported");
    assert_eq!(app.post(&path, &app.admin, &json!({})).status, 200);
    let listed = nominations(&app);
    assert_eq!(listed[0]["id"], cold);
    assert_eq!(listed[0]["support"], 2);
    // Staff propose but do not support.
    assert_eq!(app.post(&path, &app.staff, &json!({})).status, 403);
    app.post("/api/nominations/999999/support", &app.viewer, &json!({}))
        .assert_error(404, "not_found");
}

#[test]
fn bad_nominations_are_refused_and_write_nothing() {
    let app = TestApp::spawn();
    let ten_kb = "x".repeat(10 * 1024);
    for body in [
        json!({"title": ""}),
        json!({"title": "   "}),
        json!({"title": ten_kb}),
        json!({"title": "a\u{7}b"}),
        json!({"title": "ok", "description": "x".repeat(2001)}),
        json!({"title": "ok", "example": "bell\u{7}"}),
    ] {
        let reply = app.post("/api/nominations", &app.staff, &body);
        reply.assert_error(422, "invalid_nomination");
    }
    assert_eq!(
        app.post(
            "/api/nominations",
            &app.staff,
            &json!({"title": "ok", "votes": 3})
        )
        .status,
        422
    );
    assert!(nominations(&app).is_empty());
}

#[test]
fn adopting_adds_the_horror_up_to_eight_and_keeps_the_link() {
    let app = TestApp::spawn();
    let ids: Vec<i64> = (0..4)
        .map(|i| nominate(&app, &format!("Horror {i}")))
        .collect();
    let adopt = |id: i64, key: &str| {
        app.post(
            &format!("/api/nominations/{id}/adopt"),
            &app.admin,
            &json!({"key": key, "name": format!("Adopted {key}"), "pain": 6, "unit_cost": "12.50"}),
        )
    };
    // Bad horror fields: 422, nothing changes.
    adopt(ids[0], "Bad Key").assert_error(422, "invalid_horror");
    adopt(ids[0], "damaged").assert_error(422, "invalid_horror");
    assert_eq!(
        app.get("/api/horrors", &app.staff).body["horrors"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    for (i, id) in ids.iter().take(3).enumerate() {
        let reply = adopt(*id, &format!("new-{i}"));
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.body["state"], "adopted");
        assert_eq!(reply.body["horror"], format!("new-{i}"));
    }
    let horrors = app.get("/api/horrors", &app.staff).body["horrors"].clone();
    assert_eq!(horrors.as_array().unwrap().len(), 8);
    assert_eq!(horrors[7]["key"], "new-2");
    assert_eq!(horrors[7]["unit_cost"], "12.50");
    assert_eq!(horrors[7]["description"], "Customers call about it");
    // A ninth: 422 too_many_horrors, the nomination stays open.
    adopt(ids[3], "new-3").assert_error(422, "too_many_horrors");
    assert_eq!(app.get("/api/horrors", &app.staff).body["horrors"], horrors);
    let open = nominations(&app)
        .into_iter()
        .find(|n| n["id"] == ids[3])
        .unwrap();
    assert_eq!(open["state"], "open");
    // Adopted once is adopted: 409; unknown id 404; staff and viewers may not adopt.
    adopt(ids[0], "again").assert_error(409, "nomination_closed");
    adopt(424242, "nope").assert_error(404, "not_found");
    let path = format!("/api/nominations/{}/adopt", ids[3]);
    let body = json!({"key": "x", "name": "X", "pain": 1, "unit_cost": "1"});
    assert_eq!(app.post(&path, &app.viewer, &body).status, 403);
    // The new horror takes ticks at once.
    assert_eq!(app.tick(json!({"horror": "new-0"})).status, 201);
    // The history names the adoption.
    let history = app.get("/api/horrors/history", &app.admin).body;
    assert_eq!(history["changes"][0]["action"], "added");
}

#[test]
fn declining_needs_a_reason_and_closes_the_nomination() {
    let app = TestApp::spawn();
    let id = nominate(&app, "Slow refunds");
    let path = format!("/api/nominations/{id}/decline");
    app.post(&path, &app.admin, &json!({"reason": ""}))
        .assert_error(422, "invalid_reason");
    app.post(&path, &app.admin, &json!({"reason": "x".repeat(501)}))
        .assert_error(422, "invalid_reason");
    assert_eq!(nominations(&app)[0]["state"], "open");
    let reply = app.post(&path, &app.admin, &json!({"reason": "Billing owns it"}));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["state"], "declined");
    assert_eq!(reply.body["reason"], "Billing owns it");
    app.post(&path, &app.admin, &json!({"reason": "twice"}))
        .assert_error(409, "nomination_closed");
    app.post(
        &format!("/api/nominations/{id}/support"),
        &app.viewer,
        &json!({}),
    )
    .assert_error(409, "nomination_closed");
}

#[test]
fn the_annual_review_lists_the_years_nominations_neutralised() {
    let app = TestApp::spawn();
    let id = nominate(&app, "=HYPERLINK(\"http://evil\")");
    app.post(
        &format!("/api/nominations/{id}/decline"),
        &app.admin,
        &json!({"reason": "@not ours"}),
    );
    let year = chrono::Datelike::year(&app.now().with_timezone(&chrono_tz::America::Chicago));
    let (status, _, bytes) = app.download(
        &format!("/api/export/annual.zip?year={year}"),
        &app.viewer,
        &[],
    );
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("nominations.csv").unwrap(), &mut text).unwrap();
    let rows = csv_rows(&text);
    assert_eq!(rows[0][..3], ["id", "created_at", "title"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][2], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(rows[1][7], "declined");
    assert_eq!(rows[1][9], "'@not ours");
    // The year before has none.
    let (_, _, bytes) = app.download(
        &format!("/api/export/annual.zip?year={}", year - 1),
        &app.viewer,
        &[],
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("nominations.csv").unwrap(), &mut text).unwrap();
    assert_eq!(csv_rows(&text).len(), 1);
}
