//! Which c/image behaviour to reproduce.
//!
//! c/image changed its policy dialect over time (new `sigstoreSigned` fields, different
//! formatting of some messages). `--compat 5.23` reproduces c/image 5.23.1 exactly (what
//! Debian's skopeo 1.9.3 runs, our differential oracle); `--compat current` follows current
//! c/image (container-libs `image/`).

/// The c/image version whose behaviour is reproduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Compat {
    /// c/image 5.23.1 (Debian bookworm's skopeo 1.9.3, podman 4.3).
    V5_23,
    /// Current c/image (5.35+ / container-libs).
    #[default]
    Current,
}

impl Compat {
    /// The spelling used on the command line and in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Compat::V5_23 => "5.23",
            Compat::Current => "current",
        }
    }
}

impl std::str::FromStr for Compat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "5.23" | "5.23.1" => Ok(Compat::V5_23),
            "current" => Ok(Compat::Current),
            other => Err(format!(
                "unknown compatibility target {other:?} (expected 5.23 or current)"
            )),
        }
    }
}
