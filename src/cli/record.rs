//! `caseload history` and `caseload diff`, and what `allocate --record` prints.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use caseload::model::Objective;
use caseload::record::{diff, LoadRecord, Record, RowRecord, RunDiff, RunId, RunInfo};
use caseload::text::{num, one_line};

/// Flags of `caseload history`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  caseload history record.sqlite\n  caseload history record.sqlite --run 3 --json\n  caseload history record.sqlite --run 3 --inputs replay/   # the input files, byte for byte\n  caseload history record.sqlite --run 3 --transparency > run3.md"
)]
pub struct HistoryArgs {
    /// The record file.
    db: PathBuf,
    /// Show one run: when, who, version, inputs with their SHA-256, policy, options,
    /// status and objective.
    #[arg(long, value_name = "ID")]
    run: Option<RunId>,
    /// With --run: write the run's input files into this new folder (to replay it).
    #[arg(long, value_name = "OUT", requires = "run")]
    inputs: Option<PathBuf>,
    /// With --run: print a transparency record of the run for governance (Markdown, under
    /// the headings of the Algorithmic Transparency Recording Standard).
    #[arg(long, requires = "run", conflicts_with_all = ["inputs", "json"])]
    transparency: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// List the service's access log instead of the runs: who called what, when, which
    /// children, workers and teams it read or acted on, and the outcome.
    #[arg(long, conflicts_with_all = ["run", "inputs", "transparency"])]
    access: bool,
    /// With --access: only calls at or after TIME (UTC; `2026-12-07` or
    /// `2026-12-07T09:30:00Z`).
    #[arg(long, value_name = "TIME", requires = "access", value_parser = super::access::since)]
    since: Option<String>,
}

/// Flags of `caseload diff`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  caseload diff record.sqlite 3 4\n  caseload diff out/monday/allocation.csv out/tuesday/allocation.csv\n\nWith two allocation.csv files, workers' loads are compared when a loads.csv sits beside each."
)]
pub struct DiffArgs {
    /// A record file and two run ids, or two allocation.csv files.
    #[arg(num_args = 2..=3, required = true, value_name = "DB RUN_A RUN_B | FILE_A FILE_B")]
    what: Vec<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// The name `--by` defaults to: the login name (`USER`, `LOGNAME`, else the account
/// of the process's user in /etc/passwd), or `unknown`.
pub fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .or_else(account_name)
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(unix)]
fn account_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_string())
    })
}

#[cfg(not(unix))]
fn account_name() -> Option<String> {
    None
}

/// Opens a record for a command that writes to it (creating it if need be, migrating
/// an older schema forward), saying on standard error when it was migrated.
pub fn open_to_write(db: &Path) -> Result<Record, caseload::record::RecordError> {
    let record = Record::open(db)?;
    if let Some((from, to)) = record.migrated() {
        errln!(
            "caseload: migrated the record {} from schema version {from} to {to} (caseload \
             before this version cannot write it any more)",
            db.display()
        );
    }
    Ok(record)
}

