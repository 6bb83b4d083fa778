//! A mutable allocation with running totals per worker, for the heuristics that build
//! and improve the MIP start. Every change is checked against the hard limits
//! ([`rules`](crate::model::rules)) and priced exactly by the objective of docs/model.md, without the solver.

use crate::model::rules::{self, Limits, PairNumbers};
use crate::model::{Allocation, Instance};

/// An allocation under construction and what it implies per worker.
pub struct State<'a> {
    instance: &'a Instance,
    /// Per unit, the numbers of each eligible worker, in `eligible` order (computed once
    /// per state: the local search reads them at every step).
    pairs: Vec<Vec<PairNumbers>>,
    /// Per worker, its hard limits.
    limits: Vec<Limits>,
    /// Per unit, its unallocated penalty.
    unallocated: Vec<f64>,
    /// Worker of each unit.
    pub units: Vec<Option<usize>>,
    load: Vec<f64>,
    count: Vec<u32>,
    received: Vec<u32>,
    moves: u64,
}

impl<'a> State<'a> {
    /// Everything unallocated.
    pub fn empty(instance: &'a Instance) -> Self {
        let n = instance.workers.len();
        let pairs = (0..instance.units.len())
            .map(|u| {
                let unit = &instance.units[u];
                unit.eligible
                    .iter()
                    .map(|&w| PairNumbers::of(instance, u, w))
                    .collect()
            })
            .collect();
        let unallocated = (0..instance.units.len())
            .map(|u| instance.unallocated_cost(u))
            .collect();
        let limits = (0..n).map(|w| Limits::of(instance, w)).collect();
        Self {
            instance,
            pairs,
            limits,
            unallocated,
            units: vec![None; instance.units.len()],
            load: vec![0.0; n],
            count: vec![0; n],
            received: vec![0; n],
            moves: 0,
        }
    }

    /// A state holding `allocation`.
    pub fn of(instance: &'a Instance, allocation: &Allocation) -> Self {
        let mut state = Self::empty(instance);
        for (u, w) in allocation.units.iter().enumerate() {
            if let Some(w) = *w {
                state.assign(u, w);
            }
        }
        state
    }

    /// The allocation.
    pub fn allocation(&self) -> Allocation {
        Allocation {
            units: self.units.clone(),
        }
    }

    /// The instance.
    pub fn instance(&self) -> &'a Instance {
        self.instance
    }

    /// Load of worker `w`.
    pub fn load(&self, w: usize) -> f64 {
        self.load[w]
    }

    /// The numbers of unit `u` on worker `w` (computed afresh for a worker not eligible).
    fn pair(&self, u: usize, w: usize) -> PairNumbers {
        match self.instance.units[u].eligible.binary_search(&w) {
            Ok(k) => self.pairs[u][k],
            Err(_) => PairNumbers::of(self.instance, u, w),
        }
    }

    /// Whether worker `w` can take unit `u` on top of what it holds now, within every hard
    /// limit (rules 3, 4 and 5), after first giving up the units in `leaving` (which must
    /// be its own). Eligibility is the caller's business.
    pub fn fits_after(&self, u: usize, w: usize, leaving: &[usize]) -> bool {
        let (mut load, mut count, mut received, mut moves) =
            (self.load[w], self.count[w], self.received[w], self.moves);
        for &v in leaving {
            let p = self.pair(v, w);
            load -= p.load;
            count -= p.cases;
            received -= p.new_cases;
            moves -= u64::from(p.moves);
        }
        let now = self.units[u];
        // If `u` currently sits elsewhere, its present moves are replaced by the new ones.
        if let Some(from) = now.filter(|&f| f != w) {
            moves -= u64::from(self.pair(u, from).moves);
        }
        let p = self.pair(u, w);
        self.limits[w].admit(load + p.load, count + p.cases, received + p.new_cases)
            && rules::moves_ok(&self.instance.policy, moves + u64::from(p.moves))
    }

    /// Whether worker `w` can take unit `u` within every hard limit.
    pub fn fits(&self, u: usize, w: usize) -> bool {
        self.fits_after(u, w, &[])
    }

    /// Gives unallocated unit `u` to `w`.
    pub fn assign(&mut self, u: usize, w: usize) {
        debug_assert!(self.units[u].is_none());
        let p = self.pair(u, w);
        self.load[w] += p.load;
        self.count[w] += p.cases;
        self.received[w] += p.new_cases;
        self.moves += u64::from(p.moves);
        self.units[u] = Some(w);
    }

    /// Takes unit `u` from its worker, leaving it unallocated.
    pub fn unassign(&mut self, u: usize) {
        let Some(w) = self.units[u].take() else {
            return;
        };
        let p = self.pair(u, w);
        self.load[w] -= p.load;
        self.count[w] -= p.cases;
        self.received[w] -= p.new_cases;
        self.moves -= u64::from(p.moves);
    }

    /// Moves unit `u` to `to` (`None` = unallocated).
    pub fn set(&mut self, u: usize, to: Option<usize>) {
        self.unassign(u);
        if let Some(w) = to {
            self.assign(u, w);
        }
    }

    /// The objective terms that depend on unit `u` alone, were it held by `w`:
    /// unallocated penalty, move, preference and pair costs.
    pub fn unit_cost(&self, u: usize, w: Option<usize>) -> f64 {
        match w {
            None => self.unallocated[u],
            Some(w) => self.pair(u, w).cost,
        }
    }

    /// Band cost of worker `w` if its load changed by `delta`.
    pub fn band_cost_with(&self, w: usize, delta: f64) -> f64 {
        self.instance
            .policy
            .band_cost(self.load[w] + delta, self.instance.capacity[w])
    }

    /// Objective change of moving unit `u` from where it is to `to`.
    pub fn move_delta(&self, u: usize, to: Option<usize>) -> f64 {
        let from = self.units[u];
        if from == to {
            return 0.0;
        }
        let mut delta = self.unit_cost(u, to) - self.unit_cost(u, from);
        if let Some(f) = from {
            delta += self.band_cost_with(f, -self.pair(u, f).load) - self.band_cost_with(f, 0.0);
        }
        if let Some(t) = to {
            delta += self.band_cost_with(t, self.pair(u, t).load) - self.band_cost_with(t, 0.0);
        }
        delta
    }

    /// Gives each of `units` (waiting, in this order) to the eligible worker that fits it
    /// and lowers the objective most, if one does (ties to the lower worker).
    pub fn place_where_cheapest(&mut self, units: &[usize]) {
        for &u in units {
            let best = self.instance.units[u]
                .eligible
                .iter()
                .copied()
                .filter(|&w| self.fits(u, w))
                .map(|w| (w, self.move_delta(u, Some(w))))
                .filter(|&(_, delta)| delta < 0.0)
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            if let Some((w, _)) = best {
                self.assign(u, w);
            }
        }
    }
}

