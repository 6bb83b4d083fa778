//! The workspace under slow, half-sent and hostile requests (issue 27): error bodies in
//! the user's words with no internals, bounded waits on every client, 413 at once, a cap
//! on connections that idle ones do not exhaust, and random requests in random orders
//! never answered 5xx.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::serve::{copy_demo, Server};

/// Words an answer to a client must never hold: Rust's types, serde's, the server's
/// folders.
fn assert_no_internals(body: &str, folder: &str) {
    for internal in [
        "DecisionBody",
        "struct ",
        "serde",
        "f64",
        "rusqlite",
        "panicked",
        folder,
    ] {
        assert!(!body.contains(internal), "`{internal}` in {body}");
    }
}

/// Sends `bytes` on a new connection and reads until the server closes it or `wait`
/// passes; `None` when nothing came back in time.
fn exchange(port: u16, bytes: &[u8], wait: Duration) -> Option<String> {
    exchange_then(port, bytes, wait, false)
}

/// [`exchange`], saying "nothing more" after the bytes when `end` (a body shorter than
/// declared then ends at once instead of after the body timeout).
fn exchange_then(port: u16, bytes: &[u8], wait: Duration, end: bool) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(wait)).unwrap();
    let _ = stream.write_all(bytes);
    if end {
        let _ = stream.shutdown(std::net::Shutdown::Write);
    }
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return (!answer.is_empty()).then(|| String::from_utf8_lossy(&answer).into_owned());
            }
            Err(_) => break, // reset by the server
        }
    }
    Some(String::from_utf8_lossy(&answer).into_owned())
}

fn status(answer: &str) -> Option<u16> {
    answer.split_whitespace().nth(1)?.parse().ok()
}

fn head(server: &Server, method: &str, path: &str, extra: &str) -> String {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n{extra}",
        server.port, server.token
    )
}

#[test]
fn error_bodies_name_the_field_in_words_and_keep_paths_to_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().display().to_string();
    let server = Server::start(&copy_demo(tmp.path()));
    let cases = [
        (
            r#"{"case_id": "C00037", "kind": 5}"#,
            "kind: invalid type: integer `5`, expected text",
        ),
        ("7", "invalid type: integer `7`, expected an object"),
        (r#"{"case_id": "C00037"}"#, "missing field `kind`"),
        (
            r#"{"case_id": "C00037", "kind": "reject", "capacity": "x"}"#,
            "capacity: ",
        ),
        (
            r#"{"case_id": "C00037", "kind": "#,
            "the body is not valid JSON",
        ),
    ];
    for (body, words) in cases {
        let answer = server.call("POST", "/api/decisions", body);
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        let said = answer.json()["error"].as_str().unwrap().to_string();
        assert!(said.contains(words), "{body}: {said}");
        // Before: `invalid type: sequence, expected struct DecisionBody`.
        assert_no_internals(&answer.body, &folder);
    }
    // A record error: before, the record's full path on the server.
    let answer = server.call("DELETE", "/api/decisions/9999", "");
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert!(
        answer.body.contains("no decision 9999 in the record"),
        "{}",
        answer.body
    );
    assert_no_internals(&answer.body, &folder);
    // A query without its field.
    let answer = server.call("GET", "/api/eligible", "");
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer.body.contains("missing field `case`"),
        "{}",
        answer.body
    );
    assert_no_internals(&answer.body, &folder);
}

#[test]
fn a_body_declared_over_the_limit_is_answered_413_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&copy_demo(tmp.path()));
    for path in ["/api/decisions", "/api/solve", "/api/proposal"] {
        let method = if path == "/api/proposal" {
            "GET"
        } else {
            "POST"
        };
        let request = head(
            &server,
            method,
            path,
            "Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{",
        );
        // Before: the server waited for ten gigabytes.
        let answer = exchange(server.port, request.as_bytes(), Duration::from_secs(5))
            .expect("answered at once");
        assert_eq!(status(&answer), Some(413), "{path}: {answer}");
    }
    // Sent in chunks: cut off at the limit.
    let chunk = "x".repeat(70 * 1024);
    let request = format!(
        "{}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        head(&server, "POST", "/api/decisions", ""),
        chunk.len()
    );
    let answer =
        exchange(server.port, request.as_bytes(), Duration::from_secs(5)).expect("answered");
    assert_eq!(status(&answer), Some(413), "{answer}");
}

