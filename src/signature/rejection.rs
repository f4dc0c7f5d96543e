//! Why a requirement or a signature was not accepted, as a type.
//!
//! Decisions (the exit code, the identity hint, "cannot verify yet") are made on the variant;
//! `Display` is containers/image's exact error text, so explanations and differential tests
//! compare byte for byte with skopeo and the c/image oracle.

use std::fmt;

use serde::Serialize;

use super::keys::KeyError;
use super::openpgp::Invalid;
use super::payload::PayloadError;
use super::verifier::KeyFileError;

/// A trust root or requirement policyctl cannot verify yet. Rejecting is the fail-closed
/// answer, but containers/image might accept: the explanation must say so, apart from real
/// rejections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unsupported {
    /// A requirement type this version of policyctl does not know.
    Requirement,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unsupported::Requirement => "policyctl does not know this requirement type",
        })
    }
}

/// A rejection; `Display` is c/image's text for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// An empty requirement list.
    EmptyRequirementList,
    /// `reject`, for the image named (`transports.ImageName`).
    PolicyReject { image_name: String },
    /// `signedBaseLayer` (never implemented by c/image).
    SignedBaseLayer,
    /// The image's signatures could not be read (the store's error text).
    SignaturesUnreadable(String),
    /// The evaluated manifest's digest could not be computed (its error text).
    ManifestDigest(String),
    /// A key file could not be read (Go's error text).
    KeyFile(KeyFileError),
    /// A public key did not parse; `index` is 1-based under current c/image, absent in 5.23.
    KeyParse {
        index: Option<usize>,
        error: KeyError,
    },
    /// The key sources produced no key (an internal inconsistency in c/image).
    NoPublicKeys,
    /// A Rekor key did not load (`parsing Rekor public key N: …`, `… is not using ECDSA`).
    RekorKey(String),
    /// `signedBy`: the keyring sources imported no key.
    NoPublicKeysImported,
    /// `signedBy`: GnuPG could not process the message (GPGME's error; c/image returns its
    /// text, which a port cannot reproduce byte for byte).
    GpgUnreadable(String),
    /// `signedBy`: not exactly one signature in the message.
    GpgSignatureCount(usize),
    /// `signedBy`: one signature, not valid (GnuPG's reason; c/image prints a struct dump
    /// after the same prefix).
    GpgInvalid(Invalid),
    /// `signedBy`: the signing key is not one of the trusted identities (5.23: a subkey
    /// signature; current c/image maps subkeys to their primary key first).
    GpgKeyNotAccepted {
        key: String,
        primary: Option<String>,
    },
    /// `signedBy` with a `keyType` c/image does not implement.
    UnimplementedKeyType(String),
    /// A sigstore signature without its signature annotation.
    MissingSignatureAnnotation { annotation: &'static str },
    /// The cryptographic check failed (base64 or signature; the verifier's text).
    Cryptographic(String),
    /// The authenticated payload did not parse (its error text).
    Payload(PayloadError),
    /// The signed digest is not the evaluated manifest's.
    DigestMismatch { signed_digest: String },
    /// The signed identity does not satisfy `signedIdentity`; `shown` is the identity as
    /// c/image prints it (quoted by current c/image), `signed_identity` the raw one.
    IdentityNotAccepted {
        shown: String,
        signed_identity: String,
    },
    /// No signature the requirement looks at; counts of what it skipped (sigstore only).
    NoSignature {
        non_sigstore: usize,
        attachments: usize,
    },
    /// Several signatures, each rejected.
    NoneAccepted(Vec<Rejection>),
    /// policyctl cannot verify this yet (see [`Unsupported`]).
    Unsupported(Unsupported),
    /// A Fulcio or PKI signature failed at `step` (c/image's text). `unsupported`: the
    /// chain needs a check policyctl does not make (rejected; c/image might accept).
    Certificate {
        step: CertificateStep,
        message: String,
        unsupported: bool,
    },
}

