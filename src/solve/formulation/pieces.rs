//! The pieces a part's program is made of before any variable: the grid of loads a
//! worker can reach, the band cost cut into pieces on that grid, and the classes of
//! interchangeable units.

use crate::model::{Before, Instance, Was};

/// Scales tried for a worker's grid of loads: every weight it could hold × q is whole
/// (quarter points: q = 4).
pub(crate) const GRID_SCALES: [f64; 10] = [1.0, 2.0, 4.0, 5.0, 8.0, 10.0, 20.0, 25.0, 50.0, 100.0];

/// The grid step of the loads worker `w` can reach holding some of `units` (each weight
/// a whole number of steps), if there is a coarse one.
pub(crate) fn load_grid(instance: &Instance, w: usize, units: &[usize]) -> Option<f64> {
    let weights: Vec<f64> = units
        .iter()
        .filter(|&&u| instance.units[u].is_eligible(w))
        .map(|&u| instance.unit_weight_on(u, w))
        .collect();
    GRID_SCALES
        .into_iter()
        .find(|&q| {
            weights
                .iter()
                .all(|&x| ((x * q).round() - x * q).abs() <= 1e-9 * q)
        })
        .map(|q| 1.0 / q)
}

/// The largest multiple of `g` at most `x` (up to rounding error).
pub(crate) fn floor_to(x: f64, g: f64) -> f64 {
    (x / g + 1e-9).floor() * g
}

/// A worker's band cost as linear pieces `(start, end, cost a point)`, free below the
/// first start.
///
/// Without a grid these are the policy's bands. When every load the worker can reach lies
/// on a grid, each band boundary inside a grid step is replaced by the chord across that
/// step: the cost is unchanged at every reachable load, still convex, and the LP
/// relaxation can no longer stop a worker's load just below a boundary that no
/// allocation can stop at (a 19.8-point capacity with quarter-point cases).
pub(crate) fn band_pieces(
    instance: &Instance,
    w: usize,
    grid: Option<f64>,
) -> Vec<(f64, f64, f64)> {
    let policy = &instance.policy;
    let cap = instance.capacity[w];
    let starts: Vec<f64> = policy.bands.iter().map(|b| b.from * cap).collect();
    let Some(g) = grid else {
        return policy
            .bands
            .iter()
            .enumerate()
            .map(|(b, band)| {
                let end = starts.get(b + 1).copied().unwrap_or(f64::INFINITY);
                (starts[b], end, band.cost)
            })
            .collect();
    };
    let Some(last) = policy.bands.last() else {
        return Vec::new();
    };
    let mut points: Vec<f64> = Vec::with_capacity(2 * starts.len());
    for &p in &starts {
        points.push(floor_to(p, g));
        points.push((p / g - 1e-9).ceil() * g);
    }
    points.sort_by(f64::total_cmp);
    points.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * g);
    let cost = |load: f64| policy.band_cost(load, cap);
    let mut pieces: Vec<(f64, f64, f64)> = points
        .windows(2)
        .map(|p| (p[0], p[1], (cost(p[1]) - cost(p[0])) / (p[1] - p[0])))
        .collect();
    pieces.push((points[points.len() - 1], f64::INFINITY, last.cost));
    pieces
}

/// What makes units interchangeable: equal coefficients everywhere in the program.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Signature {
    weight: u64,
    cases: usize,
    unallocated_cost: u64,
    must_allocate: bool,
    /// Per eligible worker: (worker, new cases, discretionary moves, missing preferences,
    /// weight on the worker, pair cost) — floats as bits.
    eligible: Vec<(usize, u32, u32, u32, u64, u64)>,
    /// Where each of the unit's cases was in the previous proposal (the stable stage
    /// only: otherwise empty).
    before: Vec<Before>,
}

/// Groups units into classes of interchangeable units, in order of their first unit. Two
/// new referrals of the same kind, or two children of one worker with the same needs,
/// are interchangeable: counting them together removes symmetric solutions the solver
/// would otherwise have to tell apart. With `was` (the stable stage), units are also
/// alike only when their cases were alike in the previous proposal.
pub(super) fn classes(instance: &Instance, units: &[usize], was: Option<&Was>) -> Vec<Vec<usize>> {
    let mut index: std::collections::BTreeMap<Signature, usize> = Default::default();
    let mut classes: Vec<Vec<usize>> = Vec::new();
    for &u in units {
        let unit = &instance.units[u];
        let signature = Signature {
            weight: unit.weight.to_bits(),
            cases: unit.cases.len(),
            unallocated_cost: instance.unallocated_cost(u).to_bits(),
            must_allocate: unit.must_allocate,
            eligible: unit
                .eligible
                .iter()
                .map(|&w| {
                    (
                        w,
                        instance.new_cases(u, w),
                        instance.discretionary_moves(u, Some(w)),
                        instance.missing_preferences(u, w),
                        instance.unit_weight_on(u, w).to_bits(),
                        instance.unit_pair_cost(u, w).to_bits(),
                    )
                })
                .collect(),
            before: was.map_or_else(Vec::new, |was| was.profile(instance, u)),
        };
        match index.get(&signature) {
            Some(&k) => classes[k].push(u),
            None => {
                index.insert(signature, classes.len());
                classes.push(vec![u]);
            }
        }
    }
    classes
}
