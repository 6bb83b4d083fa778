//! One server for a whole service (`caseload serve DIR --config serve.toml`, SPEC v3 "One
//! service, many managers"): the workspace's routes behind sign-in instead of a token.
//!
//! Every request goes through the service's guard, in this order:
//! 1. `Host` must be the public URL's or the bound address's, an `Origin` when sent the
//!    public URL's: else 403;
//! 2. an identity: a bearer JWT (scripts) or the browser's session cookie, both from
//!    the configured issuer ([`oidc::Issuer::verify`]): none, or a bad one, 401;
//! 3. a role: the first `[[access]]` rule that matches (none: 403);
//! 4. [`access::decide`], the one function that says whether the role may make this
//!    call on the teams it names (403 when not) and what it may see of the answer;
//! 5. the call itself, a decision stamped with the caller (`by` in a body is ignored);
//! 6. the answer cut to what the caller may see ([`access::filter_json`]);
//! 7. a row of the access log, committed in the record before the answer leaves.

pub mod access;
mod answer;
pub mod config;
mod log;
pub mod oidc;
pub mod session;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;

use self::access::{Caller, Forbidden, Route};
use self::config::ServiceConfig;
use self::oidc::{Identity, Issuer};
use super::{error, App, Stamp};
use crate::record::NewAccess;

/// A running service: its configuration, its issuer, its browser sessions.
pub struct Service {
    /// `serve.toml`.
    pub config: ServiceConfig,
    /// The identity provider.
    pub issuer: Issuer,
    /// Browser sessions and sign-ins under way.
    pub sessions: session::Sessions,
    /// The `host:port` values a request's `Host` may name.
    pub hosts: Vec<String>,
    /// Proposals already cut to a view.
    cuts: answer::Cuts,
    /// The access log's writer (started with the first call).
    logger: std::sync::OnceLock<log::Logger>,
}

impl Service {
    /// A service of `config` whose issuer is discovered, listening on `addr`.
    pub fn new(config: ServiceConfig, issuer: Issuer, addr: SocketAddr) -> Service {
        let mut hosts = super::host_names(addr);
        if let Some(authority) = authority(&config.server.public_url) {
            hosts.push(authority.to_string());
        }
        hosts.sort();
        hosts.dedup();
        Service {
            sessions: session::Sessions::new(
                config.server.session_hours,
                Some(&config.server.record),
            ),
            config,
            issuer,
            hosts,
            cuts: answer::Cuts::default(),
            logger: std::sync::OnceLock::new(),
        }
    }

    /// The public URL's `scheme://authority`, as an `Origin` names it.
    pub fn origin(&self) -> &str {
        let url = &self.config.server.public_url;
        match url.find("://").map(|i| i + 3) {
            Some(start) => match url[start..].find('/') {
                Some(end) => &url[..start + end],
                None => url,
            },
            None => url,
        }
    }

    /// Whether the public URL is https (the cookie is then `Secure`).
    pub fn secure(&self) -> bool {
        self.config.server.public_url.starts_with("https://")
    }
}

/// The `host[:port]` of a URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split('/').next().unwrap_or(rest))
}

type Shared = (Arc<App>, Arc<Service>);

/// The router of the service: the workspace's routes, who-am-I, the access log and
/// sign-in, behind the guard (see the module docs).
pub fn router(app: Arc<App>, service: Arc<Service>) -> Router {
    let shared: Shared = (Arc::clone(&app), Arc::clone(&service));
    let signin = Router::new()
        .route("/auth/login", get(session::login))
        .route("/auth/callback", get(session::callback))
        .route("/auth/logout", axum::routing::post(session::logout))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            log::log_signin,
        ))
        .with_state(Arc::clone(&service));
    super::routes()
        .route("/api/me", get(me))
        .route("/api/access", get(access_log))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&app),
            super::run_header,
        ))
        .layer(middleware::from_fn_with_state(shared, guard))
        .with_state(app)
        .merge(signin)
        .layer(axum::extract::DefaultBodyLimit::max(super::BODY_LIMIT))
        .layer(middleware::from_fn(super::limits::bounded_body))
}

/// Serves the service on `listener` until Ctrl-C, within the workspace's limits.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    service: Arc<Service>,
) -> std::io::Result<()> {
    answer::warm_cuts(Arc::clone(&app), Arc::clone(&service));
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let tls = match &service.config.server.tls {
        Some((cert, key)) => Some(
            tls::Tls::from_files(cert, key)
                .map_err(|(setting, why)| std::io::Error::other(format!("{setting}: {why}")))?,
        ),
        None => None,
    };
    let router = router(app, service);
    match tls {
        Some(tls) => super::limits::serve(listener, router, stop, tls).await,
        None => super::limits::serve(listener, router, stop, super::limits::Plain).await,
    }
}

