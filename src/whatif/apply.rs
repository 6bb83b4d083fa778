//! Applying a variant's edits to the base scenario, with its own seeded random draws.

use std::collections::{BTreeMap, BTreeSet};

use super::error::VariantError;
use crate::generate::rng::{SeededRng, Stream};
use crate::model::plan::{Demand, Edit, NewWorkers, PolicyChange, Selection, WorkerUpdate};
use crate::model::{eligibility, Case, CaseId, Scenario, Worker, WorkerId};

/// The base scenario with `edits` applied in order; random choices come from `seed` only.
///
/// Pins that the edits make impossible (the worker left, lost a skill) are released, so
/// the child can move: a leaving worker cannot keep anyone.
pub fn apply(base: &Scenario, edits: &[Edit], seed: u64) -> Result<Scenario, VariantError> {
    let mut scenario = base.clone();
    // Sorted by id, so random choices do not depend on the order of the input rows.
    scenario.workers.sort_by(|a, b| a.id.cmp(&b.id));
    scenario.cases.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rng = SeededRng::new(seed, Stream::WhatIf);
    for edit in edits {
        apply_one(&mut scenario, edit, &mut rng)?;
    }
    release_broken_pins(&mut scenario);
    Ok(scenario)
}

fn apply_one(s: &mut Scenario, edit: &Edit, rng: &mut SeededRng) -> Result<(), VariantError> {
    match edit {
        Edit::RemoveWorkers(selection) => {
            for w in select(s, selection, rng)? {
                s.workers[w].available = false;
            }
        }
        Edit::UpdateWorkers(selection, update) => {
            for w in select(s, selection, rng)? {
                update_worker(&mut s.workers[w], update);
            }
        }
        Edit::AddWorkers(new) => add_workers(s, new),
        Edit::AddReferrals { demand, team } => add_referrals(s, *demand, team.as_deref(), rng)?,
        Edit::AddCases(cases) => s.cases.extend(cases.iter().cloned()),
        Edit::Policy(change) => change_policy(s, change),
    }
    Ok(())
}

/// Indices of the selected workers, ascending.
fn select(
    s: &Scenario,
    selection: &Selection,
    rng: &mut SeededRng,
) -> Result<Vec<usize>, VariantError> {
    let in_team = |team: &str| -> Result<Vec<usize>, VariantError> {
        let members: Vec<usize> = (0..s.workers.len())
            .filter(|&w| s.workers[w].team == team)
            .collect();
        if members.is_empty() {
            Err(VariantError::UnknownTeam(team.to_string()))
        } else {
            Ok(members)
        }
    };
    let random = |k: usize, team: &Option<String>, pool: Vec<usize>, rng: &mut SeededRng| {
        let mut pool: Vec<usize> = pool
            .into_iter()
            .filter(|&w| s.workers[w].available)
            .collect();
        if k > pool.len() {
            return Err(VariantError::TooFew {
                asked: k,
                available: pool.len(),
                team: team.clone(),
            });
        }
        // Shuffling the whole pool and taking a prefix makes selections nested: with the
        // same seed, the workers lost at 5 % are among those lost at 10 %.
        rng.shuffle(&mut pool);
        pool.truncate(k);
        pool.sort_unstable();
        Ok(pool)
    };
    let everyone = || (0..s.workers.len()).collect::<Vec<_>>();
    match selection {
        Selection::Ids(ids) => ids
            .iter()
            .map(|id| {
                s.workers
                    .iter()
                    .position(|w| &w.id == id)
                    .ok_or_else(|| VariantError::UnknownWorker(id.clone()))
            })
            .collect(),
        Selection::Team(team) => in_team(team),
        Selection::Count { count, team } => {
            let pool = team.as_deref().map_or_else(|| Ok(everyone()), in_team)?;
            random(*count, team, pool, rng)
        }
        Selection::Fraction { fraction, team } => {
            let pool = team.as_deref().map_or_else(|| Ok(everyone()), in_team)?;
            let available = pool.iter().filter(|&&w| s.workers[w].available).count();
            let k = (fraction * available as f64).round() as usize;
            random(k, team, pool, rng)
        }
    }
}

fn update_worker(worker: &mut Worker, update: &WorkerUpdate) {
    if let Some(available) = update.available {
        worker.available = available;
    }
    if let Some(fte) = update.fte {
        worker.fte = fte;
    }
    if let Some(capacity) = update.capacity {
        worker.capacity = Some(capacity);
    }
    for tag in &update.remove_skills {
        worker.skills.remove(tag);
    }
    worker.skills.extend(update.add_skills.iter().cloned());
    if update.max_cases.is_some() {
        worker.max_cases = update.max_cases;
    }
    if update.max_new.is_some() {
        worker.max_new = update.max_new;
    }
}

/// `prefix` followed by the first free numbers, two digits at least.
fn fresh_ids(prefix: &str, count: usize, used: &BTreeSet<String>) -> Vec<String> {
    (1..)
        .map(|n| format!("{prefix}{n:02}"))
        .filter(|id| !used.contains(id))
        .take(count)
        .collect()
}

