//! The model re-derived for checking, from the words of docs/model.md and the plain
//! data of a [`Scenario`], sharing no code with the solver: workers and cases in id
//! order, units (sibling groups), current workers, who still fits, eligibility with its
//! reasons, capacity, the load of a case on a worker, the band cost, and the change of a
//! case.

use std::collections::BTreeMap;

use crate::model::{Band, Case, CaseId, Change, PairTerms, Policy, Scenario, Worker, WorkerId};

/// Why `worker` may not hold `case` (docs/model.md, "Eligibility"), each reason as a phrase completing
/// "W2 …"; empty when the worker is eligible.
pub(super) fn why_ineligible(worker: &Worker, case: &Case, policy: &Policy) -> Vec<String> {
    let mut reasons = Vec::new();
    if !worker.available {
        reasons.push("is unavailable (on leave or leaving)".to_string());
    }
    for tag in &case.requires {
        if !worker.skills.contains(tag) {
            reasons.push(format!("lacks required tag \"{tag}\""));
        }
    }
    if case.exclude.contains(&worker.id) {
        reasons.push(format!(
            "is excluded from {} (conflict of interest)",
            case.id
        ));
    }
    if let Some(d) = case.never.get(&worker.id) {
        reasons.push(format!(
            "may never hold {}: {} decided so (decision {})",
            case.id, d.by, d.id
        ));
    }
    if !policy.cross_team && !case.team.is_empty() && case.team != worker.team {
        if worker.team.is_empty() {
            reasons.push(format!(
                "has no team but {} belongs to team {}",
                case.id, case.team
            ));
        } else {
            reasons.push(format!(
                "is in team {} but {} belongs to team {}",
                worker.team, case.id, case.team
            ));
        }
    }
    reasons
}

/// A worker's capacity: explicit, or `fte × standard_capacity`.
pub(super) fn capacity(worker: &Worker, policy: &Policy) -> f64 {
    worker
        .capacity
        .unwrap_or(worker.fte * policy.standard_capacity)
}

/// Load bands (docs/model.md): `Σ_b cost_b × clamp(load − from_b × capacity, 0, (from_{b+1} − from_b) ×
/// capacity)`, the last band unbounded above.
pub(super) fn band_cost(bands: &[Band], load: f64, capacity: f64) -> f64 {
    bands
        .iter()
        .enumerate()
        .map(|(i, band)| {
            let width = bands
                .get(i + 1)
                .map_or(f64::INFINITY, |next| (next.from - band.from) * capacity);
            // max/min rather than clamp: no panic whatever the bands.
            band.cost * (load - band.from * capacity).max(0.0).min(width.max(0.0))
        })
        .sum()
}

/// The scenario indexed for checking: what docs/model.md defines before any allocation.
pub(super) struct Derived<'a> {
    pub policy: &'a Policy,
    /// Workers in id order.
    pub workers: Vec<&'a Worker>,
    /// Cases in id order.
    pub cases: Vec<&'a Case>,
    /// Units: each sibling group (cases sharing a `group`), or a case alone; members
    /// ascending.
    pub units: Vec<Vec<usize>>,
    /// The unit of each case.
    pub unit_of: Vec<usize>,
    /// Index of each case's current worker.
    pub current: Vec<Option<usize>>,
    /// Whether each case's current worker still fits: available and eligible for every
    /// case of the case's unit.
    pub still_fits: Vec<bool>,
    /// The scenario's per (case, worker) terms (`pairs.csv`), keyed by ids.
    pub pairs: &'a BTreeMap<(CaseId, WorkerId), PairTerms>,
}

