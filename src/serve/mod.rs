//! The manager's workspace (`caseload serve`): a local web app to review the proposal,
//! ask why, decide, re-solve and export — our own HTML, CSS and plain JavaScript compiled
//! into the binary, and the JSON API under `/api/` that the page (or a script) uses.
//!
//! Security, since the workspace holds children's personal data:
//! - it listens on 127.0.0.1 unless `--bind` says otherwise (the CLI warns then);
//! - a random token (from the operating system's generator) is printed in the URL; the
//!   page trades it for an `HttpOnly; SameSite=Strict` session cookie, and scripts send
//!   `Authorization: Bearer TOKEN`; any other request gets 401;
//! - the `Host` header must name this server (no DNS rebinding) and an `Origin`, when
//!   sent, must be this server's (no cross-site requests): else 403;
//! - request bodies are limited to [`BODY_LIMIT`] bytes (413 beyond, at once when
//!   declared), heads and bodies must arrive in time, connections are capped
//!   (`serve::limits`, docs/limits.md);
//! - no file path ever comes from a request: the scenario folder and the record are
//!   fixed when the server starts.
//!
//! Every solve is a run on the record and every decision is kept in it, so stopping the
//! server, or a crash, loses no decision. Solves run off the async runtime, one at a
//! time (a re-solve asked while one runs is done, with every other ask, by the next).
//! Every answer names the run of the proposal it comes from (`X-Caseload-Run`), and a
//! run another process records in the record (the nightly job) becomes the proposal
//! within the watch's interval ([`watch_record`]).

mod api;
mod body;
mod limits;
mod proposal;
#[cfg(feature = "service")]
pub mod service;
mod workspace;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;

pub use proposal::{Base, Made, Proposal};
pub use workspace::{Workspace, WorkspaceError};

/// The largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The session cookie's name.
const COOKIE: &str = "caseload_session";

/// The page, its style and its script, compiled in.
const INDEX_HTML: &str = include_str!("page/index.html");
const STYLE_CSS: &str = include_str!("page/style.css");
const APP_JS: &str = include_str!("page/app.js");

/// The shared state of a running server.
pub struct App {
    /// The workspace.
    pub workspace: Workspace,
    /// The secret in the URL, the cookie and the bearer header.
    pub token: String,
    /// The `host:port` values a request's `Host` may name.
    pub hosts: Vec<String>,
}

/// Who a decision is stamped with when the service knows the caller (their name and
/// email from the identity provider's token): the request's `by` is then ignored.
#[derive(Clone, Debug)]
pub struct Stamp(pub String);

/// A random token: 32 bytes from the operating system's generator (`getrandom`), in hex.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The `host:port` names a request may use for a server listening on `addr`.
pub fn host_names(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{port}"),
        IpAddr::V4(ip) => format!("{ip}:{port}"),
    }];
    if addr.ip().is_loopback() {
        hosts.push(format!("localhost:{port}"));
        hosts.push(format!("127.0.0.1:{port}"));
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

/// The header every answer carries: the run of the proposal it was made from (the
/// current one when it was sent).
pub const RUN_HEADER: &str = "x-caseload-run";

/// `response` marked as made from run `run` ([`RUN_HEADER`]).
pub fn with_run(mut response: Response, run: crate::record::RunId) -> Response {
    response
        .headers_mut()
        .insert(RUN_HEADER, HeaderValue::from(run));
    response
}

/// Marks every answer with the current proposal's run, unless its handler named the run
/// it answered from.
async fn run_header(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.headers().contains_key(RUN_HEADER) {
        return response;
    }
    with_run(response, app.workspace.current().run)
}

/// Every `every`, looks in the record for a run of the scenario that another process
/// recorded (the nightly `allocate --record`) and makes it the current proposal
/// ([`Workspace::look`], [`Workspace::adopt`]); a failure is said on standard error and
/// tried again at the next look. Runs until the runtime stops.
pub fn watch_record(app: Arc<App>, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            let looker = Arc::clone(&app);
            let found = tokio::task::spawn_blocking(move || looker.workspace.look()).await;
            match found {
                Ok(Ok(Some(_))) => {}
                Ok(Ok(None)) => continue,
                Ok(Err(e)) => {
                    eprintln!("caseload serve: looking for newer runs in the record: {e}");
                    continue;
                }
                Err(_) => continue,
            }
            // After the running solve, if any: one solve or adoption at a time.
            let _one = app.workspace.solving.lock().await;
            let adopter = Arc::clone(&app);
            let adopted = tokio::task::spawn_blocking(move || adopter.workspace.adopt()).await;
            match adopted {
                Ok(Ok(Some(p))) => eprintln!(
                    "caseload serve: run {} (by {}, {}) is now the proposal",
                    p.run, p.made.by, p.made.at
                ),
                Ok(Ok(None)) => {}
                Ok(Err(e)) => eprintln!("caseload serve: adopting a newer run: {e}"),
                Err(e) => eprintln!("caseload serve: adopting a newer run: {e}"),
            }
        }
    });
}

