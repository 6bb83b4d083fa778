//! # caseload
//!
//! Caseload allocation for children's social care, as a mixed-integer program.
//!
//! A team manager rebalancing when someone leaves, a workforce planner testing what-ifs
//! and a nightly job all ask the same question: which social worker should hold each
//! child? caseload answers it optimally under hard rules and a priced objective.
//!
//! ## Concepts
//! - A **worker** holds cases up to a **capacity** in weighted points
//!   (`fte × standard_capacity` unless given); a **case** is one child, with a weight,
//!   required and preferred skill tags, a team, maybe a **current worker**, a **pin**,
//!   excluded workers (conflicts of interest) and a priority.
//! - Siblings share a **group**; a group (or a case without one) is a **unit**, what the
//!   solver moves: a unit goes whole to one eligible worker, or stays unallocated.
//! - **Hard rules**: eligibility, siblings together, pins; a child whose worker still fits
//!   is never left unallocated; nobody pushed over `max(limit, what they held before)`
//!   (capacity in hard mode, `max_cases`); `max_new` per worker; `max_moves` in all.
//! - **Objective** (minimised, each term reported): unallocated work × priority, a convex
//!   cost of load in bands (green → amber → red), discretionary moves (continuity), and
//!   missing preferred tags.
//!
//! ## Layout
//! The modules use each other one way, from the bottom up; none names a module above it.
//! 1. [`model`]: the domain types only (with [`error`], the typed errors, and [`text`],
//!    numbers and markup as text).
//! 2. [`io`] reads and writes files with located errors (the scenario folder, the
//!    variants file of a what-if); [`validate`] finds every problem in a scenario at once;
//!    [`generate`] writes synthetic scenarios; [`import`] turns a service's own data (an
//!    Annex A workbook, a case-management export) into a scenario folder.
//! 3. [`solve`] is the only place that knows the solver (good_lp + HiGHS); [`check`]
//!    re-verifies any allocation independently of the solver; [`explain`] says why each
//!    child went where.
//! 4. [`report`] writes what was decided (CSV, JSON, an HTML page); [`whatif`] applies
//!    variants of a scenario and solves them in parallel; [`diagnose`] says why a
//!    scenario cannot be allocated well; [`gap`] runs the Generalized Assignment Problem
//!    on the same solver core, through per (case, worker) costs and weights.
//! 5. The command line (`src/cli`, `src/main.rs`), behind the default `cli` feature:
//!    `default-features = false` builds the library without clap, anyhow and indicatif.
//!
//! ## Example
//! ```
//! use caseload::check::{check, AllocationRow};
//! use caseload::model::{Case, Change, Instance, Policy, Scenario, Worker};
//! use caseload::solve::{solve, SolveOptions, Status};
//!
//! let workers = vec![
//!     Worker::new("W1").team("North").skills(["child-protection"]),
//!     Worker::new("W2").team("North").unavailable(), // leaving
//! ];
//! let cases = vec![
//!     Case::new("C1").team("North").weight(1.5).requires(["child-protection"]).held_by("W1"),
//!     Case::new("C2").team("North").held_by("W2"),
//!     Case::new("C3").team("North").priority(5), // a new referral
//! ];
//! let scenario = Scenario::new(workers, cases, Policy::default());
//! let instance = Instance::new(&scenario).expect("a valid scenario");
//! let solution = solve(&instance, &SolveOptions::default())?;
//!
//! assert_eq!(solution.status, Status::Optimal);
//! let c2 = instance.case(&"C2".into()).unwrap();
//! assert_eq!(solution.evaluation.change[c2], Change::Forced); // W2 is leaving
//! assert_eq!(solution.evaluation.count(Change::Unallocated), 0);
//!
//! // The independent checker agrees: every hard rule holds, same objective.
//! let rows: Vec<AllocationRow> = instance.cases.iter().zip(&solution.evaluation.worker)
//!     .map(|(case, w)| AllocationRow {
//!         line: 0,
//!         case: case.id.clone(),
//!         worker: w.map(|w| instance.workers[w].id.clone()),
//!         change: None,
//!     })
//!     .collect();
//! let report = check(&scenario, &rows);
//! assert!(report.is_valid());
//! assert!((report.objective.total - solution.evaluation.objective.total).abs() < 1e-9);
//! # Ok::<(), caseload::Error>(())
//! ```
#![warn(missing_docs)]

pub mod check;
pub mod codes;
pub mod diagnose;
pub mod error;
pub mod explain;
pub mod gap;
pub mod generate;
pub mod import;
pub mod io;
pub mod model;
#[cfg(feature = "record")]
pub mod record;
pub mod report;
#[cfg(feature = "serve")]
pub mod serve;
pub mod solve;
pub mod text;
pub mod validate;
pub mod whatif;

pub use error::{Error, InputError, InputErrors, Result};
