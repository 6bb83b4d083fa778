//! One home for the rules (`caseload::model::rules`): `diagnose` finds exactly what the
//! solver's rules imply, and the objective's terms are the solver's own. Over random
//! tiny scenarios (pairs, pins, decisions, soft and hard capacity: the brute-force
//! strategy) and over generated ones (`caseload::generate`) with a drawn `pairs.csv` and
//! pins:
//! - a pin overload is found for a worker iff the units fixed to it, weighed with pair
//!   weights, pass `max(capacity, load before)` (hard capacity), `max(max_cases, count
//!   before)` or `max_new` — computed here from the instance's raw numbers — and then the
//!   solver finds no allocation;
//! - "nobody can take" is found for a unit iff the solver's candidate set is empty;
//! - the objective of the solver's allocation, by term, is the one objective function's,
//!   adds up to its total, equals the program's pricing (its pair coefficients, the
//!   unallocated penalties and the bands), HiGHS's value, and the independent checker's.

use std::collections::BTreeSet;

use caseload::check::check;
use caseload::diagnose::{diagnose, Finding};
use caseload::generate::{generate, GenerateOptions};
use caseload::model::rules::{self, PairNumbers};
use caseload::model::{CapacityMode, CaseId, Instance, Objective, PairTerms, Scenario, WorkerId};
use caseload::solve::{solve, SolveOptions};
use caseload::Error;
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};

use crate::brute_force::{rows_of, scenario_strategy};

/// Whether the units fixed to worker `w` (pinned, or held by a decision, and eligible)
/// break one of its hard limits, read from the instance's raw numbers.
fn pins_overload(instance: &Instance, w: usize) -> bool {
    let fixed: Vec<usize> = instance
        .units
        .iter()
        .filter(|u| u.pinned_to == Some(w) && u.eligible == [w])
        .flat_map(|u| u.cases.iter().copied())
        .collect();
    let held: Vec<usize> = (0..instance.cases.len())
        .filter(|&c| instance.current[c] == Some(w))
        .collect();
    let weigh = |cases: &[usize]| -> f64 {
        cases
            .iter()
            .map(|&c| {
                let key = (c, w);
                instance
                    .pairs
                    .get(&key)
                    .and_then(|t| t.weight)
                    .unwrap_or(instance.cases[c].weight)
            })
            .sum()
    };
    let (load, before) = (weigh(&fixed), weigh(&held));
    let worker = &instance.workers[w];
    let received = fixed
        .iter()
        .filter(|&&c| instance.current[c] != Some(w))
        .count() as u32;
    let count = fixed.len() as u32;
    (instance.policy.capacity == CapacityMode::Hard
        && load > instance.capacity[w].max(before) + 1e-9)
        || worker
            .max_cases
            .is_some_and(|m| count > m.max(held.len() as u32))
        || worker.max_new.is_some_and(|m| received > m)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn same_terms(a: &Objective, b: &Objective) -> bool {
    close(a.total, b.total)
        && a.terms()
            .iter()
            .zip(b.terms())
            .all(|((_, x), (_, y))| close(*x, y))
}

/// Everything diagnose and the solver must agree on, for one scenario.
fn agree(scenario: &Scenario, time_limit_s: f64) -> Result<(), TestCaseError> {
    let Ok(instance) = Instance::new(scenario) else {
        return Ok(());
    };
    let found = diagnose(&instance);

    let nobody: BTreeSet<Vec<CaseId>> = found
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::NobodyCanTake { cases, .. } => Some(cases.clone()),
            _ => None,
        })
        .collect();
    let no_candidate: BTreeSet<Vec<CaseId>> = instance
        .units
        .iter()
        .filter(|u| u.eligible.is_empty())
        .map(|u| {
            u.cases
                .iter()
                .map(|&c| instance.cases[c].id.clone())
                .collect()
        })
        .collect();
    prop_assert_eq!(nobody, no_candidate);

    let overloaded: BTreeSet<WorkerId> = found
        .findings
        .iter()
        .filter_map(|f| match f {
            Finding::PinOverload { worker, .. } => Some(worker.clone()),
            _ => None,
        })
        .collect();
    let expected: BTreeSet<WorkerId> = (0..instance.workers.len())
        .filter(|&w| pins_overload(&instance, w))
        .map(|w| instance.workers[w].id.clone())
        .collect();
    prop_assert_eq!(&overloaded, &expected, "{}", found);

    let options = SolveOptions {
        mip_gap: 0.0,
        threads: Some(1),
        time_limit_s: Some(time_limit_s),
        ..SolveOptions::default()
    };
    let solution = match solve(&instance, &options) {
        Err(Error::Infeasible(_)) => return Ok(()),
        Err(e) => return Err(TestCaseError::fail(format!("the solver failed: {e}"))),
        Ok(solution) => solution,
    };
    prop_assert!(
        overloaded.is_empty(),
        "diagnose found pins overloading {:?}, yet the solver met every hard rule",
        overloaded
    );

    // The one objective function, again on the solver's allocation.
    let eval = &solution.evaluation;
    let o = eval.objective;
    let loads: Vec<f64> = eval.loads.iter().map(|l| l.load_after).collect();
    prop_assert_eq!(
        rules::objective(&instance, &eval.worker, &loads, eval.moves),
        o
    );
    prop_assert_eq!(instance.evaluate(&solution.allocation).objective, o);
    let sum: f64 = o.terms().iter().map(|(_, v)| v).sum();
    prop_assert!(close(sum, o.total), "terms {:?} sum to {sum}", o);

    // The program's pricing of the same allocation: pair coefficients, unallocated
    // penalties, bands of the loads its pair loads make.
    let weights = &instance.policy.weights;
    let mut program = Objective::default();
    let mut load = vec![0.0; instance.workers.len()];
    let mut coefficients = 0.0;
    for (u, at) in solution.allocation.units.iter().enumerate() {
        match *at {
            None => program.unallocated += instance.unallocated_cost(u),
            Some(w) => {
                let p = PairNumbers::of(&instance, u, w);
                coefficients += p.cost;
                load[w] += p.load;
                program.moves += weights.move_ * f64::from(p.moves);
                program.preferences +=
                    weights.preference * f64::from(instance.missing_preferences(u, w));
                program.pairs += instance.unit_pair_cost(u, w);
            }
        }
    }
    program.bands = load
        .iter()
        .zip(&instance.capacity)
        .map(|(&l, &cap)| rules::band_cost(&instance.policy.bands, l, cap))
        .sum();
    prop_assert!(close(
        coefficients,
        program.moves + program.preferences + program.pairs
    ));
    program.total = program.terms().iter().map(|(_, v)| v).sum();
    prop_assert!(
        same_terms(&program, &o),
        "program {:?}, objective {:?}",
        program,
        o
    );
    if let Some(highs) = solution.solver_objective {
        prop_assert!(
            close(highs, o.total),
            "HiGHS {highs}, objective {}",
            o.total
        );
    }

    // The independent checker, term by term.
    let report = check(scenario, &rows_of(&instance, &solution.allocation));
    prop_assert!(report.is_valid(), "{}", report);
    prop_assert!(
        same_terms(&report.objective, &o),
        "checker {:?}, objective {:?}",
        report.objective,
        o
    );
    Ok(())
}

