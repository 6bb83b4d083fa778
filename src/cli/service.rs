//! `caseload serve DIR --config serve.toml`: one server for a whole service.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use caseload::serve::service::{config, oidc::Issuer, Service};
use caseload::serve::{App, Workspace};
use caseload::solve::SolveOptions;

/// How many times the issuer is tried at start, and the first wait between tries
/// (doubling): about 7.5 s in all.
const ATTEMPTS: u32 = 4;
const FIRST_WAIT: Duration = Duration::from_millis(500);

/// Who the service's own runs are recorded as.
const SERVICE_BY: &str = "caseload service";

/// Reads the config (invalid: exit 2, every problem located), reaches the issuer
/// (retried; unreachable: exit 1 in words), opens the workspace on the config's record
/// and serves until Ctrl-C.
pub fn serve(dir: &Path, config_path: &Path, time_limit: Option<f64>) -> anyhow::Result<ExitCode> {
    let config = config::read(config_path)?;
    let issuer = Issuer::discover(&config.oidc, ATTEMPTS, FIRST_WAIT)?;
    let options = SolveOptions {
        time_limit_s: time_limit,
        ..SolveOptions::default()
    };
    let record = config.server.record.clone();
    let workspace = Workspace::open(dir, &record, SERVICE_BY, options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let bind = config.server.bind;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("listening on {bind}"))?;
        let addr = listener.local_addr()?;
        outln!("{}", config.server.public_url);
        errln!(
            "caseload: serving {} to the service on {addr} (record {}, issuer {}); Ctrl-C to stop",
            dir.display(),
            record.display(),
            config.oidc.issuer
        );
        let app = Arc::new(App {
            workspace,
            // No token: the service signs people in.
            token: String::new(),
            hosts: Vec::new(),
        });
        let every = Duration::from_secs(config.server.refresh_seconds);
        caseload::serve::watch_record(Arc::clone(&app), every);
        let service = Arc::new(Service::new(config, issuer, addr));
        caseload::serve::service::serve(listener, app, service).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
