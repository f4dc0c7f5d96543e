//! Adding a signature to a local store (I/O edge, issue 13), transactionally: every file is
//! written to a temporary name, fsynced and renamed (`crate::config::txn`), the directory is
//! locked while it changes, and a failure leaves the old state intact.
//!
//! * `dir:` — c/image's layout: the next free `signature-N` (or `<hex>.signature-N` for a list
//!   instance), holding c/image's sigstore blob; c/image reads up to the first gap, so
//!   appending at the first free number keeps every existing signature.
//! * `oci:` — as cosign does: the `sha256-<hex>.sig` manifest of the image (in a `cosign save`
//!   layout: its `kind: dev.cosignproject.cosign/sigs` entry) gets one more layer (an
//!   identical one is not added twice), its blobs are written content-addressed, and
//!   `index.json` points at the new manifest. podman does not read these; cosign
//!   `verify --local-image` does.

use std::path::{Path, PathBuf};

use crate::config::txn::{Change, Safety, Txn};
use crate::error::Error;
use crate::signature::blob::{Sigstore, sigstore_to_blob};

/// Where a signature went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Files created or replaced.
    pub files: Vec<PathBuf>,
    /// Whether an identical signature was already there (nothing written).
    pub unchanged: bool,
}

fn txn_write(path: &Path, contents: &[u8], mode: u32) -> Result<(), Error> {
    let tx = Txn::begin(path, Safety { force: false }, 64 * 1024 * 1024)?;
    tx.commit(contents, mode)?;
    Ok(())
}

/// The first free `signature-N` of `dir` for `instance` (`None`: the top-level manifest).
pub fn next_dir_signature_path(dir: &Path, instance: Option<&str>) -> Result<PathBuf, Error> {
    let prefix = match instance {
        None => String::new(),
        Some(d) => format!(
            "{}.",
            d.strip_prefix("sha256:")
                .ok_or_else(|| Error::Usage(format!("unsupported digest {d}")))?
        ),
    };
    for n in 1..=super::MAX_SIGNATURES {
        let p = dir.join(format!("{prefix}signature-{n}"));
        match std::fs::symlink_metadata(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(Error::Read(super::path_error("lstat", &p, &e))),
            Ok(_) => {}
        }
    }
    Err(Error::Conflict(format!(
        "{}: already {} signatures",
        dir.display(),
        super::MAX_SIGNATURES
    )))
}

/// Adds `sig` to a `dir:` image.
pub fn add_to_dir(
    dir: &Path,
    instance: Option<&str>,
    sig: &Sigstore,
    dry_run: bool,
) -> Result<Written, Error> {
    let path = next_dir_signature_path(dir, instance)?;
    if !dry_run {
        txn_write(&path, &sigstore_to_blob(sig), 0o644)?;
    }
    Ok(Written {
        files: vec![path],
        unchanged: false,
    })
}

/// Adds a signature blob (any format) to a `dir:` image unless one with the same bytes is
/// already there (idempotent copies).
pub fn add_blob_to_dir(
    dir: &Path,
    instance: Option<&str>,
    blob: &[u8],
    dry_run: bool,
) -> Result<Written, Error> {
    let path = next_dir_signature_path(dir, instance)?;
    // Existing signatures are the numbers before the first free one.
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let (prefix, n) = name.rsplit_once('-').unwrap_or(("signature", "1"));
    let n: usize = n.parse().unwrap_or(1);
    for i in 1..n {
        let p = dir.join(format!("{prefix}-{i}"));
        if crate::fsread::read_limited(&p, super::MAX_SIGNATURE_SIZE).is_ok_and(|b| b == blob) {
            return Ok(Written {
                files: Vec::new(),
                unchanged: true,
            });
        }
    }
    if !dry_run {
        txn_write(&path, blob, 0o644)?;
    }
    Ok(Written {
        files: vec![path],
        unchanged: false,
    })
}

