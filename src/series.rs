//! A scope's daily series read from the store once (day tallies, volume and first day),
//! for the readings that test it: the ranking's comparison, control charts and alerts.

use crate::calendar::Window;
use crate::config::Settings;
use crate::error::Result;
use crate::reading::{ExposureRule, Series};
use crate::sites::Scope;
use crate::store::Store;
use crate::volume;

/// One scope's daily series over `span`: its day tallies, volume and first day read once,
/// with the exposure the `compared` periods decide.
pub fn of_scope(
    store: &Store,
    settings: &Settings,
    scope: &Scope,
    span: Window,
    compared: &[Window],
) -> Result<Series> {
    let days = store
        .grouped_days(&span, scope, None)?
        .into_values()
        .next()
        .unwrap_or_default();
    let coverage = store.volume(&span, scope)?;
    let required = volume::required_sites(settings, scope);
    let rule = ExposureRule {
        coverage: &coverage,
        required: &required,
        site: None,
        first_day: store.first_day(scope.stored())?,
    };
    Ok(Series::new(span, &days, &rule, compared))
}
