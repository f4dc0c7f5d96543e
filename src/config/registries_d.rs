//! `registries.d` (spec §7): which directory is used, its `*.yaml` files, and the per-scope
//! sections (`lookaside`, `sigstore`, `use-sigstore-attachments`). Read-only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Largest registries.d file read.
const MAX_FILE: u64 = 1024 * 1024;

/// One section (`default-docker` or a `docker` scope).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Section {
    pub lookaside: Option<String>,
    #[serde(rename = "lookaside-staging")]
    pub lookaside_staging: Option<String>,
    pub sigstore: Option<String>,
    #[serde(rename = "sigstore-staging")]
    pub sigstore_staging: Option<String>,
    #[serde(rename = "use-sigstore-attachments")]
    pub use_sigstore_attachments: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(rename = "default-docker")]
    default_docker: Option<Section>,
    docker: Option<BTreeMap<String, Option<Section>>>,
}

/// The merged configuration of a directory.
#[derive(Debug, Clone, Default)]
pub struct RegistriesD {
    pub dir: PathBuf,
    pub default_docker: Option<(Section, PathBuf)>,
    pub docker: BTreeMap<String, (Section, PathBuf)>,
}

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
    let mut out = RegistriesD {
        dir: dir.to_owned(),
        ..Default::default()
    };
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
        let bytes = crate::image::read_limited(&path, MAX_FILE)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let f: File = serde_norway::from_slice(&bytes)
            .map_err(|e| format!("parsing {}: {e}", path.display()))?;
        if let Some(d) = f.default_docker {
            if let Some((_, first)) = &out.default_docker {
                return Err(format!(
                    "Error parsing signature storage configuration: \"default-docker\" defined both in \"{}\" and \"{}\"",
                    first.display(),
                    path.display()
                ));
            }
            out.default_docker = Some((d, path.clone()));
        }
        for (scope, section) in f.docker.unwrap_or_default() {
            if let Some((_, first)) = out.docker.get(&scope) {
                return Err(format!(
                    "Error parsing signature storage configuration: \"docker\" namespace \"{scope}\" defined both in \"{}\" and \"{}\"",
                    first.display(),
                    path.display()
                ));
            }
            out.docker
                .insert(scope, (section.unwrap_or_default(), path.clone()));
        }
    }
    Ok(out)
}

impl RegistriesD {
    /// `use-sigstore-attachments` for images directly below a docker `scope`, as c/image looks
    /// it up: the scope, its parent namespaces and `*.` wildcards, then `default-docker`
    /// (`""` and wildcard scopes see only `default-docker`).
    pub fn attachments_for_scope(&self, scope: &str) -> bool {
        use crate::reference::docker::Named;
        use crate::reference::transport::docker_identity;
        let mut keys: Vec<String> = Vec::new();
        if !scope.is_empty() && !scope.starts_with("*.") {
            if let Ok(n) = Named::parse_normalized(&format!("{scope}/x")) {
                keys = docker_identity(&n.with_default_tag())
                    .namespaces
                    .into_iter()
                    .skip(1)
                    .collect();
            } else if let Ok(n) = Named::parse_normalized(scope) {
                keys = docker_identity(&n.with_default_tag()).namespaces;
            }
        }
        keys.iter()
            .find_map(|k| {
                self.docker
                    .get(k)
                    .and_then(|(sec, _)| sec.use_sigstore_attachments)
            })
            .or_else(|| {
                self.default_docker
                    .as_ref()
                    .and_then(|(sec, _)| sec.use_sigstore_attachments)
            })
            .unwrap_or(false)
    }

    /// Podman's `trust show` Store column: the exact scope, then the scope with trailing
    /// `/component`s removed, then `default-docker`; `lookaside` before `sigstore`.
    pub fn podman_store(&self, scope: &str, is_default_entry: bool) -> String {
        let url = |s: &Section| {
            s.lookaside
                .clone()
                .filter(|x| !x.is_empty())
                .or_else(|| s.sigstore.clone())
                .unwrap_or_default()
        };
        if !is_default_entry && !scope.is_empty() {
            let mut key = scope;
            loop {
                if let Some((s, _)) = self.docker.get(key) {
                    return url(s);
                }
                match key.rfind('/') {
                    Some(i) => key = &key[..i],
                    None => break,
                }
            }
        }
        self.default_docker
            .as_ref()
            .map(|(s, _)| url(s))
            .unwrap_or_default()
    }
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
