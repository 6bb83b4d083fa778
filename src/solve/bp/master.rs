//! The restricted master LP of the Dantzig–Wolfe decomposition, in HiGHS.
//!
//! Columns `λ_p` are whole caseloads of one worker (`p ∈ P_w`: counts `a_pk` of each
//! class, cost `c_p`); `y_k` the units of class `k` left unallocated (classes that may
//! be); `s_k` an artificial for each class that must be allocated, at a cost `M` above
//! any allocation's (so the LP is feasible with any column set, and stays a relaxation;
//! `M` rises, [`Master::raise_big_m`], while the LP's optimum uses artificials):
//!
//! ```text
//! min  Σ_p c_p λ_p + Σ_k U_k y_k + Σ_k M s_k
//! s.t. Σ_p a_pk λ_p + y_k + s_k = n_k     for each class k         (dual π_k)
//!      Σ_{p ∈ P_w} λ_p = 1                 for each worker w        (dual μ_w)
//!      Σ_{k ∈ R} U_k y_k ≥ F               the floor row            (dual σ ≥ 0)
//!      λ ≥ 0,  0 ≤ y_k ≤ n_k,  0 ≤ s_k ≤ n_k
//! ```
//!
//! Columns are added as pricing finds them and kept in one HiGHS model for the whole
//! search (its basis warm-starts each solve); a branch's bounds switch the columns it
//! rules out to an upper bound of 0.

use highs::{Col, ColProblem, HighsModelStatus, Model, Row, Sense};

use super::floor::Floor;
use super::team::Team;

/// A caseload column of the master.
#[derive(Clone, Debug)]
pub(crate) struct Caseload {
    /// Worker, by position in the team.
    pub(crate) worker: usize,
    /// Units of each of the worker's choices.
    pub(crate) counts: Vec<u32>,
    /// `c_p`.
    pub(crate) cost: f64,
    col: Col,
    /// Position of the column in HiGHS's solution.
    position: usize,
    /// Whether its upper bound is 1 (else 0: ruled out by the node's bounds).
    open: bool,
}

/// The master LP's solution.
#[derive(Clone, Debug)]
pub(crate) struct LpSolution {
    /// Its objective.
    pub(crate) objective: f64,
    /// `λ_p` of each caseload column, in [`Master::columns`] order.
    pub(crate) lambda: Vec<f64>,
    /// `π_k`.
    pub(crate) pi: Vec<f64>,
    /// `μ_w`.
    pub(crate) mu: Vec<f64>,
    /// `σ` (0 without a floor row).
    pub(crate) sigma: f64,
    /// `Σ_k s_k`: units the artificials cover.
    pub(crate) artificial: f64,
}

/// Where a search's time went: the master's LP solves and pricing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Profile {
    /// Master LP solves.
    pub(crate) solves: usize,
    /// Simplex iterations over those solves.
    pub(crate) iterations: i64,
    /// Seconds in the master's LP solves.
    pub(crate) master_seconds: f64,
    /// Seconds in pricing.
    pub(crate) pricing_seconds: f64,
}

/// The restricted master.
pub(crate) struct Master {
    model: Option<Model>,
    class_rows: Vec<Row>,
    worker_rows: Vec<Row>,
    floor_row: Option<Row>,
    /// Caseload columns, in the order added.
    pub(crate) columns: Vec<Caseload>,
    positions: usize,
    seen: std::collections::HashSet<(usize, Vec<u32>)>,
    /// `s_k`: class and column of each artificial.
    artificials: Vec<(usize, Col)>,
    big_m: f64,
    first_big_m: f64,
    /// Time and solves so far.
    pub(crate) profile: Profile,
    /// Whether a column's bounds changed since the last solve (see [`Master::solve`]).
    bounds_changed: bool,
}

/// HiGHS's `simplex_strategy` for its dual and its primal simplex.
const DUAL: i32 = 1;
const PRIMAL: i32 = 4;

/// How far `M` may rise above its first value (at least 1,000): numbers beyond upset
/// HiGHS's simplex (seed 1's team 25 reached 3e20 and HiGHS gave up).
const MAX_BIG_M_RISE: f64 = 1e4;

/// The rows every caseload column enters: each class covered by exactly its size (units
/// held or unallocated), each worker given exactly one caseload.
pub(crate) fn assignment_rows(team: &Team, problem: &mut ColProblem) -> (Vec<Row>, Vec<Row>) {
    let classes = team
        .classes
        .iter()
        .map(|k| {
            let n = f64::from(k.size());
            problem.add_row(n..=n)
        })
        .collect();
    let workers = team
        .workers
        .iter()
        .map(|_| problem.add_row(1.0..=1.0))
        .collect();
    (classes, workers)
}