/// The router of a workspace: the page, its assets and the API, behind the checks of
/// host, origin and token.
pub fn router(app: Arc<App>) -> Router {
    routes()
        .layer(middleware::from_fn_with_state(Arc::clone(&app), run_header))
        .layer(middleware::from_fn_with_state(Arc::clone(&app), guard))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(limits::bounded_body))
        .with_state(app)
}

/// The page, its assets and the API, unguarded: the workspace puts its token check in
/// front, the service (`service::router`) its sign-in.
fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(page))
        .route("/style.css", get(style))
        .route("/app.js", get(script))
        .route("/api/proposal", get(api::proposal))
        .route("/api/previous", get(api::previous))
        .route("/api/decisions", get(api::decisions).post(api::decide))
        .route("/api/decisions/rules", get(api::decision_rules))
        .route("/api/decisions/{id}", delete(api::withdraw))
        .route("/api/solve", post(api::solve))
        .route("/api/solve/progress", get(api::progress))
        .route("/api/solve/cancel", post(api::cancel))
        .route("/api/eligible", get(api::eligible))
        .route("/api/why-not", get(api::why_not))
        .route("/api/export/allocation.csv", get(api::export_csv))
        .route("/api/export/decisions.csv", get(api::export_decisions))
        .route("/api/export/allocation.xlsx", get(api::export_xlsx))
}

/// A JSON error: `{"error": "..."}` with a status.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = serde_json::json!({ "error": message.into() });
    (status, axum::Json(body)).into_response()
}

/// Host and origin first, then the token: from the cookie, the bearer header, or (for
/// the page only) the URL, which is traded for the cookie.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !app.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return error(
            StatusCode::FORBIDDEN,
            format!("the Host header `{host}` is not this server's"),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let ours = app
            .hosts
            .iter()
            .any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}")));
        if !ours {
            return error(
                StatusCode::FORBIDDEN,
                format!("requests from `{origin}` are refused: not this server's page"),
            );
        }
    }
    if authorised(&app.token, headers) {
        return next.run(request).await;
    }
    // The printed URL: trade the token for the session cookie, and drop it from the URL.
    let from_url = request.uri().path() == "/"
        && request.uri().query().is_some_and(|q| {
            q.split('&').any(|kv| {
                kv.strip_prefix("token=")
                    .is_some_and(|t| same(t, &app.token))
            })
        });
    if from_url {
        let cookie = cookie::Cookie::build((COOKIE, app.token.as_str()))
            .http_only(true)
            .same_site(cookie::SameSite::Strict)
            .path("/")
            .build()
            .to_string();
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SEE_OTHER;
        let headers = response.headers_mut();
        headers.insert(header::LOCATION, HeaderValue::from_static("/"));
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(header::SET_COOKIE, value);
        }
        return response;
    }
    error(
        StatusCode::UNAUTHORIZED,
        "open the URL caseload serve printed (it carries the token), or send Authorization: Bearer TOKEN",
    )
}

/// Whether the request carries the token, in the session cookie or as a bearer.
fn authorised(token: &str, headers: &HeaderMap) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .is_some_and(|t| same(t.trim(), token));
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .any(|c| c.name() == COOKIE && same(c.value(), token));
    bearer || cookie
}

/// Compares secrets in time independent of where they differ (`subtle`).
fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn page() -> Response {
    let mut response = asset("text/html; charset=utf-8", INDEX_HTML);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    response
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE_CSS)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

/// Serves `app` on `listener` until Ctrl-C, within the limits of `limits` (docs/limits.md): header and
/// body timeouts, the body limit, a cap on open connections.
pub async fn serve(listener: tokio::net::TcpListener, app: Arc<App>) -> std::io::Result<()> {
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    limits::serve(listener, router(app), stop, limits::Plain).await
}

pub use limits::{BODY_TIMEOUT, HEADER_TIMEOUT, MAX_CONNECTIONS};
