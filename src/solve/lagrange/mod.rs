//! A lower bound that moves, for instances solved in passes (`large`): the Lagrangian
//! relaxation of the rows that join teams, each team's subproblem solved by HiGHS.
//!
//! In a cross-team trust the only rows that join workers of different teams are the
//! units' decision rows, `Σ_w x[u,w] + y[u] = 1` (and `max_moves`, see below); every other
//! row (bands, load, case and new-case limits) belongs to one worker. Pricing the decision
//! rows at `λ_u` leaves
//!
//! ```text
//! L(λ) = Σ_u λ_u + Σ_{u may wait} min(0, U_u − λ_u) + Σ_T z_T(λ)
//! ```
//!
//! where `z_T(λ)` is team `T`'s subproblem ([`team`]): its workers take the units that pay
//! `λ_u` more than they cost, within their own limits. For every `λ`, `L(λ)` is at most
//! the optimum (any allocation is feasible for every subproblem and costs the same once
//! the priced rows hold), and stays so when each `z_T` is replaced by a lower bound on it:
//! HiGHS's proven bound, not its incumbent. `max_moves` is left out of the subproblems,
//! which only lowers them. The subproblems keep their integrality, so `max_λ L(λ)` is at
//! least the LP relaxation's optimum, which `L` reaches at the LP's duals of the decision
//! rows: the ascent starts there ([`lp_prices`]).
//!
//! The ascent ([`ascend`]) is a projected subgradient method with Polyak's step towards
//! the incumbent: `g_u = 1 − (teams taking u) − y_u`, `λ ← λ + θ (UB − L(λ)) g / ‖g‖²`,
//! `θ` halved after iterations that do not raise the best bound. A unit that may wait
//! never needs a price above its unallocated cost `U_u` (above it, its term is `U_u` and
//! the subproblems only fall), so prices are capped there. Each iterate's subproblem
//! solutions are also repaired into an allocation ([`repair`]).

mod guided;
mod neighbours;
mod repair;
mod team;
#[cfg(test)]
mod tests;

use std::time::Instant;

use highs::HighsModelStatus;

use super::highs::set_option;
use super::Formulation;
use crate::error::{Error, Result, SolverError};
use crate::model::{Allocation, Instance};
use team::{TeamAnswer, WorkerData};

pub(super) use guided::{guided, GUIDED_SHARE};
pub(super) use neighbours::{worker_sets, SET_WORKERS};
pub(super) use repair::repair;

/// The LP relaxation of the whole program: its optimum and the duals of its decision
/// rows, as a price per unit.
#[derive(Clone, Debug)]
pub(super) struct Prices {
    /// The LP's optimum, a lower bound.
    pub(super) bound: f64,
    /// `λ_u`: the dual of the decision row of each unit's class.
    pub(super) lambda: Vec<f64>,
    /// Each unit's eligible workers with their columns' reduced costs in the LP: what
    /// giving the unit to the worker would add to the LP's optimum, at least.
    pub(super) reduced: Vec<Vec<(usize, f64)>>,
    /// Each unit's workers holding some of it (of its class) in the LP's solution.
    pub(super) support: Vec<Vec<usize>>,
}

