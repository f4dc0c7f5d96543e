//! The real machine behind [`crate::reference::transport::Host`]: path resolution as
//! c/image's `explicitfilepath.ResolvePathToFullyExplicit` does it.

use std::io;

use crate::compat::Compat;
use crate::reference::transport::{Host, go_clean};
use crate::signature::keys::{KeyError, LoadedKey};
use crate::signature::verifier::KeyFileError;

/// Resolves paths on this machine.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealHost;

fn abs(path: &str) -> io::Result<String> {
    if path.starts_with('/') {
        return Ok(go_clean(path));
    }
    let cwd = std::env::current_dir()?;
    let cwd = cwd
        .to_str()
        .ok_or_else(|| io::Error::other("current directory is not UTF-8"))?;
    Ok(go_clean(&format!("{cwd}/{path}")))
}

/// Go's `EvalSymlinks` error text: `lstat <first missing prefix>: <errno text>`.
fn lstat_error(abs_path: &str, e: &io::Error) -> io::Error {
    let mut prefix = String::new();
    for comp in abs_path.split('/').filter(|c| !c.is_empty()) {
        prefix.push('/');
        prefix.push_str(comp);
        if let Err(e2) = std::fs::symlink_metadata(&prefix) {
            return io::Error::new(e2.kind(), format!("lstat {prefix}: {}", go_errno_text(&e2)));
        }
    }
    io::Error::new(e.kind(), format!("lstat {abs_path}: {}", go_errno_text(e)))
}

pub use crate::fsread::{go_errno_text, go_read_file_error, under_root};

fn resolve_existing(path: &str) -> io::Result<String> {
    let a = abs(path)?;
    let r = std::fs::canonicalize(&a).map_err(|e| lstat_error(&a, &e))?;
    r.to_str()
        .map(go_clean)
        .ok_or_else(|| io::Error::other(format!("{} is not UTF-8", r.display())))
}

impl Host for RealHost {
    fn resolve_path(&self, path: &str) -> Result<String, String> {
        match std::fs::symlink_metadata(if path.is_empty() { "." } else { path }) {
            Ok(_) => resolve_existing(path).map_err(|e| e.to_string()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // filepath.Split: everything up to and including the last '/'.
                let (parent, file) = match path.rfind('/') {
                    Some(i) => (&path[..=i], &path[i + 1..]),
                    None => ("", path),
                };
                if file == "." || file == ".." {
                    return Err(format!(
                        "Unexpectedly missing special filename component in {path}"
                    ));
                }
                let parent = if parent.is_empty() { "." } else { parent };
                let rp = resolve_existing(parent).map_err(|e| e.to_string())?;
                let joined = go_clean(&format!("{rp}/{file}"));
                Ok(joined)
            }
            Err(e) => Err(format!("lstat {path}: {}", go_errno_text(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::verifier::KeyLoader;

    #[test]
    fn key_files_are_parsed_once_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.pub");
        let pem = crate::signature::sign::p256_public_pem(
            &crate::signature::sign::p256_key_from_seed("k"),
        );
        std::fs::write(&p, &pem).unwrap();
        let path = p.to_str().unwrap();
        let files = KeyFiles::new(None);
        let first = files.parsed_key(path, Compat::Current).unwrap().unwrap();
        // Gone from disk: the second use comes from the cache (per path and compat).
        std::fs::remove_file(&p).unwrap();
        let again = files.parsed_key(path, Compat::Current).unwrap().unwrap();
        assert_eq!(first.fingerprint, again.fingerprint);
        let read_before = files.parsed_key(path, Compat::V5_23).unwrap().unwrap();
        assert_eq!(read_before.fingerprint, first.fingerprint);
        let missing = dir.path().join("missing.pub");
        let e = files
            .parsed_key(missing.to_str().unwrap(), Compat::Current)
            .unwrap_err();
        assert!(
            e.starts_with("open ") && e.ends_with("no such file or directory"),
            "{e}"
        );
    }

    #[test]
    fn resolves_symlinks_and_missing_last_component() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        let real = real.to_str().unwrap();
        std::fs::create_dir(format!("{real}/target")).unwrap();
        std::os::unix::fs::symlink(format!("{real}/target"), format!("{real}/link")).unwrap();
        let h = RealHost;
        assert_eq!(
            h.resolve_path(&format!("{real}/link")).unwrap(),
            format!("{real}/target")
        );
        assert_eq!(
            h.resolve_path(&format!("{real}/link/missing")).unwrap(),
            format!("{real}/target/missing")
        );
        assert_eq!(
            h.resolve_path(&format!("{real}/missing/missing"))
                .unwrap_err(),
            format!("lstat {real}/missing: no such file or directory")
        );
    }
}

/// Reads key files for evaluation: like c/image (`os.ReadFile`, relative to the current
/// directory), with a size cap, and with absolute paths under `root` when `--root` is given.
#[derive(Debug, Default)]
pub struct KeyFiles {
    pub root: Option<std::path::PathBuf>,
    /// Files already read by this process (a key file is read once per run, not per image).
    cache: std::sync::Mutex<std::collections::HashMap<String, Result<Vec<u8>, KeyFileError>>>,
    /// Keys already parsed, per path and compat (parsed once per run, not per signature).
    parsed: std::sync::Mutex<std::collections::HashMap<(String, Compat), ParsedKey>>,
}

/// A key file's parse result: read error, or parse error / key.
type ParsedKey = Result<Result<LoadedKey, KeyError>, KeyFileError>;

impl KeyFiles {
    /// Key files under `root` (for `--root`), or as written.
    pub fn new(root: Option<std::path::PathBuf>) -> KeyFiles {
        KeyFiles {
            root,
            cache: Default::default(),
            parsed: Default::default(),
        }
    }

    fn read_uncached(&self, path: &str) -> Result<Vec<u8>, KeyFileError> {
        let real = under_root(self.root.as_deref(), path);
        crate::fsread::read_limited(&real, MAX_KEY_SIZE).map_err(|e| {
            KeyFileError(if e.kind() == io::ErrorKind::Other {
                e.to_string() // our size limit
            } else {
                go_read_file_error(path, &e)
            })
        })
    }
}

/// Largest key file read.
const MAX_KEY_SIZE: u64 = 1024 * 1024;

impl crate::signature::verifier::KeyLoader for KeyFiles {
    fn read_key(&self, path: &str) -> Result<Vec<u8>, KeyFileError> {
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(path).cloned()) {
            return hit;
        }
        let r = self.read_uncached(path);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(path.to_owned(), r.clone());
        }
        r
    }

    fn parsed_key(&self, path: &str, compat: Compat) -> ParsedKey {
        let key = (path.to_owned(), compat);
        if let Some(hit) = self.parsed.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let r = self
            .read_key(path)
            .map(|pem| crate::signature::keys::parse_pem_public_key_for(&pem, compat));
        if let Ok(mut c) = self.parsed.lock() {
            c.insert(key, r.clone());
        }
        r
    }
}

/// The current time, at which OpenPGP key and signature validity is judged (GnuPG: now).
pub fn now() -> crate::signature::openpgp::VerificationTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::signature::openpgp::VerificationTime(i64::try_from(secs).unwrap_or(i64::MAX))
}
