//! Work shared out over the cores: readings of hundreds of scopes (the alerts of every
//! site, a ranking by site) judge each one on its own.
//!
//! The work runs on a pool of threads that live as long as the process (rayon's). Threads
//! started for each request were tried first: each took a glibc arena of its own, which
//! kept what it had held after the thread ended, and a server answering `group=site` every
//! few seconds grew by megabytes a minute.

use std::sync::OnceLock;

use rayon::prelude::*;

/// The pool: one thread per core.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("horrors-parallel-{i}"))
            .build()
            .map_err(|e| tracing::warn!(error = %e, "no thread pool: work runs on one thread"))
            .ok()
    })
    .as_ref()
}

/// `f` of every item, in the items' order. Items are shared out over the pool, each
/// thread taking at least `per_thread` in a row (fewer are not worth a thread); without a
/// pool they are worked here, one after another.
pub fn map<T, R, F>(items: &[T], per_thread: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    match pool() {
        Some(pool) if items.len() > per_thread => pool.install(|| {
            items
                .par_iter()
                .with_min_len(per_thread.max(1))
                .map(&f)
                .collect()
        }),
        _ => items.iter().map(f).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_of_the_items_for_any_share() {
        for n in [0, 1, 2, 3, 17, 100] {
            let items: Vec<usize> = (0..n).collect();
            for per_thread in [0, 1, 5, 1000] {
                let got = map(&items, per_thread, |i| i * 2);
                assert_eq!(got, items.iter().map(|i| i * 2).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn runs_on_the_pool_threads_when_there_is_enough() {
        let items: Vec<usize> = (0..64).collect();
        let names = map(&items, 1, |_| {
            std::thread::current()
                .name()
                .unwrap_or_default()
                .to_string()
        });
        assert!(
            names.iter().all(|n| n.starts_with("horrors-parallel-")),
            "{names:?}"
        );
    }
}
