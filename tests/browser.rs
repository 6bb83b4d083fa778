//! The workspace in a real browser: Debian's headless Chromium driven through WebDriver
//! (chromedriver; the protocol is plain HTTP with JSON, spoken by `util::http`). The page
//! is opened from the printed URL, the chart is seen, a proposed move is rejected (refused
//! without a reason, by the page and by the server, then taken with one), the proposal
//! re-solved, the child seen back with their worker, a "why not" asked, and the
//! allocation downloaded from the page's session and checked. Screenshots at 1280 and
//! 800 px are written to `target/screenshots/` (and looked at by a person).

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::serve::{copy_demo, passes_check, Server};
use crate::util::http::request;

/// A running chromedriver with one browser session, stopped on drop.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            &[],
            "",
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Whether chromedriver runs here; when not, the test is skipped (or fails under CI).
pub fn chromedriver_found() -> bool {
    let found = Command::new("chromedriver")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is not installed and CI is set: run `bash .ci/setup`"
        );
        let _ = writeln!(
            std::io::stderr(),
            "skipped: the workspace browser test: chromedriver not found (run `bash .ci/setup`)"
        );
    }
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    pub fn start(profile: &Path, width: u32) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    format!("--window-size={width},1600"),
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let answer = request(port, "POST", "/session", &[], &capabilities.to_string());
        assert_eq!(answer.status, 200, "new session: {}", answer.body);
        let session = answer.json()["value"]["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        Browser {
            driver,
            port,
            session,
        }
    }

    /// A WebDriver command of this session; its `value`.
    pub fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let body = if method == "GET" {
            String::new()
        } else {
            body.to_string()
        };
        let answer = request(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            &[],
            &body,
        );
        assert_eq!(answer.status, 200, "{method} {path}: {}", answer.body);
        answer.json()["value"].clone()
    }

    pub fn go(&self, url: &str) {
        self.command("POST", "/url", json!({ "url": url }));
    }

    /// Runs a script in the page and returns its value (a promise is awaited).
    pub fn script(&self, source: &str) -> Value {
        self.command("POST", "/execute/async", json!({
            "script": format!("const done = arguments[arguments.length - 1]; Promise.resolve((async () => {{ {source} }})()).then(done, e => done('ERROR ' + e));"),
            "args": []
        }))
    }

    /// Waits until the script returns something truthy; returns it.
    pub fn wait_for(&self, what: &str, source: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let value = self.script(source);
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value != json!(0)
                && value != json!("");
            if truthy {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The WebDriver id of the element the CSS selector finds.
    fn element(&self, css: &str) -> String {
        let found = self.command(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    /// Clicks the element the CSS selector finds.
    pub fn click(&self, css: &str) {
        let id = self.element(css);
        self.command("POST", &format!("/element/{id}/click"), json!({}));
    }

    /// Types into the element the CSS selector finds.
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.command(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        );
    }

    /// A PNG screenshot of the page.
    pub fn screenshot(&self, path: &Path) {
        let data = self.command("GET", "/screenshot", json!({}));
        let bytes = base64(data.as_str().expect("base64 text"));
        std::fs::write(path, bytes).expect("screenshot written");
    }
}

/// Standard base64 decoding (WebDriver screenshots).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk.iter().fold(0u32, |acc, d| (acc << 6) | d) << (6 * (4 - chunk.len()));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}

/// The PNG's width in pixels.
fn png_width(path: &Path) -> u32 {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("png"));
    decoder.read_info().expect("a PNG").info().width
}

pub fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

#[test]
fn a_manager_works_the_proposal_in_a_real_browser() {
    if !chromedriver_found() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let server = Server::start(&dir);
    let proposal = server.call("GET", "/api/proposal", "").json();
    let moved = proposal["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["change"] == "moved")
        .expect("a proposed move")
        .clone();
    let case = moved["case_id"].as_str().unwrap().to_string();
    let previous = moved["previous_worker"].as_str().unwrap().to_string();

    let browser = Browser::start(&tmp.path().join("profile"), 1280);
    browser.go(&format!(
        "http://127.0.0.1:{}/?token={}",
        server.port, server.token
    ));
    // The chart: a bar per worker, coloured by band.
    let bars = browser.wait_for(
        "the load chart",
        "return document.querySelectorAll('.worker .bar .after.amber, .worker .bar .after.red, .worker .bar .after.green').length;",
    );
    assert_eq!(bars, json!(16), "a bar per worker of the demo");
    browser.screenshot(&screenshots().join("workspace-1280.png"));

    // Reject the proposed move without a reason: the page says so beside the field and
    // sends nothing.
    let reject = format!("tr[data-case='{case}'] td.decide button:nth-of-type(2)");
    let field_error = format!(
        "const e = document.querySelector(\"tr[data-case='{case}'] .field-error\"); \
         return e ? e.textContent : '';"
    );
    browser.click(&reject);
    let said = browser.wait_for("the page's refusal", &field_error);
    assert!(
        said.as_str().unwrap().contains("Say why before you reject"),
        "{said}"
    );
    let invalid = browser.script(&format!(
        "return document.querySelector(\"tr[data-case='{case}'] input.reason\").getAttribute('aria-invalid');"
    ));
    assert_eq!(invalid, json!("true"));
    browser.script(&format!(
        "document.querySelector(\"tr[data-case='{case}']\").scrollIntoView({{block: 'center'}}); return true;"
    ));
    browser.screenshot(&screenshots().join("workspace-reason.png"));
    assert_eq!(
        server.call("GET", "/api/decisions", "").json(),
        json!([]),
        "nothing sent"
    );
    // The server is the authority: were the page to send it anyway, its 400 is shown
    // beside the field, and nothing is recorded.
    browser.script("state.rules = { needs_note: [] }; return true;");
    browser.script(&format!(
        "const i = document.querySelector(\"tr[data-case='{case}'] input.reason\"); \
         i.value = '   '; i.dispatchEvent(new Event('input')); return true;"
    ));
    browser.click(&reject);
    let said = browser.wait_for("the server's refusal", &field_error);
    assert!(
        said.as_str()
            .unwrap()
            .contains("a reason is required for `reject`"),
        "{said}"
    );
    assert_eq!(server.call("GET", "/api/decisions", "").json(), json!([]));
    browser.script("state.rules = { needs_note: ['reject', 'assign', 'never'] }; return true;");
    // With a reason: recorded, with its note among the standing decisions; then re-solve.
    browser.script(&format!(
        "document.querySelector(\"tr[data-case='{case}'] input.reason\").value = ''; return true;"
    ));
    browser.type_into(
        &format!("tr[data-case='{case}'] input.reason"),
        "known to the family",
    );
    browser.click(&reject);
    browser.wait_for(
        "the decision",
        "return document.getElementById('status').textContent.includes('recorded');",
    );
    let standing = server.call("GET", "/api/decisions", "").json();
    assert_eq!(standing[0]["note"], "known to the family", "{standing}");
    browser.wait_for(
        "the note among the standing decisions",
        "return document.getElementById('decisions').textContent.includes('known to the family');",
    );
    browser.click("#solve");
    browser.wait_for(
        "the re-solve",
        "return document.getElementById('status').textContent.includes('Re-solved');",
    );
    // The child is back with their worker: shown among the kept, with the reason.
    browser.click("#f-change option[value='kept'], #f-change option:nth-of-type(6)");
    let row = browser.wait_for(
        "the kept row",
        &format!("const r = document.querySelector(\"tr[data-case='{case}']\"); return r ? r.textContent : '';"),
    );
    let row = row.as_str().unwrap();
    assert!(
        row.contains(&previous) && row.contains("a manager decided so"),
        "{row}"
    );
    // The rows that changed since the previous proposal are marked and counted at the
    // top, each with why: the rejected child first of all, by the decision.
    let compare = browser.script("return document.getElementById('compare').textContent;");
    let compare = compare.as_str().unwrap();
    assert!(
        compare.contains("Since run")
            && compare.contains("change worker")
            && compare.contains(&case),
        "{compare}"
    );
    assert!(compare.contains("decision"), "{compare}");
    let marked = browser.script(&format!(
        "const r = document.querySelector(\"tr.changed[data-case='{case}']\"); return r ? r.textContent : '';"
    ));
    assert!(marked.as_str().unwrap().contains('●'), "{marked}");
    browser.screenshot(&screenshots().join("workspace-changed-1280.png"));

    // Why not a worker of another team?
    let team_of = |w: &str| {
        proposal["loads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["worker_id"] == w)
            .map(|l| l["team"].clone())
    };
    let other = proposal["loads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| Some(l["team"].clone()) != team_of(&previous) && l["available"] == true)
        .unwrap()["worker_id"]
        .as_str()
        .unwrap()
        .to_string();
    browser.type_into("#w-case", &case);
    browser.type_into("#w-worker", &other);
    browser.click("#whynot button");
    let answer = browser.wait_for(
        "the why-not answer",
        "const t = document.getElementById('whynot-answer').textContent; return t.includes('may') ? t : '';",
    );
    assert!(
        answer.as_str().unwrap().contains("may not hold"),
        "{answer}"
    );

    // A worker goes on leave (marked from the chart), and the proposal is solved again:
    // the worker is shown unavailable, holding nothing.
    let cases = std::fs::read_to_string(dir.join("cases.csv")).unwrap();
    let away = proposal["loads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["worker_id"].as_str().unwrap().to_string())
        .find(|w| {
            *w != previous
                && cases.lines().any(|l| l.contains(w.as_str()))
                && !cases
                    .lines()
                    .any(|l| l.contains(w.as_str()) && l.contains(",true,"))
        })
        .expect("a worker with cases, none pinned");
    browser.click(&format!("button[aria-label='change {away}']"));
    browser.wait_for(
        "the worker's menu",
        "return document.querySelectorAll('.worker-menu button').length === 4;",
    );
    browser.screenshot(&screenshots().join("workspace-worker-menu.png"));
    browser.click(".worker-menu button:nth-of-type(2)");
    browser.wait_for(
        "the decision on the worker",
        "return document.getElementById('status').textContent.includes('on leave');",
    );
    browser.click("#solve");
    let shown = browser.wait_for(
        "the worker shown unavailable",
        &format!(
            "const w = [...document.querySelectorAll('.worker')].find((x) => x.textContent.startsWith('{away} ')); \
             return w && w.textContent.includes('unavailable') && document.getElementById('status').textContent.includes('Re-solved') ? w.textContent : '';"
        ),
    );
    assert!(shown.as_str().unwrap().contains("→ 0 /"), "{shown}");

    // Never: a worker ruled out for the child from the list of changes, with a reason.
    browser.type_into(
        &format!("tr[data-case='{case}'] input.reason"),
        "conflict found in supervision",
    );
    browser.click(&format!(
        "tr[data-case='{case}'] td.decide button:nth-of-type(4)"
    ));
    browser.wait_for(
        "the never menu",
        &format!("return !!document.querySelector(\"select[aria-label='never {case}']\");"),
    );
    browser.script(&format!(
        "const s = document.querySelector(\"select[aria-label='never {case}']\"); \
         s.value = '{other}'; s.dispatchEvent(new Event('change')); return true;"
    ));
    let standing = browser.wait_for(
        "the never decision listed",
        &format!(
            "const t = document.getElementById('decisions').textContent; \
             return t.includes('never {other} for {case}') && t.includes('conflict found in supervision') ? t : '';"
        ),
    );
    assert!(
        standing.as_str().unwrap().contains("Withdraw"),
        "{standing}"
    );
    browser.script(&format!(
        "document.querySelector(\"tr[data-case='{case}']\").scrollIntoView(); return true;"
    ));
    browser.screenshot(&screenshots().join("workspace-reason-recorded.png"));

    // Download the allocation from the page's own session; it passes check.
    let files = browser.script(
        "const a = await (await fetch('/api/export/allocation.csv')).text(); \
         const d = await (await fetch('/api/export/decisions.csv')).text(); return [a, d];",
    );
    let out = tmp.path().join("downloaded");
    let (allocation, decisions) = (files[0].as_str().unwrap(), files[1].as_str().unwrap());
    passes_check(&dir, &out, allocation, decisions);

    // The narrow layout.
    browser.command(
        "POST",
        "/window/rect",
        json!({"width": 800, "height": 1600}),
    );
    browser.script("window.scrollTo(0, 0); return true;");
    let shot = screenshots().join("workspace-800.png");
    browser.screenshot(&shot);
    let wide = screenshots().join("workspace-1280.png");
    assert!(png_width(&wide) >= 1200, "{}", png_width(&wide));
    assert!(png_width(&shot) <= 820, "{}", png_width(&shot));
}
