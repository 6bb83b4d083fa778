//! The judge's word on a recorded decision: the scenario a run was solved from, rebuilt
//! from its input files as kept, and the standing decisions judged against it by
//! [`crate::validate::verdict`], the same judgement the next solve makes.

use std::path::Path;

use super::{InputFile, Record, RecordError, RunId};
use crate::model::Scenario;
use crate::validate::{verdict, DecisionOutcome};

impl Record {
    /// The scenario run `run` was solved from (its input files as kept, without the
    /// decisions).
    pub fn scenario_of(&self, run: RunId) -> Result<Scenario, RecordError> {
        let inputs = self.inputs(run)?;
        scenario_from(self.path(), run, &inputs)
    }

    /// Whether standing decision `id` applies to the inputs of run `run`, and why not:
    /// what `caseload decide` prints at once, without a solve.
    pub fn verdict(&self, run: RunId, id: i64) -> Result<DecisionOutcome, RecordError> {
        let scenario = self.scenario_of(run)?;
        let standing = self.standing()?;
        verdict(&scenario, &standing, id).ok_or_else(|| RecordError::UnknownDecision {
            path: self.path().to_path_buf(),
            id,
        })
    }
}

/// Reads a scenario from input files as kept: written to a private temporary folder
/// (the workbook readers read files), read, and the folder removed.
fn scenario_from(record: &Path, run: RunId, inputs: &[InputFile]) -> Result<Scenario, RecordError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir =
        std::env::temp_dir().join(format!("caseload-run-{run}-{}-{nanos}", std::process::id()));
    let io = |source| RecordError::Io {
        path: dir.clone(),
        source,
    };
    std::fs::create_dir(&dir).map_err(io)?;
    let written = inputs
        .iter()
        .try_for_each(|f| std::fs::write(dir.join(&f.name), &f.bytes));
    let read = written
        .map_err(io)
        .map(|()| crate::io::read::load_scenario(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    read?.map_err(|e| RecordError::Inputs {
        path: record.to_path_buf(),
        run,
        message: crate::text::one_line(&e.to_string()).into_owned(),
    })
}
