//! The variants file of a what-if run (TOML) read into a [`Plan`], every problem located
//! as `file:line: key: what is wrong [E-VARIANTS]`.
//!
//! ```toml
//! seed = 1              # draw k of every variant uses seed + k
//! seeds = 10            # draws of each variant with a random change
//! time_limit_s = 10     # per solve
//!
//! [[variant]]
//! name = "staff lost in the transfer"
//! change = [{ do = "remove_workers", fraction = 0.10 }]
//!
//! [[variant]]
//! name = "attrition"
//! grid = { rate = { from = 0.0, to = 0.2, step = 0.05 } }
//! change = [{ do = "remove_workers", fraction = "$rate" }]
//! ```
//!
//! A `grid` expands a variant to one per point of the grid (every combination of its
//! parameters' values, each a list of numbers or a `{ from, to, step }` range of at most
//! 10,000 values); a string `"$param"` anywhere in the changes stands for the point's
//! value. The changes themselves (`do = ...`) are read in the `edits` submodule.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::{Spanned, Value};

use self::edits::Parsed;
use self::grid::{grid_point, grid_values, number};
use super::source::Source;
use crate::error::{InputError, InputErrors};
use crate::model::plan::{
    added_by, too_many_added, too_many_solves, Edit, Limits, Plan, Variant, DEFAULT_TIME_LIMIT_S,
};
use crate::model::Scenario;

mod edits;
mod grid;
#[cfg(test)]
mod tests;

/// The variants file a scenario folder may hold.
pub const VARIANTS_FILE: &str = "variants.toml";
/// Draws of a variant with a random change, unless the file says otherwise.
pub const DEFAULT_SEEDS: u32 = 10;
/// Code of every problem in a variants file (the catalogue's [`crate::codes::VARIANTS`]).
pub const CODE: &str = crate::codes::VARIANTS;

/// Reads the variants file at `path`; `add_cases` files are relative to its folder and
/// checked against `base`'s workers.
///
/// # Errors
/// Every problem found, each located in the file.
pub fn load_plan(path: &Path, base: &Scenario) -> Result<Plan, InputErrors> {
    load_plan_within(path, base, &Limits::default())
}

