//! `caseload merge`: the part folders of every shard of a run into the comparison a
//! single machine writes (`comparison.csv` byte for byte; `comparison.json` with the
//! same rows and draws, `jobs` the sum of the shards' and `elapsed_s` the longest shard's).
//!
//! Every part is checked before anything is written: same format, caseload version (this
//! binary's), plan, scenarios and `N`; each shard once; complete. Every problem is an
//! [`InputError`] naming the part, code [`crate::codes::SHARD`]. Then the rows are
//! merged one at a time, each part's `draws.csv` read as a stream in draw order, and the
//! outputs staged and swapped into place as one set: memory holds one row
//! and the chart's few figures per row, not the whole comparison.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::output::{csv_header, csv_record, row_json, write_json, CSV_FILE, JSON_FILE, SVG_FILE};
use super::part::{draws_header_ok, read_draw, read_row, VERSION};
use super::run::{Draw, Row};
use super::shard::{Manifest, DRAWS_FILE, FORMAT, MANIFEST_FILE, MAX_SHARDS, ROWS_FILE};
use super::svg::{chart_rows, ChartRow};
use crate::codes::SHARD;
use crate::error::{io_error, Error, InputError, InputErrors, Result};

/// Most draws a merged run may have (a national study of 150 authorities × 100 draws ×
/// 5 policies is 75,000).
pub const MAX_DRAWS: u64 = 100_000_000;

/// What a merge wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    /// Rows of the comparison.
    pub rows: u64,
    /// Draws merged.
    pub draws: u64,
    /// Shards merged.
    pub shards: u32,
    /// Whether the run is a study (a `scenario` column).
    pub study: bool,
}

fn problem(part: &Path, file: &str, message: String) -> InputError {
    InputError {
        file: if file.is_empty() {
            part.display().to_string()
        } else {
            part.join(file).display().to_string()
        },
        line: None,
        column: String::new(),
        cell: None,
        code: SHARD,
        message,
    }
}

fn invalid(errors: Vec<InputError>) -> Error {
    Error::InvalidInput(InputErrors(errors))
}

