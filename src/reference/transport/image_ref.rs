//! containers-transports(5) image references: `ImageRef::parse` for every transport policyctl
//! reads, as c/image's transports parse them (`containers-storage:` store specs included).

use super::*;

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
pub(super) fn is_oci_ref_name(s: &str) -> bool {
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

pub(super) const INVALID_REFERENCE: &str = "invalid reference";

/// `storageTransport.ParseReference` + `ParseStoreReference`, without the store.
pub(super) fn parse_storage(within: &str) -> Result<StorageRef, ImageRefError> {
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
