//! The documented range of every number of a scenario, chosen so that the program stays
//! numerically sound: every coefficient HiGHS sees lies within about 1e-3 and 1e10, and
//! every total of an objective within 1e15, far inside a double's 15 significant digits
//! and HiGHS's tolerances. A number outside its range is refused in validation
//! (`E-RANGE`, or `E-BANDS` for a band), never left to end as a solver failure.
//! README.md ("Input files") and docs/model.md list the same table.

use crate::text::count;

/// An inclusive range of a number; `open_low`: the low end itself is refused (`> 0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Smallest value.
    pub low: f64,
    /// Whether `low` itself is refused.
    pub open_low: bool,
    /// Largest value.
    pub high: f64,
}

impl Range {
    const fn closed(low: f64, high: f64) -> Self {
        Range {
            low,
            open_low: false,
            high,
        }
    }

    /// Whether `value` is in the range (never NaN or infinite).
    pub fn contains(&self, value: f64) -> bool {
        let above = if self.open_low {
            value > self.low
        } else {
            value >= self.low
        };
        value.is_finite() && above && value <= self.high
    }

    /// `must be a number from 0.001 to 1,000, got 1e30`.
    pub fn message(&self, got: f64) -> String {
        let low = if self.open_low {
            format!("greater than {}", shown(self.low))
        } else {
            format!("from {}", shown(self.low))
        };
        let to = if self.open_low { "and at most" } else { "to" };
        format!(
            "must be a number {low} {to} {}, got {}",
            shown(self.high),
            value(got)
        )
    }
}

/// A value as given, in exponent form when very large or very small (`1e30`).
pub(crate) fn value(x: f64) -> String {
    let size = x.abs();
    if x.is_finite() && size != 0.0 && !(1e-4..1e15).contains(&size) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A bound as it reads in a message: `1,000,000`, `0.001`.
fn shown(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let sign = if x < 0.0 { "-" } else { "" };
        format!("{sign}{}", count(x.abs() as u64))
    } else {
        crate::text::data_num(x)
    }
}

/// A case's (or a pair's) `weight`, in points.
pub const CASE_WEIGHT: Range = Range::closed(0.001, 1_000.0);
/// A worker's `fte`.
pub const FTE: Range = Range {
    low: 0.0,
    open_low: true,
    high: 1.0,
};
/// A worker's explicit `capacity`, in points.
pub const CAPACITY: Range = Range::closed(0.0, 10_000.0);
/// The policy's `standard_capacity` (points of a full-time worker).
pub const STANDARD_CAPACITY: Range = Range::closed(0.01, 10_000.0);
/// The policy's `time_limit_s`, in seconds (11.6 days).
pub const TIME_LIMIT_S: Range = Range {
    low: 0.0,
    open_low: true,
    high: 1_000_000.0,
};
/// Each of the policy's `weights` (unallocated, move, preference).
pub const POLICY_WEIGHT: Range = Range::closed(0.0, 1_000_000.0);
/// A band's `from` (a share of capacity: 100 is 10,000 %).
pub const BAND_FROM: Range = Range::closed(0.0, 100.0);
/// A band's `cost` per point of load.
pub const BAND_COST: Range = Range::closed(0.0, 1_000_000.0);
/// A `pairs.csv` row's `cost`.
pub const PAIR_COST: Range = Range::closed(0.0, 1_000_000.0);
/// The policy's `max_moves`.
pub const MAX_MOVES: u64 = 1_000_000_000;
/// The policy's `threads` (0: every core).
pub const THREADS: u32 = 1_024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_refuse_nan_infinities_and_their_outsides() {
        for range in [CASE_WEIGHT, FTE, CAPACITY, STANDARD_CAPACITY, TIME_LIMIT_S] {
            assert!(range.contains(range.high));
            assert_eq!(range.contains(range.low), !range.open_low);
            for bad in [f64::NAN, f64::INFINITY, range.high * 1.0001, -1.0] {
                assert!(!range.contains(bad), "{bad}");
            }
        }
    }

    #[test]
    fn messages_name_both_ends() {
        assert_eq!(
            CASE_WEIGHT.message(1e30),
            "must be a number from 0.001 to 1,000, got 1e30"
        );
        assert_eq!(
            FTE.message(0.0),
            "must be a number greater than 0 and at most 1, got 0"
        );
    }
}
