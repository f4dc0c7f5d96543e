//! `signedIdentity` matching: does a signature's claimed Docker reference satisfy the policy
//! for this image? (c/image `signature/policy_reference_match.go`, spec §2.2.)
//!
//! Every parse failure means "no match", never an error: a signature with a garbled identity
//! simply does not count.

use crate::policy::model::SignedIdentity;
use crate::reference::docker::Named;

/// Why an identity did not match, for explanations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The image has no Docker reference (e.g. `dir:`), so image-relative rules cannot match.
    NoImageIdentity,
    /// The signature's identity does not parse as a Docker reference.
    InvalidSignedIdentity(String),
    /// The policy's own reference does not parse (cannot happen for a parsed policy).
    InvalidPolicyReference(String),
    /// `remapIdentity` rewrote the image reference into something invalid.
    RemapFailed(String),
    /// Both parsed, but the rule does not accept this pair.
    Differs,
}

/// Evaluates `identity` for an image whose Docker reference is `image` (as the user wrote it,
/// normalised; `None` for transports without one) and a signature claiming `signed`.
pub fn matches_docker_reference(
    identity: &SignedIdentity,
    image: Option<&Named>,
    signed: &str,
) -> Result<(), Mismatch> {
    let image_relative = |f: &dyn Fn(&Named, &Named) -> bool| -> Result<(), Mismatch> {
        let intended = image.ok_or(Mismatch::NoImageIdentity)?;
        let sig = parse_signed(signed)?;
        if f(intended, &sig) {
            Ok(())
        } else {
            Err(Mismatch::Differs)
        }
    };
    match identity {
        SignedIdentity::MatchExact => image_relative(&|i, s| exact(i, s)),
        SignedIdentity::MatchRepoDigestOrExact => image_relative(&repo_digest_or_exact),
        SignedIdentity::MatchRepository => image_relative(&|i, s| s.name() == i.name()),
        SignedIdentity::ExactReference { docker_reference } => {
            let intended = Named::parse_normalized(docker_reference)
                .map_err(|e| Mismatch::InvalidPolicyReference(e.to_string()))?;
            let sig = parse_signed(signed)?;
            if exact(&intended, &sig) {
                Ok(())
            } else {
                Err(Mismatch::Differs)
            }
        }
        SignedIdentity::ExactRepository { docker_repository } => {
            let intended = Named::parse_normalized(docker_repository)
                .map_err(|e| Mismatch::InvalidPolicyReference(e.to_string()))?;
            let sig = parse_signed(signed)?;
            if sig.name() == intended.name() {
                Ok(())
            } else {
                Err(Mismatch::Differs)
            }
        }
        SignedIdentity::RemapIdentity {
            prefix,
            signed_prefix,
        } => {
            let intended = image.ok_or(Mismatch::NoImageIdentity)?;
            let sig = parse_signed(signed)?;
            let remapped = remap(intended, prefix, signed_prefix)?;
            if repo_digest_or_exact(&remapped, &sig) {
                Ok(())
            } else {
                Err(Mismatch::Differs)
            }
        }
    }
}

fn parse_signed(signed: &str) -> Result<Named, Mismatch> {
    Named::parse_normalized(signed).map_err(|e| Mismatch::InvalidSignedIdentity(e.to_string()))
}

/// matchExact / exactReference: neither side name-only, `String()` equal.
fn exact(intended: &Named, sig: &Named) -> bool {
    !intended.is_name_only() && !sig.is_name_only() && sig.to_string() == intended.to_string()
}

/// `matchRepoDigestOrExactReferenceValues`.
fn repo_digest_or_exact(intended: &Named, sig: &Named) -> bool {
    if sig.is_name_only() {
        return false;
    }
    if intended.tag().is_some() {
        sig.to_string() == intended.to_string()
    } else if intended.digest().is_some() {
        sig.name() == intended.name()
    } else {
        false
    }
}

/// `prmRemapIdentity.refMatchesPrefix`: `Name()` equals `prefix` or continues with `/`.
pub fn ref_matches_prefix(r: &Named, prefix: &str) -> bool {
    let name = r.name();
    name == prefix || (name.starts_with(prefix) && name.as_bytes().get(prefix.len()) == Some(&b'/'))
}

/// `prmRemapIdentity.remapReferencePrefix`.
pub fn remap(r: &Named, prefix: &str, signed_prefix: &str) -> Result<Named, Mismatch> {
    if !ref_matches_prefix(r, prefix) {
        return Ok(r.clone());
    }
    let s = r.to_string();
    let rewritten = s.replacen(prefix, signed_prefix, 1);
    Named::parse_canonical(&rewritten).map_err(|e| {
        Mismatch::RemapFailed(format!(
            "error rewriting reference from {} to {}: {e}",
            crate::json::gofmt::quote(&s),
            crate::json::gofmt::quote(&rewritten)
        ))
    })
}

#[cfg(test)]
mod tests;
