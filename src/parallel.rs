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

/// `(0..n).map(f)` on [`threads`] threads, as [`map`], but each result is
/// handed to `consume` in index order as soon as it and every result
/// before it are done: a result is held only until its turn, not until
/// the end (streaming output instead of collecting it). `consume` runs on
/// whichever worker completes a turn, one call at a time; the calling
/// thread is one of the workers. Items are started heaviest first by
/// `weight`, as in [`map_heaviest_first`], so that one large item (a
/// `vmlinux.o` among objects) does not run alone at the end.
pub fn for_each_ordered<T: Send>(
    n: usize,
    weight: impl Fn(usize) -> u64,
    f: impl Fn(usize) -> T + Sync,
    consume: impl FnMut(usize, T) + Send,
) {
    let threads = threads(n);
    if threads <= 1 {
        return for_each_ordered_on(1, &[], n, f, consume);
    }
    for_each_ordered_on(threads, &heaviest_first(n, weight), n, f, consume)
}

/// `0..n` ordered by `weight`, heaviest first, ties in index order.
fn heaviest_first(n: usize, weight: impl Fn(usize) -> u64) -> Vec<usize> {
    let mut order: Vec<(u64, usize)> = (0..n).map(|i| (weight(i), i)).collect();
    order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(_, i)| i).collect()
}

/// [`for_each_ordered`] on `threads` threads, starting items in `order`
/// (a permutation of `0..n`; ignored on one thread, which goes in index
/// order).
fn for_each_ordered_on<T: Send>(
    threads: usize,
    order: &[usize],
    n: usize,
    f: impl Fn(usize) -> T + Sync,
    mut consume: impl FnMut(usize, T) + Send,
) {
    if threads <= 1 {
        (0..n).for_each(|i| consume(i, f(i)));
        return;
    }
    /// Results that came early, by index, and the next index to consume.
    struct Turns<T, C> {
        turn: usize,
        early: std::collections::BTreeMap<usize, T>,
        consume: C,
    }
    let turns = std::sync::Mutex::new(Turns {
        turn: 0,
        early: std::collections::BTreeMap::new(),
        consume,
    });
    let next = AtomicUsize::new(0);
    let work = || loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let Some(&i) = order.get(k) else { return };
        let t = f(i);
        // A poisoned lock means another worker's `consume` panicked; that
        // panic is re-raised when the scope ends.
        let Ok(mut q) = turns.lock() else { return };
        let q = &mut *q;
        q.early.insert(i, t);
        while let Some(t) = q.early.remove(&q.turn) {
            (q.consume)(q.turn, t);
            q.turn += 1;
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
}

/// [`map`], with the items started heaviest first by `weight` (e.g. file
/// size), so that one large item taken last does not leave the other
/// threads idle. The results are still in index order.
pub fn map_heaviest_first<T: Send>(
    n: usize,
    weight: impl Fn(usize) -> u64,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let order = heaviest_first(n, weight);
    let mut done: Vec<(usize, T)> = map(n, |k| (order[k], f(order[k])));
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
        for threads in [1, 2, 5] {
            let mut seen = Vec::new();
            // Started backwards, the hardest order for the turns.
            let order: Vec<usize> = (0..300).rev().collect();
            super::for_each_ordered_on(
                threads,
                &order,
                300,
                |i| {
                    // Uneven work, so that results arrive out of order.
                    std::thread::sleep(std::time::Duration::from_micros((i % 5) as u64 * 50));
                    i * 3
                },
                |i, t| seen.push((i, t)),
            );
            assert_eq!(
                seen,
                (0..300).map(|i| (i, i * 3)).collect::<Vec<_>>(),
                "{threads} threads"
            );
        }
    }
}
