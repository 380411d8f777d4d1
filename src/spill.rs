//! A vector that lives in a fixed inline array until it outgrows it.
//!
//! A router has a few dozen sockets; a server tens of thousands. The common
//! case stays in a heapless array (no allocation at all); the first push past
//! capacity moves everything to the heap and carries on, so nothing is lost.

pub enum SpillVec<T, const N: usize> {
    Inline(heapless::Vec<T, N>),
    Heap(Vec<T>),
}

impl<T, const N: usize> Default for SpillVec<T, N> {
    fn default() -> Self {
        SpillVec::Inline(heapless::Vec::new())
    }
}

impl<T, const N: usize> SpillVec<T, N> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, v: T) {
        match self {
            SpillVec::Inline(a) => {
                if let Err(v) = a.push(v) {
                    let mut h = Vec::with_capacity(N * 2);
                    h.extend(core::mem::take(a));
                    h.push(v);
                    *self = SpillVec::Heap(h);
                }
            }
            SpillVec::Heap(h) => h.push(v),
        }
    }

    pub fn truncate(&mut self, len: usize) {
        match self {
            SpillVec::Inline(a) => a.truncate(len),
            SpillVec::Heap(h) => h.truncate(len),
        }
    }

    pub fn as_slice(&self) -> &[T] {
        match self {
            SpillVec::Inline(a) => a,
            SpillVec::Heap(h) => h,
        }
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        match self {
            SpillVec::Inline(a) => a,
            SpillVec::Heap(h) => h,
        }
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn last_mut(&mut self) -> Option<&mut T> {
        self.as_mut_slice().last_mut()
    }

    pub fn spilled(&self) -> bool {
        matches!(self, SpillVec::Heap(_))
    }
}

/// Heapsort with a comparison function. One instance costs a few hundred
/// bytes, where each `sort_unstable_by_key` call site costs about 4 KB on
/// MIPS (its own quicksort, small-sort and heapsort). Not stable: callers
/// sort by unique keys, so the order is the same as any other sort's.
pub fn heap_sort<T>(v: &mut [T], less: fn(&T, &T) -> bool) {
    let n = v.len();
    for i in (0..n / 2).rev() {
        sift(v, i, n, less);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end, less);
    }
}

fn sift<T>(v: &mut [T], mut root: usize, end: usize, less: fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_without_losing_anything() {
        let mut v: SpillVec<u32, 4> = SpillVec::new();
        for i in 0..4 {
            v.push(i);
        }
        assert!(!v.spilled());
        for i in 4..100 {
            v.push(i);
        }
        assert!(v.spilled());
        assert_eq!(v.as_slice(), (0..100).collect::<Vec<_>>().as_slice());
        v.as_mut_slice().reverse();
        assert_eq!(v.as_slice()[0], 99);
        assert_eq!(v.len(), 100);
        v.truncate(3);
        assert_eq!(v.as_slice(), &[99, 98, 97]);
    }

    #[test]
    fn heap_sort_orders_like_sort() {
        for n in [0usize, 1, 2, 3, 7, 64, 1000] {
            let mut v: Vec<u64> = (0..n as u64).map(|i| (i * 7919 + 13) % 1009).collect();
            let mut w = v.clone();
            w.sort();
            heap_sort(&mut v, |a, b| a < b);
            assert_eq!(v, w, "{n}");
        }
        let mut t = vec![(2, 1), (1, 9), (2, 0), (1, 3)];
        heap_sort(&mut t, |a, b| a < b);
        assert_eq!(t, [(1, 3), (1, 9), (2, 0), (2, 1)]);
    }
}
