//! The crate's one stable sort. Each `slice::sort_by` on a new element type or comparator
//! instantiates the standard library's driftsort again, about 8 KB of wasm apiece: thirty call
//! sites were a tenth of the wasm. [`by`] instead sorts positions (`usize`) through a `dyn`
//! comparator, so driftsort is compiled once, and then moves the elements into place by following
//! the permutation's cycles. The result is exactly `sort_by`'s: stable, ties in their first order.
//!
//! Sorts of every customer by a number (amount, CLV, a score) go through [`by_key`] and
//! [`by_key_then`] instead: a radix sort of `(key, position)` pairs, stable like `by` and several
//! times faster than comparisons through a `dyn` comparator, with one instance for every caller.
//!
//! Numbers for quantiles (RFM centres, score ranges, BCG medians) go through [`floats`], the same
//! radix sort on the numbers' keys. The few other sorts on the hot path of a large file (a
//! customer's products, its order lines by day) stay on `sort_unstable*` where they are.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, stably; the same result as `v.sort_by(cmp)`.
pub fn by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    {
        let items: &[T] = v;
        positions(&mut order, &mut |a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        });
    }
    permute(v, &mut order);
}

/// Sorts `v` by `key`, smallest first, stably: the same result as `by(v, |a, b|
/// key(a).cmp(&key(b)))`. [`f64_key`] turns a number into a key in `total_cmp`'s order.
pub fn by_key<T>(v: &mut [T], key: impl Fn(&T) -> u64) {
    let mut order = key_order(v.iter().map(key).zip(0..).collect(), None);
    permute(v, &mut order);
}

/// `by(v, cmp)` for a `cmp` that orders by `key` first (smallest key first) and only breaks
/// ties its own way: the keys are radix-sorted, then each run of equal keys is sorted by `cmp`.
/// With a `cmp` that disagrees with `key`, the order is by key, then by `cmp` within a key.
pub fn by_key_then<T>(
    v: &mut [T],
    key: impl Fn(&T) -> u64,
    mut cmp: impl FnMut(&T, &T) -> Ordering,
) {
    let keyed = v.iter().map(key).zip(0..).collect();
    let items: &[T] = v;
    let mut order = key_order(
        keyed,
        Some(&mut |a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        }),
    );
    permute(v, &mut order);
}

/// The positions of `(key, position)` pairs in key order, stably; runs of equal keys sorted by
/// `ties` when given. One instance serves every caller.
fn key_order(
    mut keyed: Vec<(u64, usize)>,
    mut ties: Option<&mut dyn FnMut(usize, usize) -> Ordering>,
) -> Vec<usize> {
    radix(&mut keyed);
    let mut order: Vec<usize> = keyed.iter().map(|&(_, i)| i).collect();
    if let Some(cmp) = ties.as_mut() {
        let mut start = 0;
        while start < keyed.len() {
            let k = keyed.get(start).map_or(0, |p| p.0);
            let run = keyed
                .get(start..)
                .map_or(0, |r| r.iter().take_while(|p| p.0 == k).count());
            let end = start + run.max(1);
            if let Some(run) = order.get_mut(start..end).filter(|r| r.len() > 1) {
                positions(run, *cmp);
            }
            start = end;
        }
    }
    order
}

/// A sort key in `f64::total_cmp`'s order: -NaN, -∞ … -0.0, 0.0 … ∞, NaN. `!f64_key(x)` sorts
/// largest first.
pub fn f64_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

/// Sorts numbers in `f64::total_cmp`'s order, as `v.sort_unstable_by(f64::total_cmp)` would: by
/// radix on their [`f64_key`], so the wasm needs no comparison sort of its own for them (2.6 KB
/// gzipped). It takes 32 bytes a number while it sorts.
pub fn floats(v: &mut [f64]) {
    let mut keyed: Vec<(u64, usize)> = v.iter().map(|&x| (f64_key(x), 0)).collect();
    radix(&mut keyed);
    for (x, &(k, _)) in v.iter_mut().zip(&keyed) {
        *x = f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k });
    }
}

/// Least-significant-digit radix sort by the key, a byte per pass; stable, so equal keys keep
/// their positions' order. A byte every key shares costs no pass.
fn radix(v: &mut Vec<(u64, usize)>) {
    let mut counts = [[0usize; 256]; 8];
    for &(k, _) in v.iter() {
        for (byte, c) in counts.iter_mut().enumerate() {
            if let Some(n) = c.get_mut((k >> (8 * byte)) as usize & 0xFF) {
                *n += 1;
            }
        }
    }
    let mut other = vec![(0u64, 0usize); v.len()];
    for (byte, c) in counts.iter().enumerate() {
        if c.contains(&v.len()) {
            continue;
        }
        let mut next = [0usize; 256];
        let mut at = 0;
        for (slot, &n) in next.iter_mut().zip(c.iter()) {
            *slot = at;
            at += n;
        }
        for &p in v.iter() {
            if let Some(slot) = next.get_mut((p.0 >> (8 * byte)) as usize & 0xFF) {
                if let Some(out) = other.get_mut(*slot) {
                    *out = p;
                }
                *slot += 1;
            }
        }
        std::mem::swap(v, &mut other);
    }
}

