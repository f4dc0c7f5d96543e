//! Reading the policy file (I/O edge): bounded read, then the pure parser.

use super::policy_path::PolicyLocation;
use crate::compat::Compat;
use crate::error::Error;
use crate::json::{DecodeError, ErrorKind};
use crate::policy::Policy;
use crate::policy::parse::{MAX_POLICY_SIZE, parse_policy};

/// A policy file as read from disk, with its parsed form.
#[derive(Debug)]
pub struct LoadedPolicy {
    /// Where it came from and why.
    pub location: PolicyLocation,
    /// The raw bytes.
    pub text: Vec<u8>,
    /// The parsed policy.
    pub policy: Policy,
}

/// Reads at most `MAX_POLICY_SIZE + 1` bytes of `location` and parses them.
pub fn load(location: PolicyLocation, compat: Compat) -> Result<LoadedPolicy, Error> {
    let path = location.path.clone();
    let read_err = |source| Error::PolicyRead {
        path: path.clone(),
        source,
    };
    // Never blocks on a FIFO; refuses anything but a regular file (see `fsread`).
    let text = crate::fsread::read_upto(&path, MAX_POLICY_SIZE as u64 + 1).map_err(read_err)?;
    if text.len() > MAX_POLICY_SIZE {
        let error = DecodeError::new(
            ErrorKind::Syntax,
            format!("policy file is larger than {MAX_POLICY_SIZE} bytes"),
            0..0,
        );
        return Err(Error::PolicyInvalid {
            path,
            text: Vec::new(),
            error,
        });
    }
    match parse_policy(&text, compat) {
        Ok(policy) => Ok(LoadedPolicy {
            location,
            text,
            policy,
        }),
        Err(error) => Err(Error::PolicyInvalid { path, text, error }),
    }
}
