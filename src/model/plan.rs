//! A what-if plan: variants of a base scenario, each a list of [`Edit`]s, and how many
//! random draws of each to solve. Build a [`Plan`] in code or read it from a variants
//! file (`io::variants`); the `whatif` module applies and solves it, and re-exports
//! these types. (Only named here, not linked: the model is the bottom layer.)

use std::sync::Arc;

use super::{Band, CapacityMode, Case, Tag, WorkerId};
use crate::text::{count, data_num};

/// Which workers a change applies to.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    /// These workers.
    Ids(Vec<WorkerId>),
    /// Every worker of a team.
    Team(String),
    /// `count` available workers at random (within `team` if given).
    Count {
        /// How many.
        count: usize,
        /// Choose only within this team.
        team: Option<String>,
    },
    /// A fraction of the available workers at random (within `team` if given), rounded
    /// to the nearest whole worker.
    Fraction {
        /// In `[0, 1]`.
        fraction: f64,
        /// Choose only within this team.
        team: Option<String>,
    },
}

impl Selection {
    /// Whether the selection is drawn at random.
    pub fn is_random(&self) -> bool {
        matches!(self, Selection::Count { .. } | Selection::Fraction { .. })
    }
}

/// New values for selected workers (training, leave, hours); `None` keeps the value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkerUpdate {
    /// `false`: on leave (holds nothing after the run).
    pub available: Option<bool>,
    /// New FTE; capacity follows unless the worker has an explicit capacity.
    pub fte: Option<f64>,
    /// New explicit capacity in points.
    pub capacity: Option<f64>,
    /// Skills gained (training).
    pub add_skills: Vec<Tag>,
    /// Skills lost.
    pub remove_skills: Vec<Tag>,
    /// New `max_cases`.
    pub max_cases: Option<u32>,
    /// New `max_new`.
    pub max_new: Option<u32>,
}

/// Workers to add (agency hires, a newly qualified intake).
#[derive(Clone, Debug, PartialEq)]
pub struct NewWorkers {
    /// How many.
    pub count: usize,
    /// Their team (empty: none).
    pub team: String,
    /// Their skills.
    pub skills: Vec<Tag>,
    /// Their FTE, in (0, 1].
    pub fte: f64,
    /// Explicit capacity; `None`: `fte × standard_capacity`.
    pub capacity: Option<f64>,
    /// Their `max_cases`.
    pub max_cases: Option<u32>,
    /// Their `max_new`.
    pub max_new: Option<u32>,
    /// Ids are this prefix and a number (`AGY01`, `AGY02`, …), skipping ids in use.
    pub prefix: String,
}

/// How much new demand to add.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Demand {
    /// This many children.
    Count(usize),
    /// This fraction of the children in the scenario (0.05: 5 % more children).
    Fraction(f64),
    /// This fraction of the new referrals waiting in the scenario (children without a
    /// current worker): 0.2 is "referrals up 20 %".
    Rise(f64),
}

/// Changes to the policy; `None` keeps the value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyChange {
    /// `standard_capacity`.
    pub standard_capacity: Option<f64>,
    /// `capacity` (hard or soft).
    pub capacity: Option<CapacityMode>,
    /// `cross_team`.
    pub cross_team: Option<bool>,
    /// `max_moves`.
    pub max_moves: Option<u64>,
    /// `time_limit_s` of this variant's solve.
    pub time_limit_s: Option<f64>,
    /// The whole list of bands.
    pub bands: Option<Vec<Band>>,
    /// `weights.unallocated`.
    pub unallocated_weight: Option<f64>,
    /// `weights.move`.
    pub move_weight: Option<f64>,
    /// `weights.preference`.
    pub preference_weight: Option<f64>,
}

/// One change to the base scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Workers leave (attrition): they become unavailable, so every child they held must
    /// move (a *forced* move) or waits unallocated. Their pins are released.
    RemoveWorkers(Selection),
    /// Change selected workers: leave, FTE, capacity, skills, limits.
    UpdateWorkers(Selection, WorkerUpdate),
    /// Add workers.
    AddWorkers(NewWorkers),
    /// Add new referrals drawn like the existing families (sibling groups kept whole),
    /// within `team` if given.
    AddReferrals {
        /// How many children.
        demand: Demand,
        /// Draw only from (and add to) this team.
        team: Option<String>,
    },
    /// Add these cases (e.g. read from a CSV file): shared, not copied, by the points of
    /// a sweep.
    AddCases(Arc<Vec<Case>>),
    /// Change policy keys.
    Policy(PolicyChange),
}

impl Edit {
    /// Whether applying the edit draws random numbers, so that draws differ.
    pub fn is_random(&self) -> bool {
        match self {
            Edit::RemoveWorkers(s) | Edit::UpdateWorkers(s, _) => s.is_random(),
            Edit::AddReferrals { .. } => true,
            Edit::AddWorkers(_) | Edit::AddCases(_) | Edit::Policy(_) => false,
        }
    }
}

/// One row of the comparison: a variant, or one grid point of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Unique name shown in the comparison, e.g. `attrition [rate=0.05]`.
    pub name: String,
    /// The name in the variants file (the sweep's name for a grid point).
    pub base_name: String,
    /// The grid point: each swept parameter and its value (empty for a plain variant).
    pub params: Vec<(String, f64)>,
    /// Random draws to solve (1 when no edit is random).
    pub draws: u32,
    /// The changes, applied in order.
    pub edits: Vec<Edit>,
}

