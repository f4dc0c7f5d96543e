//! One module per lint rule (or per family of closely related rules).

pub mod accept_mixed_with_signatures;
pub mod ca_files;
pub mod docker_hub_namespace;
pub mod fulcio_email_uri;
pub mod insecure_fallback;
pub mod key_files;
pub mod never_satisfiable;
pub mod path_scope_unresolved;
pub mod registries;
pub mod reject_blocks_local;
pub mod remap_with_cosign;
pub mod scope_never_matches;
pub mod scope_not_normalized;
pub mod several_signature_requirements;
pub mod sigstore_default_identity;
pub mod tag_or_digest_scope;
pub mod unknown_transport;
pub mod user_shadows_system;
pub mod versions;
pub mod wildcard_never_matches;

use crate::policy::{Policy, Requirement, RequirementList, Scope, TransportScopes};

/// Every requirement list of the policy with where it applies (`None`: the global default).
pub fn lists(p: &Policy) -> Vec<(Option<(&TransportScopes, &Scope)>, &RequirementList)> {
    let mut out: Vec<(Option<(&TransportScopes, &Scope)>, &RequirementList)> =
        vec![(None, &p.default)];
    for t in &p.transports {
        for s in &t.scopes {
            out.push((Some((t, s)), &s.requirements));
        }
    }
    out
}

/// The scopes of the `docker` transport (and of `atomic`, its deprecated alias, when
/// `with_atomic`), for the rules about registry scopes.
pub fn docker_scopes(p: &Policy, with_atomic: bool) -> impl Iterator<Item = &Scope> {
    p.transports
        .iter()
        .filter(move |t| t.name.value == "docker" || (with_atomic && t.name.value == "atomic"))
        .flat_map(|t| t.scopes.iter())
}

/// Whether a requirement checks signatures.
pub fn is_signature(r: &Requirement) -> bool {
    matches!(r, Requirement::SignedBy(_) | Requirement::SigstoreSigned(_))
}

/// `transports.T["S"]` or `default`, for messages.
pub fn where_(at: Option<(&TransportScopes, &Scope)>) -> String {
    match at {
        None => "default".to_owned(),
        Some((t, s)) => format!("transports.{}[{:?}]", t.name.value, s.key.value),
    }
}