/// The whole program's LP relaxation and its decision rows' duals (one HiGHS thread);
/// `None` if HiGHS does not reach its optimum by `deadline` or is stopped by `watch`.
pub(super) fn lp_prices(
    instance: &Instance,
    deadline: Instant,
    watch: Option<&super::Watch>,
) -> Result<Option<Prices>> {
    let mut formulation = Formulation::build(instance);
    if watch.is_some_and(|w| w.cancelled()) {
        return Ok(None);
    }
    let mut model = super::highs::relaxation_model(&mut formulation, watch)?;
    set_option(&mut model, "time_limit", team::seconds_until(deadline))?;
    let solved = model
        .try_solve()
        .map_err(|status| Error::Solver(SolverError::Run { status }))?;
    if solved.status() != HighsModelStatus::Optimal {
        return Ok(None);
    }
    // The decision rows come first, one per class, in class order.
    let solution = solved.get_solution();
    let duals = solution.dual_rows();
    let columns = solution.dual_columns();
    let values = solution.columns();
    let mut support = vec![Vec::new(); instance.units.len()];
    let mut lambda = vec![0.0; instance.units.len()];
    let mut reduced = vec![Vec::new(); instance.units.len()];
    for (k, members) in formulation.classes().iter().enumerate() {
        let price = duals.get(k).copied().unwrap_or(0.0);
        let costs: Vec<(usize, f64)> = formulation.pairs[k]
            .iter()
            .map(|p| (p.worker, columns.get(p.x.index).copied().unwrap_or(0.0)))
            .collect();
        let held: Vec<usize> = formulation.pairs[k]
            .iter()
            .filter(|p| values.get(p.x.index).is_some_and(|&x| x > 1e-6))
            .map(|p| p.worker)
            .collect();
        for &u in members {
            lambda[u] = price;
            reduced[u] = costs.clone();
            support[u] = held.clone();
        }
    }
    Ok(Some(Prices {
        bound: solved.objective_value(),
        lambda,
        reduced,
        support,
    }))
}

/// The Lagrangian dual of an instance: its teams and what each worker brings to them.
pub(super) struct Dual<'a> {
    instance: &'a Instance,
    data: Vec<WorkerData>,
    teams: Vec<Vec<usize>>,
    /// `U_u` for units that may wait, `None` for those that must stay allocated.
    unallocated: Vec<Option<f64>>,
}

/// `L(λ)` and what it was made of.
#[derive(Clone, Debug)]
pub(super) struct Iterate {
    /// `L(λ)` with each team's bound: a lower bound on every allocation's objective.
    pub(super) bound: f64,
    /// Each team's answer.
    pub(super) answers: Vec<TeamAnswer>,
}

impl<'a> Dual<'a> {
    /// The dual of `instance`.
    pub(super) fn new(instance: &'a Instance) -> Self {
        let unallocated = (0..instance.units.len())
            .map(|u| (!instance.units[u].must_allocate).then(|| instance.unallocated_cost(u)))
            .collect();
        Self {
            instance,
            data: WorkerData::all(instance),
            teams: team::teams(instance),
            unallocated,
        }
    }

    /// `λ` made the best it can be unit by unit: a unit that may wait priced at most at
    /// its unallocated cost, one nobody may take priced exactly there.
    pub(super) fn project(&self, lambda: &mut [f64]) {
        for (u, price) in lambda.iter_mut().enumerate() {
            if let Some(cost) = self.unallocated[u] {
                if self.instance.units[u].eligible.is_empty() || *price > cost {
                    *price = cost;
                }
            }
        }
    }

    /// `L(λ)`, each team's subproblem solved within `seconds_per_team` and by `deadline`
    /// (as an LP when `relax`); a team reached after the deadline counts its trivial
    /// bound, unsolved.
    pub(super) fn evaluate(
        &self,
        lambda: &[f64],
        seconds_per_team: f64,
        deadline: Instant,
        relax: bool,
        watch: Option<&super::Watch>,
    ) -> Result<Iterate> {
        let mut settings = team::Settings {
            time_limit: seconds_per_team,
            gap: TEAM_GAP,
            relax,
            watch,
        };
        let mut bound: f64 = 0.0;
        for (u, &price) in lambda.iter().enumerate() {
            bound += price;
            if let Some(cost) = self.unallocated[u] {
                bound += (cost - price).min(0.0);
            }
        }
        let mut answers = Vec::with_capacity(self.teams.len());
        for workers in &self.teams {
            settings.time_limit = seconds_per_team.min(team::seconds_until(deadline));
            let answer = team::solve(&self.data, workers, lambda, &settings)?;
            bound += answer.bound;
            answers.push(answer);
        }
        Ok(Iterate { bound, answers })
    }

