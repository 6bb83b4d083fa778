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

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use toml::{Spanned, Value};

use self::edits::Parsed;
use super::source::Source;
use crate::error::{InputError, InputErrors};
use crate::model::plan::{Edit, Plan, Variant, DEFAULT_TIME_LIMIT_S};
use crate::model::Scenario;

mod edits;
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
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        InputErrors(vec![InputError {
            file: name.clone(),
            line: None,
            column: String::new(),
            cell: None,
            code: CODE,
            message: format!("cannot read the variants file: {e}"),
        }])
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse_plan(&Source::new(name, text), dir, base)
}

/// Parses a variants file from text; `dir` is where `add_cases` files are looked for.
///
/// # Errors
/// Every problem found, each with its line where known, in line order.
pub fn parse_plan(source: &Source, dir: &Path, base: &Scenario) -> Result<Plan, InputErrors> {
    let mut p = Parser {
        source,
        dir,
        base,
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
        if file.variant.is_empty() {
            self.error((None, "variant"), "no [[variant]]: nothing to compare");
        }
        let mut variants = Vec::new();
        for (i, spanned) in file.variant.iter().enumerate() {
            let line = Some(self.line(spanned.span().start));
            let key = format!("variant[{}]", i + 1);
            variants.extend(self.variant(spanned.get_ref(), seeds, (line, &key)));
        }
        let mut names = BTreeSet::new();
        for v in &variants {
            if !names.insert(v.name.clone()) {
                let message = format!("two variants are named `{}`: names must be unique", v.name);
                self.error((None, "name"), message);
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
        let mut out = Vec::new();
        for point in grid {
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
            let params: Vec<(String, f64)> = point
                .iter()
                .map(|(k, v)| (k.clone(), number(v).unwrap_or(f64::NAN)))
                .collect();
            let random = edits.iter().any(Edit::is_random);
            let mut variant = Variant {
                name: name.clone(),
                base_name: name.clone(),
                params,
                draws: if random { draws.max(1) } else { 1 },
                edits,
            };
            if !variant.params.is_empty() {
                variant.name = format!("{name} [{}]", variant.point());
            }
            out.push(variant);
        }
        out
    }

    /// The grid points: every combination of the parameters' values (one empty point
    /// without a grid).
    fn grid(
        &mut self,
        grid: &BTreeMap<String, Value>,
        (line, key): At<'_>,
    ) -> Option<Vec<Vec<(String, Value)>>> {
        let mut points: Vec<Vec<(String, Value)>> = vec![Vec::new()];
        for (param, spec) in grid {
            let at = format!("{key}.grid.{param}");
            let values = match grid_values(spec) {
                Ok(values) => values,
                Err(message) => {
                    self.error((line, &at), message);
                    return None;
                }
            };
            points = points
                .into_iter()
                .flat_map(|point| {
                    values.iter().map(move |v| {
                        let mut p = point.clone();
                        p.push((param.clone(), v.clone()));
                        p
                    })
                })
                .collect();
        }
        Some(points)
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
            Ok(scenario) => Some(Edit::AddCases(scenario.cases)),
            Err(errors) => {
                self.errors.extend(errors.0);
                None
            }
        }
    }
}

/// A number from a TOML integer or float.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// The values of one grid parameter: a list of numbers, or `{ from, to, step }`.
fn grid_values(spec: &Value) -> Result<Vec<Value>, String> {
    let shape = "must be a list of numbers or { from = …, to = …, step = … }";
    match spec {
        Value::Array(items) if !items.is_empty() && items.iter().all(|v| number(v).is_some()) => {
            Ok(items.clone())
        }
        Value::Table(t) if t.len() == 3 => {
            let get = |k: &str| t.get(k).and_then(number);
            let (Some(from), Some(to), Some(step)) = (get("from"), get("to"), get("step")) else {
                return Err(shape.to_string());
            };
            if !(step > 0.0 && to >= from && ((to - from) / step) <= 10_000.0) {
                return Err(format!("needs step > 0 and to ≥ from (at most 10,000 values), got from {from}, to {to}, step {step}"));
            }
            let integers = t.values().all(|v| matches!(v, Value::Integer(_)));
            let n = ((to - from) / step + 1e-9).floor() as i64;
            Ok((0..=n)
                .map(|i| {
                    let x = from + i as f64 * step;
                    if integers {
                        Value::Integer(x.round() as i64)
                    } else {
                        Value::Float((x * 1e9).round() / 1e9)
                    }
                })
                .collect())
        }
        _ => Err(shape.to_string()),
    }
}
