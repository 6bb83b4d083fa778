//! Browser sessions kept in the record: a session opened before a restart of the
//! service is still open after it (same person, same CSRF token), and one signed out of
//! before a restart stays closed.

use crate::service::{port_of, set_cookie, Provider, Service};
use crate::util::http::request;

/// Signs Pat in through the provider, as a browser does: the session cookie
/// (`caseload_service=…`).
fn sign_in(service: &Service, provider: &Provider) -> String {
    provider.control(
        "POST",
        "/next-user?sub=pat-1&email=pat@example.org&name=Pat%20Manager",
    );
    let login = service.call("GET", "/auth/login", None, "");
    let to = login.header("location").unwrap().to_string();
    let back = request(
        port_of(&provider.issuer),
        "GET",
        &to[provider.issuer.len()..],
        &[],
        "",
    );
    let callback = back.header("location").unwrap().to_string();
    let ours = format!("http://127.0.0.1:{}", service.port);
    let signed_in = service.call("GET", &callback[ours.len()..], None, "");
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let cookie = set_cookie(&signed_in, "caseload_service");
    cookie.split(';').next().unwrap().to_string()
}

#[test]
fn a_session_outlives_a_restart_of_the_service_and_a_sign_out_does_not() {
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let service = Service::start(tmp.path(), &provider);
    let session = sign_in(&service, &provider);
    let me = |service: &Service| service.raw("GET", "/api/me", &[("Cookie", session.clone())], "");
    let before = me(&service);
    assert_eq!(before.status, 200, "{}", before.body);
    let csrf = before.json()["csrf"].as_str().unwrap().to_string();

    // Killed and started again on the same record: the same session, the same token.
    drop(service);
    let service = Service::start(tmp.path(), &provider);
    let after = me(&service);
    assert_eq!(after.status, 200, "{}", after.body);
    let after = after.json();
    assert_eq!(after["email"], "pat@example.org");
    assert_eq!(after["csrf"], csrf.as_str());

    // Signed out, then restarted: still signed out.
    let ours = format!("http://127.0.0.1:{}", service.port);
    let out = service.raw(
        "POST",
        "/auth/logout",
        &[
            ("Cookie", session.clone()),
            ("X-CSRF-Token", csrf),
            ("Origin", ours),
        ],
        "",
    );
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(me(&service).status, 401);
    drop(service);
    let service = Service::start(tmp.path(), &provider);
    assert_eq!(me(&service).status, 401);
}
