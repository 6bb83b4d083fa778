//! The nightly run shared: runs of the workspace's folder that another process recorded
//! (the nightly `allocate --record`), found and made the current proposal, and what
//! changed for a decision taken on a replaced run.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use super::{lock, Workspace, WorkspaceError};
use crate::record::{RecordError, RunId, RunInfo, PREVIOUS_FILE};
use crate::serve::proposal::{Base, Proposal};

/// A child whose worker differs between two runs (a refused stale decision's `changed`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangedChild {
    /// The child.
    pub case_id: String,
    /// The worker in the run the decision was based on (`None`: unallocated, or not in it).
    pub was: Option<String>,
    /// The worker in the newest run (`None`: unallocated, or not in it).
    pub now: Option<String>,
}

/// What the workspace knows of the runs on its record.
#[derive(Default)]
pub(super) struct Seen {
    /// The runs it recorded itself.
    pub(super) own: BTreeSet<RunId>,
    /// The newest run id looked at.
    pub(super) upto: RunId,
    /// A run of the same scenario by another process, not adopted yet.
    pub(super) pending: Option<RunInfo>,
}

impl Workspace {
    /// Whether a run's `scenario` names this workspace's folder (as given, or the same
    /// folder by its canonical path).
    fn same_scenario(&self, scenario: &str) -> bool {
        self.names.iter().any(|n| n == scenario)
            || Path::new(scenario)
                .canonicalize()
                .is_ok_and(|c| self.names.iter().any(|n| *n == c.display().to_string()))
    }

    /// Looks for a run of this scenario that another process recorded since the last
    /// look (the nightly `allocate --record`): one query on the run table's key, through
    /// the watcher's own connection. `Some` while one waits to be adopted.
    pub fn look(&self) -> Result<Option<RunInfo>, WorkspaceError> {
        let mut seen = lock(&self.seen);
        let runs = lock(&self.watcher).runs_after(seen.upto)?;
        for run in runs {
            seen.upto = seen.upto.max(run.id);
            if !seen.own.contains(&run.id) && self.same_scenario(&run.meta.scenario) {
                seen.pending = Some(run);
            }
        }
        Ok(seen.pending.clone())
    }

    /// Makes the run [`Workspace::look`] found the current proposal. A run newer than the
    /// current proposal's is adopted as it was recorded (no solve). One older than it
    /// (this workspace re-solved after the other process began): when its input files
    /// differ from the current proposal's, the workspace solves again on them (a new run,
    /// keeping close to the current proposal); when they are the same, the current
    /// proposal already stands on them. Blocking; hold [`Workspace::solving`].
    pub fn adopt(&self) -> Result<Option<Arc<Proposal>>, WorkspaceError> {
        let Some(found) = lock(&self.seen).pending.clone() else {
            return Ok(None);
        };
        let current = self.current();
        let adopted = if found.id > current.run {
            let proposal =
                super::adopt::proposal_of_run(&lock(&self.watcher), found.id, Some(&current))?;
            let proposal = Arc::new(proposal);
            self.publish(Arc::clone(&proposal));
            Some(proposal)
        } else {
            let inputs: Vec<_> = lock(&self.watcher)
                .inputs(found.id)?
                .into_iter()
                .filter(|f| f.name != PREVIOUS_FILE)
                .collect();
            if inputs == current.base.inputs {
                None
            } else {
                let scenario = lock(&self.watcher).scenario_of(found.id)?;
                Some(self.resolve_on(Arc::new(Base { scenario, inputs }))?)
            }
        };
        let mut seen = lock(&self.seen);
        if seen.pending.as_ref().is_some_and(|p| p.id == found.id) {
            seen.pending = None;
        }
        Ok(adopted)
    }

    /// Makes `proposal` current, the current one previous.
    pub(super) fn publish(&self, proposal: Arc<Proposal>) {
        let old = self.current();
        if let Ok(mut previous) = self.previous.write() {
            *previous = Some(old);
        }
        if let Ok(mut current) = self.current.write() {
            *current = proposal;
        }
    }

    /// The children of `case`'s sibling group whose worker differs between runs `old`
    /// and `new` (what a refused stale decision says changed), by case id, each with its
    /// worker in both (`None`: unallocated or not in the run).
    pub fn changed_between(
        &self,
        case: &str,
        old: RunId,
        new: RunId,
    ) -> Result<Vec<ChangedChild>, WorkspaceError> {
        let current = self.current();
        let instance = &current.instance;
        let group: BTreeSet<String> = match instance.case(&crate::model::CaseId::new(case)) {
            Some(c) => instance.units[instance.unit_of[c]]
                .cases
                .iter()
                .map(|&k| instance.cases[k].id.to_string())
                .collect(),
            None => BTreeSet::from([case.to_string()]),
        };
        let watcher = lock(&self.watcher);
        let worker_in = |run: RunId| -> Result<Vec<(String, Option<String>)>, RecordError> {
            Ok(watcher
                .rows(run)?
                .into_iter()
                .filter(|r| group.contains(&r.case_id))
                .map(|r| (r.case_id, r.worker_id))
                .collect())
        };
        let (before, after) = (worker_in(old)?, worker_in(new)?);
        Ok(group
            .iter()
            .filter_map(|c| {
                let of = |rows: &[(String, Option<String>)]| {
                    rows.iter()
                        .find(|(id, _)| id == c)
                        .and_then(|(_, w)| w.clone())
                };
                let (was, now) = (of(&before), of(&after));
                (was != now || !before.iter().any(|(id, _)| id == c)).then(|| ChangedChild {
                    case_id: c.clone(),
                    was,
                    now,
                })
            })
            .collect())
    }
}
