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
    /// The command line asks for something impossible (bad key name, scope, store spec,
    /// missing option). Nothing was read or changed.
    #[error("{0}")]
    Usage(String),
    /// A configuration change conflicts with what is there (a different key, an existing file,
    /// a policy that does not load); nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// Reading an input other than the policy failed (the message names the file).
    #[error("{0}")]
    Read(String),
    /// A transactional write was refused or failed; the old files are intact.
    #[error(transparent)]
    Write(#[from] TxnError),
    /// An image store could not be listed.
    #[error("{0}")]
    Store(String),
    /// A bug: an invariant policyctl relies on does not hold.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::trust::plan::PlanError> for Error {
    fn from(e: crate::trust::plan::PlanError) -> Error {
        match e {
            crate::trust::plan::PlanError::Conflict(m) => Error::Conflict(m),
            crate::trust::plan::PlanError::Internal(m) => Error::Internal(m),
        }
    }
}

impl Error {
    /// The exit status of a command that ends with this error: 2, "could not decide"
    /// (0 and 1 are verdicts, never errors).
    pub fn exit_code(&self) -> u8 {
        2
    }
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

/// Why a transactional write (`crate::config::txn`) was refused or failed; the message names
/// the file.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TxnError(pub String);
