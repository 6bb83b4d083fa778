//! Shards of a what-if run: which draws shard `K` of `N` solves, and the part folder it
//! leaves for [`super::merge`].
//!
//! **The split** is deterministic and balanced by expected work, not by position: each
//! draw weighs what its changed scenario asks of the solver — the candidate pairs, the
//! children times the workers who may take them (within their team, or anyone with
//! cross-team working) — estimated once per variant on its first draw's changes. The
//! draws go heaviest first to the shard with the least work so far (ties to the lower
//! draw, then the lower shard): every machine computes the same split from the same plan.
//!
//! **A part folder** holds `manifest.json` (what it is: format, caseload version, plan
//! hash, each scenario's hash, `K`, `N`, its draws, whether it is complete and which draws
//! failed on this machine), `rows.csv` (every row of the whole run: scenario, variant,
//! sweep point, draws) and `draws.csv` (this shard's draws, in draw order, every figure
//! at full precision). The manifest is written first, marked incomplete, and replaced at
//! the end: a shard killed half-way leaves a part that says it is incomplete.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::apply::apply;
use super::run::Unit;
use crate::io::atomic::write_atomically;

/// The part's manifest file.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The part's rows (every row of the run).
pub const ROWS_FILE: &str = "rows.csv";
/// The part's draws (this shard's).
pub const DRAWS_FILE: &str = "draws.csv";
/// The format written in every manifest.
pub const FORMAT: &str = "caseload-whatif-part/1";
/// The environment variables `--shard auto/N` reads the index from, first set wins:
/// Slurm job arrays, Kubernetes Indexed Jobs, AWS Batch array jobs.
pub const INDEX_VARIABLES: [&str; 3] = [
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];
/// Most shards a run may be split into.
pub const MAX_SHARDS: u32 = 1_000_000;

/// Shard `index` of `count` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// `K`, from 0 to `count - 1`.
    pub index: u32,
    /// `N`, at least 1.
    pub count: u32,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Reads `K/N` or `auto/N`; `env` looks up an environment variable. Returns the shard and,
/// for `auto`, where its index came from (`SLURM_ARRAY_TASK_ID=2`). The index is the
/// shard number as it is, in every engine: a Slurm array is submitted as
/// `--array=0-(N-1)`, and one shard run again as `--array=K`.
///
/// # Errors
/// What is wrong, in one line: not `K/N`, `N` = 0 or over [`MAX_SHARDS`], `K` ≥ `N`, `auto` with none of
/// [`INDEX_VARIABLES`] set, or a variable that is not a whole number.
pub fn parse_shard(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Shard, Option<String>), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("is K/N or auto/N (K from 0 to N-1), got {text:?}"))?;
    let count: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("{text:?}: N must be a whole number, got {n:?}"))?;
    if count == 0 || count > MAX_SHARDS {
        return Err(format!("{text:?}: N must be from 1 to {MAX_SHARDS}"));
    }
    let (index, source) = if k.trim() == "auto" {
        let (name, value) = INDEX_VARIABLES
            .iter()
            .find_map(|&name| env(name).map(|v| (name, v)))
            .ok_or_else(|| {
                format!(
                    "auto/{count}: none of {} is set (run inside a job array, or give K)",
                    INDEX_VARIABLES.join(", ")
                )
            })?;
        let whole = |name: &str, value: &str| {
            value
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("auto: {name} must be a whole number, got {value:?}"))
        };
        let index = whole(name, &value)?;
        let said = format!("{name}={index}");
        (index, Some(said))
    } else {
        let index = k
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("{text:?}: K must be a whole number or auto, got {k:?}"))?;
        (index, None)
    };
    if index >= u64::from(count) {
        let from = source
            .as_deref()
            .map_or(String::new(), |s| format!(" ({s})"));
        return Err(format!(
            "shard {index}{from} is out of range: with N = {count}, K goes from 0 to {} \
             (a Slurm array is numbered from 0: --array=0-{})",
            count - 1,
            count - 1
        ));
    }
    Ok((
        Shard {
            index: index as u32,
            count,
        },
        source,
    ))
}

