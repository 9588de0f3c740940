//! The cycles' reports: a cycle with its ranking and each focus horror's result, and the
//! list of cycles.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::ranking;
use crate::calendar::local_day;
use crate::error::{Error, Result};
use crate::ranking::By;
use crate::reading;
use crate::sites::Scope;
use crate::store::Store;

/// A cycle with its ranking and the before/during result of each focus horror, within
/// `scope`.
pub fn cycle_detail(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
    scope: &Scope,
) -> Result<crate::cycles::CycleDetail> {
    use crate::cycles;
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let row = store
        .cycle(id)?
        .ok_or_else(|| Error::NotFound(format!("no cycle with id {id}")))?;
    let window = cycles::window(&row);
    let today = local_day(now, settings.tz());
    let ranking = ranking(store, &window, By::Priority, scope)?;
    let during = store.tallies(&window, scope)?;
    let reference = cycles::reference(&window, settings.signals.cycles_baseline_days);
    let before = store.tallies(&reference, scope)?;
    let last_complete = reading::last_complete_day(settings, scope, now);
    let days_over = reading::tested(&window, last_complete);
    let over = match &days_over {
        Some(w) => store.tallies(w, scope)?,
        None => Default::default(),
    };
    // Daily counts of both periods and the dispersion sample before them.
    let mut compared = vec![reference];
    compared.extend(days_over);
    let span = reading::span_with_sample(&[reference, window]);
    let series = crate::series::of_scope(store, settings, scope, span, &compared)?;
    let results = row
        .focus
        .iter()
        .map(|key| {
            let name = snapshot.horror(key).map(|h| h.name.as_str()).unwrap_or(key);
            let tally =
                |m: &BTreeMap<String, ranking::Tally>| m.get(key).copied().unwrap_or_default();
            let k = Some(key.as_str());
            let observed = cycles::Observed {
                before: tally(&before),
                e_before: series.sum(k, &reference).1,
                during: tally(&during),
                over: tally(&over),
                e_over: days_over.map_or(0.0, |w| series.sum(k, &w).1),
                days_over: days_over.map_or(0, |w| w.days()),
                phi: days_over.map_or(1.0, |w| series.dispersion(k, &w, Some(&reference))),
                exposure: series.kind(),
                is_final: last_complete >= window.to(),
            };
            cycles::result(
                key,
                name,
                &observed,
                &reference,
                &window,
                today,
                settings.tz(),
                settings.currency(),
            )
        })
        .collect();
    Ok(cycles::CycleDetail {
        cycle: cycles::summary(&row, settings.tz(), today),
        results,
        ranking,
    })
}

/// Every cycle, newest first.
pub fn cycle_list(store: &Store, now: DateTime<Utc>) -> Result<Vec<crate::cycles::CycleSummary>> {
    let settings = store.snapshot()?.settings.clone();
    let today = local_day(now, settings.tz());
    Ok(store
        .cycles()?
        .iter()
        .map(|row| crate::cycles::summary(row, settings.tz(), today))
        .collect())
}
