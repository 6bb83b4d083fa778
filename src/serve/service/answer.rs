//! What a call names and what an answer holds: the teams of the case and worker a
//! request names (for the one decision), and answers cut to what the caller may see,
//! proposals once per run and view.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use super::access::{self, Named, Route, Targets, View};
use crate::serve::{error, App};

/// A proposal's JSON cut to a view, and what it holds: kept per (run, view), since every
/// manager of a team reads the same cut until the next run.
pub(super) type Cut = Arc<(String, Named)>;

/// A cut being made or made: made once, whoever asks first; who asks meanwhile waits for
/// it rather than making it again.
type Making = Arc<std::sync::OnceLock<Option<Cut>>>;

/// The cuts made, and the newest run's proposal parsed once for all of them.
#[derive(Default)]
pub(super) struct Cuts {
    made: std::sync::Mutex<Vec<(crate::record::RunId, View, Making)>>,
    parsed: std::sync::Mutex<Option<(crate::record::RunId, Parsing)>>,
}

/// A proposal's JSON parsed, once, whoever asks first.
type Parsing = Arc<std::sync::OnceLock<Option<Arc<Value>>>>;

impl Cuts {
    /// The cut of `proposal` to `view`, made once. Blocking (it parses a whole proposal):
    /// call it off the async runtime.
    pub(super) fn of(&self, proposal: &crate::serve::Proposal, view: &View) -> Option<Cut> {
        let making = {
            let mut kept = self.made.lock().unwrap_or_else(|p| p.into_inner());
            match kept
                .iter()
                .find(|(run, v, _)| *run == proposal.run && v == view)
            {
                Some((_, _, making)) => Arc::clone(making),
                None => {
                    // Only the newest runs' cuts are worth keeping.
                    let newest = kept.iter().map(|(run, _, _)| *run).max().unwrap_or(0);
                    kept.retain(|(run, _, _)| *run + 1 >= newest.max(proposal.run));
                    if kept.len() >= 256 {
                        kept.clear();
                    }
                    let making = Making::default();
                    kept.push((proposal.run, view.clone(), Arc::clone(&making)));
                    making
                }
            }
        };
        making
            .get_or_init(|| {
                let whole = self.parsed(proposal)?;
                let mut named = Named::default();
                let value = access::cut_json(&proposal.instance, view, &whole, &mut named);
                Some(Arc::new((value.to_string(), named)))
            })
            .clone()
    }

    /// `proposal`'s JSON parsed: once a run, so that a new run's thirty views cost one
    /// parse and thirty small copies rather than thirty parses.
    fn parsed(&self, proposal: &crate::serve::Proposal) -> Option<Arc<Value>> {
        let parsing = {
            let mut kept = self.parsed.lock().unwrap_or_else(|p| p.into_inner());
            match &*kept {
                Some((run, parsing)) if *run == proposal.run => Arc::clone(parsing),
                Some((run, _)) if *run > proposal.run => Parsing::default(),
                _ => {
                    let parsing = Parsing::default();
                    *kept = Some((proposal.run, Arc::clone(&parsing)));
                    parsing
                }
            }
        };
        parsing
            .get_or_init(|| serde_json::from_str(proposal.json()).ok().map(Arc::new))
            .clone()
    }

    /// The views cut so far (of any run kept), each once.
    fn views(&self) -> Vec<View> {
        let kept = self.made.lock().unwrap_or_else(|p| p.into_inner());
        let mut views: Vec<View> = Vec::new();
        for (_, view, _) in kept.iter() {
            if !views.contains(view) {
                views.push(view.clone());
            }
        }
        views
    }
}

/// Cuts every view in use of each new proposal as soon as it is current (looked at every
/// quarter second), off the async runtime, so that the readers of a new run find their
/// cut made instead of each making it. Runs until the runtime stops.
pub(super) fn warm_cuts(app: Arc<App>, service: Arc<super::Service>) {
    tokio::spawn(async move {
        let mut seen = app.workspace.current().run;
        let mut ticks = tokio::time::interval(std::time::Duration::from_millis(250));
        loop {
            ticks.tick().await;
            let current = app.workspace.current();
            if current.run == seen {
                continue;
            }
            seen = current.run;
            let service = Arc::clone(&service);
            let _ = tokio::task::spawn_blocking(move || {
                for view in service.cuts.views() {
                    service.cuts.of(&current, &view);
                }
            })
            .await;
        }
    });
}

/// The case and worker a call names (`case_id`, `worker_id`), as ids.
pub(super) type NamedIds = (Option<String>, Option<String>);

pub(super) fn targets_named(instance: &crate::model::Instance, ids: &NamedIds) -> Named {
    let mut named = Named::default();
    if let Some(c) = ids
        .0
        .as_deref()
        .filter(|c| instance.case(&crate::model::CaseId::new(c)).is_some())
    {
        named.children.insert(c.to_string());
    }
    if let Some(w) = ids
        .1
        .as_deref()
        .filter(|w| instance.worker(&crate::model::WorkerId::new(w)).is_some())
    {
        named.workers.insert(w.to_string());
    }
    named
}

#[derive(Deserialize, Default)]
struct NamedBody {
    #[serde(default)]
    case_id: Option<String>,
    #[serde(default)]
    worker_id: Option<String>,
}

#[derive(Deserialize, Default)]
struct NamedQuery {
    #[serde(default)]
    case: Option<String>,
    #[serde(default)]
    worker: Option<String>,
}

