//! One test per constraint family and objective term, each on two or three hand-made
//! entities, asserting the exact effect.

use super::exchange::{exchange_between_teams, Incumbent};
use super::highs::relaxation_bound;
use super::*;
use crate::check::{check, AllocationRow};
use crate::model::{CapacityMode, Case, Change, Policy, Scenario, Worker};

/// Solves to proven optimality and has the independent checker verify the allocation and
/// recompute its objective.
fn solve_exact(workers: Vec<Worker>, cases: Vec<Case>, policy: Policy) -> (Instance, Solution) {
    solve_scenario(&Scenario::new(workers, cases, policy))
}

/// [`solve_exact`] for a scenario built by the caller.
fn solve_scenario(scenario: &Scenario) -> (Instance, Solution) {
    let scenario = scenario.clone();
    let instance = Instance::new(&scenario).expect("valid scenario");
    let options = SolveOptions {
        mip_gap: 0.0,
        threads: Some(1),
        ..SolveOptions::default()
    };
    let solution = solve(&instance, &options).expect("solved");
    assert_checked(&scenario, &instance, &solution);
    (instance, solution)
}

/// The solver's guard, the formulation's own objective and the independent checker all
/// accept the solution.
fn assert_checked(scenario: &Scenario, instance: &Instance, solution: &Solution) {
    let solver = solution.solver_objective.expect("solver ran");
    assert!(
        (solver - solution.evaluation.objective.total).abs() < 1e-6,
        "formulation objective {solver} differs from the objective of docs/model.md {}",
        solution.evaluation.objective.total
    );
    assert_valid(scenario, instance, solution);
}

/// An evaluated allocation as the independent checker reads `allocation.csv`: the rows
/// every solver test hands to [`check`].
pub(super) fn checker_rows(
    instance: &Instance,
    evaluation: &crate::model::Evaluation,
) -> Vec<AllocationRow> {
    instance
        .cases
        .iter()
        .enumerate()
        .map(|(c, case)| AllocationRow {
            line: 0,
            case: case.id.clone(),
            worker: evaluation.worker[c].map(|w| instance.workers[w].id.clone()),
            change: Some(evaluation.change[c].to_string()),
        })
        .collect()
}

/// The solver's guard and the independent checker accept the allocation, and the checker
/// computes the objective the solution reports.
fn assert_valid(scenario: &Scenario, instance: &Instance, solution: &Solution) {
    assert!(
        hard_rule_breaches(instance, &solution.allocation).is_empty(),
        "solution breaks a hard rule"
    );
    let report = check(scenario, &checker_rows(instance, &solution.evaluation));
    assert!(report.is_valid(), "{report}");
    assert!((report.objective.total - solution.evaluation.objective.total).abs() < 1e-6);
}

/// A generated service of `teams` teams.
pub(super) fn generated(teams: usize, seed: u64, cross_team: bool) -> Scenario {
    crate::generate::generate(&crate::generate::GenerateOptions {
        teams,
        seed,
        cross_team,
        ..Default::default()
    })
}

fn worker_of(instance: &Instance, solution: &Solution, case: &str) -> Option<String> {
    let c = instance.case(&case.into()).expect("known case");
    solution.evaluation.worker[c].map(|w| instance.workers[w].id.to_string())
}

fn changes(instance: &Instance, solution: &Solution, change: Change) -> usize {
    let _ = instance;
    solution.evaluation.count(change)
}

#[test]
fn siblings_go_to_one_worker() {
    let workers = vec![
        Worker::new("A").capacity(3.0),
        Worker::new("B").capacity(3.0),
    ];
    let cases = vec![
        Case::new("C1").group("F1").weight(1.5),
        Case::new("C2").group("F1").weight(1.5),
    ];
    let (i, s) = solve_exact(workers, cases, Policy::default());
    let w1 = worker_of(&i, &s, "C1");
    assert!(w1.is_some());
    assert_eq!(w1, worker_of(&i, &s, "C2"));
}

#[test]
fn a_case_whose_worker_still_fits_stays_allocated_even_when_unallocated_costs_nothing() {
    let mut policy = Policy::default();
    policy.weights.unallocated = 0.0;
    let workers = vec![Worker::new("A").capacity(1.0)];
    let cases = vec![Case::new("C1").weight(5.0).held_by("A")];
    let (i, s) = solve_exact(workers, cases, policy);
    assert_eq!(worker_of(&i, &s, "C1").as_deref(), Some("A"));
}

