//! Errors of what-if runs: a bad variants file or base scenario stops the run; a variant
//! that cannot be built or solved only fills its own row.

use crate::error::InputErrors;

/// Why a what-if run could not start (nothing is written).
#[derive(Debug, thiserror::Error)]
pub enum WhatIfError {
    /// The variants file is missing, not TOML, or asks for something impossible; every
    /// problem is located as `file:line: key: what is wrong`.
    #[error("invalid variants file:\n{0}")]
    Variants(InputErrors),
    /// The base scenario cannot be read or is invalid.
    #[error(transparent)]
    Base(#[from] crate::Error),
    /// The thread pool could not be built.
    #[error("cannot start {jobs} worker threads: {message}")]
    Pool {
        /// Threads asked for.
        jobs: usize,
        /// What went wrong.
        message: String,
    },
}

/// Why one variant (one draw of it) has no result; shown in its row, the batch goes on.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum VariantError {
    /// A change names a worker that does not exist.
    #[error("no worker has the id `{0}`")]
    UnknownWorker(String),
    /// A change names a team with no worker.
    #[error("no worker is in team `{0}`")]
    UnknownTeam(String),
    /// A random selection asks for more workers than there are to choose from.
    #[error("cannot choose {asked} workers: only {available} available{within}")]
    TooFew {
        /// Workers asked for.
        asked: usize,
        /// Workers to choose from.
        available: usize,
        /// ` in team X`, or empty.
        within: String,
    },
    /// New referrals are asked for but there is no case to draw them like.
    #[error("cannot draw new referrals like the existing cases: there are none{0}")]
    NoTemplate(String),
    /// The changed scenario breaks an input rule (e.g. non-convex bands, duplicate ids).
    #[error("the changed scenario is invalid: {0}")]
    Invalid(String),
    /// The solver found no allocation or failed.
    #[error("{0}")]
    Solve(String),
    /// The allocation folder of the variant could not be written.
    #[error("cannot write the allocation folder: {0}")]
    Write(String),
}
