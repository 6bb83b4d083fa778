//! Workers and cases, in the users' words.

use std::collections::{BTreeMap, BTreeSet};

use super::decision::{Decided, Hold};
use super::ids::{CaseId, Tag, WorkerId};

/// A social worker (or other practitioner) who holds cases.
#[derive(Clone, Debug, PartialEq)]
pub struct Worker {
    /// Unique id.
    pub id: WorkerId,
    /// Display name.
    pub name: String,
    /// Team name; empty when none.
    pub team: String,
    /// Full-time equivalent, in (0, 1].
    pub fte: f64,
    /// Explicit capacity in weighted points; `None` means `fte × standard_capacity`.
    pub capacity: Option<f64>,
    /// Most cases (children) this worker may hold.
    pub max_cases: Option<u32>,
    /// Most cases this worker may receive in one run (cases it did not hold before).
    pub max_new: Option<u32>,
    /// Skill tags.
    pub skills: BTreeSet<Tag>,
    /// False when on leave or leaving: such a worker holds no case after the run.
    pub available: bool,
    /// The manager's decision that made the worker unavailable (`leaving`, `leave`), when
    /// a decision did rather than the input (set by `validate::apply_decisions`).
    pub away: Option<Decided>,
}

impl Worker {
    /// A full-time, available worker with no team, skills or limits.
    pub fn new(id: impl Into<WorkerId>) -> Self {
        Self {
            id: id.into(),
            name: String::new(),
            team: String::new(),
            fte: 1.0,
            away: None,
            capacity: None,
            max_cases: None,
            max_new: None,
            skills: BTreeSet::new(),
            available: true,
        }
    }

    /// Sets the team.
    pub fn team(mut self, team: &str) -> Self {
        self.team = team.trim().to_string();
        self
    }

    /// Sets the skills.
    pub fn skills<'a>(mut self, tags: impl IntoIterator<Item = &'a str>) -> Self {
        self.skills = tags.into_iter().map(Tag::new).collect();
        self
    }

    /// Sets an explicit capacity.
    pub fn capacity(mut self, points: f64) -> Self {
        self.capacity = Some(points);
        self
    }

    /// Sets the FTE.
    pub fn fte(mut self, fte: f64) -> Self {
        self.fte = fte;
        self
    }

    /// Marks the worker unavailable (on leave or leaving).
    pub fn unavailable(mut self) -> Self {
        self.available = false;
        self
    }

    /// Whether the worker has the tag.
    pub fn has(&self, tag: &Tag) -> bool {
        self.skills.contains(tag)
    }
}

/// One child.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Unique id.
    pub id: CaseId,
    /// Workload points, finite and > 0.
    pub weight: f64,
    /// Team the case belongs to; empty when none.
    pub team: String,
    /// Tags the worker must all have.
    pub requires: BTreeSet<Tag>,
    /// Tags it is better for the worker to have.
    pub prefers: BTreeSet<Tag>,
    /// Sibling or family group; cases of a group move together.
    pub group: Option<String>,
    /// Who holds the case before the run.
    pub current_worker: Option<WorkerId>,
    /// Must stay with `current_worker`.
    pub pinned: bool,
    /// Workers who may never hold it (conflict of interest).
    pub exclude: BTreeSet<WorkerId>,
    /// 1..=5, 5 most urgent.
    pub priority: u8,
    /// A manager's standing decision that holds the case (with its siblings) with one
    /// worker or unallocated: applied from the record on top of the input, never read
    /// from `cases.csv`.
    pub hold: Option<Hold>,
    /// Workers a manager decided may never hold the case, with the decision (from the
    /// record, like `hold`).
    pub never: BTreeMap<WorkerId, Decided>,
}

impl Case {
    /// A case of weight 1, priority 3, with nothing else set.
    pub fn new(id: impl Into<CaseId>) -> Self {
        Self {
            id: id.into(),
            weight: 1.0,
            team: String::new(),
            requires: BTreeSet::new(),
            prefers: BTreeSet::new(),
            group: None,
            current_worker: None,
            pinned: false,
            exclude: BTreeSet::new(),
            priority: 3,
            hold: None,
            never: BTreeMap::new(),
        }
    }

    /// Sets the weight.
    pub fn weight(mut self, weight: f64) -> Self {
        self.weight = weight;
        self
    }

    /// Sets the team.
    pub fn team(mut self, team: &str) -> Self {
        self.team = team.trim().to_string();
        self
    }

    /// Sets the required tags.
    pub fn requires<'a>(mut self, tags: impl IntoIterator<Item = &'a str>) -> Self {
        self.requires = tags.into_iter().map(Tag::new).collect();
        self
    }

    /// Sets the preferred tags.
    pub fn prefers<'a>(mut self, tags: impl IntoIterator<Item = &'a str>) -> Self {
        self.prefers = tags.into_iter().map(Tag::new).collect();
        self
    }

    /// Sets the sibling group.
    pub fn group(mut self, group: &str) -> Self {
        self.group = Some(group.trim().to_string());
        self
    }

    /// Sets the current worker.
    pub fn held_by(mut self, worker: &str) -> Self {
        self.current_worker = Some(WorkerId::new(worker));
        self
    }

    /// Pins the case to its current worker.
    pub fn pinned(mut self) -> Self {
        self.pinned = true;
        self
    }

    /// Adds workers who may never hold the case.
    pub fn exclude<'a>(mut self, workers: impl IntoIterator<Item = &'a str>) -> Self {
        self.exclude = workers.into_iter().map(WorkerId::new).collect();
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: u8) -> Self {
        self.priority = priority;
        self
    }
}

/// Terms for one (case, worker) pair (`pairs.csv`): what it costs, and how heavy the
/// case is, when this worker holds this case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairTerms {
    /// Objective points when this worker holds this case; finite, ≥ 0.
    pub cost: f64,
    /// Load points the case uses on this worker, replacing the case's weight; finite, > 0.
    pub weight: Option<f64>,
}

impl Default for PairTerms {
    fn default() -> Self {
        Self {
            cost: 0.0,
            weight: None,
        }
    }
}