#[test]
fn a_new_referral_stays_unallocated_when_nobody_is_eligible() {
    let workers = vec![Worker::new("A")];
    let cases = vec![Case::new("C1").requires(["court"]).priority(5).weight(2.0)];
    let (i, s) = solve_exact(workers, cases, Policy::default());
    assert_eq!(worker_of(&i, &s, "C1"), None);
    assert!((s.evaluation.objective.unallocated - 2.0 * 5.0 * 1000.0).abs() < 1e-9);
}

#[test]
fn hard_capacity_holds_new_work_back_and_soft_capacity_does_not() {
    let workers = || vec![Worker::new("A").capacity(2.0)];
    let cases = || {
        (1..=3)
            .map(|k| Case::new(format!("C{k}").as_str()))
            .collect::<Vec<_>>()
    };
    let (_, hard) = solve_exact(workers(), cases(), Policy::default());
    assert_eq!(hard.evaluation.count(Change::New), 2);
    assert!((hard.evaluation.loads[0].load_after - 2.0).abs() < 1e-9);

    let soft_policy = Policy {
        capacity: CapacityMode::Soft,
        ..Policy::default()
    };
    let (_, soft) = solve_exact(workers(), cases(), soft_policy);
    assert_eq!(soft.evaluation.count(Change::New), 3);
}

#[test]
fn someone_already_over_capacity_is_never_pushed_further() {
    // A holds 3 points with capacity 2: limit is max(2, 3) = 3, so no new case fits.
    let workers = vec![Worker::new("A").capacity(2.0)];
    let mut cases: Vec<Case> = (1..=3)
        .map(|k| Case::new(format!("C{k}").as_str()).held_by("A"))
        .collect();
    cases.push(Case::new("N1").priority(5));
    let (i, s) = solve_exact(workers, cases, Policy::default());
    assert_eq!(worker_of(&i, &s, "N1"), None);
    assert_eq!(changes(&i, &s, Change::Kept), 3);
}

#[test]
fn max_cases_limits_the_count_but_not_below_what_was_held() {
    let mut a = Worker::new("A");
    a.max_cases = Some(2);
    let mut cases = vec![Case::new("C1").held_by("A")];
    cases.extend((1..=3).map(|k| Case::new(format!("N{k}").as_str())));
    let (_, s) = solve_exact(vec![a.clone()], cases, Policy::default());
    assert_eq!(s.evaluation.loads[0].cases_after, 2);

    // Holding 3 before with max_cases 2: keeps all 3, receives none.
    let mut cases: Vec<Case> = (1..=3)
        .map(|k| Case::new(format!("C{k}").as_str()).held_by("A"))
        .collect();
    cases.push(Case::new("N1"));
    let (_, s) = solve_exact(vec![a], cases, Policy::default());
    assert_eq!(s.evaluation.loads[0].cases_after, 3);
    assert_eq!(s.evaluation.loads[0].received, 0);
}

#[test]
fn max_new_limits_cases_received() {
    let mut a = Worker::new("A");
    a.max_new = Some(1);
    let cases = (1..=3)
        .map(|k| Case::new(format!("N{k}").as_str()))
        .collect();
    let (_, s) = solve_exact(vec![a], cases, Policy::default());
    assert_eq!(s.evaluation.loads[0].received, 1);
    assert_eq!(s.evaluation.count(Change::Unallocated), 2);
}

fn overloaded_pair() -> (Vec<Worker>, Vec<Case>) {
    // A holds 8 points with capacity 4 (deep in the red band); B is empty.
    let workers = vec![
        Worker::new("A").capacity(4.0),
        Worker::new("B").capacity(4.0),
    ];
    let cases = (1..=4)
        .map(|k| Case::new(format!("C{k}").as_str()).weight(2.0).held_by("A"))
        .collect();
    (workers, cases)
}

