//! Typed errors of the library. The binary maps them to exit codes.

use std::fmt;
use std::path::PathBuf;

/// One problem with the input, located as precisely as the source allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// File name as shown to the user, e.g. `cases.csv` or a full path.
    pub file: String,
    /// 1-based line in the file (the CSV header is line 1), when known.
    pub line: Option<u64>,
    /// The column or policy key concerned; empty when the whole row or file is.
    pub column: String,
    /// A stable code from [`crate::codes`] (e.g. `E-RANGE`), documented in the README.
    pub code: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.column.is_empty() {
            write!(f, ": {}", self.column)?;
        }
        write!(f, ": {} [{}]", self.message, self.code)
    }
}

/// Every problem found in an input, in file then line order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

/// Errors of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is invalid; nothing was solved or written.
    #[error("invalid input:\n{0}")]
    InvalidInput(InputErrors),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A table could not be formatted as CSV.
    #[error("cannot format CSV: {source}")]
    Csv {
        /// The underlying error.
        source: csv::Error,
    },
    /// The hard rules cannot all be met.
    #[error("no allocation meets every hard rule: {0}")]
    Infeasible(String),
    /// The solver failed.
    #[error("solver failure: {0}")]
    Solver(String),
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
