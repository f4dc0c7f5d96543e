//! `containers-storage:` — the podman/CRI-O image store, read straight from disk (spec §6.4).
//!
//! Why not through c/storage: it is Go, takes locks and may rewrite the store when loading it;
//! policyctl must stay read-only and offline. So we read `<graphroot>/<driver>-images/images.json`,
//! the image's `metadata` string and its big-data files ourselves, following c/image 5.23.1's
//! `storageReference.resolveImage` / `storageImageSource` rules and c/storage's file naming.
//! Every file is size-capped and must stay inside the image store (no symlink escapes).

pub mod conf;
mod metadata;
mod records;
mod resolve;
mod signatures;
mod store;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use super::{
    ImageError, MAX_SIGNATURES, OpenOptions, Opened, SourceManifest, SourcedSignature, path_error,
    read_limited,
};
use crate::compat::Compat;
use crate::image::manifest::{self, MAX_MANIFEST_SIZE};
use crate::image::storage::conf::{StorageEnv, StoreConfig, resolve_store, store_config};
use crate::json::godecode::{self, Decoder, GoDecode, GoMap, GoObject, GoSlice, go_fold_eq};
use crate::json::gofmt::quote;
use crate::json::gotime::GoTime;
use crate::json::{Cursor, Kind, scan};
use crate::reference::docker::{Named, validate_digest};
use crate::reference::transport::{
    ResolvedStore, StorageRef, StoreSpec, Transport, go_clean, storage_identity,
};
use crate::signature::blob::from_blob;

/// Largest `images.json` we read.
pub use self::metadata::decode_store_metadata;
pub(crate) use self::store::big_data_file_name;
use self::{metadata::*, records::*, resolve::*, signatures::*, store::*};

const MAX_IMAGES_JSON_SIZE: u64 = 64 << 20;
/// Largest concatenated signature data (`signatures`, `signature-<hex>`) we read.
const MAX_SIGNATURES_DATA_SIZE: u64 = 64 << 20;
/// c/image's `minimumTruncatedIDLength`.
const MIN_TRUNCATED_ID_LENGTH: usize = 3;

/// An image of the store, as `check --all` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub id: String,
    pub names: Vec<String>,
}

/// Opens an image in a containers-storage store.
pub fn open(s: &StorageRef, opts: &OpenOptions) -> Result<Opened, ImageError> {
    let (conf, resolved) = locate(&opts.storage_env, s.store.as_ref())?;
    let options = driver_options(
        s.store.as_ref().map(|spec| spec.options.as_slice()),
        &conf,
        &resolved.driver,
    );
    let store = Store::load_cached(&resolved, &options)?;
    let spec_prefix = store_spec_string(s, &resolved, &conf, &options);

    // ParseStoreReference's store-dependent part: ID prefixes.
    let mut named = s.named.clone();
    let mut id = s.id.clone();
    if id.is_none()
        && let Some(prefix) = &s.id_prefix
    {
        let at_form = s.raw.rsplit_once('@').is_some_and(|(_, p)| p == prefix);
        let expanded = store
            .lookup(prefix)
            .filter(|img| {
                prefix.len() >= MIN_TRUNCATED_ID_LENGTH && img.id.starts_with(prefix.as_str())
            })
            .map(|img| img.id.clone());
        match (expanded, at_form) {
            (Some(full), true) => id = Some(full),
            (Some(full), false) => {
                id = Some(full);
                named = None;
            }
            (None, true) => {
                return Err(ImageError(format!(
                    "{} does not look like an image ID or digest: invalid reference ({})",
                    quote(prefix),
                    store.json_paths()
                )));
            }
            (None, false) if named.is_none() => {
                let e = Named::parse_normalized(prefix)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                return Err(ImageError(format!(
                    "parsing named reference {}: {e} (no image ID starts with it in {})",
                    quote(prefix),
                    store.json_paths()
                )));
            }
            (None, false) => {}
        }
    }

    let image = resolve_image(&store, named.as_ref(), id.as_deref(), &spec_prefix, opts)?;
    let within = format!(
        "{spec_prefix}{}@{}",
        named.as_ref().map(Named::to_string).unwrap_or_default(),
        image.id
    );
    let metadata = if image.metadata.is_empty() {
        Metadata::default()
    } else {
        parse_metadata(&image.metadata).map_err(|e| {
            ImageError(format!(
                "decoding metadata for source image: {e} (image {} in {})",
                image.id,
                store.json_paths()
            ))
        })?
    };

    let top = read_top_manifest(&store, &image.id, named.as_ref(), opts.compat)?;
    let mut read_instance = |d: &str| -> Result<SourceManifest, ImageError> {
        let (m, p) = store
            .big_data(&image.id, &format!("manifest-{d}"), MAX_MANIFEST_SIZE)
            .map_err(|e| match e {
                BigDataErr::Missing(m) => ImageError(format!(
                    "reading manifest for image instance {}: {m}",
                    quote(d)
                )),
                BigDataErr::Refused(e) => e,
            })?;
        if manifest::digest(&m, opts.compat).ok().as_deref() != Some(d) {
            return Err(ImageError(format!(
                "Manifest does not match provided manifest digest {d} ({})",
                p.display()
            )));
        }
        Ok(SourceManifest::guessed(m))
    };
    let (m, mime_type, list) =
        super::resolve_manifest(SourceManifest::guessed(top), opts, &mut read_instance)?;
    let signatures = read_signatures(
        &store,
        &image.id,
        &metadata,
        list.as_ref().map(|l| l.instance_digest.as_str()),
    )?;
    let (manifest_digest, schema1, cimage_manifest_digest) =
        super::evaluated_digest(&m, opts.compat);
    Ok(Opened {
        transport: Transport::ContainersStorage,
        within,
        identity: storage_identity(&resolved, named.as_ref(), Some(&image.id)),
        docker_reference: named,
        manifest_digest,
        manifest: m,
        mime_type,
        list,
        signatures,
        notes: Vec::new(),
        schema1,
        cimage_manifest_digest,
    })
}

