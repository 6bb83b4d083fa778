//! The objective (docs/model.md, "Objective"), computed in one place: [`objective`]
//! gives every term of an allocation and their total, and [`Instance::evaluate`] uses it.

use super::limits::band_cost;
use crate::model::allocation::{Allocation, Change, Evaluation, Objective, WorkerLoad};
use crate::model::entities::{Case, Worker};
use crate::model::policy::Policy;
use crate::model::scenario::Instance;

/// The unallocated penalty of a case: `weight × priority × weights.unallocated`.
pub fn unallocated_cost(case: &Case, policy: &Policy) -> f64 {
    case.weight * f64::from(case.priority) * policy.weights.unallocated
}

/// How many of a case's preferred tags `worker` lacks.
pub fn missing_preferences(worker: &Worker, case: &Case) -> u32 {
    case.prefers.iter().filter(|t| !worker.has(t)).count() as u32
}

/// The objective of an instance's cases held by `worker` (per case, `None`:
/// unallocated), with `load_after` the load of each worker and `moves` the discretionary
/// moves: every term, and their sum as the total.
pub fn objective(
    instance: &Instance,
    worker: &[Option<usize>],
    load_after: &[f64],
    moves: u32,
) -> Objective {
    let policy = &instance.policy;
    let (mut unallocated, mut preferences, mut pairs) = (0.0, 0.0, 0.0);
    for (c, case) in instance.cases.iter().enumerate() {
        match worker[c] {
            None => unallocated += unallocated_cost(case, policy),
            Some(w) => {
                pairs += instance.pair_cost(c, w);
                preferences += policy.weights.preference
                    * f64::from(missing_preferences(&instance.workers[w], case));
            }
        }
    }
    let bands = load_after
        .iter()
        .zip(&instance.capacity)
        .map(|(&load, &cap)| band_cost(&policy.bands, load, cap))
        .sum();
    Objective::with_pairs(
        unallocated,
        bands,
        policy.weights.move_ * f64::from(moves),
        preferences,
        pairs,
    )
}

impl Instance {
    /// Evaluates an allocation of this instance's units: the change of each case, the
    /// figures of each worker, and the [`objective`].
    pub fn evaluate(&self, allocation: &Allocation) -> Evaluation {
        let mut worker = vec![None; self.cases.len()];
        for (u, unit) in self.units.iter().enumerate() {
            for &c in &unit.cases {
                worker[c] = allocation.units[u];
            }
        }
        let mut loads: Vec<WorkerLoad> = (0..self.workers.len())
            .map(|w| WorkerLoad {
                load_before: self.load_before[w],
                cases_before: self.count_before[w],
                ..WorkerLoad::default()
            })
            .collect();
        let mut change = Vec::with_capacity(self.cases.len());
        let mut moves = 0u32;
        for (c, &now) in worker.iter().enumerate() {
            let prev = self.current[c];
            let ch = match (prev, now) {
                (_, None) => Change::Unallocated,
                (Some(p), Some(n)) if p == n => Change::Kept,
                (None, Some(_)) => Change::New,
                (Some(_), Some(_)) if self.still_fits(c) => Change::Moved,
                (Some(_), Some(_)) => Change::Forced,
            };
            if ch == Change::Moved {
                moves += 1;
            }
            if let Some(p) = prev {
                if now != Some(p) {
                    loads[p].given_up += 1;
                }
            }
            if let Some(n) = now {
                let l = &mut loads[n];
                l.load_after += self.weight_on(c, n);
                l.cases_after += 1;
                if prev != Some(n) {
                    l.received += 1;
                }
            }
            change.push(ch);
        }
        let load_after: Vec<f64> = loads.iter().map(|l| l.load_after).collect();
        let objective = objective(self, &worker, &load_after, moves);
        Evaluation {
            worker,
            change,
            loads,
            moves,
            objective,
        }
    }
}