/// The expected work of every draw of every unit, in run order: the candidate pairs of
/// the variant's changed scenario (its first draw), at least 1.
pub(crate) fn draw_work(units: &[Unit<'_>]) -> Vec<u64> {
    let mut work = Vec::new();
    for unit in units {
        for variant in &unit.plan.variants {
            let size = match apply(unit.base, &variant.edits, unit.plan.seed) {
                Ok(changed) => candidate_pairs(&changed),
                Err(_) => 1,
            };
            work.extend(std::iter::repeat_n(size, variant.draws.max(1) as usize));
        }
    }
    work
}

/// Children × the available workers who may take them (their team's, or every one's
/// with cross-team working), at least 1.
fn candidate_pairs(scenario: &crate::model::Scenario) -> u64 {
    let available = scenario.workers.iter().filter(|w| w.available);
    if scenario.policy.cross_team {
        let workers = available.count() as u64;
        return (scenario.cases.len() as u64 * workers).max(1);
    }
    let mut by_team = std::collections::BTreeMap::<&str, (u64, u64)>::new();
    for w in available {
        by_team.entry(w.team.as_str()).or_default().1 += 1;
    }
    for c in &scenario.cases {
        by_team.entry(c.team.as_str()).or_default().0 += 1;
    }
    by_team.values().map(|(c, w)| c * w).sum::<u64>().max(1)
}

/// The shard of each draw: heaviest first to the shard with the least work so far.
pub fn split(work: &[u64], count: u32) -> Vec<u32> {
    let count = count.max(1) as usize;
    let mut order: Vec<usize> = (0..work.len()).collect();
    order.sort_by(|&a, &b| work[b].cmp(&work[a]).then(a.cmp(&b)));
    let mut load = vec![0u64; count];
    let mut shard_of = vec![0u32; work.len()];
    for i in order {
        let lightest = (0..count).min_by_key(|&s| (load[s], s)).unwrap_or(0);
        load[lightest] += work[i];
        shard_of[i] = lightest as u32;
    }
    shard_of
}

/// The expected work of each of `count` shards of the units' run (see [`split`]).
pub fn shard_work(units: &[Unit<'_>], count: u32) -> Vec<u64> {
    let work = draw_work(units);
    let mut load = vec![0u64; count.max(1) as usize];
    for (w, s) in work.iter().zip(split(&work, count)) {
        load[s as usize] += w;
    }
    load
}

/// One scenario of a part: its name in a study and the hash of its contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioStamp {
    /// The name in the study file; `null` for a single scenario.
    pub name: Option<String>,
    /// Hash of the scenario as read (workers, cases, policy, pairs).
    pub hash: String,
}

/// What a part folder is (`manifest.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The caseload version that wrote it.
    pub caseload_version: String,
    /// Hash of the plan: every variant and its changes, the seed, time limits and gap.
    pub plan_hash: String,
    /// Each scenario, in study order.
    pub scenarios: Vec<ScenarioStamp>,
    /// Whether the run is a study (a `scenario` column in the outputs).
    pub study: bool,
    /// `K`.
    pub shard: u32,
    /// `N`.
    pub shards: u32,
    /// Rows of the whole run.
    pub rows_total: u64,
    /// Draws of the whole run.
    pub draws_total: u64,
    /// This shard's draws (indices in the whole run), ascending.
    pub draws: Vec<u64>,
    /// This shard's expected work (see [`split`]).
    pub work: u64,
    /// Whether every draw of the shard is in `draws.csv`.
    pub complete: bool,
    /// Draws that failed on this machine (their allocation folder could not be written):
    /// the shard must be run again.
    pub failed: Vec<u64>,
    /// Draws solved at once.
    pub jobs: usize,
    /// Wall-clock seconds of the shard.
    pub elapsed_s: f64,
}

/// A 128-bit hash of a text, as 32 hex digits.
pub(crate) fn hash_text(text: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// Writes `manifest.json` alone (atomically).
pub(crate) fn write_manifest(dir: &Path, manifest: &Manifest) -> crate::Result<()> {
    write_atomically(&dir.join(MANIFEST_FILE), &manifest_bytes(manifest)?)
}

/// The manifest's text.
pub(crate) fn manifest_bytes(manifest: &Manifest) -> crate::Result<Vec<u8>> {
    let text = serde_json::to_string_pretty(manifest).map_err(|source| crate::Error::Json {
        what: "manifest",
        source,
    })?;
    Ok((text + "\n").into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shards_are_read_and_checked() {
        let none = env(&[]);
        let s = |k, n| Shard { index: k, count: n };
        assert_eq!(parse_shard("0/3", &none), Ok((s(0, 3), None)));
        assert_eq!(parse_shard("2/3", &none), Ok((s(2, 3), None)));
        for bad in ["3/3", "0/0", "x/3", "1", "-1/3", "1/x"] {
            assert!(parse_shard(bad, &none).is_err(), "{bad}");
        }
        let err = parse_shard("auto/3", &none).unwrap_err();
        assert!(err.contains("SLURM_ARRAY_TASK_ID"), "{err}");
        let k8s = env(&[
            ("JOB_COMPLETION_INDEX", "2"),
            ("AWS_BATCH_JOB_ARRAY_INDEX", "0"),
        ]);
        let (shard, said) = parse_shard("auto/3", &k8s).unwrap();
        assert_eq!(shard, s(2, 3));
        assert_eq!(said.as_deref(), Some("JOB_COMPLETION_INDEX=2"));
        // Slurm's own numbering, whatever the array's first id or size: one shard run
        // again alone (`--array=1`) is shard 1.
        let again = env(&[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
        ]);
        let (shard, said) = parse_shard("auto/3", &again).unwrap();
        assert_eq!(shard, s(1, 3));
        assert_eq!(said.as_deref(), Some("SLURM_ARRAY_TASK_ID=1"));
        let beyond = env(&[("SLURM_ARRAY_TASK_ID", "3")]);
        let err = parse_shard("auto/3", &beyond).unwrap_err();
        assert!(
            err.contains("out of range") && err.contains("SLURM_ARRAY_TASK_ID=3"),
            "{err}"
        );
    }

    #[test]
    fn the_split_is_balanced_and_deterministic() {
        let work: Vec<u64> = (0..150).map(|i| 100 + (i * 37 % 11) * 40).collect();
        let shards = split(&work, 4);
        assert_eq!(shards, split(&work, 4));
        let mut load = [0u64; 4];
        for (w, s) in work.iter().zip(&shards) {
            load[*s as usize] += w;
        }
        let mean = work.iter().sum::<u64>() as f64 / 4.0;
        for l in load {
            assert!((l as f64 - mean).abs() <= 0.1 * mean, "{load:?}");
        }
        assert_eq!(split(&[5, 1, 1, 1, 1, 1], 2), vec![0, 1, 1, 1, 1, 1]);
    }
}