/// Configuration and resolved store for `spec`, computed once per process and environment.
fn locate(
    env: &StorageEnv,
    spec: Option<&StoreSpec>,
) -> Result<(StoreConfig, ResolvedStore), ImageError> {
    type Key = (StorageEnv, Option<StoreSpec>);
    static LOCATED: std::sync::OnceLock<Mutex<HashMap<Key, (StoreConfig, ResolvedStore)>>> =
        std::sync::OnceLock::new();
    let key = (env.clone(), spec.cloned());
    let cache = LOCATED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(hit);
    }
    let conf = store_config(env).map_err(|e| ImageError(e.to_string()))?;
    let resolved = resolve_store(spec, &conf).map_err(|e| ImageError(e.to_string()))?;
    if let Ok(mut c) = cache.lock() {
        c.insert(key, (conf.clone(), resolved.clone()));
    }
    Ok((conf, resolved))
}

/// Every image of the default store (for `check --all`).
pub fn list_images(
    opts: &OpenOptions,
    spec: Option<&StoreSpec>,
) -> Result<(ResolvedStore, Vec<StoredImage>), ImageError> {
    let conf = store_config(&opts.storage_env).map_err(|e| ImageError(e.to_string()))?;
    let resolved = resolve_store(spec, &conf).map_err(|e| ImageError(e.to_string()))?;
    let options = driver_options(spec.map(|s| s.options.as_slice()), &conf, &resolved.driver);
    let store = Store::load(&resolved, &options)?;
    let images = store
        .images()
        .into_iter()
        .map(|i| StoredImage {
            id: i.id.clone(),
            names: i.names.clone(),
        })
        .collect();
    Ok((resolved, images))
}

/// `[driver@graphroot+runroot:options]` of `StringWithinTransport`.
fn store_spec_string(
    s: &StorageRef,
    resolved: &ResolvedStore,
    conf: &StoreConfig,
    options: &[String],
) -> String {
    let run_root = s
        .store
        .as_ref()
        .and_then(|spec| spec.run_root.clone())
        .unwrap_or_else(|| conf.run_root.clone());
    let options = if options.is_empty() {
        String::new()
    } else {
        format!(":{}", options.join(","))
    };
    format!(
        "[{}@{}+{}{options}]",
        resolved.driver,
        resolved.graph_root,
        go_clean(&run_root)
    )
}

/// The top-level manifest: `manifest-D` for a digested reference if stored, else `manifest`;
/// a digested reference must match it (`UnparsedImage.Manifest`).
fn read_top_manifest(
    store: &Store,
    id: &str,
    named: Option<&Named>,
    compat: Compat,
) -> Result<Vec<u8>, ImageError> {
    let want = named.and_then(Named::digest);
    let mut top = None;
    if let Some(d) = want {
        // c/image checks os.IsNotExist on c/storage's error, which c/storage wraps so the test
        // fails: a missing `manifest-D` is an error, not a fall-back to `manifest` (verified
        // with Debian's skopeo: "determining manifest MIME type … locating item named …").
        match store.big_data(id, &format!("manifest-{d}"), MAX_MANIFEST_SIZE) {
            Ok(r) => top = Some(r),
            Err(BigDataErr::Missing(m)) => {
                return Err(ImageError(format!("determining manifest MIME type: {m}")));
            }
            Err(BigDataErr::Refused(e)) => return Err(e),
        }
    }
    let (m, path) = match top {
        Some(r) => r,
        None => store
            .big_data(id, "manifest", MAX_MANIFEST_SIZE)
            .map_err(|e| match e {
                BigDataErr::Missing(m) => ImageError(m),
                BigDataErr::Refused(e) => e,
            })?,
    };
    if let Some(d) = want
        && manifest::digest(&m, compat).ok().as_deref() != Some(d)
    {
        return Err(ImageError(format!(
            "Manifest does not match provided manifest digest {d} ({})",
            path.display()
        )));
    }
    Ok(m)
}

/// Where to add signatures to a stored image: its store's `<graphroot>/<driver>-images`
/// directory (the writable one: additional image stores are read-only) and its ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritableImage {
    pub images_dir: PathBuf,
    pub id: String,
}

/// Resolves `s` exactly as reading does, for a write.
pub fn writable_image(s: &StorageRef, opts: &OpenOptions) -> Result<WritableImage, ImageError> {
    let opened = open(s, opts)?;
    let id = opened
        .within
        .rsplit_once('@')
        .map(|(_, id)| id.to_owned())
        .ok_or_else(|| ImageError(format!("internal error: no image ID in {}", opened.within)))?;
    let (_, resolved) = locate(&opts.storage_env, s.store.as_ref())?;
    let images_dir = Path::new(&resolved.graph_root).join(format!("{}-images", resolved.driver));
    Ok(WritableImage { images_dir, id })
}

pub mod write;
