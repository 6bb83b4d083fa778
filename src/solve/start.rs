//! A feasible starting allocation, built without the solver: the current allocation
//! repaired, then the remaining units placed greedily by marginal cost.
//!
//! It is handed to HiGHS as a MIP start and kept as the answer of last resort, so a run
//! never ends without an allocation.

use crate::model::{Allocation, Instance};

/// Running totals per worker while the start is built.
struct Tally {
    load: Vec<f64>,
    count: Vec<u32>,
    received: Vec<u32>,
    moves: u64,
}

impl Tally {
    fn new(instance: &Instance) -> Self {
        let n = instance.workers.len();
        Self {
            load: vec![0.0; n],
            count: vec![0; n],
            received: vec![0; n],
            moves: 0,
        }
    }

    /// Whether giving unit `u` to `w` keeps every hard limit (rules 3, 4 and 5).
    fn fits(&self, instance: &Instance, u: usize, w: usize) -> bool {
        let unit = &instance.units[u];
        let load_ok = instance
            .load_limit(w)
            .is_none_or(|limit| self.load[w] + unit.weight <= limit + 1e-9);
        let count_ok = instance
            .count_limit(w)
            .is_none_or(|limit| self.count[w] + unit.cases.len() as u32 <= limit);
        let new_ok = instance.workers[w]
            .max_new
            .is_none_or(|limit| self.received[w] + instance.new_cases(u, w) <= limit);
        let moves_ok = self.moves + u64::from(instance.discretionary_moves(u, Some(w)))
            <= instance.policy.max_moves;
        load_ok && count_ok && new_ok && moves_ok
    }

    fn add(&mut self, instance: &Instance, u: usize, w: usize) {
        let unit = &instance.units[u];
        self.load[w] += unit.weight;
        self.count[w] += unit.cases.len() as u32;
        self.received[w] += instance.new_cases(u, w);
        self.moves += u64::from(instance.discretionary_moves(u, Some(w)));
    }

    /// Objective change of giving unit `u` to `w`, the unit being unallocated so far.
    fn marginal_cost(&self, instance: &Instance, u: usize, w: usize) -> f64 {
        let p = &instance.policy;
        let cap = instance.capacity[w];
        let bands = p.band_cost(self.load[w] + instance.units[u].weight, cap)
            - p.band_cost(self.load[w], cap);
        bands
            + p.weights.move_ * f64::from(instance.discretionary_moves(u, Some(w)))
            + p.weights.preference * f64::from(instance.missing_preferences(u, w))
            - instance.unallocated_cost(u)
    }
}

/// Builds the starting allocation.
///
/// 1. Units that must stay allocated (a pin, or a current worker who still fits) go to
///    the pinned worker, else to the current worker holding most of the unit's weight
///    (siblings split between workers are brought together there). Everyone keeps their
///    cases, so no limit `max(limit, before)` is broken unless siblings are brought
///    together; then another current or eligible worker who fits is tried.
/// 2. The other units (new referrals, forced moves) are placed most urgent first, each on
///    the eligible worker where it adds least to the objective and keeps every limit.
pub fn starting_allocation(instance: &Instance) -> Allocation {
    let mut tally = Tally::new(instance);
    let mut units = vec![None; instance.units.len()];

    for (u, unit) in instance.units.iter().enumerate() {
        if !unit.must_allocate {
            continue;
        }
        let choice = match unit.pinned_to {
            Some(w) => Some(w),
            None => {
                let mut held: Vec<(usize, f64)> = Vec::new();
                for &c in &unit.cases {
                    if let Some(w) = instance.current[c].filter(|&w| unit.is_eligible(w)) {
                        match held.iter_mut().find(|(x, _)| *x == w) {
                            Some(entry) => entry.1 += instance.cases[c].weight,
                            None => held.push((w, instance.cases[c].weight)),
                        }
                    }
                }
                held.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let preferred = held.iter().map(|&(w, _)| w);
                preferred
                    .clone()
                    .find(|&w| tally.fits(instance, u, w))
                    .or_else(|| {
                        unit.eligible
                            .iter()
                            .copied()
                            .find(|&w| tally.fits(instance, u, w))
                    })
                    .or_else(|| held.first().map(|&(w, _)| w))
            }
        };
        if let Some(w) = choice {
            tally.add(instance, u, w);
            units[u] = Some(w);
        }
    }

    let mut rest: Vec<usize> = (0..instance.units.len())
        .filter(|&u| units[u].is_none() && !instance.units[u].must_allocate)
        .collect();
    // Most urgent (highest penalty per point) first, heaviest first among equals, then key.
    rest.sort_by(|&a, &b| {
        let urgency = |u: usize| instance.unallocated_cost(u) / instance.units[u].weight;
        urgency(b)
            .total_cmp(&urgency(a))
            .then(
                instance.units[b]
                    .weight
                    .total_cmp(&instance.units[a].weight),
            )
            .then(a.cmp(&b))
    });
    for u in rest {
        let best = instance.units[u]
            .eligible
            .iter()
            .copied()
            .filter(|&w| tally.fits(instance, u, w))
            .map(|w| (w, tally.marginal_cost(instance, u, w)))
            .filter(|&(_, cost)| cost < 0.0)
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        if let Some((w, _)) = best {
            tally.add(instance, u, w);
            units[u] = Some(w);
        }
    }
    Allocation { units }
}
