//! Typed errors of the library. The binary maps them to exit codes.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::text::one_line;

/// One problem with the input, located as precisely as the source allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    /// File name as shown to the user, e.g. `cases.csv` or a full path.
    pub file: String,
    /// 1-based line in the file (the CSV header is line 1), when known.
    pub line: Option<u64>,
    /// The column or policy key concerned; empty when the whole row or file is.
    pub column: String,
    /// In a workbook, the sheet and cell (`cases!D12`, or `cases!12:12` for a whole row),
    /// shown instead of the line (which is then the sheet's row); `None` for text files.
    pub cell: Option<Box<str>>,
    /// A stable code from [`crate::codes`] (e.g. `E-RANGE`), documented in the README.
    pub code: &'static str,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for InputError {
    /// One line, `file:line: column: message [CODE]`, whatever the values echoed in it
    /// hold (a line break in a value reads `\n`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", one_line(&self.file))?;
        if let Some(cell) = &self.cell {
            write!(f, ": {cell}")?;
        } else if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.column.is_empty() {
            write!(f, ": {}", one_line(&self.column))?;
        }
        write!(f, ": {} [{}]", one_line(&self.message), self.code)
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
    /// A value could not be formatted as JSON.
    #[error("cannot format {what}: {source}")]
    Json {
        /// What was being formatted, e.g. `summary`.
        what: &'static str,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The hard rules cannot all be met.
    #[error("no allocation meets every hard rule: {0}")]
    Infeasible(Infeasibility),
    /// The solver failed.
    #[error("solver failure: {0}")]
    Solver(SolverError),
}

// The payloads of `Infeasible` and `Solver` carry the solver's own statuses and errors as
// typed fields, but not as `source()`: their messages already quote them, and the binary
// prints an error's whole chain.

/// Why no allocation meets every hard rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Infeasibility {
    /// The solver proved it, and keeping every child whose worker still fits breaks no
    /// rule by itself.
    Proved,
    /// Keeping every child whose worker still fits already breaks these rules.
    StartBreaks(Vec<Breach>),
}

impl fmt::Display for Infeasibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infeasibility::Proved => write!(f, "the solver proved it"),
            Infeasibility::StartBreaks(breaches) => write!(
                f,
                "keeping every child whose worker still fits breaks: {}",
                Breaches(breaches)
            ),
        }
    }
}

/// A hard rule an allocation breaks, with the units and workers concerned (by unit key
/// and worker id).
#[derive(Clone, Debug, PartialEq)]
pub enum Breach {
    /// Hard rule 1: a unit (a child, or a sibling group) goes to a worker not eligible
    /// for it.
    Ineligible {
        /// The unit's key.
        unit: String,
        /// The worker's id.
        worker: String,
    },
    /// Hard rule 2: a unit that must stay allocated is not.
    MustStayAllocated {
        /// The unit's key.
        unit: String,
        /// Whether it must because a case is pinned (else: its current worker still
        /// fits).
        pinned: bool,
    },
    /// Hard rule 3: a worker's load above its limit.
    Load {
        /// The worker's id.
        worker: String,
        /// Its load after the run.
        load: f64,
        /// Its limit.
        limit: f64,
        /// The units it receives new cases of (keys).
        receiving: Vec<String>,
    },
    /// Hard rule 3: a worker's case count above its limit.
    Cases {
        /// The worker's id.
        worker: String,
        /// Its cases after the run.
        cases: u32,
        /// Its limit.
        limit: u32,
        /// The units it receives new cases of (keys).
        receiving: Vec<String>,
    },
    /// Hard rule 4: a worker receives more cases than its `max_new`.
    NewCases {
        /// The worker's id.
        worker: String,
        /// The cases it receives.
        received: u32,
        /// Its `max_new`.
        limit: u32,
        /// The units it receives new cases of (keys).
        receiving: Vec<String>,
    },
    /// Hard rule 5: more discretionary moves than `max_moves`.
    Moves {
        /// The discretionary moves.
        moves: u32,
        /// `max_moves`.
        limit: u64,
    },
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Breach::Ineligible { unit, worker } => write!(f, "unit {unit} cannot go to {worker}"),
            Breach::MustStayAllocated { unit, pinned } => write!(
                f,
                "unit {unit} must stay allocated: {}",
                if *pinned {
                    "a case is pinned"
                } else {
                    "its current worker still fits"
                }
            ),
            Breach::Load {
                worker,
                load,
                limit,
                receiving,
            } => write!(
                f,
                "{worker} would hold {load} points, above its limit {limit}{}",
                Receiving(receiving)
            ),
            Breach::Cases {
                worker,
                cases,
                limit,
                receiving,
            } => write!(
                f,
                "{worker} would hold {cases} cases, above its limit {limit}{}",
                Receiving(receiving)
            ),
            Breach::NewCases {
                worker,
                received,
                limit,
                receiving,
            } => write!(
                f,
                "{worker} would receive {received} cases, above max_new {limit}{}",
                Receiving(receiving)
            ),
            Breach::Moves { moves, limit } => {
                write!(f, "{moves} discretionary moves, above max_moves {limit}")
            }
        }
    }
}