/// The step of Fulcio/PKI verification that failed, in c/image's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificateStep {
    /// Loading the policy's CA certificates (or Rekor keys).
    TrustRoot,
    /// The Rekor SET (Fulcio): signature, entry, binding to certificate and payload.
    RekorSet,
    /// The chain annotation did not parse.
    ChainAnnotation,
    /// The certificate annotation did not parse (or held not exactly one certificate).
    LeafCertificate,
    /// The chain to the trusted roots (Go's `Certificate.Verify`).
    Chain,
    /// The OIDC issuer extensions (Fulcio).
    OidcIssuer,
    /// `subjectEmail` is not among the certificate's e-mail SANs.
    SubjectEmail,
    /// `subjectHostname` does not match (PKI).
    SubjectHostname,
    /// The certificate's public key cannot verify signatures here.
    PublicKey,
}

impl CertificateStep {
    /// A stable machine name (JSON `reason_kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStep::TrustRoot => "certificate-trust-root",
            CertificateStep::RekorSet => "certificate-rekor-set",
            CertificateStep::ChainAnnotation => "certificate-chain-annotation",
            CertificateStep::LeafCertificate => "certificate-leaf",
            CertificateStep::Chain => "certificate-chain",
            CertificateStep::OidcIssuer => "certificate-oidc-issuer",
            CertificateStep::SubjectEmail => "certificate-subject-email",
            CertificateStep::SubjectHostname => "certificate-subject-hostname",
            CertificateStep::PublicKey => "certificate-public-key",
        }
    }
}

impl Rejection {
    /// c/image's summary of per-signature rejections (spec §4.4): none → `none`, one → itself,
    /// several → "None of the signatures were accepted".
    pub fn summarize(mut rejections: Vec<Rejection>, none: Rejection) -> Rejection {
        match rejections.len() {
            0 => none,
            1 => rejections.remove(0),
            _ => Rejection::NoneAccepted(rejections),
        }
    }

    /// Whether policyctl rejected only because it cannot verify something yet (here or in any
    /// signature's rejection): containers/image might accept.
    pub fn is_unsupported(&self) -> bool {
        match self {
            Rejection::Unsupported(_) => true,
            Rejection::Certificate { unsupported, .. } => *unsupported,
            Rejection::NoneAccepted(v) => v.iter().any(Rejection::is_unsupported),
            _ => false,
        }
    }

