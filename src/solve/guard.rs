//! The solver's guard: the hard rules an allocation breaks, read with the limits of
//! [`rules`](crate::model::rules), and the error reported when no allocation meets them all. (The
//! independent checker is `crate::check`.)

use crate::error::{Breach, Error, Infeasibility};
use crate::model::rules::{self, Limits};
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
    if !rules::moves_ok(&instance.policy, u64::from(eval.moves)) {
        breaches.push(Breach::Moves {
            moves: eval.moves,
            limit: rules::moves_budget(&instance.policy),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SolverError;
    use crate::model::{CapacityMode, Case, Policy, Scenario, Worker};

    /// Worker A (capacity 2, `max_cases` 1, `max_new` 0) holding C1 and given C2 and the
    /// sibling group G; `max_moves` 0; C3's worker B is on leave.
    fn overloaded() -> (Instance, Allocation) {
        let mut a = Worker::new("A").capacity(2.0);
        a.max_cases = Some(1);
        a.max_new = Some(0);
        let workers = vec![a, Worker::new("B").capacity(5.0).unavailable()];
        let cases = vec![
            Case::new("C1").weight(1.5).held_by("A"),
            Case::new("C2").weight(1.0),
            Case::new("S1").weight(0.5).group("G"),
            Case::new("S2").weight(0.5).group("G"),
        ];
        let policy = Policy {
            capacity: CapacityMode::Hard,
            max_moves: 0,
            ..Policy::default()
        };
        let instance = Instance::new(&Scenario::new(workers, cases, policy)).expect("valid");
        let allocation = Allocation {
            units: vec![Some(0); instance.units.len()],
        };
        (instance, allocation)
    }

    #[test]
    fn each_breach_reads_as_before() {
        let (instance, allocation) = overloaded();
        let text: Vec<String> = hard_rule_breaches(&instance, &allocation)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            text,
            [
                "A would hold 3.5 points, above its limit 2 (receiving G, C2)",
                "A would hold 4 cases, above its limit 1 (receiving G, C2)",
                "A would receive 3 cases, above max_new 0 (receiving G, C2)",
            ]
        );
        let more = [
            Breach::Ineligible {
                unit: "C9".into(),
                worker: "B".into(),
            },
            Breach::MustStayAllocated {
                unit: "C1".into(),
                pinned: false,
            },
            Breach::MustStayAllocated {
                unit: "G".into(),
                pinned: true,
            },
            Breach::Cases {
                worker: "A".into(),
                cases: 2,
                limit: 1,
                receiving: Vec::new(),
            },
            Breach::Moves { moves: 3, limit: 2 },
        ];
        let text: Vec<String> = more.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "unit C9 cannot go to B",
                "unit C1 must stay allocated: its current worker still fits",
                "unit G must stay allocated: a case is pinned",
                "A would hold 2 cases, above its limit 1",
                "3 discretionary moves, above max_moves 2",
            ]
        );
    }

    /// The guard as it was when breaches were strings (caseload e7d3a67), kept to prove
    /// the typed breaches read the same.
    fn as_before(instance: &Instance, allocation: &Allocation) -> Vec<String> {
        let mut breaches = Vec::new();
        for (u, unit) in instance.units.iter().enumerate() {
            match allocation.units[u] {
                Some(w) if !unit.is_eligible(w) => breaches.push(format!(
                    "unit {} cannot go to {}",
                    unit.key, instance.workers[w].id
                )),
                None if unit.must_allocate => breaches.push(format!(
                    "unit {} must stay allocated: {}",
                    unit.key,
                    if unit.pinned_to.is_some() {
                        "a case is pinned"
                    } else {
                        "its current worker still fits"
                    }
                )),
                _ => {}
            }
        }
        let eval = instance.evaluate(allocation);
        // The units a worker receives cases of: what pushes it over a limit.
        let arrivals = |w: usize| {
            let keys: Vec<&str> = (0..instance.units.len())
                .filter(|&u| allocation.units[u] == Some(w) && instance.new_cases(u, w) > 0)
                .map(|u| instance.units[u].key.as_str())
                .collect();
            if keys.is_empty() {
                String::new()
            } else {
                format!(" (receiving {})", keys.join(", "))
            }
        };
        for (w, load) in eval.loads.iter().enumerate() {
            let id = &instance.workers[w].id;
            if let Some(limit) = instance.load_limit(w) {
                if load.load_after > limit + 1e-9 {
                    breaches.push(format!(
                        "{id} would hold {} points, above its limit {limit}{}",
                        load.load_after,
                        arrivals(w)
                    ));
                }
            }
            if let Some(limit) = instance.count_limit(w) {
                if load.cases_after > limit {
                    breaches.push(format!(
                        "{id} would hold {} cases, above its limit {limit}{}",
                        load.cases_after,
                        arrivals(w)
                    ));
                }
            }
            if let Some(limit) = instance.workers[w].max_new {
                if load.received > limit {
                    breaches.push(format!(
                        "{id} would receive {} cases, above max_new {limit}{}",
                        load.received,
                        arrivals(w)
                    ));
                }
            }
        }
        if u64::from(eval.moves) > instance.policy.max_moves {
            breaches.push(format!(
                "{} discretionary moves, above max_moves {}",
                eval.moves, instance.policy.max_moves
            ));
        }
        breaches
    }

    #[test]
    fn typed_breaches_read_as_the_strings_did() {
        let (instance, everything_on_a) = overloaded();
        let n = instance.units.len();
        let c1 = (0..n).find(|&u| instance.units[u].key == "C1").expect("C1");
        let mut moved = everything_on_a.clone();
        moved.units[c1] = Some(1);
        let allocations = [
            everything_on_a,
            Allocation {
                units: vec![None; n],
            },
            moved,
        ];
        for allocation in &allocations {
            let typed: Vec<String> = hard_rule_breaches(&instance, allocation)
                .iter()
                .map(ToString::to_string)
                .collect();
            let before = as_before(&instance, allocation);
            assert!(!before.is_empty());
            assert_eq!(typed, before);
        }
    }

    #[test]
    fn infeasible_and_solver_errors_read_as_before() {
        let breaches = vec![
            Breach::Moves { moves: 3, limit: 2 },
            Breach::Ineligible {
                unit: "C9".into(),
                worker: "B".into(),
            },
        ];
        let proved = Error::Infeasible(Infeasibility::Proved);
        assert_eq!(
            proved.to_string(),
            "no allocation meets every hard rule: the solver proved it"
        );
        let start = Error::Infeasible(Infeasibility::StartBreaks(breaches.clone()));
        assert_eq!(
            start.to_string(),
            "no allocation meets every hard rule: keeping every child whose worker still fits \
             breaks: 3 discretionary moves, above max_moves 2; unit C9 cannot go to B"
        );
        let cases = [
            (
                SolverError::NothingFeasibleInTime {
                    time_limit_s: 0.5,
                    breaches,
                },
                "no allocation meeting every hard rule was found within the time limit of 0.5 s \
                 (the starting allocation breaks: 3 discretionary moves, above max_moves 2; \
                 unit C9 cannot go to B); allow more time",
            ),
            (
                SolverError::Option { option: "threads" },
                "cannot set HiGHS option threads: TrySetOptionError",
            ),
            (
                SolverError::MipStart {
                    status: highs::HighsStatus::Error,
                },
                "MIP start rejected: Error",
            ),
            (
                SolverError::Run {
                    status: highs::HighsStatus::Error,
                },
                "Error",
            ),
            (
                SolverError::Stopped {
                    status: highs::HighsModelStatus::ModelEmpty,
                },
                "HiGHS stopped with status ModelEmpty",
            ),
            (
                SolverError::Threads {
                    reason: "no threads".into(),
                },
                "cannot start solver threads: no threads",
            ),
            (
                SolverError::BoundThreadPanicked,
                "the LP bound's thread panicked",
            ),
            (SolverError::PartNotSolved, "a part was not solved"),
        ];
        for (error, text) in cases {
            assert_eq!(
                Error::Solver(error).to_string(),
                format!("solver failure: {text}")
            );
        }
    }

    #[test]
    fn a_start_that_breaks_nothing_makes_a_proof_by_the_solver() {
        let (instance, allocation) = overloaded();
        let keep_c1 = Allocation {
            units: (0..instance.units.len())
                .map(|u| (instance.units[u].key == "C1").then_some(0))
                .collect(),
        };
        assert!(matches!(
            infeasible(&instance, &keep_c1),
            Error::Infeasible(Infeasibility::Proved)
        ));
        assert!(matches!(
            infeasible(&instance, &allocation),
            Error::Infeasible(Infeasibility::StartBreaks(b)) if b.len() == 3
        ));
    }
}
