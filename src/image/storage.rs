//! `containers-storage:` — the podman/CRI-O image store, read straight from disk (spec §6.4).
//!
//! Why not through c/storage: it is Go, takes locks and may rewrite the store when loading it;
//! policyctl must stay read-only and offline. So we read `<graphroot>/<driver>-images/images.json`,
//! the image's `metadata` string and its big-data files ourselves, following c/image 5.23.1's
//! `storageReference.resolveImage` / `storageImageSource` rules and c/storage's file naming.
//! Every file is size-capped and must stay inside the image store (no symlink escapes).

pub mod conf;
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

crate::go_struct! {
    /// c/storage's `Image` as `images.json` stores it, decoded as Go's `json.Unmarshal` does
    /// (same struct in c/storage 1.43 and 1.65): keys folded (`Names`, `ID`, `nameſ`), the last
    /// duplicate wins, `names` slices reuse earlier elements, `null` clears slices and maps.
    /// Fields policy does not need are type-checked and dropped, since a type error anywhere
    /// fails the whole store; `json:"-"` fields (`Digests`, `ReadOnly`) match no key at all.
    struct ImageRecord as "Image" {
        id: String = "id",
        digest: String = "digest",
        names: GoSlice<String> = "names",
        names_history: Checked<GoSlice<String>> = "names-history",
        top_layer: String = "layer",
        mapped_top_layers: Checked<GoSlice<String>> = "mapped-layers",
        metadata: String = "metadata",
        big_data_names: Checked<GoSlice<String>> = "big-data-names",
        big_data_sizes: Checked<GoMap<i64>> = "big-data-sizes",
        big_data_digests: GoMap<String> = "big-data-digests",
        created: Checked<GoTime> = "created",
        flags: Checked<GoObject> = "flags",
    }
}

/// A field decoded only for Go's type errors: the value is dropped. (Decoding into a fresh
/// zero value instead of the previous duplicate's gives the same errors.)
struct Checked<T>(std::marker::PhantomData<T>);

impl<T> Default for Checked<T> {
    fn default() -> Self {
        Checked(std::marker::PhantomData)
    }
}
impl<T> Clone for Checked<T> {
    fn clone(&self) -> Self {
        Checked::default()
    }
}
impl<T> std::fmt::Debug for Checked<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Checked")
    }
}
impl<T> PartialEq for Checked<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<T> Eq for Checked<T> {}

impl<T: GoDecode + Default> GoDecode for Checked<T> {
    fn go_type() -> String {
        T::go_type()
    }
    fn go_decode(&mut self, d: &mut Decoder<'_>) {
        T::default().go_decode(d);
    }
}

/// `images.json` as c/storage's `imageStore.load` reads it: `json.Unmarshal` into
/// `[]*Image`, then `recomputeDigests` for each record. `Err` carries the message and whether
/// it is an unmarshal error (which c/storage 1.43 swallows, leaving no image to find).
fn parse_images_json(data: &[u8]) -> Result<Vec<Image>, (String, bool)> {
    scan::validate(data).map_err(|e| (e.message, true))?;
    match Cursor::new(data).peek_kind() {
        Kind::Array | Kind::Null => {}
        k => {
            return Err((
                format!(
                    "json: cannot unmarshal {} into Go value of type []*storage.Image",
                    k.go_name()
                ),
                true,
            ));
        }
    }
    let records: GoSlice<Option<Box<ImageRecord>>> =
        godecode::unmarshal(data).map_err(|e| (e.0, true))?;
    let mut out = Vec::with_capacity(records.len());
    for (i, r) in records.as_slice().iter().enumerate() {
        let Some(r) = r else {
            return Err((
                format!("record {i} is null (c/storage dereferences it: podman would crash)"),
                false,
            ));
        };
        out.push(Image::from_record(r).map_err(|e| (e, false))?);
    }
    Ok(out)
}

