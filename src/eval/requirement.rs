//! Requirement evaluation: c/image's `IsRunningImageAllowed` over one requirement list
//! (spec §4, §5.2), with an explanation of every step. Pure: the image arrives as
//! [`ImageFacts`], key files through [`KeyLoader`].
//!
//! Orchestration only: AND over the requirements, any one signature may satisfy a signature
//! requirement (one loop for every trust root). Trust roots are checked by the verifiers of
//! `crate::signature::verifier`; why something is not accepted is a typed [`Rejection`].
//!
//! Fail closed: every error on the way to "accepted" rejects. Requirements policyctl cannot
//! check (GPG `signedBy`, Fulcio, Rekor, PKI) reject as [`Rejection::Unsupported`].

use crate::compat::Compat;
use crate::eval::prm::matches_docker_reference;
use crate::policy::model::{Requirement, RequirementList, SignedIdentity, SigstoreSigned};
use crate::reference::docker::Named;
use crate::signature::blob::{SIGSTORE_SIGNATURE_MIME_TYPE, Sigstore};
use crate::signature::openpgp::VerificationTime;
use crate::signature::payload::{Payload, parse_payload, parse_simple_signing_payload};
pub use crate::signature::rejection::{Rejection, Unsupported};
pub use crate::signature::verifier::KeyLoader;
use crate::signature::verifier::{Verifier, sigstore_verifier, simple_signing_verifier};
use crate::signature::verify::Signer;
use crate::signature::{Signature, SourcedSignature};

/// What evaluation needs to know about the image.
#[derive(Debug, Clone, Copy)]
pub struct ImageFacts<'a> {
    /// `transports.ImageName(ref)`: `transport:within` (for `reject`).
    pub image_name: &'a str,
    /// The user's Docker reference (`None`: no identity).
    pub docker_reference: Option<&'a Named>,
    /// `manifest.Digest` of the evaluated manifest.
    pub manifest_digest: &'a Result<String, String>,
    /// The signatures (with their origin), or why they could not be read.
    pub signatures: Result<&'a [SourcedSignature], &'a str>,
}

/// A signature that satisfied a requirement: who signed what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub signer: Signer,
    pub signed_identity: String,
    pub signed_digest: String,
}

/// Why a requirement did not look at a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// `signedBy` sees only simple-signing signatures.
    NotSimpleSigning,
    /// `sigstoreSigned` sees only sigstore signatures.
    NotSigstore,
    /// A sigstore attachment that is not a signature (its MIME type).
    Attachment { mime_type: String },
    /// An earlier signature was accepted (c/image stops there).
    AfterAcceptance,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::NotSimpleSigning => {
                f.write_str("not a simple-signing signature: signedBy does not see it")
            }
            Skip::NotSigstore => {
                f.write_str("not a sigstore signature: sigstoreSigned does not see it")
            }
            Skip::Attachment { mime_type } => write!(
                f,
                "a sigstore attachment of type {mime_type:?}, not a signature"
            ),
            Skip::AfterAcceptance => f.write_str("not examined: an earlier signature was accepted"),
        }
    }
}

/// How one signature fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureOutcome {
    /// It satisfied the requirement.
    Accepted(Acceptance),
    /// It was examined and rejected.
    Rejected(Rejection),
    /// Not looked at by this requirement.
    Skipped(Skip),
}

/// One signature's line in the explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureReport {
    pub origin: String,
    pub format: String,
    /// For sigstore: claimed identity and digest, when the payload could be read (even if
    /// the signature did not verify, for diagnosis only).
    pub claimed_identity: Option<String>,
    pub claimed_digest: Option<String>,
    /// For simple signing: the key ID or fingerprint the signature names as its issuer
    /// (unverified).
    pub claimed_signer: Option<String>,
    /// For sigstore signatures with a certificate (Fulcio, PKI): what it names, unverified.
    pub claimed_certificate: Option<String>,
    pub outcome: SignatureOutcome,
}

/// One requirement's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementResult {
    /// Index in the list.
    pub index: usize,
    /// `None`: accepted.
    pub rejection: Option<Rejection>,
    pub signatures: Vec<SignatureReport>,
}

impl RequirementResult {
    /// Whether policyctl rejected only because it cannot verify something yet.
    pub fn unsupported(&self) -> bool {
        self.rejection
            .as_ref()
            .is_some_and(Rejection::is_unsupported)
    }
}

/// The verdict for a requirement list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub allowed: bool,
    /// Results of the requirements evaluated, in order (evaluation stops at the first rejection).
    pub requirements: Vec<RequirementResult>,
}

impl Evaluation {
    /// The first rejecting requirement's rejection.
    pub fn rejection(&self) -> Option<&Rejection> {
        self.requirements.iter().find_map(|r| r.rejection.as_ref())
    }

    /// c/image's error text for a rejection.
    pub fn reason(&self) -> Option<String> {
        self.rejection().map(ToString::to_string)
    }
}

