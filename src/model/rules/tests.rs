use super::*;
use crate::model::{CapacityMode, Case, Instance, PairTerms, Policy, Scenario, Worker};

fn scenario(policy: Policy) -> Scenario {
    let mut a = Worker::new("A").capacity(2.0);
    a.max_cases = Some(1);
    a.max_new = Some(0);
    let workers = vec![a, Worker::new("B").capacity(5.0)];
    let cases = vec![
        Case::new("C1").weight(1.5).held_by("A"),
        Case::new("C2").weight(1.5).held_by("A"),
    ];
    Scenario::new(workers, cases, policy)
}

fn instance(policy: Policy) -> Instance {
    Instance::new(&scenario(policy)).expect("valid")
}

#[test]
fn a_limit_is_never_below_what_the_worker_held_before() {
    let hard = instance(Policy {
        capacity: CapacityMode::Hard,
        max_moves: 7,
        ..Policy::default()
    });
    let a = Limits::of(&hard, 0);
    assert_eq!(a.load, Some(3.0));
    assert_eq!(a.cases, Some(2));
    assert_eq!(a.new_cases, Some(0));
    assert!(a.admit(3.0 + 1e-10, 2, 0));
    assert!(!a.load_ok(3.01));
    assert!(!a.cases_ok(3));
    assert!(!a.new_cases_ok(1));
    assert_eq!(
        a.over(3.5, 3, 1),
        vec![
            Over::Load {
                load: 3.5,
                limit: 3.0
            },
            Over::Cases { cases: 3, limit: 2 },
            Over::NewCases {
                received: 1,
                limit: 0
            }
        ]
    );
    assert!(a.over(3.0, 2, 0).is_empty());
    assert_eq!(Limits::of(&hard, 1).cases, None);
    assert_eq!(moves_budget(&hard.policy), 7);
    assert!(moves_ok(&hard.policy, 7) && !moves_ok(&hard.policy, 8));
    let soft = instance(Policy {
        capacity: CapacityMode::Soft,
        ..Policy::default()
    });
    assert_eq!(Limits::of(&soft, 0).load, None);
}

#[test]
fn a_pair_counts_its_cases_new_cases_and_moves() {
    let i = instance(Policy::default());
    let u = (0..i.units.len())
        .find(|&u| i.units[u].key == "C1")
        .expect("unit C1");
    let on_a = PairNumbers::of(&i, u, 0);
    assert_eq!((on_a.cases, on_a.new_cases), (1, 0));
    assert_eq!(on_a.load, 1.5);
    let on_b = PairNumbers::of(&i, u, 1);
    assert_eq!(on_b.new_cases, 1);
    assert_eq!(on_b.moves, i.discretionary_moves(u, Some(1)));
}

#[test]
fn the_scenario_as_given_reads_the_limits_the_instance_reads() {
    // Pair weights change what A held before (C1 weighs 4 on A) and what C2 weighs on B;
    // the workers are given out of id order, so positions differ from the instance's.
    let mut s = scenario(Policy::default());
    s.workers.reverse();
    s.pairs.insert(
        ("C1".into(), "A".into()),
        PairTerms {
            cost: 3.0,
            weight: Some(4.0),
        },
    );
    s.pairs.insert(
        ("C2".into(), "B".into()),
        PairTerms {
            cost: 0.5,
            weight: Some(0.25),
        },
    );
    let i = Instance::new(&s).expect("valid");
    let given = Given::new(&s);
    for (g, worker) in s.workers.iter().enumerate() {
        let w = i.worker(&worker.id).expect("known worker");
        assert_eq!(given.limits(g), Limits::of(&i, w), "{}", worker.id);
        for (k, case) in s.cases.iter().enumerate() {
            let c = i.case(&case.id).expect("known case");
            assert_eq!(given.weight_on(k, g), i.weight_on(c, w));
            assert_eq!(given.pair_cost(k, g), i.pair_cost(c, w));
        }
    }
    // A held 1.5 + 4 = 5.5 points before, over its capacity of 2.
    assert_eq!(given.limits(1).load, Some(5.5));
    assert_eq!(given.held_before(1), (5.5, 2));
    assert_eq!(given.load_of(0, &[0, 1]), 1.5 + 0.25);
    assert_eq!(given.received(0, &[0, 1]), 2);
}

#[test]
fn siblings_are_one_unit_and_a_group_named_like_a_case_is_its_own() {
    let cases = vec![
        Case::new("C3").group("C1"),
        Case::new("C1"),
        Case::new("C2").group("C1"),
        Case::new("C0"),
    ];
    assert_eq!(
        units_of(&cases),
        vec![
            ("C1".to_string(), vec![0, 2]),
            ("C0".to_string(), vec![3]),
            ("C1".to_string(), vec![1]),
        ]
    );
    assert_eq!(
        siblings(&cases),
        vec![vec![0, 2], vec![1], vec![0, 2], vec![3]]
    );
}

#[test]
fn a_conflict_keeps_a_worker_whatever_its_skills() {
    let w = Worker::new("W1");
    let case = Case::new("C1").exclude(["W1"]);
    assert_eq!(conflict(&w, &case), Some(Ineligible::Excluded));
    assert_eq!(
        eligibility(&w, &case, &Policy::default()),
        Err(Ineligible::Excluded)
    );
    assert_eq!(conflict(&w, &Case::new("C2")), None);
}

#[test]
fn band_cost_is_piecewise_linear_with_default_bands() {
    let p = Policy::default();
    // capacity 20: bands start at 14, 17, 20.
    assert!(p.band_cost(14.0, 20.0).abs() < 1e-12);
    assert!((p.band_cost(16.0, 20.0) - 2.0).abs() < 1e-12);
    // 3 points at cost 1, 3 at cost 5, 2 at cost 50
    assert!((band_cost(&p.bands, 22.0, 20.0) - (3.0 + 15.0 + 100.0)).abs() < 1e-9);
}

#[test]
fn zero_capacity_puts_every_point_in_the_last_band() {
    let p = Policy::default();
    assert!((p.band_cost(2.0, 0.0) - 100.0).abs() < 1e-12);
}

#[test]
fn the_objective_terms_add_up_to_the_total_pairs_included() {
    let mut s = scenario(Policy::default());
    s.cases.push(Case::new("C3").weight(2.0).prefers(["court"]));
    s.pairs.insert(
        ("C3".into(), "B".into()),
        PairTerms {
            cost: 7.25,
            weight: None,
        },
    );
    let i = Instance::new(&s).expect("valid");
    let b = i.worker(&"B".into()).expect("B");
    let units = (0..i.units.len())
        .map(|u| (i.units[u].key != "C2").then_some(b))
        .collect();
    let eval = i.evaluate(&crate::model::Allocation { units });
    let o = eval.objective;
    assert_eq!(o.pairs, 7.25);
    assert_eq!(o.preferences, 2.0);
    assert_eq!(o.unallocated, 1.5 * 3.0 * 1000.0);
    assert_eq!(o.moves, 20.0, "C1 moved from A, who still fits");
    let sum = o.unallocated + o.bands + o.moves + o.preferences + o.pairs;
    assert!((o.total - sum).abs() < 1e-9, "{o:?}");
}
