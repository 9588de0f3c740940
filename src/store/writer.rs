//! The single writer: one thread owns the write connection, drains a bounded queue, runs
//! every queued job inside one transaction (each in its own savepoint, so one failing job
//! does not undo the others) and answers all of them only after the commit is durable.
//! This is group commit: one fsync for many ticks, and a 201 never precedes its commit.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::error::{Error, Result};

/// How many jobs may wait for the writer before new writes get 503.
pub const QUEUE_CAPACITY: usize = 8192;
/// Most jobs in one transaction.
const MAX_GROUP: usize = 1024;

/// How a job went inside the group transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ran {
    Ok,
    Failed,
    /// Failed because storage is full or unwritable.
    Full,
}

trait Job: Send {
    /// Runs inside the open transaction; says whether the job succeeded.
    fn run(&mut self, conn: &Connection) -> Ran;
    /// Delivers the result once the transaction's fate is known.
    fn finish(self: Box<Self>, committed: Result<(), Failure>);
    /// Runs even while storage is full (maintenance that may free or limit space).
    fn essential(&self) -> bool;
}

struct TypedJob<F, T> {
    essential: bool,
    work: Option<F>,
    result: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<F, T> Job for TypedJob<F, T>
where
    F: FnOnce(&Connection) -> Result<T> + Send,
    T: Send,
{
    fn run(&mut self, conn: &Connection) -> Ran {
        let Some(work) = self.work.take() else {
            return Ran::Failed;
        };
        let result = catch_unwind(AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| Err(Error::internal("a write job panicked")));
        let ran = match &result {
            Ok(_) => Ran::Ok,
            Err(Error::Storage(e)) if super::is_full(e) => Ran::Full,
            Err(Error::StorageUnavailable) => Ran::Full,
            Err(_) => Ran::Failed,
        };
        self.result = Some(result);
        ran
    }

    fn essential(&self) -> bool {
        self.essential
    }

    fn finish(self: Box<Self>, committed: Result<(), Failure>) {
        let result = match (committed, self.result) {
            (_, Some(Err(e))) => Err(e),
            (Ok(()), Some(Ok(value))) => Ok(value),
            // Another process holds the write lock past the busy timeout: retry later.
            (Err(Failure { busy: true, .. }), _) => Err(Error::Overloaded),
            (Err(Failure { full: true, .. }), _) => Err(Error::StorageUnavailable),
            (Err(Failure { message, .. }), _) => {
                Err(Error::internal(format!("commit failed: {message}")))
            }
            (Ok(()), None) => Err(Error::internal("write job did not run")),
        };
        // The caller may have gone away (client disconnected); the write stands.
        let _ = self.reply.send(result);
    }
}

/// Handle to the writer thread.
#[derive(Clone)]
pub struct Writer {
    queue: SyncSender<Box<dyn Job>>,
    degraded: Arc<AtomicBool>,
}

/// Free space the file system must have again before storage counts as writable.
pub const RECOVERY_FREE_BYTES: u64 = 1024 * 1024;
/// How often a degraded writer checks whether space came back.
const RECOVERY_PROBE: Duration = Duration::from_secs(1);

impl Writer {
    /// Starts the writer thread on `conn` with a queue of `capacity` jobs; `path` is the
    /// database file, whose file system is watched for free space after a full disk.
    pub fn start(
        conn: Connection,
        capacity: usize,
        path: Option<PathBuf>,
    ) -> std::io::Result<Writer> {
        let (queue, jobs) = mpsc::sync_channel(capacity);
        let degraded = Arc::new(AtomicBool::new(false));
        let state = Arc::clone(&degraded);
        std::thread::Builder::new()
            .name("horrors-writer".into())
            .spawn(move || run(conn, jobs, &state, path))?;
        Ok(Writer { queue, degraded })
    }

    /// Whether the last write failed because storage is full or unwritable (and no write
    /// or space check has succeeded since).
    pub fn degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    fn submit<F, T>(&self, work: F) -> Result<oneshot::Receiver<Result<T>>>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.submit_job(work, false)
    }

