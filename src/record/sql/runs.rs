//! Writing a run (its rows, loads, inputs and what it made of the decisions) and reading
//! a run's summary row: the record's largest statements, beside the store that calls
//! them ([`super::Store`]).

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Transaction};

use super::classify;
use crate::model::Objective;
use crate::record::{NewRun, RecordError, RunId, RunInfo, RunMeta};
use crate::report::ChangeCounts;

/// Writes one run inside `tx`; returns its id.
pub(super) fn insert_run(
    tx: &Transaction<'_>,
    path: &Path,
    wait: Duration,
    run: &NewRun,
) -> Result<RunId, RecordError> {
    let err = |e| classify(path, wait, e);
    let m = &run.meta;
    let o = &m.objective;
    let c = &m.counts;
    tx.execute(
        "INSERT INTO run (at, version, by, scenario, policy, options, status, bound, gap,
            total, unallocated, bands, moves, preferences, pairs,
            cases, kept, moved, forced, new, unallocated_cases, summary)
         VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
            ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        params![
            m.version,
            m.by,
            m.scenario,
            m.policy,
            m.options,
            m.status,
            m.bound,
            m.gap,
            o.total,
            o.unallocated,
            o.bands,
            o.moves,
            o.preferences,
            o.pairs,
            c.total as i64,
            c.kept as i64,
            c.moved as i64,
            c.forced as i64,
            c.new as i64,
            c.unallocated as i64,
            run.summary,
        ],
    )
    .map_err(err)?;
    let id = tx.last_insert_rowid();
    {
        let mut blob = tx
            .prepare_cached("INSERT OR IGNORE INTO blob (sha256, size, bytes) VALUES (?1, ?2, ?3)")
            .map_err(err)?;
        let mut input = tx
            .prepare_cached("INSERT INTO run_input (run, name, sha256) VALUES (?1, ?2, ?3)")
            .map_err(err)?;
        for file in &run.inputs {
            let sha = file.sha256();
            blob.execute(params![sha, file.bytes.len() as i64, file.bytes])
                .map_err(err)?;
            input.execute(params![id, file.name, sha]).map_err(err)?;
        }
        let mut row = tx
            .prepare_cached(
                "INSERT INTO run_row (run, case_id, worker_id, previous_worker, change, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(err)?;
        for r in &run.rows {
            row.execute(params![
                id,
                r.case_id,
                r.worker_id,
                r.previous_worker,
                r.change,
                r.reason
            ])
            .map_err(err)?;
        }
        let mut load = tx
            .prepare_cached(
                "INSERT INTO run_load (run, worker_id, team, capacity, load_before, load_after, cases)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(err)?;
        for l in &run.loads {
            load.execute(params![
                id,
                l.worker_id,
                l.team,
                l.capacity,
                l.load_before,
                l.load_after,
                l.cases
            ])
            .map_err(err)?;
        }
    }
    insert_run_decisions(tx, id, &run.decisions).map_err(err)?;
    Ok(id)
}

/// Keeps what a run made of each standing decision (inside the run's transaction).
fn insert_run_decisions(
    tx: &Transaction<'_>,
    run: RunId,
    outcomes: &[crate::validate::DecisionOutcome],
) -> rusqlite::Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO run_decision (run, decision, applied, why) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for o in outcomes {
        stmt.execute(params![run, o.decision.id, o.applied, o.why])?;
    }
    Ok(())
}

pub(super) const RUN_COLUMNS: &str =
    "id, at, version, by, scenario, policy, options, status, bound, gap,
    total, unallocated, bands, moves, preferences, pairs,
    cases, kept, moved, forced, new, unallocated_cases";

pub(super) fn run_info(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunInfo> {
    let count = |i: usize| -> rusqlite::Result<usize> { Ok(r.get::<_, i64>(i)?.max(0) as usize) };
    Ok(RunInfo {
        id: r.get(0)?,
        at: r.get(1)?,
        meta: RunMeta {
            version: r.get(2)?,
            by: r.get(3)?,
            scenario: r.get(4)?,
            policy: r.get(5)?,
            options: r.get(6)?,
            status: r.get(7)?,
            bound: r.get(8)?,
            gap: r.get(9)?,
            objective: Objective {
                total: r.get(10)?,
                unallocated: r.get(11)?,
                bands: r.get(12)?,
                moves: r.get(13)?,
                preferences: r.get(14)?,
                pairs: r.get(15)?,
            },
            counts: ChangeCounts {
                total: count(16)?,
                kept: count(17)?,
                moved: count(18)?,
                forced: count(19)?,
                new: count(20)?,
                unallocated: count(21)?,
            },
        },
    })
}
