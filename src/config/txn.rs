//! Transactional writes of system configuration (keys, `policy.json`, `registries.d`).
//!
//! A [`Txn`] covers every file one command changes: it locks all their directories at once (in
//! one global order, so two policyctl processes never deadlock) and keeps them locked until the
//! last file is in place; it reads the current contents under the lock; on commit it writes
//! every new file to a randomly named temporary file in the target's directory, fsyncs it, and
//! only then renames them all into place (rolling back the renames already done if one fails),
//! keeps `<file>.bak` of each old file, and fsyncs the directories. An existing file keeps its
//! mode and owner (as podman does). Temporary files left by a killed writer are swept under the
//! lock. Targets that are symlinks, paths through a symlinked directory and parent directories
//! writable by others are refused unless forced. Any failure leaves the old files as they were.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use crate::error::TxnError;

fn io_err(what: &str, path: &Path, e: &io::Error) -> TxnError {
    TxnError(format!("{what} {}: {e}", path.display()))
}

/// Directories this process holds locked. A second transaction in the same directory shares
/// the lock (instead of deadlocking on it); the lock is released with its last holder.
static HELD: Mutex<Vec<(PathBuf, Arc<File>)>> = Mutex::new(Vec::new());

/// A share of a directory lock.
struct DirLock {
    dir: PathBuf,
    file: Option<Arc<File>>,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let Some(f) = self.file.take() else { return };
        if let Ok(mut h) = HELD.lock() {
            // Ours and the registry's: we are the last holder, so release the lock.
            if Arc::strong_count(&f) <= 2 {
                h.retain(|(d, _)| d != &self.dir);
            }
        }
    }
}

/// flock(2) on the directory itself: no lock files are left in /etc; writers of any file in
/// the directory are serialised, so read-modify-write never loses an update.
fn lock_dir(canon: &Path) -> Result<DirLock, TxnError> {
    let held = HELD.lock().ok().and_then(|h| {
        h.iter()
            .find(|(d, _)| d == canon)
            .map(|(_, f)| Arc::clone(f))
    });
    if let Some(f) = held {
        return Ok(DirLock {
            dir: canon.to_owned(),
            file: Some(f),
        });
    }
    let f = File::open(canon).map_err(|e| io_err("opening", canon, &e))?;
    f.lock().map_err(|e| io_err("locking", canon, &e))?;
    let f = Arc::new(f);
    if let Ok(mut h) = HELD.lock() {
        h.push((canon.to_owned(), Arc::clone(&f)));
    }
    Ok(DirLock {
        dir: canon.to_owned(),
        file: Some(f),
    })
}

/// Write safety options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Safety {
    /// Follow a symlinked target / accept a group- or world-writable parent / a path through a
    /// symlinked directory.
    pub force: bool,
}

/// Creates `dir` (and parents) with mode 0755 if missing.
pub fn ensure_dir(dir: &Path) -> Result<(), TxnError> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .map_err(|e| io_err("creating directory", dir, &e))
}

/// Mode and owner of an existing file, given to its replacement and its backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Owner {
    mode: u32,
    uid: u32,
    gid: u32,
}

/// One locked file.
struct Locked {
    path: PathBuf,
    dir: PathBuf,
    name: String,
    current: Option<Vec<u8>>,
    owner: Option<Owner>,
}

/// What happens to one file of a transaction.
#[derive(Debug, Clone)]
pub enum Change {
    /// Replace (or create) the file; `mode` applies to a new file (an existing one keeps its
    /// mode and owner).
    Write {
        path: PathBuf,
        contents: Vec<u8>,
        mode: u32,
    },
    /// Remove the file, keeping it as `<file>.bak`.
    Remove { path: PathBuf },
}

/// Files locked for one change (see the module docs).
pub struct Txn {
    files: Vec<Locked>,
    _locks: Vec<DirLock>,
}

/// `path` made absolute against the current directory (lexically).
fn absolute(path: &Path) -> Result<PathBuf, TxnError> {
    std::path::absolute(path).map_err(|e| io_err("resolving", path, &e))
}

