//! The daily rollup: totals by local day, horror and source, kept in the same transaction
//! as every insert and void, so rankings over years read thousands of rows, not millions.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::db::{params, Conn};
use super::parse_day;
use crate::calendar::Window;
use crate::error::Result;
use crate::ranking::Tally;
use crate::trend::DayTally;

/// Adds (or with negative numbers, removes) ticks to one rollup row.
pub fn add(
    conn: &mut dyn Conn,
    day: &str,
    horror_id: i64,
    source: &str,
    count: i64,
    cost_minor: i64,
) -> Result<()> {
    conn.execute(
        "INSERT INTO daily (day, horror_id, source, count, cost_minor) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (day, horror_id, source) DO UPDATE
         SET count = daily.count + excluded.count, cost_minor = daily.cost_minor + excluded.cost_minor",
        params![day, horror_id, source, count, cost_minor],
    )?;
    Ok(())
}

/// Rebuilds the daily rollup from the ticks.
pub fn rebuild(conn: &mut dyn Conn) -> Result<()> {
    conn.execute("DELETE FROM daily", params![])?;
    conn.execute(
        "INSERT INTO daily (day, horror_id, source, count, cost_minor)
         SELECT day, horror_id, source, CAST(SUM(qty) AS BIGINT), CAST(SUM(cost_minor) AS BIGINT)
         FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source",
        params![],
    )?;
    Ok(())
}

/// Rows where the rollup disagrees with the ticks (empty when consistent).
pub fn check(conn: &mut dyn Conn) -> Result<Vec<String>> {
    conn.rows(
        "WITH t AS (SELECT day, horror_id, source, CAST(SUM(qty) AS BIGINT) AS count,
                           CAST(SUM(cost_minor) AS BIGINT) AS cost
                    FROM ticks WHERE voided_at IS NULL GROUP BY day, horror_id, source),
              d AS (SELECT day, horror_id, source, count, cost_minor AS cost FROM daily
                    WHERE count <> 0 OR cost_minor <> 0)
         SELECT t.day, t.horror_id, t.source FROM t LEFT JOIN d USING (day, horror_id, source)
           WHERE d.count IS DISTINCT FROM t.count OR d.cost IS DISTINCT FROM t.cost
         UNION ALL
         SELECT d.day, d.horror_id, d.source FROM d LEFT JOIN t USING (day, horror_id, source)
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

/// Totals by horror key over the window.
pub fn tallies(conn: &mut dyn Conn, window: &Window) -> Result<BTreeMap<String, Tally>> {
    let mut out: BTreeMap<String, Tally> = BTreeMap::new();
    let (from, to) = (window.from.to_string(), window.to.to_string());
    conn.query(
        "SELECT h.key, d.source, CAST(SUM(d.count) AS BIGINT), CAST(SUM(d.cost_minor) AS BIGINT)
         FROM daily d JOIN horrors h ON h.id = d.horror_id
         WHERE d.day BETWEEN ?1 AND ?2 GROUP BY h.key, d.source",
        params![from.as_str(), to.as_str()],
        &mut |row| {
            let count = row.int(2)?.max(0) as u64;
            let complaints = if row.text(1)? == "complaint" {
                count
            } else {
                0
            };
            out.entry(row.text(0)?).or_default().add(&Tally {
                count,
                complaints,
                cost_minor: row.int(3)?,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

/// Totals by local day and horror over the window.
pub fn day_tallies(conn: &mut dyn Conn, window: &Window) -> Result<Vec<DayTally>> {
    let (from, to) = (window.from.to_string(), window.to.to_string());
    conn.rows(
        "SELECT d.day, h.key, CAST(SUM(d.count) AS BIGINT), CAST(SUM(d.cost_minor) AS BIGINT)
         FROM daily d JOIN horrors h ON h.id = d.horror_id
         WHERE d.day BETWEEN ?1 AND ?2 GROUP BY d.day, h.key HAVING SUM(d.count) > 0
         ORDER BY d.day, h.key",
        params![from.as_str(), to.as_str()],
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

/// The day's count per horror key (all devices), for the tally page.
pub fn counts_on(conn: &mut dyn Conn, day: NaiveDate) -> Result<HashMap<String, u64>> {
    let window = Window { from: day, to: day };
    Ok(tallies(conn, &window)?
        .into_iter()
        .map(|(k, t)| (k, t.count))
        .collect())
}
