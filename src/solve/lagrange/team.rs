//! One team's subproblem of the Lagrangian dual ([`super`]): at prices `λ`, the team's
//! workers take whichever units pay more than they cost,
//!
//! ```text
//! z_T(λ) = min Σ_{u, w∈T} (c[u,w] − λ_u) x[u,w] + Σ_{w∈T} Σ_b cost_b s[w,b]
//!          Σ_{w∈T} x[u,w] ≤ 1 for each unit, x binary,
//!          each worker's load bands, load, case and new-case limits as in the program.
//! ```
//!
//! Only pairs with `c[u,w] < λ_u` get a column: every row is a packing row and the band
//! cost does not fall with load, so a column of non-negative cost is 0 in some optimum.
//! The band pieces and the load limit's rounding to the grid are the program's
//! (`formulation`), with the grid of every unit eligible for the worker, so at every
//! integer point the pieces cost what the bands cost.

use std::time::Instant;

use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
use highs::{HighsModelStatus, HighsSolutionStatus};

use crate::error::{Error, Result, SolverError};
use crate::model::rules::{Limits, PairNumbers};
use crate::model::Instance;
use crate::solve::formulation::{band_pieces, floor_to, load_grid};
use crate::solve::highs::{configure, set_option, MipSettings};
use crate::solve::Watch;

/// What a worker brings to every subproblem, computed once: its eligible pairs, band
/// pieces and limits.
pub(super) struct WorkerData {
    /// `(unit, numbers)` of each unit the worker is eligible for.
    pairs: Vec<(usize, PairNumbers)>,
    /// Band pieces `(start, end, cost)` on the worker's grid.
    pieces: Vec<(f64, f64, f64)>,
    /// Hard limits, the load limit rounded down to the grid.
    limits: Limits,
}

impl WorkerData {
    /// Every worker's data.
    pub(super) fn all(instance: &Instance) -> Vec<Self> {
        let mut pairs: Vec<Vec<(usize, PairNumbers)>> = vec![Vec::new(); instance.workers.len()];
        for (u, unit) in instance.units.iter().enumerate() {
            for &w in &unit.eligible {
                pairs[w].push((u, PairNumbers::of(instance, u, w)));
            }
        }
        let units: Vec<usize> = (0..instance.units.len()).collect();
        pairs
            .into_iter()
            .enumerate()
            .map(|(w, pairs)| {
                let grid = load_grid(instance, w, &units);
                let mut limits = Limits::of(instance, w);
                if let (Some(load), Some(g)) = (limits.load, grid) {
                    limits.load = Some(floor_to(load, g));
                }
                Self {
                    pairs,
                    pieces: band_pieces(instance, w, grid),
                    limits,
                }
            })
            .collect()
    }
}

/// What solving a team's subproblem gave.
#[derive(Clone, Debug, Default)]
pub(crate) struct TeamAnswer {
    /// A lower bound on `z_T(λ)`: HiGHS's proven bound, else the sum over units of their
    /// least negative `c − λ` in the team (band costs are non-negative).
    pub(super) bound: f64,
    /// The best solution found: `(unit, worker)` for each unit it takes.
    pub(super) picks: Vec<(usize, usize)>,
}

/// How a subproblem is solved.
pub(super) struct Settings<'w> {
    /// Seconds HiGHS may take.
    pub(super) time_limit: f64,
    /// HiGHS's relative gap.
    pub(super) gap: f64,
    /// Solve the LP relaxation only (its optimum is the bound).
    pub(super) relax: bool,
    /// Its stop flag interrupts HiGHS.
    pub(super) watch: Option<&'w Watch>,
}

