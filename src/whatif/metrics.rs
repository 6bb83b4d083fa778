//! The figures of one solved variant, and their spread across random draws.

use crate::model::{Change, Instance};
use crate::solve::Solution;

macro_rules! metrics {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// One figure of a solved variant; the names are the column names.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Metric {
            $(#[doc = $doc] $variant,)*
        }

        impl Metric {
            /// Every metric, in column order.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant,)*];

            /// The column name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Metric::$variant => $name,)*
                }
            }
        }
    };
}

metrics! {
    Workers => "workers", "Available workers after the changes.";
    Capacity => "capacity", "Their capacity, in points.";
    Cases => "cases", "Children in the scenario.";
    UnallocatedCases => "unallocated_cases", "Children left unallocated.";
    UnallocatedPoints => "unallocated_points", "Their weight, in points.";
    AmberWorkers => "amber_workers", "Available workers in amber (see [`Figures::of`]).";
    RedWorkers => "red_workers", "Available workers in red (see [`Figures::of`]).";
    MeanUtilisation => "mean_utilisation", "Mean load / capacity over available workers.";
    MaxUtilisation => "max_utilisation", "Highest load / capacity of an available worker.";
    Moves => "moves", "Discretionary moves.";
    ForcedMoves => "forced_moves", "Forced moves (the current worker no longer fits).";
    NewAllocations => "new_allocations", "Children without a worker before who have one now.";
    Objective => "objective", "Objective total.";
    ObjectiveUnallocated => "objective_unallocated", "Objective: unallocated term.";
    ObjectiveBands => "objective_bands", "Objective: load bands term.";
    ObjectiveMoves => "objective_moves", "Objective: moves term.";
    ObjectivePreferences => "objective_preferences", "Objective: preferences term.";
    ObjectivePairs => "objective_pairs", "Objective: pairs term (`pairs.csv`; 0 without it).";
    Gap => "gap", "Relative gap between the objective and the solver's bound.";
}

/// Tolerance of the band thresholds, so 22.000000000000004 points of 22 is not red.
const EPS: f64 = 1e-9;

/// The figures of one solved variant, one value per [`Metric`].
#[derive(Clone, Debug, PartialEq)]
pub struct Figures(Vec<f64>);

impl Figures {
    /// The value of a metric.
    pub fn get(&self, metric: Metric) -> f64 {
        self.0[metric as usize]
    }

    /// Figures from values in [`Metric::ALL`] order (for tests and other sources).
    ///
    /// # Panics
    /// If `values` does not have one value per metric.
    pub fn from_values(values: Vec<f64>) -> Self {
        assert_eq!(values.len(), Metric::ALL.len(), "one value per metric");
        Self(values)
    }

    /// The figures of a solution.
    ///
    /// Only available workers with a capacity above 0 count for utilisation. With bands
    /// `… amber, red` (the last two of the policy; 0.85 and 1.00 by default), a worker is
    /// **red** when utilisation is above the last band's `from` (over capacity by
    /// default: exactly full is not red), **amber** when above the one before and not
    /// red; this is the band whose cost the worker's last point of load pays.
    pub fn of(instance: &Instance, solution: &Solution) -> Self {
        let eval = &solution.evaluation;
        let bands = &instance.policy.bands;
        let red_from = bands.last().map_or(f64::INFINITY, |b| b.from);
        let amber_from = bands
            .len()
            .checked_sub(2)
            .map_or(f64::INFINITY, |i| bands[i].from);
        let (mut workers, mut capacity, mut amber, mut red) = (0.0, 0.0, 0.0, 0.0);
        let mut utilisations = Vec::new();
        for (w, worker) in instance.workers.iter().enumerate() {
            if !worker.available {
                continue;
            }
            workers += 1.0;
            capacity += instance.capacity[w];
            let load = eval.loads[w].load_after;
            let u = if instance.capacity[w] > 0.0 {
                let u = load / instance.capacity[w];
                utilisations.push(u);
                u
            } else if load > 0.0 {
                f64::INFINITY
            } else {
                continue;
            };
            if u > red_from + EPS {
                red += 1.0;
            } else if u > amber_from + EPS {
                amber += 1.0;
            }
        }
        let mean_u = if utilisations.is_empty() {
            0.0
        } else {
            utilisations.iter().sum::<f64>() / utilisations.len() as f64
        };
        let max_u = utilisations.iter().copied().fold(0.0, f64::max);
        let unallocated_points: f64 = instance
            .cases
            .iter()
            .zip(&eval.change)
            .filter(|(_, &ch)| ch == Change::Unallocated)
            .map(|(c, _)| c.weight)
            .sum();
        let o = &eval.objective;
        let count = |ch| eval.count(ch) as f64;
        let values = vec![
            workers,
            capacity,
            instance.cases.len() as f64,
            count(Change::Unallocated),
            unallocated_points,
            amber,
            red,
            mean_u,
            max_u,
            f64::from(eval.moves),
            count(Change::Forced),
            count(Change::New),
            o.total,
            o.unallocated,
            o.bands,
            o.moves,
            o.preferences,
            o.pairs,
            solution.gap,
        ];
        // `+ 0.0` turns the -0.0 of an empty sum into 0.
        Self(values.into_iter().map(|v| v + 0.0).collect())
    }
}

/// Mean, 10th and 90th percentile of a figure across draws.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Spread {
    /// Arithmetic mean.
    pub mean: f64,
    /// 10th percentile.
    pub p10: f64,
    /// 90th percentile.
    pub p90: f64,
}

impl Spread {
    /// The spread of `values`; `None` when there are none. Percentiles interpolate
    /// linearly between order statistics (rank `p × (n − 1)`, as numpy and R's type 7).
    pub fn of(values: &[f64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Self {
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            p10: percentile(&sorted, 0.10),
            p90: percentile(&sorted, 0.90),
        })
    }
}

/// The `p` quantile of sorted, non-empty values, linearly interpolated.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = p * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    let frac = rank - low as f64;
    if low == high {
        sorted[low]
    } else {
        sorted[low] + (sorted[high] - sorted[low]) * frac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_of_known_numbers() {
        let values: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let s = Spread::of(&values).expect("values");
        assert!((s.mean - 5.5).abs() < 1e-12);
        assert!((s.p10 - 1.9).abs() < 1e-12, "{}", s.p10);
        assert!((s.p90 - 9.1).abs() < 1e-12, "{}", s.p90);
        let one = Spread::of(&[4.0]).expect("one value");
        assert_eq!((one.mean, one.p10, one.p90), (4.0, 4.0, 4.0));
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn metric_names_are_unique_and_in_order() {
        let names: std::collections::BTreeSet<_> = Metric::ALL.iter().map(|m| m.name()).collect();
        assert_eq!(names.len(), Metric::ALL.len());
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i);
        }
    }
}
