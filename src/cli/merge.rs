//! `caseload merge`: the part folders of a sharded what-if run into one comparison.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use caseload::whatif;

/// Flags of `caseload merge`.
#[derive(Debug, Args)]
#[command(
    after_help = "Example:\n  caseload whatif scenarios/demo --shard 0/3 --out out/part-0   (and 1/3, 2/3)\n  caseload merge --out out/demo-whatif out/part-0 out/part-1 out/part-2\n\nWrites OUT/comparison.csv (byte for byte what one machine writes), comparison.json and\ncomparison.svg. Exit 0 when written, 2 when a part is missing, given twice, incomplete,\nor of another plan, scenario or caseload version (nothing written), 1 otherwise."
)]
pub struct MergeArgs {
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Also write comparison.xlsx.
    #[arg(long)]
    xlsx: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// The part folders written by `whatif --shard K/N --out PART`, one per shard.
    #[arg(required = true, value_name = "PART")]
    parts: Vec<PathBuf>,
}

/// Runs `caseload merge`.
pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let merged = match whatif::merge(&args.parts, &args.out, args.xlsx) {
        Ok(m) => m,
        Err(e @ caseload::Error::InvalidInput(_)) => return Err(e.into()),
        Err(e) => return Err(e).with_context(|| format!("merging into {}", args.out.display())),
    };
    if !args.quiet {
        let study = if merged.study { " (a study)" } else { "" };
        outln!(
            "merged {} shards{study}: {} rows, {} draws; wrote {}",
            merged.shards,
            merged.rows,
            merged.draws,
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