impl Image {
    /// The record's fields policy uses, with c/storage's `recomputeDigests`: `digest` and the
    /// digests of `manifest*` big-data items, validated and deduplicated.
    fn from_record(r: &ImageRecord) -> Result<Image, String> {
        let names = r.names.as_slice().to_vec();
        let fail = |what: String, e: crate::reference::docker::DigestError| {
            format!(
                "computing digests for image with ID {} ([{}]): {what}: {e}",
                quote(&r.id),
                names.join(" ")
            )
        };
        let mut digests: Vec<String> = Vec::new();
        if !r.digest.is_empty() {
            validate_digest(&r.digest)
                .map_err(|e| fail(format!("validating image digest {}", quote(&r.digest)), e))?;
            digests.push(r.digest.clone());
        }
        for (k, d) in &r.big_data_digests.entries {
            if !k.starts_with("manifest") {
                continue;
            }
            validate_digest(d).map_err(|e| {
                fail(
                    format!(
                        "validating digest {} for big data item {}",
                        quote(d),
                        quote(k)
                    ),
                    e,
                )
            })?;
            if !digests.contains(d) {
                digests.push(d.clone());
            }
        }
        Ok(Image {
            id: r.id.clone(),
            names,
            digests,
            metadata: r.metadata.clone(),
        })
    }
}

/// An image as c/storage's in-memory store sees it.
#[derive(Debug, Clone)]
struct Image {
    id: String,
    names: Vec<String>,
    /// `digest` ∪ the digests of `manifest*` big-data items.
    digests: Vec<String>,
    metadata: String,
}

/// The primary image store followed by the read-only additional ones, searched in that order
/// (c/storage's `readAllImageStores`).
#[derive(Debug)]
struct Store {
    stores: Vec<ImageStore>,
}

/// One loaded image store (`<root>/<driver>-images/`).
#[derive(Debug)]
struct ImageStore {
    /// `<root>/<driver>-images`, as configured.
    dir: PathBuf,
    /// Its canonical path (`None`: the directory does not exist).
    canon: Option<PathBuf>,
    json_path: PathBuf,
    images: Vec<Image>,
    /// ID → index (the last record with an ID wins, as c/storage's map does).
    by_id: HashMap<String, usize>,
    /// Name → index (the last image holding a name owns it).
    by_name: HashMap<String, usize>,
    /// Manifest digest → indexes.
    by_digest: HashMap<String, Vec<usize>>,
}

/// Why a file of the store could not be read.
enum ReadErr {
    /// Missing (or a dangling symlink): the detail names the file.
    Missing(String),
    /// Another I/O error (detail names the file).
    Failed(String),
    /// A file we refuse to read (escapes the store, too large).
    Refused(ImageError),
}

/// Why a big-data item could not be read.
enum BigDataErr {
    /// c/storage's "locating item named …" error (it reports every read error this way).
    Missing(String),
    Refused(ImageError),
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

/// c/storage's `makeBigDataBaseName`: the key itself if it is made of `[.0-9a-z]` (a single
/// other character is tolerated only as the last one), else `=` + standard base64 of the key.
pub(crate) fn big_data_file_name(key: &str) -> String {
    let bad = key
        .char_indices()
        .find(|&(_, c)| !(c == '.' || c.is_ascii_digit() || c.is_ascii_lowercase()));
    match bad {
        Some((i, c)) if i + c.len_utf8() < key.len() => {
            use base64::Engine;
            format!(
                "={}",
                base64::engine::general_purpose::STANDARD.encode(key.as_bytes())
            )
        }
        _ => key.to_owned(),
    }
}

/// Stores already loaded by this process, keyed by graph root, driver and options: `check
/// --all` and multi-reference checks read each `images.json` once, not once per image.
/// The `images.json` metadata is part of the key, so a store changed on disk is reloaded.
type StoreKey = (
    String,
    String,
    Vec<String>,
    Option<(std::time::SystemTime, u64)>,
);
static LOADED: std::sync::OnceLock<Mutex<HashMap<StoreKey, Arc<Store>>>> =
    std::sync::OnceLock::new();

impl Store {
    /// [`Store::load`] through the per-process cache.
    fn load_cached(resolved: &ResolvedStore, options: &[String]) -> Result<Arc<Store>, ImageError> {
        let json =
            Path::new(&resolved.graph_root).join(format!("{}-images/images.json", resolved.driver));
        let stamp = std::fs::metadata(&json)
            .ok()
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        let key = (
            resolved.graph_root.clone(),
            resolved.driver.clone(),
            options.to_vec(),
            stamp,
        );
        let cache = LOADED.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some(s) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(s);
        }
        let store = Arc::new(Store::load(resolved, options)?);
        if let Ok(mut c) = cache.lock() {
            c.insert(key, Arc::clone(&store));
        }
        Ok(store)
    }

