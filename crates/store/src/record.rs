use chrono::{DateTime, Utc};
use senda_core::{Incident, RoadSegment, Shelter, SourceKey, TransitPoint, WeatherAlert};
use serde::{de::DeserializeOwned, Serialize};

/// The kinds of record the store keeps, one table each.
pub use senda_core::RecordKind as Kind;

/// A record the store can keep: its identity, where it is and when it applies.
pub trait Record: Serialize + DeserializeOwned {
    const KIND: Kind;
    fn key(&self) -> &SourceKey;
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    fn bbox(&self) -> [f64; 4];
    /// When the record applies: `None` for timeless records (roads, shelters); an open end
    /// (`Some((start, None))`) for alerts without expiry.
    fn time_range(&self) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        None
    }
}

fn point_bbox(p: senda_core::LonLat) -> [f64; 4] {
    [p.lon(), p.lat(), p.lon(), p.lat()]
}

impl Record for Incident {
    const KIND: Kind = Kind::Incidents;
    fn key(&self) -> &SourceKey {
        &self.key
    }
    fn bbox(&self) -> [f64; 4] {
        point_bbox(self.location)
    }
    fn time_range(&self) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        Some((self.occurred_at, Some(self.occurred_at)))
    }
}

impl Record for RoadSegment {
    const KIND: Kind = Kind::Roads;
    fn key(&self) -> &SourceKey {
        &self.key
    }
    fn bbox(&self) -> [f64; 4] {
        RoadSegment::bbox(self)
    }
}

impl Record for Shelter {
    const KIND: Kind = Kind::Shelters;
    fn key(&self) -> &SourceKey {
        &self.key
    }
    fn bbox(&self) -> [f64; 4] {
        point_bbox(self.location)
    }
}

impl Record for TransitPoint {
    const KIND: Kind = Kind::Transit;
    fn key(&self) -> &SourceKey {
        &self.key
    }
    fn bbox(&self) -> [f64; 4] {
        point_bbox(self.location)
    }
}

impl Record for WeatherAlert {
    const KIND: Kind = Kind::Weather;
    fn key(&self) -> &SourceKey {
        &self.key
    }
    fn bbox(&self) -> [f64; 4] {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut grow = |lon: f64, lat: f64| {
            b[0] = b[0].min(lon);
            b[1] = b[1].min(lat);
            b[2] = b[2].max(lon);
            b[3] = b[3].max(lat);
        };
        for area in &self.areas {
            for p in area.polygons.iter().flatten() {
                grow(p.lon(), p.lat());
            }
            for c in &area.circles {
                // 1 degree of latitude ≈ 111.32 km; widen longitude by 1/cos(lat).
                let dlat = c.radius_km / 111.32;
                let dlon = dlat / c.center.lat().to_radians().cos().max(0.01);
                grow(
                    (c.center.lon() - dlon).max(-180.0),
                    (c.center.lat() - dlat).max(-90.0),
                );
                grow(
                    (c.center.lon() + dlon).min(180.0),
                    (c.center.lat() + dlat).min(90.0),
                );
            }
        }
        if b[0].is_infinite() {
            // No geometry (validation rejects such alerts; keep the row queryable anyway).
            return [-180.0, -90.0, 180.0, 90.0];
        }
        b
    }
    fn time_range(&self) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        let (start, end) = self.window();
        Some((start, end))
    }
}
