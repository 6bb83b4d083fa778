//! Errors of what-if runs: a bad variants file or base scenario stops the run; a variant
//! that cannot be built or solved only fills its own row.

use std::sync::Arc;

use crate::error::InputErrors;
use crate::model::WorkerId;
use crate::validate::Problems;

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
    /// The plan is larger than the run's limits allow (see
    /// [`crate::model::plan::Limits`]): checked before anything is allocated.
    #[error("the plan is too large: {0}")]
    TooLarge(String),
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
///
/// Each variant carries what went wrong as data (the worker's id, the validation
/// problems, the library's error); its text is the row's `error` in `comparison.csv`.
/// Two errors are equal when they are the same variant with equal data; errors of the
/// solver or of writing files (which hold an I/O error) are compared by their text.
#[derive(Clone, Debug, thiserror::Error)]
pub enum VariantError {
    /// A change names a worker that does not exist.
    #[error("no worker has the id `{0}`")]
    UnknownWorker(WorkerId),
    /// A change names a team with no worker.
    #[error("no worker is in team `{0}`")]
    UnknownTeam(String),
    /// A random selection asks for more workers than there are to choose from.
    #[error("cannot choose {asked} workers: only {available} available{}", in_team(.team))]
    TooFew {
        /// Workers asked for.
        asked: usize,
        /// Workers to choose from.
        available: usize,
        /// The team chosen within, if any.
        team: Option<String>,
    },
    /// New referrals are asked for but there is no case to draw them like.
    #[error("cannot draw new referrals like the existing cases: there are none{}", in_team(.team))]
    NoTemplate {
        /// The team drawn within, if any.
        team: Option<String>,
    },
    /// The changed scenario breaks an input rule (e.g. non-convex bands, duplicate ids);
    /// the text shows the first three problems.
    #[error("the changed scenario is invalid: {}", first_problems(.0))]
    Invalid(Problems),
    /// The solver found no allocation or failed.
    #[error("{0}")]
    Solve(Arc<crate::Error>),
    /// The allocation folder of the variant could not be written.
    #[error("cannot write the allocation folder: {0}")]
    Write(Arc<crate::Error>),
    /// An error as a shard recorded it (its text), read back by `merge`.
    #[error("{0}")]
    Recorded(String),
}

impl PartialEq for VariantError {
    fn eq(&self, other: &Self) -> bool {
        use VariantError::*;
        match (self, other) {
            (UnknownWorker(a), UnknownWorker(b)) => a == b,
            (UnknownTeam(a), UnknownTeam(b)) => a == b,
            (
                TooFew {
                    asked,
                    available,
                    team,
                },
                TooFew {
                    asked: asked_b,
                    available: available_b,
                    team: team_b,
                },
            ) => asked == asked_b && available == available_b && team == team_b,
            (NoTemplate { team }, NoTemplate { team: team_b }) => team == team_b,
            (Recorded(a), Recorded(b)) => a == b,
            (Invalid(a), Invalid(b)) => a == b,
            (Solve(a), Solve(b)) | (Write(a), Write(b)) => a.to_string() == b.to_string(),
            _ => false,
        }
    }
}

/// ` in team X`, or nothing.
fn in_team(team: &Option<String>) -> String {
    team.as_ref()
        .map_or(String::new(), |t| format!(" in team {t}"))
}

/// `worker W1: fte: …; case C2: weight: …; … (and 4 more)`: the first three problems.
fn first_problems(problems: &Problems) -> String {
    const SHOWN: usize = 3;
    let shown: Vec<String> = problems
        .iter()
        .take(SHOWN)
        .map(|p| format!("{}: {}: {}", p.subject_label(), p.column, p.message))
        .collect();
    let more = problems.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!(" (and {more} more)")
    } else {
        String::new()
    };
    format!("{}{tail}", shown.join("; "))
}
