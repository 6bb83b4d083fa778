//! Teams and their workers: contracts, experience, skills and how full each is meant to be.

use std::collections::BTreeSet;

use super::kind::{CHILD_PROTECTION, COURT, DISABILITY};
use super::names::{person_name, worker_id};
use super::params::*;
use super::rng::SeededRng;

/// A worker while the scenario is being generated.
#[derive(Clone, Debug)]
pub(super) struct Staff {
    /// Worker id, e.g. `W0103`.
    pub id: String,
    /// Team index (0-based).
    pub team: usize,
    /// Display name.
    pub name: String,
    /// Full-time equivalent.
    pub fte: f64,
    /// Newly qualified (ASYE): protected caseload, no child protection work yet.
    pub newly_qualified: bool,
    /// Capacity in points.
    pub capacity: f64,
    /// Whether `capacity` is written explicitly (it differs from `fte × standard_capacity`).
    pub explicit_capacity: bool,
    /// Most children held.
    pub max_cases: Option<u32>,
    /// Most new cases in one run.
    pub max_new: Option<u32>,
    /// Skill tags.
    pub skills: BTreeSet<&'static str>,
    /// False when leaving or on leave.
    pub available: bool,
    /// Utilisation the current allocation aims at for this worker.
    pub target_utilisation: f64,
    /// Deliberately overloaded (target above 100 %).
    pub overloaded: bool,
}

impl Staff {
    /// Whether the worker has every tag in `tags`.
    pub(super) fn has_all<'a>(&self, tags: impl IntoIterator<Item = &'a str>) -> bool {
        tags.into_iter().all(|t| self.skills.contains(t))
    }

    /// Points of load the current allocation aims at.
    pub(super) fn target_load(&self) -> f64 {
        self.target_utilisation * self.capacity
    }
}

/// The workers of every team, team by team, each team's ids in order.
pub(super) fn workforce(
    rng: &mut SeededRng,
    teams: usize,
    team_width: usize,
    standard_capacity: f64,
) -> Vec<Staff> {
    let mut used_names = BTreeSet::new();
    (0..teams)
        .flat_map(|team| team_workers(rng, team, team_width, standard_capacity, &mut used_names))
        .collect()
}

/// One team: 6–10 workers, one or two newly qualified, at least two who take court work,
/// one overloaded.
fn team_workers(
    rng: &mut SeededRng,
    team: usize,
    team_width: usize,
    standard_capacity: f64,
    used_names: &mut BTreeSet<String>,
) -> Vec<Staff> {
    let size = rng.between(MIN_WORKERS_PER_TEAM, MAX_WORKERS_PER_TEAM);
    let newly_qualified = rng.between(MIN_NEWLY_QUALIFIED_PER_TEAM, MAX_NEWLY_QUALIFIED_PER_TEAM);
    // Who is newly qualified, in id order: a shuffled list of roles.
    let mut roles: Vec<bool> = (0..size).map(|i| i < newly_qualified).collect();
    rng.shuffle(&mut roles);

    let mut staff: Vec<Staff> = roles
        .iter()
        .enumerate()
        .map(|(member, &nq)| {
            let id = worker_id(team, team_width, member);
            let name = person_name(rng, used_names);
            if nq {
                newly_qualified_worker(rng, id, name, team, standard_capacity)
            } else {
                experienced_worker(rng, id, name, team, standard_capacity)
            }
        })
        .collect();
    give_court_skills(rng, &mut staff);
    choose_overloaded(rng, &mut staff);
    staff
}

/// A newly qualified worker in their assessed first year: full time, a protected caseload
/// (explicit capacity below standard), a limit on new cases, and no child protection or
/// court work yet.
fn newly_qualified_worker(
    rng: &mut SeededRng,
    id: String,
    name: String,
    team: usize,
    standard_capacity: f64,
) -> Staff {
    let fte = 1.0;
    let capacity = round_to_tenth(NEWLY_QUALIFIED_CAPACITY_FACTOR * fte * standard_capacity);
    let mut skills = BTreeSet::new();
    add_language(rng, &mut skills);
    Staff {
        id,
        team,
        name,
        fte,
        newly_qualified: true,
        capacity,
        explicit_capacity: true,
        max_cases: None,
        max_new: Some(NEWLY_QUALIFIED_MAX_NEW),
        skills,
        available: true,
        target_utilisation: ordinary_target(rng),
        overloaded: false,
    }
}

/// An experienced worker: child protection, sometimes disability expertise or a language;
/// part-timers have a cap on children held. Court skills are given per team afterwards.
fn experienced_worker(
    rng: &mut SeededRng,
    id: String,
    name: String,
    team: usize,
    standard_capacity: f64,
) -> Staff {
    let part_time = rng.chance(PART_TIME_SHARE);
    let fte = if part_time {
        rng.pick(&PART_TIME_FTES).copied().unwrap_or(1.0)
    } else {
        1.0
    };
    let max_cases = part_time.then(|| (fte * PART_TIME_MAX_CASES_PER_FTE).round() as u32);
    let mut skills = BTreeSet::from([CHILD_PROTECTION]);
    if rng.chance(DISABILITY_SKILL_SHARE) {
        skills.insert(DISABILITY);
    }
    add_language(rng, &mut skills);
    Staff {
        id,
        team,
        name,
        fte,
        newly_qualified: false,
        capacity: fte * standard_capacity,
        explicit_capacity: false,
        max_cases,
        max_new: None,
        skills,
        available: true,
        target_utilisation: ordinary_target(rng),
        overloaded: false,
    }
}

/// Gives court skills to about 40 % of the team's experienced workers, at least two.
fn give_court_skills(rng: &mut SeededRng, staff: &mut [Staff]) {
    let mut experienced: Vec<usize> = (0..staff.len())
        .filter(|&i| !staff[i].newly_qualified)
        .collect();
    let wanted = ((COURT_SKILL_SHARE * experienced.len() as f64).round() as usize)
        .max(MIN_COURT_WORKERS_PER_TEAM)
        .min(experienced.len());
    rng.shuffle(&mut experienced);
    for &i in &experienced[..wanted] {
        staff[i].skills.insert(COURT);
    }
}

/// Makes one experienced full-time worker per team overloaded (110–130 % before the run).
fn choose_overloaded(rng: &mut SeededRng, staff: &mut [Staff]) {
    let mut candidates: Vec<usize> = (0..staff.len())
        .filter(|&i| !staff[i].newly_qualified && staff[i].fte == 1.0)
        .collect();
    rng.shuffle(&mut candidates);
    for &i in candidates.iter().take(OVERLOADED_PER_TEAM) {
        staff[i].overloaded = true;
        staff[i].target_utilisation = rng.uniform(OVERLOAD_LOW, OVERLOAD_HIGH);
    }
}

/// Adds a community language with probability [`LANGUAGE_SKILL_SHARE`].
fn add_language(rng: &mut SeededRng, skills: &mut BTreeSet<&'static str>) {
    if rng.chance(LANGUAGE_SKILL_SHARE) {
        skills.insert(rng.weighted(&LANGUAGES));
    }
}

/// The target utilisation of an ordinary (not overloaded) worker.
fn ordinary_target(rng: &mut SeededRng) -> f64 {
    rng.uniform(TARGET_UTILISATION_LOW, TARGET_UTILISATION_HIGH)
}

/// `x` rounded to one decimal, so it prints as e.g. `19.8`.
fn round_to_tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
