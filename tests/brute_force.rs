//! Property: on random tiny scenarios the solver's objective equals the best objective
//! found by enumerating every allocation, each judged by the independent checker. Some
//! scenarios carry per (case, worker) costs and weights (`pairs.csv`), and some carry
//! managers' decisions (holds and exclusions applied as a recorded run applies them).

use std::collections::BTreeMap;

use caseload::check::{check, AllocationRow, DecisionRow};
use caseload::model::Allocation;
use caseload::model::{
    CapacityMode, Case, CaseId, Decision, DecisionKind, Instance, PairTerms, Policy, Ruling,
    Scenario, Worker, WorkerId,
};
use caseload::solve::start::improved_start;
use caseload::solve::{
    hard_rule_breaches, pooled, solve, starting_allocation, SolveOptions, SolverChoice,
};
use caseload::Error;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
struct WorkerSpec {
    team_b: bool,
    cp: bool,
    court: bool,
    urdu: bool,
    available: bool,
    capacity: u8,
    max_cases: Option<u32>,
    max_new: Option<u32>,
}

#[derive(Clone, Debug)]
struct CaseSpec {
    weight: u8,
    team_a: bool,
    needs_cp: bool,
    needs_court: bool,
    prefers_urdu: bool,
    group: Option<u8>,
    current: Option<usize>,
    pinned: bool,
    exclude: Option<usize>,
    priority: u8,
}

fn worker_spec() -> impl Strategy<Value = WorkerSpec> {
    (
        any::<bool>(),
        prop::bool::weighted(0.6),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.85),
        1u8..=6,
        prop::option::weighted(0.25, 0u32..=2),
        prop::option::weighted(0.25, 0u32..=2),
    )
        .prop_map(
            |(team_b, cp, court, urdu, available, capacity, max_cases, max_new)| WorkerSpec {
                team_b,
                cp,
                court,
                urdu,
                available,
                capacity,
                max_cases,
                max_new,
            },
        )
}

fn case_spec(workers: usize) -> impl Strategy<Value = CaseSpec> {
    (
        (
            1u8..=4,
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.3),
        ),
        (prop::bool::weighted(0.15), prop::bool::weighted(0.3)),
        prop::option::weighted(0.4, 0u8..2),
        prop::option::weighted(0.7, 0..workers),
        prop::bool::weighted(0.1),
        prop::option::weighted(0.15, 0..workers),
        1u8..=5,
    )
        .prop_map(
            |(
                (weight, team_a, needs_cp),
                (needs_court, prefers_urdu),
                group,
                current,
                pinned,
                exclude,
                priority,
            )| {
                CaseSpec {
                    weight,
                    team_a,
                    needs_cp,
                    needs_court,
                    prefers_urdu,
                    group,
                    current,
                    pinned,
                    exclude,
                    priority,
                }
            },
        )
}

pub(crate) fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    (1usize..=3)
        .prop_flat_map(|n| {
            (
                prop::collection::vec(worker_spec(), n),
                prop::collection::vec(case_spec(n), 1..=5),
                any::<bool>(),
                prop::sample::select(vec![0u64, 1, 100]),
                any::<bool>(),
                prop::collection::vec(pair_spec(n), 0..=8),
                prop::collection::vec(decision_spec(n), 0..=3),
            )
        })
        .prop_map(|(ws, cs, soft, max_moves, cross_team, ps, ds)| {
            let scenario = build(&ws, &cs, soft, max_moves, cross_team);
            with_decisions(with_pairs(scenario, &ps), &ds)
        })
}

/// A manager's decision: case index (dropped if beyond the cases), kind (0 accept,
/// 1 reject, 2 assign, 3 never; on a worker: 4 leaving, 5 leave, 6 capacity of
/// 2 × the case index points), and the worker it names (none: unallocated).
type DecisionSpec = (usize, usize, Option<usize>);

fn decision_spec(workers: usize) -> impl Strategy<Value = DecisionSpec> {
    (0usize..5, 0usize..7, prop::option::of(0..workers))
}

/// The scenario with the decisions that can hold applied, as a recorded run applies them.
fn with_decisions(scenario: Scenario, specs: &[DecisionSpec]) -> Scenario {
    let n = scenario.cases.len();
    let decisions: Vec<Decision> = specs
        .iter()
        .filter(|(c, ..)| *c < n)
        .enumerate()
        .map(|(i, &(c, kind, worker))| {
            let kind = DecisionKind::ALL[kind];
            let worker = match kind {
                DecisionKind::Never | DecisionKind::Assign => Some(worker.unwrap_or(0)),
                k if k.on_worker() => Some(worker.unwrap_or(0)),
                _ => worker,
            };
            let case = (!kind.on_worker()).then(|| format!("C{c}"));
            let worker = worker.map(|w| format!("W{w}"));
            let capacity = (kind == DecisionKind::Capacity).then_some(2.0 * c as f64);
            Decision {
                id: i as i64 + 1,
                at: "2026-12-03T09:00:00Z".into(),
                by: "Sam".into(),
                note: String::new(),
                ruling: Ruling::from_parts(kind, case.as_deref(), worker.as_deref(), capacity)
                    .expect("a decision of the right shape"),
            }
        })
        .collect();
    if decisions.is_empty() || !caseload::validate::validate(&scenario).is_empty() {
        return scenario;
    }
    let (decided, outcomes) = caseload::validate::apply_decisions(&scenario, &decisions);
    // The checker judges the same decisions on its own, and agrees with the solver's
    // judge on every one.
    let rows: Vec<DecisionRow> = outcomes
        .iter()
        .map(|o| DecisionRow {
            line: 0,
            case: o
                .decision
                .case()
                .cloned()
                .unwrap_or_else(|| CaseId::new("")),
            decided: o.decision.decided(),
            worker: o.decision.worker().cloned(),
            applied: o.applied,
            capacity: o.decision.capacity(),
        })
        .collect();
    let judged = caseload::check::judge(&scenario, &rows);
    assert!(
        judged.violations.is_empty(),
        "the checker judges the decisions otherwise: {:?}\nsolver's judge: {outcomes:?}",
        judged.violations
    );
    decided
}

