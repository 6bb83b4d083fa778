//! Branch-and-price against enumeration and against HiGHS: pricing against every subset
//! of units, the floor against every allocation, the root bound against HiGHS's LP, the
//! optimum against every allocation of tiny teams and against HiGHS on generated teams.

use proptest::prelude::*;

use super::pricing::price;
use super::team::Team;
use super::*;
use crate::check::{check, AllocationRow};
use crate::model::rules::{Limits, PairNumbers};
use crate::model::{Allocation, CapacityMode, Case, Instance, Policy, Scenario, Worker};
use crate::solve::highs::relaxation_bound;
use crate::solve::{hard_rule_breaches, solve, SolveOptions, SolverChoice, Status};

/// A tiny scenario of `workers` workers and `cases` cases drawn from `draws` (quarter-point
/// weights, some limits, some groups, current workers and preferences).
fn tiny(workers: usize, cases: usize, draws: &[u8]) -> Scenario {
    let mut d = draws.iter().copied().cycle();
    let mut next = |n: u8| d.next().unwrap_or(0) % n;
    let ws: Vec<Worker> = (0..workers)
        .map(|i| {
            let mut w =
                Worker::new(format!("W{i}").as_str()).capacity(1.0 + 0.5 * f64::from(next(8)));
            if next(3) == 0 {
                w.max_cases = Some(u32::from(next(4)));
            }
            if next(3) == 0 {
                w.max_new = Some(u32::from(next(3)));
            }
            if next(2) == 0 {
                w = w.skills(["a"]);
            }
            w
        })
        .collect();
    let cs: Vec<Case> = (0..cases)
        .map(|i| {
            let mut c = Case::new(format!("C{i}").as_str())
                .weight(0.25 * f64::from(1 + next(8)))
                .priority(1 + next(5));
            if next(2) == 0 {
                c = c.held_by(format!("W{}", usize::from(next(8)) % workers).as_str());
            }
            if next(3) == 0 {
                c = c.prefers(["a"]);
            }
            if next(4) == 0 {
                c = c.group(format!("G{}", next(2)).as_str());
            }
            c
        })
        .collect();
    let policy = Policy {
        capacity: if next(4) == 0 {
            CapacityMode::Soft
        } else {
            CapacityMode::Hard
        },
        ..Policy::default()
    };
    Scenario::new(ws, cs, policy)
}

/// Every allocation of the instance (each unit unallocated or with an eligible worker).
fn every_allocation(instance: &Instance) -> Vec<Allocation> {
    let mut all = vec![Allocation {
        units: Vec::with_capacity(instance.units.len()),
    }];
    for unit in &instance.units {
        let mut next = Vec::new();
        for a in &all {
            for choice in std::iter::once(None).chain(unit.eligible.iter().map(|&w| Some(w))) {
                let mut b = a.clone();
                b.units.push(choice);
                next.push(b);
            }
        }
        all = next;
    }
    all
}

/// The feasible allocations, cheapest first.
fn feasible(instance: &Instance) -> Vec<(f64, Allocation)> {
    let mut found: Vec<(f64, Allocation)> = every_allocation(instance)
        .into_iter()
        .filter(|a| hard_rule_breaches(instance, a).is_empty())
        .map(|a| (instance.evaluate(&a).objective.total, a))
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found
}

fn decisions_of(allocation: &Allocation) -> Vec<(usize, Option<usize>)> {
    allocation.units.iter().copied().enumerate().collect()
}

fn rows(instance: &Instance, allocation: &Allocation) -> Vec<AllocationRow> {
    crate::solve::tests::checker_rows(instance, &instance.evaluate(allocation))
}

fn forever() -> BpSettings<'static> {
    BpSettings {
        gap: 0.0,
        deadline: Instant::now() + std::time::Duration::from_secs(600),
        cancelled: &|| false,
    }
}

