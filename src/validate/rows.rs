//! Rules on the rows of a scenario: ids, values in range, known workers and cases.

use std::collections::{BTreeMap, BTreeSet};

use super::{priority_out_of_range, ranges, Found, Subject};
use crate::codes;
use crate::model::{Scenario, Worker, WorkerId};

/// Per (case, worker) terms: known ids, a finite cost ≥ 0, a finite weight > 0.
pub(super) fn check_pairs(scenario: &Scenario, found: &mut Found) {
    let workers = worker_index(&scenario.workers);
    let cases: BTreeSet<&str> = scenario.cases.iter().map(|c| c.id.as_str()).collect();
    for (i, ((case, worker), terms)) in scenario.pairs.iter().enumerate() {
        let id = format!("{case} / {worker}");
        let mut push = |code, column: &str, message| {
            found.push(code, Subject::Pair(i), &id, column, message);
        };
        if !cases.contains(case.as_str()) {
            push(
                codes::UNKNOWN_CASE,
                "case_id",
                format!("no case has id `{case}`"),
            );
        }
        if !workers.contains_key(worker) {
            let message = format!("no worker has id `{worker}`");
            push(codes::UNKNOWN_WORKER, "worker_id", message);
        }
        if !ranges::PAIR_COST.contains(terms.cost) {
            push(codes::RANGE, "cost", ranges::PAIR_COST.message(terms.cost));
        }
        if let Some(weight) = terms.weight.filter(|&w| !ranges::CASE_WEIGHT.contains(w)) {
            push(codes::RANGE, "weight", ranges::CASE_WEIGHT.message(weight));
        }
    }
}

/// Reports empty ids and every repeat of an id after its first use.
fn check_ids<'a>(
    kind: &str,
    ids: impl Iterator<Item = &'a str>,
    mut report: impl FnMut(usize, &'static str, String),
) {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.enumerate() {
        if id.is_empty() {
            let message = format!("is empty: every {kind} needs an id");
            report(i, codes::EMPTY_ID, message);
        } else if !seen.insert(id) {
            let message =
                format!("`{id}` is already the id of an earlier {kind}: ids must be unique");
            report(i, codes::DUPLICATE_ID, message);
        }
    }
}

pub(super) fn check_workers(workers: &[Worker], found: &mut Found) {
    check_ids(
        "worker",
        workers.iter().map(|w| w.id.as_str()),
        |i, code, message| found.worker(i, &workers[i], code, "id", message),
    );
    for (i, w) in workers.iter().enumerate() {
        if !ranges::FTE.contains(w.fte) {
            found.worker(i, w, codes::RANGE, "fte", ranges::FTE.message(w.fte));
        }
        if let Some(capacity) = w.capacity.filter(|&c| !ranges::CAPACITY.contains(c)) {
            let message = ranges::CAPACITY.message(capacity);
            found.worker(i, w, codes::RANGE, "capacity", message);
        }
    }
}

pub(super) fn check_cases(scenario: &Scenario, found: &mut Found) {
    let cases = &scenario.cases;
    check_ids(
        "case",
        cases.iter().map(|c| c.id.as_str()),
        |i, code, message| found.case(i, &cases[i], code, "id", message),
    );
    let known = worker_index(&scenario.workers);
    for (i, c) in cases.iter().enumerate() {
        if !ranges::CASE_WEIGHT.contains(c.weight) {
            let message = ranges::CASE_WEIGHT.message(c.weight);
            found.case(i, c, codes::RANGE, "weight", message);
        }
        if !(1..=5).contains(&c.priority) {
            found.case(
                i,
                c,
                codes::RANGE,
                "priority",
                priority_out_of_range(c.priority),
            );
        }
        let unknown_current = c.current_worker.iter().filter(|w| !known.contains_key(w));
        for w in unknown_current {
            let message =
                format!("unknown worker id `{w}`: no worker (row of workers.csv) has this id");
            found.case(i, c, codes::UNKNOWN_WORKER, "current_worker", message);
        }
        for w in c.exclude.iter().filter(|w| !known.contains_key(w)) {
            let message =
                format!("unknown worker id `{w}`: no worker (row of workers.csv) has this id");
            found.case(i, c, codes::UNKNOWN_WORKER, "exclude", message);
        }
    }
}

/// Worker ids to their first index; duplicates are reported elsewhere.
pub(super) fn worker_index(workers: &[Worker]) -> BTreeMap<&WorkerId, usize> {
    let mut index = BTreeMap::new();
    for (i, w) in workers.iter().enumerate() {
        index.entry(&w.id).or_insert(i);
    }
    index
}
