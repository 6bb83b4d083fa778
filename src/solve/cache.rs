//! Remembering solved parts, so a batch of similar scenarios solves each distinct part once.
//!
//! A what-if batch solves many variants of one service; a variant that changes one team
//! leaves the other teams' programs exactly as they were. A part's answer is a function
//! of the program handed to HiGHS, its MIP start and the solver settings: their numbers,
//! read from the built program (`Formulation::key_numbers`), are digested into a
//! [`PartKey`]. HiGHS is deterministic, so two parts with the same key get the same
//! answer, and the second can take the first one's; whatever changes the program (a
//! coefficient, a bound, a row added to the formulation) changes the key. Only
//! proven-optimal answers are kept: one cut short by a time limit depends on the
//! machine's speed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use super::formulation::{Formulation, Part};
use super::Status;

/// Most parts a cache holds (about 2 KB each for a team); later ones are not kept.
const CAPACITY: usize = 50_000;

/// What determines a part's answer, digested to 128 bits by xxh3-128: a false match is
/// as likely as guessing a 128-bit number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartKey(u128);

impl PartKey {
    /// The key of a part's program as built (before it is handed to HiGHS), with the
    /// column values of its MIP start (if one is handed to the solver) and `settings`,
    /// the solver settings that can change the answer.
    pub fn of(formulation: &Formulation<'_>, mip_start: Option<&[f64]>, settings: &[u64]) -> Self {
        let program = formulation.key_numbers();
        let mut numbers = Vec::with_capacity(settings.len() + program.len() + 8);
        numbers.push(settings.len() as u64);
        numbers.extend_from_slice(settings);
        numbers.extend(program);
        match mip_start {
            Some(values) => {
                numbers.push(values.len() as u64);
                numbers.extend(values.iter().map(|v| v.to_bits()));
            }
            None => numbers.push(u64::MAX),
        }
        let bytes: Vec<u8> = numbers.iter().flat_map(|n| n.to_le_bytes()).collect();
        PartKey(xxhash_rust::xxh3::xxh3_128(&bytes))
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
        let found = super::lock(&self.parts).get(key).cloned();
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
        let mut parts = super::lock(&self.parts);
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
        super::lock(&self.parts).len()
    }

    /// Whether it holds no part.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Case, Instance, Policy, Scenario, Worker};

    /// Two teams alike but for their names: their programs are the same.
    fn twin_teams(capacity_b: f64) -> Instance {
        let workers = vec![
            Worker::new("A1").team("A").capacity(10.0),
            Worker::new("A2").team("A").capacity(10.0),
            Worker::new("B1").team("B").capacity(10.0),
            Worker::new("B2").team("B").capacity(capacity_b),
        ];
        let cases = vec![
            Case::new("A-C1").team("A").weight(2.0).held_by("A1"),
            Case::new("A-C2").team("A").weight(1.5),
            Case::new("B-C1").team("B").weight(2.0).held_by("B1"),
            Case::new("B-C2").team("B").weight(1.5),
        ];
        Instance::new(&Scenario::new(workers, cases, Policy::default())).expect("valid")
    }

    fn key(f: &Formulation<'_>) -> PartKey {
        PartKey::of(f, None, &[1])
    }

    fn team_parts(instance: &Instance) -> Vec<Part> {
        let parts = super::super::parts::split(instance);
        assert_eq!(parts.len(), 2, "one part per team");
        parts
    }

    #[test]
    fn identical_programs_have_identical_keys() {
        let instance = twin_teams(10.0);
        let parts = team_parts(&instance);
        let a = Formulation::build_part(&instance, parts[0].clone());
        let b = Formulation::build_part(&instance, parts[1].clone());
        assert_eq!(key(&a), key(&b), "twin teams share an answer");
        let again = Formulation::build_part(&instance, parts[0].clone());
        assert_eq!(key(&a), key(&again));
    }

    #[test]
    fn a_row_added_to_the_program_changes_the_key() {
        let instance = twin_teams(10.0);
        let part = team_parts(&instance).remove(0);
        let plain = key(&Formulation::build_part(&instance, part.clone()));
        let with_row = |coefficient: f64, bound: f64| {
            let mut f = Formulation::build_part(&instance, part.clone());
            let x = f.pairs[0][0].x.var;
            f.constraints.push((coefficient * x).leq(bound));
            key(&f)
        };
        let extra = with_row(1.0, 1.0);
        assert_ne!(plain, extra, "an extra row must change the key");
        assert_ne!(extra, with_row(2.0, 1.0), "a coefficient");
        assert_ne!(extra, with_row(1.0, 0.5), "a bound");
        assert_eq!(extra, with_row(1.0, 1.0));
    }

    #[test]
    fn a_coefficient_a_limit_the_mip_start_or_a_setting_changes_the_key() {
        let instance = twin_teams(10.0);
        let parts = team_parts(&instance);
        let b = Formulation::build_part(&instance, parts[1].clone());
        // B2's capacity moves its band rows' bounds and band columns' widths.
        let other = twin_teams(12.0);
        let b_other = Formulation::build_part(&other, team_parts(&other)[1].clone());
        assert_ne!(key(&b), key(&b_other));
        let start = vec![0.0; b.columns()];
        let mut moved = start.clone();
        moved[0] = 1.0;
        let with_start = PartKey::of(&b, Some(&start), &[1]);
        assert_ne!(key(&b), with_start);
        assert_ne!(with_start, PartKey::of(&b, Some(&moved), &[1]));
        assert_ne!(key(&b), PartKey::of(&b, None, &[2]));
    }
}
