//! The daily rollups: totals by local day, horror and source, kept in the same transaction
//! as every insert and void, so rankings over years read thousands of rows, not millions.
//! `daily` keeps them per site; `daily_all` for every site together, so that the whole
//! organization's readings do not grow with the number of sites.
//!
//! On PostgreSQL both keep one row per writer *slot* as well ([`Conn::slot`]): every
//! instance adds to its own rows only, so none waits for a row another holds (even one
//! frozen in the middle of a write). A reading therefore always sums over rows; never
//! read one rollup row as the total.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::db::{params, Conn, Engine};
use super::parse_day;
use crate::calendar::Window;
use crate::error::Result;
use crate::money::Minor;
use crate::ranking::Tally;
use crate::reading::DayCounts;
use crate::sites::Scope;
use crate::ticks::Source;
use crate::trend::DayTally;

mod check;
pub mod deferred;
mod site_days;
mod sums;
pub use check::{check, rebuild};
pub use site_days::{SiteDays, Touched, MAX_SPAN_KEPT_DAYS};
use sums::{merge_sorted, push_part, sum_days, sum_groups, DayPart, Horrors};

/// Adds (or with negative numbers, removes) ticks to one rollup row (this writer's).
pub fn add(
    conn: &mut dyn Conn,
    day: &str,
    horror_id: i64,
    source: &str,
    site: &str,
    count: i64,
    cost_minor: i64,
) -> Result<()> {
    if conn.engine() == Engine::Postgres {
        let slot = conn.slot();
        conn.execute(
            "WITH d AS (INSERT INTO daily (day, horror_id, source, site, slot, count, cost_minor)
                 VALUES (?1, ?2, ?3, ?4, ?7, ?5, ?6)
                 ON CONFLICT (day, horror_id, source, site, slot) DO UPDATE
                 SET count = daily.count + excluded.count, cost_minor = daily.cost_minor + excluded.cost_minor)
             INSERT INTO daily_all (day, horror_id, source, slot, count, cost_minor)
                 VALUES (?1, ?2, ?3, ?7, ?5, ?6)
                 ON CONFLICT (day, horror_id, source, slot) DO UPDATE
                 SET count = daily_all.count + excluded.count, cost_minor = daily_all.cost_minor + excluded.cost_minor",
            params![day, horror_id, source, site, count, cost_minor, slot],
        )?;
        return Ok(());
    }
    if deferred::defer(day, horror_id, source, site, count, cost_minor) {
        return Ok(());
    }
    site_days::touch(site, day);
    conn.execute(
        "INSERT INTO daily (day, horror_id, source, site, count, cost_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (day, horror_id, source, site) DO UPDATE
         SET count = daily.count + excluded.count, cost_minor = daily.cost_minor + excluded.cost_minor",
        params![day, horror_id, source, site, count, cost_minor],
    )?;
    conn.execute(
        "INSERT INTO daily_all (day, horror_id, source, count, cost_minor) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (day, horror_id, source) DO UPDATE
         SET count = daily_all.count + excluded.count, cost_minor = daily_all.cost_minor + excluded.cost_minor",
        params![day, horror_id, source, count, cost_minor],
    )?;
    Ok(())
}

pub use crate::ranking::Group;

/// Totals by group value (`None`: no site or no department) and horror key.
pub type Grouped = BTreeMap<Option<String>, BTreeMap<String, Tally>>;

/// Each horror's count on each day of a span, by group value.
pub type GroupedDays = BTreeMap<Option<String>, DayCounts>;

/// Every site the per-site rollup holds, one index seek each (a loose index scan): the
/// common table `sites(site)` that readings of every site seek their ranges with.
const SITES: &str = "WITH RECURSIVE sites(site) AS (
        SELECT MIN(site) FROM daily
        UNION ALL
        SELECT (SELECT MIN(site) FROM daily WHERE site > sites.site) FROM sites WHERE sites.site IS NOT NULL)";

/// One row of a rollup (or, grouped by department, of the ticks), borrowed from the
/// engine's row: the group value, day, horror, whether its source is `complaint`, count
/// and cost. Rows of one key may repeat (PostgreSQL's writer slots, and every source), so
/// readers sum them.
struct Part<'a> {
    value: Option<&'a str>,
    day: &'a str,
    horror_id: i64,
    complaint: bool,
    count: i64,
    cost_minor: i64,
}

