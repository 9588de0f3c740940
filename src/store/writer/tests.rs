use super::*;
use crate::store::db::params;
use rusqlite::Connection;

fn never() -> Recover {
    Box::new(|_| false)
}

fn writer(capacity: usize) -> Writer {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (v INTEGER NOT NULL)")
        .unwrap();
    Writer::start(Box::new(conn), capacity, always(), never(), nothing_after()).unwrap()
}

fn insert(c: &mut dyn Conn, v: i64) -> Result<u64> {
    c.execute("INSERT INTO t VALUES (?1)", params![v])
}

#[test]
fn a_failing_job_does_not_undo_its_neighbours() {
    let writer = writer(16);
    let ok = writer.submit(|c| insert(c, 1), false).unwrap();
    let bad = writer.submit(
        |c| -> Result<u64> {
            insert(c, 2)?;
            Err(Error::invalid("nope", "refused after writing"))
        },
        false,
    );
    let bad = bad.unwrap();
    assert_eq!(ok.blocking_recv().unwrap().unwrap(), 1);
    assert!(bad.blocking_recv().unwrap().is_err());
    let values: Vec<i64> = writer
        .write(|c| c.rows("SELECT v FROM t", params![], |r| r.int(0)))
        .unwrap();
    assert_eq!(
        values,
        [1],
        "the failed job's insert was rolled back, the good one kept"
    );
}

/// A job submitted as refusing before writing (no savepoint of its own).
fn unguarded<T: Send + 'static>(
    writer: &Writer,
    work: impl FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
) -> oneshot::Receiver<Result<T>> {
    writer.submit_job(work, false, Shape::one(true)).unwrap()
}

fn values(writer: &Writer) -> Vec<i64> {
    writer
        .write(|c| c.rows("SELECT v FROM t ORDER BY v", params![], |r| r.int(0)))
        .unwrap()
}

#[test]
fn a_job_refused_before_writing_leaves_its_group_alone_without_a_savepoint() {
    let writer = writer(16);
    let (release, first) = hold(&writer);
    let ok1 = unguarded(&writer, |c| insert(c, 1));
    let refused = unguarded(&writer, |_| -> Result<u64> {
        Err(Error::invalid("nope", "refused before writing"))
    });
    let ok3 = unguarded(&writer, |c| insert(c, 3));
    release.send(()).unwrap();
    assert!(first.blocking_recv().unwrap().is_ok());
    assert_eq!(ok1.blocking_recv().unwrap().unwrap(), 1);
    let refused = refused.blocking_recv().unwrap().unwrap_err();
    assert_eq!(refused.code(), "nope", "the job's own refusal, not a 503");
    assert_eq!(ok3.blocking_recv().unwrap().unwrap(), 1);
    assert_eq!(values(&writer), [1, 3]);
}

#[test]
fn a_job_without_a_savepoint_that_fails_after_writing_undoes_its_whole_group() {
    let writer = writer(16);
    let (release, first) = hold(&writer);
    let ok1 = unguarded(&writer, |c| insert(c, 1));
    let bad = unguarded(&writer, |c| -> Result<u64> {
        insert(c, 2)?;
        Err(Error::invalid("nope", "refused after writing"))
    });
    let ok3 = unguarded(&writer, |c| insert(c, 3));
    release.send(()).unwrap();
    assert!(first.blocking_recv().unwrap().is_ok(), "a group of its own");
    assert!(ok1.blocking_recv().unwrap().is_err(), "not acknowledged");
    assert_eq!(bad.blocking_recv().unwrap().unwrap_err().code(), "nope");
    assert!(ok3.blocking_recv().unwrap().is_err(), "not acknowledged");
    assert_eq!(
        values(&writer),
        Vec::<i64>::new(),
        "nothing of the group kept"
    );
    // The writer goes on.
    assert_eq!(
        unguarded(&writer, |c| insert(c, 4))
            .blocking_recv()
            .unwrap()
            .unwrap(),
        1
    );
    assert_eq!(values(&writer), [4]);
}

