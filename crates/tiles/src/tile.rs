//! Tile math: the Web Mercator (EPSG:3857) XYZ pyramid, tile bounds, lon/lat ↔ tile pixels and
//! the tiles covering a bounding box.
//!
//! Positions are projected once into **world coordinates**: `x, y ∈ [0, 1]`, `x` east from
//! 180° W, `y` south from the top edge of the Mercator square (latitude ±85.0511°). A tile
//! `z/x/y` spans `[x, x + 1] / 2^z` by `[y, y + 1] / 2^z` of that square, and its pixel
//! coordinates run from 0 to [`EXTENT`] (4096) east and south, with [`BUFFER`] (64) pixels of
//! margin around it that geometry is clipped to.

use crate::TileError;
use std::f64::consts::PI;
use std::ops::RangeInclusive;

/// Pixels per tile side in the encoded tiles (MVT `extent`).
pub const EXTENT: u32 = 4096;
/// Pixels of margin around a tile kept when clipping, so lines and polygons join seamlessly and
/// point symbols near an edge are drawn in both tiles.
pub const BUFFER: u32 = 64;
/// The deepest zoom a [`TileId`] may have.
pub const MAX_ZOOM: u8 = 22;
/// The latitude of the top edge of the Web Mercator square, degrees.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;
/// Half the side of the Web Mercator square, metres (EPSG:3857).
const MERCATOR_HALF_M: f64 = 20_037_508.342_789_244;

/// A validated tile address: `z ≤ 22`, `x, y < 2^z` (XYZ scheme, `y` from the north).
///
/// ```
/// use senda_tiles::TileId;
/// let t = TileId::new(1, 1, 1).unwrap();
/// assert_eq!((t.z(), t.x(), t.y()), (1, 1, 1));
/// assert!(TileId::new(1, 2, 0).is_err());
/// assert!(TileId::new(23, 0, 0).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    z: u8,
    x: u32,
    y: u32,
}

impl TileId {
    pub fn new(z: u8, x: u32, y: u32) -> Result<Self, TileError> {
        let invalid = |reason| TileError::InvalidTile { z, x, y, reason };
        if z > MAX_ZOOM {
            return Err(invalid("zoom must be at most 22"));
        }
        let n = 1u64 << z;
        if u64::from(x) >= n {
            return Err(invalid("x must be below 2^z"));
        }
        if u64::from(y) >= n {
            return Err(invalid("y must be below 2^z"));
        }
        Ok(Self { z, x, y })
    }

    pub fn z(self) -> u8 {
        self.z
    }

    pub fn x(self) -> u32 {
        self.x
    }

    pub fn y(self) -> u32 {
        self.y
    }

    /// The tile of zoom `z` holding a position (latitudes beyond ±85.0511° fall in the edge
    /// row; a position on a tile border belongs to the tile east / south of it).
    ///
    /// ```
    /// use senda_tiles::TileId;
    /// assert_eq!(TileId::containing(0.0, 0.0, 1).unwrap(), TileId::new(1, 1, 1).unwrap());
    /// assert_eq!(TileId::containing(-92.27, 14.9, 0).unwrap(), TileId::new(0, 0, 0).unwrap());
    /// ```
    pub fn containing(lon: f64, lat: f64, z: u8) -> Result<Self, TileError> {
        if z > MAX_ZOOM {
            return Err(TileError::InvalidTile {
                z,
                x: 0,
                y: 0,
                reason: "zoom must be at most 22",
            });
        }
        check_lonlat(lon, lat)?;
        let [wx, wy] = lonlat_to_world(lon, lat);
        let n = (1u64 << z) as f64;
        let last = (1u64 << z) - 1;
        let x = ((wx * n).floor().max(0.0) as u64).min(last) as u32;
        let y = ((wy * n).floor().max(0.0) as u64).min(last) as u32;
        Self::new(z, x, y)
    }

