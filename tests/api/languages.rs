//! Languages (SPEC §20): pages, charts and the annual review in English, Simplified and
//! Traditional Chinese, chosen by `?lang=`, the cookie, `Accept-Language` or the
//! configuration; an unknown or malformed choice falls back, never fails.

use std::io::{Cursor, Read};

use crate::helpers::{Reply, TestApp, CONFIG};

fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Reply {
    app.call("GET", path, None, None, None, headers)
}

/// `<html lang="…">` of a page.
fn html_lang(reply: &Reply) -> &str {
    let start = reply.text.find("<html lang=\"").expect("an <html lang>") + 12;
    let end = start + reply.text[start..].find('"').unwrap();
    &reply.text[start..end]
}

#[test]
fn pages_follow_the_query_then_the_cookie_then_accept_language() {
    let app = TestApp::spawn();
    let reply = page(&app, "/login?lang=zh-Hant", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(html_lang(&reply), "zh-Hant");
    assert!(reply.text.contains("登入") && reply.text.contains("權杖"));
    let cookie = reply
        .header("set-cookie")
        .expect("the choice is remembered");
    assert!(cookie.starts_with("horrors_lang=zh-Hant;"), "{cookie}");
    assert!(
        cookie.contains("Path=/") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    // The cookie wins over Accept-Language; a query wins over both.
    let remembered = [
        ("Cookie", "horrors_lang=zh-Hant"),
        ("Accept-Language", "zh-CN"),
    ];
    assert_eq!(html_lang(&page(&app, "/login", &remembered)), "zh-Hant");
    assert_eq!(html_lang(&page(&app, "/login?lang=en", &remembered)), "en");
    let hans = page(
        &app,
        "/login",
        &[("Accept-Language", "fr;q=0.9, zh-SG;q=0.8, en;q=0.1")],
    );
    assert_eq!(html_lang(&hans), "zh-Hans");
    assert!(hans.text.contains("登录"));
    for (tag, expected) in [
        ("zh-TW", "zh-Hant"),
        ("zh-HK", "zh-Hant"),
        ("zh-MO", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-Hant-HK", "zh-Hant"),
        ("zh-Hans-CN-x-foo", "zh-Hans"),
        ("zh-Hant-TW-u-nu-hanidec", "zh-Hant"),
        ("en-US-x-twain", "en"),
    ] {
        assert_eq!(
            html_lang(&page(&app, &format!("/login?lang={tag}"), &[])),
            expected,
            "{tag}"
        );
    }
    assert_eq!(html_lang(&page(&app, "/login", &[])), "en");
    // Private use and extensions are matched by the tag's prefix, in the cookie and in
    // Accept-Language too.
    let private = [("Cookie", "horrors_lang=zh-Hant-TW-x-foo")];
    assert_eq!(html_lang(&page(&app, "/login", &private)), "zh-Hant");
    let private = [("Accept-Language", "fr, zh-Hans-CN-x-foo;q=0.5")];
    assert_eq!(html_lang(&page(&app, "/login", &private)), "zh-Hans");
}

#[test]
fn unknown_or_malformed_choices_fall_back_and_never_fail() {
    let app = TestApp::spawn();
    let huge = format!("{}zh-TW", "x-garbage;q=0.5, ".repeat(400));
    let cases: [(&str, Vec<(&str, &str)>); 8] = [
        ("/login?lang=tlh", vec![]),
        ("/login?lang=", vec![]),
        ("/login?lang=%FF%FE", vec![]),
        ("/login?lang=zh-Hans-%00", vec![]),
        ("/login?lang=zh-Latn", vec![]),
        ("/login", vec![("Cookie", "horrors_lang=%%%")]),
        ("/login", vec![("Accept-Language", huge.as_str())]),
        (
            "/login",
            vec![("Accept-Language", ";;q=,,*;q=x,-,zh-;q=1e9")],
        ),
    ];
    for (path, headers) in &cases {
        let reply = page(&app, path, headers);
        assert_eq!(reply.status, 200, "{path} {headers:?}");
        assert_eq!(html_lang(&reply), "en", "{path} {headers:?}");
    }
    assert_eq!(
        page(&app, "/login?lang=tlh", &[]).header("set-cookie"),
        None
    );
    // Pages never refuse a repeated lang: the first one wins.
    let repeated = page(&app, "/login?lang=zh&lang=en&lang=x", &[]);
    assert_eq!((repeated.status, html_lang(&repeated)), (200, "zh-Hans"));
    // A header no client would build (bytes outside ASCII) still gets a page.
    let reply = app.raw(b"GET /login HTTP/1.1\r\nHost: x\r\nAccept-Language: \xff\xfe, zh-TW\r\nConnection: close\r\n\r\n");
    assert_eq!(reply.status, 200);
    assert!(reply.text.contains("<html lang=\"zh-Hant\">"));
    // The charts take the same leniency.
    let (status, _, svg) = app.download(
        "/charts/pareto.svg?lang=%21%21",
        &app.viewer,
        &[("Accept-Language", &huge)],
    );
    assert_eq!(status, 200);
    assert!(String::from_utf8(svg)
        .unwrap()
        .contains("Hierarchy of horrors"));
}

#[test]
fn the_configured_language_is_the_default() {
    let config = CONFIG.replacen(
        "[organization]\n",
        "[organization]\nlanguage = \"zh-Hant\"\n",
        1,
    );
    assert_ne!(config, CONFIG);
    let app = TestApp::spawn_with(&config);
    assert_eq!(html_lang(&page(&app, "/login", &[])), "zh-Hant");
    assert_eq!(
        html_lang(&page(&app, "/login", &[("Accept-Language", "en-US")])),
        "en"
    );
    let (_, _, svg) = app.download("/charts/cost.svg", &app.viewer, &[]);
    assert!(String::from_utf8(svg).unwrap().contains("失誤成本"));
}

#[test]
fn pages_behind_a_session_take_lang_beside_their_own_options() {
    let app = TestApp::spawn();
    let viewer = app.session(&app.viewer);
    let cookie = [("Cookie", viewer.as_str())];
    let reply = page(&app, "/dashboard?days=7&lang=zh-Hans", &cookie);
    assert_eq!(reply.status, 200);
    assert_eq!(html_lang(&reply), "zh-Hans");
    assert!(
        reply.text.contains("我们应该先解决什么？"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("最近 7 天"));
    assert!(
        !reply.text.contains("class=\"error\""),
        "lang is not an unknown parameter"
    );
    // The switcher keeps the page's own options.
    assert!(reply
        .text
        .contains("href=\"/dashboard?days=7&amp;lang=zh-Hant\""));
    // Charts and the annual review follow the page; CSV links stay as they were.
    assert!(reply.text.contains("&amp;lang=zh-Hans\""));
    assert!(reply.text.contains("/api/export/annual.zip?year="));
    let reply = page(&app, "/dashboard?lang=%E4%B8%AD", &cookie);
    assert_eq!(reply.status, 200);
    assert_eq!(html_lang(&reply), "en");

    let staff = app.session(&app.staff);
    let reply = page(&app, "/tally?lang=zh-Hant", &[("Cookie", staff.as_str())]);
    assert_eq!(reply.status, 200);
    // The script's texts come with the page: no request of their own.
    assert!(reply.text.contains("data-messages="));
    assert!(reply.text.contains("已儲存 ✓") && reply.text.contains("等待同步"));
    let forbidden = page(&app, "/admin?lang=zh-Hans", &[("Cookie", staff.as_str())]);
    assert_eq!(forbidden.status, 403);
    assert!(forbidden.text.contains("此页面需要“管理员”角色"));
    // JSON stays English and strict: lang is not a JSON API option.
    app.get("/api/ranking?lang=zh-Hans", &app.viewer)
        .assert_error(422, "unknown_parameter");
}

#[test]
fn charts_take_lang_and_vary_on_accept_language() {
    let app = TestApp::spawn();
    assert_eq!(
        app.tick(serde_json::json!({"horror": "late-delivery"}))
            .status,
        201
    );
    let (status, headers, svg) =
        app.download("/charts/pareto.svg?days=7&lang=zh-Hans", &app.viewer, &[]);
    assert_eq!(status, 200);
    let svg = String::from_utf8(svg).unwrap();
    assert!(
        svg.contains("失误等级") && svg.contains("累计占比"),
        "{svg}"
    );
    let vary = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("vary"))
        .unwrap();
    assert!(vary.1.contains("Accept-Language"), "{vary:?}");
    let (_, _, svg) = app.download(
        "/charts/trend.svg",
        &app.viewer,
        &[("Accept-Language", "zh-TW")],
    );
    assert!(String::from_utf8(svg).unwrap().contains("失誤趨勢"));
    let (status, _, png) = app.download("/charts/matrix.png?lang=zh-Hant", &app.viewer, &[]);
    assert_eq!(status, 200);
    assert!(png.starts_with(b"\x89PNG"));
}

#[test]
fn the_annual_review_speaks_the_language_but_csv_stays_english() {
    let app = TestApp::spawn();
    assert_eq!(
        app.tick(serde_json::json!({"horror": "late-delivery"}))
            .status,
        201
    );
    let read = |lang: &str| {
        let (status, _, bytes) =
            app.download(&format!("/api/export/annual.zip?{lang}"), &app.viewer, &[]);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut files = std::collections::BTreeMap::new();
        for name in [
            "README.txt",
            "review.html",
            "review.xlsx",
            "ranking.csv",
            "ticks.csv",
        ] {
            let mut bytes = Vec::new();
            zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
            files.insert(name, bytes);
        }
        files
    };
    let english = read("");
    let hant = read("lang=zh-Hant");
    let readme = String::from_utf8(hant["README.txt"].clone()).unwrap();
    assert!(
        readme.contains("年度檢討") && readme.contains("\r\n"),
        "{readme}"
    );
    let html = String::from_utf8(hant["review.html"].clone()).unwrap();
    assert!(html.contains("<html lang=\"zh-Hant\">") && html.contains("改善週期"));
    assert!(!html.contains('\u{2068}'), "no isolation marks");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(hant["review.xlsx"].clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["排名", "按月", "改善週期", "紀錄", "年度比較"]
    );
    let ranking = book.worksheet_range("排名").unwrap();
    let header: Vec<String> = ranking
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(&header[..4], ["排名", "代碼", "失誤", "等級"]);
    for csv in ["ranking.csv", "ticks.csv"] {
        let first_line = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes)
                .lines()
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            first_line(&hant[csv]),
            first_line(&english[csv]),
            "{csv} headers stay English"
        );
    }
    let hans = read("lang=zh-Hans");
    assert!(String::from_utf8_lossy(&hans["README.txt"]).contains("年度回顾"));
}
