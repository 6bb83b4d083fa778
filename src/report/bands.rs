//! Green, amber and red: a worker's utilisation against the policy's load bands.
//!
//! Green is below the second-to-last band's `from` (0.85 with the default bands), amber
//! from there up to and including the last band's `from` (1.00: exactly full is amber),
//! red above it. With a single band, its `from` separates amber (at or below) and red
//! (above), and nothing is green above 0; with no bands, 0.85 and 1.00 apply.

use crate::model::Policy;

/// A worker's load band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rag {
    /// Comfortable: below the amber threshold.
    Green,
    /// Getting full: from the amber threshold up to the red threshold.
    Amber,
    /// Over the red threshold (over capacity with the default bands).
    Red,
}

impl Rag {
    /// `green`, `amber` or `red`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
        }
    }
}

/// The utilisations where amber and red begin: `(amber_from, red_above)`.
pub fn thresholds(policy: &Policy) -> (f64, f64) {
    match policy.bands.as_slice() {
        [] => (0.85, 1.0),
        [only] => (0.0, only.from),
        [.., amber, red] => (amber.from, red.from),
    }
}

pub use crate::model::utilisation;

/// The band of a worker holding `load` points with `capacity`.
pub fn rag(policy: &Policy, load: f64, capacity: f64) -> Rag {
    let (amber, red) = thresholds(policy);
    let u = utilisation(load, capacity);
    if u > red + 1e-9 {
        Rag::Red
    } else if u >= amber - 1e-9 && load > 0.0 {
        Rag::Amber
    } else {
        Rag::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_bands_give_green_amber_red() {
        let p = Policy::default();
        assert_eq!(rag(&p, 18.0, 22.0), Rag::Green); // 82 %
        assert_eq!(rag(&p, 18.7, 22.0), Rag::Amber); // 85 %
        assert_eq!(rag(&p, 22.0, 22.0), Rag::Amber); // exactly full
        assert_eq!(rag(&p, 22.5, 22.0), Rag::Red);
        assert_eq!(rag(&p, 1.0, 0.0), Rag::Red);
        assert_eq!(rag(&p, 0.0, 0.0), Rag::Green);
    }
}