    /// The tile's extent in lon/lat degrees.
    ///
    /// ```
    /// use senda_tiles::TileId;
    /// let b = TileId::new(0, 0, 0).unwrap().bounds();
    /// assert_eq!((b.west(), b.east()), (-180.0, 180.0));
    /// assert!((b.north() - 85.051129).abs() < 1e-6);
    /// ```
    pub fn bounds(self) -> Bbox {
        let [w, n] = world_to_lonlat(self.world_x(0.0), self.world_y(0.0));
        let [e, s] = world_to_lonlat(self.world_x(1.0), self.world_y(1.0));
        Bbox {
            west: w,
            south: s,
            east: e,
            north: n,
        }
    }

    /// The tile's extent in Web Mercator metres (EPSG:3857): `[min_x, min_y, max_x, max_y]`.
    pub fn mercator_bounds(self) -> [f64; 4] {
        let side = 2.0 * MERCATOR_HALF_M / (1u64 << self.z) as f64;
        let min_x = -MERCATOR_HALF_M + f64::from(self.x) * side;
        let max_y = MERCATOR_HALF_M - f64::from(self.y) * side;
        [min_x, max_y - side, min_x + side, max_y]
    }

    /// The tile's square in world coordinates, widened by `margin` tile sides on every side:
    /// `[min_x, min_y, max_x, max_y]`.
    pub(crate) fn world_rect(self, margin: f64) -> [f64; 4] {
        [
            self.world_x(-margin),
            self.world_y(-margin),
            self.world_x(1.0 + margin),
            self.world_y(1.0 + margin),
        ]
    }

    fn world_x(self, fraction: f64) -> f64 {
        (f64::from(self.x) + fraction) / (1u64 << self.z) as f64
    }

    fn world_y(self, fraction: f64) -> f64 {
        (f64::from(self.y) + fraction) / (1u64 << self.z) as f64
    }

    /// The 4 tiles one zoom deeper (none at [`MAX_ZOOM`]).
    pub fn children(self) -> Vec<TileId> {
        if self.z >= MAX_ZOOM {
            return Vec::new();
        }
        let (z, x, y) = (self.z + 1, self.x * 2, self.y * 2);
        vec![
            TileId { z, x, y },
            TileId { z, x: x + 1, y },
            TileId { z, x, y: y + 1 },
            TileId {
                z,
                x: x + 1,
                y: y + 1,
            },
        ]
    }
}

