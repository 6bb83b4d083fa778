//! The program as numbers, for the part cache's key (`solve::cache::PartKey`).

use good_lp::{Expression, IntoAffineExpression, Variable};

use super::Formulation;

impl Formulation<'_> {
    /// The program as numbers in a canonical order, for `solve::cache::PartKey`: every
    /// column (bounds, integrality, objective coefficient), every row (sense, right-hand
    /// side, coefficients in column order), and what each decision column means in the
    /// part's own terms (units and workers by their position in the part). Two
    /// formulations with the same numbers hand HiGHS the same program and read its answer
    /// back to the same decisions. Read before [`Formulation::take_highs_problem`].
    pub(crate) fn key_numbers(&self) -> Vec<u64> {
        debug_assert_eq!(self.vars.len(), self.columns, "the program was handed over");
        let mut numbers = Vec::with_capacity(8 * self.columns + 4 * self.constraints.len());
        let index: std::collections::HashMap<Variable, usize> = self
            .vars
            .iter_variables_with_def()
            .enumerate()
            .map(|(i, (var, _))| (var, i))
            .collect();
        // Coefficients in column order (good_lp keeps them in a hash map).
        let terms = |e: &Expression, numbers: &mut Vec<u64>| {
            let mut terms: Vec<(usize, f64)> = e
                .linear_coefficients()
                .map(|(var, c)| (index.get(&var).copied().unwrap_or(usize::MAX), c))
                .collect();
            terms.sort_by_key(|&(i, _)| i);
            numbers.push(terms.len() as u64);
            for (i, c) in terms {
                numbers.extend([i as u64, c.to_bits()]);
            }
        };
        numbers.push(self.columns as u64);
        for (_, def) in self.vars.iter_variables_with_def() {
            numbers.extend([
                def.get_min().to_bits(),
                def.get_max().to_bits(),
                u64::from(def.is_integer()),
            ]);
        }
        numbers.push(self.objective.constant().to_bits());
        terms(&self.objective, &mut numbers);
        numbers.push(self.constraints.len() as u64);
        for row in &self.constraints {
            let e = row.expression();
            numbers.extend([u64::from(row.is_equality()), e.constant().to_bits()]);
            terms(e, &mut numbers);
        }
        let position =
            |list: &[usize], x: usize| list.binary_search(&x).map_or(u64::MAX, |i| i as u64);
        numbers.push(self.classes.len() as u64);
        for ((members, pairs), y) in self.classes.iter().zip(&self.pairs).zip(&self.unallocated) {
            numbers.push(members.len() as u64);
            numbers.extend(members.iter().map(|&u| position(&self.part.units, u)));
            numbers.push(pairs.len() as u64);
            for p in pairs {
                numbers.extend([p.x.index as u64, position(&self.part.workers, p.worker)]);
            }
            numbers.push(y.map_or(u64::MAX, |y| y.index as u64));
        }
        numbers
    }
}
