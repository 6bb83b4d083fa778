//! Files <-> model: reading scenario folders (CSV, TOML) with located errors, and
//! writing scenarios and outputs.

pub mod atomic;
pub mod policy;
pub mod read;
pub mod scenario_writer;

pub use policy::parse_policy;
pub use read::{load_scenario, parse_scenario, Source};
