//! Policy identities: the identity and the namespaces (scopes, most specific first) that c/image's
//! `PolicyConfigurationIdentity`/`Namespaces` give each image reference.

use super::*;

/// What the machine provides to turn a parsed reference into a policy identity.
pub trait Host {
    /// `explicitfilepath.ResolvePathToFullyExplicit`: absolute, symlinks resolved, cleaned; the
    /// last component may be missing.
    fn resolve_path(&self, path: &str) -> Result<String, String>;
}

/// A resolved `containers-storage` store: what the identity uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedStore {
    pub driver: String,
    pub graph_root: String,
}

/// The strings a reference is looked up with in a transport's scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyIdentity {
    /// `PolicyConfigurationIdentity()`.
    pub identity: String,
    /// `PolicyConfigurationNamespaces()`, most specific first.
    pub namespaces: Vec<String>,
}

/// `DockerReferenceIdentity` + `DockerReferenceNamespaces` (docker/policyconfiguration).
pub fn docker_identity(named: &Named) -> PolicyIdentity {
    let mut identity = named.name();
    if let Some(t) = named.tag() {
        identity = format!("{identity}:{t}");
    } else if let Some(d) = named.digest() {
        identity = format!("{identity}@{d}");
    }
    let mut namespaces = Vec::new();
    let mut name = named.name();
    loop {
        namespaces.push(name.clone());
        match name.rfind('/') {
            Some(i) => name.truncate(i),
            None => break,
        }
    }
    if let Some(i) = name.find(':') {
        name.truncate(i);
    }
    while let Some(i) = name.find('.') {
        name = name[i + 1..].to_owned();
        namespaces.push(format!("*.{name}"));
    }
    PolicyIdentity {
        identity,
        namespaces,
    }
}

/// dir/sif namespaces: parents of the path, stopping before `/`.
pub(super) fn parent_namespaces(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut p = path;
    while let Some(i) = p.rfind('/') {
        if i == 0 {
            break;
        }
        p = &p[..i];
        out.push(p.to_owned());
    }
    out
}

/// oci/oci-archive namespaces: the path itself, then its parents, stopping before `/`.
pub(super) fn self_and_parent_namespaces(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut p = path;
    while let Some(i) = p.rfind('/') {
        if p == "/" {
            break;
        }
        out.push(p.to_owned());
        p = &p[..i];
    }
    out
}

/// `storageReference.PolicyConfigurationIdentity` / `…Namespaces` for a resolved store and the
/// image ID the opened source fills in.
pub fn storage_identity(
    store: &ResolvedStore,
    named: Option<&Named>,
    id: Option<&str>,
) -> PolicyIdentity {
    let spec = format!("[{}@{}]", store.driver, store.graph_root);
    let mut identity = spec.clone();
    if let Some(n) = named {
        identity.push_str(&n.to_string());
    }
    if let Some(id) = id {
        identity.push('@');
        identity.push_str(id);
    }
    let mut namespaces = Vec::new();
    if let Some(n) = named {
        if id.is_some() {
            namespaces.push(format!("{spec}{n}"));
        }
        if let (Some(t), Some(_)) = (n.tag(), n.digest()) {
            namespaces.push(format!("{spec}{}:{t}", n.name()));
        }
        let name = n.name();
        let mut comps: Vec<&str> = name.split('/').collect();
        while !comps.is_empty() {
            namespaces.push(format!("{spec}{}", comps.join("/")));
            comps.pop();
        }
    }
    namespaces.push(spec);
    namespaces.push(format!("[{}]", store.graph_root));
    PolicyIdentity {
        identity,
        namespaces,
    }
}

impl ImageRef {
    /// The policy identity of everything except `containers-storage:` (which needs a store:
    /// see [`storage_identity`]).
    pub fn policy_identity(&self, host: &dyn Host) -> Result<PolicyIdentity, ImageRefError> {
        let resolve = |p: &str| host.resolve_path(p).map_err(ImageRefError);
        Ok(match self {
            ImageRef::Docker { named, .. } => docker_identity(named),
            ImageRef::DockerDaemon { named: Some(n), .. } => docker_identity(n),
            ImageRef::DockerDaemon { named: None, .. } => PolicyIdentity {
                identity: String::new(),
                namespaces: vec![],
            },
            ImageRef::Path { path, .. } => {
                let r = resolve(path)?;
                PolicyIdentity {
                    namespaces: parent_namespaces(&r),
                    identity: r,
                }
            }
            ImageRef::Oci { path, .. } => {
                let r = resolve(path)?;
                PolicyIdentity {
                    namespaces: self_and_parent_namespaces(&r),
                    identity: r,
                }
            }
            ImageRef::DockerArchive { .. } | ImageRef::Tarball { .. } => PolicyIdentity {
                identity: String::new(),
                namespaces: vec![],
            },
            ImageRef::Storage(_) => {
                return Err(ImageRefError(
                    "containers-storage: references need the store to be resolved".into(),
                ));
            }
        })
    }
}