/// Refuses a path that goes through a symlinked directory: a link in `/etc` planted to
/// redirect writes elsewhere (the target file itself is checked separately).
fn refuse_symlinked_ancestors(path: &Path) -> Result<(), TxnError> {
    let mut so_far = PathBuf::new();
    let parent = path.parent().unwrap_or(Path::new("/"));
    for c in parent.components() {
        match c {
            Component::ParentDir => {
                return Err(TxnError(format!(
                    "{}: refusing a path with '..' in it",
                    path.display()
                )));
            }
            Component::CurDir => continue,
            _ => so_far.push(c),
        }
        match fs::symlink_metadata(&so_far) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&so_far)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return Err(TxnError(format!(
                    "{} goes through the symlink {} (to {target}); refusing to write there (use --force to follow it)",
                    path.display(),
                    so_far.display()
                )));
            }
            Ok(_) => {}
            // Not created yet: nothing below it exists either.
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// The prefix of the temporary files written next to `name` (`.NAME.tmp-`).
fn tmp_prefix(name: &str) -> String {
    format!(".{name}.tmp-")
}

/// A random temporary name next to `name` (`.NAME.tmp-<16 hex digits>`): std's randomly
/// keyed SipHash over the process ID, the time and a counter. (Created with `O_EXCL` and
/// `O_NOFOLLOW`, so a clash or a planted file is an error, never a write elsewhere.)
fn tmp_name(name: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = std::hash::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    format!("{}{:016x}", tmp_prefix(name), h.finish())
}

/// Removes temporary files of `name` (and of its backup) left in `dir` by a killed writer.
/// Called with the directory locked: no live policyctl writer owns one.
fn sweep_stale(dir: &Path, name: &str) {
    let prefixes = [tmp_prefix(name), tmp_prefix(&format!("{name}.bak"))];
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let file_name = e.file_name();
        let Some(n) = file_name.to_str() else {
            continue;
        };
        if prefixes.iter().any(|p| n.starts_with(p.as_str()))
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(e.path());
        }
    }
}

impl Txn {
    /// Locks one file's directory and reads the file's current contents.
    pub fn begin(path: &Path, safety: Safety, max_size: u64) -> Result<Txn, TxnError> {
        Txn::begin_all(&[(path.to_owned(), max_size)], safety)
    }

