//! A manager's decisions on cases and workers: who decided what, and what it holds.
//!
//! The optimiser proposes; the team manager decides. A decision is kept in the record
//! (`crate::record`) and applied to later runs on top of the input files: `accept`,
//! `reject` and `assign` hold a case (with its siblings) with one worker, or unallocated
//! ([`Case::hold`](super::Case::hold)); `never` excludes a worker
//! ([`Case::never`](super::Case::never)). Three kinds are on a worker rather than a case
//! (their own variants of [`Ruling`]): `leaving` and `leave` (on leave) make the worker
//! unavailable for the run, `capacity` sets the worker's capacity. Which decisions can
//! still hold is judged in one place, `validate::judge`; this module only says what they
//! are.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ids::{CaseId, WorkerId};

/// What a manager decided on one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecisionKind {
    /// The proposed change stands: the case stays where the proposal put it.
    Accept,
    /// The proposed change does not happen: the case stays with its previous worker, or
    /// unallocated if it had none.
    Reject,
    /// The case goes to a chosen worker.
    Assign,
    /// A worker may never hold the case (e.g. a conflict found in supervision).
    Never,
    /// The worker is leaving: holds no case after the run.
    Leaving,
    /// The worker is on leave: holds no case after the run.
    Leave,
    /// The worker's capacity, in points, is [`Decision::capacity`].
    Capacity,
}

impl DecisionKind {
    /// Every kind, in the order they are documented.
    pub const ALL: [DecisionKind; 7] = [
        DecisionKind::Accept,
        DecisionKind::Reject,
        DecisionKind::Assign,
        DecisionKind::Never,
        DecisionKind::Leaving,
        DecisionKind::Leave,
        DecisionKind::Capacity,
    ];

    /// The kind as written in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Accept => "accept",
            DecisionKind::Reject => "reject",
            DecisionKind::Assign => "assign",
            DecisionKind::Never => "never",
            DecisionKind::Leaving => "leaving",
            DecisionKind::Leave => "leave",
            DecisionKind::Capacity => "capacity",
        }
    }

    /// Whether the decision is on a worker (`leaving`, `leave`, `capacity`) rather than
    /// on a case.
    pub fn on_worker(self) -> bool {
        matches!(
            self,
            DecisionKind::Leaving | DecisionKind::Leave | DecisionKind::Capacity
        )
    }

    /// Whether the decision overrules the proposal on a case (`reject`, `assign`,
    /// `never`): what a manager must say why for, unless the policy says otherwise
    /// ([`DecisionRules`](super::DecisionRules)). `accept` and the decisions on a worker
    /// do not.
    pub fn overrules(self) -> bool {
        matches!(
            self,
            DecisionKind::Reject | DecisionKind::Assign | DecisionKind::Never
        )
    }

    /// Whether the decision makes its worker unavailable (`leaving`, `leave`).
    pub fn makes_unavailable(self) -> bool {
        matches!(self, DecisionKind::Leaving | DecisionKind::Leave)
    }

    /// Whether the kind names a worker of its own choosing (`assign W`, `never W`, and
    /// the decisions on a worker); the worker of `accept` and `reject` comes from the run
    /// the decision was made on.
    pub fn names_worker(self) -> bool {
        matches!(self, DecisionKind::Assign | DecisionKind::Never) || self.on_worker()
    }
}

impl fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DecisionKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        DecisionKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "expected accept, reject, assign, never, leaving, leave or capacity, got `{s}`"
                )
            })
    }
}

/// What a manager decided: on a case (`accept`, `reject`, `assign`, `never`) or on a
/// worker (`leaving`, `leave`, `capacity`). The one shape of a decision, whichever door it
/// came through (the page, `caseload decide`, a workbook's decision column, a
/// `decisions.csv`, the record): each reads its own text into a `Ruling` with
/// [`Ruling::from_parts`], and nothing else says what a decision is.
#[derive(Clone, Debug, PartialEq)]
pub enum Ruling {
    /// The proposed change stands: the case stays with `worker`, the run's proposal
    /// (`None`: unallocated).
    Accept {
        /// The case.
        case: CaseId,
        /// The worker the proposal gave it (`None`: unallocated).
        worker: Option<WorkerId>,
    },
    /// The proposed change does not happen: the case stays with `worker`, the one it had
    /// before the run (`None`: it stays unallocated).
    Reject {
        /// The case.
        case: CaseId,
        /// The worker it had before (`None`: unallocated).
        worker: Option<WorkerId>,
    },
    /// The case goes to a chosen worker.
    Assign {
        /// The case.
        case: CaseId,
        /// The chosen worker.
        worker: WorkerId,
    },
    /// A worker may never hold the case (e.g. a conflict found in supervision).
    Never {
        /// The case.
        case: CaseId,
        /// The worker ruled out.
        worker: WorkerId,
    },
    /// The worker is leaving: holds no case after the run.
    Leaving {
        /// The worker.
        worker: WorkerId,
    },
    /// The worker is on leave: holds no case after the run.
    Leave {
        /// The worker.
        worker: WorkerId,
    },
    /// The worker's capacity, in points.
    Capacity {
        /// The worker.
        worker: WorkerId,
        /// The capacity it sets.
        points: f64,
    },
}

