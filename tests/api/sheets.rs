//! Paper check sheets (step 2 of the method): entering a filled-in sheet as ticks, all or
//! nothing and at most once, voiding it as a whole, and the printed sheet itself: a PDF
//! decoded, read back with poppler, rendered to PNG and its QR codes scanned.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Days, NaiveDate};
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::sites::{noon, spawn_sites, today, tz_of};

fn day(app: &TestApp, back: u64) -> String {
    (today(app) - Days::new(back)).to_string()
}

fn sheet(app: &TestApp, body: &Value) -> crate::helpers::Reply {
    app.post("/api/sheets", &app.staff, body)
}

fn count_in_ranking(app: &TestApp, key: &str) -> i64 {
    let ranking = app.ranking("days=14");
    ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .map_or(0, |i| i["count"].as_i64().unwrap())
}

#[track_caller]
fn assert_rollup_exact(app: &TestApp) {
    assert_eq!(app.store.check_rollup().unwrap(), Vec::<String>::new());
}

#[test]
fn a_sheet_becomes_one_tick_per_day_and_horror_at_local_noon() {
    let app = TestApp::spawn();
    let (d1, d3) = (day(&app, 1), day(&app, 3));
    let reply = sheet(
        &app,
        &json!({"department": "Warehouse", "days": [
            {"day": d1, "counts": {"damaged": 2, "late-delivery": 0}},
            {"day": d3, "counts": {"lost-package": 1, "damaged": 3}},
        ]}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = reply.body["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(&*format!("/api/sheets/{id}"))
    );
    assert_eq!(reply.body["first_day"], d3);
    assert_eq!(reply.body["last_day"], d1);
    assert_eq!(reply.body["recorded_by"], "ana");
    assert_eq!(reply.body["voided"], false);
    let ticks = reply.body["ticks"].as_array().unwrap();
    let seen: Vec<(String, i64, String)> = ticks
        .iter()
        .map(|t| {
            (
                t["horror"].as_str().unwrap().to_string(),
                t["qty"].as_i64().unwrap(),
                t["day"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Day by day, oldest first; a zero records nothing.
    assert_eq!(
        seen,
        vec![
            ("damaged".into(), 3, d3.clone()),
            ("lost-package".into(), 1, d3.clone()),
            ("damaged".into(), 2, d1.clone()),
        ]
    );
    for t in ticks {
        assert_eq!(t["source"], "sheet");
        assert_eq!(t["sheet"], id);
        assert_eq!(t["department"], "Warehouse");
        let at = chrono::DateTime::parse_from_rfc3339(t["occurred_at"].as_str().unwrap()).unwrap();
        let day: NaiveDate = t["day"].as_str().unwrap().parse().unwrap();
        assert_eq!(at.to_rfc3339(), noon(day, tz_of(None)), "local noon");
    }
    // Costs are qty × unit cost, as for any tick.
    assert_eq!(ticks[0]["cost"], "180.00");
    // The ranking counts them; the source grouping shows them apart; the rollup is exact.
    assert_eq!(count_in_ranking(&app, "damaged"), 5);
    assert_eq!(count_in_ranking(&app, "lost-package"), 1);
    let grouped = app.ranking("days=14&group=source");
    let group = grouped["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["value"] == "sheet")
        .unwrap();
    assert_eq!(group["totals"]["count"], 6);
    assert_rollup_exact(&app);
    // The tick list and the CSV carry the sheet's id.
    let listed = app.get("/api/ticks?days=14&source=sheet", &app.viewer);
    assert_eq!(listed.body["ticks"].as_array().unwrap().len(), 3);
    assert!(listed.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["sheet"] == id));
    let (_, _, csv) = app.download("/api/export/ticks.csv?days=14", &app.viewer, &[]);
    let text = String::from_utf8(csv).unwrap();
    let sheet_rows = text
        .lines()
        .skip(1)
        .filter(|l| l.ends_with(&format!(",{id}")))
        .count();
    assert_eq!(sheet_rows, 3, "{text}");
}

#[test]
fn an_all_zero_sheet_is_recorded_without_ticks() {
    let app = TestApp::spawn();
    let reply = sheet(
        &app,
        &json!({"days": [{"day": day(&app, 2), "counts": {"damaged": 0}}]}),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["ticks"], json!([]));
    assert_eq!(app.tick_count(), 0);
}

#[test]
fn a_sheet_entered_twice_with_its_key_is_recorded_once() {
    let app = TestApp::spawn();
    let body =
        json!({"days": [{"day": day(&app, 1), "counts": {"damaged": 4, "missed-pickup": 1}}]});
    let bytes = serde_json::to_vec(&body).unwrap();
    let send = |token: &str, bytes: &[u8]| {
        app.call(
            "POST",
            "/api/sheets",
            Some(token),
            Some("application/json"),
            Some(bytes),
            &[("Idempotency-Key", "sheet-2026-03-dock")],
        )
    };
    let first = send(&app.staff, &bytes);
    assert_eq!(first.status, 201, "{}", first.text);
    let again = send(&app.staff, &bytes);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["ticks"], first.body["ticks"]);
    assert_eq!(app.tick_count(), 2);
    assert_eq!(count_in_ranking(&app, "damaged"), 4);
    // The same key with another sheet: 409, nothing written.
    let other = serde_json::to_vec(
        &json!({"days": [{"day": day(&app, 1), "counts": {"damaged": 5, "missed-pickup": 1}}]}),
    )
    .unwrap();
    send(&app.staff, &other).assert_error(409, "idempotency_conflict");
    assert_eq!(app.tick_count(), 2);
    // Another token's key is its own.
    assert_eq!(send(&app.staff2, &bytes).status, 201);
    assert_eq!(app.tick_count(), 4);
    // A bad key is 400, nothing written.
    let bad = app.call(
        "POST",
        "/api/sheets",
        Some(&app.staff),
        Some("application/json"),
        Some(&bytes),
        &[("Idempotency-Key", "has space")],
    );
    bad.assert_error(400, "bad_idempotency_key");
    assert_eq!(app.tick_count(), 4);
    assert_rollup_exact(&app);
}

#[test]
fn deleting_a_sheet_voids_all_its_ticks_once() {
    let app = TestApp::spawn();
    let before = app
        .tick(json!({"horror": "damaged", "occurred_at": (app.now() - chrono::Duration::hours(30)).to_rfc3339()}));
    assert_eq!(before.status, 201);
    let made = sheet(
        &app,
        &json!({"days": [{"day": day(&app, 1), "counts": {"damaged": 2}},
                         {"day": day(&app, 2), "counts": {"damaged": 1, "lost-package": 6}}]}),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.body["id"].as_i64().unwrap();
    assert_eq!(count_in_ranking(&app, "damaged"), 4);
    // Staff and viewers may not.
    for token in [&app.staff, &app.viewer] {
        let reply = app.call(
            "DELETE",
            &format!("/api/sheets/{id}"),
            Some(token),
            None,
            None,
            &[],
        );
        assert_eq!(reply.status, 403, "{}", reply.text);
    }
    let voided = app.call(
        "DELETE",
        &format!("/api/sheets/{id}"),
        Some(&app.admin),
        None,
        None,
        &[],
    );
    assert_eq!(voided.status, 200, "{}", voided.text);
    assert_eq!(voided.body["voided"], true);
    let ticks = voided.body["ticks"].as_array().unwrap();
    assert_eq!(ticks.len(), 3);
    assert!(ticks
        .iter()
        .all(|t| t["voided"] == true && t["void_reason"] == format!("sheet {id} voided")));
    // Only the sheet's ticks are gone from the counts; they stay listed.
    assert_eq!(count_in_ranking(&app, "damaged"), 1);
    assert_eq!(count_in_ranking(&app, "lost-package"), 0);
    assert_eq!(app.tick_count(), 4);
    assert_rollup_exact(&app);
    // Again: the same sheet, unchanged (idempotent).
    let again = app.call(
        "DELETE",
        &format!("/api/sheets/{id}"),
        Some(&app.admin),
        None,
        None,
        &[],
    );
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body, voided.body);
    assert_rollup_exact(&app);
    for unknown in ["999", "0", "-1", "abc"] {
        let reply = app.call(
            "DELETE",
            &format!("/api/sheets/{unknown}"),
            Some(&app.admin),
            None,
            None,
            &[],
        );
        reply.assert_error(404, "not_found");
    }
}

#[test]
fn bad_sheets_are_refused_and_write_nothing() {
    let app = TestApp::spawn();
    let yesterday = day(&app, 1);
    let tomorrow = (today(&app) + Days::new(1)).to_string();
    let counts = |counts: Value| json!({"days": [{"day": yesterday, "counts": counts}]});
    let days = |days: Vec<&str>| json!({"days": days.iter().map(|d| json!({"day": d, "counts": {"damaged": 1}})).collect::<Vec<_>>()});
    let many: Vec<String> = (1..=63).map(|i| day(&app, i)).collect();
    let cases: Vec<(Value, u16, &str)> = vec![
        (counts(json!({"damaged": -1})), 422, "invalid_count"),
        (counts(json!({"damaged": 1001})), 422, "invalid_count"),
        (counts(json!({"damaged": 1.5})), 422, "invalid_body"),
        (counts(json!({"damaged": "3"})), 422, "invalid_body"),
        (counts(json!({"damaged": 1e30})), 422, "invalid_body"),
        (counts(json!({"no-such-horror": 1})), 422, "unknown_horror"),
        // One bad count among good ones refuses the whole sheet.
        (
            counts(json!({"damaged": 2, "lost-package": -3})),
            422,
            "invalid_count",
        ),
        (days(vec![&tomorrow]), 422, "day_in_future"),
        (days(vec![&yesterday, &tomorrow]), 422, "day_in_future"),
        (days(vec!["2026-02-30"]), 422, "invalid_day"),
        (days(vec!["03/08/2026"]), 422, "invalid_day"),
        (days(vec!["2026-3-8"]), 422, "invalid_day"),
        (days(vec![""]), 422, "invalid_day"),
        (days(vec![&yesterday, &yesterday]), 422, "duplicate_day"),
        (days(vec![]), 422, "invalid_days"),
        (
            days(many.iter().map(String::as_str).collect()),
            422,
            "invalid_days",
        ),
        (
            json!({"department": "Kitchen", "days": [{"day": yesterday, "counts": {}}]}),
            422,
            "unknown_department",
        ),
        (
            json!({"department": "Dock\u{7}", "days": [{"day": yesterday, "counts": {}}]}),
            422,
            "unknown_department",
        ),
        (
            json!({"site": "north", "days": [{"day": yesterday, "counts": {}}]}),
            422,
            "unknown_site",
        ),
        (json!({"days": {"day": yesterday}}), 422, "invalid_body"),
        (json!({"days": [{"day": yesterday}]}), 422, "invalid_body"),
        (
            json!({"days": [{"day": yesterday, "counts": {}}], "note": "x"}),
            422,
            "invalid_body",
        ),
        (json!([]), 422, "invalid_body"),
    ];
    for (body, status, code) in &cases {
        let reply = sheet(&app, body);
        assert_eq!(reply.status, *status, "{body}: {}", reply.text);
        assert_eq!(reply.body["error"]["code"], *code, "{body}: {}", reply.text);
    }
    // A malformed body.
    let reply = app.call(
        "POST",
        "/api/sheets",
        Some(&app.staff),
        Some("application/json"),
        Some(b"{\"days\": ["),
        &[],
    );
    assert!((400..500).contains(&reply.status), "{}", reply.text);
    assert_eq!(app.tick_count(), 0, "nothing was written");
    // No sheet either: the first good one gets the first id.
    let good = sheet(&app, &days(vec![&yesterday]));
    assert_eq!(good.status, 201, "{}", good.text);
    assert_eq!(good.body["id"], 1);
    // Details name every problem's field.
    let reply = sheet(
        &app,
        &json!({"days": [{"day": yesterday, "counts": {"damaged": -1, "nope": 2}}, {"day": tomorrow, "counts": {}}]}),
    );
    let fields: Vec<&str> = reply.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "days[0].counts.damaged",
            "days[0].counts.nope",
            "days[1].day"
        ]
    );
}

#[test]
fn a_department_must_be_short_and_clean_when_none_are_configured() {
    let config = crate::helpers::CONFIG.replace(
        "departments = [\"Dispatch\", \"Warehouse\", \"Drivers\"]",
        "",
    );
    let app = TestApp::spawn_with(&config);
    let body = |department: &str| json!({"department": department, "days": [{"day": day(&app, 1), "counts": {"damaged": 1}}]});
    sheet(&app, &body(&"x".repeat(61))).assert_error(422, "invalid_department");
    sheet(&app, &body("Dock\u{1}")).assert_error(422, "invalid_department");
    sheet(&app, &body("Dock\u{85}")).assert_error(422, "invalid_department");
    assert_eq!(app.tick_count(), 0);
    let reply = sheet(&app, &body("Loading dock 3"));
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["department"], "Loading dock 3");
}

#[test]
fn a_sheet_lands_at_its_site_and_a_bound_token_at_its_own_only() {
    let app = spawn_sites();
    let body = |site: Option<&str>| {
        let mut body = json!({"days": [{"day": day(&app, 2), "counts": {"damaged": 1}}]});
        if let Some(site) = site {
            body["site"] = json!(site);
        }
        body
    };
    sheet(&app, &body(None)).assert_error(422, "site_required");
    let reply = sheet(&app, &body(Some("tokyo")));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let tick = &reply.body["ticks"][0];
    assert_eq!(tick["site"], "tokyo");
    let day: NaiveDate = tick["day"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(tick["occurred_at"].as_str().unwrap())
            .unwrap()
            .to_rfc3339(),
        noon(day, tz_of(Some("tokyo"))),
        "noon in Tokyo"
    );
    let (_, bound) = app
        .store
        .create_site_token("berlin phone", horrors::auth::Role::Staff, Some("berlin"))
        .unwrap();
    let before = app.tick_count();
    app.post("/api/sheets", &bound, &body(Some("tokyo")))
        .assert_error(403, "wrong_site");
    assert_eq!(app.tick_count(), before);
    let own = app.post("/api/sheets", &bound, &body(None));
    assert_eq!(own.status, 201, "{}", own.text);
    assert_eq!(own.body["site"], "berlin");
    assert_eq!(own.body["ticks"][0]["site"], "berlin");
    assert_rollup_exact(&app);
}

// ---------------------------------------------------------------------------------------
// The printed check sheet

fn pdf(app: &TestApp, query: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    app.download(
        &format!("/sheets/check-sheet.pdf?{query}"),
        &app.viewer,
        &[],
    )
}

fn count(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

/// Runs a poppler tool; the suite installs poppler-utils (scripts/test).
fn poppler(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils, see scripts/test): {e}"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The sheet rendered to a greyscale PNG by pdftoppm (kept under target/tmp to look at).
fn render(bytes: &[u8], dir: &Path, name: &str) -> PathBuf {
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, bytes).unwrap();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    poppler(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            "200",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            file.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
    );
    out.with_extension("png")
}

/// Every QR code readable in a greyscale PNG.
fn scan(png_file: &Path) -> Vec<String> {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_file).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    let (w, h) = (frame.width as usize, frame.height as usize);
    // pdftoppm writes grey pixels as RGB on some versions: take one channel.
    let step = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[(y * w + x) * step]);
    let mut found: Vec<String> = image
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect();
    found.sort();
    found
}

