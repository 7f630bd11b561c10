//! Work split across cores: independent items (files, modules, file
//! pairs) handed to a few threads, results kept in input order, so that
//! output does not depend on scheduling.
//!
//! The thread count is `MODVER_THREADS` if set, else the available cores
//! (`std::thread::available_parallelism`, which honours CPU affinity and
//! cgroup quotas, as `make -j` users expect).

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads to use for `items` independent items.
pub fn threads(items: usize) -> usize {
    std::env::var("MODVER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, items.max(1))
}

/// `(0..n).map(f)`, run on [`threads`] threads, each taking the next
/// item not yet taken. The results are in index order.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads(n);
    if threads == 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut all: Vec<(usize, T)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return done;
                        }
                        done.push((i, f(i)));
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(n);
        for w in workers {
            match w.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

/// [`map`], with the items started heaviest first by `weight` (e.g. file
/// size), so that one large item taken last does not leave the other
/// threads idle. The results are still in index order.
pub fn map_heaviest_first<T: Send>(
    n: usize,
    weight: impl Fn(usize) -> u64,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let mut order: Vec<(u64, usize)> = (0..n).map(|i| (weight(i), i)).collect();
    order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut done: Vec<(usize, T)> = map(n, |k| (order[k].1, f(order[k].1)));
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The size of the file at `path` (0 if it cannot be read: the task itself
/// reports that), as a [`map_heaviest_first`] weight.
pub fn file_weight(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let v = super::map(1000, |i| i * 2);
        assert_eq!(v, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
        let w = super::map_heaviest_first(100, |i| (i % 7) as u64, |i| i + 1);
        assert_eq!(w, (1..=100).collect::<Vec<_>>());
    }
}
