//! How segments become a graph: the merge tolerance and the speed tables.

use crate::RoadClass;
use serde::{Deserialize, Serialize};

/// Settings for [`RoadGraph::build`](super::RoadGraph::build). The defaults are documented on
/// each field; analysts may tune them per deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GraphConfig {
    /// A segment end that no other segment touches (a dangling end) is joined to the nearest
    /// position of another segment closer than this, in metres. Default 3 m: the gap left by
    /// GeoJSON lines digitised separately, far below the spacing of distinct roads.
    /// `0` joins identical positions only.
    pub merge_tolerance_m: f64,
    /// Walking speed, km/h. Default 5.
    pub foot_speed_kmh: f64,
    /// Walking speed on `highway=steps`, km/h. Default 3.
    pub steps_speed_kmh: f64,
    /// Speed on foot along rail lines (when a query allows rail), km/h. Default 5: walking
    /// beside the track. Set it higher to model riding freight trains.
    pub foot_rail_speed_kmh: f64,
    /// Vehicle speeds by class (capped by a way's posted `maxspeed`).
    pub vehicle: VehicleSpeeds,
    /// How many examples (merges, dropped components) a [`BuildReport`](super::BuildReport)
    /// keeps. Default 20.
    pub report_sample: usize,
}

impl Default for GraphConfig {
    fn default() -> Self {
        Self {
            merge_tolerance_m: 3.0,
            foot_speed_kmh: 5.0,
            steps_speed_kmh: 3.0,
            foot_rail_speed_kmh: 5.0,
            vehicle: VehicleSpeeds::default(),
            report_sample: 20,
        }
    }
}

/// Vehicle speeds by road class, km/h, before the `maxspeed` cap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VehicleSpeeds {
    /// Default 100.
    pub motorway: f64,
    /// Default 80.
    pub trunk: f64,
    /// Default 70.
    pub primary: f64,
    /// Default 60.
    pub secondary: f64,
    /// Default 50.
    pub tertiary: f64,
    /// Default 40.
    pub unclassified: f64,
    /// Default 30.
    pub residential: f64,
    /// Default 10.
    pub living_street: f64,
    /// Default 20.
    pub service: f64,
    /// Default 20.
    pub track: f64,
    /// Any other class opened to vehicles by its tags (e.g. a path with `motor_vehicle=yes`).
    /// Default 15.
    pub other: f64,
}

impl Default for VehicleSpeeds {
    fn default() -> Self {
        Self {
            motorway: 100.0,
            trunk: 80.0,
            primary: 70.0,
            secondary: 60.0,
            tertiary: 50.0,
            unclassified: 40.0,
            residential: 30.0,
            living_street: 10.0,
            service: 20.0,
            track: 20.0,
            other: 15.0,
        }
    }
}

impl VehicleSpeeds {
    /// The table speed of a class, km/h.
    pub fn for_class(&self, class: RoadClass) -> f64 {
        match class {
            RoadClass::Motorway => self.motorway,
            RoadClass::Trunk => self.trunk,
            RoadClass::Primary => self.primary,
            RoadClass::Secondary => self.secondary,
            RoadClass::Tertiary => self.tertiary,
            RoadClass::Unclassified => self.unclassified,
            RoadClass::Residential => self.residential,
            RoadClass::LivingStreet => self.living_street,
            RoadClass::Service => self.service,
            RoadClass::Track => self.track,
            _ => self.other,
        }
    }
}

/// Converts a length at a speed into deciseconds, at least 1 for a positive length, saturating
/// below `u32::MAX` (which means "not allowed").
pub(crate) fn time_ds(length_m: f64, speed_kmh: f64) -> u32 {
    if speed_kmh.is_nan() || speed_kmh <= 0.0 || !length_m.is_finite() {
        return u32::MAX;
    }
    let ds = (length_m / (speed_kmh / 3.6) * 10.0).round();
    let ds = if length_m > 0.0 { ds.max(1.0) } else { ds };
    ds.min(f64::from(u32::MAX - 1)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_conversion() {
        // 1 km at 36 km/h is 100 s.
        assert_eq!(time_ds(1000.0, 36.0), 1000);
        assert_eq!(time_ds(0.01, 100.0), 1);
        assert_eq!(time_ds(0.0, 100.0), 0);
        assert_eq!(time_ds(10.0, 0.0), u32::MAX);
        assert_eq!(time_ds(1e30, 1.0), u32::MAX - 1);
    }
}
