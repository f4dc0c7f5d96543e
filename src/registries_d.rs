//! `registries.d` (spec §7) as parsed data: the per-scope sections (`lookaside`, `sigstore`,
//! `use-sigstore-attachments`), how files merge, and c/image's and podman's lookups. Pure:
//! the files are found and read by `crate::config::registries_d`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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

impl RegistriesD {
    /// An empty configuration of `dir`.
    pub fn empty(dir: &Path) -> RegistriesD {
        RegistriesD {
            dir: dir.to_owned(),
            ..Default::default()
        }
    }

    /// Merges one file (`path`, its `bytes`) as c/image does: a blank file is skipped; a
    /// `default-docker` or `docker` scope defined by an earlier file is an error.
    pub fn merge_file(&mut self, path: &Path, bytes: &[u8]) -> Result<(), RegistriesDError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        let f: File = serde_norway::from_slice(bytes)
            .map_err(|e| format!("parsing {}: {e}", path.display()))?;
        if let Some(d) = f.default_docker {
            if let Some((_, first)) = &self.default_docker {
                return Err(format!(
                    "Error parsing signature storage configuration: \"default-docker\" defined both in \"{}\" and \"{}\"",
                    first.display(),
                    path.display()
                )
                .into());
            }
            self.default_docker = Some((d, path.to_owned()));
        }
        for (scope, section) in f.docker.unwrap_or_default() {
            if let Some((_, first)) = self.docker.get(&scope) {
                return Err(format!(
                    "Error parsing signature storage configuration: \"docker\" namespace \"{scope}\" defined both in \"{}\" and \"{}\"",
                    first.display(),
                    path.display()
                )
                .into());
            }
            self.docker
                .insert(scope, (section.unwrap_or_default(), path.to_owned()));
        }
        Ok(())
    }

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

    /// The lookaside storage a pull of `named` reads simple-signing signatures from, as
    /// c/image's `signatureTopLevel(ref, write=false)` finds it: the exact identity, then its
    /// namespaces (parents and `*.` wildcards), then `default-docker`; `lookaside` before
    /// `sigstore`. `None`: nothing configured (c/image then uses its built-in directory).
    pub fn lookaside_for(&self, named: &crate::reference::docker::Named) -> Option<String> {
        let read_url = |s: &Section| {
            s.lookaside
                .clone()
                .filter(|x| !x.is_empty())
                .or_else(|| s.sigstore.clone().filter(|x| !x.is_empty()))
        };
        let id = crate::reference::transport::docker_identity(named);
        std::iter::once(&id.identity)
            .chain(id.namespaces.iter())
            .find_map(|k| self.docker.get(k).and_then(|(sec, _)| read_url(sec)))
            .or_else(|| self.default_docker.as_ref().and_then(|(s, _)| read_url(s)))
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

crate::message_error! {
    /// A `registries.d` file c/image refuses (its text, naming the file).
    RegistriesDError
}