/// Evaluates `list` for the image (short-circuit AND in array order).
pub fn evaluate(
    list: &RequirementList,
    image: &ImageFacts<'_>,
    keys: &dyn KeyLoader,
    compat: Compat,
    now: VerificationTime,
) -> Evaluation {
    let mut results = Vec::new();
    if list.items.is_empty() {
        results.push(RequirementResult {
            index: 0,
            rejection: Some(Rejection::EmptyRequirementList),
            signatures: vec![],
        });
        return Evaluation {
            allowed: false,
            requirements: results,
        };
    }
    for (index, req) in list.items.iter().enumerate() {
        let r = evaluate_one(index, &req.value, image, keys, compat, now);
        let rejected = r.rejection.is_some();
        results.push(r);
        if rejected {
            return Evaluation {
                allowed: false,
                requirements: results,
            };
        }
    }
    Evaluation {
        allowed: true,
        requirements: results,
    }
}

fn evaluate_one(
    index: usize,
    req: &Requirement,
    image: &ImageFacts<'_>,
    keys: &dyn KeyLoader,
    compat: Compat,
    now: VerificationTime,
) -> RequirementResult {
    let done = |rejection: Option<Rejection>| RequirementResult {
        index,
        rejection,
        signatures: vec![],
    };
    match req {
        Requirement::InsecureAcceptAnything => done(None),
        Requirement::Reject => done(Some(Rejection::PolicyReject {
            image_name: image.image_name.to_owned(),
        })),
        Requirement::SignedBaseLayer { .. } => done(Some(Rejection::SignedBaseLayer)),
        Requirement::SignedBy(sb) => {
            let verifier = simple_signing_verifier(sb.key_type, &sb.keys, keys, compat, now);
            any_signature(index, image, compat, |sig| match sig {
                Signature::SimpleSigning(blob) => {
                    Examine::Check(verifier.verify(blob).and_then(|verified| {
                        let payload = parse_simple_signing_payload(verified.payload(), compat)
                            .map_err(Rejection::Payload)?;
                        accept_payload(
                            payload,
                            verified.signer(),
                            &sb.signed_identity.value,
                            image,
                            compat,
                        )
                    }))
                }
                Signature::Sigstore(_) => Examine::Skip(Skip::NotSimpleSigning, None),
            })
        }
        Requirement::SigstoreSigned(s) => {
            let verifier = sigstore_verifier(s, keys, compat, now);
            any_signature(index, image, compat, |sig| match sig {
                Signature::SimpleSigning(_) => {
                    Examine::Skip(Skip::NotSigstore, Some(Counted::NonSigstore))
                }
                Signature::Sigstore(sg) if sg.mime_type != SIGSTORE_SIGNATURE_MIME_TYPE => {
                    Examine::Skip(
                        Skip::Attachment {
                            mime_type: sg.mime_type.clone(),
                        },
                        Some(Counted::Attachment),
                    )
                }
                Signature::Sigstore(sg) => {
                    Examine::Check(sigstore_accepted(s, sg, verifier.as_ref(), image, compat))
                }
            })
        }
        #[allow(unreachable_patterns)]
        _ => done(Some(Rejection::Unsupported(Unsupported::Requirement))),
    }
}

/// What the `NoSignature` message counts.
enum Counted {
    NonSigstore,
    Attachment,
}

/// A requirement's view of one signature.
enum Examine {
    /// Not looked at (and whether c/image counts it in its "no signature" message).
    Skip(Skip, Option<Counted>),
    /// Examined: accepted or rejected.
    Check(Result<Acceptance, Rejection>),
}

/// c/image's loop of a signature requirement (`isRunningImageAllowed` of `prSignedBy` and
/// `prSigstoreSigned`): signatures in order, the first accepted one satisfies; otherwise the
/// rejections summarised (spec §4.4). One loop for every trust root.
fn any_signature(
    index: usize,
    image: &ImageFacts<'_>,
    compat: Compat,
    mut examine: impl FnMut(&Signature) -> Examine,
) -> RequirementResult {
    let sigs = match image.signatures {
        Ok(s) => s,
        Err(e) => {
            return RequirementResult {
                index,
                rejection: Some(Rejection::SignaturesUnreadable(e.to_owned())),
                signatures: vec![],
            };
        }
    };
    let mut reports = Vec::new();
    let mut rejections = Vec::new();
    let (mut non_sigstore, mut attachments) = (0, 0);
    let mut accepted = false;
    for SourcedSignature { signature, origin } in sigs {
        let mut signer = None;
        let mut certificate = None;
        let (outcome, claimed) = if accepted {
            (SignatureOutcome::Skipped(Skip::AfterAcceptance), None)
        } else {
            match examine(signature) {
                Examine::Skip(why, counted) => {
                    match counted {
                        Some(Counted::NonSigstore) => non_sigstore += 1,
                        Some(Counted::Attachment) => attachments += 1,
                        None => {}
                    }
                    (SignatureOutcome::Skipped(why), None)
                }
                Examine::Check(result) => {
                    let c = claims(signature, compat);
                    let claimed = c.identity;
                    signer = c.signer;
                    certificate = c.certificate;
                    match result {
                        Ok(a) => {
                            accepted = true;
                            (SignatureOutcome::Accepted(a), claimed)
                        }
                        Err(r) => {
                            rejections.push(r.clone());
                            (SignatureOutcome::Rejected(r), claimed)
                        }
                    }
                }
            }
        };
        reports.push(SignatureReport {
            origin: origin.clone(),
            format: signature.format().into(),
            claimed_identity: claimed.as_ref().map(|c| c.0.clone()),
            claimed_digest: claimed.map(|c| c.1),
            claimed_signer: signer,
            claimed_certificate: certificate,
            outcome,
        });
    }
    let rejection = (!accepted).then(|| {
        Rejection::summarize(
            rejections,
            Rejection::NoSignature {
                non_sigstore,
                attachments,
            },
        )
    });
    RequirementResult {
        index,
        rejection,
        signatures: reports,
    }
}