/// [`load_plan`], checking the plan's size against `limits` (see [`parse_plan_within`]).
///
/// # Errors
/// Every problem found, each located in the file.
pub fn load_plan_within(
    path: &Path,
    base: &Scenario,
    limits: &Limits,
) -> Result<Plan, InputErrors> {
    let name = path.display().to_string();
    let fail = |line: Option<u64>, message: String| {
        InputErrors(vec![InputError {
            file: name.clone(),
            line,
            column: String::new(),
            cell: None,
            code: CODE,
            message,
        }])
    };
    let bytes = std::fs::read(path)
        .map_err(|e| fail(None, format!("cannot read the variants file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let message = format!(
            "not UTF-8 text (byte {} of the file): save it as UTF-8",
            at + 1
        );
        fail(Some(line), message)
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse_plan_within(&Source::new(name, text), dir, base, limits)
}

/// Parses a variants file from text; `dir` is where `add_cases` files are looked for.
///
/// # Errors
/// Every problem found, each with its line where known, in line order.
pub fn parse_plan(source: &Source, dir: &Path, base: &Scenario) -> Result<Plan, InputErrors> {
    parse_plan_within(source, dir, base, &Limits::default())
}

/// [`parse_plan`], checking the plan's size against `limits` before anything is
/// expanded: each grid parameter's values, the solves of the whole plan (grid points ×
/// draws) and the workers and children each variant adds. A plan over a limit is
/// refused at the key that makes it so (`seeds`, `variant[2].grid`, ...).
///
/// # Errors
/// Every problem found, each with its line where known, in line order.
pub fn parse_plan_within(
    source: &Source,
    dir: &Path,
    base: &Scenario,
    limits: &Limits,
) -> Result<Plan, InputErrors> {
    let mut p = Parser {
        source,
        dir,
        base,
        limits: *limits,
        solves: 0,
        cases_files: BTreeMap::new(),
        errors: Vec::new(),
    };
    let plan = p.plan();
    if p.errors.is_empty() {
        if let Some(plan) = plan {
            return Ok(plan);
        }
    }
    p.errors.sort_by_key(|e| e.line);
    Err(InputErrors(p.errors))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    seed: Option<u64>,
    seeds: Option<u32>,
    time_limit_s: Option<f64>,
    #[serde(default)]
    variant: Vec<Spanned<VariantDe>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantDe {
    name: String,
    seeds: Option<u32>,
    #[serde(default)]
    grid: BTreeMap<String, Value>,
    #[serde(default)]
    change: Vec<Value>,
}

struct Parser<'a> {
    source: &'a Source,
    dir: &'a Path,
    base: &'a Scenario,
    limits: Limits,
    /// Solves of the variants read so far.
    solves: u64,
    /// The `add_cases` files read so far.
    cases_files: BTreeMap<String, Arc<Vec<crate::model::Case>>>,
    errors: Vec<InputError>,
}

/// Where a problem is: a line and a key path.
type At<'s> = (Option<u64>, &'s str);

impl Parser<'_> {
    fn error(&mut self, (line, column): At<'_>, message: impl Into<String>) {
        self.errors.push(InputError {
            file: self.source.name.clone(),
            line,
            column: column.to_string(),
            cell: None,
            code: CODE,
            message: message.into(),
        });
    }

    fn line(&self, offset: usize) -> u64 {
        let end = offset.min(self.source.text.len());
        self.source.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
            + 1
    }

    fn plan(&mut self) -> Option<Plan> {
        let file: FileDe = match toml::from_str(&self.source.text) {
            Ok(file) => file,
            Err(e) => {
                let line = e.span().map(|s| self.line(s.start));
                self.error((line, ""), e.message().trim().replace('\n', "; "));
                return None;
            }
        };
        let seeds = file.seeds.unwrap_or(DEFAULT_SEEDS);
        if seeds == 0 {
            self.error(
                (Some(self.find_line("seeds")), "seeds"),
                "must be at least 1",
            );
        }
        let time_limit_s = file.time_limit_s.unwrap_or(DEFAULT_TIME_LIMIT_S);
        if !(time_limit_s.is_finite() && time_limit_s > 0.0) {
            let at = (Some(self.find_line("time_limit_s")), "time_limit_s");
            self.error(
                at,
                format!("must be a number of seconds > 0, got {time_limit_s}"),
            );
        }
        if self.source.text.trim().is_empty() {
            self.error(
                (Some(1), ""),
                "the file is empty: nothing to compare (add a [[variant]])",
            );
        } else if file.variant.is_empty() {
            let message = "no [[variant]]: nothing to compare";
            self.error((Some(1), "variant"), message);
        }
        let mut variants = Vec::new();
        // The line of each variant's [[variant]] (shared by a sweep's points).
        let mut lines = Vec::new();
        for (i, spanned) in file.variant.iter().enumerate() {
            let line = Some(self.line(spanned.span().start));
            let key = format!("variant[{}]", i + 1);
            let expanded = self.variant(spanned.get_ref(), seeds, (line, &key));
            lines.extend(std::iter::repeat_n(line, expanded.len()));
            variants.extend(expanded);
        }
        let mut names = BTreeMap::new();
        for (v, &line) in variants.iter().zip(&lines) {
            if let Some(first) = names.insert(v.name.clone(), line) {
                let first = first.map_or(String::new(), |l| format!(" (first at line {l})"));
                let message = format!(
                    "two variants are named `{}`{first}: names must be unique",
                    v.name
                );
                self.error((line, "name"), message);
            }
        }
        Some(Plan {
            seed: file.seed.unwrap_or(1),
            time_limit_s,
            variants,
        })
    }

    /// The line of the first `key =` at the start of a line (for top-level keys).
    fn find_line(&self, key: &str) -> u64 {
        let text = &self.source.text;
        text.lines()
            .position(|l| {
                l.trim_start()
                    .strip_prefix(key)
                    .is_some_and(|r| r.trim_start().starts_with('='))
            })
            .map_or(1, |i| i as u64 + 1)
    }

    /// The variants of one `[[variant]]`: itself, or one per grid point.
    fn variant(&mut self, de: &VariantDe, seeds: u32, (line, key): At<'_>) -> Vec<Variant> {
        let name = de.name.trim().to_string();
        if name.is_empty() {
            self.error((line, &format!("{key}.name")), "must not be empty");
        }
        let draws = de.seeds.unwrap_or(seeds);
        if draws == 0 {
            self.error((line, &format!("{key}.seeds")), "must be at least 1");
        }
        let Some(grid) = self.grid(&de.grid, (line, key)) else {
            return Vec::new();
        };
        // Points × draws checked before any point is built: a point's draws are known
        // once its changes are read (only a random change has several).
        let points = grid
            .iter()
            .map(|(_, values)| values.len() as u64)
            .fold(1u64, u64::saturating_mul);
        let budget = self.limits.max_solves.saturating_sub(self.solves);
        if points > budget {
            self.error((line, &format!("{key}.grid")), self.too_many(points));
            return Vec::new();
        }
        let mut out = Vec::new();
        for index in 0..points {
            let point = grid_point(&grid, index);
            let mut edits = Vec::new();
            for (j, change) in de.change.iter().enumerate() {
                let at = format!("{key}.change[{}]", j + 1);
                match self.substitute(change, &point, (line, &at)) {
                    Some(value) => edits.extend(self.edit(value, (line, &at))),
                    None => return Vec::new(),
                }
            }
            if edits.len() != de.change.len() {
                return Vec::new();
            }
            let random = edits.iter().any(Edit::is_random);
            let draws = if random { draws.max(1) } else { 1 };
            if index == 0 && points.saturating_mul(u64::from(draws)) > budget {
                let seeds_key = match de.seeds {
                    Some(_) => format!("{key}.seeds"),
                    None if points > 1 => format!("{key}.grid"),
                    None => "seeds".to_string(),
                };
                let seeds_line = if seeds_key == "seeds" {
                    Some(self.find_line("seeds"))
                } else {
                    line
                };
                let message = self.too_many(points.saturating_mul(u64::from(draws)));
                self.error((seeds_line, &seeds_key), message);
                return Vec::new();
            }
            let (cases, waiting) = (self.base.cases.len(), self.waiting());
            let (workers, children) = added_by(&edits, cases, waiting);
            if let Some(message) = too_many_added(workers, children, &self.limits) {
                self.error((line, &format!("{key}.change")), message);
                return Vec::new();
            }
            let params: Vec<(String, f64)> = point
                .iter()
                .map(|(k, v)| (k.clone(), number(v).unwrap_or(f64::NAN)))
                .collect();
            let mut variant = Variant {
                name: name.clone(),
                base_name: name.clone(),
                params,
                draws,
                edits,
            };
            if !variant.params.is_empty() {
                variant.name = format!("{name} [{}]", variant.point());
            }
            self.solves += u64::from(draws);
            out.push(variant);
        }
        out
    }

    /// The message for a variant that takes the plan over its solves.
    fn too_many(&self, variant_solves: u64) -> String {
        too_many_solves(
            self.solves.saturating_add(variant_solves),
            self.limits.max_solves,
        )
    }

    /// Children of the base scenario without a current worker (new referrals).
    fn waiting(&self) -> usize {
        let cases = &self.base.cases;
        cases.iter().filter(|c| c.current_worker.is_none()).count()
    }

    /// The values of each grid parameter, in key order (none without a grid); each
    /// parameter has at most `limits.max_grid_values`.
    fn grid(
        &mut self,
        grid: &BTreeMap<String, Value>,
        (line, key): At<'_>,
    ) -> Option<Vec<(String, Vec<Value>)>> {
        let mut params = Vec::new();
        for (param, spec) in grid {
            let at = format!("{key}.grid.{param}");
            match grid_values(spec, self.limits.max_grid_values) {
                Ok(values) => params.push((param.clone(), values)),
                Err(message) => {
                    self.error((line, &at), message);
                    return None;
                }
            }
        }
        Some(params)
    }

    /// `value` with every string `"$param"` replaced by the grid point's value.
    fn substitute(
        &mut self,
        value: &Value,
        point: &[(String, Value)],
        at: At<'_>,
    ) -> Option<Value> {
        Some(match value {
            Value::String(s) if s.starts_with('$') => {
                match point.iter().find(|(k, _)| k == &s[1..]) {
                    Some((_, v)) => v.clone(),
                    None => {
                        self.error(
                            at,
                            format!("`{s}` is not a parameter of this variant's grid"),
                        );
                        return None;
                    }
                }
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.substitute(v, point, at))
                    .collect::<Option<_>>()?,
            ),
            Value::Table(table) => {
                let mut out = toml::Table::new();
                for (k, v) in table {
                    out.insert(k.clone(), self.substitute(v, point, at)?);
                }
                Value::Table(out)
            }
            other => other.clone(),
        })
    }

    fn edit(&mut self, value: Value, at: At<'_>) -> Option<Edit> {
        match edits::parse(value) {
            Ok(Parsed::Edit(edit)) => Some(edit),
            Ok(Parsed::CasesFile(file)) => self.add_cases(&file, at),
            Err(message) => {
                self.error(at, message);
                None
            }
        }
    }

    fn add_cases(&mut self, file: &str, at: At<'_>) -> Option<Edit> {
        // Read once, shared by every grid point that names the file.
        if let Some(cases) = self.cases_files.get(file) {
            return Some(Edit::AddCases(Arc::clone(cases)));
        }
        let path = self.dir.join(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                self.error(at, format!("cannot read {}: {e}", path.display()));
                return None;
            }
        };
        let workers = match super::scenario_writer::workers_csv(self.base) {
            Ok(text) => Source::new("workers.csv", text),
            Err(e) => {
                self.error(at, e.to_string());
                return None;
            }
        };
        let cases = Source::new(path.display().to_string(), text);
        match super::read::parse_scenario(&workers, &cases, None) {
            Ok(scenario) => {
                let cases = Arc::new(scenario.cases);
                self.cases_files
                    .insert(file.to_string(), Arc::clone(&cases));
                Some(Edit::AddCases(cases))
            }
            Err(errors) => {
                self.errors.extend(errors.0);
                None
            }
        }
    }
}
