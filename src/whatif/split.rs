//! Solving an instance as independent parts, when it falls apart into them.
//!
//! Without cross-team working a service is a set of teams that share nothing: no case
//! can go to another team's worker. More generally, take the graph joining each unit to
//! its eligible workers and to its current workers: its connected components share no
//! decision, no worker limit and no objective term (every term is a sum over units or
//! over workers), so the optimum of the whole is the union of the components' optima —
//! as long as `max_moves`, the one rule over the whole run, cannot bind. Several small
//! programs solve much faster than one large one.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::model::{Allocation, Instance, Scenario, WorkerId};
use crate::solve::{hard_rule_breaches, solve, Solution, SolveOptions, Status};

/// Solves `instance` component by component when it has several and `max_moves` cannot
/// bind; otherwise (or if a part fails) as a whole. Same optimum as [`solve`]; the bound
/// is the sum of the parts' bounds, the time limit is shared by the parts in turn.
pub fn solve_in_parts(instance: &Instance, options: &SolveOptions) -> Result<Solution> {
    let parts = components(instance);
    let fits_moves = instance.policy.max_moves >= instance.cases.len() as u64;
    if parts.len() <= 1 || !fits_moves {
        return solve(instance, options);
    }
    match solve_parts(instance, &parts, options) {
        Some(solution) => Ok(solution),
        None => solve(instance, options),
    }
}

/// The connected components that hold at least one unit, as (workers, units), ascending.
fn components(instance: &Instance) -> Vec<(Vec<usize>, Vec<usize>)> {
    let workers = instance.workers.len();
    let mut parent: Vec<usize> = (0..workers + instance.units.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut union = |a: usize, b: usize| {
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    for (u, unit) in instance.units.iter().enumerate() {
        for &w in &unit.eligible {
            union(workers + u, w);
        }
        for &c in &unit.cases {
            if let Some(w) = instance.current[c] {
                union(workers + u, w);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> =
        std::collections::BTreeMap::new();
    for node in 0..parent.len() {
        let root = find(&mut parent, node);
        let entry = groups.entry(root).or_default();
        if node < workers {
            entry.0.push(node);
        } else {
            entry.1.push(node - workers);
        }
    }
    groups
        .into_values()
        .filter(|(_, units)| !units.is_empty())
        .collect()
}

/// The part of the scenario with these workers and units (exclusions of workers outside
/// it dropped: they are not eligible anyway).
fn part_scenario(instance: &Instance, workers: &[usize], units: &[usize]) -> Scenario {
    let ids: BTreeSet<&WorkerId> = workers.iter().map(|&w| &instance.workers[w].id).collect();
    let cases = units
        .iter()
        .flat_map(|&u| instance.units[u].cases.iter())
        .map(|&c| {
            let mut case = instance.cases[c].clone();
            case.exclude.retain(|w| ids.contains(w));
            case
        })
        .collect();
    let mut part_workers: Vec<_> = workers
        .iter()
        .map(|&w| instance.workers[w].clone())
        .collect();
    // Capacity is fixed by the whole instance (explicit or fte × standard capacity).
    for (worker, &w) in part_workers.iter_mut().zip(workers) {
        worker.capacity = Some(instance.capacity[w]);
    }
    Scenario::new(part_workers, cases, instance.policy.clone())
}

fn solve_parts(
    instance: &Instance,
    parts: &[(Vec<usize>, Vec<usize>)],
    options: &SolveOptions,
) -> Option<Solution> {
    let started = Instant::now();
    let limit = options.time_limit_s.unwrap_or(instance.policy.time_limit_s);
    let mut allocation = Allocation {
        units: vec![None; instance.units.len()],
    };
    let (mut status, mut bound, mut start_objective) = (Status::Optimal, 0.0, 0.0);
    let (mut build_time, mut solve_time) = (Duration::ZERO, Duration::ZERO);
    for (workers, units) in parts {
        let part = Instance::new(&part_scenario(instance, workers, units)).ok()?;
        let left = (limit - started.elapsed().as_secs_f64()).max(0.01);
        let part_options = SolveOptions {
            time_limit_s: Some(left),
            ..options.clone()
        };
        let solution = solve(&part, &part_options).ok()?;
        for (pu, unit) in part.units.iter().enumerate() {
            let first = &part.cases[*unit.cases.first()?].id;
            let u = instance.unit_of[instance.case(first)?];
            allocation.units[u] = match solution.allocation.units[pu] {
                Some(pw) => Some(instance.worker(&part.workers[pw].id)?),
                None => None,
            };
        }
        if solution.status == Status::TimeLimit {
            status = Status::TimeLimit;
        }
        bound += solution.bound;
        start_objective += solution.start_objective;
        build_time += solution.build_time;
        solve_time += solution.solve_time;
    }
    if !hard_rule_breaches(instance, &allocation).is_empty() {
        return None;
    }
    let evaluation = instance.evaluate(&allocation);
    let objective = evaluation.objective.total;
    let bound = bound.min(objective);
    Some(Solution {
        allocation,
        evaluation,
        status,
        bound,
        gap: relative_gap(objective, bound),
        start_objective,
        solver_objective: None,
        build_time,
        solve_time,
    })
}

/// `(objective − bound) / |objective|`, 0 when they agree, 1 when nothing is known (as
/// the solver reports it).
fn relative_gap(objective: f64, bound: f64) -> f64 {
    if !bound.is_finite() {
        return 1.0;
    }
    let diff = (objective - bound).max(0.0);
    if diff <= 1e-9 * objective.abs().max(1.0) {
        0.0
    } else {
        diff / objective.abs().max(1e-9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenerateOptions};

    #[test]
    fn parts_give_the_same_optimum_as_the_whole() {
        let scenario = generate(&GenerateOptions {
            teams: 2,
            seed: 3,
            ..GenerateOptions::default()
        });
        let instance = Instance::new(&scenario).expect("valid");
        assert!(components(&instance).len() >= 2, "two teams fall apart");
        let options = SolveOptions {
            threads: Some(1),
            time_limit_s: Some(60.0),
            ..SolveOptions::default()
        };
        let whole = solve(&instance, &options).expect("whole");
        let parts = solve_in_parts(&instance, &options).expect("parts");
        assert!(hard_rule_breaches(&instance, &parts.allocation).is_empty());
        let (a, b) = (
            whole.evaluation.objective.total,
            parts.evaluation.objective.total,
        );
        // Both within the solver's relative gap (1e-4) of the optimum.
        assert!((a - b).abs() <= 2e-4 * a.abs(), "{a} vs {b}");
        assert!(parts.bound <= b + 1e-6);
    }
}
