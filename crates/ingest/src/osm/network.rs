//! Turns OSM elements (as the PBF and XML readers see them) into roads, transit points and
//! shelters. The readers feed nodes and ways in file order; ways of interest are kept with
//! their node references until every coordinate is known, then resolved in one go.

use super::tags::{self, RoadAttrs, RoadRole, ShelterDraft, ShelterRole, TagStats, Tags};
use crate::roads::NetworkOutcome;
use crate::{Outcome, Report};
use senda_core::{
    InvalidValue, LonLat, RecordRef, RoadSegment, Shelter, SourceKey, TransitKind, TransitPoint,
};
use std::collections::HashSet;
use std::ops::Range;

/// Coordinates of nodes by id: sorted ids with parallel coordinate arrays.
///
/// Built either from every node of a file (XML, where nodes come before the ways that use
/// them) or from the ids the ways need, filled in by a second pass (PBF).
#[derive(Debug, Default)]
pub(crate) struct NodeIndex {
    ids: Vec<i64>,
    /// `[lon, lat]` as read, not yet validated.
    coords: Vec<[f64; 2]>,
    seen: Vec<bool>,
    /// Where the last [`NodeIndex::fill`] matched: PBF nodes come sorted by id, so the next
    /// one is usually close after it.
    cursor: usize,
    /// Ids given coordinates more than once (the first one is kept).
    pub duplicates: u64,
}

/// What a way finds when it looks up one of its nodes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeLookup {
    Found(LonLat),
    /// Not in the file: the extract was clipped at a boundary.
    Missing,
    /// In the file, with coordinates that are not a valid position.
    Invalid(InvalidValue),
}

impl NodeIndex {
    /// An index expecting coordinates for `ids` (any order, duplicates allowed).
    pub fn expecting(mut ids: Vec<i64>) -> Self {
        ids.sort_unstable();
        ids.dedup();
        ids.shrink_to_fit();
        let n = ids.len();
        Self {
            ids,
            coords: vec![[0.0; 2]; n],
            seen: vec![false; n],
            cursor: 0,
            duplicates: 0,
        }
    }

    /// An index of all `nodes` (`(id, [lon, lat])` in file order); the first of duplicate ids wins.
    pub fn from_nodes(mut nodes: Vec<(i64, [f64; 2])>) -> Self {
        if !nodes.is_sorted_by_key(|n| n.0) {
            nodes.sort_by_key(|n| n.0); // stable: the first of equal ids stays first
        }
        let before = nodes.len();
        nodes.dedup_by_key(|n| n.0);
        let duplicates = (before - nodes.len()) as u64;
        let n = nodes.len();
        let (ids, coords) = nodes.into_iter().unzip();
        Self {
            ids,
            coords,
            seen: vec![true; n],
            cursor: 0,
            duplicates,
        }
    }

    /// Number of ids expected (or known).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Records the coordinates of `id` if it is expected. Returns whether it was.
    pub fn fill(&mut self, id: i64, lon: f64, lat: f64) -> bool {
        let Some(i) = self.position(id) else {
            return false;
        };
        if self.seen[i] {
            self.duplicates += 1;
        } else {
            self.seen[i] = true;
            self.coords[i] = [lon, lat];
        }
        true
    }

    /// The index of `id`, searching forward from the cursor first (galloping), so that ids fed
    /// in ascending order cost about O(1) each.
    fn position(&mut self, id: i64) -> Option<usize> {
        let ids = &self.ids;
        let c = self.cursor.min(ids.len());
        let i = if c < ids.len() && ids[c] <= id {
            let mut lo = c;
            let mut step = 1;
            while lo + step < ids.len() && ids[lo + step] <= id {
                lo += step;
                step *= 2;
            }
            let hi = (lo + step).min(ids.len());
            lo + ids[lo..hi].partition_point(|&x| x < id)
        } else {
            ids.partition_point(|&x| x < id)
        };
        self.cursor = i;
        (i < ids.len() && ids[i] == id).then_some(i)
    }

