//! Rebuilding the rollups from the ticks, and checking them against the ticks
//! (`horrors check [--repair]`).

use super::super::db::{params, Conn, Engine};
use crate::error::Result;

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
    super::site_days::touch_all();
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
