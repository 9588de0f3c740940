//! Rollup rows of one reading added up in memory: each group value's parts by (day,
//! horror), its counts by day and horror, and each window's totals. No SQL here but the
//! horror keys the parts are numbered by.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};

use super::{DayCounts, Grouped, GroupedDays};
use crate::calendar::Window;
use crate::error::Result;
use crate::money::Minor;
use crate::ranking::Tally;
use crate::store::db::Conn;

/// A (day, horror) of one group value: the horror's number in key order, the count, the
/// complaints among it and the cost, summed signed.
pub(super) type DayPart = (NaiveDate, u32, i64, i64, i64);

/// The horrors numbered in key order: a list sorted by (day, number) is sorted by
/// (day, key).
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Horrors {
    /// (key, id) in key order.
    by_key: Vec<(std::sync::Arc<str>, i64)>,
    number: HashMap<i64, u32>,
}

impl Horrors {
    pub(super) fn read(conn: &mut dyn Conn) -> Result<Horrors> {
        let mut by_key: Vec<(std::sync::Arc<str>, i64)> = super::horror_keys(conn)?
            .into_iter()
            .map(|(id, k)| (k.into(), id))
            .collect();
        by_key.sort_unstable();
        let number = by_key
            .iter()
            .enumerate()
            .map(|(n, (_, id))| (*id, n as u32))
            .collect();
        Ok(Horrors { by_key, number })
    }

    /// Copies of the keys of one group's tallies: groups summed on other threads then
    /// never count references on the same ones.
    pub(super) fn own_keys(&self) -> Vec<std::sync::Arc<str>> {
        self.by_key.iter().map(|(k, _)| k.as_ref().into()).collect()
    }

    pub(super) fn number(&self, id: i64) -> Result<u32> {
        self.number
            .get(&id)
            .copied()
            .ok_or_else(|| crate::error::Error::internal(format!("no horror {id}")))
    }
}

/// Adds `part` to the last entry of `list` when it is the same (day, horror), else
/// appends it.
pub(super) fn push_part(list: &mut Vec<DayPart>, part: DayPart) {
    match list.last_mut() {
        Some(last) if (last.0, last.1) == (part.0, part.1) => {
            last.2 += part.2;
            last.3 += part.3;
            last.4 += part.4;
        }
        _ => list.push(part),
    }
}

/// Sorts `list` by (day, horror) and adds up the entries of each.
pub(super) fn merge_sorted(list: &mut Vec<DayPart>) {
    list.sort_unstable_by_key(|&(day, horror, ..)| (day, horror));
    list.dedup_by(|next, kept| {
        let same = (next.0, next.1) == (kept.0, kept.1);
        if same {
            kept.2 += next.2;
            kept.3 += next.3;
            kept.4 += next.4;
        }
        same
    });
}

/// Each group value's counts by day and horror over `span`, and each window's totals by
/// group value and horror, from lists sorted and summed by (day, horror).
pub(super) fn sum_groups<'a>(
    lists: impl Iterator<Item = (&'a Option<String>, &'a [DayPart])>,
    span: &Window,
    windows: &[Window],
    horrors: &Horrors,
) -> (GroupedDays, Vec<Grouped>) {
    // Hundreds of sites are summed each on its own, shared out over the cores.
    let lists: Vec<_> = lists.collect();
    let n = span.days().max(0) as usize;
    let summed = crate::parallel::map(&lists, GROUPS_PER_THREAD, |(_, list)| {
        let mut counts = vec![vec![0_u64; n]; horrors.by_key.len()];
        let first = span.from().num_days_from_ce();
        let sums = sum_days(list, windows, horrors.by_key.len(), |part| {
            // Parts are read within the span.
            let i = (part.0.num_days_from_ce() - first) as usize;
            if let Some(count) = counts[part.1 as usize].get_mut(i) {
                *count = part.2 as u64;
            }
        });
        let keys = horrors.own_keys();
        let by_key = keys
            .into_iter()
            .zip(counts)
            .filter(|(_, c)| c.iter().any(|&v| v > 0))
            .collect();
        let days = DayCounts {
            from: span.from(),
            by_key,
        };
        (days, window_totals(sums, &horrors.by_key))
    });
    let mut days = BTreeMap::new();
    let mut totals: Vec<Grouped> = vec![Grouped::new(); windows.len()];
    for ((value, _), (counts, of_windows)) in lists.into_iter().zip(summed) {
        for (w, of_window) in of_windows.into_iter().enumerate() {
            if !of_window.is_empty() {
                totals[w].insert(value.clone(), of_window);
            }
        }
        days.insert(value.clone(), counts);
    }
    (days, totals)
}

/// Group values a thread sums at least (fewer are not worth a thread).
const GROUPS_PER_THREAD: usize = 32;

/// Per window, each horror's signed sums (count, complaints, cost), when it has rows.
type WindowSums = Vec<Vec<Option<[i64; 3]>>>;

/// One group value's parts, sorted and summed by (day, horror): calls `each_day` with
/// every part with ticks (summed signed, a writer slot's row may be negative), and returns
/// each window's sums by horror number.
pub(super) fn sum_days(
    list: &[DayPart],
    windows: &[Window],
    horrors: usize,
    mut each_day: impl FnMut(&DayPart),
) -> WindowSums {
    let mut sums: WindowSums = vec![vec![None; horrors]; windows.len()];
    for part in list {
        let &(day, horror, count, complaints, cost_minor) = part;
        for (w, window) in windows.iter().enumerate() {
            if window.from() <= day && day <= window.to() {
                let sum = sums[w][horror as usize].get_or_insert([0; 3]);
                sum[0] += count;
                sum[1] += complaints;
                sum[2] += cost_minor;
            }
        }
        if count > 0 {
            each_day(part);
        }
    }
    sums
}

/// Each window's totals by horror key (horrors with rows in it, clamped at 0).
pub(super) fn window_totals(
    sums: WindowSums,
    by_key: &[(std::sync::Arc<str>, i64)],
) -> Vec<BTreeMap<String, Tally>> {
    sums.into_iter()
        .map(|sums| {
            sums.into_iter()
                .enumerate()
                .filter_map(|(n, sum)| {
                    let [count, complaints, cost_minor] = sum?;
                    let tally = Tally {
                        count: count.max(0) as u64,
                        complaints: complaints.max(0) as u64,
                        cost_minor: Minor::new(cost_minor),
                    };
                    Some((by_key[n].0.to_string(), tally))
                })
                .collect()
        })
        .collect()
}
