//! A solved proposal kept whole (`Proposal`): its run, instance, solution and files, and
//! `GET /api/proposal`'s JSON, rendered once.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{Instance, Scenario};
use crate::record::{InputFile, RunId};
use crate::report::bands::rag;
use crate::report::{Outputs, Summary};
use crate::solve::Solution;
use crate::validate::DecisionOutcome;

/// What a proposal was solved from: the scenario folder's input files as read, and the
/// scenario they make (without the decisions). A nightly run adopted from the record
/// brings its own (the files as that run kept them).
pub struct Base {
    /// The scenario as read, without decisions.
    pub scenario: Scenario,
    /// Its input files, as a run keeps them.
    pub inputs: Vec<InputFile>,
}

/// One solved proposal, kept whole: what the page shows and what is exported.
pub struct Proposal {
    /// Its run on the record.
    pub run: RunId,
    /// When its run was recorded (UTC, ISO 8601) and by whom (`allocate --by`, the
    /// workspace's person, or the service).
    pub made: Made,
    /// What it was solved from.
    pub base: Arc<Base>,
    /// The instance it solved (the inputs with the decisions applied).
    pub instance: Instance,
    /// The solution.
    pub solution: Solution,
    /// Its files, rendered once.
    pub outputs: Outputs,
    /// What it made of each standing decision.
    pub decisions: Vec<DecisionOutcome>,
    /// `GET /api/proposal`'s answer, rendered once.
    pub(super) json: String,
}

/// When a proposal's run was recorded, by whom, and whether this server solved it or
/// found it in the record (the nightly `allocate --record`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Made {
    /// When, UTC, ISO 8601.
    pub at: String,
    /// By whom, as the run keeps it.
    pub by: String,
    /// `true` when another process recorded it (this server adopted it from the record).
    pub adopted: bool,
}

/// The JSON of `GET /api/proposal`.
#[derive(Serialize)]
pub struct ProposalJson<'a> {
    /// The run on the record.
    pub run: RunId,
    /// When and by whom the run was recorded.
    pub made: &'a Made,
    /// As `summary.json`.
    pub summary: &'a Summary,
    /// As `allocation.csv`, a row an object.
    pub allocation: Vec<Map<String, Value>>,
    /// As `loads.csv`, a row an object (numbers as numbers), with the worker's name.
    pub loads: Vec<Map<String, Value>>,
}

/// The rows of a CSV text as JSON objects (numbers where a cell reads as one, except in
/// id columns).
fn csv_objects(text: &str) -> Vec<Map<String, Value>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(_) => return Vec::new(),
    };
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| {
            header
                .iter()
                .zip(r.iter())
                .map(|(k, v)| {
                    let value = match v.parse::<f64>() {
                        Ok(x) if !k.ends_with("_id") && k != "team" && x.is_finite() => {
                            serde_json::json!(x)
                        }
                        _ => Value::String(v.to_string()),
                    };
                    (k.clone(), value)
                })
                .collect()
        })
        .collect()
}

impl Proposal {
    /// A proposal, its JSON rendered once.
    pub fn new(
        (run, made): (RunId, Made),
        base: Arc<Base>,
        instance: Instance,
        solution: Solution,
        outputs: Outputs,
        decisions: Vec<DecisionOutcome>,
    ) -> Self {
        let mut proposal = Proposal {
            run,
            made,
            base,
            instance,
            solution,
            outputs,
            decisions,
            json: String::new(),
        };
        proposal.json = serde_json::to_string(&proposal.json_value()).unwrap_or_default();
        proposal
    }

    /// The proposal as `GET /api/proposal` answers it, rendered once.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The proposal as the previous proposal of the next solve, which keeps close to it.
    pub fn as_previous(&self) -> crate::model::Previous {
        let rows = self.outputs.allocation_rows.iter();
        let mut previous = crate::model::Previous::from_rows(
            rows.map(|row| (row.case_id.clone(), row.worker_id.clone())),
        );
        previous.run = Some(self.run);
        previous
    }

    /// Whether the proposal judged decision `id` (it was standing when the solve began).
    pub fn judged(&self, id: i64) -> bool {
        self.decisions.iter().any(|d| d.decision.id == id)
    }

    /// The rows of `allocation.csv` as objects, each marked `changed` when its worker
    /// differs from the previous proposal's.
    fn allocation_objects(&self) -> Vec<Map<String, Value>> {
        let mut rows = csv_objects(&self.outputs.allocation);
        for (row, typed) in rows.iter_mut().zip(&self.outputs.allocation_rows) {
            row.insert("changed".into(), Value::Bool(typed.why_changed.is_some()));
            if let Some(why) = &typed.why_changed {
                row.insert("why_changed".into(), Value::String(why.clone()));
            }
        }
        rows
    }

    fn json_value(&self) -> ProposalJson<'_> {
        let mut loads = csv_objects(&self.outputs.loads);
        let policy = &self.instance.policy;
        for (w, row) in loads.iter_mut().enumerate() {
            let (Some(worker), Some(l)) = (
                self.instance.workers.get(w),
                self.solution.evaluation.loads.get(w),
            ) else {
                continue;
            };
            let cap = self.instance.capacity[w];
            let band = |load: f64| Value::String(rag(policy, load, cap).as_str().to_string());
            row.insert("name".into(), Value::String(worker.name.clone()));
            row.insert("available".into(), Value::Bool(worker.available));
            row.insert("band_before".into(), band(l.load_before));
            row.insert("band_after".into(), band(l.load_after));
        }
        ProposalJson {
            run: self.run,
            made: &self.made,
            summary: &self.outputs.summary,
            allocation: self.allocation_objects(),
            loads,
        }
    }
}