impl Variant {
    /// A variant with one draw.
    pub fn new(name: impl Into<String>, edits: Vec<Edit>) -> Self {
        let name = name.into();
        Self {
            base_name: name.clone(),
            name,
            params: Vec::new(),
            draws: 1,
            edits,
        }
    }

    /// The grid point as `rate=0.05;cap=18` (empty for a plain variant).
    pub fn point(&self) -> String {
        self.params
            .iter()
            .map(|(k, v)| format!("{k}={}", data_num(*v)))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// Everything a what-if run compares.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Draw `k` (0-based) of every variant uses the random seed `seed + k`, so variants
    /// are compared on the same random draws.
    pub seed: u64,
    /// Time limit of each solve unless a variant's policy change sets one.
    pub time_limit_s: f64,
    /// The rows, in file order.
    pub variants: Vec<Variant>,
}

/// The default time limit of one variant's solve, in seconds.
pub const DEFAULT_TIME_LIMIT_S: f64 = 10.0;

impl Plan {
    /// A plan with seed 1 and the default time limit.
    pub fn new(variants: Vec<Variant>) -> Self {
        Self {
            seed: 1,
            time_limit_s: DEFAULT_TIME_LIMIT_S,
            variants,
        }
    }
}

/// How large a plan may be. A variants file is checked against these before anything
/// is expanded or allocated, and [`Plan::check_size`] checks a plan built in code the
/// same way; the command line's `--max-solves` raises [`Limits::max_solves`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Solves of the whole plan: every variant's grid points × draws.
    pub max_solves: u64,
    /// Values of one grid parameter (a list or a `{ from, to, step }` range).
    pub max_grid_values: u64,
    /// Workers one variant adds (`add_workers`), all its changes together.
    pub max_added_workers: u64,
    /// Children one variant adds (`add_referrals` by count, fraction or rise, and
    /// `add_cases`), all its changes together.
    pub max_added_cases: u64,
}

/// Default of [`Limits::max_solves`]: 10,000 solves (a day's work at a few seconds each
/// on a few cores).
pub const MAX_SOLVES: u64 = 10_000;
/// Default of [`Limits::max_grid_values`].
pub const MAX_GRID_VALUES: u64 = 10_000;
/// Default of [`Limits::max_added_workers`].
pub const MAX_ADDED_WORKERS: u64 = 10_000;
/// Default of [`Limits::max_added_cases`].
pub const MAX_ADDED_CASES: u64 = 100_000;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_solves: MAX_SOLVES,
            max_grid_values: MAX_GRID_VALUES,
            max_added_workers: MAX_ADDED_WORKERS,
            max_added_cases: MAX_ADDED_CASES,
        }
    }
}

/// What a variant adds to a scenario of `cases` children, `waiting` of them new
/// referrals: (workers, children). Saturating: a count too large for `u64` is `u64::MAX`.
pub fn added_by(edits: &[Edit], cases: usize, waiting: usize) -> (u64, u64) {
    let share = |f: f64, of: usize| {
        let n = (f * of as f64).round();
        if n >= u64::MAX as f64 {
            u64::MAX
        } else {
            n.max(0.0) as u64
        }
    };
    let (mut workers, mut children) = (0u64, 0u64);
    for edit in edits {
        match edit {
            Edit::AddWorkers(new) => workers = workers.saturating_add(new.count as u64),
            Edit::AddReferrals { demand, .. } => {
                let n = match *demand {
                    Demand::Count(n) => n as u64,
                    Demand::Fraction(f) => share(f, cases),
                    Demand::Rise(f) => share(f, waiting),
                };
                children = children.saturating_add(n);
            }
            Edit::AddCases(list) => children = children.saturating_add(list.len() as u64),
            _ => {}
        }
    }
    (workers, children)
}

impl Plan {
    /// Solves the plan asks for: every variant's draws (at least 1 each).
    pub fn solves(&self) -> u64 {
        self.variants
            .iter()
            .map(|v| u64::from(v.draws.max(1)))
            .fold(0, u64::saturating_add)
    }

    /// Checks the plan's size against `limits` for a base of `cases` children, `waiting`
    /// of them new referrals: the solves of the whole plan, and the workers and children
    /// each variant adds.
    ///
    /// # Errors
    /// The first limit passed, in words.
    pub fn check_size(&self, cases: usize, waiting: usize, limits: &Limits) -> Result<(), String> {
        let solves = self.solves();
        if solves > limits.max_solves {
            return Err(too_many_solves(solves, limits.max_solves));
        }
        for v in &self.variants {
            let (workers, children) = added_by(&v.edits, cases, waiting);
            if let Some(message) = too_many_added(workers, children, limits) {
                return Err(format!("variant `{}`: {message}", v.name));
            }
        }
        Ok(())
    }
}

/// The message for a plan of more than `max` solves.
pub fn too_many_solves(solves: u64, max: u64) -> String {
    format!(
        "the plan asks for {} solves (grid points × draws), more than the {} a run may make: ask for fewer, or raise the limit with --max-solves",
        count(solves),
        count(max)
    )
}

/// The message for a variant adding more workers or children than `limits` allow.
pub fn too_many_added(workers: u64, children: u64, limits: &Limits) -> Option<String> {
    if workers > limits.max_added_workers {
        Some(format!(
            "adds {} workers, more than the {} a variant may add",
            count(workers),
            count(limits.max_added_workers)
        ))
    } else if children > limits.max_added_cases {
        Some(format!(
            "adds {} children, more than the {} a variant may add",
            count(children),
            count(limits.max_added_cases)
        ))
    } else {
        None
    }
}
