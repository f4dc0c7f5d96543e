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

/// An error parsing an image reference (c/image's text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ImageRefError(pub String);

impl From<ReferenceError> for ImageRefError {
    fn from(e: ReferenceError) -> Self {
        ImageRefError(e.to_string())
    }
}

/// A `containers-storage:` store specifier `[driver@graphroot+runroot:options]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct StoreSpec {
    pub driver: Option<String>,
    pub graph_root: Option<String>,
    pub run_root: Option<String>,
    pub options: Vec<String>,
}

/// The part of a `containers-storage:` reference after the store specifier, before the store
/// has been consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageRef {
    pub store: Option<StoreSpec>,
    /// The Docker name (`TagNameOnly` applied), if any.
    pub named: Option<Named>,
    /// A full image ID, if written.
    pub id: Option<String>,
    /// A string that may be an image ID prefix (resolved against the store, issue 3): either
    /// the text after the last `@` that is neither digest nor full ID, or a bare `name`
    /// of ≥ 3 characters without `@`/`:` that an image ID may start with.
    pub id_prefix: Option<String>,
    /// The raw text after the store specifier.
    pub raw: String,
}

/// An image reference in containers-transports(5) syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// `docker://NAME[:TAG|@DIGEST]` (also `atomic:`).
    Docker { transport: Transport, named: Named },
    /// `docker-daemon:NAME:TAG` or `docker-daemon:algo:hex` (an ID).
    DockerDaemon {
        named: Option<Named>,
        id: Option<String>,
    },
    /// `dir:PATH`, `sif:PATH`.
    Path { transport: Transport, path: String },
    /// `oci:PATH[:REF]`, `oci-archive:PATH[:REF]`.
    Oci {
        transport: Transport,
        path: String,
        image: String,
        index: Option<usize>,
    },
    /// `docker-archive:PATH[:REF|:@INDEX]`.
    DockerArchive {
        path: String,
        named: Option<Named>,
        index: Option<usize>,
    },
    /// `tarball:PATH[:PATH…]`.
    Tarball { paths: Vec<String> },
    /// `containers-storage:…`.
    Storage(StorageRef),
}

/// `[a-zA-Z0-9_.-]*`-ish OCI ref names: c/image's `refRegexp` (`^(([A-Za-z0-9]+(([-._:@+]|--)[A-Za-z0-9]+)*))(/(([A-Za-z0-9]+(([-._:@+]|--)[A-Za-z0-9]+)*)))*$`).
fn is_oci_ref_name(s: &str) -> bool {
    s.split('/').all(|comp| {
        let b = comp.as_bytes();
        if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric()
        {
            return false;
        }
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && !b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let sep = &b[start..i];
            let ok = sep == b"--" || (sep.len() == 1 && b"-._:@+".contains(&sep[0]));
            if !ok {
                return false;
            }
        }
        true
    })
}

