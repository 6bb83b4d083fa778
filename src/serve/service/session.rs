//! Sign-in in the browser: OpenID Connect's authorization code flow with PKCE (S256),
//! `state` and `nonce`; the ID token checked by the same [`Issuer::verify`] as a
//! script's bearer JWT (and its `nonce` against the sign-in's); then a session cookie
//! (`HttpOnly`, `SameSite=Lax`, `Secure` when the public URL is https) that expires after
//! `session_hours`, and a CSRF token the page sends as `X-CSRF-Token` on every
//! state-changing call (with the `Origin` check of the guard). Sessions are kept in the
//! record too (by their id's SHA-256), so that a restart signs no one out; a record that
//! cannot keep them leaves them in memory only, and says so.
//!
//! [`Issuer::verify`]: super::oidc::Issuer::verify

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;

use super::oidc::Identity;
use super::Service;
use crate::record::{Record, StoredSession};
use crate::serve::body::QueryOf;
use crate::serve::error;

/// The session cookie's name.
pub const COOKIE: &str = "caseload_service";

/// The cookie the page reads its CSRF token from (not `HttpOnly`: the page's script
/// sends it back as [`CSRF_HEADER`]; a cross-site page can neither read it nor set the
/// header).
pub const CSRF_COOKIE: &str = "caseload_csrf";

/// The header that carries a session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How long a sign-in may take between the redirect and the callback.
const SIGN_IN_WITHIN: Duration = Duration::from_secs(600);

/// A signed-in browser.
struct Session {
    identity: Identity,
    csrf: String,
    until: Instant,
}

/// A sign-in under way, by its `state`.
struct Pending {
    verifier: String,
    nonce: String,
    since: Instant,
}

/// The sessions and the sign-ins under way.
pub struct Sessions {
    lasting: Duration,
    open: Mutex<HashMap<String, Session>>,
    pending: Mutex<HashMap<String, Pending>>,
    /// The record the sessions are kept in, on a connection of their own.
    kept: Option<Mutex<Record>>,
}

/// Seconds since 1970, UTC: a kept session's expiry outlives the process's clock.
fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The CSRF token of the session a request came with (for `GET /api/me`).
#[derive(Clone, Debug)]
pub struct Csrf(pub String);

/// 32 random bytes from the operating system, base64url.
fn random() -> String {
    let mut bytes = [0u8; 32];
    // A machine with no random source cannot sign anyone in safely.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_string())
}

fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    !a.is_empty() && a.as_bytes().ct_eq(b.as_bytes()).into()
}

impl Sessions {
    /// Sessions that last `hours` each, kept in `record` too when given (those it
    /// already keeps are found there).
    pub fn new(hours: f64, record: Option<&Path>) -> Sessions {
        let kept = record.and_then(|path| match Record::open(path) {
            Ok(record) => Some(Mutex::new(record)),
            Err(e) => {
                eprintln!(
                    "caseload serve: browser sessions kept in memory only (a restart signs \
                     everyone out): {e}"
                );
                None
            }
        });
        Sessions {
            lasting: Duration::from_secs_f64(hours * 3600.0),
            open: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            kept,
        }
    }

    /// The identity and CSRF token of the unexpired session the request's cookie names:
    /// from memory, else from the record (a session opened before a restart).
    pub fn identity(&self, headers: &HeaderMap) -> Option<(Identity, Csrf)> {
        let id = session_cookie(headers)?;
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        open.retain(|_, s| s.until > now);
        if let Some(s) = open.get(&id) {
            return Some((s.identity.clone(), Csrf(s.csrf.clone())));
        }
        // Not held while the record is read: other browsers' lookups go on meanwhile.
        drop(open);
        let unix = now_unix();
        let stored = self
            .kept
            .as_ref()?
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .session(&id, unix)
            .ok()
            .flatten()?;
        let left = Duration::from_secs(u64::try_from(stored.until_unix - unix).unwrap_or(0));
        let session = Session {
            identity: Identity {
                sub: stored.sub,
                email: stored.email,
                name: stored.name,
                groups: stored.groups,
            },
            csrf: stored.csrf,
            until: now + left,
        };
        let found = (session.identity.clone(), Csrf(session.csrf.clone()));
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.insert(id, session);
        Some(found)
    }