/// A refusal or an answer, with what the access log keeps of it.
struct Logged {
    response: Response,
    row: NewAccess,
}

fn row_of(
    caller: Option<&Caller>,
    identity: Option<&Identity>,
    method: &Method,
    call: &str,
) -> NewAccess {
    let identity = caller.map(|c| &c.identity).or(identity);
    NewAccess {
        sub: identity.map(|i| i.sub.clone()).unwrap_or_default(),
        email: identity.and_then(|i| i.email.clone()).unwrap_or_default(),
        name: identity.and_then(|i| i.name.clone()).unwrap_or_default(),
        role: caller
            .map(|c| c.role.as_str().to_string())
            .unwrap_or_default(),
        method: method.to_string(),
        call: call.to_string(),
        ..NewAccess::default()
    }
}

/// Every request of the service: see the module's docs.
async fn guard(State((app, service)): State<Shared>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let call = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let Logged { response, mut row } = checked(&app, &service, request, next, &method, &call).await;
    row.status = response.status().as_u16();
    if row.outcome.is_empty() {
        row.outcome = if response.status().is_success() {
            "ok".to_string()
        } else {
            response
                .status()
                .canonical_reason()
                .unwrap_or("refused")
                .to_lowercase()
        };
    }
    // The row is committed before the answer leaves.
    log::answer_once_logged(&app, &service, row, response).await
}

/// Steps 1 to 6 of the module's docs.
async fn checked(
    app: &Arc<App>,
    service: &Arc<Service>,
    request: Request,
    next: Next,
    method: &Method,
    call: &str,
) -> Logged {
    let refuse = |status: StatusCode, words: String, row: NewAccess| Logged {
        response: error(status, words.clone()),
        row: NewAccess {
            outcome: words,
            ..row
        },
    };
    let anonymous = row_of(None, None, method, call);
    let headers = request.headers();
    if let Err(words) = same_site(service, headers, method) {
        return refuse(StatusCode::FORBIDDEN, words, anonymous);
    }
    let path = request.uri().path().to_string();
    let route = access::route_of(method, &path);
    // 2. Who: a bearer JWT, or the browser's session.
    let (identity, csrf) = match identify(service, headers).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            if route == Some(Route::Page) && path == "/" && *method == Method::GET {
                return Logged {
                    response: session::to_sign_in(),
                    row: NewAccess {
                        outcome: "sent to sign in".into(),
                        ..anonymous
                    },
                };
            }
            return refuse(
                StatusCode::UNAUTHORIZED,
                "sign in (open the page), or send Authorization: Bearer with a token from the \
                 service's identity provider"
                    .into(),
                anonymous,
            );
        }
        Err(words) => return refuse(StatusCode::UNAUTHORIZED, words, anonymous),
    };
    // 3. A role.
    let Some(caller) = access::caller_of(&service.config.access, &identity) else {
        let row = row_of(None, Some(&identity), method, call);
        return refuse(
            StatusCode::FORBIDDEN,
            format!(
                "signed in as {}, but no [[access]] rule of this service grants a role",
                identity.stamp()
            ),
            row,
        );
    };
    let mut row = row_of(Some(&caller), None, method, call);
    // A session's state-changing call carries the CSRF token.
    if let Some(token) = &csrf {
        if let Err(words) = session::csrf(token, request.headers(), method) {
            return refuse(StatusCode::FORBIDDEN, words, row);
        }
    }
    let Some(route) = route else {
        let response = next.run(request).await;
        return Logged { response, row };
    };
    // 4. The one decision.
    let current = app.workspace.current();
    let ((named_teams, ids), mut request) = match answer::targets(app, route, request).await {
        Ok(x) => x,
        Err(response) => return Logged { response, row },
    };
    let acted_on = answer::targets_named(&current.instance, &ids);
    row.children = acted_on.children.into_iter().collect();
    row.workers = acted_on.workers.into_iter().collect();
    row.teams = named_teams.teams.iter().cloned().collect();
    let view = match access::decide(&caller, route, &named_teams) {
        Ok(view) => view,
        Err(Forbidden(words)) => return refuse(StatusCode::FORBIDDEN, words, row),
    };
    // A proposal is read from the workspace and cut once per run and view (off the
    // async runtime: a cut parses a whole proposal).
    if matches!(route, Route::Proposal | Route::Previous) {
        let proposal = match route {
            Route::Proposal => Some(app.workspace.current()),
            _ => app.workspace.previous(),
        };
        let cutting = Arc::clone(service);
        let seen = view.clone();
        let cut = match proposal {
            Some(p) => tokio::task::spawn_blocking(move || {
                cutting.cuts.of(&p, &seen).map(|cut| (p.run, cut))
            })
            .await
            .ok()
            .flatten(),
            None => None,
        };
        if let Some((run, cut)) = cut {
            let (body, named) = &*cut;
            holding(&mut row, named);
            let response =
                ([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response();
            let response = super::with_run(response, run);
            return Logged { response, row };
        }
    }
    // The workbook is built from the rows the view sees (a workbook cannot be cut
    // afterwards as JSON and CSV answers are).
    if route == Route::ExportXlsx {
        let current = app.workspace.current();
        let seen = view.clone();
        let built = tokio::task::spawn_blocking(move || {
            answer::workbook(&current, &seen).map(|(bytes, named)| (current.run, bytes, named))
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|built| built);
        let response = match built {
            Ok((run, bytes, named)) => {
                holding(&mut row, &named);
                let response = crate::serve::api::xlsx_answer(bytes);
                super::with_run(response, run)
            }
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
        };
        return Logged { response, row };
    }
    // 5. The call, stamped with the caller.
    request
        .extensions_mut()
        .insert(Stamp(caller.identity.stamp()));
    request.extensions_mut().insert(caller.clone());
    if let Some(csrf) = csrf {
        request.extensions_mut().insert(csrf);
    }
    let response = next.run(request).await;
    // 6. Cut to what the caller may see.
    let instance = &app.workspace.current().instance;
    let (response, named) = answer::cut(instance, route, &view, response).await;
    holding(&mut row, &named.unwrap_or_default());
    Logged { response, row }
}

/// Adds what an answer held to its access-log row, each list sorted and without repeats.
fn holding(row: &mut NewAccess, named: &access::Named) {
    row.children.extend(named.children.iter().cloned());
    row.workers.extend(named.workers.iter().cloned());
    row.teams.extend(named.teams.iter().cloned());
    for list in [&mut row.children, &mut row.workers, &mut row.teams] {
        list.sort();
        list.dedup();
    }
}

/// Step 1: the `Host` is ours, and an `Origin` when sent is the public URL's.
fn same_site(service: &Service, headers: &HeaderMap, _method: &Method) -> Result<(), String> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !service.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(format!("the Host header `{host}` is not this server's"));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !origin.eq_ignore_ascii_case(service.origin()) {
            return Err(format!(
                "requests from `{origin}` are refused: not this service's page"
            ));
        }
    }
    Ok(())
}

