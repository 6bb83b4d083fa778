//! The stable stage (SPEC v3, "Stable proposals"): a second, lexicographic solve that,
//! among the allocations within the gap tolerance of the bound, returns one with the
//! fewest children whose worker differs from the previous proposal.
//!
//! Parts share no worker, so the stage runs part by part (in parallel): for a part with
//! first-stage cost `z₁` and proven bound `b`, the cap is `max(z₁, b / (1 − gap))` — every
//! allocation under it is within the gap tolerance of the bound, as the first stage's
//! answer was — and a search over the number of changes `k` asks HiGHS, of the part's
//! own program with `Σ changed · x ≤ k` and the cap as a cutoff on its cost
//! ([`Formulation::build_budgeted`]), for an allocation; the last `k` it finds one for,
//! when it proves there is none below, is the fewest (see [`settle_part`]). A part is
//! skipped when its first-stage allocation already
//! changes no more children than each of its units must (a unit whose every place is a
//! change); a part not proven in the first stage keeps its cost as the cap.
//!
//! Stability never breaks a rule (the same program's rules), never costs more than the
//! cap (each part's new cost is evaluated exactly and checked against it), and an answer
//! that changes as many children as the first stage's is not taken (its cost may be
//! higher). A stage cut short by the deadline or a cancel keeps its best answer and says
//! the count is not proven minimal.

mod carry;

use std::time::Instant;

use highs::HighsModelStatus;

use super::highs::{configure, set_option, MipSettings};
use super::scheduler::SMALL_PART_COLUMNS;
use super::state::State;
use super::{lock, Formulation, Part, SolveOptions, Stability, Status};
use crate::error::{Error, Result, SolverError};
use crate::model::{Allocation, Instance, Was};

/// What the first stage proved of a part: the stable stage's cap comes from it.
pub(super) struct PartProof {
    /// The part.
    pub(super) part: Part,
    /// Its proven lower bound, when there is one.
    pub(super) bound: Option<f64>,
    /// Whether the first stage proved it.
    pub(super) status: Status,
}

/// Relative slack on a cap for the rounding of sums in another order.
const ROUNDING: f64 = 1e-9;

/// The allocation of fewest changes from `options.previous` within each part's cap, and
/// how it stands to the previous proposal; `allocation` (the first stage's, within every
/// hard rule) as it is when the solve has no previous proposal (`None`).
pub(super) fn settle(
    instance: &Instance,
    allocation: Allocation,
    proofs: &[PartProof],
    options: &SolveOptions,
    threads: usize,
    deadline: Instant,
) -> Result<(Allocation, Option<Stability>)> {
    let Some(previous) = &options.previous else {
        return Ok((allocation, None));
    };
    let started = Instant::now();
    let was = previous.on(instance);
    let first_changed = was.changed_by(instance, &allocation);
    // Parts share no worker: each is carried back on the one state in turn.
    let mut state = State::of(instance, &allocation);
    let (mut jobs, mut carried) = (Vec::new(), Vec::new());
    for proof in proofs {
        let part = &proof.part;
        let changed = changed_in(instance, &was, &allocation, &part.units);
        let least = least_in(instance, &was, part);
        if changed == least {
            continue;
        }
        let cost = state.local_cost(&part.units, &part.workers);
        let cap = match (proof.status, proof.bound) {
            (Status::Optimal, Some(b)) => cost.max(loosest(b, options.mip_gap)),
            _ => cost,
        };
        let mut room = cap - cost;
        let count = carry::carry_back(&mut state, instance, &was, part, &mut room);
        let start = if count < changed {
            part.units.iter().map(|&u| (u, state.units[u])).collect()
        } else {
            Vec::new()
        };
        if count == least {
            carried.push(Answer {
                decisions: start,
                proven: true,
            });
            continue;
        }
        jobs.push(Job {
            part: part.clone(),
            cap,
            changed: count,
            least,
            start,
        });
    }
    let answers = run_jobs(
        instance,
        &was,
        &allocation,
        jobs,
        options,
        threads,
        deadline,
    )?;
    let mut minimal = true;
    let mut settled = allocation.clone();
    for answer in carried.into_iter().chain(answers) {
        minimal &= answer.proven;
        for (u, w) in answer.decisions {
            settled.units[u] = w;
        }
    }
    // Each part was checked on its own; parts share no worker, so together they hold too.
    // Should they not (a bug), the first stage's allocation stands.
    if !super::hard_rule_breaches(instance, &settled).is_empty() {
        settled = allocation;
        minimal = false;
    }
    let stability = Stability {
        previous: previous.clone(),
        changed: was.changed_by(instance, &settled),
        minimal,
        first_changed,
        time: started.elapsed(),
    };
    Ok((settled, Some(stability)))
}

