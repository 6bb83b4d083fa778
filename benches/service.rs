//! A load test of the service (issue 24 point 8): the real `caseload serve --config` on a
//! generated 30-team trust (3,974 children, 232 workers), signed in through the test
//! provider (tests/oidc, Node.js: run `npm ci` there first), and 30 managers at once, one
//! a team, each with their own keep-alive connection: reading their proposal, taking a
//! decision on one of their children, and now and then asking for a re-solve. Prints the
//! p50 / p95 / max latency of reads and decisions (while re-solves run) and the re-solve
//! times (a re-solve asked while one runs waits for the next, which answers every ask
//! that came meanwhile), how many solves the asks made, and how many decisions answered
//! 409 (their child moved by a re-solve since the manager's read).
//!
//! `cargo bench --bench service`. `SERVICE_BENCH_ROUNDS` (default 10) sets each
//! manager's rounds; `SERVICE_BENCH_SOLVE_EVERY` (default 5) every how many rounds a
//! manager asks for a re-solve (0: never, to see reads and decisions without solves). One run, not criterion: what is measured is latency under load.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const MANAGERS: usize = 30;

#[derive(Default)]
struct Times {
    reads: Vec<f64>,
    decisions: Vec<f64>,
    solves: Vec<f64>,
    /// The runs the re-solves answered with: how many solves the asks made.
    solve_runs: std::collections::BTreeSet<i64>,
    conflicts: usize,
    failures: Vec<String>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn line(what: &str, values: &mut [f64]) {
    values.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{what:<28} n={:<5} p50 {:>8.1} ms  p95 {:>8.1} ms  max {:>8.1} ms",
        values.len(),
        percentile(values, 0.5),
        percentile(values, 0.95),
        values.last().copied().unwrap_or(f64::NAN)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_caseload");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rounds: usize = std::env::var("SERVICE_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let solve_every: usize = std::env::var("SERVICE_BENCH_SOLVE_EVERY")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let tmp = tempfile::tempdir().expect("temp dir");
    let trust = tmp.path().join("trust");
    let generated = Command::new(bin)
        .args(["generate", "--teams", "30", "--seed", "1", "--out"])
        .arg(&trust)
        .output()
        .expect("caseload generate");
    assert!(generated.status.success());

    // The provider.
    let oidc = root.join("tests/oidc");
    assert!(
        oidc.join("node_modules/oauth2-mock-server").is_dir(),
        "run `npm ci` in tests/oidc (or .ci/setup) first"
    );
    let mut provider = Command::new("node")
        .arg("provider.mjs")
        .current_dir(&oidc)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut first = String::new();
    BufReader::new(provider.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the provider's first line");
    let urls: Value = serde_json::from_str(&first).expect("the provider's URLs");
    let issuer = urls["issuer"].as_str().expect("issuer").to_string();
    let control = urls["control"].as_str().expect("control").to_string();

    // The service: a manager a team.
    let port = free_port();
    let mut rules = String::new();
    for t in 1..=MANAGERS {
        rules.push_str(&format!(
            "\n[[access]]\nemail = \"m{t:02}@trust.example\"\nrole = \"manager\"\nteams = [\"T{t:02}\"]\n"
        ));
    }
    let config = tmp.path().join("serve.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nbind = \"127.0.0.1:{port}\"\npublic_url = \"http://127.0.0.1:{port}\"\n\
             record = \"record.sqlite\"\n\n[oidc]\nissuer = \"{issuer}\"\nclient_id = \"caseload\"\n{rules}"
        ),
    )
    .expect("config written");
    let started = Instant::now();
    let mut service = Command::new(bin)
        .arg("serve")
        .arg(&trust)
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("caseload serve");
    let mut first = String::new();
    BufReader::new(service.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the service's first line");
    println!(
        "service up (first proposal solved) in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    let tokens: Vec<String> = (1..=MANAGERS)
        .map(|t| {
            agent
                .get(&format!(
                    "{control}/token?sub=m{t:02}&email=m{t:02}@trust.example&name=Manager%20{t:02}"
                ))
                .call()
                .expect("a token")
                .body_mut()
                .read_to_string()
                .expect("token text")
        })
        .collect();

    let base = format!("http://127.0.0.1:{port}");
    let times = Arc::new(Mutex::new(Times::default()));
    let wall = Instant::now();
    std::thread::scope(|scope| {
        for (m, token) in tokens.iter().enumerate() {
            let times = Arc::clone(&times);
            let base = base.clone();
            scope.spawn(move || {
                // Each manager their own connection.
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(300)))
                    .build()
                    .into();
                let auth = format!("Bearer {token}");
                for round in 0..rounds {
                    let t = Instant::now();
                    let read = agent
                        .get(&format!("{base}/api/proposal"))
                        .header("Authorization", &auth)
                        .call();
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    let proposal: Value = match read {
                        Ok(mut r) if r.status() == 200 => {
                            r.body_mut().read_json().unwrap_or(Value::Null)
                        }
                        other => {
                            let what = format!("manager {m} read: {other:?}");
                            times.lock().unwrap().failures.push(what);
                            continue;
                        }
                    };
                    times.lock().unwrap().reads.push(ms);
                    let run = proposal["run"].as_i64().unwrap_or(0);
                    let rows = proposal["allocation"].as_array().cloned().unwrap_or_default();
                    let team = format!("T{:02}", m + 1);
                    let child = rows
                        .iter()
                        .filter(|r| r["case_id"].is_string())
                        .nth(round)
                        .and_then(|r| r["case_id"].as_str())
                        .map(str::to_string);
                    if let Some(child) = child {
                        let body = serde_json::json!({"case_id": child, "kind": "accept", "run": run, "note": team});
                        let t = Instant::now();
                        let decided = agent
                            .post(&format!("{base}/api/decisions"))
                            .header("Authorization", &auth)
                            .header("Content-Type", "application/json")
                            .send(body.to_string());
                        let ms = t.elapsed().as_secs_f64() * 1e3;
                        let mut all = times.lock().unwrap();
                        match decided.map(|r| r.status().as_u16()) {
                            Ok(201) => all.decisions.push(ms),
                            Ok(409) => {
                                all.decisions.push(ms);
                                all.conflicts += 1;
                            }
                            other => all.failures.push(format!("manager {m} decide: {other:?}")),
                        }
                    }
                    if solve_every > 0 && round % solve_every == solve_every - 1 {
                        let t = Instant::now();
                        let solved = agent
                            .post(&format!("{base}/api/solve"))
                            .header("Authorization", &auth)
                            .send_empty();
                        let ms = t.elapsed().as_secs_f64() * 1e3;
                        let run = solved.as_ref().ok().and_then(|r| {
                            r.headers()
                                .get("x-caseload-run")
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.parse::<i64>().ok())
                        });
                        let mut all = times.lock().unwrap();
                        all.solve_runs.extend(run);
                        match solved.map(|r| r.status().as_u16()) {
                            Ok(200) => all.solves.push(ms),
                            Ok(409) => all.conflicts += 1,
                            other => all.failures.push(format!("manager {m} solve: {other:?}")),
                        }
                    }
                }
            });
        }
    });
    let wall = wall.elapsed().as_secs_f64();
    let _ = service.kill();
    let _ = service.wait();
    let _ = provider.kill();
    let _ = provider.wait();

    let mut t = times.lock().unwrap();
    println!("{MANAGERS} managers × {rounds} rounds on a 30-team trust in {wall:.1} s");
    let mut reads = std::mem::take(&mut t.reads);
    let mut decisions = std::mem::take(&mut t.decisions);
    let mut solves = std::mem::take(&mut t.solves);
    line("GET /api/proposal", &mut reads);
    line("POST /api/decisions", &mut decisions);
    line("POST /api/solve (re-solve)", &mut solves);
    println!(
        "{} re-solves asked, answered by {} solves (asks during a solve wait for the next)",
        solves.len(),
        t.solve_runs.len()
    );
    println!(
        "409 answers (a decision whose child a newer run moved): {}",
        t.conflicts
    );
    if !t.failures.is_empty() {
        println!("failures: {}", t.failures.len());
        for f in t.failures.iter().take(5) {
            println!("  {f}");
        }
    }
}
