//! The Generalized Assignment Problem (GAP) on caseload's solver core.
//!
//! In a GAP, `n` jobs go to `m` agents: job `j` on agent `i` costs (or earns) `c[i][j]` and
//! uses `w[i][j]` of the agent's capacity `b[i]`; every job goes to exactly one agent and no
//! agent goes over capacity. That is a caseload scenario with per-pair terms (`pairs.csv`):
//! agents are workers with a hard capacity, jobs are cases, and each (job, agent) pair
//! carries its cost and its weight. [`GapInstance::to_scenario`] builds that scenario,
//! [`solve_gap`] solves it and reads the GAP value back from the allocation.
//!
//! Files: OR-Library (`gap1.txt` … `gap12.txt`, `gapa.txt` …) start with the number of
//! problems `P`; Yagiura's (`c10400`, `e05100`, …) hold one problem without it. Both are
//! whitespace-separated integers: `m n`, then `c` (m rows of n), `w` (m rows of n), `b` (m).
//!
//! ```
//! use caseload::gap::{parse_yagiura, solve_gap, Sense};
//! use caseload::solve::SolveOptions;
//!
//! // 2 agents, 3 jobs: costs, weights, capacities.
//! let gap = parse_yagiura("2 3  1 5 5  4 1 1   2 2 2  1 1 1   2 2").unwrap();
//! let result = solve_gap(&gap, Sense::Min, &SolveOptions::default()).unwrap();
//! assert_eq!(result.value, Some(3)); // job 0 to agent 0 (1), jobs 1 and 2 to agent 1 (1 + 1)
//! ```

use std::collections::BTreeMap;

use crate::model::{
    CapacityMode, Case, CaseId, Instance, PairTerms, Policy, Scenario, Weights, Worker, WorkerId,
};
use crate::solve::{solve, SolveOptions, Status};

/// Whether the GAP's `c[i][j]` are costs to minimise or profits to maximise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sense {
    /// Minimise `Σ c` (types A–E).
    Min,
    /// Maximise `Σ c` (OR-Library gap1–gap12 as published).
    Max,
}

/// One GAP problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GapInstance {
    /// `c[i][j]`: cost (or profit) of job `j` on agent `i`.
    pub cost: Vec<Vec<i64>>,
    /// `w[i][j]`: capacity job `j` uses on agent `i`.
    pub weight: Vec<Vec<i64>>,
    /// `b[i]`: capacity of agent `i`.
    pub capacity: Vec<i64>,
}

/// What is wrong with a GAP file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GapError {
    /// A token is not a whole number.
    #[error("token {index} is `{token}`, not a whole number")]
    NotANumber {
        /// 1-based position of the token in the file.
        index: usize,
        /// The token.
        token: String,
    },
    /// The file ends before the problem does.
    #[error("the file ends after {read} numbers, but the problem needs more")]
    Truncated {
        /// Numbers read.
        read: usize,
    },
    /// Numbers are left after the last problem.
    #[error("{extra} numbers are left after the last problem")]
    Trailing {
        /// Numbers left.
        extra: usize,
    },
    /// A value is out of range (no agent or job, a weight ≤ 0, a negative cost or
    /// capacity).
    #[error("{0}")]
    Range(String),
}

/// The whole numbers of a file, read in order.
struct Tokens<'a> {
    words: std::iter::Enumerate<std::str::SplitWhitespace<'a>>,
    read: usize,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            words: text.split_whitespace().enumerate(),
            read: 0,
        }
    }

    fn next(&mut self) -> Result<i64, GapError> {
        let (index, token) = self
            .words
            .next()
            .ok_or(GapError::Truncated { read: self.read })?;
        self.read += 1;
        token.parse().map_err(|_| GapError::NotANumber {
            index: index + 1,
            token: token.to_string(),
        })
    }

    /// A count (of problems, agents or jobs): at least 1.
    fn count(&mut self, what: &str) -> Result<usize, GapError> {
        let value = self.next()?;
        usize::try_from(value)
            .ok()
            .filter(|&v| v >= 1)
            .ok_or_else(|| GapError::Range(format!("{what} must be at least 1, got {value}")))
    }

    fn matrix(&mut self, rows: usize, columns: usize) -> Result<Vec<Vec<i64>>, GapError> {
        (0..rows)
            .map(|_| (0..columns).map(|_| self.next()).collect())
            .collect()
    }

    fn problem(&mut self) -> Result<GapInstance, GapError> {
        let m = self.count("the number of agents")?;
        let n = self.count("the number of jobs")?;
        let gap = GapInstance {
            cost: self.matrix(m, n)?,
            weight: self.matrix(m, n)?,
            capacity: (0..m).map(|_| self.next()).collect::<Result<_, _>>()?,
        };
        gap.check()?;
        Ok(gap)
    }

    fn finish(mut self) -> Result<(), GapError> {
        match self.words.by_ref().count() {
            0 => Ok(()),
            extra => Err(GapError::Trailing { extra }),
        }
    }
}

