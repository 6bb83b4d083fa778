use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::io::scenario_writer::{cases_csv, policy_toml, workers_csv};
use crate::model::eligibility;

fn options(teams: usize, seed: u64) -> GenerateOptions {
    GenerateOptions {
        teams,
        seed,
        ..GenerateOptions::default()
    }
}

/// The cases of each sibling group.
fn groups(scenario: &Scenario) -> BTreeMap<&str, Vec<&Case>> {
    let mut groups: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for case in &scenario.cases {
        if let Some(g) = &case.group {
            groups.entry(g.as_str()).or_default().push(case);
        }
    }
    groups
}

/// The cases of the unit of `case`: its group, or itself.
fn unit<'a>(scenario: &'a Scenario, case: &'a Case) -> Vec<&'a Case> {
    match &case.group {
        Some(g) => scenario
            .cases
            .iter()
            .filter(|c| c.group.as_ref() == Some(g))
            .collect(),
        None => vec![case],
    }
}

fn worker<'a>(scenario: &'a Scenario, id: &WorkerId) -> &'a Worker {
    scenario
        .workers
        .iter()
        .find(|w| &w.id == id)
        .unwrap_or_else(|| panic!("unknown worker {id}"))
}

fn load_of(scenario: &Scenario, w: &Worker) -> f64 {
    scenario
        .cases
        .iter()
        .filter(|c| c.current_worker.as_ref() == Some(&w.id))
        .map(|c| c.weight)
        .sum()
}

/// Checks every rule of docs/model.md "Invalid input" that a generated scenario could break.
fn assert_valid(scenario: &Scenario) {
    let worker_ids: BTreeSet<&WorkerId> = scenario.workers.iter().map(|w| &w.id).collect();
    assert_eq!(
        worker_ids.len(),
        scenario.workers.len(),
        "duplicate worker id"
    );
    let case_ids: BTreeSet<&str> = scenario.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(case_ids.len(), scenario.cases.len(), "duplicate case id");
    for w in &scenario.workers {
        assert!(!w.id.as_str().is_empty());
        assert!(w.fte > 0.0 && w.fte <= 1.0, "{}: fte {}", w.id, w.fte);
        assert!(w.capacity.is_none_or(|c| c.is_finite() && c >= 0.0));
    }
    for c in &scenario.cases {
        assert!(!c.id.as_str().is_empty());
        assert!(c.weight.is_finite() && c.weight > 0.0);
        assert!(
            (1..=5).contains(&c.priority),
            "{}: priority {}",
            c.id,
            c.priority
        );
        for id in c.current_worker.iter().chain(&c.exclude) {
            assert!(worker_ids.contains(id), "{}: unknown worker {id}", c.id);
        }
        if c.pinned {
            let id = c
                .current_worker
                .as_ref()
                .expect("a pinned case has a worker");
            let w = worker(scenario, id);
            for member in unit(scenario, c) {
                assert_eq!(
                    eligibility(w, member, &scenario.policy),
                    Ok(()),
                    "{} pinned to {id}, who may not hold {}",
                    c.id,
                    member.id
                );
                if member.pinned {
                    assert_eq!(member.current_worker.as_ref(), Some(id));
                }
            }
        }
    }
    for policy_band in scenario.policy.bands.windows(2) {
        assert!(policy_band[0].from < policy_band[1].from);
        assert!(policy_band[0].cost <= policy_band[1].cost);
    }
}

#[test]
fn the_same_seed_gives_the_same_scenario_and_the_same_text() {
    let a = generate(&options(4, 77));
    let b = generate(&options(4, 77));
    assert_eq!(a, b);
    assert_eq!(workers_csv(&a).unwrap(), workers_csv(&b).unwrap());
    assert_eq!(cases_csv(&a).unwrap(), cases_csv(&b).unwrap());
    assert_eq!(policy_toml(&a.policy), policy_toml(&b.policy));
}

#[test]
fn different_seeds_give_different_scenarios() {
    let a = generate(&options(3, 1));
    let b = generate(&options(3, 2));
    assert_ne!(cases_csv(&a).unwrap(), cases_csv(&b).unwrap());
    assert_ne!(workers_csv(&a).unwrap(), workers_csv(&b).unwrap());
}

#[test]
fn policy_options_change_the_policy_only() {
    let plain = generate(&options(2, 5));
    let shaped = generate(&GenerateOptions {
        cross_team: true,
        soft_capacity: true,
        max_moves: Some(25),
        time_limit_s: 12.5,
        ..options(2, 5)
    });
    assert_eq!(plain.workers, shaped.workers);
    assert_eq!(plain.cases, shaped.cases);
    assert!(shaped.policy.cross_team);
    assert_eq!(shaped.policy.capacity, CapacityMode::Soft);
    assert_eq!(shaped.policy.max_moves, 25);
    assert_eq!(shaped.policy.time_limit_s, 12.5);
    assert_eq!(
        plain.policy,
        Policy {
            time_limit_s: 30.0,
            ..Policy::default()
        }
    );
}

