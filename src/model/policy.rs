//! The policy: limits, bands and weights that shape the objective (`policy.toml`).

/// Whether capacity is a hard limit or only priced by the load bands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CapacityMode {
    /// Nobody is pushed over `max(capacity, load before the run)`.
    Hard,
    /// Capacity may be exceeded, at the price of the bands.
    Soft,
}

/// One segment of the convex load cost: above `from × capacity`, each point of load costs `cost`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Band {
    /// Start of the band as a fraction of capacity (≥ 0, strictly increasing across bands).
    pub from: f64,
    /// Marginal cost of a point of load in this band (≥ 0, non-decreasing across bands).
    pub cost: f64,
}

/// Weights of the soft objective terms.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Weights {
    /// Per point of an unallocated case, times its priority.
    pub unallocated: f64,
    /// Per discretionary move.
    #[serde(rename = "move")]
    pub move_: f64,
    /// Per preferred tag the worker lacks.
    pub preference: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            unallocated: 1000.0,
            move_: 20.0,
            preference: 2.0,
        }
    }
}

/// Everything `policy.toml` can set; every field has the documented default.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Policy {
    /// Capacity of a 1.0 FTE worker, in points. Default 22.
    pub standard_capacity: f64,
    /// Hard or soft capacity. Default hard.
    pub capacity: CapacityMode,
    /// May a case with a team go to a worker of another team? Default false.
    pub cross_team: bool,
    /// Most discretionary moves in one run. Default 1,000,000.
    pub max_moves: u64,
    /// Wall-clock limit for the solve, in seconds. Default 60.
    pub time_limit_s: f64,
    /// Solver threads; 0 means all cores. Default 0.
    pub threads: u32,
    /// Convex piecewise-linear load cost. Default 0.70→1, 0.85→5, 1.00→50.
    pub bands: Vec<Band>,
    /// Objective weights.
    pub weights: Weights,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            standard_capacity: 22.0,
            capacity: CapacityMode::Hard,
            cross_team: false,
            max_moves: 1_000_000,
            time_limit_s: 60.0,
            threads: 0,
            bands: vec![
                Band {
                    from: 0.70,
                    cost: 1.0,
                },
                Band {
                    from: 0.85,
                    cost: 5.0,
                },
                Band {
                    from: 1.00,
                    cost: 50.0,
                },
            ],
            weights: Weights::default(),
        }
    }
}

impl Policy {
    /// The band cost of holding `load` points with `capacity`:
    /// `Σ_b cost_b × clamp(load − from_b × capacity, 0, (from_{b+1} − from_b) × capacity)`,
    /// the last band unbounded above.
    pub fn band_cost(&self, load: f64, capacity: f64) -> f64 {
        let mut total = 0.0;
        for (i, band) in self.bands.iter().enumerate() {
            let start = band.from * capacity;
            let above = load - start;
            if above <= 0.0 {
                break;
            }
            let width = self
                .bands
                .get(i + 1)
                .map_or(f64::INFINITY, |next| (next.from - band.from) * capacity);
            total += band.cost * above.min(width);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_cost_is_piecewise_linear_with_default_bands() {
        let p = Policy::default();
        // capacity 20: bands start at 14, 17, 20.
        assert!(p.band_cost(14.0, 20.0).abs() < 1e-12);
        assert!((p.band_cost(16.0, 20.0) - 2.0).abs() < 1e-12);
        // 3 points at cost 1, 3 at cost 5, 2 at cost 50
        assert!((p.band_cost(22.0, 20.0) - (3.0 + 15.0 + 100.0)).abs() < 1e-9);
    }

    #[test]
    fn zero_capacity_puts_every_point_in_the_last_band() {
        let p = Policy::default();
        assert!((p.band_cost(2.0, 0.0) - 100.0).abs() < 1e-12);
    }
}
