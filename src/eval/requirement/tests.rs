//! Spec §4 and §9.4 scenarios with signatures from our own test signer.

use crate::signature::openpgp::VerificationTime;
use std::collections::HashMap;

use super::*;
use crate::policy::parse::parse_policy;
use crate::signature::blob::SIGNATURE_ANNOTATION;
use crate::signature::payload::make_payload;
use crate::signature::rejection::CertificateStep;
use crate::signature::sign::{p256_key_from_seed, p256_public_pem, sigstore_signature};
use crate::signature::verifier::KeyFileError;

const DIGEST: &str = "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";

struct Keys(HashMap<String, Vec<u8>>);
impl KeyLoader for Keys {
    fn read_key(&self, path: &str) -> Result<Vec<u8>, KeyFileError> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| format!("open {path}: no such file or directory").into())
    }
}

fn keys() -> Keys {
    let mut m = HashMap::new();
    m.insert(
        "/k.pub".to_owned(),
        p256_public_pem(&p256_key_from_seed("k")).into_bytes(),
    );
    m.insert(
        "/other.pub".to_owned(),
        p256_public_pem(&p256_key_from_seed("other")).into_bytes(),
    );
    m.insert("/garbage.pub".to_owned(), b"not a key".to_vec());
    m.insert(
        "/ca.pem".to_owned(),
        include_bytes!("../../../testdata/upstream-sigstore/fulcio_v1.crt.pem").to_vec(),
    );
    m.insert(
        "/r.pub".to_owned(),
        p256_public_pem(&p256_key_from_seed("rekor")).into_bytes(),
    );
    Keys(m)
}

