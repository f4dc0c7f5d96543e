//! The real machine behind [`crate::reference::transport::Host`]: path resolution as
//! c/image's `explicitfilepath.ResolvePathToFullyExplicit` does it.

use std::io;

use crate::reference::transport::{Host, go_clean};

/// Resolves paths on this machine.
#[derive(Debug, Default, Clone, Copy)]
pub struct RealHost;

fn abs(path: &str) -> io::Result<String> {
    if path.starts_with('/') {
        return Ok(go_clean(path));
    }
    let cwd = std::env::current_dir()?;
    let cwd = cwd.to_str().ok_or_else(|| io::Error::other("current directory is not UTF-8"))?;
    Ok(go_clean(&format!("{cwd}/{path}")))
}

fn resolve_existing(path: &str) -> io::Result<String> {
    let a = abs(path)?;
    let r = std::fs::canonicalize(&a)?;
    r.to_str().map(go_clean).ok_or_else(|| io::Error::other(format!("{} is not UTF-8", r.display())))
}

impl Host for RealHost {
    fn resolve_path(&self, path: &str) -> Result<String, String> {
        match std::fs::symlink_metadata(if path.is_empty() { "." } else { path }) {
            Ok(_) => resolve_existing(path).map_err(|e| format!("lstat {path}: {e}")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // filepath.Split: everything up to and including the last '/'.
                let (parent, file) = match path.rfind('/') {
                    Some(i) => (&path[..=i], &path[i + 1..]),
                    None => ("", path),
                };
                if file == "." || file == ".." {
                    return Err(format!("Unexpectedly missing special filename component in {path}"));
                }
                let parent = if parent.is_empty() { "." } else { parent };
                let rp = resolve_existing(parent).map_err(|e| format!("lstat {parent}: {e}"))?;
                let joined = go_clean(&format!("{rp}/{file}"));
                Ok(joined)
            }
            Err(e) => Err(format!("lstat {path}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_symlinks_and_missing_last_component() {
        let dir = tempfile::tempdir().unwrap();
        let real = std::fs::canonicalize(dir.path()).unwrap();
        let real = real.to_str().unwrap();
        std::fs::create_dir(format!("{real}/target")).unwrap();
        std::os::unix::fs::symlink(format!("{real}/target"), format!("{real}/link")).unwrap();
        let h = RealHost;
        assert_eq!(h.resolve_path(&format!("{real}/link")).unwrap(), format!("{real}/target"));
        assert_eq!(h.resolve_path(&format!("{real}/link/missing")).unwrap(), format!("{real}/target/missing"));
        assert!(h.resolve_path(&format!("{real}/missing/missing")).is_err());
    }
}