/// Submits a job that holds the writer until the returned sender is used, and waits until
/// it runs (so that jobs submitted next queue behind it, as one group).
fn hold(
    writer: &Writer,
) -> (
    std::sync::mpsc::Sender<()>,
    oneshot::Receiver<Result<Option<()>>>,
) {
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let (started, running) = std::sync::mpsc::channel::<()>();
    let first = writer
        .submit(
            move |_| {
                started.send(()).ok();
                Ok(wait.recv().ok())
            },
            false,
        )
        .unwrap();
    running.recv().unwrap();
    (release, first)
}

/// Holds the writer with a first job, queues `ok 1`, `fail 2`, `ok 3` behind it, so the
/// three run as one group, then checks that only the failing job was undone.
fn one_group_with_a_failure_in_the_middle(writer: &Writer) {
    let (release, first) = hold(writer);
    let ok1 = writer.submit(|c| insert(c, 1), false).unwrap();
    let bad = writer
        .submit(
            |c| -> Result<u64> {
                insert(c, 2)?;
                Err(Error::invalid("nope", "refused after writing"))
            },
            false,
        )
        .unwrap();
    let ok3 = writer.submit(|c| insert(c, 3), false).unwrap();
    release.send(()).unwrap();
    assert!(first.blocking_recv().unwrap().is_ok());
    assert_eq!(ok1.blocking_recv().unwrap().unwrap(), 1);
    assert!(bad.blocking_recv().unwrap().is_err());
    assert_eq!(ok3.blocking_recv().unwrap().unwrap(), 1);
    let values: Vec<i64> = writer
        .write(|c| c.rows("SELECT v FROM t ORDER BY v", params![], |r| r.int(0)))
        .unwrap();
    assert_eq!(values, [1, 3]);
}

#[test]
fn one_failing_job_in_a_group_is_undone_alone_on_sqlite() {
    one_group_with_a_failure_in_the_middle(&writer(16));
}

/// A fresh PostgreSQL database named after `name` with a table `t`, and its config
/// (the test server `HORRORS_TEST_DATABASE_URL` names; panics without it).
fn pg_database(name: &str) -> (crate::store::pg_tls::PgConfig, postgres::Client) {
    let url = crate::store::tests::fresh_postgres(name);
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute("CREATE TABLE t (v BIGINT NOT NULL)")
        .unwrap();
    (url.parse().unwrap(), client)
}

/// The same on PostgreSQL, where savepoints are chained to save round trips.
#[test]
#[ignore = "needs PostgreSQL: HORRORS_TEST_DATABASE_URL, run with --ignored on_postgres"]
fn one_failing_job_in_a_group_is_undone_alone_on_postgres() {
    let (config, _) = pg_database("writer");
    let conn = crate::store::db::PgConn::connect(&config).unwrap();
    let writer = Writer::start(Box::new(conn), 16, always(), never(), nothing_after()).unwrap();
    one_group_with_a_failure_in_the_middle(&writer);
}

