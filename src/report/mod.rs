//! Everything a user sees: the only module that writes to stdout/stderr.
//!
//! `human` renders spanned diagnostics (annotate-snippets, rustc style); [`json`] holds the
//! machine-readable outputs as `Serialize` types (their JSON Schemas are in `schemas/`).

pub mod check;
pub mod describe;
pub mod human;
pub mod json;
pub use crate::json::position;

use std::io::Write;

/// Writes `s` to stdout; a closed pipe is not an error (`policyctl … | head`).
pub fn out(s: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(s.as_bytes());
    let _ = o.flush();
}

/// Writes `s` to stderr.
pub fn err(s: &str) {
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(s.as_bytes());
}
