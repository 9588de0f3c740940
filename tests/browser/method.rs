//! The method on the pages (SPEC §22): the tally opened from a check sheet's QR code, the
//! nominations page (step 1), and a paper sheet entered on the dashboard (step 2). They
//! run on the main (demo) server.

use serde_json::Value;

use crate::cdp::{q, DESKTOP, PHONE};
use crate::{button, login, Suite};

/// `/tally?horror=KEY` (what a check sheet's QR code opens): that horror first, chosen and
/// focused; nothing recorded until a tap.
pub fn tally_preselects(s: &mut Suite) {
    let horrors = s.horrors(&s.staff);
    let key = horrors[2]["key"].as_str().unwrap().to_string();
    let name = horrors[2]["name"].as_str().unwrap().to_string();
    let before = s.ticks_by("Tally phone", &key).len();
    // A phone of its own: earlier tests log the shared one out.
    let page = &s.browser.page(PHONE);
    login(
        page,
        s.origin(),
        &s.staff,
        Some(&format!("/tally?horror={key}")),
    );
    assert_eq!(page.path(), "/tally");
    page.wait_for(&format!("{} !== null", button(&key)));
    let first = page.eval_str("document.querySelector('button.horror').dataset.key");
    assert_eq!(first, key);
    assert!(page.eval_bool(&format!("{}.classList.contains('chosen')", button(&key))));
    assert_eq!(
        page.attr(&button(&key), "aria-current").as_deref(),
        Some("true")
    );
    page.wait_for(&format!("document.activeElement === {}", button(&key)));
    let lead = page.text(&q("#chosen-lead"));
    assert!(lead.contains(&name), "{lead}");
    s.shot(page, "tally-chosen-phone.png");
    assert_eq!(
        s.ticks_by("Tally phone", &key).len(),
        before,
        "opening records nothing"
    );
    // One tap on it records one tick of that horror.
    page.tap(&button(&key));
    page.wait_for(&format!("{}.classList.contains('saved')", button(&key)));
    assert_eq!(s.ticks_by("Tally phone", &key).len(), before + 1);
}

fn card(title: &str) -> String {
    format!(
        "[...document.querySelectorAll('li.nomination')].find(li => li.querySelector('h3').textContent === {})",
        crate::cdp::js(title)
    )
}

