//! Which `policy.json` is in effect, and why (spec §8.1).
//!
//! The lookup order, implemented exactly as listed:
//!
//! 1. `--policy FILE` (skopeo `--policy`, podman/buildah `--signature-policy`);
//! 2. `--compat current` only: `$CONTAINERS_POLICY_JSON` (podman 6's shared config loader;
//!    c/image releases up to 5.39 ignore it — we follow podman because that is what a user
//!    setting it expects, and the output says which file won);
//! 3. `$HOME/.config/containers/policy.json` if it exists (c/image looks at `$HOME`, falling
//!    back to the passwd entry — **not** `$XDG_CONFIG_HOME`);
//! 4. `<ROOT>/etc/containers/policy.json` when `--root ROOT` is given (c/image's
//!    `RootForImplicitAbsolutePaths`);
//! 5. `/etc/containers/policy.json`. c/image 5.23.1 takes it without an existence check (a
//!    missing file then fails with the read error); current c/image requires it to exist,
//!    else `no policy.json file found at any of the following: "<user>", "<system>"`.

use std::path::{Path, PathBuf};

use crate::compat::Compat;

/// Environment variable naming a policy file (podman 6; `--compat current` only).
pub const ENV_POLICY_JSON: &str = "CONTAINERS_POLICY_JSON";
/// The system policy path.
pub const SYSTEM_POLICY_PATH: &str = "/etc/containers/policy.json";
/// The per-user policy path, relative to the home directory.
pub const USER_POLICY_FILE: &str = ".config/containers/policy.json";

/// Why a policy file was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Definition {
    /// `--policy FILE`.
    CommandLine,
    /// `$CONTAINERS_POLICY_JSON`.
    Environment,
    /// `$HOME/.config/containers/policy.json` exists.
    User,
    /// `<root>/etc/containers/policy.json` because of `--root`.
    Root,
    /// `/etc/containers/policy.json`.
    System,
}

impl Definition {
    /// A short human description.
    pub fn describe(&self) -> &'static str {
        match self {
            Definition::CommandLine => "from --policy",
            Definition::Environment => "from $CONTAINERS_POLICY_JSON",
            Definition::User => "the user's policy, which shadows the system one",
            Definition::Root => "system policy under --root",
            Definition::System => "the system policy",
        }
    }

    /// A stable machine-readable name (used in JSON output).
    pub fn as_str(&self) -> &'static str {
        match self {
            Definition::CommandLine => "command-line",
            Definition::Environment => "environment",
            Definition::User => "user",
            Definition::Root => "root",
            Definition::System => "system",
        }
    }
}

/// The chosen policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLocation {
    /// The path.
    pub path: PathBuf,
    /// Why it was chosen.
    pub definition: Definition,
}

/// What the lookup may consult; filled from the process by [`LookupInput::from_process`] and
/// by hand in tests.
#[derive(Debug, Clone, Default)]
pub struct LookupInput {
    /// `--policy`.
    pub explicit: Option<PathBuf>,
    /// `$CONTAINERS_POLICY_JSON`.
    pub env_policy: Option<PathBuf>,
    /// The home directory (`$HOME`, else passwd).
    pub home: Option<PathBuf>,
    /// `--root`.
    pub root: Option<PathBuf>,
}

impl LookupInput {
    /// Reads the environment of this process.
    pub fn from_process(explicit: Option<PathBuf>, root: Option<PathBuf>) -> Self {
        let env_policy = std::env::var_os(ENV_POLICY_JSON)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        let home = std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()));
        LookupInput {
            explicit,
            env_policy,
            home,
            root,
        }
    }
}

pub use crate::error::NoPolicyFound;

/// One place the lookup consults, in lookup order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Which rule of the lookup this is.
    pub definition: Definition,
    /// The file (`None`: the option or variable is not set).
    pub path: Option<PathBuf>,
}

