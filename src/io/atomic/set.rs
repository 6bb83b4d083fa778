//! One set of output files replaced as a whole: a reader of `OUT` sees the complete old
//! set or the complete new set, never a mixture, and nothing half written.
//!
//! # How
//!
//! Each file (or folder) of the set is, in `OUT`, a relative symbolic link
//! `OUT/NAME -> .caseload/KIND/current/NAME`, and `OUT/.caseload/KIND/current` is itself a
//! link to a version folder `vN` holding the whole set. A run
//!
//! 1. stages its files in a fresh folder `.caseload/KIND/new-ID` (claimed by a lock on
//!    `new-ID.lock` that the operating system releases if the process dies);
//! 2. checks every destination (a folder where a file goes, or a file where a folder
//!    goes, is refused: nothing is replaced);
//! 3. under `.caseload/KIND/lock`, renames the staging folder to `vN+1`, makes the link
//!    `OUT/NAME` of each new member (it points at nothing until the swap, which readers
//!    see as "no such file", as in the old set), then **swaps** by one `rename(2)` of a
//!    new link over `current` — atomic on every POSIX file system, with no fallback
//!    needed — and finally removes the links of the old members the new set lacks and
//!    every other version.
//!
//! The user's other files in `OUT` are never touched: only the set's own names and the
//! hidden `.caseload` folder are caseload's. Leftovers of an interrupted run (a staging
//! folder whose lock is free, a version `current` does not name) are removed by the
//! next run of the same kind on the same `OUT`. Files caseload wrote as plain files into
//! `OUT` before (version 0.x) are carried into a first version by hard links (copies
//! where links are not possible) before anything is replaced.
//!
//! For tests only, in a build with the `test-hooks` feature (which the tests turn on
//! through the crate's dev-dependency on itself; a release build has no such code), the
//! environment variable `CASELOAD_TEST_HOOK` (a folder) makes a run stop at each step of
//! the swap: it creates `STEP` in that folder and waits until `STEP.go` exists, so a test
//! can kill the real binary exactly there.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{io_error, Error, Result};

/// The hidden folder in `OUT` that holds the versions of every set.
pub const STATE_DIR: &str = ".caseload";

/// The steps of a swap at which `CASELOAD_TEST_HOOK` stops a run.
pub const HOOK_STEPS: [&str; 4] = ["migrated", "linked", "swap", "swapped"];

/// A set of output files being staged for `OUT`; [`OutputSet::commit`] swaps it in,
/// dropping it uncommitted removes what was staged.
#[derive(Debug)]
pub struct OutputSet {
    out: PathBuf,
    kind: String,
    kind_dir: PathBuf,
    id: String,
    staging: PathBuf,
    family: Vec<String>,
    claim: Option<File>,
}