/// Reads a part's manifest.
fn read_manifest(part: &Path) -> std::result::Result<Manifest, InputError> {
    let text = std::fs::read_to_string(part.join(MANIFEST_FILE)).map_err(|e| {
        problem(
            part,
            MANIFEST_FILE,
            format!("not a part folder of `whatif --shard`: {e}"),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        problem(
            part,
            MANIFEST_FILE,
            format!("not a manifest of this caseload version: {e}"),
        )
    })
}

/// Checks that the parts are every shard of one run, once each, complete: the manifests,
/// ordered by shard.
fn check_parts(parts: &[PathBuf]) -> Result<Vec<(PathBuf, Manifest)>> {
    if parts.is_empty() {
        return Err(invalid(vec![problem(
            Path::new("merge"),
            "",
            "no part folder given".into(),
        )]));
    }
    let mut errors = Vec::new();
    let mut read = Vec::new();
    for part in parts {
        match read_manifest(part) {
            Ok(m) => read.push((part.clone(), m)),
            Err(e) => errors.push(e),
        }
    }
    // The run most parts are of (the first given on a tie): the others are named.
    let run_of = |m: &Manifest| (m.plan_hash.clone(), m.scenarios.clone(), m.shards, m.study);
    let usable = |m: &Manifest| m.format == FORMAT && m.caseload_version == VERSION;
    let candidates = if read.iter().any(|(_, m)| usable(m)) {
        read.iter().filter(|(_, m)| usable(m)).collect::<Vec<_>>()
    } else {
        read.iter().collect()
    };
    let reference = candidates
        .iter()
        .enumerate()
        .max_by_key(|(i, (_, m))| {
            let same = candidates
                .iter()
                .filter(|(_, o)| run_of(o) == run_of(m))
                .count();
            (same, std::cmp::Reverse(*i))
        })
        .map(|(_, r)| (*r).clone());
    let Some((first_path, first)) = reference else {
        return Err(invalid(errors));
    };
    let mut by_shard: Vec<Option<&PathBuf>> = vec![None; first.shards.min(MAX_SHARDS) as usize];
    for (part, m) in &read {
        let mut say = |message: String| errors.push(problem(part, MANIFEST_FILE, message));
        if m.format != FORMAT {
            say(format!(
                "format {:?}, this caseload reads {FORMAT:?}",
                m.format
            ));
            continue;
        }
        if m.caseload_version != VERSION {
            say(format!(
                "written by caseload {}, this is caseload {VERSION}: run every shard and the merge with one version",
                m.caseload_version
            ));
            continue;
        }
        if m.draws_total > MAX_DRAWS || m.rows_total > m.draws_total || m.shards > MAX_SHARDS {
            say(format!(
                "{} rows, {} draws, {} shards: not a run this merge takes (at most {MAX_DRAWS} draws, {MAX_SHARDS} shards)",
                m.rows_total, m.draws_total, m.shards
            ));
            continue;
        }
        let other = format!("than {}", first_path.display());
        if m.plan_hash != first.plan_hash || m.study != first.study {
            say(format!(
                "another plan {other} (variants, seed, time limit or gap differ)"
            ));
            continue;
        }
        if m.scenarios != first.scenarios {
            say(format!("another scenario {other} (its input files differ)"));
            continue;
        }
        if m.shards != first.shards {
            say(format!(
                "shard {}/{} of another split: {} is of {}",
                m.shard,
                m.shards,
                first_path.display(),
                first.shards
            ));
            continue;
        }
        if !m.complete {
            let failed = if m.failed.is_empty() {
                "it did not finish".to_string()
            } else {
                format!("{} of its draws failed on that machine", m.failed.len())
            };
            say(format!(
                "shard {}/{} is incomplete ({failed}): run that shard again",
                m.shard, m.shards
            ));
        }
        match by_shard.get_mut(m.shard as usize) {
            Some(Some(earlier)) => say(format!(
                "shard {}/{} is given twice: also {}",
                m.shard,
                m.shards,
                earlier.display()
            )),
            Some(slot) => *slot = Some(part),
            None => say(format!("shard {} is out of range of {}", m.shard, m.shards)),
        }
    }
    let missing: Vec<String> = by_shard
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_none())
        .map(|(k, _)| format!("{k}/{}", first.shards))
        .collect();
    if !missing.is_empty() {
        const SHOWN: usize = 20;
        let more = match missing.len().saturating_sub(SHOWN) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        errors.push(problem(
            Path::new("merge"),
            "",
            format!(
                "missing shard{} {}{more} of the run of {}",
                if missing.len() == 1 { "" } else { "s" },
                missing[..missing.len().min(SHOWN)].join(", "),
                first_path.display()
            ),
        ));
    }
    if errors.is_empty() {
        check_draws(&read, &first, &mut errors);
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    read.sort_by_key(|(_, m)| m.shard);
    Ok(read)
}

/// Every draw of the run in exactly one part.
fn check_draws(read: &[(PathBuf, Manifest)], first: &Manifest, errors: &mut Vec<InputError>) {
    let mut seen = vec![false; first.draws_total as usize];
    for (part, m) in read {
        for &d in &m.draws {
            match seen.get_mut(d as usize) {
                Some(s) if !*s => *s = true,
                _ => {
                    let message = format!("draw {d} is not this shard's, or is in two parts");
                    errors.push(problem(part, MANIFEST_FILE, message));
                    return;
                }
            }
        }
    }
    if let Some(d) = seen.iter().position(|s| !s) {
        let message = format!("draw {d} of the run is in no part");
        errors.push(problem(&read[0].0, MANIFEST_FILE, message));
    }
}

/// A part's `draws.csv`, read one draw at a time.
struct DrawReader {
    path: PathBuf,
    records: csv::StringRecordsIntoIter<BufReader<File>>,
}

impl DrawReader {
    fn open(part: &Path) -> Result<Self> {
        let path = part.join(DRAWS_FILE);
        let file = File::open(&path).map_err(|e| io_error(&path, e))?;
        let mut reader = csv::Reader::from_reader(BufReader::new(file));
        let header = reader.headers().map_err(|source| Error::Csv { source })?;
        if !draws_header_ok(header) {
            return Err(invalid(vec![problem(
                part,
                DRAWS_FILE,
                "not this version's draws table".into(),
            )]));
        }
        Ok(Self {
            path,
            records: reader.into_records(),
        })
    }

    /// The next draw, which must be draw `index` of row `row`.
    fn next(&mut self, index: u64, row: u64) -> Result<Draw> {
        let bad = |what: String| {
            invalid(vec![InputError {
                file: self.path.display().to_string(),
                line: None,
                column: String::new(),
                cell: None,
                code: SHARD,
                message: what,
            }])
        };
        let record = match self.records.next() {
            Some(r) => r.map_err(|source| Error::Csv { source })?,
            None => {
                return Err(bad(format!(
                    "ends before draw {index}: run that shard again"
                )))
            }
        };
        match read_draw(&record) {
            Some((i, r, draw)) if i == index && r == row => Ok(draw),
            _ => Err(bad(format!(
                "line {}: expected draw {index} of row {row}",
                record.position().map_or(0, |p| p.line())
            ))),
        }
    }
}

/// Merges the part folders `parts` into `out` (`comparison.csv`, `.json`, `.svg`, and
/// `.xlsx` when `xlsx`), all or nothing.
///
/// # Errors
/// [`Error::InvalidInput`] naming each part that is missing, given twice, incomplete or
/// of another plan, version or scenario (nothing is written); [`Error::Io`] when a file
/// cannot be read or written.
pub fn merge(parts: &[PathBuf], out: &Path, xlsx: bool) -> Result<Merged> {
    let parts = check_parts(parts)?;
    let first = &parts[0].1;
    let mut owner = vec![0u32; first.draws_total as usize];
    for (_, m) in &parts {
        for &d in &m.draws {
            owner[d as usize] = m.shard;
        }
    }
    let mut readers = parts
        .iter()
        .map(|(p, _)| DrawReader::open(p))
        .collect::<Result<Vec<_>>>()?;
    let rows_path = parts[0].0.join(ROWS_FILE);
    let rows_file = File::open(&rows_path).map_err(|e| io_error(&rows_path, e))?;
    let mut rows = csv::Reader::from_reader(BufReader::new(rows_file)).into_records();
    let study = first.study;
    let staged = Staged::new(out)?;
    let csv_file = staged.create(CSV_FILE)?;
    let mut csv = csv::Writer::from_writer(BufWriter::new(csv_file));
    let fail = |source: csv::Error| Error::Csv { source };
    csv.write_record(csv_header(study)).map_err(fail)?;
    let mut chart = Vec::new();
    let mut next_draw = 0u64;
    let row_values = std::iter::from_fn(|| {
        let record = match rows.next()? {
            Ok(r) => r,
            Err(source) => return Some(Err(Error::Csv { source })),
        };
        let row_no = chart.len() as u64;
        let Some((scenario, variant)) = read_row(&record) else {
            let message = format!("row {row_no} cannot be read");
            return Some(Err(invalid(vec![problem(&parts[0].0, ROWS_FILE, message)])));
        };
        let mut draws = Vec::with_capacity(variant.draws as usize);
        for _ in 0..variant.draws {
            let shard = owner.get(next_draw as usize).copied().unwrap_or(0) as usize;
            match readers[shard].next(next_draw, row_no) {
                Ok(d) => draws.push(d),
                Err(e) => return Some(Err(e)),
            }
            next_draw += 1;
        }
        let row = Row { variant, draws };
        let scenario = study.then_some(scenario.as_str());
        if let Err(e) = csv.write_record(csv_record(&row, scenario)) {
            return Some(Err(fail(e)));
        }
        let label = match scenario {
            Some(s) => format!("{s}: {}", row.variant.name),
            None => row.variant.name.clone(),
        };
        chart.push(ChartRow::of(&row, &label));
        Some(Ok(row_json(&row, scenario)))
    });
    let jobs = parts.iter().map(|(_, m)| m.jobs).sum();
    let elapsed = parts.iter().map(|(_, m)| m.elapsed_s).fold(0.0, f64::max);
    let mut json = BufWriter::new(staged.create(JSON_FILE)?);
    write_json(&mut json, jobs, elapsed, row_values)?;
    json.flush()
        .map_err(|e| io_error(&staged.path(JSON_FILE), e))?;
    drop(json);
    let mut csv_out = csv
        .into_inner()
        .map_err(|e| fail(csv::Error::from(e.into_error())))?;
    csv_out
        .flush()
        .map_err(|e| io_error(&staged.path(CSV_FILE), e))?;
    drop(csv_out);
    if next_draw != first.draws_total || chart.len() as u64 != first.rows_total {
        let message = format!(
            "{} rows and {} draws, the manifest says {} and {}",
            chart.len(),
            next_draw,
            first.rows_total,
            first.draws_total
        );
        return Err(invalid(vec![problem(&parts[0].0, ROWS_FILE, message)]));
    }
    staged.write(SVG_FILE, chart_rows(&chart).as_bytes())?;
    if xlsx {
        let text = std::fs::read_to_string(staged.path(CSV_FILE))
            .map_err(|e| io_error(&staged.path(CSV_FILE), e))?;
        staged.write(super::output::XLSX_FILE, &xlsx_bytes(&text)?)?;
    }
    staged.commit()?;
    Ok(Merged {
        rows: first.rows_total,
        draws: first.draws_total,
        shards: first.shards,
        study,
    })
}

#[cfg(feature = "xlsx")]
fn xlsx_bytes(text: &str) -> Result<Vec<u8>> {
    super::output::csv_xlsx(text)
}

#[cfg(not(feature = "xlsx"))]
fn xlsx_bytes(_: &str) -> Result<Vec<u8>> {
    Err(Error::Io {
        path: super::output::XLSX_FILE.into(),
        source: std::io::Error::other("built without the xlsx feature"),
    })
}

/// The merged outputs, staged in a what-if output set and swapped into `OUT` as one (as a
/// single machine's `whatif` writes them): a reader sees the old comparison or the new.
struct Staged {
    set: crate::io::atomic::OutputSet,
}

impl Staged {
    fn new(out: &Path) -> Result<Self> {
        Ok(Self {
            set: super::output::begin_output(out)?,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.set.dir().join(name)
    }

    fn create(&self, name: &'static str) -> Result<File> {
        let path = self.path(name);
        File::create(&path).map_err(|e| io_error(&path, e))
    }

    fn write(&self, name: &'static str, bytes: &[u8]) -> Result<()> {
        self.set.add(name, bytes)
    }

    fn commit(self) -> Result<()> {
        self.set.commit()
    }
}
