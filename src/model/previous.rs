//! The previous proposal a solve keeps close to (SPEC v3, "Stable proposals"), and the
//! one rule of what counts as a change from it.
//!
//! A child **changes** when it was in the previous proposal and its worker now differs
//! from its worker there (being unallocated counts as a worker: a child given a worker
//! after being left unallocated changes, and so does one left unallocated now). A child
//! that was not in the previous proposal (a new referral) has nothing to change from and
//! never counts; a child whose previous worker has left always changes.
//!
//! ```
//! use caseload::model::{Case, Instance, Policy, Previous, Scenario, Worker};
//!
//! let workers = vec![Worker::new("W1"), Worker::new("W2")];
//! let cases = vec![Case::new("C1"), Case::new("C2"), Case::new("C3")];
//! let instance = Instance::new(&Scenario::new(workers, cases, Policy::default())).unwrap();
//! let previous = Previous::from_rows([
//!     ("C1".into(), Some("W1".into())),
//!     ("C2".into(), None), // unallocated
//! ]);
//! let was = previous.on(&instance);
//! let c1 = instance.unit_of[0];
//! assert_eq!(was.changed_in(&instance, c1, Some(0)), 0); // C1 stays with W1
//! assert_eq!(was.changed_in(&instance, c1, Some(1)), 1); // C1 would change to W2
//! assert_eq!(was.changed_in(&instance, instance.unit_of[1], Some(0)), 1); // C2 gets a worker
//! assert_eq!(was.changed_in(&instance, instance.unit_of[2], Some(1)), 0); // C3 is new
//! ```

use std::collections::BTreeMap;

use super::{Allocation, CaseId, Instance, WorkerId};

/// The previous proposal: each case's worker in it (`None`: it was unallocated). Cases
/// it does not name were not in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Previous {
    /// The worker of each case in the previous proposal, by case id.
    pub cases: BTreeMap<CaseId, Option<WorkerId>>,
    /// The recorded run it is, when it is one (`summary.json`'s `previous.run`).
    pub run: Option<i64>,
    /// The `allocation.csv` it was read from, when it was (`previous.file`).
    pub file: Option<String>,
}

impl Previous {
    /// The previous proposal of `(case, worker)` rows (an `allocation.csv`'s, a recorded
    /// run's); a case named twice keeps its last row.
    pub fn from_rows(rows: impl IntoIterator<Item = (CaseId, Option<WorkerId>)>) -> Self {
        Self {
            cases: rows.into_iter().collect(),
            run: None,
            file: None,
        }
    }

    /// The previous proposal as an allocation of `instance` would leave it.
    pub fn of_allocation(instance: &Instance, allocation: &Allocation) -> Self {
        Self::from_rows(instance.cases.iter().enumerate().map(|(c, case)| {
            let w = allocation.units[instance.unit_of[c]];
            (case.id.clone(), w.map(|w| instance.workers[w].id.clone()))
        }))
    }

    /// The worker a case had in the previous proposal: `None` when the case was not in
    /// it, `Some(None)` when it was unallocated.
    pub fn worker_of(&self, case: &CaseId) -> Option<Option<&WorkerId>> {
        self.cases.get(case).map(Option::as_ref)
    }

    /// The previous proposal read against an instance's cases and workers.
    pub fn on(&self, instance: &Instance) -> Was {
        let of_case: Vec<Before> = instance
            .cases
            .iter()
            .map(|case| match self.cases.get(&case.id) {
                None => Before::New,
                Some(None) => Before::Unallocated,
                Some(Some(w)) => instance.worker(w).map_or(Before::Gone, Before::Worker),
            })
            .collect();
        Was { of_case }
    }
}

/// Where a case was in the previous proposal, read against an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Before {
    /// Not in it: a new referral.
    New,
    /// Unallocated.
    Unallocated,
    /// With this worker (an index into the instance's workers).
    Worker(usize),
    /// With a worker the instance no longer has.
    Gone,
}

impl Before {
    /// Whether a case that was here changes by going to `target` (`None`: unallocated).
    pub fn changes_to(self, target: Option<usize>) -> bool {
        match (self, target) {
            (Before::New, _) => false,
            (Before::Unallocated, t) => t.is_some(),
            (Before::Worker(w), t) => t != Some(w),
            (Before::Gone, _) => true,
        }
    }
}

/// The previous proposal on an instance: where each case was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Was {
    /// Where each case of the instance was, by case index.
    pub of_case: Vec<Before>,
}

impl Was {
    /// The children of unit `u` of `instance` that change if it goes to `target`.
    /// `instance` must be the one [`Previous::on`] read.
    pub fn changed_in(&self, instance: &Instance, u: usize, target: Option<usize>) -> u32 {
        instance.units[u]
            .cases
            .iter()
            .filter(|&&c| self.of_case[c].changes_to(target))
            .count() as u32
    }

    /// The children of an allocation of `instance` that differ from the previous proposal.
    pub fn changed_by(&self, instance: &Instance, allocation: &Allocation) -> usize {
        (0..instance.units.len())
            .map(|u| self.changed_in(instance, u, allocation.units[u]) as usize)
            .sum()
    }

    /// Where each case of unit `u` was: a unit's units are interchangeable for stability
    /// only when these agree.
    pub fn profile(&self, instance: &Instance, u: usize) -> Vec<Before> {
        instance.units[u]
            .cases
            .iter()
            .map(|&c| self.of_case[c])
            .collect()
    }

    /// The least number of children of unit `u` that must change, wherever it goes among
    /// `targets`.
    pub fn least_changed(
        &self,
        instance: &Instance,
        u: usize,
        targets: impl IntoIterator<Item = Option<usize>>,
    ) -> u32 {
        targets
            .into_iter()
            .map(|t| self.changed_in(instance, u, t))
            .min()
            .unwrap_or(0)
    }
}
