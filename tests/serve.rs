//! The workspace end to end: the real binary on port 0, driven over HTTP (a small
//! HTTP/1.1 client of our own, one connection per request).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::util::http::{request, Answer};
use crate::util::{caseload, demo, stderr, stdout};

/// A running `caseload serve`, stopped on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    pub token: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes an exported allocation and its decisions into `out` and asserts that `caseload
/// check` accepts them; returns what check printed.
pub fn passes_check(dir: &Path, out: &Path, allocation: &str, decisions: &str) -> String {
    std::fs::create_dir_all(out).unwrap();
    std::fs::write(out.join("allocation.csv"), allocation).unwrap();
    std::fs::write(out.join("decisions.csv"), decisions).unwrap();
    let checked = caseload([
        "check".as_ref(),
        dir.as_os_str(),
        "--allocation".as_ref(),
        out.join("allocation.csv").as_os_str(),
    ]);
    assert!(
        checked.status.success(),
        "{}{}",
        stdout(&checked),
        stderr(&checked)
    );
    stdout(&checked)
}

pub fn copy_demo(root: &Path) -> PathBuf {
    let dir = root.join("demo");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["workers.csv", "cases.csv", "policy.toml"] {
        std::fs::copy(demo().join(f), dir.join(f)).unwrap();
    }
    dir
}

impl Server {
    pub fn start(dir: &Path) -> Server {
        Self::start_with(dir, &[])
    }

    /// A server with extra flags (e.g. `--time-limit 10`).
    pub fn start_with(dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caseload"))
            .args([
                "serve",
                dir.to_str().unwrap(),
                "--port",
                "0",
                "--by",
                "Test Manager",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // http://127.0.0.1:PORT/?token=TOKEN
        let rest = first
            .trim()
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("first line: {first}"));
        let (port, token) = rest.split_once("/?token=").unwrap();
        Server {
            child,
            port: port.parse().unwrap(),
            token: token.to_string(),
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A request with the given extra headers (no token unless given).
    fn raw(&self, method: &str, path: &str, headers: &[(&str, String)], body: &str) -> Answer {
        request(self.port, method, path, headers, body)
    }

    /// A request with the bearer token.
    pub fn call(&self, method: &str, path: &str, body: &str) -> Answer {
        let auth = ("Authorization", format!("Bearer {}", self.token));
        self.raw(method, path, &[auth], body)
    }
}

#[test]
fn the_workspace_refuses_what_it_should_and_keeps_running() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(&copy_demo(tmp.path()));
    let bearer = ("Authorization", format!("Bearer {}", server.token));

    // No token, a wrong one: 401.
    assert_eq!(server.raw("GET", "/api/proposal", &[], "").status, 401);
    assert_eq!(server.raw("GET", "/", &[], "").status, 401);
    let wrong = ("Authorization", "Bearer 0000".to_string());
    assert_eq!(server.raw("GET", "/api/proposal", &[wrong], "").status, 401);
    assert_eq!(server.raw("GET", "/?token=0000", &[], "").status, 401);
    // DNS rebinding and cross-site requests: 403, token or not.
    let evil_host = ("Host", format!("evil.example:{}", server.port));
    let answer = server.raw("GET", "/api/proposal", &[bearer.clone(), evil_host], "");
    assert_eq!(answer.status, 403, "{}", answer.body);
    let evil_origin = ("Origin", "http://evil.example".to_string());
    let answer = server.raw(
        "POST",
        "/api/decisions",
        &[bearer.clone(), evil_origin],
        r#"{"case_id":"C00037","kind":"reject"}"#,
    );
    assert_eq!(answer.status, 403, "{}", answer.body);
    // The printed URL trades the token for an HttpOnly, SameSite=Strict cookie.
    let answer = server.raw("GET", &format!("/?token={}", server.token), &[], "");
    assert_eq!(answer.status, 303);
    let cookie = answer.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let page = server.raw("GET", "/", &[("Cookie", session.clone())], "");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<script src=\"/app.js\""),
        "{}",
        page.body
    );
    assert!(page
        .header("content-security-policy")
        .is_some_and(|c| c.contains("default-src 'self'")));
    let own_origin = ("Origin", format!("http://{}", server.host()));
    let answer = server.raw(
        "GET",
        "/api/proposal",
        &[("Cookie", session), own_origin],
        "",
    );
    assert_eq!(answer.status, 200);
    // Bodies are size-limited; bad bodies are refused; the server keeps running.
    let big = format!(r#"{{"case_id":"{}","kind":"accept"}}"#, "x".repeat(100_000));
    assert_eq!(server.call("POST", "/api/decisions", &big).status, 413);
    assert_eq!(
        server.call("POST", "/api/decisions", "{not json").status,
        400
    );
    let answer = server.call(
        "POST",
        "/api/decisions",
        r#"{"case_id":"C00037","kind":"keep"}"#,
    );
    assert_eq!(answer.status, 400);
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("accept, reject"));
    let answer = server.call(
        "POST",
        "/api/decisions",
        r#"{"case_id":"C00037","kind":"accept","path":"/etc/passwd"}"#,
    );
    assert_eq!(answer.status, 400, "unknown fields are refused");
    let answer = server.call(
        "POST",
        "/api/decisions",
        r#"{"case_id":"C99999","kind":"accept"}"#,
    );
    assert_eq!(answer.status, 400);
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("no case C99999"));
    assert_eq!(server.call("DELETE", "/api/decisions/77", "").status, 404);
    assert_eq!(server.call("GET", "/api/why-not?case=C1", "").status, 400);
    assert_eq!(server.call("GET", "/api/proposal", "").status, 200);
}

