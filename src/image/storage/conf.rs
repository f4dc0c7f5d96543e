//! Where the `containers-storage` store is: `storage.conf` selection and defaults (spec §8.3,
//! c/storage 1.43 `types/options*.go`). The driver and graph root are part of every
//! `containers-storage:` policy identity, so they must be found exactly as c/storage finds them.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::reference::transport::{ResolvedStore, StoreSpec};

/// Largest storage.conf we read.
const MAX_CONF_SIZE: u64 = 1 << 20;

/// The store settings in effect and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// The configuration file read, if any.
    pub file: Option<PathBuf>,
    /// Configured driver (`None`: auto-detect).
    pub driver: Option<String>,
    /// Graph root (absolute).
    pub graph_root: String,
    /// Run root.
    pub run_root: String,
}

/// An unreadable or invalid storage.conf.
#[derive(Debug, thiserror::Error)]
pub enum StorageConfError {
    #[error("reading {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("{0}")]
    Driver(String),
}

#[derive(Debug, Default, Deserialize)]
struct ConfFile {
    #[serde(default)]
    storage: ConfStorage,
}

#[derive(Debug, Default, Deserialize)]
struct ConfStorage {
    driver: Option<String>,
    graphroot: Option<String>,
    runroot: Option<String>,
    rootless_storage_path: Option<String>,
}

/// What the environment provides (a seam for tests).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct StorageEnv {
    /// `$CONTAINERS_STORAGE_CONF`.
    pub conf_override: Option<PathBuf>,
    /// Effective UID (0: root).
    pub uid: u32,
    /// `_CONTAINERS_ROOTLESS_UID` is set.
    pub rootless_env: bool,
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    pub xdg_data_home: Option<PathBuf>,
    pub xdg_runtime_dir: Option<PathBuf>,
    /// `$STORAGE_DRIVER`.
    pub storage_driver: Option<String>,
    /// Prefix for system paths (`--root`).
    pub root: Option<PathBuf>,
}

impl StorageEnv {
    /// From this process's environment.
    pub fn from_process(root: Option<PathBuf>) -> StorageEnv {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        StorageEnv {
            conf_override: var("CONTAINERS_STORAGE_CONF"),
            uid: current_uid(),
            rootless_env: std::env::var_os("_CONTAINERS_ROOTLESS_UID").is_some(),
            home: var("HOME"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            xdg_data_home: var("XDG_DATA_HOME"),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR"),
            storage_driver: std::env::var("STORAGE_DRIVER")
                .ok()
                .filter(|s| !s.is_empty()),
            root,
        }
    }

    fn rootless(&self) -> bool {
        self.uid != 0 || self.rootless_env
    }

    fn sys(&self, p: &str) -> PathBuf {
        crate::fsread::under_root(self.root.as_deref(), p)
    }
}

fn current_uid() -> u32 {
    // /proc/self/status "Uid:\treal\teffective…"; avoids unsafe libc calls.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|u| u.parse().ok()))
        })
        .unwrap_or(0)
}

fn read_conf(path: &Path) -> Result<ConfStorage, StorageConfError> {
    let read_err = |source| StorageConfError::Read {
        path: path.into(),
        source,
    };
    // Never blocks on a FIFO; refuses anything but a regular file (see `fsread`).
    let bytes = crate::fsread::read_upto(path, MAX_CONF_SIZE + 1).map_err(read_err)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        read_err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })?;
    if text.len() as u64 > MAX_CONF_SIZE {
        return Err(StorageConfError::Parse {
            path: path.into(),
            message: "file too large".into(),
        });
    }
    let conf: ConfFile = toml::from_str(&text).map_err(|e| StorageConfError::Parse {
        path: path.into(),
        message: e.to_string(),
    })?;
    Ok(conf.storage)
}