impl Ruling {
    /// Reads a decision from its parts as files and requests spell them: the kind, the
    /// case (empty or absent for a decision on a worker), the worker and the capacity.
    /// `accept` and `reject` may name a worker (the one the run gave them) or not
    /// (unallocated). Says what is wrong in words when the parts do not make a decision.
    pub fn from_parts(
        kind: DecisionKind,
        case: Option<&str>,
        worker: Option<&str>,
        capacity: Option<f64>,
    ) -> Result<Ruling, String> {
        let case = case
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(CaseId::new);
        let worker = worker
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(WorkerId::new);
        if kind != DecisionKind::Capacity && capacity.is_some() {
            return Err(format!("`{kind}` takes no capacity"));
        }
        if kind.on_worker() {
            if case.is_some() {
                return Err(format!(
                    "`{kind}` is a decision on a worker: it takes no case"
                ));
            }
            let worker = worker.ok_or_else(|| format!("`{kind}` needs a worker"))?;
            return Ok(match kind {
                DecisionKind::Leaving => Ruling::Leaving { worker },
                DecisionKind::Leave => Ruling::Leave { worker },
                _ => Ruling::Capacity {
                    worker,
                    points: capacity
                        .ok_or_else(|| "`capacity` needs a capacity in points".to_string())?,
                },
            });
        }
        let case = case.ok_or_else(|| format!("`{kind}` needs a case"))?;
        let named =
            |worker: Option<WorkerId>| worker.ok_or_else(|| format!("`{kind}` needs a worker"));
        Ok(match kind {
            DecisionKind::Accept => Ruling::Accept { case, worker },
            DecisionKind::Reject => Ruling::Reject { case, worker },
            DecisionKind::Assign => Ruling::Assign {
                case,
                worker: named(worker)?,
            },
            _ => Ruling::Never {
                case,
                worker: named(worker)?,
            },
        })
    }

    /// What kind of decision it is.
    pub fn kind(&self) -> DecisionKind {
        match self {
            Ruling::Accept { .. } => DecisionKind::Accept,
            Ruling::Reject { .. } => DecisionKind::Reject,
            Ruling::Assign { .. } => DecisionKind::Assign,
            Ruling::Never { .. } => DecisionKind::Never,
            Ruling::Leaving { .. } => DecisionKind::Leaving,
            Ruling::Leave { .. } => DecisionKind::Leave,
            Ruling::Capacity { .. } => DecisionKind::Capacity,
        }
    }

    /// The case it is about (`None` for a decision on a worker).
    pub fn case(&self) -> Option<&CaseId> {
        match self {
            Ruling::Accept { case, .. }
            | Ruling::Reject { case, .. }
            | Ruling::Assign { case, .. }
            | Ruling::Never { case, .. } => Some(case),
            _ => None,
        }
    }

    /// The worker it names: for `assign` and `never` the chosen one, for `accept` the
    /// proposed one and for `reject` the previous one (`None`: unallocated), for a
    /// decision on a worker that worker.
    pub fn worker(&self) -> Option<&WorkerId> {
        match self {
            Ruling::Accept { worker, .. } | Ruling::Reject { worker, .. } => worker.as_ref(),
            Ruling::Assign { worker, .. }
            | Ruling::Never { worker, .. }
            | Ruling::Leaving { worker }
            | Ruling::Leave { worker }
            | Ruling::Capacity { worker, .. } => Some(worker),
        }
    }

    /// The capacity a `capacity` decision sets.
    pub fn capacity(&self) -> Option<f64> {
        match self {
            Ruling::Capacity { points, .. } => Some(*points),
            _ => None,
        }
    }
}

/// A decision on one case or one worker, as kept in the record: what was decided, by
/// whom, when and why. In files and JSON it is one flat object (`id`, `at`, `by`,
/// `case_id`, `kind`, `worker_id`, `note`, `capacity`), `case_id` empty on a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "FlatDecision", try_from = "FlatDecision")]
pub struct Decision {
    /// Its id in the record.
    pub id: i64,
    /// When it was taken, UTC, ISO 8601.
    pub at: String,
    /// Who took it.
    pub by: String,
    /// Why, in the manager's words. Required of an overrule when it is taken (see
    /// [`DecisionRules`](super::DecisionRules)); may be empty on one read back from
    /// before the rule, which applies all the same.
    pub note: String,
    /// What was decided.
    pub ruling: Ruling,
}