/// Regression (a lost transaction answered 500 "commit failed: storage error: db
/// error"): the writer's session is ended in the middle of a write group, by
/// `pg_terminate_backend` or by the idle-in-transaction timeout, before a statement
/// or before the commit. Every such write is 503 `storage_unavailable`, nothing of it
/// is stored, and writes come back by themselves.
#[test]
#[ignore = "needs PostgreSQL: HORRORS_TEST_DATABASE_URL, run with --ignored on_postgres"]
fn a_session_ended_in_the_middle_of_a_write_group_is_storage_unavailable_on_postgres() {
    let (config, mut admin) = pg_database("ended");
    let conn = crate::store::db::PgConn::connect_writer(&config).unwrap();
    let writer = Writer::start(
        Box::new(conn),
        16,
        always(),
        crate::store::postgres::recover(config.clone()),
        nothing_after(),
    )
    .unwrap();
    let cases: [(&str, bool); 4] = [
        ("terminate", true),
        ("terminate", false),
        ("idle", true),
        ("idle", false),
    ];
    for (n, (how, statement_after)) in cases.into_iter().enumerate() {
        // Hold the writer, so that the two jobs below run as one group.
        let (hold_release, held) = hold(&writer);
        let (started, running) = std::sync::mpsc::channel::<i32>();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let group = writer
            .submit(
                move |c| -> Result<()> {
                    if how == "idle" {
                        c.batch("SET idle_in_transaction_session_timeout = '100ms'")?;
                    }
                    insert(c, 1)?;
                    let pid =
                        c.one_row("SELECT CAST(pg_backend_pid() AS BIGINT)", params![], |r| {
                            Ok(r.int(0)? as i32)
                        })?;
                    started.send(pid).ok();
                    wait.recv().ok();
                    if statement_after {
                        insert(c, 2)?;
                    }
                    Ok(())
                },
                false,
            )
            .unwrap();
        // A second job in the same group, queued behind the first.
        let neighbour = writer.submit(|c| insert(c, 3).map(drop), false).unwrap();
        hold_release.send(()).unwrap();
        assert!(held.blocking_recv().unwrap().is_ok());
        let Ok(pid) = running.recv() else {
            panic!("case {n}: the job ended early: {:?}", group.blocking_recv());
        };
        if how == "terminate" {
            admin
                .execute("SELECT pg_terminate_backend($1)", &[&pid])
                .unwrap();
        } else {
            std::thread::sleep(Duration::from_millis(600));
        }
        release.send(()).unwrap();
        for (which, result) in [
            ("ended", group.blocking_recv().unwrap()),
            ("neighbour", neighbour.blocking_recv().unwrap()),
        ] {
            assert!(
                matches!(result, Err(Error::StorageUnavailable { .. })),
                "case {n} ({how}, statement after: {statement_after}), {which}: {result:?}"
            );
        }
        let back = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(100));
            writer.write(|c| insert(c, 4)).is_ok()
        });
        assert!(back, "case {n}: writes never came back");
    }
    let stored: Vec<i64> = admin
        .query("SELECT v FROM t", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(stored, [4, 4, 4, 4], "only the writes after recovery");
}

#[test]
fn a_full_queue_is_overloaded_not_unbounded() {
    let writer = writer(2);
    // The first job holds the writer; two more fill the queue; the next is refused.
    let (release, first) = hold(&writer);
    let queued: Vec<_> = (0..2)
        .map(|_| writer.submit(|_| Ok(()), false).unwrap())
        .collect();
    assert!(matches!(
        writer.submit(|_| Ok(()), false),
        Err(Error::Overloaded)
    ));
    release.send(()).unwrap();
    assert!(first.blocking_recv().unwrap().is_ok());
    for q in queued {
        assert!(q.blocking_recv().unwrap().is_ok());
    }
}

#[test]
fn a_write_lock_held_elsewhere_is_overloaded_not_internal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.db");
    let other = Connection::open(&path).unwrap();
    other
        .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (v INTEGER)")
        .unwrap();
    let conn = Connection::open(&path).unwrap();
    conn.busy_timeout(std::time::Duration::from_millis(20))
        .unwrap();
    let writer = Writer::start(Box::new(conn), 4, always(), never(), nothing_after()).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let result = writer.write(|c| insert(c, 1));
    assert!(matches!(result, Err(Error::Overloaded)), "{result:?}");
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(writer.write(|c| insert(c, 1)).unwrap(), 1);
}

#[test]
fn a_panicking_job_is_an_error_and_the_writer_lives_on() {
    let writer = writer(4);
    let result: Result<()> = writer.write(|_| panic!("boom"));
    assert!(result.is_err());
    assert_eq!(writer.write(|_| Ok(7)).unwrap(), 7);
}

