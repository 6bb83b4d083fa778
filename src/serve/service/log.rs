//! The access log's writing: the group commit every call waits on, and the sign-in
//! routes' rows.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::oidc::Identity;
use super::{access, row_of, Service, Shared};
use crate::record::NewAccess;
use crate::serve::{error, App};

/// A row for the access log, and who waits for its commit.
pub(super) type Waiting = (NewAccess, tokio::sync::oneshot::Sender<Result<(), String>>);
pub(super) type Logger = tokio::sync::mpsc::UnboundedSender<Waiting>;

/// The access log's group commit: the rows that arrive while one transaction commits go
/// together in the next, and each call is answered only once its row is committed. The
/// writer has its own connection to the record, so that the log's commits do not queue
/// behind decisions on the workspace's (SQLite still takes one writer at a time, each
/// for the moment of its commit); without one, it shares the workspace's.
async fn log_rows(app: Arc<App>, mut rows: tokio::sync::mpsc::UnboundedReceiver<Waiting>) {
    let path = app.workspace.record_path.clone();
    let own = tokio::task::spawn_blocking(move || crate::record::Record::open(&path))
        .await
        .ok()
        .and_then(Result::ok)
        .map(|r| Arc::new(std::sync::Mutex::new(r)));
    while let Some(first) = rows.recv().await {
        let mut batch = vec![first];
        while batch.len() < 1024 {
            match rows.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let kept: Vec<NewAccess> = batch.iter().map(|(row, _)| row.clone()).collect();
        let writer = Arc::clone(&app);
        let own = own.clone();
        let written = tokio::task::spawn_blocking(move || match own {
            Some(record) => record
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .log_accesses(&kept),
            None => writer.workspace.record().log_accesses(&kept),
        })
        .await;
        let outcome = match written {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        for (_, done) in batch {
            let _ = done.send(outcome.clone());
        }
    }
}

/// Commits `row` to the access log (through the group commit), then gives `response`;
/// 503 and no data when the row cannot be written.
pub(super) async fn answer_once_logged(
    app: &Arc<App>,
    service: &Service,
    row: NewAccess,
    response: Response,
) -> Response {
    let logger = service.logger.get_or_init(|| {
        let (send, receive) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(log_rows(Arc::clone(app), receive));
        send
    });
    let (done, committed) = tokio::sync::oneshot::channel();
    let written = match logger.send((row, done)) {
        Ok(()) => committed
            .await
            .unwrap_or_else(|_| Err("the access log's writer stopped".to_string())),
        Err(_) => Err("the access log's writer stopped".to_string()),
    };
    match written {
        Ok(()) => response,
        Err(e) => {
            eprintln!("caseload serve: the access log could not be written: {e}");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the access log could not be written, so nothing is answered: try again in a moment",
            )
        }
    }
}

/// Sign-in, its callback and sign-out, logged: who (once known), the call without its
/// query (the code and state are secrets), the status and, when refused, why.
pub(super) async fn log_signin(
    State((app, service)): State<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let call = request.uri().path().to_string();
    let response = next.run(request).await;
    let identity = response.extensions().get::<Identity>().cloned();
    let mut row = row_of(None, identity.as_ref(), &method, &call);
    if let Some(caller) = identity
        .as_ref()
        .and_then(|i| access::caller_of(&service.config.access, i))
    {
        row.role = caller.role.as_str().to_string();
    }
    row.status = response.status().as_u16();
    let response = if response.status().is_success() || response.status().is_redirection() {
        row.outcome = "ok".to_string();
        response
    } else {
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, crate::serve::BODY_LIMIT)
            .await
            .unwrap_or_default();
        row.outcome = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or_else(|| "refused".to_string());
        Response::from_parts(parts, Body::from(bytes))
    };
    answer_once_logged(&app, &service, row, response).await
}