/// Finds the store configuration as c/storage 1.43 does.
pub fn store_config(env: &StorageEnv) -> Result<StoreConfig, StorageConfError> {
    let system_candidates = || -> Option<PathBuf> {
        if let Some(x) = &env.xdg_config_home {
            let p = x.join("containers/storage.conf");
            if !env.rootless() && p.exists() {
                return Some(p);
            }
        }
        let etc = env.sys("/etc/containers/storage.conf");
        if etc.exists() {
            return Some(etc);
        }
        let usr = env.sys("/usr/share/containers/storage.conf");
        usr.exists().then_some(usr)
    };
    let (file, conf) = if let Some(p) = &env.conf_override {
        (Some(p.clone()), read_conf(p)?)
    } else if !env.rootless() {
        match system_candidates() {
            Some(p) => {
                let c = read_conf(&p)?;
                (Some(p), c)
            }
            None => (None, ConfStorage::default()),
        }
    } else {
        let sys = match system_candidates() {
            Some(p) => Some((p.clone(), read_conf(&p)?)),
            None => None,
        };
        let user = env
            .xdg_config_home
            .clone()
            .or_else(|| env.home.as_ref().map(|h| h.join(".config")))
            .map(|d| d.join("containers/storage.conf"))
            .filter(|p| p.exists());
        match (user, sys) {
            (Some(u), _) => {
                let c = read_conf(&u)?;
                (Some(u), c)
            }
            (None, Some((p, c))) => {
                // Rootless users keep the system driver only when it is a rootless-capable one;
                // graph/run roots become the rootless defaults (rootless_storage_path wins).
                let driver = c
                    .driver
                    .filter(|d| ["overlay", "overlay2", "btrfs", "vfs"].contains(&d.as_str()));
                let graphroot = c.rootless_storage_path.clone();
                (
                    Some(p),
                    ConfStorage {
                        driver: Some(driver.unwrap_or_else(|| "vfs".into())),
                        graphroot,
                        runroot: None,
                        rootless_storage_path: None,
                    },
                )
            }
            (None, None) => (None, ConfStorage::default()),
        }
    };
    let mut driver = env
        .storage_driver
        .clone()
        .or(conf.driver)
        .filter(|d| !d.is_empty());
    if driver.as_deref() == Some("overlay2") {
        driver = Some("overlay".into());
    }
    let (graph_default, run_default) = if env.rootless() {
        let home = env.home.clone().unwrap_or_else(|| PathBuf::from("/"));
        let data = env
            .xdg_data_home
            .clone()
            .unwrap_or_else(|| home.join(".local/share"));
        let run = env
            .xdg_runtime_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("/run/user/{}", env.uid)));
        (data.join("containers/storage"), run.join("containers"))
    } else {
        (
            PathBuf::from("/var/lib/containers/storage"),
            PathBuf::from("/run/containers/storage"),
        )
    };
    let expand = |s: String| {
        s.replace("$UID", &env.uid.to_string()).replace(
            "$HOME",
            &env.home
                .as_ref()
                .map(|h| h.display().to_string())
                .unwrap_or_default(),
        )
    };
    let graph_root = conf
        .graphroot
        .filter(|s| !s.is_empty())
        .map(expand)
        .unwrap_or_else(|| graph_default.display().to_string());
    let run_root = conf
        .runroot
        .filter(|s| !s.is_empty())
        .map(expand)
        .unwrap_or_else(|| run_default.display().to_string());
    Ok(StoreConfig {
        file,
        driver,
        graph_root,
        run_root,
    })
}

/// Resolves a reference's store: the `[driver@root]` written in the reference, completed from
/// the configuration; the driver is auto-detected as c/storage does when none is configured.
pub fn resolve_store(
    spec: Option<&StoreSpec>,
    conf: &StoreConfig,
) -> Result<ResolvedStore, StorageConfError> {
    let graph_root = spec
        .and_then(|s| s.graph_root.clone())
        .unwrap_or_else(|| canonical_or_same(&conf.graph_root));
    let graph_root = crate::reference::transport::go_clean(&graph_root);
    let driver = match spec
        .and_then(|s| s.driver.clone())
        .or_else(|| conf.driver.clone())
    {
        Some(d) => d,
        None => detect_driver(Path::new(&graph_root))?,
    };
    Ok(ResolvedStore { driver, graph_root })
}

/// A configured graph root goes through `EvalSymlinks` when it exists.
fn canonical_or_same(p: &str) -> String {
    std::fs::canonicalize(p)
        .ok()
        .and_then(|c| c.to_str().map(str::to_owned))
        .unwrap_or_else(|| p.to_owned())
}

