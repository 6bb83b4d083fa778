//! Subcommands, their flags, and the mapping of errors to exit codes:
//! 0 done, 1 anything else, 2 invalid input (nothing written), 3 `check` found violations,
//! 4 `diagnose` found problems.

#[macro_use]
pub mod out;
mod whatif;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod access;
mod allocate;

use allocate::{allocate, Previously, Run};
mod check;
mod decide;
mod diagnose;
mod import;
mod merge;
mod record;
mod report;
#[cfg(feature = "serve")]
mod serve;
#[cfg(feature = "service")]
mod service;

use caseload::solve::SolveOptions;

/// Exit code when `check` finds violations.
pub(crate) const EXIT_VIOLATIONS: u8 = 3;
/// Exit code for invalid input.
const EXIT_INVALID: u8 = 2;

/// Caseload allocation for children's social care: keeps children with the social worker
/// they know, respects skills, siblings and conflicts, and spreads the load fairly.
#[derive(Debug, Parser)]
#[command(
    name = "caseload",
    version,
    after_help = "Examples:\n  caseload allocate scenarios/demo --out out/demo\n  caseload check scenarios/demo --allocation out/demo/allocation.csv\n  caseload generate --teams 30 --seed 1 --out scenarios/trust\n\nExit codes: 0 done, 1 error, 2 invalid input (nothing written), 3 check found violations, 4 diagnose found problems."
)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Solve a scenario folder and write allocation.csv, loads.csv and summary.json.
    #[command(
        after_help = "Example:\n  caseload allocate scenarios/demo --out out/demo --time-limit 30\n  caseload allocate scenarios/demo --report out/demo/report.html"
    )]
    Allocate {
        /// Scenario folder with workers.csv, cases.csv and optionally policy.toml.
        dir: PathBuf,
        /// Output folder [default: out/<scenario folder name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Wall-clock limit for the solve in seconds (overrides policy time_limit_s).
        #[arg(long, value_name = "S")]
        time_limit: Option<f64>,
        /// Solver threads, 0 = all cores (overrides policy threads).
        #[arg(long, value_name = "N")]
        threads: Option<u32>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Show the solver's log.
        #[arg(long)]
        solver_log: bool,
        /// Also write a self-contained HTML report (loads by team, moves and reasons).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Relative gap to the bound at which the solve stops as optimal (0.01 = within
        /// 1 % of the best possible).
        #[arg(long, value_name = "G", default_value_t = 1e-4, value_parser = relative_gap)]
        mip_gap: f64,
        /// Keep the run in this record file (SQLite; created on first use): inputs,
        /// policy, options, outcome and every row with its reason.
        #[arg(long, value_name = "DB")]
        record: Option<PathBuf>,
        /// Who runs it, for the record [default: the login name].
        #[arg(long, value_name = "NAME", requires = "record")]
        by: Option<String>,
        /// Apply the managers' decisions of a decisions.csv (as a recorded run writes it,
        /// or `history --run ID --inputs` writes it back), instead of a record's.
        #[arg(long, value_name = "FILE", conflicts_with = "record")]
        decisions: Option<PathBuf>,
        /// Also write allocation.xlsx (summary, allocation with an empty decision
        /// column, loads coloured by band, unallocated most urgent first).
        #[arg(long)]
        xlsx: bool,
        /// Which solver solves each part: HiGHS, branch-and-price (HiGHS where it does
        /// not apply), or the one measured faster on parts of its size (HiGHS on every
        /// part for now; see docs/solver.md).
        #[arg(long, value_enum, default_value_t = SolverArg::Highs)]
        solver: SolverArg,
        /// Keep close to this previous proposal (an allocation.csv): among the
        /// allocations within the gap tolerance of the bound, the one with the fewest
        /// children whose worker differs from it. With --record, the newest recorded run
        /// of the same scenario is the previous proposal unless this is given.
        #[arg(long, value_name = "FILE", conflicts_with = "no_previous")]
        previous: Option<PathBuf>,
        /// With --record: do not keep close to the newest recorded run.
        #[arg(long)]
        no_previous: bool,
    },
    /// Verify an allocation (the solver's or one made by hand) against every hard rule
    /// and recompute its objective, independently of the solver.
    #[command(
        after_help = "Example:\n  caseload check scenarios/demo --allocation out/demo/allocation.csv\n\nExit 0 when valid, 3 when violations are listed."
    )]
    Check {
        /// Scenario folder.
        dir: PathBuf,
        /// Allocation CSV with columns case_id and worker_id (others ignored).
        #[arg(long)]
        allocation: PathBuf,
        /// The managers' decisions a recorded run applied (its decisions.csv); by default
        /// the decisions.csv beside the allocation, when there is one.
        #[arg(long, value_name = "FILE")]
        decisions: Option<PathBuf>,
    },
    /// List what cannot work before solving: cases nobody can take, teams and skills
    /// short of capacity, pins that overload someone.
    #[command(
        after_help = "Example:\n  caseload diagnose scenarios/demo\n\nExit 0 when nothing is found, 4 when problems are listed, 2 for invalid input."
    )]
    Diagnose {
        /// Scenario folder.
        dir: PathBuf,
    },
    /// Write a realistic synthetic scenario, identical for the same seed.
    #[command(
        after_help = "Example:\n  caseload generate --teams 2 --seed 54 --out scenarios/demo"
    )]
    Generate {
        /// Number of teams (6–10 workers each).
        #[arg(long, default_value_t = 2)]
        teams: usize,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output scenario folder.
        #[arg(long)]
        out: PathBuf,
        /// Allow cases to go to workers of other teams.
        #[arg(long)]
        cross_team: bool,
        /// Make capacity soft (priced by the bands only).
        #[arg(long)]
        soft_capacity: bool,
        /// Most discretionary moves in one run.
        #[arg(long)]
        max_moves: Option<u64>,
    },
    /// Solve variants of a scenario (staff leaving, hires, more referrals, policy) in
    /// parallel and compare them in comparison.csv, comparison.json and comparison.svg.
    Whatif(whatif::WhatIfArgs),
    /// Merge the part folders of a sharded what-if run (`whatif --shard K/N`) into the
    /// comparison one machine writes.
    Merge(merge::MergeArgs),
    /// List the runs kept in a record, show one, or write back its input files.
    History(record::HistoryArgs),
    /// Record a manager's decision on the newest recorded proposal (accept, reject,
    /// assign W, never W), withdraw one, or list them.
    Decide(decide::DecideArgs),
    /// The manager's workspace: a local web app to review the proposal, ask why, decide,
    /// re-solve and download the allocation.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// What changed between two recorded runs, or two allocation.csv files: cases whose
    /// worker changed, workers whose load changed, the objective by term.
    Diff(record::DiffArgs),
    /// Write a scenario folder from a service's own data: Ofsted's Annex A workbook, or a
    /// case-management export (CSV) with a map; import-report.md lists every assumption.
    Import(import::ImportArgs),
}