/// Why the master failed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MasterError;

impl Master {
    /// The master of `team` with its floor row (if any), the empty caseload of every
    /// worker, and artificials at cost `big_m`.
    pub(crate) fn new(team: &Team, floor: Option<&Floor>, big_m: f64) -> Result<Self, MasterError> {
        let mut problem = ColProblem::new();
        let (class_rows, worker_rows) = assignment_rows(team, &mut problem);
        let floor_row = floor.map(|f| problem.add_row(f.value..));
        let mut model = Model::try_new(problem).map_err(|_| MasterError)?;
        model.set_sense(Sense::Minimise);
        for (key, value) in [("presolve", "off"), ("solver", "simplex")] {
            model.try_set_option(key, value).map_err(|_| MasterError)?;
        }
        model
            .try_set_option("threads", 1)
            .map_err(|_| MasterError)?;
        model
            .try_set_option("random_seed", 0)
            .map_err(|_| MasterError)?;
        // The `y_k` and `s_k` columns come first, in class order (positions 0..classes).
        let mut artificials = Vec::new();
        for (k, class) in team.classes.iter().enumerate() {
            let n = f64::from(class.size());
            match class.unallocated {
                Some(cost) => {
                    let mut factors = vec![(class_rows[k], 1.0)];
                    if let (Some(row), Some(f)) = (floor_row, floor) {
                        if f.classes[k] {
                            factors.push((row, cost));
                        }
                    }
                    model
                        .try_add_column(cost, 0.0..=n, factors)
                        .map_err(|_| MasterError)?;
                }
                None => {
                    let col = model
                        .try_add_column(big_m, 0.0..=n, [(class_rows[k], 1.0)])
                        .map_err(|_| MasterError)?;
                    artificials.push((k, col));
                }
            }
        }
        let positions = team.classes.len();
        let mut master = Master {
            model: Some(model),
            class_rows,
            worker_rows,
            floor_row,
            columns: Vec::new(),
            positions,
            seen: Default::default(),
            artificials,
            big_m,
            first_big_m: big_m,
            profile: Profile::default(),
            bounds_changed: true,
        };
        for (i, w) in team.workers.iter().enumerate() {
            let empty = vec![0; w.options.len()];
            let cost = w.cost_of(&empty).ok_or(MasterError)?;
            master.add(team, i, empty, cost)?;
        }
        Ok(master)
    }

    /// `M`, the cost of an artificial unit.
    pub(crate) fn big_m(&self) -> f64 {
        self.big_m
    }

    /// Multiplies `M` by `factor` (`false`, and nothing done, when that would take it
    /// beyond [`MAX_BIG_M_RISE`] times the first `M`): the LP with artificials is a relaxation at any `M`,
    /// and equals the master without them once `M` exceeds every class dual of an
    /// optimum of the latter.
    pub(crate) fn raise_big_m(&mut self, factor: f64) -> Result<bool, MasterError> {
        if self.big_m * factor > self.first_big_m.max(1e3) * MAX_BIG_M_RISE {
            return Ok(false);
        }
        self.big_m *= factor;
        let model = self.model.as_mut().ok_or(MasterError)?;
        for &(_, col) in &self.artificials {
            model.change_column_cost(col, self.big_m);
        }
        Ok(true)
    }

    /// Adds worker `worker`'s caseload `counts` of cost `cost`; `false` if it was there.
    pub(crate) fn add(
        &mut self,
        team: &Team,
        worker: usize,
        counts: Vec<u32>,
        cost: f64,
    ) -> Result<bool, MasterError> {
        if !self.seen.insert((worker, counts.clone())) {
            return Ok(false);
        }
        let w = &team.workers[worker];
        let mut factors = vec![(self.worker_rows[worker], 1.0)];
        for (o, &t) in w.options.iter().zip(&counts) {
            if t > 0 {
                factors.push((self.class_rows[o.class], f64::from(t)));
            }
        }
        let model = self.model.as_mut().ok_or(MasterError)?;
        let col = model
            .try_add_column(cost, 0.0..=1.0, factors)
            .map_err(|_| MasterError)?;
        self.columns.push(Caseload {
            worker,
            counts,
            cost,
            col,
            position: self.positions,
            open: true,
        });
        self.positions += 1;
        Ok(true)
    }

