//! The daily rollup: totals by local day, horror and source, kept in the same transaction
//! as every insert and void, so rankings over years read thousands of rows, not millions.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::db::{params, Conn};
use super::parse_day;
use crate::calendar::Window;
use crate::error::Result;
use crate::ranking::Tally;
use crate::sites::Scope;
use crate::trend::DayTally;

/// Adds (or with negative numbers, removes) ticks to one rollup row.
pub fn add(
    conn: &mut dyn Conn,
    day: &str,
    horror_id: i64,
    source: &str,
    site: &str,
    count: i64,
    cost_minor: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO daily (day, horror_id, source, site, count, cost_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (day, horror_id, source, site) DO UPDATE
         SET count = daily.count + excluded.count, cost_minor = daily.cost_minor + excluded.cost_minor",
        params![day, horror_id, source, site, count, cost_minor],
    )?;
    Ok(())
}

/// Rebuilds the daily rollup from the ticks.
pub fn rebuild(conn: &mut dyn Conn) -> Result<()> {
    conn.execute("DELETE FROM daily", params![])?;
    conn.execute(
        "INSERT INTO daily (day, horror_id, source, site, count, cost_minor)
         SELECT day, horror_id, source, site, CAST(SUM(qty) AS BIGINT), CAST(SUM(cost_minor) AS BIGINT)
         FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source, site",
        params![],
    )?;
    Ok(())
}

/// Rows where the rollup disagrees with the ticks (empty when consistent).
pub fn check(conn: &mut dyn Conn) -> Result<Vec<String>> {
    conn.rows(
        "WITH t AS (SELECT day, horror_id, source, site, CAST(SUM(qty) AS BIGINT) AS count,
                           CAST(SUM(cost_minor) AS BIGINT) AS cost
                    FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source, site),
              d AS (SELECT day, horror_id, source, site, count, cost_minor AS cost FROM daily
                    WHERE count <> 0 OR cost_minor <> 0)
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
                "group must be one of site, department, source; got {text:?}"
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
    let (table, count, live) = match group {
        Some(Group::Department) => ("ticks", "x.qty", "AND x.voided_at IS NULL"),
        _ => ("daily", "x.count", ""),
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
    let mut out: Grouped = BTreeMap::new();
    conn.query(
        &format!(
            "SELECT {column}, h.key, x.source, CAST(SUM({count}) AS BIGINT), CAST(SUM(x.cost_minor) AS BIGINT)
             FROM {table} x JOIN horrors h ON h.id = x.horror_id {join}
             WHERE x.day BETWEEN ?1 AND ?2 AND (CAST(?3 AS TEXT) IS NULL OR x.site = ?3) {live}
             GROUP BY {group_by}h.key, x.source"
        ),
        params![from.as_str(), to.as_str(), scope.stored()],
        &mut |row| {
            let value = row.opt_text(0)?.filter(|v| !v.is_empty());
            let count = row.int(3)?.max(0) as u64;
            let complaints = if row.text(2)? == "complaint" { count } else { 0 };
            out.entry(value)
                .or_default()
                .entry(row.text(1)?)
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
    conn.rows(
        &format!(
            "SELECT d.day, h.key, CAST(SUM(d.count) AS BIGINT), CAST(SUM(d.cost_minor) AS BIGINT)
             FROM daily d JOIN horrors h ON h.id = d.horror_id {join}
             WHERE d.day BETWEEN ?1 AND ?2 AND (CAST(?3 AS TEXT) IS NULL OR d.site = ?3)
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
