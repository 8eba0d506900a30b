//! How each source's own cause or event vocabulary maps onto senda's [`IncidentCategory`].
//!
//! The tables below are the user documentation of the mapping; the constants in this module
//! ([`MMP_CAUSES`], [`MMP_KEYWORDS`], [`ACLED_SUB_EVENT_TYPES`], [`ACLED_EVENT_TYPES`],
//! [`UCDP_TYPES_OF_VIOLENCE`]) are the same tables in code, and a unit test checks that every
//! row of the code appears here.
//!
//! # IOM Missing Migrants Project: "Cause of Death"
//!
//! The current MMP vocabulary has seven values. A record may combine several, separated by
//! commas; the record then takes the **most severe** of the categories (by
//! [`IncidentCategory::base_severity`]; ties go to the category listed first in
//! [`IncidentCategory::ALL`]: violence, kidnapping, sexual_violence, trafficking, extortion,
//! armed_conflict, enforcement, unrest, vehicle_accident, train_accident, drowning,
//! environmental, sickness, accident, unknown).
//!
//! | MMP cause of death (current vocabulary) | senda category |
//! |---|---|
//! | Violence | violence |
//! | Drowning | drowning |
//! | Vehicle accident / death linked to hazardous transport | vehicle_accident |
//! | Harsh environmental conditions / lack of adequate shelter, food, water | environmental |
//! | Sickness / lack of access to adequate healthcare | sickness |
//! | Accidental death | accident |
//! | Mixed or unknown | unknown |
//! | Sickness and lack of access to medicines (old) | sickness |
//! | Harsh weather/lack of adequate shelter (old) | environmental |
//! | Excessive Physical Abuse (old) | violence |
//! | Sexual abuse (old) | sexual_violence |
//!
//! Older exports (and the HDX data set) hold free text ("Presumed drowning", "Hypothermia",
//! "Fall from train", "Shot", "Unknown (skeletal remains)", …). Each comma-separated part that
//! is not in the table above is matched against these keywords, **in this order; the first
//! rule that matches decides the part** (so "Hit by train" is a train accident, not a vehicle
//! accident, and "Heat stroke" is environmental, not sickness). Keywords match whole words,
//! case-insensitively, with punctuation read as a space; a trailing `*` matches any word
//! that starts with it (`drown*` matches "drowning", "drowned").
//!
//! | order | keywords in the cause | senda category | examples |
//! |---|---|---|---|
//! | 1 | sexual*, rape* | sexual_violence | "Sexual abuse" |
//! | 2 | kidnap*, abduct*, forced disappearance | kidnapping | "Kidnapped and killed" |
//! | 3 | traffick*, forced labour, forced labor | trafficking | "Killed during dispute between traffickers" |
//! | 4 | violence, violent*, shot, shooting, gunshot*, gun, gunfire, stab*, knife*, knifed, murder*, homicide*, beat*, abuse*, tortur*, lynch*, assault*, strangl*, executed, execution, gassed, beheaded, fight*, weapon* | violence | "Shot", "Shot or stabbed", "Murdered", "Excessive Physical Abuse" |
//! | 5 | landmine*, land mine*, mine blast, mine explosion, shelling, shelled, artillery, mortar*, missile*, grenade*, bomb*, airstrike*, air strike*, crossfire | armed_conflict | "Killed by landmine blast", "Artillery shelling by SBG", "Air strike" |
//! | 6 | robb*, thief, thieves, extortion | extortion | "Killed by thieves", "Robbery" |
//! | 7 | train*, railway*, railroad*, rail, la bestia | train_accident | "Fall from train", "Hit by train", "Electrocution on railway" |
//! | 8 | drown*, water related, shipwreck*, capsiz*, sank, sunk, sinking | drowning | "Presumed drowning", "Water-Related" |
//! | 9 | vehicle*, car, cars, truck*, bus, buses, lorry, van, trailer*, motor*, traffic*, road accident, bike*, motorcycle*, transport, hit by, run over, struck by, collision*, collided, plane, stowaway*, suffocat*, asphyxi*, crush* | vehicle_accident | "Vehicle Accident", "Hit by vehicle", "Car accident", "Crushed in back of truck", "Suffocation" |
//! | 10 | heat, hyperthermi*, hypothermi*, dehydrat*, starv*, exposure, exposed, cold, harsh, freez*, frostbit*, weather, environmental, exhaust*, sunstroke, thirst, hunger, malnutrition, malnourish* | environmental | "Hypothermia", "Dehydration", "Environmental Exposure-Heat", "Heat stroke" |
//! | 11 | sick*, ill, illness*, disease*, medic*, health*, heart, cardiac, stroke, cancer, natural, hypoglyc*, diabet*, infect*, covid*, pneumonia, tuberculosis, respiratory, malaria, flu, influenza, kidney*, renal, liver, coronary, atherosclerosis, brain attack, seizure*, organ failure, hypertension, pulmonary, post partum, pregnan*, childbirth | sickness | "Sickness", "Cardiac arrest", "Natural death" |
//! | 12 | accident*, fall, falls, fell, fallen, falling, electrocut*, electric*, fire, burn*, explosion*, cliff, animal*, snake*, crocodile*, hippo*, envenom* | accident | "Fell from border wall", "Killed in fire", "Electrocution", "Gas explosion" |
//! | 13 | unknown, undetermined, mixed, other, skelet*, mummif*, decompos*, not reported, pending, blunt, trauma, injur*, hanging, suicide | unknown | "Unknown (skeletal remains)", "Mixed", "Other" |
//!
//! A cause that matches no rule at all maps to `unknown`; readers list such values in the
//! report's notes so the table can grow. Suicide is deliberately `unknown`: it is a death on
//! the route but not one of the hazards the categories describe; so are blunt-force injuries
//! and hangings, which medical examiners record without saying whether a fall, a vehicle or
//! a person caused them.
//!
//! # ACLED: `sub_event_type` (then `event_type`)
//!
//! ACLED events are classified by their `sub_event_type`; only when that is empty or not in
//! the table is the `event_type` used. "— (skipped)" means the event is not a safety incident
//! for people on the move: readers report it as skipped, not rejected.
//!
//! | ACLED sub_event_type | senda category |
//! |---|---|
//! | Armed clash | armed_conflict |
//! | Government regains territory | armed_conflict |
//! | Non-state actor overtakes territory | armed_conflict |
//! | Chemical weapon | armed_conflict |
//! | Air/drone strike | armed_conflict |
//! | Suicide bomb | armed_conflict |
//! | Shelling/artillery/missile attack | armed_conflict |
//! | Remote explosive/landmine/IED | armed_conflict |
//! | Grenade | armed_conflict |
//! | Disrupted weapons use | armed_conflict |
//! | Attack | violence |
//! | Abduction/forced disappearance | kidnapping |
//! | Sexual violence | sexual_violence |
//! | Looting/property destruction | extortion |
//! | Mob violence | unrest |
//! | Violent demonstration | unrest |
//! | Arrests | enforcement |
//! | Excessive force against protesters | enforcement |
//! | Protest with intervention | enforcement |
//! | Peaceful protest | — (skipped) |
//! | Agreement | — (skipped) |
//! | Change to group/activity | — (skipped) |
//! | Headquarters or base established | — (skipped) |
//! | Non-violent transfer of territory | — (skipped) |
//! | Other | — (skipped) |
//!
//! | ACLED event_type (fallback) | senda category |
//! |---|---|
//! | Battles | armed_conflict |
//! | Explosions/Remote violence | armed_conflict |
//! | Violence against civilians | violence |
//! | Riots | unrest |
//! | Protests | — (skipped) |
//! | Strategic developments | — (skipped) |
//!
//! An event type that is in neither table maps to `unknown` (and is listed in the notes).
//!
//! # UCDP Georeferenced Event Dataset: `type_of_violence`
//!
//! Every GED event is a lethal use of armed force by an organised actor (at least one death
//! in the best or high estimate). Its `type_of_violence` code says who fought whom:
//!
//! | type_of_violence | UCDP's name | senda category |
//! |---|---|---|
//! | 1 | state-based conflict | armed_conflict |
//! | 2 | non-state conflict | armed_conflict |
//! | 3 | one-sided violence | violence |
//!
//! State-based (the government against an armed group, e.g. the EPR) and non-state conflict
//! (two organised groups, in Mexico nearly always cartel against cartel) are fighting between
//! armed groups — exactly what `armed_conflict` stands for ("armed clashes, attacks between
//! armed groups"), as ACLED's "Armed clash" is. For a person on the move such a place is
//! dangerous through crossfire and through the groups themselves (who kidnap, extort and
//! recruit migrants), not because the person was the target. One-sided violence is an
//! organised actor (a cartel or the state) killing unarmed civilians: that is `violence`,
//! the category of ACLED's "Violence against civilians" and of MMP's violent deaths. Any other
//! code is not GED's and the record is rejected.
//!
//! # Other sources
//!
//! Generic HXL files (`#event+type`, `#cause+type`, `#crisis+type`) and free text in general go
//! through [`classify_text`]: a senda category name (`violence`, `train_accident`, …) first,
//! then the ACLED tables, then the MMP rules.
//!
//! ```
//! use senda_core::IncidentCategory;
//! use senda_ingest::category::{acled, mmp_cause, Mapping};
//! assert_eq!(mmp_cause("Presumed drowning"), Mapping::Category(IncidentCategory::Drowning));
//! // combined causes take the most severe one
//! assert_eq!(mmp_cause("Sickness and lack of access to medicines, Vehicle Accident"),
//!            Mapping::Category(IncidentCategory::VehicleAccident));
//! assert_eq!(acled("Protests", "Peaceful protest"), Mapping::NotAnIncident);
//! assert_eq!(acled("Violence against civilians", "Abduction/forced disappearance"),
//!            Mapping::Category(IncidentCategory::Kidnapping));
//! ```

