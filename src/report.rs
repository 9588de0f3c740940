//! Reports computed from the store: the ranking and the trend of a window. Computed once
//! here and used by the API, the CLI, the charts and the exports.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::calendar::{local_day, Bucket, Window};
use crate::error::{Error, Result};
use crate::ranking::{self, By, Ranking, RankingInput};
use crate::store::Store;
use crate::trend::{self, Trend};

/// Today in the organization's timezone.
pub fn today(store: &Store, now: DateTime<Utc>) -> Result<chrono::NaiveDate> {
    Ok(local_day(now, store.snapshot()?.settings.tz()))
}

/// The ranking of `window` (with its previous window for `change_pct`).
pub fn ranking(store: &Store, window: &Window, by: By, focus: &HashSet<String>) -> Result<Ranking> {
    let snapshot = store.snapshot()?;
    let settings = &snapshot.settings;
    let current = store.tallies_blocking(window)?;
    let previous = store.tallies_blocking(&window.previous())?;
    Ok(ranking::rank(&RankingInput {
        horrors: &snapshot.horrors,
        current: &current,
        previous: &previous,
        focus,
        weights: settings.weights(),
        currency: settings.currency(),
        window: window.echo(settings.tz()),
        by,
    }))
}

/// The zero-filled trend of `window`, for every horror or just `horror`.
pub fn trend(store: &Store, window: &Window, bucket: Bucket, horror: Option<&str>) -> Result<Trend> {
    let snapshot = store.snapshot()?;
    let horrors: Vec<_> = match horror {
        None => snapshot.horrors.clone(),
        Some(key) => {
            let found = snapshot.horror(key).ok_or_else(|| Error::invalid("unknown_horror", format!("no horror with key {key:?}")))?;
            // Asked for by name, a retired horror still gets its (possibly empty) series.
            vec![crate::catalogue::Horror { retired: false, ..found.clone() }]
        }
    };
    let days = store.day_tallies_blocking(window)?;
    Ok(trend::build(&horrors, &days, window, window.echo(snapshot.settings.tz()), bucket))
}
