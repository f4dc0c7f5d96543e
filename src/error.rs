//! The errors a command can end with. Every variant means exit status 2 ("could not decide");
//! a rejection is never an error (see [`crate::commands::Outcome`]).

use std::path::PathBuf;

use crate::json::DecodeError;
use crate::json::gofmt::quote;

/// A command failed before it could reach a verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No policy file could be located.
    #[error(transparent)]
    NoPolicy(#[from] NoPolicyFound),
    /// The policy file could not be read (c/image returns the OS error unchanged).
    #[error("{}", read_error(.path, .source))]
    PolicyRead {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// c/image would refuse to load the policy.
    #[error("invalid policy in {}: {}", quote(&.path.display().to_string()), .error)]
    PolicyInvalid {
        /// The file.
        path: PathBuf,
        /// Its contents (for snippets).
        text: Vec<u8>,
        /// c/image's message and where.
        error: DecodeError,
    },
    /// An image reference could not be parsed.
    #[error("{0}")]
    Reference(String),
    /// A configuration change was refused or failed; nothing was changed.
    #[error("{0}")]
    Refused(String),
}

/// Go's `os.ReadFile` error text (`open <path>: <strerror>`).
fn read_error(path: &std::path::Path, e: &std::io::Error) -> String {
    crate::fsread::go_read_file_error(&path.display().to_string(), e)
}

/// No policy file could be found (current c/image only).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no policy.json file found at any of the following: {}, {}", crate::json::gofmt::quote(&.user.display().to_string()), crate::json::gofmt::quote(&.system.display().to_string()))]
pub struct NoPolicyFound {
    /// The user path that was tried.
    pub user: PathBuf,
    /// The system path that was tried.
    pub system: PathBuf,
}
