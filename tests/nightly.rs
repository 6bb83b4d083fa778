//! The nightly run shared, and many at once (issue 24 points 7 and 8): a real `caseload
//! allocate --record` run while the server runs becomes the server's proposal within its
//! refresh interval; a decision on the replaced proposal is refused with 409 and what
//! changed; every answer names its run; re-solves asked at once are done together and
//! lose no decision; reads answer while a re-solve runs.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve::{copy_demo, passes_check, Server};
use crate::util::{caseload, stderr, stdout};

/// Polls `what` every 100 ms until it gives `Some`, for at most `limit`.
fn until<T>(limit: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(x) = f() {
            return x;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `caseload allocate DIR --record DB --by nightly --out OUT`, as the nightly job runs
/// it; the run id it recorded.
fn nightly(dir: &Path, record: &Path, out: &Path) -> i64 {
    let ran = caseload([
        "allocate".as_ref(),
        dir.as_os_str(),
        "--record".as_ref(),
        record.as_os_str(),
        "--by".as_ref(),
        "nightly".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert!(ran.status.success(), "{}", stderr(&ran));
    let history = caseload(["history".as_ref(), record.as_os_str(), "--json".as_ref()]);
    assert!(history.status.success(), "{}", stderr(&history));
    let runs: Value = serde_json::from_str(&stdout(&history)).unwrap();
    let last = runs.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["by"], "nightly", "{last}");
    last["id"].as_i64().unwrap()
}

/// `case_id → worker_id` of an allocation.csv's text.
fn workers_of(csv: &str) -> std::collections::BTreeMap<String, String> {
    crate::util::column_map(csv, "case_id", "worker_id")
}

/// The workers holding a pinned case in the folder's cases.csv (read by column name).
fn pinned_workers(dir: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(dir.join("cases.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (worker, pinned) = (at("current_worker"), at("pinned"));
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[pinned] == "true")
        .map(|r| r[worker].to_string())
        .collect()
}

/// Marks worker `id` unavailable in the folder's workers.csv (what the nightly export
/// says the morning after they went on long-term sick leave).
fn make_unavailable(dir: &Path, id: &str) {
    let path = dir.join("workers.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{id},")) {
                assert!(l.ends_with(",true"), "{l}");
                format!("{},false", l.trim_end_matches(",true"))
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&path, edited.join("\n") + "\n").unwrap();
}

#[test]
fn the_nightly_run_becomes_the_proposal_and_a_decision_on_the_old_one_is_told_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let record = dir.join("record.sqlite");
    let server = Server::start_with(&dir, &["--refresh", "1"]);
    let first = server.call("GET", "/api/proposal", "");
    let before = first.json();
    let old_run = before["run"].as_i64().unwrap();
    // Every answer names its run.
    assert_eq!(
        first.header("x-caseload-run"),
        Some(old_run.to_string().as_str())
    );
    assert_eq!(before["made"]["adopted"], false, "{}", before["made"]);
    let decisions = server.call("GET", "/api/decisions", "");
    assert_eq!(
        decisions.header("x-caseload-run"),
        Some(old_run.to_string().as_str())
    );

    // Overnight, a worker who holds children goes off sick: the export says so, and the
    // nightly job records its run on the server's record.
    let rows = before["allocation"].as_array().unwrap();
    let held = |r: &&Value| r["worker_id"].as_str().is_some_and(|w| !w.is_empty());
    let pinned_to = pinned_workers(&dir);
    let off = rows
        .iter()
        .filter(held)
        .map(|r| r["worker_id"].as_str().unwrap())
        .find(|w| !pinned_to.iter().any(|p| p == w))
        .expect("a worker with children and no pinned case")
        .to_string();
    let theirs: Vec<String> = rows
        .iter()
        .filter(|r| r["worker_id"] == off.as_str())
        .map(|r| r["case_id"].as_str().unwrap().to_string())
        .collect();
    let untouched = rows
        .iter()
        .filter(|r| r["worker_id"] != off.as_str() && held(r))
        .map(|r| r["case_id"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    make_unavailable(&dir, &off);
    let out = tmp.path().join("nightly");
    let run = nightly(&dir, &record, &out);
    assert!(run > old_run);

    // The server shows it within its refresh interval (1 s here), without a restart: the
    // nightly's own allocation, its time and by whom.
    let adopted = until(Duration::from_secs(20), "the nightly run", || {
        let p = server.call("GET", "/api/proposal", "");
        (p.json()["run"] == run).then_some(p)
    });
    assert_eq!(
        adopted.header("x-caseload-run"),
        Some(run.to_string().as_str())
    );
    let now = adopted.json();
    assert_eq!(now["made"]["by"], "nightly", "{}", now["made"]);
    assert_eq!(now["made"]["adopted"], true, "{}", now["made"]);
    let nightly_csv = std::fs::read_to_string(out.join("allocation.csv")).unwrap();
    let exported = server.call("GET", "/api/export/allocation.csv", "").body;
    assert_eq!(workers_of(&exported), workers_of(&nightly_csv));
    // Its rows are marked against the proposal the manager was reviewing.
    for case in &theirs {
        let row = now["allocation"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["case_id"] == case.as_str())
            .unwrap();
        assert_ne!(row["worker_id"], off.as_str(), "{row}");
        assert_eq!(row["changed"], true, "{row}");
    }
    let progress = server.call("GET", "/api/solve/progress", "").json();
    assert_eq!(progress["run"], run, "{progress}");
    assert_eq!(progress["made"]["by"], "nightly", "{progress}");
    assert_eq!(
        server.call("GET", "/api/previous", "").json()["run"],
        old_run
    );

    // A decision on the old proposal about a child the nightly moved: 409, with the new
    // run and the children whose worker differs; nothing recorded.
    let nightly_workers = workers_of(&nightly_csv);
    let child = theirs
        .iter()
        .find(|c| !nightly_workers[c.as_str()].is_empty())
        .expect("a child the nightly gave another worker");
    let stale = json!({"case_id": child, "kind": "accept", "run": old_run});
    let refused = server.call("POST", "/api/decisions", &stale.to_string());
    assert_eq!(refused.status, 409, "{}", refused.body);
    let said = refused.json();
    assert_eq!(said["run"], run, "{said}");
    assert_eq!(said["based_on"], old_run, "{said}");
    let changed = said["changed"].as_array().unwrap();
    assert!(
        changed.iter().any(|c| c["case_id"] == child.as_str()
            && c["was"] == off.as_str()
            && c["now"].as_str().unwrap_or("") == nightly_workers[child.as_str()]),
        "{said}"
    );
    assert!(changed.iter().all(|c| c["was"] != c["now"]), "{said}");
    assert_eq!(
        server.call("GET", "/api/decisions", "").json(),
        json!([]),
        "nothing recorded"
    );

    // On the new run: taken. On the old run about a child the nightly left where it was:
    // taken too (what the manager saw of that child still holds).
    let fresh = json!({"case_id": child, "kind": "accept", "run": run});
    let taken = server.call("POST", "/api/decisions", &fresh.to_string());
    assert_eq!(taken.status, 201, "{}", taken.body);
    let same = untouched
        .iter()
        .find(|c| nightly_workers[c.as_str()] == before_worker(&before, c))
        .expect("a child the nightly left with its worker");
    let unchanged = json!({"case_id": same, "kind": "accept", "run": old_run});
    let also = server.call("POST", "/api/decisions", &unchanged.to_string());
    assert_eq!(also.status, 201, "{}", also.body);
    let standing = server.call("GET", "/api/decisions", "").json();
    assert_eq!(standing.as_array().unwrap().len(), 2, "{standing}");
    assert!(standing
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["on_run"] == run && d["in_proposal"] == false));

    // The next re-solve stands on the nightly's inputs with both decisions; checked.
    let solved = server.call("POST", "/api/solve", "");
    assert_eq!(solved.status, 200, "{}", solved.body);
    let solved = solved.json();
    assert!(solved["run"].as_i64().unwrap() > run);
    assert_eq!(
        solved["summary"]["decisions"]["applied"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{}",
        solved["summary"]["decisions"]
    );
    assert!(solved["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["worker_id"] != off.as_str()));
    let allocation = server.call("GET", "/api/export/allocation.csv", "").body;
    let decisions = server.call("GET", "/api/export/decisions.csv", "").body;
    passes_check(&dir, &tmp.path().join("checked"), &allocation, &decisions);
}

fn before_worker(proposal: &Value, case: &str) -> String {
    proposal["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["case_id"] == case)
        .and_then(|r| r["worker_id"].as_str())
        .unwrap_or("")
        .to_string()
}

#[test]
fn re_solves_asked_at_once_are_done_together_and_lose_no_decision_while_reads_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = crate::serve::long_solving_trust(tmp.path());
    let server = Arc::new(Server::start_with(&dir, &["--time-limit", "10"]));
    let before = server.call("GET", "/api/proposal", "").json();
    let first_run = before["run"].as_i64().unwrap();
    let rows = before["allocation"].as_array().unwrap().clone();
    let children: Vec<String> = rows
        .iter()
        .filter(|r| r["worker_id"].as_str().is_some_and(|w| !w.is_empty()))
        .take(2)
        .map(|r| r["case_id"].as_str().unwrap().to_string())
        .collect();

    // A re-solve runs.
    let solver = Arc::clone(&server);
    let first = std::thread::spawn(move || solver.call("POST", "/api/solve", ""));
    until(Duration::from_secs(60), "the solve to start", || {
        (server.call("GET", "/api/solve/progress", "").json()["running"] == true).then_some(())
    });

    // Two managers decide at the same moment, and four ask for a re-solve, while it runs.
    let decide = |case: String| {
        let server = Arc::clone(&server);
        std::thread::spawn(move || {
            let body = json!({"case_id": case, "kind": "accept", "run": first_run});
            server.call("POST", "/api/decisions", &body.to_string())
        })
    };
    let deciders: Vec<_> = children.iter().cloned().map(decide).collect();
    let taken: Vec<i64> = deciders
        .into_iter()
        .map(|d| {
            let answer = d.join().unwrap();
            assert_eq!(answer.status, 201, "{}", answer.body);
            answer.json()["id"].as_i64().unwrap()
        })
        .collect();
    // Reads answer while the solve runs: it is still running after each.
    for path in [
        "/api/proposal",
        "/api/decisions",
        "/api/export/allocation.csv",
    ] {
        let read = server.call("GET", path, "");
        assert_eq!(read.status, 200, "{path}: {}", read.body);
        assert!(read.header("x-caseload-run").is_some(), "{path}");
        assert!(
            !first.is_finished(),
            "{path} answered only after the solve ended"
        );
    }
    let askers: Vec<_> = (0..4)
        .map(|_| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || server.call("POST", "/api/solve", ""))
        })
        .collect();
    // They wait behind the running solve; then it is stopped early.
    until(Duration::from_secs(20), "the four asks waiting", || {
        let progress = server.call("GET", "/api/solve/progress", "").json();
        (progress["waiting"] == 4).then_some(())
    });
    assert!(!first.is_finished());
    assert_eq!(server.call("POST", "/api/solve/cancel", "").status, 202);
    let first = first.join().unwrap();
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    assert_eq!(first["run"], first_run + 1);

    // The four asks are answered by one solve after it, which holds both decisions.
    let answers: Vec<Value> = askers
        .into_iter()
        .map(|a| {
            let answer = a.join().unwrap();
            assert_eq!(answer.status, 200, "{}", answer.body);
            answer.json()
        })
        .collect();
    let runs: std::collections::BTreeSet<i64> =
        answers.iter().map(|a| a["run"].as_i64().unwrap()).collect();
    assert_eq!(runs, [first_run + 2].into(), "one solve for the four asks");
    let applied: Vec<i64> = answers[0]["summary"]["decisions"]["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    for id in &taken {
        assert!(applied.contains(id), "decision {id} in {applied:?}");
    }
    let history = caseload([
        "history".as_ref(),
        dir.join("record.sqlite").as_os_str(),
        "--json".as_ref(),
    ]);
    let recorded: Value = serde_json::from_str(&stdout(&history)).unwrap();
    assert_eq!(
        recorded.as_array().unwrap().len(),
        3,
        "the first, the running one, one more"
    );
    let allocation = server.call("GET", "/api/export/allocation.csv", "").body;
    let decisions = server.call("GET", "/api/export/decisions.csv", "").body;
    passes_check(&dir, &tmp.path().join("checked"), &allocation, &decisions);
}

#[test]
fn the_page_tells_the_manager_in_words_when_the_nightly_run_replaces_their_proposal() {
    if !crate::browser::chromedriver_found() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let server = Server::start_with(&dir, &["--refresh", "1"]);
    let before = server.call("GET", "/api/proposal", "").json();
    let old_run = before["run"].as_i64().unwrap();
    let browser = crate::browser::Browser::start(&tmp.path().join("profile"), 1280);
    browser.go(&format!(
        "http://127.0.0.1:{}/?token={}",
        server.port, server.token
    ));
    browser.wait_for(
        "the proposal",
        &format!("return document.body.textContent.includes('Proposal — run {old_run}');"),
    );
    let newer_hidden = browser.script("return document.getElementById('newer').hidden;");
    assert_eq!(newer_hidden, json!(true));

    // The nightly job records a run on new data while the page is open.
    let pinned = pinned_workers(&dir);
    let off = before["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["worker_id"].as_str())
        .find(|w| !w.is_empty() && !pinned.iter().any(|p| p == w))
        .unwrap()
        .to_string();
    make_unavailable(&dir, &off);
    let run = nightly(
        &dir,
        &dir.join("record.sqlite"),
        &tmp.path().join("nightly"),
    );

    // The page learns of it by itself, says so in words and shows the new proposal.
    let said = browser.wait_for(
        "the newer-proposal message",
        "const b = document.getElementById('newer'); return !b.hidden && b.textContent;",
    );
    let said = said.as_str().unwrap();
    assert!(
        said.contains(&format!(
            "A newer proposal (run {run}, the run recorded by nightly at "
        )) && said.contains(&format!(
            "has replaced the one you were reviewing (run {old_run})"
        )),
        "{said}"
    );
    assert!(said.contains("marked “changed”"), "{said}");
    browser.wait_for(
        "the new run's proposal",
        &format!("return document.body.textContent.includes('Proposal — run {run}');"),
    );
    browser.screenshot(&crate::browser::screenshots().join("nightly-newer-1280.png"));
    // The narrow layout: the message still reads whole above the proposal.
    browser.command(
        "POST",
        "/window/rect",
        json!({"width": 800, "height": 1600}),
    );
    browser.script("window.scrollTo(0, 0); return true;");
    browser.screenshot(&crate::browser::screenshots().join("nightly-newer-800.png"));
}

#[cfg(feature = "service")]
#[test]
fn the_service_shows_the_nightly_run_to_a_manager_cut_to_their_team_with_its_run() {
    use crate::service::{Provider, Service, PEOPLE};
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let service = Service::start_edited(tmp.path(), &provider, |c| {
        c.replace(
            "session_hours = 8",
            "session_hours = 8\nrefresh_seconds = 1",
        )
    });
    // Pat manages T01.
    let pat = provider.token(PEOPLE[0].1);
    let first = service.call("GET", "/api/proposal", Some(&pat), "");
    assert_eq!(first.status, 200, "{}", first.body);
    let before = first.json();
    let old_run = before["run"].as_i64().unwrap();
    assert_eq!(
        first.header("x-caseload-run"),
        Some(old_run.to_string().as_str())
    );
    let pinned = pinned_workers(&service.dir);
    // A T01 worker with children and no pinned case goes off sick overnight.
    let off = before["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["worker_id"].as_str())
        .find(|w| w.starts_with("W01") && !pinned.iter().any(|p| p == w))
        .expect("a T01 worker holding children")
        .to_string();
    make_unavailable(&service.dir, &off);
    let out = tmp.path().join("nightly");
    let run = nightly(&service.dir, &service.record, &out);

    let adopted = until(Duration::from_secs(20), "the nightly run", || {
        let p = service.call("GET", "/api/proposal", Some(&pat), "");
        (p.json()["run"] == run).then_some(p)
    });
    assert_eq!(
        adopted.header("x-caseload-run"),
        Some(run.to_string().as_str())
    );
    let now = adopted.json();
    assert_eq!(now["made"]["by"], "nightly", "{}", now["made"]);
    // Still cut to Pat's team.
    let loads = now["loads"].as_array().unwrap();
    assert!(!loads.is_empty());
    assert!(loads.iter().all(|l| l["team"] == "T01"), "{loads:?}");
    let nightly_workers = workers_of(&std::fs::read_to_string(out.join("allocation.csv")).unwrap());
    for row in now["allocation"].as_array().unwrap() {
        let case = row["case_id"].as_str().unwrap();
        assert_eq!(
            row["worker_id"].as_str().unwrap_or(""),
            nightly_workers[case],
            "{row}"
        );
    }

    // A decision on the replaced proposal about a child the nightly moved: 409 with the
    // new run and what changed; on the new run: taken, stamped with Pat.
    let moved = now["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["changed"] == true && r["worker_id"].as_str().is_some_and(|w| !w.is_empty()))
        .expect("a T01 child the nightly moved to someone")["case_id"]
        .as_str()
        .unwrap()
        .to_string();
    let stale = json!({"case_id": moved, "kind": "accept", "run": old_run});
    let refused = service.call("POST", "/api/decisions", Some(&pat), &stale.to_string());
    assert_eq!(refused.status, 409, "{}", refused.body);
    let said = refused.json();
    assert_eq!(said["run"], run, "{said}");
    assert_eq!(said["based_on"], old_run, "{said}");
    assert!(
        said["changed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["case_id"] == moved.as_str()
                && c["now"] == nightly_workers[moved.as_str()].as_str()),
        "{said}"
    );
    let fresh = json!({"case_id": moved, "kind": "accept", "run": run});
    let taken = service.call("POST", "/api/decisions", Some(&pat), &fresh.to_string());
    assert_eq!(taken.status, 201, "{}", taken.body);
    assert_eq!(
        taken.header("x-caseload-run"),
        Some(run.to_string().as_str())
    );
    let listed = service.call("GET", "/api/decisions", Some(&pat), "").json();
    assert_eq!(listed[0]["by"], "Pat Manager <pat@example.org>", "{listed}");
    assert_eq!(listed[0]["on_run"], run, "{listed}");
}
