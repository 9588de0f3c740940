//! Charts over HTTP: every chart in both formats decodes, has the asked size and shows the
//! names (CJK and emoji included); bad options are 4xx JSON; empty windows still draw.

use serde_json::json;

use crate::helpers::TestApp;

fn fetch(
    app: &TestApp,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    app.download(path, token, headers)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Decodes a PNG and returns (width, height, number of distinct colours).
fn decode_png(bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let pixels = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let colours: std::collections::HashSet<&[u8]> = pixels.chunks(step).collect();
    (info.width, info.height, colours.len())
}

#[test]
fn every_chart_renders_in_both_formats_with_names_and_sizes() {
    let app = TestApp::spawn();
    for (horror, qty) in [("late-delivery", 5), ("wrong-address", 3), ("damaged", 2)] {
        assert_eq!(
            app.tick(json!({"horror": horror, "qty": qty, "occurred_at": "2026-10-10T15:00:00Z"}))
                .status,
            201
        );
    }
    let window = "from=2026-10-01&to=2026-10-30";
    for name in ["pareto", "cost", "trend", "compare", "matrix"] {
        let (status, headers, svg) = fetch(
            &app,
            &format!("/charts/{name}.svg?{window}"),
            &app.viewer,
            &[],
        );
        assert_eq!(status, 200, "{name}.svg: {}", String::from_utf8_lossy(&svg));
        assert_eq!(header(&headers, "content-type"), Some("image/svg+xml"));
        let text = String::from_utf8(svg).unwrap();
        assert!(
            text.contains("<svg") && text.contains("width=\"960\""),
            "{name}"
        );
        assert!(
            text.contains("配送先の誤り"),
            "{name}.svg must carry the CJK name as text"
        );
        assert!(
            text.contains("Example Freight"),
            "{name}.svg must name the organization"
        );
        let etag = header(&headers, "etag").unwrap().to_string();
        let (status, _, _) = fetch(
            &app,
            &format!("/charts/{name}.svg?{window}"),
            &app.viewer,
            &[("If-None-Match", &etag)],
        );
        assert_eq!(status, 304, "{name}: a matching ETag is not modified");

        let (status, headers, png) = fetch(
            &app,
            &format!("/charts/{name}.png?{window}&width=640&height=400"),
            &app.viewer,
            &[],
        );
        assert_eq!(status, 200, "{name}.png");
        assert_eq!(header(&headers, "content-type"), Some("image/png"));
        let (width, height, colours) = decode_png(&png);
        assert_eq!((width, height), (640, 400), "{name}.png size");
        assert!(colours > 20, "{name}.png looks blank: {colours} colours");
    }
    let (_, _, pareto) = fetch(
        &app,
        &format!("/charts/pareto.svg?{window}"),
        &app.viewer,
        &[],
    );
    let pareto = String::from_utf8(pareto).unwrap();
    assert!(
        pareto.contains("2026-10-01") && pareto.contains("80 %"),
        "pareto names its window and the 80 % line"
    );
    let (_, _, cost) = fetch(
        &app,
        &format!("/charts/cost.svg?{window}"),
        &app.viewer,
        &[],
    );
    assert!(
        String::from_utf8(cost).unwrap().contains("USD 175.00"),
        "5 late deliveries × 35.00"
    );
}

#[test]
fn empty_windows_draw_a_chart_that_says_so() {
    let app = TestApp::spawn();
    for name in ["pareto", "cost", "trend", "compare", "matrix"] {
        let (status, _, svg) = fetch(
            &app,
            &format!("/charts/{name}.svg?from=2020-01-01&to=2020-01-31"),
            &app.viewer,
            &[],
        );
        assert_eq!(status, 200);
        assert!(
            String::from_utf8(svg)
                .unwrap()
                .contains("no ticks in this window"),
            "{name}"
        );
        let (status, _, png) = fetch(
            &app,
            &format!("/charts/{name}.png?from=2020-01-01&to=2020-01-31&width=300&height=300"),
            &app.viewer,
            &[],
        );
        assert_eq!(status, 200);
        assert_eq!(decode_png(&png).0, 300);
    }
}

#[test]
fn bad_chart_options_are_4xx_json() {
    let app = TestApp::spawn();
    let cases = [
        ("/charts/pie.svg", 404, "not_found"),
        ("/charts/pareto.gif", 404, "not_found"),
        ("/charts/pareto", 404, "not_found"),
        ("/charts/pareto.svg?width=299", 422, "invalid_parameter"),
        ("/charts/pareto.svg?height=3001", 422, "invalid_parameter"),
        ("/charts/pareto.svg?width=abc", 422, "invalid_parameter"),
        ("/charts/pareto.svg?days=0", 422, "invalid_window"),
        (
            "/charts/pareto.svg?from=2026-02-30&to=2026-03-01",
            422,
            "invalid_window",
        ),
        ("/charts/trend.svg?bucket=year", 422, "invalid_parameter"),
        (
            "/charts/compare.svg?a_from=2026-01-01",
            422,
            "invalid_window",
        ),
        ("/charts/pareto.svg?colour=red", 422, "unknown_parameter"),
    ];
    for (path, status, code) in cases {
        app.get(path, &app.viewer).assert_error(status, code);
    }
    app.get("/charts/pareto.svg", &app.staff)
        .assert_error(403, "forbidden");
    app.call("GET", "/charts/pareto.svg", None, None, None, &[])
        .assert_error(401, "unauthorized");
    let (status, _, _) = fetch(
        &app,
        "/charts/compare.svg?a_from=2026-01-01&a_to=2026-01-31&b_from=2026-02-01&b_to=2026-02-28",
        &app.viewer,
        &[],
    );
    assert_eq!(status, 200);
}
