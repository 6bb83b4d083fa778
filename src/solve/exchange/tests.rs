//! Sets of workers across teams, re-solved around an allocation, against the optimum
//! HiGHS proves on small cross-team trusts.

use std::time::{Duration, Instant};

use super::*;
use crate::solve::tests::{checker_rows, generated};
use crate::solve::{solve, Status};

fn one_thread() -> SolveOptions {
    SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    }
}

/// The objective of the best allocation in `shared`, which the independent checker
/// passes and which is no worse than `started`.
fn checked_best(
    scenario: &crate::model::Scenario,
    instance: &Instance,
    shared: &Incumbent,
    started: f64,
    seed: u64,
) -> f64 {
    let found = shared.best().expect("an allocation");
    let evaluation = instance.evaluate(&found);
    let report = crate::check::check(scenario, &checker_rows(instance, &evaluation));
    assert!(report.is_valid(), "seed {seed}: {report}");
    let objective = evaluation.objective.total;
    assert!(
        objective <= started + 1e-6,
        "seed {seed}: {objective} > {started}"
    );
    objective
}

/// The incumbent after [`exchange_among_workers`] from `start` (one thread, 60 s at
/// most), which tried at least one set.
fn sets_from(
    instance: &Instance,
    prices: Option<&lagrange::Prices>,
    start: &Allocation,
    seed: u64,
) -> Incumbent {
    let shared = Incumbent::default();
    shared.offer(instance, start);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut tried = 0;
    exchange_among_workers(
        instance,
        prices,
        deadline,
        &one_thread(),
        &shared,
        &mut tried,
    )
    .expect("ran");
    assert!(tried > 0, "seed {seed}: no set tried");
    shared
}

/// A generated 3-team cross-team trust, and its optimum within teams.
fn within_team_optimum(seed: u64) -> (crate::model::Scenario, Instance, Allocation) {
    let scenario = generated(3, seed, true);
    let instance = Instance::new(&scenario).expect("valid");
    let within = candidates::within_teams(&instance);
    let start = solve(&within, &one_thread()).expect("solved").allocation;
    (scenario, instance, start)
}

#[test]
fn a_set_of_workers_is_a_closed_program_of_what_they_hold_and_the_waiting_units_named() {
    let (_, instance, around) = within_team_optimum(1);
    let waiting: Vec<usize> = (0..instance.units.len())
        .filter(|&u| around.units[u].is_none())
        .step_by(2)
        .collect();
    assert!(
        !waiting.is_empty(),
        "the within-team optimum leaves children waiting"
    );
    let workers = vec![0, 3, 7, 11];
    let piece = Piece::Workers(workers.clone(), waiting.clone());
    let (sub, part) = piece.program(&instance, &around);
    assert_eq!(part.workers, workers);
    for u in 0..instance.units.len() {
        let held_inside = around.units[u].is_some_and(|w| workers.contains(&w));
        let named = waiting.contains(&u);
        assert_eq!(part.units.contains(&u), held_inside || named, "unit {u}");
        if held_inside || named {
            // Cut to the set, nothing else touched.
            assert!(sub.units[u].eligible.iter().all(|w| workers.contains(w)));
            let kept: Vec<usize> = instance.units[u]
                .eligible
                .iter()
                .copied()
                .filter(|w| workers.contains(w))
                .collect();
            assert_eq!(sub.units[u].eligible, kept);
        } else {
            assert_eq!(sub.units[u].eligible, instance.units[u].eligible);
        }
    }
    // Pieces that share a worker or a waiting unit are not solved side by side.
    let other = Piece::Workers(vec![1, 2], waiting[..1].to_vec());
    assert!(piece.overlaps(&other));
    assert!(piece.overlaps(&Piece::Workers(vec![3], Vec::new())));
    assert!(!piece.overlaps(&Piece::Workers(vec![1, 2], Vec::new())));
}

#[test]
fn sets_of_workers_improve_on_the_within_team_optimum_and_keep_every_hard_rule() {
    let mut improved = 0;
    for seed in [1, 2, 3, 6] {
        let (scenario, instance, start) = within_team_optimum(seed);
        let started = instance.evaluate(&start).objective.total;
        let prices = lagrange::lp_prices(&instance, Instant::now() + Duration::from_secs(60), None)
            .expect("ran")
            .expect("an LP optimum");
        let shared = sets_from(&instance, Some(&prices), &start, seed);
        let objective = checked_best(&scenario, &instance, &shared, started, seed);
        let exact = solve(
            &instance,
            &SolveOptions {
                mip_gap: 0.0,
                ..one_thread()
            },
        )
        .expect("solved whole");
        assert_eq!(exact.status, Status::Optimal);
        assert!(objective >= exact.evaluation.objective.total - 1e-6);
        if objective < started - 1e-6 {
            improved += 1;
        }
    }
    assert!(improved > 0, "no trust improved by sets of workers");
}

#[test]
fn sets_of_workers_with_room_take_the_waiting_units_they_could_and_repack_them() {
    let mut improved = 0;
    for seed in [1, 2, 3, 6] {
        let (scenario, instance, start) = within_team_optimum(seed);
        let started = instance.evaluate(&start).objective.total;
        let loads = instance.evaluate(&start).loads;
        let waiting: Vec<usize> = (0..instance.units.len())
            .filter(|&u| start.units[u].is_none())
            .collect();
        let size = lagrange::SET_WORKERS;
        let sets = candidates::slack_sets(&instance, &start, size, 0, 100);
        assert!(!sets.is_empty(), "seed {seed}: no set");
        let mut seen = Vec::new();
        for (workers, named) in &sets {
            assert!(!workers.is_empty() && workers.len() <= size);
            assert!(workers.windows(2).all(|p| p[0] < p[1]), "ascending");
            for &w in workers {
                let limit = instance.load_limit(w).expect("hard capacity");
                assert!(
                    limit - loads[w].load_after > 1e-6,
                    "seed {seed}: worker {w} has no room"
                );
                assert!(!seen.contains(&w), "seed {seed}: worker {w} in two sets");
                seen.push(w);
            }
            let eligible: Vec<usize> = waiting
                .iter()
                .copied()
                .filter(|&u| {
                    instance.units[u]
                        .eligible
                        .iter()
                        .any(|w| workers.contains(w))
                })
                .collect();
            assert_eq!(named, &eligible, "seed {seed}: the waiting units named");
            assert!(
                !named.is_empty(),
                "seed {seed}: a set with room takes nothing"
            );
        }
        // Another skip starts from other workers.
        if sets.len() > 1 {
            let next = candidates::slack_sets(&instance, &start, size, 1, 1);
            assert_eq!(next[0], sets[1], "seed {seed}");
        }
        // Re-packed, the sets never make the allocation worse, and keep every rule.
        // Without the LP's prices (a trust too large for it), only sets with room.
        let shared = sets_from(&instance, None, &start, seed);
        let objective = checked_best(&scenario, &instance, &shared, started, seed);
        if objective < started - 1e-6 {
            improved += 1;
        }
    }
    assert!(
        improved > 0,
        "no trust improved by sets of workers with room"
    );
}
