//! `horrors volume`: units handled per day and site.

use std::path::{Path, PathBuf};

use super::open_configured;
use crate::error::{Error, Result};
use crate::store::Location;

/// `horrors volume import`: units handled per day and site from CSV, all or nothing.
pub(super) fn import(config_path: &Path, db: &Location, csv: PathBuf) -> Result<()> {
    let bytes = std::fs::read(&csv)
        .map_err(|e| Error::usage(format!("{}: cannot read: {e}", csv.display())))?;
    let inputs = crate::volume::read_csv(&bytes)
        .map_err(|e| Error::usage(format!("{}: {e}; nothing imported", csv.display())))?;
    if inputs.is_empty() {
        return Err(Error::usage(format!(
            "{}: the file has the header day,site,units but no rows; nothing imported",
            csv.display()
        )));
    }
    let store = open_configured(config_path, db)?;
    let settings = store.snapshot()?.settings.clone();
    // A day may be today wherever any site already is.
    let today = settings.latest_today(store.now());
    let (lines, inputs): (Vec<u64>, Vec<_>) = inputs.into_iter().unzip();
    let entries = crate::volume::validate_up_to(&inputs, &settings, None, today, usize::MAX)
        .map_err(|e| {
            let line = match &e {
                Error::Invalid { details, .. } => details
                    .first()
                    .and_then(|d| d.index)
                    .and_then(|i| lines.get(i))
                    .map(|line| format!("line {line}: "))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            let message = match &e {
                Error::Invalid { details, .. } if !details.is_empty() => details[0].message.clone(),
                other => other.to_string(),
            };
            Error::usage(format!(
                "{}: {line}{message}; nothing imported",
                csv.display()
            ))
        })?;
    let count = entries.len();
    store.set_volume(entries)?;
    say!("imported {count} volume entries from {}", csv.display());
    Ok(())
}