fn list(json: &str, compat: Compat) -> RequirementList {
    let p = parse_policy(format!(r#"{{"default":{json}}}"#).as_bytes(), compat)
        .unwrap_or_else(|e| panic!("{}", e.message));
    p.default
}

fn sig(seed: &str, identity: &str, digest: &str) -> SourcedSignature {
    let s = sigstore_signature(
        &p256_key_from_seed(seed),
        make_payload(identity, digest, None),
    );
    SourcedSignature {
        signature: Signature::Sigstore(s),
        origin: "signature-1".into(),
    }
}

/// `sig` with a (fake) Rekor bundle annotation: what Rekor and Fulcio trust roots look for.
fn sig_with_bundle(seed: &str, identity: &str, digest: &str) -> SourcedSignature {
    let mut s = sig(seed, identity, digest);
    if let Signature::Sigstore(sg) = &mut s.signature {
        sg.annotations.insert(
            crate::signature::blob::BUNDLE_ANNOTATION.to_owned(),
            "{}".to_owned(),
        );
    }
    s
}

fn run(req: &str, image: &str, sigs: &[SourcedSignature], compat: Compat) -> Evaluation {
    let named = Named::parse_normalized(image).unwrap().with_default_tag();
    let digest = Ok(DIGEST.to_owned());
    let facts = ImageFacts {
        image_name: "docker://example",
        docker_reference: Some(&named),
        manifest_digest: &digest,
        signatures: Ok(sigs),
    };
    evaluate(&list(req, compat), &facts, &keys(), compat, NOW)
}

const SIGSTORE_REPO: &str =
    r#"[{"type":"sigstoreSigned","keyPath":"/k.pub","signedIdentity":{"type":"matchRepository"}}]"#;
const SIGSTORE_DEFAULT: &str = r#"[{"type":"sigstoreSigned","keyPath":"/k.pub"}]"#;

#[test]
fn simple_requirements() {
    let e = run(
        r#"[{"type":"insecureAcceptAnything"}]"#,
        "busybox",
        &[],
        Compat::V5_23,
    );
    assert!(e.allowed);
    let e = run(
        r#"[{"type":"insecureAcceptAnything"},{"type":"reject"}]"#,
        "busybox",
        &[],
        Compat::V5_23,
    );
    assert!(!e.allowed);
    assert_eq!(
        e.reason().as_deref(),
        Some("Running image docker://example is rejected by policy.")
    );
    assert_eq!(e.requirements.len(), 2);
    let e = run(
        r#"[{"type":"reject"},{"type":"insecureAcceptAnything"}]"#,
        "busybox",
        &[],
        Compat::V5_23,
    );
    assert_eq!(e.requirements.len(), 1, "short-circuit AND");
    let e = run(
        r#"[{"type":"signedBaseLayer","baseLayerIdentity":{"type":"matchRepository"}}]"#,
        "busybox",
        &[],
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some("signedBaseLayer not implemented yet!")
    );
}

#[test]
fn cosign_style_signature() {
    let s = [sig("k", "example.com/app", DIGEST)];
    let e = run(SIGSTORE_REPO, "example.com/app:1", &s, Compat::V5_23);
    assert!(e.allowed, "{e:?}");
    let SignatureOutcome::Accepted(a) = &e.requirements[0].signatures[0].outcome else {
        panic!()
    };
    assert_eq!(a.signed_identity, "example.com/app");
    assert!(matches!(a.signer, Signer::Key { index: 0, .. }));
    // The default signedIdentity rejects repository-only identities (tag pulls).
    let e = run(SIGSTORE_DEFAULT, "example.com/app:1", &s, Compat::V5_23);
    assert_eq!(
        e.reason().as_deref(),
        Some("Signature for identity example.com/app is not accepted")
    );
    let e = run(SIGSTORE_DEFAULT, "example.com/app:1", &s, Compat::Current);
    assert_eq!(
        e.reason().as_deref(),
        Some("Signature for identity \"example.com/app\" is not accepted")
    );
    // Another repository.
    let e = run(SIGSTORE_REPO, "example.com/other:1", &s, Compat::V5_23);
    assert!(!e.allowed);
}

#[test]
fn tampering_rejects() {
    // Signature for another digest.
    let other = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let e = run(
        SIGSTORE_REPO,
        "example.com/app:1",
        &[sig("k", "example.com/app", other)],
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some(format!("Signature for digest {other} does not match").as_str())
    );
    // Wrong key.
    let e = run(
        SIGSTORE_REPO,
        "example.com/app:1",
        &[sig("other", "example.com/app", DIGEST)],
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some(
            "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature"
        )
    );
    // Edited payload.
    let mut s = sig("k", "example.com/app", DIGEST);
    if let Signature::Sigstore(x) = &mut s.signature {
        x.payload = make_payload("example.com/evil", DIGEST, None);
    }
    assert!(
        run(SIGSTORE_REPO, "example.com/evil:1", &[s], Compat::V5_23)
            .reason()
            .as_deref()
            .unwrap()
            .starts_with("cryptographic")
    );
    // Garbled and missing annotation.
    let mut s = sig("k", "example.com/app", DIGEST);
    if let Signature::Sigstore(x) = &mut s.signature {
        x.annotations
            .insert(SIGNATURE_ANNOTATION.into(), "!!".into());
    }
    assert_eq!(
        run(
            SIGSTORE_REPO,
            "example.com/app:1",
            &[s.clone()],
            Compat::V5_23
        )
        .reason()
        .as_deref(),
        Some("base64 decoding: illegal base64 data at input byte 0")
    );
    if let Signature::Sigstore(x) = &mut s.signature {
        x.annotations.clear();
    }
    assert_eq!(
        run(SIGSTORE_REPO, "example.com/app:1", &[s], Compat::V5_23)
            .reason()
            .as_deref(),
        Some("missing dev.cosignproject.cosign/signature annotation")
    );
}

#[test]
fn summaries() {
    let e = run(SIGSTORE_REPO, "example.com/app:1", &[], Compat::V5_23);
    assert_eq!(
        e.reason().as_deref(),
        Some("A signature was required, but no signature exists")
    );
    let gpg = SourcedSignature {
        signature: Signature::SimpleSigning(vec![0xa3]),
        origin: "signature-1".into(),
    };
    let mut att = sig("k", "example.com/app", DIGEST);
    if let Signature::Sigstore(x) = &mut att.signature {
        x.mime_type = "text/plain".into();
    }
    let e = run(
        SIGSTORE_REPO,
        "example.com/app:1",
        &[gpg.clone(), att],
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some(
            "A signature was required, but no signature exists (1 non-sigstore signatures, 1 sigstore non-signature attachments)"
        )
    );
    let bad = sig("other", "example.com/app", DIGEST);
    let good = sig("k", "example.com/app", DIGEST);
    assert!(
        run(
            SIGSTORE_REPO,
            "example.com/app:1",
            &[bad.clone(), good.clone()],
            Compat::V5_23
        )
        .allowed
    );
    let e = run(
        SIGSTORE_REPO,
        "example.com/app:1",
        &[bad.clone(), bad],
        Compat::V5_23,
    );
    assert!(
        e.reason()
            .as_deref()
            .unwrap()
            .starts_with("None of the signatures were accepted, reasons: cryptographic")
    );
    // signedBy with a PEM key: GnuPG imports nothing, a certain rejection.
    let e = run(
        r#"[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.pub"}]"#,
        "busybox",
        &[gpg],
        Compat::V5_23,
    );
    assert!(!e.allowed);
    assert!(!e.requirements[0].unsupported());
    assert_eq!(e.reason().as_deref(), Some("No public keys imported"));
    let e = run(
        r#"[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.pub"}]"#,
        "busybox",
        &[good],
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some("A signature was required, but no signature exists")
    );
}

#[test]
fn key_problems_reject_per_signature() {
    let s = [sig("k", "example.com/app", DIGEST)];
    let e = run(
        r#"[{"type":"sigstoreSigned","keyPath":"/missing.pub"}]"#,
        "example.com/app:1",
        &s,
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some("open /missing.pub: no such file or directory")
    );
    let e = run(
        r#"[{"type":"sigstoreSigned","keyPath":"/garbage.pub"}]"#,
        "example.com/app:1",
        &s,
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some("parsing public key: PEM decoding failed")
    );
    let e = run(
        r#"[{"type":"sigstoreSigned","keyPaths":["/other.pub","/garbage.pub"]}]"#,
        "example.com/app:1",
        &s,
        Compat::Current,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some("parsing public key 2: PEM decoding failed")
    );
    let e = run(
        r#"[{"type":"sigstoreSigned","keyPaths":["/other.pub","/k.pub"],"signedIdentity":{"type":"matchRepository"}}]"#,
        "example.com/app:1",
        &s,
        Compat::Current,
    );
    assert!(e.allowed);
    // Without candidate signatures the key is never read.
    let e = run(
        r#"[{"type":"sigstoreSigned","keyPath":"/missing.pub"}]"#,
        "example.com/app:1",
        &[],
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().as_deref(),
        Some("A signature was required, but no signature exists")
    );
}

#[test]
fn unreadable_signatures_and_digest_errors() {
    let named = Named::parse_normalized("example.com/app:1").unwrap();
    let digest = Ok(DIGEST.to_owned());
    let facts = ImageFacts {
        image_name: "x",
        docker_reference: Some(&named),
        manifest_digest: &digest,
        signatures: Err("boom"),
    };
    let e = evaluate(
        &list(SIGSTORE_REPO, Compat::V5_23),
        &facts,
        &keys(),
        Compat::V5_23,
        NOW,
    );
    assert_eq!(e.reason().as_deref(), Some("boom"));
    let e = evaluate(
        &list(r#"[{"type":"insecureAcceptAnything"}]"#, Compat::V5_23),
        &facts,
        &keys(),
        Compat::V5_23,
        NOW,
    );
    assert!(e.allowed, "insecureAcceptAnything reads nothing");
    let bad_digest = Err("manifest digest error".to_owned());
    let s = [sig("k", "example.com/app", DIGEST)];
    let facts = ImageFacts {
        image_name: "x",
        docker_reference: Some(&named),
        manifest_digest: &bad_digest,
        signatures: Ok(&s),
    };
    let e = evaluate(
        &list(SIGSTORE_REPO, Compat::V5_23),
        &facts,
        &keys(),
        Compat::V5_23,
        NOW,
    );
    assert_eq!(e.reason().as_deref(), Some("manifest digest error"));
}

/// Fulcio signatures are verified (issue 12): a bundle that is no Rekor SET rejects for
/// certain, at the Rekor step, before the certificate is looked at.
#[test]
fn fulcio_rejects_at_the_rekor_step() {
    let mut s = sig_with_bundle("k", "example.com/app", DIGEST);
    if let Signature::Sigstore(sg) = &mut s.signature {
        sg.annotations.insert(
            crate::signature::blob::CERTIFICATE_ANNOTATION.to_owned(),
            "-----BEGIN CERTIFICATE-----".to_owned(),
        );
    }
    let s = [s];
    let e = run(
        r#"[{"type":"sigstoreSigned","fulcio":{"caPath":"/ca.pem","oidcIssuer":"https://issuer.example","subjectEmail":"a@example.com"},"rekorPublicKeyPath":"/r.pub","signedIdentity":{"type":"matchRepository"}}]"#,
        "example.com/app:1",
        &s,
        Compat::Current,
    );
    assert!(!e.allowed);
    assert!(!e.requirements[0].unsupported());
    assert!(matches!(
        e.requirements[0].rejection.as_ref(),
        Some(Rejection::Certificate {
            step: CertificateStep::RekorSet,
            ..
        })
    ));
}

/// Issue 8 defect 10: the keys of a requirement are read and parsed once per image, not once
/// per signature (a pathological key file used to be parsed for each of 1,024 signatures).
#[test]
fn keys_are_loaded_once_per_requirement() {
    struct Counting(Keys, std::cell::Cell<usize>);
    impl KeyLoader for Counting {
        fn read_key(&self, path: &str) -> Result<Vec<u8>, KeyFileError> {
            self.1.set(self.1.get() + 1);
            self.0.read_key(path)
        }
    }
    let named = Named::parse_normalized("busybox")
        .unwrap()
        .with_default_tag();
    let digest = Ok(DIGEST.to_owned());
    let sigs: Vec<_> = (0..5)
        .map(|_| sig("other", "docker.io/library/busybox", DIGEST))
        .collect();
    let facts = ImageFacts {
        image_name: "docker://busybox",
        docker_reference: Some(&named),
        manifest_digest: &digest,
        signatures: Ok(&sigs),
    };
    for (req, reason) in [
        (SIGSTORE_REPO, "cryptographic signature verification failed"),
        (
            r#"[{"type":"sigstoreSigned","keyPath":"/garbage.pub","signedIdentity":{"type":"matchRepository"}}]"#,
            "parsing public key 1: PEM decoding failed",
        ),
        (
            r#"[{"type":"sigstoreSigned","keyPath":"/missing.pub","signedIdentity":{"type":"matchRepository"}}]"#,
            "open /missing.pub: no such file or directory",
        ),
    ] {
        let loader = Counting(keys(), std::cell::Cell::new(0));
        let e = evaluate(
            &list(req, Compat::Current),
            &facts,
            &loader,
            Compat::Current,
            NOW,
        );
        assert!(!e.allowed);
        let r = &e.requirements[0];
        assert_eq!(r.signatures.len(), 5);
        for s in &r.signatures {
            match &s.outcome {
                SignatureOutcome::Rejected(why) => {
                    assert!(why.to_string().starts_with(reason), "{why}")
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(loader.1.get(), 1, "{req}: key file read once");
    }
}

/// Issue 9: decisions are typed. Each scenario names the variant it must produce (its text is
/// c/image's and is asserted by the tests above and the differential tests).
#[test]
fn rejections_are_typed() {
    let good = sig("k", "example.com/app", DIGEST);
    let gpg = SourcedSignature {
        signature: Signature::SimpleSigning(b"\x8c\x0d".to_vec()),
        origin: "signature-2".into(),
    };
    type Case = (
        &'static str,
        &'static str,
        Vec<SourcedSignature>,
        fn(&Rejection) -> bool,
    );
    let cases: Vec<Case> = vec![
        (
            SIGSTORE_REPO,
            "example.com/other:1",
            vec![good.clone()],
            |r| matches!(r, Rejection::IdentityNotAccepted { signed_identity, .. } if signed_identity == "example.com/app"),
        ),
        (
            r#"[{"type":"sigstoreSigned","keyPath":"/k.pub","rekorPublicKeyPath":"/r.pub","signedIdentity":{"type":"matchRepository"}}]"#,
            "example.com/app:1",
            vec![sig_with_bundle("k", "example.com/app", DIGEST)],
            // Keys with Rekor are verified: a bundle that is no SET rejects.
            |r| matches!(r, Rejection::Cryptographic(e) if e.starts_with("No public key verified against the RekorSET: ")),
        ),
        // Issue 10: without the SET annotation c/image rejects for certain: never "might
        // accept".
        (
            r#"[{"type":"sigstoreSigned","keyPath":"/k.pub","rekorPublicKeyPath":"/r.pub","signedIdentity":{"type":"matchRepository"}}]"#,
            "example.com/app:1",
            vec![good.clone()],
            |r| {
                matches!(r, Rejection::MissingSignatureAnnotation { annotation }
                    if *annotation == crate::signature::blob::BUNDLE_ANNOTATION)
            },
        ),
        (
            r#"[{"type":"sigstoreSigned","fulcio":{"caPath":"/ca.pem","oidcIssuer":"https://issuer.example","subjectEmail":"a@example.com"},"rekorPublicKeyPath":"/r.pub","signedIdentity":{"type":"matchRepository"}}]"#,
            "example.com/app:1",
            vec![sig_with_bundle("k", "example.com/app", DIGEST)],
            |r| {
                matches!(r, Rejection::MissingSignatureAnnotation { annotation }
                    if *annotation == crate::signature::blob::CERTIFICATE_ANNOTATION)
            },
        ),
        (
            r#"[{"type":"sigstoreSigned","pki":{"caRootsPath":"/ca.pem","subjectEmail":"a@example.com"},"signedIdentity":{"type":"matchRepository"}}]"#,
            "example.com/app:1",
            vec![good.clone()],
            |r| {
                matches!(r, Rejection::MissingSignatureAnnotation { annotation }
                    if *annotation == crate::signature::blob::CERTIFICATE_ANNOTATION)
            },
        ),
        (
            r#"[{"type":"sigstoreSigned","pki":{"caRootsPath":"/ca.pem","subjectEmail":"a@example.com"},"signedIdentity":{"type":"matchRepository"}}]"#,
            "example.com/app:1",
            vec![{
                let mut s = sig("k", "example.com/app", DIGEST);
                if let Signature::Sigstore(sg) = &mut s.signature {
                    sg.annotations.insert(
                        crate::signature::blob::CERTIFICATE_ANNOTATION.to_owned(),
                        "-----BEGIN CERTIFICATE-----".to_owned(),
                    );
                }
                s
            }],
            |r| {
                matches!(r, Rejection::Certificate { step: CertificateStep::LeafCertificate, message, unsupported: false }
                    if message == "parsing leaf certificate: error during PEM decoding")
            },
        ),
        (
            r#"[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.pub"}]"#,
            "example.com/app:1",
            vec![gpg.clone()],
            // A PEM public key is no OpenPGP keyring: GnuPG imports nothing.
            |r| matches!(r, Rejection::NoPublicKeysImported),
        ),
        (
            r#"[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/missing"}]"#,
            "example.com/app:1",
            vec![gpg.clone()],
            |r| matches!(r, Rejection::KeyFile(_)),
        ),
        (
            r#"[{"type":"signedBy","keyType":"signedByGPGKeys","keyPath":"/k.pub"}]"#,
            "example.com/app:1",
            vec![gpg.clone()],
            |r| matches!(r, Rejection::UnimplementedKeyType(t) if t == "signedByGPGKeys"),
        ),
        (SIGSTORE_REPO, "example.com/app:1", vec![gpg.clone()], |r| {
            matches!(
                r,
                Rejection::NoSignature {
                    non_sigstore: 1,
                    attachments: 0
                }
            )
        }),
        (
            SIGSTORE_REPO,
            "example.com/app:1",
            vec![
                sig("other", "example.com/app", DIGEST),
                sig(
                    "k",
                    "example.com/app",
                    &format!("sha256:{}", "0".repeat(64)),
                ),
            ],
            |r| {
                matches!(r, Rejection::NoneAccepted(v)
                    if matches!(v[..], [Rejection::Cryptographic(_), Rejection::DigestMismatch { .. }]))
            },
        ),
        (
            r#"[{"type":"reject"}]"#,
            "example.com/app:1",
            vec![],
            |r| matches!(r, Rejection::PolicyReject { image_name } if image_name == "docker://example"),
        ),
    ];
    for (req, image, sigs, expected) in cases {
        let e = run(req, image, &sigs, Compat::Current);
        assert!(!e.allowed, "{req}");
        let r = e.rejection().unwrap();
        assert!(expected(r), "{req} on {image}: {r:?}");
        assert_eq!(
            e.requirements[0].unsupported(),
            matches!(r, Rejection::Unsupported(_)),
            "{req}"
        );
    }
}

/// The explanation helpers: what a signature claims (read without verifying), why a
/// requirement skipped a signature, and the identity hint for each kind of mismatch.
#[test]
fn explanations() {
    let s = sig("k", "example.com/app", DIGEST);
    assert_eq!(
        claims(&s.signature, Compat::Current).identity,
        Some(("example.com/app".to_owned(), DIGEST.to_owned()))
    );
    assert_eq!(
        claims(&Signature::SimpleSigning(b"\x8c".to_vec()), Compat::Current).identity,
        None
    );
    assert_eq!(claims(&s.signature, Compat::Current).signer, None);
    // An OpenPGP signature names its issuer (upstream's unknown-key fixture: key ID
    // 5F9470E3BC6C3B55, or the fingerprint ending in it).
    let unknown = Signature::SimpleSigning(
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/upstream-gpg/unknown-key.signature"
        ))
        .to_vec(),
    );
    let c = claims(&unknown, Compat::Current);
    assert!(c.signer.is_some_and(|k| k.ends_with("5F9470E3BC6C3B55")));
    assert!(c.identity.is_some());
    for (skip, text) in [
        (
            Skip::NotSimpleSigning,
            "not a simple-signing signature: signedBy does not see it",
        ),
        (
            Skip::NotSigstore,
            "not a sigstore signature: sigstoreSigned does not see it",
        ),
        (
            Skip::Attachment {
                mime_type: "application/x".into(),
            },
            "a sigstore attachment of type \"application/x\", not a signature",
        ),
        (
            Skip::AfterAcceptance,
            "not examined: an earlier signature was accepted",
        ),
    ] {
        assert_eq!(skip.to_string(), text);
    }
    let tagged = Named::parse_normalized("example.com/app:1")
        .unwrap()
        .with_default_tag();
    let hint = |identity: SignedIdentity, image: Option<&Named>, signed: &str| {
        identity_hint(&identity, image, signed)
    };
    // cosign signs repository names: the default rules never match them.
    for id in [
        SignedIdentity::MatchRepoDigestOrExact,
        SignedIdentity::MatchExact,
    ] {
        assert_eq!(
            hint(id, Some(&tagged), "example.com/app").as_deref(),
            Some(
                "the signature names only a repository (as cosign does): use signedIdentity matchRepository"
            )
        );
    }
    // A tagged signed identity that differs is a plain mismatch, as is another repository
    // under matchRepository.
    assert_eq!(
        hint(
            SignedIdentity::MatchExact,
            Some(&tagged),
            "example.com/app:2"
        )
        .as_deref(),
        Some("the signed identity does not satisfy signedIdentity")
    );
    assert_eq!(
        hint(
            SignedIdentity::MatchRepository,
            Some(&tagged),
            "example.com/other"
        )
        .as_deref(),
        Some("the signed identity does not satisfy signedIdentity")
    );
    assert_eq!(
        hint(
            SignedIdentity::MatchRepository,
            Some(&tagged),
            "example.com/app"
        ),
        None
    );
    assert_eq!(
        hint(SignedIdentity::MatchRepository, None, "example.com/app").as_deref(),
        Some(
            "the image reference has no Docker identity (only exactReference/exactRepository can match)"
        )
    );
    assert!(
        hint(
            SignedIdentity::MatchRepository,
            Some(&tagged),
            "Not A Reference"
        )
        .unwrap()
        .starts_with("the signed identity does not parse: ")
    );
}

/// 2026-01-01, for OpenPGP validity.
const NOW: VerificationTime = VerificationTime(1_767_225_600);

/// `signedBy` over c/image's own GPG fixtures: the whole chain (keyring, message, payload,
/// digest, identity) with upstream's verdicts, per compat version.
#[test]
fn signed_by_with_upstream_gpg_fixtures() {
    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/testdata/upstream-gpg/",
                $name
            ))
            .to_vec()
        };
    }
    const MANIFEST_DIGEST: &str =
        "sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55";
    let mut m = HashMap::new();
    m.insert("/public-key.gpg".to_owned(), fixture!("public-key.gpg"));
    m.insert(
        "/with-subkey.gpg".to_owned(),
        fixture!("public-key-with-subkey.gpg"),
    );
    let keys = Keys(m);
    let eval = |req: &str, image: &str, blobs: &[Vec<u8>], digest: &str, compat| {
        let named = Named::parse_normalized(image).unwrap();
        let digest = Ok(digest.to_owned());
        let sigs: Vec<SourcedSignature> = blobs
            .iter()
            .map(|b| SourcedSignature {
                signature: Signature::SimpleSigning(b.clone()),
                origin: "signature-1".into(),
            })
            .collect();
        let facts = ImageFacts {
            image_name: "dir:/x",
            docker_reference: Some(&named),
            manifest_digest: &digest,
            signatures: Ok(&sigs),
        };
        evaluate(&list(req, compat), &facts, &keys, compat, NOW)
    };
    let exact = r#"[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/public-key.gpg"}]"#;
    let valid = fixture!("dir-img-valid/signature-1");
    for compat in [Compat::V5_23, Compat::Current] {
        let e = eval(
            exact,
            "testing/manifest:latest",
            std::slice::from_ref(&valid),
            MANIFEST_DIGEST,
            compat,
        );
        assert!(e.allowed, "{:?}", e.reason());
        let SignatureOutcome::Accepted(a) = &e.requirements[0].signatures[0].outcome else {
            panic!("{:?}", e.requirements[0].signatures[0].outcome);
        };
        assert!(matches!(&a.signer, Signer::Gpg { primary, .. }
            if primary == "08CD26E446E2E95249B7A405E932F44B23E8DD43"));
        let e = eval(
            exact,
            "testing/manifest:notlatest",
            std::slice::from_ref(&valid),
            MANIFEST_DIGEST,
            compat,
        );
        let shown = match compat {
            Compat::V5_23 => "testing/manifest:latest",
            Compat::Current => "\"testing/manifest:latest\"",
        };
        assert_eq!(
            e.reason().unwrap(),
            format!("Signature for identity {shown} is not accepted")
        );
        let e = eval(
            exact,
            "testing/manifest:latest",
            std::slice::from_ref(&valid),
            DIGEST,
            compat,
        );
        assert_eq!(
            e.reason().unwrap(),
            format!("Signature for digest {MANIFEST_DIGEST} does not match")
        );
        // A signature over "This is not JSON\n": the payload parser's error.
        let e = eval(
            exact,
            "testing/manifest:latest",
            &[fixture!("invalid-blob.signature")],
            MANIFEST_DIGEST,
            compat,
        );
        assert_eq!(
            e.reason().unwrap(),
            "invalid character 'T' looking for beginning of value"
        );
        // dir-img-mixed: an invalid signature, then a valid one.
        let e = eval(
            exact,
            "testing/manifest:latest",
            &[
                fixture!("dir-img-mixed/signature-1"),
                fixture!("dir-img-mixed/signature-2"),
            ],
            MANIFEST_DIGEST,
            compat,
        );
        assert!(e.allowed);
    }
    // Subkey signatures: current c/image maps the subkey to its primary key, 5.23 does not.
    let sub = r#"[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/with-subkey.gpg"}]"#;
    let subkey_sig = fixture!("dir-img-valid-subkey/signature-1");
    let e = eval(
        sub,
        "testing/manifest:latest",
        std::slice::from_ref(&subkey_sig),
        MANIFEST_DIGEST,
        Compat::Current,
    );
    assert!(e.allowed, "{:?}", e.reason());
    let e = eval(
        sub,
        "testing/manifest:latest",
        &[subkey_sig],
        MANIFEST_DIGEST,
        Compat::V5_23,
    );
    assert_eq!(
        e.reason().unwrap(),
        "Signature by key 57D1D95BBC53BA0EAFF0718CD75B3109B3BAAEAF is not accepted"
    );
    // keyData "" imports nothing.
    let e = eval(
        r#"[{"type":"signedBy","keyType":"GPGKeys","keyData":""}]"#,
        "testing/manifest:latest",
        &[valid],
        MANIFEST_DIGEST,
        Compat::Current,
    );
    assert_eq!(e.reason().unwrap(), "No public keys imported");
}
