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
use crate::model::{Decision, DecisionKind, Ruling, WorkerId};
use crate::validate::ranges::CAPACITY;
use crate::validate::DecisionOutcome;

/// A decision to take: what (read at its door by [`crate::validate::ask`], which also
/// holds an overrule to the policy's `[decisions] note_required`), by whom, why, and on
/// which run's proposal. The record keeps what it is given: the rule on a reason is the
/// doors', so that decisions kept before it still load and apply.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDecision {
    /// What is decided. The worker of `accept` and `reject` is the run's: whatever it
    /// says here is replaced by the proposed (accept) or previous (reject) worker.
    pub ruling: Ruling,
    /// Who decides.
    pub by: String,
    /// Why, in the manager's words (empty only where the doors allow it: `accept`, a
    /// decision on a worker, or any under `note_required = false`).
    pub note: String,
    /// The run whose proposal the manager saw (`None`: the newest). A decision taken on
    /// an older run than the newest is refused ([`RecordError::Stale`]) when what it rests
    /// on changed in the newest (its case's proposed or earlier worker, or its worker's
    /// load); else it is taken on the newest run, which proposes the same for it.
    pub on_run: Option<RunId>,
}

impl NewDecision {
    /// A decision on the newest run's proposal.
    pub fn new(ruling: Ruling, by: impl Into<String>, note: impl Into<String>) -> Self {
        Self {
            ruling,
            by: by.into(),
            note: note.into(),
            on_run: None,
        }
    }
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
    let bad = |column: &str, e: String| {
        let index = r.as_ref().column_index(column).unwrap_or_default();
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, e.into())
    };
    let kind: String = r.get("kind")?;
    let kind = kind.parse::<DecisionKind>().map_err(|e| bad("kind", e))?;
    let case: String = r.get("case_id")?;
    let worker: Option<String> = r.get("worker_id")?;
    let capacity: Option<f64> = r.get("capacity")?;
    let ruling = Ruling::from_parts(kind, Some(&case), worker.as_deref(), capacity)
        .map_err(|e| bad("kind", e))?;
    let withdrawn_at: Option<String> = r.get("withdrawn_at")?;
    Ok(DecisionRecord {
        decision: Decision {
            id: r.get("id")?,
            at: r.get("at")?,
            by: r.get("by")?,
            note: r.get("note")?,
            ruling,
        },
        on_run: r.get("on_run")?,
        withdrawn: match withdrawn_at {
            Some(at) => Some(Withdrawal {
                at,
                by: r
                    .get::<_, Option<String>>("withdrawn_by")?
                    .unwrap_or_default(),
                superseded_by: r.get("superseded_by")?,
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
                    applied: r.get("applied")?,
                    why: r.get("why")?,
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
    // A decision on an older proposal stands only if what it rests on is as it was:
    // its case proposed as before (and with the same worker before), or its worker's
    // load as before. Else the manager is told what changed and nothing is kept.
    if let Some(on_run) = new.on_run.filter(|&r| r != run) {
        if let Some(changed) = stale_change(tx, on_run, run, &new.ruling).map_err(err)? {
            return Err(RecordError::Stale {
                path,
                on_run,
                newest: run,
                changed,
            });
        }
    }
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
    if let Ruling::Capacity { points, .. } = new.ruling {
        if !CAPACITY.contains(points) {
            return Err(RecordError::BadDecision {
                path,
                what: format!("capacity: {}", CAPACITY.message(points)),
            });
        }
    }
    let ruling = match &new.ruling {
        Ruling::Accept { case, .. } | Ruling::Reject { case, .. } => {
            let (proposed, previous) = proposal_of(tx, run, case.as_str())
                .map_err(err)?
                .ok_or_else(|| RecordError::UnknownCase {
                    path: path.clone(),
                    case: case.to_string(),
                    run,
                })?;
            let case = case.clone();
            match new.ruling.kind() {
                DecisionKind::Accept => Ruling::Accept {
                    case,
                    worker: proposed.map(WorkerId::new),
                },
                _ => Ruling::Reject {
                    case,
                    worker: previous.map(WorkerId::new),
                },
            }
        }
        ruling => {
            if let Some(case) = ruling.case() {
                if proposal_of(tx, run, case.as_str()).map_err(err)?.is_none() {
                    return Err(RecordError::UnknownCase {
                        path,
                        case: case.to_string(),
                        run,
                    });
                }
            }
            if let Some(w) = ruling.worker() {
                known_worker(w)?;
            }
            ruling.clone()
        }
    };
    let worker = ruling.worker().map(|w| w.to_string());
    let case = ruling.case().map(|c| c.to_string()).unwrap_or_default();
    tx.execute(
        "INSERT INTO decision (at, by, case_id, kind, worker_id, note, on_run, capacity)
         VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            new.by,
            case,
            ruling.kind().as_str(),
            worker,
            new.note,
            run,
            ruling.capacity()
        ],
    )
    .map_err(err)?;
    let id = tx.last_insert_rowid();
    supersede(tx, id, ruling.kind(), worker.as_deref()).map_err(err)?;
    select_decision(tx, id)
        .map_err(err)?
        .ok_or(RecordError::UnknownDecision { path, id })
}

/// The worker run `run` proposed for a case and the one it had before, if the run has
/// the case.
fn proposal_of(
    tx: &Transaction<'_>,
    run: RunId,
    case: &str,
) -> rusqlite::Result<Option<(Option<String>, Option<String>)>> {
    tx.query_row(
        "SELECT worker_id, previous_worker FROM run_row WHERE run = ?1 AND case_id = ?2",
        params![run, case],
        |r| Ok((r.get("worker_id")?, r.get("previous_worker")?)),
    )
    .optional()
}

/// What changed between run `old` and the newer run `newest` for the case or worker of
/// a decision, in words; `None` when nothing did (the decision still means what its
/// manager saw).
fn stale_change(
    tx: &Transaction<'_>,
    old: RunId,
    newest: RunId,
    ruling: &Ruling,
) -> rusqlite::Result<Option<String>> {
    let place = |w: &Option<String>| {
        w.as_deref()
            .map_or("unallocated".to_string(), |w| format!("with {w}"))
    };
    if let Some(case) = ruling.case() {
        let before = proposal_of(tx, old, case.as_str())?;
        let now = proposal_of(tx, newest, case.as_str())?;
        return Ok(match (before, now) {
            (_, None) => Some(format!("case {case} is not in run {newest}")),
            (None, Some((now, _))) => Some(format!(
                "case {case} is new in run {newest}, which proposes it {}",
                place(&now)
            )),
            (Some(was), Some(now)) if was == now => None,
            (Some((was, _)), Some((now, _))) if was == now => Some(format!(
                "run {newest} proposes case {case} {} as run {old} did, but its worker \
                 before the run changed; look at it again",
                place(&now)
            )),
            (Some((was, _)), Some((now, _))) => Some(format!(
                "run {old} proposed case {case} {}, run {newest} proposes it {}",
                place(&was),
                place(&now)
            )),
        });
    }
    let worker = ruling.worker().map(|w| w.to_string()).unwrap_or_default();
    let load = |run: RunId| -> rusqlite::Result<Option<(f64, i64)>> {
        tx.query_row(
            "SELECT load_after, cases FROM run_load WHERE run = ?1 AND worker_id = ?2",
            params![run, worker],
            |r| Ok((r.get("load_after")?, r.get("cases")?)),
        )
        .optional()
    };
    Ok(match (load(old)?, load(newest)?) {
        (_, None) => Some(format!("worker {worker} is not in run {newest}")),
        (Some((a, n)), Some((b, m))) if a != b || n != m => Some(format!(
            "run {old} gave worker {worker} {n} cases ({} points), run {newest} gives {m} ({} points)",
            crate::text::num(a),
            crate::text::num(b)
        )),
        (Some(_), Some(_)) => None,
        (None, Some(_)) => Some(format!(
            "worker {worker} is new in run {newest}; look at them again"
        )),
    })
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
