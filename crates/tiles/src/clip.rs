//! Clipping to the buffered tile square and snapping to the integer grid of the tile.
//!
//! The clip region is always an axis-aligned square, `[-BUFFER, EXTENT + BUFFER]²` in tile
//! pixels, so the specialised algorithms are exact and allocation-light: Liang–Barsky per
//! segment for lines (a line leaving and re-entering the square becomes several parts) and
//! Sutherland–Hodgman for rings (as geojson-vt and tippecanoe do). A ring clipped by
//! Sutherland–Hodgman stays one closed ring; where a concave ring leaves the square twice its
//! parts are joined along the square's edge, inside the buffer, so nothing extra shows. The
//! general polygon boolean operations of `geo` serve as the test oracle.

use crate::tile::{BUFFER, EXTENT};
use geo::Coord;

/// The square geometry is clipped to, in tile pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ClipRect {
    pub min: f64,
    pub max: f64,
}

impl ClipRect {
    /// The tile plus its buffer.
    pub(crate) fn buffered() -> Self {
        Self {
            min: -f64::from(BUFFER),
            max: f64::from(EXTENT + BUFFER),
        }
    }

    #[inline]
    pub(crate) fn contains(&self, p: Coord<f64>) -> bool {
        p.x >= self.min && p.x <= self.max && p.y >= self.min && p.y <= self.max
    }
}

/// The parameters `t0 ≤ t1` of the part of segment `a → b` inside the square (Liang–Barsky),
/// `None` when no part is.
fn clip_segment(a: Coord<f64>, b: Coord<f64>, r: ClipRect) -> Option<(f64, f64)> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.x - r.min),
        (dx, r.max - a.x),
        (-dy, a.y - r.min),
        (dy, r.max - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                if t > t1 {
                    return None;
                }
                t0 = t0.max(t);
            } else {
                if t < t0 {
                    return None;
                }
                t1 = t1.min(t);
            }
        }
    }
    Some((t0, t1))
}

/// The point at `t` of `a → b`, for a `t` that clipping found inside the square: clamped to
/// it, so rounding errors never put a clipped position a hair outside.
#[inline]
fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64, r: ClipRect) -> Coord<f64> {
    if t <= 0.0 {
        a
    } else if t >= 1.0 {
        b
    } else {
        Coord {
            x: (a.x + (b.x - a.x) * t).clamp(r.min, r.max),
            y: (a.y + (b.y - a.y) * t).clamp(r.min, r.max),
        }
    }
}

/// Clips a polyline to the square, appending each part inside it (at least 2 positions) to
/// `out`.
pub(crate) fn clip_line(line: &[Coord<f64>], r: ClipRect, out: &mut Vec<Vec<Coord<f64>>>) {
    if line.len() < 2 {
        return;
    }
    let mut cur: Vec<Coord<f64>> = Vec::new();
    let flush = |cur: &mut Vec<Coord<f64>>, out: &mut Vec<Vec<Coord<f64>>>| {
        if cur.len() >= 2 {
            out.push(std::mem::take(cur));
        } else {
            cur.clear();
        }
    };
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        match clip_segment(a, b, r) {
            None => flush(&mut cur, out),
            Some((t0, t1)) => {
                if t0 > 0.0 {
                    // Entering the square: a new part.
                    flush(&mut cur, out);
                }
                if cur.is_empty() {
                    cur.push(lerp(a, b, t0, r));
                }
                cur.push(lerp(a, b, t1, r));
                if t1 < 1.0 {
                    // Leaving it.
                    flush(&mut cur, out);
                }
            }
        }
    }
    flush(&mut cur, out);
}