impl OutputSet {
    /// Starts a set of kind `kind` (e.g. `allocate`) for `out`, creating `out` if needed
    /// and removing the leftovers of interrupted runs. `family` names the files caseload
    /// wrote there as plain files before sets existed, carried into the first version.
    ///
    /// # Errors
    /// [`Error::Io`] when `out` cannot be made or written (nothing is replaced).
    pub fn begin(out: &Path, kind: &str, family: &[&str]) -> Result<Self> {
        fs::create_dir_all(out).map_err(|e| io_error(out, e))?;
        for name in family {
            super::remove_stale_temporaries(&out.join(name));
        }
        let kind_dir = out.join(STATE_DIR).join(kind);
        let mut family: Vec<String> = family.iter().map(|s| s.to_string()).collect();
        family.extend(drop_copied_state(&kind_dir)?);
        fs::create_dir_all(&kind_dir).map_err(|e| io_error(&kind_dir, e))?;
        let lock = lock(&kind_dir)?;
        collect(&kind_dir)?;
        let id = format!(
            "new-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        );
        let claim_path = kind_dir.join(format!("{id}.lock"));
        let claim = File::create(&claim_path).map_err(|e| io_error(&claim_path, e))?;
        claim.lock().map_err(|e| io_error(&claim_path, e))?;
        let staging = kind_dir.join(&id);
        fs::create_dir(&staging).map_err(|e| io_error(&staging, e))?;
        drop(lock);
        Ok(Self {
            out: out.to_path_buf(),
            kind: kind.to_string(),
            kind_dir,
            id,
            staging,
            family,
            claim: Some(claim),
        })
    }

    /// The staging folder: every file and folder put here is a member of the set.
    pub fn dir(&self) -> &Path {
        &self.staging
    }

    /// Stages the file `name` (a plain file name) with `contents`.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be written.
    pub fn add(&self, name: &str, contents: &[u8]) -> Result<()> {
        let path = self.staging.join(plain_name(name)?);
        let mut file = File::create(&path).map_err(|e| io_error(&path, e))?;
        file.write_all(contents)
            .and_then(|_| file.sync_all())
            .map_err(|e| io_error(&path, e))
    }

    /// Swaps the staged set in: `OUT` shows exactly the new set's members (and the
    /// user's own files) from one instant on.
    ///
    /// # Errors
    /// [`Error::Io`] when a destination is in the way (a folder where a file goes, or the
    /// reverse) or a step fails; the old set is then still whole.
    pub fn commit(mut self) -> Result<()> {
        let members = listing(&self.staging)?;
        let mut names: Vec<String> = members.iter().map(|(n, _)| n.clone()).collect();
        names.extend(self.family.iter().cloned());
        names.sort();
        names.dedup();
        for (name, is_dir) in &members {
            check_destination(&self.out.join(name), *is_dir)?;
        }
        let _lock = lock(&self.kind_dir)?;
        let current = self.kind_dir.join("current");
        if current.symlink_metadata().is_err() {
            self.migrate(&names)?;
        }
        hook("migrated");
        sync_dir(&self.staging);
        let version = self.next_version()?;
        let version_dir = self.kind_dir.join(&version);
        fs::rename(&self.staging, &version_dir).map_err(|e| io_error(&version_dir, e))?;
        for (name, _) in &members {
            self.link(name)?;
        }
        hook("linked");
        hook("swap");
        self.point_current_at(&version)?;
        hook("swapped");
        self.unlink_dangling()?;
        collect(&self.kind_dir)?;
        sync_dir(&self.kind_dir);
        sync_dir(&self.out);
        self.release();
        Ok(())
    }

    /// `.caseload/KIND/current/NAME`, the target of `OUT/NAME`.
    fn target(&self, name: &str) -> PathBuf {
        Path::new(STATE_DIR)
            .join(&self.kind)
            .join("current")
            .join(name)
    }

    /// Carries the plain files and folders caseload wrote into `OUT` before sets existed
    /// into a first version (hard links, so nothing is copied twice), and points
    /// `current` at it; then each is replaced by its link, which shows the same bytes.
    fn migrate(&self, names: &[String]) -> Result<()> {
        let plain: Vec<&String> = names
            .iter()
            .filter(|n| {
                self.out
                    .join(n)
                    .symlink_metadata()
                    .is_ok_and(|m| !m.file_type().is_symlink())
            })
            .collect();
        if plain.is_empty() {
            return Ok(());
        }
        let first = self.kind_dir.join("v0");
        fs::create_dir(&first).map_err(|e| io_error(&first, e))?;
        for name in &plain {
            link_tree(&self.out.join(name), &first.join(name))?;
        }
        self.point_current_at("v0")?;
        for name in plain {
            self.link(name)?;
        }
        Ok(())
    }

    /// The name of the next version: one more than `current`'s.
    fn next_version(&self) -> Result<String> {
        let now = fs::read_link(self.kind_dir.join("current")).ok();
        let n = now
            .and_then(|t| {
                t.to_str()
                    .and_then(|s| s.strip_prefix('v')?.parse::<u64>().ok())
            })
            .map_or(1, |n| n + 1);
        Ok(format!("v{n}"))
    }

    /// Makes `OUT/NAME` the link into `current` (replacing whatever is there).
    fn link(&self, name: &str) -> Result<()> {
        let dest = self.out.join(name);
        let target = self.target(name);
        if fs::read_link(&dest).is_ok_and(|t| t == target) {
            return Ok(());
        }
        if dest
            .symlink_metadata()
            .is_ok_and(|m| m.is_dir() && !m.file_type().is_symlink())
        {
            // Only a folder carried into a first version: moved aside, removed below.
            let aside = self.kind_dir.join(format!("old-{}-{name}", self.id));
            fs::rename(&dest, &aside).map_err(|e| io_error(&dest, e))?;
        }
        let tmp = self.kind_dir.join(format!("link-{}", self.id));
        let _ = fs::remove_file(&tmp);
        symlink(&target, &tmp).map_err(|e| io_error(&tmp, e))?;
        fs::rename(&tmp, &dest).map_err(|e| io_error(&dest, e))
    }

    /// The swap: one rename of a new link over `current`.
    fn point_current_at(&self, version: &str) -> Result<()> {
        let tmp = self.kind_dir.join(format!("current-{}", self.id));
        let _ = fs::remove_file(&tmp);
        symlink(Path::new(version), &tmp).map_err(|e| io_error(&tmp, e))?;
        let current = self.kind_dir.join("current");
        fs::rename(&tmp, &current).map_err(|e| io_error(&current, e))
    }

    /// Removes the links of members the new set does not have: every link in `OUT`
    /// into `current` that leads nowhere now.
    fn unlink_dangling(&self) -> Result<()> {
        for (name, _) in listing(&self.out)? {
            let dest = self.out.join(&name);
            if fs::read_link(&dest).is_ok_and(|t| t == self.target(&name)) && !dest.exists() {
                fs::remove_file(&dest).map_err(|e| io_error(&dest, e))?;
            }
        }
        Ok(())
    }

    fn release(&mut self) {
        if let Some(claim) = self.claim.take() {
            drop(claim);
            let _ = fs::remove_file(self.kind_dir.join(format!("{}.lock", self.id)));
        }
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        if self.claim.is_some() {
            let _ = fs::remove_dir_all(&self.staging);
            self.release();
        }
    }
}

/// Removes the state of a set copied as real folders (`cp -rL out/ copy/`: `current` is
/// then a folder, not the link this module makes, so nothing can be swapped over it)
/// and gives the names of that set's members: in `OUT` they were copied as plain files,
/// which the next commit carries into a first version as it carries files written
/// before sets existed, and replaces as one set.
fn drop_copied_state(kind_dir: &Path) -> Result<Vec<String>> {
    let current = kind_dir.join("current");
    let copied = current
        .symlink_metadata()
        .is_ok_and(|m| !m.file_type().is_symlink());
    if !copied {
        return Ok(Vec::new());
    }
    let names = listing(&current)?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let mut aside = kind_dir.as_os_str().to_os_string();
    aside.push(format!(".copied-{}", std::process::id()));
    let aside = PathBuf::from(aside);
    fs::rename(kind_dir, &aside).map_err(|e| io_error(kind_dir, e))?;
    fs::remove_dir_all(&aside).map_err(|e| io_error(&aside, e))?;
    Ok(names)
}

/// A member's name must be a plain file name in `OUT`.
fn plain_name(name: &str) -> Result<&str> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name != STATE_DIR
        && !name.contains('/')
        && !name.contains('\\');
    if ok {
        Ok(name)
    } else {
        Err(Error::Io {
            path: PathBuf::from(name),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "an output set holds plain file names only",
            ),
        })
    }
}

