//! Shelters and other service points for people on the move.

use crate::{InvalidValue, LonLat, SourceKey};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What kind of place this is. Routing to "the nearest shelter" uses [`ShelterKind::Shelter`];
/// the other kinds are services people also look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ShelterKind {
    /// A place to sleep (albergue, casa del migrante).
    Shelter,
    /// Meals only (comedor).
    SoupKitchen,
    Consulate,
    /// Human-rights or legal-aid office.
    HumanRights,
    Medical,
    /// Any other service point.
    Service,
}

impl ShelterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shelter => "shelter",
            Self::SoupKitchen => "soup_kitchen",
            Self::Consulate => "consulate",
            Self::HumanRights => "human_rights",
            Self::Medical => "medical",
            Self::Service => "service",
        }
    }

    /// Parses a kind from English or Spanish wording used by the shelter lists.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let v = value.trim().to_lowercase();
        Ok(match v.as_str() {
            "shelter" | "albergue" | "housing" | "casa del migrante" | "refugio" => Self::Shelter,
            "soup_kitchen" | "soup kitchen" | "comedor" | "food" => Self::SoupKitchen,
            "consulate" | "consulado" => Self::Consulate,
            "human_rights" | "human rights" | "derechos humanos" | "legal" | "legal aid" => {
                Self::HumanRights
            }
            "medical" | "health" | "clinic" | "clínica" | "salud" => Self::Medical,
            "service" | "services" | "other" => Self::Service,
            _ => {
                return Err(InvalidValue::new(
                    "kind",
                    value,
                    "unknown service point kind",
                ))
            }
        })
    }
}

/// A service offered at a shelter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Service {
    Bed,
    Food,
    Medical,
    Legal,
    Psychological,
    Shower,
    Clothing,
    Phone,
    Internet,
    Consular,
}

impl Service {
    pub const ALL: [Service; 10] = [
        Self::Bed,
        Self::Food,
        Self::Medical,
        Self::Legal,
        Self::Psychological,
        Self::Shower,
        Self::Clothing,
        Self::Phone,
        Self::Internet,
        Self::Consular,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bed => "bed",
            Self::Food => "food",
            Self::Medical => "medical",
            Self::Legal => "legal",
            Self::Psychological => "psychological",
            Self::Shower => "shower",
            Self::Clothing => "clothing",
            Self::Phone => "phone",
            Self::Internet => "internet",
            Self::Consular => "consular",
        }
    }

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let v = value.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == v)
            .or(match v.as_str() {
                "housing" | "cama" | "hospedaje" | "beds" => Some(Self::Bed),
                "comida" | "meals" | "alimentación" | "alimentacion" => Some(Self::Food),
                "salud" | "health" | "médico" | "medico" => Some(Self::Medical),
                "legal aid" | "asesoría legal" | "asesoria legal" | "human_rights" => {
                    Some(Self::Legal)
                }
                "psicológico" | "psicologico" | "mental health" => Some(Self::Psychological),
                _ => None,
            })
            .ok_or_else(|| InvalidValue::new("services", value, "unknown service"))
    }
}

/// Who a shelter serves (beyond everyone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Population {
    Men,
    Women,
    Families,
    Minors,
    Lgbtq,
}

impl Population {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Men => "men",
            Self::Women => "women",
            Self::Families => "families",
            Self::Minors => "minors",
            Self::Lgbtq => "lgbtq",
        }
    }

    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        Ok(match value.trim().to_lowercase().as_str() {
            "men" | "hombres" => Self::Men,
            "women" | "mujeres" => Self::Women,
            "families" | "familias" => Self::Families,
            "minors" | "children" | "menores" | "niños" | "ninos" => Self::Minors,
            "lgbtq" | "lgbtq+" | "lgbt" | "lgbtiq+" => Self::Lgbtq,
            _ => return Err(InvalidValue::new("serves", value, "unknown population")),
        })
    }
}

/// Whether a shelter may be shown to the public. Safe houses (e.g. for trafficking survivors)
/// are `Restricted` and never leave the server without the analyst role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Public,
    Restricted,
}

