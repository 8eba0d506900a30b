//! MVT 2.1 encoding: the vector-tile protobuf schema as `prost` messages, a layer builder with
//! key/value dictionaries, and the geometry command stream (MoveTo/LineTo/ClosePath with
//! zigzag-encoded deltas, spec §4.3).

use crate::tile::EXTENT;
use std::collections::HashMap;
use std::io::Write;

/// The Mapbox vector tile schema, version 2.1 (`vector_tile.proto`), as `prost` messages.
/// Decode a tile with `prost::Message::decode(bytes)`.
pub mod proto {
    /// A vector tile: a list of layers.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Tile {
        #[prost(message, repeated, tag = "3")]
        pub layers: Vec<Layer>,
    }

    /// A property value; exactly one field is set.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Value {
        #[prost(string, optional, tag = "1")]
        pub string_value: Option<String>,
        #[prost(float, optional, tag = "2")]
        pub float_value: Option<f32>,
        #[prost(double, optional, tag = "3")]
        pub double_value: Option<f64>,
        #[prost(int64, optional, tag = "4")]
        pub int_value: Option<i64>,
        #[prost(uint64, optional, tag = "5")]
        pub uint_value: Option<u64>,
        #[prost(sint64, optional, tag = "6")]
        pub sint_value: Option<i64>,
        #[prost(bool, optional, tag = "7")]
        pub bool_value: Option<bool>,
    }

    /// One feature: tags are `(key index, value index)` pairs into the layer's dictionaries.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Feature {
        #[prost(uint64, optional, tag = "1", default = "0")]
        pub id: Option<u64>,
        #[prost(uint32, repeated, tag = "2")]
        pub tags: Vec<u32>,
        #[prost(enumeration = "GeomType", optional, tag = "3", default = "Unknown")]
        pub r#type: Option<i32>,
        #[prost(uint32, repeated, tag = "4")]
        pub geometry: Vec<u32>,
    }

    /// A named layer with its features and key/value dictionaries.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Layer {
        #[prost(uint32, required, tag = "15", default = "1")]
        pub version: u32,
        #[prost(string, required, tag = "1")]
        pub name: String,
        #[prost(message, repeated, tag = "2")]
        pub features: Vec<Feature>,
        #[prost(string, repeated, tag = "3")]
        pub keys: Vec<String>,
        #[prost(message, repeated, tag = "4")]
        pub values: Vec<Value>,
        #[prost(uint32, optional, tag = "5", default = "4096")]
        pub extent: Option<u32>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
    #[repr(i32)]
    pub enum GeomType {
        Unknown = 0,
        Point = 1,
        Linestring = 2,
        Polygon = 3,
    }
}

/// A property value of a feature, owned (feature properties are computed once per snapshot).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Prop {
    Str(String),
    Double(f64),
    Uint(u64),
    Bool(bool),
}