/// `drivers.New` with no configured driver: a single existing driver directory wins; otherwise
/// the first driver of the priority list that works here (we only read stores, so an existing
/// `vfs` directory, else `overlay`, the first in the list that a normal Linux host supports).
fn detect_driver(graph_root: &Path) -> Result<String, StorageConfError> {
    let found: Vec<&str> = ["overlay", "aufs", "btrfs", "zfs"]
        .into_iter()
        .filter(|d| graph_root.join(d).is_dir())
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] if graph_root.join("vfs").is_dir() && !graph_root.join("overlay-images").is_dir() => {
            Ok("vfs".to_owned())
        }
        [] => Ok("overlay".to_owned()),
        many => Err(StorageConfError::Driver(format!(
            "{} contains several valid graphdrivers: {}; Please cleanup or explicitly choose storage driver (-s <DRIVER>)",
            graph_root.display(),
            many.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(root: &Path) -> StorageEnv {
        StorageEnv {
            root: Some(root.to_owned()),
            home: Some(root.join("home")),
            ..StorageEnv::default()
        }
    }

    #[test]
    fn root_defaults_without_files() {
        let t = tempfile::tempdir().unwrap();
        let c = store_config(&env(t.path())).unwrap();
        assert_eq!(c.file, None);
        assert_eq!(c.driver, None);
        assert_eq!(c.graph_root, "/var/lib/containers/storage");
        assert_eq!(c.run_root, "/run/containers/storage");
    }

    #[test]
    fn etc_wins_over_usr_share_and_env_overrides() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("etc/containers")).unwrap();
        std::fs::create_dir_all(t.path().join("usr/share/containers")).unwrap();
        std::fs::write(
            t.path().join("usr/share/containers/storage.conf"),
            "[storage]\ndriver = \"btrfs\"\n",
        )
        .unwrap();
        std::fs::write(
            t.path().join("etc/containers/storage.conf"),
            "[storage]\ndriver = \"overlay2\"\ngraphroot = \"/srv/s\"\n[storage.options]\nadditionalimagestores = []\n",
        )
        .unwrap();
        let c = store_config(&env(t.path())).unwrap();
        assert_eq!(c.driver.as_deref(), Some("overlay"));
        assert_eq!(c.graph_root, "/srv/s");
        let mut e = env(t.path());
        e.storage_driver = Some("vfs".into());
        assert_eq!(store_config(&e).unwrap().driver.as_deref(), Some("vfs"));
        let custom = t.path().join("custom.conf");
        std::fs::write(&custom, "[storage]\ngraphroot = \"/x\"\n").unwrap();
        e.conf_override = Some(custom);
        assert_eq!(store_config(&e).unwrap().graph_root, "/x");
    }

    #[test]
    fn rootless_defaults() {
        let t = tempfile::tempdir().unwrap();
        let mut e = env(t.path());
        e.uid = 1000;
        e.xdg_runtime_dir = Some("/run/user/1000".into());
        let c = store_config(&e).unwrap();
        assert_eq!(
            c.graph_root,
            format!(
                "{}/home/.local/share/containers/storage",
                t.path().display()
            )
        );
        assert_eq!(c.run_root, "/run/user/1000/containers");
    }

    #[test]
    fn invalid_toml_is_an_error_naming_the_file() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("bad.conf");
        std::fs::write(&p, "[storage\n").unwrap();
        let mut e = env(t.path());
        e.conf_override = Some(p);
        assert!(
            store_config(&e)
                .unwrap_err()
                .to_string()
                .contains("bad.conf")
        );
    }

    #[test]
    fn driver_detection() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().to_str().unwrap().to_owned();
        let conf = StoreConfig {
            file: None,
            driver: None,
            graph_root: root.clone(),
            run_root: "/run".into(),
        };
        assert_eq!(resolve_store(None, &conf).unwrap().driver, "overlay");
        std::fs::create_dir(t.path().join("vfs")).unwrap();
        assert_eq!(resolve_store(None, &conf).unwrap().driver, "vfs");
        std::fs::create_dir(t.path().join("btrfs")).unwrap();
        assert_eq!(resolve_store(None, &conf).unwrap().driver, "btrfs");
        std::fs::create_dir(t.path().join("overlay")).unwrap();
        assert!(resolve_store(None, &conf).is_err());
        let spec = StoreSpec {
            driver: Some("vfs".into()),
            graph_root: Some("/s".into()),
            ..StoreSpec::default()
        };
        assert_eq!(
            resolve_store(Some(&spec), &conf).unwrap(),
            ResolvedStore {
                driver: "vfs".into(),
                graph_root: "/s".into()
            }
        );
    }
}
