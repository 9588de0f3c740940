//! [`Store`]'s readings of the daily rollup and the volume, for rankings, trends and charts.

use super::*;

impl Store {
    // ------------------------------------------------------------ rollup

    /// Totals by horror key over the window within `scope`.
    pub fn tallies(&self, window: &Window, scope: &Scope) -> Result<BTreeMap<String, Tally>> {
        self.read(|conn| rollup::tallies(conn, window, scope, false))
    }

    /// [`Store::tallies`] of ticks on (day, site) pairs with recorded volume only.
    pub fn covered_tallies(
        &self,
        window: &Window,
        scope: &Scope,
    ) -> Result<BTreeMap<String, Tally>> {
        self.read(|conn| rollup::tallies(conn, window, scope, true))
    }

    /// Totals by group value and horror key (`covered`: on covered pairs only).
    pub fn grouped_tallies(
        &self,
        window: &Window,
        scope: &Scope,
        group: rollup::Group,
        covered: bool,
    ) -> Result<rollup::Grouped> {
        self.read(|conn| rollup::grouped(conn, window, scope, Some(group), covered))
    }

    pub fn day_tallies(&self, window: &Window, scope: &Scope) -> Result<Vec<DayTally>> {
        self.read(|conn| rollup::day_tallies(conn, window, scope, false))
    }

    /// Day tallies by group value (one `None` entry without a group).
    pub fn grouped_days(
        &self,
        window: &Window,
        scope: &Scope,
        group: Option<rollup::Group>,
    ) -> Result<BTreeMap<Option<String>, Vec<DayTally>>> {
        self.read(|conn| rollup::grouped_days(conn, window, scope, group))
    }

    /// [`Store::grouped_days`] over `span`, with the totals of each of `windows` (days of
    /// `span`) by group value and horror from the same read.
    pub fn grouped_days_and_totals(
        &self,
        span: &Window,
        windows: &[Window],
        scope: &Scope,
        group: Option<rollup::Group>,
    ) -> Result<(rollup::GroupedDays, Vec<rollup::Grouped>)> {
        if self.engine() == Engine::Sqlite
            && group == Some(rollup::Group::Site)
            && scope.site.is_none()
            && span.days() <= rollup::MAX_SPAN_KEPT_DAYS
            // Everything committed before this reading is handed over first; a writer
            // that cannot write (a full disk) leaves the reading to the rollup itself.
            && self.write(|_| Ok(())).is_ok()
        {
            let site_days = &self.inner.site_days;
            return self.read(|conn| site_days.read(conn, span, windows));
        }
        self.read(|conn| rollup::grouped_days_and_totals(conn, span, windows, scope, group))
    }

    /// The first day with a tick, by site (`""`: no site).
    pub fn first_days(&self) -> Result<BTreeMap<String, NaiveDate>> {
        self.read(rollup::first_days)
    }

    /// The first day with a tick of every site together (`None`) or of one site.
    pub fn first_day(&self, site: Option<&str>) -> Result<Option<NaiveDate>> {
        self.read(|conn| rollup::first_day(conn, site))
    }

    /// [`Store::day_tallies`] of ticks on covered pairs only.
    pub fn covered_day_tallies(&self, window: &Window, scope: &Scope) -> Result<Vec<DayTally>> {
        self.read(|conn| rollup::day_tallies(conn, window, scope, true))
    }

    pub fn counts_on(&self, day: NaiveDate, scope: &Scope) -> Result<HashMap<String, u64>> {
        self.read(|conn| rollup::counts_on(conn, day, scope))
    }

    // ------------------------------------------------------------ volume

    /// Sets volume entries all or nothing.
    pub fn set_volume(&self, entries: Vec<NewVolume>) -> Result<()> {
        let now = self.now();
        self.write(move |conn| volume::set(conn, &entries, now))
    }

    /// The window's recorded volume within `scope`.
    pub fn volume(&self, window: &Window, scope: &Scope) -> Result<Coverage> {
        Ok(Coverage::new(
            self.read(|conn| volume::entries(conn, window, scope))?,
        ))
    }

    /// The window's volume entries within `scope`, by day then site.
    pub fn volume_entries(
        &self,
        window: &Window,
        scope: &Scope,
    ) -> Result<Vec<(NaiveDate, String, i64)>> {
        self.read(|conn| volume::entries(conn, window, scope))
    }

    /// Rows where the daily rollup disagrees with the ticks.
    pub fn check_rollup(&self) -> Result<Vec<String>> {
        self.read(rollup::check)
    }

    /// Rebuilds the daily rollup from the ticks.
    pub fn rebuild_rollup(&self) -> Result<()> {
        self.write(rollup::rebuild)
    }
}