use senda_core::IncidentCategory;
use std::sync::LazyLock;
use IncidentCategory as C;

/// The outcome of looking a source's cause or event type up in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mapping {
    /// The value maps onto this category.
    Category(IncidentCategory),
    /// The value names an event that is not a safety incident (e.g. an ACLED peaceful
    /// protest): readers skip the record.
    NotAnIncident,
    /// The value is not in any table; readers load the record as `unknown` and say so.
    Unrecognised,
}

impl Mapping {
    /// The category, with [`Mapping::Unrecognised`] read as [`IncidentCategory::Unknown`];
    /// `None` for [`Mapping::NotAnIncident`].
    pub fn category(self) -> Option<IncidentCategory> {
        match self {
            Self::Category(c) => Some(c),
            Self::NotAnIncident => None,
            Self::Unrecognised => Some(C::Unknown),
        }
    }
}

/// The MMP vocabulary matched as whole values (case-insensitive, punctuation read as space).
pub const MMP_CAUSES: &[(&str, IncidentCategory)] = &[
    ("Violence", C::Violence),
    ("Drowning", C::Drowning),
    (
        "Vehicle accident / death linked to hazardous transport",
        C::VehicleAccident,
    ),
    (
        "Harsh environmental conditions / lack of adequate shelter, food, water",
        C::Environmental,
    ),
    (
        "Sickness / lack of access to adequate healthcare",
        C::Sickness,
    ),
    ("Accidental death", C::Accident),
    ("Mixed or unknown", C::Unknown),
    ("Sickness and lack of access to medicines", C::Sickness),
    ("Harsh weather/lack of adequate shelter", C::Environmental),
    ("Excessive Physical Abuse", C::Violence),
    ("Sexual abuse", C::SexualViolence),
];

