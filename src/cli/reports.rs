//! Commands that read: the ranking, the charts, the exports and the catalogue as a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{io, open_configured, stdout_done, WindowArgs};
use crate::config;
use crate::error::{Error, Result};
use crate::output::write_atomically;
use crate::ranking::{By, Ranking};
use crate::report;
use crate::store::Location;

/// `horrors rank`: the ranking of a window as a table or JSON.
pub(super) fn rank(
    config_path: &Path,
    db: &Location,
    window: WindowArgs,
    by: String,
    json: bool,
) -> Result<()> {
    let store = open_configured(config_path, db)?;
    let by = By::parse(&by).map_err(|e| Error::usage(e.to_string()))?;
    let window = window.window(&store)?;
    let ranking = report::ranking(&store, &window, by, &crate::sites::Scope::ALL)?;
    let mut out = std::io::stdout().lock();
    let written = if json {
        serde_json::to_writer_pretty(&mut out, &ranking)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_table(&mut out, &ranking)
    };
    stdout_done(written)
}

/// `horrors charts`: every chart of a window written as files.
pub(super) fn charts(
    config_path: &Path,
    db: &Location,
    out: PathBuf,
    window: WindowArgs,
) -> Result<()> {
    let store = open_configured(config_path, db)?;
    let window = window.window(&store)?;
    let today = crate::report::today(&store, store.now())?;
    let charts = crate::export::charts_for(&store, &window, "", today)?;
    for (name, bytes) in &charts {
        let path = out.join(name);
        write_atomically(&path, |file| file.write_all(bytes).map_err(io))?;
    }
    say!("wrote {} charts to {}", charts.len(), out.display());
    Ok(())
}

/// `horrors export annual`: the annual review of a year as one ZIP.
pub(super) fn export_annual(
    config_path: &Path,
    db: &Location,
    year: String,
    site: Option<String>,
    out: Option<PathBuf>,
) -> Result<()> {
    let year = crate::export::annual::parse_year(&year).map_err(|e| Error::usage(e.to_string()))?;
    let store = open_configured(config_path, db)?;
    let scope = match site {
        None => crate::sites::Scope::ALL,
        Some(key) => {
            let snapshot = store.snapshot()?;
            let Some(site) = snapshot.settings.site(&key) else {
                return Err(Error::usage(format!(
                    "--site: no site with key {}{}",
                    crate::text::echo(&key),
                    if snapshot.settings.sites.is_empty() {
                        ": no sites are configured".to_string()
                    } else {
                        let keys: Vec<&str> = snapshot
                            .settings
                            .sites
                            .iter()
                            .map(|s| s.key.as_str())
                            .collect();
                        format!("; sites are {}", keys.join(", "))
                    }
                )));
            };
            crate::sites::Scope::site(site.key.clone())
        }
    };
    let out = out.unwrap_or_else(|| PathBuf::from(crate::export::annual::file_name(year, &scope)));
    write_atomically(&out, |file| {
        let lang = store.snapshot()?.settings.language;
        crate::export::annual::write_in(&store, year, store.now(), lang, &scope, file)
    })?;
    say!("wrote {}", out.display());
    Ok(())
}

/// `horrors export ticks`: a window's ticks as CSV.
pub(super) fn export_ticks(
    config_path: &Path,
    db: &Location,
    out: PathBuf,
    window: WindowArgs,
    include_voided: bool,
) -> Result<()> {
    let store = open_configured(config_path, db)?;
    let window = window.window(&store)?;
    write_atomically(&out, |file| {
        crate::export::csv::ticks(
            &store,
            &window,
            &crate::sites::Scope::ALL,
            include_voided,
            std::io::BufWriter::new(file),
        )
    })?;
    say!("wrote {}", out.display());
    Ok(())
}

/// `horrors catalogue export`: the stored settings and catalogue as a configuration file.
pub(super) fn export_catalogue(
    config_path: &Path,
    db: &Location,
    out: Option<PathBuf>,
) -> Result<()> {
    let store = open_configured(config_path, db)?;
    let snapshot = store.snapshot()?;
    let text = config::to_toml(&snapshot.settings, &snapshot.horrors);
    match out {
        Some(path) => {
            write_atomically(&path, |file| file.write_all(text.as_bytes()).map_err(io))?;
            say!("wrote {}", path.display());
            Ok(())
        }
        None => stdout_done(std::io::stdout().write_all(text.as_bytes())),
    }
}

fn write_table(out: &mut impl Write, ranking: &Ranking) -> std::io::Result<()> {
    writeln!(
        out,
        "{} to {} ({} days, {}), by {}",
        ranking.window.from,
        ranking.window.to,
        ranking.window.days,
        ranking.window.timezone,
        serde_json::to_value(ranking.by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "{:>4}  {:<5}  {:<32}  {:>7}  {:>6}  {:>14}  {:>8}  {:>6}  {:>7}",
        "rank",
        "tier",
        "horror",
        "count",
        "compl",
        &format!("cost {}", ranking.currency),
        "pain pts",
        "score",
        "change"
    )?;
    for item in &ranking.items {
        let mut name: String = item.name.chars().take(30).collect();
        if item.name.chars().count() > 30 {
            name.push('…');
        }
        if item.retired {
            name.push_str(" (retired)");
        }
        writeln!(
            out,
            "{:>4}  {:<5}  {:<32}  {:>7}  {:>6}  {:>14}  {:>8}  {:>6.3}  {:>7}",
            item.rank,
            item.tier.as_str(),
            name,
            item.count,
            item.complaints,
            item.cost,
            item.pain_points,
            item.score,
            item.change_pct
                .map(|c| format!("{c:+.1}%"))
                .unwrap_or_else(|| "-".into())
        )?;
    }
    let t = &ranking.totals;
    writeln!(
        out,
        "{:>4}  {:<5}  {:<32}  {:>7}  {:>6}  {:>14}  {:>8}",
        "", "", "total", t.count, t.complaints, t.cost, t.pain_points
    )
}
