//! Candidate workers for parts too large to hand to the solver whole.
//!
//! With cross-team eligibility a trust is one part of every worker and every child:
//! hundreds of thousands of (unit, worker) pairs, more than HiGHS can take in seconds.
//! Most of those pairs are never worth using: a child goes to their own worker, to their
//! own team, or to a worker with room. A restricted instance keeps, for each unit, its
//! cases' current workers, the workers of its own team (every eligible worker for a unit
//! without a team), and optionally the worker of a given allocation and the eligible
//! workers with the most room left in it. Its allocations are allocations of the full
//! instance with the same objective (current workers are kept, so "still fits" and every
//! cost are unchanged); its optimum is an upper bound on the full one, not a proof.

use crate::model::{Allocation, Instance};

/// Each unit's eligible workers cut down to its cases' current workers and its team's
/// workers: a cross-team instance as it would be within teams (independent team parts).
pub fn within_teams(instance: &Instance) -> Instance {
    restrict(instance, None, 0)
}

/// Each unit's eligible workers cut down to its cases' current workers, its team's
/// workers, its worker in `around`, and the `others` eligible workers with the most room
/// left in `around` (ties to the lower index).
pub fn around(instance: &Instance, around: &Allocation, others: usize) -> Instance {
    restrict(instance, Some(around), others)
}

fn restrict(instance: &Instance, start: Option<&Allocation>, others: usize) -> Instance {
    let mut load = instance.load_before.clone();
    if let Some(start) = start {
        load.fill(0.0);
        for (u, w) in start.units.iter().enumerate() {
            if let Some(w) = *w {
                load[w] += instance.unit_weight_on(u, w);
            }
        }
    }
    let room: Vec<f64> = (0..instance.workers.len())
        .map(|w| {
            let limit = instance.load_limit(w).unwrap_or(instance.capacity[w]);
            limit - load[w]
        })
        .collect();
    let mut roomiest: Vec<usize> = (0..instance.workers.len()).collect();
    roomiest.sort_by(|&a, &b| room[b].total_cmp(&room[a]).then(a.cmp(&b)));
    let mut restricted = instance.clone();
    for (u, unit) in restricted.units.iter_mut().enumerate() {
        let teams: Vec<&str> = unit
            .cases
            .iter()
            .map(|&c| instance.cases[c].team.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        let mut keep = vec![false; instance.workers.len()];
        if let Some(w) = start.and_then(|s| s.units[u]) {
            keep[w] = true;
        }
        for &c in &unit.cases {
            if let Some(w) = instance.current[c] {
                keep[w] = true;
            }
        }
        for &w in &unit.eligible {
            if teams.is_empty() || teams.contains(&instance.workers[w].team.as_str()) {
                keep[w] = true;
            }
        }
        let mut extra = 0;
        for &w in &roomiest {
            if extra == others {
                break;
            }
            if !keep[w] && unit.is_eligible(w) {
                keep[w] = true;
                extra += 1;
            }
        }
        unit.eligible.retain(|&w| keep[w]);
    }
    restricted
}

/// Eligible (unit, worker) pairs of the largest part of an instance: the size of the
/// largest program the solver would be handed.
pub fn largest_part_pairs(instance: &Instance) -> usize {
    super::parts::split(instance)
        .iter()
        .map(|part| {
            part.units
                .iter()
                .map(|&u| instance.units[u].eligible.len())
                .sum()
        })
        .max()
        .unwrap_or(0)
}