#[test]
fn overload_is_relieved_by_discretionary_moves() {
    let (workers, cases) = overloaded_pair();
    let (_, s) = solve_exact(workers, cases, Policy::default());
    assert_eq!(s.evaluation.count(Change::Moved), 2);
    assert!((s.evaluation.objective.moves - 2.0 * 20.0).abs() < 1e-9);
}

#[test]
fn max_moves_caps_discretionary_moves() {
    let (workers, cases) = overloaded_pair();
    let policy = Policy {
        max_moves: 1,
        ..Policy::default()
    };
    let (_, s) = solve_exact(workers, cases, policy);
    assert_eq!(s.evaluation.count(Change::Moved), 1);
}

#[test]
fn an_unavailable_worker_forces_moves() {
    let workers = vec![Worker::new("A").unavailable(), Worker::new("B")];
    let cases = vec![Case::new("C1").held_by("A"), Case::new("C2").held_by("A")];
    let (i, s) = solve_exact(workers, cases, Policy::default());
    assert_eq!(s.evaluation.count(Change::Forced), 2);
    assert_eq!(worker_of(&i, &s, "C1").as_deref(), Some("B"));
    assert!(
        s.evaluation.objective.moves.abs() < 1e-12,
        "forced moves are free"
    );
}

#[test]
fn band_cost_is_exact() {
    // Capacity 20, load 22 (one worker, must keep everything): 3×1 + 3×5 + 2×50.
    let workers = vec![Worker::new("A").capacity(20.0)];
    let cases = vec![
        Case::new("C1").weight(11.0).held_by("A"),
        Case::new("C2").weight(11.0).held_by("A"),
    ];
    let (_, s) = solve_exact(workers, cases, Policy::default());
    assert!((s.evaluation.objective.bands - 118.0).abs() < 1e-9);
}

#[test]
fn load_is_spread_to_keep_workers_out_of_the_red() {
    let workers = vec![
        Worker::new("A").capacity(10.0),
        Worker::new("B").capacity(10.0),
    ];
    let cases = (1..=4)
        .map(|k| Case::new(format!("N{k}").as_str()).weight(4.0))
        .collect();
    let (_, s) = solve_exact(workers, cases, Policy::default());
    let loads: Vec<f64> = s.evaluation.loads.iter().map(|l| l.load_after).collect();
    assert_eq!(loads, vec![8.0, 8.0]);
}

#[test]
fn preferred_language_decides_between_equal_workers() {
    let workers = vec![
        Worker::new("A").capacity(10.0),
        Worker::new("B").capacity(10.0).skills(["urdu"]),
    ];
    let cases = vec![Case::new("C1").prefers(["Urdu"])];
    let (i, s) = solve_exact(workers, cases, Policy::default());
    assert_eq!(worker_of(&i, &s, "C1").as_deref(), Some("B"));
    assert!(s.evaluation.objective.preferences.abs() < 1e-12);
}

#[test]
fn a_pinned_case_keeps_its_whole_group_with_its_worker() {
    let workers = vec![
        Worker::new("A").capacity(2.0),
        Worker::new("B").capacity(20.0),
    ];
    let cases = vec![
        Case::new("C1").group("F").held_by("A").pinned(),
        Case::new("C2").group("F").held_by("B"),
    ];
    let (i, s) = solve_exact(workers, cases, Policy::default());
    assert_eq!(worker_of(&i, &s, "C1").as_deref(), Some("A"));
    assert_eq!(worker_of(&i, &s, "C2").as_deref(), Some("A"));
}

#[test]
fn the_start_allocation_is_feasible_and_never_better_than_the_optimum() {
    let (workers, cases) = overloaded_pair();
    let (i, s) = solve_exact(workers, cases, Policy::default());
    let start = starting_allocation(&i);
    assert!(hard_rule_breaches(&i, &start).is_empty());
    assert!(s.start_objective + 1e-9 >= s.evaluation.objective.total);
}

#[test]
fn a_group_named_like_a_case_id_is_its_own_unit() {
    let workers = vec![
        Worker::new("A").capacity(1.0),
        Worker::new("B").capacity(1.0),
    ];
    let cases = vec![
        Case::new("C1").held_by("A"),
        Case::new("C2").group("C1").held_by("B"),
    ];
    let (i, s) = solve_exact(workers, cases, Policy::default());
    assert_eq!(i.units.len(), 2);
    assert_eq!(s.evaluation.count(Change::Kept), 2);
}

