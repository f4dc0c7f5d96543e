//! One module per lint rule.

pub mod unknown_transport;
