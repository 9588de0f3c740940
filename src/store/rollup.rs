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
use crate::ranking::Tally;
use crate::sites::Scope;
use crate::trend::DayTally;

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

/// Rebuilds the daily rollup from the ticks.
///
/// On PostgreSQL other instances keep writing meanwhile, so nothing is deleted: one
/// statement (one snapshot) compares the ticks with the rollup, summed over slots, and
/// adds the difference to this writer's slot. What other instances commit later adds its
/// own rows as usual, and no row another instance holds is touched or waited for.
pub fn rebuild(conn: &mut dyn Conn) -> Result<()> {
    if conn.engine() == Engine::Postgres {
        let slot = conn.slot();
        // Every tick is read: no 10 s limit for this transaction.
        conn.batch("SET LOCAL statement_timeout = 0")?;
        conn.execute(
            "WITH t AS (SELECT day, horror_id, source, site, SUM(qty) AS count, SUM(cost_minor) AS cost
                        FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source, site),
                  d AS (SELECT day, horror_id, source, site, SUM(count) AS count, SUM(cost_minor) AS cost
                        FROM daily GROUP BY day, horror_id, source, site),
                  fix AS (SELECT day, horror_id, source, site,
                                 COALESCE(t.count, 0) - COALESCE(d.count, 0) AS count,
                                 COALESCE(t.cost, 0) - COALESCE(d.cost, 0) AS cost
                          FROM t FULL JOIN d USING (day, horror_id, source, site)
                          WHERE t.count IS DISTINCT FROM d.count OR t.cost IS DISTINCT FROM d.cost)
             INSERT INTO daily (day, horror_id, source, site, slot, count, cost_minor)
                 SELECT day, horror_id, source, site, ?1, CAST(count AS BIGINT), CAST(cost AS BIGINT) FROM fix
                 ON CONFLICT (day, horror_id, source, site, slot) DO UPDATE
                 SET count = daily.count + excluded.count, cost_minor = daily.cost_minor + excluded.cost_minor",
            params![slot],
        )?;
        conn.execute(
            "WITH t AS (SELECT day, horror_id, source, SUM(qty) AS count, SUM(cost_minor) AS cost
                        FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source),
                  d AS (SELECT day, horror_id, source, SUM(count) AS count, SUM(cost_minor) AS cost
                        FROM daily_all GROUP BY day, horror_id, source),
                  fix AS (SELECT day, horror_id, source,
                                 COALESCE(t.count, 0) - COALESCE(d.count, 0) AS count,
                                 COALESCE(t.cost, 0) - COALESCE(d.cost, 0) AS cost
                          FROM t FULL JOIN d USING (day, horror_id, source)
                          WHERE t.count IS DISTINCT FROM d.count OR t.cost IS DISTINCT FROM d.cost)
             INSERT INTO daily_all (day, horror_id, source, slot, count, cost_minor)
                 SELECT day, horror_id, source, ?1, CAST(count AS BIGINT), CAST(cost AS BIGINT) FROM fix
                 ON CONFLICT (day, horror_id, source, slot) DO UPDATE
                 SET count = daily_all.count + excluded.count, cost_minor = daily_all.cost_minor + excluded.cost_minor",
            params![slot],
        )?;
        return Ok(());
    }
    conn.execute("DELETE FROM daily", params![])?;
    conn.execute(
        "INSERT INTO daily (day, horror_id, source, site, count, cost_minor)
         SELECT day, horror_id, source, site, CAST(SUM(qty) AS BIGINT), CAST(SUM(cost_minor) AS BIGINT)
         FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source, site",
        params![],
    )?;
    conn.execute("DELETE FROM daily_all", params![])?;
    conn.execute(
        "INSERT INTO daily_all (day, horror_id, source, count, cost_minor)
         SELECT day, horror_id, source, CAST(SUM(count) AS BIGINT), CAST(SUM(cost_minor) AS BIGINT)
         FROM daily GROUP BY day, horror_id, source",
        params![],
    )?;
    Ok(())
}

/// Rows where a rollup disagrees with the ticks (empty when consistent).
pub fn check(conn: &mut dyn Conn) -> Result<Vec<String>> {
    let mut wrong = check_by_site(conn)?;
    wrong.extend(conn.rows(
        "WITH t AS (SELECT day, horror_id, source, CAST(SUM(qty) AS BIGINT) AS count,
                           CAST(SUM(cost_minor) AS BIGINT) AS cost
                    FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source),
              d AS (SELECT day, horror_id, source, CAST(SUM(count) AS BIGINT) AS count,
                           CAST(SUM(cost_minor) AS BIGINT) AS cost FROM daily_all
                    GROUP BY day, horror_id, source HAVING SUM(count) <> 0 OR SUM(cost_minor) <> 0)
         SELECT t.day, t.horror_id, t.source FROM t LEFT JOIN d USING (day, horror_id, source)
           WHERE d.count IS DISTINCT FROM t.count OR d.cost IS DISTINCT FROM t.cost
         UNION ALL
         SELECT d.day, d.horror_id, d.source FROM d LEFT JOIN t USING (day, horror_id, source)
           WHERE t.count IS NULL",
        params![],
        |row| {
            Ok(format!(
                "{} horror {} {} (all sites)",
                row.text(0)?,
                row.int(1)?,
                row.text(2)?
            ))
        },
    )?);
    Ok(wrong)
}