#[test]
fn an_optimal_solve_reports_its_bound_even_for_a_part_nobody_can_take() {
    // Team B's only case needs a tag nobody has: that part is a plain LP with no MIP
    // bound of its own; the bound must still equal the objective.
    let workers = vec![
        Worker::new("A1").team("A").capacity(10.0),
        Worker::new("B1").team("B").capacity(10.0),
    ];
    let cases = vec![
        Case::new("C1").team("A").held_by("A1").weight(8.0),
        Case::new("C2").team("A").weight(4.0),
        Case::new("C3").team("B").requires(["court"]).priority(4),
    ];
    let (_, s) = solve_exact(workers, cases, Policy::default());
    assert_eq!(s.status, Status::Optimal);
    assert!(s.evaluation.objective.unallocated >= 4000.0);
    assert!(s.gap < 1e-9, "gap {} with bound {}", s.gap, s.bound);
}

#[test]
fn pair_weights_count_in_loads_and_pair_costs_in_the_objective() {
    use crate::model::{CaseId, PairTerms, WorkerId};
    // Two new referrals of weight 1; on A each weighs 4 (capacity 6: room for one), and B
    // costs 3 points per case. Best: one on A, one on B (3), not both on B (6).
    let workers = vec![
        Worker::new("A").capacity(6.0),
        Worker::new("B").capacity(6.0),
    ];
    let cases = vec![Case::new("C1"), Case::new("C2")];
    let policy = Policy {
        bands: Vec::new(),
        ..Policy::default()
    };
    let mut pairs = std::collections::BTreeMap::new();
    for c in ["C1", "C2"] {
        let heavy = PairTerms {
            cost: 0.0,
            weight: Some(4.0),
        };
        let dear = PairTerms {
            cost: 3.0,
            weight: None,
        };
        pairs.insert((CaseId::new(c), WorkerId::new("A")), heavy);
        pairs.insert((CaseId::new(c), WorkerId::new("B")), dear);
    }
    let scenario = Scenario::new(workers, cases, policy).with_pairs(pairs);
    let (instance, solution) = solve_scenario(&scenario);
    let a = instance.worker(&"A".into()).expect("A");
    assert_eq!(solution.evaluation.loads[a].load_after, 4.0);
    assert_eq!(solution.evaluation.objective.pairs, 3.0);
    assert_eq!(solution.evaluation.objective.total, 3.0);
}

#[test]
fn parts_solved_on_two_threads_give_the_one_thread_allocation() {
    let scenario = generated(4, 3, false);
    let instance = Instance::new(&scenario).expect("valid scenario");
    assert_eq!(parts::split(&instance).len(), 4, "one part per team");
    let solve_on = |threads| {
        let options = SolveOptions {
            threads: Some(threads),
            ..SolveOptions::default()
        };
        let solution = solve(&instance, &options).expect("solved");
        assert_eq!(solution.status, Status::Optimal);
        assert_checked(&scenario, &instance, &solution);
        solution
    };
    let (one, two) = (solve_on(1), solve_on(2));
    assert_eq!(one.allocation, two.allocation);
    assert_eq!(one.bound, two.bound);
}

#[test]
fn a_second_attempt_at_a_part_keeps_the_better_allocation_and_the_higher_bound() {
    let outcome = |to: usize, objective: f64, bound: f64, status: Status| PartOutcome {
        engine: None,
        part: Part {
            units: vec![0],
            workers: vec![0, 1],
        },
        decisions: vec![(0, Some(to))],
        status,
        bound: Some(bound),
        solver_objective: Some(objective),
    };
    let mut first = outcome(0, 10.0, 8.0, Status::TimeLimit);
    first.merge(outcome(1, 12.0, 9.0, Status::TimeLimit));
    assert_eq!(
        first.decisions,
        vec![(0, Some(0))],
        "a worse allocation is not taken"
    );
    assert_eq!(first.solver_objective, Some(10.0));
    assert_eq!(first.bound, Some(9.0), "the higher bound is");
    first.merge(outcome(1, 9.5, 8.5, Status::Optimal));
    assert_eq!(first.decisions, vec![(0, Some(1))]);
    assert_eq!(first.solver_objective, Some(9.5));
    assert_eq!(first.bound, Some(9.0));
    assert_eq!(first.status, Status::Optimal);
}

