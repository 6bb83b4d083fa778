//! `comparison.csv`, `comparison.json` and `comparison.svg` (and `comparison.xlsx`, with
//! the `xlsx` feature, when asked), written as one set with the variants' folders.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::metrics::Metric;
use super::run::{Comparison, Row};
use super::svg::chart;
use crate::error::{Error, Result};
use crate::io::atomic::OutputSet;
use crate::io::csv::to_text;
use crate::text::data_num;

/// The comparison table file.
pub const CSV_FILE: &str = "comparison.csv";
/// The comparison with every draw and the timings.
pub const JSON_FILE: &str = "comparison.json";
/// The chart.
pub const SVG_FILE: &str = "comparison.svg";
/// The comparison table as a workbook (`whatif --xlsx`).
pub const XLSX_FILE: &str = "comparison.xlsx";

/// The sweep a grid point belongs to; empty for a plain variant.
fn sweep(row: &Row) -> String {
    if row.variant.params.is_empty() {
        String::new()
    } else {
        row.variant.base_name.clone()
    }
}

fn cell(spread: Option<f64>) -> String {
    spread.map_or(String::new(), data_num)
}

/// `comparison.csv`: one row per variant (per grid point for a sweep), in plan order:
/// `variant, sweep, point, draws, failed, status, error`, then the mean of every metric,
/// then every `<metric>_p10`, then every `<metric>_p90` (across draws; equal to the mean
/// for a single draw). Deterministic: timings are only in the JSON.
pub fn comparison_csv(comparison: &Comparison) -> Result<String> {
    table_csv(comparison, None)
}

/// [`comparison_csv`], with a first column `scenario` (each row's scenario, from
/// `scenarios`) for a study; `None` writes exactly [`comparison_csv`].
pub fn table_csv(comparison: &Comparison, scenarios: Option<&[String]>) -> Result<String> {
    let header = csv_header(scenarios.is_some());
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows = comparison
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| csv_record(row, scenario_of(scenarios, i)));
    to_text(&header, rows)
}

fn scenario_of(scenarios: Option<&[String]>, i: usize) -> Option<&str> {
    scenarios.map(|s| s.get(i).map_or("", String::as_str))
}

/// The columns of `comparison.csv` (with `scenario` first in a study).
pub(crate) fn csv_header(study: bool) -> Vec<String> {
    let mut header: Vec<String> = Vec::new();
    if study {
        header.push("scenario".to_string());
    }
    header.extend(
        [
            "variant", "sweep", "point", "draws", "failed", "status", "error",
        ]
        .map(String::from),
    );
    for suffix in ["", "_p10", "_p90"] {
        header.extend(Metric::ALL.iter().map(|m| format!("{}{suffix}", m.name())));
    }
    header
}

/// One record of `comparison.csv`.
pub(crate) fn csv_record(row: &Row, scenario: Option<&str>) -> Vec<String> {
    let v = &row.variant;
    let mut record: Vec<String> = scenario.map(str::to_string).into_iter().collect();
    record.extend([
        v.name.clone(),
        sweep(row),
        v.point(),
        row.draws.len().to_string(),
        row.failed().to_string(),
        row.status().as_str().to_string(),
        row.error().unwrap_or_default(),
    ]);
    let spreads: Vec<_> = Metric::ALL.iter().map(|&m| row.spread(m)).collect();
    record.extend(spreads.iter().map(|s| cell(s.map(|s| s.mean))));
    record.extend(spreads.iter().map(|s| cell(s.map(|s| s.p10))));
    record.extend(spreads.iter().map(|s| cell(s.map(|s| s.p90))));
    record
}

fn round(x: f64) -> Value {
    if x.is_finite() {
        json!((x * 1e6).round() / 1e6)
    } else {
        Value::Null
    }
}

/// One row of `comparison.json` (with its `scenario` in a study).
pub(crate) fn row_json(row: &Row, scenario: Option<&str>) -> Value {
    let v = &row.variant;
    let mut stats = Map::new();
    for &m in Metric::ALL {
        if let Some(s) = row.spread(m) {
            stats.insert(
                m.name().to_string(),
                json!({"mean": round(s.mean), "p10": round(s.p10), "p90": round(s.p90)}),
            );
        }
    }
    let draws: Vec<Value> = row
        .draws
        .iter()
        .map(|d| match &d.outcome {
            Ok(o) => {
                let figures: Map<String, Value> = Metric::ALL
                    .iter()
                    .map(|&m| (m.name().to_string(), round(o.figures.get(m))))
                    .collect();
                json!({"seed": d.seed, "status": o.status.as_str(), "figures": figures,
                       "time_s": round(o.time.as_secs_f64())})
            }
            Err(e) => json!({"seed": d.seed, "status": "error", "error": e.to_string()}),
        })
        .collect();
    let params: Map<String, Value> = v
        .params
        .iter()
        .map(|(k, x)| (k.clone(), round(*x)))
        .collect();
    let mut value = json!({
        "variant": v.name,
        "sweep": sweep(row),
        "params": params,
        "draws": row.draws.len(),
        "failed": row.failed(),
        "status": row.status().as_str(),
        "error": row.error(),
        "figures": stats,
        "runs": draws,
    });
    if let (Some(scenario), Value::Object(map)) = (scenario, &mut value) {
        map.insert("scenario".to_string(), json!(scenario));
    }
    value
}