fn check_by_site(conn: &mut dyn Conn) -> Result<Vec<String>> {
    conn.rows(
        "WITH t AS (SELECT day, horror_id, source, site, CAST(SUM(qty) AS BIGINT) AS count,
                           CAST(SUM(cost_minor) AS BIGINT) AS cost
                    FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source, site),
              d AS (SELECT day, horror_id, source, site, CAST(SUM(count) AS BIGINT) AS count,
                           CAST(SUM(cost_minor) AS BIGINT) AS cost FROM daily
                    GROUP BY day, horror_id, source, site HAVING SUM(count) <> 0 OR SUM(cost_minor) <> 0)
         SELECT t.day, t.horror_id, t.source FROM t LEFT JOIN d USING (day, horror_id, source, site)
           WHERE d.count IS DISTINCT FROM t.count OR d.cost IS DISTINCT FROM t.cost
         UNION ALL
         SELECT d.day, d.horror_id, d.source FROM d LEFT JOIN t USING (day, horror_id, source, site)
           WHERE t.count IS NULL",
        params![],
        |row| {
            Ok(format!(
                "{} horror {} {}",
                row.text(0)?,
                row.int(1)?,
                row.text(2)?
            ))
        },
    )
}

/// What a grouped ranking splits ticks by (SPEC §16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Site,
    Department,
    Source,
}

