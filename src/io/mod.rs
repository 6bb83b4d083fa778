//! Files <-> model: reading scenario folders (CSV, TOML) with located errors, and
//! writing scenarios and outputs.
//!
//! Inside, the doors go one way: `source` (a file's text) and [`csv`] (records with their
//! lines, CSV text) at the bottom; then [`policy`] (`policy.toml`) and `rows` (table rows
//! into workers, cases, pairs); then `locate` (problems back to files and lines); then
//! `assemble`, which validates them and locates every problem; then [`read`], which
//! loads a scenario from files or texts. [`scenario_writer`] writes one back.
//!
//! Spreadsheets (the `xlsx` feature): `sheet` is a table as rows of text with where its
//! cells are, beside `csv`; [`workbook`] reads an `.xlsx` into such tables (and the
//! decisions of an `allocation.xlsx`); [`folder`] finds each table of a folder among CSV
//! files and workbooks and hands them to [`read`].

mod assemble;
pub mod atomic;
pub mod csv;
#[cfg(feature = "xlsx")]
pub mod folder;
mod locate;
pub mod policy;
pub mod previous;
pub mod read;
mod rows;
pub mod scenario_writer;
pub(crate) mod sheet;
#[cfg(feature = "xlsx")]
pub mod sheet_writer;
pub(crate) mod source;
pub mod variants;
#[cfg(feature = "xlsx")]
pub mod workbook;

pub use policy::parse_policy;
pub use read::{load_scenario, parse_scenario, parse_scenario_with_pairs};
pub use source::Source;

/// File name of the workers table in a scenario folder.
pub const WORKERS_FILE: &str = "workers.csv";
/// File name of the cases table in a scenario folder.
pub const CASES_FILE: &str = "cases.csv";
/// File name of the optional policy in a scenario folder.
pub const POLICY_FILE: &str = "policy.toml";

/// File name of the optional per (case, worker) terms in a scenario folder.
pub const PAIRS_FILE: &str = "pairs.csv";

/// Columns of `pairs.csv`, in the order written; `case_id` and `worker_id` are required.
pub const PAIR_COLUMNS: [&str; 4] = ["case_id", "worker_id", "cost", "weight"];

/// Columns of `workers.csv`, in the order written; `id` is required.
pub const WORKER_COLUMNS: [&str; 9] = [
    "id",
    "name",
    "team",
    "fte",
    "capacity",
    "max_cases",
    "max_new",
    "skills",
    "available",
];

/// Columns of `cases.csv`, in the order written; `id` is required.
pub const CASE_COLUMNS: [&str; 10] = [
    "id",
    "weight",
    "team",
    "requires",
    "prefers",
    "group",
    "current_worker",
    "pinned",
    "exclude",
    "priority",
];