/// The highest cost within the relative gap `gap` of the bound `b`: `(z − b)/z ≤ gap`.
fn loosest(b: f64, gap: f64) -> f64 {
    if b > 0.0 && gap < 1.0 {
        b / (1.0 - gap)
    } else {
        b
    }
}

/// Children of `units` the allocation changes.
fn changed_in(instance: &Instance, was: &Was, allocation: &Allocation, units: &[usize]) -> u32 {
    units
        .iter()
        .map(|&u| was.changed_in(instance, u, allocation.units[u]))
        .sum()
}

/// Children of the part that change wherever their units go in it.
fn least_in(instance: &Instance, was: &Was, part: &Part) -> u32 {
    part.units
        .iter()
        .map(|&u| was.least_changed(instance, u, carry::places(instance, part, u)))
        .sum()
}

/// A part to settle.
struct Job {
    part: Part,
    /// The highest cost the part may take.
    cap: f64,
    /// Children the part's best allocation so far changes: the first stage's, or
    /// `start` when carrying back found fewer.
    changed: u32,
    /// Children of the part that change wherever their units go.
    least: u32,
    /// The part's decisions carried back towards the previous proposal, when they
    /// change fewer children than the first stage's (else empty).
    start: Vec<(usize, Option<usize>)>,
}

/// A part settled: its new decisions (empty when the first stage's stand).
struct Answer {
    decisions: Vec<(usize, Option<usize>)>,
    /// Whether the part's count is proven the fewest.
    proven: bool,
}

/// Settles the parts, in parallel on up to `threads` threads.
fn run_jobs(
    instance: &Instance,
    was: &Was,
    first: &Allocation,
    jobs: Vec<Job>,
    options: &SolveOptions,
    threads: usize,
    deadline: Instant,
) -> Result<Vec<Answer>> {
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let part_threads = if jobs.len() == 1 { threads } else { 1 };
    let solve = |job: &Job| settle_part(instance, was, first, job, options, part_threads, deadline);
    let workers = threads.clamp(1, jobs.len());
    if workers == 1 {
        return jobs.iter().map(solve).collect();
    }
    let pool = super::scheduler::pool_of(workers)?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: Vec<std::sync::Mutex<Option<Result<Answer>>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    pool.scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(job) = jobs.get(i) else { break };
                *lock(&done[i]) = Some(solve(job));
            });
        }
    });
    done.into_iter()
        .map(|slot| {
            lock(&slot)
                .take()
                .unwrap_or(Err(Error::Solver(SolverError::PartNotSolved)))
        })
        .collect()
}

