//! The JSON API under `/api/`: what the page does, a script can do.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::body::{JsonBody, QueryOf};
use super::{error, App, Stamp, WorkspaceError};
use crate::model::{eligibility, CaseId, Decision, DecisionKind, Objective, Ruling, WorkerId};
use crate::record::{NewDecision, RecordError};
use crate::report::bands::rag;

/// A failed call of the workspace as an HTTP answer: bad input 400, unknown ids 404, the
/// rest 500 (the server keeps running); in words without the server's paths, which go to
/// its log (see `body::failure`).
fn failure(e: WorkspaceError) -> Response {
    let (status, words) = super::body::failure(&e);
    error(status, words)
}

/// A proposal's JSON, rendered when it was solved, with its run in `X-Caseload-Run`.
fn proposal_json(p: &super::Proposal) -> Response {
    let response = (
        [(header::CONTENT_TYPE, "application/json")],
        p.json().to_string(),
    )
        .into_response();
    super::with_run(response, p.run)
}

/// `GET /api/proposal`: the summary, every allocation row, every load.
pub async fn proposal(State(app): State<Arc<App>>) -> Response {
    proposal_json(&app.workspace.current())
}

/// `GET /api/previous`: the proposal before the last re-solve (404 before any).
pub async fn previous(State(app): State<Arc<App>>) -> Response {
    match app.workspace.previous() {
        Some(p) => proposal_json(&p),
        None => error(StatusCode::NOT_FOUND, "no earlier proposal in this session"),
    }
}

/// `GET /api/decisions`: the standing decisions, each judged now (`applies`, `why`) and
/// marked whether the current proposal includes it (`in_proposal`).
pub async fn decisions(State(app): State<Arc<App>>) -> Response {
    let worker = Arc::clone(&app);
    match tokio::task::spawn_blocking(move || worker.workspace.standing()).await {
        Ok(Ok(standing)) => Json(standing).into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
    }
}

/// `GET /api/decisions/rules`: what a decision must carry under the scenario's policy,
/// `{"note_required", "needs_note": [kinds]}` (the overrules while a note is required,
/// else none), so that the page can ask for the reason before it sends; the server
/// judges again whatever is sent.
pub async fn decision_rules(State(app): State<Arc<App>>) -> Response {
    let rules = app.workspace.scenario().scenario.policy.decisions;
    let needs_note: Vec<&str> = DecisionKind::ALL
        .into_iter()
        .filter(|&k| rules.needs_note(k))
        .map(DecisionKind::as_str)
        .collect();
    Json(json!({ "note_required": rules.note_required, "needs_note": needs_note })).into_response()
}

/// The body of `POST /api/decisions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    case_id: String,
    kind: String,
    #[serde(default)]
    worker_id: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    capacity: Option<f64>,
    /// The run whose proposal the manager saw (default: the newest).
    #[serde(default)]
    run: Option<i64>,
}

