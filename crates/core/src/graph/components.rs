//! Connected components: union–find for the symmetric foot networks, Kosaraju's strongly
//! connected components for the directed vehicle network. Both iterative (no recursion on
//! million-node graphs) and deterministic.

/// Union–find over `0..n` with path halving. `union(a, b)` points `a`'s root at `b`'s root, so
/// the caller decides which representative survives.
#[derive(Debug, Clone)]
pub(crate) struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
        }
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins the sets of `a` and `b`, the root of `b`'s set becoming the root of both.
    /// Returns false if they were already one set.
    pub(crate) fn union_into(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        self.parent[ra as usize] = rb;
        true
    }
}

/// Component labels for `n` nodes given an edge filter over a CSR. `touched[v]` says whether
/// any kept edge touches `v`.
pub(crate) struct Labels {
    pub(crate) label: Vec<u32>,
    pub(crate) touched: Vec<bool>,
}

/// Weakly connected components over the edges `e` with `keep(e)` (used for foot, whose edges
/// come in symmetric pairs, so weak = strong).
pub(crate) fn weak(n: usize, tail: &[u32], head: &[u32], keep: impl Fn(usize) -> bool) -> Labels {
    let mut uf = UnionFind::new(n);
    let mut touched = vec![false; n];
    for e in 0..head.len() {
        if keep(e) {
            touched[tail[e] as usize] = true;
            touched[head[e] as usize] = true;
            uf.union_into(tail[e], head[e]);
        }
    }
    let label = (0..n as u32).map(|v| uf.find(v)).collect();
    Labels { label, touched }
}

/// Strongly connected components (Kosaraju) over the CSR edges with `keep(e)`.
pub(crate) fn strong(
    first_out: &[u32],
    head: &[u32],
    first_in: &[u32],
    in_edge: &[u32],
    tail: &[u32],
    keep: impl Fn(usize) -> bool,
) -> Labels {
    let n = first_out.len() - 1;
    let mut touched = vec![false; n];
    for e in 0..head.len() {
        if keep(e) {
            touched[tail[e] as usize] = true;
            touched[head[e] as usize] = true;
        }
    }
    // Pass 1: finishing order of a depth-first search over out-edges.
    let mut visited = vec![false; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut stack: Vec<(u32, u32)> = Vec::new();
    for s in 0..n as u32 {
        if visited[s as usize] {
            continue;
        }
        visited[s as usize] = true;
        stack.push((s, first_out[s as usize]));
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            let end = first_out[v as usize + 1];
            let mut pushed = false;
            let mut e = next;
            while e < end {
                let ei = e as usize;
                e += 1;
                if keep(ei) && !visited[head[ei] as usize] {
                    let w = head[ei];
                    visited[w as usize] = true;
                    top.1 = e;
                    stack.push((w, first_out[w as usize]));
                    pushed = true;
                    break;
                }
            }
            if !pushed {
                order.push(v);
                stack.pop();
            }
        }
    }
    // Pass 2: over in-edges in reverse finishing order; each tree is one component, labelled
    // by its first node.
    const UNSET: u32 = u32::MAX;
    let mut label = vec![UNSET; n];
    let mut work: Vec<u32> = Vec::new();
    for &s in order.iter().rev() {
        if label[s as usize] != UNSET {
            continue;
        }
        label[s as usize] = s;
        work.push(s);
        while let Some(v) = work.pop() {
            for &e in &in_edge[first_in[v as usize] as usize..first_in[v as usize + 1] as usize] {
                let ei = e as usize;
                let u = tail[ei];
                if keep(ei) && label[u as usize] == UNSET {
                    label[u as usize] = s;
                    work.push(u);
                }
            }
        }
    }
    Labels { label, touched }
}

/// The label of the largest component among touched nodes (ties: the one holding the lowest
/// node id), with the number of touched components. `None` when nothing is touched.
pub(crate) fn largest(labels: &Labels) -> (Option<u32>, usize) {
    let n = labels.label.len();
    let mut size = vec![0u32; n];
    let mut count = 0;
    for v in 0..n {
        if labels.touched[v] {
            let l = labels.label[v] as usize;
            if size[l] == 0 {
                count += 1;
            }
            size[l] += 1;
        }
    }
    let mut best: Option<u32> = None;
    let mut best_size = 0;
    for v in 0..n {
        if labels.touched[v] {
            let l = labels.label[v];
            if size[l as usize] > best_size {
                best_size = size[l as usize];
                best = Some(l);
            }
        }
    }
    (best, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scc_of_a_cycle_and_a_tail() {
        // 0 -> 1 -> 2 -> 0, 2 -> 3 (3 is its own component).
        let tail = [0u32, 1, 2, 2];
        let head = [1u32, 2, 0, 3];
        let first_out = [0u32, 1, 2, 4, 4];
        // in-edges grouped by head: 0: [2], 1: [0], 2: [1], 3: [3]
        let first_in = [0u32, 1, 2, 3, 4];
        let in_edge = [2u32, 0, 1, 3];
        let l = strong(&first_out, &head, &first_in, &in_edge, &tail, |_| true);
        assert_eq!(l.label[0], l.label[1]);
        assert_eq!(l.label[1], l.label[2]);
        assert_ne!(l.label[2], l.label[3]);
        let (big, count) = largest(&l);
        assert_eq!(count, 2);
        assert_eq!(big, Some(l.label[0]));
    }

    #[test]
    fn union_find_keeps_the_chosen_root() {
        let mut uf = UnionFind::new(4);
        assert!(uf.union_into(0, 3));
        assert!(uf.union_into(1, 0));
        assert!(!uf.union_into(3, 1));
        assert_eq!(uf.find(1), 3);
    }
}
