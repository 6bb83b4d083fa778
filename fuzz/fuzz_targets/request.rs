//! Any bytes as one HTTP/1.1 connection to the workspace: the real server (hyper's
//! parser, the limits, the guard, the router, the handlers) on loopback, serving the
//! demo. Never a panic (libFuzzer aborts on one, in any thread), never a 5xx answer, and
//! no answer naming the server's folders or Rust types.
#![no_main]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;

use caseload::serve::{host_names, App, Workspace};

/// The running server: its folder (kept alive), its port and its token.
struct Server {
    dir: tempfile::TempDir,
    port: u16,
    token: String,
    _runtime: tokio::runtime::Runtime,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/demo");
        for f in ["workers.csv", "cases.csv", "policy.toml"] {
            std::fs::copy(format!("{demo}/{f}"), dir.path().join(f)).expect("demo copied");
        }
        let record = dir.path().join("record.sqlite");
        let options = caseload::solve::SolveOptions {
            time_limit_s: Some(2.0),
            ..Default::default()
        };
        let workspace = Workspace::open(dir.path(), &record, "fuzz", options).expect("opened");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bound");
        let addr = listener.local_addr().expect("address");
        let token = "f".repeat(64);
        let app = Arc::new(App {
            workspace,
            token: token.clone(),
            hosts: host_names(addr),
        });
        runtime.spawn(caseload::serve::serve(listener, app));
        Server {
            dir,
            port: addr.port(),
            token,
            _runtime: runtime,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let server = server();
    // Half the inputs carry the token and Host, so the fuzzer reaches the handlers.
    let mut bytes = Vec::new();
    if data.first().is_some_and(|b| b % 2 == 0) {
        let text = String::from_utf8_lossy(&data[1..]);
        let (line, rest) = text.split_once("\r\n").unwrap_or((&text, ""));
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(
            format!(
                "\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {}\r\n",
                server.port, server.token
            )
            .as_bytes(),
        );
        bytes.extend_from_slice(rest.as_bytes());
    } else {
        bytes.extend_from_slice(data);
    }
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", server.port)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.write_all(&bytes);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    if let Some(status) = answer
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok())
    {
        assert!(status < 500, "{answer}");
    }
    let folder = server.dir.path().display().to_string();
    for internal in ["DecisionBody", "struct ", folder.as_str()] {
        assert!(!answer.contains(internal), "{answer}");
    }
});
