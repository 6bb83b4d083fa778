//! Counting what a scenario holds: for the demo's README, for tests, and for the command
//! line to report what it generated.

use std::collections::BTreeMap;
use std::fmt;

use super::kind::CaseKind;
use crate::model::{eligibility, Case, Scenario, Tag, WorkerId};

/// Utilisation above which a worker counts as clearly overloaded.
pub const OVERLOAD_THRESHOLD: f64 = 1.1;

/// What a scenario holds, before the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Distinct teams of the workers.
    pub teams: usize,
    /// Workers.
    pub workers: usize,
    /// Sum of the workers' FTE.
    pub fte: f64,
    /// Unavailable workers (leaving or on leave), with the number of children each holds.
    pub unavailable: Vec<(WorkerId, usize)>,
    /// Workers above [`OVERLOAD_THRESHOLD`], with their utilisation.
    pub overloaded: Vec<(WorkerId, f64)>,
    /// Workers without the `child-protection` skill (the newly qualified, in a generated
    /// scenario), with their capacity.
    pub without_child_protection: Vec<(WorkerId, f64)>,
    /// Cases (children).
    pub cases: usize,
    /// Cases of each kind, in [`CaseKind::ALL`] order.
    pub by_kind: Vec<(CaseKind, usize)>,
    /// Cases of no generated kind.
    pub other_kind: usize,
    /// Sibling groups.
    pub groups: usize,
    /// Children in sibling groups.
    pub children_in_groups: usize,
    /// Children with no current worker (new referrals).
    pub new_referrals: usize,
    /// Pinned children.
    pub pinned: usize,
    /// Children with a conflict of interest (`exclude` not empty).
    pub conflicts: usize,
    /// Children whose current worker does not still fit (forced moves).
    pub forced: usize,
    /// Load held before the run, over all workers.
    pub load: f64,
    /// Sum of the workers' capacities.
    pub capacity: f64,
    /// Mean over workers (of positive capacity) of load / capacity before the run.
    pub mean_utilisation: f64,
}

/// Counts what `scenario` holds. Unknown worker ids in `current_worker` are ignored.
pub fn summarize(scenario: &Scenario) -> Summary {
    let workers: BTreeMap<&WorkerId, usize> = scenario
        .workers
        .iter()
        .enumerate()
        .map(|(i, w)| (&w.id, i))
        .collect();
    let mut load = vec![0.0; scenario.workers.len()];
    let mut held = vec![0usize; scenario.workers.len()];
    for case in &scenario.cases {
        if let Some(&w) = case.current_worker.as_ref().and_then(|id| workers.get(id)) {
            load[w] += case.weight;
            held[w] += 1;
        }
    }
    let capacity: Vec<f64> = scenario
        .workers
        .iter()
        .map(|w| scenario.capacity_of(w))
        .collect();
    let utilisation: Vec<Option<f64>> = load
        .iter()
        .zip(&capacity)
        .map(|(&l, &c)| (c > 0.0).then(|| l / c))
        .collect();
    let measured: Vec<f64> = utilisation.iter().flatten().copied().collect();

    let child_protection = Tag::new("child-protection");
    let by_worker = |keep: &dyn Fn(usize) -> bool| -> Vec<usize> {
        (0..scenario.workers.len()).filter(|&w| keep(w)).collect()
    };
    let id = |w: usize| scenario.workers[w].id.clone();

    let mut groups: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for case in &scenario.cases {
        if let Some(g) = &case.group {
            groups.entry(g).or_default().push(case);
        }
    }

    Summary {
        teams: scenario
            .workers
            .iter()
            .map(|w| w.team.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        workers: scenario.workers.len(),
        fte: scenario.workers.iter().map(|w| w.fte).sum(),
        unavailable: by_worker(&|w| !scenario.workers[w].available)
            .into_iter()
            .map(|w| (id(w), held[w]))
            .collect(),
        overloaded: by_worker(&|w| utilisation[w].is_some_and(|u| u > OVERLOAD_THRESHOLD))
            .into_iter()
            .filter_map(|w| utilisation[w].map(|u| (id(w), u)))
            .collect(),
        without_child_protection: by_worker(&|w| !scenario.workers[w].has(&child_protection))
            .into_iter()
            .map(|w| (id(w), capacity[w]))
            .collect(),
        cases: scenario.cases.len(),
        by_kind: CaseKind::ALL
            .into_iter()
            .map(|k| {
                let n = scenario
                    .cases
                    .iter()
                    .filter(|c| CaseKind::of(c) == Some(k))
                    .count();
                (k, n)
            })
            .collect(),
        other_kind: scenario
            .cases
            .iter()
            .filter(|c| CaseKind::of(c).is_none())
            .count(),
        groups: groups.len(),
        children_in_groups: groups.values().map(Vec::len).sum(),
        new_referrals: scenario
            .cases
            .iter()
            .filter(|c| c.current_worker.is_none())
            .count(),
        pinned: scenario.cases.iter().filter(|c| c.pinned).count(),
        conflicts: scenario
            .cases
            .iter()
            .filter(|c| !c.exclude.is_empty())
            .count(),
        forced: scenario
            .cases
            .iter()
            .filter(|c| {
                let Some(&w) = c.current_worker.as_ref().and_then(|id| workers.get(id)) else {
                    return false;
                };
                let unit: Vec<&Case> = match &c.group {
                    Some(g) => groups.get(g.as_str()).cloned().unwrap_or_default(),
                    None => vec![c],
                };
                let worker = &scenario.workers[w];
                !unit
                    .iter()
                    .all(|u| eligibility(worker, u, &scenario.policy).is_ok())
            })
            .count(),
        load: load.iter().sum(),
        capacity: capacity.iter().sum(),
        mean_utilisation: if measured.is_empty() {
            0.0
        } else {
            measured.iter().sum::<f64>() / measured.len() as f64
        },
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = |list: &[(WorkerId, String)]| {
            if list.is_empty() {
                return "none".to_string();
            }
            list.iter()
                .map(|(id, what)| format!("{id} ({what})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            f,
            "{} teams, {} workers ({:.1} FTE), {} children",
            self.teams, self.workers, self.fte, self.cases
        )?;
        let kinds: Vec<String> = self
            .by_kind
            .iter()
            .map(|(k, n)| format!("{n} {}", k.label()))
            .collect();
        writeln!(f, "by type: {}", kinds.join(", "))?;
        writeln!(
            f,
            "{} sibling groups holding {} children; {} new referrals; {} pinned; {} with a conflict of interest; {} forced moves",
            self.groups,
            self.children_in_groups,
            self.new_referrals,
            self.pinned,
            self.conflicts,
            self.forced
        )?;
        let unavailable: Vec<(WorkerId, String)> = self
            .unavailable
            .iter()
            .map(|(id, n)| (id.clone(), format!("{n} children")))
            .collect();
        writeln!(f, "unavailable: {}", ids(&unavailable))?;
        let overloaded: Vec<(WorkerId, String)> = self
            .overloaded
            .iter()
            .map(|(id, u)| (id.clone(), format!("{:.0} %", u * 100.0)))
            .collect();
        writeln!(f, "overloaded: {}", ids(&overloaded))?;
        let no_cp: Vec<(WorkerId, String)> = self
            .without_child_protection
            .iter()
            .map(|(id, c)| (id.clone(), format!("capacity {c}")))
            .collect();
        writeln!(f, "without child-protection: {}", ids(&no_cp))?;
        write!(
            f,
            "load before the run {:.2} of capacity {:.1}; mean utilisation {:.1} %",
            self.load,
            self.capacity,
            self.mean_utilisation * 100.0
        )
    }
}
