//! Synthetic, realistic scenarios reproducible from a seed.
//!
//! [`generate`] builds the workers, children and policy of an imaginary English
//! children's social care service: locality teams of 6–10 social workers (some part
//! time, one or two newly qualified, some with court, disability or language skills),
//! holding child in need, child protection, looked-after, court and care leaver work,
//! about 40 % of children in sibling groups. Before the run, teams are near capacity and
//! one worker per team is overloaded; about 10 % of children are new referrals, about
//! 5 % of workers are leaving or on leave, a few families are pinned to their worker and
//! a few have a conflict of interest with a worker. Every figure is a named constant in
//! the `params` submodule.
//!
//! Inside, the submodules use each other one way: `rng` and `kind` (the types of work and
//! their skill tags) at the bottom, then `params`, then `names`, `families` and
//! `workforce`, then `allocation`, `disruptions` and `summary`.
//!
//! The same options give the same scenario, byte for byte, on every platform: the
//! randomness is a seeded ChaCha8 stream and nothing depends on hash order.
//!
//! ```
//! use caseload::generate::{generate, GenerateOptions};
//!
//! let scenario = generate(&GenerateOptions { teams: 3, seed: 42, ..GenerateOptions::default() });
//! assert!(scenario.workers.len() >= 18);
//! assert_eq!(scenario, generate(&GenerateOptions { teams: 3, seed: 42, ..GenerateOptions::default() }));
//! ```
//!
//! No generated person or child is real: names are drawn from lists of common names.

mod allocation;
mod disruptions;
mod families;
mod kind;
mod names;
mod params;
pub(crate) mod rng;
mod summary;
mod workforce;

use std::collections::BTreeSet;

pub use kind::CaseKind;
pub use summary::{summarize, Summary, OVERLOAD_THRESHOLD};

use crate::model::{CapacityMode, Case, CaseId, Policy, Scenario, Tag, Worker, WorkerId};
use families::{Family, SkillBudget};
use names::{case_id, group_id, team_label, width};
use rng::{SeededRng, Stream};
use workforce::Staff;

/// The seed of the shipped demo scenario (`scenarios/demo`, two teams).
pub const DEMO_SEED: u64 = 54;

/// What to generate. `GenerateOptions::default()` is the shipped demo: two teams,
/// seed [`DEMO_SEED`], the default policy (docs/model.md) with a 30 s time limit.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerateOptions {
    /// Number of teams (each of 6–10 workers).
    pub teams: usize,
    /// Seed of the random streams: the same options give the same scenario.
    pub seed: u64,
    /// Write `cross_team = true` in the policy: cases may go to another team's workers.
    pub cross_team: bool,
    /// Write `capacity = "soft"` in the policy.
    pub soft_capacity: bool,
    /// Write this `max_moves` in the policy (`None`: the default).
    pub max_moves: Option<u64>,
    /// The policy's `time_limit_s` (default 30).
    pub time_limit_s: f64,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            teams: 2,
            seed: DEMO_SEED,
            cross_team: false,
            soft_capacity: false,
            max_moves: None,
            time_limit_s: params::TIME_LIMIT_S,
        }
    }
}

/// Generates a realistic synthetic scenario; the same options always give the same
/// scenario. Workers and cases are sorted by id.
pub fn generate(options: &GenerateOptions) -> Scenario {
    let seed = options.seed;
    let policy = policy(options);
    let team_width = width(options.teams, 2);

    let mut staff = workforce::workforce(
        &mut SeededRng::new(seed, Stream::Workforce),
        options.teams,
        team_width,
        policy.standard_capacity,
    );
    let mut families = draw_families(
        &mut SeededRng::new(seed, Stream::Families),
        &staff,
        options.teams,
    );

    allocation::allocate(&staff, &mut families);
    allocation::split_some_groups(
        &mut SeededRng::new(seed, Stream::Allocation),
        &staff,
        &mut families,
    );

    let rng = &mut SeededRng::new(seed, Stream::Disruptions);
    disruptions::escalate(rng, &staff, &mut families);
    disruptions::staff_leave(rng, &mut staff);
    disruptions::conflicts_of_interest(rng, &staff, &mut families);
    disruptions::pin(rng, &staff, &mut families);

    assemble(
        &mut SeededRng::new(seed, Stream::Numbering),
        &staff,
        families,
        team_width,
        policy,
    )
}

