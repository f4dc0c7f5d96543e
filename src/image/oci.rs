//! `oci:PATH[:REF]` — OCI image layouts (spec §6.3): `index.json`, `blobs/<algo>/<hex>`.
//! c/image never returns signatures for them; with `--oci-attachments` we also read cosign's
//! signature manifests stored in the layout (`sha256-<hex>.sig`, or `cosign save`'s
//! `kind: dev.cosignproject.cosign/sigs` entries) and say that podman would not see them.
//!
//! The layout is read through [`LayoutFiles`], so `oci-archive:` shares this code.

use std::path::{Component, Path, PathBuf};

use super::{
    ImageError, ListChoice, MAX_SIGNATURE_SIZE, OpenOptions, Opened, SourceManifest,
    SourcedSignature, path_error, read_limited, verify_digest,
};
use crate::compat::Compat;
use crate::image::manifest::{self, Descriptor, MAX_MANIFEST_SIZE, OciIndex as ImageIndex};
use crate::reference::transport::{Host, ImageRef, Transport};
use crate::signature::Signature;
use crate::signature::blob::Sigstore;

/// Largest `index.json` read.
pub(super) const MAX_INDEX_SIZE: u64 = 16 * 1024 * 1024;
const REF_NAME: &str = "org.opencontainers.image.ref.name";
const COSIGN_KIND: &str = "kind";
const COSIGN_SIGS: &str = "dev.cosignproject.cosign/sigs";

/// Read access to the files of a layout (a directory or an archive).
pub trait LayoutFiles {
    /// Reads `rel` (e.g. `index.json`, `blobs/sha256/<hex>`) of at most `limit` bytes.
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ImageError>;
}

/// A layout directory on disk; refuses paths that leave it.
pub struct LayoutDir {
    pub root: PathBuf,
}

impl LayoutFiles for LayoutDir {
    fn read(&self, rel: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        let p = self.root.join(rel);
        if Path::new(rel)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(ImageError(format!(
                "{}: path leaves the layout",
                p.display()
            )));
        }
        // A symlinked blob must stay inside the layout.
        if let (Ok(real), Ok(root)) = (std::fs::canonicalize(&p), std::fs::canonicalize(&self.root))
            && !real.starts_with(&root)
        {
            return Err(ImageError(format!(
                "{}: symlink points outside the layout ({})",
                p.display(),
                real.display()
            )));
        }
        read_limited(&p, limit).map_err(|e| ImageError(path_error("open", &p, &e)))
    }
}

/// Reads and verifies the blob of `digest`.
pub fn read_blob(files: &dyn LayoutFiles, digest: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
    let (algo, hex) = digest
        .split_once(':')
        .ok_or_else(|| ImageError(format!("invalid digest {digest}")))?;
    if algo != "sha256"
        || hex.len() != 64
        || !hex
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    {
        return Err(ImageError(format!(
            "unsupported or invalid digest {digest}"
        )));
    }
    let b = files.read(&format!("blobs/{algo}/{hex}"), limit)?;
    verify_digest(&b, digest, &format!("blob {digest}"))?;
    Ok(b)
}

fn read_index(files: &dyn LayoutFiles, what: &str) -> Result<ImageIndex, ImageError> {
    let bytes = files.read("index.json", MAX_INDEX_SIZE)?;
    manifest::decode_layout_index(&bytes).map_err(|e| ImageError(format!("{what}/index.json: {e}")))
}

fn ref_name(d: &Descriptor) -> Option<&str> {
    d.annotations.get(REF_NAME).map(String::as_str)
}

/// Chooses the index entry for `image` (`""`: the only one) as c/image's `oci:` does.
fn choose_descriptor<'i>(
    index: &'i ImageIndex,
    image: &str,
    at: Option<usize>,
    compat: Compat,
) -> Result<&'i Descriptor, ImageError> {
    let entries = index.manifests.as_slice();
    if let Some(n) = at {
        return entries.get(n).ok_or_else(|| {
            ImageError(format!(
                "index {n} is too large, only {} entries available",
                entries.len()
            ))
        });
    }
    if image.is_empty() {
        return match entries {
            [one] => Ok(one),
            [] => Err(ImageError("no descriptor found for reference \"\"".into())),
            _ => Err(ImageError(
                "more than one image in oci, choose an image".into(),
            )),
        };
    }
    let oci_types = [manifest::OCI_MANIFEST, manifest::OCI_INDEX];
    entries
        .iter()
        .find(|d| {
            let mt = d.media_type.clone();
            let type_ok = match compat {
                Compat::V5_23 => oci_types.contains(&mt.as_str()),
                Compat::Current => {
                    oci_types.contains(&mt.as_str())
                        || mt == manifest::DOCKER_V2S2
                        || mt == manifest::DOCKER_LIST
                }
            };
            type_ok && ref_name(d) == Some(image)
        })
        .ok_or_else(|| {
            ImageError(format!(
                "no descriptor found for reference {}",
                crate::json::gofmt::quote(image)
            ))
        })
}

