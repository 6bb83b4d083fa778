//! The service (`caseload serve DIR --config serve.toml`) end to end: the real binary
//! against a real OpenID Connect provider the test starts (tests/oidc/provider.mjs,
//! oauth2-mock-server on Node.js, installed by `.ci/setup`: `npm ci` in tests/oidc).
//! Without node or its packages these tests fail, saying how to install them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use serde_json::Value;

use crate::serve::copy_demo;
use crate::util::http::{request, Answer};
use crate::util::{caseload, stderr, stdout};

/// The provider: oauth2-mock-server and its control server; stopped on drop.
pub struct Provider {
    child: Child,
    _stdin: Option<ChildStdin>,
    pub issuer: String,
    control: u16,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

impl Provider {
    pub fn start() -> Provider {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
        assert!(
            dir.join("node_modules/oauth2-mock-server").is_dir(),
            "the service tests need the OpenID Connect provider's packages: run .ci/setup \
             (or `npm ci` in tests/oidc) with Node.js 20 or newer"
        );
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the service tests need Node.js (`node` on PATH): see .ci/setup");
        let stdin = child.stdin.take();
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("the provider's first line");
        let urls: Value = serde_json::from_str(&first)
            .unwrap_or_else(|e| panic!("the provider said {first:?}: {e}"));
        Provider {
            child,
            _stdin: stdin,
            issuer: urls["issuer"].as_str().expect("issuer").to_string(),
            control: port_of(urls["control"].as_str().expect("control")),
        }
    }

    /// A token minted by the provider (`query`: sub, email, name, groups, aud,
    /// expires_in, kid, kind).
    pub fn token(&self, query: &str) -> String {
        let a = request(self.control, "GET", &format!("/token?{query}"), &[], "");
        assert_eq!(a.status, 200, "{}", a.body);
        a.body
    }

    pub fn control(&self, method: &str, path: &str) -> String {
        let a = request(self.control, method, path, &[], "");
        assert_eq!(a.status, 200, "{}", a.body);
        a.body
    }
}

/// A free port on loopback (bound and let go).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The rules of the test service.
const RULES: &str = r#"
[[access]]
email = "pat@example.org"
role = "manager"
teams = ["T01"]

[[access]]
email = "hos@example.org"
role = "head_of_service"

[[access]]
email = "study@example.org"
role = "planner"
child_detail = true

[[access]]
group = "planners"
role = "planner"

[[access]]
email = "audit@example.org"
role = "auditor"

[[access]]
sub = "admin-1"
role = "admin"
"#;

/// The identities of the test, by role: the token query of each.
pub const PEOPLE: &[(&str, &str)] = &[
    (
        "manager",
        "sub=pat-1&email=pat@example.org&name=Pat%20Manager",
    ),
    (
        "head_of_service",
        "sub=hos-1&email=hos@example.org&name=Hal%20Head",
    ),
    (
        "planner",
        "sub=plan-1&email=plan@example.org&name=Pia%20Planner&groups=planners,staff",
    ),
    (
        "auditor",
        "sub=aud-1&email=audit@example.org&name=Ada%20Auditor",
    ),
    ("admin", "sub=admin-1&name=Root%20Admin"),
    (
        "planner_child_detail",
        "sub=study-1&email=study@example.org&name=Sol%20Study&groups=planners",
    ),
];

/// A running service, stopped on drop.
pub struct Service {
    child: Child,
    pub port: u16,
    pub record: PathBuf,
    pub dir: PathBuf,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes serve.toml for `issuer` into `root`, listening on `port`.
pub fn write_config(root: &Path, issuer: &str, port: u16) -> PathBuf {
    let config = root.join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nbind = \"127.0.0.1:{port}\"\npublic_url = \"http://127.0.0.1:{port}\"\n\
             record = \"record.sqlite\"\nsession_hours = 8\n\n[oidc]\nissuer = \"{issuer}\"\n\
             client_id = \"caseload\"\ngroups_claim = \"groups\"\n{RULES}"
        ),
    )
    .unwrap();
    config
}

impl Service {
    pub fn start(root: &Path, provider: &Provider) -> Service {
        Self::start_edited(root, provider, |c| c)
    }

    /// A service whose serve.toml is first edited by `edit`.
    pub fn start_edited(
        root: &Path,
        provider: &Provider,
        edit: impl Fn(String) -> String,
    ) -> Service {
        let dir = copy_demo(root);
        let port = free_port();
        let config = write_config(root, &provider.issuer, port);
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&config, edit(text)).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_caseload"))
            .args(["serve", dir.to_str().unwrap(), "--config"])
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The public URL: http, or https when the service serves TLS itself.
        assert!(
            first.trim().ends_with(&format!("://127.0.0.1:{port}")),
            "{first}"
        );
        Service {
            child,
            port,
            record: root.join("record.sqlite"),
            dir,
        }
    }

    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: &str) -> Answer {
        let mut headers = Vec::new();
        if let Some(t) = token {
            headers.push(("Authorization", format!("Bearer {t}")));
        }
        request(self.port, method, path, &headers, body)
    }

    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, String)], body: &str) -> Answer {
        request(self.port, method, path, headers, body)
    }
}

