//! The single writer: one thread owns the write connection, drains a bounded queue, runs
//! every queued job inside one transaction (each in its own savepoint, so one failing job
//! does not undo the others) and answers all of them only after the commit is durable.
//! This is group commit: one fsync for many ticks, and a 201 never precedes its commit.
//! The same loop runs on both engines; only opening the transaction and recovering from
//! a failure differ (see [`Recover`]).

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::db::Conn;
use super::rollup::deferred;
use super::ticks::catalogue_seen;
use crate::error::{Error, Result};
use crate::metrics::WriterFigures;

/// How many jobs may wait for the writer before new writes get 503.
pub const QUEUE_CAPACITY: usize = 8192;
/// Most jobs in one transaction.
const MAX_GROUP: usize = 1024;

/// After storage failed (SQLite: disk full or unwritable; PostgreSQL: the server went
/// away), says whether writes can resume, repairing what it can first (truncating the
/// WAL, reconnecting). It may replace the connection.
pub type Recover = Box<dyn FnMut(&mut Box<dyn Conn>) -> bool + Send>;

/// Before each write group: says whether storage has room for it (SQLite: the flood stage,
/// see `sqlite::admit`). When it has not, the writer becomes degraded without writing.
pub type Admit = Box<dyn FnMut(&mut Box<dyn Conn>) -> bool + Send>;

/// After each group, before any of its jobs is answered (committed or not): hands over
/// what the group changed to whoever keeps state derived from it (`SiteDays`).
pub type AfterGroup = Box<dyn FnMut(&mut dyn Conn) + Send>;

/// Nothing kept to tell.
pub fn nothing_after() -> AfterGroup {
    Box::new(|_| {})
}

/// Admits every group (storage that cannot fill up under us, or tests).
pub fn always() -> Admit {
    Box::new(|_| true)
}

/// How a job went inside the group transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ran {
    Ok,
    Failed,
    /// Failed because storage is full, unwritable or unreachable.
    Unavailable,
}

trait Job: Send {
    /// Runs inside the open transaction; says whether the job succeeded.
    fn run(&mut self, conn: &mut dyn Conn) -> Ran;
    /// Delivers the result once the transaction's fate is known.
    fn finish(self: Box<Self>, committed: Result<(), Failure>);
    /// Runs even while storage is unavailable (maintenance that may free or limit space).
    fn essential(&self) -> bool;
    /// Writes with one statement (reads may follow it): alone in a group on PostgreSQL,
    /// it runs without a transaction around it, in one round trip.
    fn one_statement(&self) -> bool;
    /// Fails only before its first write (its refusals come from reads): on SQLite it runs
    /// without a savepoint of its own. Should it ever fail after writing, the whole group
    /// is undone (503 for the others, nothing of them acknowledged).
    fn refuses_before_writing(&self) -> bool;
    /// Its rollup changes may wait for the end of the group (ticks, on SQLite: see
    /// `rollup::deferred`).
    fn defers_rollups(&self) -> bool;
}

struct TypedJob<F, T> {
    essential: bool,
    one_statement: bool,
    refuses_before_writing: bool,
    defers_rollups: bool,
    work: Option<F>,
    result: Option<Result<T>>,
    reply: oneshot::Sender<Result<T>>,
}

impl<F, T> Job for TypedJob<F, T>
where
    F: FnOnce(&mut dyn Conn) -> Result<T> + Send,
    T: Send,
{
    fn run(&mut self, conn: &mut dyn Conn) -> Ran {
        let Some(work) = self.work.take() else {
            return Ran::Failed;
        };
        let result = catch_unwind(AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| Err(Error::internal("a write job panicked")));
        let ran = match &result {
            Ok(_) => Ran::Ok,
            Err(Error::StorageUnavailable { reason }) => {
                // The engine's reason, logged once: the group stops at this job.
                tracing::error!(%reason, "storage is unavailable");
                Ran::Unavailable
            }
            Err(_) => Ran::Failed,
        };
        self.result = Some(result);
        ran
    }

    fn essential(&self) -> bool {
        self.essential
    }

    fn one_statement(&self) -> bool {
        self.one_statement
    }

    fn refuses_before_writing(&self) -> bool {
        self.refuses_before_writing
    }

    fn defers_rollups(&self) -> bool {
        self.defers_rollups
    }

    fn finish(self: Box<Self>, committed: Result<(), Failure>) {
        let result = match (committed, self.result) {
            (_, Some(Err(e))) => Err(e),
            (Ok(()), Some(Ok(value))) => Ok(value),
            (Err(Failure::Busy), _) => Err(Error::Overloaded),
            (Err(Failure::Unavailable), _) => Err(Error::unavailable("the writer is degraded")),
            // The transaction failed for a reason no class above names: still a storage
            // failure (nothing of this job was acknowledged), so 503, the cause logged.
            (Err(Failure::Other(message)), _) => {
                tracing::error!(cause = %message, "write transaction failed");
                Err(Error::unavailable(message))
            }
            (Ok(()), None) => Err(Error::internal("write job did not run")),
        };
        // The caller may have gone away (client disconnected); the write stands.
        let _ = self.reply.send(result);
    }
}

