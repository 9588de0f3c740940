//! Exports: CSV rows equal the ticks, formula cells neutralised, the annual ZIP's files parse,
//! and a year boundary in a timezone far from UTC.

use std::io::{Cursor, Read};

use serde_json::json;

use crate::helpers::{TestApp, CONFIG};

fn download(app: &TestApp, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let (status, headers, bytes) = app.download(path, &app.viewer, &[]);
    let content_type = headers
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value);
    (status, content_type, bytes)
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "CSV must start with a UTF-8 BOM"
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn ticks_csv_rows_equal_the_ticks_and_neutralise_formulas() {
    let app = TestApp::spawn();
    let notes = [
        "=HYPERLINK(\"http://evil\")",
        "+1",
        "-2",
        "@SUM(A1)",
        "plain, with \"quotes\"\nand a newline",
        "配送",
    ];
    for (i, note) in notes.iter().enumerate() {
        let reply = app.tick(json!({"horror": "wrong-address", "occurred_at": format!("2026-05-0{}T15:00:00Z", i + 1), "note": note, "source": "complaint"}));
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let voided = app
        .tick(json!({"horror": "damaged", "occurred_at": "2026-05-02T15:00:00Z"}))
        .body["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.post(
            &format!("/api/ticks/{voided}/void"),
            &app.staff,
            &json!({"reason": "oops"})
        )
        .status,
        200
    );

    let (status, content_type, bytes) =
        download(&app, "/api/export/ticks.csv?from=2026-05-01&to=2026-05-31");
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("text/csv; charset=utf-8"));
    let rows = csv_rows(&bytes);
    assert_eq!(rows[0][..4], ["id", "day", "occurred_at", "horror"]);
    assert_eq!(
        rows.len(),
        1 + notes.len(),
        "header + one row per non-voided tick"
    );
    let note_col = rows[0].iter().position(|c| c == "note").unwrap();
    let got: Vec<&str> = rows[1..].iter().map(|r| r[note_col].as_str()).collect();
    assert_eq!(
        got,
        [
            "'=HYPERLINK(\"http://evil\")",
            "'+1",
            "'-2",
            "'@SUM(A1)",
            "plain, with \"quotes\"\nand a newline",
            "配送"
        ]
    );
    let name_col = rows[0].iter().position(|c| c == "horror_name").unwrap();
    assert_eq!(rows[1][name_col], "配送先の誤り");
    assert_eq!(
        rows[1][rows[0].iter().position(|c| c == "cost").unwrap()],
        "25.50"
    );

    let (_, _, bytes) = download(
        &app,
        "/api/export/ticks.csv?from=2026-05-01&to=2026-05-31&include_voided=true",
    );
    assert_eq!(csv_rows(&bytes).len(), 2 + notes.len());

    let (status, _, bytes) = download(
        &app,
        "/api/export/ranking.csv?from=2026-05-01&to=2026-05-31&by=count",
    );
    assert_eq!(status, 200);
    let rows = csv_rows(&bytes);
    assert_eq!(rows.len(), 6, "header + five active horrors");
    assert_eq!(
        (
            rows[1][1].as_str(),
            rows[1][4].as_str(),
            rows[1][5].as_str()
        ),
        ("wrong-address", "6", "6")
    );

    let (status, _, bytes) = download(&app, "/api/export/ticks.csv?days=0");
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&bytes));
}

const KIRITIMATI: &str = "Pacific/Kiritimati";