impl Group {
    pub fn parse(text: &str) -> std::result::Result<Group, String> {
        match text {
            "site" => Ok(Group::Site),
            "department" => Ok(Group::Department),
            "source" => Ok(Group::Source),
            _ => Err(format!(
                "group must be one of site, department, source; got {}",
                crate::text::echo(text)
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Site => "site",
            Group::Department => "department",
            Group::Source => "source",
        }
    }
}

/// Totals by group value (`None`: no site or no department) and horror key.
pub type Grouped = BTreeMap<Option<String>, BTreeMap<String, Tally>>;

/// Totals over the window within `scope`, by group value and horror key; `covered` keeps
/// only ticks on (day, site) pairs with recorded volume. Departments are not in the
/// rollup, so grouping by department reads the ticks themselves.
pub fn grouped(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
    group: Option<Group>,
    covered: bool,
) -> Result<Grouped> {
    // The whole organization's totals (and by source) come from the all-sites rollup.
    let all_sites = scope.site.is_none() && !covered && matches!(group, None | Some(Group::Source));
    let (table, count, live) = match group {
        Some(Group::Department) => ("ticks", "x.qty", "AND x.voided_at IS NULL"),
        _ if all_sites => ("daily_all", "x.count", ""),
        _ => ("daily", "x.count", ""),
    };
    // Written out for each case, so that one site's reading seeks its index.
    let site_filter = if scope.site.is_some() {
        "x.site = ?3"
    } else {
        "CAST(?3 AS TEXT) IS NULL"
    };
    let column = match group {
        None => "CAST(NULL AS TEXT)",
        Some(Group::Site) => "x.site",
        Some(Group::Department) => "x.department",
        Some(Group::Source) => "x.source",
    };
    let group_by = match group {
        None => String::new(),
        Some(_) => format!("{column}, "),
    };
    let join = if covered {
        "JOIN volume v ON v.day = x.day AND v.site = x.site"
    } else {
        ""
    };
    let (from, to) = (window.from.to_string(), window.to.to_string());
    // Grouped by horror id, named afterwards: a join per row costs a fifth of the time
    // over hundreds of sites.
    let keys: HashMap<i64, String> = conn
        .rows("SELECT id, key FROM horrors", params![], |r| {
            Ok((r.int(0)?, r.text(1)?))
        })?
        .into_iter()
        .collect();
    let mut out: Grouped = BTreeMap::new();
    conn.query(
        &format!(
            "SELECT {column}, x.horror_id, x.source, CAST(SUM({count}) AS BIGINT), CAST(SUM(x.cost_minor) AS BIGINT)
             FROM {table} x {join}
             WHERE x.day BETWEEN ?1 AND ?2 AND {site_filter} {live}
             GROUP BY {group_by}x.horror_id, x.source"
        ),
        params![from.as_str(), to.as_str(), scope.stored()],
        &mut |row| {
            let value = row.opt_text(0)?.filter(|v| !v.is_empty());
            let count = row.int(3)?.max(0) as u64;
            let complaints = if row.text(2)? == "complaint" { count } else { 0 };
            let id = row.int(1)?;
            let key = keys
                .get(&id)
                .cloned()
                .ok_or_else(|| crate::error::Error::internal(format!("no horror {id}")))?;
            out.entry(value)
                .or_default()
                .entry(key)
                .or_default()
                .add(&Tally {
                    count,
                    complaints,
                    cost_minor: row.int(4)?,
                });
            Ok(())
        },
    )?;
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
    let (from, to) = (window.from.to_string(), window.to.to_string());
    let join = if covered {
        "JOIN volume v ON v.day = d.day AND v.site = d.site"
    } else {
        ""
    };
    let (table, site_filter) = match (&scope.site, covered) {
        (Some(_), _) => ("daily", "d.site = ?3"),
        (None, false) => ("daily_all", "CAST(?3 AS TEXT) IS NULL"),
        (None, true) => ("daily", "CAST(?3 AS TEXT) IS NULL"),
    };
    conn.rows(
        &format!(
            "SELECT d.day, h.key, CAST(SUM(d.count) AS BIGINT), CAST(SUM(d.cost_minor) AS BIGINT)
             FROM {table} d JOIN horrors h ON h.id = d.horror_id {join}
             WHERE d.day BETWEEN ?1 AND ?2 AND {site_filter}
             GROUP BY d.day, h.key HAVING SUM(d.count) > 0
             ORDER BY d.day, h.key"
        ),
        params![from.as_str(), to.as_str(), scope.stored()],
        |row| {
            Ok(DayTally {
                day: parse_day(&row.text(0)?)?,
                key: row.text(1)?,
                count: row.int(2)?.max(0) as u64,
                cost_minor: row.int(3)?,
            })
        },
    )
}

/// The day's count per horror key (all devices) within `scope`, for the tally page.
pub fn counts_on(
    conn: &mut dyn Conn,
    day: NaiveDate,
    scope: &Scope,
) -> Result<HashMap<String, u64>> {
    let window = Window { from: day, to: day };
    Ok(tallies(conn, &window, scope, false)?
        .into_iter()
        .map(|(k, t)| (k, t.count))
        .collect())
}

/// (count, cost in minor units) by (day, horror key).
type DaySums = BTreeMap<(NaiveDate, String), (u64, i64)>;

/// Day tallies by group value (`None`: no site or no department; one `None` entry when
/// `group` is `None`), ordered by day and key, over the window within `scope`.
pub fn grouped_days(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
    group: Option<Group>,
) -> Result<BTreeMap<Option<String>, Vec<DayTally>>> {
    let all_sites = scope.site.is_none() && matches!(group, None | Some(Group::Source));
    let (table, count, live) = match group {
        Some(Group::Department) => ("ticks", "x.qty", "AND x.voided_at IS NULL"),
        _ if all_sites => ("daily_all", "x.count", ""),
        _ => ("daily", "x.count", ""),
    };
    let site_filter = if scope.site.is_some() {
        "x.site = ?3"
    } else {
        "CAST(?3 AS TEXT) IS NULL"
    };
    let column = match group {
        None => "CAST(NULL AS TEXT)",
        Some(Group::Site) => "x.site",
        Some(Group::Department) => "x.department",
        Some(Group::Source) => "x.source",
    };
    let group_by = match group {
        None => String::new(),
        Some(_) => format!("{column}, "),
    };
    let keys: HashMap<i64, String> = conn
        .rows("SELECT id, key FROM horrors", params![], |r| {
            Ok((r.int(0)?, r.text(1)?))
        })?
        .into_iter()
        .collect();
    let (from, to) = (window.from.to_string(), window.to.to_string());
    let mut sums: BTreeMap<Option<String>, DaySums> = BTreeMap::new();
    conn.query(
        &format!(
            "SELECT {column}, x.day, x.horror_id, CAST(SUM({count}) AS BIGINT), CAST(SUM(x.cost_minor) AS BIGINT)
             FROM {table} x
             WHERE x.day BETWEEN ?1 AND ?2 AND {site_filter} {live}
             GROUP BY {group_by}x.day, x.horror_id HAVING SUM({count}) > 0"
        ),
        params![from.as_str(), to.as_str(), scope.stored()],
        &mut |row| {
            let value = row.opt_text(0)?.filter(|v| !v.is_empty());
            let id = row.int(2)?;
            let key = keys
                .get(&id)
                .cloned()
                .ok_or_else(|| crate::error::Error::internal(format!("no horror {id}")))?;
            let day = parse_day(&row.text(1)?)?;
            let entry = sums.entry(value).or_default().entry((day, key)).or_default();
            entry.0 += row.int(3)?.max(0) as u64;
            entry.1 += row.int(4)?;
            Ok(())
        },
    )?;
    Ok(sums
        .into_iter()
        .map(|(value, days)| {
            let list = days
                .into_iter()
                .map(|((day, key), (count, cost_minor))| DayTally {
                    day,
                    key,
                    count,
                    cost_minor,
                })
                .collect();
            (value, list)
        })
        .collect())
}

/// The local day of the earliest non-voided tick: of each site (`""`: ticks without
/// one), from the rollup (a day counts when its rows sum to more than 0).
pub fn first_days(conn: &mut dyn Conn) -> Result<BTreeMap<String, NaiveDate>> {
    let rows = conn.rows(
        "SELECT site, MIN(day) FROM
            (SELECT site, day FROM daily GROUP BY site, day, horror_id, source HAVING SUM(count) > 0) t
         GROUP BY site",
        params![],
        |row| Ok((row.text(0)?, parse_day(&row.text(1)?)?)),
    )?;
    Ok(rows.into_iter().collect())
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
