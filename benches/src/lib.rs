//! Criterion suites live in `benches/`; this library holds the shared part of the side-by-side
//! peer comparison (`benches/peers/run.sh`, binaries `peers_export`, `peers_route` and
//! `peers_tiles`): which graph, its exported form and the seeded query pairs.

pub mod peers;