/// Numbers the group values and days of a run of parts: rows come in key order, so most
/// repeat the one before and cost one comparison, not an allocation.
#[derive(Default)]
struct Seen {
    values: Vec<Option<String>>,
    index: HashMap<Option<String>, usize>,
    last_value: Option<usize>,
    last_day: Option<(String, NaiveDate)>,
}

impl Seen {
    fn value(&mut self, value: Option<&str>) -> usize {
        if let Some(last) = self.last_value {
            if self.values[last].as_deref() == value {
                return last;
            }
        }
        let owned = value.map(str::to_string);
        let next = self.values.len();
        let id = *self.index.entry(owned.clone()).or_insert(next);
        if id == next {
            self.values.push(owned);
        }
        self.last_value = Some(id);
        id
    }

    fn day(&mut self, text: &str) -> Result<NaiveDate> {
        match &self.last_day {
            Some((last, day)) if last == text => Ok(*day),
            _ => {
                let day = parse_day(text)?;
                self.last_day = Some((text.to_string(), day));
                Ok(day)
            }
        }
    }
}

/// Reads the parts of `window` within `scope`, grouped by `group` (and by day when
/// `by_day`; else a part's day is its first), without sorting on SQLite: the
/// callers add them up, which costs less than the engine's GROUP BY over hundreds of
/// sites. `covered` keeps only parts on (day, site) pairs with recorded volume. The whole
/// organization's readings (not by site, not covered) read the all-sites rollup; one
/// site's read its contiguous range; every site's (SQLite) seek each site's range.
// Over 80 lines: the query is put together from four choices (group, covered, scope,
// engine) side by side, so that each combination can be read off in one place.
fn parts(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
    group: Option<Group>,
    covered: bool,
    by_day: bool,
    each: &mut dyn FnMut(Part<'_>) -> Result<()>,
) -> Result<()> {
    let all_sites = scope.site.is_none() && !covered && matches!(group, None | Some(Group::Source));
    let column = match group {
        None => "CAST(NULL AS TEXT)",
        Some(Group::Site) => "x.site",
        Some(Group::Department) => "x.department",
        Some(Group::Source) => "x.source",
    };
    // A constant is not grouped by (PostgreSQL refuses some).
    let grouped_by = match group {
        None => String::new(),
        Some(_) => format!("{column}, "),
    };
    let join = if covered {
        "JOIN volume v ON v.day = x.day AND v.site = x.site"
    } else {
        ""
    };
    let site_filter = match (&scope.site, all_sites, conn.engine()) {
        (Some(_), _, _) => "x.site = ?3",
        (None, false, Engine::Sqlite) if group != Some(Group::Department) => {
            "x.site IN (SELECT site FROM sites) AND CAST(?3 AS TEXT) IS NULL"
        }
        _ => "CAST(?3 AS TEXT) IS NULL",
    };
    let sql = match group {
        // Departments are not in the rollup: the ticks themselves, summed by the engine.
        Some(Group::Department) => {
            let (day, by) = if by_day {
                ("x.day", "x.day, ")
            } else {
                ("MIN(x.day)", "")
            };
            format!(
                "SELECT {column}, {day}, x.horror_id, x.source, CAST(SUM(x.qty) AS BIGINT), CAST(SUM(x.cost_minor) AS BIGINT)
                 FROM ticks x {join}
                 WHERE x.day BETWEEN ?1 AND ?2 AND {site_filter} AND x.voided_at IS NULL
                 GROUP BY {grouped_by}{by}x.horror_id, x.source"
            )
        }
        _ => {
            let (with, table) = match (all_sites, site_filter.contains("sites")) {
                (true, _) => ("", "daily_all"),
                (false, true) => (SITES, "daily"),
                (false, false) => ("", "daily"),
            };
            // PostgreSQL sums by hashing, without sorting, and so sends one row for all its
            // writer slots; SQLite's GROUP BY would sort, so its rows come as stored.
            // Without `by_day`, PostgreSQL sums the days too (one row per group, horror and
            // source) and names the window's first day.
            let (day, count, cost, group_by) = match conn.engine() {
                Engine::Postgres => (
                    if by_day { "x.day" } else { "MIN(x.day)" },
                    "CAST(SUM(x.count) AS BIGINT)",
                    "CAST(SUM(x.cost_minor) AS BIGINT)",
                    format!(
                        "GROUP BY {grouped_by}{}x.horror_id, x.source",
                        if by_day { "x.day, " } else { "" }
                    ),
                ),
                Engine::Sqlite => ("x.day", "x.count", "x.cost_minor", String::new()),
            };
            format!(
                "{with} SELECT {column}, {day}, x.horror_id, x.source, {count}, {cost}
                 FROM {table} x {join}
                 WHERE x.day BETWEEN ?1 AND ?2 AND {site_filter} {group_by}"
            )
        }
    };
    let (from, to) = (window.from().to_string(), window.to().to_string());
    conn.query(
        &sql,
        params![from.as_str(), to.as_str(), scope.stored()],
        &mut |row| {
            each(Part {
                value: row.opt_str(0)?.filter(|v| !v.is_empty()),
                day: row.opt_str(1)?.unwrap_or_default(),
                horror_id: row.int(2)?,
                complaint: row.opt_str(3)? == Some(Source::Complaint.as_str()),
                count: row.int(4)?,
                cost_minor: row.int(5)?,
            })
        },
    )
}

/// Horror keys by id.
fn horror_keys(conn: &mut dyn Conn) -> Result<HashMap<i64, String>> {
    Ok(conn
        .rows("SELECT id, key FROM horrors", params![], |r| {
            Ok((r.int(0)?, r.text(1)?))
        })?
        .into_iter()
        .collect())
}

fn key_of(keys: &HashMap<i64, String>, id: i64) -> Result<String> {
    keys.get(&id)
        .cloned()
        .ok_or_else(|| crate::error::Error::internal(format!("no horror {id}")))
}

/// Totals over the window within `scope`, by group value and horror key; `covered` keeps
/// only ticks on (day, site) pairs with recorded volume.
pub fn grouped(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
    group: Option<Group>,
    covered: bool,
) -> Result<Grouped> {
    let keys = horror_keys(conn)?;
    // Summed signed (a writer slot's row may be negative), clamped at 0 once summed.
    let mut seen = Seen::default();
    let mut sums: HashMap<(usize, i64), [i64; 3]> = HashMap::new();
    parts(conn, window, scope, group, covered, false, &mut |part| {
        let sum = sums
            .entry((seen.value(part.value), part.horror_id))
            .or_default();
        sum[0] += part.count;
        if part.complaint {
            sum[1] += part.count;
        }
        sum[2] += part.cost_minor;
        Ok(())
    })?;
    let mut out: Grouped = BTreeMap::new();
    for ((value, id), [count, complaints, cost_minor]) in sums {
        out.entry(seen.values[value].clone()).or_default().insert(
            key_of(&keys, id)?,
            Tally {
                count: count.max(0) as u64,
                complaints: complaints.max(0) as u64,
                cost_minor: Minor::new(cost_minor),
            },
        );
    }
    Ok(out)
}

/// Totals by horror key over the window within `scope` (`covered`: only on covered pairs).
pub fn tallies(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
    covered: bool,
) -> Result<BTreeMap<String, Tally>> {
    Ok(grouped(conn, window, scope, None, covered)?
        .into_values()
        .next()
        .unwrap_or_default())
}

/// Totals by local day and horror over the window within `scope` (`covered`: only on
/// covered pairs).
pub fn day_tallies(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
    covered: bool,
) -> Result<Vec<DayTally>> {
    Ok(days_by_group(conn, window, scope, None, covered)?
        .into_values()
        .next()
        .unwrap_or_default())
}

/// The day's count per horror key (all devices) within `scope`, for the tally page.
pub fn counts_on(
    conn: &mut dyn Conn,
    day: NaiveDate,
    scope: &Scope,
) -> Result<HashMap<String, u64>> {
    let window = Window::day(day);
    Ok(tallies(conn, &window, scope, false)?
        .into_iter()
        .map(|(k, t)| (k, t.count))
        .collect())
}

/// Day tallies by group value (`None`: no site or no department; one `None` entry when
/// `group` is `None`), ordered by day and key, over the window within `scope`.
pub fn grouped_days(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
    group: Option<Group>,
) -> Result<BTreeMap<Option<String>, Vec<DayTally>>> {
    days_by_group(conn, window, scope, group, false)
}

/// Each group value's counts by day and horror over `span` (as [`grouped_days`] reads
/// them), and from the same rows the totals of each of `windows` (days of `span`) by
/// group value and horror, as [`grouped`] would read them.
pub fn grouped_days_and_totals(
    conn: &mut dyn Conn,
    span: &Window,
    windows: &[Window],
    scope: &Scope,
    group: Option<Group>,
) -> Result<(GroupedDays, Vec<Grouped>)> {
    let horrors = Horrors::read(conn)?;
    let lists = day_parts(conn, span, scope, group, false, &horrors)?;
    Ok(sum_groups(
        lists.iter().map(|(value, list)| (value, list.as_slice())),
        span,
        windows,
        &horrors,
    ))
}

fn days_by_group(
    conn: &mut dyn Conn,
    span: &Window,
    scope: &Scope,
    group: Option<Group>,
    covered: bool,
) -> Result<BTreeMap<Option<String>, Vec<DayTally>>> {
    let horrors = Horrors::read(conn)?;
    let lists = day_parts(conn, span, scope, group, covered, &horrors)?;
    Ok(lists
        .into_iter()
        .map(|(value, list)| {
            let keys = horrors.own_keys();
            let mut tallies = Vec::with_capacity(list.len());
            sum_days(
                &list,
                &[],
                keys.len(),
                |&(day, horror, count, _, cost_minor)| {
                    tallies.push(DayTally {
                        day,
                        key: keys[horror as usize].clone(),
                        count: count as u64,
                        cost_minor: Minor::new(cost_minor),
                    });
                },
            );
            (value, tallies)
        })
        .collect())
}

/// Each group value's parts over `span`, summed by (day, horror) and sorted by them.
fn day_parts(
    conn: &mut dyn Conn,
    span: &Window,
    scope: &Scope,
    group: Option<Group>,
    covered: bool,
    horrors: &Horrors,
) -> Result<Vec<(Option<String>, Vec<DayPart>)>> {
    // Each group value's parts. SQLite sends them in key order, so a (day, horror)'s rows
    // (one per source) follow each other and are added as they come; what is left
    // (PostgreSQL's hashed rows) is added after sorting. No hash map of every (group, day,
    // horror): at 500 sites that was a third of the time.
    let mut seen = Seen::default();
    let mut lists: Vec<Vec<DayPart>> = Vec::new();
    parts(conn, span, scope, group, covered, true, &mut |part| {
        let value = seen.value(part.value);
        if value == lists.len() {
            lists.push(Vec::new());
        }
        let day = seen.day(part.day)?;
        let horror = horrors.number(part.horror_id)?;
        let complaints = if part.complaint { part.count } else { 0 };
        push_part(
            &mut lists[value],
            (day, horror, part.count, complaints, part.cost_minor),
        );
        Ok(())
    })?;
    Ok(seen
        .values
        .into_iter()
        .zip(lists)
        .map(|(value, mut list)| {
            merge_sorted(&mut list);
            (value, list)
        })
        .collect())
}

/// The local day of the earliest non-voided tick: of each site (`""`: ticks without
/// one), from the rollup (a day counts when its rows sum to more than 0).
pub fn first_days(conn: &mut dyn Conn) -> Result<BTreeMap<String, NaiveDate>> {
    // Each site found by a seek (a loose index scan), and its first day by reading its
    // first days in index order: a few rows a site, not the whole rollup.
    let rows = conn.rows(
        &format!(
            "{SITES}
             SELECT site, (SELECT d.day FROM daily d WHERE d.site = sites.site
                           GROUP BY d.day HAVING SUM(d.count) > 0 ORDER BY d.day LIMIT 1)
             FROM sites WHERE site IS NOT NULL"
        ),
        params![],
        |row| Ok((row.text(0)?, row.opt_text(1)?)),
    )?;
    let mut out = BTreeMap::new();
    for (site, day) in rows {
        if let Some(day) = day {
            out.insert(site, parse_day(&day)?);
        }
    }
    Ok(out)
}

/// The local day of the earliest non-voided tick of every site together (`None`), or of
/// one site (`""`: ticks without one). Reads only the first days in index order.
pub fn first_day(conn: &mut dyn Conn, site: Option<&str>) -> Result<Option<NaiveDate>> {
    let day = match site {
        None => conn.opt_row(
            "SELECT day FROM daily_all GROUP BY day HAVING SUM(count) > 0 ORDER BY day LIMIT 1",
            params![],
            |row| row.text(0),
        )?,
        Some(site) => conn.opt_row(
            "SELECT day FROM daily WHERE site = ?1
             GROUP BY day HAVING SUM(count) > 0 ORDER BY day LIMIT 1",
            params![site],
            |row| row.text(0),
        )?,
    };
    day.map(|d| parse_day(&d)).transpose()
}