    /// Locks the directories of all `targets` (path, size limit) for one change and reads their
    /// current contents. The locks are taken in sorted order and held until the transaction is
    /// committed or dropped.
    pub fn begin_all(targets: &[(PathBuf, u64)], safety: Safety) -> Result<Txn, TxnError> {
        let mut files = Vec::new();
        for (path, _) in targets {
            let path = absolute(path)?;
            let dir = path.parent().unwrap_or(Path::new("/")).to_owned();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| TxnError(format!("{}: not a file name", path.display())))?
                .to_owned();
            if !safety.force {
                refuse_symlinked_ancestors(&path)?;
            }
            files.push(Locked {
                path,
                dir,
                name,
                current: None,
                owner: None,
            });
        }
        // Directories are created only once every path has passed.
        for Locked { dir, name, .. } in &files {
            ensure_dir(dir)?;
            let meta = fs::metadata(dir).map_err(|e| io_err("stat", dir, &e))?;
            if meta.mode() & 0o022 != 0 && meta.mode() & 0o1000 == 0 && !safety.force {
                return Err(TxnError(format!(
                    "{} is writable by other users (mode {:o}); refusing to write {} there (use --force to override)",
                    dir.display(),
                    meta.mode() & 0o7777,
                    name
                )));
            }
        }
        let mut dirs: Vec<PathBuf> = files
            .iter()
            .map(|f| fs::canonicalize(&f.dir).map_err(|e| io_err("resolving", &f.dir, &e)))
            .collect::<Result<_, _>>()?;
        dirs.sort();
        dirs.dedup();
        let locks = dirs
            .iter()
            .map(|d| lock_dir(d))
            .collect::<Result<Vec<_>, _>>()?;
        // Under the locks: check and read each target.
        for (f, (_, max_size)) in files.iter_mut().zip(targets) {
            match fs::symlink_metadata(&f.path) {
                Ok(m) if m.file_type().is_symlink() && !safety.force => {
                    let target = fs::read_link(&f.path)
                        .map(|t| t.display().to_string())
                        .unwrap_or_default();
                    return Err(TxnError(format!(
                        "{} is a symlink (to {target}); refusing to replace it (use --force to replace the link with a file)",
                        f.path.display()
                    )));
                }
                Ok(m) if !m.file_type().is_symlink() && !m.is_file() => {
                    return Err(TxnError(format!(
                        "{} is not a regular file",
                        f.path.display()
                    )));
                }
                Ok(m) if m.is_file() => {
                    f.owner = Some(Owner {
                        mode: m.mode() & 0o7777,
                        uid: m.uid(),
                        gid: m.gid(),
                    });
                }
                _ => {}
            }
            sweep_stale(&f.dir, &f.name);
            f.current = match crate::fsread::read_limited(&f.path, *max_size) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                Err(e) => return Err(io_err("reading", &f.path, &e)),
            };
        }
        Ok(Txn {
            files,
            _locks: locks,
        })
    }

    /// The first (for [`Txn::begin`]: the only) file of the transaction.
    pub fn path(&self) -> &Path {
        &self.files[0].path
    }

    /// The current contents of the first file (`None`: it does not exist).
    pub fn current(&self) -> Option<&[u8]> {
        self.files[0].current.as_deref()
    }

    /// The current contents of `path`, one of the transaction's files (`None`: it does not
    /// exist, or it is not part of the transaction).
    pub fn current_of(&self, path: &Path) -> Option<&[u8]> {
        self.find(path).and_then(|f| f.current.as_deref())
    }

    fn find(&self, path: &Path) -> Option<&Locked> {
        let abs = absolute(path).ok()?;
        self.files.iter().find(|f| f.path == abs)
    }

    /// Replaces the first file with `contents` (mode `mode` if it is new), keeping `.bak`.
    pub fn commit(self, contents: &[u8], mode: u32) -> Result<(), TxnError> {
        let path = self.files[0].path.clone();
        self.commit_all(vec![Change::Write {
            path,
            contents: contents.to_vec(),
            mode,
        }])
    }

    /// Applies `changes` (to files of this transaction) all or nothing: every new file is
    /// written and fsynced before the first rename; a failed rename undoes those before it.
    pub fn commit_all(self, changes: Vec<Change>) -> Result<(), TxnError> {
        let mut steps = Vec::new();
        let result = self.stage(&changes, &mut steps).and_then(|()| {
            #[cfg(feature = "test-support")]
            if std::env::var_os("POLICYCTL_TEST_CRASH_BEFORE_RENAME").is_some() {
                // Test hook: simulate a process killed between write and rename.
                std::process::exit(137);
            }
            self.rename_all(&mut steps)
        });
        for s in &steps {
            for tmp in [&s.new_tmp, &s.bak_tmp].into_iter().flatten() {
                let _ = fs::remove_file(tmp);
            }
        }
        result?;
        let mut dirs: Vec<&Path> = steps.iter().map(|s| s.file.dir.as_path()).collect();
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            File::open(d)
                .and_then(|d| d.sync_all())
                .map_err(|e| io_err("fsync", d, &e))?;
        }
        Ok(())
    }

    /// Writes the temporary files of every change.
    fn stage<'t>(&'t self, changes: &[Change], steps: &mut Vec<Step<'t>>) -> Result<(), TxnError> {
        for c in changes {
            let path = match c {
                Change::Write { path, .. } | Change::Remove { path } => path,
            };
            let file = self.find(path).ok_or_else(|| {
                TxnError(format!(
                    "internal error: {} is not part of the transaction",
                    path.display()
                ))
            })?;
            let mut step = Step {
                file,
                remove: matches!(c, Change::Remove { .. }),
                new_tmp: None,
                bak_tmp: None,
                done: false,
            };
            if let Change::Write { contents, mode, .. } = c {
                let owner = file.owner.unwrap_or(Owner {
                    mode: *mode,
                    uid: u32::MAX,
                    gid: u32::MAX,
                });
                let tmp = file.dir.join(tmp_name(&file.name));
                step.new_tmp = Some(tmp.clone());
                write_synced(&tmp, contents, owner)?;
                if let (Some(old), Some(owner)) = (&file.current, file.owner) {
                    let bak = file.dir.join(tmp_name(&format!("{}.bak", file.name)));
                    step.bak_tmp = Some(bak.clone());
                    write_synced(&bak, old, owner)?;
                }
            }
            steps.push(step);
        }
        Ok(())
    }

    /// Renames every staged file into place; on failure, undoes the renames already done.
    fn rename_all(&self, steps: &mut [Step<'_>]) -> Result<(), TxnError> {
        for i in 0..steps.len() {
            if let Err(e) = steps[i].apply() {
                for s in steps[..i].iter().rev() {
                    s.undo();
                }
                return Err(e);
            }
        }
        Ok(())
    }
}