impl<'a> Derived<'a> {
    pub fn new(scenario: &'a Scenario) -> Self {
        let mut workers: Vec<&Worker> = scenario.workers.iter().collect();
        workers.sort_by(|a, b| a.id.cmp(&b.id));
        let mut cases: Vec<&Case> = scenario.cases.iter().collect();
        cases.sort_by(|a, b| a.id.cmp(&b.id));
        // A group name is only ever compared with other group names, never with case ids.
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut units: Vec<Vec<usize>> = Vec::new();
        for (c, case) in cases.iter().enumerate() {
            match case
                .group
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
            {
                Some(group) => groups.entry(group).or_default().push(c),
                None => units.push(vec![c]),
            }
        }
        units.extend(groups.into_values());
        let mut unit_of = vec![0; cases.len()];
        for (u, members) in units.iter().enumerate() {
            for &c in members {
                unit_of[c] = u;
            }
        }

        let current: Vec<Option<usize>> = cases
            .iter()
            .map(|case| {
                let id = case.current_worker.as_ref()?;
                workers.binary_search_by(|w| w.id.cmp(id)).ok()
            })
            .collect();
        // Eligibility includes being available. A pinned case fixes its unit to its
        // current worker, so a sibling held by anyone else must move with it: for such a
        // sibling the current worker no longer fits (a forced move, not a discretionary one).
        // A manager's decision fixes its unit the same way, to a worker or to nobody.
        let worker_of = |id: &WorkerId| workers.binary_search_by(|w| w.id.cmp(id)).ok();
        let fixed_to = |u: usize| -> Option<Option<usize>> {
            let pinned = units[u].iter().find(|&&m| cases[m].pinned);
            if let Some(&m) = pinned {
                return Some(current[m]);
            }
            units[u]
                .iter()
                .find_map(|&m| cases[m].hold.as_ref())
                .map(|h| h.worker.as_ref().and_then(worker_of))
        };
        let still_fits = (0..cases.len())
            .map(|c| {
                current[c].is_some_and(|w| {
                    fixed_to(unit_of[c]).is_none_or(|p| p == Some(w))
                        && units[unit_of[c]].iter().all(|&m| {
                            why_ineligible(workers[w], cases[m], &scenario.policy).is_empty()
                        })
                })
            })
            .collect();

        Self {
            policy: &scenario.policy,
            workers,
            cases,
            units,
            unit_of,
            current,
            still_fits,
            pairs: &scenario.pairs,
        }
    }

    pub fn worker_index(&self, id: &str) -> Option<usize> {
        self.workers
            .binary_search_by(|w| w.id.as_str().cmp(id))
            .ok()
    }

    pub fn case_index(&self, id: &str) -> Option<usize> {
        self.cases.binary_search_by(|c| c.id.as_str().cmp(id)).ok()
    }

    /// docs/model.md: unallocated if no worker after; kept if the same as the current worker; new if
    /// no current worker; moved (discretionary) if the current worker still fits; else
    /// forced.
    pub fn change(&self, c: usize, after: Option<usize>) -> Change {
        let had_worker = self.cases[c].current_worker.is_some();
        match after {
            None => Change::Unallocated,
            Some(a) if self.current[c] == Some(a) => Change::Kept,
            Some(_) if !had_worker => Change::New,
            Some(_) if self.still_fits[c] => Change::Moved,
            Some(_) => Change::Forced,
        }
    }

    /// The terms of `pairs.csv` for case `c` held by worker `w`, if any.
    pub fn pair(&self, c: usize, w: usize) -> Option<&PairTerms> {
        let key = (self.cases[c].id.clone(), self.workers[w].id.clone());
        self.pairs.get(&key)
    }

    /// The load case `c` puts on worker `w`: its weight for that worker in `pairs.csv`,
    /// else its own weight.
    pub fn load_of(&self, c: usize, w: usize) -> f64 {
        self.pair(c, w)
            .and_then(|t| t.weight)
            .unwrap_or(self.cases[c].weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_bands() -> Vec<Band> {
        Policy::default().bands
    }

    #[test]
    fn band_cost_follows_the_formula_with_capacity_20() {
        let bands = default_bands();
        // Bands start at 14, 17 and 20 points.
        assert!(band_cost(&bands, 14.0, 20.0).abs() < 1e-9);
        assert!((band_cost(&bands, 16.0, 20.0) - 2.0).abs() < 1e-9);
        assert!((band_cost(&bands, 18.0, 20.0) - (3.0 + 5.0)).abs() < 1e-9);
        assert!((band_cost(&bands, 22.0, 20.0) - (3.0 + 15.0 + 100.0)).abs() < 1e-9);
    }

    #[test]
    fn zero_capacity_puts_all_load_in_the_last_band() {
        assert!((band_cost(&default_bands(), 2.0, 0.0) - 100.0).abs() < 1e-9);
        assert!(band_cost(&default_bands(), 0.0, 0.0).abs() < 1e-9);
    }
}
