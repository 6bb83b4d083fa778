//! The mixed-integer program, one function per constraint family.
//!
//! Variables (only eligible pairs exist):
//! - `x[u,w] ∈ {0,1}`: unit `u` goes to worker `w`;
//! - `y[u] ∈ [0,1]`: unit `u` stays unallocated (only for units allowed to);
//! - `s[w,b] ∈ [0, width_b]`: worker `w`'s load inside piece `b` of its band cost.
//!
//! Objective, which equals the objective of docs/model.md at every integer point (the convex bands
//! fill in order at the optimum):
//!
//! ```text
//! Σ U_u y[u] + Σ (move × moves(u,w) + preference × missing(u,w) + pair(u,w)) x[u,w]
//!            + Σ cost_b s[w,b]
//! ```
//! where `pair(u,w)` is the `pairs.csv` cost of the unit's cases on `w`.
//!
//! Loads use the weight of each unit on each worker (`pairs.csv` may change it per worker).
//!
//! Tightening: when every load a worker can reach lies on a grid (quarter points, say),
//! its load limit is rounded down to the grid and each band boundary falling inside a
//! grid step is replaced by the chord across the step (`band_pieces`). Both leave every
//! allocation's cost and feasibility as they were and raise the LP relaxation's bound:
//! on a generated 30-team trust the teams prove optimal in 13.0 s on one core instead
//! of 15.1–15.8 s.

use good_lp::{variable, Constraint, Expression, ProblemVariables, Variable};

use crate::model::rules::{self, Limits, PairNumbers};
use crate::model::{Allocation, Instance, Was};

mod key;
mod pieces;

use pieces::classes;
pub(crate) use pieces::GRID_SCALES;
pub(crate) use pieces::{band_pieces, floor_to, load_grid};

/// A variable and its column in the solver's matrix.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    /// The good_lp variable.
    pub(crate) var: Variable,
    /// Its column index (variables are numbered in creation order).
    pub(crate) index: usize,
}

/// An eligible (unit, worker) pair and its decision variable.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pair {
    /// Worker index.
    pub(crate) worker: usize,
    /// `x[u,w]`.
    pub(crate) x: Column,
    /// What the hard rules count, and the objective charges, for a unit of the class on
    /// the worker.
    pub(crate) numbers: PairNumbers,
}

/// One worker's band variable: the load between `start` and `end` points, at `cost` a
/// point.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BandColumn {
    /// Load at which the piece starts.
    pub(crate) start: f64,
    /// Load at which it ends (infinite for the last).
    pub(crate) end: f64,
    /// `s[w,b]`.
    pub(crate) s: Column,
}

/// A part of an instance solved on its own: units and the workers eligible for them.
/// Parts share no worker, so their programs are independent (unless `max_moves` binds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Unit indices, ascending.
    pub units: Vec<usize>,
    /// Worker indices, ascending.
    pub workers: Vec<usize>,
}

impl Part {
    /// The whole instance as one part.
    pub fn whole(instance: &Instance) -> Self {
        Self {
            units: (0..instance.units.len()).collect(),
            workers: (0..instance.workers.len()).collect(),
        }
    }
}

/// The program under construction: variables, constraints and objective.
pub struct Formulation<'a> {
    instance: &'a Instance,
    part: Part,
    vars: ProblemVariables,
    columns: usize,
    /// The part's units in classes of interchangeable units (same coefficients in every
    /// constraint and in the objective), each ascending; classes in order of first unit.
    classes: Vec<Vec<usize>>,
    /// Eligible pairs of each class: `x[k,w]` counts the class's units `w` holds.
    pub(crate) pairs: Vec<Vec<Pair>>,
    /// The same pairs seen from each worker of the instance.
    by_worker: Vec<Vec<Pair>>,
    /// Unallocated count of each class whose units may stay unallocated.
    pub(crate) unallocated: Vec<Option<Column>>,
    /// Band variables of each worker of the part (in `part.workers` order).
    pub(crate) bands: Vec<Vec<BandColumn>>,
    /// The grid step of each worker's reachable loads, if any (in `part.workers` order).
    grids: Vec<Option<f64>>,
    /// Constraints added so far.
    pub(crate) constraints: Vec<Constraint>,
    objective: Expression,
}

