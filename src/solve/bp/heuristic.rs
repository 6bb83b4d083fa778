//! A primal heuristic: the restricted master as a MIP.
//!
//! The caseloads column generation found, each worker taking exactly one
//! (`λ_p ∈ {0, 1}`) and each class's leftover units unallocated (`y_k` whole): a small
//! set-partitioning program HiGHS solves in milliseconds, whose answers are whole
//! allocations. It proves nothing (the best allocation may need a column not found);
//! the tree does.

use std::time::Instant;

use highs::{ColProblem, HighsModelStatus, HighsSolutionStatus, Model, Sense};

use super::floor::Floor;
use super::master::Master;
use super::team::{cost_of, Incumbent, Team};
use super::BpSettings as Limits;

/// Longest time the heuristic may take, in seconds.
const MAX_SECONDS: f64 = 10.0;

/// The best allocation made of the master's columns, if HiGHS finds one in time.
pub(crate) fn restricted_master_mip(
    team: &Team,
    _floor: Option<&Floor>,
    master: &Master,
    incumbent: &Incumbent,
    limits: &Limits,
) -> Option<Incumbent> {
    let left = limits
        .deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    if left <= 0.0 {
        return None;
    }
    let mut problem = ColProblem::new();
    let (class_rows, worker_rows) = super::master::assignment_rows(team, &mut problem);
    for (k, class) in team.classes.iter().enumerate() {
        if let Some(cost) = class.unallocated {
            let n = f64::from(class.size());
            problem.add_integer_column(cost, 0.0..=n, [(class_rows[k], 1.0)]);
        }
    }
    let first = problem.num_cols();
    // The incumbent as the MIP start: its caseloads, and what they leave unallocated.
    let mut start: Vec<f64> = Vec::with_capacity(first + master.columns.len());
    let mut held = vec![0u32; team.classes.len()];
    for (w, counts) in team.workers.iter().zip(&incumbent.counts) {
        for (o, &t) in w.options.iter().zip(counts) {
            held[o.class] += t;
        }
    }
    for (k, class) in team.classes.iter().enumerate() {
        if class.unallocated.is_some() {
            start.push(f64::from(class.size().saturating_sub(held[k])));
        }
    }
    let mut taken = vec![false; team.workers.len()];
    for c in &master.columns {
        let w = &team.workers[c.worker];
        let mut factors = vec![(worker_rows[c.worker], 1.0)];
        for (o, &t) in w.options.iter().zip(&c.counts) {
            if t > 0 {
                factors.push((class_rows[o.class], f64::from(t)));
            }
        }
        problem.add_integer_column(c.cost, 0.0..=1.0, factors);
        let chosen = !taken[c.worker] && incumbent.counts[c.worker] == c.counts;
        taken[c.worker] |= chosen;
        start.push(if chosen { 1.0 } else { 0.0 });
    }
    let mut model = Model::try_new(problem).ok()?;
    model.set_sense(Sense::Minimise);
    model.try_set_option("threads", 1).ok()?;
    model.try_set_option("random_seed", 0).ok()?;
    model
        .try_set_option("time_limit", (left * 0.25).min(MAX_SECONDS))
        .ok()?;
    model.try_set_option("mip_rel_gap", limits.gap).ok()?;
    if taken.iter().all(|&t| t) {
        model
            .try_set_solution(Some(&start), None, None, None)
            .ok()?;
    }
    let solved = model.try_solve().ok()?;
    let usable = matches!(
        solved.status(),
        HighsModelStatus::Optimal | HighsModelStatus::ReachedTimeLimit
    ) && solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    if !usable {
        return None;
    }
    let solution = solved.get_solution();
    let values = solution.columns();
    let mut counts: Vec<Vec<u32>> = team
        .workers
        .iter()
        .map(|w| vec![0; w.options.len()])
        .collect();
    for (c, &v) in master.columns.iter().zip(&values[first..]) {
        if v > 0.5 {
            counts[c.worker].clone_from(&c.counts);
        }
    }
    let cost = cost_of(team, &counts)?;
    Some(Incumbent { counts, cost })
}
