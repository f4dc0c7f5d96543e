//! One module per subcommand: glue between the CLI, the core and `report`.

pub mod check;
pub mod check_all;
pub mod init;
pub mod key;
pub mod lint;
pub mod scope;
pub mod trust;
pub mod where_;