impl<'a> Formulation<'a> {
    /// The program of the whole instance.
    pub fn build(instance: &'a Instance) -> Self {
        Self::build_part(instance, Part::whole(instance))
    }

    /// Creates the variables and the objective of a part, and adds every constraint family.
    pub fn build_part(instance: &'a Instance, part: Part) -> Self {
        let mut f = Self::variables(instance, part, None);
        f.constrain();
        f
    }

    /// The program of one step of the stable stage's search (docs/stable.md): the part's
    /// rules and its cost as ever, the cost held within `cap` and the children whose
    /// worker differs from the previous proposal `was` at most `most`. Any allocation it
    /// finds changes no more than `most`; if it has none, no allocation within the cap
    /// changes so few. Units are interchangeable only when their cases were alike in the
    /// previous proposal too, so each class has one count of changes per worker.
    pub(crate) fn build_budgeted(
        instance: &'a Instance,
        part: Part,
        was: &Was,
        most: f64,
        cap: f64,
    ) -> Self {
        let mut f = Self::variables(instance, part, Some(was));
        f.constrain();
        let changes = f.changes(was);
        f.constraints.push(changes.leq(most));
        f.constraints.push(f.objective.clone().leq(cap));
        f
    }

    /// The children whose worker differs from the previous proposal `was`:
    /// `Σ changed(u,w) x[u,w] + Σ changed(u,∅) y[u]` (classes built with `was`).
    fn changes(&self, was: &Was) -> Expression {
        let mut changes = Expression::default();
        for (k, members) in self.classes.iter().enumerate() {
            let u = members[0];
            for p in &self.pairs[k] {
                let n = was.changed_in(self.instance, u, Some(p.worker));
                if n > 0 {
                    changes += f64::from(n) * p.x.var;
                }
            }
            if let Some(y) = self.unallocated[k] {
                let n = was.changed_in(self.instance, u, None);
                if n > 0 {
                    changes += f64::from(n) * y.var;
                }
            }
        }
        changes
    }

    /// Adds every constraint family.
    fn constrain(&mut self) {
        let f = self;
        f.one_decision_per_unit();
        f.load_bands();
        f.load_limits();
        f.case_count_limits();
        f.new_case_limits();
        f.move_limit();
    }

    fn add(&mut self, def: good_lp::variable::VariableDefinition) -> Column {
        let var = self.vars.add(def);
        let index = self.columns;
        self.columns += 1;
        Column { var, index }
    }

    /// Creates `x`, `y` and `s` with their objective coefficients.
    fn variables(instance: &'a Instance, part: Part, was: Option<&Was>) -> Self {
        let mut f = Self {
            instance,
            part: part.clone(),
            vars: ProblemVariables::new(),
            columns: 0,
            classes: Vec::new(),
            pairs: Vec::with_capacity(instance.units.len()),
            by_worker: vec![Vec::new(); instance.workers.len()],
            unallocated: Vec::with_capacity(instance.units.len()),
            bands: Vec::with_capacity(part.workers.len()),
            grids: Vec::with_capacity(part.workers.len()),
            constraints: Vec::new(),
            objective: Expression::default(),
        };
        f.classes = classes(instance, &part.units, was);
        for members in &f.classes.clone() {
            let u = members[0];
            let n = members.len() as f64;
            let unit = &instance.units[u];
            let mut pairs = Vec::with_capacity(unit.eligible.len());
            for &w in &unit.eligible {
                let def = if members.len() == 1 {
                    variable().binary()
                } else {
                    variable().integer().min(0.0).max(n)
                };
                let x = f.add(def);
                let numbers = PairNumbers::of(instance, u, w);
                f.objective += numbers.cost * x.var;
                let pair = Pair {
                    worker: w,
                    x,
                    numbers,
                };
                pairs.push(pair);
                f.by_worker[w].push(pair);
            }
            f.pairs.push(pairs);
            let y = (!unit.must_allocate).then(|| {
                let y = f.add(variable().min(0.0).max(n));
                f.objective += instance.unallocated_cost(u) * y.var;
                y
            });
            f.unallocated.push(y);
        }
        for &w in &part.workers {
            let grid = load_grid(instance, w, &part.units);
            let pieces = band_pieces(instance, w, grid);
            let mut columns = Vec::with_capacity(pieces.len());
            for (start, end, cost) in pieces {
                let def = if end.is_finite() {
                    variable().min(0.0).max(end - start)
                } else {
                    variable().min(0.0)
                };
                let s = f.add(def);
                f.objective += cost * s.var;
                columns.push(BandColumn { start, end, s });
            }
            f.bands.push(columns);
            f.grids.push(grid);
        }
        f
    }

