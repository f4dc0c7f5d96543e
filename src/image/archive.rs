//! `oci-archive:` and `docker-archive:` tarballs, read in place (never unpacked): one pass
//! indexes the regular files, reads then seek to them. Entries with absolute or `..` paths
//! make the archive invalid (c/image would refuse to extract them too).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

use super::oci::{LayoutFiles, open_in_layout};
use super::{ImageError, OpenOptions, Opened, path_error, verify_digest};
use crate::image::manifest;
use crate::reference::docker::Named;
use crate::reference::transport::{Host, ImageRef, PolicyIdentity, Transport};

/// Most entries an archive may have.
const MAX_ENTRIES: usize = 1_000_000;

/// The regular files of a tar archive and where their data starts.
pub struct TarIndex {
    path: PathBuf,
    entries: HashMap<String, (u64, u64)>,
}

/// Normalises an entry name (`./a/b` → `a/b`); `None` for names that leave the archive root.
fn clean_entry_name(name: &Path) -> Option<String> {
    let mut parts = Vec::new();
    for c in name.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?.to_owned()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

impl TarIndex {
    /// Indexes `path`.
    pub fn open(path: &Path) -> Result<TarIndex, ImageError> {
        let f = crate::fsread::open_regular(path)
            .map_err(|e| ImageError(path_error("open", path, &e)))?;
        let mut ar = tar::Archive::new(f);
        let mut entries = HashMap::new();
        let bad = |what: String| ImageError(format!("{}: invalid archive: {what}", path.display()));
        for (n, e) in ar.entries().map_err(|e| bad(e.to_string()))?.enumerate() {
            if n >= MAX_ENTRIES {
                return Err(bad(format!("more than {MAX_ENTRIES} entries")));
            }
            let e = e.map_err(|e| bad(e.to_string()))?;
            let raw = e.path().map_err(|e| bad(e.to_string()))?.into_owned();
            let Some(name) = clean_entry_name(&raw) else {
                return Err(bad(format!(
                    "entry {} leaves the archive root",
                    raw.display()
                )));
            };
            if e.header().entry_type().is_file() {
                entries.insert(name, (e.raw_file_position(), e.size()));
            }
        }
        Ok(TarIndex {
            path: path.to_owned(),
            entries,
        })
    }
}

impl LayoutFiles for TarIndex {
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        let shown = format!("{}:{rel}", self.path.display());
        let Some(&(pos, size)) = self.entries.get(rel) else {
            return Err(ImageError(format!("{shown}: no such file in the archive")));
        };
        if size > limit {
            return Err(ImageError(format!("{shown} is larger than {limit} bytes")));
        }
        let mut f = crate::fsread::open_regular(&self.path)
            .map_err(|e| ImageError(path_error("open", &self.path, &e)))?;
        f.seek(SeekFrom::Start(pos))
            .map_err(|e| ImageError(format!("{shown}: {e}")))?;
        let mut buf = Vec::with_capacity(size as usize);
        f.take(size)
            .read_to_end(&mut buf)
            .map_err(|e| ImageError(format!("{shown}: {e}")))?;
        if buf.len() as u64 != size {
            return Err(ImageError(format!("{shown}: truncated archive")));
        }
        Ok(buf)
    }
}

/// Opens an image in an OCI archive.
pub fn open_oci_archive(
    r: &ImageRef,
    host: &dyn Host,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let ImageRef::Oci {
        path, image, index, ..
    } = r
    else {
        return Err(ImageError(
            "internal error: not an oci-archive: reference".into(),
        ));
    };
    let identity = r.policy_identity(host).map_err(|e| ImageError(e.0))?;
    let files = TarIndex::open(Path::new(path))?;
    let within = format!("{path}:{image}");
    open_in_layout(
        &files,
        path,
        Transport::OciArchive,
        within,
        image,
        *index,
        identity,
        opts,
    )
}

crate::go_struct! {
    /// c/image's `tarfile.ManifestItem` (decoded with Go's rules: folded keys, last wins).
    struct DockerArchiveItem as "tarfile.ManifestItem" {
        config: String = "Config",
        repo_tags: crate::json::godecode::GoSlice<String> = "RepoTags",
        layers: crate::json::godecode::GoSlice<String> = "Layers",
        parent: String = "Parent",
        layer_sources: crate::json::godecode::GoMap<manifest::Schema2Descriptor> = "LayerSources",
    }
}

/// Opens an image in a `docker save` archive. Such images never carry signatures; c/image
/// synthesizes their manifest, so no manifest digest is computed here.
pub fn open_docker_archive(
    r: &ImageRef,
    _host: &dyn Host,
    _opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let ImageRef::DockerArchive { path, named, index } = r else {
        return Err(ImageError(
            "internal error: not a docker-archive: reference".into(),
        ));
    };
    let files = TarIndex::open(Path::new(path))?;
    let bytes = files.read("manifest.json", 16 * 1024 * 1024)?;
    let items: crate::json::godecode::GoSlice<DockerArchiveItem> =
        crate::json::godecode::unmarshal(&bytes)
            .map_err(|e| ImageError(format!("{path}:manifest.json: {e}")))?;
    let items = items.as_slice();
    let item = match (named, index) {
        (_, Some(i)) => items.get(*i).ok_or_else(|| {
            ImageError(format!(
                "Invalid source index @{i}, only {} manifest items available",
                items.len()
            ))
        })?,
        (Some(n), None) => items
            .iter()
            .find(|it| {
                it.repo_tags.as_slice().iter().any(|t| {
                    Named::parse_normalized(t).is_ok_and(|p| p.to_string() == n.to_string())
                })
            })
            .ok_or_else(|| {
                ImageError(format!(
                    "Tag {} not found",
                    crate::json::gofmt::quote(&n.to_string())
                ))
            })?,
        (None, None) => match items {
            [one] => one,
            _ => {
                return Err(ImageError(format!(
                    "{path}: archive contains {} images; specify one as docker-archive:PATH:NAME:TAG or docker-archive:PATH:@INDEX",
                    items.len()
                )));
            }
        },
    };
    let config = files.read(&item.config, manifest::MAX_MANIFEST_SIZE)?;
    let config_digest = format!(
        "sha256:{}",
        item.config
            .trim_end_matches(".json")
            .rsplit('/')
            .next()
            .unwrap_or("")
    );
    if config_digest.len() == 71 {
        verify_digest(&config, &config_digest, &format!("{path}:{}", item.config))?;
    }
    for l in item.layers.as_slice() {
        if !files.entries.contains_key(l.trim_start_matches("./")) {
            return Err(ImageError(format!(
                "{path}: layer {l} listed in manifest.json is missing"
            )));
        }
    }
    let within = match (named, index) {
        (Some(n), _) => format!("{path}:{n}"),
        (None, Some(i)) => format!("{path}:@{i}"),
        (None, None) => path.clone(),
    };
    Ok(Opened {
        transport: Transport::DockerArchive,
        within,
        docker_reference: named.clone(),
        identity: PolicyIdentity {
            identity: String::new(),
            namespaces: vec![],
        },
        manifest: Vec::new(),
        mime_type: manifest::DOCKER_V2S2.to_owned(),
        manifest_digest: Err(
            "docker-archive: the manifest is synthesized by containers/image and has no signatures"
                .into(),
        ),
        list: None,
        signatures: Ok(Vec::new()),
        notes: vec!["docker-archive images cannot carry signatures".into()],
        schema1: manifest::Schema1Check::NotSchema1,
        cimage_manifest_digest: None,
    })
}