/// The default policy (docs/model.md) with the options applied.
fn policy(options: &GenerateOptions) -> Policy {
    let mut policy = Policy {
        cross_team: options.cross_team,
        time_limit_s: options.time_limit_s,
        ..Policy::default()
    };
    if options.soft_capacity {
        policy.capacity = CapacityMode::Soft;
    }
    if let Some(max_moves) = options.max_moves {
        policy.max_moves = max_moves;
    }
    policy
}

/// Every team's families: its caseload, sized to its workers' target loads (its skilled
/// work within what its skilled workers can hold), then its new referrals, about 10 % of
/// all its children.
fn draw_families(rng: &mut SeededRng, staff: &[Staff], teams: usize) -> Vec<Family> {
    let mut all = Vec::new();
    for team in 0..teams {
        let members = || staff.iter().filter(move |s| s.team == team);
        let target: f64 = members().map(Staff::target_load).sum();
        let languages: Vec<&'static str> = members()
            .flat_map(|s| s.skills.iter().copied())
            .filter(|tag| params::LANGUAGES.iter().any(|(l, _)| l == tag))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let skilled = |tag: &str| -> f64 {
            members()
                .filter(|s| s.skills.contains(tag))
                .map(Staff::target_load)
                .sum()
        };
        let budget = SkillBudget {
            court: skilled(kind::COURT) * params::COURT_WORK_SHARE,
            child_protection: skilled(kind::CHILD_PROTECTION) * params::CHILD_PROTECTION_WORK_SHARE,
        };
        let caseload = families::caseload_families(rng, team, target, &budget, &languages);
        let held: usize = caseload.iter().map(|f| f.children.len()).sum();
        let share = params::NEW_REFERRAL_SHARE;
        let new = (held as f64 * share / (1.0 - share)).round() as usize;
        let referrals = families::referral_families(rng, team, new, &languages);
        all.extend(caseload);
        all.extend(referrals);
    }
    all
}

/// Gives ids and builds the scenario. Families held now are numbered first, in a random
/// order, then the new referrals (the newest ids), each family's children consecutively.
fn assemble(
    rng: &mut SeededRng,
    staff: &[Staff],
    families: Vec<Family>,
    team_width: usize,
    policy: Policy,
) -> Scenario {
    let workers = staff
        .iter()
        .map(|s| worker(s, team_width))
        .collect::<Vec<_>>();

    let (mut held, mut referrals): (Vec<Family>, Vec<Family>) =
        families.into_iter().partition(|f| !f.referral);
    rng.shuffle(&mut held);
    rng.shuffle(&mut referrals);
    let families: Vec<Family> = held.into_iter().chain(referrals).collect();

    let children: usize = families.iter().map(|f| f.children.len()).sum();
    let groups = families.iter().filter(|f| f.is_group()).count();
    let (case_width, group_width) = (width(children, 5), width(groups, 4));

    let mut cases = Vec::with_capacity(children);
    let mut group_number = 0;
    for family in &families {
        let group = family.is_group().then(|| {
            group_number += 1;
            group_id(group_number - 1, group_width)
        });
        for child in &family.children {
            let mut prefers: Vec<&str> = family.language.into_iter().collect();
            if child.disability {
                prefers.push(kind::DISABILITY);
            }
            let case = Case {
                id: CaseId::new(case_id(cases.len(), case_width)),
                weight: child.weight(),
                team: team_label(family.team, team_width),
                requires: child.kind.requires().iter().map(Tag::new).collect(),
                prefers: prefers.into_iter().map(Tag::new).collect(),
                group: group.clone(),
                current_worker: child.current.map(|w| WorkerId::new(&staff[w].id)),
                pinned: child.pinned,
                exclude: family
                    .exclude
                    .map(|w| WorkerId::new(&staff[w].id))
                    .into_iter()
                    .collect(),
                priority: child.priority,
                hold: None,
                never: Default::default(),
            };
            cases.push(case);
        }
    }
    Scenario::new(workers, cases, policy)
}

/// The model's worker for a generated one.
fn worker(s: &Staff, team_width: usize) -> Worker {
    Worker {
        id: WorkerId::new(&s.id),
        name: s.name.clone(),
        team: team_label(s.team, team_width),
        fte: s.fte,
        capacity: s.explicit_capacity.then_some(s.capacity),
        max_cases: s.max_cases,
        max_new: s.max_new,
        skills: s.skills.iter().map(Tag::new).collect(),
        available: s.available,
        away: None,
    }
}

#[cfg(test)]
mod tests;