/// The keyword rules for free-text MMP causes, in the order they are tried.
pub const MMP_KEYWORDS: &[(&[&str], IncidentCategory)] = &[
    (&["sexual*", "rape*"], C::SexualViolence),
    (
        &["kidnap*", "abduct*", "forced disappearance"],
        C::Kidnapping,
    ),
    (
        &["traffick*", "forced labour", "forced labor"],
        C::Trafficking,
    ),
    (
        &[
            "violence",
            "violent*",
            "shot",
            "shooting",
            "gunshot*",
            "gun",
            "gunfire",
            "stab*",
            "knife*",
            "knifed",
            "murder*",
            "homicide*",
            "beat*",
            "abuse*",
            "tortur*",
            "lynch*",
            "assault*",
            "strangl*",
            "executed",
            "execution",
            "gassed",
            "beheaded",
            "fight*",
            "weapon*",
        ],
        C::Violence,
    ),
    (
        &[
            "landmine*",
            "land mine*",
            "mine blast",
            "mine explosion",
            "shelling",
            "shelled",
            "artillery",
            "mortar*",
            "missile*",
            "grenade*",
            "bomb*",
            "airstrike*",
            "air strike*",
            "crossfire",
        ],
        C::ArmedConflict,
    ),
    (&["robb*", "thief", "thieves", "extortion"], C::Extortion),
    (
        &["train*", "railway*", "railroad*", "rail", "la bestia"],
        C::TrainAccident,
    ),
    (
        &[
            "drown*",
            "water related",
            "shipwreck*",
            "capsiz*",
            "sank",
            "sunk",
            "sinking",
        ],
        C::Drowning,
    ),
    (
        &[
            "vehicle*",
            "car",
            "cars",
            "truck*",
            "bus",
            "buses",
            "lorry",
            "van",
            "trailer*",
            "motor*",
            "traffic*",
            "road accident",
            "bike*",
            "motorcycle*",
            "transport",
            "hit by",
            "run over",
            "struck by",
            "collision*",
            "collided",
            "plane",
            "stowaway*",
            "suffocat*",
            "asphyxi*",
            "crush*",
        ],
        C::VehicleAccident,
    ),
    (
        &[
            "heat",
            "hyperthermi*",
            "hypothermi*",
            "dehydrat*",
            "starv*",
            "exposure",
            "exposed",
            "cold",
            "harsh",
            "freez*",
            "frostbit*",
            "weather",
            "environmental",
            "exhaust*",
            "sunstroke",
            "thirst",
            "hunger",
            "malnutrition",
            "malnourish*",
        ],
        C::Environmental,
    ),
    (
        &[
            "sick*",
            "ill",
            "illness*",
            "disease*",
            "medic*",
            "health*",
            "heart",
            "cardiac",
            "stroke",
            "cancer",
            "natural",
            "hypoglyc*",
            "diabet*",
            "infect*",
            "covid*",
            "pneumonia",
            "tuberculosis",
            "respiratory",
            "malaria",
            "flu",
            "influenza",
            "kidney*",
            "renal",
            "liver",
            "coronary",
            "atherosclerosis",
            "brain attack",
            "seizure*",
            "organ failure",
            "hypertension",
            "pulmonary",
            "post partum",
            "pregnan*",
            "childbirth",
        ],
        C::Sickness,
    ),
    (
        &[
            "accident*",
            "fall",
            "falls",
            "fell",
            "fallen",
            "falling",
            "electrocut*",
            "electric*",
            "fire",
            "burn*",
            "explosion*",
            "cliff",
            "animal*",
            "snake*",
            "crocodile*",
            "hippo*",
            "envenom*",
        ],
        C::Accident,
    ),
    (
        &[
            "unknown",
            "undetermined",
            "mixed",
            "other",
            "skelet*",
            "mummif*",
            "decompos*",
            "not reported",
            "pending",
            "blunt",
            "trauma",
            "injur*",
            "hanging",
            "suicide",
        ],
        C::Unknown,
    ),
];

