//! The Lagrangian bound against optima HiGHS proves on small cross-team trusts.

use std::time::{Duration, Instant};

use super::*;
use crate::model::{Instance, Scenario};
use crate::solve::highs::relaxation_bound;
use crate::solve::tests::generated;
use crate::solve::{solve, SolveOptions, Status};

/// A deadline no test reaches.
fn far() -> Instant {
    Instant::now() + Duration::from_secs(3600)
}

/// Seeds of the small trusts the bound is checked on.
const SEEDS: [u64; 4] = [1, 2, 3, 6];

/// The optimum HiGHS proves on the whole program.
fn optimum(instance: &Instance) -> f64 {
    let options = SolveOptions {
        threads: Some(1),
        mip_gap: 0.0,
        ..SolveOptions::default()
    };
    let exact = solve(instance, &options).expect("solved whole");
    assert_eq!(exact.status, Status::Optimal);
    exact.evaluation.objective.total
}

/// The LP relaxation's prices of a trust (its optimum checked against the program's LP).
fn prices_of(instance: &Instance) -> Prices {
    let prices = lp_prices(instance, Instant::now() + Duration::from_secs(60), None)
        .expect("ran")
        .expect("an LP optimum");
    let lp = relaxation_bound(crate::solve::Formulation::build(instance), None, None)
        .expect("ran")
        .expect("an LP optimum");
    assert!((prices.bound - lp).abs() <= 1e-6 * lp.abs().max(1.0));
    prices
}

/// The independent checker accepts an allocation and computes the objective the model
/// does.
fn assert_checked(scenario: &Scenario, instance: &Instance, allocation: &Allocation) {
    let evaluation = instance.evaluate(allocation);
    let rows = crate::solve::tests::checker_rows(instance, &evaluation);
    let report = crate::check::check(scenario, &rows);
    assert!(report.is_valid(), "{report}");
    assert!((report.objective.total - evaluation.objective.total).abs() < 1e-6);
}

#[test]
fn at_the_lp_prices_the_relaxed_teams_give_back_the_lp_bound() {
    for seed in SEEDS {
        let instance = Instance::new(&generated(3, seed, true)).expect("valid");
        let prices = prices_of(&instance);
        let dual = Dual::new(&instance);
        let mut lambda = prices.lambda.clone();
        dual.project(&mut lambda);
        let relaxed = dual
            .evaluate(&lambda, 30.0, far(), true, None)
            .expect("ran");
        let tolerance = 1e-6 * prices.bound.abs().max(1.0);
        assert!(
            (relaxed.bound - prices.bound).abs() <= tolerance,
            "seed {seed}: L_LP(λ*) {} against the LP's {}",
            relaxed.bound,
            prices.bound
        );
    }
}

#[test]
fn the_lagrangian_bound_lies_between_the_lp_bound_and_the_optimum() {
    let mut raised = 0;
    for seed in SEEDS {
        let instance = Instance::new(&generated(3, seed, true)).expect("valid");
        let optimum = optimum(&instance);
        let prices = prices_of(&instance);
        let dual = Dual::new(&instance);
        let mut lambda = prices.lambda.clone();
        dual.project(&mut lambda);
        let at_lp = dual
            .evaluate(&lambda, 30.0, far(), false, None)
            .expect("ran");
        let tolerance = 1e-6 * optimum.abs().max(1.0);
        assert!(
            at_lp.bound >= prices.bound - tolerance,
            "seed {seed}: L(λ*) {} below the LP bound {}",
            at_lp.bound,
            prices.bound
        );
        assert!(
            at_lp.bound <= optimum + tolerance,
            "seed {seed}: L(λ*) {} above the optimum {optimum}",
            at_lp.bound
        );
        // Past its deadline each team counts its trivial bound, unsolved: lower still,
        // at no time (the ascent's last iterate when the deadline comes mid-way).
        let late = dual
            .evaluate(&lambda, 30.0, Instant::now(), false, None)
            .expect("ran");
        assert!(late.answers.iter().all(|a| a.picks.is_empty()));
        assert!(
            late.bound <= at_lp.bound + tolerance,
            "seed {seed}: trivial {} above solved {}",
            late.bound,
            at_lp.bound
        );
        // Every iterate of the ascent is a bound too: its best stays below the optimum.
        let deadline = Instant::now() + Duration::from_secs(3);
        let ascent = ascend(
            &dual,
            prices.lambda.clone(),
            f64::INFINITY,
            0.0,
            deadline,
            None,
        )
        .expect("ran");
        assert!(ascent.bound.is_finite(), "seed {seed}: no iterate in 3 s");
        assert!(
            ascent.bound <= optimum + tolerance,
            "seed {seed}: ascent {} above the optimum {optimum}",
            ascent.bound
        );
        if at_lp.bound > prices.bound + tolerance {
            raised += 1;
        }
    }
    assert!(
        raised > 0,
        "the teams' integrality raises the LP bound on some seed"
    );
}

