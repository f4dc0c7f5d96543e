//! Gathers [`Facts`] for the lint rules (I/O edge): the key files a policy names and the
//! registries.d configuration in effect.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::config::host::under_root;
use crate::lint::{Facts, KeyFile};
use crate::policy::Policy;

/// Reads what the rules need. `root` prefixes absolute key paths (`--root`).
pub fn gather(policy: &Policy, root: Option<&Path>, registries_dir: &Path) -> Facts {
    let now = crate::config::host::now().0;
    let mut facts = Facts {
        now: Some(now),
        ..Facts::default()
    };
    for (p, _, _) in crate::lint::rules::key_files::policy_key_paths(policy) {
        if facts.keys.contains_key(&p) {
            continue;
        }
        let real = under_root(root, &p);
        let fact = match (
            std::fs::metadata(&real),
            crate::fsread::read_limited(&real, 1024 * 1024),
        ) {
            (Ok(m), Ok(bytes)) => KeyFile::Read {
                mode: m.mode(),
                algorithm: crate::signature::keys::parse_pem_public_key(&bytes)
                    .ok()
                    .map(|k| k.key.algorithm()),
                vetted: crate::signature::keys::parse_pem_public_key(&bytes)
                    .map(|k| k.fingerprint)
                    .map_err(|_| {
                        crate::trust::vet_public_key(&bytes)
                            .err()
                            .map(|p| p.0)
                            .unwrap_or_default()
                    }),
                pem_blocks: crate::signature::pem::count_blocks(&bytes),
                openpgp: crate::lint::OpenPgpKeys::of(&bytes, now),
            },
            (_, Err(e)) | (Err(e), _) => {
                KeyFile::Unreadable(crate::config::host::go_errno_text(&e))
            }
        };
        facts.keys.insert(p, fact);
    }
    for p in ca_paths(policy) {
        if facts.cas.contains_key(&p) {
            continue;
        }
        let fact = match crate::fsread::read_limited(&under_root(root, &p), 1024 * 1024) {
            Ok(bytes) => crate::lint::CaFile::Read(crate::lint::CaCertificates::of(&bytes)),
            Err(e) => crate::lint::CaFile::Unreadable(crate::config::host::go_errno_text(&e)),
        };
        facts.cas.insert(p, fact);
    }
    for t in policy
        .transports
        .iter()
        .filter(|t| ["dir", "oci", "oci-archive", "sif"].contains(&t.name.value.as_str()))
    {
        for sc in t.scopes.iter().filter(|s| s.key.value.starts_with('/')) {
            let real = under_root(root, &sc.key.value);
            if let Ok(c) = std::fs::canonicalize(&real) {
                let c = match root.and_then(|r| std::fs::canonicalize(r).ok()) {
                    Some(r) => c
                        .strip_prefix(&r)
                        .map(|p| Path::new("/").join(p))
                        .unwrap_or(c),
                    None => c,
                };
                let c = c.display().to_string();
                if c != sc.key.value {
                    facts
                        .unresolved_path_scopes
                        .insert(format!("{}:{}", t.name.value, sc.key.value), c);
                }
            }
        }
    }
    facts.registries_d = Some(crate::config::registries_d::load(registries_dir));
    if let Ok(rd) = std::fs::read_dir(registries_dir) {
        let mut yml: Vec<String> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yml"))
            .map(|p| p.display().to_string())
            .collect();
        yml.sort();
        facts.registries_d_yml = yml;
    }
    facts
}

/// The CA file paths of `fulcio` and `pki` requirements.
fn ca_paths(policy: &Policy) -> Vec<String> {
    use crate::policy::{CaSource, Requirement, SigstoreTrust};
    let mut out = Vec::new();
    for (_, list) in crate::lint::rules::lists(policy) {
        for r in &list.items {
            let Requirement::SigstoreSigned(s) = &r.value else {
                continue;
            };
            let sources: Vec<&CaSource> = match &s.trust {
                SigstoreTrust::Fulcio(f) => vec![&f.value.ca],
                SigstoreTrust::Pki(p) => std::iter::once(&p.value.ca_roots)
                    .chain(p.value.ca_intermediates.as_ref())
                    .collect(),
                _ => vec![],
            };
            out.extend(sources.into_iter().filter_map(|c| match c {
                CaSource::Path(p) => Some(p.clone()),
                CaSource::Data(_) => None,
            }));
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct RegistriesConf {
    #[serde(default)]
    registry: Vec<RegistryEntry>,
}

#[derive(serde::Deserialize)]
struct RegistryEntry {
    prefix: Option<String>,
    location: Option<String>,
    #[serde(default)]
    mirror: Vec<Mirror>,
}

#[derive(serde::Deserialize)]
struct Mirror {
    location: String,
}

/// The mirrors of a registries.conf (v2 `[[registry]]` tables): (prefix, mirror locations).
/// A missing or unparsable file yields none (lint reports only what it can read).
pub fn mirrors(conf: &Path) -> Vec<(String, Vec<String>)> {
    let Ok(bytes) = crate::fsread::read_limited(conf, 1024 * 1024) else {
        return Vec::new();
    };
    let Ok(c) = toml::from_str::<RegistriesConf>(&String::from_utf8_lossy(&bytes)) else {
        return Vec::new();
    };
    c.registry
        .into_iter()
        .filter(|r| !r.mirror.is_empty())
        .filter_map(|r| {
            Some((
                r.prefix.or(r.location)?,
                r.mirror.into_iter().map(|m| m.location).collect(),
            ))
        })
        .collect()
}
