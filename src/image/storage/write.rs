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

/// The image store, locked, with `images.json` read afresh and the image's record found.
struct Locked {
    lock: StoreLock,
    json_path: PathBuf,
    images: Vec<Value>,
    index: usize,
    metadata: serde_json::Map<String, Value>,
    data_dir: PathBuf,
}

impl Locked {
    fn open(img: &WritableImage) -> Result<Locked, Error> {
        let lock = lock_image_store(&img.images_dir)?;
        let json_path = img.images_dir.join("images.json");
        let data = crate::fsread::read_limited(&json_path, super::MAX_IMAGES_JSON_SIZE)
            .map_err(|e| Error::Read(crate::image::path_error("open", &json_path, &e)))?;
        let images: Vec<Value> = serde_json::from_slice(&data)
            .map_err(|e| Error::Read(format!("{}: {e}", json_path.display())))?;
        let index = images
            .iter()
            .position(|r| r.get("id").and_then(Value::as_str) == Some(img.id.as_str()))
            .ok_or_else(|| {
                Error::Read(format!(
                    "image {} is not in {} (read-only additional store?)",
                    img.id,
                    json_path.display()
                ))
            })?;
        let metadata = match images[index].get("metadata") {
            Some(Value::String(s)) if !s.is_empty() => serde_json::from_str(s)
                .map_err(|e| Error::Read(format!("metadata of image {}: {e}", img.id)))?,
            _ => serde_json::Map::new(),
        };
        Ok(Locked {
            lock,
            json_path,
            images,
            index,
            metadata,
            data_dir: img.images_dir.join(&img.id),
        })
    }

    /// The big-data keys holding the signatures of `manifest_digest` and where their sizes
    /// live (`None`: `signature-sizes`; `Some(d)`: `signatures-sizes[d]`).
    fn keys(
        manifest_digest: &str,
        top_level: bool,
    ) -> Result<Vec<(String, Option<String>)>, Error> {
        let hex = manifest_digest
            .strip_prefix("sha256:")
            .ok_or_else(|| Error::Usage(format!("unsupported digest {manifest_digest}")))?;
        let mut keys = vec![(format!("signature-{hex}"), Some(manifest_digest.to_owned()))];
        if top_level {
            keys.insert(0, ("signatures".to_owned(), None));
        }
        Ok(keys)
    }

    fn file(&self, key: &str) -> PathBuf {
        self.data_dir.join(super::store::big_data_file_name(key))
    }

    /// The stored signatures of `key`, as slices of its data item.
    fn slices(&self, key: &str, sizes_key: &Option<String>) -> Result<Vec<Vec<u8>>, Error> {
        let sizes: Vec<i64> = match sizes_key {
            None => self.metadata.get("signature-sizes"),
            Some(d) => self.metadata.get("signatures-sizes").and_then(|m| m.get(d)),
        }
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
        if sizes.is_empty() {
            return Ok(Vec::new());
        }
        let file = self.file(key);
        let bytes = crate::fsread::read_limited(&file, super::MAX_SIGNATURES_DATA_SIZE)
            .map_err(|e| Error::Read(crate::image::path_error("open", &file, &e)))?;
        let mut out = Vec::new();
        let mut at = 0usize;
        for len in sizes {
            let end = at.saturating_add(len.max(0) as usize);
            out.push(bytes.get(at..end).unwrap_or_default().to_vec());
            at = end;
        }
        Ok(out)
    }