/// `POST /api/decisions`: `{"case_id", "kind", "worker_id"?, "by"?, "note"?, "run"?}` →
/// 201 `{"id", "applies", "why", "run", "in_proposal": false}`, judged at once against the
/// scenario and the standing decisions (no solve); on a worker, `{"kind": "leaving" |
/// "leave", "worker_id"}` or `{"kind": "capacity", "worker_id", "capacity"}` (no case).
/// `reject`, `assign` and `never` need a `note` saying why unless the policy says
/// otherwise: without one, 400 `{"error": "note: a reason is required ...", "field":
/// "note"}` and nothing recorded.
/// A decision taken on an older run than the newest (`run`) whose case (or worker) the
/// newest proposes otherwise is refused with 409 `{"error", "run": NEWEST, "based_on":
/// RUN, "changed": [{"case_id", "was", "now"}]}` (the children of the case's sibling
/// group whose worker differs between the two); nothing is recorded. When the newest
/// proposes the same for it, the decision is taken on the newest.
pub async fn decide(
    State(app): State<Arc<App>>,
    // The signed-in caller under `serve --config`: `by` is theirs, whatever the body says.
    stamp: Option<Extension<Stamp>>,
    // A body that is not one answers 400 naming its field (413 too large), in words.
    JsonBody(body): JsonBody<DecisionBody>,
) -> Response {
    let kind = match body.kind.parse::<DecisionKind>() {
        Ok(kind) => kind,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("kind: {e}")),
    };
    let by = match stamp {
        Some(Extension(Stamp(who))) => who,
        None => body
            .by
            .filter(|b| !b.trim().is_empty())
            .unwrap_or_else(|| app.workspace.by.clone()),
    };
    let note = body.note.unwrap_or_default();
    let ruling = match crate::validate::ask(
        kind,
        Some(&body.case_id),
        body.worker_id.as_deref(),
        body.capacity,
        &note,
        app.workspace.scenario().scenario.policy.decisions,
    ) {
        Ok(ruling) => ruling,
        Err(refusal) => return refused(&refusal),
    };
    let decision = NewDecision {
        on_run: body.run,
        ..NewDecision::new(ruling, by, note)
    };
    let case = body.case_id.clone();
    let worker = Arc::clone(&app);
    let taken = tokio::task::spawn_blocking(move || worker.workspace.decide(&decision)).await;
    match taken {
        Ok(Err(WorkspaceError::Record(RecordError::Stale {
            on_run,
            newest,
            changed,
            ..
        }))) => stale(&app, &case, on_run, newest, &changed).await,
        Ok(Ok((d, verdict))) => (
            StatusCode::CREATED,
            Json(json!({
                "id": d.decision.id,
                "applies": verdict.applied,
                "why": verdict.why,
                "run": d.on_run,
                "in_proposal": false,
            })),
        )
            .into_response(),
        Ok(Err(e)) => failure(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
    }
}

/// A decision on a replaced proposal, 409: the newest run, the run it was based on, what
/// changed in words and the children of its sibling group whose worker differs.
async fn stale(app: &Arc<App>, case: &str, on_run: i64, newest: i64, words: &str) -> Response {
    let worker = Arc::clone(app);
    let case = case.to_string();
    let children = tokio::task::spawn_blocking(move || {
        worker.workspace.changed_between(&case, on_run, newest)
    })
    .await;
    let changed = match children {
        Ok(Ok(children)) => children,
        _ => Vec::new(),
    };
    let body = json!({
        "error": format!(
            "the decision was taken on run {on_run}, but run {newest} has replaced it: {words}; \
             nothing was recorded: look at the newer proposal and decide again"
        ),
        "run": newest,
        "based_on": on_run,
        "changed": changed,
    });
    (StatusCode::CONFLICT, Json(body)).into_response()
}

/// A decision refused at the door, 400: `{"error"}` in words, and `"field"` when one
/// field is at fault (`note` for an overrule without a reason), so that the page shows
/// it beside that field. Nothing is recorded.
fn refused(refusal: &crate::validate::Refusal) -> Response {
    use crate::validate::Refusal;
    let words = match refusal {
        Refusal::NoReason(_) => format!(
            "note: {refusal}: say why in `note` (policy.toml `[decisions] note_required` \
             is on)"
        ),
        Refusal::Shape(_) => refusal.to_string(),
    };
    let mut body = json!({ "error": words });
    if let Some(field) = refusal.field() {
        body["field"] = json!(field);
    }
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// `DELETE /api/decisions/ID`: withdraws a standing decision.
pub async fn withdraw(
    State(app): State<Arc<App>>,
    stamp: Option<Extension<Stamp>>,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("`{id}` is not a decision id"),
        );
    };
    let by = stamp.map_or_else(|| app.workspace.by.clone(), |Extension(Stamp(who))| who);
    let withdrawn = app.workspace.record().withdraw(id, &by);
    match withdrawn {
        Ok(d) => Json(json!({ "id": d.decision.id, "withdrawn": d.withdrawn })).into_response(),
        Err(e) => failure(e.into()),
    }
}

/// `POST /api/solve`: re-solves with the standing decisions; answers the new proposal.
/// One solve at a time: asked while one runs, it waits, and the next solve (which takes
/// every decision committed by then) answers every ask that came in meanwhile.
pub async fn solve(State(app): State<Arc<App>>) -> Response {
    let mut ask = app.workspace.ask();
    let _one = app.workspace.solving.lock().await;
    ask.turn();
    if app.workspace.covered(ask.number) {
        return proposal_json(&app.workspace.current());
    }
    drop(ask);
    let worker = Arc::clone(&app);
    let solved = tokio::task::spawn_blocking(move || worker.workspace.resolve_asked()).await;
    match solved {
        Ok(Ok(p)) => proposal_json(&p),
        Ok(Err(e)) => failure(e),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the solve failed: {e}"),
        ),
    }
}