/// Clips a ring (closed or not) to the square (Sutherland–Hodgman). The result is open (no
/// repeat of the first position) and empty when nothing of the ring is inside.
pub(crate) fn clip_ring(ring: &[Coord<f64>], r: ClipRect) -> Vec<Coord<f64>> {
    let mut pts: Vec<Coord<f64>> = ring.to_vec();
    if pts.len() >= 2 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() < 3 {
        return Vec::new();
    }
    let (mut lo, mut hi) = (pts[0], pts[0]);
    for p in &pts {
        lo = Coord {
            x: lo.x.min(p.x),
            y: lo.y.min(p.y),
        };
        hi = Coord {
            x: hi.x.max(p.x),
            y: hi.y.max(p.y),
        };
    }
    if hi.x < r.min || lo.x > r.max || hi.y < r.min || lo.y > r.max {
        return Vec::new();
    }
    if r.contains(lo) && r.contains(hi) {
        return pts;
    }
    // The four half-planes: (axis, bound, keep values >= bound?).
    for (axis_x, bound, keep_ge) in [
        (true, r.min, true),
        (true, r.max, false),
        (false, r.min, true),
        (false, r.max, false),
    ] {
        let inside = |p: Coord<f64>| {
            let v = if axis_x { p.x } else { p.y };
            if keep_ge {
                v >= bound
            } else {
                v <= bound
            }
        };
        let cross = |a: Coord<f64>, b: Coord<f64>| {
            if axis_x {
                let t = (bound - a.x) / (b.x - a.x);
                Coord {
                    x: bound,
                    y: (a.y + (b.y - a.y) * t).clamp(a.y.min(b.y), a.y.max(b.y)),
                }
            } else {
                let t = (bound - a.y) / (b.y - a.y);
                Coord {
                    x: (a.x + (b.x - a.x) * t).clamp(a.x.min(b.x), a.x.max(b.x)),
                    y: bound,
                }
            }
        };
        let n = pts.len();
        if n == 0 {
            break;
        }
        let mut next = Vec::with_capacity(n + 4);
        let mut prev = pts[n - 1];
        let mut prev_in = inside(prev);
        for &cur in &pts {
            let cur_in = inside(cur);
            if cur_in {
                if !prev_in {
                    next.push(cross(prev, cur));
                }
                next.push(cur);
            } else if prev_in {
                next.push(cross(prev, cur));
            }
            prev = cur;
            prev_in = cur_in;
        }
        pts = next;
    }
    if pts.len() < 3 {
        return Vec::new();
    }
    pts
}

#[inline]
fn snap(p: Coord<f64>) -> [i32; 2] {
    // Clipped geometry lies within the buffered square, far inside the i32 range.
    [p.x.round() as i32, p.y.round() as i32]
}