    /// Where c/image builds with another OpenPGP backend than GPGME would decide differently
    /// (spec §11.6), for explanations.
    pub fn backend_note(&self) -> Option<&'static str> {
        match self {
            Rejection::GpgInvalid(i) => i.backend_note(),
            Rejection::GpgSignatureCount(n) if *n > 1 => {
                Some(super::openpgp::message::NOTE_SEVERAL)
            }
            _ => None,
        }
    }

    /// A stable machine name for the variant (JSON `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Rejection::EmptyRequirementList => "empty-requirement-list",
            Rejection::PolicyReject { .. } => "policy-reject",
            Rejection::SignedBaseLayer => "signed-base-layer",
            Rejection::SignaturesUnreadable(_) => "signatures-unreadable",
            Rejection::ManifestDigest(_) => "manifest-digest",
            Rejection::KeyFile(_) => "key-file",
            Rejection::KeyParse { .. } => "key-parse",
            Rejection::NoPublicKeys => "no-public-keys",
            Rejection::UnimplementedKeyType(_) => "unimplemented-key-type",
            Rejection::NoPublicKeysImported => "no-public-keys-imported",
            Rejection::RekorKey(_) => "rekor-key",
            Rejection::GpgUnreadable(_) => "gpg-unreadable",
            Rejection::GpgSignatureCount(_) => "gpg-signature-count",
            Rejection::GpgInvalid(_) => "gpg-invalid",
            Rejection::GpgKeyNotAccepted { .. } => "gpg-key-not-accepted",
            Rejection::MissingSignatureAnnotation { .. } => "missing-signature-annotation",
            Rejection::Cryptographic(_) => "cryptographic",
            Rejection::Payload(_) => "payload",
            Rejection::DigestMismatch { .. } => "digest-mismatch",
            Rejection::IdentityNotAccepted { .. } => "identity-not-accepted",
            Rejection::NoSignature { .. } => "no-signature",
            Rejection::NoneAccepted(_) => "none-accepted",
            Rejection::Unsupported(_) => "unsupported",
            Rejection::Certificate { step, .. } => step.as_str(),
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::EmptyRequirementList => {
                f.write_str("List of verification policy requirements must not be empty")
            }
            Rejection::PolicyReject { image_name } => {
                write!(f, "Running image {image_name} is rejected by policy.")
            }
            Rejection::SignedBaseLayer => f.write_str("signedBaseLayer not implemented yet!"),
            Rejection::SignaturesUnreadable(e)
            | Rejection::ManifestDigest(e)
            | Rejection::Cryptographic(e) => f.write_str(e),
            Rejection::KeyFile(e) => write!(f, "{e}"),
            Rejection::Payload(e) => write!(f, "{e}"),
            Rejection::KeyParse {
                index: Some(i),
                error,
            } => write!(f, "parsing public key {i}: {error}"),
            Rejection::KeyParse { index: None, error } => {
                write!(f, "parsing public key: {error}")
            }
            Rejection::NoPublicKeys => f.write_str(
                r#"Internal inconsistency: "keyPath", "keyPaths", "keyData" and "keyDatas" produced no public keys"#,
            ),
            Rejection::UnimplementedKeyType(t) => write!(f, "Unimplemented \"keyType\" value \"{t}\""),
            Rejection::NoPublicKeysImported => f.write_str("No public keys imported"),
            Rejection::RekorKey(e) => f.write_str(e),
            Rejection::GpgUnreadable(e) => f.write_str(e),
            Rejection::GpgSignatureCount(n) => write!(f, "Unexpected GPG signature count {n}"),
            Rejection::GpgInvalid(i) => write!(f, "Invalid GPG signature: {i}"),
            Rejection::GpgKeyNotAccepted { key, primary: None } => {
                write!(f, "Signature by key {key} is not accepted")
            }
            Rejection::GpgKeyNotAccepted {
                key,
                primary: Some(p),
            } => write!(f, "signature by key {key} of {p} is not accepted"),
            Rejection::MissingSignatureAnnotation { annotation } => {
                write!(f, "missing {annotation} annotation")
            }
            Rejection::DigestMismatch { signed_digest } => {
                write!(f, "Signature for digest {signed_digest} does not match")
            }
            Rejection::IdentityNotAccepted { shown, .. } => {
                write!(f, "Signature for identity {shown} is not accepted")
            }
            Rejection::NoSignature {
                non_sigstore: 0,
                attachments: 0,
            } => f.write_str("A signature was required, but no signature exists"),
            Rejection::NoSignature {
                non_sigstore,
                attachments,
            } => write!(
                f,
                "A signature was required, but no signature exists ({non_sigstore} non-sigstore signatures, {attachments} sigstore non-signature attachments)"
            ),
            Rejection::NoneAccepted(v) => {
                f.write_str("None of the signatures were accepted, reasons: ")?;
                for (i, r) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{r}")?;
                }
                Ok(())
            }
            Rejection::Unsupported(u) => write!(f, "{u}"),
            Rejection::Certificate { message, .. } => f.write_str(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_and_unsupported() {
        let none = Rejection::NoSignature {
            non_sigstore: 0,
            attachments: 0,
        };
        assert_eq!(Rejection::summarize(vec![], none.clone()), none);
        let one = Rejection::DigestMismatch {
            signed_digest: "sha256:1".into(),
        };
        assert_eq!(Rejection::summarize(vec![one.clone()], none.clone()), one);
        let two = Rejection::summarize(
            vec![
                one.clone(),
                Rejection::Unsupported(Unsupported::Requirement),
            ],
            none.clone(),
        );
        assert_eq!(
            two.to_string(),
            "None of the signatures were accepted, reasons: Signature for digest sha256:1 does not match; policyctl does not know this requirement type"
        );
        assert!(two.is_unsupported());
        assert!(!one.is_unsupported());
        assert!(!Rejection::NoneAccepted(vec![one.clone(), one]).is_unsupported());
        assert_eq!(
            Rejection::NoSignature {
                non_sigstore: 1,
                attachments: 0
            }
            .to_string(),
            "A signature was required, but no signature exists (1 non-sigstore signatures, 0 sigstore non-signature attachments)"
        );
        assert_eq!(
            Rejection::KeyParse {
                index: Some(2),
                error: "e".into()
            }
            .to_string(),
            "parsing public key 2: e"
        );
        assert_eq!(
            Rejection::KeyParse {
                index: None,
                error: "e".into()
            }
            .to_string(),
            "parsing public key: e"
        );
    }
}
