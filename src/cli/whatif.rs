//! `caseload whatif`: solve the variants of a scenario in parallel and compare them.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use caseload::whatif::{self, RunOptions, WhatIfError};

/// Flags of `caseload whatif`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  caseload whatif scenarios/demo\n  caseload whatif scenarios/demo --variants my-variants.toml --out out/plans --jobs 2 --allocations\n  caseload whatif --study scenarios/study/study.toml --out out/study\n  caseload whatif scenarios/demo --shard 0/3 --out out/part-0   (then: caseload merge)\n\nWrites OUT/comparison.csv, comparison.json and comparison.svg (with --shard: a part\nfolder for `caseload merge`). Exit 0 when written (a variant that fails is a row with\nits error), 2 when the scenario, variants or study file or --shard is invalid, 1\notherwise (a shard whose draws failed on this machine: its part says it is incomplete)."
)]
pub struct WhatIfArgs {
    /// Base scenario folder (workers.csv, cases.csv, policy.toml).
    #[arg(required_unless_present = "study", conflicts_with = "study")]
    dir: Option<PathBuf>,
    /// A study file: scenario folders × variants, one comparison row per (scenario,
    /// variant) with a `scenario` column.
    #[arg(long, value_name = "FILE", conflicts_with = "variants")]
    study: Option<PathBuf>,
    /// Solve only shard K of N (K from 0) into a part folder OUT, for `caseload merge`;
    /// `auto/N` reads K as it is from SLURM_ARRAY_TASK_ID (run the array as
    /// `--array=0-(N-1)`; one shard again as `--array=K`), JOB_COMPLETION_INDEX or
    /// AWS_BATCH_JOB_ARRAY_INDEX, the first set; nothing is subtracted from it.
    #[arg(long, value_name = "K/N", requires = "out")]
    shard: Option<String>,
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
    /// Also write comparison.xlsx (the comparison table as a workbook; with --shard,
    /// `merge --xlsx` writes it).
    #[arg(long, conflicts_with = "shard")]
    xlsx: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `caseload whatif`.
pub fn whatif(args: WhatIfArgs) -> anyhow::Result<ExitCode> {
    let shard = match &args.shard {
        Some(text) => {
            let env = |name: &str| std::env::var(name).ok();
            let (shard, source) = whatif::parse_shard(text, &env).map_err(shard_error)?;
            // Said even with --quiet: a batch job's log shows which task it was.
            if let Some(source) = &source {
                errln!("shard {shard} (from {source})");
            }
            Some(shard)
        }
        None => None,
    };
    let limits = whatif::Limits {
        max_solves: args.max_solves,
        ..whatif::Limits::default()
    };
    let (out, scenarios) = match (&args.study, &args.dir) {
        (Some(study), _) => {
            let out = args.out.clone().unwrap_or_else(|| default_out(study));
            (
                out,
                whatif::load_study(study, &limits).map_err(into_anyhow)?,
            )
        }
        (None, Some(dir)) => {
            let out = args.out.clone().unwrap_or_else(|| default_out(dir));
            let variants = args
                .variants
                .clone()
                .unwrap_or_else(|| dir.join(whatif::VARIANTS_FILE));
            let base = caseload::io::read::load_scenario(dir)?;
            let plan = whatif::load_plan_within(&variants, &base, &limits).map_err(into_anyhow)?;
            let entry = whatif::StudyEntry {
                name: String::new(),
                dir: dir.clone(),
                variants,
            };
            (out, vec![whatif::StudyScenario { entry, base, plan }])
        }
        (None, None) => anyhow::bail!("give a scenario folder or --study FILE"),
    };
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
    // With --allocations, each variant's folder goes into `variants` (see below where).
    let options = |variants: PathBuf| RunOptions {
        jobs: args.jobs.unwrap_or(0),
        threads_per_variant: args.threads_per_variant,
        time_limit_s: args.time_limit,
        mip_gap: args.mip_gap,
        allocations: args.allocations.then_some(variants),
        reuse_parts: !args.no_reuse,
        max_solves: args.max_solves,
    };
    let study = args.study.is_some();
    let units: Vec<whatif::Unit<'_>> = scenarios
        .iter()
        .map(|s| whatif::Unit {
            base: &s.base,
            plan: &s.plan,
            name: study.then_some(s.entry.name.as_str()),
        })
        .collect();
    let total: u64 = units.iter().map(|u| whatif::draw_count(u.plan)).sum();
    match shard {
        // A shard writes a part folder of its own (its manifest says whether it is whole).
        Some(shard) => {
            let options = options(out.join(whatif::VARIANTS_DIR));
            run_shard(&units, &options, shard, &out, total, args.quiet)
        }
        // The set is staged before the run: the variants' folders go into it while the
        // run goes on and appear in OUT only with the comparison.
        None => {
            let set = whatif::begin_output(&out)
                .with_context(|| format!("writing the comparison to {}", out.display()))?;
            let options = options(set.dir().join(whatif::VARIANTS_DIR));
            run_all(&units, &options, set, &out, total, &args)
        }
    }
}

fn run_all(
    units: &[whatif::Unit<'_>],
    options: &RunOptions,
    set: caseload::io::atomic::OutputSet,
    out: &Path,
    total: u64,
    args: &WhatIfArgs,
) -> anyhow::Result<ExitCode> {
    let bar = progress_bar(total, args.quiet);
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let (comparison, scenarios) = whatif::run_units(units, options, &tick).map_err(into_anyhow)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    whatif::commit_comparison(set, &comparison, scenarios.as_deref(), args.xlsx)
        .with_context(|| format!("writing the comparison to {}", out.display()))?;
    if !args.quiet {
        let shown = whatif::labelled(&comparison, scenarios.as_deref());
        out!("{}", whatif::render(&shown));
        let parts = comparison.parts;
        let reused = if parts.solved > 0 {
            format!(" ({} of {} team solves reused)", parts.reused, parts.solved)
        } else {
            String::new()
        };
        let rows = if scenarios.is_some() {
            format!("{} scenarios, {} rows", units.len(), comparison.rows.len())
        } else {
            format!("{} variants", comparison.rows.len())
        };
        outln!(
            "{rows}, {total} solves on {} jobs in {:.1}s{reused}; wrote {}",
            comparison.jobs,
            comparison.elapsed.as_secs_f64(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_shard(
    units: &[whatif::Unit<'_>],
    options: &RunOptions,
    shard: whatif::Shard,
    out: &Path,
    total: u64,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let bar = progress_bar(total.div_ceil(u64::from(shard.count)), quiet);
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    let manifest = whatif::run_shard(units, options, shard, out, &tick).map_err(into_anyhow)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if !manifest.failed.is_empty() {
        anyhow::bail!(
            "shard {shard}: {} of its {} draws failed on this machine (their allocation could not be written; see {}/{}): the part in {} is marked incomplete; run this shard again",
            manifest.failed.len(),
            manifest.draws.len(),
            out.display(),
            whatif::shard::DRAWS_FILE,
            out.display()
        );
    }
    if !quiet {
        outln!(
            "shard {shard}: {} of {} solves on {} jobs in {:.1}s; wrote the part {}",
            manifest.draws.len(),
            manifest.draws_total,
            manifest.jobs,
            manifest.elapsed_s,
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A bad `--shard`: invalid input (exit 2).
fn shard_error(message: String) -> anyhow::Error {
    caseload::Error::InvalidInput(caseload::error::InputErrors(vec![
        caseload::error::InputError {
            file: "--shard".to_string(),
            line: None,
            column: String::new(),
            cell: None,
            code: caseload::codes::SHARD,
            message,
        },
    ]))
    .into()
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
