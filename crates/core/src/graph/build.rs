//! From road segments to a [`RoadGraph`].
//!
//! 1. **Positions.** Identical coordinates are one position (OSM ways share node coordinates
//!    exactly; Travel Mapping segments meet at identical endpoints). Repeated consecutive
//!    positions in a segment are dropped.
//! 2. **Merging.** A *dangling end* — the first or last position of a segment that no other
//!    segment touches — is joined to the nearest position of another segment closer than
//!    [`GraphConfig::merge_tolerance_m`] (grid hashing with cells at least the tolerance wide,
//!    checking the 3 × 3 neighbouring cells; segments in input order, so the result is
//!    deterministic). Interior vertices close to each other are *not* joined: in OSM that is a
//!    bridge over a road, a tunnel or a parallel way, whose topology comes from shared nodes.
//!    Every join is counted and a sample is reported ([`Merge`]).
//! 3. **Splitting.** A segment is cut into edges at its ends and at every position shared with
//!    another segment (or visited twice by the same one), so interior intersections connect.
//!    A piece that merging shrank to a loop shorter than twice the tolerance is dropped.
//! 4. **Edges.** Each piece gives a directed edge per direction that some profile may use:
//!    foot ignores oneway, the vehicle profile respects it. Times per profile come from
//!    [`GraphConfig`]. Segments no profile may use are left out.
//! 5. **Components.** The largest component is found for foot without rail, foot with rail
//!    and (strongly connected) vehicle; edges outside it are not usable by that network
//!    ([`RoadGraph::usable`]) and the rest is reported ([`ComponentSummary`]).
//! 6. **Freezing.** CSR by tail (edges keep their creation order within a node), a reverse CSR
//!    by head, one flat geometry array and an R-tree of geometry pieces for snapping.

use super::components::{self, Labels, UnionFind};
use super::config::time_ds;
use super::{EdgeFlags, GraphConfig, PieceEntry, RoadGraph, NONE, NOT_ALLOWED};
use crate::coord::EARTH_RADIUS_M;
use crate::{haversine_m, LonLat, Oneway, RoadClass, RoadSegment, SourceKey};
use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Metres per degree of latitude.
pub(crate) const M_PER_DEG: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;

/// What building a graph joined, split and dropped.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BuildReport {
    /// Segments given.
    pub segments: usize,
    /// Segments no profile may use (e.g. `access=no`), left out.
    pub segments_unusable: usize,
    /// Segments with fewer than two distinct positions, left out.
    pub segments_degenerate: usize,
    /// Distinct positions over all used segments.
    pub positions: usize,
    /// Dangling ends joined to another segment within the tolerance.
    pub merges: usize,
    /// Up to [`GraphConfig::report_sample`] of those joins, in input order.
    pub merge_sample: Vec<Merge>,
    /// Pieces that merging shrank to a tiny loop, dropped.
    pub pieces_dropped: usize,
    pub nodes: usize,
    pub edges: usize,
    /// Largest component on foot, rail excluded.
    pub foot: ComponentSummary,
    /// Largest component on foot with rail allowed.
    pub foot_with_rail: ComponentSummary,
    /// Largest strongly connected component by vehicle.
    pub vehicle: ComponentSummary,
}

/// One join of a dangling segment end to another segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// The dangling end that was moved.
    pub from: LonLat,
    /// The position it was joined to (where the node is).
    pub to: LonLat,
    pub distance_m: f64,
    /// The segment whose end dangled.
    pub from_segment: SourceKey,
    /// The (first) segment holding the position it was joined to.
    pub to_segment: SourceKey,
}

/// One network's components: what was kept (the largest) and what was dropped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComponentSummary {
    /// `foot`, `foot+rail` or `vehicle`.
    pub network: &'static str,
    /// Components among nodes that have at least one edge of this network.
    pub components: usize,
    pub kept_nodes: usize,
    /// Directed edges of this network in the largest component.
    pub kept_edges: usize,
    pub dropped_nodes: usize,
    pub dropped_edges: usize,
    /// One position from each of the first dropped components (up to the report sample).
    pub dropped_sample: Vec<LonLat>,
}

