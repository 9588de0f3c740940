//! [`Store`]'s ticks: recording them through the writer (the tick's hot path), voiding,
//! listing and streaming them.

use super::*;

impl Store {
    /// Records ticks all-or-nothing; returns once they are durably committed. `who` is
    /// the token behind them (none for demo data and imports).
    pub fn record_ticks(
        &self,
        who: Option<Identity>,
        recorded_by: &str,
        ticks: Vec<NewTick>,
    ) -> Result<Vec<Recorded>> {
        // One tick is refused, if at all, before anything is written (see `ticks::insert`).
        let alone = ticks.len() == 1;
        let work = self.tick_job(who, recorded_by, ticks)?;
        let recorded = self.inner.writer.write_one(work, alone)?;
        self.count_recorded(&recorded);
        Ok(recorded)
    }

    /// [`Store::record_ticks`] from an async handler: queued at once and awaited, with no
    /// blocking thread in between (the tick's hot path).
    pub async fn record_ticks_async(
        &self,
        who: Option<Identity>,
        recorded_by: &str,
        ticks: Vec<NewTick>,
    ) -> Result<Vec<Recorded>> {
        let alone = ticks.len() == 1;
        let work = self.tick_job(who, recorded_by, ticks)?;
        let recorded = self.inner.writer.write_one_async(work, alone).await?;
        self.count_recorded(&recorded);
        Ok(recorded)
    }

    /// The writer's job for [`Store::record_ticks`]: one statement on PostgreSQL (see
    /// `ticks::insert`), which alone needs no transaction.
    #[allow(clippy::type_complexity)]
    fn tick_job(
        &self,
        who: Option<Identity>,
        recorded_by: &str,
        ticks: Vec<NewTick>,
    ) -> Result<impl FnOnce(&mut dyn Conn) -> Result<Vec<Recorded>> + Send + 'static> {
        let snapshot = self.snapshot()?;
        let (recorded_by, now) = (recorded_by.to_string(), crate::ticks::to_millis(self.now()));
        Ok(move |conn: &mut dyn Conn| {
            ticks::insert(
                conn,
                who.as_ref(),
                &recorded_by,
                &ticks,
                &snapshot.settings,
                now,
            )
        })
    }

    fn count_recorded(&self, recorded: &[Recorded]) {
        let new = recorded.iter().filter(|r| !r.replayed).count();
        self.inner.metrics.ticks_recorded(new as u64);
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