/// The properties of a feature: `(key, value)` pairs, keys from the layer's schema.
pub(crate) type Props = Vec<(&'static str, Prop)>;

/// Builds one MVT layer, sharing keys and values through its dictionaries.
pub(crate) struct LayerBuilder {
    name: &'static str,
    keys: Vec<String>,
    key_index: HashMap<&'static str, u32>,
    values: Vec<proto::Value>,
    str_index: HashMap<String, u32>,
    num_index: HashMap<(u8, u64), u32>,
    features: Vec<proto::Feature>,
}

impl LayerBuilder {
    pub(crate) fn new(name: &'static str) -> Self {
        Self {
            name,
            keys: Vec::new(),
            key_index: HashMap::new(),
            values: Vec::new(),
            str_index: HashMap::new(),
            num_index: HashMap::new(),
            features: Vec::new(),
        }
    }

    /// Adds a feature whose geometry is not empty (empty ones are skipped: a feature must
    /// have geometry).
    pub(crate) fn add<'a>(
        &mut self,
        id: Option<u64>,
        geometry: Geometry,
        props: impl IntoIterator<Item = (&'static str, &'a Prop)>,
    ) {
        if geometry.commands.is_empty() {
            return;
        }
        let mut tags = Vec::new();
        for (key, value) in props {
            let k = self.key(key);
            let v = self.value(value);
            tags.push(k);
            tags.push(v);
        }
        self.features.push(proto::Feature {
            id,
            tags,
            r#type: Some(geometry.kind as i32),
            geometry: geometry.commands,
        });
    }

    fn key(&mut self, key: &'static str) -> u32 {
        if let Some(&i) = self.key_index.get(key) {
            return i;
        }
        let i = self.keys.len() as u32;
        self.keys.push(key.to_owned());
        self.key_index.insert(key, i);
        i
    }

    fn value(&mut self, value: &Prop) -> u32 {
        let next = self.values.len() as u32;
        let (index, new) = match value {
            Prop::Str(s) => match self.str_index.get(s.as_str()) {
                Some(&i) => (i, None),
                None => {
                    self.str_index.insert(s.clone(), next);
                    (
                        next,
                        Some(proto::Value {
                            string_value: Some(s.clone()),
                            ..Default::default()
                        }),
                    )
                }
            },
            Prop::Double(d) => self.number((1, d.to_bits()), next, || proto::Value {
                double_value: Some(*d),
                ..Default::default()
            }),
            Prop::Uint(u) => self.number((2, *u), next, || proto::Value {
                uint_value: Some(*u),
                ..Default::default()
            }),
            Prop::Bool(b) => self.number((3, u64::from(*b)), next, || proto::Value {
                bool_value: Some(*b),
                ..Default::default()
            }),
        };
        if let Some(v) = new {
            self.values.push(v);
        }
        index
    }

    fn number(
        &mut self,
        key: (u8, u64),
        next: u32,
        make: impl FnOnce() -> proto::Value,
    ) -> (u32, Option<proto::Value>) {
        match self.num_index.get(&key) {
            Some(&i) => (i, None),
            None => {
                self.num_index.insert(key, next);
                (next, Some(make()))
            }
        }
    }

    pub(crate) fn finish(self) -> proto::Layer {
        proto::Layer {
            version: 2,
            name: self.name.to_owned(),
            features: self.features,
            keys: self.keys,
            values: self.values,
            extent: Some(EXTENT),
        }
    }
}

/// Encodes layers as one tile. Layers without features are left out; a tile with no layer
/// left is the empty byte string, which is the valid encoding of a tile with no layers.
pub(crate) fn encode_tile(layers: Vec<proto::Layer>) -> Vec<u8> {
    use prost::Message;
    let layers: Vec<proto::Layer> = layers
        .into_iter()
        .filter(|l| !l.features.is_empty())
        .collect();
    if layers.is_empty() {
        return Vec::new();
    }
    proto::Tile { layers }.encode_to_vec()
}

/// An encoded geometry: its type and command stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Geometry {
    kind: proto::GeomType,
    commands: Vec<u32>,
}

const MOVE_TO: u32 = 1;
const LINE_TO: u32 = 2;
const CLOSE_PATH: u32 = 7;

#[inline]
fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

#[inline]
fn zigzag(n: i32) -> u32 {
    ((n << 1) ^ (n >> 31)) as u32
}

/// Writes command streams; the cursor carries over between the parts of one geometry.
struct Commands {
    out: Vec<u32>,
    cursor: [i32; 2],
}

impl Commands {
    fn with_capacity(n: usize) -> Self {
        Self {
            out: Vec::with_capacity(n),
            cursor: [0, 0],
        }
    }

    fn param(&mut self, p: [i32; 2]) {
        self.out.push(zigzag(p[0].wrapping_sub(self.cursor[0])));
        self.out.push(zigzag(p[1].wrapping_sub(self.cursor[1])));
        self.cursor = p;
    }

    /// One MoveTo and one LineTo for the rest of `path`.
    fn path(&mut self, path: &[[i32; 2]]) {
        self.out.push(command(MOVE_TO, 1));
        self.param(path[0]);
        self.out.push(command(LINE_TO, (path.len() - 1) as u32));
        for &p in &path[1..] {
            self.param(p);
        }
    }
}

impl Geometry {
    /// Points (one feature, several points = a MultiPoint).
    pub(crate) fn points(points: &[[i32; 2]]) -> Self {
        let mut c = Commands::with_capacity(1 + 2 * points.len());
        if !points.is_empty() {
            c.out.push(command(MOVE_TO, points.len() as u32));
            for &p in points {
                c.param(p);
            }
        }
        Self {
            kind: proto::GeomType::Point,
            commands: c.out,
        }
    }

