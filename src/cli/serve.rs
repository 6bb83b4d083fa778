//! `caseload serve`: the manager's workspace in the browser.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use caseload::serve::{host_names, new_token, App, Workspace};
use caseload::solve::SolveOptions;

/// Flags of `caseload serve`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  caseload serve scenarios/demo            # prints http://127.0.0.1:PORT/?token=…; open it\n  caseload serve scenarios/demo --port 8080 --record out/record.sqlite\n\nThe first line of standard output is the URL (with its token). Every solve is a run on\nthe record and every decision is kept in it. Stop with Ctrl-C."
)]
pub struct ServeArgs {
    /// Scenario folder.
    dir: PathBuf,
    /// The record file [default: DIR/record.sqlite].
    #[arg(long, value_name = "DB")]
    record: Option<PathBuf>,
    /// Port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on. Anything but loopback exposes children's data to the network:
    /// a warning is printed.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// Who runs the workspace, for the record [default: the login name].
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Wall-clock limit for each solve in seconds (overrides policy time_limit_s).
    #[arg(long, value_name = "S")]
    time_limit: Option<f64>,
    /// Every how many seconds to look in the record for a newer run of this folder
    /// recorded by another process (`allocate --record`), which then becomes the proposal.
    #[arg(long, value_name = "S", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=60))]
    refresh: u64,
    /// Serve a whole service from this serve.toml: sign-in with the service's OpenID
    /// Connect provider, roles and team scopes, the access log (docs/service.md). The
    /// address and the record are the file's; without it, serve is one person's
    /// workspace behind a token.
    #[cfg(feature = "service")]
    #[arg(long, value_name = "FILE", conflicts_with_all = ["record", "port", "bind", "by", "refresh"])]
    config: Option<PathBuf>,
}

/// `caseload serve`.
pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    #[cfg(feature = "service")]
    if let Some(config) = &args.config {
        return super::service::serve(&args.dir, config, args.time_limit);
    }
    let record = args
        .record
        .clone()
        .unwrap_or_else(|| args.dir.join("record.sqlite"));
    let by = args.by.clone().unwrap_or_else(super::record::login_name);
    let options = SolveOptions {
        time_limit_s: args.time_limit,
        ..SolveOptions::default()
    };
    let workspace = Workspace::open(&args.dir, &record, &by, options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
            .await
            .with_context(|| format!("listening on {}:{}", args.bind, args.port))?;
        let addr = listener.local_addr()?;
        let token = new_token().context("drawing a random token")?;
        let host = match addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        outln!("http://{host}:{}/?token={token}", addr.port());
        if !addr.ip().is_loopback() {
            errln!(
                "warning: listening on {addr}, not loopback: anyone who can reach this \
                 address and has the token sees children's personal data"
            );
        }
        errln!(
            "caseload: serving {} (record {}); Ctrl-C to stop",
            args.dir.display(),
            record.display()
        );
        let app = Arc::new(App {
            workspace,
            token,
            hosts: host_names(addr),
        });
        caseload::serve::watch_record(Arc::clone(&app), Duration::from_secs(args.refresh));
        caseload::serve::serve(listener, app).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
