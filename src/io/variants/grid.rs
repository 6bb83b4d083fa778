//! The values of a variant's `grid`: a list of numbers or a `{ from, to, step }` range per
//! parameter, and the grid points (every combination), built one at a time by index.

use toml::Value;

use crate::text::count;

/// A number from a TOML integer or float.
pub(super) fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Grid point `index` of every combination of the parameters' values, the last
/// parameter varying fastest (the order of the comparison's rows).
pub(super) fn grid_point(grid: &[(String, Vec<Value>)], mut index: u64) -> Vec<(String, Value)> {
    let mut point = Vec::with_capacity(grid.len());
    for (param, values) in grid.iter().rev() {
        let n = values.len() as u64;
        let value = values[(index % n) as usize].clone();
        index /= n;
        point.push((param.clone(), value));
    }
    point.reverse();
    point
}

/// The values of one grid parameter: a list of numbers, or `{ from, to, step }`; at most
/// `max` of them.
pub(super) fn grid_values(spec: &Value, max: u64) -> Result<Vec<Value>, String> {
    let shape = "must be a list of numbers or { from = …, to = …, step = … }";
    match spec {
        Value::Array(items) if items.len() as u64 > max => Err(format!(
            "has {} values, more than the {} a grid parameter may have",
            count(items.len() as u64),
            count(max)
        )),
        Value::Array(items) if !items.is_empty() && items.iter().all(|v| number(v).is_some()) => {
            Ok(items.clone())
        }
        Value::Table(t) if t.len() == 3 => {
            let get = |k: &str| t.get(k).and_then(number);
            let (Some(from), Some(to), Some(step)) = (get("from"), get("to"), get("step")) else {
                return Err(shape.to_string());
            };
            let max_steps = max.saturating_sub(1) as f64;
            if !(step > 0.0 && to >= from && ((to - from) / step) <= max_steps) {
                return Err(format!("needs step > 0 and to ≥ from (at most {} values), got from {from}, to {to}, step {step}", count(max)));
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