/// The access log as `caseload history DB --access --json` lists it.
fn access_log(record: &Path, extra: &[&str]) -> Vec<Value> {
    let out = caseload(
        [
            vec!["history", record.to_str().unwrap(), "--access", "--json"],
            extra.to_vec(),
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str::<Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Each id's team in `file` (cases.csv or workers.csv), read by column name.
fn team_of(file: &Path) -> std::collections::BTreeMap<String, String> {
    crate::util::column_map(&std::fs::read_to_string(file).unwrap(), "id", "team")
}

fn team_of_cases(dir: &Path) -> std::collections::BTreeMap<String, String> {
    team_of(&dir.join("cases.csv"))
}

fn team_of_workers(dir: &Path) -> std::collections::BTreeMap<String, String> {
    team_of(&dir.join("workers.csv"))
}

/// `serve DIR --config CONFIG` with `bad` as the config: exit 2, `said` on standard
/// error, nothing served.
pub fn refused_config(dir: &Path, config: &Path, bad: &str, said: &str) {
    std::fs::write(config, bad).unwrap();
    let out = caseload([
        "serve".as_ref(),
        dir.as_os_str(),
        "--config".as_ref(),
        config.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(said), "{said}: {}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_bad_config_is_exit_2_naming_the_key_and_nothing_is_served() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let config = write_config(tmp.path(), "http://127.0.0.1:9", 1);
    let text = std::fs::read_to_string(&config).unwrap();
    for (bad, said) in [
        (
            text.replace("bind =", "bnd ="),
            "serve.toml:2: server.bnd: unknown field `bnd`",
        ),
        (
            text.replace("\"auditor\"", "\"boss\""),
            "access[4].role: unknown variant `boss`",
        ),
        (
            text.replace("teams = [\"T01\"]", ""),
            "access[0].teams: a manager's rule lists",
        ),
    ] {
        refused_config(&dir, &config, &bad, said);
    }
}

#[test]
fn an_unreachable_issuer_is_a_clear_error_after_retries_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    let closed = free_port();
    let config = write_config(
        tmp.path(),
        &format!("http://127.0.0.1:{closed}"),
        free_port(),
    );
    let out = caseload([
        "serve".as_ref(),
        dir.as_os_str(),
        "--config".as_ref(),
        config.as_os_str(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "the OpenID Connect issuer http://127.0.0.1:{closed} could not be reached after 4 attempts"
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn every_bad_token_is_401_no_rule_is_403_and_each_is_logged() {
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let service = Service::start(tmp.path(), &provider);
    let pat = "sub=pat-1&email=pat@example.org&name=Pat";
    let good = provider.token(pat);
    assert_eq!(service.call("GET", "/api/me", Some(&good), "").status, 200);

    let bad = [
        ("no token", None),
        ("not a JWT", Some("not.a.jwt".to_string())),
        (
            "alg none",
            Some(provider.token(&format!("{pat}&kind=none"))),
        ),
        ("HS256", Some(provider.token(&format!("{pat}&kind=hs256")))),
        (
            "another key",
            Some(provider.token(&format!("{pat}&kind=other-key"))),
        ),
        (
            "expired",
            Some(provider.token(&format!("{pat}&expires_in=-120"))),
        ),
        (
            "wrong audience",
            Some(provider.token(&format!("{pat}&aud=someone-else"))),
        ),
        (
            "unknown kid",
            Some(provider.token(&format!("{pat}&kind=other-key&kid=zz"))),
        ),
    ];
    for (what, token) in &bad {
        let a = service.call("GET", "/api/proposal", token.as_deref(), "");
        assert_eq!(a.status, 401, "{what}: {}", a.body);
        assert!(!a.body.contains("allocation"), "{what}");
    }
    // A page without a session is sent to sign in.
    let page = service.call("GET", "/", None, "");
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), Some("/auth/login"));

    // Signed in, but no rule grants a role: 403.
    let stranger = provider.token("sub=x-9&email=someone@example.org&name=Some%20One");
    let a = service.call("GET", "/api/proposal", Some(&stranger), "");
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(a.body.contains("no [[access]] rule"), "{}", a.body);

    let log = access_log(&service.record, &[]);
    let refused: Vec<&Value> = log.iter().filter(|r| r["status"] == 401).collect();
    assert_eq!(refused.len(), bad.len(), "{log:#?}");
    assert!(refused
        .iter()
        .all(|r| r["call"] == "/api/proposal" && r["children"] == serde_json::json!([])));
    let forbidden: Vec<&Value> = log.iter().filter(|r| r["status"] == 403).collect();
    assert_eq!(forbidden.len(), 1);
    assert_eq!(forbidden[0]["email"], "someone@example.org");
    assert_eq!(forbidden[0]["sub"], "x-9");
    assert!(log.iter().any(|r| r["call"] == "/" && r["status"] == 303));
}

#[test]
fn each_role_sees_only_what_it_may_and_decisions_are_stamped_from_the_token() {
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let service = Service::start(tmp.path(), &provider);
    let cases = team_of_cases(&service.dir);
    let workers = team_of_workers(&service.dir);
    let token = |role: &str| {
        let q = PEOPLE.iter().find(|(r, _)| *r == role).unwrap().1;
        provider.token(q)
    };
    let (pat, hos, planner, auditor) = (
        token("manager"),
        token("head_of_service"),
        token("planner"),
        token("auditor"),
    );

    // The manager of T01: T01's children and workers only.
    let mine = service.call("GET", "/api/proposal", Some(&pat), "").json();
    let rows = mine["allocation"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let case_team = &cases[row["case_id"].as_str().unwrap()];
        let worker_team = row["worker_id"]
            .as_str()
            .and_then(|w| workers.get(w).cloned());
        assert!(
            case_team == "T01" || worker_team.as_deref() == Some("T01"),
            "{row}"
        );
    }
    let t01 = cases.values().filter(|t| *t == "T01").count();
    assert!(rows.len() >= t01, "every T01 child is there");
    assert!(mine["loads"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["team"] == "T01"));
    let all = service.call("GET", "/api/proposal", Some(&hos), "").json();
    assert_eq!(all["allocation"].as_array().unwrap().len(), cases.len());
    assert!(all["loads"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["team"] == "T02"));

    // A planner granted child_detail: every child, read only.
    let study = token("planner_child_detail");
    let detail = service
        .call("GET", "/api/proposal", Some(&study), "")
        .json();
    assert_eq!(detail["allocation"].as_array().unwrap().len(), cases.len());
    let body = format!(
        r#"{{"case_id": "{}", "kind": "accept"}}"#,
        rows[0]["case_id"].as_str().unwrap()
    );
    assert_eq!(
        service
            .call("POST", "/api/decisions", Some(&study), &body)
            .status,
        403
    );

    // The planner: every team's loads, no child.
    let loads = service
        .call("GET", "/api/proposal", Some(&planner), "")
        .json();
    assert_eq!(loads["allocation"], serde_json::json!([]));
    assert_eq!(loads["loads"].as_array().unwrap().len(), workers.len());
    assert_eq!(
        service
            .call("GET", "/api/decisions", Some(&planner), "")
            .status,
        403
    );
    assert_eq!(
        service
            .call("GET", "/api/export/allocation.csv", Some(&planner), "")
            .status,
        403
    );

    // Exports are cut the same way.
    let csv = service.call("GET", "/api/export/allocation.csv", Some(&pat), "");
    assert_eq!(csv.status, 200);
    let exported: Vec<&str> = csv.body.lines().skip(1).collect();
    assert_eq!(exported.len(), rows.len());
    // The manager's workbook: the same rows as their allocation.csv, their workers'
    // loads, their unallocated children; the head of service's: everyone's.
    let book = |token: &str| workbook(&service, token);
    let pats = book(&pat);
    let csv_ids: Vec<&str> = exported
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let sheet_ids: Vec<&str> = pats["allocation"][1..]
        .iter()
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(sheet_ids, csv_ids);
    let t01_workers = workers.values().filter(|t| *t == "T01").count();
    assert_eq!(pats["loads"].len() - 1, t01_workers);
    assert!(pats["loads"][1..].iter().all(|r| r[1] == "T01"));
    assert!(pats["unallocated"][1..]
        .iter()
        .all(|r| sheet_ids.contains(&r[0].as_str())));
    let all_books = book(&hos);
    assert_eq!(all_books["allocation"].len() - 1, cases.len());
    assert_eq!(all_books["loads"].len() - 1, workers.len());
    // Their unallocated children: the whole workbook's among their rows, in its order.
    let left = |book: &std::collections::BTreeMap<String, Vec<Vec<String>>>| -> Vec<String> {
        book["unallocated"][1..]
            .iter()
            .map(|r| r[0].clone())
            .filter(|id| sheet_ids.contains(&id.as_str()))
            .collect()
    };
    assert_eq!(left(&pats), left(&all_books));
    assert_eq!(left(&pats).len(), pats["unallocated"].len() - 1);
    assert_eq!(
        service
            .call("GET", "/api/export/allocation.xlsx", Some(&planner), "")
            .status,
        403
    );

    // A T01 child and a T02 child.
    let t01_case = rows
        .iter()
        .find(|r| cases[r["case_id"].as_str().unwrap()] == "T01")
        .unwrap();
    let t01_case = t01_case["case_id"].as_str().unwrap().to_string();
    let t02_case = cases.iter().find(|(_, t)| *t == "T02").unwrap().0.clone();
    let t02_worker = workers.iter().find(|(_, t)| *t == "T02").unwrap().0.clone();
    let run = mine["run"].as_i64().unwrap();

    // The manager decides on their child; `by` in the body is ignored.
    let body = format!(
        r#"{{"case_id": "{t01_case}", "kind": "accept", "by": "Somebody Else", "run": {run}}}"#
    );
    let taken = service.call("POST", "/api/decisions", Some(&pat), &body);
    assert_eq!(taken.status, 201, "{}", taken.body);
    let id = taken.json()["id"].as_i64().unwrap();
    // Not on another team's child, nor across teams, nor ask about one.
    let other = format!(r#"{{"case_id": "{t02_case}", "kind": "accept", "run": {run}}}"#);
    let refused = service.call("POST", "/api/decisions", Some(&pat), &other);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("may not act on team T02"),
        "{}",
        refused.body
    );
    let across = format!(
        r#"{{"case_id": "{t01_case}", "kind": "assign", "worker_id": "{t02_worker}", "note": "covers the court date", "run": {run}}}"#
    );
    assert_eq!(
        service
            .call("POST", "/api/decisions", Some(&pat), &across)
            .status,
        403
    );
    assert_eq!(
        service
            .call(
                "GET",
                &format!("/api/eligible?case={t02_case}"),
                Some(&pat),
                ""
            )
            .status,
        403
    );
    // The head of service may decide across teams (on another T01 child: a newer
    // decision on Pat's child would replace Pat's).
    let second = rows
        .iter()
        .map(|r| r["case_id"].as_str().unwrap())
        .find(|c| cases[*c] == "T01" && *c != t01_case)
        .unwrap();
    let across = across.replace(&t01_case, second);
    let across_hos = service.call("POST", "/api/decisions", Some(&hos), &across);
    assert_eq!(across_hos.status, 201, "{}", across_hos.body);
    // The auditor reads the decisions and decides nothing.
    assert_eq!(
        service
            .call("POST", "/api/decisions", Some(&auditor), &body)
            .status,
        403
    );
    let listed = service
        .call("GET", "/api/decisions", Some(&auditor), "")
        .json();
    let ours = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(ours["by"], "Pat Manager <pat@example.org>");
    // The manager's list holds only decisions on their teams.
    let theirs = service.call("GET", "/api/decisions", Some(&pat), "").json();
    for d in theirs.as_array().unwrap() {
        let case = d["case_id"].as_str().unwrap_or("");
        let worker = d["worker_id"].as_str().unwrap_or("");
        assert!(
            cases.get(case).is_some_and(|t| t == "T01")
                || workers.get(worker).is_some_and(|t| t == "T01"),
            "{d}"
        );
    }
    // A withdrawal is stamped too.
    let withdrawn = service.call("DELETE", &format!("/api/decisions/{id}"), Some(&pat), "");
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    let out = caseload([
        "decide",
        service.record.to_str().unwrap(),
        "--list",
        "--all",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Pat Manager <pat@example.org>"), "{text}");
    assert!(!text.contains("Somebody Else"), "{text}");

    // The access log: who read which children, refusals included.
    assert_eq!(
        service.call("GET", "/api/access", Some(&pat), "").status,
        403
    );
    let log = service
        .call("GET", "/api/access", Some(&auditor), "")
        .json();
    let log = log.as_array().unwrap();
    let read = log
        .iter()
        .find(|r| r["email"] == "pat@example.org" && r["call"] == "/api/proposal")
        .unwrap();
    assert_eq!(read["role"], "manager");
    assert_eq!(read["status"], 200);
    assert_eq!(read["teams"], serde_json::json!(["T01"]));
    let read_children: Vec<&str> = read["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(read_children.len(), rows.len());
    assert!(read_children.contains(&t01_case.as_str()));
    // The workbook's children, logged as exported.
    let exported = log
        .iter()
        .find(|r| r["email"] == "pat@example.org" && r["call"] == "/api/export/allocation.xlsx")
        .unwrap();
    let mut in_book: Vec<&str> = sheet_ids.clone();
    in_book.sort();
    assert_eq!(exported["children"], serde_json::json!(in_book));
    assert_eq!(exported["teams"], serde_json::json!(["T01"]));
    let decided = log
        .iter()
        .find(|r| r["method"] == "POST" && r["status"] == 201 && r["email"] == "pat@example.org")
        .unwrap();
    assert_eq!(decided["children"], serde_json::json!([t01_case]));
    let refusal = log
        .iter()
        .find(|r| r["method"] == "POST" && r["status"] == 403 && r["email"] == "pat@example.org")
        .unwrap();
    assert_eq!(refusal["children"], serde_json::json!([t02_case]));
    assert!(refusal["outcome"]
        .as_str()
        .unwrap()
        .contains("may not act on team T02"));

    // history --access: the same rows; --since in the future: none.
    let listed = access_log(&service.record, &[]);
    assert!(listed.len() >= log.len());
    assert!(access_log(&service.record, &["--since", "2999-01-01"]).is_empty());
    let text = caseload(["history", service.record.to_str().unwrap(), "--access"]);
    assert!(
        stdout(&text).contains("pat@example.org  manager  GET /api/proposal  200 ok  teams T01"),
        "{}",
        stdout(&text)
    );
}

/// `allocation.xlsx` as `token` downloads it: each sheet's rows as text.
fn workbook(
    service: &Service,
    token: &str,
) -> std::collections::BTreeMap<String, Vec<Vec<String>>> {
    use calamine::Reader;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut answer = agent
        .get(&format!(
            "http://127.0.0.1:{}/api/export/allocation.xlsx",
            service.port
        ))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(answer.status(), 200);
    let bytes = answer.body_mut().read_to_vec().unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

/// Whether `role` may make the call `route` (from the table in docs/service.md).
fn allowed(role: &str, path: &str, method: &str) -> bool {
    let writes = method != "GET";
    let child_level = !matches!(
        path,
        "/" | "/app.js"
            | "/style.css"
            | "/api/me"
            | "/api/solve/progress"
            | "/api/proposal"
            | "/api/previous"
    );
    match role {
        "admin" => true,
        "auditor" => !writes,
        "planner" => !child_level && path != "/api/access",
        "head_of_service" => path != "/api/access",
        "manager" => path != "/api/access",
        "planner_child_detail" => !writes && path != "/api/access",
        _ => false,
    }
}

#[test]
fn every_route_for_every_role_goes_through_the_one_decision() {
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let service = Service::start(tmp.path(), &provider);
    let case = team_of_cases(&service.dir)
        .into_iter()
        .find(|(_, t)| t == "T01")
        .unwrap()
        .0;
    let worker = team_of_workers(&service.dir)
        .into_iter()
        .find(|(_, t)| t == "T01")
        .unwrap()
        .0;
    let routes: Vec<(&str, String, String)> = vec![
        ("GET", "/".into(), String::new()),
        ("GET", "/app.js".into(), String::new()),
        ("GET", "/style.css".into(), String::new()),
        ("GET", "/api/me".into(), String::new()),
        ("GET", "/api/proposal".into(), String::new()),
        ("GET", "/api/previous".into(), String::new()),
        ("GET", "/api/decisions".into(), String::new()),
        (
            "POST",
            "/api/decisions".into(),
            format!(r#"{{"case_id": "{case}", "kind": "accept"}}"#),
        ),
        ("DELETE", "/api/decisions/999".into(), String::new()),
        ("POST", "/api/solve".into(), String::new()),
        ("GET", "/api/solve/progress".into(), String::new()),
        ("POST", "/api/solve/cancel".into(), String::new()),
        ("GET", format!("/api/eligible?case={case}"), String::new()),
        (
            "GET",
            format!("/api/why-not?case={case}&worker={worker}"),
            String::new(),
        ),
        ("GET", "/api/export/allocation.csv".into(), String::new()),
        ("GET", "/api/export/decisions.csv".into(), String::new()),
        ("GET", "/api/export/allocation.xlsx".into(), String::new()),
        ("GET", "/api/access".into(), String::new()),
    ];
    let mut walked = 0;
    for (role, query) in PEOPLE {
        let token = provider.token(query);
        for (method, path, body) in &routes {
            let a = service.call(method, path, Some(&token), body);
            let bare = path.split('?').next().unwrap();
            let expected = allowed(role, bare, method);
            assert_ne!(a.status, 401, "{role} {method} {path}: {}", a.body);
            assert_eq!(
                a.status == 403,
                !expected,
                "{role} {method} {path}: {} {}",
                a.status,
                a.body
            );
            walked += 1;
        }
        // Without a token, every route is 401 (the page: sent to sign in).
    }
    for (method, path, body) in &routes {
        let a = service.call(method, path, None, body);
        let expected = if path == "/" { 303 } else { 401 };
        assert_eq!(a.status, expected, "{method} {path}");
    }
    assert_eq!(walked, PEOPLE.len() * routes.len());
    // Each call is in the log, with its outcome.
    let log = access_log(&service.record, &[]);
    assert_eq!(log.len(), walked + routes.len());
}

#[test]
fn a_rotated_key_is_fetched_when_a_token_names_its_kid() {
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let service = Service::start(tmp.path(), &provider);
    let admin = "sub=admin-1&name=Root";
    // The JWKS is fetched again at most every 2 s (an unknown kid is a bad token until then).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(provider.control("POST", "/rotate?kid=k2"), "k2");
    let rotated = provider.token(&format!("{admin}&kid=k2"));
    let a = service.call("GET", "/api/me", Some(&rotated), "");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["role"], "admin");
    // The old key still works; a key never published does not.
    assert_eq!(
        service
            .call("GET", "/api/me", Some(&provider.token(admin)), "")
            .status,
        200
    );
    let foreign = provider.token(&format!("{admin}&kind=other-key"));
    assert_eq!(
        service.call("GET", "/api/me", Some(&foreign), "").status,
        401
    );
}

/// The cookie `name=…` a response sets, with its attributes.
pub fn set_cookie(a: &Answer, name: &str) -> String {
    a.headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with(&format!("{name}=")))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no cookie {name}: {:?}", a.headers))
}

#[test]
fn signing_in_in_the_browser_opens_a_session_with_pkce_state_nonce_and_csrf() {
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let service = Service::start(tmp.path(), &provider);
    provider.control(
        "POST",
        "/next-user?sub=pat-1&email=pat@example.org&name=Pat%20Manager",
    );

    // 1. To the provider, with PKCE (S256), state and nonce.
    let login = service.call("GET", "/auth/login", None, "");
    assert_eq!(login.status, 303);
    let to = login.header("location").unwrap().to_string();
    assert!(
        to.starts_with(&format!("{}/authorize?", provider.issuer)),
        "{to}"
    );
    for part in [
        "response_type=code",
        "client_id=caseload",
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "scope=openid",
    ] {
        assert!(to.contains(part), "{part}: {to}");
    }
    // 2. The provider signs the person in and sends the browser back with a code.
    let path = &to[provider.issuer.len()..];
    let back = request(port_of(&provider.issuer), "GET", path, &[], "");
    assert!(back.status == 302 || back.status == 303, "{}", back.body);
    let callback = back.header("location").unwrap().to_string();
    let ours = format!("http://127.0.0.1:{}", service.port);
    assert!(
        callback.starts_with(&format!("{ours}/auth/callback?")),
        "{callback}"
    );
    let callback_path = &callback[ours.len()..];
    // A callback with a state we never sent is refused.
    let forged = callback_path.replace("state=", "state=x");
    assert_eq!(service.call("GET", &forged, None, "").status, 401);
    // 3. The code traded (with the verifier), the ID token verified, a session opened.
    let signed_in = service.call("GET", callback_path, None, "");
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let cookie = set_cookie(&signed_in, "caseload_service");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=28800"] {
        assert!(cookie.contains(attribute), "{attribute}: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "http public_url: {cookie}");
    // The page reads the CSRF token from its own cookie (not HttpOnly).
    let csrf_cookie = set_cookie(&signed_in, "caseload_csrf");
    assert!(
        !csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"),
        "{csrf_cookie}"
    );
    // The same code and state cannot be used twice.
    assert_eq!(service.call("GET", callback_path, None, "").status, 401);
    let session = cookie.split(';').next().unwrap().to_string();
    let with = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        let mut h = vec![("Cookie", session.clone())];
        h.extend_from_slice(extra);
        h
    };
    let me = service.raw("GET", "/api/me", &with(&[]), "");
    assert_eq!(me.status, 200, "{}", me.body);
    let me = me.json();
    assert_eq!(me["email"], "pat@example.org");
    assert_eq!(me["role"], "manager");
    let csrf = me["csrf"].as_str().unwrap().to_string();
    assert!(
        csrf_cookie.starts_with(&format!("caseload_csrf={csrf};")),
        "{csrf_cookie}"
    );
    assert_eq!(service.raw("GET", "/", &with(&[]), "").status, 200);

    // 4. A change needs the CSRF token, and an Origin when sent must be ours.
    let case = team_of_cases(&service.dir)
        .into_iter()
        .find(|(_, t)| t == "T01")
        .unwrap()
        .0;
    let body = format!(r#"{{"case_id": "{case}", "kind": "accept", "by": "Mallory"}}"#);
    let no_csrf = service.raw("POST", "/api/decisions", &with(&[]), &body);
    assert_eq!(no_csrf.status, 403, "{}", no_csrf.body);
    // Another kind of Authorization header does not make a session's call a script's.
    let basic = service.raw(
        "POST",
        "/api/decisions",
        &with(&[("Authorization", "Basic eDp5".into())]),
        &body,
    );
    assert_eq!(basic.status, 403, "{}", basic.body);
    let wrong = service.raw(
        "POST",
        "/api/decisions",
        &with(&[("X-CSRF-Token", "x".into())]),
        &body,
    );
    assert_eq!(wrong.status, 403);
    let cross = service.raw(
        "POST",
        "/api/decisions",
        &with(&[
            ("X-CSRF-Token", csrf.clone()),
            ("Origin", "https://evil.example".into()),
        ]),
        &body,
    );
    assert_eq!(cross.status, 403);
    let taken = service.raw(
        "POST",
        "/api/decisions",
        &with(&[("X-CSRF-Token", csrf.clone()), ("Origin", ours.clone())]),
        &body,
    );
    assert_eq!(taken.status, 201, "{}", taken.body);
    let listed = service.raw("GET", "/api/decisions", &with(&[]), "").json();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["by"] == "Pat Manager <pat@example.org>"));

    // 5. Sign out: the session is gone.
    assert_eq!(
        service.raw("POST", "/auth/logout", &with(&[]), "").status,
        403,
        "CSRF"
    );
    let out = service.raw("POST", "/auth/logout", &with(&[("X-CSRF-Token", csrf)]), "");
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(set_cookie(&out, "caseload_service").contains("Max-Age=0"));
    assert_eq!(service.raw("GET", "/api/me", &with(&[]), "").status, 401);

    // Sign-ins and sign-outs are in the access log, without the code and state.
    let log = access_log(&service.record, &[]);
    let signins: Vec<&Value> = log
        .iter()
        .filter(|r| r["call"] == "/auth/callback")
        .collect();
    assert_eq!(signins.len(), 3, "{signins:#?}");
    assert!(signins
        .iter()
        .any(|r| r["status"] == 401 && r["email"] == ""));
    let ok = signins.iter().find(|r| r["status"] == 303).unwrap();
    assert_eq!(ok["email"], "pat@example.org");
    assert_eq!(ok["role"], "manager");
    assert!(log
        .iter()
        .all(|r| !r["call"].as_str().unwrap().contains("code=")));
    assert!(log.iter().any(|r| r["call"] == "/auth/logout"
        && r["status"] == 200
        && r["email"] == "pat@example.org"));
}

#[test]
fn a_manager_signs_in_in_headless_chromium_sees_their_teams_and_decides() {
    if !crate::browser::chromedriver_found() {
        return;
    }
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let service = Service::start(tmp.path(), &provider);
    provider.control(
        "POST",
        "/next-user?sub=pat-1&email=pat@example.org&name=Pat%20Manager",
    );
    let pat = provider.token(PEOPLE[0].1);
    let cases = team_of_cases(&service.dir);
    let workers = team_of_workers(&service.dir);
    let proposal = service.call("GET", "/api/proposal", Some(&pat), "").json();
    let moved = proposal["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["change"] == "moved" && cases[r["case_id"].as_str().unwrap()] == "T01")
        .expect("a proposed move of a T01 child")
        .clone();
    let case = moved["case_id"].as_str().unwrap().to_string();

    // The page without a session: to the provider and back, signed in.
    let browser = crate::browser::Browser::start(&tmp.path().join("profile"), 1280);
    browser.go(&format!("http://127.0.0.1:{}/", service.port));
    let bars = browser.wait_for(
        "the load chart",
        "return document.querySelectorAll('.worker .bar .after.amber, .worker .bar .after.red, .worker .bar .after.green').length;",
    );
    let t01_workers = workers.values().filter(|t| *t == "T01").count();
    assert_eq!(
        bars,
        serde_json::json!(t01_workers),
        "a bar per T01 worker only"
    );
    let url = browser.script("return location.href;");
    assert_eq!(
        url,
        serde_json::json!(format!("http://127.0.0.1:{}/", service.port))
    );
    browser.screenshot(&crate::browser::screenshots().join("service-manager-1280.png"));

    // Reject the move from the page, with its reason: the page sends its CSRF token;
    // the stamp is Pat's.
    browser.type_into(
        &format!("tr[data-case='{case}'] td.decide input.reason"),
        "known to the family",
    );
    browser.click(&format!(
        "tr[data-case='{case}'] td.decide button:nth-of-type(2)"
    ));
    browser.wait_for(
        "the decision",
        "return document.getElementById('status').textContent.includes('recorded');",
    );
    let auditor = provider.token(PEOPLE[3].1);
    let listed = service
        .call("GET", "/api/decisions", Some(&auditor), "")
        .json();
    let taken = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["case_id"] == case.as_str())
        .unwrap_or_else(|| panic!("the page's decision: {listed}"))
        .clone();
    assert_eq!(taken["by"], "Pat Manager <pat@example.org>");
    assert_eq!(taken["kind"], "reject");
    // The page's calls are in the access log as Pat's.
    let log = access_log(&service.record, &[]);
    assert!(log.iter().any(|r| r["email"] == "pat@example.org"
        && r["method"] == "POST"
        && r["status"] == 201
        && r["children"] == serde_json::json!([case])));
}

/// The one YAML document of `path` (under the project).
fn yaml(path: &str) -> yaml_rust2::Yaml {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let mut docs =
        yaml_rust2::YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path}");
    docs.remove(0)
}

/// `key = "value"` of a TOML text.
fn toml_value(text: &str, key: &str) -> String {
    let table: toml::Table = text.parse().unwrap();
    let (section, key) = key.split_once('.').unwrap();
    table[section][key].as_str().unwrap().to_string()
}

#[test]
fn the_deployment_files_serve_the_nightly_jobs_scenario_and_record_with_a_valid_config() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Kubernetes: the Deployment and the nightly CronJob share the volume, the scenario
    // and the record.
    let deployment = yaml("deploy/service/deployment.yaml");
    let cronjob = yaml("deploy/nightly/cronjob.yaml");
    assert_eq!(deployment["kind"].as_str(), Some("Deployment"));
    assert_eq!(deployment["spec"]["replicas"].as_i64(), Some(1));
    assert_eq!(
        deployment["spec"]["strategy"]["type"].as_str(),
        Some("Recreate")
    );
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let nightly_pod = &cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let nightly = &nightly_pod["containers"][0];
    let work = nightly["env"]
        .as_vec()
        .unwrap()
        .iter()
        .find(|e| e["name"].as_str() == Some("CASELOAD_WORK"))
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        args,
        [
            "serve",
            &format!("{work}/scenario"),
            "--config",
            "/etc/caseload/serve.toml"
        ]
    );
    let claim = |pod: &yaml_rust2::Yaml| {
        pod["volumes"]
            .as_vec()
            .unwrap()
            .iter()
            .find_map(|v| {
                v["persistentVolumeClaim"]["claimName"]
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap()
    };
    assert_eq!(claim(pod), claim(nightly_pod));
    let k8s_config =
        std::fs::read_to_string(root.join("deploy/service/serve-kubernetes.toml")).unwrap();
    assert_eq!(
        toml_value(&k8s_config, "server.record"),
        format!("{work}/caseload.db")
    );
    let secret = toml_value(&k8s_config, "oidc.client_secret_file");
    let mounts = container["volumeMounts"].as_vec().unwrap();
    assert!(mounts
        .iter()
        .any(|m| secret.starts_with(m["mountPath"].as_str().unwrap())
            && m["name"].as_str() == Some("secret")));
    let port = toml_value(&k8s_config, "server.bind")
        .rsplit(':')
        .next()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    assert_eq!(container["ports"][0]["containerPort"].as_i64(), Some(port));

    // systemd: the unit serves the nightly unit's scenario; its config names the record.
    let unit =
        std::fs::read_to_string(root.join("deploy/service/caseload-service.service")).unwrap();
    let nightly_unit =
        std::fs::read_to_string(root.join("deploy/nightly/caseload-nightly.service")).unwrap();
    let nightly_work = nightly_unit
        .lines()
        .find_map(|l| l.strip_prefix("Environment=CASELOAD_WORK="))
        .unwrap();
    assert!(unit.contains(&format!("ExecStart=/usr/local/bin/caseload serve {nightly_work}/scenario --config /etc/caseload/serve.toml")), "{unit}");
    let config = std::fs::read_to_string(root.join("deploy/service/serve.toml")).unwrap();
    assert_eq!(
        toml_value(&config, "server.record"),
        format!("{nightly_work}/caseload.db")
    );

    // Both configs are valid: the binary reads them and goes on to the issuer (which is
    // example.org's: unreachable here, exit 1, not 2).
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_demo(tmp.path());
    for (name, text) in [
        ("serve.toml", &config),
        ("serve-kubernetes.toml", &k8s_config),
    ] {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        let secret_path = if name == "serve.toml" {
            tmp.path().join("client-secret")
        } else {
            PathBuf::from(&secret)
        };
        if name == "serve.toml" {
            std::fs::write(&secret_path, "s3cret\n").unwrap();
        } else {
            // The Secret's mount is not here: name a file that is.
            std::fs::write(tmp.path().join("k8s-secret"), "s3cret\n").unwrap();
            let text = text.replace(&secret, tmp.path().join("k8s-secret").to_str().unwrap());
            std::fs::write(&path, text).unwrap();
        }
        let out = caseload([
            "serve".as_ref(),
            dir.as_os_str(),
            "--config".as_ref(),
            path.as_os_str(),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains("the OpenID Connect issuer https://login.example.org/realms/trust could not be reached"), "{name}: {err}");
    }
}

#[test]
fn every_answer_sent_is_in_the_access_log_after_a_kill() {
    let provider = Provider::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut service = Service::start(tmp.path(), &provider);
    let hos = provider.token(PEOPLE[1].1);
    let mut answered = 0;
    for i in 0..20 {
        let path = if i % 2 == 0 {
            "/api/proposal"
        } else {
            "/api/decisions"
        };
        assert_eq!(service.call("GET", path, Some(&hos), "").status, 200);
        answered += 1;
    }
    // SIGKILL right after the last answer: no shutdown, no flush.
    service.child.kill().unwrap();
    service.child.wait().unwrap();
    let log = access_log(&service.record, &[]);
    let kept = log
        .iter()
        .filter(|r| r["email"] == "hos@example.org" && r["status"] == 200)
        .count();
    assert_eq!(kept, answered, "{log:#?}");
    // Each read names the children it held: all of them, for a head of service.
    let read = log.iter().find(|r| r["call"] == "/api/proposal").unwrap();
    assert_eq!(
        read["children"].as_array().unwrap().len(),
        team_of_cases(&service.dir).len()
    );
}
