//! Typed `u32` ids: an index into one kind of table can't be used for another.

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The id as an index into a `Vec`.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl From<u32> for $name {
            fn from(v: u32) -> Self {
                Self(v)
            }
        }

        impl TryFrom<usize> for $name {
            type Error = std::num::TryFromIntError;
            fn try_from(v: usize) -> Result<Self, Self::Error> {
                u32::try_from(v).map(Self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// A node of the road graph.
    NodeId
);
typed_id!(
    /// A directed edge of the road graph.
    EdgeId
);
typed_id!(
    /// A shelter (or other service point).
    ShelterId
);
typed_id!(
    /// An incident report.
    IncidentId
);
typed_id!(
    /// A transit point (bus station, rail station, border crossing, place).
    TransitId
);
typed_id!(
    /// A place of the gazetteer (an index into its places).
    PlaceId
);