/// `GET /api/solve/progress`: `{"running": false}`, or `{"running": true, "solved",
/// "parts", "elapsed_s", "cancelled"}` while a solve (or a why-not) runs; with the
/// current proposal's `run` and `made` (`{"at", "by", "adopted"}`), so that a page learns
/// of a newer proposal (another manager's re-solve, the nightly run), and `waiting`: the
/// re-solves asked for that the next solve will do together.
pub async fn progress(State(app): State<Arc<App>>) -> Response {
    let current = app.workspace.current();
    let mut body = match app.workspace.running() {
        Some(r) => json!({
            "running": true,
            "solved": r.progress.solved,
            "parts": r.progress.parts,
            "elapsed_s": r.elapsed_s,
            "cancelled": r.cancelled,
        }),
        None => json!({ "running": false }),
    };
    body["run"] = json!(current.run);
    body["made"] = json!(current.made);
    body["waiting"] = json!(app.workspace.waiting());
    super::with_run(Json(body).into_response(), current.run)
}

/// `POST /api/solve/cancel`: 202, and the running solve stops within moments with its
/// best allocation so far (status `time_limit`, recorded and shown); 409 when none runs.
pub async fn cancel(State(app): State<Arc<App>>) -> Response {
    if app.workspace.cancel() {
        (StatusCode::ACCEPTED, Json(json!({ "cancelled": true }))).into_response()
    } else {
        error(StatusCode::CONFLICT, "no solve is running")
    }
}

/// The query of `GET /api/eligible`.
#[derive(Debug, Deserialize)]
pub struct CaseQuery {
    case: String,
}

/// `GET /api/eligible?case=C`: the workers who may hold C's whole sibling group under the
/// current proposal's rules, with their load after the proposal and were C added, and
/// the objective's change were only C's group moved to them (the rest as proposed).
pub async fn eligible(State(app): State<Arc<App>>, QueryOf(q): QueryOf<CaseQuery>) -> Response {
    let current = app.workspace.current();
    let instance = &current.instance;
    let Some(c) = instance.case(&CaseId::new(&q.case)) else {
        return error(StatusCode::NOT_FOUND, format!("no case {}", q.case));
    };
    let u = instance.unit_of[c];
    let unit = &instance.units[u];
    let loads = &current.solution.evaluation.loads;
    let now = current.solution.evaluation.worker[c];
    let objective = current.solution.evaluation.objective.total;
    // The objective were only C's sibling group moved to W, everything else as proposed
    // (a re-solve, as why-not does, may do better).
    let mut trial = current.solution.allocation.clone();
    let mut moved_to = |w: usize| {
        trial.units[u] = Some(w);
        instance.evaluate(&trial).objective.total - objective
    };
    let workers: Vec<_> = (0..instance.workers.len())
        .filter(|&w| {
            unit.cases.iter().all(|&k| {
                eligibility(&instance.workers[w], &instance.cases[k], &instance.policy).is_ok()
            })
        })
        .map(|w| {
            let worker = &instance.workers[w];
            let added = if now == Some(w) {
                0.0
            } else {
                instance.unit_weight_on(instance.unit_of[c], w)
            };
            let after = loads[w].load_after + added;
            json!({
                "worker_id": worker.id,
                "name": worker.name,
                "team": worker.team,
                "capacity": instance.capacity[w],
                "load_after": loads[w].load_after,
                "load_with_case": after,
                "band_with_case": rag(&instance.policy, after, instance.capacity[w]).as_str(),
                "holds_it": now == Some(w),
                "objective_change": if now == Some(w) { 0.0 } else { moved_to(w) },
            })
        })
        .collect();
    Json(json!({ "case_id": q.case, "siblings": unit.cases.len(), "workers": workers }))
        .into_response()
}

