//! Scope lookup: which requirement list applies to an image (c/image
//! `PolicyContext.requirementsForImageRef`, spec §3.1). Only one list is ever used: the most
//! specific matching scope of the image's transport, else that transport's `""`, else the
//! global `default` — never a merge.

use crate::policy::model::{Policy, RequirementList, Scope};
use crate::reference::transport::PolicyIdentity;

/// Which entry of the policy supplied the requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchedBy {
    /// The scope equal to the image's policy identity.
    Identity,
    /// The scope equal to the n-th namespace (0 = most specific).
    Namespace(usize),
    /// The transport's `""` scope.
    TransportDefault,
    /// The global `default` (no transport section, or nothing in it matched).
    GlobalDefault,
}

impl MatchedBy {
    /// The stable name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Identity => "identity",
            MatchedBy::Namespace(_) => "namespace",
            MatchedBy::TransportDefault => "transport-default",
            MatchedBy::GlobalDefault => "default",
        }
    }
}

/// The outcome of a lookup.
#[derive(Debug, Clone, Copy)]
pub struct ScopeMatch<'p> {
    /// How the requirements were found.
    pub matched_by: MatchedBy,
    /// The scope that matched (`None` for the global default).
    pub scope: Option<&'p Scope>,
    /// Whether the policy has a section for this transport at all.
    pub transport_section: bool,
    /// The requirements to evaluate.
    pub requirements: &'p RequirementList,
}

impl ScopeMatch<'_> {
    /// The matched scope key as c/image would name it (`default` for the global default).
    pub fn label(&self) -> String {
        match self.scope {
            Some(s) if s.key.value.is_empty() => "\"\"".to_owned(),
            Some(s) => s.key.value.clone(),
            None => "default".to_owned(),
        }
    }
}

/// Finds the requirements for an image of transport `transport` (its `Name()`, matched exactly)
/// with the given identity and namespaces.
pub fn requirements_for<'p>(
    policy: &'p Policy,
    transport: &str,
    id: &PolicyIdentity,
) -> ScopeMatch<'p> {
    let global = ScopeMatch {
        matched_by: MatchedBy::GlobalDefault,
        scope: None,
        transport_section: false,
        requirements: &policy.default,
    };
    let Some(section) = policy.transports.iter().find(|t| t.name.value == transport) else {
        return global;
    };
    let find = |key: &str| section.scopes.iter().find(|s| s.key.value == key);
    let found = |matched_by, scope: &'p Scope| ScopeMatch {
        matched_by,
        scope: Some(scope),
        transport_section: true,
        requirements: &scope.requirements,
    };
    if let Some(s) = find(&id.identity) {
        return found(MatchedBy::Identity, s);
    }
    for (i, ns) in id.namespaces.iter().enumerate() {
        if let Some(s) = find(ns) {
            return found(MatchedBy::Namespace(i), s);
        }
    }
    if let Some(s) = find("") {
        return found(MatchedBy::TransportDefault, s);
    }
    ScopeMatch {
        transport_section: true,
        ..global
    }
}

#[cfg(test)]
mod tests;
