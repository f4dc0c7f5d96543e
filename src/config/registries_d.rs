//! `registries.d` (spec §7) on this machine: which directory is used and reading its `*.yaml`
//! files (the parsed data and its lookups are `crate::registries_d`). Read-only.

use std::path::{Path, PathBuf};

pub use crate::registries_d::{RegistriesD, Section};

/// Largest registries.d file read.
const MAX_FILE: u64 = 1024 * 1024;

/// §7 directory selection: `$HOME/.config/containers/registries.d` if it exists, else the
/// system directory (under `root`).
pub fn default_dir(home: Option<&Path>, root: Option<&Path>) -> PathBuf {
    if let Some(h) = home {
        let user = h.join(".config/containers/registries.d");
        if user.is_dir() {
            return user;
        }
    }
    match root {
        Some(r) => r.join("etc/containers/registries.d"),
        None => PathBuf::from("/etc/containers/registries.d"),
    }
}

/// Loads every `*.yaml` of `dir` (sorted by name; a missing directory is empty).
pub fn load(dir: &Path) -> Result<RegistriesD, String> {
    let mut out = RegistriesD::empty(dir);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(format!("reading {}: {e}", dir.display())),
    };
    files.sort();
    for path in files {
        let bytes = crate::fsread::read_limited(&path, MAX_FILE)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        out.merge_file(&path, &bytes).map_err(|e| e.0)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_merge_and_lookup() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("a.yaml"), "default-docker:\n  lookaside: https://d.example\ndocker:\n  example.com/x:\n    lookaside: https://x.example\n  docker.io:\n    sigstore: https://old.example\n    use-sigstore-attachments: true\n").unwrap();
        std::fs::write(
            t.path().join("b.yml"),
            "default-docker:\n  lookaside: ignored\n",
        )
        .unwrap();
        let r = load(t.path()).unwrap();
        assert_eq!(
            r.podman_store("example.com/x/sub", false),
            "https://x.example"
        );
        assert_eq!(r.podman_store("docker.io", false), "https://old.example");
        assert_eq!(r.podman_store("quay.io", false), "https://d.example");
        assert_eq!(r.podman_store("", true), "https://d.example");
        assert_eq!(r.docker["docker.io"].0.use_sigstore_attachments, Some(true));
        std::fs::write(
            t.path().join("c.yaml"),
            "docker:\n  docker.io:\n    lookaside: x\n",
        )
        .unwrap();
        assert!(
            load(t.path())
                .unwrap_err()
                .contains("\"docker\" namespace \"docker.io\" defined both in")
        );
        std::fs::write(t.path().join("c.yaml"), "docker: [").unwrap();
        assert!(load(t.path()).unwrap_err().starts_with("parsing "));
        assert!(load(&t.path().join("missing")).unwrap().docker.is_empty());
    }
}