/// `comparison.json`: every row with each metric's `mean`, `p10`, `p90`, and every draw
/// (`runs`) with its seed, status, figures or error, and `time_s`; then `jobs` and
/// `elapsed_s`. Only the times vary between reruns.
pub fn comparison_json(comparison: &Comparison) -> Result<String> {
    table_json(comparison, None)
}

/// [`comparison_json`], each row with its `scenario` in a study.
pub fn table_json(comparison: &Comparison, scenarios: Option<&[String]>) -> Result<String> {
    let mut out = Vec::new();
    let rows = comparison
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| Ok(row_json(row, scenario_of(scenarios, i))));
    let elapsed = comparison.elapsed.as_secs_f64();
    write_json(&mut out, comparison.jobs, elapsed, rows)?;
    String::from_utf8(out).map_err(|e| json_error(serde_json::Error::io(std::io::Error::other(e))))
}

fn json_error(source: serde_json::Error) -> Error {
    Error::Json {
        what: "JSON",
        source,
    }
}

/// Writes `comparison.json` to `out` one row at a time (so a merge of many rows never
/// holds the whole document): the same text as one pretty-printed document.
pub(crate) fn write_json(
    out: &mut dyn std::io::Write,
    jobs: usize,
    elapsed_s: f64,
    rows: impl Iterator<Item = Result<Value>>,
) -> Result<()> {
    const MARK: &str = "\"variants\": []";
    let doc = json!({
        "variants": [],
        "jobs": jobs,
        "elapsed_s": round(elapsed_s),
    });
    let frame = serde_json::to_string_pretty(&doc).map_err(json_error)? + "\n";
    let (head, tail) = frame.split_at(frame.find(MARK).unwrap_or(frame.len()));
    let tail = tail.strip_prefix(MARK).unwrap_or(tail);
    let io = |e: std::io::Error| json_error(serde_json::Error::io(e));
    out.write_all(head.as_bytes()).map_err(io)?;
    out.write_all(b"\"variants\": [").map_err(io)?;
    let mut any = false;
    for row in rows {
        let text = serde_json::to_string_pretty(&row?).map_err(json_error)?;
        out.write_all(if any { b",\n" } else { b"\n" })
            .map_err(io)?;
        any = true;
        for (i, line) in text.lines().enumerate() {
            if i > 0 {
                out.write_all(b"\n").map_err(io)?;
            }
            out.write_all(b"    ").map_err(io)?;
            out.write_all(line.as_bytes()).map_err(io)?;
        }
    }
    if any {
        out.write_all(b"\n  ]").map_err(io)?;
    } else {
        out.write_all(b"]").map_err(io)?;
    }
    out.write_all(tail.as_bytes()).map_err(io)
}

/// The kind of output set `whatif` writes (`OUT/.caseload/whatif`).
pub const SET_KIND: &str = "whatif";

/// The folder of each variant's scenario and allocation (`--allocations`).
pub const VARIANTS_DIR: &str = "variants";

/// Every file and folder `whatif` may write into `OUT`.
pub const WHATIF_FILES: [&str; 5] = [CSV_FILE, JSON_FILE, SVG_FILE, XLSX_FILE, VARIANTS_DIR];

/// Starts the output set of a what-if run for `out`: the variants' folders are written
/// under its [`OutputSet::dir`]`/variants` while the run goes on, and appear in `out`
/// only with the comparison ([`commit_comparison`]).
///
/// # Errors
/// [`Error::Io`] when `out` cannot be made or written.
pub fn begin_output(out: &Path) -> Result<OutputSet> {
    OutputSet::begin(out, SET_KIND, &WHATIF_FILES)
}

/// Stages `comparison.csv`, `comparison.json`, `comparison.svg` (and `comparison.xlsx`
/// when `xlsx`) into `set` and swaps the whole set in: a reader sees the old comparison
/// and variants or the new ones, never a mixture nor a stale variant.
///
/// # Errors
/// [`Error::Io`] when a file cannot be written or a destination is in the way (nothing
/// is replaced then).
/// `scenarios` names each row's scenario in a study (see [`write_table`]).
pub fn commit_comparison(
    set: OutputSet,
    comparison: &Comparison,
    scenarios: Option<&[String]>,
    xlsx: bool,
) -> Result<()> {
    set.add(CSV_FILE, table_csv(comparison, scenarios)?.as_bytes())?;
    set.add(JSON_FILE, table_json(comparison, scenarios)?.as_bytes())?;
    set.add(SVG_FILE, chart(&labelled(comparison, scenarios)).as_bytes())?;
    if xlsx {
        // Without the xlsx feature this is an error: nothing is written, not a set
        // without the workbook that was asked for.
        set.add(XLSX_FILE, &xlsx_of(comparison, scenarios)?)?;
    }
    set.commit()
}

