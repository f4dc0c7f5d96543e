//! One module per subcommand: glue between the CLI, the core and `report`. `crate::app`
//! dispatches to them and turns their [`Outcome`] into the exit code.

use crate::config::policy_file::{LoadedPolicy, load};
use crate::config::policy_path::PolicyLocation;
use crate::error::Error;
use crate::settings::Settings;

pub mod attest;
pub mod check;
pub mod check_all;
pub mod init;
pub mod k8s;
pub mod key;
pub mod lint;
pub mod scope;
pub mod sign;
pub mod sigs;
pub mod trust;
pub mod where_;

/// How a command ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: accepted / clean.
    Ok,
    /// Exit 1: rejected / error findings.
    Rejected,
    /// Exit 2: an error that the command has already reported (e.g. as JSON).
    ErrorReported,
}

/// Locates the policy file for these settings.
pub fn locate_policy(global: &Settings) -> Result<PolicyLocation, Error> {
    Ok(global.locate_policy()?)
}

/// Locates and loads the policy.
pub fn load_policy(global: &Settings) -> Result<LoadedPolicy, Error> {
    load(locate_policy(global)?, global.compat)
}