/// Parses an OR-Library GAP file: `P`, then `P` problems.
///
/// # Errors
/// A token that is not a whole number, a file that ends early or has numbers left over,
/// values out of range.
pub fn parse_orlib(text: &str) -> Result<Vec<GapInstance>, GapError> {
    let mut tokens = Tokens::new(text);
    let problems = tokens.count("the number of problems")?;
    let gaps = (0..problems)
        .map(|_| tokens.problem())
        .collect::<Result<Vec<_>, _>>()?;
    tokens.finish()?;
    Ok(gaps)
}

/// Parses a Yagiura GAP file: one problem, no leading count.
///
/// # Errors
/// As [`parse_orlib`].
pub fn parse_yagiura(text: &str) -> Result<GapInstance, GapError> {
    let mut tokens = Tokens::new(text);
    let gap = tokens.problem()?;
    tokens.finish()?;
    Ok(gap)
}

/// The id of agent `i` as a worker, zero-padded so that ids sort as numbers.
fn agent_id(i: usize) -> WorkerId {
    WorkerId::new(format!("A{i:04}"))
}

/// The id of job `j` as a case, zero-padded so that ids sort as numbers.
fn job_id(j: usize) -> CaseId {
    CaseId::new(format!("J{j:05}"))
}

impl GapInstance {
    /// Number of agents.
    pub fn agents(&self) -> usize {
        self.capacity.len()
    }

    /// Number of jobs.
    pub fn jobs(&self) -> usize {
        self.cost.first().map_or(0, Vec::len)
    }

    fn check(&self) -> Result<(), GapError> {
        if let Some(w) = self.weight.iter().flatten().find(|&&w| w <= 0) {
            return Err(GapError::Range(format!("weights must be > 0, got {w}")));
        }
        if let Some(c) = self.cost.iter().flatten().find(|&&c| c < 0) {
            return Err(GapError::Range(format!("costs must be ≥ 0, got {c}")));
        }
        if let Some(b) = self.capacity.iter().find(|&&b| b < 0) {
            return Err(GapError::Range(format!("capacities must be ≥ 0, got {b}")));
        }
        Ok(())
    }

    /// The per-pair cost caseload minimises: `c` for [`Sense::Min`], `c_max − c` for
    /// [`Sense::Max`] (so that it stays ≥ 0, as `pairs.csv` requires). Either way, every
    /// assignment of all jobs costs `Σ c` or `n × c_max − Σ c`, so the same assignment is
    /// optimal.
    fn pair_cost(&self, sense: Sense, i: usize, j: usize) -> i64 {
        match sense {
            Sense::Min => self.cost[i][j],
            Sense::Max => self.max_cost() - self.cost[i][j],
        }
    }

    fn max_cost(&self) -> i64 {
        self.cost.iter().flatten().copied().max().unwrap_or(0)
    }

    /// The penalty for leaving one job unassigned: one more than the most that pair costs
    /// can change between any two assignments, `Σ_j (max_i − min_i)` of the pair costs.
    /// Assigning one more job then always lowers the objective, whatever happens to the
    /// others, so the solver assigns every job whenever some assignment does; and the
    /// penalty stays small enough (≤ n × c_max + 1) to keep the program well scaled.
    fn unassigned_penalty(&self, sense: Sense) -> f64 {
        let spread: i64 = (0..self.jobs())
            .map(|j| {
                let costs = (0..self.agents()).map(|i| self.pair_cost(sense, i, j));
                let (lo, hi) =
                    costs.fold((i64::MAX, i64::MIN), |(lo, hi), c| (lo.min(c), hi.max(c)));
                hi - lo
            })
            .sum();
        (spread + 1) as f64
    }

    /// The caseload scenario of this GAP: agents → workers `A0000…` with capacity `b[i]`
    /// (hard), jobs → cases `J00000…` (weight 1, priority 1, no current worker), and every
    /// (job, agent) pair with weight `w[i][j]` and the cost of [`Sense`]. No load bands, no
    /// move or preference cost: the objective is the pair costs plus the penalty for
    /// unassigned jobs (see the source of `unassigned_penalty`).
    pub fn to_scenario(&self, sense: Sense) -> Scenario {
        let workers = (0..self.agents())
            .map(|i| Worker::new(agent_id(i)).capacity(self.capacity[i] as f64))
            .collect();
        let cases = (0..self.jobs())
            .map(|j| Case::new(job_id(j)).priority(1))
            .collect();
        let mut pairs = BTreeMap::new();
        for i in 0..self.agents() {
            for j in 0..self.jobs() {
                let terms = PairTerms {
                    cost: self.pair_cost(sense, i, j) as f64,
                    weight: Some(self.weight[i][j] as f64),
                };
                pairs.insert((job_id(j), agent_id(i)), terms);
            }
        }
        let policy = Policy {
            capacity: CapacityMode::Hard,
            bands: Vec::new(),
            weights: Weights {
                unallocated: self.unassigned_penalty(sense),
                move_: 0.0,
                preference: 0.0,
            },
            ..Policy::default()
        };
        Scenario::new(workers, cases, policy).with_pairs(pairs)
    }