/// A generated team with a drawn `pairs.csv` (case, worker, cost, weight in half
/// points; indices taken modulo the counts) and some cases pinned to their worker.
fn generated(
    seed: u64,
    soft: bool,
    pairs: &[(usize, usize, u8, Option<u8>)],
    pins: &[usize],
) -> Scenario {
    let mut s = generate(&GenerateOptions {
        teams: 1,
        seed,
        soft_capacity: soft,
        ..GenerateOptions::default()
    });
    let (n, m) = (s.cases.len(), s.workers.len());
    for &p in pins {
        let case = &mut s.cases[p % n];
        if case.current_worker.is_some() {
            case.pinned = true;
        }
    }
    let pairs = pairs
        .iter()
        .map(|&(c, w, cost, weight)| {
            let key = (s.cases[c % n].id.clone(), s.workers[w % m].id.clone());
            let terms = PairTerms {
                cost: f64::from(cost),
                weight: weight.map(|h| f64::from(h) * 0.5),
            };
            (key, terms)
        })
        .collect();
    s.with_pairs(pairs)
}

proptest! {
    // Past failures (the old diagnose's, among them) are replayed first from
    // `rules.proptest-regressions`, beside this file.
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn diagnose_and_the_solver_read_the_same_rules_on_tiny_scenarios(
        scenario in scenario_strategy()
    ) {
        agree(&scenario, 10.0)?;
    }
}

proptest! {
    // Past failures (the old diagnose's, among them) are replayed first from
    // `rules.proptest-regressions`, beside this file.
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn diagnose_and_the_solver_read_the_same_rules_on_generated_teams(
        seed in 0u64..10_000,
        soft in prop::bool::weighted(0.3),
        pairs in prop::collection::vec(
            (0usize..1000, 0usize..100, 0u8..=30, prop::option::of(1u8..=12)),
            0..=40,
        ),
        pins in prop::collection::vec(0usize..1000, 0..=12),
    ) {
        agree(&generated(seed, soft, &pairs, &pins), 20.0)?;
    }
}