/// Writes `comparison.csv`, `comparison.json` and `comparison.svg` into `out` as one set
/// (see [`commit_comparison`]).
///
/// # Errors
/// [`Error::Io`] when a file cannot be written (nothing is replaced then).
pub fn write_comparison(out: &Path, comparison: &Comparison) -> Result<()> {
    commit_comparison(begin_output(out)?, comparison, None, false)
}

/// For the chart and the terminal: in a study, each row's variant named
/// `scenario: variant`.
pub fn labelled(comparison: &Comparison, scenarios: Option<&[String]>) -> Comparison {
    let mut labelled = comparison.clone();
    if let Some(scenarios) = scenarios {
        for (row, scenario) in labelled.rows.iter_mut().zip(scenarios) {
            row.variant.name = format!("{scenario}: {}", row.variant.name);
        }
    }
    labelled
}

/// Like [`write_comparison`], with `comparison.xlsx` too when `xlsx` is set, in the same
/// set.
///
/// # Errors
/// [`Error::Io`] when a file cannot be written (nothing is replaced then).
#[cfg(feature = "xlsx")]
pub fn write_comparison_xlsx(out: &Path, comparison: &Comparison, xlsx: bool) -> Result<()> {
    commit_comparison(begin_output(out)?, comparison, None, xlsx)
}

/// [`write_comparison_xlsx`] for a study: `scenarios` names each row's scenario (a
/// `scenario` column in the table, a `scenario` key in the JSON); `None` is one scenario.
///
/// # Errors
/// [`Error::Io`] when a file cannot be written (nothing is replaced then).
pub fn write_table(
    out: &Path,
    comparison: &Comparison,
    scenarios: Option<&[String]>,
    xlsx: bool,
) -> Result<()> {
    commit_comparison(begin_output(out)?, comparison, scenarios, xlsx)
}

#[cfg(feature = "xlsx")]
fn xlsx_of(comparison: &Comparison, scenarios: Option<&[String]>) -> Result<Vec<u8>> {
    csv_xlsx(&table_csv(comparison, scenarios)?)
}

#[cfg(not(feature = "xlsx"))]
fn xlsx_of(_: &Comparison, _: Option<&[String]>) -> Result<Vec<u8>> {
    Err(Error::Io {
        path: XLSX_FILE.into(),
        source: std::io::Error::other("built without the xlsx feature"),
    })
}

/// `comparison.xlsx`: the rows of `comparison.csv` in a sheet `comparison`, figures as
/// numbers; header frozen, filters on. The same comparison gives the same bytes.
#[cfg(feature = "xlsx")]
pub fn comparison_xlsx(comparison: &Comparison) -> Result<Vec<u8>> {
    csv_xlsx(&comparison_csv(comparison)?)
}

/// A workbook of the text of a `comparison.csv`.
#[cfg(feature = "xlsx")]
pub(crate) fn csv_xlsx(text: &str) -> Result<Vec<u8>> {
    use crate::io::sheet_writer::{csv_sheet, to_bytes, workbook};
    let header = text.lines().next().unwrap_or_default();
    let numeric: Vec<&str> = header
        .split(',')
        .filter(|c| !["scenario", "variant", "sweep", "point", "status", "error"].contains(c))
        .collect();
    let mut book = workbook()?;
    csv_sheet(book.add_worksheet(), "comparison", text, &numeric, &[])?;
    to_bytes(&mut book)
}

/// A short table for the terminal: one line per variant with its key figures.
pub fn render(comparison: &Comparison) -> String {
    let width = comparison
        .rows
        .iter()
        .map(|r| r.variant.name.chars().count())
        .max()
        .unwrap_or(7)
        .clamp(7, 48);
    let mut out = format!(
        "{:<width$}  {:>11}  {:>5}  {:>5}  {:>9}  {:>6}  {:>5}  status\n",
        "variant", "unalloc pts", "amber", "red", "mean util", "forced", "moves"
    );
    for row in &comparison.rows {
        let mean = |m| row.spread(m).map(|s| s.mean);
        let f = |x: Option<f64>, d: usize| x.map_or("-".to_string(), |x| format!("{x:.d$}"));
        let name: String = row.variant.name.chars().take(width).collect();
        let status = match row.error() {
            Some(e) => format!("{} ({e})", row.status().as_str()),
            None => row.status().as_str().to_string(),
        };
        out += &format!(
            "{name:<width$}  {:>11}  {:>5}  {:>5}  {:>8}%  {:>6}  {:>5}  {status}\n",
            f(mean(Metric::UnallocatedPoints), 1),
            f(mean(Metric::AmberWorkers), 1),
            f(mean(Metric::RedWorkers), 1),
            f(mean(Metric::MeanUtilisation).map(|u| 100.0 * u), 1),
            f(mean(Metric::ForcedMoves), 1),
            f(mean(Metric::Moves), 1),
        );
    }
    out
}
