//! Rules on the policy: every number in its range (`ranges`), convex bands.

use super::ranges;
use super::Found;
use crate::codes;
use crate::model::Policy;

pub(super) fn check_policy(policy: &Policy, found: &mut Found) {
    let numbers = [
        (
            "standard_capacity",
            policy.standard_capacity,
            ranges::STANDARD_CAPACITY,
        ),
        ("time_limit_s", policy.time_limit_s, ranges::TIME_LIMIT_S),
        (
            "weights.unallocated",
            policy.weights.unallocated,
            ranges::POLICY_WEIGHT,
        ),
        ("weights.move", policy.weights.move_, ranges::POLICY_WEIGHT),
        (
            "weights.preference",
            policy.weights.preference,
            ranges::POLICY_WEIGHT,
        ),
    ];
    for (key, value, range) in numbers {
        if !range.contains(value) {
            found.policy(codes::RANGE, key, range.message(value));
        }
    }
    if policy.max_moves > ranges::MAX_MOVES {
        let message = format!(
            "must be a whole number from 0 to {}, got {}",
            crate::text::count(ranges::MAX_MOVES),
            policy.max_moves
        );
        found.policy(codes::RANGE, "max_moves", message);
    }
    if policy.threads > ranges::THREADS {
        let message = format!(
            "must be a whole number from 0 (every core) to {}, got {}",
            ranges::THREADS,
            policy.threads
        );
        found.policy(codes::RANGE, "threads", message);
    }
    check_bands(policy, found);
}

/// Bands must be convex: `from` in its range and strictly increasing; `cost` in its
/// range and non-decreasing.
fn check_bands(policy: &Policy, found: &mut Found) {
    for (i, band) in policy.bands.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| policy.bands[p]);
        let from = format!("bands[{i}].from");
        let cost = format!("bands[{i}].cost");
        if !ranges::BAND_FROM.contains(band.from) {
            found.policy(codes::BANDS, &from, ranges::BAND_FROM.message(band.from));
        } else if let Some(p) = previous.filter(|p| p.from.is_finite() && band.from <= p.from) {
            let message = format!(
                "must be greater than the previous band's from ({}), got {}: list bands in increasing order of from",
                p.from, band.from
            );
            found.policy(codes::BANDS, &from, message);
        }
        if !ranges::BAND_COST.contains(band.cost) {
            found.policy(codes::BANDS, &cost, ranges::BAND_COST.message(band.cost));
        } else if let Some(p) = previous.filter(|p| p.cost.is_finite() && band.cost < p.cost) {
            let message = format!(
                "must be at least the previous band's cost ({}), got {}: the cost of a point of load may not fall as load rises",
                p.cost, band.cost
            );
            found.policy(codes::BANDS, &cost, message);
        }
    }
}
