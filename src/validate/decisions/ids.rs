//! The ids of a scenario's cases and workers, indexed once for a judgement of its decisions.

use std::collections::HashMap;

use crate::model::{CaseId, Scenario, WorkerId};

/// The index of every case and worker id of a scenario (for lookups only: nothing is
/// listed in its order), built once for a judgement:
/// decisions change no id, and a trust's thousands of children are not searched one by
/// one for each of hundreds of decisions.
pub(super) struct Ids<'a> {
    pub(super) cases: HashMap<&'a str, usize>,
    pub(super) workers: HashMap<&'a str, usize>,
    /// The cases each worker holds before the run (their `current_worker`), by index.
    pub(super) before: Vec<Vec<usize>>,
}

impl<'a> Ids<'a> {
    pub(super) fn of(scenario: &'a Scenario) -> Self {
        // The first of a repeated id, as a search from the start finds it.
        let first = |ids: &mut HashMap<&'a str, usize>, id: &'a str, i: usize| {
            ids.entry(id).or_insert(i);
        };
        let mut cases = HashMap::with_capacity(scenario.cases.len());
        for (i, c) in scenario.cases.iter().enumerate() {
            first(&mut cases, c.id.as_str(), i);
        }
        let mut workers = HashMap::with_capacity(scenario.workers.len());
        for (i, w) in scenario.workers.iter().enumerate() {
            first(&mut workers, w.id.as_str(), i);
        }
        let mut before = vec![Vec::new(); scenario.workers.len()];
        for (c, case) in scenario.cases.iter().enumerate() {
            if let Some(&w) = case
                .current_worker
                .as_ref()
                .and_then(|w| workers.get(w.as_str()))
            {
                before[w].push(c);
            }
        }
        Ids {
            cases,
            workers,
            before,
        }
    }
}

pub(super) fn case_index(ids: &Ids<'_>, id: &CaseId) -> Option<usize> {
    ids.cases.get(id.as_str()).copied()
}

pub(super) fn worker_index(ids: &Ids<'_>, id: &WorkerId) -> Option<usize> {
    ids.workers.get(id.as_str()).copied()
}
