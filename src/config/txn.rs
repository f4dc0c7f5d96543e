//! Transactional writes of system configuration (keys, `policy.json`, `registries.d`):
//! lock, read, write a temporary file in the same directory, fsync, rename, fsync the
//! directory, keep `<file>.bak`. Any failure leaves the old file as it was. Targets that are
//! symlinks, and parent directories writable by others, are refused unless forced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a write was refused or failed (the message names the file).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TxnError(pub String);

fn io_err(what: &str, path: &Path, e: &io::Error) -> TxnError {
    TxnError(format!("{what} {}: {e}", path.display()))
}

/// Directories this process holds locked. A second transaction in the same directory shares
/// the lock (instead of deadlocking on it); the lock is released with its last holder.
static HELD: std::sync::Mutex<Vec<(PathBuf, std::sync::Arc<File>)>> =
    std::sync::Mutex::new(Vec::new());

/// A share of a directory lock.
struct DirLock {
    dir: PathBuf,
    file: Option<std::sync::Arc<File>>,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let Some(f) = self.file.take() else { return };
        if let Ok(mut h) = HELD.lock() {
            // Ours and the registry's: we are the last holder, so release the lock.
            if std::sync::Arc::strong_count(&f) <= 2 {
                h.retain(|(d, _)| d != &self.dir);
            }
        }
    }
}

/// A locked file about to be replaced.
pub struct Txn {
    path: PathBuf,
    _lock: DirLock,
    /// Current contents (`None`: the file does not exist).
    pub current: Option<Vec<u8>>,
}

/// Write safety options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Safety {
    /// Follow a symlinked target / accept a group- or world-writable parent.
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

impl Txn {
    /// Locks `path`'s directory and reads the file's current contents.
    pub fn begin(path: &Path, safety: Safety, max_size: u64) -> Result<Txn, TxnError> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| TxnError(format!("{}: not a file name", path.display())))?;
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
        match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() && !safety.force => {
                let target = fs::read_link(path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return Err(TxnError(format!(
                    "{} is a symlink (to {target}); refusing to replace it (use --force to replace the link with a file)",
                    path.display()
                )));
            }
            Ok(m) if !m.file_type().is_symlink() && !m.is_file() => {
                return Err(TxnError(format!(
                    "{} is not a regular file",
                    path.display()
                )));
            }
            _ => {}
        }
        // flock(2) on the directory itself: no lock files are left in /etc; writers of any file
        // in the directory are serialised, so read-modify-write never loses an update.
        let canon = fs::canonicalize(dir).map_err(|e| io_err("resolving", dir, &e))?;
        let held = HELD.lock().ok().and_then(|h| {
            h.iter()
                .find(|(d, _)| *d == canon)
                .map(|(_, f)| std::sync::Arc::clone(f))
        });
        let lock = match held {
            Some(f) => DirLock {
                dir: canon,
                file: Some(f),
            },
            None => {
                let f = File::open(&canon).map_err(|e| io_err("opening", dir, &e))?;
                f.lock().map_err(|e| io_err("locking", dir, &e))?;
                let f = std::sync::Arc::new(f);
                if let Ok(mut h) = HELD.lock() {
                    h.push((canon.clone(), std::sync::Arc::clone(&f)));
                }
                DirLock {
                    dir: canon,
                    file: Some(f),
                }
            }
        };
        let current = match crate::image::read_limited(path, max_size) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err("reading", path, &e)),
        };
        Ok(Txn {
            path: path.to_owned(),
            _lock: lock,
            current,
        })
    }

    /// The file being changed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the file with `contents` (mode `mode`), keeping `<file>.bak` of the old one.
    pub fn commit(self, contents: &[u8], mode: u32) -> Result<(), TxnError> {
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("file");
        if let Some(old) = &self.current {
            write_replace(dir, &dir.join(format!("{name}.bak")), old, mode)?;
        }
        write_replace(dir, &self.path, contents, mode)
    }
}

/// tmp file + fsync + rename + fsync(dir).
fn write_replace(dir: &Path, target: &Path, contents: &[u8], mode: u32) -> Result<(), TxnError> {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)
            .map_err(|e| io_err("creating", &tmp, &e))?;
        f.write_all(contents)
            .map_err(|e| io_err("writing", &tmp, &e))?;
        f.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|e| io_err("chmod", &tmp, &e))?;
        f.sync_all().map_err(|e| io_err("fsync", &tmp, &e))?;
        if std::env::var_os("POLICYCTL_TEST_CRASH_BEFORE_RENAME").is_some() {
            // Test hook: simulate a process killed between write and rename.
            std::process::exit(137);
        }
        fs::rename(&tmp, target).map_err(|e| io_err("renaming into place", target, &e))?;
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err("fsync", dir, &e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_keeps_backup_and_mode() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("sub/policy.json");
        let tx = Txn::begin(&p, Safety::default(), 1 << 20).unwrap();
        assert!(tx.current.is_none());
        tx.commit(b"one", 0o644).unwrap();
        let tx = Txn::begin(&p, Safety::default(), 1 << 20).unwrap();
        assert_eq!(tx.current.as_deref(), Some(&b"one"[..]));
        tx.commit(b"two", 0o644).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::read(t.path().join("sub/policy.json.bak")).unwrap(),
            b"one"
        );
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o644);
        assert_eq!(
            fs::metadata(t.path().join("sub")).unwrap().mode() & 0o777,
            0o755
        );
    }

    #[test]
    fn two_transactions_in_one_directory_share_the_lock() {
        let t = tempfile::tempdir().unwrap();
        let a = Txn::begin(&t.path().join("a"), Safety::default(), 1024).unwrap();
        let b = Txn::begin(&t.path().join("b"), Safety::default(), 1024).unwrap();
        a.commit(b"a", 0o644).unwrap();
        b.commit(b"b", 0o644).unwrap();
        assert!(
            HELD.lock()
                .unwrap()
                .iter()
                .all(|(d, _)| !d.starts_with(t.path().canonicalize().unwrap()))
        );
    }

    #[test]
    fn refuses_symlinks_and_open_directories() {
        let t = tempfile::tempdir().unwrap();
        fs::set_permissions(t.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let real = t.path().join("real.json");
        fs::write(&real, b"x").unwrap();
        let link = t.path().join("link.json");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = Txn::begin(&link, Safety::default(), 1 << 20).err().unwrap();
        assert!(e.0.contains("is a symlink"), "{e}");
        assert!(Txn::begin(&link, Safety { force: true }, 1 << 20).is_ok());
        let open = t.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
        let e = Txn::begin(&open.join("p.json"), Safety::default(), 1 << 20)
            .err()
            .unwrap();
        assert!(e.0.contains("writable by other users"), "{e}");
    }
}
