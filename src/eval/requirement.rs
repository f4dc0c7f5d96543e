//! Requirement evaluation: c/image's `IsRunningImageAllowed` over one requirement list
//! (spec §4, §5.2), with an explanation of every step. Pure: the image arrives as
//! [`ImageFacts`], key files through [`KeyLoader`].
//!
//! Fail closed: every error on the way to "accepted" rejects. Requirements policyctl cannot
//! check (GPG `signedBy`, Fulcio, Rekor, PKI) reject with a message that says so.

use crate::compat::Compat;
use crate::eval::prm::matches_docker_reference;
use crate::policy::model::{
    KeySource, KeyType, Requirement, RequirementList, SignedIdentity, SigstoreSigned, SigstoreTrust,
};
use crate::reference::docker::Named;
use crate::signature::blob::{SIGNATURE_ANNOTATION, SIGSTORE_SIGNATURE_MIME_TYPE, Sigstore};
use crate::signature::keys::{LoadedKey, parse_pem_public_key_for};
use crate::signature::payload::parse_payload;
use crate::signature::verify::verify_sigstore;
use crate::signature::{Signature, SourcedSignature};

/// Reads key files (relative paths against the current directory, like c/image).
pub trait KeyLoader {
    /// The file's bytes, or Go's error text (`open P: no such file or directory`).
    fn read_key(&self, path: &str) -> Result<Vec<u8>, String>;

    /// The key file parsed as sigstore's `UnmarshalPEMToPublicKey` does: `Err` is the read
    /// error, `Ok(Err(e))` the parse error. Implementations may cache it per path and
    /// `compat`, so that a key file is parsed once per run instead of once per signature.
    fn parsed_key(&self, path: &str, compat: Compat) -> Result<Result<LoadedKey, String>, String> {
        self.read_key(path)
            .map(|pem| parse_pem_public_key_for(&pem, compat))
    }
}

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

/// How one signature fared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureOutcome {
    /// It satisfied the requirement.
    Accepted {
        fingerprint: String,
        key_index: usize,
        signed_identity: String,
        signed_digest: String,
    },
    /// It was examined and rejected.
    Rejected(String),
    /// Not looked at by this requirement (other format, attachment, or after an acceptance).
    Skipped(String),
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
    pub outcome: SignatureOutcome,
}

/// One requirement's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementResult {
    /// Index in the list.
    pub index: usize,
    /// `None`: accepted; `Some(reason)`: rejected with c/image's error text.
    pub rejection: Option<String>,
    /// Whether policyctl could not decide like c/image (unsupported verification).
    pub unsupported: bool,
    pub signatures: Vec<SignatureReport>,
}

/// The verdict for a requirement list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub allowed: bool,
    /// Results of the requirements evaluated, in order (evaluation stops at the first rejection).
    pub requirements: Vec<RequirementResult>,
}

impl Evaluation {
    /// c/image's error for a rejection (the first rejecting requirement's).
    pub fn reason(&self) -> Option<&str> {
        self.requirements
            .iter()
            .find_map(|r| r.rejection.as_deref())
    }
}

