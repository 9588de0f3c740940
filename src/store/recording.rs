//! [`Store`]'s ticks: recording them through the writer (the tick's hot path), voiding,
//! listing and streaming them.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::*;

impl Store {
    /// Records ticks all-or-nothing; returns once they are durably committed. `who` is
    /// the token behind them (none for demo data and imports).
    pub fn record_ticks(
        &self,
        who: Option<&Identity>,
        recorded_by: &str,
        ticks: Vec<NewTick>,
    ) -> Result<Vec<Recorded>> {
        // One tick is refused, if at all, before anything is written (see `ticks::insert`).
        let alone = ticks.len() == 1;
        let job = TickJob::new(self, who)?;
        let done = self
            .inner
            .writer
            .write_one(job.work(recorded_by, ticks), alone)?;
        self.answered(&job, done)
    }

    /// [`Store::record_ticks`] from an async handler: queued at once (or refused), then
    /// awaited with no blocking thread in between (the tick's hot path). The future
    /// borrows nothing and is small: the handler's own future is allocated per request.
    ///
    /// `snapshot` and `now` are what the ticks were checked under: they are recorded
    /// under the same catalogue and instant (a tap's `occurred_at` is its `recorded_at`).
    pub fn record_ticks_async(
        &self,
        (snapshot, now): CheckedUnder,
        who: Option<&Identity>,
        recorded_by: &str,
        ticks: Vec<NewTick>,
    ) -> Result<Recording> {
        let alone = ticks.len() == 1;
        let job = TickJob::under(snapshot, now, who);
        let reply = (self.inner.writer).write_one_async(job.work(recorded_by, ticks), alone)?;
        Ok(Recording {
            store: self.clone(),
            job,
            reply,
        })
    }

    /// The answers to a recording, built on the caller's thread (see [`ticks::Written`]).
    fn answered(
        &self,
        job: &TickJob,
        (ticks, recorded_by, written): Done,
    ) -> Result<Vec<Recorded>> {
        let currency = job.snapshot.settings.currency();
        let recorded = ticks::answers(ticks, written, &recorded_by, job.now, currency)?;
        let new = recorded.iter().filter(|r| !r.replayed).count();
        self.inner.metrics.ticks_recorded(new as u64);
        Ok(recorded)
    }

    pub fn void_tick(&self, id: i64, who: Identity, reason: Option<String>) -> Result<Tick> {
        let snapshot = self.snapshot()?;
        let now = self.now();
        self.write(move |conn| {
            ticks::void(conn, id, &who, reason.as_deref(), &snapshot.settings, now)
        })
    }

    pub fn list_ticks(&self, filter: &TickFilter) -> Result<(Vec<Tick>, Option<i64>)> {
        let currency = self.currency()?;
        self.read(|conn| ticks::list(conn, filter, currency))
    }

    /// Streams the window's ticks, oldest first, to `each` (on the calling thread).
    pub fn for_each_tick(
        &self,
        window: &Window,
        scope: &Scope,
        include_voided: bool,
        each: impl FnMut(Tick) -> Result<()>,
    ) -> Result<()> {
        self.for_each_tick_up_to(window, scope, include_voided, i64::MAX, each)
    }

    /// [`Store::for_each_tick`] for at most `limit` ticks (the database stops reading there).
    pub fn for_each_tick_up_to(
        &self,
        window: &Window,
        scope: &Scope,
        include_voided: bool,
        limit: i64,
        each: impl FnMut(Tick) -> Result<()>,
    ) -> Result<()> {
        let currency = self.currency()?;
        self.read(|conn| {
            ticks::for_each(conn, window, scope, include_voided, limit, currency, each)
        })
    }

    pub fn has_ticks(&self) -> Result<bool> {
        self.read(ticks::any)
    }

    pub fn count_ticks(&self) -> Result<i64> {
        self.read(ticks::count)
    }
}

/// The catalogue and instant ticks were checked under, and are then recorded under
/// ([`Store::record_ticks_async`]).
pub type CheckedUnder = (Arc<Snapshot>, DateTime<Utc>);

/// What the writer hands back from a recording: the ticks and the recorder's name (so they
/// are freed where they were made, not on the writer) and what it decided for each.
type Done = (Vec<NewTick>, String, Vec<ticks::Written>);

/// Ticks on their way to the database ([`Store::record_ticks_async`]): resolves to their
/// answers once committed.
pub struct Recording {
    store: Store,
    job: TickJob,
    reply: writer::Reply<Done>,
}

impl Future for Recording {
    type Output = Result<Vec<Recorded>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let done = ready!(Pin::new(&mut self.reply).poll(cx))?;
        Poll::Ready(self.store.answered(&self.job, done))
    }
}

/// One recording's fixed part: the catalogue, token and instant it is recorded under.
struct TickJob {
    snapshot: Arc<Snapshot>,
    token_id: Option<i64>,
    now: DateTime<Utc>,
}

impl TickJob {
    fn new(store: &Store, who: Option<&Identity>) -> Result<TickJob> {
        Ok(TickJob::under(store.snapshot()?, store.now(), who))
    }

    fn under(snapshot: Arc<Snapshot>, now: DateTime<Utc>, who: Option<&Identity>) -> TickJob {
        TickJob {
            snapshot,
            token_id: who.map(|w| w.token_id),
            now: crate::ticks::to_millis(now),
        }
    }

    /// The writer's job: one statement on PostgreSQL (see `ticks::insert`), which alone
    /// needs no transaction.
    fn work(
        &self,
        recorded_by: &str,
        ticks: Vec<NewTick>,
    ) -> impl FnOnce(&mut dyn Conn) -> Result<Done> + Send + 'static {
        let (snapshot, token_id, now) = (Arc::clone(&self.snapshot), self.token_id, self.now);
        let recorded_by = recorded_by.to_string();
        move |conn: &mut dyn Conn| {
            let written = ticks::insert(
                conn,
                token_id,
                &recorded_by,
                &ticks,
                &snapshot.settings,
                now,
            )?;
            Ok((ticks, recorded_by, written))
        }
    }
}
