//! What the commands print, on a standard output that may close early.
//!
//! `caseload history | head` closes the pipe after ten lines: the rest of the output is
//! dropped quietly and the command ends with the exit code of its work (0 when done),
//! as ripgrep does, instead of panicking in `println!`. Any other failure to write
//! (a full disk behind `>`) is reported once at the end, exit 1.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Set once standard output has failed: nothing more is written to it.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// The first failure to write that was not a closed pipe.
static FAILED: Mutex<Option<io::Error>> = Mutex::new(None);

/// Text for a terminal: every control character but the line break and the tab (an
/// ANSI escape that would repaint the terminal, a carriage return that would overwrite
/// a line) written out as `\u{1b}`. Whatever a person typed into a note, a name or an
/// id, the terminal shows it and does not obey it.
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    let harmful = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(harmful) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if harmful(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes to standard output, made [`inert`]; a closed pipe ends all output quietly.
pub fn stdout(args: fmt::Arguments<'_>) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let text = args.to_string();
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(inert(&text).as_bytes()) {
        CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != io::ErrorKind::BrokenPipe {
            if let Ok(mut failed) = FAILED.lock() {
                failed.get_or_insert(e);
            }
        }
    }
}

/// Writes to standard error, made [`inert`], ignoring a failure (there is nowhere left
/// to say it).
pub fn stderr(args: fmt::Arguments<'_>) {
    let text = args.to_string();
    let _ = io::stderr().lock().write_all(inert(&text).as_bytes());
}

/// Flushes standard output and gives the first failure to write that was not a closed
/// pipe, if any.
pub fn failure() -> Option<io::Error> {
    if !CLOSED.load(Ordering::Relaxed) {
        if let Err(e) = io::stdout().lock().flush() {
            if e.kind() != io::ErrorKind::BrokenPipe {
                return Some(e);
            }
        }
    }
    FAILED.lock().ok().and_then(|mut f| f.take())
}

/// `print!` on a standard output that may close early.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::stdout(format_args!($($arg)*))
    };
}

/// `println!` on a standard output that may close early.
macro_rules! outln {
    () => {
        $crate::cli::out::stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::out::stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::out::stderr(format_args!("{}\n", format_args!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(inert("plain\nlines\tand tabs"), "plain\nlines\tand tabs");
        assert_eq!(inert("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(inert("over\rwritten\u{7}"), "over\\u{d}written\\u{7}");
    }
}
