//! Managers' decisions in the record: taking one, withdrawing one, the standing ones, and
//! what each run made of them. The SQL for decisions lives here; runs are in `sql`.
//!
//! A decision is taken on the newest run's proposal, so its case must be one of that
//! run's and the worker it names one of its workers. `accept` keeps the worker the run
//! proposed and `reject` the worker the case had before the run (unallocated when it
//! had none): both are stored with that worker, so a later run applies them without
//! looking back. A new decision replaces the standing ones it contradicts on the same
//! case (another `accept`/`reject`/`assign`, or a `never` for the worker it now holds
//! the case with, and vice versa): they are stamped withdrawn, superseded by it.
//!
//! A decision on a worker (`leaving`, `leave`, `capacity`) names one of the newest run's
//! workers and has an empty case. A newer `leaving` or `leave` replaces a standing one of
//! either kind on the same worker, and a newer `capacity` a standing `capacity`.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::sql::Store;
use super::{RecordError, RunId};
use crate::model::{CaseId, Decision, DecisionKind, WorkerId};
use crate::validate::ranges::CAPACITY;
use crate::validate::DecisionOutcome;

/// A decision to take.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDecision {
    /// The case (empty for a decision on a worker).
    pub case_id: CaseId,
    /// What is decided.
    pub kind: DecisionKind,
    /// The worker, for `assign`, `never` and the decisions on a worker (and only for
    /// them).
    pub worker_id: Option<WorkerId>,
    /// Who decides.
    pub by: String,
    /// Why, in the manager's words (may be empty).
    pub note: String,
    /// The capacity, in points, for `capacity` (and only for it).
    pub capacity: Option<f64>,
}

/// When and by whom a decision was withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    /// When, UTC, ISO 8601.
    pub at: String,
    /// Who.
    pub by: String,
    /// The newer decision that replaced it, if that is how it was withdrawn.
    pub superseded_by: Option<i64>,
}

/// A decision as the record keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionRecord {
    /// The decision.
    #[serde(flatten)]
    pub decision: Decision,
    /// The run whose proposal it was taken on.
    pub on_run: RunId,
    /// Set once withdrawn.
    pub withdrawn: Option<Withdrawal>,
}

const DECISION_COLUMNS: &str = "id, at, by, case_id, kind, worker_id, note, on_run, \
                                withdrawn_at, withdrawn_by, superseded_by, capacity";

fn decision_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<DecisionRecord> {
    let kind: String = r.get(4)?;
    let kind = kind.parse::<DecisionKind>().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into())
    })?;
    let withdrawn_at: Option<String> = r.get(8)?;
    Ok(DecisionRecord {
        decision: Decision {
            id: r.get(0)?,
            at: r.get(1)?,
            by: r.get(2)?,
            case_id: CaseId::new(r.get::<_, String>(3)?),
            kind,
            worker_id: r.get::<_, Option<String>>(5)?.map(WorkerId::new),
            note: r.get(6)?,
            capacity: r.get(11)?,
        },
        on_run: r.get(7)?,
        withdrawn: match withdrawn_at {
            Some(at) => Some(Withdrawal {
                at,
                by: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                superseded_by: r.get(10)?,
            }),
            None => None,
        },
    })
}

impl Store {
    /// Takes a decision on the newest run's proposal, in one transaction with the
    /// withdrawal of the standing decisions it replaces.
    pub fn decide(&mut self, new: &NewDecision) -> Result<DecisionRecord, RecordError> {
        let mut taken = self.decide_all(std::slice::from_ref(new))?;
        taken.pop().ok_or_else(|| RecordError::BadDecision {
            path: self.path().to_path_buf(),
            what: "no decision was taken".to_string(),
        })
    }

    /// Takes several decisions in one transaction: all of them, or (on the first one
    /// refused) none.
    pub fn decide_all(
        &mut self,
        decisions: &[NewDecision],
    ) -> Result<Vec<DecisionRecord>, RecordError> {
        self.write(|tx, path, wait| {
            decisions
                .iter()
                .map(|new| take(tx, path, wait, new))
                .collect()
        })
    }

