//! The typed rows of a run's tables: [`AllocationRow`] (`allocation.csv`) and [`LoadRow`]
//! (`loads.csv`), built once from the solution. The CSV files, the workbook's sheets, the
//! record and the proposal's JSON are each rendered from them; nothing reads a rendered
//! file back.

use serde::{Serialize, Serializer};

use crate::error::Result;
use crate::explain::{reasons, why_changed};
use crate::io::csv::to_text;
use crate::model::CaseId;
use crate::model::{Change, Instance, WorkerId};
use crate::solve::Solution;

/// Rounds to 6 decimals, so sums like 21.000000000000004 print as 21.
pub(super) fn round6(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1e6).round() / 1e6
    } else {
        x
    }
}

/// The columns of `allocation.csv`, in order: the fields of [`AllocationRow`].
pub const ALLOCATION_COLUMNS: [&str; 6] = [
    "case_id",
    "worker_id",
    "previous_worker",
    "change",
    "reason",
    "previous_proposal",
];

/// One row of `allocation.csv`: a case, who holds it after the run and before, what
/// changed, why, and its worker in the previous proposal the solve kept close to (with
/// why it differs at the end of `reason`, when it does). Serialized (e.g. as JSON) with the CSV's column names; a missing
/// worker is `null` (an empty cell in the CSV).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllocationRow {
    /// The case.
    pub case_id: CaseId,
    /// Its worker after the run (`None`: unallocated).
    pub worker_id: Option<WorkerId>,
    /// Its worker before the run.
    pub previous_worker: Option<WorkerId>,
    /// What happened to it.
    pub change: Change,
    /// Why, in words.
    pub reason: String,
    /// Its worker in the previous proposal (`None`: unallocated there, not in it, or no
    /// previous proposal).
    pub previous_proposal: Option<WorkerId>,
    /// Why its worker differs from the previous proposal's, when it does (not a column
    /// of its own: the end of `reason` says it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_changed: Option<String>,
}

impl AllocationRow {
    /// The cells as `allocation.csv` writes them, in [`ALLOCATION_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        let id = |w: &Option<WorkerId>| w.as_ref().map_or(String::new(), |w| w.to_string());
        vec![
            self.case_id.to_string(),
            id(&self.worker_id),
            id(&self.previous_worker),
            self.change.to_string(),
            self.reason.clone(),
            id(&self.previous_proposal),
        ]
    }
}

/// The rows of `allocation.csv`, by case id.
pub fn allocation_rows(instance: &Instance, solution: &Solution) -> Vec<AllocationRow> {
    let eval = &solution.evaluation;
    let why = reasons(instance, eval);
    let id = |w: Option<usize>| w.map(|w| instance.workers[w].id.clone());
    let previous = solution.stability.as_ref().map(|s| &s.previous);
    let changed = match previous {
        Some(previous) => why_changed(instance, eval, &previous.on(instance)),
        None => vec![None; instance.cases.len()],
    };
    instance
        .cases
        .iter()
        .zip(why)
        .zip(changed)
        .enumerate()
        .map(|(c, ((case, reason), changed))| AllocationRow {
            case_id: case.id.clone(),
            worker_id: id(eval.worker[c]),
            previous_worker: id(instance.current[c]),
            change: eval.change[c],
            reason: match &changed {
                Some(why) => format!("{reason}; {why}"),
                None => reason,
            },
            previous_proposal: previous
                .and_then(|p| p.worker_of(&case.id))
                .flatten()
                .cloned(),
            why_changed: changed.map(|why| why.to_string()),
        })
        .collect()
}

/// `allocation.csv` of its rows.
pub fn allocation_text(rows: &[AllocationRow]) -> Result<String> {
    to_text(&ALLOCATION_COLUMNS, rows.iter().map(AllocationRow::cells))
}

/// `allocation.csv`: [`ALLOCATION_COLUMNS`], by case id.
pub fn allocation_csv(instance: &Instance, solution: &Solution) -> Result<String> {
    allocation_text(&allocation_rows(instance, solution))
}

/// The columns of `loads.csv`, in order: the fields of [`LoadRow`].
pub const LOADS_COLUMNS: [&str; 9] = [
    "worker_id",
    "team",
    "capacity",
    "load_before",
    "load_after",
    "utilisation",
    "cases",
    "received",
    "given_up",
];

