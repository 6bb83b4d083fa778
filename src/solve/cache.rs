//! Remembering solved parts, so a batch of similar scenarios solves each distinct part once.
//!
//! A what-if batch solves many variants of one service; a variant that changes one team
//! leaves the other teams' programs exactly as they were. A part's program, its MIP start
//! and the solver settings are all functions of the part's own data, read here in the
//! part's order into a [`PartKey`]; HiGHS is deterministic, so two parts with the same key
//! get the same answer, and the second can take the first one's. Only proven-optimal
//! answers are kept: one cut short by a time limit depends on the machine's speed.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::formulation::Part;
use super::Status;
use crate::model::Instance;

/// Most parts a cache holds (about 2 KB each for a team); later ones are not kept.
const CAPACITY: usize = 50_000;

/// What determines a part's answer, digested to 128 bits (two independent 64-bit hashes
/// of the same numbers: a false match is as likely as guessing a 128-bit number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartKey([u64; 2]);

impl PartKey {
    /// The key of a part: every number its program and MIP start are built from, in the
    /// part's order, with workers named by their position in the part. `start` is the
    /// whole instance's MIP start (if one is handed to the solver); `settings` the solver
    /// settings that can change the answer.
    pub fn of(
        instance: &Instance,
        part: &Part,
        start: Option<&[Option<usize>]>,
        settings: &[u64],
    ) -> Self {
        let mut numbers = Vec::with_capacity(16 + part.units.len() * 40);
        numbers.extend_from_slice(settings);
        let policy = &instance.policy;
        numbers.push(policy.bands.len() as u64);
        for band in &policy.bands {
            numbers.extend([band.from.to_bits(), band.cost.to_bits()]);
        }
        let weights = policy.weights;
        numbers.extend([
            weights.move_.to_bits(),
            weights.preference.to_bits(),
            policy.max_moves,
        ]);
        let local = |w: usize| {
            part.workers
                .binary_search(&w)
                .map_or(u64::MAX, |i| i as u64)
        };
        numbers.push(part.workers.len() as u64);
        for &w in &part.workers {
            numbers.extend([
                instance.capacity[w].to_bits(),
                instance.load_limit(w).map_or(u64::MAX, f64::to_bits),
                instance.count_limit(w).map_or(u64::MAX, u64::from),
                instance.workers[w].max_new.map_or(u64::MAX, u64::from),
            ]);
        }
        numbers.push(part.units.len() as u64);
        for &u in &part.units {
            let unit = &instance.units[u];
            numbers.extend([
                unit.cases.len() as u64,
                u64::from(unit.must_allocate),
                instance.unallocated_cost(u).to_bits(),
                start.map_or(u64::MAX - 1, |s| s[u].map_or(u64::MAX, local)),
                unit.eligible.len() as u64,
            ]);
            for &w in &unit.eligible {
                numbers.extend([
                    local(w),
                    u64::from(instance.new_cases(u, w)),
                    u64::from(instance.discretionary_moves(u, Some(w))),
                    u64::from(instance.missing_preferences(u, w)),
                    instance.unit_weight_on(u, w).to_bits(),
                    instance.unit_pair_cost(u, w).to_bits(),
                ]);
            }
        }
        let digest = |salt: u64| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            salt.hash(&mut h);
            numbers.hash(&mut h);
            h.finish()
        };
        PartKey([digest(0x9e37_79b9_7f4a_7c15), digest(0xc2b2_ae3d_27d4_eb4f)])
    }
}

/// A solved part, in the part's own terms: units and workers by position in the part.
#[derive(Clone, Debug)]
pub struct CachedPart {
    /// `(unit position, worker position)` for each decision; `None` = unallocated.
    pub decisions: Vec<(u32, Option<u32>)>,
    /// The bound the solver proved.
    pub bound: Option<f64>,
    /// The objective the solver computed for its answer.
    pub solver_objective: Option<f64>,
}

impl CachedPart {
    /// Records a part's decisions `(unit, worker)` in the part's own terms.
    pub fn new(
        part: &Part,
        decisions: &[(usize, Option<usize>)],
        bound: Option<f64>,
        solver_objective: Option<f64>,
    ) -> Option<Self> {
        let position = |list: &[usize], x: usize| list.binary_search(&x).ok().map(|i| i as u32);
        let decisions = decisions
            .iter()
            .map(|&(u, w)| {
                let unit = position(&part.units, u)?;
                match w {
                    Some(w) => Some((unit, Some(position(&part.workers, w)?))),
                    None => Some((unit, None)),
                }
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            decisions,
            bound,
            solver_objective,
        })
    }

    /// The decisions in the instance's terms, for a part with the same key.
    pub fn decisions_for(&self, part: &Part) -> Vec<(usize, Option<usize>)> {
        self.decisions
            .iter()
            .map(|&(u, w)| (part.units[u as usize], w.map(|w| part.workers[w as usize])))
            .collect()
    }
}

/// Proven-optimal answers of parts, shared by the solves of a batch (thread-safe).
#[derive(Debug, Default)]
pub struct PartCache {
    parts: Mutex<HashMap<PartKey, CachedPart>>,
    lookups: AtomicU64,
    hits: AtomicU64,
}

impl PartCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The answer for a key, if a part with that key was solved to optimality.
    pub fn get(&self, key: &PartKey) -> Option<CachedPart> {
        let found = super::scheduler::lock(&self.parts).get(key).cloned();
        self.lookups.fetch_add(1, Ordering::Relaxed);
        if found.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    /// Keeps a part's answer if it is proven optimal and there is room.
    pub fn put(&self, key: PartKey, status: Status, part: CachedPart) {
        if status != Status::Optimal {
            return;
        }
        let mut parts = super::scheduler::lock(&self.parts);
        if parts.len() < CAPACITY {
            parts.entry(key).or_insert(part);
        }
    }

    /// Parts looked up so far.
    pub fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// Parts answered from the cache so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Parts held.
    pub fn len(&self) -> usize {
        super::scheduler::lock(&self.parts).len()
    }

    /// Whether it holds no part.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