/// A (case, worker) pair: case index (dropped if beyond the cases), worker index, cost,
/// and maybe a weight in half points.
type PairSpec = (usize, usize, u8, Option<u8>);

fn pair_spec(workers: usize) -> impl Strategy<Value = PairSpec> {
    (0usize..5, 0..workers, 0u8..=30, prop::option::of(1u8..=12))
}

fn with_pairs(scenario: Scenario, specs: &[PairSpec]) -> Scenario {
    let n = scenario.cases.len();
    let pairs = specs
        .iter()
        .filter(|(c, ..)| *c < n)
        .map(|&(c, w, cost, weight)| {
            let key = (CaseId::new(format!("C{c}")), WorkerId::new(format!("W{w}")));
            let terms = PairTerms {
                cost: f64::from(cost),
                weight: weight.map(|h| f64::from(h) * 0.5),
            };
            (key, terms)
        })
        .collect();
    scenario.with_pairs(pairs)
}

fn build(
    ws: &[WorkerSpec],
    cs: &[CaseSpec],
    soft: bool,
    max_moves: u64,
    cross_team: bool,
) -> Scenario {
    let workers = ws
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut skills = Vec::new();
            if s.cp {
                skills.push("cp");
            }
            if s.court {
                skills.push("court");
            }
            if s.urdu {
                skills.push("urdu");
            }
            let mut w = Worker::new(format!("W{i}").as_str())
                .team(if s.team_b { "B" } else { "A" })
                .skills(skills)
                .capacity(f64::from(s.capacity));
            w.available = s.available;
            w.max_cases = s.max_cases;
            w.max_new = s.max_new;
            w
        })
        .collect();
    let cases = cs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut requires = Vec::new();
            if s.needs_cp {
                requires.push("cp");
            }
            if s.needs_court {
                requires.push("court");
            }
            let mut c = Case::new(format!("C{i}").as_str())
                .weight(f64::from(s.weight) * 0.5)
                .team(if s.team_a { "A" } else { "" })
                .requires(requires)
                .priority(s.priority);
            if s.prefers_urdu {
                c = c.prefers(["urdu"]);
            }
            if let Some(g) = s.group {
                c = c.group(format!("G{g}").as_str());
            }
            if let Some(w) = s.current {
                c = c.held_by(format!("W{w}").as_str());
                c.pinned = s.pinned;
            }
            if let Some(x) = s.exclude {
                c = c.exclude([format!("W{x}").as_str()]);
            }
            c
        })
        .collect();
    let policy = Policy {
        capacity: if soft {
            CapacityMode::Soft
        } else {
            CapacityMode::Hard
        },
        max_moves,
        cross_team,
        ..Policy::default()
    };
    Scenario::new(workers, cases, policy)
}

