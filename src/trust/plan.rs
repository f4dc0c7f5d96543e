//! Planning `key install` and `key remove` (pure): from the current contents of the files
//! involved to their new contents and the lines that report the change. The command locks and
//! reads the files, asks for a plan, prints it (`--dry-run`) or commits it in one transaction.

use std::path::{Path, PathBuf};

use super::{
    Edit, default_policy, registries_d_yaml, remove_docker_scope, scopes_using_key,
    set_docker_scope, sigstore_requirements, vet_public_key,
};
use crate::compat::Compat;
use crate::json::position::line_col;
use crate::json::tree::Node;
use crate::policy::parse::parse_policy;
use crate::signature::keys::LoadedKey;

/// Why a change cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// What is there conflicts with the change (nothing is changed).
    #[error("{0}")]
    Conflict(String),
    /// The edited policy would not load: a bug.
    #[error("{0}")]
    Internal(String),
}

/// A file and its current contents (`None`: it does not exist).
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    pub path: &'a Path,
    pub contents: Option<&'a [u8]>,
}

/// The planned change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Files to write, in order (the policy, which references the key, last).
    pub writes: Vec<(PathBuf, String)>,
    /// Files to remove (each kept as `.bak`).
    pub removes: Vec<PathBuf>,
    /// What the change does, one line each.
    pub report: Vec<String>,
}

/// The current policy, parsed strictly: a file c/image cannot load is never edited.
pub fn current_policy(current: Current<'_>, compat: Compat) -> Result<Node, PlanError> {
    let Some(text) = current.contents else {
        return Ok(default_policy());
    };
    if let Err(e) = parse_policy(text, compat) {
        let p = line_col(text, e.span.start);
        return Err(PlanError::Conflict(format!(
            "{}:{}:{}: {}; refusing to edit a policy containers/image cannot load (fix it first, see `policyctl lint`)",
            current.path.display(),
            p.line,
            p.column,
            e.message
        )));
    }
    Node::parse(text).map_err(|e| PlanError::Conflict(format!("{}: {e}", current.path.display())))
}

/// The edited policy's text, checked with the strict parser before it is written.
pub fn validated(path: &Path, node: &Node, compat: Compat) -> Result<String, PlanError> {
    let text = node.to_pretty();
    parse_policy(text.as_bytes(), compat).map_err(|e| {
        PlanError::Internal(format!(
            "the edited {} would not load: {}",
            path.display(),
            e.message
        ))
    })?;
    Ok(text)
}

/// `key install`: the key, its `registries.d` entry and its `policy.json` scope.
#[derive(Debug, Clone)]
pub struct Install<'a> {
    /// The vetted key and its normalized PEM.
    pub key: &'a LoadedKey,
    pub pem: String,
    /// The docker scope to trust it for.
    pub scope: &'a str,
    /// The key's path as the policy names it (without `--root`).
    pub key_sys: &'a str,
    /// Replace a different key, entry or scope.
    pub force: bool,
    pub key_file: Current<'a>,
    /// `None`: `--no-registries-d`.
    pub registries_d: Option<Current<'a>>,
    /// `None`: `--no-policy`.
    pub policy: Option<Current<'a>>,
}

