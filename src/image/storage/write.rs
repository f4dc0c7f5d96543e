//! Adding signatures to an image in a containers-storage store (I/O edge, issue 13), the way
//! containers/image's storage destination stores them and with containers/storage's own
//! locking protocol, so that a podman running at the same time never sees a torn store:
//!
//! 1. take the image store's lock: an fcntl(2) write lock on `<driver>-images/images.lock`
//!    (blocking; the same lock podman, skopeo and CRI-O take — not flock(2));
//! 2. read `images.json` afresh under the lock;
//! 3. write the signature data (`signatures` for the top-level manifest, `signature-<hex>`
//!    for the manifest digest, as c/image does) with temporary file, fsync, rename;
//! 4. record the write in `images.lock` (64 bytes: time, counter, PID, random — c/storage's
//!    `RecordWrite`, before `images.json`, as c/storage does, so readers reload);
//! 5. replace `images.json` atomically with the record's big-data names, sizes and digests
//!    and the `metadata` sizes updated; everything else is kept byte-for-byte in value;
//! 6. release the lock. Any failure before step 5 leaves `images.json` as it was (an extra,
//!    unreferenced data file at most).

use std::io::Write;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::Digest;

use super::WritableImage;
use crate::error::Error;

/// The image store lock, held until dropped.
struct StoreLock {
    _file: std::fs::File,
}

fn lock_image_store(dir: &Path) -> Result<StoreLock, Error> {
    let path = dir.join("images.lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| {
            Error::Write(crate::config::txn::TxnError(format!(
                "opening {}: {e}",
                path.display()
            )))
        })?;
    let lk = libc::flock {
        l_type: libc::F_WRLCK as libc::c_short,
        l_whence: libc::SEEK_SET as libc::c_short,
        l_start: 0,
        l_len: 0,
        l_pid: 0,
    };
    loop {
        match nix::fcntl::fcntl(file.as_fd(), nix::fcntl::FcntlArg::F_SETLKW(&lk)) {
            Ok(_) => break,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => {
                return Err(Error::Write(crate::config::txn::TxnError(format!(
                    "locking {}: {e}",
                    path.display()
                ))));
            }
        }
    }
    Ok(StoreLock { _file: file })
}

/// c/storage's `RecordWrite`: a new 64-byte last-writer ID at the start of the lock file.
fn record_write(lock: &StoreLock) -> Result<(), Error> {
    use std::os::unix::fs::FileExt;
    let mut id = [0u8; 64];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    id[0..8].copy_from_slice(&now.to_le_bytes());
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    id[8..16].copy_from_slice(&n.to_le_bytes());
    id[16..20].copy_from_slice(&std::process::id().to_le_bytes());
    getrandom::getrandom(&mut id[20..])
        .map_err(|e| Error::Internal(format!("no randomness from the OS: {e}")))?;
    lock._file.write_all_at(&id, 0).map_err(|e| {
        Error::Write(crate::config::txn::TxnError(format!(
            "recording the write in images.lock: {e}"
        )))
    })
}

