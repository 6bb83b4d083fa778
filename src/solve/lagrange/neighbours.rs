//! Where the LP's solution differs from an allocation: sets of workers across teams that
//! a small program can re-pack together.
//!
//! On the 30-team cross-team trust of seed 1, once the pairs of teams and the guided solve
//! stall (1,070,105 against the LP bound 1,058,732), the units' own reduced costs explain
//! only about 1,400 of the 11,400 points between them; the rest is capacity the LP fills
//! with fractions and the allocation leaves unused or fills with the wrong units. Those
//! packings join workers of any teams, which pairs of teams cannot reach. Here a unit
//! links its holder (or, waiting, nobody) to each worker the LP gives some of it or
//! prices as nearly free for it; a set grows from a worker with many links by adding the
//! worker most linked to the set, and takes the units its workers hold and the waiting
//! units linked to it ([`candidates::among_workers`](crate::solve::candidates::among_workers)).

use std::collections::BTreeMap;

use super::Prices;
use crate::model::{Allocation, Instance};

/// Workers in a set (a program of a few thousand columns: HiGHS proves it in about a
/// second).
pub(crate) const SET_WORKERS: usize = 6;

/// Links between workers where the LP and `around` differ: `links[w]` maps each worker
/// linked to `w` to the number of units linking them, and `waiting[w]` counts the
/// unallocated units linked to `w`. A unit links its holder to each worker that the LP's
/// solution gives some of it or whose column costs at most `tau` in reduced cost.
struct Links {
    links: Vec<BTreeMap<usize, usize>>,
    waiting: Vec<usize>,
}

impl Links {
    fn new(instance: &Instance, prices: &Prices, around: &Allocation, tau: f64) -> Self {
        let workers = instance.workers.len();
        let mut links = vec![BTreeMap::new(); workers];
        let mut waiting = vec![0; workers];
        for u in 0..instance.units.len() {
            let holder = around.units[u];
            for w in wanted(prices, u, tau) {
                match holder {
                    Some(h) if h == w => {}
                    Some(h) => {
                        *links[h].entry(w).or_insert(0) += 1;
                        *links[w].entry(h).or_insert(0) += 1;
                    }
                    None => waiting[w] += 1,
                }
            }
        }
        Self { links, waiting }
    }

    /// How much the LP would change around `w`.
    fn score(&self, w: usize) -> usize {
        self.links[w].values().sum::<usize>() + self.waiting[w]
    }
}

/// The workers the LP gives some of unit `u` or prices at most `tau` for it.
fn wanted(prices: &Prices, u: usize, tau: f64) -> impl Iterator<Item = usize> + '_ {
    let support = prices.support.get(u).map_or(&[][..], |s| &s[..]);
    let cheap = prices.reduced.get(u).map_or(&[][..], |r| &r[..]);
    support.iter().copied().chain(
        cheap
            .iter()
            .filter(move |&&(w, rc)| rc <= tau && !support.contains(&w))
            .map(|&(w, _)| w),
    )
}

/// Up to `count` sets of at most [`SET_WORKERS`] workers (each ascending) around
/// `around`, grown from the workers with most links in decreasing order, starting at the
/// `skip`-th of them (so successive calls try other seeds); each with the waiting units
/// it should take: those the LP gives some of to, or prices at most `tau` on, one of its
/// workers.
pub(crate) fn worker_sets(
    instance: &Instance,
    prices: &Prices,
    around: &Allocation,
    tau: f64,
    skip: usize,
    count: usize,
) -> Vec<(Vec<usize>, Vec<usize>)> {
    let links = Links::new(instance, prices, around, tau);
    let mut seeds: Vec<usize> = (0..instance.workers.len())
        .filter(|&w| links.score(w) > 0)
        .collect();
    seeds.sort_by_key(|&w| (std::cmp::Reverse(links.score(w)), w));
    if seeds.is_empty() {
        return Vec::new();
    }
    let waiting_units: Vec<usize> = (0..instance.units.len())
        .filter(|&u| around.units[u].is_none())
        .collect();
    let mut sets = Vec::with_capacity(count);
    for i in 0..count.min(seeds.len()) {
        let seed = seeds[(skip + i) % seeds.len()];
        let mut set = vec![seed];
        while set.len() < SET_WORKERS {
            let mut to_set: BTreeMap<usize, usize> = BTreeMap::new();
            for &w in &set {
                for (&v, &n) in &links.links[w] {
                    if !set.contains(&v) {
                        *to_set.entry(v).or_insert(0) += n;
                    }
                }
            }
            let Some((&next, _)) = to_set
                .iter()
                .max_by_key(|&(&v, &n)| (n, std::cmp::Reverse(v)))
            else {
                break;
            };
            set.push(next);
        }
        set.sort_unstable();
        let waiting: Vec<usize> = waiting_units
            .iter()
            .copied()
            .filter(|&u| wanted(prices, u, tau).any(|w| set.binary_search(&w).is_ok()))
            .collect();
        sets.push((set, waiting));
    }
    sets
}