#[test]
fn annual_zip_holds_every_file_and_respects_the_year_boundary_far_from_utc() {
    // UTC+14: 2025-12-31T10:00:00Z is already 2026-01-01 locally.
    let app = TestApp::spawn_with(&CONFIG.replace("America/Chicago", KIRITIMATI));
    let ticks = [
        ("2024-12-31T09:59:59Z", "late-delivery"), // 2024-12-31 local: previous year
        ("2024-12-31T10:00:00Z", "late-delivery"), // 2025-01-01 local: first instant of 2025
        ("2025-07-01T00:00:00Z", "lost-package"),
        ("2025-12-31T09:59:59Z", "damaged"), // 2025-12-31 23:59:59 local
        ("2025-12-31T10:00:00Z", "damaged"), // 2026-01-01 local: not in 2025
    ];
    let mut ids = Vec::new();
    for (at, horror) in ticks {
        let reply = app.tick(json!({"horror": horror, "occurred_at": at, "department": "Drivers"}));
        assert_eq!(reply.status, 201, "{}", reply.text);
        ids.push(reply.body["id"].as_i64().unwrap());
    }
    assert_eq!(
        app.post(
            "/api/cycles",
            &app.admin,
            &json!({"name": "H2", "start": "2025-07-01", "days": 90, "focus": ["lost-package"]})
        )
        .status,
        201
    );

    let (status, content_type, bytes) = download(&app, "/api/export/annual.zip?year=2025");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(content_type.as_deref(), Some("application/zip"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    for expected in [
        "README.txt",
        "ranking.csv",
        "ranking-by-month.csv",
        "ticks.csv",
        "cycles.csv",
        "review.xlsx",
        "review.html",
        "ranking-2024.csv",
    ] {
        assert!(
            names.contains(&expected.to_string()),
            "{expected} missing from {names:?}"
        );
    }
    let mut read = |name: &str| {
        let mut bytes = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut bytes).unwrap();
        bytes
    };
    let rows = csv_rows(&read("ticks.csv"));
    let got: Vec<i64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(got, ids[1..4].to_vec(), "exactly the ticks of local 2025");
    assert_eq!(rows[1][1], "2025-01-01");
    assert_eq!(rows[3][1], "2025-12-31");

    let ranking = csv_rows(&read("ranking.csv"));
    let total: u64 = ranking[1..]
        .iter()
        .map(|r| r[4].parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 3);
    let by_month = csv_rows(&read("ranking-by-month.csv"));
    let january: u64 = by_month[1..]
        .iter()
        .filter(|r| r[0] == "2025-01")
        .map(|r| r[5].parse::<u64>().unwrap())
        .sum();
    assert_eq!(january, 1);
    let cycles = csv_rows(&read("cycles.csv"));
    assert_eq!(
        (cycles[1][1].as_str(), cycles[1][6].as_str()),
        ("H2", "lost-package")
    );
    let previous = csv_rows(&read("ranking-2024.csv"));
    assert_eq!(
        previous[1..]
            .iter()
            .map(|r| r[4].parse::<u64>().unwrap())
            .sum::<u64>(),
        1
    );

    let readme = String::from_utf8(read("README.txt")).unwrap();
    assert!(
        readme.contains(KIRITIMATI) && readme.contains("2025-01-01 to 2025-12-31"),
        "{readme}"
    );

    let html = String::from_utf8(read("review.html")).unwrap();
    assert!(html.contains("Annual review 2025") && html.contains("Lost package"));
    for external in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "<script src",
        "<link ",
    ] {
        assert!(
            !html.contains(external),
            "review.html must be self-contained: found {external}"
        );
    }

    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(read("review.xlsx"))).unwrap();
    use calamine::Reader;
    assert_eq!(
        workbook.sheet_names(),
        ["Ranking", "By month", "Cycles", "Ticks", "Year over year"]
    );
    let ticks_sheet = workbook.worksheet_range("Ticks").unwrap();
    assert_eq!(ticks_sheet.height(), 4, "header + 3 ticks");
    let ranking_sheet = workbook.worksheet_range("Ranking").unwrap();
    let cost = ranking_sheet
        .rows()
        .skip(1)
        .find(|r| r[1] == "lost-package")
        .unwrap()[6]
        .clone();
    assert_eq!(
        cost,
        calamine::Data::Float(120.0),
        "money is a number in the workbook"
    );
}

#[test]
fn bad_years_are_refused() {
    let app = TestApp::spawn();
    for year in ["abc", "1969", "10000", "", "2026.5"] {
        let (status, _, bytes) = download(&app, &format!("/api/export/annual.zip?year={year}"));
        assert_eq!(
            status,
            422,
            "year={year}: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
    let (status, _, _) = download(&app, "/api/export/annual.zip?year=2026&colour=red");
    assert_eq!(status, 422);
}

/// The font files in `@font-face` data URLs.
fn embedded_fonts(html: &str) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    html.split("url(data:font/ttf;base64,")
        .skip(1)
        .map(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(&s[..s.find(')').unwrap()])
                .unwrap()
        })
        .collect()
}

#[test]
fn review_html_carries_the_glyphs_of_every_name() {
    // On a machine without CJK or emoji fonts these names were empty boxes.
    let names = [
        ("late-delivery", "迟到的快递"),
        ("lost-package", "丢失包裹"),
        ("damaged", "Damaged package 📦"),
        ("wrong-address", "配送先の誤り"),
    ];
    let config = CONFIG
        .replace("\"Late delivery\"", "\"迟到的快递\"")
        .replace("\"Lost package\"", "\"丢失包裹\"");
    let app = TestApp::spawn_with(&config);
    for (i, (horror, _)) in names.iter().enumerate() {
        let at = format!("2025-0{}-10T12:00:00Z", i + 3);
        let reply = app.tick(json!({"horror": horror, "occurred_at": at, "qty": i + 1}));
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let (status, _, bytes) = download(&app, "/api/export/annual.zip?year=2025");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut html = String::new();
    zip.by_name("review.html")
        .unwrap()
        .read_to_string(&mut html)
        .unwrap();
    eprintln!("review.html: {} bytes", html.len());
    assert!(
        html.len() < 1_500_000,
        "review.html is {} bytes",
        html.len()
    );

    let fonts = embedded_fonts(&html);
    assert!(!fonts.is_empty(), "review.html embeds no font");
    let fonts: Vec<ab_glyph::FontRef> = fonts
        .iter()
        .map(|data| ab_glyph::FontRef::try_from_slice(data).unwrap())
        .collect();
    for (_, name) in names {
        assert!(html.contains(name), "review.html lacks {name:?}");
        for c in name.chars().filter(|c| !c.is_whitespace()) {
            let drawn = fonts.iter().any(|font| {
                let id = ab_glyph::Font::glyph_id(font, c);
                id.0 != 0 && ab_glyph::Font::outline(font, id).is_some()
            });
            assert!(drawn, "no embedded glyph for {c:?} of {name:?}");
        }
    }
    let family = html.find("body { font-family: \"Embedded DejaVu Sans\"");
    assert!(
        family.is_some(),
        "the body text does not use the embedded fonts"
    );

    // The inline charts draw their glyphs themselves, and their ids do not collide.
    assert!(html.contains("<use href=\"#"));
    let ids: Vec<&str> = html
        .split("<path id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert!(
        !ids.is_empty() && ids.len() == unique.len(),
        "glyph ids collide"
    );
}
