//! containers-transports(5): transport names, their policy scope rules, image references
//! (`dir:/path`, `docker://busybox`, `containers-storage:[vfs@/s]name@id`, …) and the policy
//! identity and namespaces each reference is looked up with (spec §3.2, §3.3).
//!
//! Pure: anything that needs the file system (resolving a path, finding a store's image) goes
//! through [`Host`], implemented for the real machine in `crate::config::host`.

use crate::compat::Compat;
use crate::json::read::q;
use crate::reference::docker::{Named, ReferenceError, is_full_identifier, validate_digest};

/// A transport c/image registers (which ones depends on the version, see [`Transport::lookup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Docker,
    /// OpenShift's `atomic:` (upstream builds only; Debian's 5.23.1 does not register it).
    Atomic,
    ContainersStorage,
    Dir,
    DockerArchive,
    DockerDaemon,
    Oci,
    OciArchive,
    /// A stub: registered, but every reference fails ("not supported in this build").
    Ostree,
    Sif,
    Tarball,
}

/// All transports, in the order `policyctl` lists them.
pub const ALL: &[Transport] = &[
    Transport::Docker,
    Transport::ContainersStorage,
    Transport::Dir,
    Transport::Oci,
    Transport::OciArchive,
    Transport::DockerArchive,
    Transport::DockerDaemon,
    Transport::Sif,
    Transport::Tarball,
    Transport::Atomic,
    Transport::Ostree,
];

/// Why a scope string is not valid for a transport (c/image's text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScopeError(pub String);

impl Transport {
    /// The transport's name as written before the `:`.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Docker => "docker",
            Transport::Atomic => "atomic",
            Transport::ContainersStorage => "containers-storage",
            Transport::Dir => "dir",
            Transport::DockerArchive => "docker-archive",
            Transport::DockerDaemon => "docker-daemon",
            Transport::Oci => "oci",
            Transport::OciArchive => "oci-archive",
            Transport::Ostree => "ostree",
            Transport::Sif => "sif",
            Transport::Tarball => "tarball",
        }
    }

    /// `transports.Get(name)` for the given c/image version: exact, case-sensitive.
    pub fn lookup(name: &str, compat: Compat) -> Option<Transport> {
        let t = ALL.iter().copied().find(|t| t.name() == name)?;
        match (t, compat) {
            // Debian's skopeo 1.9.3 does not link the openshift transport.
            (Transport::Atomic, Compat::V5_23) => None,
            _ => Some(t),
        }
    }

    /// `ValidatePolicyConfigurationScope` (never called for `""`, which every transport accepts).
    pub fn validate_scope(self, scope: &str) -> Result<(), ScopeError> {
        let err = |s: String| Err(ScopeError(s));
        match self {
            Transport::Docker | Transport::Ostree => Ok(()),
            Transport::Atomic => {
                if is_atomic_scope(scope) {
                    Ok(())
                } else {
                    err(format!("Invalid scope value {scope:?}"))
                }
            }
            Transport::DockerDaemon => {
                if validate_digest(scope).is_ok() {
                    err(format!(
                        "docker-daemon: can not use algo:digest value {scope} as a namespace"
                    ))
                } else {
                    Ok(())
                }
            }
            Transport::DockerArchive => err(
                r#"docker-archive: does not support any scopes except the default "" one"#.into(),
            ),
            Transport::Tarball => {
                err(r#"tarball: does not support any scopes except the default "" one"#.into())
            }
            // Same rules, slightly different texts (directory/ vs oci/internal in c/image).
            Transport::Dir | Transport::Sif => {
                validate_path_scope(scope, ("Must", "format, perhaps try "))
            }
            Transport::Oci | Transport::OciArchive => {
                validate_path_scope(scope, ("must", "path format, perhaps try with path "))
            }
            Transport::ContainersStorage => validate_storage_scope(scope).map_err(ScopeError),
        }
    }
}

/// Path scopes (`dir`, `sif`, `oci`, `oci-archive`): absolute, not `/`, already clean.
fn validate_path_scope(scope: &str, (must, canonical): (&str, &str)) -> Result<(), ScopeError> {
    if !scope.starts_with('/') {
        return Err(ScopeError(format!(
            "Invalid scope {scope}: {must} be an absolute path"
        )));
    }
    if scope == "/" {
        return Err(ScopeError(
            r#"Invalid scope "/": Use the generic default scope """#.into(),
        ));
    }
    let cleaned = go_clean(scope);
    if cleaned != scope {
        return Err(ScopeError(format!(
            "Invalid scope {scope}: Uses non-canonical {canonical}{cleaned}"
        )));
    }
    Ok(())
}

/// `storageTransport.ValidatePolicyConfigurationScope`.
fn validate_storage_scope(scope: &str) -> Result<(), String> {
    const INVALID: &str = "invalid reference";
    const NOT_ABS: &str = "path name is not absolute";
    if !scope.starts_with('[') {
        return Err(INVALID.into());
    }
    let close = match scope.find(']') {
        Some(i) if i >= 1 => i,
        _ => return Err(INVALID.into()),
    };
    let store_spec = &scope[1..close];
    let rest = &scope[close + 1..];
    match store_spec.split_once('@') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => {
            if !b.starts_with('/') {
                return Err(NOT_ABS.into());
            }
        }
        None if !store_spec.is_empty() => {
            if !store_spec.starts_with('/') {
                return Err(NOT_ABS.into());
            }
        }
        _ => return Err(INVALID.into()),
    }
    if rest.is_empty() {
        return Ok(());
    }
    let fields: Vec<&str> = rest.splitn(3, '@').collect();
    match fields.as_slice() {
        [_] => Ok(()),
        [_, x] => {
            if let Err(id_err) = validate_image_id(x)
                && let Err(d_err) = validate_digest(x)
            {
                return Err(format!(
                    "{x} is neither a valid digest({d_err}) nor a valid ID({id_err})"
                ));
            }
            Ok(())
        }
        [_, d, id] => {
            validate_digest(d).map_err(|e| e.to_string())?;
            validate_image_id(id).map_err(|e| e.to_string())
        }
        _ => Err("Internal error: unexpected number of fields form strings.SplitN".into()),
    }
}

/// `validateImageID`: `digest.Parse("sha256:" + id)`.
fn validate_image_id(id: &str) -> Result<(), crate::reference::docker::DigestError> {
    validate_digest(&format!("sha256:{id}"))
}

/// openshift's scope regexp `^[^/]*(/[^:/]*(/[^:/]*(:[^:/]*)?)?)?$`.
fn is_atomic_scope(s: &str) -> bool {
    // `[^/]*`: the host part may be anything without '/'.
    let rest = s.split_once('/').map(|(_, r)| r);
    let Some(rest) = rest else { return true };
    let (ns, rest) = match rest.split_once('/') {
        Some((n, r)) => (n, Some(r)),
        None => (rest, None),
    };
    if ns.contains(':') {
        return false;
    }
    let Some(rest) = rest else { return true };
    let (stream, tag) = match rest.split_once(':') {
        Some((s, t)) => (s, Some(t)),
        None => (rest, None),
    };
    !stream.contains('/') && tag.is_none_or(|t| !t.contains([':', '/']))
}

/// Go's `filepath.Clean` for Unix paths.
pub fn go_clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|p| *p != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

mod identity;
mod image_ref;

pub use self::identity::*;
pub use self::image_ref::*;

#[cfg(test)]
mod tests;