/// The teams a call names (a decision's case and worker, a why-not's, a withdrawn
/// decision's), and the request to pass on (its body read and put back).
pub(super) async fn targets(
    app: &Arc<App>,
    route: Route,
    request: Request,
) -> Result<((Targets, NamedIds), Request), Response> {
    let instance = &app.workspace.current().instance;
    let ids: NamedIds = match route {
        Route::Decide => {
            let (parts, body) = request.into_parts();
            let bytes = match axum::body::to_bytes(body, crate::serve::BODY_LIMIT).await {
                Ok(b) => b,
                Err(_) => {
                    return Err(error(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!(
                            "the body is over the {} bytes a request may send",
                            crate::serve::BODY_LIMIT
                        ),
                    ))
                }
            };
            // A body that is not JSON is refused by the handler, in words.
            let named: NamedBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let request = Request::from_parts(parts, Body::from(bytes));
            let ids = (named.case_id, named.worker_id);
            let t = Targets::of(instance, ids.0.as_deref(), ids.1.as_deref());
            return Ok(((t, ids), request));
        }
        Route::Eligible | Route::WhyNot => {
            let q: NamedQuery = request
                .uri()
                .query()
                .and_then(|q| {
                    axum::extract::Query::<NamedQuery>::try_from_uri(
                        &format!("/?{q}").parse().ok()?,
                    )
                    .ok()
                })
                .map(|q| q.0)
                .unwrap_or_default();
            (q.case, q.worker)
        }
        Route::Withdraw => {
            let id = request
                .uri()
                .path()
                .rsplit('/')
                .next()
                .and_then(|id| id.parse::<i64>().ok());
            let taken = match id {
                Some(id) => app
                    .workspace
                    .record()
                    .decisions()
                    .ok()
                    .and_then(|all| all.into_iter().find(|d| d.decision.id == id)),
                None => None,
            };
            match taken.and_then(|d| serde_json::to_value(&d).ok()) {
                Some(v) => (
                    v.get("case_id").and_then(Value::as_str).map(str::to_string),
                    v.get("worker_id")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                ),
                None => (None, None),
            }
        }
        _ => (None, None),
    };
    let t = Targets::of(instance, ids.0.as_deref(), ids.1.as_deref());
    Ok(((t, ids), request))
}

/// An answer cut to `view`, and what it holds (for the access log); answers that hold
/// no child or worker pass as they are.
pub(super) async fn cut(
    instance: &crate::model::Instance,
    route: Route,
    view: &View,
    response: Response,
) -> (Response, Option<Named>) {
    let json = matches!(
        route,
        Route::Proposal | Route::Previous | Route::Decisions | Route::Eligible | Route::Decide
    );
    let csv = matches!(route, Route::ExportAllocation | Route::ExportDecisions);
    if !(json || csv) || !response.status().is_success() {
        return (response, None);
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return (
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the answer could not be read",
            ),
            None,
        );
    };
    let failed = || {
        (
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the answer could not be cut to what you may see, so nothing is answered",
            ),
            None,
        )
    };
    if json {
        let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
            return failed();
        };
        let named = access::filter_json(instance, view, &mut value);
        let mut response = Response::from_parts(parts, Body::from(value.to_string()));
        response.headers_mut().remove(header::CONTENT_LENGTH);
        (response, Some(named))
    } else {
        let text = String::from_utf8_lossy(&bytes);
        match access::filter_csv(instance, view, &text) {
            Ok((text, named)) => {
                let mut response = Response::from_parts(parts, Body::from(text));
                response.headers_mut().remove(header::CONTENT_LENGTH);
                (response, Some(named))
            }
            Err(_) => failed(),
        }
    }
}

/// `allocation.xlsx` of `proposal` cut to `view`: the allocation rows and loads `view`
/// sees (by [`access::sees`], as every answer is cut), the unallocated children among
/// them, the run's summary; and what it holds, for the access log. Blocking: call it
/// off the async runtime.
#[cfg(feature = "xlsx")]
pub(super) fn workbook(
    proposal: &crate::serve::Proposal,
    view: &View,
) -> Result<(Vec<u8>, Named), String> {
    let instance = &proposal.instance;
    let outputs = &proposal.outputs;
    let mut named = Named::default();
    let rows: Vec<_> = outputs
        .allocation_rows
        .iter()
        .filter(|row| {
            let workers = [&row.worker_id, &row.previous_worker];
            let pairs = std::iter::once(("case_id", row.case_id.as_str())).chain(
                workers
                    .into_iter()
                    .flatten()
                    .map(|w| ("worker_id", w.as_str())),
            );
            access::sees(instance, view, pairs)
        })
        .cloned()
        .collect();
    let loads: Vec<_> = outputs
        .load_rows
        .iter()
        .filter(|load| access::sees(instance, view, [("worker_id", load.worker_id.as_str())]))
        .cloned()
        .collect();
    for row in &rows {
        named.children.insert(row.case_id.to_string());
        let workers = [&row.worker_id, &row.previous_worker];
        named
            .workers
            .extend(workers.into_iter().flatten().map(|w| w.to_string()));
    }
    for load in &loads {
        named.workers.insert(load.worker_id.to_string());
        named.teams.insert(load.team.clone());
    }
    let bytes = crate::report::xlsx::rows_xlsx(
        instance,
        &proposal.solution,
        &outputs.summary,
        &rows,
        &loads,
    )
    .map_err(|e| e.to_string())?;
    Ok((bytes, named))
}

#[cfg(not(feature = "xlsx"))]
pub(super) fn workbook(_: &crate::serve::Proposal, _: &View) -> Result<(Vec<u8>, Named), String> {
    Err("this caseload was built without the xlsx feature".to_string())
}