impl std::fmt::Display for ComponentSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} component(s); kept {} nodes / {} edges; dropped {} nodes / {} edges",
            self.network,
            self.components,
            self.kept_nodes,
            self.kept_edges,
            self.dropped_nodes,
            self.dropped_edges
        )
    }
}

impl std::fmt::Display for BuildReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} segments ({} unusable, {} degenerate) -> {} nodes, {} edges; {} positions, {} merge(s), {} tiny piece(s) dropped",
            self.segments,
            self.segments_unusable,
            self.segments_degenerate,
            self.nodes,
            self.edges,
            self.positions,
            self.merges,
            self.pieces_dropped
        )?;
        writeln!(f, "  {}", self.foot)?;
        writeln!(f, "  {}", self.foot_with_rail)?;
        write!(f, "  {}", self.vehicle)?;
        for m in &self.merge_sample {
            write!(
                f,
                "\n  merged {} ({}) -> {} ({}): {:.2} m",
                m.from, m.from_segment, m.to, m.to_segment, m.distance_m
            )?;
        }
        Ok(())
    }
}

/// FxHash-style hasher for the position table (keys are already well mixed f64 bits).
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

fn pos_key(p: LonLat) -> (u64, u64) {
    // `+ 0.0` folds -0.0 into 0.0.
    ((p.lon() + 0.0).to_bits(), (p.lat() + 0.0).to_bits())
}

/// A directed edge before freezing.
struct RawEdge {
    tail: u32,
    head: u32,
    arc: u32,
    reversed: bool,
    foot: u32,
    vehicle: u32,
}

