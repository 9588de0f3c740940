//! Work shared out over the cores: readings of hundreds of scopes (the alerts of every
//! site, a ranking by site) judge each one on its own.

/// `f` of every item, in the items' order. Items are dealt out in turn over up to one
/// thread per core, each taking at least `per_thread` (fewer are not worth a thread); the
/// calling thread takes the first share. A share whose thread cannot start is worked
/// here, after the others started.
pub fn map<T, R, F>(items: &[T], per_thread: usize, name: &str, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().div_ceil(per_thread.max(1)))
        .max(1);
    let share = |t: usize| -> Vec<R> { items.iter().skip(t).step_by(threads).map(&f).collect() };
    let shares: Vec<Vec<R>> = std::thread::scope(|s| {
        let workers: Vec<_> = (1..threads)
            .map(|t| {
                std::thread::Builder::new()
                    .name(name.into())
                    .spawn_scoped(s, move || share(t))
                    .map_err(|_| t)
            })
            .collect();
        let mut shares = vec![share(0)];
        for worker in workers {
            shares.push(match worker {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(t) => share(t),
            });
        }
        shares
    });
    // Share t holds items t, t + threads, …: dealt back into order.
    let mut shares: Vec<std::vec::IntoIter<R>> = shares.into_iter().map(Vec::into_iter).collect();
    (0..items.len())
        .filter_map(|i| shares[i % threads].next())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_of_the_items_for_any_share() {
        for n in [0, 1, 2, 3, 17, 100] {
            let items: Vec<usize> = (0..n).collect();
            for per_thread in [0, 1, 5, 1000] {
                let got = map(&items, per_thread, "test", |i| i * 2);
                assert_eq!(got, items.iter().map(|i| i * 2).collect::<Vec<_>>());
            }
        }
    }
}