/// What the writer may skip for a job.
#[derive(Clone, Copy, Default)]
struct Shape {
    /// See [`Job::one_statement`].
    one_statement: bool,
    /// See [`Job::refuses_before_writing`].
    refuses_before_writing: bool,
    /// See [`Job::defers_rollups`].
    defers_rollups: bool,
}

impl Shape {
    fn one(refuses_before_writing: bool) -> Shape {
        Shape {
            one_statement: true,
            refuses_before_writing,
            defers_rollups: true,
        }
    }
}

/// Handle to the writer thread.
#[derive(Clone)]
pub struct Writer {
    queue: SyncSender<Box<dyn Job>>,
    degraded: Arc<AtomicBool>,
    figures: WriterFigures,
}

/// How often a degraded writer checks whether storage came back.
const RECOVERY_PROBE: Duration = Duration::from_secs(1);

impl Writer {
    /// Starts the writer thread on `conn` with a queue of `capacity` jobs.
    pub fn start(
        conn: Box<dyn Conn>,
        capacity: usize,
        admit: Admit,
        recover: Recover,
        after: AfterGroup,
    ) -> std::io::Result<Writer> {
        let (queue, jobs) = mpsc::sync_channel(capacity);
        let degraded = Arc::new(AtomicBool::new(false));
        let state = Arc::clone(&degraded);
        let figures = WriterFigures::default();
        let kept = figures.clone();
        std::thread::Builder::new()
            .name("horrors-writer".into())
            .spawn(move || run(conn, jobs, &state, (admit, recover, after), &kept))?;
        Ok(Writer {
            queue,
            degraded,
            figures,
        })
    }

    /// The queue depth and group sizes this writer keeps for `/metrics`.
    pub fn figures(&self) -> &WriterFigures {
        &self.figures
    }

    /// Whether the last write failed because storage is unavailable (and no write or
    /// recovery check has succeeded since).
    pub fn degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    fn submit<F, T>(&self, work: F, essential: bool) -> Result<oneshot::Receiver<Result<T>>>
    where
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.submit_job(work, essential, Shape::default())
    }

    fn submit_job<F, T>(
        &self,
        work: F,
        essential: bool,
        shape: Shape,
    ) -> Result<oneshot::Receiver<Result<T>>>
    where
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, receiver) = oneshot::channel();
        let job = Box::new(TypedJob {
            essential,
            one_statement: shape.one_statement,
            refuses_before_writing: shape.refuses_before_writing,
            defers_rollups: shape.defers_rollups,
            work: Some(work),
            result: None,
            reply,
        });
        // Counted before it is sent, so the writer never takes it off a count of zero.
        self.figures.queue.inc();
        match self.queue.try_send(job) {
            Ok(()) => Ok(receiver),
            Err(TrySendError::Full(_)) => {
                self.figures.queue.dec();
                Err(Error::Overloaded)
            }
            Err(TrySendError::Disconnected(_)) => {
                self.figures.queue.dec();
                Err(Error::internal("the writer thread has stopped"))
            }
        }
    }

    /// Runs `work` in the next group transaction and returns once it is committed. Call it
    /// off the async workers (see `Store::call`).
    pub fn write<F, T>(&self, work: F) -> Result<T>
    where
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.submit(work, false)?
            .blocking_recv()
            .map_err(|_| Error::internal("the writer thread has stopped"))?
    }

    /// [`Writer::write`] for work that writes with a single statement (reads may follow):
    /// alone in its group on PostgreSQL, it runs in autocommit, one round trip.
    /// `refuses_before_writing`: see [`Shape`].
    pub fn write_one<F, T>(&self, work: F, refuses_before_writing: bool) -> Result<T>
    where
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.submit_job(work, false, Shape::one(refuses_before_writing))?
            .blocking_recv()
            .map_err(|_| Error::internal("the writer thread has stopped"))?
    }

    /// [`Writer::write_one`] for the async workers: the job goes on the queue at once (or
    /// is refused, `Overloaded`), and the caller awaits the commit ([`Reply`]) without a
    /// blocking thread in between — the tick's path has no `spawn_blocking` hop.
    pub fn write_one_async<F, T>(&self, work: F, refuses_before_writing: bool) -> Result<Reply<T>>
    where
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let receiver = self.submit_job(work, false, Shape::one(refuses_before_writing))?;
        Ok(Reply(receiver))
    }

    /// Maintenance that must run even while storage is unavailable.
    pub fn maintain<F, T>(&self, work: F) -> Result<T>
    where
        F: FnOnce(&mut dyn Conn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.submit(work, true)?
            .blocking_recv()
            .map_err(|_| Error::internal("the writer thread has stopped"))?
    }
}

