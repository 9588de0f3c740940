//! Every site's days of the rollup over one span, kept in memory between readings
//! (SQLite). `group=site` over hundreds of sites reads each (site, day, horror) of the
//! windows and of the dispersion sample before them: at 500 sites and 10 M ticks that is
//! most of a million rollup rows a request, and stepping them costs far more than the
//! ranking computed from them. The rows do not change between two readings unless a write
//! changed them, so they are read once and then patched: only the (site, day) pairs
//! written since are read again.
//!
//! Exact, not a cache with an age. SQLite has one writer per file:
//! - this process's writer notes every (site, day) of the per-site rollup that a job
//!   changed ([`touch`]), and after each group, before any job of it is answered, hands
//!   them over ([`SiteDays::publish`]), so a write acknowledged before a reading is in it;
//! - a write by another process (the CLI on the same file) is seen by the writer
//!   connection's `PRAGMA data_version`, read after every group; it discards every day.
//!
//! A reading first passes an empty job through the writer ([`super::super::Store`] does),
//! so that everything committed before it has been handed over.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use chrono::NaiveDate;

use super::sums::{merge_sorted, push_part, sum_groups, DayPart, Horrors};
use super::{Grouped, GroupedDays};
use crate::calendar::Window;
use crate::error::{Error, Result};
use crate::sites::Scope;
use crate::store::db::{params, Conn};
use crate::store::parse_day;
use crate::ticks::Source;

/// Per-site (site, day) pairs a writer changed, or every one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Touched {
    /// Every day of every site (a rebuild, or a write by another process).
    pub all: bool,
    /// Days (as stored) by site column (`""`: no site).
    pub days: HashMap<String, HashSet<String>>,
}

impl Touched {
    fn is_empty(&self) -> bool {
        !self.all && self.days.is_empty()
    }

    fn merge(&mut self, other: Touched) {
        self.all |= other.all;
        if self.all {
            self.days.clear();
            return;
        }
        for (site, days) in other.days {
            self.days.entry(site).or_default().extend(days);
        }
    }
}

thread_local! {
    /// What this thread's writes changed in the per-site rollup since [`take_touched`].
    /// Only the writer thread writes rollups, and it takes them after every group.
    static TOUCHED: RefCell<Touched> = RefCell::new(Touched::default());
}

/// Notes that the per-site rollup row(s) of (`site`, `day`) change.
pub(super) fn touch(site: &str, day: &str) {
    TOUCHED.with(|touched| {
        let mut touched = touched.borrow_mut();
        if touched.all {
            return;
        }
        match touched.days.get_mut(site) {
            Some(days) => {
                if !days.contains(day) {
                    days.insert(day.to_string());
                }
            }
            None => {
                touched
                    .days
                    .insert(site.to_string(), HashSet::from([day.to_string()]));
            }
        }
    });
}

/// Notes that the whole per-site rollup changes (a rebuild).
pub(super) fn touch_all() {
    TOUCHED.with(|touched| {
        let mut touched = touched.borrow_mut();
        touched.all = true;
        touched.days.clear();
    });
}

/// What this thread's writes changed since the last call (the writer, after a group).
pub fn take_touched() -> Touched {
    TOUCHED.with(|touched| std::mem::take(&mut *touched.borrow_mut()))
}

/// The days of every site over one span, and what changed since they were read.
#[derive(Default)]
pub struct SiteDays {
    /// Handed over by the writer; taken by the next reading.
    pending: Mutex<Pending>,
    /// The spans kept, the most recently read last.
    kept: Mutex<Vec<Kept>>,
    /// How many readings read every site's span whole (the rest patched what changed).
    whole_reads: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Pending {
    touched: Touched,
    /// The writer connection's `PRAGMA data_version` after its last group (`None`: none
    /// yet). It changes only when another connection commits.
    data_version: Option<i64>,
}

struct Kept {
    span: Window,
    horrors: Horrors,
    /// Each site column's parts (`""`: ticks without a site), sorted and summed by (day,
    /// horror).
    sites: BTreeMap<String, Vec<DayPart>>,
    /// Changed since this span was last read or patched.
    touched: Touched,
}

/// A site's days are read again whole (one range) beyond this many changed days.
const MAX_DAYS_PATCHED: usize = 8;
/// How many spans are kept (a dashboard's window and the one before it, say).
const MAX_SPANS_KEPT: usize = 2;
/// Longer spans are read from the rollup each time: a span's days take about 32 bytes
/// per (site, day, horror), 15 MB for 116 days of 500 sites and 8 horrors.
pub const MAX_SPAN_KEPT_DAYS: i64 = 128;

impl SiteDays {
    /// The writer's hook: after each group, what it touched and the connection's
    /// `PRAGMA data_version`.
    pub fn after_group(site_days: std::sync::Arc<SiteDays>) -> crate::store::writer::AfterGroup {
        Box::new(move |conn| {
            let version = conn
                .one_row("PRAGMA data_version", params![], |row| row.int(0))
                .ok();
            site_days.publish(take_touched(), version);
        })
    }