/// ACLED `sub_event_type` values; `None` = not a safety incident (skipped).
pub const ACLED_SUB_EVENT_TYPES: &[(&str, Option<IncidentCategory>)] = &[
    ("Armed clash", Some(C::ArmedConflict)),
    ("Government regains territory", Some(C::ArmedConflict)),
    (
        "Non-state actor overtakes territory",
        Some(C::ArmedConflict),
    ),
    ("Chemical weapon", Some(C::ArmedConflict)),
    ("Air/drone strike", Some(C::ArmedConflict)),
    ("Suicide bomb", Some(C::ArmedConflict)),
    ("Shelling/artillery/missile attack", Some(C::ArmedConflict)),
    ("Remote explosive/landmine/IED", Some(C::ArmedConflict)),
    ("Grenade", Some(C::ArmedConflict)),
    ("Disrupted weapons use", Some(C::ArmedConflict)),
    ("Attack", Some(C::Violence)),
    ("Abduction/forced disappearance", Some(C::Kidnapping)),
    ("Sexual violence", Some(C::SexualViolence)),
    ("Looting/property destruction", Some(C::Extortion)),
    ("Mob violence", Some(C::Unrest)),
    ("Violent demonstration", Some(C::Unrest)),
    ("Arrests", Some(C::Enforcement)),
    ("Excessive force against protesters", Some(C::Enforcement)),
    ("Protest with intervention", Some(C::Enforcement)),
    ("Peaceful protest", None),
    ("Agreement", None),
    ("Change to group/activity", None),
    ("Headquarters or base established", None),
    ("Non-violent transfer of territory", None),
    ("Other", None),
];