fn add_workers(s: &mut Scenario, new: &NewWorkers) {
    let used: BTreeSet<String> = s.workers.iter().map(|w| w.id.to_string()).collect();
    for id in fresh_ids(&new.prefix, new.count, &used) {
        let mut worker = Worker::new(id.as_str()).team(&new.team).fte(new.fte);
        worker.name = format!("added: {id}");
        worker.skills = new.skills.iter().cloned().collect();
        worker.capacity = new.capacity;
        worker.max_cases = new.max_cases;
        worker.max_new = new.max_new;
        s.workers.push(worker);
    }
}

/// Families (sibling groups, or single children) as lists of case indices, in id order.
fn families(cases: &[Case], team: Option<&str>) -> Vec<Vec<usize>> {
    let mut by_key: BTreeMap<(bool, &str), Vec<usize>> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        if team.is_some_and(|t| t != c.team) {
            continue;
        }
        let key = match &c.group {
            Some(g) => (false, g.as_str()),
            None => (true, c.id.as_str()),
        };
        by_key.entry(key).or_default().push(i);
    }
    by_key.into_values().collect()
}

/// Adds new referrals: families drawn uniformly from the scenario's families (within
/// `team`), copied without worker, pin or conflicts, until the number of children asked
/// for is reached (the last family drawn is cut short if needed).
fn add_referrals(
    s: &mut Scenario,
    demand: Demand,
    team: Option<&str>,
    rng: &mut SeededRng,
) -> Result<(), VariantError> {
    let target = match demand {
        Demand::Count(n) => n,
        Demand::Fraction(f) => (f * s.cases.len() as f64).round() as usize,
        Demand::Rise(f) => {
            let waiting = s
                .cases
                .iter()
                .filter(|c| c.current_worker.is_none())
                .count();
            (f * waiting as f64).round() as usize
        }
    };
    if target == 0 {
        return Ok(());
    }
    let templates = families(&s.cases, team);
    if templates.is_empty() {
        return Err(VariantError::NoTemplate {
            team: team.map(String::from),
        });
    }
    let used_cases: BTreeSet<String> = s.cases.iter().map(|c| c.id.to_string()).collect();
    let used_groups: BTreeSet<String> = s.cases.iter().filter_map(|c| c.group.clone()).collect();
    let mut case_ids = fresh_ids("R", target, &used_cases).into_iter();
    let mut group_ids = fresh_ids("RG", target, &used_groups).into_iter();
    let mut added = Vec::with_capacity(target);
    while added.len() < target {
        let family = &templates[rng.below(templates.len())];
        let take = family.len().min(target - added.len());
        let group = if take > 1 { group_ids.next() } else { None };
        for &c in &family[..take] {
            let Some(id) = case_ids.next() else { break };
            let template = &s.cases[c];
            added.push(Case {
                id: CaseId::new(id),
                group: group.clone(),
                current_worker: None,
                pinned: false,
                exclude: BTreeSet::new(),
                hold: None,
                never: Default::default(),
                ..template.clone()
            });
        }
    }
    s.cases.extend(added);
    Ok(())
}

fn change_policy(s: &mut Scenario, change: &PolicyChange) {
    let p = &mut s.policy;
    macro_rules! set {
        ($field:expr, $value:expr) => {
            if let Some(v) = $value.clone() {
                $field = v;
            }
        };
    }
    set!(p.standard_capacity, change.standard_capacity);
    set!(p.capacity, change.capacity);
    set!(p.cross_team, change.cross_team);
    set!(p.max_moves, change.max_moves);
    set!(p.time_limit_s, change.time_limit_s);
    set!(p.bands, change.bands);
    set!(p.weights.unallocated, change.unallocated_weight);
    set!(p.weights.move_, change.move_weight);
    set!(p.weights.preference, change.preference_weight);
}

/// Unpins every case whose current worker can no longer hold its whole sibling group
/// (unavailable, lacks a required tag, excluded, other team): the pin cannot hold.
fn release_broken_pins(s: &mut Scenario) {
    let workers: BTreeMap<&WorkerId, &Worker> = s.workers.iter().map(|w| (&w.id, w)).collect();
    let mut siblings: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in s.cases.iter().enumerate() {
        if let Some(g) = &c.group {
            siblings.entry(g.as_str()).or_default().push(i);
        }
    }
    let broken: Vec<usize> = (0..s.cases.len())
        .filter(|&i| {
            let case = &s.cases[i];
            let Some(worker) = case.current_worker.as_ref().and_then(|w| workers.get(w)) else {
                return false;
            };
            let unit = case
                .group
                .as_deref()
                .and_then(|g| siblings.get(g))
                .map_or_else(|| vec![i], Clone::clone);
            case.pinned
                && unit
                    .iter()
                    .any(|&c| eligibility(worker, &s.cases[c], &s.policy).is_err())
        })
        .collect();
    for i in broken {
        s.cases[i].pinned = false;
    }
}
