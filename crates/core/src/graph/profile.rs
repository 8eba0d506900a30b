//! Travel profiles: who moves along the graph.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};

/// A way of travelling, with its own access rules and speeds.
///
/// ```
/// use senda_core::graph::Profile;
/// assert_eq!(Profile::parse("foot").unwrap(), Profile::Foot);
/// assert_eq!(Profile::Vehicle.as_str(), "vehicle");
/// assert!(Profile::parse("bicycle").is_err());
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// On foot: ignores oneway, never on motorways (unless tagged `foot=yes`), on rail only
    /// when a query allows it. The default.
    #[default]
    Foot,
    /// By bus or car: respects oneway, never on rail or foot-only ways.
    Vehicle,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Foot, Profile::Vehicle];

    /// The name used by the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Foot => "foot",
            Self::Vehicle => "vehicle",
        }
    }

    /// Parses a profile name (`foot`, `vehicle`; `car` and `bus` are read as `vehicle`,
    /// `walk` as `foot`).
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        match value.trim().to_ascii_lowercase().as_str() {
            "foot" | "walk" => Ok(Self::Foot),
            "vehicle" | "car" | "bus" => Ok(Self::Vehicle),
            _ => Err(InvalidValue::new(
                "profile",
                value,
                "expected foot or vehicle",
            )),
        }
    }

    /// Index into per-profile arrays.
    #[inline]
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Profile {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