/// ACLED `event_type` values, used when the `sub_event_type` is empty or not in its table.
pub const ACLED_EVENT_TYPES: &[(&str, Option<IncidentCategory>)] = &[
    ("Battles", Some(C::ArmedConflict)),
    ("Explosions/Remote violence", Some(C::ArmedConflict)),
    ("Violence against civilians", Some(C::Violence)),
    ("Riots", Some(C::Unrest)),
    ("Protests", None),
    ("Strategic developments", None),
];

/// UCDP GED `type_of_violence` codes: (code, UCDP's name, category).
pub const UCDP_TYPES_OF_VIOLENCE: &[(u8, &str, IncidentCategory)] = &[
    (1, "state-based conflict", C::ArmedConflict),
    (2, "non-state conflict", C::ArmedConflict),
    (3, "one-sided violence", C::Violence),
];

/// Maps a UCDP GED `type_of_violence` code onto UCDP's name for it and a category; `None`
/// for a code GED does not define.
///
/// ```
/// use senda_core::IncidentCategory;
/// use senda_ingest::category::ucdp;
/// assert_eq!(ucdp(2), Some(("non-state conflict", IncidentCategory::ArmedConflict)));
/// assert_eq!(ucdp(4), None);
/// ```
pub fn ucdp(type_of_violence: u8) -> Option<(&'static str, IncidentCategory)> {
    UCDP_TYPES_OF_VIOLENCE
        .iter()
        .find(|(code, _, _)| *code == type_of_violence)
        .map(|(_, name, c)| (*name, *c))
}