/// A decision as files and JSON spell it (see [`Decision`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct FlatDecision {
    id: i64,
    at: String,
    by: String,
    #[serde(default)]
    case_id: String,
    kind: DecisionKind,
    worker_id: Option<String>,
    #[serde(default)]
    note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capacity: Option<f64>,
}

impl From<Decision> for FlatDecision {
    fn from(d: Decision) -> Self {
        FlatDecision {
            id: d.id,
            case_id: d.case().map(|c| c.to_string()).unwrap_or_default(),
            kind: d.kind(),
            worker_id: d.worker().map(|w| w.to_string()),
            capacity: d.capacity(),
            at: d.at,
            by: d.by,
            note: d.note,
        }
    }
}

impl TryFrom<FlatDecision> for Decision {
    type Error = String;

    fn try_from(f: FlatDecision) -> Result<Self, String> {
        let ruling =
            Ruling::from_parts(f.kind, Some(&f.case_id), f.worker_id.as_deref(), f.capacity)?;
        Ok(Decision {
            id: f.id,
            at: f.at,
            by: f.by,
            note: f.note,
            ruling,
        })
    }
}

impl Decision {
    /// What kind of decision it is.
    pub fn kind(&self) -> DecisionKind {
        self.ruling.kind()
    }

    /// The case it is about (`None` for a decision on a worker).
    pub fn case(&self) -> Option<&CaseId> {
        self.ruling.case()
    }

    /// The worker it names (see [`Ruling::worker`]).
    pub fn worker(&self) -> Option<&WorkerId> {
        self.ruling.worker()
    }

    /// The capacity a `capacity` decision sets.
    pub fn capacity(&self) -> Option<f64> {
        self.ruling.capacity()
    }

    /// Where the decision holds its case: `Some(None)` unallocated, `Some(Some(w))` with
    /// `w`; `None` for `never` and the decisions on a worker, which hold no case.
    pub fn holds(&self) -> Option<Option<&WorkerId>> {
        match &self.ruling {
            Ruling::Accept { worker, .. } | Ruling::Reject { worker, .. } => Some(worker.as_ref()),
            Ruling::Assign { worker, .. } => Some(Some(worker)),
            _ => None,
        }
    }

    /// The decision in a few words: `assign W2 for C1`, `reject for C1`, `leaving W1`,
    /// `capacity 12 for W1`.
    pub fn describe(&self) -> String {
        let kind = self.kind();
        match &self.ruling {
            Ruling::Capacity { worker, points } => {
                format!("capacity {} for {worker}", crate::text::num(*points))
            }
            Ruling::Leaving { worker } | Ruling::Leave { worker } => format!("{kind} {worker}"),
            Ruling::Assign { case, worker } | Ruling::Never { case, worker } => {
                format!("{kind} {worker} for {case}")
            }
            Ruling::Accept { case, .. } | Ruling::Reject { case, .. } => {
                format!("{kind} for {case}")
            }
        }
    }

    /// What the decision is about, in words: `case C1` or `worker W1`.
    pub fn subject(&self) -> String {
        match (self.case(), self.worker()) {
            (Some(c), _) => format!("case {c}"),
            (None, Some(w)) => format!("worker {w}"),
            (None, None) => String::new(),
        }
    }

    /// The decision as applied to a case: who, when, what, without the case.
    pub fn decided(&self) -> Decided {
        Decided {
            id: self.id,
            at: self.at.clone(),
            by: self.by.clone(),
            kind: self.kind(),
            note: self.note.clone(),
        }
    }
}

/// Who decided what and when, carried by the case a decision is applied to (so that
/// reasons can say so).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decided {
    /// The decision's id in the record.
    pub id: i64,
    /// When, UTC, ISO 8601.
    pub at: String,
    /// Who.
    pub by: String,
    /// What.
    pub kind: DecisionKind,
    /// The manager's note (may be empty).
    pub note: String,
}

impl Decided {
    /// The day of the decision, `YYYY-MM-DD` (the whole time if it is not ISO 8601).
    pub fn day(&self) -> &str {
        self.at.get(..10).unwrap_or(&self.at)
    }
}

/// A decision that holds a case with one worker, or unallocated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// The worker (`None`: the case stays unallocated).
    pub worker: Option<WorkerId>,
    /// The decision.
    pub decided: Decided,
}

#[cfg(test)]
mod tests;