/// Settles one part by a search over the number of changes: is there an allocation of
/// cost at most the cap that changes at most `k` children? Each question is the part's
/// own program with a budget row on the changes (`Σ changed · x ≤ k`) and the cap as a
/// cutoff on its cost — the program HiGHS proves quickly, its cuts working on the cost —
/// stopped at its first allocation. The answer lies between the children that must
/// change (`low`) and the best count so far (`high`, carried back or the first
/// stage's). The search first asks the two lowest counts, `low` and `low + 1`: a
/// proof far below the fewest takes milliseconds (the budget row leaves the LP above
/// the cap), and the fewest is often there (one reject, one chain). Then it goes down
/// from `high`: an allocation found sets the next question one below its count, and a
/// proof that none exists ends the search, the last count found proven the fewest.
/// Proofs near the fewest are the slow questions (measured on the demo's second
/// reject: 0.06 s at 2 below 14... 1.1 s at 13, answers 0.3–0.4 s), so the search
/// asks for one of those only. (Minimising the changes directly under a cost row was
/// 3–10× slower: the cost row's LP bound is weak where children stay unallocated.)
fn settle_part(
    instance: &Instance,
    was: &Was,
    first: &Allocation,
    job: &Job,
    options: &SolveOptions,
    threads: usize,
    deadline: Instant,
) -> Result<Answer> {
    let cap = job.cap + ROUNDING * job.cap.abs().max(1.0);
    let (mut low, mut high) = (job.least, job.changed);
    let mut best = job.start.clone();
    // Questions left to ask from below.
    let mut from_below = 2u32;
    while low < high {
        if Instant::now() >= deadline || options.cancelled() {
            break;
        }
        let k = if from_below > 0 {
            from_below -= 1;
            low
        } else {
            high - 1
        };
        match fewer(
            instance, was, first, job, k, cap, options, threads, deadline,
        )? {
            Step::Found(decisions, changed) => {
                high = changed;
                best = decisions;
            }
            Step::None => low = k + 1,
            Step::Unknown => break,
        }
    }
    Ok(Answer {
        decisions: best,
        proven: low >= high,
    })
}

/// What one question of the search found.
enum Step {
    /// An allocation of the part within the cap, changing this many children.
    Found(Vec<(usize, Option<usize>)>, u32),
    /// Proof that none changes at most `k`.
    None,
    /// Neither, by the deadline (or a cancel, or numerics).
    Unknown,
}