/// One row of `loads.csv`: a worker's capacity, load before and after the run (points,
/// rounded to 6 decimals as written), utilisation, and cases. Serialized with the CSV's
/// column names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadRow {
    /// The worker.
    pub worker_id: WorkerId,
    /// Their team.
    pub team: String,
    /// Capacity in points.
    pub capacity: f64,
    /// Load before the run.
    pub load_before: f64,
    /// Load after the run.
    pub load_after: f64,
    /// `load_after / capacity` (`None` when capacity is 0); the CSV writes it with 4
    /// decimals, and so does its serialization.
    #[serde(serialize_with = "four_decimals")]
    pub utilisation: Option<f64>,
    /// Cases held after the run.
    pub cases: u32,
    /// Cases received that the worker did not hold before.
    pub received: u32,
    /// Cases held before that are elsewhere (or unallocated) after the run.
    pub given_up: u32,
}

/// The utilisation as the CSV writes it, as a number (`null` when there is none).
fn four_decimals<S: Serializer>(x: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    x.map(|x| format!("{x:.4}").parse::<f64>().unwrap_or(x))
        .serialize(serializer)
}

impl LoadRow {
    /// The cells as `loads.csv` writes them, in [`LOADS_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.worker_id.to_string(),
            self.team.clone(),
            self.capacity.to_string(),
            self.load_before.to_string(),
            self.load_after.to_string(),
            self.utilisation
                .map_or(String::new(), |u| format!("{u:.4}")),
            self.cases.to_string(),
            self.received.to_string(),
            self.given_up.to_string(),
        ]
    }
}

/// The rows of `loads.csv`, by worker id.
pub fn load_rows(instance: &Instance, solution: &Solution) -> Vec<LoadRow> {
    instance
        .workers
        .iter()
        .enumerate()
        .map(|(w, worker)| {
            let l = &solution.evaluation.loads[w];
            let cap = instance.capacity[w];
            LoadRow {
                worker_id: worker.id.clone(),
                team: worker.team.clone(),
                capacity: round6(cap),
                load_before: round6(l.load_before),
                load_after: round6(l.load_after),
                utilisation: (cap > 0.0).then(|| l.load_after / cap),
                cases: l.cases_after,
                received: l.received,
                given_up: l.given_up,
            }
        })
        .collect()
}

/// `loads.csv` of its rows.
pub fn loads_text(rows: &[LoadRow]) -> Result<String> {
    to_text(&LOADS_COLUMNS, rows.iter().map(LoadRow::cells))
}

/// `loads.csv`: [`LOADS_COLUMNS`], by worker id. Utilisation is `load_after / capacity`
/// (empty when capacity is 0).
pub fn loads_csv(instance: &Instance, solution: &Solution) -> Result<String> {
    loads_text(&load_rows(instance, solution))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Case, Policy, Scenario, Worker};
    use crate::solve::{solve, SolveOptions};

    #[test]
    fn the_rows_serialize_with_the_csv_columns_and_render_its_cells() {
        let scenario = Scenario::new(
            vec![
                Worker::new("W1").capacity(3.0),
                Worker::new("W2").capacity(0.0),
            ],
            vec![
                Case::new("C1").weight(1.0).held_by("W1"),
                Case::new("C2").weight(5.0),
            ],
            Policy::default(),
        );
        let instance = Instance::new(&scenario).expect("valid");
        let solution = solve(&instance, &SolveOptions::default()).expect("solved");
        let rows = allocation_rows(&instance, &solution);
        let loads = load_rows(&instance, &solution);

        let json = serde_json::to_value(&rows).expect("json");
        let keys: Vec<&String> = json[0].as_object().expect("an object").keys().collect();
        let mut columns: Vec<&str> = ALLOCATION_COLUMNS.to_vec();
        columns.sort_unstable();
        assert_eq!(keys, columns);
        assert_eq!(json[1]["case_id"], "C2");
        assert!(json[1]["worker_id"].is_null(), "unallocated: {json}");
        assert_eq!(json[1]["change"], "unallocated");

        let json = serde_json::to_value(&loads).expect("json");
        let keys: Vec<&String> = json[0].as_object().expect("an object").keys().collect();
        let mut columns: Vec<&str> = LOADS_COLUMNS.to_vec();
        columns.sort_unstable();
        assert_eq!(keys, columns);
        // 1 point of 3: the CSV's 0.3333, as a number; none for a capacity of 0.
        assert_eq!(json[0]["utilisation"], 0.3333);
        assert!(json[1]["utilisation"].is_null());

        // The CSV files are the rows' cells, in the columns' order.
        let text = allocation_text(&rows).expect("csv");
        assert_eq!(text, allocation_csv(&instance, &solution).expect("csv"));
        let second = text.lines().nth(2).expect("C2's line");
        assert!(second.starts_with("C2,,,unallocated,"), "{second}");
        let text = loads_text(&loads).expect("csv");
        assert_eq!(text.lines().nth(1), Some("W1,,3,1,1,0.3333,1,0,0"));
    }
}
