//! Settings resolved once per run (I/O edge): the global options and everything the process
//! environment contributes (`$HOME` with the passwd fallback, `$CONTAINERS_POLICY_JSON`, the
//! storage variables, the effective UID). Every command reads these, so two commands never
//! disagree about where a file is, and `policyctl where` shows the lookups the commands use.

use std::path::{Path, PathBuf};

use crate::cli::GlobalArgs;
use crate::compat::Compat;
use crate::config::policy_path::{
    Candidate, LookupInput, NoPolicyFound, PolicyLocation, SYSTEM_POLICY_PATH, candidates,
    find_policy,
};
use crate::image::storage::conf::StorageEnv;

/// The resolved settings of one run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--compat`.
    pub compat: Compat,
    /// `--root`: prefix of every implicit absolute path.
    pub root: Option<PathBuf>,
    /// `--policy`.
    pub policy: Option<PathBuf>,
    /// The home directory (`$HOME`, else the passwd entry), as c/image finds it.
    pub home: Option<PathBuf>,
    /// `$CONTAINERS_POLICY_JSON`.
    pub env_policy: Option<PathBuf>,
    /// What containers-storage's configuration lookup reads from the environment.
    pub storage: StorageEnv,
}

impl Settings {
    /// The settings of this process for these global options.
    pub fn from_process(global: &GlobalArgs) -> Settings {
        let input = LookupInput::from_process(global.policy.clone(), global.root.clone());
        Settings {
            compat: global.compat,
            root: global.root.clone(),
            policy: global.policy.clone(),
            home: input.home,
            env_policy: input.env_policy,
            storage: StorageEnv::from_process(global.root.clone()),
        }
    }

    /// The input of the policy lookup.
    pub fn lookup_input(&self) -> LookupInput {
        LookupInput {
            explicit: self.policy.clone(),
            env_policy: self.env_policy.clone(),
            home: self.home.clone(),
            root: self.root.clone(),
        }
    }

    /// The policy file in effect (spec §8.1).
    pub fn locate_policy(&self) -> Result<PolicyLocation, NoPolicyFound> {
        find_policy(&self.lookup_input(), self.compat)
    }

    /// The places the policy lookup consults, in order.
    pub fn policy_candidates(&self) -> Vec<Candidate> {
        candidates(&self.lookup_input(), self.compat)
    }

    /// A system path under `--root` (relative paths stay as written).
    pub fn under_root(&self, sys: &str) -> PathBuf {
        crate::fsread::under_root(self.root.as_deref(), sys)
    }

    /// The policy file configuration commands write: `--policy`, else the system one.
    pub fn policy_target(&self) -> PathBuf {
        self.policy
            .clone()
            .unwrap_or_else(|| self.under_root(SYSTEM_POLICY_PATH))
    }

    /// The user's `registries.d` directory (`$HOME/.config/containers/registries.d`).
    pub fn user_registries_d(&self) -> Option<PathBuf> {
        self.home
            .as_ref()
            .map(|h| h.join(".config/containers/registries.d"))
    }

    /// The `registries.d` directory c/image uses (spec §7).
    pub fn registries_d_dir(&self) -> PathBuf {
        crate::config::registries_d::default_dir(self.home.as_deref(), self.root.as_deref())
    }

    /// The home directory, if known.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }
}
