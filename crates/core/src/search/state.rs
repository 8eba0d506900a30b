//! Reusable per-direction search state: one label per node (tentative cost, parent edge,
//! origin) whose validity is told by a generation stamp (as fast_paths' `valid_flags.rs`), so
//! starting a new search costs O(1) instead of clearing `n` entries, plus a binary heap with
//! integer keys and lazy deletion. A label is one 24-byte record, so relaxing an edge touches
//! one cache line.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub(crate) const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Label {
    dist: u64,
    parent: u32,
    origin: u32,
    stamp: u32,
}

const EMPTY: Label = Label {
    dist: u64::MAX,
    parent: NONE,
    origin: NONE,
    stamp: 0,
};

#[derive(Debug, Clone, Default)]
pub(crate) struct Side {
    labels: Vec<Label>,
    generation: u32,
    pub(crate) heap: BinaryHeap<Reverse<(u64, u32)>>,
    pub(crate) settled: Vec<u32>,
}

impl Side {
    /// Starts a new search over `n` nodes: O(1) unless the arrays must grow or the generation
    /// counter wraps.
    pub(crate) fn reset(&mut self, n: usize) {
        if self.labels.len() < n {
            self.labels.resize(n, EMPTY);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.labels.iter_mut().for_each(|l| l.stamp = 0);
            self.generation = 1;
        }
        self.heap.clear();
        self.settled.clear();
    }

    /// Whether `v` has a label in this search.
    #[inline]
    pub(crate) fn reached(&self, v: u32) -> bool {
        self.labels[v as usize].stamp == self.generation
    }

    /// The label of `v`, `u64::MAX` if it has none.
    #[inline]
    pub(crate) fn cost(&self, v: u32) -> u64 {
        let l = &self.labels[v as usize];
        if l.stamp == self.generation {
            l.dist
        } else {
            u64::MAX
        }
    }

    /// The parent edge of a reached node (`NONE` at a seed).
    #[inline]
    pub(crate) fn parent(&self, v: u32) -> u32 {
        self.labels[v as usize].parent
    }

    /// The seed index a reached node's label comes from.
    #[inline]
    pub(crate) fn origin(&self, v: u32) -> u32 {
        self.labels[v as usize].origin
    }

    /// Marks `v` without a cost (used as a set of targets). Returns whether it was new.
    #[inline]
    pub(crate) fn mark(&mut self, v: u32) -> bool {
        let generation = self.generation;
        let l = &mut self.labels[v as usize];
        if l.stamp == generation {
            return false;
        }
        *l = Label {
            stamp: generation,
            ..EMPTY
        };
        true
    }

    /// Lowers the label of `v` to `d` (with its parent edge and origin) if that is an
    /// improvement, queueing it. Returns whether it improved.
    #[inline]
    pub(crate) fn relax(&mut self, v: u32, d: u64, parent: u32, origin: u32) -> bool {
        let generation = self.generation;
        let l = &mut self.labels[v as usize];
        if l.stamp == generation && l.dist <= d {
            return false;
        }
        *l = Label {
            dist: d,
            parent,
            origin,
            stamp: generation,
        };
        self.heap.push(Reverse((d, v)));
        true
    }

    /// The smallest queued key that is still current, dropping stale entries.
    #[inline]
    pub(crate) fn peek(&mut self) -> Option<u64> {
        while let Some(&Reverse((d, v))) = self.heap.peek() {
            if self.cost(v) == d {
                return Some(d);
            }
            self.heap.pop();
        }
        None
    }

    /// Pops the next node to settle (after dropping stale entries).
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(u64, u32)> {
        self.peek()?;
        let Reverse((d, v)) = self.heap.pop()?;
        self.settled.push(v);
        Some((d, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_invalidate_old_labels() {
        let mut s = Side::default();
        s.reset(3);
        assert!(s.relax(1, 5, NONE, 0));
        assert!(!s.relax(1, 6, NONE, 0));
        assert_eq!(s.cost(1), 5);
        s.reset(3);
        assert_eq!(s.cost(1), u64::MAX);
        assert!(s.relax(1, 9, NONE, 0));
        assert_eq!(s.pop(), Some((9, 1)));
        assert_eq!(s.pop(), None);
    }

    #[test]
    fn stale_heap_entries_are_skipped() {
        let mut s = Side::default();
        s.reset(2);
        s.relax(0, 10, NONE, 0);
        s.relax(0, 3, NONE, 0);
        s.relax(1, 4, NONE, 0);
        assert_eq!(s.pop(), Some((3, 0)));
        assert_eq!(s.pop(), Some((4, 1)));
        assert_eq!(s.pop(), None);
    }

    #[test]
    fn marks_are_reached_without_a_cost() {
        let mut s = Side::default();
        s.reset(2);
        assert!(s.mark(1));
        assert!(!s.mark(1));
        assert!(s.reached(1));
        assert_eq!(s.cost(1), u64::MAX);
    }

    #[test]
    fn wrapping_generation_clears_stamps() {
        let mut s = Side::default();
        s.reset(1);
        s.relax(0, 1, NONE, 0);
        s.generation = u32::MAX;
        s.labels[0].stamp = 1;
        s.reset(1);
        assert_eq!(s.generation, 1);
        assert!(!s.reached(0));
    }
}