    pub fn get(&self, id: i64) -> NodeLookup {
        let i = self.ids.partition_point(|&x| x < id);
        if i == self.ids.len() || self.ids[i] != id || !self.seen[i] {
            return NodeLookup::Missing;
        }
        let [lon, lat] = self.coords[i];
        match LonLat::new(lon, lat) {
            Ok(p) => NodeLookup::Found(p),
            Err(e) => NodeLookup::Invalid(e),
        }
    }
}

/// A way kept until its node coordinates are known.
#[derive(Debug)]
struct PendingWay {
    id: i64,
    at: RecordRef,
    refs: Range<usize>,
    road: Option<RoadAttrs>,
    transit: Option<TransitKind>,
    /// Name of the way as a transit point or shelter.
    point_name: Option<String>,
    shelter: Option<Box<ShelterDraft>>,
}

/// Counters behind the report's notes.
#[derive(Debug, Default)]
struct Counts {
    other_ways: u64,
    deleted: u64,
    duplicate_ways: u64,
    not_people_shelters: u64,
    /// Road ways with at least one node missing from the extract.
    clipped: u64,
    /// ... of which cut into more than one segment ...
    clipped_split: u64,
    /// ... and rejected for want of two usable nodes in a row.
    clipped_rejected: u64,
    /// Road ways with a node whose coordinates are invalid.
    bad_coord_ways: u64,
    /// Runs of nodes dropped because they are too short or all at one point.
    dropped_runs: u64,
    unnamed_transit: u64,
    unnamed_shelters: u64,
    /// First node seen with invalid coordinates (for a note), and how many such nodes.
    bad_nodes: u64,
    first_bad_node: Option<String>,
}

/// Collects one OSM file's nodes and ways and resolves them into a [`NetworkOutcome`].
pub(crate) struct NetworkBuilder {
    pending: Vec<PendingWay>,
    refs: Vec<i64>,
    roads: Outcome<RoadSegment>,
    transit: Outcome<TransitPoint>,
    shelters: Outcome<Shelter>,
    tag_stats: TagStats,
    counts: Counts,
}

const SOURCE: &str = "osm";

fn key(id: &str) -> SourceKey {
    SourceKey {
        source: SOURCE.to_owned(),
        source_id: id.to_owned(),
    }
}

impl NetworkBuilder {
    pub fn new(file: &str, format: &str) -> Self {
        Self {
            pending: Vec::new(),
            refs: Vec::new(),
            roads: Outcome::new(Report::new(file, format)),
            transit: Outcome::new(Report::new(file, format)),
            shelters: Outcome::new(Report::new(file, format)),
            tag_stats: TagStats::default(),
            counts: Counts::default(),
        }
    }

    /// A note for all three reports (e.g. the file's header).
    pub fn note_all(&mut self, note: &str) {
        for r in [
            &mut self.roads.report,
            &mut self.transit.report,
            &mut self.shelters.report,
        ] {
            r.note(note);
        }
    }

    /// Counts an element the file marks as deleted (`action=delete`, `visible=false`).
    pub fn deleted(&mut self) {
        self.counts.deleted += 1;
    }

    /// Counts a node with invalid coordinates, for the notes. Ways that use it report it too.
    pub fn bad_node(&mut self, id: i64, e: &InvalidValue) {
        self.counts.bad_nodes += 1;
        if self.counts.first_bad_node.is_none() {
            self.counts.first_bad_node = Some(format!("node/{id}: {e}"));
        }
    }

