//! One module per subcommand: glue between the CLI, the core and `report`.

pub mod lint;
pub mod scope;