impl std::fmt::Display for TileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// A lon/lat bounding box, degrees: `west ≤ east`, `south ≤ north` (boxes across the
/// antimeridian are not supported: split them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl Bbox {
    /// ```
    /// use senda_tiles::Bbox;
    /// assert!(Bbox::new(-118.0, 7.0, -77.0, 33.0).is_ok());
    /// assert!(Bbox::new(-77.0, 7.0, -118.0, 33.0).is_err()); // west > east
    /// assert!(Bbox::new(-118.0, 7.0, -77.0, 95.0).is_err());
    /// ```
    pub fn new(west: f64, south: f64, east: f64, north: f64) -> Result<Self, TileError> {
        let invalid = |reason| TileError::InvalidBbox {
            value: format!("{west},{south},{east},{north}"),
            reason,
        };
        if ![west, south, east, north].iter().all(|v| v.is_finite()) {
            return Err(invalid("coordinates must be finite numbers"));
        }
        if !(-180.0..=180.0).contains(&west) || !(-180.0..=180.0).contains(&east) {
            return Err(invalid("longitudes must be within -180..180"));
        }
        if !(-90.0..=90.0).contains(&south) || !(-90.0..=90.0).contains(&north) {
            return Err(invalid("latitudes must be within -90..90"));
        }
        if west > east {
            return Err(invalid(
                "west must not be east of east (split boxes across 180°)",
            ));
        }
        if south > north {
            return Err(invalid("south must not be north of north"));
        }
        Ok(Self {
            west,
            south,
            east,
            north,
        })
    }

    /// Parses `west,south,east,north` (the form of `--bbox` and TileJSON `bounds`).
    ///
    /// ```
    /// use senda_tiles::Bbox;
    /// let b = Bbox::parse("-92.5,14.5,-92.0,15.0").unwrap();
    /// assert_eq!(b.to_array(), [-92.5, 14.5, -92.0, 15.0]);
    /// assert!(Bbox::parse("1,2,3").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<Self, TileError> {
        let parts: Vec<f64> = value
            .split(',')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| TileError::InvalidBbox {
                value: value.to_owned(),
                reason: "expected four numbers: west,south,east,north",
            })?;
        match parts[..] {
            [w, s, e, n] => Self::new(w, s, e, n),
            _ => Err(TileError::InvalidBbox {
                value: value.to_owned(),
                reason: "expected four numbers: west,south,east,north",
            }),
        }
    }

    /// The whole Web Mercator square.
    pub fn world() -> Self {
        Self {
            west: -180.0,
            south: -MAX_LATITUDE,
            east: 180.0,
            north: MAX_LATITUDE,
        }
    }

    pub fn west(&self) -> f64 {
        self.west
    }

    pub fn south(&self) -> f64 {
        self.south
    }

    pub fn east(&self) -> f64 {
        self.east
    }

    pub fn north(&self) -> f64 {
        self.north
    }

    /// `[west, south, east, north]`.
    pub fn to_array(&self) -> [f64; 4] {
        [self.west, self.south, self.east, self.north]
    }

    pub fn center(&self) -> (f64, f64) {
        (
            (self.west + self.east) / 2.0,
            (self.south + self.north) / 2.0,
        )
    }

    /// Whether the two boxes share at least a point.
    pub fn intersects(&self, other: &Bbox) -> bool {
        self.west <= other.east
            && other.west <= self.east
            && self.south <= other.north
            && other.south <= self.north
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &Bbox) -> Bbox {
        Bbox {
            west: self.west.min(other.west),
            south: self.south.min(other.south),
            east: self.east.max(other.east),
            north: self.north.max(other.north),
        }
    }

    /// The smallest box holding the positions (`None` for none).
    pub(crate) fn around(points: impl IntoIterator<Item = (f64, f64)>) -> Option<Bbox> {
        points
            .into_iter()
            .fold(None, |acc: Option<Bbox>, (lon, lat)| {
                let b = Bbox {
                    west: lon,
                    south: lat,
                    east: lon,
                    north: lat,
                };
                Some(acc.map_or(b, |a| a.union(&b)))
            })
    }
}

fn check_lonlat(lon: f64, lat: f64) -> Result<(), TileError> {
    if lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && lat.abs() <= 90.0 {
        Ok(())
    } else {
        Err(TileError::InvalidBbox {
            value: format!("{lon},{lat}"),
            reason: "a position needs a finite longitude in -180..180 and latitude in -90..90",
        })
    }
}

/// Lon/lat degrees → world coordinates (`[0, 1]²`, `y` down). Latitudes beyond ±85.0511° are
/// clamped to the edge of the Mercator square.
///
/// ```
/// use senda_tiles::lonlat_to_world;
/// assert_eq!(lonlat_to_world(0.0, 0.0), [0.5, 0.5]);
/// assert_eq!(lonlat_to_world(-180.0, 90.0), [0.0, 0.0]);
/// ```
pub fn lonlat_to_world(lon: f64, lat: f64) -> [f64; 2] {
    let x = (lon + 180.0) / 360.0;
    let phi = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let y = 0.5 - (PI / 4.0 + phi / 2.0).tan().ln() / (2.0 * PI);
    [x, y.clamp(0.0, 1.0)]
}