    /// Opens the columns `allowed` accepts and closes the others.
    pub(crate) fn restrict(
        &mut self,
        allowed: impl Fn(&Caseload) -> bool,
    ) -> Result<(), MasterError> {
        let model = self.model.as_mut().ok_or(MasterError)?;
        for c in &mut self.columns {
            let open = allowed(c);
            if open != c.open {
                model.change_column_bounds(c.col, 0.0..=if open { 1.0 } else { 0.0 });
                c.open = open;
                self.bounds_changed = true;
            }
        }
        Ok(())
    }

    /// Solves the LP (warm-started from the last basis); `None` when the open columns
    /// have no solution (a node's bounds over-cover a class).
    ///
    /// After columns were added or `M` rose, the last basis is still primal feasible
    /// (new columns enter at 0): the primal simplex goes on from it. After a branch closed
    /// columns, it is still dual feasible: the dual simplex does.
    pub(crate) fn solve(&mut self) -> Result<Option<LpSolution>, MasterError> {
        let clock = std::time::Instant::now();
        let mut model = self.model.take().ok_or(MasterError)?;
        let strategy = if self.bounds_changed { DUAL } else { PRIMAL };
        self.bounds_changed = false;
        // HiGHS's simplex sometimes fails or ends without a status on these degenerate
        // LPs (seed 1's teams 5, 15 and 25), and a failed `try_solve` drops the model: it
        // runs here, where the model survives a failure, and once more from the same basis
        // by the other simplex if it ends without a status.
        let run = |model: &mut Model, strategy: i32, profile: &mut Profile| {
            model
                .try_set_option("simplex_strategy", strategy)
                .map_err(|_| MasterError)?;
            // SAFETY: `model` is a live HiGHS instance owned by this master.
            let (status, iterations, model_status) = unsafe {
                let highs = model.as_mut_ptr();
                let status = highs_sys::Highs_run(highs);
                (
                    status,
                    highs_sys::Highs_getSimplexIterationCount(highs),
                    highs_sys::Highs_getModelStatus(highs),
                )
            };
            profile.iterations += i64::from(iterations);
            Ok::<bool, MasterError>(
                status != highs_sys::kHighsStatusError
                    && (model_status == highs_sys::kHighsModelStatusOptimal
                        || model_status == highs_sys::kHighsModelStatusInfeasible),
            )
        };
        if !run(&mut model, strategy, &mut self.profile)? {
            let other = if strategy == DUAL { PRIMAL } else { DUAL };
            run(&mut model, other, &mut self.profile)?;
        }
        // This finds the LP solved (or failed) and hands back what HiGHS has.
        let solved = model.try_solve().map_err(|_| MasterError)?;
        let status = solved.status();
        self.profile.solves += 1;
        self.profile.master_seconds += clock.elapsed().as_secs_f64();
        let result = if status == HighsModelStatus::Optimal {
            let s = solved.get_solution();
            let (cols, duals) = (s.columns(), s.dual_rows());
            let row = |r: usize| duals.get(r).copied().unwrap_or(0.0);
            let classes = self.class_rows.len();
            let workers = self.worker_rows.len();
            Ok(Some(LpSolution {
                objective: solved.objective_value(),
                lambda: self
                    .columns
                    .iter()
                    .map(|c| cols.get(c.position).copied().unwrap_or(0.0))
                    .collect(),
                pi: (0..classes).map(row).collect(),
                mu: (classes..classes + workers).map(row).collect(),
                sigma: self
                    .floor_row
                    .map_or(0.0, |_| row(classes + workers).max(0.0)),
                artificial: self
                    .artificials
                    .iter()
                    .map(|&(k, _)| cols.get(k).copied().unwrap_or(0.0))
                    .sum(),
            }))
        } else if status == HighsModelStatus::Infeasible {
            Ok(None)
        } else {
            Err(MasterError)
        };
        self.model = Some(Model::from(solved));
        result
    }
}

/// The terms of the Lagrangian bound other than pricing's (see `tree`'s docs).
pub(crate) fn lagrangian_constant(
    team: &Team,
    floor: Option<&Floor>,
    big_m: f64,
    pi: &[f64],
    sigma: f64,
) -> f64 {
    let mut total = floor.map_or(0.0, |f| sigma * f.value);
    for (k, class) in team.classes.iter().enumerate() {
        let n = f64::from(class.size());
        let pi = pi[k];
        total += n * pi;
        let box_cost = match class.unallocated {
            Some(u) => {
                let in_row = floor.is_some_and(|f| f.classes[k]);
                u - pi - if in_row { sigma * u } else { 0.0 }
            }
            None => big_m - pi,
        };
        total += n * box_cost.min(0.0);
    }
    total
}
