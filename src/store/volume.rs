//! The volume aggregate: units handled per local day and site (SPEC §17).

use chrono::{DateTime, Utc};

use super::db::{params, Conn};
use super::parse_day;
use crate::calendar::Window;
use crate::error::Result;
use crate::sites::Scope;
use crate::ticks::rfc3339;
use crate::volume::NewVolume;

/// Entries per INSERT statement when many are set at once (an import): one statement (and
/// on PostgreSQL one round trip) per chunk instead of per entry.
const CHUNK: usize = 250;

/// The upsert of `rows` entries in one statement.
fn upsert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p = r * 4;
            format!("(?{}, ?{}, ?{}, ?{})", p + 1, p + 2, p + 3, p + 4)
        })
        .collect();
    format!(
        "INSERT INTO volume (day, site, units, updated_at) VALUES {}
         ON CONFLICT (day, site) DO UPDATE SET units = excluded.units, updated_at = excluded.updated_at",
        values.join(", ")
    )
}

/// Sets every entry (all or nothing: the caller's transaction). The entries name each
/// (day, site) once (validation refuses repeats), as one multi-row upsert requires.
pub fn set(conn: &mut dyn Conn, entries: &[NewVolume], now: DateTime<Utc>) -> Result<()> {
    let at = rfc3339(now);
    let days: Vec<String> = entries.iter().map(|e| e.day.to_string()).collect();
    let chunked = upsert_sql(CHUNK);
    let single = upsert_sql(1);
    let mut start = 0;
    while start < entries.len() {
        let rows = if entries.len() - start >= CHUNK {
            CHUNK
        } else {
            1
        };
        let mut params = Vec::with_capacity(rows * 4);
        for (entry, day) in entries[start..start + rows].iter().zip(&days[start..]) {
            params.extend_from_slice(params![
                day.as_str(),
                entry.site.as_str(),
                entry.units,
                at.as_str()
            ]);
        }
        let sql = if rows == CHUNK { &chunked } else { &single };
        conn.execute(sql, &params)?;
        start += rows;
    }
    Ok(())
}

/// The window's entries within `scope`, by day then site.
pub fn entries(
    conn: &mut dyn Conn,
    window: &Window,
    scope: &Scope,
) -> Result<Vec<(chrono::NaiveDate, String, i64)>> {
    let (from, to) = (window.from().to_string(), window.to().to_string());
    conn.rows(
        "SELECT day, site, units FROM volume
         WHERE day BETWEEN ?1 AND ?2 AND (CAST(?3 AS TEXT) IS NULL OR site = ?3)
         ORDER BY day, site",
        params![from.as_str(), to.as_str(), scope.stored()],
        |row| Ok((parse_day(&row.text(0)?)?, row.text(1)?, row.int(2)?)),
    )
}

pub fn any(conn: &mut dyn Conn) -> Result<bool> {
    conn.one_row("SELECT EXISTS (SELECT 1 FROM volume)", params![], |r| {
        r.bool(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::{EachRow, Engine, Param};

    /// A SQLite connection that counts the statements run through it.
    struct Counting {
        conn: rusqlite::Connection,
        executed: usize,
    }

    impl Conn for Counting {
        fn engine(&self) -> Engine {
            Engine::Sqlite
        }
        fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
            self.executed += 1;
            Conn::execute(&mut self.conn, sql, params)
        }
        fn query(&mut self, sql: &str, params: &[Param<'_>], each: EachRow<'_>) -> Result<()> {
            Conn::query(&mut self.conn, sql, params, each)
        }
        fn batch(&mut self, sql: &str) -> Result<()> {
            Conn::batch(&mut self.conn, sql)
        }
        fn begin_write(&mut self) -> Result<()> {
            Conn::begin_write(&mut self.conn)
        }
        fn notify(&mut self, topic: &str) -> Result<()> {
            Conn::notify(&mut self.conn, topic)
        }
        fn healthy(&mut self) -> bool {
            true
        }
        fn slot(&self) -> i64 {
            0
        }
        fn changes(&self) -> u64 {
            Conn::changes(&self.conn)
        }
        fn last_insert_id(&self) -> Option<i64> {
            Conn::last_insert_id(&self.conn)
        }
    }

    fn store() -> Counting {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::store::schema::migrate(&mut conn).unwrap();
        Counting { conn, executed: 0 }
    }

    fn many(n: usize, units: i64) -> Vec<NewVolume> {
        let first = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        (0..n)
            .map(|i| NewVolume {
                day: first + chrono::Days::new(i as u64),
                site: format!("s{}", i % 3),
                units: units + i as i64,
            })
            .collect()
    }

    /// Regression: an import ran one statement (on PostgreSQL one round trip) per entry.
    #[test]
    fn many_entries_take_one_statement_per_chunk_and_all_are_set() {
        let mut conn = store();
        let now = Utc::now();
        let n = 10 * CHUNK + 7;
        set(&mut conn, &many(n, 1), now).unwrap();
        assert_eq!(conn.executed, 10 + 7);
        // Setting them again updates every one, in place.
        set(&mut conn, &many(n, 100), now).unwrap();
        let c: &mut dyn Conn = &mut conn;
        let (rows, sum) = c
            .one_row(
                "SELECT COUNT(*), CAST(SUM(units) AS BIGINT) FROM volume",
                params![],
                |r| Ok((r.int(0)?, r.int(1)?)),
            )
            .unwrap();
        let n = n as i64;
        assert_eq!(rows, n);
        assert_eq!(sum, 100 * n + n * (n - 1) / 2);
        let window = Window::new(
            chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(1990, 1, 3).unwrap(),
        )
        .unwrap();
        let first = entries(c, &window, &Scope::ALL).unwrap();
        assert_eq!(first.len(), 3);
        assert_eq!(first[0].2, 100);
    }
}
