//! One-line descriptions of policy requirements and identities for human output.

use crate::policy::{CaSource, KeySource, Requirement, SignedIdentity, SigstoreTrust};

/// Describes a `signedIdentity`.
pub fn identity(prm: &SignedIdentity) -> String {
    match prm {
        SignedIdentity::ExactReference { docker_reference } => {
            format!("exactReference {docker_reference}")
        }
        SignedIdentity::ExactRepository { docker_repository } => {
            format!("exactRepository {docker_repository}")
        }
        SignedIdentity::RemapIdentity {
            prefix,
            signed_prefix,
        } => format!("remapIdentity {prefix} -> {signed_prefix}"),
        other => other.type_name().to_owned(),
    }
}

/// Describes a key source.
pub fn keys(k: &KeySource) -> String {
    match k {
        KeySource::Path(p) => format!("keyPath {}", p.value),
        KeySource::Paths(p) => format!("keyPaths [{}]", p.value.join(", ")),
        KeySource::Data(d) => format!(
            "keyData ({} bytes)",
            d.value.as_ref().map_or(0, |v| v.len())
        ),
        KeySource::Datas(d) => format!("keyDatas ({} keys)", d.value.len()),
    }
}

fn ca(c: &CaSource) -> String {
    match c {
        CaSource::Path(p) => p.clone(),
        CaSource::Data(d) => format!("inline ({} bytes)", d.len()),
    }
}

/// Describes a requirement in one line.
pub fn requirement(r: &Requirement) -> String {
    match r {
        Requirement::InsecureAcceptAnything => {
            "insecureAcceptAnything (accepts any image, no signature check)".to_owned()
        }
        Requirement::Reject => "reject (rejects every image)".to_owned(),
        Requirement::SignedBaseLayer {
            base_layer_identity,
        } => format!(
            "signedBaseLayer, baseLayerIdentity {} (not implemented by containers/image: always rejects)",
            identity(&base_layer_identity.value)
        ),
        Requirement::SignedBy(s) => format!(
            "signedBy {}, {}, signedIdentity {}{}",
            s.key_type.as_str(),
            keys(&s.keys),
            identity(&s.signed_identity.value),
            if s.signed_identity_explicit {
                ""
            } else {
                " (default)"
            }
        ),
        Requirement::SigstoreSigned(s) => {
            let trust = match &s.trust {
                SigstoreTrust::PublicKeys(k) => keys(k),
                SigstoreTrust::Fulcio(f) => format!(
                    "fulcio CA {}, issuer {}, subject {}",
                    ca(&f.value.ca),
                    f.value.oidc_issuer,
                    f.value.subject_email
                ),
                SigstoreTrust::Pki(p) => {
                    let p = &p.value;
                    let mut t = format!("pki roots {}", ca(&p.ca_roots));
                    if let Some(i) = &p.ca_intermediates {
                        t += &format!(", intermediates {}", ca(i));
                    }
                    if !p.subject_email.is_empty() {
                        t += &format!(", email {}", p.subject_email);
                    }
                    if !p.subject_hostname.is_empty() {
                        t += &format!(", hostname {}", p.subject_hostname);
                    }
                    t
                }
            };
            let rekor = s
                .rekor
                .as_ref()
                .map(|r| format!(", rekor {}", keys(r)))
                .unwrap_or_default();
            format!(
                "sigstoreSigned {trust}{rekor}, signedIdentity {}{}",
                identity(&s.signed_identity.value),
                if s.signed_identity_explicit {
                    ""
                } else {
                    " (default)"
                }
            )
        }
    }
}
