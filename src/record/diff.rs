//! What changed between two allocations: cases whose worker changed, workers whose load
//! changed, and the objective's change by term.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{LoadRecord, RowRecord};
use crate::model::Objective;

/// A case whose worker differs between the two allocations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseChange {
    /// The case.
    pub case_id: String,
    /// Its worker in the first allocation (`None`: unallocated, or not in it).
    pub from: Option<String>,
    /// Its worker in the second.
    pub to: Option<String>,
    /// Its `change` in the second allocation (`moved`, `new`, …; empty when absent).
    pub change: String,
}

/// A worker whose load after the run differs between the two allocations.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadChange {
    /// The worker.
    pub worker_id: String,
    /// Load after the first run (`None`: not in it).
    pub from: Option<f64>,
    /// Load after the second.
    pub to: Option<f64>,
}

/// The difference between two allocations.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunDiff {
    /// Cases whose worker changed, by case id.
    pub cases: Vec<CaseChange>,
    /// Workers whose load changed, by worker id.
    pub workers: Vec<LoadChange>,
    /// The objectives of the two allocations, when known.
    pub objective: Option<(Objective, Objective)>,
    /// Decisions taken or withdrawn between two recorded runs (empty for files).
    pub decisions: Vec<super::DecisionRecord>,
}

impl RunDiff {
    /// Cases whose worker changed, counted by their `change` in the second allocation, in
    /// the order `forced, moved, new, unallocated, kept` then any other.
    pub fn by_change(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &self.cases {
            *counts.entry(c.change.as_str()).or_default() += 1;
        }
        let order = ["forced", "moved", "new", "unallocated", "kept"];
        let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
        let mut counts: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        counts.sort_by_key(|(k, _)| (rank(k), k.clone()));
        counts
    }
}

/// Loads that differ by less than this are equal (they are rounded to 6 decimals).
const LOAD_TOLERANCE: f64 = 1e-6;

/// The difference from allocation `a` to allocation `b`.
pub fn diff(
    a: &[RowRecord],
    b: &[RowRecord],
    loads_a: &[LoadRecord],
    loads_b: &[LoadRecord],
    objective: Option<(Objective, Objective)>,
) -> RunDiff {
    let rows_a: BTreeMap<&str, &RowRecord> = a.iter().map(|r| (r.case_id.as_str(), r)).collect();
    let rows_b: BTreeMap<&str, &RowRecord> = b.iter().map(|r| (r.case_id.as_str(), r)).collect();
    let mut cases = Vec::new();
    for case in rows_a
        .keys()
        .chain(rows_b.keys())
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
    {
        let from = rows_a.get(case).and_then(|r| r.worker_id.clone());
        let to = rows_b.get(case).and_then(|r| r.worker_id.clone());
        let in_both = rows_a.contains_key(case) && rows_b.contains_key(case);
        if from != to || !in_both {
            cases.push(CaseChange {
                case_id: case.to_string(),
                from,
                to,
                change: rows_b.get(case).map_or(String::new(), |r| r.change.clone()),
            });
        }
    }
    let load_a: BTreeMap<&str, f64> = loads_a
        .iter()
        .map(|l| (l.worker_id.as_str(), l.load_after))
        .collect();
    let load_b: BTreeMap<&str, f64> = loads_b
        .iter()
        .map(|l| (l.worker_id.as_str(), l.load_after))
        .collect();
    let mut workers = Vec::new();
    for worker in load_a
        .keys()
        .chain(load_b.keys())
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (from, to) = (load_a.get(worker).copied(), load_b.get(worker).copied());
        let changed = match (from, to) {
            (Some(x), Some(y)) => (x - y).abs() > LOAD_TOLERANCE,
            _ => true,
        };
        if changed {
            workers.push(LoadChange {
                worker_id: worker.to_string(),
                from,
                to,
            });
        }
    }
    RunDiff {
        cases,
        workers,
        objective,
        decisions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(case: &str, worker: Option<&str>, change: &str) -> RowRecord {
        RowRecord {
            case_id: case.to_string(),
            worker_id: worker.map(str::to_string),
            previous_worker: None,
            change: change.to_string(),
            reason: String::new(),
        }
    }

    fn load(worker: &str, after: f64) -> LoadRecord {
        LoadRecord {
            worker_id: worker.to_string(),
            team: String::new(),
            capacity: 22.0,
            load_before: 0.0,
            load_after: after,
            cases: 0,
        }
    }

    #[test]
    fn lists_cases_whose_worker_changed_and_loads_that_moved() {
        let a = [
            row("C1", Some("W1"), "kept"),
            row("C2", Some("W1"), "kept"),
            row("C3", None, "unallocated"),
            row("C4", Some("W2"), "kept"),
        ];
        let b = [
            row("C1", Some("W1"), "kept"),
            row("C2", Some("W2"), "moved"),
            row("C3", Some("W2"), "new"),
            row("C5", None, "unallocated"),
        ];
        let d = diff(
            &a,
            &b,
            &[load("W1", 2.0), load("W2", 1.0)],
            &[load("W1", 1.0 + 1e-9 + 0.0), load("W2", 1.0)],
            None,
        );
        let shown: Vec<_> = d
            .cases
            .iter()
            .map(|c| {
                (
                    c.case_id.as_str(),
                    c.from.as_deref(),
                    c.to.as_deref(),
                    c.change.as_str(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("C2", Some("W1"), Some("W2"), "moved"),
                ("C3", None, Some("W2"), "new"),
                ("C4", Some("W2"), None, ""),
                ("C5", None, None, "unallocated"),
            ]
        );
        assert_eq!(d.workers.len(), 1, "W2's load is equal within the rounding");
        assert_eq!(d.workers[0].worker_id, "W1");
        assert_eq!(
            d.by_change(),
            [
                ("moved".to_string(), 1),
                ("new".to_string(), 1),
                ("unallocated".to_string(), 1),
                (String::new(), 1)
            ]
        );
    }
}