    /// The load of worker `w`: `Σ_u load(u,w) × x[u,w]`.
    fn load(&self, w: usize) -> Expression {
        self.sum_over_pairs(w, |p| p.load)
    }

    /// `Σ_u coefficient(u,w) × x[u,w]` over the units worker `w` is eligible for.
    fn sum_over_pairs(&self, w: usize, coefficient: impl Fn(&PairNumbers) -> f64) -> Expression {
        self.by_worker[w]
            .iter()
            .map(|p| coefficient(&p.numbers) * p.x.var)
            .sum()
    }

    /// Decisions: each unit goes to exactly one eligible worker or stays unallocated,
    /// `Σ_w x[u,w] + y[u] = 1`; a unit that must stay allocated (hard rule 2, pins) has no
    /// `y`, so `Σ_w x[u,w] = 1`.
    ///
    /// Interchangeable units are counted together: `Σ_w x[k,w] + y[k] = |k|`.
    fn one_decision_per_unit(&mut self) {
        for k in 0..self.pairs.len() {
            let mut e: Expression = self.pairs[k].iter().map(|p| p.x.var).sum();
            if let Some(y) = self.unallocated[k] {
                e += y.var;
            }
            self.constraints.push(e.eq(self.classes[k].len() as f64));
        }
    }

    /// Load bands: `load_w − Σ_b s[w,b] ≤ start of the first piece`. The part of the load
    /// below it is free; with non-negative, non-decreasing costs the pieces fill in order.
    fn load_bands(&mut self) {
        for (k, &w) in self.part.workers.iter().enumerate() {
            let Some(first) = self.bands[k].first().copied() else {
                continue;
            };
            let mut e = self.load(w);
            for b in &self.bands[k] {
                e -= b.s.var;
            }
            self.constraints.push(e.leq(first.start));
        }
    }

    /// Hard rule 3, capacity (hard mode only): `load_w ≤ L_w` ([`rules`](crate::model::rules)), rounded down to
    /// the worker's grid of reachable loads when it has one.
    fn load_limits(&mut self) {
        for (k, &w) in self.part.workers.iter().enumerate() {
            if let Some(limit) = Limits::of(self.instance, w).load {
                let limit = match self.grids[k] {
                    Some(g) => floor_to(limit, g),
                    None => limit,
                };
                let e = self.load(w);
                self.constraints.push(e.leq(limit));
            }
        }
    }

    /// Hard rule 3, cases: `Σ_u cases(u) × x[u,w] ≤ C_w` ([`rules`](crate::model::rules)).
    fn case_count_limits(&mut self) {
        for &w in &self.part.workers {
            if let Some(limit) = Limits::of(self.instance, w).cases {
                let e = self.sum_over_pairs(w, |p| f64::from(p.cases));
                self.constraints.push(e.leq(f64::from(limit)));
            }
        }
    }