#[test]
fn the_check_sheet_is_a_landscape_pdf_with_embedded_fonts_names_and_working_qr_codes() {
    let app = TestApp::spawn();
    let (status, headers, bytes) = pdf(
        &app,
        "paper=a4&department=Warehouse&from=2026-03-01&to=2026-03-30&lang=en",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let content_type = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str());
    assert_eq!(content_type, Some("application/pdf"));
    assert!(bytes.starts_with(b"%PDF-1."));
    // One A4 page, landscape (A4 is 595 × 842 pt).
    assert_eq!(count(&bytes, "/MediaBox [0 0 842 595]"), 1);
    assert_eq!(count(&bytes, "/Type /Page\n"), 1);
    // The fonts are in the file, TrueType subsets, with a ToUnicode map each.
    assert!(count(&bytes, "/FontFile2") >= 2);
    assert_eq!(count(&bytes, "/FontFile2"), count(&bytes, "/ToUnicode"));
    let file = app.dir.path().join("a4.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let fonts = poppler("pdffonts", &[file.to_str().unwrap()]);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 2, "{fonts}");
    for row in &rows {
        // name, type, encoding, emb, sub, uni, object: embedded, subset, with Unicode.
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(row.contains("+"), "a subset: {fonts}");
        assert_eq!(
            &cols[cols.len() - 5..cols.len() - 2],
            ["yes", "yes", "yes"],
            "{fonts}"
        );
    }
    let size = poppler("pdfinfo", &[file.to_str().unwrap()]);
    assert!(
        size.lines()
            .any(|l| l.starts_with("Page size:") && l.ends_with("842 x 595 pts (A4)")),
        "{size}"
    );
    // The words a person reads, and every active horror's name as written.
    let text = poppler("pdftotext", &["-layout", file.to_str().unwrap(), "-"]);
    for words in [
        "Check sheet — Example Freight",
        "Department: Warehouse",
        "2026-03-01 – 2026-03-30",
        "Late delivery",
        "Lost package",
        "Damaged package 📦",
        "配送先の誤り",
        "Missed pickup",
        "pain 9/10",
    ] {
        assert!(text.contains(words), "{words:?} missing from:\n{text}");
    }
    // Rendered as a person sees it, every horror's QR code opens the tally with it chosen.
    let png_file = render(&bytes, app.dir.path(), "check-sheet-en");
    let base = &app.base;
    let mut expected: Vec<String> = [
        "late-delivery",
        "lost-package",
        "damaged",
        "wrong-address",
        "missed-pickup",
    ]
    .iter()
    .map(|k| format!("{base}/tally?horror={k}"))
    .collect();
    expected.sort();
    assert_eq!(scan(&png_file), expected, "{}", png_file.display());
}

#[test]
fn the_check_sheet_on_letter_in_chinese_for_a_site_over_two_pages() {
    let app = spawn_sites();
    let (status, _, bytes) = pdf(
        &app,
        "paper=letter&site=tokyo&from=2026-01-01&to=2026-03-03&lang=zh-Hans",
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    // 62 days: two Letter pages, landscape (Letter is 612 × 792 pt).
    assert_eq!(count(&bytes, "/MediaBox [0 0 792 612]"), 2);
    let file = app.dir.path().join("letter.pdf");
    std::fs::write(&file, &bytes).unwrap();
    let text = poppler("pdftotext", &["-layout", file.to_str().unwrap(), "-"]);
    for words in [
        "检查表",
        "站点: Tokyo depot",
        "痛苦度",
        "配送先の誤り",
        "2026-01-01 – 2026-03-03",
    ] {
        assert!(text.contains(words), "{words:?} missing from:\n{text}");
    }
    let png_file = render(&bytes, app.dir.path(), "check-sheet-zh");
    let scanned = scan(&png_file);
    assert_eq!(scanned.len(), 5, "{scanned:?}");
    assert!(scanned.iter().all(
        |url| url.starts_with(&format!("{}/tally?horror=", app.base))
            && url.ends_with("&site=tokyo")
    ));
    // A token bound to another site prints its own only.
    let (_, bound) = app
        .store
        .create_site_token("berlin lead", horrors::auth::Role::Viewer, Some("berlin"))
        .unwrap();
    let reply = app.get("/sheets/check-sheet.pdf?site=tokyo", &bound);
    reply.assert_error(403, "wrong_site");
}

#[test]
fn check_sheet_parameters_are_checked() {
    let app = TestApp::spawn();
    for (query, code) in [
        ("from=2026-02-30&to=2026-03-10", "invalid_period"),
        ("from=2026-3-1", "invalid_period"),
        ("to=soon", "invalid_period"),
        ("from=2026-03-10&to=2026-03-09", "invalid_period"),
        ("from=2026-01-01&to=2026-03-04", "invalid_period"),
        ("paper=a3", "invalid_paper"),
        ("paper=A4", "invalid_paper"),
        ("department=Kitchen", "unknown_department"),
        ("site=north", "unknown_site"),
        ("colour=red", "unknown_parameter"),
    ] {
        let reply = app.get(&format!("/sheets/check-sheet.pdf?{query}"), &app.viewer);
        reply.assert_error(422, code);
    }
    // Staff may not print (viewer and above); the default is 30 days from today on A4.
    assert_eq!(app.get("/sheets/check-sheet.pdf", &app.staff).status, 403);
    let (status, _, bytes) = pdf(&app, "");
    assert_eq!(status, 200);
    assert_eq!(count(&bytes, "/MediaBox [0 0 842 595]"), 1);
    let (status, _, bytes) = pdf(&app, "from=2026-01-01&to=2026-03-03");
    assert_eq!(status, 200, "62 days are fine");
    assert_eq!(count(&bytes, "/MediaBox [0 0 842 595]"), 2);
}

// ---------------------------------------------------------------------------------------
// The tally opened from a check sheet's QR code

fn tally_page(app: &TestApp, cookie: &str, query: &str) -> String {
    let reply = app.call(
        "GET",
        &format!("/tally?{query}"),
        None,
        None,
        None,
        &[("Cookie", cookie)],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.text
}

/// The horror keys of the tally's buttons, in page order.
fn button_keys(html: &str) -> Vec<String> {
    html.split("<button class=\"horror")
        .skip(1)
        .map(|b| {
            let start = b.find("data-key=\"").unwrap() + 10;
            b[start..start + b[start..].find('"').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn the_tally_opened_with_a_horror_puts_it_first_and_chosen() {
    let app = TestApp::spawn();
    let cookie = app.session(&app.staff);
    let plain = tally_page(&app, &cookie, "");
    assert_eq!(
        button_keys(&plain),
        [
            "late-delivery",
            "lost-package",
            "damaged",
            "wrong-address",
            "missed-pickup"
        ]
    );
    assert!(!plain.contains("chosen"));
    let html = tally_page(&app, &cookie, "horror=wrong-address&lang=en");
    assert_eq!(
        button_keys(&html),
        [
            "wrong-address",
            "late-delivery",
            "lost-package",
            "damaged",
            "missed-pickup"
        ]
    );
    assert!(
        html.contains(r#"<button class="horror chosen" type="button" data-key="wrong-address""#),
        "{html}"
    );
    assert!(html.contains(r#"aria-current="true" autofocus"#), "{html}");
    assert!(html.contains("配送先の誤り is chosen"), "{html}");
    // Nothing is recorded by opening it.
    assert_eq!(app.tick_count(), 0);
    // An unknown key shows the plain tally.
    let unknown = tally_page(&app, &cookie, "horror=%3Cscript%3E");
    assert_eq!(button_keys(&unknown), button_keys(&plain));
    assert!(!unknown.contains("<script>"));
}

#[test]
fn the_site_picker_keeps_the_chosen_horror() {
    let app = spawn_sites();
    let cookie = app.session(&app.staff);
    let picker = tally_page(&app, &cookie, "horror=damaged");
    assert!(
        picker.contains(r#"href="/tally?site=tokyo&amp;horror=damaged""#),
        "{picker}"
    );
    let html = tally_page(&app, &cookie, "site=tokyo&horror=damaged");
    assert_eq!(button_keys(&html)[0], "damaged");
    assert!(html.contains(r#"data-site="tokyo""#));
}

#[test]
fn a_whole_count_written_as_a_decimal_is_a_count() {
    let app = TestApp::spawn();
    let body = format!(
        r#"{{"days": [{{"day": "{}", "counts": {{"damaged": 4.0, "lost-package": 2e0}}}}]}}"#,
        day(&app, 1)
    );
    let reply = app.call(
        "POST",
        "/api/sheets",
        Some(&app.staff),
        Some("application/json"),
        Some(body.as_bytes()),
        &[],
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let qty: Vec<i64> = reply.body["ticks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["qty"].as_i64().unwrap())
        .collect();
    assert_eq!(qty, vec![4, 2]);
}

#[test]
fn the_demo_carries_the_methods_history_and_the_review_says_so() {
    let app = crate::sites::spawn_sites();
    let said = horrors::demo::method(&app.store).unwrap();
    assert!(said.contains("4 nominations"), "{said}");
    let listed = app.get("/api/nominations", &app.viewer);
    let states: Vec<(String, i64)> = listed.body["nominations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["state"].as_str().unwrap().to_string(),
                n["support"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(states.len(), 4, "{}", listed.text);
    assert_eq!(states.iter().filter(|(s, _)| s == "adopted").count(), 1);
    assert_eq!(states.iter().filter(|(s, _)| s == "declined").count(), 1);
    assert_eq!(states.iter().filter(|(s, _)| s == "open").count(), 2);
    let adopted = listed.body["nominations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["state"] == "adopted")
        .unwrap();
    assert_eq!(
        adopted["horror"], "missed-pickup",
        "the catalogue's last horror"
    );
    let sheet_ticks = app.get("/api/ticks?days=7&source=sheet", &app.viewer);
    let ticks = sheet_ticks.body["ticks"].as_array().unwrap();
    assert!(!ticks.is_empty());
    assert!(ticks
        .iter()
        .all(|t| t["sheet"] == 1 && t["site"] == "chicago-hub"));
    assert_rollup_exact(&app);
    // The annual review's README lists nominations.csv beside the other files.
    let year = today(&app).format("%Y").to_string();
    let (status, _, bytes) = app.download(
        &format!("/api/export/annual.zip?year={year}"),
        &app.viewer,
        &[],
    );
    assert_eq!(status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut readme = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("README.txt").unwrap(), &mut readme).unwrap();
    assert!(readme.contains("nominations.csv"), "{readme}");
}