    /// Lines; parts with fewer than 2 positions are left out.
    pub(crate) fn lines(parts: &[Vec<[i32; 2]>]) -> Self {
        let n: usize = parts.iter().map(|p| 2 + 2 * p.len()).sum();
        let mut c = Commands::with_capacity(n);
        for part in parts.iter().filter(|p| p.len() >= 2) {
            c.path(part);
        }
        Self {
            kind: proto::GeomType::Linestring,
            commands: c.out,
        }
    }

    /// Polygons as rings, each already oriented (exterior rings of positive area in tile
    /// coordinates, interior rings negative) and without the closing repeat of the first
    /// position; rings with fewer than 3 positions are left out.
    pub(crate) fn polygons(rings: &[Vec<[i32; 2]>]) -> Self {
        let n: usize = rings.iter().map(|r| 3 + 2 * r.len()).sum();
        let mut c = Commands::with_capacity(n);
        for ring in rings.iter().filter(|r| r.len() >= 3) {
            c.path(ring);
            c.out.push(command(CLOSE_PATH, 1));
        }
        Self {
            kind: proto::GeomType::Polygon,
            commands: c.out,
        }
    }
}

/// Gzip-compresses a tile (for `Content-Encoding: gzip`; the caller decides by
/// `Accept-Encoding`). An empty tile stays empty.
///
/// ```
/// let bytes = b"\x1a\x02\x78\x02".to_vec();
/// let gz = senda_tiles::gzip(&bytes);
/// assert_eq!(&gz[..2], &[0x1f, 0x8b]);
/// assert!(senda_tiles::gzip(&[]).is_empty());
/// ```
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    if bytes.is_empty() {
        return Vec::new();
    }
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 2 + 64),
        flate2::Compression::default(),
    );
    // Writing into a Vec cannot fail.
    enc.write_all(bytes).expect("gzip into memory");
    enc.finish().expect("gzip into memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_matches_the_spec_table() {
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(-2), 3);
        assert_eq!(zigzag(2), 4);
        assert_eq!(zigzag(i32::MAX), u32::MAX - 1);
        assert_eq!(zigzag(i32::MIN), u32::MAX);
    }

    #[test]
    fn spec_examples_encode_exactly() {
        // Spec §4.3.5.1: a point at (25, 17).
        assert_eq!(Geometry::points(&[[25, 17]]).commands, vec![9, 50, 34]);
        // §4.3.5.2: multipoint (5,7), (3,2).
        assert_eq!(
            Geometry::points(&[[5, 7], [3, 2]]).commands,
            vec![17, 10, 14, 3, 9]
        );
        // §4.3.5.3: linestring (2,2) (2,10) (10,10).
        assert_eq!(
            Geometry::lines(&[vec![[2, 2], [2, 10], [10, 10]]]).commands,
            vec![9, 4, 4, 18, 0, 16, 16, 0]
        );
        // §4.3.5.4: multilinestring.
        assert_eq!(
            Geometry::lines(&[vec![[2, 2], [2, 10], [10, 10]], vec![[1, 1], [3, 5]]]).commands,
            vec![9, 4, 4, 18, 0, 16, 16, 0, 9, 17, 17, 10, 4, 8]
        );
        // §4.3.5.5: polygon (3,6) (8,12) (20,34).
        assert_eq!(
            Geometry::polygons(&[vec![[3, 6], [8, 12], [20, 34]]]).commands,
            vec![9, 6, 12, 18, 10, 12, 24, 44, 15]
        );
    }

    #[test]
    fn values_and_keys_are_shared_within_a_layer() {
        let mut b = LayerBuilder::new("t");
        let a = Prop::Str("a".into());
        let one = Prop::Double(1.0);
        for _ in 0..3 {
            b.add(
                None,
                Geometry::points(&[[1, 1]]),
                [("name", &a), ("value", &one)],
            );
        }
        b.add(None, Geometry::points(&[]), [("name", &a)]);
        let layer = b.finish();
        assert_eq!(layer.features.len(), 3);
        assert_eq!(layer.keys, vec!["name", "value"]);
        assert_eq!(layer.values.len(), 2);
        assert_eq!(layer.features[2].tags, vec![0, 0, 1, 1]);
    }
}