/// One change, staged.
struct Step<'t> {
    file: &'t Locked,
    remove: bool,
    new_tmp: Option<PathBuf>,
    bak_tmp: Option<PathBuf>,
    done: bool,
}

impl Step<'_> {
    fn bak(&self) -> PathBuf {
        self.file.dir.join(format!("{}.bak", self.file.name))
    }

    fn apply(&mut self) -> Result<(), TxnError> {
        let target = &self.file.path;
        if self.remove {
            if self.file.current.is_some() {
                fs::rename(target, self.bak())
                    .map_err(|e| io_err("removing (renaming to .bak)", target, &e))?;
            }
        } else {
            if let Some(bak) = self.bak_tmp.take() {
                fs::rename(&bak, self.bak())
                    .map_err(|e| io_err("keeping a backup of", target, &e))?;
            }
            if let Some(tmp) = self.new_tmp.take()
                && let Err(e) = fs::rename(&tmp, target)
            {
                self.new_tmp = Some(tmp);
                return Err(io_err("renaming into place", target, &e));
            }
        }
        self.done = true;
        Ok(())
    }

    /// Best effort: puts the old file back (its contents, mode and owner).
    fn undo(&self) {
        if !self.done {
            return;
        }
        let target = &self.file.path;
        match (&self.file.current, self.file.owner) {
            (Some(_), Some(_)) if self.remove => {
                let _ = fs::rename(self.bak(), target);
            }
            (Some(old), Some(owner)) => {
                let tmp = self.file.dir.join(tmp_name(&self.file.name));
                if write_synced(&tmp, old, owner).is_ok() {
                    let _ = fs::rename(&tmp, target);
                }
                let _ = fs::remove_file(&tmp);
            }
            _ if !self.remove => {
                let _ = fs::remove_file(target);
            }
            _ => {}
        }
    }
}

/// Writes `contents` to the new file `tmp` with `owner`'s mode (and uid/gid unless
/// `u32::MAX`), and fsyncs it. A partly written file is removed.
fn write_synced(tmp: &Path, contents: &[u8], owner: Owner) -> Result<(), TxnError> {
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(tmp)
            .map_err(|e| io_err("creating", tmp, &e))?;
        f.write_all(contents)
            .map_err(|e| io_err("writing", tmp, &e))?;
        if owner.uid != u32::MAX {
            let m = f.metadata().map_err(|e| io_err("stat", tmp, &e))?;
            if (m.uid(), m.gid()) != (owner.uid, owner.gid) {
                std::os::unix::fs::fchown(&f, Some(owner.uid), Some(owner.gid)).map_err(|e| {
                    TxnError(format!(
                        "keeping the owner {}:{} of {}: {e}",
                        owner.uid,
                        owner.gid,
                        tmp.display()
                    ))
                })?;
            }
        }
        // After chown, which clears set-id bits.
        f.set_permissions(fs::Permissions::from_mode(owner.mode))
            .map_err(|e| io_err("chmod", tmp, &e))?;
        f.sync_all().map_err(|e| io_err("fsync", tmp, &e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(tmp);
    }
    result
}

#[cfg(test)]
mod tests;