/// `--solver`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SolverArg {
    /// HiGHS on every part.
    Highs,
    /// Branch-and-price wherever it applies.
    Bp,
    /// The solver measured faster on parts of each size (HiGHS everywhere for now).
    Auto,
}

impl From<SolverArg> for caseload::solve::SolverChoice {
    fn from(arg: SolverArg) -> Self {
        match arg {
            SolverArg::Highs => Self::Highs,
            SolverArg::Bp => Self::Bp,
            SolverArg::Auto => Self::Auto,
        }
    }
}

/// Runs a parsed command line.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Allocate {
            dir,
            out,
            time_limit,
            threads,
            quiet,
            solver_log,
            report,
            mip_gap,
            record,
            by,
            decisions,
            xlsx,
            solver,
            previous,
            no_previous,
        } => {
            let out = out.unwrap_or_else(|| default_out(&dir));
            let options = SolveOptions {
                time_limit_s: time_limit,
                threads,
                log: solver_log,
                mip_gap,
                solver: solver.into(),
                ..SolveOptions::default()
            };
            let record = record.map(|db| (db, by.unwrap_or_else(record::login_name)));
            let run = Run {
                report: report.as_deref(),
                record,
                decisions: decisions.as_deref(),
                xlsx,
                previous: match (previous, no_previous) {
                    (Some(file), _) => Previously::File(file),
                    (None, true) => Previously::Nothing,
                    (None, false) => Previously::NewestRun,
                },
            };
            allocate(&dir, &out, &options, quiet, run)
        }
        Command::Check {
            dir,
            allocation,
            decisions,
        } => check::check(&dir, &allocation, decisions.as_deref()),
        Command::Diagnose { dir } => diagnose::run(&dir),
        Command::Generate {
            teams,
            seed,
            out,
            cross_team,
            soft_capacity,
            max_moves,
        } => generate(teams, seed, &out, cross_team, soft_capacity, max_moves),
        Command::Whatif(args) => whatif::whatif(args),
        Command::Merge(args) => merge::merge(args),
        Command::History(args) => record::history(args),
        Command::Decide(args) => decide::decide(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::serve(args),
        Command::Diff(args) => record::diff_command(args),
        Command::Import(args) => import::import(args),
    }
}

/// A relative gap: a number in [0, 1].
fn relative_gap(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(g) if (0.0..=1.0).contains(&g) => Ok(g),
        _ => Err(format!(
            "a relative gap is a number from 0 to 1, got {text:?}"
        )),
    }
}

fn default_out(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    PathBuf::from("out").join(name)
}

fn generate(
    teams: usize,
    seed: u64,
    out: &Path,
    cross_team: bool,
    soft_capacity: bool,
    max_moves: Option<u64>,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(teams > 0, "--teams must be at least 1");
    let options = caseload::generate::GenerateOptions {
        teams,
        seed,
        cross_team,
        soft_capacity,
        max_moves,
        ..caseload::generate::GenerateOptions::default()
    };
    let scenario = caseload::generate::generate(&options);
    caseload::io::scenario_writer::write_scenario(out, &scenario)?;
    out!("{}", caseload::generate::summarize(&scenario));
    outln!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// The exit code for an error: 2 for invalid input, 1 otherwise.
pub fn exit_code(err: &anyhow::Error) -> ExitCode {
    if let Some(caseload::Error::InvalidInput(_)) = err.downcast_ref::<caseload::Error>() {
        return ExitCode::from(EXIT_INVALID);
    }
    match err.downcast_ref::<caseload::record::RecordError>() {
        Some(e) if e.is_bad_input() => ExitCode::from(EXIT_INVALID),
        _ => ExitCode::FAILURE,
    }
}

/// Whether the error is a closed pipe (standard output's own are dropped quietly by
/// [`out`]; this is for any other writer the command used).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
