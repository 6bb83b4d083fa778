//! An allocation of units to workers, and what it means case by case and worker by worker.

/// What happened to a case in the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Stays with its current worker.
    Kept,
    /// Discretionary move: taken from a current worker who still fits.
    Moved,
    /// Forced move: its current worker no longer fits.
    Forced,
    /// Had no current worker and now has one.
    New,
    /// Has no worker after the run.
    Unallocated,
}

impl Change {
    /// All changes, in report order.
    pub const ALL: [Change; 5] = [
        Change::Kept,
        Change::Moved,
        Change::Forced,
        Change::New,
        Change::Unallocated,
    ];

    /// The word used in `allocation.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Kept => "kept",
            Change::Moved => "moved",
            Change::Forced => "forced",
            Change::New => "new",
            Change::Unallocated => "unallocated",
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The worker of each unit (index into [`Instance::workers`](super::Instance::workers)), `None` when unallocated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// One entry per unit of the instance.
    pub units: Vec<Option<usize>>,
}

/// The objective, term by term (docs/model.md, "Objective").
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Objective {
    /// Sum of the terms.
    pub total: f64,
    /// `Σ weight × priority × weights.unallocated` over unallocated cases.
    pub unallocated: f64,
    /// Convex load-band cost over workers.
    pub bands: f64,
    /// `weights.move ×` discretionary moves.
    pub moves: f64,
    /// `weights.preference ×` preferred tags missing over allocated cases.
    pub preferences: f64,
    /// Extension: `Σ cost(c, w)` of `pairs.csv` over allocated cases (0 without it).
    pub pairs: f64,
}

impl Objective {
    /// Builds an objective from the four terms of docs/model.md; the total is their sum.
    pub fn from_terms(unallocated: f64, bands: f64, moves: f64, preferences: f64) -> Self {
        Self::with_pairs(unallocated, bands, moves, preferences, 0.0)
    }

    /// Builds an objective from its terms, including the per-pair cost; the total is
    /// their sum.
    pub fn with_pairs(
        unallocated: f64,
        bands: f64,
        moves: f64,
        preferences: f64,
        pairs: f64,
    ) -> Self {
        Self {
            total: unallocated + bands + moves + preferences + pairs,
            unallocated,
            bands,
            moves,
            preferences,
            pairs,
        }
    }
}

impl Objective {
    /// The terms by name, in the order they are printed; their sum is the total.
    pub fn terms(&self) -> [(&'static str, f64); 5] {
        [
            ("unallocated", self.unallocated),
            ("bands", self.bands),
            ("moves", self.moves),
            ("preferences", self.preferences),
            ("pairs", self.pairs),
        ]
    }

    /// The terms as a person reads them, each written by `num`:
    /// `unallocated 88500 + bands 683.5 + moves 140 + preferences 38`, then `+ pairs 135`
    /// when the pairs term is not 0 (without `pairs.csv` it always is), so that the line
    /// adds up to the total.
    pub fn terms_text(&self, num: impl Fn(f64) -> String) -> String {
        self.terms()
            .iter()
            .filter(|(name, value)| *name != "pairs" || *value != 0.0)
            .map(|(name, value)| format!("{name} {}", num(*value)))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// `objective 89507.25 = unallocated … + pairs 135`, each number written by `num`.
    pub fn equation(&self, num: impl Fn(f64) -> String) -> String {
        format!("objective {} = {}", num(self.total), self.terms_text(num))
    }
}

/// Load divided by capacity; infinite when a worker with no capacity holds anything.
pub fn utilisation(load: f64, capacity: f64) -> f64 {
    if capacity > 0.0 {
        load / capacity
    } else if load > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// Per-worker figures after the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkerLoad {
    /// Load before the run.
    pub load_before: f64,
    /// Load after the run.
    pub load_after: f64,
    /// Cases held before the run.
    pub cases_before: u32,
    /// Cases held after the run.
    pub cases_after: u32,
    /// Cases received that the worker did not hold before.
    pub received: u32,
    /// Cases held before that are elsewhere (or unallocated) after the run.
    pub given_up: u32,
}

/// An allocation evaluated: change per case, loads per worker, objective by term.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Worker of each case after the run.
    pub worker: Vec<Option<usize>>,
    /// Change of each case.
    pub change: Vec<Change>,
    /// Figures of each worker.
    pub loads: Vec<WorkerLoad>,
    /// Discretionary moves.
    pub moves: u32,
    /// The objective.
    pub objective: Objective,
}

impl Evaluation {
    /// How many cases had the given change.
    pub fn count(&self, change: Change) -> usize {
        self.change.iter().filter(|&&c| c == change).count()
    }
}
