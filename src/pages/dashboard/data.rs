//! What the dashboard shows: the window and site asked for, and everything read for them.

use actix_web::HttpRequest;

use crate::calendar::Window;
use crate::cycles::CycleSummary;
use crate::error::{Error, Result};
use crate::http::extract::Params;
use crate::money::Currency;
use crate::pages::layout::{self};
use crate::ranking::GroupedRanking;
use crate::ranking::Ranking;
use crate::sites::{Scope, Site};
use crate::store::Store;

/// The windows offered as one-click choices, in days.
pub(super) const QUICK_DAYS: [i64; 4] = [7, 30, 90, 365];

/// How the window was chosen, for the words around it.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// The last N days (the configured default when nothing was asked for).
    Days(i64),
    /// Explicit `from` and `to`.
    Custom,
    /// An improvement cycle, by id and name.
    Cycle(i64, String),
}

pub(super) struct Data {
    pub(super) alerts: Vec<crate::alerts::Episode>,
    pub(super) ranking: Ranking,
    pub(super) cycles: Vec<CycleSummary>,
    pub(super) currency: Currency,
    pub(super) organization: String,
    pub(super) default_days: i64,
    /// Every site, active ones first (empty without sites).
    pub(super) sites: Vec<Site>,
    /// The caller's token is bound to a site: no picker, no comparison.
    pub(super) bound: bool,
    /// The site shown, or every site.
    pub(super) scope: Scope,
    /// Each site's own ranking, when every site is shown to a caller who may see them all.
    pub(super) compare: Option<GroupedRanking>,
    pub(super) volume_unit: String,
    /// The local day before today, at the site shown: the volume form's default day.
    pub(super) yesterday: String,
    pub(super) today: String,
    /// Active horrors (key, name) in catalogue order: the paper sheet's rows.
    pub(super) horrors: Vec<(String, String)>,
    pub(super) departments: Vec<String>,
}

pub(super) async fn choose(req: &HttpRequest, store: &Store) -> Result<(Choice, Window)> {
    let params = Params::parse(req, &["lang"], true)?;
    let window = params.window(store).await?;
    let choice = if let Some(id) = params.get("cycle") {
        let id: i64 = id.parse().unwrap_or_default();
        let name = store
            .call(move |s| s.cycle(id))
            .await?
            .map(|row| row.name)
            .unwrap_or_default();
        Choice::Cycle(id, name)
    } else if params.get("from").is_some() {
        Choice::Custom
    } else {
        Choice::Days(window.days())
    };
    Ok((choice, window))
}

/// The site the dashboard shows: `site=` (empty or a bad one falls back to every site the
/// caller may see), or a site-bound token's own.
pub(super) fn site_scope(
    req: &HttpRequest,
    store: &Store,
    session: &crate::pages::session::Session,
) -> Result<Scope> {
    let asked = layout::query_value(req, "site").filter(|site| !site.is_empty());
    let settings = &store.snapshot()?.settings;
    crate::http::extract::scope(asked.as_deref(), &session.identity, settings)
        .or_else(|_| crate::http::extract::scope(None, &session.identity, settings))
}

pub(super) fn default_window(store: &Store) -> Result<(Choice, Window)> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let today = crate::calendar::local_day(store.now(), settings.tz());
    let window =
        Window::ending(today, settings.window_days).map_err(|e| Error::internal(e.to_string()))?;
    Ok((Choice::Days(settings.window_days), window))
}

/// `from=…&to=…` for the charts and exports: pinned dates, the same on every link, and
/// `&site=…` when one site is shown.
pub(super) fn window_query(window: &Window, scope: &Scope) -> String {
    let mut pairs = vec![
        ("from", window.from().to_string()),
        ("to", window.to().to_string()),
    ];
    pairs.extend(scope.site.as_ref().map(|site| ("site", site.to_string())));
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// `&site=…` when one site is shown, for the window picker's links.
pub(super) fn site_suffix(scope: &Scope) -> String {
    scope
        .site
        .as_ref()
        .map(|site| {
            format!(
                "&{}",
                serde_urlencoded::to_string([("site", site)]).unwrap_or_default()
            )
        })
        .unwrap_or_default()
}

/// The query parameters that chose the window, so that switching site keeps it.
pub(super) fn window_params(choice: &Choice, window: &Window) -> Vec<(&'static str, String)> {
    match choice {
        Choice::Days(days) => vec![("days", days.to_string())],
        Choice::Custom => vec![
            ("from", window.from().to_string()),
            ("to", window.to().to_string()),
        ],
        Choice::Cycle(id, _) => vec![("cycle", id.to_string())],
    }
}

/// The name of the site shown, if one is.
pub(super) fn site_name(data: &Data) -> Option<&str> {
    let key = data.scope.site.as_deref()?;
    Some(
        data.sites
            .iter()
            .find(|s| s.key == key)
            .map_or(key, |s| s.name.as_str()),
    )
}
