//! Pricing: one worker's cheapest whole caseload at given duals, exactly.
//!
//! A caseload of worker `w` is a count `a_j` of units of each class it may hold (its
//! choices `j`). Its cost is `band_w(Σ_j a_j steps_j) + Σ_j a_j cost_j`, and it is
//! feasible when its load, cases and new cases are within `w`'s limits
//! ([`super::team::TeamWorker`]) and each count within `[lo_j, hi_j]` (the class's size,
//! narrowed by branching). Given the duals `π_k` of the class rows, pricing finds the
//! feasible caseload minimising `cost(a) − Σ_j π_{k(j)} a_j`.
//!
//! The band cost depends on the load alone and the rest is linear, so a dynamic program
//! over states (load in steps, cases, new cases) is exact: classes are taken one at a
//! time, `V_j(s') = min_t V_{j−1}(s' − t·δ_j) + t·(cost_j − π_{k(j)})` for `t` in
//! `[lo_j, hi_j]`, and the answer is `min_s band(load(s)) + V_J(s)`. A dimension whose
//! limit no caseload reaches is left out. Time `O(states × Σ_j (hi_j − lo_j + 1))`.

use super::team::TeamWorker;

/// The best caseload found by [`price`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Priced {
    /// Units of each of the worker's choices.
    pub(crate) counts: Vec<u32>,
    /// Its cost: band cost plus each unit's own cost.
    pub(crate) cost: f64,
    /// `cost − Σ_j π_{k(j)} counts_j`.
    pub(crate) value: f64,
}

/// The state space of one worker's table.
struct Dims {
    loads: usize,
    cases: usize,
    news: usize,
}

impl Dims {
    fn of(worker: &TeamWorker) -> Self {
        Dims {
            loads: worker.max_steps as usize + 1,
            cases: worker.max_cases.map_or(1, |c| c as usize + 1),
            news: worker.max_new.map_or(1, |n| n as usize + 1),
        }
    }

    fn len(&self) -> usize {
        self.loads * self.cases * self.news
    }

    fn index(&self, l: usize, c: usize, n: usize) -> usize {
        (l * self.cases + c) * self.news + n
    }
}

/// The table of minimum values `V_J` with each stage's chosen count, for per-unit
/// values `r_j` and bounds `[lo_j, hi_j]`.
fn table(worker: &TeamWorker, r: &[f64], bounds: &[(u32, u32)]) -> (Dims, Vec<f64>, Vec<u32>) {
    let d = Dims::of(worker);
    let size = d.len();
    let mut value = vec![f64::INFINITY; size];
    value[0] = 0.0;
    let mut next = vec![f64::INFINITY; size];
    let mut chosen = vec![0u32; worker.options.len() * size];
    let track_cases = worker.max_cases.is_some();
    let track_new = worker.max_new.is_some();
    for (j, (o, &(lo, hi))) in worker.options.iter().zip(bounds).enumerate() {
        next.fill(f64::INFINITY);
        let stage = &mut chosen[j * size..(j + 1) * size];
        for l in 0..d.loads {
            for c in 0..d.cases {
                for n in 0..d.news {
                    let v = value[d.index(l, c, n)];
                    if v == f64::INFINITY {
                        continue;
                    }
                    for t in lo..=hi {
                        let t_ = t as usize;
                        let l2 = l + t_ * o.steps as usize;
                        let c2 = if track_cases {
                            c + t_ * o.cases as usize
                        } else {
                            c
                        };
                        let n2 = if track_new {
                            n + t_ * o.new_cases as usize
                        } else {
                            n
                        };
                        if l2 >= d.loads || c2 >= d.cases || n2 >= d.news {
                            break;
                        }
                        let s2 = d.index(l2, c2, n2);
                        let candidate = v + f64::from(t) * r[j];
                        if candidate < next[s2] {
                            next[s2] = candidate;
                            stage[s2] = t;
                        }
                    }
                }
            }
        }
        std::mem::swap(&mut value, &mut next);
    }
    (d, value, chosen)
}

/// The counts that reach state `s` of the table.
fn counts_to(worker: &TeamWorker, d: &Dims, chosen: &[u32], mut s: usize) -> Vec<u32> {
    let size = d.len();
    let mut counts = vec![0u32; worker.options.len()];
    for (j, o) in worker.options.iter().enumerate().rev() {
        let t = chosen[j * size + s] as usize;
        counts[j] = t as u32;
        let (l, rest) = (s / (d.cases * d.news), s % (d.cases * d.news));
        let (c, n) = (rest / d.news, rest % d.news);
        let c = if worker.max_cases.is_some() {
            c - t * o.cases as usize
        } else {
            c
        };
        let n = if worker.max_new.is_some() {
            n - t * o.new_cases as usize
        } else {
            n
        };
        s = d.index(l - t * o.steps as usize, c, n);
    }
    counts
}

/// The worker's caseload minimising `cost − Σ π·counts` within `bounds` (per choice),
/// where `pi[k]` is the dual of class `k`; `None` when no caseload is within the bounds.
pub(crate) fn price(worker: &TeamWorker, pi: &[f64], bounds: &[(u32, u32)]) -> Option<Priced> {
    let r: Vec<f64> = worker
        .options
        .iter()
        .map(|o| o.cost - pi[o.class])
        .collect();
    let (d, value, chosen) = table(worker, &r, bounds);
    let mut best: Option<(f64, usize)> = None;
    for l in 0..d.loads {
        for c in 0..d.cases {
            for n in 0..d.news {
                let s = d.index(l, c, n);
                let v = worker.band[l] + value[s];
                if v < best.map_or(f64::INFINITY, |b| b.0) {
                    best = Some((v, s));
                }
            }
        }
    }
    let (_, s) = best?;
    let counts = counts_to(worker, &d, &chosen, s);
    let cost = worker.cost_of(&counts)?;
    let value = cost
        - worker
            .options
            .iter()
            .zip(&counts)
            .map(|(o, &t)| pi[o.class] * f64::from(t))
            .sum::<f64>();
    Some(Priced {
        counts,
        cost,
        value,
    })
}

/// The largest load, in steps, the worker can reach with whole units within `bounds`
/// and all its limits (0 if it can hold nothing).
pub(crate) fn max_load(worker: &TeamWorker, bounds: &[(u32, u32)]) -> u32 {
    let r = vec![0.0; worker.options.len()];
    let (d, value, _) = table(worker, &r, bounds);
    (0..d.loads)
        .rev()
        .find(|&l| (0..d.cases).any(|c| (0..d.news).any(|n| value[d.index(l, c, n)].is_finite())))
        .map_or(0, |l| l as u32)
}
