//! Policy evaluation (pure): `signedIdentity` matching now; requirement evaluation with issue 3.

pub mod prm;
pub mod requirement;
