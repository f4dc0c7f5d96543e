//! The trust policy: its model, the strict parser that reproduces c/image's, and scope lookup.

pub mod model;
pub mod parse;
pub mod scope;

pub use model::*;