#[test]
fn a_team_solved_before_is_reused_and_the_solution_is_the_same() {
    let scenario = generated(4, 3, false);
    let options = SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    };
    let cache = PartCache::new();
    let instance = Instance::new(&scenario).expect("valid scenario");
    let first = solve_with_cache(&instance, &options, Some(&cache)).expect("solved");
    assert_eq!(
        (cache.len(), cache.hits()),
        (4, 0),
        "four teams solved and kept"
    );

    // The first available worker leaves (as a what-if removes one): their team changes,
    // and every later worker's index shifts.
    let leaver = scenario
        .workers
        .iter()
        .find(|w| w.available)
        .expect("an available worker");
    let leaves =
        crate::whatif::Edit::RemoveWorkers(crate::whatif::Selection::Ids(vec![leaver.id.clone()]));
    let changed = crate::whatif::apply(&scenario, &[leaves], 0).expect("applies");
    let instance = Instance::new(&changed).expect("valid scenario");
    let reused = solve_with_cache(&instance, &options, Some(&cache)).expect("solved");
    assert_eq!(cache.hits(), 3, "the three untouched teams are reused");
    assert_eq!(reused.status, Status::Optimal);
    assert_checked(&changed, &instance, &reused);
    let fresh = solve(&instance, &options).expect("solved");
    assert_eq!(reused.allocation, fresh.allocation);
    assert_eq!(reused.bound, fresh.bound);
    assert_eq!(reused.solver_objective, fresh.solver_objective);
    assert_ne!(reused.allocation.units.len(), 0);
    assert!(first.evaluation.objective.total != reused.evaluation.objective.total);

    // Other solver settings are another program: nothing is reused.
    let looser = SolveOptions {
        mip_gap: 0.01,
        ..options
    };
    solve_with_cache(&instance, &looser, Some(&cache)).expect("solved");
    assert_eq!(cache.hits(), 3, "a different gap reuses nothing");
}

#[test]
fn a_part_too_large_is_solved_within_teams_then_by_pairs_of_teams_under_a_valid_bound() {
    let scenario = generated(3, 6, true);
    let instance = Instance::new(&scenario).expect("valid scenario");
    let within = candidates::within_teams(&instance);
    assert_eq!(parts::split(&instance).len(), 1, "across teams: one part");
    assert!(
        parts::split(&within).len() >= 3,
        "within teams: a part per team"
    );
    let one_thread = SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    };
    let exact = solve(&instance, &one_thread).expect("solved whole");
    assert_eq!(exact.status, Status::Optimal);
    let within_teams = solve(&within, &one_thread).expect("solved within teams");

    // The whole part counts as too large; each team does not. Time enough for the
    // within-team pass to finish on a busy machine (the test asserts where it ends).
    let options = SolveOptions {
        time_limit_s: Some(20.0),
        large_part_pairs: candidates::largest_part_pairs(&within, &parts::split(&within)),
        ..one_thread
    };
    let passes = solve(&instance, &options).expect("solved in passes");
    assert_valid(&scenario, &instance, &passes);
    let objective = passes.evaluation.objective.total;
    let optimum = exact.evaluation.objective.total;
    // Both within-team solves stop within the relative gap of the within-team optimum
    // (from its second pass when a part's share runs out on a busy machine), so they
    // may differ by that much.
    let within_optimum = within_teams.evaluation.objective.total;
    assert!(
        objective <= within_optimum * (1.0 + options.mip_gap) + 1e-6,
        "the pairs of teams start from the within-team optimum: {objective} against {within_optimum}"
    );
    assert!(objective >= optimum - 1e-6);
    assert!(
        passes.bound.is_finite() && passes.bound <= optimum + 1e-6,
        "pooled bound {} above the optimum {optimum}",
        passes.bound
    );
    assert!(passes.bound > 0.0, "the bound says something");
    // The bound is at least the whole program's LP relaxation, tighter here than the
    // pooled LP (the Lagrangian bound may raise it with the time the passes leave).
    let lp = relaxation_bound(Formulation::build(&instance), None, None)
        .expect("solved")
        .expect("an LP optimum");
    let pooled = pooled::bound(&instance, Duration::from_secs(5)).expect("a pooled bound");
    assert!(lp > pooled + 1.0, "LP {lp}, pooled {pooled}");
    assert!(
        passes.bound >= lp - 1e-6,
        "bound {} below the LP bound {lp}",
        passes.bound
    );
    // On two threads the LP bound is solved beside the passes: a bound as good.
    let two_threads = SolveOptions {
        threads: Some(2),
        ..options
    };
    let beside = solve(&instance, &two_threads).expect("solved in passes");
    assert_valid(&scenario, &instance, &beside);
    assert!(
        beside.bound >= lp - 1e-6 && beside.bound <= optimum + 1e-6,
        "bound {} beside, LP {lp}, optimum {optimum}",
        beside.bound
    );
}