    fn submit_job<F, T>(&self, work: F, essential: bool) -> Result<oneshot::Receiver<Result<T>>>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, receiver) = oneshot::channel();
        let job = Box::new(TypedJob {
            essential,
            work: Some(work),
            result: None,
            reply,
        });
        match self.queue.try_send(job) {
            Ok(()) => Ok(receiver),
            Err(TrySendError::Full(_)) => Err(Error::Overloaded),
            Err(TrySendError::Disconnected(_)) => {
                Err(Error::internal("the writer thread has stopped"))
            }
        }
    }

    /// Runs `work` in the next group transaction and returns once it is committed.
    pub async fn write<F, T>(&self, work: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let receiver = self.submit(work)?;
        receiver
            .await
            .map_err(|_| Error::internal("the writer thread has stopped"))?
    }

    /// Maintenance that must run even while storage is full (it may free or limit space).
    pub fn maintain_blocking<F, T>(&self, work: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let receiver = self.submit_job(work, true)?;
        receiver
            .blocking_recv()
            .map_err(|_| Error::internal("the writer thread has stopped"))?
    }

    /// [`Writer::write`] for synchronous callers (the CLI); never call from async code.
    pub fn write_blocking<F, T>(&self, work: F) -> Result<T>
    where
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let receiver = self.submit(work)?;
        receiver
            .blocking_recv()
            .map_err(|_| Error::internal("the writer thread has stopped"))?
    }
}

/// The writer loop. After a write finds storage full, the writer is *degraded*: every
/// write is answered 503 at once (nothing is attempted, so nothing grows at the edge of
/// the disk) until a probe, at most once a second, finds room again.
fn run(
    conn: Connection,
    jobs: Receiver<Box<dyn Job>>,
    degraded: &AtomicBool,
    path: Option<PathBuf>,
) {
    let mut last_probe = Instant::now();
    loop {
        let first = if degraded.load(Ordering::Relaxed) {
            match jobs.recv_timeout(RECOVERY_PROBE) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match jobs.recv() {
                Ok(job) => Some(job),
                Err(_) => return,
            }
        };
        if degraded.load(Ordering::Relaxed) && last_probe.elapsed() >= RECOVERY_PROBE {
            last_probe = Instant::now();
            if recovered(&conn, path.as_deref()) {
                tracing::info!("storage has room again; writes resume");
                degraded.store(false, Ordering::Relaxed);
            }
        }
        let Some(first) = first else { continue };
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        if degraded.load(Ordering::Relaxed) {
            let refused = Err(Failure {
                message: "storage is full".into(),
                busy: false,
                full: true,
            });
            let (mut essential, others): (Vec<_>, Vec<_>) =
                group.into_iter().partition(|job| job.essential());
            for job in others {
                job.finish(refused.clone());
            }
            if essential.is_empty() {
                continue;
            }
            let outcome = run_group(&conn, &mut essential).map(|_| ());
            for job in essential {
                job.finish(outcome.clone());
            }
            continue;
        }
        let outcome = run_group(&conn, &mut group);
        let full = match &outcome {
            Err(cause) => cause.full,
            Ok(full) => *full,
        };
        let outcome = outcome.map(|_| ());
        if full {
            degraded.store(true, Ordering::Relaxed);
            last_probe = Instant::now();
            tracing::error!(
                "storage is full or unwritable; writes answer 503 until there is room again"
            );
            // Give the space the WAL holds back to the file system where possible.
            let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        } else if let Err(cause) = &outcome {
            tracing::error!(%cause, jobs = group.len(), "write transaction failed");
        }
        for job in group {
            job.finish(outcome.clone());
        }
    }
}

fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// After a full disk: truncates the WAL (it holds space the checkpoint has copied out) and
/// says whether the file system has [`RECOVERY_FREE_BYTES`] free again.
fn recovered(conn: &Connection, path: Option<&std::path::Path>) -> bool {
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    // SQLite's own ceiling (`max_page_count`) counts as full too.
    let pragma = |name: &str| conn.query_row(name, [], |r| r.get::<_, i64>(0)).ok();
    if let (Some(count), Some(max), Some(size)) = (
        pragma("PRAGMA page_count"),
        pragma("PRAGMA max_page_count"),
        pragma("PRAGMA page_size"),
    ) {
        if (max - count).saturating_mul(size) < RECOVERY_FREE_BYTES as i64 {
            return false;
        }
    }
    let Some(path) = path else { return true };
    match rustix::fs::statvfs(path) {
        Ok(stat) => stat.f_bavail.saturating_mul(stat.f_frsize) >= RECOVERY_FREE_BYTES,
        // Cannot tell: let the next write find out.
        Err(_) => true,
    }
}