/// Solves team `workers`' subproblem at prices `lambda`; with no time left, answers its
/// trivial bound (each unit's least reduced cost in the team, summed) without HiGHS.
pub(super) fn solve(
    data: &[WorkerData],
    workers: &[usize],
    lambda: &[f64],
    settings: &Settings<'_>,
) -> Result<TeamAnswer> {
    if settings.time_limit <= 0.0 {
        let mut least: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
        for &w in workers {
            for &(u, numbers) in &data[w].pairs {
                let reduced = numbers.cost - lambda[u];
                if reduced < -REDUCED_COST_TOLERANCE {
                    let entry = least.entry(u).or_insert(0.0);
                    *entry = entry.min(reduced);
                }
            }
        }
        return Ok(TeamAnswer {
            bound: least.values().sum(),
            picks: Vec::new(),
        });
    }
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::default();
    let mut rows = Vec::new();
    // (unit, worker, column index): variables are numbered in order of creation.
    let mut columns: Vec<(usize, usize, usize)> = Vec::new();
    let mut added = 0usize;
    // Per unit: its columns, and its least (negative) reduced cost in the team.
    let mut by_unit: std::collections::BTreeMap<usize, (Vec<Variable>, f64)> =
        std::collections::BTreeMap::new();
    let x_def = || {
        if settings.relax {
            variable().min(0.0).max(1.0)
        } else {
            variable().binary()
        }
    };
    for &w in workers {
        let worker = &data[w];
        let (mut load, mut cases, mut new) = (
            Expression::default(),
            Expression::default(),
            Expression::default(),
        );
        let mut any = false;
        for &(u, numbers) in &worker.pairs {
            let reduced = numbers.cost - lambda[u];
            if reduced >= -REDUCED_COST_TOLERANCE {
                continue;
            }
            let x = vars.add(x_def());
            columns.push((u, w, added));
            added += 1;
            objective += reduced * x;
            load += numbers.load * x;
            cases += f64::from(numbers.cases) * x;
            new += f64::from(numbers.new_cases) * x;
            let entry = by_unit.entry(u).or_insert((Vec::new(), 0.0));
            entry.0.push(x);
            entry.1 = entry.1.min(reduced);
            any = true;
        }
        if !any {
            continue;
        }
        if let Some(&(first, _, _)) = worker.pieces.first() {
            let mut filled = load.clone();
            for &(start, end, cost) in &worker.pieces {
                let s = if end.is_finite() {
                    vars.add(variable().min(0.0).max(end - start))
                } else {
                    vars.add(variable().min(0.0))
                };
                added += 1;
                objective += cost * s;
                filled -= s;
            }
            rows.push(filled.leq(first));
        }
        if let Some(limit) = worker.limits.load {
            rows.push(load.leq(limit));
        }
        if let Some(limit) = worker.limits.cases {
            rows.push(cases.leq(f64::from(limit)));
        }
        if let Some(limit) = worker.limits.new_cases {
            rows.push(new.leq(f64::from(limit)));
        }
    }
    let trivial: f64 = by_unit.values().map(|(_, least)| least).sum();
    if columns.is_empty() {
        return Ok(TeamAnswer {
            bound: 0.0,
            picks: Vec::new(),
        });
    }
    for (xs, _) in by_unit.values() {
        if xs.len() > 1 {
            rows.push(xs.iter().copied().sum::<Expression>().leq(1.0));
        }
    }
    let mut problem = vars.minimise(objective).using(good_lp::highs);
    for row in rows {
        problem.add_constraint(row);
    }
    let mut model = problem
        .try_into_inner()
        .map_err(|e| Error::Solver(SolverError::Program(e)))?;
    let mip = MipSettings {
        time_limit: settings.time_limit.max(0.0),
        threads: 1,
        log: false,
        small: true,
        watch: settings.watch,
    };
    configure(&mut model, &mip)?;
    set_option(&mut model, "mip_rel_gap", settings.gap)?;
    if settings.relax {
        set_option(&mut model, "solve_relaxation", true)?;
    }
    let solved = model
        .try_solve()
        .map_err(|status| Error::Solver(SolverError::Run { status }))?;
    let status = solved.status();
    let optimal = status == HighsModelStatus::Optimal;
    let proven_bound = if settings.relax {
        optimal.then(|| solved.objective_value())
    } else {
        solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite())
    };
    let picks =
        if solved.primal_solution_status() == HighsSolutionStatus::Feasible && !settings.relax {
            let values = solved.get_solution();
            let values = values.columns();
            columns
                .iter()
                .filter(|&&(_, _, i)| values.get(i).is_some_and(|&v| v > 0.5))
                .map(|&(u, w, _)| (u, w))
                .collect()
        } else {
            Vec::new()
        };
    Ok(TeamAnswer {
        bound: proven_bound.map_or(trivial, |b| b.max(trivial)),
        picks,
    })
}

/// Reduced costs above this (in objective points) give no column: a unit that costs
/// what it pays is worth nothing to a team.
const REDUCED_COST_TOLERANCE: f64 = 1e-9;

/// The teams of an instance: the workers of each team name (workers without a team are
/// a team of their own), names in order.
pub(super) fn teams(instance: &Instance) -> Vec<Vec<usize>> {
    let mut teams: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for (w, worker) in instance.workers.iter().enumerate() {
        teams.entry(worker.team.as_str()).or_default().push(w);
    }
    teams.into_values().collect()
}

/// Seconds left until `deadline`.
pub(super) fn seconds_until(deadline: Instant) -> f64 {
    deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64()
}
