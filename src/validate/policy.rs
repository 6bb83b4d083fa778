//! Rules on the policy: positive limits, non-negative weights, convex bands.

use super::Found;
use crate::codes;
use crate::model::Policy;

pub(super) fn check_policy(policy: &Policy, found: &mut Found) {
    let positive = [
        ("standard_capacity", policy.standard_capacity),
        ("time_limit_s", policy.time_limit_s),
    ];
    for (key, value) in positive {
        if !(value.is_finite() && value > 0.0) {
            found.policy(
                codes::RANGE,
                key,
                format!("must be a finite number > 0, got {value}"),
            );
        }
    }
    let weights = [
        ("weights.unallocated", policy.weights.unallocated),
        ("weights.move", policy.weights.move_),
        ("weights.preference", policy.weights.preference),
    ];
    for (key, value) in weights {
        if !is_non_negative(value) {
            found.policy(
                codes::RANGE,
                key,
                format!("must be a finite number ≥ 0, got {value}"),
            );
        }
    }
    check_bands(policy, found);
}

fn is_non_negative(value: f64) -> bool {
    value.is_finite() && value >= 0.0
}

/// Bands must be convex: `from` finite, ≥ 0 and strictly increasing; `cost` finite, ≥ 0
/// and non-decreasing.
fn check_bands(policy: &Policy, found: &mut Found) {
    for (i, band) in policy.bands.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| policy.bands[p]);
        let from = format!("bands[{i}].from");
        let cost = format!("bands[{i}].cost");
        if !is_non_negative(band.from) {
            found.policy(
                codes::BANDS,
                &from,
                format!("must be a finite number ≥ 0, got {}", band.from),
            );
        } else if let Some(p) = previous.filter(|p| p.from.is_finite() && band.from <= p.from) {
            let message = format!(
                "must be greater than the previous band's from ({}), got {}: list bands in increasing order of from",
                p.from, band.from
            );
            found.policy(codes::BANDS, &from, message);
        }
        if !is_non_negative(band.cost) {
            found.policy(
                codes::BANDS,
                &cost,
                format!("must be a finite number ≥ 0, got {}", band.cost),
            );
        } else if let Some(p) = previous.filter(|p| p.cost.is_finite() && band.cost < p.cost) {
            let message = format!(
                "must be at least the previous band's cost ({}), got {}: the cost of a point of load may not fall as load rises",
                p.cost, band.cost
            );
            found.policy(codes::BANDS, &cost, message);
        }
    }
}
