//! Atomic file writes: a reader never sees half a file ([`write_files_atomically`]),
//! and a whole set of outputs replaced at once ([`OutputSet`]).

pub mod set;

pub use set::OutputSet;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

fn io_error(path: &Path, source: std::io::Error) -> Error {
    crate::error::io_error(path, source)
}

/// Writes every file to a temporary sibling first, then renames them all into place, so
/// each file appears whole, and nothing is replaced unless every file could be written.
/// Creates the parent folders if needed.
pub fn write_files_atomically(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let mut staged = Vec::with_capacity(files.len());
    for (path, contents) in files {
        match stage(path, contents) {
            Ok(tmp) => staged.push((tmp, path)),
            Err(e) => {
                for (tmp, _) in &staged {
                    let _ = fs::remove_file(tmp);
                }
                return Err(e);
            }
        }
    }
    let mut staged = staged.into_iter();
    while let Some((tmp, path)) = staged.next() {
        if let Err(e) = fs::rename(&tmp, path) {
            let _ = fs::remove_file(&tmp);
            for (tmp, _) in staged {
                let _ = fs::remove_file(tmp);
            }
            return Err(io_error(path, e));
        }
    }
    Ok(())
}

/// The temporary sibling of `path` for this process.
fn temporary(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Removes the temporaries `.NAME.PID.tmp` of `path` left by processes that are gone
/// (killed while writing). On systems without `/proc` nothing is removed.
pub fn remove_stale_temporaries(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let pid = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes one file atomically (temporary sibling, then rename).
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    write_files_atomically(&[(path.to_path_buf(), contents.to_vec())])
}

fn stage(path: &Path, contents: &[u8]) -> Result<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_stale_temporaries(path);
    let tmp = temporary(&dir, &name);
    let mut file = fs::File::create(&tmp).map_err(|e| io_error(&tmp, e))?;
    let written = file.write_all(contents).and_then(|_| file.sync_all());
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(&tmp, e));
    }
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_all_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("sub/a.txt");
        let b = dir.path().join("sub/b.txt");
        write_files_atomically(&[(a.clone(), b"one".to_vec()), (b.clone(), b"two".to_vec())])
            .expect("written");
        assert_eq!(fs::read(&a).expect("a"), b"one");
        assert_eq!(fs::read(&b).expect("b"), b"two");
        let names: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .expect("listing")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 2);
    }

    #[test]
    fn replaces_nothing_when_one_file_cannot_be_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = dir.path().join("a.txt");
        fs::write(&a, b"old").expect("seed");
        // A path under a regular file cannot be created.
        let bad = dir.path().join("a.txt/b.txt");
        let result = write_files_atomically(&[(a.clone(), b"new".to_vec()), (bad, b"x".to_vec())]);
        assert!(result.is_err());
        assert_eq!(fs::read(&a).expect("a"), b"old");
        assert_eq!(fs::read_dir(dir.path()).expect("listing").count(), 1);
    }
}