/// The more severe of two categories: higher [`IncidentCategory::base_severity`]; on a tie
/// the one listed first in [`IncidentCategory::ALL`] (so `unknown` always loses).
pub fn most_severe(a: IncidentCategory, b: IncidentCategory) -> IncidentCategory {
    let rank = |c: IncidentCategory| {
        let order = C::ALL.iter().position(|x| *x == c).unwrap_or(C::ALL.len());
        (c.base_severity(), std::cmp::Reverse(order))
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// Maps an MMP "Cause of Death" (current vocabulary, old free text, or a comma-separated
/// combination) onto a category; see the module docs for the tables.
pub fn mmp_cause(cause: &str) -> Mapping {
    let mut lower = cause.trim().to_lowercase();
    let mut found: Option<IncidentCategory> = None;
    let mut add = |c: IncidentCategory| found = Some(found.map_or(c, |f| most_severe(f, c)));
    // Whole values that themselves contain commas must be taken out before splitting.
    for (value, category) in MMP_CAUSES {
        if value.contains(',') {
            let v = value.to_lowercase();
            if lower.contains(&v) {
                lower = lower.replace(&v, ",");
                add(*category);
            }
        }
    }
    let mut norm = String::with_capacity(lower.len() + 2);
    for part in lower.split([',', ';']) {
        normalize_into(part, &mut norm);
        if norm.trim().is_empty() {
            continue;
        }
        if let Some(c) = mmp_part(&norm) {
            add(c);
        }
    }
    found.map_or(Mapping::Unrecognised, Mapping::Category)
}

/// One comma-separated part of an MMP cause, already normalised (` words `).
fn mmp_part(norm: &str) -> Option<IncidentCategory> {
    static CANONICAL: LazyLock<Vec<(String, IncidentCategory)>> = LazyLock::new(|| {
        MMP_CAUSES
            .iter()
            .map(|(value, category)| {
                let mut canon = String::new();
                normalize_into(value, &mut canon);
                (canon, *category)
            })
            .collect()
    });
    if let Some((_, category)) = CANONICAL.iter().find(|(canon, _)| canon == norm) {
        return Some(*category);
    }
    let words: Vec<&str> = norm.split_ascii_whitespace().collect();
    MMP_KEYWORDS
        .iter()
        .find(|(keywords, _)| keywords.iter().any(|k| matches_keyword(norm, &words, k)))
        .map(|(_, c)| *c)
}

/// Whether a keyword (one word, a phrase, either with a trailing `*`) occurs in a normalised
/// part, given as text and as its words.
fn matches_keyword(norm: &str, words: &[&str], keyword: &str) -> bool {
    if keyword.contains(' ') {
        return has_word(norm, keyword);
    }
    match keyword.strip_suffix('*') {
        Some(stem) => words.iter().any(|w| w.starts_with(stem)),
        None => words.contains(&keyword),
    }
}

/// Lower-cases `text` into `out` with every run of non-alphanumeric characters replaced by
/// one space, and a space at both ends: `" presumed drowning "`.
fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.push(' ');
    for ch in text.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
}

/// Whether the normalised `text` holds `word` as a whole word (or, with a trailing `*`, a
/// word starting with it).
fn has_word(text: &str, word: &str) -> bool {
    let (stem, prefix) = match word.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (word, false),
    };
    let bytes = text.as_bytes();
    text.match_indices(stem).any(|(i, _)| {
        let starts_word = i.checked_sub(1).and_then(|j| bytes.get(j)) == Some(&b' ');
        let ends_word = prefix || bytes.get(i + stem.len()) == Some(&b' ');
        starts_word && ends_word
    })
}

fn lookup(table: &[(&str, Option<IncidentCategory>)], value: &str) -> Option<Mapping> {
    let value = value.trim();
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(value))
        .map(|(_, c)| c.map_or(Mapping::NotAnIncident, Mapping::Category))
}

/// Maps an ACLED event onto a category: the `sub_event_type` first, then the `event_type`.
pub fn acled(event_type: &str, sub_event_type: &str) -> Mapping {
    lookup(ACLED_SUB_EVENT_TYPES, sub_event_type)
        .or_else(|| lookup(ACLED_EVENT_TYPES, event_type))
        .unwrap_or(Mapping::Unrecognised)
}

