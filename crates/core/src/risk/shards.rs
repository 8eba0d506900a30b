//! The field's cell store, split into shards by ranges of H3 index, and its parallel build.
//!
//! H3 indexes sorted numerically keep nearby cells together (base cell, then one digit per
//! resolution), so a contiguous range of origins writes almost only into the same range of
//! targets. Each shard is built by one task from the origins in its range; the few writes
//! that fall across a border are buffered and absorbed by their shard afterwards, in
//! parallel too. No global merge of per-thread maps is needed.

use super::config::RiskConfig;
use super::kernel::{
    for_children, groups, spread_group, CellData, Contribution, GroupSums, KernelScratch,
};
use super::CellMap;
use h3o::{CellIndex, Resolution};
use rayon::prelude::*;
use std::ops::Range;

/// Shards per thread: enough to balance uneven (clustered) data.
const SHARDS_PER_THREAD: usize = 4;

/// Cells by shard: shard `i` holds the cells whose index is in `bounds[i]..bounds[i + 1]`.
#[derive(Debug, Clone)]
pub(crate) struct Shards {
    bounds: Vec<u64>,
    maps: Vec<CellMap<CellData>>,
}

impl Default for Shards {
    fn default() -> Self {
        Self {
            bounds: vec![0],
            maps: vec![CellMap::default()],
        }
    }
}

fn shard_of(bounds: &[u64], cell: CellIndex) -> usize {
    bounds
        .partition_point(|&b| b <= u64::from(cell))
        .saturating_sub(1)
}

impl Shards {
    pub fn get(&self, cell: &CellIndex) -> Option<&CellData> {
        self.maps[shard_of(&self.bounds, *cell)].get(cell)
    }

    pub fn entry(&mut self, cell: CellIndex) -> &mut CellData {
        self.maps[shard_of(&self.bounds, cell)]
            .entry(cell)
            .or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&CellIndex, &CellData)> + '_ {
        self.maps.iter().flat_map(|m| m.iter())
    }

    pub fn values(&self) -> impl Iterator<Item = &CellData> + '_ {
        self.maps.iter().flat_map(|m| m.values())
    }

    pub fn len(&self) -> usize {
        self.maps.iter().map(|m| m.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.maps.iter().all(|m| m.is_empty())
    }
}

/// A writer into one shard: its own map and buffers for the other shards.
struct ShardWriter<'a> {
    bounds: &'a [u64],
    me: usize,
    own: CellMap<CellData>,
    foreign: Vec<Vec<(CellIndex, CellData)>>,
}

impl ShardWriter<'_> {
    fn add_group(&mut self, cell: CellIndex, sums: &GroupSums, w: f64) {
        let s = shard_of(self.bounds, cell);
        if s == self.me {
            self.own.entry(cell).or_default().add_group(sums, w);
        } else {
            let mut d = CellData::default();
            d.add_group(sums, w);
            self.foreign[s].push((cell, d));
        }
    }

    fn add_incident(&mut self, cell: CellIndex, data: &CellData, share: f64) {
        let s = shard_of(self.bounds, cell);
        if s == self.me {
            self.own.entry(cell).or_default().add_incident(data, share);
        } else {
            let mut d = CellData::default();
            d.add_incident(data, share);
            self.foreign[s].push((cell, d));
        }
    }
}

