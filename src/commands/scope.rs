//! `policyctl scope` (being written).

use crate::app::Outcome;
use crate::cli::{GlobalArgs, ScopeArgs};
use crate::error::Error;

/// `policyctl scope`.
pub fn run(_global: &GlobalArgs, _args: &ScopeArgs) -> Result<Outcome, Error> {
    Err(Error::Reference("scope: not implemented yet".to_owned()))
}