/// The entries of a folder, by name, with whether each is a folder.
fn listing(dir: &Path) -> Result<Vec<(String, bool)>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        entries.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
    }
    entries.sort();
    Ok(entries)
}

/// Refuses a destination held by the wrong kind of entry: a folder where a file goes, a
/// file where a folder goes.
fn check_destination(dest: &Path, is_dir: bool) -> Result<()> {
    let Ok(meta) = dest.symlink_metadata() else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let what = match (meta.is_dir(), is_dir) {
        (true, false) => "a folder is in the place of this file: remove it or choose another --out; nothing was replaced",
        (false, true) => "a file is in the place of this folder: remove it or choose another --out; nothing was replaced",
        _ => return Ok(()),
    };
    Err(Error::Io {
        path: dest.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::AlreadyExists, what),
    })
}

/// Holds `DIR/lock` exclusively until dropped (a run waits for another's short step).
fn lock(kind_dir: &Path) -> Result<File> {
    let path = kind_dir.join("lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_error(&path, e))?;
    file.lock().map_err(|e| io_error(&path, e))?;
    Ok(file)
}

/// Removes, under the lock, what no live run needs: versions `current` does not name,
/// staging folders whose claim is free (their run ended), temporary links, folders
/// moved aside.
fn collect(kind_dir: &Path) -> Result<()> {
    let current = fs::read_link(kind_dir.join("current"))
        .ok()
        .map(|t| t.to_string_lossy().into_owned());
    for (name, is_dir) in listing(kind_dir)? {
        let path = kind_dir.join(&name);
        let stale = if let Some(id) = name.strip_suffix(".lock") {
            let free = File::open(&path).is_ok_and(|f| f.try_lock().is_ok());
            if free {
                let _ = fs::remove_dir_all(kind_dir.join(id));
            }
            free
        } else if name.starts_with("new-") {
            // A staging folder without its claim file (killed while making it).
            !kind_dir.join(format!("{name}.lock")).exists()
        } else {
            (name.starts_with('v') && Some(&name) != current.as_ref())
                || name.starts_with("old-")
                || name.starts_with("link-")
                || name.starts_with("current-")
        };
        if stale {
            let removed = if is_dir {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            match removed {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io_error(&path, e))
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Copies a file or folder tree as hard links (a copy where a link is refused).
fn link_tree(from: &Path, to: &Path) -> Result<()> {
    let meta = from.symlink_metadata().map_err(|e| io_error(from, e))?;
    if meta.is_dir() {
        fs::create_dir(to).map_err(|e| io_error(to, e))?;
        for (name, _) in listing(from)? {
            link_tree(&from.join(&name), &to.join(&name))?;
        }
        Ok(())
    } else if meta.file_type().is_symlink() {
        let target = fs::read_link(from).map_err(|e| io_error(from, e))?;
        symlink(&target, to).map_err(|e| io_error(to, e))
    } else if fs::hard_link(from, to).is_ok() {
        Ok(())
    } else {
        fs::copy(from, to).map(|_| ()).map_err(|e| io_error(to, e))
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_file(target, link)
}

/// Flushes a folder's entries to disk (best effort: not every system can).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// For tests only: stop at `step` while `CASELOAD_TEST_HOOK` names a folder.
#[cfg(feature = "test-hooks")]
fn hook(step: &str) {
    let Some(dir) = std::env::var_os("CASELOAD_TEST_HOOK") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let _ = fs::write(dir.join(step), b"");
    let go = dir.join(format!("{step}.go"));
    while !go.exists() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Without the `test-hooks` feature (every build but the tests'), nothing.
#[cfg(not(feature = "test-hooks"))]
fn hook(_step: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(out: &Path, files: &[(&str, &str)]) -> Result<()> {
        let set = OutputSet::begin(out, "test", &["a.txt", "b.txt"])?;
        for (name, text) in files {
            set.add(name, text.as_bytes())?;
        }
        set.commit()
    }

    fn read(out: &Path, name: &str) -> Option<String> {
        fs::read_to_string(out.join(name)).ok()
    }

    fn kind_dir_names(out: &Path) -> Vec<String> {
        listing(&out.join(STATE_DIR).join("test"))
            .expect("listing")
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn a_new_set_replaces_the_old_whole_and_drops_what_it_lacks() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        set_of(&out, &[("a.txt", "a1"), ("b.txt", "b1")]).expect("first");
        set_of(&out, &[("a.txt", "a2"), ("c.txt", "c2")]).expect("second");
        assert_eq!(read(&out, "a.txt").as_deref(), Some("a2"));
        assert_eq!(read(&out, "c.txt").as_deref(), Some("c2"));
        assert!(out.join("b.txt").symlink_metadata().is_err(), "b.txt gone");
        assert_eq!(kind_dir_names(&out), ["current", "lock", "v2"]);
    }

    #[test]
    fn an_uncommitted_set_leaves_nothing_and_the_old_set_stays() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        set_of(&out, &[("a.txt", "a1")]).expect("first");
        let set = OutputSet::begin(&out, "test", &[]).expect("begun");
        set.add("a.txt", b"a2").expect("staged");
        drop(set);
        assert_eq!(read(&out, "a.txt").as_deref(), Some("a1"));
        assert_eq!(kind_dir_names(&out), ["current", "lock", "v1"]);
    }

    #[test]
    fn a_folder_in_the_way_replaces_nothing() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        set_of(&out, &[("a.txt", "a1")]).expect("first");
        fs::create_dir(out.join("b.txt")).expect("folder in the way");
        let err = set_of(&out, &[("a.txt", "a2"), ("b.txt", "b2")]).expect_err("refused");
        assert!(err.to_string().contains("nothing was replaced"), "{err}");
        assert_eq!(read(&out, "a.txt").as_deref(), Some("a1"));
        assert_eq!(kind_dir_names(&out), ["current", "lock", "v1"]);
    }

    #[test]
    fn plain_files_of_an_earlier_version_are_carried_then_replaced_and_others_kept() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        fs::create_dir_all(&out).expect("out");
        fs::write(out.join("a.txt"), "old").expect("plain");
        fs::write(out.join("b.txt"), "stale").expect("plain");
        fs::write(out.join("mine.txt"), "mine").expect("foreign");
        fs::write(out.join(".a.txt.4194305.tmp"), "half").expect("leftover");
        set_of(&out, &[("a.txt", "new")]).expect("written");
        assert_eq!(read(&out, "a.txt").as_deref(), Some("new"));
        assert!(
            out.join("b.txt").symlink_metadata().is_err(),
            "stale b.txt gone"
        );
        assert_eq!(read(&out, "mine.txt").as_deref(), Some("mine"));
        assert!(!out.join(".a.txt.4194305.tmp").exists(), "leftover removed");
    }

    #[test]
    fn a_killed_run_s_staging_is_removed_by_the_next() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let out = tmp.path().join("out");
        let kind_dir = out.join(STATE_DIR).join("test");
        fs::create_dir_all(kind_dir.join("new-1-2")).expect("staging");
        fs::write(kind_dir.join("new-1-2.lock"), "").expect("free claim");
        fs::create_dir_all(kind_dir.join("v7")).expect("unused version");
        set_of(&out, &[("a.txt", "a")]).expect("written");
        assert_eq!(kind_dir_names(&out), ["current", "lock", "v1"]);
    }

    #[test]
    fn only_plain_names_are_members() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let set = OutputSet::begin(tmp.path(), "test", &[]).expect("begun");
        for bad in ["", "..", "a/b", STATE_DIR] {
            assert!(set.add(bad, b"x").is_err(), "{bad:?}");
        }
    }
}