/// The query of `GET /api/why-not`.
#[derive(Debug, Deserialize)]
pub struct WhyNotQuery {
    case: String,
    worker: String,
}

fn terms(o: &Objective) -> serde_json::Value {
    json!({
        "total": o.total,
        "unallocated": o.unallocated,
        "bands": o.bands,
        "moves": o.moves,
        "preferences": o.preferences,
        "pairs": o.pairs,
    })
}

/// `GET /api/why-not?case=C&worker=W`: the rules that forbid W holding C, in words; or,
/// when allowed, the objective with C held by W (the rest re-solved) and its change by
/// term against the proposal. Nothing is recorded.
pub async fn why_not(State(app): State<Arc<App>>, QueryOf(q): QueryOf<WhyNotQuery>) -> Response {
    let current = app.workspace.current();
    let instance = &current.instance;
    if instance.case(&CaseId::new(&q.case)).is_none() {
        return error(StatusCode::NOT_FOUND, format!("no case {}", q.case));
    }
    if instance.worker(&WorkerId::new(&q.worker)).is_none() {
        return error(StatusCode::NOT_FOUND, format!("no worker {}", q.worker));
    }
    let Ok(_one) = app.workspace.solving.try_lock() else {
        return error(StatusCode::CONFLICT, "a solve is already running");
    };
    // The newest decision of all, so that it wins over a standing one on the same case.
    let trial = Decision {
        id: i64::MAX,
        at: String::new(),
        by: "why-not".into(),
        note: String::new(),
        ruling: Ruling::Assign {
            case: CaseId::new(&q.case),
            worker: WorkerId::new(&q.worker),
        },
    };
    let worker = Arc::clone(&app);
    let solved = tokio::task::spawn_blocking(move || worker.workspace.solve_with(&[trial])).await;
    let (solution, outcomes) = match solved {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return failure(e),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
    };
    if let Some(trial) = outcomes.iter().find(|o| o.decision.id == i64::MAX) {
        if !trial.applied {
            return Json(json!({ "allowed": false, "rules": [trial.why] })).into_response();
        }
    }
    let before = current.solution.evaluation.objective;
    let after = solution.evaluation.objective;
    let delta = Objective {
        total: after.total - before.total,
        unallocated: after.unallocated - before.unallocated,
        bands: after.bands - before.bands,
        moves: after.moves - before.moves,
        preferences: after.preferences - before.preferences,
        pairs: after.pairs - before.pairs,
    };
    Json(json!({
        "allowed": true,
        "objective": terms(&after),
        "delta": terms(&delta),
        "status": solution.status.as_str(),
    }))
    .into_response()
}

/// `GET /api/export/allocation.csv`: the current proposal's `allocation.csv`.
pub async fn export_csv(State(app): State<Arc<App>>) -> Response {
    let current = app.workspace.current();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"allocation.csv\"",
            ),
        ],
        current.outputs.allocation.clone(),
    )
        .into_response()
}

/// `GET /api/export/decisions.csv`: the decisions the current proposal applied (and the
/// ones it could not), for `caseload check --decisions`.
pub async fn export_decisions(State(app): State<Arc<App>>) -> Response {
    let current = app.workspace.current();
    let text = current.outputs.decisions.clone().unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"decisions.csv\"",
            ),
        ],
        text,
    )
        .into_response()
}

/// `GET /api/export/allocation.xlsx`: the current proposal as `allocation.xlsx` (with its
/// empty `decision` column for `caseload decide --from`).
pub async fn export_xlsx(State(app): State<Arc<App>>) -> Response {
    let current = app.workspace.current();
    match workbook(&current) {
        Ok(bytes) => xlsx_answer(bytes),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

/// A workbook's bytes as `allocation.xlsx`, to download.
pub(crate) fn xlsx_answer(bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"allocation.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(feature = "xlsx")]
fn workbook(p: &super::Proposal) -> Result<Vec<u8>, String> {
    crate::report::xlsx::allocation_xlsx(&p.instance, &p.solution, &p.outputs.summary)
        .map_err(|e| e.to_string())
}

#[cfg(not(feature = "xlsx"))]
fn workbook(_: &super::Proposal) -> Result<Vec<u8>, String> {
    Err("this caseload was built without the xlsx feature".to_string())
}