impl Visibility {
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        match value.trim().to_lowercase().as_str() {
            "" | "public" => Ok(Self::Public),
            "restricted" | "private" | "hidden" => Ok(Self::Restricted),
            _ => Err(InvalidValue::new(
                "visibility",
                value,
                "expected public or restricted",
            )),
        }
    }
}

/// How well a shelter's point is known (checked against the town its address, name or state
/// names, with the gazetteer, when the record is read).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Placement {
    /// The source's point, consistent with what the record names (or nothing to check).
    #[default]
    AsGiven,
    /// The source's point lay implausibly far from the town the record names, so the shelter
    /// is placed at that town's centre (`source_location` keeps the source's point for
    /// analysts). Never shown with exact-looking distances: "in Tapachula — call for the
    /// exact address".
    Town {
        /// The town's label ("Tapachula, Chiapas").
        town: String,
    },
    /// The point disagrees with the stated country and the record names no town to place it
    /// at: listed after the others and flagged.
    Undecided,
}

impl Placement {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AsGiven => "as_given",
            Self::Town { .. } => "approximate_town",
            Self::Undecided => "undecided",
        }
    }

    /// Whether the point is precise enough for distances and walking times.
    pub fn is_precise(&self) -> bool {
        matches!(self, Self::AsGiven)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shelter {
    pub key: SourceKey,
    pub kind: ShelterKind,
    pub name: String,
    pub location: LonLat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// State or department, as given by the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Country name as given by the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    pub services: Vec<Service>,
    pub serves: Vec<Population>,
    /// Beds, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// BCP 47 language tags spoken at the shelter (`es`, `ht`, `en`, `fr`, ...).
    pub languages: Vec<String>,
    /// Date the information was last verified; `None` means never verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_on: Option<NaiveDate>,
    pub visibility: Visibility,
    /// The location falls outside the country the source names (checked against Natural
    /// Earth country polygons), or far from the town it names. The record is kept, flagged
    /// for review.
    pub location_suspect: bool,
    /// How well the point is known; see [`Placement`].
    #[serde(default, skip_serializing_if = "is_as_given")]
    pub placement: Placement,
    /// The point the source gave, when the shelter was placed elsewhere (analysts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_location: Option<LonLat>,
}

fn is_as_given(p: &Placement) -> bool {
    *p == Placement::AsGiven
}

impl Shelter {
    pub fn new(
        key: SourceKey,
        kind: ShelterKind,
        name: impl Into<String>,
        location: LonLat,
    ) -> Result<Self, InvalidValue> {
        let name = name.into().trim().to_owned();
        if name.is_empty() {
            return Err(InvalidValue::new("name", "", "must not be empty"));
        }
        Ok(Self {
            key,
            kind,
            name,
            location,
            description: None,
            address: None,
            state: None,
            country: None,
            services: Vec::new(),
            serves: Vec::new(),
            capacity: None,
            phone: None,
            whatsapp: None,
            hours: None,
            languages: Vec::new(),
            verified_on: None,
            visibility: Visibility::Public,
            location_suspect: false,
            placement: Placement::AsGiven,
            source_location: None,
        })
    }

    /// Whether the shelter offers every service in `needs`.
    pub fn offers_all(&self, needs: &[Service]) -> bool {
        needs.iter().all(|n| self.services.contains(n))
    }
}

#[cfg(test)]
mod placement_tests {
    use super::*;

    #[test]
    fn placement_round_trips_and_defaults() {
        let key = SourceKey::new("t", "1").unwrap();
        let mut s = Shelter::new(
            key,
            ShelterKind::Shelter,
            "Casa",
            LonLat::new(-92.26, 14.9).unwrap(),
        )
        .unwrap();
        let json = serde_json::to_value(&s).unwrap();
        assert!(json.get("placement").is_none());
        let back: Shelter = serde_json::from_value(json).unwrap();
        assert_eq!(back.placement, Placement::AsGiven);
        s.placement = Placement::Town {
            town: "Tapachula, Chiapas".into(),
        };
        s.source_location = Some(LonLat::new(-94.2, 16.56).unwrap());
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["placement"]["kind"], "town");
        let back: Shelter = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
    }
}