    /// `g_u = 1 − (teams taking u) − y_u`, with `y_u = 1` for a unit no team takes whose
    /// price has reached its unallocated cost.
    pub(super) fn subgradient(&self, lambda: &[f64], iterate: &Iterate) -> Vec<f64> {
        let mut taken = vec![0u32; lambda.len()];
        for answer in &iterate.answers {
            for &(u, _) in &answer.picks {
                taken[u] += 1;
            }
        }
        (0..lambda.len())
            .map(|u| {
                let waits = taken[u] == 0
                    && self.unallocated[u].is_some_and(|cost| lambda[u] >= cost - 1e-9);
                1.0 - f64::from(taken[u]) - if waits { 1.0 } else { 0.0 }
            })
            .collect()
    }
}

/// HiGHS's relative gap on a team's subproblem: its bound, not its incumbent, counts.
const TEAM_GAP: f64 = 1e-4;

/// What the ascent found.
#[derive(Clone, Debug)]
pub(super) struct Ascent {
    /// The best `L(λ)`.
    pub(super) bound: f64,
    /// The best allocation repaired from the subproblems, if any met every hard rule.
    pub(super) allocation: Option<Allocation>,
}

/// Subgradient ascent from `start` until `deadline`, until the best bound is within
/// `gap` of the best allocation, or until the step has shrunk to [`MIN_THETA`] (the
/// ascent has stalled: more time would not raise the bound): the best bound, and the
/// best allocation repaired from the subproblems' solutions (better than `incumbent`'s
/// objective `upper`, which sets the step).
pub(super) fn ascend(
    dual: &Dual<'_>,
    start: Vec<f64>,
    mut upper: f64,
    gap: f64,
    deadline: Instant,
    watch: Option<&super::Watch>,
) -> Result<Ascent> {
    let mut lambda = start;
    dual.project(&mut lambda);
    let mut best = f64::NEG_INFINITY;
    let mut allocation = None;
    let mut theta = INITIAL_THETA;
    let mut stalled = 0;
    let teams = dual.teams.len().max(1) as f64;
    while team::seconds_until(deadline) > 0.0 && !watch.is_some_and(|w| w.cancelled()) {
        let per_team = (team::seconds_until(deadline) / teams).max(0.01);
        let iterate = dual.evaluate(&lambda, per_team, deadline, false, watch)?;
        let mut picks: Vec<(usize, usize)> = iterate
            .answers
            .iter()
            .flat_map(|a| a.picks.iter().copied())
            .collect();
        let cost = |&(u, w): &(usize, usize)| {
            crate::model::rules::PairNumbers::of(dual.instance, u, w).cost
        };
        picks.sort_by(|a, b| cost(a).total_cmp(&cost(b)).then(a.cmp(b)));
        if let Some(repaired) = repair(dual.instance, picks, deadline) {
            let objective = dual.instance.evaluate(&repaired).objective.total;
            if objective < upper {
                upper = objective;
                allocation = Some(repaired);
            }
        }
        if !best.is_finite() || iterate.bound > best + 1e-9 * best.abs().max(1.0) {
            best = iterate.bound;
            stalled = 0;
        } else {
            stalled += 1;
            if stalled >= STALL {
                theta /= 2.0;
                stalled = 0;
            }
        }
        let g = dual.subgradient(&lambda, &iterate);
        let norm: f64 = g.iter().map(|x| x * x).sum();
        let proven = upper.is_finite() && super::relative_gap(upper, best) <= gap;
        if norm == 0.0 || upper <= iterate.bound || proven || theta < MIN_THETA {
            break;
        }
        let step = theta * (upper - iterate.bound) / norm;
        for (price, gu) in lambda.iter_mut().zip(&g) {
            *price += step * gu;
        }
        dual.project(&mut lambda);
    }
    Ok(Ascent {
        bound: best,
        allocation,
    })
}

/// First step's fraction of the Polyak step.
const INITIAL_THETA: f64 = 0.5;

/// Iterations without a better bound before the step is halved.
const STALL: usize = 2;

/// The smallest step worth taking: after nine halvings without a better bound (about 18
/// iterations), the ascent stops rather than spend the rest of the time limit.
const MIN_THETA: f64 = INITIAL_THETA / 512.0 * 1.01;
