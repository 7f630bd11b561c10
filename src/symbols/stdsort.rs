//! The permutation C++ `std::sort` (GNU libstdc++'s introsort) produces.
//!
//! llvm-nm sorts its symbol list with `llvm::sort`, i.e. `std::sort`, which
//! is not stable: symbols with equal names (an asm `U exported_data` next to
//! the C definition `D exported_data`) come out in an order that depends on
//! the algorithm. Debian's LLVM is built against libstdc++, so reproducing
//! llvm-nm byte for byte means reproducing libstdc++'s introsort: median of
//! three into the first slot, unguarded partition, recursion on the right
//! part while the depth budget (2·⌊log2 n⌋) lasts, heap sort when it runs
//! out, and a final insertion sort (the first 16 guarded, the rest not).

const THRESHOLD: usize = 16;

/// Sorts `v` exactly as libstdc++'s `std::sort(v.begin(), v.end(), less)`.
pub fn std_sort<T: Clone>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    if v.len() < 2 {
        return;
    }
    let depth = 2 * (usize::BITS - 1 - v.len().leading_zeros()) as usize;
    introsort_loop(v, depth, less);
    final_insertion_sort(v, less);
}

fn introsort_loop<T: Clone>(mut v: &mut [T], mut depth: usize, less: &impl Fn(&T, &T) -> bool) {
    while v.len() > THRESHOLD {
        if depth == 0 {
            heap_sort(v, less);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(v, less);
        let (left, right) = v.split_at_mut(cut);
        introsort_loop(right, depth, less);
        v = left;
    }
}

fn partition_pivot<T>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) -> usize {
    let last = v.len();
    let mid = last / 2;
    move_median_to_first(v, 1, mid, last - 1, less);
    unguarded_partition(v, 1, last, less)
}

fn move_median_to_first<T>(
    v: &mut [T],
    a: usize,
    b: usize,
    c: usize,
    less: &impl Fn(&T, &T) -> bool,
) {
    let pick = if less(&v[a], &v[b]) {
        if less(&v[b], &v[c]) {
            b
        } else if less(&v[a], &v[c]) {
            c
        } else {
            a
        }
    } else if less(&v[a], &v[c]) {
        a
    } else if less(&v[b], &v[c]) {
        c
    } else {
        b
    };
    v.swap(0, pick);
}

/// Partitions `v[first..last]` around the pivot `v[0]`.
fn unguarded_partition<T>(
    v: &mut [T],
    mut first: usize,
    mut last: usize,
    less: &impl Fn(&T, &T) -> bool,
) -> usize {
    loop {
        // The pivot is the median of three, so both scans stop inside the
        // slice; the bounds checks only guard against a broken comparator.
        while first < v.len() && less(&v[first], &v[0]) {
            first += 1;
        }
        last -= 1;
        while last > 0 && less(&v[0], &v[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        v.swap(first, last);
        first += 1;
    }
}

fn final_insertion_sort<T>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    if v.len() > THRESHOLD {
        insertion_sort(&mut v[..THRESHOLD], less);
        for i in THRESHOLD..v.len() {
            linear_insert(v, i, less);
        }
    } else {
        insertion_sort(v, less);
    }
}

fn insertion_sort<T>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        if less(&v[i], &v[0]) {
            v[..=i].rotate_right(1);
        } else {
            linear_insert(v, i, less);
        }
    }
}

/// `__unguarded_linear_insert`: moves `v[i]` left past every element it is
/// less than.
fn linear_insert<T>(v: &mut [T], i: usize, less: &impl Fn(&T, &T) -> bool) {
    let mut j = i;
    while j > 0 && less(&v[i], &v[j - 1]) {
        j -= 1;
    }
    v[j..=i].rotate_right(1);
}

fn heap_sort<T: Clone>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    let len = v.len();
    if len >= 2 {
        let mut parent = (len - 2) / 2;
        loop {
            let value = v[parent].clone();
            adjust_heap(v, parent, len, value, less);
            if parent == 0 {
                break;
            }
            parent -= 1;
        }
    }
    let mut last = len;
    while last > 1 {
        last -= 1;
        let value = v[last].clone();
        v[last] = v[0].clone();
        adjust_heap(&mut v[..last], 0, last, value, less);
    }
}

fn adjust_heap<T: Clone>(
    v: &mut [T],
    mut hole: usize,
    len: usize,
    value: T,
    less: &impl Fn(&T, &T) -> bool,
) {
    let top = hole;
    let mut child = hole;
    while child < (len.saturating_sub(1)) / 2 {
        child = 2 * (child + 1);
        if less(&v[child], &v[child - 1]) {
            child -= 1;
        }
        v[hole] = v[child].clone();
        hole = child;
    }
    if len & 1 == 0 && len >= 2 && child == (len - 2) / 2 {
        child = 2 * (child + 1);
        v[hole] = v[child - 1].clone();
        hole = child - 1;
    }
    // __push_heap
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(&v[parent], &value) {
            break;
        }
        v[hole] = v[parent].clone();
        hole = parent;
    }
    v[hole] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn sorts_and_heap_sorts() {
        let mut seed = 7;
        for n in [0usize, 1, 2, 15, 16, 17, 40, 1000] {
            let mut v: Vec<(u64, usize)> = (0..n).map(|i| (lcg(&mut seed) % 10, i)).collect();
            let less = |a: &(u64, usize), b: &(u64, usize)| a.0 < b.0;
            std_sort(&mut v, &less);
            assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
            let mut h: Vec<u64> = (0..n).map(|_| lcg(&mut seed) % 100).collect();
            heap_sort(&mut h, &|a: &u64, b: &u64| a < b);
            assert!(h.windows(2).all(|w| w[0] <= w[1]), "{h:?}");
        }
    }
}