pub(crate) fn build(segments: &[RoadSegment], config: &GraphConfig) -> (RoadGraph, BuildReport) {
    let sample_cap = config.report_sample;
    let tol = if config.merge_tolerance_m.is_finite() {
        config.merge_tolerance_m.max(0.0)
    } else {
        0.0
    };

    // 1. Positions.
    let mut used: Vec<u32> = Vec::with_capacity(segments.len());
    let mut segments_unusable = 0;
    let mut segments_degenerate = 0;
    let mut index: FxMap<(u64, u64), u32> = FxMap::default();
    index.reserve(segments.len() * 2);
    let mut positions: Vec<LonLat> = Vec::new();
    let mut occ: Vec<u32> = Vec::new();
    let mut first_seg: Vec<u32> = Vec::new();
    let mut seg_first: Vec<u32> = vec![0];
    let mut seg_verts: Vec<u32> = Vec::new();
    for (si, seg) in segments.iter().enumerate() {
        if !seg.foot_allowed() && !seg.motor_allowed() {
            segments_unusable += 1;
            continue;
        }
        let start = seg_verts.len();
        for &p in &seg.geometry {
            let next = positions.len() as u32;
            let id = *index.entry(pos_key(p)).or_insert(next);
            if id == next {
                positions.push(p);
                occ.push(0);
                first_seg.push(si as u32);
            }
            if seg_verts.len() > start && seg_verts[seg_verts.len() - 1] == id {
                continue;
            }
            seg_verts.push(id);
        }
        if seg_verts.len() - start < 2 {
            seg_verts.truncate(start);
            segments_degenerate += 1;
            continue;
        }
        for &v in &seg_verts[start..] {
            occ[v as usize] += 1;
        }
        used.push(si as u32);
        seg_first.push(seg_verts.len() as u32);
    }
    drop(index);
    let n_positions = positions.len();
    let max_abs_lat = positions.iter().map(|p| p.lat().abs()).fold(0.0, f64::max);

    // 2. Merging dangling ends.
    let mut uf = UnionFind::new(positions.len());
    let mut merges = 0;
    let mut merge_sample = Vec::new();
    if tol > 0.0 && !positions.is_empty() {
        let cell_m = tol.max(0.05);
        let dlat = cell_m / M_PER_DEG;
        let dlon = cell_m / (M_PER_DEG * max_abs_lat.min(89.0).to_radians().cos());
        let cell_of = |p: LonLat| -> (i64, i64) {
            (
                (p.lon() / dlon).floor() as i64,
                (p.lat() / dlat).floor() as i64,
            )
        };
        let pack = |(x, y): (i64, i64)| -> u64 { ((x as u32 as u64) << 32) | (y as u32 as u64) };
        let mut cells: Vec<(u64, u32)> = positions
            .iter()
            .enumerate()
            .map(|(i, &p)| (pack(cell_of(p)), i as u32))
            .collect();
        cells.sort_unstable();
        for (k, &si) in used.iter().enumerate() {
            let verts = &seg_verts[seg_first[k] as usize..seg_first[k + 1] as usize];
            for end in [verts[0], verts[verts.len() - 1]] {
                if occ[end as usize] != 1 {
                    continue;
                }
                let p = positions[end as usize];
                let (cx, cy) = cell_of(p);
                let mut best: Option<(f64, u32)> = None;
                for dx in -1..=1 {
                    for dy in -1..=1 {
                        let key = pack((cx + dx, cy + dy));
                        let lo = cells.partition_point(|c| c.0 < key);
                        for &(ck, q) in &cells[lo..] {
                            if ck != key {
                                break;
                            }
                            if q == end {
                                continue;
                            }
                            let d = haversine_m(p, positions[q as usize]);
                            if d >= tol || best.is_some_and(|b| (d, q) >= b) {
                                continue;
                            }
                            if verts.contains(&q) {
                                continue;
                            }
                            best = Some((d, q));
                        }
                    }
                }
                if let Some((d, q)) = best {
                    if uf.union_into(end, q) {
                        merges += 1;
                        if merge_sample.len() < sample_cap {
                            merge_sample.push(Merge {
                                from: p,
                                to: positions[q as usize],
                                distance_m: d,
                                from_segment: segments[si as usize].key.clone(),
                                to_segment: segments[first_seg[q as usize] as usize].key.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    let root: Vec<u32> = (0..positions.len() as u32).map(|i| uf.find(i)).collect();
    drop(uf);
    let mut cluster_occ = vec![0u32; positions.len()];
    for (i, &r) in root.iter().enumerate() {
        cluster_occ[r as usize] += occ[i];
    }
    drop(occ);

    // 3–4. Splitting into arcs and directed edges.
    let mut node_of: Vec<u32> = vec![NONE; positions.len()];
    let mut node_pos: Vec<LonLat> = Vec::new();
    let mut arc_first: Vec<u32> = vec![0];
    let mut geom: Vec<LonLat> = Vec::with_capacity(seg_verts.len());
    let mut arc_seg: Vec<u32> = Vec::new();
    let mut arc_len: Vec<f64> = Vec::new();
    let mut raw: Vec<RawEdge> = Vec::with_capacity(seg_verts.len() * 2);
    let mut pieces_dropped = 0;
    let mut buf: Vec<LonLat> = Vec::new();
    for (k, &si) in used.iter().enumerate() {
        let seg = &segments[si as usize];
        let verts = &seg_verts[seg_first[k] as usize..seg_first[k + 1] as usize];
        let last = verts.len() - 1;
        let mut start = root[verts[0] as usize];
        let mut prev = start;
        buf.clear();
        buf.push(positions[start as usize]);
        for (j, &v) in verts.iter().enumerate().skip(1) {
            let r = root[v as usize];
            if r == prev {
                continue;
            }
            let is_node = j == last || cluster_occ[r as usize] >= 2;
            buf.push(positions[if is_node { r } else { v } as usize]);
            prev = r;
            if is_node {
                emit_piece(
                    seg,
                    si,
                    start,
                    r,
                    &buf,
                    tol,
                    config,
                    &positions,
                    &mut node_of,
                    &mut node_pos,
                    &mut arc_first,
                    &mut geom,
                    &mut arc_seg,
                    &mut arc_len,
                    &mut raw,
                    &mut pieces_dropped,
                );
                buf.clear();
                buf.push(positions[r as usize]);
                start = r;
            }
        }
        if buf.len() > 1 {
            // The last position was merged into the one before it: end the piece there.
            emit_piece(
                seg,
                si,
                start,
                prev,
                &buf,
                tol,
                config,
                &positions,
                &mut node_of,
                &mut node_pos,
                &mut arc_first,
                &mut geom,
                &mut arc_seg,
                &mut arc_len,
                &mut raw,
                &mut pieces_dropped,
            );
        }
    }
    drop((
        root,
        cluster_occ,
        node_of,
        positions,
        seg_verts,
        seg_first,
        first_seg,
    ));

    // 6. Freezing. Nodes are renumbered along a Hilbert curve so that nodes close on the map
    // are close in memory (a search touches far fewer cache lines); then CSR by tail (stable),
    // reverse CSR by head.
    let (node_pos, rank) = hilbert_order(node_pos);
    for e in raw.iter_mut() {
        e.tail = rank[e.tail as usize];
        e.head = rank[e.head as usize];
    }
    drop(rank);
    let n = node_pos.len();
    let m = raw.len();
    let mut first_out = vec![0u32; n + 1];
    for e in &raw {
        first_out[e.tail as usize + 1] += 1;
    }
    for i in 0..n {
        first_out[i + 1] += first_out[i];
    }
    let mut fill = first_out.clone();
    let mut new_id = vec![0u32; m];
    for (i, e) in raw.iter().enumerate() {
        new_id[i] = fill[e.tail as usize];
        fill[e.tail as usize] += 1;
    }
    let arcs = arc_seg.len();
    let mut arc_edges = vec![[NONE, NONE]; arcs];
    let mut head = vec![0u32; m];
    let mut tail = vec![0u32; m];
    let mut length_m = vec![0f32; m];
    let mut foot_t = vec![0u32; m];
    let mut veh_t = vec![0u32; m];
    let mut class = vec![RoadClass::Residential; m];
    let mut flags = vec![EdgeFlags::default(); m];
    let mut segment = vec![0u32; m];
    let mut arc = vec![0u32; m];
    for (i, e) in raw.iter().enumerate() {
        let id = new_id[i] as usize;
        let seg = &segments[arc_seg[e.arc as usize] as usize];
        head[id] = e.head;
        tail[id] = e.tail;
        length_m[id] = arc_len[e.arc as usize] as f32;
        foot_t[id] = e.foot;
        veh_t[id] = e.vehicle;
        class[id] = seg.class;
        let mut f = EdgeFlags::default();
        if seg.class == RoadClass::Rail {
            f.insert(EdgeFlags::RAIL);
        }
        if seg.ford {
            f.insert(EdgeFlags::FORD);
        }
        if seg.bridge {
            f.insert(EdgeFlags::BRIDGE);
        }
        if e.reversed {
            f.insert(EdgeFlags::REVERSED);
        }
        flags[id] = f;
        segment[id] = arc_seg[e.arc as usize];
        arc[id] = e.arc;
        arc_edges[e.arc as usize][usize::from(e.reversed)] = id as u32;
    }
    drop((raw, new_id, arc_len));
    let mut twin = vec![NONE; m];
    for pair in &arc_edges {
        if pair[0] != NONE && pair[1] != NONE {
            twin[pair[0] as usize] = pair[1];
            twin[pair[1] as usize] = pair[0];
        }
    }
    let mut first_in = vec![0u32; n + 1];
    for &h in &head {
        first_in[h as usize + 1] += 1;
    }
    for i in 0..n {
        first_in[i + 1] += first_in[i];
    }
    let mut fill = first_in.clone();
    let mut in_edge = vec![0u32; m];
    for (e, &h) in head.iter().enumerate() {
        in_edge[fill[h as usize] as usize] = e as u32;
        fill[h as usize] += 1;
    }
    drop(fill);

    // 5. Components.
    let rail: Vec<bool> = flags.iter().map(|f| f.contains(EdgeFlags::RAIL)).collect();
    let is_rail = |e: usize| rail[e];
    let mut component_flags = vec![EdgeFlags::default(); m];
    let foot_labels =
        components::weak(n, &tail, &head, |e| foot_t[e] != NOT_ALLOWED && !is_rail(e));
    let foot_rail_labels = components::weak(n, &tail, &head, |e| foot_t[e] != NOT_ALLOWED);
    let veh_labels = components::strong(&first_out, &head, &first_in, &in_edge, &tail, |e| {
        veh_t[e] != NOT_ALLOWED
    });
    let mut summaries = Vec::new();
    for (name, labels, bit, keep) in [
        (
            "foot",
            &foot_labels,
            EdgeFlags::IN_FOOT,
            &(|e: usize| foot_t[e] != NOT_ALLOWED && !is_rail(e)) as &dyn Fn(usize) -> bool,
        ),
        (
            "foot+rail",
            &foot_rail_labels,
            EdgeFlags::IN_FOOT_RAIL,
            &|e: usize| foot_t[e] != NOT_ALLOWED,
        ),
        (
            "vehicle",
            &veh_labels,
            EdgeFlags::IN_VEHICLE,
            &|e: usize| veh_t[e] != NOT_ALLOWED,
        ),
    ] {
        let (summary, in_comp) = summarize(name, labels, &tail, &head, keep, &node_pos, sample_cap);
        for (e, f) in component_flags.iter_mut().enumerate() {
            if in_comp(e) {
                f.insert(bit);
            }
        }
        summaries.push(summary);
    }
    for (f, c) in flags.iter_mut().zip(component_flags) {
        f.insert(c);
    }
    let vehicle = summaries.pop().unwrap_or_default();
    let foot_with_rail = summaries.pop().unwrap_or_default();
    let foot = summaries.pop().unwrap_or_default();

    // R-tree over geometry pieces.
    let mut entries: Vec<PieceEntry> = Vec::with_capacity(geom.len().saturating_sub(arcs));
    for a in 0..arcs {
        let pts = &geom[arc_first[a] as usize..arc_first[a + 1] as usize];
        for (i, w) in pts.windows(2).enumerate() {
            entries.push(GeomWithData::new(
                Line::new([w[0].lon(), w[0].lat()], [w[1].lon(), w[1].lat()]),
                (a as u32, i as u32),
            ));
        }
    }
    let rtree = RTree::bulk_load(entries);

    let report = BuildReport {
        segments: segments.len(),
        segments_unusable,
        segments_degenerate,
        positions: n_positions,
        merges,
        merge_sample,
        pieces_dropped,
        nodes: n,
        edges: m,
        foot,
        foot_with_rail,
        vehicle,
    };
    let graph = RoadGraph {
        node_pos,
        first_out,
        head,
        tail,
        first_in,
        in_edge,
        twin,
        length_m,
        time_ds: [foot_t, veh_t],
        class,
        flags,
        segment,
        arc,
        arc_first,
        arc_edges,
        geom,
        max_abs_lat,
        rtree,
    };
    (graph, report)
}

/// Sorts positions along a Hilbert curve over their bounding box (ties by old index, so the
/// order is deterministic). Returns the sorted positions and each old index's new rank.
fn hilbert_order(pos: Vec<LonLat>) -> (Vec<LonLat>, Vec<u32>) {
    if pos.is_empty() {
        return (pos, Vec::new());
    }
    let b = crate::road::bbox_of(&pos);
    let scale = |v: f64, lo: f64, hi: f64| -> u32 {
        if hi > lo {
            (((v - lo) / (hi - lo)) * 65_535.0).round() as u32
        } else {
            0
        }
    };
    let mut keyed: Vec<(u64, u32)> = pos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = scale(p.lon(), b[0], b[2]);
            let y = scale(p.lat(), b[1], b[3]);
            (hilbert_d(x, y), i as u32)
        })
        .collect();
    keyed.sort_unstable();
    let mut rank = vec![0u32; pos.len()];
    let sorted = keyed
        .iter()
        .enumerate()
        .map(|(r, &(_, i))| {
            rank[i as usize] = r as u32;
            pos[i as usize]
        })
        .collect();
    (sorted, rank)
}

/// Distance along the Hilbert curve of order 16 of the cell `(x, y)`, both `< 65_536`.
fn hilbert_d(mut x: u32, mut y: u32) -> u64 {
    const N: u32 = 1 << 16;
    let mut d: u64 = 0;
    let mut s = N / 2;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        // Rotate the quadrant.
        if ry == 0 {
            if rx == 1 {
                x = N - 1 - x;
                y = N - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

/// Summarises one network's components and returns a predicate "edge `e` is in the largest".
fn summarize<'a>(
    network: &'static str,
    labels: &'a Labels,
    tail: &'a [u32],
    head: &'a [u32],
    keep: &'a dyn Fn(usize) -> bool,
    node_pos: &[LonLat],
    sample_cap: usize,
) -> (ComponentSummary, impl Fn(usize) -> bool + 'a) {
    let (big, components) = components::largest(labels);
    let mut s = ComponentSummary {
        network,
        components,
        ..ComponentSummary::default()
    };
    let mut sampled = std::collections::HashSet::new();
    for (v, &pos) in node_pos.iter().enumerate() {
        if !labels.touched[v] {
            continue;
        }
        if Some(labels.label[v]) == big {
            s.kept_nodes += 1;
        } else {
            s.dropped_nodes += 1;
            if s.dropped_sample.len() < sample_cap && sampled.insert(labels.label[v]) {
                s.dropped_sample.push(pos);
            }
        }
    }
    let in_comp = move |e: usize| {
        keep(e)
            && Some(labels.label[tail[e] as usize]) == big
            && Some(labels.label[head[e] as usize]) == big
    };
    for e in 0..head.len() {
        if keep(e) {
            if in_comp(e) {
                s.kept_edges += 1;
            } else {
                s.dropped_edges += 1;
            }
        }
    }
    (s, in_comp)
}

/// Records one piece of a segment (between graph positions `start` and `end`, cluster roots)
/// as an arc with its directed edges.
#[allow(clippy::too_many_arguments)]
fn emit_piece(
    seg: &RoadSegment,
    si: u32,
    start: u32,
    end: u32,
    pts: &[LonLat],
    tol: f64,
    config: &GraphConfig,
    positions: &[LonLat],
    node_of: &mut [u32],
    node_pos: &mut Vec<LonLat>,
    arc_first: &mut Vec<u32>,
    geom: &mut Vec<LonLat>,
    arc_seg: &mut Vec<u32>,
    arc_len: &mut Vec<f64>,
    raw: &mut Vec<RawEdge>,
    pieces_dropped: &mut usize,
) {
    let length: f64 = pts.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
    if start == end && length < (2.0 * tol).max(0.01) {
        *pieces_dropped += 1;
        return;
    }
    let mut node = |r: u32| -> u32 {
        if node_of[r as usize] == NONE {
            node_of[r as usize] = node_pos.len() as u32;
            node_pos.push(positions[r as usize]);
        }
        node_of[r as usize]
    };
    let (u, v) = (node(start), node(end));
    let foot = if seg.foot_allowed() {
        let speed = match seg.class {
            RoadClass::Rail => config.foot_rail_speed_kmh,
            RoadClass::Steps => config.steps_speed_kmh,
            _ => config.foot_speed_kmh,
        };
        time_ds(length, speed)
    } else {
        NOT_ALLOWED
    };
    let vehicle = if seg.motor_allowed() && seg.class != RoadClass::Rail {
        let mut speed = config.vehicle.for_class(seg.class);
        if let Some(max) = seg.maxspeed_kmh {
            if max.is_finite() && max > 0.0 {
                speed = speed.min(f64::from(max));
            }
        }
        time_ds(length, speed)
    } else {
        NOT_ALLOWED
    };
    let veh_fwd = if seg.oneway == Oneway::Backward {
        NOT_ALLOWED
    } else {
        vehicle
    };
    let veh_bwd = if seg.oneway == Oneway::Forward {
        NOT_ALLOWED
    } else {
        vehicle
    };
    if foot == NOT_ALLOWED && veh_fwd == NOT_ALLOWED && veh_bwd == NOT_ALLOWED {
        return;
    }
    let a = arc_seg.len() as u32;
    geom.extend_from_slice(pts);
    arc_first.push(geom.len() as u32);
    arc_seg.push(si);
    arc_len.push(length);
    if foot != NOT_ALLOWED || veh_fwd != NOT_ALLOWED {
        raw.push(RawEdge {
            tail: u,
            head: v,
            arc: a,
            reversed: false,
            foot,
            vehicle: veh_fwd,
        });
    }
    if foot != NOT_ALLOWED || veh_bwd != NOT_ALLOWED {
        raw.push(RawEdge {
            tail: v,
            head: u,
            arc: a,
            reversed: true,
            foot,
            vehicle: veh_bwd,
        });
    }
}