#[test]
fn a_manager_rejects_a_move_re_solves_asks_why_not_and_exports_a_valid_allocation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let server = Server::start(&dir);
    let proposal = server.call("GET", "/api/proposal", "").json();
    assert_eq!(proposal["summary"]["status"], "optimal");
    assert!(proposal["loads"][0]["band_after"].is_string());
    let moved = proposal["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["change"] == "moved")
        .expect("the demo proposes a discretionary move")
        .clone();
    let case = moved["case_id"].as_str().unwrap();
    let previous = moved["previous_worker"].as_str().unwrap();

    // Reject it: it stays with the previous worker after a re-solve.
    let body = format!(r#"{{"case_id":"{case}","kind":"reject","note":"court next week"}}"#);
    let answer = server.call("POST", "/api/decisions", &body);
    assert_eq!(answer.status, 201, "{}", answer.body);
    let taken = answer.json();
    let id = taken["id"].as_i64().unwrap();
    // Judged at once, without a solve.
    assert_eq!(taken["applies"], true, "{taken}");
    assert_eq!(taken["why"], "", "{taken}");
    assert_eq!(taken["in_proposal"], false, "{taken}");
    assert_eq!(taken["run"], proposal["run"], "{taken}");
    let standing = server.call("GET", "/api/decisions", "").json();
    assert_eq!(standing[0]["id"], id);
    assert_eq!(standing[0]["by"], "Test Manager");
    let solved = server.call("POST", "/api/solve", "");
    assert_eq!(solved.status, 200, "{}", solved.body);
    let solved = solved.json();
    assert_eq!(solved["run"], proposal["run"].as_i64().unwrap() + 1);
    let row = solved["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["case_id"] == case)
        .unwrap();
    assert_eq!(row["worker_id"], previous);
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .contains("a manager decided so: Test Manager"),
        "{row}"
    );
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .contains("note: \"court next week\""),
        "the reason carries the manager's: {row}"
    );
    assert_eq!(solved["summary"]["decisions"]["applied"][0]["id"], id);
    assert_eq!(
        server.call("GET", "/api/previous", "").json()["run"],
        proposal["run"]
    );
    let standing = server.call("GET", "/api/decisions", "").json();
    assert_eq!(standing[0]["in_proposal"], true, "{standing}");

    // A decision taken on the proposal before the re-solve is stale: 409, with what
    // changed, and nothing recorded.
    let stale = format!(
        r#"{{"case_id":"{case}","kind":"accept","run":{}}}"#,
        proposal["run"]
    );
    let refused = server.call("POST", "/api/decisions", &stale);
    assert_eq!(refused.status, 409, "{}", refused.body);
    let body = refused.json();
    let said = body["error"].as_str().unwrap().to_string();
    assert!(
        said.contains(&format!("taken on run {}", proposal["run"]))
            && said.contains(&format!("run {} has replaced it", solved["run"])),
        "{said}"
    );
    // What changed, as data: the newer run, the run it was based on, and the case's
    // workers in both.
    assert_eq!(body["run"], solved["run"], "{body}");
    assert_eq!(body["based_on"], proposal["run"], "{body}");
    assert_eq!(
        body["changed"],
        serde_json::json!([{"case_id": case, "was": moved["worker_id"], "now": previous}]),
        "{body}"
    );
    assert_eq!(
        refused.header("x-caseload-run"),
        Some(solved["run"].to_string().as_str())
    );
    assert_eq!(server.call("GET", "/api/decisions", "").json(), standing);

    // Why not a worker of the other team? The rule, in words.
    let other_team = proposal["loads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| {
            let team_of = |w: &str| {
                proposal["loads"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["worker_id"] == w)
                    .map(|x| x["team"].clone())
            };
            Some(l["team"].clone()) != team_of(previous) && l["available"] == true
        })
        .unwrap()["worker_id"]
        .as_str()
        .unwrap()
        .to_string();
    let why = server
        .call(
            "GET",
            &format!("/api/why-not?case={case}&worker={other_team}"),
            "",
        )
        .json();
    assert_eq!(why["allowed"], false, "{why}");
    assert!(why["rules"][0].as_str().unwrap().contains("team"), "{why}");
    // Why not the worker the proposal had chosen? Allowed, at a cost by term.
    let chosen = moved["worker_id"].as_str().unwrap();
    let why = server
        .call(
            "GET",
            &format!("/api/why-not?case={case}&worker={chosen}"),
            "",
        )
        .json();
    assert_eq!(why["allowed"], true, "{why}");
    assert!(why["delta"]["total"].as_f64().unwrap() <= 1e-6, "{why}");

    // Eligible workers for reassigning, with their load were it added.
    let eligible = server
        .call("GET", &format!("/api/eligible?case={case}"), "")
        .json();
    assert!(
        eligible["workers"].as_array().unwrap().len() > 1,
        "{eligible}"
    );
    // Moving the child alone to any of them is no better than the (optimal) proposal.
    let total = solved["summary"]["objective"]["total"].as_f64().unwrap();
    for w in eligible["workers"].as_array().unwrap() {
        let change = w["objective_change"].as_f64().unwrap();
        assert!(change >= -1e-4 * total.abs() - 1e-6, "{w}");
        if w["holds_it"] == true {
            assert_eq!(change, 0.0);
        }
    }

    // Withdraw, then finish: the exported allocation passes check with its decisions.
    let export = server.call("GET", "/api/export/allocation.csv", "");
    assert_eq!(export.status, 200);
    assert!(export
        .header("content-disposition")
        .unwrap()
        .contains("allocation.csv"));
    let decisions = server.call("GET", "/api/export/decisions.csv", "");
    let book = server.call("GET", "/api/export/allocation.xlsx", "");
    assert_eq!(book.status, 200);
    assert!(book
        .header("content-type")
        .unwrap()
        .contains("spreadsheetml"));
    assert!(book.body.starts_with("PK"), "a zip file");
    let checked = passes_check(
        &dir,
        &tmp.path().join("finished"),
        &export.body,
        &decisions.body,
    );
    assert!(checked.contains("1 manager's decision"), "{checked}");
    assert_eq!(
        server
            .call("DELETE", &format!("/api/decisions/{id}"), "")
            .status,
        200
    );
    assert_eq!(
        server.call("GET", "/api/decisions", "").json(),
        serde_json::json!([])
    );

    // Every solve and decision is in the record (DIR/record.sqlite by default).
    let history = caseload(["history", dir.join("record.sqlite").to_str().unwrap()]);
    assert_eq!(
        stdout(&history).lines().count(),
        1 + 2,
        "{}",
        stdout(&history)
    );
}