/// `caseload history`.
pub fn history(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let record = Record::open_to_read(&args.db)?;
    if args.access {
        return super::access::list(&record, args.since.as_deref(), args.json);
    }
    let Some(id) = args.run else {
        let runs = record.runs()?;
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&runs)?);
        } else {
            out!("{}", runs_table(&runs));
        }
        return Ok(ExitCode::SUCCESS);
    };
    if args.transparency {
        out!("{}", caseload::record::transparency(&record, id)?);
        return Ok(ExitCode::SUCCESS);
    }
    let info = record.run(id)?;
    let inputs = record.inputs(id)?;
    let decisions = record.run_decisions(id)?;
    if let Some(out) = &args.inputs {
        let mut files: Vec<(String, Vec<u8>)> = inputs
            .iter()
            .map(|f| (f.name.clone(), f.bytes.clone()))
            .collect();
        if !decisions.is_empty() {
            let text = caseload::report::decisions_csv(&decisions)?;
            files.push(("decisions.csv".to_string(), text.into_bytes()));
        }
        write_inputs(out, &files)?;
        outln!(
            "wrote {} input file(s) of run {id} to {}",
            files.len(),
            out.display()
        );
        let mut replay = Vec::new();
        if !decisions.is_empty() {
            replay.push(format!(
                "--decisions {}",
                out.join("decisions.csv").display()
            ));
        }
        if inputs
            .iter()
            .any(|f| f.name == caseload::record::PREVIOUS_FILE)
        {
            let previous = out.join(caseload::record::PREVIOUS_FILE);
            replay.push(format!("--previous {}", previous.display()));
        }
        if !replay.is_empty() {
            outln!(
                "replay it with: caseload allocate {} {}",
                out.display(),
                replay.join(" ")
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        let files: Vec<_> = inputs
            .iter()
            .map(|f| serde_json::json!({"name": f.name, "sha256": f.sha256(), "bytes": f.bytes.len()}))
            .collect();
        let json = serde_json::json!({
            "run": info,
            "inputs": files,
            "allocation": record.rows(id)?,
            "loads": record.loads(id)?,
            "decisions": caseload::report::DecisionsJson::of(&decisions),
        });
        outln!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        out!("{}", run_text(&info, &inputs));
        out!(
            "{}",
            caseload::report::DecisionsJson::of(&decisions).render()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a run's inputs (name, bytes) into `out`, which must not hold any of them yet.
fn write_inputs(out: &Path, inputs: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    for (name, _) in inputs {
        let path = out.join(name);
        anyhow::ensure!(
            !path.exists(),
            "{} exists: --inputs writes into a new or empty folder, nothing was written",
            path.display()
        );
    }
    let files: Vec<(PathBuf, Vec<u8>)> = inputs
        .iter()
        .map(|(name, bytes)| (out.join(name), bytes.clone()))
        .collect();
    caseload::io::atomic::write_files_atomically(&files)?;
    Ok(())
}

fn runs_table(runs: &[RunInfo]) -> String {
    if runs.is_empty() {
        return "no runs recorded yet\n".to_string();
    }
    let mut s = format!(
        "{:>4}  {:<24}  {:<12}  {:<10}  {:>8}  {:>14}  {:>5} {:>5} {:>6} {:>4} {:>7}\n",
        "run",
        "time (UTC)",
        "by",
        "status",
        "gap",
        "objective",
        "kept",
        "moved",
        "forced",
        "new",
        "unalloc"
    );
    for r in runs {
        let c = &r.meta.counts;
        let _ = writeln!(
            s,
            "{:>4}  {:<24}  {:<12}  {:<10}  {:>7.4}%  {:>14}  {:>5} {:>5} {:>6} {:>4} {:>7}",
            r.id,
            r.at,
            one_line(&r.meta.by),
            r.meta.status,
            100.0 * r.meta.gap,
            num(r.meta.objective.total),
            c.kept,
            c.moved,
            c.forced,
            c.new,
            c.unallocated
        );
    }
    s
}

fn run_text(r: &RunInfo, inputs: &[caseload::record::InputFile]) -> String {
    let m = &r.meta;
    let c = &m.counts;
    let o = &m.objective;
    let mut s = format!(
        "run {} at {} by {} (caseload {})\nscenario {}\n",
        r.id,
        r.at,
        one_line(&m.by),
        m.version,
        one_line(&m.scenario)
    );
    let _ = writeln!(
        s,
        "{} cases: kept {}, moved {}, forced {}, new {}, unallocated {}",
        c.total, c.kept, c.moved, c.forced, c.new, c.unallocated
    );
    let _ = writeln!(s, "objective {} = {}", num(o.total), terms(o));
    let bound = m.bound.map_or("unknown".to_string(), num);
    let _ = writeln!(
        s,
        "status {}, bound {bound}, gap {:.4}%",
        m.status,
        100.0 * m.gap
    );
    let _ = writeln!(s, "options {}", m.options);
    let _ = writeln!(s, "policy {}", m.policy);
    let _ = writeln!(s, "inputs");
    for f in inputs {
        let _ = writeln!(
            s,
            "  {:<12} {:>9} bytes  sha256 {}",
            f.name,
            f.bytes.len(),
            f.sha256()
        );
    }
    s
}

fn terms(o: &Objective) -> String {
    o.terms_text(num)
}

/// `caseload diff`.
pub fn diff_command(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let (title, d) = match args.what.as_slice() {
        [db, a, b] => {
            let record = Record::open_to_read(Path::new(db))?;
            let (a, b) = (run_id(a)?, run_id(b)?);
            (format!("run {a} → run {b}"), record.diff(a, b)?)
        }
        [a, b] => {
            let (a, b) = (Path::new(a), Path::new(b));
            let d = diff(
                &rows_of_file(a)?,
                &rows_of_file(b)?,
                &loads_beside(a)?,
                &loads_beside(b)?,
                None,
            );
            (format!("{} → {}", a.display(), b.display()), d)
        }
        _ => anyhow::bail!("diff takes a record and two run ids, or two allocation.csv files"),
    };
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        out!("{}", diff_text(&title, &d));
    }
    Ok(ExitCode::SUCCESS)
}

fn run_id(text: &str) -> anyhow::Result<RunId> {
    text.trim()
        .parse()
        .ok()
        .filter(|id: &RunId| *id > 0)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "`{text}` is not a run id (a whole number from 1, see `caseload history DB`)"
            )
        })
}

