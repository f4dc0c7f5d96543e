//! Loading a store: the primary image store and the additional ones, their `images.json`,
//! lookups by ID, name and digest, and reading files inside the store (never outside it).

use super::*;

/// The primary image store followed by the read-only additional ones, searched in that order
/// (c/storage's `readAllImageStores`).
#[derive(Debug)]
pub(super) struct Store {
    pub(super) stores: Vec<ImageStore>,
}

/// One loaded image store (`<root>/<driver>-images/`).
#[derive(Debug)]
pub(super) struct ImageStore {
    /// `<root>/<driver>-images`, as configured.
    pub(super) dir: PathBuf,
    /// Its canonical path (`None`: the directory does not exist).
    pub(super) canon: Option<PathBuf>,
    pub(super) json_path: PathBuf,
    pub(super) images: Vec<Image>,
    /// ID → index (the last record with an ID wins, as c/storage's map does).
    pub(super) by_id: HashMap<String, usize>,
    /// Name → index (the last image holding a name owns it).
    pub(super) by_name: HashMap<String, usize>,
    /// Manifest digest → indexes.
    pub(super) by_digest: HashMap<String, Vec<usize>>,
}

/// Why a file of the store could not be read.
pub(super) enum ReadErr {
    /// Missing (or a dangling symlink): the detail names the file.
    Missing(String),
    /// Another I/O error (detail names the file).
    Failed(String),
    /// A file we refuse to read (escapes the store, too large).
    Refused(ImageError),
}

/// Why a big-data item could not be read.
pub(super) enum BigDataErr {
    /// c/storage's "locating item named …" error (it reports every read error this way).
    Missing(String),
    Refused(ImageError),
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
pub(super) type StoreKey = (
    String,
    String,
    Vec<String>,
    Option<(std::time::SystemTime, u64)>,
);
pub(super) static LOADED: std::sync::OnceLock<Mutex<HashMap<StoreKey, Arc<Store>>>> =
    std::sync::OnceLock::new();

impl Store {
    /// [`Store::load`] through the per-process cache.
    pub(super) fn load_cached(
        resolved: &ResolvedStore,
        options: &[String],
    ) -> Result<Arc<Store>, ImageError> {
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
    pub(super) fn load(resolved: &ResolvedStore, options: &[String]) -> Result<Store, ImageError> {
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
    pub(super) fn json_paths(&self) -> String {
        self.stores
            .iter()
            .map(|s| s.json_path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Every image, primary store first (an ID seen earlier hides later copies).
    pub(super) fn images(&self) -> Vec<&Image> {
        let mut out: Vec<&Image> = Vec::new();
        for img in self.stores.iter().flat_map(|s| &s.images) {
            if !out.iter().any(|o| o.id == img.id) {
                out.push(img);
            }
        }
        out
    }

    /// `store.Image(key)`: the first store whose lookup succeeds.
    pub(super) fn lookup(&self, key: &str) -> Option<&Image> {
        self.stores.iter().find_map(|s| s.lookup(key))
    }

    /// `store.ImagesByDigest`: matches of every store.
    pub(super) fn by_digest(&self, d: &str) -> Vec<&Image> {
        self.stores.iter().flat_map(|s| s.by_digest(d)).collect()
    }

    /// `store.ImageBigData(id, key)`: the first store that has the item; returns the data and
    /// the file it came from. A file we refuse to read stops the search.
    pub(super) fn big_data(
        &self,
        id: &str,
        key: &str,
        limit: u64,
    ) -> Result<(Vec<u8>, PathBuf), BigDataErr> {
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
pub(super) fn additional_image_stores(options: &[String], driver: &str) -> Vec<String> {
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
pub(super) fn driver_options(
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
    pub(super) fn load(root: &Path, driver: &str) -> Result<ImageStore, ImageError> {
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
    pub(super) fn lookup(&self, key: &str) -> Option<&Image> {
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
    pub(super) fn by_digest(&self, d: &str) -> Vec<&Image> {
        self.by_digest
            .get(d)
            .map(|v| v.iter().filter_map(|&i| self.images.get(i)).collect())
            .unwrap_or_default()
    }

    /// Reads a file that must stay inside the image store.
    pub(super) fn read(&self, path: &Path, limit: u64) -> Result<(Vec<u8>, PathBuf), ReadErr> {
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
    pub(super) fn big_data(
        &self,
        id: &str,
        key: &str,
        limit: u64,
    ) -> Result<(Vec<u8>, PathBuf), ReadErr> {
        self.read(&self.dir.join(id).join(big_data_file_name(key)), limit)
    }
}