#[test]
fn the_subproblems_repaired_give_an_allocation_the_checker_accepts() {
    for seed in SEEDS {
        let scenario = generated(3, seed, true);
        let instance = Instance::new(&scenario).expect("valid");
        let prices = prices_of(&instance);
        let dual = Dual::new(&instance);
        let deadline = Instant::now() + Duration::from_secs(3);
        let ascent = ascend(&dual, prices.lambda, f64::INFINITY, 0.0, deadline, None).expect("ran");
        let allocation = ascent.allocation.expect("a repaired allocation");
        assert_checked(&scenario, &instance, &allocation);
        let objective = instance.evaluate(&allocation).objective.total;
        assert!(objective >= ascent.bound - 1e-6 * objective.abs().max(1.0));
    }
}

#[test]
fn the_guided_solve_keeps_every_hard_rule_and_never_leaves_its_start_for_worse() {
    let options = SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    };
    for seed in SEEDS {
        let scenario = generated(3, seed, true);
        let instance = Instance::new(&scenario).expect("valid");
        let within = crate::solve::candidates::within_teams(&instance);
        let start = solve(&within, &options).expect("solved").allocation;
        let prices = prices_of(&instance);
        let started = instance.evaluate(&start).objective.total;
        let optimum = optimum(&instance);
        // The LP's support alone, and with the columns it prices as nearly free.
        for share in [None, Some(GUIDED_SHARE)] {
            let deadline = Instant::now() + Duration::from_secs(20);
            let reported = std::cell::RefCell::new(Vec::new());
            let report = |a: &Allocation| {
                reported.borrow_mut().push(a.clone());
                true
            };
            let found = guided(
                &instance, &prices, &start, share, deadline, &options, &report,
            )
            .expect("ran")
            .expect("an allocation");
            assert_checked(&scenario, &instance, &found);
            let objective = instance.evaluate(&found).objective.total;
            // Each better allocation was handed over as HiGHS found it (the start first),
            // never worse than the one before (HiGHS's better solution may differ only in
            // its band columns, the same allocation), the last one the answer.
            let reported = reported.into_inner();
            assert!(!reported.is_empty(), "seed {seed}: nothing reported");
            let mut previous = f64::INFINITY;
            for allocation in &reported {
                assert_checked(&scenario, &instance, allocation);
                let o = instance.evaluate(allocation).objective.total;
                assert!(
                    o <= previous + 1e-6,
                    "seed {seed}: {o} reported after {previous}"
                );
                previous = o;
            }
            assert!(
                (previous - objective).abs() <= 1e-6,
                "seed {seed}: {previous} ≠ {objective}"
            );
            assert!(
                objective <= started + 1e-6,
                "seed {seed}: {objective} > {started}"
            );
            assert!(objective >= optimum - 1e-6);
        }
        // Every column the start uses is in the cut program, with its current workers.
        let cut = guided::cut_to_prices(&instance, &prices, &start, 0.0);
        for (u, unit) in cut.units.iter().enumerate() {
            if let Some(w) = start.units[u] {
                assert!(unit.is_eligible(w));
            }
            for &c in &unit.cases {
                if let Some(w) = instance.current[c].filter(|&w| instance.units[u].is_eligible(w)) {
                    assert!(unit.is_eligible(w));
                }
            }
        }
    }
}

#[test]
fn sets_of_workers_grow_where_the_lp_differs_from_the_allocation() {
    let options = SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    };
    for seed in SEEDS {
        let instance = Instance::new(&generated(3, seed, true)).expect("valid");
        let within = crate::solve::candidates::within_teams(&instance);
        let around = solve(&within, &options).expect("solved").allocation;
        let prices = prices_of(&instance);
        let tau = GUIDED_SHARE * prices.bound.abs();
        let sets = worker_sets(&instance, &prices, &around, tau, 0, 5);
        assert!(
            !sets.is_empty(),
            "seed {seed}: the LP differs from the within-team optimum"
        );
        assert_eq!(sets, worker_sets(&instance, &prices, &around, tau, 0, 5));
        let wanted = |u: usize, w: usize| {
            prices.support[u].contains(&w)
                || prices.reduced[u].iter().any(|&(v, rc)| v == w && rc <= tau)
        };
        for (workers, waiting) in &sets {
            assert!(!workers.is_empty() && workers.len() <= neighbours::SET_WORKERS);
            assert!(
                workers.windows(2).all(|p| p[0] < p[1]),
                "seed {seed}: {workers:?}"
            );
            assert!(waiting.windows(2).all(|p| p[0] < p[1]));
            for &u in waiting {
                assert!(
                    around.units[u].is_none(),
                    "seed {seed}: unit {u} is not waiting"
                );
                assert!(
                    workers.iter().any(|&w| wanted(u, w)),
                    "seed {seed}: unit {u}"
                );
            }
            // Every worker but the first joined through a unit the LP would move
            // between it and the set.
            for &w in workers {
                let linked = (0..instance.units.len()).any(|u| match around.units[u] {
                    Some(h) => {
                        (h == w && workers.iter().any(|&v| v != w && wanted(u, v)))
                            || (h != w && workers.contains(&h) && wanted(u, w))
                    }
                    None => wanted(u, w),
                });
                assert!(linked, "seed {seed}: worker {w} of {workers:?} has no link");
            }
        }
        // The next call starts from other workers.
        let next = worker_sets(&instance, &prices, &around, tau, 1, 5);
        assert_eq!(next[..next.len() - 1], sets[1..next.len()]);
    }
}