    /// Withdraws a standing decision.
    pub fn withdraw(&mut self, id: i64, by: &str) -> Result<DecisionRecord, RecordError> {
        self.write(|tx, path, wait| {
            let path = path.to_path_buf();
            let err = |e| super::sql::classify(&path, wait, e);
            match select_decision(tx, id).map_err(err)? {
                None => return Err(RecordError::UnknownDecision { path, id }),
                Some(d) if d.withdrawn.is_some() => {
                    return Err(RecordError::AlreadyWithdrawn { path, id })
                }
                Some(_) => {}
            }
            tx.execute(
                "UPDATE decision SET withdrawn_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
                    withdrawn_by = ?2, withdrawn_after_run = (SELECT max(id) FROM run)
                 WHERE id = ?1",
                params![id, by],
            )
            .map_err(err)?;
            select_decision(tx, id)
                .map_err(err)?
                .ok_or(RecordError::UnknownDecision { path, id })
        })
    }

    /// Decisions by id: the standing ones only, or all.
    pub fn decisions(&self, standing_only: bool) -> Result<Vec<DecisionRecord>, RecordError> {
        let filter = if standing_only {
            "WHERE withdrawn_at IS NULL"
        } else {
            ""
        };
        let mut stmt = self
            .conn()
            .prepare(&format!(
                "SELECT {DECISION_COLUMNS} FROM decision {filter} ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], decision_record)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Decisions taken, or withdrawn, after run `a` was recorded and before run `b`.
    pub fn decisions_between(
        &self,
        a: RunId,
        b: RunId,
    ) -> Result<Vec<DecisionRecord>, RecordError> {
        let mut stmt = self
            .conn()
            .prepare(&format!(
                "SELECT {DECISION_COLUMNS} FROM decision
                 WHERE (on_run >= ?1 AND on_run < ?2)
                    OR (withdrawn_after_run >= ?1 AND withdrawn_after_run < ?2)
                 ORDER BY id"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![a.min(b), a.max(b)], decision_record)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// What run `id` made of the decisions standing when it ran, by decision id.
    pub fn run_decisions(&self, id: RunId) -> Result<Vec<DecisionOutcome>, RecordError> {
        self.run(id)?;
        let mut stmt = self
            .conn()
            .prepare(&format!(
                "SELECT {}, rd.applied, rd.why FROM run_decision rd
                 JOIN decision d ON d.id = rd.decision WHERE rd.run = ?1 ORDER BY d.id",
                DECISION_COLUMNS
                    .split(", ")
                    .map(|c| format!("d.{}", c.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(DecisionOutcome {
                    decision: decision_record(r)?.decision,
                    applied: r.get(12)?,
                    why: r.get(13)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}

/// Takes one decision inside `tx` (see [`Store::decide`]).
fn take(
    tx: &Transaction<'_>,
    path: &std::path::Path,
    wait: std::time::Duration,
    new: &NewDecision,
) -> Result<DecisionRecord, RecordError> {
    let path = path.to_path_buf();
    let err = |e| super::sql::classify(&path, wait, e);
    let run: RunId = tx
        .query_row("SELECT max(id) FROM run", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .map_err(err)?
        .ok_or_else(|| RecordError::NoRun { path: path.clone() })?;
    let known_worker = |w: &WorkerId| -> Result<(), RecordError> {
        let known: i64 = tx
            .query_row(
                "SELECT count(*) FROM run_load WHERE run = ?1 AND worker_id = ?2",
                params![run, w.as_str()],
                |r| r.get(0),
            )
            .map_err(err)?;
        match known {
            0 => Err(RecordError::UnknownWorker {
                path: path.clone(),
                worker: w.to_string(),
                run,
            }),
            _ => Ok(()),
        }
    };
    let bad = |what: String| RecordError::BadDecision {
        path: path.clone(),
        what,
    };
    if new.kind == DecisionKind::Capacity {
        match new.capacity {
            None => return Err(bad("`capacity` needs a capacity in points".into())),
            Some(c) if !CAPACITY.contains(c) => {
                return Err(bad(format!("capacity: {}", CAPACITY.message(c))))
            }
            Some(_) => {}
        }
    } else if new.capacity.is_some() {
        return Err(bad(format!("`{}` takes no capacity", new.kind)));
    }
    let worker = if new.kind.on_worker() {
        let Some(w) = &new.worker_id else {
            return Err(bad(format!("`{}` needs a worker", new.kind)));
        };
        if !new.case_id.as_str().is_empty() {
            return Err(bad(format!(
                "`{}` is a decision on a worker: it takes no case",
                new.kind
            )));
        }
        known_worker(w)?;
        Some(w.to_string())
    } else {
        let row: Option<(Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT worker_id, previous_worker FROM run_row WHERE run = ?1 AND case_id = ?2",
                params![run, new.case_id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(err)?;
        let Some((proposed, previous)) = row else {
            return Err(RecordError::UnknownCase {
                path,
                case: new.case_id.to_string(),
                run,
            });
        };
        match (new.kind, &new.worker_id) {
            (DecisionKind::Accept, None) => proposed,
            (DecisionKind::Reject, None) => previous,
            (DecisionKind::Assign | DecisionKind::Never, Some(w)) => {
                known_worker(w)?;
                Some(w.to_string())
            }
            (kind, _) => {
                return Err(bad(if kind.names_worker() {
                    format!("`{kind}` needs a worker")
                } else {
                    format!("`{kind}` takes no worker: it uses the run's own")
                }))
            }
        }
    };
    tx.execute(
        "INSERT INTO decision (at, by, case_id, kind, worker_id, note, on_run, capacity)
         VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            new.by,
            new.case_id.as_str(),
            new.kind.as_str(),
            worker,
            new.note,
            run,
            new.capacity
        ],
    )
    .map_err(err)?;
    let id = tx.last_insert_rowid();
    supersede(tx, id, new.kind, worker.as_deref()).map_err(err)?;
    select_decision(tx, id)
        .map_err(err)?
        .ok_or(RecordError::UnknownDecision { path, id })
}

/// The decision with this id, if any.
fn select_decision(
    conn: &rusqlite::Connection,
    id: i64,
) -> rusqlite::Result<Option<DecisionRecord>> {
    conn.query_row(
        &format!("SELECT {DECISION_COLUMNS} FROM decision WHERE id = ?1"),
        [id],
        decision_record,
    )
    .optional()
}

/// Stamps withdrawn, superseded by `id`, the standing decisions on its case that the new
/// one contradicts.
fn supersede(
    tx: &Transaction<'_>,
    id: i64,
    kind: DecisionKind,
    worker: Option<&str>,
) -> rusqlite::Result<usize> {
    // For a decision that holds the case: every other holding one, and a `never` for the
    // worker it holds the case with. For `never W`: a holding one with W, and an older
    // `never W`.
    // On a worker (the case empty): the same worker's standing decision of the same
    // sort (away, or a capacity).
    let contradicts = if kind.on_worker() {
        "o.worker_id IS ?2 AND (o.kind = 'capacity') = (n.kind = 'capacity')"
    } else if kind == DecisionKind::Never {
        "o.worker_id IS ?2"
    } else {
        "o.kind <> 'never' OR (o.kind = 'never' AND o.worker_id IS ?2 AND ?2 IS NOT NULL)"
    };
    tx.execute(
        &format!(
            "UPDATE decision AS o SET withdrawn_at = n.at, withdrawn_by = n.by,
                withdrawn_after_run = n.on_run, superseded_by = n.id
             FROM decision AS n
             WHERE n.id = ?1 AND o.id <> n.id AND o.case_id = n.case_id
               AND o.withdrawn_at IS NULL AND ({contradicts})"
        ),
        params![id, worker],
    )
}