/// The places [`find_policy`] consults, in its order (rules 1–5 of the module docs; the user
/// file only with a home directory; `--root` replaces the system path). `policyctl where`
/// shows exactly this list.
pub fn candidates(input: &LookupInput, compat: Compat) -> Vec<Candidate> {
    let mut out = vec![Candidate {
        definition: Definition::CommandLine,
        path: input.explicit.clone(),
    }];
    if compat == Compat::Current {
        out.push(Candidate {
            definition: Definition::Environment,
            path: input.env_policy.clone(),
        });
    }
    if let Some(home) = &input.home {
        out.push(Candidate {
            definition: Definition::User,
            path: Some(home.join(USER_POLICY_FILE)),
        });
    }
    out.push(match &input.root {
        Some(root) => Candidate {
            definition: Definition::Root,
            path: Some(root.join(SYSTEM_POLICY_PATH.trim_start_matches('/'))),
        },
        None => Candidate {
            definition: Definition::System,
            path: Some(PathBuf::from(SYSTEM_POLICY_PATH)),
        },
    });
    out
}

/// Chooses the policy file (see the module docs for the order) among [`candidates`].
pub fn find_policy(input: &LookupInput, compat: Compat) -> Result<PolicyLocation, NoPolicyFound> {
    for c in candidates(input, compat) {
        let Some(path) = c.path else { continue };
        let chosen = match c.definition {
            // Given options and variables win without an existence check.
            Definition::CommandLine | Definition::Environment | Definition::Root => true,
            Definition::User => path.exists(),
            // 5.23.1 takes the system path unchecked; current requires it to exist.
            Definition::System => compat == Compat::V5_23 || path.exists(),
        };
        if chosen {
            return Ok(PolicyLocation {
                path,
                definition: c.definition,
            });
        }
    }
    Err(NoPolicyFound {
        user: input
            .home
            .as_deref()
            .unwrap_or(Path::new(""))
            .join(USER_POLICY_FILE),
        system: PathBuf::from(SYSTEM_POLICY_PATH),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, "{}").unwrap();
    }

    #[test]
    fn explicit_wins_and_home_is_not_expanded() {
        let input = LookupInput {
            explicit: Some("$HOME/x.json".into()),
            env_policy: Some("/env.json".into()),
            home: Some("/nonexistent-home".into()),
            root: Some("/r".into()),
        };
        let loc = find_policy(&input, Compat::Current).unwrap();
        assert_eq!(loc.path, PathBuf::from("$HOME/x.json"));
        assert_eq!(loc.definition, Definition::CommandLine);
    }

    #[test]
    fn env_only_for_current() {
        let tmp = tempfile::tempdir().unwrap();
        let input = LookupInput {
            env_policy: Some("/env.json".into()),
            home: Some(tmp.path().to_path_buf()),
            root: Some(tmp.path().join("root")),
            ..Default::default()
        };
        assert_eq!(
            find_policy(&input, Compat::Current).unwrap().definition,
            Definition::Environment
        );
        assert_eq!(
            find_policy(&input, Compat::V5_23).unwrap().definition,
            Definition::Root
        );
    }

    #[test]
    fn user_file_shadows_root_and_system() {
        let tmp = tempfile::tempdir().unwrap();
        let user = tmp.path().join(USER_POLICY_FILE);
        touch(&user);
        let input = LookupInput {
            home: Some(tmp.path().to_path_buf()),
            root: Some("/r".into()),
            ..Default::default()
        };
        let loc = find_policy(&input, Compat::V5_23).unwrap();
        assert_eq!((loc.path, loc.definition), (user, Definition::User));
    }

    #[test]
    fn root_prefix_without_user_file() {
        let tmp = tempfile::tempdir().unwrap();
        let input = LookupInput {
            home: Some(tmp.path().to_path_buf()),
            root: Some("/r".into()),
            ..Default::default()
        };
        let loc = find_policy(&input, Compat::Current).unwrap();
        assert_eq!(loc.path, PathBuf::from("/r/etc/containers/policy.json"));
    }

    #[test]
    fn system_fallback_differs_by_version() {
        let tmp = tempfile::tempdir().unwrap();
        let input = LookupInput {
            home: Some(tmp.path().to_path_buf()),
            ..Default::default()
        };
        let loc = find_policy(&input, Compat::V5_23).unwrap();
        assert_eq!(loc.path, PathBuf::from(SYSTEM_POLICY_PATH));
        if !Path::new(SYSTEM_POLICY_PATH).exists() {
            let err = find_policy(&input, Compat::Current).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("no policy.json file found at any of the following: \"")
            );
        }
    }
}