impl State<'_> {
    /// Whether worker `w` is within its hard limits (rule 3 capacity and count, rule 4).
    fn within_limits(&self, w: usize) -> bool {
        self.limits[w].admit(self.load[w], self.count[w], self.received[w])
    }

    /// The objective terms of these units (where they are now) and these workers (their
    /// band costs): those a change to them touches, or a whole part's objective.
    pub fn local_cost(&self, units: &[usize], workers: &[usize]) -> f64 {
        let unit_terms: f64 = units
            .iter()
            .map(|&u| self.unit_cost(u, self.units[u]))
            .sum();
        let band_terms: f64 = workers.iter().map(|&w| self.band_cost_with(w, 0.0)).sum();
        unit_terms + band_terms
    }

    /// Applies `changes` (unit, new worker) in order if together they keep every hard
    /// limit and lower the objective by more than `1e-7`; otherwise leaves the state as it
    /// was. Targets must be eligible, and `None` only for units allowed to stay
    /// unallocated: the caller's business.
    pub fn try_change(&mut self, changes: &[(usize, Option<usize>)]) -> bool {
        self.change_if(changes, Accept::Lower).is_some()
    }

    /// Applies `changes` if every worker they touch, except `over` (a worker above a limit
    /// that they relieve), ends within its limits, whatever the objective does.
    pub fn try_repair(&mut self, changes: &[(usize, Option<usize>)], over: usize) -> bool {
        self.change_if(changes, Accept::Repair(over)).is_some()
    }

    /// Applies `changes` if together they keep every hard limit and raise the objective
    /// by at most `allowance`; returns the objective's change (`None`: left as it was).
    pub fn try_within(
        &mut self,
        changes: &[(usize, Option<usize>)],
        allowance: f64,
    ) -> Option<f64> {
        self.change_if(changes, Accept::Within(allowance))
    }

    /// Whether worker `w` is within its hard limits.
    pub fn is_within_limits(&self, w: usize) -> bool {
        self.within_limits(w)
    }

    /// Whether the moves so far are within the policy's moves budget (rule 5).
    pub fn moves_within_budget(&self) -> bool {
        rules::moves_ok(&self.instance.policy, self.moves)
    }

    fn change_if(&mut self, changes: &[(usize, Option<usize>)], accept: Accept) -> Option<f64> {
        let repairing = match accept {
            Accept::Repair(over) => Some(over),
            _ => None,
        };
        let mut units: Vec<usize> = Vec::with_capacity(changes.len());
        let mut workers: Vec<usize> = Vec::with_capacity(2 * changes.len());
        let mut previous: Vec<(usize, Option<usize>)> = Vec::with_capacity(changes.len());
        for &(u, to) in changes {
            if !units.contains(&u) {
                units.push(u);
                previous.push((u, self.units[u]));
            }
            for w in [self.units[u], to].into_iter().flatten() {
                if !workers.contains(&w) {
                    workers.push(w);
                }
            }
        }
        let before = self.local_cost(&units, &workers);
        for &(u, to) in changes {
            self.set(u, to);
        }
        let feasible = rules::moves_ok(&self.instance.policy, self.moves)
            && workers
                .iter()
                .all(|&w| Some(w) == repairing || self.within_limits(w));
        let delta = self.local_cost(&units, &workers) - before;
        let accepted = feasible
            && match accept {
                Accept::Lower => delta < -1e-7,
                Accept::Repair(_) => true,
                Accept::Within(allowance) => delta <= allowance,
            };
        if accepted {
            return Some(delta);
        }
        for &(u, _) in changes.iter().rev() {
            self.unassign(u);
        }
        for &(u, was) in &previous {
            if let Some(w) = was {
                self.assign(u, w);
            }
        }
        None
    }
}

/// When [`State::change_if`] keeps a change.
#[derive(Clone, Copy)]
enum Accept {
    /// It lowers the objective.
    Lower,
    /// It relieves this worker (above a limit): whatever the objective does.
    Repair(usize),
    /// It raises the objective by at most this much.
    Within(f64),
}
