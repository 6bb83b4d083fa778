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
    /// What a manager's decision must carry (`[decisions]`).
    pub decisions: DecisionRules,
}

/// What a manager's decision must carry when it is taken (`[decisions]` in
/// `policy.toml`). Judged when a decision is taken, never when one is read back: a
/// decision recorded before a rule was set still loads and applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DecisionRules {
    /// Whether an overrule (`reject`, `assign`, `never`) needs a note saying why.
    /// Default true.
    pub note_required: bool,
}

impl Default for DecisionRules {
    fn default() -> Self {
        Self {
            note_required: true,
        }
    }
}

impl DecisionRules {
    /// Whether a decision of `kind` must say why: an overrule
    /// ([`DecisionKind::overrules`](super::DecisionKind::overrules)) while
    /// `note_required` is on.
    pub fn needs_note(&self, kind: super::DecisionKind) -> bool {
        self.note_required && kind.overrules()
    }
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
            decisions: DecisionRules::default(),
        }
    }
}