    /// Loads the primary store and the additional image stores named by `options`.
    fn load(resolved: &ResolvedStore, options: &[String]) -> Result<Store, ImageError> {
        let mut stores = vec![ImageStore::load(
            Path::new(&resolved.graph_root),
            &resolved.driver,
        )?];
        for root in additional_image_stores(options, &resolved.driver) {
            stores.push(ImageStore::load(Path::new(&root), &resolved.driver)?);
        }
        Ok(Store { stores })
    }

    /// The `images.json` files consulted, for messages.
    fn json_paths(&self) -> String {
        self.stores
            .iter()
            .map(|s| s.json_path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every image, primary store first (an ID seen earlier hides later copies).
    fn images(&self) -> Vec<&Image> {
        let mut out: Vec<&Image> = Vec::new();
        for img in self.stores.iter().flat_map(|s| &s.images) {
            if !out.iter().any(|o| o.id == img.id) {
                out.push(img);
            }
        }
        out
    }

    /// `store.Image(key)`: the first store whose lookup succeeds.
    fn lookup(&self, key: &str) -> Option<&Image> {
        self.stores.iter().find_map(|s| s.lookup(key))
    }

    /// `store.ImagesByDigest`: matches of every store.
    fn by_digest(&self, d: &str) -> Vec<&Image> {
        self.stores.iter().flat_map(|s| s.by_digest(d)).collect()
    }

    /// `store.ImageBigData(id, key)`: the first store that has the item; returns the data and
    /// the file it came from. A file we refuse to read stops the search.
    fn big_data(&self, id: &str, key: &str, limit: u64) -> Result<(Vec<u8>, PathBuf), BigDataErr> {
        let mut details = Vec::new();
        for st in &self.stores {
            if !st.by_id.contains_key(id) {
                continue;
            }
            match st.big_data(id, key, limit) {
                Ok(r) => return Ok(r),
                Err(ReadErr::Missing(d) | ReadErr::Failed(d)) => details.push(d),
                Err(ReadErr::Refused(e)) => return Err(BigDataErr::Refused(e)),
            }
        }
        Err(BigDataErr::Missing(format!(
            "locating item named {} for image with ID {} (consider removing the image to resolve the issue): file does not exist ({})",
            quote(key),
            quote(id),
            details.join("; ")
        )))
    }
}

/// The read-only image stores of the driver options (`<driver>.imagestore=PATH`, c/storage's
/// `AdditionalImageStores`); relative paths are ignored.
fn additional_image_stores(options: &[String], driver: &str) -> Vec<String> {
    let mut out = Vec::new();
    for o in options {
        let Some((k, v)) = o.split_once('=') else {
            continue;
        };
        let k = k.trim().to_ascii_lowercase();
        let ours = k == "imagestore"
            || k == ".imagestore"
            || k == format!("{driver}.imagestore")
            || (driver == "overlay" && k == "overlay2.imagestore");
        if ours {
            for p in v.split(',').map(str::trim).filter(|p| p.starts_with('/')) {
                if !out.iter().any(|x| x == p) {
                    out.push(p.to_owned());
                }
            }
        }
    }
    out
}

/// The driver options in effect: with a store specifier, only its own options (c/image passes
/// just the specifier's fields to `storage.GetStore`, which fills in only the run root);
/// otherwise `additionalimagestores` of the storage.conf read (as c/storage turns them into
/// options; other configured driver options are not reproduced).
fn driver_options(
    spec_options: Option<&[String]>,
    conf: &StoreConfig,
    driver: &str,
) -> Vec<String> {
    if let Some(o) = spec_options {
        return o.to_vec();
    }
    #[derive(Deserialize, Default)]
    struct File {
        #[serde(default)]
        storage: Section,
    }
    #[derive(Deserialize, Default)]
    struct Section {
        #[serde(default)]
        options: Options,
    }
    #[derive(Deserialize, Default)]
    struct Options {
        #[serde(default)]
        additionalimagestores: Vec<String>,
    }
    let Some(path) = &conf.file else {
        return Vec::new();
    };
    // store_config has already read and validated this file; errors here mean "no options".
    let Ok(text) = read_limited(path, 1 << 20) else {
        return Vec::new();
    };
    let parsed: File = toml::from_str(&String::from_utf8_lossy(&text)).unwrap_or_default();
    parsed
        .storage
        .options
        .additionalimagestores
        .into_iter()
        .map(|p| format!("{driver}.imagestore={p}"))
        .collect()
}

impl ImageStore {
    /// Loads `<root>/<driver>-images/images.json` (missing: an empty store).
    fn load(root: &Path, driver: &str) -> Result<ImageStore, ImageError> {
        let dir = root.join(format!("{driver}-images"));
        let json_path = dir.join("images.json");
        let canon = match std::fs::canonicalize(&dir) {
            Ok(c) => Some(c),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(ImageError(path_error("stat", &dir, &e))),
        };
        let mut store = ImageStore {
            dir,
            canon,
            json_path,
            images: Vec::new(),
            by_id: HashMap::new(),
            by_name: HashMap::new(),
            by_digest: HashMap::new(),
        };
        if store.canon.is_none() {
            return Ok(store);
        }
        let data = match store.read(&store.json_path, MAX_IMAGES_JSON_SIZE) {
            Ok((d, _)) => d,
            Err(ReadErr::Missing(_)) => return Ok(store),
            Err(ReadErr::Failed(m)) => return Err(ImageError(m)),
            Err(ReadErr::Refused(e)) => return Err(e),
        };
        if data.is_empty() {
            return Ok(store);
        }
        let images = parse_images_json(&data).map_err(|(e, unmarshal)| {
            ImageError(if unmarshal {
                format!(
                    "{}: invalid image store: {e} (c/storage 1.43 would silently treat it as an empty store)",
                    store.json_path.display()
                )
            } else {
                format!("{}: {e}", store.json_path.display())
            })
        })?;
        drop(data);
        store.images = images;
        for (i, img) in store.images.iter().enumerate() {
            store.by_id.insert(img.id.clone(), i);
            for n in &img.names {
                store.by_name.insert(n.clone(), i);
            }
            for d in &img.digests {
                store.by_digest.entry(d.clone()).or_default().push(i);
            }
        }
        Ok(store)
    }

    /// c/storage's `imageStore.lookup`: exact ID, then exact name (the last image holding a name
    /// owns it), then a unique ID prefix.
    fn lookup(&self, key: &str) -> Option<&Image> {
        if key.is_empty() {
            return None;
        }
        if let Some(&i) = self.by_id.get(key) {
            return self.images.get(i);
        }
        if let Some(&i) = self.by_name.get(key) {
            return self.images.get(i);
        }
        if key.contains(' ') {
            return None;
        }
        let mut found: Option<&Image> = None;
        for img in self.images.iter().filter(|i| i.id.starts_with(key)) {
            match found {
                Some(f) if f.id != img.id => return None, // ambiguous prefix
                _ => found = Some(img),
            }
        }
        found
    }

    /// `ImagesByDigest`.
    fn by_digest(&self, d: &str) -> Vec<&Image> {
        self.by_digest
            .get(d)
            .map(|v| v.iter().filter_map(|&i| self.images.get(i)).collect())
            .unwrap_or_default()
    }

    /// Reads a file that must stay inside the image store.
    fn read(&self, path: &Path, limit: u64) -> Result<(Vec<u8>, PathBuf), ReadErr> {
        let Some(root) = &self.canon else {
            return Err(ReadErr::Missing(format!(
                "{}: no such file or directory",
                path.display()
            )));
        };
        // Fast path: a relative path of plain components below the store directory, none of
        // them a symlink, cannot leave the store (2 lstat calls instead of a full realpath).
        let plain = path.strip_prefix(&self.dir).ok().is_some_and(|rel| {
            let mut p = self.dir.clone();
            rel.components().all(|c| {
                p.push(c);
                matches!(c, std::path::Component::Normal(_))
                    && std::fs::symlink_metadata(&p).is_ok_and(|m| !m.file_type().is_symlink())
            })
        });
        let resolved = if plain {
            Ok(path.to_owned())
        } else {
            std::fs::canonicalize(path)
        };
        let canon = match resolved {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReadErr::Missing(path_error("open", path, &e)));
            }
            Err(e) => return Err(ReadErr::Failed(path_error("open", path, &e))),
        };
        if !plain && !canon.starts_with(root) {
            return Err(ReadErr::Refused(ImageError(format!(
                "{}: resolves to {}, outside the image store {}; refusing to read it",
                path.display(),
                canon.display(),
                self.dir.display()
            ))));
        }
        match read_limited(&canon, limit) {
            Ok(b) => Ok((b, path.to_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::Other => {
                Err(ReadErr::Refused(ImageError(format!(
                    "{} is larger than {limit} bytes (policyctl's limit)",
                    path.display()
                ))))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ReadErr::Missing(path_error("open", path, &e)))
            }
            Err(e) => Err(ReadErr::Failed(path_error("open", path, &e))),
        }
    }

    /// The big-data file `key` of image `id`.
    fn big_data(&self, id: &str, key: &str, limit: u64) -> Result<(Vec<u8>, PathBuf), ReadErr> {
        self.read(&self.dir.join(id).join(big_data_file_name(key)), limit)
    }
}

/// Whether some name of `image` is in `named`'s repository (`imageMatchesRepo`).
fn image_matches_repo(image: &Image, named: &Named) -> bool {
    let repo = named.name();
    image
        .names
        .iter()
        .any(|n| Named::parse_normalized(n).is_ok_and(|p| p.name() == repo))
}

/// `multiArchImageMatchesSystemContext`: `manifest-D` is a list whose chosen instance is stored.
fn multi_arch_matches(store: &Store, image: &Image, d: &str, opts: &OpenOptions) -> bool {
    let Ok((list, _)) = store.big_data(&image.id, &format!("manifest-{d}"), MAX_MANIFEST_SIZE)
    else {
        return false;
    };
    let mime = manifest::guess_mime_type(&list);
    if !manifest::is_list(&mime) {
        return false;
    }
    let Ok(list) = manifest::list_from_blob(&list, &mime, opts.compat) else {
        return false;
    };
    let Ok(instance) = manifest::choose_instance(&list, &opts.platform, opts.compat) else {
        return false;
    };
    store
        .big_data(
            &image.id,
            &format!("manifest-{instance}"),
            MAX_MANIFEST_SIZE,
        )
        .is_ok()
}

/// `storageReference.resolveImage`.
fn resolve_image(
    store: &Store,
    named: Option<&Named>,
    id: Option<&str>,
    spec_prefix: &str,
    opts: &OpenOptions,
) -> Result<Image, ImageError> {
    let mut loaded: Option<&Image> = None;
    if let (None, Some(n)) = (id, named) {
        loaded = store.lookup(&n.to_string());
        if loaded.is_none()
            && let Some(d) = n.digest()
        {
            for img in store.by_digest(d) {
                if image_matches_repo(img, n)
                    && (loaded.is_none() || multi_arch_matches(store, img, d, opts))
                {
                    loaded = Some(img);
                }
            }
        }
        if loaded.is_none() {
            let within = format!("{spec_prefix}{n}");
            let suffix = match opts.compat {
                Compat::V5_23 => ": identifier is not an image",
                _ => "",
            };
            return Err(ImageError(format!(
                "reference {} does not resolve to an image ID{suffix} (looked up in {})",
                quote(&within),
                store.json_paths()
            )));
        }
    }
    let image = match (loaded, id) {
        (Some(img), _) => img,
        (None, Some(id)) => store.lookup(id).ok_or_else(|| {
            ImageError(format!(
                "reading image {}: locating image with ID {}: image not known (looked up in {})",
                quote(id),
                quote(id),
                store.json_paths()
            ))
        })?,
        (None, None) => {
            return Err(ImageError(
                "invalid reference: neither a name nor an image ID".into(),
            ));
        }
    };
    if let Some(n) = named
        && !image_matches_repo(image, n)
    {
        return Err(ImageError(format!(
            "identifier is not an image (image {} in {} has no name in repository {})",
            image.id,
            store.json_paths(),
            n.name()
        )));
    }
    Ok(image.clone())
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

/// The image's `metadata` as c/image decodes it into `storageImageSource`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Metadata {
    signature_sizes: Vec<i64>,
    signatures_sizes: BTreeMap<String, Vec<i64>>,
}

/// Runs the decoders of untrusted store metadata (`images.json`, and `data` as an image's
/// `metadata` string) and returns how many records and signature sizes they yielded. For the
/// fuzz target: neither may panic or recurse without bound, whatever the bytes.
#[doc(hidden)]
pub fn decode_store_metadata(data: &[u8]) -> (Option<usize>, Option<usize>) {
    let images = parse_images_json(data).ok().map(|v| v.len());
    let metadata = std::str::from_utf8(data)
        .ok()
        .and_then(|t| parse_metadata(t).ok())
        .map(|m| m.signature_sizes.len());
    (images, metadata)
}

/// Lenient Go `json.Unmarshal` of the metadata string (unknown keys ignored, keys folded,
/// last one wins); the first type error is returned, as Go does.
fn parse_metadata(text: &str) -> Result<Metadata, String> {
    let b = text.as_bytes();
    scan::validate(b).map_err(|e| e.message)?;
    let mut cur = Cursor::new(b);
    let mut out = Metadata::default();
    match cur.peek_kind() {
        Kind::Object => {}
        Kind::Null => return Ok(out),
        k => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type storage.storageImageSource",
                k.go_name()
            ));
        }
    }
    let mut first_err: Option<String> = None;
    cur.enter();
    while let Some((key, _)) = cur.next_key() {
        if go_fold_eq(&key, "signature-sizes") {
            if let Some(v) = read_sizes(&mut cur, "signature-sizes", &mut first_err) {
                out.signature_sizes = v;
            }
        } else if go_fold_eq(&key, "signatures-sizes") {
            match cur.peek_kind() {
                Kind::Null => {
                    cur.skip_value();
                    out.signatures_sizes.clear();
                }
                Kind::Object => {
                    cur.enter();
                    while let Some((k, _)) = cur.next_key() {
                        if let Some(v) = read_sizes(&mut cur, "signatures-sizes", &mut first_err) {
                            out.signatures_sizes.insert(k, v);
                        }
                    }
                }
                k => {
                    cur.skip_value();
                    first_err.get_or_insert(field_type_error(
                        k.go_name(),
                        "signatures-sizes",
                        "map[digest.Digest][]int",
                    ));
                }
            }
        } else {
            cur.skip_value();
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

fn field_type_error(value: &str, field: &str, go_type: &str) -> String {
    format!(
        "json: cannot unmarshal {value} into Go struct field storageImageSource.{field} of type {go_type}"
    )
}

/// A `[]int` value (`null` → empty); `None` after a type error.
fn read_sizes(
    cur: &mut Cursor<'_>,
    field: &str,
    first_err: &mut Option<String>,
) -> Option<Vec<i64>> {
    match cur.peek_kind() {
        Kind::Null => {
            cur.skip_value();
            Some(Vec::new())
        }
        Kind::Array => {
            cur.enter();
            let mut v = Vec::new();
            let mut ok = true;
            while cur.next_element() {
                match cur.peek_kind() {
                    Kind::Number => {
                        let (t, _) = cur.read_number();
                        match t.parse::<i64>() {
                            Ok(n) => v.push(n),
                            Err(_) => {
                                ok = false;
                                first_err.get_or_insert(field_type_error(
                                    &format!("number {t}"),
                                    field,
                                    "int",
                                ));
                            }
                        }
                    }
                    Kind::Null => {
                        cur.skip_value();
                        v.push(0);
                    }
                    k => {
                        cur.skip_value();
                        ok = false;
                        first_err.get_or_insert(field_type_error(k.go_name(), field, "int"));
                    }
                }
            }
            ok.then_some(v)
        }
        k => {
            cur.skip_value();
            first_err.get_or_insert(field_type_error(k.go_name(), field, "[]int"));
            None
        }
    }
}

/// `GetSignaturesWithFormat`: the outer error is a refused file (exit 2), the inner one
/// c/image's signature error.
fn read_signatures(
    store: &Store,
    id: &str,
    meta: &Metadata,
    instance: Option<&str>,
) -> Result<Result<Vec<SourcedSignature>, String>, ImageError> {
    let empty = Vec::new();
    let (sizes, key, label) = match instance {
        None => (
            &meta.signature_sizes,
            "signatures".to_owned(),
            "default instance".to_owned(),
        ),
        Some(d) => {
            let hex = d.split_once(':').map_or(d, |(_, h)| h);
            (
                meta.signatures_sizes.get(d).unwrap_or(&empty),
                format!("signature-{hex}"),
                hex.to_owned(),
            )
        }
    };
    if sizes.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let prefix = format!(
        "looking up signatures data for image {} ({label})",
        quote(id)
    );
    if sizes.len() > MAX_SIGNATURES {
        return Ok(Err(format!(
            "{prefix}: more than {MAX_SIGNATURES} signatures (policyctl's limit)"
        )));
    }
    let (data, path) = match store.big_data(id, &key, MAX_SIGNATURES_DATA_SIZE) {
        Ok(r) => r,
        Err(BigDataErr::Missing(m)) => return Ok(Err(format!("{prefix}: {m}"))),
        Err(BigDataErr::Refused(e)) => return Err(e),
    };
    let total = data.len() as i64;
    let mut offset: i64 = 0;
    let mut out = Vec::with_capacity(sizes.len());
    for &length in sizes {
        if length < 0 {
            return Ok(Err(format!(
                "{prefix}: invalid signature size {length} in metadata (c/image would crash) ({})",
                path.display()
            )));
        }
        let end = offset.saturating_add(length);
        if end > total {
            return Ok(Err(format!(
                "{prefix}: expected at least {total} bytes, only found {end}"
            )));
        }
        let slice = data.get(offset as usize..end as usize).unwrap_or_default();
        let signature = match from_blob(slice) {
            Ok(s) => s,
            Err(e) => {
                return Ok(Err(format!(
                    "parsing signature at ({offset}, {length}): {e}"
                )));
            }
        };
        out.push(SourcedSignature {
            signature,
            origin: format!("{} (bytes {offset}..{end})", path.display()),
        });
        offset = end;
    }
    if offset != total {
        return Ok(Err(format!(
            "signatures data ({label}) contained {} extra bytes",
            total - offset
        )));
    }
    Ok(Ok(out))
}
