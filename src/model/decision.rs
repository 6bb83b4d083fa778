//! A manager's decisions on cases and workers: who decided what, and what it holds.
//!
//! The optimiser proposes; the team manager decides. A decision is kept in the record
//! (`crate::record`) and applied to later runs on top of the input files: `accept`,
//! `reject` and `assign` hold a case (with its siblings) with one worker, or unallocated
//! ([`Case::hold`](super::Case::hold)); `never` excludes a worker
//! ([`Case::never`](super::Case::never)). Three kinds are on a worker rather than a case
//! (their `case_id` is empty): `leaving` and `leave` (on leave) make the worker
//! unavailable for the run, `capacity` sets the worker's capacity. Which decisions can
//! still hold is decided in `validate`; this module only says what they are.

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

/// A standing decision on one case or one worker, as kept in the record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Its id in the record.
    pub id: i64,
    /// When it was taken, UTC, ISO 8601.
    pub at: String,
    /// Who took it.
    pub by: String,
    /// The case it is about (empty for a decision on a worker).
    pub case_id: CaseId,
    /// What was decided.
    pub kind: DecisionKind,
    /// The worker it names: for `assign` and `never` the chosen one; for `accept` the
    /// proposed worker and for `reject` the previous one (`None`: unallocated).
    pub worker_id: Option<WorkerId>,
    /// Why, in the manager's words (may be empty).
    pub note: String,
    /// The capacity a `capacity` decision sets, in points (`None` for the other kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
}

impl Decision {
    /// Where the decision holds its case: `Some(None)` unallocated, `Some(Some(w))` with
    /// `w`; `None` for `never` and the decisions on a worker, which hold no case.
    pub fn holds(&self) -> Option<Option<&WorkerId>> {
        match self.kind {
            DecisionKind::Never => None,
            k if k.on_worker() => None,
            _ => Some(self.worker_id.as_ref()),
        }
    }

    /// The decision in a few words: `assign W2 for C1`, `reject for C1`, `leaving W1`,
    /// `capacity 12 for W1`.
    pub fn describe(&self) -> String {
        let worker = self.worker_id.as_ref().map_or("", |w| w.as_str());
        match (self.kind, self.capacity) {
            (DecisionKind::Capacity, Some(c)) => {
                format!("capacity {} for {worker}", crate::text::num(c))
            }
            (k, _) if k.on_worker() => format!("{k} {worker}"),
            (k, _) if k.names_worker() => format!("{k} {worker} for {}", self.case_id),
            (k, _) => format!("{k} for {}", self.case_id),
        }
    }

    /// What the decision is about, in words: `case C1` or `worker W1`.
    pub fn subject(&self) -> String {
        match (&self.worker_id, self.kind.on_worker()) {
            (Some(w), true) => format!("worker {w}"),
            _ => format!("case {}", self.case_id),
        }
    }

    /// The decision as applied to a case: who, when, what, without the case.
    pub fn decided(&self) -> Decided {
        Decided {
            id: self.id,
            at: self.at.clone(),
            by: self.by.clone(),
            kind: self.kind,
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
mod tests {
    use super::*;

    #[test]
    fn kinds_read_as_written_and_in_any_case() {
        for kind in DecisionKind::ALL {
            assert_eq!(kind.as_str().parse::<DecisionKind>(), Ok(kind));
            assert_eq!(
                kind.as_str().to_uppercase().parse::<DecisionKind>(),
                Ok(kind)
            );
        }
        let err = "keep".parse::<DecisionKind>().unwrap_err();
        assert!(err.contains("accept, reject, assign, never"), "{err}");
    }

    #[test]
    fn never_holds_nothing_the_others_hold_their_worker() {
        let mut d = Decision {
            id: 1,
            at: "2026-12-03T10:00:00Z".into(),
            by: "Sam".into(),
            case_id: CaseId::new("C1"),
            kind: DecisionKind::Reject,
            worker_id: None,
            note: String::new(),
            capacity: None,
        };
        assert_eq!(d.holds(), Some(None));
        d.worker_id = Some(WorkerId::new("W1"));
        assert_eq!(d.holds(), Some(Some(&WorkerId::new("W1"))));
        d.kind = DecisionKind::Never;
        assert_eq!(d.holds(), None);
        assert_eq!(d.decided().day(), "2026-12-03");
        d.kind = DecisionKind::Leaving;
        assert_eq!(d.holds(), None);
        assert_eq!(d.subject(), "worker W1");
    }
}