#[test]
fn no_team_gives_an_empty_scenario() {
    let s = generate(&options(0, 1));
    assert!(s.workers.is_empty() && s.cases.is_empty());
}

#[test]
fn ids_follow_the_documented_patterns_and_rows_are_sorted() {
    let s = generate(&options(3, 11));
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    for w in &s.workers {
        let id = w.id.as_str();
        assert!(
            id.len() == 5 && id.starts_with('W') && is_digits(&id[1..]),
            "{id}"
        );
        assert_eq!(w.team, format!("T{}", &id[1..3]));
        assert!(!w.name.is_empty());
    }
    for c in &s.cases {
        let id = c.id.as_str();
        assert!(
            id.len() == 6 && id.starts_with('C') && is_digits(&id[1..]),
            "{id}"
        );
        if let Some(g) = &c.group {
            assert!(
                g.len() == 5 && g.starts_with('F') && is_digits(&g[1..]),
                "{g}"
            );
        }
    }
    assert!(s.workers.windows(2).all(|p| p[0].id < p[1].id));
    assert!(s.cases.windows(2).all(|p| p[0].id < p[1].id));
    assert_eq!(s.cases[0].id.as_str(), "C00001");
}

#[test]
fn generated_scenarios_are_valid_input() {
    for seed in 0..20 {
        let s = generate(&options(3, seed));
        assert_valid(&s);
        assert!(s.cases.iter().any(|c| c.pinned), "seed {seed}: no pin");
        assert!(
            s.cases.iter().any(|c| !c.exclude.is_empty()),
            "seed {seed}: no conflict"
        );
    }
}

#[test]
fn the_current_allocation_respects_eligibility_except_for_forced_moves() {
    let s = generate(&options(10, 3));
    let mut escalations = 0;
    for c in &s.cases {
        let Some(id) = &c.current_worker else {
            continue;
        };
        let w = worker(&s, id);
        assert_eq!(w.team, c.team, "{}: held outside its team", c.id);
        assert!(!c.exclude.contains(id), "{}: excludes its own worker", c.id);
        match eligibility(w, c, &s.policy) {
            Ok(()) => {}
            // The worker is leaving: the case must move.
            Err(crate::model::Ineligible::Unavailable) => {}
            // A child in need case escalated to a plan while held by a newly qualified
            // worker, a lone child.
            Err(crate::model::Ineligible::LacksTag(tag)) => {
                assert_eq!(tag.as_str(), "child-protection");
                assert_eq!(CaseKind::of(c), Some(CaseKind::ChildProtection));
                assert!(c.group.is_none());
                escalations += 1;
            }
            Err(other) => panic!("{}: {other:?}", c.id),
        }
    }
    assert!(escalations > 0, "no escalation in 10 teams");
}

#[test]
fn siblings_share_a_team_and_almost_always_a_worker() {
    let s = generate(&options(10, 8));
    let groups = groups(&s);
    let mut split = 0;
    for (g, members) in &groups {
        assert!((2..=4).contains(&members.len()), "{g}: {}", members.len());
        let teams: BTreeSet<&str> = members.iter().map(|c| c.team.as_str()).collect();
        assert_eq!(teams.len(), 1, "{g} spans teams");
        let holders: BTreeSet<Option<&WorkerId>> =
            members.iter().map(|c| c.current_worker.as_ref()).collect();
        if holders.len() > 1 {
            split += 1;
        }
        // Some worker of the team may hold the whole group.
        let team = teams.iter().next().copied().unwrap_or_default();
        let policy = Policy::default();
        assert!(
            s.workers.iter().any(|w| {
                w.team == team
                    && members.iter().all(|c| {
                        let mut w = w.clone();
                        w.available = true;
                        eligibility(&w, c, &policy).is_ok()
                    })
            }),
            "{g}: nobody in {team} may hold every child"
        );
    }
    assert!(
        split * 10 < groups.len(),
        "{split} of {} groups split",
        groups.len()
    );
}

