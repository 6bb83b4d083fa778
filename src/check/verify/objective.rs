//! The objective recomputed term by term from the words of docs/model.md ("Objective"),
//! for the allocation being checked.

use super::Run;
use crate::check::derive::band_cost;
use crate::check::WorkerFigures;
use crate::model::Objective;

impl Run<'_> {
    /// The objective, term by term (docs/model.md, "Objective"); cases in id order, workers in id
    /// order.
    pub(super) fn objective(&self, figures: &[WorkerFigures], moves: u32) -> Objective {
        let weights = &self.model.policy.weights;
        let mut unallocated = 0.0;
        let mut missing_preferences = 0usize;
        let mut pairs = 0.0;
        for (c, case) in self.model.cases.iter().enumerate() {
            match self.after[c] {
                None => {
                    unallocated += case.weight * f64::from(case.priority) * weights.unallocated;
                }
                Some(w) => {
                    pairs += self.model.pair(c, w).map_or(0.0, |t| t.cost);
                    let skills = &self.model.workers[w].skills;
                    missing_preferences +=
                        case.prefers.iter().filter(|t| !skills.contains(t)).count();
                }
            }
        }
        let bands = figures
            .iter()
            .map(|f| band_cost(&self.model.policy.bands, f.load.load_after, f.capacity))
            .sum();
        Objective::with_pairs(
            unallocated,
            bands,
            weights.move_ * f64::from(moves),
            weights.preference * missing_preferences as f64,
            pairs,
        )
    }
}