/// ` (receiving a, b)`, or nothing when no unit is named.
struct Receiving<'a>(&'a [String]);

impl fmt::Display for Receiving<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, " (receiving {})", self.0.join(", "))
        }
    }
}

/// Breaches separated by `; `.
struct Breaches<'a>(&'a [Breach]);

impl fmt::Display for Breaches<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, breach) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{breach}")?;
        }
        Ok(())
    }
}

/// How the solver failed: the stage, with HiGHS's status or error.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SolverError {
    /// HiGHS would not take a program.
    #[error("{0}")]
    Program(good_lp::ResolutionError),
    /// HiGHS refused an option (its error, `TrySetOptionError`, carries nothing more).
    #[error("cannot set HiGHS option {option}: TrySetOptionError")]
    Option {
        /// The option's name.
        option: &'static str,
    },
    /// HiGHS refused the MIP start.
    #[error("MIP start rejected: {status:?}")]
    MipStart {
        /// HiGHS's answer.
        status: highs::HighsStatus,
    },
    /// HiGHS failed while solving.
    #[error("{status:?}")]
    Run {
        /// HiGHS's answer.
        status: highs::HighsStatus,
    },
    /// HiGHS stopped with a status that is neither an answer nor a limit reached.
    #[error("HiGHS stopped with status {status:?}")]
    Stopped {
        /// The model status.
        status: highs::HighsModelStatus,
    },
    /// The solver's threads could not be started.
    #[error("cannot start solver threads: {reason}")]
    Threads {
        /// The thread pool's error, in words.
        reason: String,
    },
    /// The thread computing the LP bound of a large instance panicked.
    #[error("the LP bound's thread panicked")]
    BoundThreadPanicked,
    /// A part was never handed to a solver thread.
    #[error("a part was not solved")]
    PartNotSolved,
    /// The time limit passed before any allocation meeting every hard rule was found
    /// (the starting allocation breaks some).
    #[error(
        "no allocation meeting every hard rule was found within the time limit of \
         {time_limit_s} s (the starting allocation breaks: {}); allow more time",
        Breaches(breaches)
    )]
    NothingFeasibleInTime {
        /// The time limit in seconds.
        time_limit_s: f64,
        /// What the starting allocation breaks.
        breaches: Vec<Breach>,
    },
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error and its causes as one line, `outer: cause: cause`, each cause said once: a
/// cause whose text the line already ends with (an error that shows its source in its
/// own text, as [`Error::Io`] does) is not repeated.
pub fn chain_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = c.source();
    }
    text
}

/// [`Error::Io`] for `path`, saying what is in the way when the error alone would not:
/// "File exists" for a folder that cannot be made because a dangling symbolic link or a
/// file holds its name.
pub fn io_error(path: &Path, source: std::io::Error) -> Error {
    let source = match source.kind() {
        std::io::ErrorKind::AlreadyExists => match in_the_way(path) {
            Some(what) => std::io::Error::new(source.kind(), what),
            None => source,
        },
        _ => source,
    };
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What holds the name of a folder to be made at `path` (or one of its parents).
fn in_the_way(path: &Path) -> Option<String> {
    for p in path.ancestors().filter(|p| !p.as_os_str().is_empty()) {
        let Ok(meta) = p.symlink_metadata() else {
            continue;
        };
        // The path itself is named before the message already.
        let which = if p == path {
            String::new()
        } else {
            format!("{}: ", p.display())
        };
        if meta.file_type().is_symlink() && !p.exists() {
            let target = std::fs::read_link(p).map(|t| t.display().to_string());
            return Some(format!(
                "{which}a symbolic link to {}, which does not exist: make that folder or remove the link",
                target.unwrap_or_else(|_| "a missing target".to_string())
            ));
        }
        if !meta.is_dir() && !meta.file_type().is_symlink() {
            return Some(format!(
                "{which}a file, where a folder is needed: remove it or choose another folder"
            ));
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_text_says_each_cause_once() {
        let io = std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "File exists (os error 17)",
        );
        let err = Error::Io {
            path: PathBuf::from("out"),
            source: io,
        };
        assert_eq!(chain_text(&err), "out: File exists (os error 17)");
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_blocked_by_a_dangling_link_or_a_file_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        let link = dir.path().join("out");
        std::os::unix::fs::symlink(dir.path().join("gone"), &link).expect("link");
        let made = std::fs::create_dir_all(&link).expect_err("a dangling link");
        let text = chain_text(&io_error(&link, made));
        assert_eq!(
            text,
            format!(
                "{}: a symbolic link to {}, which does not exist: make that folder or remove the link",
                link.display(),
                dir.path().join("gone").display()
            )
        );
        let file = dir.path().join("file");
        std::fs::write(&file, "x").expect("file");
        let made = std::fs::create_dir_all(&file).expect_err("a file");
        assert_eq!(
            chain_text(&io_error(&file, made)),
            format!(
                "{}: a file, where a folder is needed: remove it or choose another folder",
                file.display()
            )
        );
    }
}