/// What a signature claims, read without verifying (for explanations): the identity and
/// digest, and for OpenPGP the key ID or fingerprint it names. The message is parsed once.
struct Claims {
    identity: Option<(String, String)>,
    signer: Option<String>,
    certificate: Option<String>,
}

fn claims(sig: &Signature, compat: Compat) -> Claims {
    match sig {
        Signature::Sigstore(s) => Claims {
            identity: parse_payload(&s.payload, compat)
                .ok()
                .map(|p| (p.docker_reference, p.manifest_digest)),
            signer: None,
            certificate: s
                .annotations
                .get(crate::signature::blob::CERTIFICATE_ANNOTATION)
                .and_then(|pem| {
                    crate::signature::sigstore::certificate::describe_unverified(pem.as_bytes())
                }),
        },
        Signature::SimpleSigning(blob) => {
            let f = crate::signature::openpgp::message::facts(blob);
            Claims {
                identity: f
                    .plaintext
                    .and_then(|p| parse_simple_signing_payload(&p, compat).ok())
                    .map(|p| (p.docker_reference, p.manifest_digest)),
                signer: f.issuer_fingerprint.or(f.issuer_key_id),
                certificate: None,
            }
        }
    }
}

/// `prSigstoreSigned.isSignatureAccepted`: the trust root's verifier, then the policy-level
/// checks on the authenticated payload (digest, `signedIdentity`).
fn sigstore_accepted(
    req: &SigstoreSigned,
    s: &Sigstore,
    verifier: &dyn Verifier<Sigstore>,
    image: &ImageFacts<'_>,
    compat: Compat,
) -> Result<Acceptance, Rejection> {
    let verified = verifier.verify(s)?;
    let payload = parse_payload(verified.payload(), compat).map_err(Rejection::Payload)?;
    accept_payload(
        payload,
        verified.signer(),
        &req.signed_identity.value,
        image,
        compat,
    )
}

/// The policy-level checks on an authenticated payload, shared by simple signing and
/// sigstore (`validateSignedDockerManifestDigest`, then `validateSignedDockerReference`).
fn accept_payload(
    payload: Payload,
    signer: &Signer,
    signed_identity: &SignedIdentity,
    image: &ImageFacts<'_>,
    compat: Compat,
) -> Result<Acceptance, Rejection> {
    let manifest_digest = image
        .manifest_digest
        .as_ref()
        .map_err(|e| Rejection::ManifestDigest(e.clone()))?;
    if &payload.manifest_digest != manifest_digest {
        return Err(Rejection::DigestMismatch {
            signed_digest: payload.manifest_digest,
        });
    }
    if let Err(_why) = matches_docker_reference(
        signed_identity,
        image.docker_reference,
        &payload.docker_reference,
    ) {
        let shown = match compat {
            Compat::V5_23 => payload.docker_reference.clone(),
            Compat::Current => crate::json::gofmt::quote(&payload.docker_reference),
        };
        return Err(Rejection::IdentityNotAccepted {
            shown,
            signed_identity: payload.docker_reference,
        });
    }
    Ok(Acceptance {
        signer: signer.clone(),
        signed_identity: payload.docker_reference,
        signed_digest: payload.manifest_digest,
    })
}

/// Why an identity did not match, in words (for explanations).
pub fn identity_hint(
    identity: &SignedIdentity,
    image: Option<&Named>,
    signed: &str,
) -> Option<String> {
    use crate::eval::prm::Mismatch;
    match matches_docker_reference(identity, image, signed) {
        Ok(()) => None,
        Err(Mismatch::NoImageIdentity) => Some("the image reference has no Docker identity (only exactReference/exactRepository can match)".into()),
        Err(Mismatch::InvalidSignedIdentity(e)) => Some(format!("the signed identity does not parse: {e}")),
        Err(Mismatch::Differs) if matches!(identity, SignedIdentity::MatchRepoDigestOrExact | SignedIdentity::MatchExact)
            && Named::parse_normalized(signed).is_ok_and(|n| n.is_name_only()) =>
        {
            Some("the signature names only a repository (as cosign does): use signedIdentity matchRepository".into())
        }
        Err(Mismatch::Differs) => Some("the signed identity does not satisfy signedIdentity".into()),
        Err(Mismatch::InvalidPolicyReference(e) | Mismatch::RemapFailed(e)) => Some(e),
    }
}

#[cfg(test)]
mod tests;
