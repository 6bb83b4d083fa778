//! What-if analysis for workforce planners: many variants of a scenario, solved in
//! parallel and compared side by side.
//!
//! A [`Plan`] lists [`Variant`]s, each a list of [`Edit`]s to a base scenario — workers
//! leaving (by id, team, or a random count or fraction), on leave or retrained, agency
//! hires, new referrals drawn like the existing families, cases from a file, policy keys —
//! and a number of random draws. A sweep (`grid` in the variants file) expands to one
//! variant per grid point. [`run`] solves every draw in a local rayon pool, one solver
//! thread each, and returns a [`Comparison`]: one [`Row`] per variant with the mean, p10
//! and p90 of each [`Metric`] across its draws. A variant that cannot be built or solved
//! fills its row with the error; the others go on.
//!
//! Draw `k` of every variant uses the seed `plan.seed + k`, and only that seed, so the
//! results are the same whatever the number of jobs, and variants are compared on the
//! same random draws (the workers lost at 5 % attrition are among those lost at 10 %).
//!
//! ```
//! use caseload::model::{Case, Policy, Scenario, Worker};
//! use caseload::whatif::{run, Edit, Metric, Plan, PolicyChange, RunOptions, Variant};
//!
//! let base = Scenario::new(
//!     vec![Worker::new("W1"), Worker::new("W2")],
//!     (1..=30).map(|i| Case::new(format!("C{i:02}").as_str()).held_by(if i % 2 == 0 { "W1" } else { "W2" })).collect(),
//!     Policy::default(),
//! );
//! let cap_18 = Edit::Policy(PolicyChange { standard_capacity: Some(18.0), ..Default::default() });
//! let plan = Plan::new(vec![Variant::new("today", vec![]), Variant::new("cap 18", vec![cap_18])]);
//! let comparison = run(&base, &plan, &RunOptions { jobs: 1, ..Default::default() }, &|| {})?;
//! let util = |row: usize| comparison.rows[row].spread(Metric::MeanUtilisation).unwrap().mean;
//! assert!(util(1) > util(0));
//! # Ok::<(), caseload::whatif::WhatIfError>(())
//! ```

//! ## Layout
//! The plan's types live in [`crate::model::plan`] and the variants file is read in
//! [`crate::io::variants`]; both are re-exported here. Inside, each module uses only
//! those before it in this order: `error`, `apply` (the edits on a scenario), `metrics`
//! (the figures of a solution), `run` (the draws in parallel, the rows), `svg` (the
//! chart), `output` (the files), `study` (many scenarios), `shard` (the split and the
//! part's manifest), `part` (a shard run into a part folder), `merge` (the parts into
//! the comparison).
//!
//! ## Beyond one machine
//! [`run_shard`] solves only shard `K` of `N` of a run's draws (split by expected work,
//! see [`shard`]) into a part folder; [`merge()`] turns every shard's part into the files
//! [`write_comparison`] writes for the whole run, `comparison.csv` byte for byte. A run
//! is one scenario or a study ([`study`]): several [`Unit`]s, one per scenario.

mod apply;
mod error;
mod merge;
mod metrics;
mod output;
mod part;
mod run;
pub mod shard;
pub mod study;
mod svg;

use std::path::Path;

pub use crate::io::variants::{CODE, DEFAULT_SEEDS, VARIANTS_FILE};
pub use crate::model::plan::{
    Demand, Edit, Limits, NewWorkers, Plan, PolicyChange, Selection, Variant, WorkerUpdate,
    DEFAULT_TIME_LIMIT_S, MAX_ADDED_CASES, MAX_ADDED_WORKERS, MAX_GRID_VALUES, MAX_SOLVES,
};
pub use apply::apply;
pub use error::{VariantError, WhatIfError};
pub use merge::{merge, Merged};
pub use metrics::{Figures, Metric, Spread};
pub use output::{
    begin_output, commit_comparison, comparison_csv, comparison_json, labelled, render, table_csv,
    table_json, write_comparison, write_table, CSV_FILE, JSON_FILE, SVG_FILE, VARIANTS_DIR,
    XLSX_FILE,
};
#[cfg(feature = "xlsx")]
pub use output::{comparison_xlsx, write_comparison_xlsx};
pub use part::{run_shard, run_units, VERSION};
pub use run::{
    draw_count, run, slug, Comparison, Draw, Outcome, PartCounts, Row, RowStatus, RunOptions, Unit,
};
pub use shard::{parse_shard, Manifest, Shard};
pub use study::{load_study, StudyEntry, StudyScenario};
pub use svg::chart;

use crate::io::Source;
use crate::model::Scenario;

/// Reads the variants file at `path` ([`crate::io::variants::load_plan`]); `add_cases`
/// files are relative to its folder and checked against `base`'s workers.
///
/// # Errors
/// [`WhatIfError::Variants`] with every problem found.
pub fn load_plan(path: &Path, base: &Scenario) -> Result<Plan, WhatIfError> {
    load_plan_within(path, base, &Limits::default())
}

/// [`load_plan`] with the plan's size checked against `limits` before anything is
/// expanded ([`crate::io::variants::load_plan_within`]).
///
/// # Errors
/// [`WhatIfError::Variants`] with every problem found.
pub fn load_plan_within(
    path: &Path,
    base: &Scenario,
    limits: &Limits,
) -> Result<Plan, WhatIfError> {
    crate::io::variants::load_plan_within(path, base, limits).map_err(WhatIfError::Variants)
}

/// Parses a variants file from text ([`crate::io::variants::parse_plan`]); `dir` is where
/// `add_cases` files are looked for.
///
/// # Errors
/// [`WhatIfError::Variants`] with every problem found, each with its line where known.
pub fn parse_plan(source: &Source, dir: &Path, base: &Scenario) -> Result<Plan, WhatIfError> {
    crate::io::variants::parse_plan(source, dir, base).map_err(WhatIfError::Variants)
}