fn sha256_hex(b: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Writes a content-addressed blob (skipped when it is already there with that content).
fn put_blob(
    layout: &Path,
    bytes: &[u8],
    written: &mut Vec<PathBuf>,
    dry_run: bool,
) -> Result<String, Error> {
    let hex = sha256_hex(bytes);
    let p = layout.join("blobs/sha256").join(&hex);
    let present = std::fs::read(&p).is_ok_and(|b| b == bytes);
    if !present {
        if !dry_run {
            txn_write(&p, bytes, 0o644)?;
        }
        written.push(p);
    }
    Ok(format!("sha256:{hex}"))
}

/// A signature manifest stored in the layout.
fn read_manifest_blob(layout: &Path, digest: &str) -> Result<serde_json::Value, Error> {
    let p = layout
        .join("blobs/sha256")
        .join(digest.strip_prefix("sha256:").unwrap_or_default());
    let b = crate::fsread::read_limited(&p, super::manifest::MAX_MANIFEST_SIZE)
        .map_err(|e| Error::Read(super::path_error("open", &p, &e)))?;
    serde_json::from_slice(&b).map_err(|e| Error::Read(format!("{}: {e}", p.display())))
}

/// Stores a signature manifest whose layers changed: an OCI config whose rootfs lists the
/// layers (cosign's `empty.Signatures()` shape), then the manifest; its digest and size.
fn put_signature_manifest(
    layout: &Path,
    manifest: &mut serde_json::Value,
    written: &mut Vec<PathBuf>,
    dry_run: bool,
) -> Result<(String, usize), Error> {
    use serde_json::{Value, json};
    let diff_ids: Vec<Value> = manifest["layers"]
        .as_array()
        .map(|l| l.iter().map(|l| l["digest"].clone()).collect())
        .unwrap_or_default();
    let config = serde_json::to_vec(&json!({
        "architecture": "",
        "os": "",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap_or_default();
    let config_digest = put_blob(layout, &config, written, dry_run)?;
    manifest["config"] = json!({
        "mediaType": "application/vnd.oci.image.config.v1+json",
        "size": config.len(),
        "digest": config_digest,
    });
    let bytes = serde_json::to_vec(&manifest).unwrap_or_default();
    let digest = put_blob(layout, &bytes, written, dry_run)?;
    Ok((digest, bytes.len()))
}

/// An OCI layout's `index.json`, locked and read (bounded) under its transaction and parsed.
/// `--dry-run` takes the same lock and checks, so it refuses what the real write would.
fn open_oci_index(layout: &Path) -> Result<(Txn, PathBuf, serde_json::Value), Error> {
    let index_path = layout.join("index.json");
    let tx = Txn::begin(
        &index_path,
        Safety { force: false },
        super::oci::MAX_INDEX_SIZE,
    )?;
    let index_bytes = tx
        .current()
        .ok_or_else(|| Error::Read(format!("{}: no index.json", layout.display())))?;
    let index = serde_json::from_slice(index_bytes)
        .map_err(|e| Error::Read(format!("{}: {e}", index_path.display())))?;
    Ok((tx, index_path, index))
}

/// The `manifests` array of a parsed `index.json`.
fn index_manifests<'a>(
    index: &'a mut serde_json::Value,
    index_path: &Path,
) -> Result<&'a mut Vec<serde_json::Value>, Error> {
    index
        .get_mut("manifests")
        .and_then(serde_json::Value::as_array_mut)
        .ok_or_else(|| Error::Read(format!("{}: no manifests", index_path.display())))
}

/// Writes the edited `index.json` (unless `dry_run`) and records it in `written`.
fn commit_oci_index(
    tx: Txn,
    index_path: PathBuf,
    index: &serde_json::Value,
    written: &mut Vec<PathBuf>,
    dry_run: bool,
) -> Result<(), Error> {
    written.push(index_path.clone());
    if !dry_run {
        tx.commit_all(vec![Change::Write {
            path: index_path,
            contents: serde_json::to_vec(index).unwrap_or_default(),
            mode: 0o644,
        }])?;
    }
    Ok(())
}

/// Adds `sig` to the cosign `.sig` manifest of `image_digest` in the OCI layout `layout`.
pub fn add_to_oci_layout(
    layout: &Path,
    image_digest: &str,
    sig: &Sigstore,
    dry_run: bool,
) -> Result<Written, Error> {
    use serde_json::{Value, json};
    let (tx, index_path, mut index) = open_oci_index(layout)?;
    let tag = format!("{}.sig", image_digest.replacen(':', "-", 1));
    let entries = index_manifests(&mut index, &index_path)?;
    // A `cosign save` layout names its objects with `kind` annotations (and holds one image):
    // its signatures are the `kind: …/sigs` entry, which `cosign verify --local-image` reads.
    let cosign_save = entries
        .iter()
        .any(|e| e.pointer("/annotations/kind").is_some());
    let (key, value) = if cosign_save {
        ("kind", "dev.cosignproject.cosign/sigs".to_owned())
    } else {
        ("org.opencontainers.image.ref.name", tag.clone())
    };
    let pos = entries.iter().position(|e| {
        e.get("annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
            == Some(value.as_str())
    });
    let layer = json!({
        "mediaType": sig.mime_type,
        "size": sig.payload.len(),
        "digest": format!("sha256:{}", sha256_hex(&sig.payload)),
        "annotations": sig.annotations,
    });
    // The existing signature manifest, or cosign's empty one.
    let mut manifest: Value = match pos {
        Some(i) => read_manifest_blob(layout, entries[i]["digest"].as_str().unwrap_or_default())?,
        None => json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {},
            "layers": [],
        }),
    };
    let layers = manifest
        .get_mut("layers")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| Error::Read("signature manifest without layers".into()))?;
    if layers.iter().any(|l| l == &layer) {
        return Ok(Written {
            files: Vec::new(),
            unchanged: true,
        });
    }
    layers.push(layer);
    let mut written = Vec::new();
    put_blob(layout, &sig.payload, &mut written, dry_run)?;
    let (manifest_digest, manifest_size) =
        put_signature_manifest(layout, &mut manifest, &mut written, dry_run)?;
    let descriptor = json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "size": manifest_size,
        "digest": manifest_digest,
        "annotations": {key: value},
    });
    match pos {
        Some(i) => entries[i] = descriptor,
        None => entries.push(descriptor),
    }
    commit_oci_index(tx, index_path, &index, &mut written, dry_run)?;
    Ok(Written {
        files: written,
        unchanged: false,
    })
}

