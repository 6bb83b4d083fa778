//! `caseload whatif`: solve the variants of a scenario in parallel and compare them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use caseload::whatif::{self, RunOptions, WhatIfError};

/// Flags of `caseload whatif`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  caseload whatif scenarios/demo\n  caseload whatif scenarios/demo --variants my-variants.toml --out out/plans --jobs 2 --allocations\n\nWrites OUT/comparison.csv, comparison.json and comparison.svg. Exit 0 when written (a\nvariant that fails is a row with its error), 2 when the scenario or variants file is\ninvalid, 1 otherwise."
)]
pub struct WhatIfArgs {
    /// Base scenario folder (workers.csv, cases.csv, policy.toml).
    dir: PathBuf,
    /// Variants file [default: DIR/variants.toml].
    #[arg(long)]
    variants: Option<PathBuf>,
    /// Output folder [default: out/<scenario folder name>-whatif].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Variants solved at once [default: all cores].
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Time limit of each solve in seconds (overrides the variants file and policies).
    #[arg(long, value_name = "S")]
    time_limit: Option<f64>,
    /// Relative gap to the bound at which each solve stops as optimal (0.01 = within 1 %
    /// of the best possible: much faster for comparing variants).
    #[arg(long, value_name = "G", default_value_t = 1e-4, value_parser = super::relative_gap)]
    mip_gap: f64,
    /// Solver threads per variant.
    #[arg(long, value_name = "N", default_value_t = 1)]
    threads_per_variant: u32,
    /// Also write each variant's scenario and allocation under OUT/variants/.
    #[arg(long)]
    allocations: bool,
    /// Solve every team of every variant afresh, even one a variant before left exactly
    /// as it was (the results are the same; for timing).
    #[arg(long)]
    no_reuse: bool,
    /// Most solves (grid points × draws of every variant) the run may make: a larger
    /// plan is refused before anything is solved.
    #[arg(long, value_name = "N", default_value_t = whatif::MAX_SOLVES)]
    max_solves: u64,
    /// Also write comparison.xlsx (the comparison table as a workbook).
    #[arg(long)]
    xlsx: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `caseload whatif`.
pub fn whatif(args: WhatIfArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.dir));
    let variants = args
        .variants
        .clone()
        .unwrap_or_else(|| args.dir.join(whatif::VARIANTS_FILE));
    let base = caseload::io::read::load_scenario(&args.dir)?;
    let limits = whatif::Limits {
        max_solves: args.max_solves,
        ..whatif::Limits::default()
    };
    let plan = whatif::load_plan_within(&variants, &base, &limits).map_err(into_anyhow)?;
    if let Some(t) = args.time_limit {
        anyhow::ensure!(
            t.is_finite() && t > 0.0,
            "--time-limit must be > 0, got {t}"
        );
    }
    anyhow::ensure!(
        args.threads_per_variant > 0,
        "--threads-per-variant must be at least 1"
    );
    // The set is staged from the start: the variants' folders go into it while the run
    // goes on and appear in OUT only with the comparison.
    let set = whatif::begin_output(&out)
        .with_context(|| format!("writing the comparison to {}", out.display()))?;
    let options = RunOptions {
        jobs: args.jobs.unwrap_or(0),
        threads_per_variant: args.threads_per_variant,
        time_limit_s: args.time_limit,
        mip_gap: args.mip_gap,
        allocations: args
            .allocations
            .then(|| set.dir().join(whatif::VARIANTS_DIR)),
        reuse_parts: !args.no_reuse,
        max_solves: args.max_solves,
    };
    let bar = progress_bar(whatif::draw_count(&plan), args.quiet);
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let comparison = whatif::run(&base, &plan, &options, &tick).map_err(into_anyhow)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    whatif::commit_comparison(set, &comparison, args.xlsx)
        .with_context(|| format!("writing the comparison to {}", out.display()))?;
    if !args.quiet {
        let mut stdout = std::io::stdout().lock();
        write!(stdout, "{}", whatif::render(&comparison))?;
        let parts = comparison.parts;
        let reused = if parts.solved > 0 {
            format!(" ({} of {} team solves reused)", parts.reused, parts.solved)
        } else {
            String::new()
        };
        writeln!(
            stdout,
            "{} variants, {} solves on {} jobs in {:.1}s{reused}; wrote {}",
            comparison.rows.len(),
            whatif::draw_count(&plan),
            comparison.jobs,
            comparison.elapsed.as_secs_f64(),
            out.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Library errors as the CLI reports them; a bad variants file is invalid input (exit 2).
fn into_anyhow(err: WhatIfError) -> anyhow::Error {
    match err {
        WhatIfError::Variants(errors) => caseload::Error::InvalidInput(errors).into(),
        WhatIfError::Base(e) => e.into(),
        other => other.into(),
    }
}

/// A progress bar on a terminal; nothing when stderr is not one or `quiet`.
fn progress_bar(total: u64, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} solves, {elapsed} elapsed, about {eta} left",
    );
    if let Ok(style) = style {
        bar.set_style(style);
    }
    Some(bar)
}

fn default_out(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    PathBuf::from("out").join(format!("{name}-whatif"))
}