/// Plans `key install`.
pub fn install(req: &Install<'_>, compat: Compat) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let (key, scope, key_sys) = (req.key, req.scope, req.key_sys);

    // 1. The key file.
    let key_path = req.key_file.path;
    match req.key_file.contents {
        Some(old) => {
            let old_fp = vet_public_key(old)
                .map(|k| k.fingerprint)
                .unwrap_or_else(|e| format!("unreadable ({e})"));
            if old_fp == key.fingerprint {
                plan.report.push(format!(
                    "key {} already installed ({})",
                    key_path.display(),
                    key.fingerprint
                ));
            } else if !req.force {
                return Err(PlanError::Conflict(format!(
                    "{} already holds a different key ({old_fp}); refusing to replace it with {} (use --force)",
                    key_path.display(),
                    key.fingerprint
                )));
            } else {
                plan.report.push(format!(
                    "key {} replaced: {old_fp} -> {}",
                    key_path.display(),
                    key.fingerprint
                ));
                plan.writes.push((key_path.to_owned(), req.pem.clone()));
            }
        }
        None => {
            plan.report.push(format!(
                "key {} installed ({}, {})",
                key_path.display(),
                key.key.algorithm(),
                key.fingerprint
            ));
            plan.writes.push((key_path.to_owned(), req.pem.clone()));
        }
    }

    // 2. registries.d.
    if let Some(regd) = req.registries_d {
        let yaml = registries_d_yaml(scope);
        match regd.contents {
            Some(old) if old == yaml.as_bytes() => plan.report.push(format!(
                "{} already enables sigstore attachments for {scope}",
                regd.path.display()
            )),
            Some(_) if !req.force => {
                return Err(PlanError::Conflict(format!(
                    "{} exists with different content; refusing to replace it (use --force)",
                    regd.path.display()
                )));
            }
            _ => {
                plan.report.push(format!(
                    "{}: use-sigstore-attachments: true for {scope}",
                    regd.path.display()
                ));
                plan.writes.push((regd.path.to_owned(), yaml));
            }
        }
    }

    // 3. policy.json (written last: it references the key).
    if let Some(policy) = req.policy {
        let path = policy.path;
        let mut node = current_policy(policy, compat)?;
        match set_docker_scope(&mut node, scope, sigstore_requirements(key_sys), req.force) {
            Edit::Unchanged => plan.report.push(format!(
                "{}: docker scope {scope} already requires this key",
                path.display()
            )),
            Edit::Conflict(existing) => {
                return Err(PlanError::Conflict(format!(
                    "{}: docker scope {scope} already has different requirements (use --force to replace them):\n{existing}",
                    path.display()
                )));
            }
            Edit::Changed => {
                let text = validated(path, &node, compat)?;
                plan.report.push(format!(
                    "{}: docker scope {scope} requires sigstoreSigned by {key_sys} (signedIdentity matchRepository)",
                    path.display()
                ));
                plan.writes.push((path.to_owned(), text));
            }
        }
    }
    Ok(plan)
}

/// `key remove`: the scopes that require the key as `key install` wrote them, the
/// `registries.d` entry policyctl wrote, and the key file.
#[derive(Debug, Clone)]
pub struct Remove<'a> {
    /// The key's path as the policy names it.
    pub key_sys: &'a str,
    /// Only this docker scope (default: every scope using the key).
    pub scope: Option<&'a str>,
    pub policy: Current<'a>,
    pub registries_d: Current<'a>,
    pub key_file: Current<'a>,
}

