//! Diagnostics shared by the core passes that report findings on a policy (lint now, the
//! Kubernetes export next): a leaf, so that the core never imports the renderer.

/// Severity of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Would stop c/image / a rule error.
    Error,
    /// Dangerous or dead configuration.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The lower-case name used in machine output (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}