/// World coordinates → lon/lat degrees (the inverse of [`lonlat_to_world`]).
pub fn world_to_lonlat(x: f64, y: f64) -> [f64; 2] {
    let lon = x * 360.0 - 180.0;
    let lat = (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
    [lon, lat]
}

/// The pixel of `tile` (0..4096 east and south; outside the tile beyond) where a position lies.
/// Not rounded: MVT coordinates are these values rounded to the nearest integer.
///
/// ```
/// use senda_tiles::{lonlat_to_tile_pixel, TileId};
/// // (0°, 0°) is the top-left corner of tile 1/1/1.
/// let t = TileId::new(1, 1, 1).unwrap();
/// assert_eq!(lonlat_to_tile_pixel(t, 0.0, 0.0), [0.0, 0.0]);
/// ```
pub fn lonlat_to_tile_pixel(tile: TileId, lon: f64, lat: f64) -> [f64; 2] {
    let [x, y] = lonlat_to_world(lon, lat);
    TileTransform::new(tile).apply([x, y])
}

/// The position of a pixel of `tile` (the inverse of [`lonlat_to_tile_pixel`]).
pub fn tile_pixel_to_lonlat(tile: TileId, px: f64, py: f64) -> [f64; 2] {
    let n = (1u64 << tile.z) as f64;
    let e = f64::from(EXTENT);
    world_to_lonlat(
        (f64::from(tile.x) + px / e) / n,
        (f64::from(tile.y) + py / e) / n,
    )
}

/// World coordinates → pixels of one tile.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TileTransform {
    scale: f64,
    ox: f64,
    oy: f64,
}

impl TileTransform {
    pub(crate) fn new(tile: TileId) -> Self {
        let e = f64::from(EXTENT);
        Self {
            scale: (1u64 << tile.z) as f64 * e,
            ox: f64::from(tile.x) * e,
            oy: f64::from(tile.y) * e,
        }
    }

    #[inline]
    pub(crate) fn apply(&self, [x, y]: [f64; 2]) -> [f64; 2] {
        [x * self.scale - self.ox, y * self.scale - self.oy]
    }
}

/// The tile range of one zoom covering a box: `(x0..=x1, y0..=y1)`. A box edge lying exactly on
/// a tile border does not pull in the tile beyond it.
fn covering_range(bbox: &Bbox, z: u8) -> (RangeInclusive<u32>, RangeInclusive<u32>) {
    let n = (1u64 << z) as f64;
    let last = ((1u64 << z) - 1) as f64;
    let [wx0, wy0] = lonlat_to_world(bbox.west, bbox.north);
    let [wx1, wy1] = lonlat_to_world(bbox.east, bbox.south);
    let lo = |v: f64| (v * n).floor().clamp(0.0, last);
    let hi = |v: f64, lo: f64| ((v * n).ceil() - 1.0).clamp(lo, last);
    let (x0, y0) = (lo(wx0), lo(wy0));
    let (x1, y1) = (hi(wx1, x0), hi(wy1, y0));
    (x0 as u32..=x1 as u32, y0 as u32..=y1 as u32)
}

/// Every tile of the zooms in `zooms` that intersects `bbox` (zooms above [`MAX_ZOOM`] are
/// left out), zoom by zoom, row by row.
///
/// ```
/// use senda_tiles::{tiles_covering, Bbox};
/// let world = Bbox::world();
/// assert_eq!(tiles_covering(&world, 0..=2).count(), 1 + 4 + 16);
/// let corridor = Bbox::new(-118.0, 7.0, -77.0, 33.0).unwrap();
/// assert_eq!(tiles_covering(&corridor, 0..=0).count(), 1);
/// ```
pub fn tiles_covering(bbox: &Bbox, zooms: RangeInclusive<u8>) -> impl Iterator<Item = TileId> {
    let bbox = *bbox;
    let (z0, z1) = (*zooms.start(), (*zooms.end()).min(MAX_ZOOM));
    (z0..=z1).flat_map(move |z| {
        let (xs, ys) = covering_range(&bbox, z);
        ys.flat_map(move |y| xs.clone().map(move |x| TileId { z, x, y }))
    })
}

/// How many tiles [`tiles_covering`] yields, without listing them.
///
/// ```
/// use senda_tiles::{count_tiles_covering, Bbox};
/// assert_eq!(count_tiles_covering(&Bbox::world(), 0..=3), 1 + 4 + 16 + 64);
/// ```
pub fn count_tiles_covering(bbox: &Bbox, zooms: RangeInclusive<u8>) -> u64 {
    let (z0, z1) = (*zooms.start(), (*zooms.end()).min(MAX_ZOOM));
    (z0..=z1)
        .map(|z| {
            let (xs, ys) = covering_range(bbox, z);
            u64::from(xs.end() - xs.start() + 1) * u64::from(ys.end() - ys.start() + 1)
        })
        .sum()
}
