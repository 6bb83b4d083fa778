//! A run another process recorded (the nightly `allocate --record`), made the server's
//! proposal without solving it again: its input files as the run kept them, the
//! decisions as that run applied them, and its allocation row by row, evaluated and
//! rendered as the workspace renders its own solves.

use std::sync::Arc;
use std::time::Duration;

use super::WorkspaceError;
use crate::error::Error;
use crate::model::{CaseId, Decision, Instance, WorkerId};
use crate::record::{Record, RunId, PREVIOUS_FILE};
use crate::report::{Outputs, Timings};
use crate::serve::proposal::{Base, Made, Proposal};
use crate::solve::{Solution, SolvedBy, Stability, Status};
use crate::validate::apply_decisions;

/// Run `id` of `record` as a proposal. Its rows are marked changed against `shown` (the
/// proposal the managers were reviewing), so that the page shows what the new run
/// changed for them.
pub(super) fn proposal_of_run(
    record: &Record,
    id: RunId,
    shown: Option<&Proposal>,
) -> Result<Proposal, WorkspaceError> {
    let info = record.run(id)?;
    let inputs: Vec<_> = record
        .inputs(id)?
        .into_iter()
        .filter(|f| f.name != PREVIOUS_FILE)
        .collect();
    let scenario = record.scenario_of(id)?;
    let outcomes = record.run_decisions(id)?;
    let decisions: Vec<Decision> = outcomes.iter().map(|o| o.decision.clone()).collect();
    let (decided, _) = apply_decisions(&scenario, &decisions);
    let instance = Instance::new(&decided).map_err(Error::from)?;
    let mut units = vec![None; instance.units.len()];
    for row in record.rows(id)? {
        let case = instance.case(&CaseId::new(&row.case_id));
        let worker = row
            .worker_id
            .as_deref()
            .and_then(|w| instance.worker(&WorkerId::new(w)));
        if let (Some(c), Some(w)) = (case, worker) {
            units[instance.unit_of[c]] = Some(w);
        }
    }
    let allocation = crate::model::Allocation { units };
    let evaluation = instance.evaluate(&allocation);
    let total = evaluation.objective.total;
    let stability = shown.map(|p| {
        let previous = Arc::new(p.as_previous());
        let was = previous.on(&instance);
        let changed = was
            .of_case
            .iter()
            .zip(&evaluation.worker)
            .filter(|(before, &now)| before.changes_to(now))
            .count();
        Stability {
            previous,
            changed,
            minimal: false,
            first_changed: changed,
            time: Duration::ZERO,
        }
    });
    let solution = Solution {
        allocation,
        evaluation,
        status: if info.meta.status == Status::Optimal.as_str() {
            Status::Optimal
        } else {
            Status::TimeLimit
        },
        bound: info.meta.bound.unwrap_or(total),
        gap: info.meta.gap,
        start_objective: total,
        solver_objective: None,
        build_time: Duration::ZERO,
        solve_time: Duration::ZERO,
        solved_by: SolvedBy::default(),
        stability,
    };
    let outputs = Outputs::render(&instance, &solution, Timings::default(), Some(&outcomes))?;
    let made = Made {
        at: info.at,
        by: info.meta.by,
        adopted: true,
    };
    Ok(Proposal::new(
        (id, made),
        Arc::new(Base { scenario, inputs }),
        instance,
        solution,
        outputs,
        outcomes,
    ))
}