/// Whether an allocation of the part of cost at most `cap` changes at most `k`
/// children.
#[allow(clippy::too_many_arguments)]
fn fewer(
    instance: &Instance,
    was: &Was,
    first: &Allocation,
    job: &Job,
    k: u32,
    cap: f64,
    options: &SolveOptions,
    threads: usize,
    deadline: Instant,
) -> Result<Step> {
    let mut formulation =
        Formulation::build_budgeted(instance, job.part.clone(), was, f64::from(k), cap);
    let small = formulation.columns() <= SMALL_PART_COLUMNS;
    let mut model = formulation
        .take_highs_problem()
        .try_into_inner()
        .map_err(|e| Error::Solver(SolverError::Program(e)))?;
    let remaining = deadline.saturating_duration_since(Instant::now());
    let mip = MipSettings {
        time_limit: remaining.as_secs_f64(),
        threads,
        log: options.log,
        small,
        watch: options.watch.as_deref(),
    };
    configure(&mut model, &mip)?;
    // Any allocation under the cap answers the question: stop at the first.
    set_option(&mut model, "objective_bound", cap)?;
    set_option(&mut model, "mip_max_improving_sols", 1)?;
    let solved = model
        .try_solve()
        .map_err(|status| Error::Solver(SolverError::Run { status }))?;
    let feasible = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
    if !feasible {
        return Ok(match solved.status() {
            HighsModelStatus::Infeasible
            | HighsModelStatus::ObjectiveBound
            | HighsModelStatus::Optimal => Step::None,
            _ => Step::Unknown,
        });
    }
    let decisions = formulation.decisions(solved.get_solution().columns());
    let mut candidate = first.clone();
    for &(u, w) in &decisions {
        candidate.units[u] = w;
    }
    let state = State::of(instance, &candidate);
    let cost = state.local_cost(&job.part.units, &job.part.workers);
    let within = job.part.workers.iter().all(|&w| state.is_within_limits(w));
    let changed = changed_in(instance, was, &candidate, &job.part.units);
    Ok(if within && cost <= cap && changed <= k {
        Step::Found(decisions, changed)
    } else {
        Step::Unknown
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::model::{Case, Instance, Policy, Previous, Scenario, Worker};
    use crate::solve::{solve, SolveOptions};

    /// Six new referrals alike in every number, and three workers alike: every
    /// allocation of two each costs the same, and the program counts the referrals
    /// together — unless the previous proposal tells them apart.
    fn alike() -> Instance {
        let workers = (1..=3)
            .map(|w| Worker::new(format!("W{w}").as_str()))
            .collect();
        let cases = (1..=6)
            .map(|c| Case::new(format!("C{c}").as_str()).weight(5.0))
            .collect();
        Instance::new(&Scenario::new(workers, cases, Policy::default())).expect("valid")
    }

    fn previous(rows: &[(&str, Option<&str>)]) -> Arc<Previous> {
        Arc::new(Previous::from_rows(
            rows.iter().map(|&(c, w)| (c.into(), w.map(Into::into))),
        ))
    }

    /// A previous proposal no first stage returns by itself: the alike children in
    /// reverse order, two a worker.
    fn reversed() -> Arc<Previous> {
        previous(&[
            ("C1", Some("W3")),
            ("C2", Some("W3")),
            ("C3", Some("W2")),
            ("C4", Some("W2")),
            ("C5", Some("W1")),
            ("C6", Some("W1")),
        ])
    }

    #[test]
    fn alike_children_keep_their_own_previous_workers() {
        let instance = alike();
        let was = reversed();
        let plain = solve(&instance, &SolveOptions::default()).expect("solves");
        let unsteady = was.on(&instance).changed_by(&instance, &plain.allocation);
        assert!(unsteady > 0, "the first stage alone changes some");
        let options = SolveOptions {
            previous: Some(Arc::clone(&was)),
            ..SolveOptions::default()
        };
        let stable = solve(&instance, &options).expect("solves");
        let s = stable
            .stability
            .as_ref()
            .expect("a previous proposal was given");
        assert_eq!(s.changed, 0, "{s:?}");
        assert!(s.minimal);
        assert_eq!(
            s.changed,
            was.on(&instance).changed_by(&instance, &stable.allocation)
        );
        assert!(
            (stable.evaluation.objective.total - plain.evaluation.objective.total).abs() < 1e-9,
            "stability costs nothing here"
        );
        assert!(super::super::hard_rule_breaches(&instance, &stable.allocation).is_empty());
    }

    #[test]
    fn a_previous_worker_gone_forces_the_change_and_it_is_counted_not_searched() {
        let instance = alike();
        // W9 is not in the scenario: C1 and C2 must change; C7 (not in the scenario)
        // and cases not in the previous proposal count for nothing.
        let was = previous(&[("C1", Some("W9")), ("C2", Some("W9")), ("C7", Some("W1"))]);
        let options = SolveOptions {
            previous: Some(was),
            ..SolveOptions::default()
        };
        let solution = solve(&instance, &options).expect("solves");
        let s = solution.stability.expect("a previous proposal was given");
        assert_eq!((s.changed, s.first_changed, s.minimal), (2, 2, true));
    }

    #[test]
    fn no_time_left_keeps_the_first_allocation_and_says_it_is_not_proven() {
        let instance = alike();
        // All six with W1: any child may go back, but the band cost keeps most of
        // them away, and carrying back (without the solver) brings none back; only the
        // search could prove how many may.
        let was = previous(&[
            ("C1", Some("W1")),
            ("C2", Some("W1")),
            ("C3", Some("W1")),
            ("C4", Some("W1")),
            ("C5", Some("W1")),
            ("C6", Some("W1")),
        ]);
        let options = SolveOptions {
            previous: Some(Arc::clone(&was)),
            ..SolveOptions::default()
        };
        let first = solve(&instance, &SolveOptions::default()).expect("solves");
        let proofs = [super::PartProof {
            part: super::Part::whole(&instance),
            bound: Some(first.bound),
            status: super::Status::Optimal,
        }];
        let past = std::time::Instant::now() - std::time::Duration::from_secs(1);
        let (allocation, stability) = super::settle(
            &instance,
            first.allocation.clone(),
            &proofs,
            &options,
            1,
            past,
        )
        .expect("settles");
        let s = stability.expect("a previous proposal was given");
        assert_eq!(allocation, first.allocation);
        assert_eq!(s.changed, s.first_changed);
        assert!(s.changed > 0 && !s.minimal, "{s:?}");
    }
}