/// Which stored signatures to remove: one (1-based, as `signature-N` or `layer N`) or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    One(usize),
    All,
}

/// Removes signatures from a `dir:` image; the later ones move down so the numbering stays
/// without gaps (c/image stops reading at the first gap). Removed and moved files keep a
/// `.bak` copy.
pub fn remove_from_dir(
    dir: &Path,
    instance: Option<&str>,
    which: Which,
    dry_run: bool,
) -> Result<Written, Error> {
    let next = next_dir_signature_path(dir, instance)?;
    let name = next
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let (prefix, n) = name.rsplit_once('-').unwrap_or(("signature", "1"));
    let count = n.parse::<usize>().unwrap_or(1) - 1;
    let path = |i: usize| dir.join(format!("{prefix}-{i}"));
    let keep: Vec<usize> = match which {
        Which::All => Vec::new(),
        Which::One(k) if k == 0 || k > count => {
            return Err(Error::Usage(format!(
                "{}: there is no {prefix}-{k} ({count} stored)",
                dir.display()
            )));
        }
        Which::One(k) => (1..=count).filter(|&i| i != k).collect(),
    };
    if count == 0 {
        return Ok(Written {
            files: Vec::new(),
            unchanged: true,
        });
    }
    let targets: Vec<(PathBuf, u64)> = (1..=count)
        .map(|i| (path(i), super::MAX_SIGNATURE_SIZE))
        .collect();
    let files: Vec<PathBuf> = targets.iter().map(|(p, _)| p.clone()).collect();
    if dry_run {
        return Ok(Written {
            files,
            unchanged: false,
        });
    }
    let tx = Txn::begin_all(&targets, Safety { force: false })?;
    let mut changes = Vec::new();
    for (new_index, &old) in keep.iter().enumerate() {
        let (to, from) = (path(new_index + 1), path(old));
        if to != from {
            let contents = tx
                .current_of(&from)
                .ok_or_else(|| Error::Read(format!("{}: vanished", from.display())))?
                .to_vec();
            changes.push(Change::Write {
                path: to,
                contents,
                mode: 0o644,
            });
        }
    }
    for i in keep.len() + 1..=count {
        changes.push(Change::Remove { path: path(i) });
    }
    tx.commit_all(changes)?;
    Ok(Written {
        files,
        unchanged: false,
    })
}

/// Removes layers from the cosign `.sig` manifest of `image_digest` in an OCI layout (the
/// entry goes when no layer is left). Unreferenced blobs stay, as cosign leaves them.
pub fn remove_from_oci_layout(
    layout: &Path,
    image_digest: &str,
    which: Which,
    dry_run: bool,
) -> Result<Written, Error> {
    use serde_json::Value;
    let (tx, index_path, mut index) = open_oci_index(layout)?;
    let tag = format!("{}.sig", image_digest.replacen(':', "-", 1));
    let entries = index_manifests(&mut index, &index_path)?;
    let pos = entries
        .iter()
        .position(|e| {
            e.pointer("/annotations/org.opencontainers.image.ref.name")
                .and_then(Value::as_str)
                == Some(tag.as_str())
                || e.pointer("/annotations/kind").and_then(Value::as_str)
                    == Some("dev.cosignproject.cosign/sigs")
        })
        .ok_or_else(|| {
            Error::Usage(format!(
                "{}: no cosign signatures for {image_digest}",
                layout.display()
            ))
        })?;
    let mut manifest =
        read_manifest_blob(layout, entries[pos]["digest"].as_str().unwrap_or_default())?;
    let layers = manifest
        .get_mut("layers")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| Error::Read("signature manifest without layers".into()))?;
    match which {
        Which::All => layers.clear(),
        Which::One(k) if k == 0 || k > layers.len() => {
            return Err(Error::Usage(format!(
                "{}: there is no layer {k} ({} stored)",
                layout.display(),
                layers.len()
            )));
        }
        Which::One(k) => {
            layers.remove(k - 1);
        }
    }
    let mut written = Vec::new();
    if layers.is_empty() {
        entries.remove(pos);
    } else {
        let (digest, size) = put_signature_manifest(layout, &mut manifest, &mut written, dry_run)?;
        entries[pos]["digest"] = digest.into();
        entries[pos]["size"] = size.into();
    }
    commit_oci_index(tx, index_path, &index, &mut written, dry_run)?;
    Ok(Written {
        files: written,
        unchanged: false,
    })
}