/// Snaps a clipped line to integers, dropping repeated positions; `None` when fewer than 2
/// distinct positions are left (the line shrank to a point at this zoom).
pub(crate) fn snap_line(line: &[Coord<f64>]) -> Option<Vec<[i32; 2]>> {
    let mut out: Vec<[i32; 2]> = Vec::with_capacity(line.len());
    for &p in line {
        let q = snap(p);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    (out.len() >= 2).then_some(out)
}

/// Twice the signed area of a ring by the surveyor's formula in tile coordinates (`y` down):
/// positive for a ring that is clockwise on screen, which MVT 2.1 calls an exterior ring.
pub(crate) fn ring_area2(ring: &[[i32; 2]]) -> i64 {
    let n = ring.len();
    let mut sum = 0i64;
    for i in 0..n {
        let [x0, y0] = ring[i];
        let [x1, y1] = ring[(i + 1) % n];
        sum += i64::from(x0) * i64::from(y1) - i64::from(x1) * i64::from(y0);
    }
    sum
}

/// Snaps a clipped ring to integers as an **exterior** ring: repeated positions dropped, open
/// (no closing repeat), oriented to positive area as MVT 2.1 requires. `None` when it
/// collapses (fewer than 3 distinct positions or no area).
pub(crate) fn snap_exterior_ring(ring: &[Coord<f64>]) -> Option<Vec<[i32; 2]>> {
    let mut out: Vec<[i32; 2]> = Vec::with_capacity(ring.len());
    for &p in ring {
        let q = snap(p);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    while out.len() >= 2 && out.first() == out.last() {
        out.pop();
    }
    if out.len() < 3 {
        return None;
    }
    match ring_area2(&out) {
        0 => None,
        a if a < 0 => {
            out.reverse();
            Some(out)
        }
        _ => Some(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, Euclidean, Length, LineString, MultiLineString, Polygon, Rect};
    use proptest::prelude::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    const R: ClipRect = ClipRect {
        min: 0.0,
        max: 100.0,
    };

    #[test]
    fn a_line_through_the_square_is_cut_at_its_edges() {
        let mut out = Vec::new();
        clip_line(&[c(-50.0, 50.0), c(150.0, 50.0)], R, &mut out);
        assert_eq!(out, vec![vec![c(0.0, 50.0), c(100.0, 50.0)]]);
    }

    #[test]
    fn a_line_leaving_and_coming_back_becomes_two_parts() {
        let mut out = Vec::new();
        clip_line(
            &[c(10.0, 10.0), c(10.0, 200.0), c(90.0, 200.0), c(90.0, 10.0)],
            R,
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                vec![c(10.0, 10.0), c(10.0, 100.0)],
                vec![c(90.0, 100.0), c(90.0, 10.0)]
            ]
        );
    }

    #[test]
    fn a_line_outside_is_dropped_and_one_inside_kept_whole() {
        let mut out = Vec::new();
        clip_line(&[c(-10.0, -10.0), c(-5.0, 200.0)], R, &mut out);
        assert!(out.is_empty());
        let inside = vec![c(1.0, 1.0), c(50.0, 2.0), c(99.0, 99.0)];
        clip_line(&inside, R, &mut out);
        assert_eq!(out, vec![inside]);
    }

    #[test]
    fn a_ring_around_the_square_becomes_the_square() {
        let ring = [
            c(-10.0, -10.0),
            c(110.0, -10.0),
            c(110.0, 110.0),
            c(-10.0, 110.0),
        ];
        let clipped = clip_ring(&ring, R);
        let poly = Polygon::new(LineString::from(clipped), vec![]);
        assert!((poly.unsigned_area() - 10_000.0).abs() < 1e-9);
    }

    #[test]
    fn exterior_rings_come_out_with_positive_area() {
        // Counter-clockwise on screen (y down): negative surveyor's area, so it is reversed.
        let ccw = [c(0.0, 0.0), c(0.0, 10.0), c(10.0, 10.0), c(10.0, 0.0)];
        let ring = snap_exterior_ring(&ccw).unwrap();
        assert!(ring_area2(&ring) > 0);
        assert_eq!(ring.len(), 4);
        // A sliver that collapses on the grid is dropped.
        let sliver = [c(0.0, 0.0), c(10.0, 0.2), c(20.0, 0.0)];
        assert_eq!(snap_exterior_ring(&sliver), None);
    }

    fn arb_ring() -> impl Strategy<Value = Vec<Coord<f64>>> {
        // Star-shaped rings around a centre: simple (no self-intersection), often concave.
        (
            -60.0f64..160.0,
            -60.0f64..160.0,
            prop::collection::vec(5.0f64..120.0, 3..24),
        )
            .prop_map(|(cx, cy, radii)| {
                let n = radii.len();
                radii
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let a = i as f64 / n as f64 * std::f64::consts::TAU;
                        c(cx + r * a.cos(), cy + r * a.sin())
                    })
                    .collect()
            })
    }

    proptest! {
        /// Sutherland–Hodgman keeps exactly the area `geo`'s boolean intersection keeps.
        #[test]
        fn ring_clip_area_matches_geo(ring in arb_ring()) {
            let clipped = clip_ring(&ring, R);
            let ours = if clipped.len() >= 3 {
                Polygon::new(LineString::from(clipped.clone()), vec![]).unsigned_area()
            } else {
                0.0
            };
            let square = Rect::new(c(0.0, 0.0), c(100.0, 100.0)).to_polygon();
            let theirs = Polygon::new(LineString::from(ring), vec![])
                .intersection(&square)
                .unsigned_area();
            prop_assert!((ours - theirs).abs() <= 1e-6 * theirs.max(1.0), "{ours} vs {theirs}");
            for p in clipped {
                prop_assert!(R.contains(p));
            }
        }

        /// Liang–Barsky keeps exactly the length `geo`'s line clipping keeps.
        #[test]
        fn line_clip_length_matches_geo(
            pts in prop::collection::vec((-100.0f64..200.0, -100.0f64..200.0), 2..12)
        ) {
            let line: Vec<Coord<f64>> = pts.iter().map(|&(x, y)| c(x, y)).collect();
            let mut parts = Vec::new();
            clip_line(&line, R, &mut parts);
            let ours: f64 = parts
                .iter()
                .map(|p| Euclidean.length(&LineString::from(p.clone())))
                .sum();
            let square = Rect::new(c(0.0, 0.0), c(100.0, 100.0)).to_polygon();
            let theirs = Euclidean.length(
                &square.clip(&MultiLineString::new(vec![LineString::from(line)]), false),
            );
            prop_assert!((ours - theirs).abs() <= 1e-6 * theirs.max(1.0), "{ours} vs {theirs}");
            for part in &parts {
                prop_assert!(part.len() >= 2);
                for &p in part {
                    prop_assert!(R.contains(p));
                }
            }
        }
    }
}