    /// `Σ c[i][j]` of an assignment (agent of each job), in the file's own terms.
    pub fn value(&self, assignment: &[usize]) -> i64 {
        assignment
            .iter()
            .enumerate()
            .map(|(j, &i)| self.cost[i][j])
            .sum()
    }

    /// Whether an assignment respects every capacity.
    pub fn is_feasible(&self, assignment: &[usize]) -> bool {
        let mut used = vec![0i64; self.agents()];
        for (j, &i) in assignment.iter().enumerate() {
            used[i] += self.weight[i][j];
        }
        assignment.len() == self.jobs() && used.iter().zip(&self.capacity).all(|(u, b)| u <= b)
    }
}

/// A GAP solved: the assignment, its value, and what the solver proved.
#[derive(Clone, Debug, PartialEq)]
pub struct GapResult {
    /// Agent of each job; `None` when some job could not be assigned.
    pub assignment: Option<Vec<usize>>,
    /// `Σ c` of the assignment, computed from it (not from the solver's objective).
    pub value: Option<i64>,
    /// The best bound on the GAP value: a lower bound for [`Sense::Min`], an upper bound
    /// for [`Sense::Max`] (valid once every job is assigned).
    pub bound: f64,
    /// Optimal, or stopped by the time limit.
    pub status: Status,
    /// The scenario solved, for the independent checker.
    pub scenario: Scenario,
    /// Agent id of each job, as `allocation.csv` would name it (for the checker).
    pub rows: Vec<(CaseId, Option<WorkerId>)>,
}

/// Solves a GAP with caseload's solver.
///
/// # Errors
/// As [`solve`]; an invalid scenario (cannot happen for a parsed GAP) is reported as
/// [`crate::Error::InvalidInput`].
pub fn solve_gap(
    gap: &GapInstance,
    sense: Sense,
    options: &SolveOptions,
) -> crate::Result<GapResult> {
    let scenario = gap.to_scenario(sense);
    let instance =
        Instance::new(&scenario).map_err(|p| crate::Error::InvalidInput(p.into_input_errors()))?;
    let solution = solve(&instance, options)?;
    let agent_of = |j: usize| -> Option<usize> {
        let c = instance.case(&job_id(j))?;
        let w = solution.evaluation.worker[c]?;
        (0..gap.agents()).find(|&i| agent_id(i) == instance.workers[w].id)
    };
    let assignment: Option<Vec<usize>> = (0..gap.jobs()).map(agent_of).collect();
    let value = assignment.as_ref().map(|a| gap.value(a));
    let bound = match sense {
        Sense::Min => solution.bound,
        Sense::Max => gap.jobs() as f64 * gap.max_cost() as f64 - solution.bound,
    };
    let rows = instance
        .cases
        .iter()
        .zip(&solution.evaluation.worker)
        .map(|(case, w)| (case.id.clone(), w.map(|w| instance.workers[w].id.clone())))
        .collect();
    Ok(GapResult {
        assignment,
        value,
        bound,
        status: solution.status,
        scenario,
        rows,
    })
}

/// A best-known value from `known.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    /// The best value known.
    pub best: i64,
    /// Whether it is proven optimal.
    pub proven: bool,
}

/// Reads `known.csv` (`instance,sense,best_known,proven_optimal`), keyed by
/// (instance, sense); rows that do not parse are skipped.
pub fn parse_known(text: &str) -> BTreeMap<(String, Sense), Known> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let [name, sense, best, proven] = fields[..] else {
                return None;
            };
            let sense = match sense {
                "min" => Sense::Min,
                "max" => Sense::Max,
                _ => return None,
            };
            let known = Known {
                best: best.parse().ok()?,
                proven: proven == "true",
            };
            Some(((name.to_string(), sense), known))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orlib_files_hold_a_count_then_problems() {
        let text = "2\n1 2\n3 4\n1 1\n5\n 1 1 7 2 9\n";
        let gaps = parse_orlib(text).unwrap();
        assert_eq!(gaps.len(), 2);
        assert_eq!(gaps[0].cost, [[3, 4]]);
        assert_eq!(gaps[0].weight, [[1, 1]]);
        assert_eq!(gaps[0].capacity, [5]);
        assert_eq!(gaps[1].capacity, [9]);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert_eq!(
            parse_yagiura("1 2 3 x"),
            Err(GapError::NotANumber {
                index: 4,
                token: "x".to_string()
            })
        );
        assert_eq!(
            parse_yagiura("1 2 3 4 1 1"),
            Err(GapError::Truncated { read: 6 })
        );
        assert_eq!(
            parse_yagiura("1 1 3 1 5 6"),
            Err(GapError::Trailing { extra: 1 })
        );
        assert!(matches!(
            parse_yagiura("1 1 3 0 5"),
            Err(GapError::Range(_))
        ));
        assert!(matches!(parse_orlib("0"), Err(GapError::Range(_))));
    }

    #[test]
    fn a_job_that_fits_nowhere_leaves_no_assignment() {
        let gap = parse_yagiura("1 2  1 1  3 9  5").unwrap();
        let result = solve_gap(&gap, Sense::Min, &SolveOptions::default()).unwrap();
        assert_eq!(result.value, None);
    }
}