impl ImageRef {
    /// `alltransports.ParseImageName` + the transport's `ParseReference`, minus anything that
    /// needs the file system (paths are resolved in [`ImageRef::policy_identity`]).
    pub fn parse(s: &str, compat: Compat) -> Result<(Transport, ImageRef), ImageRefError> {
        let Some((tname, within)) = s.split_once(':') else {
            return Err(ImageRefError(format!(
                "Invalid image name {}, expected colon-separated transport:reference",
                q(compat, s)
            )));
        };
        let Some(t) = Transport::lookup(tname, compat) else {
            return Err(ImageRefError(format!(
                "Invalid image name {}, unknown transport {}",
                q(compat, s),
                q(compat, tname)
            )));
        };
        let r = match t {
            Transport::Docker | Transport::Atomic => {
                if t == Transport::Atomic {
                    return Err(ImageRefError(
                        "atomic: references are not supported by policyctl (OpenShift registries need network access)".into(),
                    ));
                }
                let Some(rest) = within.strip_prefix("//") else {
                    return Err(ImageRefError(format!(
                        "docker: image reference {within} does not start with //"
                    )));
                };
                let named = Named::parse_normalized(rest)?.with_default_tag();
                if named.tag().is_some() && named.digest().is_some() {
                    return Err(ImageRefError(
                        "Docker references with both a tag and digest are currently not supported"
                            .into(),
                    ));
                }
                ImageRef::Docker {
                    transport: t,
                    named,
                }
            }
            Transport::DockerDaemon => {
                if validate_digest(within).is_ok() {
                    if !within.starts_with("sha256:") {
                        return Err(ImageRefError(format!(
                            "docker-daemon: image ID {within} is not a sha256 digest"
                        )));
                    }
                    ImageRef::DockerDaemon {
                        named: None,
                        id: Some(within.to_owned()),
                    }
                } else {
                    let named = Named::parse_normalized(within)?.with_default_tag();
                    if named.digest().is_some() {
                        return Err(ImageRefError(
                            "docker-daemon: references with a digest and no ID are not supported"
                                .into(),
                        ));
                    }
                    ImageRef::DockerDaemon {
                        named: Some(named),
                        id: None,
                    }
                }
            }
            Transport::Dir | Transport::Sif => ImageRef::Path {
                transport: t,
                path: within.to_owned(),
            },
            Transport::Oci | Transport::OciArchive => {
                let (path, image) = within.split_once(':').unwrap_or((within, ""));
                let mut index = None;
                let mut image = image.to_owned();
                if t == Transport::Oci
                    && compat == Compat::Current
                    && let Some(n) = image.strip_prefix('@')
                {
                    let i: usize = n
                        .parse()
                        .map_err(|_| ImageRefError(format!("Invalid source index @{n}")))?;
                    index = Some(i);
                    image.clear();
                }
                if !image.is_empty() && !is_oci_ref_name(&image) {
                    return Err(ImageRefError(format!("Invalid image {image}")));
                }
                ImageRef::Oci {
                    transport: t,
                    path: path.to_owned(),
                    image,
                    index,
                }
            }
            Transport::DockerArchive => {
                if within.is_empty() {
                    return Err(ImageRefError(format!(
                        "docker-archive reference {within} isn't of the form <path>[:<reference>]"
                    )));
                }
                let (path, rest) = match within.split_once(':') {
                    Some((p, r)) => (p, Some(r)),
                    None => (within, None),
                };
                let (mut named, mut index) = (None, None);
                if let Some(r) = rest {
                    if let Some(n) = r.strip_prefix('@') {
                        let i: i64 = n.parse().map_err(|_| {
                            ImageRefError(format!("Invalid source index {r}: strconv.Atoi: parsing {}: invalid syntax", crate::json::gofmt::quote(n)))
                        })?;
                        if i < 0 {
                            return Err(ImageRefError(format!(
                                "Invalid source index @{i}: must not be negative"
                            )));
                        }
                        index = usize::try_from(i).ok();
                    } else {
                        let n = Named::parse_normalized(r)
                            .map_err(|e| {
                                ImageRefError(format!("docker-archive parsing reference: {e}"))
                            })?
                            .with_default_tag();
                        if n.tag().is_none() {
                            return Err(ImageRefError(format!(
                                "reference does not include a tag: {n}"
                            )));
                        }
                        named = Some(n);
                    }
                }
                ImageRef::DockerArchive {
                    path: path.to_owned(),
                    named,
                    index,
                }
            }
            Transport::Tarball => ImageRef::Tarball {
                paths: within.split(':').map(str::to_owned).collect(),
            },
            Transport::Ostree => {
                return Err(ImageRefError(
                    r#"The transport "ostree:" is not supported in this build"#.to_string(),
                ));
            }
            Transport::ContainersStorage => ImageRef::Storage(parse_storage(within)?),
        };
        Ok((t, r))
    }

