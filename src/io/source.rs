//! The text of an input file: [`Source`], reading a file as UTF-8 text, and what a value
//! that does not parse is reported as.
//!
//! Shared by every reader of `io` (scenario tables, `policy.toml`) and by the allocation
//! reader of `check`; each words its own messages from the failures returned here.

use std::path::Path;

/// The text of one input file, and the name its problems are reported under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Shown in errors, e.g. `scenarios/demo/cases.csv`.
    pub name: String,
    /// The whole file.
    pub text: String,
}

impl Source {
    /// A source from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// What went wrong with one value: a code (from [`crate::codes`]) and a message.
pub(crate) type Rejection = (&'static str, String);

/// Why a file could not be read as text.
#[derive(Debug)]
pub(crate) enum TextFailure {
    /// The file could not be read (it does not exist, is a folder, is not readable, ...).
    Io(std::io::Error),
    /// The file is not valid UTF-8 from this 1-based line on.
    NotUtf8 {
        /// The line of the first invalid byte.
        line: u64,
    },
}

/// Reads a whole file as UTF-8 text.
pub(crate) fn read_text(path: &Path) -> Result<String, TextFailure> {
    let bytes = std::fs::read(path).map_err(TextFailure::Io)?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64;
        TextFailure::NotUtf8 { line }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, b"id\r\nW1\r\nW\xe92\r\n").unwrap();
        assert!(matches!(
            read_text(&path),
            Err(TextFailure::NotUtf8 { line: 3 })
        ));
        std::fs::write(&path, "id\nW1\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "id\nW1\n");
        let missing = read_text(&dir.path().join("nope.csv"));
        assert!(
            matches!(missing, Err(TextFailure::Io(e)) if e.kind() == std::io::ErrorKind::NotFound)
        );
    }
}