/// Spreads contributions sorted by key into sharded cells at `res`, in parallel. Kernels
/// evaluated at `res` write straight into the shards; coarser ones are first summed per
/// coarse cell and then shared among the children, so their cost depends on the area
/// covered, not on the number of reports.
pub(crate) fn build_shards(
    contributions: &[Contribution],
    config: &RiskConfig,
    res: Resolution,
) -> Shards {
    let groups = groups(contributions);
    let split = groups.partition_point(|g| contributions[g.start].origin.resolution() < res);
    let (coarse_groups, fine_groups) = groups.split_at(split);
    let n_shards = (rayon::current_num_threads() * SHARDS_PER_THREAD).max(1);

    // Coarse kernels: per-chunk maps of coarse cells (small), merged.
    let coarse = coarse_sums(contributions, coarse_groups, config, n_shards);

    // Shard bounds: quantiles of the work keys (fine origins and coarse cells' centre
    // children, which sort like the cells they expand to).
    let coarse_keys: Vec<(u64, usize)> = coarse
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.center_child(res).map_or(u64::from(*c), u64::from), i))
        .collect();
    let mut keys: Vec<u64> = fine_groups
        .iter()
        .map(|g| u64::from(contributions[g.start].origin))
        .chain(coarse_keys.iter().map(|(k, _)| *k))
        .collect();
    keys.par_sort_unstable();
    let mut bounds = vec![0u64];
    for i in 1..n_shards {
        if let Some(&k) = keys.get(i * keys.len() / n_shards) {
            if k > *bounds.last().unwrap_or(&0) {
                bounds.push(k);
            }
        }
    }
    let n_shards = bounds.len();

    // Work of each shard: its fine groups (contiguous, sorted) and its coarse cells.
    let fine_ranges: Vec<Range<usize>> = (0..n_shards)
        .map(|s| {
            let lo = bounds[s];
            let hi = bounds.get(s + 1).copied().unwrap_or(u64::MAX);
            let start =
                fine_groups.partition_point(|g| u64::from(contributions[g.start].origin) < lo);
            let end =
                fine_groups.partition_point(|g| u64::from(contributions[g.start].origin) < hi);
            start..end
        })
        .collect();
    let mut coarse_by_shard: Vec<Vec<usize>> = vec![Vec::new(); n_shards];
    for (key, i) in &coarse_keys {
        let s = bounds.partition_point(|&b| b <= *key).saturating_sub(1);
        coarse_by_shard[s].push(*i);
    }

    let writers: Vec<ShardWriter<'_>> = (0..n_shards)
        .into_par_iter()
        .map(|me| {
            let mut w = ShardWriter {
                bounds: &bounds,
                me,
                own: CellMap::default(),
                foreign: vec![Vec::new(); n_shards],
            };
            let mut scratch = KernelScratch::default();
            for g in &fine_groups[fine_ranges[me].clone()] {
                spread_group(
                    &contributions[g.clone()],
                    config,
                    &mut scratch,
                    |c, sums, x| {
                        w.add_group(c, sums, x);
                    },
                );
            }
            for &i in &coarse_by_shard[me] {
                let (cell, data) = &coarse[i];
                for_children(*cell, res, |child, share| {
                    w.add_incident(child, data, share)
                });
            }
            w
        })
        .collect();

    // Absorb the writes that crossed a border.
    let (owns, foreigns): (Vec<_>, Vec<_>) =
        writers.into_iter().map(|w| (w.own, w.foreign)).unzip();
    let maps: Vec<CellMap<CellData>> = owns
        .into_par_iter()
        .enumerate()
        .map(|(me, mut own)| {
            for from in &foreigns {
                for (cell, d) in &from[me] {
                    own.entry(*cell).or_default().add_incident(d, 1.0);
                }
            }
            own
        })
        .collect();
    Shards { bounds, maps }
}

/// Sums the coarse-resolution kernels per coarse cell, sorted by cell.
fn coarse_sums(
    contributions: &[Contribution],
    coarse_groups: &[Range<usize>],
    config: &RiskConfig,
    chunks: usize,
) -> Vec<(CellIndex, CellData)> {
    let chunk_len = coarse_groups.len().div_ceil(chunks).max(1);
    let maps: Vec<CellMap<CellData>> = coarse_groups
        .par_chunks(chunk_len)
        .map(|chunk| {
            let mut acc: CellMap<CellData> = CellMap::default();
            let mut scratch = KernelScratch::default();
            for g in chunk {
                spread_group(
                    &contributions[g.clone()],
                    config,
                    &mut scratch,
                    |c, sums, w| {
                        acc.entry(c).or_default().add_group(sums, w);
                    },
                );
            }
            acc
        })
        .collect();
    let mut maps = maps.into_iter();
    let mut all = maps.next().unwrap_or_default();
    for m in maps {
        for (cell, d) in m {
            all.entry(cell).or_default().add_incident(&d, 1.0);
        }
    }
    let mut out: Vec<(CellIndex, CellData)> = all.into_iter().collect();
    out.par_sort_unstable_by_key(|(c, _)| *c);
    out
}
