//! One module per subcommand: glue between the CLI, the core and `report`. `crate::app`
//! dispatches to them and turns their [`Outcome`] into the exit code.

use crate::cli::GlobalArgs;
use crate::config::policy_file::{LoadedPolicy, load};
use crate::config::policy_path::{LookupInput, PolicyLocation, find_policy};
use crate::error::Error;

pub mod check;
pub mod check_all;
pub mod init;
pub mod key;
pub mod lint;
pub mod scope;
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

/// Locates the policy file for these options.
pub fn locate_policy(global: &GlobalArgs) -> Result<PolicyLocation, Error> {
    let input = LookupInput::from_process(global.policy.clone(), global.root.clone());
    Ok(find_policy(&input, global.compat)?)
}

/// Locates and loads the policy.
pub fn load_policy(global: &GlobalArgs) -> Result<LoadedPolicy, Error> {
    load(locate_policy(global)?, global.compat)
}