    /// Takes what the writer changed in its last group; `data_version` as it read it
    /// afterwards. Called on the writer thread before any job of the group is answered.
    pub fn publish(&self, touched: Touched, data_version: Option<i64>) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        pending.touched.merge(touched);
        if data_version.is_none() || pending.data_version != data_version {
            // The first group, or another process wrote: nothing kept can be trusted.
            pending.touched.merge(Touched {
                all: true,
                ..Touched::default()
            });
        }
        pending.data_version = data_version;
    }

    /// [`super::grouped_days_and_totals`] of every site (`group=site`, whole scope) over
    /// `span`, from the days kept, read again where a write changed them. `conn` is a
    /// reader; the caller has passed a job through the writer first.
    pub fn read(
        &self,
        conn: &mut dyn Conn,
        span: &Window,
        windows: &[Window],
    ) -> Result<(GroupedDays, Vec<Grouped>)> {
        let mut kept = self
            .kept
            .lock()
            .map_err(|_| Error::internal("site days poisoned"))?;
        // Taken before reading, so whatever commits from here on is read now or noted
        // for the next reading.
        let touched = std::mem::take(
            &mut self
                .pending
                .lock()
                .map_err(|_| Error::internal("site days poisoned"))?
                .touched,
        );
        if !touched.is_empty() {
            for k in kept.iter_mut() {
                k.touched.merge(touched.clone());
            }
        }
        let horrors = Horrors::read(conn)?;
        let found = kept.iter().position(|k| k.span == *span);
        let k = match found.map(|at| kept.remove(at)) {
            Some(mut k) if !k.touched.all && k.horrors == horrors => {
                k.patch(conn)?;
                k
            }
            _ => {
                self.whole_reads
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Kept::read(conn, span, horrors)?
            }
        };
        if kept.len() >= MAX_SPANS_KEPT {
            kept.remove(0);
        }
        let values: Vec<(Option<String>, &[DayPart])> = k
            .sites
            .iter()
            .map(|(site, list)| ((!site.is_empty()).then(|| site.clone()), list.as_slice()))
            .collect();
        let summed = sum_groups(
            values.iter().map(|(value, list)| (value, *list)),
            span,
            windows,
            &k.horrors,
        );
        drop(values);
        kept.push(k);
        Ok(summed)
    }
}

impl SiteDays {
    /// How many readings read every site's span whole.
    pub fn whole_reads(&self) -> u64 {
        self.whole_reads.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Kept {
    fn read(conn: &mut dyn Conn, span: &Window, horrors: Horrors) -> Result<Kept> {
        let lists = super::day_parts(
            conn,
            span,
            &Scope::ALL,
            Some(super::Group::Site),
            false,
            &horrors,
        )?;
        let sites = lists
            .into_iter()
            .map(|(value, list)| (value.unwrap_or_default(), list))
            .collect();
        Ok(Kept {
            span: *span,
            horrors,
            sites,
            touched: Touched::default(),
        })
    }

    /// Reads again the (site, day) pairs written since within the span.
    fn patch(&mut self, conn: &mut dyn Conn) -> Result<()> {
        let touched = std::mem::take(&mut self.touched);
        for (site, days) in touched.days {
            let mut days: Vec<NaiveDate> = days
                .iter()
                .map(|d| parse_day(d))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .filter(|d| self.span.from() <= *d && *d <= self.span.to())
                .collect();
            if days.is_empty() {
                continue;
            }
            days.sort_unstable();
            let ranges: Vec<Window> = if days.len() > MAX_DAYS_PATCHED {
                vec![self.span]
            } else {
                days.into_iter().map(Window::day).collect()
            };
            for range in ranges {
                let fresh = self.read_site(conn, &site, &range)?;
                let list = self.sites.entry(site.clone()).or_default();
                list.retain(|part| part.0 < range.from() || part.0 > range.to());
                list.extend(fresh);
                merge_sorted(list);
            }
            if self.sites.get(&site).is_some_and(Vec::is_empty) {
                self.sites.remove(&site);
            }
        }
        Ok(())
    }

    /// One site's parts over `range` (days of the span), sorted and summed.
    fn read_site(&self, conn: &mut dyn Conn, site: &str, range: &Window) -> Result<Vec<DayPart>> {
        let mut list = Vec::new();
        let (from, to) = (range.from().to_string(), range.to().to_string());
        conn.query(
            "SELECT day, horror_id, source, count, cost_minor FROM daily
             WHERE site = ?1 AND day BETWEEN ?2 AND ?3",
            params![site, from.as_str(), to.as_str()],
            &mut |row| {
                let day = parse_day(row.opt_str(0)?.unwrap_or_default())?;
                let horror = self.horrors.number(row.int(1)?)?;
                let count = row.int(3)?;
                let complaint = row.opt_str(2)? == Some(Source::Complaint.as_str());
                let complaints = if complaint { count } else { 0 };
                push_part(&mut list, (day, horror, count, complaints, row.int(4)?));
                Ok(())
            },
        )?;
        merge_sorted(&mut list);
        Ok(list)
    }
}

#[cfg(test)]
mod tests;