fn rows_of_file(path: &Path) -> anyhow::Result<Vec<RowRecord>> {
    let rows = caseload::check::read_allocation(path)?;
    Ok(rows
        .into_iter()
        .map(|r| RowRecord {
            case_id: r.case.to_string(),
            worker_id: r.worker.map(|w| w.to_string()),
            previous_worker: None,
            change: r.change.unwrap_or_default(),
            reason: String::new(),
        })
        .collect())
}

/// The loads of the `loads.csv` beside an allocation file, or none when there is none.
fn loads_beside(allocation: &Path) -> anyhow::Result<Vec<LoadRecord>> {
    let path = allocation.with_file_name("loads.csv");
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(caseload::record::parse_loads_csv(
        &path.display().to_string(),
        &text,
    )?)
}

/// A diff in words: the counts, then each case and worker, then the objective by term.
pub fn diff_text(title: &str, d: &RunDiff) -> String {
    let mut s = format!("{title}: {}\n", diff_counts(d));
    if !d.cases.is_empty() {
        let _ = writeln!(s, "\n{:<12} {:<12} {:<12} change", "case", "from", "to");
        for c in &d.cases {
            let w = |w: &Option<String>| w.clone().unwrap_or_else(|| "-".to_string());
            let _ = writeln!(
                s,
                "{:<12} {:<12} {:<12} {}",
                c.case_id,
                w(&c.from),
                w(&c.to),
                c.change
            );
        }
    }
    if !d.workers.is_empty() {
        let _ = writeln!(s, "\n{:<12} load after: from → to", "worker");
        for l in &d.workers {
            let v = |x: Option<f64>| x.map_or("-".to_string(), num);
            let _ = writeln!(s, "{:<12} {} → {}", l.worker_id, v(l.from), v(l.to));
        }
    }
    if !d.decisions.is_empty() {
        let _ = writeln!(s, "\ndecisions taken or withdrawn in between");
        for r in &d.decisions {
            let x = &r.decision;
            let _ = write!(
                s,
                "  {} {} by {}: {}",
                x.id,
                x.at,
                one_line(&x.by),
                one_line(&x.describe())
            );
            if !x.note.is_empty() {
                let _ = write!(s, "; note \"{}\"", one_line(&x.note));
            }
            if let Some(w) = &r.withdrawn {
                let _ = write!(s, " (withdrawn {} by {})", w.at, one_line(&w.by));
            }
            s.push('\n');
        }
    }
    if let Some((a, b)) = &d.objective {
        let _ = writeln!(
            s,
            "\nobjective {} → {} ({})",
            num(a.total),
            num(b.total),
            signed(b.total - a.total)
        );
        for (name, x, y) in [
            ("unallocated", a.unallocated, b.unallocated),
            ("bands", a.bands, b.bands),
            ("moves", a.moves, b.moves),
            ("preferences", a.preferences, b.preferences),
            ("pairs", a.pairs, b.pairs),
        ] {
            let _ = writeln!(
                s,
                "  {name:<12} {} → {} ({})",
                num(x),
                num(y),
                signed(y - x)
            );
        }
    }
    s
}

/// `3 cases changed worker (forced 1, moved 2); 4 workers' load changed`.
pub fn diff_counts(d: &RunDiff) -> String {
    let kinds: Vec<String> = d
        .by_change()
        .into_iter()
        .map(|(k, n)| {
            if k.is_empty() {
                format!("gone {n}")
            } else {
                format!("{k} {n}")
            }
        })
        .collect();
    let cases = match d.cases.len() {
        0 => "no case changed worker".to_string(),
        1 => format!("1 case changed worker ({})", kinds.join(", ")),
        n => format!("{n} cases changed worker ({})", kinds.join(", ")),
    };
    let workers = match d.workers.len() {
        0 => "no worker's load changed".to_string(),
        1 => "1 worker's load changed".to_string(),
        n => format!("{n} workers' load changed"),
    };
    format!("{cases}; {workers}")
}

fn signed(x: f64) -> String {
    if x.abs() < 5e-7 {
        "±0".to_string()
    } else if x > 0.0 {
        format!("+{}", num(x))
    } else {
        format!("−{}", num(-x))
    }
}