#[test]
fn the_stated_proportions_hold_for_thirty_teams() {
    let s = generate(&options(30, 2024));
    assert_valid(&s);
    let m = summarize(&s);
    assert_eq!(m.teams, 30);

    let mut team_sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for w in &s.workers {
        *team_sizes.entry(w.team.as_str()).or_default() += 1;
    }
    assert!(
        team_sizes.values().all(|n| (6..=10).contains(n)),
        "{team_sizes:?}"
    );

    let share = |n: usize| n as f64 / m.cases as f64;
    let in_groups = share(m.children_in_groups);
    assert!((0.33..=0.47).contains(&in_groups), "in groups {in_groups}");
    let new = share(m.new_referrals);
    assert!((0.08..=0.12).contains(&new), "new {new}");
    let unavailable = m.unavailable.len() as f64 / m.workers as f64;
    assert!(
        (0.04..=0.06).contains(&unavailable),
        "unavailable {unavailable}"
    );
    assert!(
        (0.9..=1.05).contains(&m.mean_utilisation),
        "mean utilisation {}",
        m.mean_utilisation
    );
    // One overloaded worker per team, a few more where the lumps of families fall.
    assert!(
        (30..=45).contains(&m.overloaded.len()),
        "{} overloaded",
        m.overloaded.len()
    );
    // About 16 children and 21 points held per full-time equivalent.
    let held = (m.cases - m.new_referrals) as f64;
    assert!((14.0..=19.0).contains(&(held / m.fte)), "{}", held / m.fte);
    assert!(
        (19.0..=22.5).contains(&(m.load / m.fte)),
        "{}",
        m.load / m.fte
    );
    // One or two newly qualified workers per team.
    assert!((30..=60).contains(&m.without_child_protection.len()));
    // Every kind of work is present, child in need the most common.
    let kinds: BTreeMap<CaseKind, usize> = m.by_kind.iter().copied().collect();
    assert_eq!(m.other_kind, 0);
    assert!(kinds.values().all(|&n| n > 0));
    assert!(kinds.values().all(|&n| n <= kinds[&CaseKind::ChildInNeed]));
    assert!(m.pinned > 0 && m.conflicts > 0 && m.forced > 0);
    // Some families need a language, which some worker of their team speaks.
    let languages: Vec<&Case> = s
        .cases
        .iter()
        .filter(|c| c.prefers.iter().any(|t| t.as_str() != "disability"))
        .collect();
    assert!(
        languages.len() * 50 > m.cases,
        "{} need a language",
        languages.len()
    );
    for c in languages {
        assert!(
            s.workers.iter().any(|w| w.team == c.team
                && c.prefers
                    .iter()
                    .all(|t| t.as_str() == "disability" || w.has(t))),
            "{}: nobody in {} speaks {:?}",
            c.id,
            c.team,
            c.prefers
        );
    }
}

// ---------------------------------------------------------------------------------------
// The shipped demo, `scenarios/demo`
// ---------------------------------------------------------------------------------------

fn demo_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo")
}

#[test]
fn demo_scenario_has_the_advertised_features() {
    let s = generate(&GenerateOptions::default());
    assert_eq!(GenerateOptions::default(), options(2, DEMO_SEED));
    assert_valid(&s);
    let m = summarize(&s);
    assert_eq!(m.teams, 2);
    assert!((13..=17).contains(&m.workers), "{} workers", m.workers);
    assert!((230..=270).contains(&m.cases), "{} children", m.cases);
    // Every kind of work, with its weight.
    assert_eq!(m.other_kind, 0);
    assert!(m.by_kind.iter().all(|&(_, n)| n > 0), "{:?}", m.by_kind);
    // Sibling groups and new referrals.
    assert!(m.groups >= 10 && m.new_referrals >= 10);
    // One worker leaving, holding cases.
    assert_eq!(m.unavailable.len(), 1);
    assert!(m.unavailable[0].1 > 0);
    // Two overloaded workers, at 110–130 %.
    assert_eq!(m.overloaded.len(), 2, "{:?}", m.overloaded);
    assert!(m.overloaded.iter().all(|&(_, u)| u <= 1.3));
    // A newly qualified worker: reduced capacity, a limit on new cases, no child protection.
    assert!(s.workers.iter().any(|w| {
        w.available
            && !w.has(&Tag::new("child-protection"))
            && w.capacity
                .is_some_and(|c| c < w.fte * s.policy.standard_capacity)
            && w.max_new.is_some()
    }));
    // At least one pin and one conflict of interest.
    assert!(m.pinned >= 1 && m.conflicts >= 1);
    // The default policy (docs/model.md) with a 30 s time limit.
    assert_eq!(
        s.policy,
        Policy {
            time_limit_s: 30.0,
            ..Policy::default()
        }
    );
    // Overloaded workers are overloaded before the run, not the leaver.
    for (id, _) in &m.overloaded {
        assert!(worker(&s, id).available);
        assert!(load_of(&s, worker(&s, id)) > 1.1 * s.capacity_of(worker(&s, id)));
    }
}

#[test]
fn demo_files_on_disk_match_the_generator_byte_for_byte() {
    let s = generate(&GenerateOptions::default());
    let dir = demo_dir();
    let expected = [
        ("workers.csv", workers_csv(&s).unwrap()),
        ("cases.csv", cases_csv(&s).unwrap()),
        ("policy.toml", policy_toml(&s.policy)),
    ];
    for (name, text) in expected {
        let on_disk = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("scenarios/demo/{name}: {e}"));
        assert!(
            on_disk == text,
            "scenarios/demo/{name} differs from the generator; regenerate with \
             `cargo test --release --lib regenerate_demo -- --ignored`"
        );
    }
}

/// Rewrites `scenarios/demo` from the generator (run by hand after changing it).
#[test]
#[ignore]
fn regenerate_demo() {
    let demo = generate(&GenerateOptions::default());
    crate::io::scenario_writer::write_scenario(&demo_dir(), &demo).expect("write scenarios/demo");
    println!("{}", summarize(&demo));
}
