//! The solver's guard: the hard rules an allocation breaks, read with the limits of
//! [`super::rules`], and the error reported when no allocation meets them all. (The
//! independent checker is `crate::check`.)

use super::rules::{self, Limits};
use crate::error::{Breach, Error, Infeasibility};
use crate::model::{Allocation, Instance};

/// The hard rules an allocation of this instance breaks (empty when feasible).
/// The solver's own guard; the independent checker is `crate::check`.
pub fn hard_rule_breaches(instance: &Instance, allocation: &Allocation) -> Vec<Breach> {
    let mut breaches = Vec::new();
    for (u, unit) in instance.units.iter().enumerate() {
        match allocation.units[u] {
            Some(w) if !unit.is_eligible(w) => breaches.push(Breach::Ineligible {
                unit: unit.key.clone(),
                worker: instance.workers[w].id.to_string(),
            }),
            None if unit.must_allocate => breaches.push(Breach::MustStayAllocated {
                unit: unit.key.clone(),
                pinned: unit.pinned_to.is_some(),
            }),
            _ => {}
        }
    }
    let eval = instance.evaluate(allocation);
    // The units a worker receives cases of: what pushes it over a limit.
    let arrivals = |w: usize| -> Vec<String> {
        (0..instance.units.len())
            .filter(|&u| allocation.units[u] == Some(w) && instance.new_cases(u, w) > 0)
            .map(|u| instance.units[u].key.clone())
            .collect()
    };
    for (w, load) in eval.loads.iter().enumerate() {
        let worker = || instance.workers[w].id.to_string();
        let limits = Limits::of(instance, w);
        if let Some(limit) = limits.load.filter(|_| !limits.load_ok(load.load_after)) {
            breaches.push(Breach::Load {
                worker: worker(),
                load: load.load_after,
                limit,
                receiving: arrivals(w),
            });
        }
        if let Some(limit) = limits.cases.filter(|_| !limits.cases_ok(load.cases_after)) {
            breaches.push(Breach::Cases {
                worker: worker(),
                cases: load.cases_after,
                limit,
                receiving: arrivals(w),
            });
        }
        if let Some(limit) = limits
            .new_cases
            .filter(|_| !limits.new_cases_ok(load.received))
        {
            breaches.push(Breach::NewCases {
                worker: worker(),
                received: load.received,
                limit,
                receiving: arrivals(w),
            });
        }
    }
    if !rules::moves_ok(instance, u64::from(eval.moves)) {
        breaches.push(Breach::Moves {
            moves: eval.moves,
            limit: rules::moves_budget(instance),
        });
    }
    breaches
}

/// The error of an instance the solver found infeasible, from `start`, the allocation
/// keeping every child whose worker still fits: what it breaks, if anything.
pub(super) fn infeasible(instance: &Instance, start: &Allocation) -> Error {
    let breaches = hard_rule_breaches(instance, start);
    Error::Infeasible(if breaches.is_empty() {
        Infeasibility::Proved
    } else {
        Infeasibility::StartBreaks(breaches)
    })
}