#[test]
fn an_overrule_without_a_reason_is_refused_naming_note_and_one_with_it_shows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let server = Server::start(&dir);
    let proposal = server.call("GET", "/api/proposal", "").json();
    let row = proposal["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["change"] == "moved")
        .expect("the demo proposes a discretionary move")
        .clone();
    let case = row["case_id"].as_str().unwrap();
    let proposed = row["worker_id"].as_str().unwrap();
    let other = row["previous_worker"].as_str().unwrap();
    // What the page asks for before it sends.
    assert_eq!(
        server.call("GET", "/api/decisions/rules", "").json(),
        serde_json::json!({"note_required": true, "needs_note": ["reject", "assign", "never"]})
    );
    // No note, an empty one, only spaces: 400 naming `note`, nothing recorded.
    for bad in [
        format!(r#"{{"case_id":"{case}","kind":"reject"}}"#),
        format!(r#"{{"case_id":"{case}","kind":"reject","note":""}}"#),
        format!(r#"{{"case_id":"{case}","kind":"assign","worker_id":"{other}","note":"  "}}"#),
        format!(r#"{{"case_id":"{case}","kind":"never","worker_id":"{proposed}","note":null}}"#),
    ] {
        let refused = server.call("POST", "/api/decisions", &bad);
        assert_eq!(refused.status, 400, "{bad}: {}", refused.body);
        let body = refused.json();
        assert_eq!(body["field"], "note", "{body}");
        let kind = bad
            .split("\"kind\":\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .starts_with(&format!("note: a reason is required for `{kind}`")),
            "{body}"
        );
    }
    assert_eq!(
        server.call("GET", "/api/decisions", "").json(),
        serde_json::json!([]),
        "nothing recorded"
    );
    // A shape problem is not blamed on the note.
    let shape = server.call(
        "POST",
        "/api/decisions",
        &format!(r#"{{"case_id":"{case}","kind":"assign","note":"why"}}"#),
    );
    assert_eq!(shape.status, 400);
    assert!(shape.json().get("field").is_none(), "{}", shape.body);
    // With a reason: 201, and the reason is shown with the decision and in why-not.
    let never = format!(
        r#"{{"case_id":"{case}","kind":"never","worker_id":"{proposed}","note":"conflict found in supervision"}}"#
    );
    let taken = server.call("POST", "/api/decisions", &never);
    assert_eq!(taken.status, 201, "{}", taken.body);
    let standing = server.call("GET", "/api/decisions", "").json();
    assert_eq!(
        standing[0]["note"], "conflict found in supervision",
        "{standing}"
    );
    assert_eq!(standing[0]["kind"], "never", "{standing}");
    let why = server
        .call(
            "GET",
            &format!("/api/why-not?case={case}&worker={proposed}"),
            "",
        )
        .json();
    assert_eq!(why["allowed"], false, "{why}");
    assert!(
        why["rules"][0]
            .as_str()
            .unwrap()
            .contains("note \"conflict found in supervision\""),
        "{why}"
    );
    // Accepting needs none.
    let accept = format!(r#"{{"case_id":"{case}","kind":"accept"}}"#);
    assert_eq!(server.call("POST", "/api/decisions", &accept).status, 201);
    drop(server);

    // `[decisions] note_required = false`: the same reject without a note is taken.
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let policy = std::fs::read_to_string(dir.join("policy.toml")).unwrap();
    let off = policy.replace("note_required = true", "note_required = false");
    assert_ne!(off, policy, "the demo's policy names the key");
    std::fs::write(dir.join("policy.toml"), off).unwrap();
    let server = Server::start(&dir);
    assert_eq!(
        server.call("GET", "/api/decisions/rules", "").json(),
        serde_json::json!({"note_required": false, "needs_note": []})
    );
    let reject = format!(r#"{{"case_id":"{case}","kind":"reject"}}"#);
    let taken = server.call("POST", "/api/decisions", &reject);
    assert_eq!(taken.status, 201, "{}", taken.body);
}

#[test]
fn a_manager_marks_a_worker_leaving_and_changes_a_capacity_then_re_solves() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let server = Server::start(&dir);
    let proposal = server.call("GET", "/api/proposal", "").json();
    let loads = proposal["loads"].as_array().unwrap().clone();
    // A worker holding cases, none pinned (the demo pins a few), leaves; another's
    // capacity is raised by 3 points.
    let cases = std::fs::read_to_string(dir.join("cases.csv")).unwrap();
    let pinned_to = |w: &str| cases.lines().any(|l| l.contains(w) && l.contains(",true,"));
    let leaving = loads
        .iter()
        .find(|l| {
            l["cases"].as_f64().unwrap() > 0.0 && !pinned_to(l["worker_id"].as_str().unwrap())
        })
        .unwrap()["worker_id"]
        .as_str()
        .unwrap()
        .to_string();
    let raised = loads
        .iter()
        .find(|l| l["worker_id"] != leaving.as_str() && l["available"] == true)
        .unwrap();
    let (raised, capacity) = (
        raised["worker_id"].as_str().unwrap().to_string(),
        raised["capacity"].as_f64().unwrap() + 3.0,
    );
    let body = format!(r#"{{"kind":"leaving","worker_id":"{leaving}","note":"last day Friday"}}"#);
    let answer = server.call("POST", "/api/decisions", &body);
    assert_eq!(answer.status, 201, "{}", answer.body);
    let body = format!(r#"{{"kind":"capacity","worker_id":"{raised}","capacity":{capacity}}}"#);
    assert_eq!(server.call("POST", "/api/decisions", &body).status, 201);
    // Refused, the server still running: a capacity without a number, a worker decision
    // with a case, a capacity out of range, an unknown worker.
    for bad in [
        format!(r#"{{"kind":"capacity","worker_id":"{raised}"}}"#),
        format!(r#"{{"kind":"leave","worker_id":"{raised}","case_id":"C00001"}}"#),
        format!(r#"{{"kind":"capacity","worker_id":"{raised}","capacity":1e300}}"#),
        r#"{"kind":"leave","worker_id":"W9999"}"#.to_string(),
    ] {
        let refused = server.call("POST", "/api/decisions", &bad);
        assert!(
            [400, 404].contains(&refused.status),
            "{bad}: {} {}",
            refused.status,
            refused.body
        );
    }

    // Nothing runs: no progress, nothing to cancel.
    assert_eq!(
        server.call("GET", "/api/solve/progress", "").json()["running"],
        false
    );
    assert_eq!(server.call("POST", "/api/solve/cancel", "").status, 409);

    let solved = server.call("POST", "/api/solve", "");
    assert_eq!(solved.status, 200, "{}", solved.body);
    let solved = solved.json();
    let load = |w: &str| {
        solved["loads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["worker_id"] == w)
            .unwrap()
            .clone()
    };
    assert_eq!(load(&leaving)["cases"], 0.0, "{}", load(&leaving));
    assert_eq!(load(&leaving)["available"], false);
    assert_eq!(load(&raised)["capacity"], capacity);
    assert_eq!(
        solved["summary"]["decisions"]["applied"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{}",
        solved["summary"]["decisions"]
    );
    // Finished: the export passes check with its decisions, which bind it.
    let export = server.call("GET", "/api/export/allocation.csv", "").body;
    let decisions = server.call("GET", "/api/export/decisions.csv", "").body;
    let checked = passes_check(&dir, &tmp.path().join("finished"), &export, &decisions);
    assert!(checked.contains("2 managers' decisions"), "{checked}");
}

/// A 30-team cross-team trust that HiGHS does not prove within seconds.
pub fn long_solving_trust(root: &Path) -> PathBuf {
    let dir = root.join("trust");
    let out = caseload([
        "generate".as_ref(),
        "--teams".as_ref(),
        "30".as_ref(),
        "--seed".as_ref(),
        "5".as_ref(),
        "--cross-team".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

#[test]
fn nothing_waits_for_a_solve_and_a_cancel_stops_it_with_its_best_allocation() {
    use std::time::Instant;
    let tmp = tempfile::tempdir().unwrap();
    let dir = long_solving_trust(tmp.path());
    let server = std::sync::Arc::new(Server::start_with(&dir, &["--time-limit", "10"]));
    let before = server.call("GET", "/api/proposal", "").json();
    let moved = before["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["change"] == "moved" || r["change"] == "new")
        .expect("the trust's proposal changes someone")["case_id"]
        .as_str()
        .unwrap()
        .to_string();

    // A re-solve in the background; it ends only when cancelled (or at 10 s).
    let solver = std::sync::Arc::clone(&server);
    let solving = std::thread::spawn(move || {
        let answer = solver.call("POST", "/api/solve", "");
        (answer, Instant::now())
    });
    let started = Instant::now();
    while server.call("GET", "/api/solve/progress", "").json()["running"] != true {
        assert!(started.elapsed().as_secs() < 60, "the solve never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Every read and a decision answer while the solve runs (the solve is still running
    // after each answer: nothing waited for it). Their times are printed, not asserted.
    let mut timings = Vec::new();
    let body = format!(
        r#"{{"case_id":"{moved}","kind":"reject","note":"known to the family","run":{}}}"#,
        before["run"]
    );
    for (method, path, body) in [
        ("GET", "/api/proposal", ""),
        ("GET", "/api/decisions", ""),
        ("POST", "/api/decisions", body.as_str()),
        ("GET", "/api/solve/progress", ""),
        ("GET", "/api/export/allocation.csv", ""),
    ] {
        let asked = Instant::now();
        let answer = server.call(method, path, body);
        timings.push(format!(
            "{method} {path}: {:.1} ms",
            asked.elapsed().as_secs_f64() * 1e3
        ));
        assert!(answer.status < 300, "{method} {path}: {}", answer.body);
        assert!(
            !solving.is_finished(),
            "{method} {path} answered only after the solve ended"
        );
        if method == "POST" {
            let taken = answer.json();
            assert_eq!(taken["applies"], true, "{taken}");
            assert_eq!(taken["in_proposal"], false, "{taken}");
        }
    }
    let progress = server.call("GET", "/api/solve/progress", "").json();
    assert_eq!(progress["running"], true, "{progress}");
    assert!(
        progress["solved"].as_u64() <= progress["parts"].as_u64(),
        "{progress}"
    );

    let cancelled_at = Instant::now();
    let cancel = server.call("POST", "/api/solve/cancel", "");
    assert_eq!(cancel.status, 202, "{}", cancel.body);
    let (answer, ended) = solving.join().unwrap();
    let stopped = ended.duration_since(cancelled_at).as_secs_f64();
    eprintln!(
        "while solving: {}; cancel to the solve's answer: {stopped:.2} s",
        timings.join(", ")
    );
    // The cancelled solve answers with its best allocation so far, recorded, and valid.
    assert_eq!(answer.status, 200, "{}", answer.body);
    let after = answer.json();
    assert_eq!(after["summary"]["status"], "time_limit");
    assert_eq!(after["run"], before["run"].as_i64().unwrap() + 1);
    // The decision taken during the solve is kept, and not yet in the proposal.
    let standing = server.call("GET", "/api/decisions", "").json();
    assert_eq!(standing.as_array().unwrap().len(), 1, "{standing}");
    assert_eq!(standing[0]["in_proposal"], false, "{standing}");
    assert_eq!(standing[0]["applies"], true, "{standing}");
    let allocation = server.call("GET", "/api/export/allocation.csv", "").body;
    let decisions = server.call("GET", "/api/export/decisions.csv", "").body;
    passes_check(&dir, &tmp.path().join("export"), &allocation, &decisions);
}
