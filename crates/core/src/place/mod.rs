//! Places: the gazetteer of the corridor's towns (GeoNames places of 1,000 or more
//! inhabitants and the border crossings senda adds), used wherever a place is named or looked
//! up: the lite page, `?from=`/`?to=`/`?at=`, the CLI, route descriptions (towns, not road
//! codes), shelter checks and the towns a stage plan may stop at.
//!
//! ```
//! use senda_core::place::Gazetteer;
//! let tsv = "geonameid\tname\tlat\tlon\tcountry\tadmin1_code\tadmin1\tpopulation\talternatenames\n\
//!            3995171\tNaco\t31.32639\t-109.94599\tMX\t26\tSonora\t6064\tMaco\n\
//!            5306112\tNaco\t31.33538\t-109.94813\tUS\tAZ\tArizona\t1046\t\n\
//!            3516266\tTapachula\t14.90541\t-92.25891\tMX\t05\tChiapas\t353706\tTapachula de Córdova y Ordóñez\n";
//! let (g, errors) = Gazetteer::from_tsv([("example.tsv", tsv)]);
//! assert!(errors.is_empty());
//! let m = g.lookup("tapachul", None).unwrap();
//! assert_eq!(g.place(m.best().place).label(), "Tapachula, Chiapas");
//! let m = g.lookup("Naco, Arizona", None).unwrap();
//! assert_eq!(g.place(m.best().place).label(), "Naco, Arizona");
//! ```

mod fuzzy;
mod gazetteer;
mod key;
mod qualifier;

pub use gazetteer::{
    scoring, Candidate, Gazetteer, LookupError, Matches, Nearby, Place, RowError, MAX_QUERY_CHARS,
    REVERSE_MAX_M,
};
pub use key::place_key;