/// Step 2: the identity of a bearer JWT or of the session cookie; `Ok(None)` when
/// neither was sent, `Err` when one was sent and refused (in words, for the 401 and the
/// log).
async fn identify(
    service: &Arc<Service>,
    headers: &HeaderMap,
) -> Result<Option<(Identity, Option<session::Csrf>)>, String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    if let Some(token) = bearer {
        let service = Arc::clone(service);
        let verified =
            tokio::task::spawn_blocking(move || service.issuer.verify(&token, None)).await;
        return match verified {
            Ok(Ok(identity)) => Ok(Some((identity, None))),
            Ok(Err(refused)) => Err(refused.to_string()),
            Err(e) => Err(format!("the token could not be checked: {e}")),
        };
    }
    Ok(service
        .sessions
        .identity(headers)
        .map(|(identity, csrf)| (identity, Some(csrf))))
}

/// `GET /api/me`: who the service takes the caller for, and what they may do.
async fn me(
    Extension(caller): Extension<Caller>,
    csrf: Option<Extension<session::Csrf>>,
) -> Response {
    Json(serde_json::json!({
        "csrf": csrf.map(|c| c.0 .0),
        "sub": caller.identity.sub,
        "email": caller.identity.email,
        "name": caller.identity.name,
        "role": caller.role.as_str(),
        "teams": caller.teams,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct SinceQuery {
    #[serde(default)]
    since: Option<String>,
}

/// `GET /api/access?since=TIME`: the access log (auditor, admin).
async fn access_log(
    State(app): State<Arc<App>>,
    super::body::QueryOf(q): super::body::QueryOf<SinceQuery>,
) -> Response {
    let worker = Arc::clone(&app);
    let read = tokio::task::spawn_blocking(move || {
        worker.workspace.record().access_log(q.since.as_deref())
    })
    .await;
    match read {
        Ok(Ok(rows)) => Json(rows).into_response(),
        Ok(Err(e)) => {
            let (status, words) = super::body::failure(&e.into());
            error(status, words)
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
    }
}