/// Every allocation of whole groups (computed here, not by the library) to a worker or to
/// nobody; the best objective among those the checker accepts.
fn brute_force(scenario: &Scenario) -> Option<f64> {
    let mut groups: BTreeMap<String, Vec<CaseId>> = BTreeMap::new();
    for c in &scenario.cases {
        let key = match &c.group {
            Some(g) => format!("group {g}"),
            None => format!("case {}", c.id),
        };
        groups.entry(key).or_default().push(c.id.clone());
    }
    let groups: Vec<Vec<CaseId>> = groups.into_values().collect();
    let options: Vec<Option<WorkerId>> = std::iter::once(None)
        .chain(scenario.workers.iter().map(|w| Some(w.id.clone())))
        .collect();
    let mut choice = vec![0usize; groups.len()];
    let mut best: Option<f64> = None;
    loop {
        let rows: Vec<AllocationRow> = groups
            .iter()
            .zip(&choice)
            .flat_map(|(cases, &k)| {
                let worker = &options[k];
                cases.iter().map(move |c| AllocationRow {
                    line: 0,
                    case: c.clone(),
                    worker: worker.clone(),
                    change: None,
                })
            })
            .collect();
        let report = check(scenario, &rows);
        if report.is_valid() {
            let total = report.objective.total;
            best = Some(best.map_or(total, |b: f64| b.min(total)));
        }
        // Next combination (odometer).
        let mut i = 0;
        loop {
            if i == choice.len() {
                return best;
            }
            choice[i] += 1;
            if choice[i] < options.len() {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
    }
}

pub(crate) fn rows_of(instance: &Instance, allocation: &Allocation) -> Vec<AllocationRow> {
    let eval = instance.evaluate(allocation);
    instance
        .cases
        .iter()
        .enumerate()
        .map(|(c, case)| AllocationRow {
            line: 0,
            case: case.id.clone(),
            worker: eval.worker[c].map(|w| instance.workers[w].id.clone()),
            change: Some(eval.change[c].to_string()),
        })
        .collect()
}

proptest! {
    // Past failures are replayed first from `brute_force.proptest-regressions`, beside this
    // file (named explicitly: proptest's default looks for a `lib.rs` or `main.rs` above it).
    #![proptest_config(ProptestConfig {
        cases: 500,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn solver_matches_brute_force(scenario in scenario_strategy()) {
        let Ok(instance) = Instance::new(&scenario) else {
            // Invalid input (e.g. a pin on an ineligible worker) is the validator's business.
            return Ok(());
        };
        let options = SolveOptions { mip_gap: 0.0, threads: Some(1), ..SolveOptions::default() };
        let best = brute_force(&scenario);
        // The heuristic start: local search keeps it feasible and never makes it worse.
        let greedy = starting_allocation(&instance);
        let improved = improved_start(&instance, Instant::now() + Duration::from_secs(5));
        if hard_rule_breaches(&instance, &greedy).is_empty() {
            let report = check(&scenario, &rows_of(&instance, &improved));
            prop_assert!(report.is_valid(), "local search broke a hard rule:\n{report}");
            prop_assert!(
                instance.evaluate(&improved).objective.total
                    <= instance.evaluate(&greedy).objective.total + 1e-9
            );
            if let Some(best) = best {
                prop_assert!(report.objective.total >= best - 1e-6, "heuristic beats the optimum");
            }
        }
        // The pooled LP is a lower bound on every allocation.
        if let (Some(best), Some(bound)) = (best, pooled::bound(&instance, Duration::from_secs(5))) {
            prop_assert!(bound <= best + 1e-6, "pooled bound {bound} above the optimum {best}");
        }
        match solve(&instance, &options) {
            Err(Error::Infeasible(_)) => prop_assert!(best.is_none(), "solver says infeasible, enumeration found {best:?}"),
            Err(e) => prop_assert!(false, "solver failed: {e}"),
            Ok(solution) => {
                let rows = rows_of(&instance, &solution.allocation);
                let report = check(&scenario, &rows);
                prop_assert!(report.is_valid(), "checker rejects the solver's allocation:\n{report}");
                let checked = report.objective.total;
                let reported = solution.evaluation.objective.total;
                prop_assert!((checked - reported).abs() < 1e-6, "objective {reported} but checker computes {checked}");
                let best = best.expect("the solver found an allocation, so enumeration must");
                prop_assert!((checked - best).abs() < 1e-6, "solver {checked}, enumeration optimum {best}");
                // The program prices an allocation exactly as docs/model.md does (its band pieces on
                // the grid of loads included), and its bound is a bound.
                // (Relative: HiGHS's values carry its 1e-7 tolerances.)
                if let Some(program) = solution.solver_objective {
                    prop_assert!(
                        (program - reported).abs() <= 1e-6 * reported.abs().max(1.0),
                        "program's objective {program}, the model's {reported}"
                    );
                }
                prop_assert!(solution.bound <= best + 1e-6, "bound {} above the optimum {best}", solution.bound);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    /// `--solver bp` (branch-and-price where it applies, HiGHS where not) finds the
    /// optimum of enumeration, the checker accepts it, and its bound is a bound.
    #[test]
    fn branch_and_price_matches_brute_force(scenario in scenario_strategy()) {
        let Ok(instance) = Instance::new(&scenario) else {
            return Ok(());
        };
        let options = SolveOptions {
            mip_gap: 0.0,
            threads: Some(1),
            solver: SolverChoice::Bp,
            ..SolveOptions::default()
        };
        let best = brute_force(&scenario);
        match solve(&instance, &options) {
            Err(Error::Infeasible(_)) => prop_assert!(best.is_none(), "infeasible, enumeration found {best:?}"),
            Err(e) => prop_assert!(false, "solver failed: {e}"),
            Ok(solution) => {
                let report = check(&scenario, &rows_of(&instance, &solution.allocation));
                prop_assert!(report.is_valid(), "checker rejects the allocation:\n{report}");
                let checked = report.objective.total;
                let best = best.expect("an allocation was found, so enumeration must");
                prop_assert!((checked - best).abs() < 1e-6, "bp {checked}, enumeration optimum {best}");
                if let Some(own) = solution.solver_objective {
                    prop_assert!((own - checked).abs() <= 1e-6 * checked.abs().max(1.0), "own objective {own}, the model's {checked}");
                }
                prop_assert!(solution.bound <= best + 1e-6, "bound {} above the optimum {best}", solution.bound);
            }
        }
    }
}