    /// `DockerReference()`: the identity signatures are matched against (`None`: no identity).
    pub fn docker_reference(&self) -> Option<&Named> {
        match self {
            ImageRef::Docker { named, .. } => Some(named),
            ImageRef::DockerDaemon { named, .. } => named.as_ref(),
            ImageRef::DockerArchive { named, .. } => named.as_ref(),
            ImageRef::Storage(s) => s.named.as_ref(),
            ImageRef::Path { .. } | ImageRef::Oci { .. } | ImageRef::Tarball { .. } => None,
        }
    }
}

const INVALID_REFERENCE: &str = "invalid reference";

/// `storageTransport.ParseReference` + `ParseStoreReference`, without the store.
fn parse_storage(within: &str) -> Result<StorageRef, ImageRefError> {
    let mut rest = within;
    let mut store = None;
    if rest.starts_with('[') {
        let close = match rest.find(']') {
            Some(i) if i >= 1 => i,
            _ => return Err(ImageRefError(INVALID_REFERENCE.into())),
        };
        let mut spec = &rest[1..close];
        rest = &rest[close + 1..];
        let mut driver = None;
        if let Some((d, s)) = spec.split_once('@') {
            if d.is_empty() || s.is_empty() {
                return Err(ImageRefError(INVALID_REFERENCE.into()));
            }
            driver = Some(d.to_owned());
            spec = s;
        } else if spec.is_empty() {
            return Err(ImageRefError(INVALID_REFERENCE.into()));
        }
        let (spec, options) = match spec.split_once(':') {
            Some((s, o)) => (s, o.split(',').map(str::to_owned).collect()),
            None => (spec, Vec::new()),
        };
        let (root, run_root) = spec.split_once('+').unwrap_or((spec, ""));
        for p in [root, run_root] {
            if !p.is_empty() && !p.starts_with('/') {
                return Err(ImageRefError("path name is not absolute".into()));
            }
        }
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        store = Some(StoreSpec {
            driver,
            graph_root: opt(root),
            run_root: opt(run_root),
            options,
        });
    }
    let raw = rest.to_owned();
    if rest.is_empty() {
        return Err(ImageRefError(format!(
            "{} is an empty reference: {INVALID_REFERENCE}",
            crate::json::gofmt::quote(rest)
        )));
    }
    let mut id = None;
    let mut id_prefix = None;
    let mut name_part = rest;
    if let Some(split) = rest.rfind('@') {
        let possible = &rest[split + 1..];
        if possible.is_empty() {
            return Err(ImageRefError(format!(
                "empty trailing digest or ID in {}: {INVALID_REFERENCE}",
                crate::json::gofmt::quote(rest)
            )));
        }
        if validate_digest(possible).is_err() {
            if is_full_identifier(possible) {
                id = Some(possible.to_owned());
            } else {
                // Only an image in the store can make this valid (an ID prefix ≥ 3 chars).
                id_prefix = Some(possible.to_owned());
            }
            name_part = &rest[..split];
        }
    }
    if id.is_none()
        && id_prefix.is_none()
        && name_part.len() >= 3
        && !name_part.contains(['@', ':'])
    {
        // May be an ID prefix if the store has a matching image; else a name.
        id_prefix = Some(name_part.to_owned());
    }
    let named = if name_part.is_empty() {
        None
    } else {
        match Named::parse_normalized(name_part) {
            Ok(n) => Some(n.with_default_tag()),
            // A bare ID prefix that is not a valid name: only the store can decide.
            Err(_) if id_prefix.as_deref() == Some(name_part) => None,
            Err(e) => {
                return Err(ImageRefError(format!(
                    "parsing named reference {}: {e}",
                    crate::json::gofmt::quote(name_part)
                )));
            }
        }
    };
    if named.is_none() && id.is_none() && id_prefix.is_none() {
        return Err(ImageRefError(INVALID_REFERENCE.into()));
    }
    Ok(StorageRef {
        store,
        named,
        id,
        id_prefix,
        raw,
    })
}

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
fn parent_namespaces(path: &str) -> Vec<String> {
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
fn self_and_parent_namespaces(path: &str) -> Vec<String> {
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

#[cfg(test)]
mod tests;
