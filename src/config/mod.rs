//! Configuration discovery and reading (I/O edge): which policy file is in effect and why.

pub mod host;
pub mod lint_facts;
pub mod policy_file;
pub mod policy_path;
pub mod registries_d;
pub mod txn;