/// Why a group transaction failed; `busy` when SQLite could not get the write lock,
/// `full` when storage is full or cannot be written.
#[derive(Clone, Debug)]
struct Failure {
    message: String,
    busy: bool,
    full: bool,
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure {
            message: e.to_string(),
            busy: super::is_busy(&e),
            full: super::is_full(&e),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Runs the group in one transaction; `Ok(true)` when it committed but some job found
/// storage full.
fn run_group(conn: &Connection, group: &mut [Box<dyn Job>]) -> Result<bool, Failure> {
    exec(conn, "BEGIN IMMEDIATE")?;
    let mut full = false;
    for job in group.iter_mut() {
        let step = (|| -> rusqlite::Result<()> {
            exec(conn, "SAVEPOINT job")?;
            match job.run(conn) {
                Ran::Ok => exec(conn, "RELEASE job"),
                ran => {
                    full |= ran == Ran::Full;
                    exec(conn, "ROLLBACK TO job")?;
                    exec(conn, "RELEASE job")
                }
            }
        })();
        if let Err(e) = step {
            // SQLite rolls the whole transaction back itself on a full disk, so the
            // savepoint is gone: the failure is still "full".
            let _ = conn.execute_batch("ROLLBACK");
            let mut failure = Failure::from(e);
            failure.full |= full;
            return Err(failure);
        }
    }
    exec(conn, "COMMIT").map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        Failure::from(e)
    })?;
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer(capacity: usize) -> Writer {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER NOT NULL)")
            .unwrap();
        Writer::start(conn, capacity, None).unwrap()
    }

    #[test]
    fn a_failing_job_does_not_undo_its_neighbours() {
        let writer = writer(16);
        let ok = writer
            .submit(|c| Ok(c.execute("INSERT INTO t VALUES (1)", [])?))
            .unwrap();
        let bad = writer.submit(|c| -> Result<usize> {
            c.execute("INSERT INTO t VALUES (2)", [])?;
            Err(Error::invalid("nope", "refused after writing"))
        });
        let bad = bad.unwrap();
        assert_eq!(ok.blocking_recv().unwrap().unwrap(), 1);
        assert!(bad.blocking_recv().unwrap().is_err());
        let values: Vec<i64> = writer
            .write_blocking(|c| {
                Ok(c.prepare("SELECT v FROM t")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?)
            })
            .unwrap();
        assert_eq!(
            values,
            [1],
            "the failed job's insert was rolled back, the good one kept"
        );
    }

    #[test]
    fn a_full_queue_is_overloaded_not_unbounded() {
        let writer = writer(2);
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        // The first job holds the writer; two more fill the queue; the next is refused.
        let first = writer
            .submit(move |_| {
                started.send(()).ok();
                Ok(wait.recv().ok())
            })
            .unwrap();
        running.recv().unwrap();
        let queued: Vec<_> = (0..2).map(|_| writer.submit(|_| Ok(())).unwrap()).collect();
        assert!(matches!(writer.submit(|_| Ok(())), Err(Error::Overloaded)));
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
        let writer = Writer::start(conn, 4, None).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        let result = writer.write_blocking(|c| Ok(c.execute("INSERT INTO t VALUES (1)", [])?));
        assert!(matches!(result, Err(Error::Overloaded)), "{result:?}");
        other.execute_batch("ROLLBACK").unwrap();
        assert_eq!(
            writer
                .write_blocking(|c| Ok(c.execute("INSERT INTO t VALUES (1)", [])?))
                .unwrap(),
            1
        );
    }

    #[test]
    fn a_panicking_job_is_an_error_and_the_writer_lives_on() {
        let writer = writer(4);
        let result: Result<()> = writer.write_blocking(|_| panic!("boom"));
        assert!(result.is_err());
        assert_eq!(writer.write_blocking(|_| Ok(7)).unwrap(), 7);
    }
}