    /// Whether a node with these tags could be a transit point or shelter (cheap check on keys).
    pub fn node_may_matter<'a>(keys: impl IntoIterator<Item = &'a str>) -> bool {
        keys.into_iter().any(tags::may_be_point)
    }

    /// A tagged node: becomes a transit point and/or a shelter when its tags say so.
    pub fn node<T: Tags + ?Sized>(&mut self, id: i64, lon: f64, lat: f64, tags: &T, at: RecordRef) {
        let kind = tags::transit_kind(tags);
        let shelter = match tags::shelter_role(tags) {
            ShelterRole::ForPeople => Some(ShelterDraft::from_osm(tags)),
            ShelterRole::NotForPeople => {
                self.counts.not_people_shelters += 1;
                None
            }
            ShelterRole::None => None,
        };
        if kind.is_none() && shelter.is_none() {
            return;
        }
        let sid = format!("node/{id}");
        let location = LonLat::new(lon, lat);
        let name = tags::point_name(tags);
        if let Some(kind) = kind {
            match &location {
                Ok(p) => self.push_transit(&sid, kind, name.clone(), *p, at),
                Err(e) => self.transit.report.reject(
                    at,
                    Some(sid.clone()),
                    Some(e.field),
                    format!("invalid coordinate: {e}"),
                ),
            }
        }
        if let Some(draft) = shelter {
            match &location {
                Ok(p) => self.push_shelter(&sid, &draft, *p, at),
                Err(e) => self.shelters.report.reject(
                    at,
                    Some(sid.clone()),
                    Some(e.field),
                    format!("invalid coordinate: {e}"),
                ),
            }
        }
    }

    /// A way: kept for later if it is a road, a transit point or a shelter; counted otherwise.
    pub fn way<T: Tags + ?Sized>(&mut self, id: i64, tags: &T, refs: &[i64], at: RecordRef) {
        let road = match tags::road_role(tags) {
            RoadRole::Road(class) => Some(RoadAttrs::from_osm(class, tags, &mut self.tag_stats)),
            RoadRole::NotRoutable(reason) => {
                self.roads
                    .report
                    .skip(at, Some(format!("way/{id}")), reason);
                None
            }
            RoadRole::Other => {
                self.counts.other_ways += 1;
                None
            }
        };
        let transit = tags::transit_kind(tags);
        let shelter = match tags::shelter_role(tags) {
            ShelterRole::ForPeople => Some(Box::new(ShelterDraft::from_osm(tags))),
            ShelterRole::NotForPeople => {
                self.counts.not_people_shelters += 1;
                None
            }
            ShelterRole::None => None,
        };
        if road.is_none() && transit.is_none() && shelter.is_none() {
            return;
        }
        let start = self.refs.len();
        self.refs.extend_from_slice(refs);
        let point_name = if transit.is_some() || shelter.is_some() {
            tags::point_name(tags)
        } else {
            None
        };
        self.pending.push(PendingWay {
            id,
            at,
            refs: start..self.refs.len(),
            road,
            transit,
            point_name,
            shelter,
        });
    }

    /// Rejects a road way that cannot be read (e.g. corrupt node references in a PBF block).
    pub fn reject_way(&mut self, id: i64, at: RecordRef, field: &str, reason: String) {
        self.roads
            .report
            .reject(at, Some(format!("way/{id}")), Some(field), reason);
    }

    /// Every node id the kept ways use (unsorted, with repeats).
    pub fn needed_node_ids(&self) -> Vec<i64> {
        self.refs.clone()
    }

    fn push_transit(
        &mut self,
        sid: &str,
        kind: TransitKind,
        name: Option<String>,
        p: LonLat,
        at: RecordRef,
    ) {
        let named = name.is_some();
        let name = name.unwrap_or_else(|| tags::fallback_name(kind.as_str()));
        match TransitPoint::new(key(sid), kind, name, p) {
            Ok(t) => {
                self.transit.push(t, at);
                if !named {
                    self.counts.unnamed_transit += 1;
                    self.transit.report.flag(
                        at,
                        Some(sid.to_owned()),
                        Some("name"),
                        "no name, name:es or ref tag: named after its kind",
                    );
                }
            }
            Err(e) => {
                self.transit
                    .report
                    .reject(at, Some(sid.to_owned()), Some(e.field), e.to_string())
            }
        }
    }

    fn push_shelter(&mut self, sid: &str, draft: &ShelterDraft, p: LonLat, at: RecordRef) {
        match draft.build(key(sid), p) {
            Ok((s, flags)) => {
                self.shelters.push(s, at);
                for (field, reason) in flags {
                    if field == "name" {
                        self.counts.unnamed_shelters += 1;
                    }
                    self.shelters
                        .report
                        .flag(at, Some(sid.to_owned()), Some(field), reason);
                }
            }
            Err(e) => {
                self.shelters
                    .report
                    .reject(at, Some(sid.to_owned()), Some(e.field), e.to_string())
            }
        }
    }

    /// Resolves every kept way against `nodes` and writes the notes.
    pub fn finish(mut self, nodes: &NodeIndex) -> NetworkOutcome {
        let pending = std::mem::take(&mut self.pending);
        let refs = std::mem::take(&mut self.refs);
        let mut seen_ways = HashSet::with_capacity(pending.len());
        let mut lookups = Vec::new();
        for way in &pending {
            let sid = format!("way/{}", way.id);
            if !seen_ways.insert(way.id) {
                self.counts.duplicate_ways += 1;
                let reason = "duplicate way id: an earlier way with this id was already read";
                if way.road.is_some() {
                    self.roads
                        .report
                        .reject(way.at, Some(sid.clone()), Some("id"), reason);
                }
                if way.transit.is_some() {
                    self.transit
                        .report
                        .reject(way.at, Some(sid.clone()), Some("id"), reason);
                }
                if way.shelter.is_some() {
                    self.shelters
                        .report
                        .reject(way.at, Some(sid), Some("id"), reason);
                }
                continue;
            }
            let way_refs = &refs[way.refs.clone()];
            lookups.clear();
            lookups.extend(way_refs.iter().map(|&r| nodes.get(r)));
            if let Some(attrs) = &way.road {
                self.resolve_road(way, &sid, attrs, way_refs, &lookups);
            }
            if way.transit.is_some() || way.shelter.is_some() {
                self.resolve_area_point(way, &sid, way_refs, &lookups);
            }
        }
        self.write_notes(nodes);
        NetworkOutcome {
            roads: self.roads,
            transit: self.transit,
            shelters: self.shelters,
        }
    }

    /// One segment per run of consecutive usable nodes (`way/ID`, or `way/ID#k` when the way
    /// falls into several pieces); a rejection when no run has two distinct positions.
    fn resolve_road(
        &mut self,
        way: &PendingWay,
        sid: &str,
        attrs: &RoadAttrs,
        refs: &[i64],
        lookups: &[NodeLookup],
    ) {
        let mut runs: Vec<Vec<LonLat>> = Vec::new();
        let mut current = Vec::new();
        let mut missing = 0usize;
        let mut first_invalid: Option<(i64, &InvalidValue)> = None;
        for (r, l) in refs.iter().zip(lookups) {
            match l {
                NodeLookup::Found(p) => current.push(*p),
                NodeLookup::Missing | NodeLookup::Invalid(_) => {
                    if let NodeLookup::Invalid(e) = l {
                        first_invalid.get_or_insert((*r, e));
                    } else {
                        missing += 1;
                    }
                    if !current.is_empty() {
                        runs.push(std::mem::take(&mut current));
                    }
                }
            }
        }
        if !current.is_empty() {
            runs.push(current);
        }
        let mut segments = Vec::new();
        let mut geometry_errors = Vec::new();
        for run in runs {
            // Validated below by RoadSegment::new (two positions, not all one point).
            match attrs.segment(key(sid), run) {
                Ok(s) => segments.push(s),
                Err(e) => geometry_errors.push(e),
            }
        }
        if missing > 0 {
            self.counts.clipped += 1;
        }
        if first_invalid.is_some() {
            self.counts.bad_coord_ways += 1;
        }
        if segments.is_empty() {
            let mut why = Vec::new();
            if missing > 0 {
                why.push(format!("{missing} of {} node(s) are missing from the extract (clipped at its boundary)", refs.len()));
            }
            if let Some((id, e)) = first_invalid {
                why.push(format!("node/{id} has an invalid coordinate ({e})"));
            }
            if refs.len() < 2 {
                why.push(format!("the way has {} node reference(s)", refs.len()));
            } else if let (Some(e), 0, None) = (geometry_errors.first(), missing, first_invalid) {
                why.push(e.reason.to_owned());
            }
            if missing > 0 {
                self.counts.clipped_rejected += 1;
            }
            let field = if first_invalid.is_some() || missing > 0 {
                "nd"
            } else {
                "geometry"
            };
            self.roads.report.reject(
                way.at,
                Some(sid.to_owned()),
                Some(field),
                format!("fewer than 2 usable nodes in a row: {}", why.join("; ")),
            );
            return;
        }
        self.counts.dropped_runs += geometry_errors.len() as u64;
        let split = segments.len() > 1;
        if split && missing > 0 {
            self.counts.clipped_split += 1;
        }
        for (k, mut seg) in segments.into_iter().enumerate() {
            if split {
                seg.key.source_id = format!("{sid}#{k}");
            }
            let seg_id = seg.key.source_id.clone();
            self.roads.push(seg, way.at);
            if let Some((id, e)) = first_invalid {
                self.roads.report.flag(
                    way.at,
                    Some(seg_id),
                    Some("nd"),
                    format!("node/{id} has an invalid coordinate ({e}); the way was cut there"),
                );
            }
        }
    }

    /// A transit point or shelter mapped as a way (e.g. a bus station's area): at the centroid
    /// of its usable nodes (the closing node of a closed way counted once).
    fn resolve_area_point(
        &mut self,
        way: &PendingWay,
        sid: &str,
        refs: &[i64],
        lookups: &[NodeLookup],
    ) {
        let closed = refs.len() > 1 && refs.first() == refs.last();
        let used = if closed {
            &lookups[..lookups.len() - 1]
        } else {
            lookups
        };
        let (mut lon, mut lat, mut n) = (0.0, 0.0, 0u32);
        for l in used {
            if let NodeLookup::Found(p) = l {
                lon += p.lon();
                lat += p.lat();
                n += 1;
            }
        }
        let centroid = if n == 0 {
            Err(
                "none of its nodes has a usable coordinate (missing from the extract or invalid)"
                    .to_owned(),
            )
        } else {
            LonLat::new(lon / f64::from(n), lat / f64::from(n)).map_err(|e| e.to_string())
        };
        if let Some(kind) = way.transit {
            match &centroid {
                Ok(p) => self.push_transit(sid, kind, way.point_name.clone(), *p, way.at),
                Err(reason) => self.transit.report.reject(
                    way.at,
                    Some(sid.to_owned()),
                    Some("nd"),
                    reason.clone(),
                ),
            }
        }
        if let Some(draft) = &way.shelter {
            match &centroid {
                Ok(p) => self.push_shelter(sid, draft, *p, way.at),
                Err(reason) => self.shelters.report.reject(
                    way.at,
                    Some(sid.to_owned()),
                    Some("nd"),
                    reason.clone(),
                ),
            }
        }
    }

    fn write_notes(&mut self, nodes: &NodeIndex) {
        let c = &self.counts;
        let mut road_notes = Vec::new();
        if c.other_ways > 0 {
            road_notes.push(format!(
                "{} other way(s) (buildings, land use, waterways, …: neither highway=* nor railway=rail|light_rail|narrow_gauge) are not roads and were not loaded",
                c.other_ways
            ));
        }
        if c.clipped > 0 {
            road_notes.push(format!(
                "{} road way(s) use nodes missing from the extract (clipped at its boundary): kept the runs of present nodes; {} split into several segments (ids way/ID#k), {} rejected for want of two usable nodes",
                c.clipped, c.clipped_split, c.clipped_rejected
            ));
        }
        if c.bad_coord_ways > 0 {
            road_notes.push(format!("{} road way(s) use nodes with invalid coordinates: cut at those nodes (segments flagged)", c.bad_coord_ways));
        }
        if c.dropped_runs > 0 {
            road_notes.push(format!(
                "{} piece(s) of cut ways dropped: a single node or all nodes at one point",
                c.dropped_runs
            ));
        }
        road_notes.extend(self.tag_stats.notes());
        let mut all_notes = Vec::new();
        if c.bad_nodes > 0 {
            all_notes.push(format!(
                "{} node(s) with invalid coordinates, e.g. {}",
                c.bad_nodes,
                c.first_bad_node.as_deref().unwrap_or("?")
            ));
        }
        if nodes.duplicates > 0 {
            all_notes.push(format!(
                "{} duplicate node id(s): the first occurrence was used",
                nodes.duplicates
            ));
        }
        if c.duplicate_ways > 0 {
            all_notes.push(format!("{} duplicate way id(s) rejected", c.duplicate_ways));
        }
        if c.deleted > 0 {
            all_notes.push(format!(
                "{} element(s) marked deleted (action=delete or visible=false) ignored",
                c.deleted
            ));
        }
        let mut transit_notes = Vec::new();
        if c.unnamed_transit > 0 {
            transit_notes.push(format!("{} transit point(s) without name, name:es or ref: named after their kind and flagged", c.unnamed_transit));
        }
        let mut shelter_notes = Vec::new();
        if c.not_people_shelters > 0 {
            shelter_notes.push(format!(
                "{} amenity=shelter element(s) are bus, picnic or weather shelters (no social_facility:for / shelter_type naming people): not loaded",
                c.not_people_shelters
            ));
        }
        if c.unnamed_shelters > 0 {
            shelter_notes.push(format!(
                "{} shelter(s) without a name: named \"shelter\" and flagged",
                c.unnamed_shelters
            ));
        }
        for n in road_notes.into_iter().chain(all_notes.iter().cloned()) {
            self.roads.report.note(n);
        }
        for n in transit_notes.into_iter().chain(all_notes.iter().cloned()) {
            self.transit.report.note(n);
        }
        for n in shelter_notes.into_iter().chain(all_notes) {
            self.shelters.report.note(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn galloping_fill_matches_binary_search() {
        // Needed ids: every third number; fed: ascending runs with jumps, then a descending tail.
        let needed: Vec<i64> = (0..3000).map(|i| i * 3).collect();
        let mut idx = NodeIndex::expecting(needed.clone());
        let mut fed: Vec<i64> = (0..9000).step_by(2).collect();
        fed.extend((0..9000).rev().step_by(7));
        for &id in &fed {
            let expected = needed.binary_search(&id).is_ok();
            assert_eq!(idx.fill(id, id as f64 * 1e-4, 0.5), expected, "id {id}");
        }
        for &id in &needed {
            let fed_it = fed.contains(&id);
            assert_eq!(
                matches!(idx.get(id), NodeLookup::Found(_)),
                fed_it,
                "id {id}"
            );
        }
        assert_eq!(idx.get(1), NodeLookup::Missing);
        assert!(idx.duplicates > 0);
    }

    #[test]
    fn from_nodes_keeps_the_first_duplicate_and_validates_on_lookup() {
        let idx = NodeIndex::from_nodes(vec![
            (5, [1.0, 2.0]),
            (3, [200.0, 0.0]),
            (5, [9.0, 9.0]),
            (4, [f64::NAN, 1.0]),
        ]);
        assert_eq!(idx.len(), 3);
        assert_eq!(idx.duplicates, 1);
        assert_eq!(
            idx.get(5),
            NodeLookup::Found(LonLat::new(1.0, 2.0).unwrap())
        );
        assert!(matches!(idx.get(3), NodeLookup::Invalid(e) if e.field == "lon"));
        assert!(matches!(idx.get(4), NodeLookup::Invalid(_)));
        assert_eq!(idx.get(6), NodeLookup::Missing);
    }

    type TestWay<'a> = (i64, &'a [(&'a str, &'a str)], &'a [i64]);

    fn build(nodes: Vec<(i64, [f64; 2])>, ways: &[TestWay<'_>]) -> NetworkOutcome {
        let mut b = NetworkBuilder::new("t.osm", "osm-xml");
        for (i, (id, t, refs)) in ways.iter().enumerate() {
            b.way(*id, *t, refs, RecordRef::new(i as u64, None));
        }
        b.finish(&NodeIndex::from_nodes(nodes))
    }

    fn line(n: i64) -> Vec<(i64, [f64; 2])> {
        (1..=n).map(|i| (i, [i as f64 * 0.001, 42.0])).collect()
    }

    #[test]
    fn clipped_way_keeps_runs_and_names_them() {
        let hw: &[(&str, &str)] = &[("highway", "residential")];
        let mut nodes = line(6);
        nodes.retain(|n| n.0 != 3);
        let out = build(
            nodes,
            &[
                (10, hw, &[1, 2, 3, 4, 5]),
                (11, hw, &[3, 4, 5, 6]),
                (12, hw, &[1, 3, 2]),
            ],
        );
        let ids: Vec<_> = out
            .roads
            .records
            .iter()
            .map(|r| r.record.key.source_id.as_str())
            .collect();
        assert_eq!(ids, ["way/10#0", "way/10#1", "way/11"]);
        assert_eq!(out.roads.report.rejected.len(), 1);
        let rej = &out.roads.report.rejected[0];
        assert_eq!(rej.source_id.as_deref(), Some("way/12"));
        assert!(
            rej.reason.contains("1 of 3 node(s) are missing"),
            "{}",
            rej.reason
        );
        assert!(
            out.roads
                .report
                .notes
                .iter()
                .any(|n| n.contains("3 road way(s) use nodes missing")),
            "{:?}",
            out.roads.report.notes
        );
    }

    #[test]
    fn invalid_node_cuts_and_flags() {
        let hw: &[(&str, &str)] = &[("highway", "primary")];
        let mut nodes = line(5);
        nodes[2].1 = [f64::NAN, 42.0];
        let out = build(nodes, &[(1, hw, &[1, 2, 3, 4, 5]), (2, hw, &[2, 3])]);
        assert_eq!(out.roads.records.len(), 2);
        assert_eq!(out.roads.report.flagged.len(), 2);
        assert!(out.roads.report.flagged[0].reason.contains("node/3"));
        let rej = &out.roads.report.rejected[0];
        assert!(
            rej.reason.contains("node/3 has an invalid coordinate"),
            "{}",
            rej.reason
        );
    }

    #[test]
    fn degenerate_and_duplicate_ways_are_rejected() {
        let hw: &[(&str, &str)] = &[("highway", "footway")];
        let mut nodes = line(3);
        nodes.push((9, [0.001, 42.0])); // same place as node 1
        let out = build(
            nodes,
            &[
                (1, hw, &[1]),
                (2, hw, &[1, 9]),
                (3, hw, &[1, 2]),
                (3, hw, &[2, 3]),
            ],
        );
        assert_eq!(out.roads.records.len(), 1);
        let reasons: Vec<_> = out
            .roads
            .report
            .rejected
            .iter()
            .map(|r| r.reason.as_str())
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].contains("1 node reference"), "{reasons:?}");
        assert!(reasons[1].contains("same point"), "{reasons:?}");
        assert!(reasons[2].contains("duplicate way id"), "{reasons:?}");
    }

    #[test]
    fn area_transit_point_uses_the_centroid() {
        let st: &[(&str, &str)] = &[("amenity", "bus_station"), ("name", "Terminal")];
        let nodes = vec![
            (1, [0.0, 0.0]),
            (2, [2.0, 0.0]),
            (3, [2.0, 2.0]),
            (4, [0.0, 2.0]),
        ];
        let out = build(
            nodes,
            &[
                (7, st, &[1, 2, 3, 4, 1]),
                (8, &[("railway", "station")], &[50, 51]),
            ],
        );
        assert_eq!(out.transit.records.len(), 1);
        let t = &out.transit.records[0].record;
        assert_eq!((t.location.lon(), t.location.lat()), (1.0, 1.0));
        assert_eq!(t.key.source_id, "way/7");
        assert_eq!(
            out.transit.report.rejected[0].source_id.as_deref(),
            Some("way/8")
        );
        assert!(out.roads.records.is_empty());
    }
}