/// The outcome of a queued job, once its group is committed (or has failed).
pub struct Reply<T>(oneshot::Receiver<Result<T>>);

impl<T> Future for Reply<T> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|reply| reply.map_err(|_| Error::internal("the writer thread has stopped"))?)
    }
}

/// The writer loop. After a write finds storage unavailable (and storage is not usable
/// again at once: `recover` re-makes a lost session), or before one when `admit` says
/// storage has no room for it, the writer is *degraded*: every write is answered 503 at
/// once (nothing is attempted, so nothing grows at the edge of the disk) until a probe, at
/// most once a second, finds it usable again.
fn run(
    mut conn: Box<dyn Conn>,
    jobs: Receiver<Box<dyn Job>>,
    degraded: &AtomicBool,
    (mut admit, mut recover, mut after): (Admit, Recover, AfterGroup),
    figures: &WriterFigures,
) {
    let mut last_probe = Instant::now();
    // One list for every group, kept between them (a new one per group was one more
    // allocation freed with the group's, at once: docs/performance.md, "Eleventh session").
    let mut group: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_GROUP);
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
            if recover(&mut conn) {
                tracing::info!("storage is available again; writes resume");
                degraded.store(false, Ordering::Relaxed);
            }
        }
        let Some(first) = first else { continue };
        group.push(first);
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        figures.queue.dec_by(group.len() as i64);
        figures.group_size.0.observe(group.len() as f64);
        if !degraded.load(Ordering::Relaxed) && !admit(&mut conn) {
            degraded.store(true, Ordering::Relaxed);
            last_probe = Instant::now();
            tracing::error!(
                "storage is nearly full (a checkpoint needs the rest); writes answer 503 until space is freed"
            );
        }
        if degraded.load(Ordering::Relaxed) {
            let (mut essential, others): (Vec<_>, Vec<_>) =
                group.drain(..).partition(|job| job.essential());
            for job in others {
                job.finish(Err(Failure::Unavailable));
            }
            if essential.is_empty() {
                continue;
            }
            let outcome = run_group(&mut *conn, &mut essential).map(|_| ());
            after(&mut *conn);
            for job in essential {
                job.finish(outcome.clone());
            }
            continue;
        }
        let outcome = run_group(&mut *conn, &mut group);
        let unavailable = match &outcome {
            Err(cause) => *cause == Failure::Unavailable,
            Ok(unavailable) => *unavailable,
        };
        let outcome = outcome.map(|_| ());
        if unavailable {
            last_probe = Instant::now();
            // A lost session (a terminated backend, a frozen instance's transaction ended,
            // a server restarted and already back) is re-made at once, and the next group
            // is written; storage that is still unusable (unreachable, full) leaves the
            // writer degraded until a probe finds it usable.
            if recover(&mut conn) {
                tracing::warn!("the storage session was lost and is re-made; writes go on");
            } else {
                degraded.store(true, Ordering::Relaxed);
                tracing::error!("storage is unavailable; writes answer 503 until it is back");
            }
        } else if let Err(cause) = &outcome {
            tracing::error!(%cause, jobs = group.len(), "write transaction failed");
        }
        after(&mut *conn);
        for job in group.drain(..) {
            job.finish(outcome.clone());
        }
    }
}

/// Why a group transaction failed.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Failure {
    /// Another process held the write lock too long.
    Busy,
    /// Storage is full, unwritable or unreachable.
    Unavailable,
    Other(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::Overloaded => Failure::Busy,
            Error::StorageUnavailable { .. } => Failure::Unavailable,
            other => Failure::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Busy => f.write_str("the database is locked by another process"),
            Failure::Unavailable => f.write_str("storage is unavailable"),
            Failure::Other(message) => f.write_str(message),
        }
    }
}

/// Runs the group in one transaction; `Ok(true)` when it committed but some job found
/// storage unavailable.
fn run_group(conn: &mut dyn Conn, group: &mut [Box<dyn Job>]) -> Result<bool, Failure> {
    catalogue_seen::new_group();
    let outcome = run_group_deferring(conn, group);
    // Whatever a failed group deferred was rolled back with it, and what it read of the
    // catalogue may have been.
    deferred::discard();
    if outcome != Ok(false) {
        catalogue_seen::forget();
    }
    outcome
}

