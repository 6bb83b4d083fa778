//! The knapsack floor: a valid lower bound on the unallocated cost of a part.
//!
//! Let `m_k` be the least load, in steps, a unit of class `k` has on any worker eligible
//! for it, and `usable_w` the largest load worker `w` can reach with whole units under
//! all its limits ([`super::pricing::max_load`]). Whatever is allocated, each worker
//! holds at most `usable_w`, so with `y_k` the units of class `k` left unallocated
//!
//! ```text
//! Σ_k m_k (n_k − y_k) ≤ Σ_w usable_w,   i.e.   Σ_k m_k y_k ≥ R = Σ_k m_k n_k − Σ_w usable_w.
//! ```
//!
//! The cheapest whole `y` meeting that — `F = min Σ_k U_k y_k` over integers
//! `0 ≤ y_k ≤ n_k` (0 for classes that must be allocated) with `Σ_k m_k y_k ≥ R` — is an
//! exact covering knapsack, solved by dynamic programming over the steps still to
//! cover. Every allocation then has unallocated cost `Σ_k U_k y_k ≥ F`: the floor row
//! of the master. The LP alone may leave fractions of many cheap units unallocated to
//! cover `R`; the row makes it pay for whole ones.

use super::pricing::max_load;
use super::team::Team;

/// Most steps to cover for which the floor is computed (beyond it, no row).
const MAX_COVER: u64 = 1_000_000;

/// Most (unit × step) updates of the covering knapsack.
const MAX_WORK: u64 = 50_000_000;

/// The floor row `Σ_k U_k y_k ≥ F` over the classes some worker may hold.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Floor {
    /// `F`.
    pub(crate) value: f64,
    /// Whether class `k` is in the row (some worker may hold it).
    pub(crate) classes: Vec<bool>,
}

/// The floor row, or `None` when there is nothing to cover (or too much to compute).
pub(crate) fn floor(team: &Team) -> Option<Floor> {
    let mut least: Vec<Option<u32>> = vec![None; team.classes.len()];
    for worker in &team.workers {
        for o in &worker.options {
            let m = &mut least[o.class];
            *m = Some(m.map_or(o.steps, |x| x.min(o.steps)));
        }
    }
    let demand: u64 = team
        .classes
        .iter()
        .zip(&least)
        .map(|(k, m)| u64::from(m.unwrap_or(0)) * u64::from(k.size()))
        .sum();
    let usable: u64 = team
        .workers
        .iter()
        .map(|w| {
            let bounds: Vec<(u32, u32)> = w
                .options
                .iter()
                .map(|o| (0, team.classes[o.class].size()))
                .collect();
            u64::from(max_load(w, &bounds))
        })
        .sum();
    let cover = demand.checked_sub(usable).filter(|&r| r > 0)?;
    let items: u64 = team.classes.iter().map(|k| u64::from(k.size())).sum();
    if cover > MAX_COVER || cover.saturating_mul(items) > MAX_WORK {
        return None;
    }
    let r = cover as usize;
    // best[c]: least cost of whole units covering at least c steps (c capped at r).
    let mut best = vec![f64::INFINITY; r + 1];
    best[0] = 0.0;
    for (k, m) in team.classes.iter().zip(&least) {
        let (Some(cost), Some(m)) = (k.unallocated, *m) else {
            continue;
        };
        let m = m as usize;
        // Each unit of the class as its own 0/1 item (sizes are small).
        for _ in 0..k.size() {
            for c in (0..=r).rev() {
                let from = best[c.saturating_sub(m)];
                if c > 0 && from + cost < best[c] {
                    best[c] = from + cost;
                }
            }
        }
    }
    best[r].is_finite().then(|| Floor {
        value: best[r],
        classes: least.iter().map(Option::is_some).collect(),
    })
}