    /// Opens a session for `identity`: its id and CSRF token.
    fn open(&self, identity: Identity) -> Option<(String, String)> {
        let (id, csrf) = (random(), random());
        if id.is_empty() || csrf.is_empty() {
            return None;
        }
        if let Some(kept) = &self.kept {
            let stored = StoredSession {
                sub: identity.sub.clone(),
                email: identity.email.clone(),
                name: identity.name.clone(),
                groups: identity.groups.clone(),
                csrf: csrf.clone(),
                until_unix: now_unix() + self.lasting.as_secs() as i64,
            };
            let mut record = kept.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = record.keep_session(&id, &stored, now_unix()) {
                eprintln!("caseload serve: a session kept in memory only: {e}");
            }
        }
        let session = Session {
            identity,
            csrf: csrf.clone(),
            until: Instant::now() + self.lasting,
        };
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.insert(id.clone(), session);
        Some((id, csrf))
    }

    /// Ends the session the request's cookie names, in memory and in the record.
    fn close(&self, headers: &HeaderMap) -> bool {
        let Some(id) = session_cookie(headers) else {
            return false;
        };
        let ended = self.kept.as_ref().is_some_and(|kept| {
            let mut record = kept.lock().unwrap_or_else(|p| p.into_inner());
            record.end_session(&id).unwrap_or(false)
        });
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.remove(&id).is_some() || ended
    }
}

/// A state-changing call of a browser session (identified by its cookie, whose CSRF
/// token is `token`) carries that token as `X-CSRF-Token`. A call identified by a bearer
/// token needs none: a browser never sends one by itself.
pub fn csrf(token: &Csrf, headers: &HeaderMap, method: &Method) -> Result<(), String> {
    if matches!(*method, Method::GET | Method::HEAD) {
        return Ok(());
    }
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if same(sent, &token.0) {
        Ok(())
    } else {
        Err("a change from the page carries its X-CSRF-Token: reload the page".into())
    }
}

/// At most this many sign-ins under way at once (each is kept 10 minutes).
const MAX_PENDING: usize = 10_000;

/// The redirect to sign in.
pub fn to_sign_in() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/auth/login"));
    response
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn redirect_uri(service: &Service) -> String {
    format!("{}/auth/callback", service.config.server.public_url)
}

/// `GET /auth/login`: to the issuer's sign-in, with PKCE, `state` and `nonce`.
pub async fn login(State(service): State<Arc<Service>>) -> Response {
    let (state, nonce, verifier) = (random(), random(), random());
    if state.is_empty() || nonce.is_empty() || verifier.is_empty() {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no random source for a sign-in",
        );
    }
    let challenge = {
        use sha2::{Digest, Sha256};
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    };
    {
        let mut pending = service
            .sessions
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        pending.retain(|_, p| p.since.elapsed() < SIGN_IN_WITHIN);
        if pending.len() >= MAX_PENDING {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many sign-ins under way: try again in a few minutes",
            );
        }
        pending.insert(
            state.clone(),
            Pending {
                verifier,
                nonce: nonce.clone(),
                since: Instant::now(),
            },
        );
    }
    let url = format!(
        "{}?response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&nonce={}&code_challenge={}&code_challenge_method=S256",
        service.issuer.discovery.authorization_endpoint,
        encode(&service.config.oidc.client_id),
        encode(&redirect_uri(&service)),
        encode("openid email profile"),
        encode(&state),
        encode(&nonce),
        encode(&challenge),
    );
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    match HeaderValue::from_str(&url) {
        Ok(v) => {
            response.headers_mut().insert(header::LOCATION, v);
            response
        }
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the issuer's sign-in URL is not a URL",
        ),
    }
}

