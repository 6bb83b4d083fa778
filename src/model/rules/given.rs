//! The rules read on a [`Scenario`] as given, before an [`Instance`](crate::model::Instance)
//! exists (validation, and the judging of managers' decisions, work there): the same
//! formulas, indexed by position in `scenario.workers` and `scenario.cases`.

use super::limits::{pair_cost, pair_weight, Limits};
use crate::model::scenario::Scenario;

/// A scenario read by the rules: worker `w` and case `c` are indices into
/// `scenario.workers` and `scenario.cases`.
#[derive(Clone, Copy, Debug)]
pub struct Given<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
}

impl<'a> Given<'a> {
    /// The rules of `scenario`.
    pub fn new(scenario: &'a Scenario) -> Self {
        Self { scenario }
    }

    /// The load points case `c` puts on worker `w`, with its `pairs.csv` weight.
    pub fn weight_on(&self, c: usize, w: usize) -> f64 {
        let case = &self.scenario.cases[c];
        if self.scenario.pairs.is_empty() {
            // No `pairs.csv`: no key to build.
            return pair_weight(case.weight, None);
        }
        let worker = &self.scenario.workers[w];
        let terms = self
            .scenario
            .pairs
            .get(&(case.id.clone(), worker.id.clone()));
        pair_weight(case.weight, terms)
    }

    /// The objective points of worker `w` holding case `c` (`pairs.csv`; 0 by default).
    pub fn pair_cost(&self, c: usize, w: usize) -> f64 {
        let case = &self.scenario.cases[c];
        let worker = &self.scenario.workers[w];
        pair_cost(
            self.scenario
                .pairs
                .get(&(case.id.clone(), worker.id.clone())),
        )
    }

    /// Whether worker `w` holds case `c` before the run (its `current_worker`).
    pub fn holds_before(&self, c: usize, w: usize) -> bool {
        self.scenario.cases[c].current_worker.as_ref() == Some(&self.scenario.workers[w].id)
    }

    /// The load (with pair weights) and the case count worker `w` holds before the run.
    pub fn held_before(&self, w: usize) -> (f64, u32) {
        let held: Vec<usize> = (0..self.scenario.cases.len())
            .filter(|&c| self.holds_before(c, w))
            .collect();
        (self.load_of(w, &held), held.len() as u32)
    }

    /// The load points the cases `cases` put on worker `w`, with pair weights.
    pub fn load_of(&self, w: usize, cases: &[usize]) -> f64 {
        cases.iter().map(|&c| self.weight_on(c, w)).sum()
    }

    /// How many of `cases` worker `w` did not hold before the run: the cases it would
    /// receive.
    pub fn received(&self, w: usize, cases: &[usize]) -> u32 {
        cases.iter().filter(|&&c| !self.holds_before(c, w)).count() as u32
    }

    /// The hard limits of worker `w` after the run: `max(capacity, load before)` with
    /// pair weights, `max(max_cases, count before)`, `max_new` (as the solver reads them
    /// once the scenario is prepared).
    pub fn limits(&self, w: usize) -> Limits {
        let held: Vec<usize> = (0..self.scenario.cases.len())
            .filter(|&c| self.holds_before(c, w))
            .collect();
        self.limits_held(w, &held)
    }

    /// [`Given::limits`] when the cases worker `w` held before the run are known (`held`:
    /// the cases whose `current_worker` it is), without a search of every case.
    pub fn limits_held(&self, w: usize, held: &[usize]) -> Limits {
        let worker = &self.scenario.workers[w];
        let (load_before, count_before) = (self.load_of(w, held), held.len() as u32);
        Limits::new(
            &self.scenario.policy,
            worker,
            self.scenario.capacity_of(worker),
            load_before,
            count_before,
        )
    }
}