    /// Replaces `key`'s signatures: the data item (unless `dry_run`), its sizes in the
    /// metadata and the record's big-data names, sizes and digests (c/storage `setBigData`).
    fn store(
        &mut self,
        key: &str,
        sizes_key: &Option<String>,
        slices: &[Vec<u8>],
        dry_run: bool,
    ) -> Result<PathBuf, Error> {
        let joined: Vec<u8> = slices.concat();
        let sizes = Value::Array(slices.iter().map(|s| Value::from(s.len())).collect());
        match sizes_key {
            None => {
                self.metadata.insert("signature-sizes".into(), sizes);
            }
            Some(d) => {
                if let Value::Object(m) = self
                    .metadata
                    .entry("signatures-sizes")
                    .or_insert_with(|| Value::Object(Default::default()))
                {
                    m.insert(d.clone(), sizes);
                }
            }
        }
        let record = self.images[self.index]
            .as_object_mut()
            .ok_or_else(|| Error::Read("an images.json record is not an object".into()))?;
        if let Value::Array(a) = record
            .entry("big-data-names")
            .or_insert_with(|| Value::Array(Vec::new()))
            && !a.iter().any(|n| n.as_str() == Some(key))
        {
            a.push(key.into());
        }
        for (field, value) in [
            ("big-data-sizes", Value::from(joined.len())),
            (
                "big-data-digests",
                Value::from(format!("sha256:{}", hex_digest(&joined))),
            ),
        ] {
            if let Value::Object(m) = record
                .entry(field)
                .or_insert_with(|| Value::Object(Default::default()))
            {
                m.insert(key.to_owned(), value);
            }
        }
        let file = self.file(key);
        if !dry_run {
            std::fs::create_dir_all(&self.data_dir).map_err(|e| {
                Error::Write(crate::config::txn::TxnError(format!(
                    "{}: {e}",
                    self.data_dir.display()
                )))
            })?;
            atomic_write(&file, &joined, 0o600)?;
        }
        Ok(file)
    }

    /// Writes the record back: the last-writer ID first, then `images.json` (c/storage's
    /// order); the lock is released when this returns.
    fn commit(mut self, dry_run: bool) -> Result<PathBuf, Error> {
        let metadata = serde_json::to_string(&self.metadata).unwrap_or_default();
        if let Some(o) = self.images[self.index].as_object_mut() {
            o.insert("metadata".into(), Value::String(metadata));
        }
        if !dry_run {
            record_write(&self.lock)?;
            atomic_write(
                &self.json_path,
                &serde_json::to_vec(&self.images).unwrap_or_default(),
                0o600,
            )?;
        }
        Ok(self.json_path)
    }
}

/// Appends `blob` to the signatures of `manifest_digest` of `img` (also the top-level ones
/// when `top_level`: the image is not a list) unless the same bytes are already there.
pub fn add_signature(
    img: &WritableImage,
    manifest_digest: &str,
    top_level: bool,
    blob: &[u8],
    dry_run: bool,
) -> Result<Added, Error> {
    let mut state = Locked::open(img)?;
    let mut files = Vec::new();
    for (key, sizes_key) in Locked::keys(manifest_digest, top_level)? {
        let mut slices = state.slices(&key, &sizes_key)?;
        if slices.iter().any(|s| s == blob) {
            continue;
        }
        slices.push(blob.to_vec());
        files.push(state.store(&key, &sizes_key, &slices, dry_run)?);
    }
    if files.is_empty() {
        return Ok(Added {
            files,
            unchanged: true,
        });
    }
    files.push(state.commit(dry_run)?);
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
    let mut state = Locked::open(img)?;
    let keys = Locked::keys(manifest_digest, top_level)?;
    let mut stored = Vec::new();
    for (key, sizes_key) in keys {
        let slices = state.slices(&key, &sizes_key)?;
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
    let mut files = Vec::new();
    for (key, sizes_key, slices) in &stored {
        let kept: Vec<Vec<u8>> = match &doomed {
            None => Vec::new(),
            Some(d) => slices.iter().filter(|s| *s != d).cloned().collect(),
        };
        if kept.len() != slices.len() {
            files.push(state.store(key, sizes_key, &kept, dry_run)?);
        }
    }
    if files.is_empty() {
        return Ok(Added {
            files,
            unchanged: true,
        });
    }
    files.push(state.commit(dry_run)?);
    Ok(Added {
        files,
        unchanged: false,
    })
}
