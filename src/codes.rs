//! The stable error codes of caseload, shown in brackets after each input problem
//! (`cases.csv:3: weight: must be a number from 0.001 to 1,000, got -1 [E-RANGE]`).
//!
//! This is the one catalogue: scenario files (`workers.csv`, `cases.csv`, `pairs.csv`,
//! `policy.toml`), allocation files read by `caseload check`, the variants file of
//! `caseload whatif` and the files `caseload import` reads all take their codes from here. A code never changes meaning, so
//! scripts may match on it; the README lists them for users.
//!
//! This module sits at the bottom of the crate and imports nothing from it.
//!
//! ```
//! use caseload::codes;
//! use caseload::model::{Case, Policy, Scenario, Worker};
//! use caseload::validate::validate;
//!
//! let scenario = Scenario::new(
//!     vec![Worker::new("W1")],
//!     vec![Case::new("C1").weight(-1.0)],
//!     Policy::default(),
//! );
//! assert_eq!(validate(&scenario).0[0].code, codes::RANGE);
//! ```

// Files.

/// A required input file does not exist (or a scenario workbook lacks a required sheet).
pub const MISSING_FILE: &str = "E-MISSING-FILE";
/// One table is given twice in a scenario folder (e.g. `cases.csv` and `cases.xlsx`).
pub const DUPLICATE_FILE: &str = "E-DUPLICATE-FILE";
/// An input file exists but cannot be read (permissions, a folder, ...).
pub const UNREADABLE: &str = "E-UNREADABLE";
/// An input file is not valid UTF-8.
pub const ENCODING: &str = "E-ENCODING";
/// The allocation file given to `caseload check` is missing, unreadable or not UTF-8 text.
pub const FILE: &str = "E-FILE";

// CSV tables.

/// A CSV file has no header row, or its header lacks a required column.
pub const MISSING_COLUMN: &str = "E-MISSING-COLUMN";
/// A CSV header names the same column twice.
pub const DUPLICATE_COLUMN: &str = "E-DUPLICATE-COLUMN";
/// A CSV row has a different number of fields from the header, or is not valid CSV.
pub const MALFORMED_ROW: &str = "E-MALFORMED-ROW";
/// A value does not parse (not a number, not a boolean, wrong TOML type, ...).
pub const PARSE: &str = "E-PARSE";

// `policy.toml`.

/// `policy.toml` is not valid TOML.
pub const SYNTAX: &str = "E-SYNTAX";
/// `policy.toml` has a key the policy does not know.
pub const UNKNOWN_KEY: &str = "E-UNKNOWN-KEY";
/// `policy.toml` lacks a key that is required where it is (e.g. a band's `cost`).
pub const MISSING_KEY: &str = "E-MISSING-KEY";

// The content of a scenario.

/// A worker or case has an empty id (or a row of an allocation file an empty `case_id`).
pub const EMPTY_ID: &str = "E-EMPTY-ID";
/// Two workers, or two cases, share an id.
pub const DUPLICATE_ID: &str = "E-DUPLICATE-ID";
/// A value parses but is out of its documented range (NaN, ∞, negative weight, fte 0,
/// priority 6, a weight of 1e30, ...: see `validate::ranges`).
pub const RANGE: &str = "E-RANGE";
/// `current_worker`, `exclude` or `pairs.csv`'s `worker_id` names a worker that does not
/// exist.
pub const UNKNOWN_WORKER: &str = "E-UNKNOWN-WORKER";
/// A pinned case has no current worker.
pub const PIN_NO_WORKER: &str = "E-PIN-NO-WORKER";
/// A pinned case's current worker is not eligible for its whole unit.
pub const PIN_INELIGIBLE: &str = "E-PIN-INELIGIBLE";
/// Pinned cases of one group name different workers.
pub const PIN_CONFLICT: &str = "E-PIN-CONFLICT";
/// The load bands are not convex (or a band value is out of range).
pub const BANDS: &str = "E-BANDS";
/// `pairs.csv` names a case that does not exist.
pub const UNKNOWN_CASE: &str = "E-UNKNOWN-CASE";
/// `pairs.csv` has two rows for the same (case, worker) pair.
pub const DUPLICATE_PAIR: &str = "E-DUPLICATE-PAIR";

// `caseload whatif`.

/// Every problem in a variants file (`variants.toml`).
pub const VARIANTS: &str = "E-VARIANTS";
/// Every problem in a study file (`whatif --study`: scenario folders × variants).
pub const STUDY: &str = "E-STUDY";
/// A shard that cannot be run or merged: `--shard` out of range, a part folder missing,
/// duplicated, incomplete or from another plan, version or scenario.
pub const SHARD: &str = "E-SHARD";

// `caseload import`.

/// A date that decides whether a row of an import is closed (a closure, plan end or
/// ceased date) cannot be read.
pub const DATE: &str = "E-DATE";
/// An Annex A workbook has no sheet recognisable as one of the lists read (3 to 9).
pub const NO_LIST: &str = "E-NO-LIST";
/// An `import.toml` or a map file of `caseload import csv` is not valid: not TOML, an
/// unknown key or case type, a default without its `source`.
pub const IMPORT_CONFIG: &str = "E-IMPORT-CONFIG";

// Decisions.

/// An overrule (`reject`, `assign`, `never`) written without a note saying why, where the
/// policy requires one (`[decisions] note_required`, on by default): a workbook's
/// `decision` column read by `caseload decide --from`.
pub const NO_REASON: &str = "E-NO-REASON";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_well_formed() {
        let all = [
            MISSING_FILE,
            UNREADABLE,
            ENCODING,
            FILE,
            MISSING_COLUMN,
            DUPLICATE_COLUMN,
            MALFORMED_ROW,
            PARSE,
            SYNTAX,
            UNKNOWN_KEY,
            MISSING_KEY,
            EMPTY_ID,
            DUPLICATE_ID,
            RANGE,
            UNKNOWN_WORKER,
            PIN_NO_WORKER,
            PIN_INELIGIBLE,
            PIN_CONFLICT,
            BANDS,
            UNKNOWN_CASE,
            DUPLICATE_PAIR,
            VARIANTS,
            STUDY,
            SHARD,
            DATE,
            NO_LIST,
            IMPORT_CONFIG,
            NO_REASON,
        ];
        let distinct: std::collections::BTreeSet<&str> = all.into_iter().collect();
        assert_eq!(distinct.len(), all.len());
        for code in all {
            let rest = code.strip_prefix("E-").unwrap_or_default();
            assert!(
                !rest.is_empty() && rest.chars().all(|c| c.is_ascii_uppercase() || c == '-'),
                "{code}"
            );
        }
    }
}