/// The nominations page: propose, support (the list reorders by support), adopt.
pub fn nominations(s: &mut Suite) {
    let page = s.browser.page(DESKTOP);
    login(&page, s.origin(), &s.admin, Some("/nominations"));
    assert_eq!(page.path(), "/nominations");
    assert!(page.is_visible(&q(r#"nav a[href="/nominations"][aria-current="page"]"#)));
    for title in ["Cold food at the table", "Order taken wrong"] {
        page.fill(&q("#nomination-title"), title);
        page.fill(
            &q("#nomination-example"),
            "A customer phoned twice about it.",
        );
        page.click(&q("#propose button[type=\"submit\"]"));
        page.wait_for(&format!("{} !== undefined", card(title)));
    }
    // Supporting the second puts it above the first.
    let support = format!(
        "{}.querySelector('form.support button')",
        card("Order taken wrong")
    );
    page.click(&support);
    page.wait_for(&format!(
        "{}.querySelector('.supported') !== null",
        card("Order taken wrong")
    ));
    let titles: Vec<String> = serde_json::from_value(
        page.eval("[...document.querySelectorAll('li.nomination h3')].map(h => h.textContent)"),
    )
    .unwrap();
    let (second, first) = (
        titles
            .iter()
            .position(|t| t == "Order taken wrong")
            .unwrap(),
        titles
            .iter()
            .position(|t| t == "Cold food at the table")
            .unwrap(),
    );
    assert!(second < first, "{titles:?}");
    let listed = s
        .server
        .api(&s.viewer, "GET", "/api/nominations", None)
        .body;
    let order: Vec<&Value> = listed["nominations"].as_array().unwrap().iter().collect();
    let supported = order
        .iter()
        .find(|n| n["title"] == "Order taken wrong")
        .unwrap();
    assert_eq!(supported["support"], 1);
    let shown = page.text(&format!(
        "{}.querySelector('.support')",
        card("Order taken wrong")
    ));
    assert_eq!(shown, "1 supporter");
    // Declining needs a reason; then the nomination says why.
    let decline = card("Cold food at the table");
    page.click(&format!(
        "{decline}.querySelectorAll('details.decide summary')[1]"
    ));
    page.fill(
        &format!("{decline}.querySelector('form.decline input[name=\"reason\"]')"),
        "Not ours: the kitchen is outsourced",
    );
    page.click(&format!("{decline}.querySelector('form.decline button')"));
    page.wait_for(&format!(
        "{}.dataset.state === 'declined'",
        card("Cold food at the table")
    ));
    let fate = page.text(&format!(
        "{}.querySelector('.fate')",
        card("Cold food at the table")
    ));
    assert_eq!(fate, "Declined: Not ours: the kitchen is outsourced");
    s.shot_full(&page, "nominations-desktop.png");
}

fn count_of(s: &Suite, key: &str) -> i64 {
    let ranking = s
        .server
        .api(
            &s.viewer,
            "GET",
            "/api/ranking?days=7&site=chicago-hub",
            None,
        )
        .body;
    ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .map_or(0, |i| i["count"].as_i64().unwrap())
}

/// A paper sheet entered on the dashboard: the ranking counts it.
pub fn sheet_form(s: &mut Suite) {
    let page = s.browser.page(DESKTOP);
    login(
        &page,
        s.origin(),
        &s.viewer,
        Some("/dashboard?days=7&site=chicago-hub"),
    );
    let horrors = s.horrors(&s.viewer);
    let (a, b) = (
        horrors[0]["key"].as_str().unwrap().to_string(),
        horrors[1]["key"].as_str().unwrap().to_string(),
    );
    let (before_a, before_b) = (count_of(s, &a), count_of(s, &b));
    assert!(page.is_visible(&q("#sheet-form")));
    assert_eq!(page.value(&q("#sheet-site")), "chicago-hub");
    let href = page.attr(&q("#print-sheet"), "href").unwrap();
    assert_eq!(href, "/sheets/check-sheet.pdf?lang=en&site=chicago-hub");
    // Seven columns (the window), one row per horror.
    assert_eq!(page.count("#sheet-form thead th"), 8);
    assert_eq!(page.count("#sheet-form tbody tr"), horrors.len());
    let days: Vec<String> = serde_json::from_value(page.eval(
        "[...document.querySelectorAll('#sheet-form thead time')].map(t => t.getAttribute('datetime'))",
    ))
    .unwrap();
    let input = |key: &str, day: &str| {
        q(&format!(
            r#"input.count[data-key="{key}"][data-day="{day}"]"#
        ))
    };
    page.fill(&input(&a, &days[4]), "3");
    page.fill(&input(&a, &days[5]), "2");
    page.fill(&input(&b, &days[5]), "4");
    page.eval("document.getElementById('sheet-entry').scrollIntoView()");
    s.shot(&page, "dashboard-sheet-form-desktop.png");
    page.click(&q("#sheet-form button[type=\"submit\"]"));
    page.wait_for(&format!("{}.textContent !== ''", q("#sheet-status")));
    assert_eq!(
        page.text(&q("#sheet-status")),
        "Saved: 9 occurrences from the sheet."
    );
    assert_eq!(page.value(&input(&a, &days[4])), "", "the form is emptied");
    assert_eq!(count_of(s, &a), before_a + 5);
    assert_eq!(count_of(s, &b), before_b + 4);
    // A refused sheet says why and records nothing.
    page.fill(&input(&a, &days[6]), "-2");
    page.click(&q("#sheet-form button[type=\"submit\"]"));
    page.wait_for(&format!("{}.textContent !== ''", q("#sheet-error")));
    let error = page.text(&q("#sheet-error"));
    assert!(error.contains("nothing was recorded"), "{error}");
    assert_eq!(count_of(s, &a), before_a + 5);
    // The dashboard's ranking shows the new count after a reload.
    page.reload();
    let shown: Vec<String> = serde_json::from_value(page.eval(&format!(
        "[...document.querySelectorAll('#ranking tbody tr')].filter(r => r.querySelector('a, th, td') && r.innerHTML.includes({})).map(r => r.querySelectorAll('th, td')[3].textContent)",
        crate::cdp::js(horrors[0]["name"].as_str().unwrap())
    )))
    .unwrap();
    assert_eq!(shown, vec![(before_a + 5).to_string()]);
}