/// A writer on a migrated SQLite database with one horror (id 1), for rollup jobs.
fn rollup_writer() -> (Writer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = Connection::open(dir.path().join("w.db")).unwrap();
    crate::store::schema::migrate(&mut conn).unwrap();
    conn.execute_batch(
        "INSERT INTO horrors (id, key, name, pain, unit_cost_minor, operational, position)
         VALUES (1, 'late', 'Late', 5, 100, 1, 0)",
    )
    .unwrap();
    let writer = Writer::start(Box::new(conn), 16, always(), never(), nothing_after());
    (writer.unwrap(), dir)
}

/// A tick-like job: adds `count` to the rollup of (2026-03-02, horror 1) and fails after
/// writing when `fail`.
fn rollup_job(
    writer: &Writer,
    count: i64,
    fail: bool,
    refuses_before_writing: bool,
) -> oneshot::Receiver<Result<()>> {
    let work = move |c: &mut dyn Conn| -> Result<()> {
        crate::store::rollup::add(c, "2026-03-02", 1, "internal", "s1", count, 100 * count)?;
        if fail {
            return Err(Error::invalid("nope", "refused after writing"));
        }
        Ok(())
    };
    writer
        .submit_job(work, false, Shape::one(refuses_before_writing))
        .unwrap()
}

fn rollup_counts(writer: &Writer) -> (i64, i64) {
    writer
        .write(|c| {
            let site = c.one_row(
                "SELECT COALESCE(SUM(count), 0) FROM daily",
                params![],
                |r| r.int(0),
            )?;
            let all = c.one_row(
                "SELECT COALESCE(SUM(count), 0) FROM daily_all",
                params![],
                |r| r.int(0),
            )?;
            Ok((site, all))
        })
        .unwrap()
}

#[test]
fn deferred_rollups_are_written_once_per_group_without_a_failed_jobs_share() {
    let (writer, _dir) = rollup_writer();
    let (release, first) = hold(&writer);
    let ok1 = rollup_job(&writer, 1, false, false);
    let bad = rollup_job(&writer, 10, true, false);
    let ok2 = rollup_job(&writer, 2, false, false);
    // A job that does not defer sees what the jobs before it deferred.
    let seen = writer
        .submit(
            |c| c.one_row("SELECT SUM(count) FROM daily_all", params![], |r| r.int(0)),
            false,
        )
        .unwrap();
    let ok3 = rollup_job(&writer, 4, false, false);
    release.send(()).unwrap();
    assert!(first.blocking_recv().unwrap().is_ok());
    assert!(ok1.blocking_recv().unwrap().is_ok());
    assert!(bad.blocking_recv().unwrap().is_err());
    assert!(ok2.blocking_recv().unwrap().is_ok());
    assert_eq!(seen.blocking_recv().unwrap().unwrap(), 3);
    assert!(ok3.blocking_recv().unwrap().is_ok());
    assert_eq!(rollup_counts(&writer), (7, 7));
}

#[test]
fn a_group_undone_leaves_nothing_deferred_behind() {
    let (writer, _dir) = rollup_writer();
    let (release, first) = hold(&writer);
    let ok = rollup_job(&writer, 1, false, true);
    // Fails after writing a row without a savepoint: the whole group is undone.
    let bad = writer
        .submit_job(
            |c: &mut dyn Conn| -> Result<()> {
                crate::store::rollup::add(c, "2026-03-02", 1, "internal", "s1", 10, 0)?;
                c.execute("UPDATE horrors SET name = 'changed'", params![])?;
                Err(Error::invalid("nope", "refused after writing"))
            },
            false,
            Shape::one(true),
        )
        .unwrap();
    release.send(()).unwrap();
    assert!(first.blocking_recv().unwrap().is_ok());
    assert!(ok.blocking_recv().unwrap().is_err());
    assert!(bad.blocking_recv().unwrap().is_err());
    assert_eq!(rollup_counts(&writer), (0, 0));
    // The next group starts clean.
    assert!(rollup_job(&writer, 2, false, true)
        .blocking_recv()
        .unwrap()
        .is_ok());
    assert_eq!(rollup_counts(&writer), (2, 2));
}