/// Sets the session cookie (`HttpOnly`) and the CSRF cookie the page reads, both
/// `SameSite=Lax`, `Secure` on https, lasting `max_age` (zero: cleared).
fn set_cookies(
    service: &Service,
    response: &mut Response,
    (id, csrf): (&str, &str),
    max_age: cookie::time::Duration,
) {
    for (name, value, http_only) in [(COOKIE, id, true), (CSRF_COOKIE, csrf, false)] {
        let cookie = cookie::Cookie::build((name, value))
            .http_only(http_only)
            .same_site(cookie::SameSite::Lax)
            .secure(service.secure())
            .path("/")
            .max_age(max_age)
            .build()
            .to_string();
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// The query of `GET /auth/callback`.
#[derive(Debug, Deserialize)]
pub struct Callback {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// `GET /auth/callback?code&state`: the code traded for the ID token (with the PKCE
/// verifier), the token verified (nonce too), a session opened.
pub async fn callback(
    State(service): State<Arc<Service>>,
    QueryOf(q): QueryOf<Callback>,
) -> Response {
    if let Some(e) = q.error {
        return error(
            StatusCode::UNAUTHORIZED,
            format!("the sign-in was refused: {e}"),
        );
    }
    let (Some(code), Some(state)) = (q.code, q.state) else {
        return error(
            StatusCode::BAD_REQUEST,
            "the sign-in's answer lacks its code or state",
        );
    };
    let pending = service
        .sessions
        .pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&state);
    let Some(pending) = pending.filter(|p| p.since.elapsed() < SIGN_IN_WITHIN) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "this sign-in is unknown or too old: sign in again",
        );
    };
    let worker = Arc::clone(&service);
    let verified = tokio::task::spawn_blocking(move || {
        let token = worker
            .issuer
            .redeem(&code, &pending.verifier, &redirect_uri(&worker))?;
        worker
            .issuer
            .verify(&token, Some(&pending.nonce))
            .map_err(|e| e.to_string())
    })
    .await;
    let identity = match verified {
        Ok(Ok(identity)) => identity,
        Ok(Err(words)) => {
            eprintln!("caseload serve: a sign-in failed: {words}");
            return error(
                StatusCode::UNAUTHORIZED,
                format!("the sign-in failed: {words}"),
            );
        }
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}")),
    };
    let Some((id, csrf)) = service.sessions.open(identity.clone()) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no random source for a session",
        );
    };
    let max_age = cookie::time::Duration::seconds(service.sessions.lasting.as_secs() as i64);
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/"));
    set_cookies(&service, &mut response, (&id, &csrf), max_age);
    // Who signed in, for the access log.
    response.extensions_mut().insert(identity);
    response
}

/// `POST /auth/logout`: the session closed and its cookie cleared (with the session's
/// CSRF token and, when sent, this service's `Origin`).
pub async fn logout(State(service): State<Arc<Service>>, headers: HeaderMap) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        if !origin
            .to_str()
            .unwrap_or("")
            .eq_ignore_ascii_case(service.origin())
        {
            return error(StatusCode::FORBIDDEN, "not this service's page");
        }
    }
    let session = service.sessions.identity(&headers);
    let checked = match &session {
        Some((_, token)) => csrf(token, &headers, &Method::POST),
        None => Err("no session to sign out of".to_string()),
    };
    if let Err(words) = checked {
        return error(StatusCode::FORBIDDEN, words);
    }
    let closed = service.sessions.close(&headers);
    let mut response = Json(serde_json::json!({
        "signed_out": closed,
        "end_session_endpoint": service.issuer.discovery.end_session_endpoint,
    }))
    .into_response();
    set_cookies(
        &service,
        &mut response,
        ("", ""),
        cookie::time::Duration::ZERO,
    );
    if let Some((identity, _)) = session {
        response.extensions_mut().insert(identity);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_value_is_percent_encoded() {
        assert_eq!(encode("openid email"), "openid%20email");
        assert_eq!(encode("http://a/b?c=d&e"), "http%3A%2F%2Fa%2Fb%3Fc%3Dd%26e");
        assert_eq!(encode("aZ09-._~"), "aZ09-._~");
    }

    #[test]
    fn a_session_outlives_a_restart_in_the_record_until_it_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("record.sqlite");
        let before = Sessions::new(1.0, Some(&record));
        let who = Identity {
            sub: "u".into(),
            email: Some("u@example.org".into()),
            name: Some("U".into()),
            groups: vec!["g".into()],
        };
        let (id, csrf) = before.open(who.clone()).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, format!("{COOKIE}={id}").parse().unwrap());
        drop(before);
        let after = Sessions::new(1.0, Some(&record));
        let (found, token) = after.identity(&headers).unwrap();
        assert_eq!((found, token.0), (who, csrf));
        assert!(after.close(&headers));
        let again = Sessions::new(1.0, Some(&record));
        assert!(again.identity(&headers).is_none(), "signed out for good");
    }

    #[test]
    fn a_session_expires_and_is_found_only_by_its_cookie() {
        let sessions = Sessions::new(1.0, None);
        let who = Identity {
            sub: "u".into(),
            email: None,
            name: None,
            groups: Vec::new(),
        };
        let (id, _) = sessions.open(who.clone()).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, format!("{COOKIE}={id}").parse().unwrap());
        assert_eq!(sessions.identity(&headers).map(|s| s.0), Some(who));
        let mut other = HeaderMap::new();
        other.insert(header::COOKIE, format!("{COOKIE}=x{id}").parse().unwrap());
        assert!(sessions.identity(&other).is_none());
        sessions.open.lock().unwrap().get_mut(&id).unwrap().until = Instant::now();
        assert!(sessions.identity(&headers).is_none(), "expired");
        assert!(
            sessions.open.lock().unwrap().is_empty(),
            "expired sessions are dropped"
        );
    }
}
