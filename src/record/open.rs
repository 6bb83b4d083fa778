//! How a record file is opened to read it without writing a byte, and what a damaged
//! one looks like.
//!
//! A reading command (`history`, `diff`, `decide --list`, the workspace's reads) never
//! creates, migrates or writes anything: it opens the file read-only. A record is kept
//! in write-ahead-log mode, where even a reader makes side files (`-wal`, `-shm`) if it
//! can; so when there is no `-wal` beside the record (no writer is at work, none was
//! killed mid-run) the file is opened *immutable*: read as it is, with no side file and
//! no lock, which also works in a folder nobody may write (an archive, another user's
//! record). When a `-wal` is there, its runs are read through it as usual (its side
//! files exist already).
//!
//! A record of an older schema is read as it is: temporary tables and views, in memory
//! and on this connection only, show it as the newest schema (a version 2 record has no
//! capacity decisions; a version 1 record no decisions at all). Only writing commands
//! migrate the file, and say so.

use std::path::{Path, PathBuf};

/// The side file of the write-ahead log beside `path`.
pub(super) fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push("-wal");
    PathBuf::from(name)
}

/// The SQLite URI that opens `path` read-only: immutable when no `-wal` is beside it.
pub(super) fn read_uri(path: &Path) -> String {
    let immutable = !wal_path(path).exists();
    let mut uri = String::from("file:");
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            // Everything a URI's path could take for something else is escaped.
            b'%' | b'?' | b'#' => uri.push_str(&format!("%{byte:02X}")),
            _ if byte.is_ascii_graphic() || *byte == b' ' => uri.push(char::from(*byte)),
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri.push_str(if immutable {
        "?mode=ro&immutable=1"
    } else {
        "?mode=ro"
    });
    uri
}

/// The columns of the decision table at the newest schema.
const DECISION_V3: &str = "id INTEGER PRIMARY KEY, at TEXT NOT NULL, by TEXT NOT NULL,
    case_id TEXT NOT NULL, kind TEXT NOT NULL, worker_id TEXT, note TEXT NOT NULL,
    on_run INTEGER NOT NULL, withdrawn_at TEXT, withdrawn_by TEXT,
    withdrawn_after_run INTEGER, superseded_by INTEGER, capacity REAL";

/// The access log's columns at the newest schema.
const ACCESS_V4: &str = "id INTEGER PRIMARY KEY, at TEXT NOT NULL, sub TEXT NOT NULL,
    email TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, method TEXT NOT NULL,
    call TEXT NOT NULL, status INTEGER NOT NULL, outcome TEXT NOT NULL, teams TEXT NOT NULL,
    children TEXT NOT NULL, workers TEXT NOT NULL";

/// The SQL that shows a record of schema `version` as the newest schema to a reader,
/// in temporary objects only; `None` for the newest schema.
pub(super) fn read_shim(version: i64) -> Option<String> {
    let decisions = format!(
        "CREATE TEMP TABLE decision ({DECISION_V3});
         CREATE TEMP TABLE run_decision (run INTEGER NOT NULL, decision INTEGER NOT NULL,
             applied INTEGER NOT NULL, why TEXT NOT NULL, PRIMARY KEY (run, decision));"
    );
    let access = format!("CREATE TEMP TABLE access ({ACCESS_V4});");
    match version {
        // An empty file: a record with no runs yet.
        0 => {
            let runs = super::schema::MIGRATIONS[0].replace("CREATE TABLE", "CREATE TEMP TABLE");
            Some(format!("{runs};\n{decisions}\n{access}"))
        }
        1 => Some(format!("{decisions}\n{access}")),
        2 => Some(format!(
            "CREATE TEMP VIEW decision AS SELECT id, at, by, case_id, kind, worker_id, note,
                 on_run, withdrawn_at, withdrawn_by, withdrawn_after_run, superseded_by,
                 NULL AS capacity FROM main.decision;\n{access}"
        )),
        3 => Some(access),
        _ => None,
    }
}

/// The file is shorter than its own header says (a copy cut short, a disk that filled
/// while copying): `Some` with what is missing. The header's page count is read as
/// SQLite's file format defines it (valid when the change counter at offset 24 equals
/// the version-valid-for number at offset 92).
pub(super) fn cut_short(path: &Path) -> Option<String> {
    use std::io::Read;
    if std::fs::metadata(wal_path(path)).is_ok_and(|m| m.len() > 0) {
        return None; // the log holds pages the file does not have yet
    }
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len == 0 {
        return None; // a new, empty record
    }
    if file.read_exact(&mut header).is_err() {
        return Some(format!("the file has {len} bytes, less than a header"));
    }
    let word = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(word(28));
    if word(24) != word(92) || pages == 0 {
        return None; // the count is not kept: SQLite reckons from the file's length
    }
    let expected = pages * page_size;
    (len < expected).then(|| format!("the file has {len} bytes of the {expected} it should have"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_becomes_a_read_only_uri_with_its_odd_characters_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a b?#%é.sqlite");
        let uri = read_uri(&path);
        assert!(uri.starts_with("file:/"), "{uri}");
        assert!(uri.contains("a b%3F%23%25%C3%A9.sqlite"), "{uri}");
        assert!(uri.ends_with("?mode=ro&immutable=1"), "{uri}");
        std::fs::write(wal_path(&path), b"").unwrap();
        assert!(read_uri(&path).ends_with("?mode=ro"));
    }
}