/// Maps free text from any source: a senda category name, then an ACLED sub-event or event
/// type, then the MMP rules.
pub fn classify_text(text: &str) -> Mapping {
    if let Ok(c) = IncidentCategory::parse(text) {
        return Mapping::Category(c);
    }
    if let Some(m) = lookup(ACLED_SUB_EVENT_TYPES, text).or_else(|| lookup(ACLED_EVENT_TYPES, text))
    {
        return m;
    }
    mmp_cause(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(cause: &str) -> IncidentCategory {
        match mmp_cause(cause) {
            Mapping::Category(c) => c,
            other => panic!("{cause:?} -> {other:?}"),
        }
    }

    #[test]
    fn current_mmp_vocabulary() {
        for (value, category) in MMP_CAUSES {
            assert_eq!(cat(value), *category, "{value}");
        }
        assert_eq!(
            cat("HARSH ENVIRONMENTAL CONDITIONS / LACK OF ADEQUATE SHELTER, FOOD, WATER"),
            C::Environmental
        );
        assert_eq!(
            cat("Violence, Harsh environmental conditions / lack of adequate shelter, food, water"),
            C::Violence
        );
        assert_eq!(
            cat("Harsh environmental conditions / lack of adequate shelter, food, water, Drowning"),
            C::Drowning // drowning and environmental are both serious; drowning is listed first
        );
        assert_eq!(cat("Drowning, Mixed or unknown"), C::Drowning);
    }

    #[test]
    fn old_free_text() {
        let cases = [
            ("Presumed drowning", C::Drowning),
            ("Drowning (P)", C::Drowning),
            ("Water-Related", C::Drowning),
            ("Hypothermia", C::Environmental),
            ("Dehydration", C::Environmental),
            ("Heat Stroke", C::Environmental),
            ("Environmental Exposure-Cold", C::Environmental),
            ("Fall from train", C::TrainAccident),
            ("Hit by train", C::TrainAccident),
            ("Accident (fell from train)", C::TrainAccident),
            ("Electrocution on railway", C::TrainAccident),
            ("Shot", C::Violence),
            ("Shot or stabbed (knifed)", C::Violence),
            ("Gun Shot", C::Violence),
            ("Murdered", C::Violence),
            ("Vehicle Accident", C::VehicleAccident),
            ("Vehicle_Accident", C::VehicleAccident),
            ("Hit by a car", C::VehicleAccident),
            ("Crushed in back of truck", C::VehicleAccident),
            (
                "Vehicle accident during border patrol pursuit",
                C::VehicleAccident,
            ),
            ("Suffocation", C::VehicleAccident),
            ("Cardiac arrest", C::Sickness), // "car" must not match "cardiac"
            ("Heart attack", C::Sickness),
            ("Sickness_and_lack_of_access_to_medicines", C::Sickness),
            ("Natural death", C::Sickness),
            ("Fell from border wall", C::Accident),
            ("Killed in fire", C::Accident),
            ("Electrocution", C::Accident),
            ("Unknown (skeletal remains)", C::Unknown),
            ("UNDETERMINED (SKELETAL REMAINS)", C::Unknown),
            ("Mixed", C::Unknown),
            ("Other", C::Unknown),
            ("Suicide", C::Unknown),
            ("Killed by landmine blast", C::ArmedConflict),
            ("Excessive Physical Abuse, Sexual abuse", C::Violence),
            ("Sexual abuse", C::SexualViolence),
            (
                "Unknown (presumed dehydration, hypothermia)",
                C::Environmental,
            ),
            (
                "Mostly starvation, dehydration, and beatings by crew members",
                C::Violence,
            ),
            (
                "Sickness and lack of access to medicines, Vehicle Accident",
                C::VehicleAccident,
            ),
            ("Presumed drowning after boat engine explosion", C::Drowning),
            ("Burned (gas balloon explosion)", C::Accident),
            ("Murdered by robbers", C::Violence),
            ("Killed by Thief", C::Extortion),
            ("Bike Accident", C::VehicleAccident),
            ("Fire from light weapons by unknown", C::Violence),
            ("Air strike", C::ArmedConflict),
            ("Complications of blunt force injuries", C::Unknown),
            ("Restrained", C::Unknown), // no rule: "train" only matches at a word start
        ];
        for (cause, want) in cases {
            let got = mmp_cause(cause).category();
            assert_eq!(got, Some(want), "{cause}");
        }
        assert_eq!(mmp_cause("Restrained"), Mapping::Unrecognised);
        assert_eq!(mmp_cause(""), Mapping::Unrecognised);
        assert_eq!(mmp_cause(" , ;"), Mapping::Unrecognised);
    }

    #[test]
    fn acled_vocabulary() {
        assert_eq!(
            acled("Battles", "Armed clash"),
            Mapping::Category(C::ArmedConflict)
        );
        assert_eq!(
            acled("Strategic developments", "Arrests"),
            Mapping::Category(C::Enforcement)
        );
        assert_eq!(acled("Riots", "mob violence"), Mapping::Category(C::Unrest));
        assert_eq!(acled("Riots", ""), Mapping::Category(C::Unrest));
        assert_eq!(
            acled("Riots", "Something new"),
            Mapping::Category(C::Unrest)
        );
        assert_eq!(
            acled("Protests", "Peaceful protest"),
            Mapping::NotAnIncident
        );
        assert_eq!(
            acled("Explosions/Remote violence", "Grenade"),
            Mapping::Category(C::ArmedConflict)
        );
        assert_eq!(acled("Nonsense", "Nothing"), Mapping::Unrecognised);
    }

    #[test]
    fn generic_text() {
        assert_eq!(
            classify_text("train_accident"),
            Mapping::Category(C::TrainAccident)
        );
        assert_eq!(
            classify_text("Sexual violence"),
            Mapping::Category(C::SexualViolence)
        );
        assert_eq!(
            classify_text("Armed clash"),
            Mapping::Category(C::ArmedConflict)
        );
        assert_eq!(
            classify_text("Presumed drowning"),
            Mapping::Category(C::Drowning)
        );
        assert_eq!(classify_text("food prices"), Mapping::Unrecognised);
    }

    #[test]
    fn most_severe_breaks_ties_by_listing_order() {
        assert_eq!(most_severe(C::Unknown, C::Sickness), C::Sickness);
        assert_eq!(most_severe(C::Sickness, C::Unknown), C::Sickness);
        assert_eq!(
            most_severe(C::Drowning, C::VehicleAccident),
            C::VehicleAccident
        );
        assert_eq!(most_severe(C::Violence, C::SexualViolence), C::Violence);
        assert_eq!(most_severe(C::Accident, C::ArmedConflict), C::ArmedConflict);
    }

    /// The markdown tables in the module docs are the user documentation: every row of the
    /// code tables must appear there.
    #[test]
    fn doc_tables_match_code() {
        let doc = include_str!("category.rs");
        for (value, c) in MMP_CAUSES {
            let row = format!("//! | {value}");
            let line = doc
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("{value} not documented"));
            assert!(line.ends_with(&format!("| {} |", c.as_str())), "{line}");
        }
        for (i, (words, c)) in MMP_KEYWORDS.iter().enumerate() {
            let row = format!("//! | {} | {} | {} |", i + 1, words.join(", "), c.as_str());
            assert!(
                doc.contains(&row),
                "keyword rule {} not documented as {row}",
                i + 1
            );
        }
        for (value, c) in ACLED_SUB_EVENT_TYPES.iter().chain(ACLED_EVENT_TYPES) {
            let target = c.map_or("— (skipped)", |c| c.as_str());
            let row = format!("//! | {value} | {target} |");
            assert!(doc.contains(&row), "{row} not documented");
        }
        for (code, name, c) in UCDP_TYPES_OF_VIOLENCE {
            let row = format!("//! | {code} | {name} | {} |", c.as_str());
            assert!(doc.contains(&row), "{row} not documented");
        }
    }
}