/// Plans `key remove`; refuses while the policy still uses the key elsewhere.
pub fn remove(req: &Remove<'_>, compat: Compat) -> Result<Plan, PlanError> {
    let mut plan = Plan::default();
    let (path, key_sys) = (req.policy.path, req.key_sys);
    if req.policy.contents.is_some() {
        let mut node = current_policy(req.policy, compat)?;
        let scopes: Vec<String> = match req.scope {
            Some(s) => vec![s.to_owned()],
            None => scopes_using_key(&node, key_sys)
                .into_iter()
                .filter_map(|s| s.strip_prefix("docker:").map(str::to_owned))
                .collect(),
        };
        let mut changed = false;
        for s in &scopes {
            match remove_docker_scope(&mut node, s, key_sys) {
                Edit::Changed => {
                    changed = true;
                    plan.report
                        .push(format!("{}: removed docker scope {s}", path.display()));
                }
                Edit::Conflict(_) => plan.report.push(format!(
                    "{}: docker scope {s} uses the key in a way policyctl did not write; left alone",
                    path.display()
                )),
                Edit::Unchanged => {}
            }
        }
        let left = scopes_using_key(&node, key_sys);
        if !left.is_empty() {
            return Err(PlanError::Conflict(format!(
                "{} still uses {key_sys} in {}; edit those entries first (nothing was changed)",
                path.display(),
                left.join(", ")
            )));
        }
        if changed {
            plan.writes
                .push((path.to_owned(), validated(path, &node, compat)?));
        }
    }
    if req
        .registries_d
        .contents
        .is_some_and(|t| t.starts_with(b"# Written by policyctl"))
    {
        plan.removes.push(req.registries_d.path.to_owned());
        plan.report
            .push(format!("removed {}", req.registries_d.path.display()));
    }
    let key_path = req.key_file.path;
    if req.key_file.contents.is_some() {
        plan.removes.push(key_path.to_owned());
        plan.report.push(format!(
            "removed {} (kept as {}.bak)",
            key_path.display(),
            key_path.display()
        ));
    } else {
        plan.report
            .push(format!("{} was not installed", key_path.display()));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::{ARMORRED_PEM, normalized_pem};

    fn armorred() -> LoadedKey {
        vet_public_key(ARMORRED_PEM.as_bytes()).unwrap()
    }

    fn install_req<'a>(
        key: &'a LoadedKey,
        key_file: Option<&'a [u8]>,
        policy: Option<&'a [u8]>,
        force: bool,
    ) -> Install<'a> {
        Install {
            key,
            pem: normalized_pem(ARMORRED_PEM.as_bytes()),
            scope: "ghcr.io/armorred",
            key_sys: "/etc/pki/cosign/armorred.pub",
            force,
            key_file: Current {
                path: Path::new("/r/etc/pki/cosign/armorred.pub"),
                contents: key_file,
            },
            registries_d: None,
            policy: Some(Current {
                path: Path::new("/r/etc/containers/policy.json"),
                contents: policy,
            }),
        }
    }

    /// Planning is pure: fresh install writes key and policy; a second plan on the result is
    /// a no-op; a different key or a broken policy is a conflict; removing undoes it.
    #[test]
    fn install_then_remove() {
        let key = armorred();
        let plan = install(&install_req(&key, None, None, false), Compat::Current).unwrap();
        assert_eq!(plan.writes.len(), 2);
        assert!(plan.writes[1].1.contains("\"ghcr.io/armorred\""));
        let (pem, policy) = (plan.writes[0].1.clone(), plan.writes[1].1.clone());
        let again = install(
            &install_req(&key, Some(pem.as_bytes()), Some(policy.as_bytes()), false),
            Compat::Current,
        )
        .unwrap();
        assert!(again.writes.is_empty(), "{again:?}");
        let other = crate::signature::sign::p256_public_pem(
            &crate::signature::sign::p256_key_from_seed("other"),
        );
        let e = install(
            &install_req(&key, Some(other.as_bytes()), None, false),
            Compat::Current,
        )
        .unwrap_err();
        assert!(matches!(e, PlanError::Conflict(m) if m.contains("already holds a different key")));
        assert!(
            install(
                &install_req(&key, Some(other.as_bytes()), None, true),
                Compat::Current
            )
            .is_ok()
        );
        let e = install(&install_req(&key, None, Some(b"{"), false), Compat::Current).unwrap_err();
        assert!(matches!(e, PlanError::Conflict(m) if m.contains("cannot load")));

        let removal = remove(
            &Remove {
                key_sys: "/etc/pki/cosign/armorred.pub",
                scope: None,
                policy: Current {
                    path: Path::new("/r/etc/containers/policy.json"),
                    contents: Some(policy.as_bytes()),
                },
                registries_d: Current {
                    path: Path::new("/r/etc/containers/registries.d/armorred.yaml"),
                    contents: Some(b"# not ours\n"),
                },
                key_file: Current {
                    path: Path::new("/r/etc/pki/cosign/armorred.pub"),
                    contents: Some(pem.as_bytes()),
                },
            },
            Compat::Current,
        )
        .unwrap();
        assert_eq!(removal.writes.len(), 1);
        assert!(!removal.writes[0].1.contains("armorred"));
        // A registries.d file policyctl did not write is left alone.
        assert_eq!(
            removal.removes,
            vec![PathBuf::from("/r/etc/pki/cosign/armorred.pub")]
        );
    }
}