/// The first `k` items of `items` in the order [`by`] would give them, without sorting the rest:
/// each item is checked against the current k-th, and only those that beat it are inserted
/// (a top-10 list of a hundred thousand customers is one comparison for most of them). A long
/// list (more than 64 items) is sorted whole instead: insertion would cost up to k
/// moves an item.
pub fn first<T>(
    items: impl IntoIterator<Item = T>,
    k: usize,
    mut cmp: impl FnMut(&T, &T) -> Ordering,
) -> Vec<T> {
    if k > FIRST_BY_INSERTION {
        let mut all: Vec<T> = items.into_iter().collect();
        by(&mut all, &mut cmp);
        all.truncate(k);
        return all;
    }
    let mut top: Vec<T> = Vec::with_capacity(k + 1);
    if k == 0 {
        return top;
    }
    for x in items {
        if top.len() >= k
            && top
                .last()
                .is_some_and(|last| cmp(&x, last) != Ordering::Less)
        {
            continue;
        }
        // After every kept item that is not greater: equal items keep their first order.
        let at = top.partition_point(|y| cmp(y, &x) != Ordering::Greater);
        top.insert(at, x);
        top.truncate(k);
    }
    top
}

/// The longest list [`first`] builds by insertion.
const FIRST_BY_INSERTION: usize = 64;

/// The single instance of the standard library's stable sort.
fn positions(order: &mut [usize], cmp: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Rearranges `v` so that position `i` holds what was at `order[i]`; `order` is used up (every
/// entry ends as its own position). Each cycle of the permutation costs one swap per element.
/// An `order` that is not a permutation (repeats, or positions past `v`) leaves `v` in some
/// order of its own elements.
pub fn permute<T>(v: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut at = start;
        while let Some(&from) = order.get(at) {
            if let Some(slot) = order.get_mut(at) {
                *slot = at;
            }
            if from == start || from == at || from >= v.len() {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `first` is the head of the stable sort, ties included.
        #[test]
        fn first_is_the_head_of_the_sort(v in proptest::collection::vec((0u8..6, 0u16..1000), 0..200), k in 0usize..100) {
            let mut sorted = v.clone();
            by(&mut sorted, |a, b| b.0.cmp(&a.0));
            sorted.truncate(k);
            prop_assert_eq!(first(v, k, |a, b| b.0.cmp(&a.0)), sorted);
        }
    }

    #[test]
    fn sorts_stably_by_the_comparator() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        by(&mut v, |x, y| x.0.cmp(&y.0));
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut w = vec![5.0, f64::NAN, -1.0, 2.5];
        by(&mut w, |x, y| y.total_cmp(x));
        assert!(w[0].is_nan());
        assert_eq!(&w[1..], [5.0, 2.5, -1.0]);
    }

    proptest! {
        // Keys from a small range force many ties; the tag shows whether their order was kept.
        #[test]
        fn matches_the_standard_stable_sort(keys in proptest::collection::vec(0u8..6, 0..300)) {
            let tagged: Vec<(u8, usize)> = keys.into_iter().enumerate().map(|(i, k)| (k, i)).collect();
            let mut ours = tagged.clone();
            by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut std_sorted = tagged;
            std_sorted.sort_by_key(|a| std::cmp::Reverse(a.0));
            prop_assert_eq!(ours, std_sorted);
        }

        /// The radix sort with a tie-break is the comparison sort it stands for, ties included;
        /// numbers are in `total_cmp`'s order, signed zeros and NaNs too.
        #[test]
        fn by_key_then_is_the_comparison_sort(
            v in proptest::collection::vec((prop_oneof![
                Just(0.0), Just(-0.0), Just(f64::NAN), Just(-f64::NAN), Just(f64::INFINITY),
                Just(f64::NEG_INFINITY), -3.0f64..3.0, (-3i32..3).prop_map(f64::from),
            ], 0u8..4), 0..300),
        ) {
            let tagged: Vec<(f64, u8, usize)> = v.into_iter().enumerate().map(|(i, (x, t))| (x, t, i)).collect();
            let mut ours = tagged.clone();
            by_key_then(&mut ours, |p| !f64_key(p.0), |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut std_sorted = tagged.clone();
            std_sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            prop_assert_eq!(ours.iter().map(|p| p.2).collect::<Vec<_>>(), std_sorted.iter().map(|p| p.2).collect::<Vec<_>>());
            let mut ours = tagged.clone();
            by_key(&mut ours, |p| f64_key(p.0));
            let mut std_sorted = tagged;
            std_sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            prop_assert_eq!(ours.iter().map(|p| p.2).collect::<Vec<_>>(), std_sorted.iter().map(|p| p.2).collect::<Vec<_>>());
        }

        /// Bit for bit the comparison sort: signed zeros, NaNs of either sign and any bits.
        #[test]
        fn floats_sort_like_total_cmp(v in proptest::collection::vec(prop_oneof![
            Just(0.0), Just(-0.0), Just(f64::NAN), Just(-f64::NAN), Just(f64::INFINITY),
            Just(f64::NEG_INFINITY), -3.0f64..3.0, any::<u64>().prop_map(f64::from_bits),
        ], 0..300)) {
            let mut ours = v.clone();
            floats(&mut ours);
            let mut std_sorted = v;
            std_sorted.sort_unstable_by(f64::total_cmp);
            prop_assert_eq!(
                ours.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                std_sorted.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
        }

        #[test]
        fn permute_only_swaps_even_given_a_non_permutation(
            order in proptest::collection::vec(0usize..40, 0..40),
        ) {
            let n = order.len();
            // Positions up to twice the length: some point past the end.
            let mut order: Vec<usize> = order.into_iter().map(|i| i % (2 * n).max(1)).collect();
            let mut v: Vec<usize> = (0..n).collect();
            permute(&mut v, &mut order);
            v.sort_unstable();
            prop_assert_eq!(v, (0..n).collect::<Vec<_>>());
        }

        #[test]
        fn moves_strings_without_losing_any(words in proptest::collection::vec("[a-c]{0,3}", 0..100)) {
            let mut ours = words.clone();
            by(&mut ours, |a, b| a.len().cmp(&b.len()));
            let mut std_sorted = words;
            std_sorted.sort_by_key(|w| w.len());
            prop_assert_eq!(ours, std_sorted);
        }
    }
}