    /// Hard rule 4: `Σ_u new(u,w) × x[u,w] ≤ N_w` ([`rules`](crate::model::rules)), where `new(u,w)` counts
    /// the unit's cases `w` did not hold.
    fn new_case_limits(&mut self) {
        for &w in &self.part.workers {
            if let Some(limit) = Limits::of(self.instance, w).new_cases {
                let e = self.sum_over_pairs(w, |p| f64::from(p.new_cases));
                self.constraints.push(e.leq(f64::from(limit)));
            }
        }
    }

    /// Hard rule 5: `Σ_{u,w} moves(u,w) × x[u,w] ≤ M` ([`rules`](crate::model::rules)), where `moves(u,w)`
    /// counts the unit's cases whose current worker still fits and is not `w`.
    fn move_limit(&mut self) {
        let mut e = Expression::default();
        let mut any = false;
        for pairs in &self.pairs {
            for p in pairs {
                let m = p.numbers.moves;
                if m > 0 {
                    e += f64::from(m) * p.x.var;
                    any = true;
                }
            }
        }
        if any {
            self.constraints
                .push(e.leq(rules::moves_budget(&self.instance.policy) as f64));
        }
    }

    /// The instance this program is for.
    pub fn instance(&self) -> &'a Instance {
        self.instance
    }

    /// The part this program is for.
    pub fn part(&self) -> &Part {
        &self.part
    }

    /// The part's units in classes of interchangeable units (each ascending, classes in
    /// order of first unit), as the program counts them (read by `bp`).
    pub(crate) fn classes(&self) -> &[Vec<usize>] {
        &self.classes
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Column values of an allocation, for a MIP start: `x` and `y` from the allocation,
    /// `s` filled band by band from the resulting loads.
    pub(crate) fn column_values(&self, allocation: &Allocation) -> Vec<f64> {
        let mut values = vec![0.0; self.columns];
        let mut load = vec![0.0; self.instance.workers.len()];
        for (k, members) in self.classes.iter().enumerate() {
            for &u in members {
                match allocation.units[u] {
                    Some(w) => {
                        if let Some(p) = self.pairs[k].iter().find(|p| p.worker == w) {
                            values[p.x.index] += 1.0;
                            load[w] += self.instance.unit_weight_on(u, w);
                        }
                    }
                    None => {
                        if let Some(y) = self.unallocated[k] {
                            values[y.index] += 1.0;
                        }
                    }
                }
            }
        }
        for (&w, columns) in self.part.workers.iter().zip(&self.bands) {
            for b in columns {
                values[b.s.index] = (load[w].min(b.end) - b.start).max(0.0);
            }
        }
        values
    }

    /// Reads the part's decisions back from column values: `(unit, worker)`. A class's
    /// units go to its workers in order of unit, as many as each `x[k,w]` counts (rounded);
    /// the rest stay unallocated.
    pub(crate) fn decisions(&self, values: &[f64]) -> Vec<(usize, Option<usize>)> {
        let mut decisions = Vec::with_capacity(self.part.units.len());
        for (members, pairs) in self.classes.iter().zip(&self.pairs) {
            let mut units = members.iter();
            for p in pairs {
                let count = values.get(p.x.index).map_or(0.0, |v| v.round().max(0.0)) as usize;
                for &u in units.by_ref().take(count) {
                    decisions.push((u, Some(p.worker)));
                }
            }
            decisions.extend(units.map(|&u| (u, None)));
        }
        decisions
    }

    /// Hands the program to HiGHS (no solving yet). The formulation keeps its column map,
    /// so [`Formulation::decisions`] can read the solution back.
    pub(crate) fn take_highs_problem(&mut self) -> good_lp::solvers::highs::HighsProblem {
        use good_lp::SolverModel;
        let vars = std::mem::take(&mut self.vars);
        let objective = std::mem::take(&mut self.objective);
        let mut problem = vars.minimise(objective).using(good_lp::highs);
        for c in std::mem::take(&mut self.constraints) {
            problem.add_constraint(c);
        }
        problem
    }
}

#[cfg(test)]
mod tests;
