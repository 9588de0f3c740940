//! A scope's daily series read from the store once (day tallies, volume and first day),
//! for the readings that test it: the ranking's comparison, control charts and alerts.

use chrono::NaiveDate;

use crate::calendar::Window;
use crate::config::Settings;
use crate::error::Result;
use crate::reading::{ExposureRule, Series};
use crate::sites::Scope;
use crate::store::Store;
use crate::volume::{self, Coverage};

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
    let exposure = ScopeExposure::read(store, settings, scope, &span)?;
    Ok(Series::new(span, &days, &exposure.rule(), compared))
}

/// What decides a scope's exposure over a span, read from the store: its volume, the sites
/// whose every day must be covered, and its first day.
pub struct ScopeExposure {
    pub coverage: Coverage,
    pub required: Vec<String>,
    pub first_day: Option<NaiveDate>,
}

impl ScopeExposure {
    pub fn read(
        store: &Store,
        settings: &Settings,
        scope: &Scope,
        span: &Window,
    ) -> Result<ScopeExposure> {
        Ok(ScopeExposure {
            coverage: store.volume(span, scope)?,
            required: volume::required_sites(settings, scope),
            first_day: store.first_day(scope.stored())?,
        })
    }

    /// The rule over every site in the scope.
    pub fn rule(&self) -> ExposureRule<'_> {
        ExposureRule {
            coverage: &self.coverage,
            required: &self.required,
            site: None,
            first_day: self.first_day,
        }
    }
}