/// Evaluates an image in any layout: shared by `oci:` and `oci-archive:`.
#[allow(clippy::too_many_arguments)]
pub fn open_in_layout(
    files: &dyn LayoutFiles,
    what: &str,
    transport: Transport,
    within: String,
    image: &str,
    at: Option<usize>,
    identity: crate::reference::transport::PolicyIdentity,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let index = read_index(files, what)?;
    let desc = choose_descriptor(&index, image, at, opts.compat)?;
    let top_digest = desc.digest.clone();
    let top = SourceManifest {
        bytes: read_blob(files, &top_digest, MAX_MANIFEST_SIZE)?,
        mime_type: Some(desc.media_type.clone()),
    };
    // c/image's `oci:` takes an instance's MIME type from the layout's own index.json entry
    // with that digest, else guesses it.
    let mut read_instance = |d: &str| {
        Ok(SourceManifest {
            bytes: read_blob(files, d, MAX_MANIFEST_SIZE)?,
            mime_type: index
                .manifests
                .as_slice()
                .iter()
                .find(|e| e.digest == d)
                .map(|e| e.media_type.clone()),
        })
    };
    let (m, mime_type, list) = super::resolve_manifest(top, opts, &mut read_instance)?;
    let (manifest_digest, schema1, cimage_manifest_digest) =
        super::evaluated_digest(&m, opts.compat);
    let mut notes = Vec::new();
    let signatures = if opts.oci_attachments {
        let evaluated = list.as_ref().map_or(top_digest.clone(), |l: &ListChoice| {
            l.instance_digest.clone()
        });
        let sigs = attachments(files, &index, &evaluated);
        if let Ok(s) = &sigs {
            notes.push(format!(
                "--oci-attachments: {} signature(s) read from cosign attachments in the layout; podman, skopeo and CRI-O do not read these (for them this image has no signatures)",
                s.len()
            ));
        }
        sigs
    } else {
        Ok(Vec::new())
    };
    Ok(Opened {
        transport,
        within,
        docker_reference: None,
        identity,
        manifest: m,
        mime_type,
        manifest_digest,
        list,
        signatures,
        notes,
        schema1,
        cimage_manifest_digest,
    })
}

/// cosign signature manifests for `digest` in the layout, as sigstore signatures.
fn attachments(
    files: &dyn LayoutFiles,
    index: &ImageIndex,
    digest: &str,
) -> Result<Vec<SourcedSignature>, String> {
    let tag = digest.replacen(':', "-", 1) + ".sig";
    let mut out = Vec::new();
    for d in index.manifests.as_slice() {
        let is_sig = ref_name(d) == Some(tag.as_str())
            || d.annotations.get(COSIGN_KIND).map(String::as_str) == Some(COSIGN_SIGS);
        if !is_sig {
            continue;
        }
        let bytes = read_blob(files, &d.digest, MAX_MANIFEST_SIZE).map_err(|e| e.0)?;
        let m: manifest::OciManifest = crate::json::godecode::unmarshal(&bytes)
            .map_err(|e| format!("sigstore attachment manifest {}: {e}", d.digest))?;
        for (i, layer) in m.layers.as_slice().iter().enumerate() {
            let payload = read_blob(files, &layer.digest, MAX_SIGNATURE_SIZE).map_err(|e| e.0)?;
            let annotations = layer.annotations.entries.clone().into_iter().collect();
            out.push(SourcedSignature {
                signature: Signature::Sigstore(Sigstore {
                    mime_type: layer.media_type.clone(),
                    payload,
                    annotations,
                }),
                origin: format!("cosign attachment {} layer {}", d.digest, i + 1),
            });
        }
    }
    Ok(out)
}

/// Opens an image in an OCI layout directory.
pub fn open_layout(
    r: &ImageRef,
    host: &dyn Host,
    opts: &OpenOptions,
) -> Result<Opened, ImageError> {
    let ImageRef::Oci {
        path, image, index, ..
    } = r
    else {
        return Err(ImageError("internal error: not an oci: reference".into()));
    };
    if path.contains(':') {
        return Err(ImageError(format!(
            "Invalid OCI reference: path {path} contains a colon"
        )));
    }
    let identity = r.policy_identity(host).map_err(|e| ImageError(e.0))?;
    let files = LayoutDir {
        root: PathBuf::from(path),
    };
    let within = match index {
        Some(n) => format!("{path}:@{n}"),
        None => format!("{path}:{image}"),
    };
    open_in_layout(
        &files,
        path,
        Transport::Oci,
        within,
        image,
        *index,
        identity,
        opts,
    )
}

/// A cosign attachment or referrer manifest found in an OCI layout (never read by c/image).
#[derive(Debug, Clone)]
pub struct LayoutObject {
    /// Found through an `index.json` entry (a cosign tag or `kind` annotation), or through a
    /// blob whose `subject` names the image (an OCI 1.1 referrer).
    pub referrer: bool,
    /// The manifest's digest, and the tag or `kind` that named it.
    pub manifest_digest: String,
    pub label: String,
    /// The digest it is stored for.
    pub subject: String,
    /// Its layers.
    pub layers: Vec<LayoutLayer>,
}