/// The Dantzig–Wolfe root does not depend on the artificials' first cost `M`: from
/// `M = 1`, far below what a unit that must be allocated is worth, the root still equals
/// the LP's optimum with no artificial (at least HiGHS's LP relaxation, at most the
/// optimum), because `M` rises while column generation converges on artificials. With
/// `M` fixed the master covered the held case by its artificial at 1 a unit and stopped
/// at about 3 (seed 1's team 17 of the 30-team trust stopped below HiGHS's LP the same
/// way, from `M = 2 × start + 1,000`).
#[test]
fn the_dw_root_does_not_depend_on_the_first_big_m() {
    let workers = vec![Worker::new("W0").capacity(3.0)];
    let cases = vec![
        Case::new("C0").weight(3.0).held_by("W0"),
        Case::new("C1").weight(1.0).priority(5),
    ];
    let scenario = Scenario::new(workers, cases, Policy::default());
    let instance = Instance::new(&scenario).expect("a valid scenario");
    let f = Formulation::build(&instance);
    let start: Vec<(usize, Option<usize>)> = (0..instance.units.len())
        .map(|u| (u, instance.units[u].must_allocate.then_some(0)))
        .collect();
    let lp = relaxation_bound(Formulation::build(&instance), None, None)
        .expect("LP")
        .expect("LP optimum");
    let best = feasible(&instance).first().expect("an allocation").0;
    let tol = 1e-6 * best.abs().max(1.0);
    for first in [None, Some(1.0)] {
        let plain = root_bound_from(&f, &start, false, first).expect("root");
        assert!(
            plain >= lp - tol,
            "DW root {plain} (first M {first:?}) below HiGHS's LP {lp}"
        );
        assert!(
            plain <= best + tol,
            "DW root {plain} above the optimum {best}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Pricing's caseload is the best subset of units by enumeration, at random duals
    /// and random bounds on each class's count; every limit read from `rules`.
    #[test]
    fn pricing_is_the_best_subset_of_units(
        workers in 1usize..=3,
        cases in 1usize..=7,
        draws in prop::collection::vec(any::<u8>(), 64),
        duals in prop::collection::vec(-3000.0f64..3000.0, 8),
        narrow in prop::collection::vec(0u8..4, 8),
    ) {
        let Ok(instance) = Instance::new(&tiny(workers, cases, &draws)) else { return Ok(()) };
        let f = Formulation::build(&instance);
        let team = Team::of(&f).expect("a tiny team on quarter points");
        let class_of = |u: usize| team.classes.iter().position(|k| k.members.contains(&u));
        let pi: Vec<f64> = (0..team.classes.len()).map(|k| duals[k % duals.len()]).collect();
        for worker in &team.workers {
            let w = worker.index;
            let bounds: Vec<(u32, u32)> = worker.options.iter().enumerate().map(|(j, o)| {
                let n = team.classes[o.class].size();
                match narrow[j % narrow.len()] {
                    1 => (1.min(n), n),
                    2 => (0, n.saturating_sub(1)),
                    _ => (0, n),
                }
            }).collect();
            let units: Vec<usize> = (0..instance.units.len())
                .filter(|&u| instance.units[u].is_eligible(w)).collect();
            let limits = Limits::of(&instance, w);
            let mut best: Option<f64> = None;
            for mask in 0u32..(1 << units.len()) {
                let chosen: Vec<usize> = units.iter().enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0).map(|(_, &u)| u).collect();
                let (mut load, mut cases, mut new, mut value) = (0.0, 0, 0, 0.0);
                let mut per_class = vec![0u32; team.classes.len()];
                for &u in &chosen {
                    let p = PairNumbers::of(&instance, u, w);
                    load += p.load;
                    cases += p.cases;
                    new += p.new_cases;
                    let k = class_of(u).expect("unit in a class");
                    per_class[k] += 1;
                    value += p.cost - pi[k];
                }
                let within = worker.options.iter().zip(&bounds)
                    .all(|(o, &(lo, hi))| (lo..=hi).contains(&per_class[o.class]));
                if within && limits.admit(load, cases, new) {
                    value += instance.policy.band_cost(load, instance.capacity[w]);
                    best = Some(best.map_or(value, |b: f64| b.min(value)));
                }
            }
            let priced = price(worker, &pi, &bounds);
            match (best, priced) {
                (None, None) => {}
                (Some(b), Some(p)) => prop_assert!(
                    (b - p.value).abs() <= 1e-6 * b.abs().max(1.0),
                    "worker {w}: enumeration {b}, pricing {}", p.value
                ),
                (b, p) => prop_assert!(false, "worker {w}: enumeration {b:?}, pricing {p:?}"),
            }
        }
    }

    /// On tiny teams, branch-and-price from the worst allocation proves the optimum found
    /// by enumerating every allocation; the floor is below every allocation's unallocated
    /// cost; the root bound is at least HiGHS's LP relaxation (with the floor row, at
    /// least without it) and at most the optimum.
    #[test]
    fn branch_and_price_proves_the_optimum_of_tiny_teams(
        workers in 1usize..=3,
        cases in 1usize..=6,
        draws in prop::collection::vec(any::<u8>(), 64),
    ) {
        let scenario = tiny(workers, cases, &draws);
        let Ok(instance) = Instance::new(&scenario) else { return Ok(()) };
        let all = feasible(&instance);
        let (Some((best, optimum)), Some((_, worst))) = (all.first(), all.last()) else { return Ok(()) };
        let best = *best;
        let f = Formulation::build(&instance);
        let team = Team::of(&f).expect("a tiny team on quarter points");
        if let Some(floor) = floor::floor(&team) {
            let least = all.iter()
                .map(|(_, a)| instance.evaluate(a).objective.unallocated)
                .fold(f64::INFINITY, f64::min);
            prop_assert!(floor.value <= least + 1e-6, "floor {} above {least}", floor.value);
        }
        let start = decisions_of(worst);
        let lp = relaxation_bound(Formulation::build(&instance), None, None).expect("LP").expect("LP optimum");
        let plain = root_bound(&f, &start, false).expect("root");
        let with_floor = root_bound(&f, &start, true).expect("root");
        let tol = 1e-6 * best.abs().max(1.0);
        prop_assert!(plain >= lp - tol, "DW root {plain} below HiGHS's LP {lp}");
        // From the optimum (the smallest first M) and from M = 1, the same root.
        for (start, m) in [(decisions_of(optimum), None), (start.clone(), Some(1.0))] {
            let root = root_bound_from(&f, &start, false, m).expect("root");
            prop_assert!(root >= lp - tol, "DW root {root} (first M {m:?}) below HiGHS's LP {lp}");
            prop_assert!(root <= best + tol, "DW root {root} above the optimum {best}");
        }
        prop_assert!(with_floor >= plain - tol, "floor row lowered the root: {with_floor} < {plain}");
        prop_assert!(with_floor <= best + tol, "root {with_floor} above the optimum {best}");
        let outcome = solve_part(&f, Some(&start), &forever()).expect("bp takes a tiny team");
        prop_assert_eq!(outcome.status, Status::Optimal);
        prop_assert!((outcome.objective - best).abs() <= tol, "bp {} vs enumeration {best}", outcome.objective);
        prop_assert!(outcome.bound <= best + tol && outcome.bound >= best - tol);
        let mut allocation = Allocation { units: vec![None; instance.units.len()] };
        for &(u, w) in &outcome.decisions {
            allocation.units[u] = w;
        }
        let report = check(&scenario, &rows(&instance, &allocation));
        prop_assert!(report.is_valid(), "{report}");
        prop_assert!((report.objective.total - outcome.objective).abs() <= tol);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Price-and-round: from the optimum's counts it gives the optimum back (no greedy
    /// insertion improves an optimum); from a mix `t a + (1 − t) b` of two allocations
    /// (a point of each worker's hull of caseloads) it gives an allocation that obeys
    /// every rule (the checker accepts it) and is never below the optimum.
    #[test]
    fn price_and_round_gives_allocations_and_keeps_the_optimum(
        workers in 1usize..=3,
        cases in 1usize..=6,
        draws in prop::collection::vec(any::<u8>(), 64),
        pick in (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        t in 0.0f64..=1.0,
    ) {
        let scenario = tiny(workers, cases, &draws);
        let Ok(instance) = Instance::new(&scenario) else { return Ok(()) };
        let all = feasible(&instance);
        let Some((best, optimum)) = all.first() else { return Ok(()) };
        let f = Formulation::build(&instance);
        let team = Team::of(&f).expect("a tiny team on quarter points");
        let counts = |a: &Allocation| counts_of(&team, &decisions_of(a)).expect("an allocation's counts");
        let as_x = |c: &[Vec<u32>]| -> Vec<Vec<f64>> {
            c.iter().map(|v| v.iter().map(|&t| f64::from(t)).collect()).collect()
        };
        let tol = 1e-6 * best.abs().max(1.0);
        let back = heuristic::round_and_repair(&team, &as_x(&counts(optimum).counts))
            .expect("the optimum rounds to itself");
        prop_assert!((back.cost - best).abs() <= tol, "from the optimum {best}: {}", back.cost);
        let (a, b) = (&all[pick.0.index(all.len())].1, &all[pick.1.index(all.len())].1);
        let (ca, cb) = (counts(a).counts, counts(b).counts);
        let x: Vec<Vec<f64>> = ca.iter().zip(&cb).map(|(u, v)| {
            u.iter().zip(v).map(|(&p, &q)| t * f64::from(p) + (1.0 - t) * f64::from(q)).collect()
        }).collect();
        if let Some(found) = heuristic::round_and_repair(&team, &x) {
            prop_assert!(found.cost >= best - tol, "{} below the optimum {best}", found.cost);
            let mut allocation = Allocation { units: vec![None; instance.units.len()] };
            for (u, w) in decisions(&team, &found.counts) {
                allocation.units[u] = w;
            }
            let report = check(&scenario, &rows(&instance, &allocation));
            prop_assert!(report.is_valid(), "{report}");
            prop_assert!((report.objective.total - found.cost).abs() <= tol);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    /// On generated one-team services, branch-and-price solves every part and is sound:
    /// an optimum it claims equals HiGHS's within the gap tolerance, its bound never rises
    /// above HiGHS's optimum, its allocation is never cheaper than that optimum, and the
    /// independent checker accepts it. (Its speed is a bench's question, not a test's: bp
    /// is given 20 s and need not prove the team in that time.)
    #[test]
    fn branch_and_price_is_sound_against_highs_on_generated_teams(seed in 1u64..10_000) {
        let scenario = crate::generate::generate(&crate::generate::GenerateOptions {
            teams: 1,
            seed,
            ..Default::default()
        });
        let instance = Instance::new(&scenario).expect("generated scenarios are valid");
        let options = |solver, limit| SolveOptions {
            threads: Some(1),
            time_limit_s: Some(limit),
            solver,
            ..SolveOptions::default()
        };
        let highs = solve(&instance, &options(SolverChoice::Highs, 600.0)).expect("HiGHS");
        let bp = solve(&instance, &options(SolverChoice::Bp, 20.0)).expect("bp");
        prop_assert_eq!(highs.status, Status::Optimal);
        prop_assert_eq!(bp.solved_by.highs, 0, "a part fell back to HiGHS");
        prop_assert!(bp.solved_by.bp >= 1);
        let (a, b) = (highs.evaluation.objective.total, bp.evaluation.objective.total);
        let tol = 1e-4 * a.abs().max(b.abs()) + 1e-6;
        prop_assert!(b >= a - tol, "bp's allocation {b} cheaper than HiGHS's optimum {a}");
        if bp.status == Status::Optimal {
            prop_assert!((a - b).abs() <= tol, "HiGHS {a}, bp {b}");
        }
        prop_assert!(bp.bound <= a + 1e-6 * a.abs().max(1.0), "bp's bound {} above HiGHS's optimum {a}", bp.bound);
        let report = check(&scenario, &rows(&instance, &bp.allocation));
        prop_assert!(report.is_valid(), "{report}");
        prop_assert!((report.objective.total - b).abs() <= 1e-6 * b.abs().max(1.0));
        let own = bp.solver_objective.expect("bp computed its objective");
        prop_assert!((own - b).abs() <= 1e-6 * b.abs().max(1.0), "bp's own objective {own}, the model's {b}");
    }
}

/// `--solver auto` follows its one rule ([`crate::solve::options::AUTO_BP_MAX_COLUMNS`]):
/// on a generated three-team service, branch-and-price solves exactly the parts the rule
/// gives it (none while HiGHS is measured faster on every class of parts) and HiGHS the
/// rest, and the answer is HiGHS's optimum, accepted by the independent checker.
#[test]
fn auto_gives_branch_and_price_only_the_parts_its_rule_names() {
    let scenario = crate::generate::generate(&crate::generate::GenerateOptions {
        teams: 3,
        seed: 7,
        ..Default::default()
    });
    let instance = Instance::new(&scenario).expect("generated scenarios are valid");
    let mut to_bp = 0;
    let mut with_columns = 0;
    for part in crate::solve::parts::split(&instance) {
        let formulation = Formulation::build_part(&instance, part);
        let columns = formulation.columns();
        assert!(!SolverChoice::Highs.tries_bp(columns));
        assert!(SolverChoice::Bp.tries_bp(columns));
        if columns > 0 {
            with_columns += 1;
            to_bp += usize::from(SolverChoice::Auto.tries_bp(columns));
        }
    }
    assert!(with_columns >= 3, "{with_columns} parts to solve");
    let options = |solver| SolveOptions {
        threads: Some(1),
        time_limit_s: Some(600.0),
        solver,
        ..SolveOptions::default()
    };
    let highs = solve(&instance, &options(SolverChoice::Highs)).expect("HiGHS");
    let auto = solve(&instance, &options(SolverChoice::Auto)).expect("auto");
    assert_eq!(auto.solved_by.bp, to_bp);
    assert_eq!(auto.solved_by.bp + auto.solved_by.highs, with_columns);
    assert_eq!(highs.status, Status::Optimal);
    assert_eq!(auto.status, Status::Optimal);
    let (a, b) = (
        highs.evaluation.objective.total,
        auto.evaluation.objective.total,
    );
    assert!(
        (a - b).abs() <= 1e-4 * a.abs().max(1.0),
        "HiGHS {a}, auto {b}"
    );
    let report = check(&scenario, &rows(&instance, &auto.allocation));
    assert!(report.is_valid(), "{report}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// The restricted master's MIP over the columns whose reduced cost at the root fits
    /// the gap finds an allocation as good as over every column whenever that one beats
    /// the incumbent (the worst allocation), never below the optimum; the root prices'
    /// Lagrangian bound is at most the optimum.
    #[test]
    fn the_restricted_master_keeps_every_column_that_can_beat_the_incumbent(
        workers in 1usize..=3,
        cases in 1usize..=6,
        draws in prop::collection::vec(any::<u8>(), 64),
    ) {
        let scenario = tiny(workers, cases, &draws);
        let Ok(instance) = Instance::new(&scenario) else { return Ok(()) };
        let all = feasible(&instance);
        let (Some((best, _)), Some((_, worst))) = (all.first(), all.last()) else { return Ok(()) };
        let best = *best;
        let f = Formulation::build(&instance);
        let team = Team::of(&f).expect("a tiny team on quarter points");
        let floor = floor::floor(&team);
        let worst = counts_of(&team, &decisions_of(worst)).expect("a whole allocation");
        let limits = forever();
        let (master, prices) = tree::root_master(&team, floor.as_ref(), worst.clone(), &limits)
            .expect("the root");
        let prices = prices.expect("root prices");
        let tol = 1e-6 * best.abs().max(1.0);
        prop_assert!(prices.bound <= best + tol, "bound {} above the optimum {best}", prices.bound);
        let every = heuristic::restricted_master_mip(&team, &master, None, &worst, &limits);
        let kept = heuristic::restricted_master_mip(&team, &master, Some(&prices), &worst, &limits);
        if let Some(found) = &kept {
            prop_assert!(found.cost >= best - tol, "{} below the optimum {best}", found.cost);
        }
        if let Some(every) = every.filter(|e| e.cost < worst.cost - tol) {
            let kept = kept.expect("the kept columns hold the better allocation");
            prop_assert!(kept.cost <= every.cost + tol, "kept {}, every column {}", kept.cost, every.cost);
        }
    }
}