fn run_group_deferring(conn: &mut dyn Conn, group: &mut [Box<dyn Job>]) -> Result<bool, Failure> {
    if let [job] = group {
        return run_alone(conn, job);
    }
    conn.begin_write().map_err(|e| {
        let _ = conn.batch("ROLLBACK");
        Failure::from(e)
    })?;
    let mut unavailable = false;
    // Each statement to PostgreSQL is a round trip: there, closing one job's savepoint and
    // opening the next's go together, and the last job's savepoint is released by COMMIT.
    // (SQLite runs in-process; its statements stay one by one, prepared and cached.)
    let chained = conn.engine() == super::db::Engine::Postgres;
    let last = group.len().saturating_sub(1);
    for (i, job) in group.iter_mut().enumerate() {
        let more = i < last;
        if !job.defers_rollups() {
            // A job that does not defer sees every earlier job's rollup changes.
            if let Err(e) = deferred::flush(conn) {
                let _ = conn.batch("ROLLBACK");
                return Err(Failure::from(e));
            }
        }
        if !chained && job.refuses_before_writing() {
            // A job that refuses before writing needs no savepoint (a tick: two fewer
            // statements and no copy of every page it touches into the sub-journal).
            // Storage failing under it (SQLite may then have rolled the transaction back
            // itself) or a write before the failure ends the group: nothing is committed.
            let before = conn.changes();
            let ran = run_job(conn, job);
            if ran == Ran::Unavailable {
                let _ = conn.batch("ROLLBACK");
                return Err(Failure::Unavailable);
            }
            if ran == Ran::Failed && conn.changes() != before {
                let _ = conn.batch("ROLLBACK");
                return Err(Failure::Other(
                    "a write job failed after writing; its group is undone".into(),
                ));
            }
            continue;
        }
        let step = (|| -> Result<()> {
            if !chained || i == 0 {
                conn.batch("SAVEPOINT job")?;
            }
            match run_job(conn, job) {
                Ran::Ok if chained && more => conn.batch("RELEASE SAVEPOINT job; SAVEPOINT job"),
                Ran::Ok if chained => Ok(()),
                Ran::Ok => conn.batch("RELEASE SAVEPOINT job"),
                ran => {
                    unavailable |= ran == Ran::Unavailable;
                    if chained && more {
                        conn.batch(
                            "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job; SAVEPOINT job",
                        )
                    } else {
                        conn.batch("ROLLBACK TO SAVEPOINT job")?;
                        conn.batch("RELEASE SAVEPOINT job")
                    }
                }
            }
        })();
        if let Err(e) = step {
            // SQLite rolls the whole transaction back itself on a full disk, and a lost
            // PostgreSQL connection takes it along: the savepoint is gone, and the failure
            // is still "unavailable".
            let _ = conn.batch("ROLLBACK");
            let failure = Failure::from(e);
            return Err(if unavailable {
                Failure::Unavailable
            } else {
                failure
            });
        }
    }
    commit(conn)?;
    Ok(unavailable)
}

/// Runs `job`; what a job that defers its rollup changes deferred is dropped if it fails.
fn run_job(conn: &mut dyn Conn, job: &mut Box<dyn Job>) -> Ran {
    if !job.defers_rollups() {
        // Only jobs that record ticks may use what the writer remembers of the catalogue;
        // any other may change it.
        catalogue_seen::forget();
        return job.run(conn);
    }
    let (ran, mark) = deferred::during(|| job.run(conn));
    if ran != Ran::Ok {
        deferred::undo(mark);
    }
    ran
}

/// Writes what the group deferred, then commits (or rolls back if either fails).
fn commit(conn: &mut dyn Conn) -> Result<(), Failure> {
    deferred::flush(conn)
        .and_then(|()| conn.batch("COMMIT"))
        .map_err(|e| {
            let _ = conn.batch("ROLLBACK");
            Failure::from(e)
        })
}

/// A group of one job needs no savepoint: if it fails, the whole transaction is rolled
/// back. A one-statement job on PostgreSQL needs no transaction either (the statement is
/// atomic by itself): a tick is then one round trip.
fn run_alone(conn: &mut dyn Conn, job: &mut Box<dyn Job>) -> Result<bool, Failure> {
    if job.one_statement() && conn.engine() == super::db::Engine::Postgres {
        return Ok(job.run(conn) == Ran::Unavailable);
    }
    conn.begin_write().map_err(|e| {
        let _ = conn.batch("ROLLBACK");
        Failure::from(e)
    })?;
    match run_job(conn, job) {
        Ran::Ok => commit(conn)?,
        ran => {
            let rolled_back = conn.batch("ROLLBACK");
            if ran == Ran::Unavailable {
                return Ok(true);
            }
            rolled_back.map_err(Failure::from)?;
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests;