#[test]
fn half_sent_requests_are_dropped_in_bounded_time_while_others_are_served() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&copy_demo(tmp.path()));
    // 200 idle connections: half say nothing, half send headers but never the blank line.
    let mut idle = Vec::new();
    for i in 0..200 {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        if i % 2 == 1 {
            let partial = format!(
                "GET /api/proposal HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n",
                server.port
            );
            stream.write_all(partial.as_bytes()).unwrap();
        }
        idle.push(stream);
    }
    // Reads go on meanwhile, each answered (a blocked server would leave them unanswered).
    for _ in 0..20 {
        let request = head(&server, "GET", "/api/proposal", "\r\n");
        let answer = exchange(server.port, request.as_bytes(), Duration::from_secs(5))
            .expect("answered beside 200 idle connections");
        assert_eq!(status(&answer), Some(200));
    }
    // A body that stops half way: 408 after the body timeout.
    let request = format!(
        "{}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"case_id\"",
        head(&server, "POST", "/api/decisions", "")
    );
    let wait = caseload::serve::BODY_TIMEOUT + Duration::from_secs(5);
    let answer = exchange(server.port, request.as_bytes(), wait).expect("answered in time");
    assert_eq!(status(&answer), Some(408), "{answer}");
    // The idle ones are closed by the server after the header timeout (before: never).
    let wait = caseload::serve::HEADER_TIMEOUT + Duration::from_secs(5);
    for (i, stream) in idle.iter_mut().enumerate().step_by(20) {
        stream.set_read_timeout(Some(wait)).unwrap();
        let mut byte = [0u8; 512];
        let read = stream.read(&mut byte);
        let closed = match &read {
            Ok(n) => *n == 0 || status(&String::from_utf8_lossy(&byte[..*n])) == Some(408),
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        };
        assert!(
            closed,
            "idle connection {i} still open after the header timeout: {read:?}"
        );
    }
}

/// One random request: method, path, headers, body.
fn random_request() -> impl Strategy<Value = (String, String, Vec<(String, String)>, Vec<u8>)> {
    let method = prop::sample::select(vec!["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD"]);
    let path = prop::sample::select(vec![
        "/api/decisions",
        "/api/decisions/1",
        "/api/decisions/x",
        "/api/proposal",
        "/api/previous",
        "/api/solve/progress",
        "/api/solve/cancel",
        "/api/eligible?case=C00037",
        "/api/eligible?case=",
        "/api/eligible?nothing",
        "/api/why-not?case=C00037",
        "/api/export/allocation.csv",
        "/nowhere",
    ]);
    let content_type = prop::sample::select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "",
    ]);
    let json = prop_oneof![
        Just(r#"{"case_id":"C00037","kind":"reject"}"#.to_string()),
        Just(r#"{"case_id":"C00037","kind":"assign","worker_id":"W0101","note":"x"}"#.to_string()),
        Just(r#"{"worker_id":"W0101","kind":"capacity","capacity":-3}"#.to_string()),
        Just(r#"{"kind":null}"#.to_string()),
        "\\PC{0,40}",
        prop::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    let length = prop_oneof![Just(None), (0u64..200).prop_map(Some)];
    (method, path, content_type, json, length).prop_map(|(m, p, ct, body, length)| {
        let mut headers = Vec::new();
        if !ct.is_empty() {
            headers.push(("Content-Type".to_string(), ct.to_string()));
        }
        let bytes = body.into_bytes();
        let declared = length.unwrap_or(bytes.len() as u64);
        headers.push(("Content-Length".to_string(), declared.to_string()));
        (m.to_string(), p.to_string(), headers, bytes)
    })
}

#[test]
fn random_requests_in_random_orders_are_answered_without_5xx_or_internals() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().display().to_string();
    let server = Server::start(&copy_demo(tmp.path()));
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let orders = prop::collection::vec(random_request(), 1..6);
    runner
        .run(&orders, |requests| {
            for (method, path, headers, body) in &requests {
                let mut extra = String::new();
                for (k, v) in headers {
                    extra.push_str(&format!("{k}: {v}\r\n"));
                }
                extra.push_str("\r\n");
                let mut bytes = head(&server, method, path, &extra).into_bytes();
                bytes.extend_from_slice(body);
                let declared: Option<usize> = headers
                    .iter()
                    .find(|(k, _)| k == "Content-Length")
                    .and_then(|(_, v)| v.parse().ok());
                let short = declared.is_some_and(|n| n > body.len());
                let wait = caseload::serve::BODY_TIMEOUT + Duration::from_secs(5);
                let answer = exchange_then(server.port, &bytes, wait, short).unwrap_or_default();
                if let Some(code) = status(&answer) {
                    prop_assert!(code < 500, "{method} {path}: {answer}");
                }
                for internal in ["DecisionBody", "struct ", "panicked", folder.as_str()] {
                    prop_assert!(!answer.contains(internal), "{method} {path}: {answer}");
                }
            }
            Ok(())
        })
        .unwrap();
    // Still serving.
    assert_eq!(server.call("GET", "/api/proposal", "").status, 200);
}