#[test]
fn re_solving_pairs_of_teams_improves_on_the_within_team_optimum() {
    let scenario = generated(3, 6, true);
    let instance = Instance::new(&scenario).expect("valid scenario");
    let one_thread = SolveOptions {
        threads: Some(1),
        ..SolveOptions::default()
    };
    let within = candidates::within_teams(&instance);
    let start = solve(&within, &one_thread).expect("solved").allocation;
    let start_objective = instance.evaluate(&start).objective.total;
    let pairs = candidates::promising_team_pairs(&instance, &start);
    assert!(
        !pairs.is_empty(),
        "a team leaves a child waiting who is more urgent than one another team took"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let shared = Incumbent::default();
    shared.offer(&instance, &start);
    exchange_between_teams(&instance, deadline, &one_thread, &shared).expect("ran");
    let exchanged = shared.best().expect("an allocation");
    let solution = finish(
        exchanged.clone(),
        instance.evaluate(&exchanged),
        Status::TimeLimit,
        None,
        Duration::ZERO,
        Duration::ZERO,
    );
    assert_valid(&scenario, &instance, &solution);
    let objective = solution.evaluation.objective.total;
    assert!(
        objective < start_objective - 1e-6,
        "{objective} is no better than the within-team optimum {start_objective}"
    );
    let optimum = solve(&instance, &one_thread).expect("solved whole");
    assert!(objective >= optimum.evaluation.objective.total - 1e-6);
}

#[test]
fn the_local_search_prices_every_move_as_the_objective_does() {
    use crate::model::PairTerms;
    // Pair terms on every third case, for every worker of its team: some cases weigh more
    // on some workers and cost points there.
    let base = generated(2, 4, false);
    let mut pairs = std::collections::BTreeMap::new();
    for (k, case) in base.cases.iter().enumerate().step_by(3) {
        for (j, worker) in base.workers.iter().enumerate() {
            if worker.team == case.team {
                let terms = PairTerms {
                    cost: (j % 3) as f64 * 1.5,
                    weight: (k % 2 == 0).then_some(case.weight + 0.25 * (j % 4) as f64),
                };
                pairs.insert((case.id.clone(), worker.id.clone()), terms);
            }
        }
    }
    let scenario = base.with_pairs(pairs);
    let instance = Instance::new(&scenario).expect("valid scenario");
    let deadline = Instant::now() + Duration::from_secs(10);
    let start = start::improved_start(&instance, deadline);
    assert!(hard_rule_breaches(&instance, &start).is_empty());
    let state = state::State::of(&instance, &start);
    let before = instance.evaluate(&start).objective.total;
    let mut checked = 0;
    for (u, unit) in instance.units.iter().enumerate() {
        let nobody = (!unit.must_allocate).then_some(None);
        for to in unit.eligible.iter().map(|&w| Some(w)).chain(nobody) {
            let mut after = start.clone();
            after.units[u] = to;
            let expected = instance.evaluate(&after).objective.total - before;
            let priced = state.move_delta(u, to);
            assert!(
                (priced - expected).abs() < 1e-6,
                "unit {u} to {to:?}: local search prices {priced}, the objective changes by {expected}"
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} moves checked");
}

#[test]
fn parts_the_time_limit_leaves_unsolved_keep_their_lp_bound() {
    let scenario = generated(4, 3, false);
    let instance = Instance::new(&scenario).expect("valid scenario");
    let exact = solve(
        &instance,
        &SolveOptions {
            threads: Some(1),
            ..SolveOptions::default()
        },
    )
    .expect("solved");
    assert_eq!(exact.status, Status::Optimal);
    // No time at all: HiGHS stops every part at once, before its own bound.
    let rushed = solve(
        &instance,
        &SolveOptions {
            threads: Some(1),
            time_limit_s: Some(0.0),
            ..SolveOptions::default()
        },
    )
    .expect("an allocation all the same");
    assert_eq!(rushed.status, Status::TimeLimit);
    assert_valid(&scenario, &instance, &rushed);
    // Each team's LP relaxation bounds it: together within a few per cent of the
    // optimum, never above it (without them the bound would be 0 and the gap 100 %).
    let optimum = exact.evaluation.objective.total;
    assert!(
        rushed.bound <= optimum + 1e-6,
        "bound {} above the optimum {optimum}",
        rushed.bound
    );
    assert!(
        rushed.bound >= 0.9 * optimum,
        "bound {} far below the optimum {optimum}",
        rushed.bound
    );
    assert!(rushed.gap < 1.0);
}

#[test]
fn a_watched_solve_counts_its_parts_and_a_cancelled_one_ends_with_a_valid_allocation() {
    let scenario = generated(4, 7, false);
    let instance = Instance::new(&scenario).expect("valid");
    let watch = std::sync::Arc::new(Watch::new());
    let options = SolveOptions {
        watch: Some(std::sync::Arc::clone(&watch)),
        threads: Some(2),
        ..SolveOptions::default()
    };
    let solution = solve(&instance, &options).expect("solved");
    let done = watch.progress();
    assert!(done.parts >= 4, "one part a team at least: {done:?}");
    assert_eq!(done.solved, done.parts, "every part counted once");
    assert_valid(&scenario, &instance, &solution);

    // Cancelled before it starts: no part reaches HiGHS's search (each is interrupted
    // at its first callback), the answer is still whole and valid, and says it stopped.
    let watch = std::sync::Arc::new(Watch::new());
    watch.cancel();
    let options = SolveOptions {
        watch: Some(watch),
        threads: Some(2),
        ..SolveOptions::default()
    };
    let cancelled = solve(&instance, &options).expect("an allocation all the same");
    assert_eq!(cancelled.status, Status::TimeLimit);
    assert_valid(&scenario, &instance, &cancelled);
    assert!(
        cancelled.evaluation.objective.total >= solution.evaluation.objective.total - 1e-6,
        "no better than the optimum"
    );
}

#[test]
fn a_cross_team_solve_counts_each_part_once_never_over_its_total_and_reaches_it() {
    // Small enough to be quick, made "too large for HiGHS whole" so that it takes the
    // cross-team road: parts within teams, then pairs of teams re-solved together (which
    // the count once took for more parts: "solved 58 of 30").
    let scenario = generated(4, 3, true);
    let instance = Instance::new(&scenario).expect("valid");
    let within = super::candidates::within_teams(&instance);
    let team_pairs = super::candidates::largest_part_pairs(&within, &super::parts::split(&within));
    let whole = super::parts::split(&instance);
    assert!(super::candidates::largest_part_pairs(&instance, &whole) > team_pairs);
    let watch = std::sync::Arc::new(Watch::new());
    let options = SolveOptions {
        watch: Some(std::sync::Arc::clone(&watch)),
        threads: Some(2),
        time_limit_s: Some(8.0),
        large_part_pairs: team_pairs,
        ..SolveOptions::default()
    };
    let (solution, seen) = std::thread::scope(|scope| {
        let solving = scope.spawn(|| solve(&instance, &options));
        let mut seen = Vec::new();
        while !solving.is_finished() {
            seen.push(watch.progress());
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        (solving.join().expect("no panic"), seen)
    });
    let solution = solution.expect("solved");
    assert_valid(&scenario, &instance, &solution);
    for p in &seen {
        assert!(p.solved <= p.parts, "over its total while running: {p:?}");
    }
    let done = watch.progress();
    assert!(done.parts >= 4, "one part a team at least: {done:?}");
    assert_eq!(
        done.solved, done.parts,
        "each part counted once, all of them"
    );
}