/// c/storage's `ioutils.AtomicWriteFile`: temporary file in the same directory, fsync,
/// rename, fsync of the directory.
fn atomic_write(path: &Path, data: &[u8], mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mut rnd = [0u8; 8];
    let _ = getrandom::getrandom(&mut rnd);
    let tmp = dir.join(format!(
        ".{name}.policyctl-{}",
        rnd.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    let err = |e: std::io::Error| {
        Error::Write(crate::config::txn::TxnError(format!(
            "writing {}: {e}",
            path.display()
        )))
    };
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub files: Vec<PathBuf>,
    /// The blob was already stored for that manifest (nothing written).
    pub unchanged: bool,
}

fn hex_digest(b: &[u8]) -> String {
    sha2::Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

/// Appends `blob` to the signatures of `manifest_digest` of `img` (also the top-level ones
/// when `top_level`: the image is not a list).
pub fn add_signature(
    img: &WritableImage,
    manifest_digest: &str,
    top_level: bool,
    blob: &[u8],
    dry_run: bool,
) -> Result<Added, Error> {
    let lock = lock_image_store(&img.images_dir)?;
    let json_path = img.images_dir.join("images.json");
    let data = crate::fsread::read_limited(&json_path, super::MAX_IMAGES_JSON_SIZE)
        .map_err(|e| Error::Read(crate::image::path_error("open", &json_path, &e)))?;
    let mut images: Vec<Value> = serde_json::from_slice(&data)
        .map_err(|e| Error::Read(format!("{}: {e}", json_path.display())))?;
    let record = images
        .iter_mut()
        .find(|r| r.get("id").and_then(Value::as_str) == Some(img.id.as_str()))
        .ok_or_else(|| {
            Error::Read(format!(
                "image {} is not in {} (read-only additional store?)",
                img.id,
                json_path.display()
            ))
        })?;
    let mut metadata: serde_json::Map<String, Value> = match record.get("metadata") {
        Some(Value::String(s)) if !s.is_empty() => serde_json::from_str(s)
            .map_err(|e| Error::Read(format!("metadata of image {}: {e}", img.id)))?,
        _ => serde_json::Map::new(),
    };
    let hex = manifest_digest
        .strip_prefix("sha256:")
        .ok_or_else(|| Error::Usage(format!("unsupported digest {manifest_digest}")))?;
    let data_dir = img.images_dir.join(&img.id);
    // (big-data key, where its sizes live)
    let mut targets = vec![(format!("signature-{hex}"), Some(manifest_digest.to_owned()))];
    if top_level {
        targets.insert(0, ("signatures".to_owned(), None));
    }
    let mut files = Vec::new();
    let mut changed = false;
    for (key, sizes_key) in targets {
        let sizes: Vec<i64> = match &sizes_key {
            None => metadata.get("signature-sizes"),
            Some(d) => metadata.get("signatures-sizes").and_then(|m| m.get(d)),
        }
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
        let file = data_dir.join(super::store::big_data_file_name(&key));
        let mut existing = if sizes.is_empty() {
            Vec::new()
        } else {
            crate::fsread::read_limited(&file, super::MAX_SIGNATURES_DATA_SIZE)
                .map_err(|e| Error::Read(crate::image::path_error("open", &file, &e)))?
        };
        // Already there (same bytes in one of the slices)?
        let mut at = 0usize;
        let mut present = false;
        for &len in &sizes {
            let end = at.saturating_add(len.max(0) as usize);
            if existing.get(at..end) == Some(blob) {
                present = true;
            }
            at = end;
        }
        if present {
            continue;
        }
        existing.truncate(at);
        existing.extend_from_slice(blob);
        let mut new_sizes: Vec<Value> = sizes.iter().map(|&s| s.into()).collect();
        new_sizes.push(blob.len().into());
        match &sizes_key {
            None => {
                metadata.insert("signature-sizes".into(), Value::Array(new_sizes));
            }
            Some(d) => {
                let m = metadata
                    .entry("signatures-sizes")
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Value::Object(m) = m {
                    m.insert(d.clone(), Value::Array(new_sizes));
                }
            }
        }
        // The record's big-data bookkeeping (c/storage `setBigData`).
        let names = record
            .as_object_mut()
            .ok_or_else(|| Error::Read("an images.json record is not an object".into()))?
            .entry("big-data-names")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(a) = names
            && !a.iter().any(|n| n.as_str() == Some(key.as_str()))
        {
            a.push(key.clone().into());
        }
        for (field, value) in [
            ("big-data-sizes", Value::from(existing.len())),
            (
                "big-data-digests",
                Value::from(format!("sha256:{}", hex_digest(&existing))),
            ),
        ] {
            let m = record
                .as_object_mut()
                .map(|o| {
                    o.entry(field)
                        .or_insert_with(|| Value::Object(Default::default()))
                })
                .ok_or_else(|| Error::Read("an images.json record is not an object".into()))?;
            if let Value::Object(m) = m {
                m.insert(key.clone(), value);
            }
        }
        if !dry_run {
            std::fs::create_dir_all(&data_dir).map_err(|e| {
                Error::Write(crate::config::txn::TxnError(format!(
                    "{}: {e}",
                    data_dir.display()
                )))
            })?;
            atomic_write(&file, &existing, 0o600)?;
        }
        files.push(file);
        changed = true;
    }
    if !changed {
        return Ok(Added {
            files,
            unchanged: true,
        });
    }
    if let Some(o) = record.as_object_mut() {
        o.insert(
            "metadata".into(),
            Value::String(serde_json::to_string(&metadata).unwrap_or_default()),
        );
    }
    if !dry_run {
        record_write(&lock)?;
        atomic_write(
            &json_path,
            &serde_json::to_vec(&images).unwrap_or_default(),
            0o600,
        )?;
    }
    files.push(json_path);
    drop(lock);
    Ok(Added {
        files,
        unchanged: false,
    })
}

/// Removes signatures of `manifest_digest` from `img` (under the same lock and with the same
/// bookkeeping as [`add_signature`]): `Some(n)` the n-th (1-based, as `sigs list` numbers the
/// ones podman reads: `signatures` for a single image, `signature-<hex>` for a list instance)
/// — wherever the same bytes are stored —, `None` all of them.
pub fn remove_signatures(
    img: &WritableImage,
    manifest_digest: &str,
    top_level: bool,
    which: Option<usize>,
    dry_run: bool,
) -> Result<Added, Error> {
    let lock = lock_image_store(&img.images_dir)?;
    let json_path = img.images_dir.join("images.json");
    let data = crate::fsread::read_limited(&json_path, super::MAX_IMAGES_JSON_SIZE)
        .map_err(|e| Error::Read(crate::image::path_error("open", &json_path, &e)))?;
    let mut images: Vec<Value> = serde_json::from_slice(&data)
        .map_err(|e| Error::Read(format!("{}: {e}", json_path.display())))?;
    let record = images
        .iter_mut()
        .find(|r| r.get("id").and_then(Value::as_str) == Some(img.id.as_str()))
        .ok_or_else(|| {
            Error::Read(format!(
                "image {} is not in {}",
                img.id,
                json_path.display()
            ))
        })?;
    let mut metadata: serde_json::Map<String, Value> = match record.get("metadata") {
        Some(Value::String(s)) if !s.is_empty() => serde_json::from_str(s)
            .map_err(|e| Error::Read(format!("metadata of image {}: {e}", img.id)))?,
        _ => serde_json::Map::new(),
    };
    let hex = manifest_digest
        .strip_prefix("sha256:")
        .ok_or_else(|| Error::Usage(format!("unsupported digest {manifest_digest}")))?;
    let data_dir = img.images_dir.join(&img.id);
    let mut keys = vec![(format!("signature-{hex}"), Some(manifest_digest.to_owned()))];
    if top_level {
        keys.insert(0, ("signatures".to_owned(), None));
    }
    // Each key's signatures, as slices.
    let mut stored: Vec<(String, Option<String>, Vec<Vec<u8>>)> = Vec::new();
    for (key, sizes_key) in keys {
        let sizes: Vec<i64> = match &sizes_key {
            None => metadata.get("signature-sizes"),
            Some(d) => metadata.get("signatures-sizes").and_then(|m| m.get(d)),
        }
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
        let file = data_dir.join(super::store::big_data_file_name(&key));
        let bytes = if sizes.is_empty() {
            Vec::new()
        } else {
            crate::fsread::read_limited(&file, super::MAX_SIGNATURES_DATA_SIZE)
                .map_err(|e| Error::Read(crate::image::path_error("open", &file, &e)))?
        };
        let mut slices = Vec::new();
        let mut at = 0usize;
        for len in sizes {
            let end = at.saturating_add(len.max(0) as usize);
            slices.push(bytes.get(at..end).unwrap_or_default().to_vec());
            at = end;
        }
        stored.push((key, sizes_key, slices));
    }
    let listed = &stored[0].2;
    let doomed: Option<Vec<u8>> = match which {
        None => None,
        Some(n) if n >= 1 && n <= listed.len() => Some(listed[n - 1].clone()),
        Some(n) => {
            return Err(Error::Usage(format!(
                "image {}: there is no signature {n} ({} stored)",
                img.id,
                listed.len()
            )));
        }
    };
    if listed.is_empty() {
        return Ok(Added {
            files: Vec::new(),
            unchanged: true,
        });
    }
    let mut files = Vec::new();
    for (key, sizes_key, slices) in stored {
        let kept: Vec<Vec<u8>> = match &doomed {
            None => Vec::new(),
            Some(d) => slices.iter().filter(|s| *s != d).cloned().collect(),
        };
        if kept.len() == slices.len() {
            continue;
        }
        let joined: Vec<u8> = kept.concat();
        let sizes = Value::Array(kept.iter().map(|s| Value::from(s.len())).collect());
        match &sizes_key {
            None => {
                metadata.insert("signature-sizes".into(), sizes);
            }
            Some(d) => {
                let m = metadata
                    .entry("signatures-sizes")
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Value::Object(m) = m {
                    m.insert(d.clone(), sizes);
                }
            }
        }
        for (field, value) in [
            ("big-data-sizes", Value::from(joined.len())),
            (
                "big-data-digests",
                Value::from(format!("sha256:{}", hex_digest(&joined))),
            ),
        ] {
            if let Some(Value::Object(m)) = record.as_object_mut().map(|o| {
                o.entry(field)
                    .or_insert_with(|| Value::Object(Default::default()))
            }) {
                m.insert(key.clone(), value);
            }
        }
        let file = data_dir.join(super::store::big_data_file_name(&key));
        if !dry_run {
            atomic_write(&file, &joined, 0o600)?;
        }
        files.push(file);
    }
    if let Some(o) = record.as_object_mut() {
        o.insert(
            "metadata".into(),
            Value::String(serde_json::to_string(&metadata).unwrap_or_default()),
        );
    }
    if !dry_run {
        record_write(&lock)?;
        atomic_write(
            &json_path,
            &serde_json::to_vec(&images).unwrap_or_default(),
            0o600,
        )?;
    }
    files.push(json_path);
    drop(lock);
    Ok(Added {
        files,
        unchanged: false,
    })
}