/// Evaluates `list` for the image (short-circuit AND in array order).
pub fn evaluate(
    list: &RequirementList,
    image: &ImageFacts<'_>,
    keys: &dyn KeyLoader,
    compat: Compat,
) -> Evaluation {
    let mut results = Vec::new();
    if list.items.is_empty() {
        results.push(RequirementResult {
            index: 0,
            rejection: Some("List of verification policy requirements must not be empty".into()),
            unsupported: false,
            signatures: vec![],
        });
        return Evaluation {
            allowed: false,
            requirements: results,
        };
    }
    for (index, req) in list.items.iter().enumerate() {
        let r = evaluate_one(index, &req.value, image, keys, compat);
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
) -> RequirementResult {
    let done = |rejection: Option<String>| RequirementResult {
        index,
        rejection,
        unsupported: false,
        signatures: vec![],
    };
    match req {
        Requirement::InsecureAcceptAnything => done(None),
        Requirement::Reject => done(Some(format!(
            "Running image {} is rejected by policy.",
            image.image_name
        ))),
        Requirement::SignedBaseLayer { .. } => {
            done(Some("signedBaseLayer not implemented yet!".into()))
        }
        Requirement::SignedBy(sb) => signed_by(index, sb.key_type, &sb.keys, image, keys),
        Requirement::SigstoreSigned(s) => sigstore_signed(index, s, image, keys, compat),
        #[allow(unreachable_patterns)]
        _ => RequirementResult {
            index,
            rejection: Some("policyctl does not know this requirement type".into()),
            unsupported: true,
            signatures: vec![],
        },
    }
}

/// Summarises rejections as c/image does (spec §4.4).
fn summarize(rejections: &[String], none_msg: String) -> String {
    match rejections {
        [] => none_msg,
        [one] => one.clone(),
        many => format!(
            "None of the signatures were accepted, reasons: {}",
            many.join("; ")
        ),
    }
}

/// The public keys of a `sigstoreSigned` requirement as c/image loads them for each
/// signature: every file is read (the first read error wins), then the first key that does
/// not parse rejects; no key at all is an internal inconsistency.
fn load_public_keys(
    src: &KeySource,
    keys: &dyn KeyLoader,
    compat: Compat,
) -> Result<Vec<LoadedKey>, String> {
    let parsed: Vec<Result<LoadedKey, String>> = match src {
        KeySource::Path(p) => vec![keys.parsed_key(&p.value, compat)?],
        KeySource::Paths(p) => p
            .value
            .iter()
            .map(|p| keys.parsed_key(p, compat))
            .collect::<Result<_, _>>()?,
        KeySource::Data(d) => match &d.value {
            Some(b) => vec![parse_pem_public_key_for(b, compat)],
            // `"keyData": null` leaves KeyData nil: c/image then reads KeyPath "".
            None => vec![keys.parsed_key("", compat)?],
        },
        KeySource::Datas(d) => d
            .value
            .iter()
            .map(|b| parse_pem_public_key_for(b, compat))
            .collect(),
    };
    let mut loaded = Vec::with_capacity(parsed.len());
    for (i, k) in parsed.into_iter().enumerate() {
        match k {
            Ok(k) => loaded.push(k),
            Err(e) => {
                return Err(match compat {
                    Compat::V5_23 => format!("parsing public key: {e}"),
                    Compat::Current => format!("parsing public key {}: {e}", i + 1),
                });
            }
        }
    }
    if loaded.is_empty() {
        return Err(r#"Internal inconsistency: "keyPath", "keyPaths", "keyData" and "keyDatas" produced no public keys"#.into());
    }
    Ok(loaded)
}

fn read_source(src: &KeySource, keys: &dyn KeyLoader) -> Result<Vec<Vec<u8>>, String> {
    match src {
        KeySource::Path(p) => keys.read_key(&p.value).map(|d| vec![d]),
        KeySource::Paths(p) => p.value.iter().map(|p| keys.read_key(p)).collect(),
        KeySource::Data(d) => match &d.value {
            Some(b) => Ok(vec![b.clone()]),
            // `"keyData": null` leaves KeyData nil: c/image then reads KeyPath "".
            None => keys.read_key("").map(|d| vec![d]),
        },
        KeySource::Datas(d) => Ok(d.value.clone()),
    }
}

fn signed_by(
    index: usize,
    key_type: KeyType,
    src: &KeySource,
    image: &ImageFacts<'_>,
    keys: &dyn KeyLoader,
) -> RequirementResult {
    let sigs = match image.signatures {
        Ok(s) => s,
        Err(e) => {
            return RequirementResult {
                index,
                rejection: Some(e.to_owned()),
                unsupported: false,
                signatures: vec![],
            };
        }
    };
    let mut reports = Vec::new();
    let mut rejections = Vec::new();
    let mut unsupported = false;
    for SourcedSignature {
        signature: sig,
        origin,
    } in sigs
    {
        let Signature::SimpleSigning(_) = sig else {
            reports.push(SignatureReport {
                origin: origin.clone(),
                format: sig.format().into(),
                claimed_identity: None,
                claimed_digest: None,
                outcome: SignatureOutcome::Skipped(
                    "not a simple-signing signature: signedBy does not see it".into(),
                ),
            });
            continue;
        };
        let reason = match key_type {
            KeyType::GpgKeys => match read_source(src, keys) {
                Err(e) => e,
                Ok(_) => {
                    unsupported = true;
                    "policyctl cannot verify simple-signing (GPG) signatures yet: rejected; containers/image might accept it".into()
                }
            },
            other => format!("Unimplemented \"keyType\" value \"{}\"", other.as_str()),
        };
        reports.push(SignatureReport {
            origin: origin.clone(),
            format: "simple-signing".into(),
            claimed_identity: None,
            claimed_digest: None,
            outcome: SignatureOutcome::Rejected(reason.clone()),
        });
        rejections.push(reason);
    }
    let summary = summarize(
        &rejections,
        "A signature was required, but no signature exists".into(),
    );
    RequirementResult {
        index,
        rejection: Some(summary),
        unsupported,
        signatures: reports,
    }
}

fn sigstore_signed(
    index: usize,
    req: &SigstoreSigned,
    image: &ImageFacts<'_>,
    keys: &dyn KeyLoader,
    compat: Compat,
) -> RequirementResult {
    let sigs = match image.signatures {
        Ok(s) => s,
        Err(e) => {
            return RequirementResult {
                index,
                rejection: Some(e.to_owned()),
                unsupported: false,
                signatures: vec![],
            };
        }
    };
    let mut reports = Vec::new();
    let mut rejections = Vec::new();
    let (mut non_sigstore, mut attachments) = (0, 0);
    let mut unsupported = false;
    let mut accepted = false;
    let mut public_keys = None;
    for SourcedSignature {
        signature: sig,
        origin,
    } in sigs
    {
        let report = |outcome, claimed: Option<(String, String)>| SignatureReport {
            origin: origin.clone(),
            format: sig.format().into(),
            claimed_identity: claimed.as_ref().map(|c| c.0.clone()),
            claimed_digest: claimed.map(|c| c.1),
            outcome,
        };
        if accepted {
            reports.push(report(
                SignatureOutcome::Skipped("not examined: an earlier signature was accepted".into()),
                None,
            ));
            continue;
        }
        let Signature::Sigstore(s) = sig else {
            non_sigstore += 1;
            reports.push(report(
                SignatureOutcome::Skipped(
                    "not a sigstore signature: sigstoreSigned does not see it".into(),
                ),
                None,
            ));
            continue;
        };
        if s.mime_type != SIGSTORE_SIGNATURE_MIME_TYPE {
            attachments += 1;
            reports.push(report(
                SignatureOutcome::Skipped(format!(
                    "a sigstore attachment of type {:?}, not a signature",
                    s.mime_type
                )),
                None,
            ));
            continue;
        }
        let claimed = parse_payload(&s.payload, compat)
            .ok()
            .map(|p| (p.docker_reference, p.manifest_digest));
        match signature_accepted(req, s, image, keys, &mut public_keys, compat) {
            Ok(outcome) => {
                accepted = true;
                reports.push(report(outcome, claimed));
            }
            Err((reason, unsup)) => {
                unsupported |= unsup;
                reports.push(report(SignatureOutcome::Rejected(reason.clone()), claimed));
                rejections.push(reason);
            }
        }
    }
    if accepted {
        return RequirementResult {
            index,
            rejection: None,
            unsupported: false,
            signatures: reports,
        };
    }
    let none = if non_sigstore == 0 && attachments == 0 {
        "A signature was required, but no signature exists".to_owned()
    } else {
        format!(
            "A signature was required, but no signature exists ({non_sigstore} non-sigstore signatures, {attachments} sigstore non-signature attachments)"
        )
    };
    RequirementResult {
        index,
        rejection: Some(summarize(&rejections, none)),
        unsupported,
        signatures: reports,
    }
}

/// `prSigstoreSigned.isSignatureAccepted` for key-based trust.
fn signature_accepted(
    req: &SigstoreSigned,
    s: &Sigstore,
    image: &ImageFacts<'_>,
    keys: &dyn KeyLoader,
    public_keys: &mut Option<Result<Vec<LoadedKey>, String>>,
    compat: Compat,
) -> Result<SignatureOutcome, (String, bool)> {
    let plain = |e: String| (e, false);
    let src = match (&req.trust, &req.rekor) {
        (SigstoreTrust::PublicKeys(src), None) => src,
        (SigstoreTrust::PublicKeys(_), Some(_)) => {
            return Err(("policyctl cannot verify Rekor SETs yet (rekorPublicKey*): rejected; containers/image might accept it".into(), true));
        }
        (SigstoreTrust::Fulcio(_), _) => {
            return Err(("policyctl cannot verify Fulcio (keyless) signatures yet: rejected; containers/image might accept it".into(), true));
        }
        (SigstoreTrust::Pki(_), _) => {
            return Err(("policyctl cannot verify PKI (X.509) sigstore signatures yet: rejected; containers/image might accept it".into(), true));
        }
    };
    // Loaded once per requirement and image, not once per signature (the same for each).
    let loaded = match public_keys.get_or_insert_with(|| load_public_keys(src, keys, compat)) {
        Ok(k) => &*k,
        Err(e) => return Err(plain(e.clone())),
    };
    let Some(b64) = s.annotations.get(SIGNATURE_ANNOTATION) else {
        return Err(plain(format!("missing {SIGNATURE_ANNOTATION} annotation")));
    };
    let verified = verify_sigstore(loaded, &s.payload, b64, compat).map_err(|e| plain(e.0))?;
    let payload = parse_payload(verified.payload(), compat).map_err(plain)?;
    let manifest_digest = image
        .manifest_digest
        .as_ref()
        .map_err(|e| plain(e.clone()))?;
    if &payload.manifest_digest != manifest_digest {
        return Err(plain(format!(
            "Signature for digest {} does not match",
            payload.manifest_digest
        )));
    }
    if let Err(_why) = matches_docker_reference(
        &req.signed_identity.value,
        image.docker_reference,
        &payload.docker_reference,
    ) {
        let shown = match compat {
            Compat::V5_23 => payload.docker_reference.clone(),
            Compat::Current => crate::json::gofmt::quote(&payload.docker_reference),
        };
        return Err(plain(format!(
            "Signature for identity {shown} is not accepted"
        )));
    }
    Ok(SignatureOutcome::Accepted {
        fingerprint: verified.fingerprint().to_owned(),
        key_index: verified.key_index(),
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