/// One layer of a [`LayoutObject`]: media type, annotations, bytes (or why they could not be
/// read).
pub type LayoutLayer = (
    String,
    std::collections::BTreeMap<String, String>,
    Result<Vec<u8>, String>,
);

const COSIGN_ATTS: &str = "dev.cosignproject.cosign/atts";
/// Most blobs a referrer scan looks at, and the largest it reads.
const MAX_SCANNED_BLOBS: usize = 100_000;
const MAX_SCANNED_BLOB_SIZE: u64 = 1024 * 1024;

/// The cosign objects stored in the layout of `r` (`oci:` or `oci-archive:`) for any of
/// `digests`: `sha256-HEX.sig|.att|.sbom` entries and `cosign save`'s `kind` entries of
/// `index.json`, and (`oci:` directories) referrer manifests found by scanning the blobs.
pub fn layout_objects(r: &ImageRef, digests: &[String]) -> Result<Vec<LayoutObject>, ImageError> {
    let ImageRef::Oci {
        transport, path, ..
    } = r
    else {
        return Ok(Vec::new());
    };
    let dir;
    let archive;
    let files: &dyn LayoutFiles = if *transport == Transport::OciArchive {
        archive = super::archive::TarIndex::open(Path::new(path))?;
        &archive
    } else {
        dir = LayoutDir {
            root: PathBuf::from(path),
        };
        &dir
    };
    let index = read_index(files, path)?;
    let mut out = Vec::new();
    let top = digests.first().cloned().unwrap_or_default();
    for d in index.manifests.as_slice() {
        let kind = d.annotations.get(COSIGN_KIND).map(String::as_str);
        let named = ref_name(d).and_then(|n| {
            digests.iter().find_map(|g| {
                let base = g.replacen(':', "-", 1);
                ["sig", "att", "sbom"]
                    .iter()
                    .any(|s| n == format!("{base}.{s}"))
                    .then(|| (n.to_owned(), g.clone()))
            })
        });
        let (label, subject) = match (named, kind) {
            (Some((n, g)), _) => (n, g),
            (None, Some(k @ (COSIGN_SIGS | COSIGN_ATTS))) => (format!("kind {k}"), top.clone()),
            _ => continue,
        };
        out.push(read_object(files, &d.digest, label, subject, false));
    }
    if *transport == Transport::Oci {
        out.extend(scan_referrers(Path::new(path), files, digests));
    }
    Ok(out)
}

fn read_object(
    files: &dyn LayoutFiles,
    digest: &str,
    label: String,
    subject: String,
    referrer: bool,
) -> LayoutObject {
    let mut obj = LayoutObject {
        referrer,
        manifest_digest: digest.to_owned(),
        label,
        subject,
        layers: Vec::new(),
    };
    let m = read_blob(files, digest, MAX_MANIFEST_SIZE).and_then(|b| {
        crate::json::godecode::unmarshal::<manifest::OciManifest>(&b)
            .map_err(|e| ImageError(format!("manifest {digest}: {e}")))
    });
    match m {
        Ok(m) => {
            for layer in m.layers.as_slice().iter().take(1000) {
                let bytes = read_blob(files, &layer.digest, MAX_SIGNATURE_SIZE).map_err(|e| e.0);
                obj.layers.push((
                    layer.media_type.clone(),
                    layer.annotations.entries.clone().into_iter().collect(),
                    bytes,
                ));
            }
        }
        Err(e) => obj
            .layers
            .push((String::new(), Default::default(), Err(e.0))),
    }
    obj
}

/// Referrer manifests among the blobs (cosign save keeps bundles only as blobs, spec §16.9):
/// small JSON blobs whose `subject.digest` is one of `digests`.
fn scan_referrers(root: &Path, files: &dyn LayoutFiles, digests: &[String]) -> Vec<LayoutObject> {
    let Ok(rd) = std::fs::read_dir(root.join("blobs/sha256")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .take(MAX_SCANNED_BLOBS)
        .filter(|e| {
            e.file_type().is_ok_and(|t| t.is_file())
                && e.metadata().is_ok_and(|m| m.len() <= MAX_SCANNED_BLOB_SIZE)
        })
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut out = Vec::new();
    for hex in names {
        let digest = format!("sha256:{hex}");
        let Ok(bytes) = read_blob(files, &digest, MAX_SCANNED_BLOB_SIZE) else {
            continue;
        };
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            continue;
        }
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        let Some(subject) = v
            .get("subject")
            .and_then(|s| s.get("digest"))
            .and_then(serde_json::Value::as_str)
            .filter(|s| digests.iter().any(|d| d == s))
        else {
            continue;
        };
        let artifact = v
            .get("artifactType")
            .or_else(|| v.get("config").and_then(|c| c.get("mediaType")))
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_owned();
        out.push(read_object(
            files,
            &digest,
            format!("referrer {artifact}"),
            subject.to_owned(),
            true,
        ));
    }
    out
}
