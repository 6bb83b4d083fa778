//! `caseload import`: a service's own data (Ofsted's Annex A workbook, a case-management
//! export) into a scenario folder and its `import-report.md` (docs/import.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use caseload::import::{self, ExportMap, ImportConfig, Imported};

/// `caseload import …`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    from: From,
}

#[derive(Debug, Subcommand)]
enum From {
    /// Ofsted's Annex A workbook (the ILACS data lists): one case per open child of lists
    /// 3 to 9, one worker per allocated (team, worker).
    #[command(
        name = "annex-a",
        after_help = "Example:\n  caseload import annex-a annex-a.xlsx --out scenarios/today --config examples/import.toml\n  caseload allocate scenarios/today --record caseload.db\n\nExit 0 when written, 2 for invalid input (nothing written)."
    )]
    AnnexA {
        /// The workbook (.xlsx).
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// A case-management export (CSV), with a map naming its columns and values.
    #[command(
        after_help = "Example:\n  caseload import csv open-cases.csv --map examples/liquidlogic.map.toml --out scenarios/today\n\nExit 0 when written, 2 for invalid input (nothing written)."
    )]
    Csv {
        /// The export (.csv, UTF-8).
        file: PathBuf,
        /// The map file: the export's columns and what their values mean.
        #[arg(long, value_name = "MAP")]
        map: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
struct Common {
    /// The scenario folder to write (workers.csv, cases.csv, policy.toml,
    /// import-report.md).
    #[arg(long)]
    out: PathBuf,
    /// Defaults with their sources: weights and tags per case type, tags from coded
    /// values, a worker's FTE and capacity, the policy [default: caseload's own].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// What the service knows of its staff (CSV or .xlsx keyed by name, team optional):
    /// fte, capacity, max_cases, max_new, skills, available.
    #[arg(long, value_name = "FILE")]
    workers: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `caseload import`.
pub fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let (imported, common) = match args.from {
        From::AnnexA { file, common } => {
            let config = config(common.config.as_deref())?;
            let imported = import::import_annex_a(&file, &config, common.workers.as_deref())?;
            (imported, common)
        }
        From::Csv { file, map, common } => {
            let config = config(common.config.as_deref())?;
            let map = ExportMap::read(&map).map_err(invalid)?;
            let imported = import::import_csv(&file, &map, &config, common.workers.as_deref())?;
            (imported, common)
        }
    };
    write(&imported, &common.out, common.quiet)
}

fn config(path: Option<&Path>) -> anyhow::Result<ImportConfig> {
    match path {
        Some(path) => Ok(ImportConfig::read(path).map_err(invalid)?),
        None => Ok(ImportConfig::default()),
    }
}

fn invalid(error: caseload::InputError) -> caseload::Error {
    caseload::Error::InvalidInput(caseload::InputErrors(vec![error]))
}

fn write(imported: &Imported, out: &Path, quiet: bool) -> anyhow::Result<ExitCode> {
    import::write(out, imported).with_context(|| format!("writing {}", out.display()))?;
    if !quiet {
        let s = &imported.scenario;
        let held = s
            .cases
            .iter()
            .filter(|c| c.current_worker.is_some())
            .count();
        println!(
            "{} cases ({held} with a current worker), {} workers",
            s.cases.len(),
            s.workers.len()
        );
        println!(
            "wrote {} (read {} first)",
            out.display(),
            out.join(import::REPORT_FILE).display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
