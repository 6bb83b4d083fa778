//! Splitting an instance into independent parts: units linked by the workers eligible
//! for them. Parts share no worker, so — unless `max_moves` can bind — their optimal
//! allocations together are optimal for the whole, and they solve in parallel.

use super::formulation::Part;
use crate::model::rules;
use crate::model::Instance;

/// Union-find over units and workers (workers are numbered after units).
struct Sets {
    parent: Vec<usize>,
}

impl Sets {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller root wins, so the result does not depend on visiting order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

/// Whether `max_moves` could bind: the most discretionary moves any allocation could
/// make exceeds it.
pub fn max_moves_can_bind(instance: &Instance) -> bool {
    let most: u64 = (0..instance.units.len())
        .map(|u| {
            instance.units[u]
                .eligible
                .iter()
                .map(|&w| u64::from(instance.discretionary_moves(u, Some(w))))
                .max()
                .unwrap_or(0)
        })
        .sum();
    most > rules::moves_budget(&instance.policy)
}

/// The independent parts of an instance, in order of their first unit. Workers eligible
/// for no unit form no part (they hold nothing after the run). When `max_moves` can bind,
/// the whole instance is one part.
pub fn split(instance: &Instance) -> Vec<Part> {
    if max_moves_can_bind(instance) {
        return vec![Part::whole(instance)];
    }
    let n_units = instance.units.len();
    let mut sets = Sets::new(n_units + instance.workers.len());
    for (u, unit) in instance.units.iter().enumerate() {
        for &w in &unit.eligible {
            sets.union(u, n_units + w);
        }
    }
    let mut index_of_root = vec![usize::MAX; n_units + instance.workers.len()];
    let mut parts: Vec<Part> = Vec::new();
    for u in 0..n_units {
        let root = sets.find(u);
        if index_of_root[root] == usize::MAX {
            index_of_root[root] = parts.len();
            parts.push(Part {
                units: Vec::new(),
                workers: Vec::new(),
            });
        }
        parts[index_of_root[root]].units.push(u);
    }
    for w in 0..instance.workers.len() {
        let root = sets.find(n_units + w);
        if index_of_root[root] != usize::MAX {
            parts[index_of_root[root]].workers.push(w);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Case, Policy, Scenario, Worker};

    fn two_teams(policy: Policy) -> Instance {
        let workers = vec![
            Worker::new("A1").team("A"),
            Worker::new("A2").team("A"),
            Worker::new("B1").team("B"),
        ];
        let cases = vec![
            Case::new("C1").team("A").held_by("A1"),
            Case::new("C2").team("B").held_by("B1"),
            Case::new("C3").team("A"),
        ];
        Instance::new(&Scenario::new(workers, cases, policy)).expect("valid")
    }

    #[test]
    fn teams_without_cross_team_eligibility_are_separate_parts() {
        let parts = split(&two_teams(Policy::default()));
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].units.len() + parts[1].units.len(), 3);
        let workers: Vec<usize> = parts.iter().map(|p| p.workers.len()).collect();
        assert_eq!(workers, vec![2, 1]);
    }

    #[test]
    fn cross_team_or_a_binding_max_moves_makes_one_part() {
        let cross = Policy {
            cross_team: true,
            ..Policy::default()
        };
        assert_eq!(split(&two_teams(cross)).len(), 1);
        let tight = Policy {
            max_moves: 0,
            ..Policy::default()
        };
        assert!(max_moves_can_bind(&two_teams(tight.clone())));
        assert_eq!(split(&two_teams(tight)).len(), 1);
    }
}
