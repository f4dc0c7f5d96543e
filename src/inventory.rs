//! The signature inventory of an image (issue 13, spec §16.10): every signature-like object
//! stored with it — c/image's own stores, cosign attachments and Sigstore bundles in OCI
//! layouts — described without verifying anything, and whether podman (containers/image)
//! would read it, with the fix when not. Pure: the objects are handed in by `crate::image`.

use schemars::JsonSchema;
use serde::Serialize;

use crate::attestation;
use crate::attestation::bundle::{self, Content, Material};
use crate::compat::Compat;
use crate::signature::Signature;
use crate::signature::blob::{CERTIFICATE_ANNOTATION, SIGNATURE_ANNOTATION, Sigstore};

/// cosign's simple-signing payload layer.
pub const COSIGN_SIGNATURE_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// DSSE envelopes (cosign `.att` layers).
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";

/// What kind of object an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A simple-signing signature (OpenPGP message; `signedBy`).
    SimpleSigning,
    /// A cosign signature (sigstore payload; `sigstoreSigned`).
    CosignSignature,
    /// Another sigstore attachment layer (ignored by `sigstoreSigned`).
    SigstoreAttachment,
    /// A DSSE attestation (in-toto statement).
    Attestation,
    /// An SBOM attachment (`.sbom`, unsigned).
    Sbom,
    /// A Sigstore bundle (cosign ≥ 3).
    Bundle,
    /// Bytes that could not be read as any of these.
    Unreadable,
}

/// Where an entry is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Store {
    /// `dir:` `signature-N` files.
    Dir,
    /// `containers-storage:` signature big-data items.
    ContainersStorage,
    /// A c/image lookaside directory.
    Lookaside,
    /// A cosign tag in an OCI layout (`sha256-HEX.sig|att|sbom`, or `cosign save`'s `kind`).
    OciLayoutTag,
    /// An OCI 1.1 referrer manifest found in an OCI layout's blobs.
    OciLayoutReferrer,
}

/// One stored signature-like object, described without verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Entry {
    pub kind: EntryKind,
    pub store: Store,
    /// The file, big-data item, or manifest and layer it was read from.
    pub location: String,
    /// The manifest digest it is stored for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored_for: Option<String>,
    /// Layer or object media type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Who the object says signed it (OpenPGP key ID, certificate, key hint) — unverified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The identity and digest it claims (signatures) — unverified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed_digest: Option<String>,
    /// Attestations and bundles: the in-toto predicate type and subject digests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subject_digests: Vec<String>,
    /// Whether podman, skopeo, CRI-O (containers/image) read it when they check this image.
    pub podman_reads: bool,
    /// Why not, and what to do; or other facts worth knowing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Entry {
    fn new(kind: EntryKind, store: Store, location: String, podman_reads: bool) -> Entry {
        Entry {
            kind,
            store,
            location,
            stored_for: None,
            media_type: None,
            signer: None,
            claimed_identity: None,
            claimed_digest: None,
            predicate_type: None,
            subject_digests: Vec::new(),
            podman_reads,
            notes: Vec::new(),
        }
    }
}

/// A signature c/image read from one of its own stores (`podman_reads`: the store is one
/// containers/image reads for this reference).
pub fn from_signature(
    sig: &Signature,
    store: Store,
    location: String,
    podman_reads: bool,
    compat: Compat,
) -> Entry {
    match sig {
        Signature::SimpleSigning(blob) => {
            let mut e = Entry::new(EntryKind::SimpleSigning, store, location, podman_reads);
            let f = crate::signature::openpgp::message::facts(blob);
            e.signer = f
                .issuer_fingerprint
                .or(f.issuer_key_id)
                .map(|k| format!("OpenPGP key {k}"));
            if let Some(p) = f.plaintext.and_then(|p| {
                crate::signature::payload::parse_simple_signing_payload(&p, compat).ok()
            }) {
                e.claimed_identity = Some(p.docker_reference);
                e.claimed_digest = Some(p.manifest_digest);
            }
            e
        }
        Signature::Sigstore(s) => from_sigstore(s, store, location, podman_reads, compat),
    }
}

fn from_sigstore(
    s: &Sigstore,
    store: Store,
    location: String,
    podman_reads: bool,
    compat: Compat,
) -> Entry {
    let kind = if s.mime_type == COSIGN_SIGNATURE_MEDIA_TYPE {
        EntryKind::CosignSignature
    } else {
        EntryKind::SigstoreAttachment
    };
    let mut e = Entry::new(kind, store, location, podman_reads);
    e.media_type = Some(s.mime_type.clone());
    if kind == EntryKind::SigstoreAttachment {
        e.notes.push(format!(
            "not a cosign signature (media type {}): sigstoreSigned skips it",
            s.mime_type
        ));
        return e;
    }
    e.signer = Some(match s.annotations.get(CERTIFICATE_ANNOTATION) {
        Some(pem) => crate::signature::sigstore::certificate::describe_unverified(pem.as_bytes())
            .map_or_else(
                || "an unreadable certificate".into(),
                |c| format!("certificate {c}"),
            ),
        None => "a public key (the signature does not name it; `check` finds which)".into(),
    });
    if !s.annotations.contains_key(SIGNATURE_ANNOTATION) {
        e.notes
            .push("no dev.cosignproject.cosign/signature annotation: never accepted".into());
    }
    match crate::signature::payload::parse_payload(&s.payload, compat) {
        Ok(p) => {
            e.claimed_identity = Some(p.docker_reference);
            e.claimed_digest = Some(p.manifest_digest);
        }
        Err(err) => e.notes.push(format!("payload: {err}")),
    }
    e
}

/// A layer of a cosign attachment manifest in an OCI layout (`.sig`, `.att`, `.sbom`, or a
/// legacy referrer): never read by containers/image.
pub fn from_layer(
    media_type: &str,
    bytes: &[u8],
    annotations: &std::collections::BTreeMap<String, String>,
    store: Store,
    location: String,
    compat: Compat,
) -> Entry {
    if media_type.starts_with("application/vnd.dev.sigstore.bundle") {
        return from_bundle(bytes, store, location);
    }
    if media_type == DSSE_MEDIA_TYPE {
        let mut e = attestation_entry(bytes, store, location);
        if let Some(p) = annotations.get("predicateType")
            && e.predicate_type.is_none()
        {
            e.predicate_type = Some(p.clone());
        }
        return e;
    }
    if media_type == COSIGN_SIGNATURE_MEDIA_TYPE {
        let s = Sigstore {
            mime_type: media_type.to_owned(),
            payload: bytes.to_vec(),
            annotations: annotations.clone(),
        };
        let mut e = from_sigstore(&s, store, location, false, compat);
        e.notes.push(
            "podman does not read cosign signatures from OCI layouts: copy the image with its signatures into containers-storage: or dir: (`skopeo copy` from the registry with use-sigstore-attachments: true)"
                .into(),
        );
        return e;
    }
    if is_sbom_media_type(media_type) {
        let mut e = Entry::new(EntryKind::Sbom, store, location, false);
        e.media_type = Some(media_type.to_owned());
        e.notes.push(
            "an unsigned SBOM attachment (cosign attach sbom, deprecated): nothing vouches for it; prefer a signed attestation"
                .into(),
        );
        return e;
    }
    let mut e = Entry::new(EntryKind::SigstoreAttachment, store, location, false);
    e.media_type = Some(media_type.to_owned());
    e
}

fn is_sbom_media_type(m: &str) -> bool {
    m.starts_with("text/spdx")
        || m.starts_with("application/spdx")
        || m.starts_with("application/vnd.cyclonedx")
        || m.contains("syft")
}

fn attestation_entry(bytes: &[u8], store: Store, location: String) -> Entry {
    let mut e = Entry::new(EntryKind::Attestation, store, location, false);
    e.media_type = Some(DSSE_MEDIA_TYPE.into());
    e.notes
        .push("podman never reads attestations; verify it with `policyctl attest verify`".into());
    match attestation::parse_envelope(bytes) {
        Ok(env) => describe_envelope(&env, &mut e),
        Err(err) => {
            e.kind = EntryKind::Unreadable;
            e.notes.push(err.0);
        }
    }
    e
}

fn describe_envelope(env: &attestation::Envelope, e: &mut Entry) {
    if env.payload_type != attestation::IN_TOTO_PAYLOAD_TYPE {
        e.notes
            .push(format!("payload type {} is not in-toto", env.payload_type));
        return;
    }
    match attestation::parse_statement(&env.payload) {
        Ok(s) => {
            e.predicate_type = Some(s.predicate_type);
            e.subject_digests = s.subjects.into_iter().filter_map(|(_, d)| d).collect();
        }
        Err(err) => e.notes.push(err.0),
    }
    if let Some(k) = env.signatures.iter().find_map(|(k, _)| k.clone()) {
        e.signer = Some(format!("key ID {k} (as stated)"));
    }
}

/// A Sigstore bundle (cosign ≥ 3's default format).
pub fn from_bundle(bytes: &[u8], store: Store, location: String) -> Entry {
    let mut e = Entry::new(EntryKind::Bundle, store, location, false);
    let b = match bundle::parse_bundle(bytes) {
        Ok(b) => b,
        Err(err) => {
            e.kind = EntryKind::Unreadable;
            e.notes.push(err.0);
            return e;
        }
    };
    e.media_type = Some(b.media_type.clone());
    e.signer = match &b.material {
        Material::PublicKey { hint } => Some(format!("public key with hint {hint} (as stated)")),
        Material::Certificate(der) => Some(
            crate::signature::x509::parse_certificate(der)
                .ok()
                .and_then(|c| {
                    let pem = pem_of_certificate(&c.raw);
                    crate::signature::sigstore::certificate::describe_unverified(pem.as_bytes())
                })
                .map_or_else(
                    || "an unreadable certificate".into(),
                    |c| format!("certificate {c}"),
                ),
        ),
        Material::Unknown => None,
    };
    match &b.content {
        Content::Dsse(env) => describe_envelope(env, &mut e),
        Content::MessageSignature { digest } => {
            e.notes.push(format!(
                "message signature over {}",
                digest.as_deref().unwrap_or("?")
            ));
        }
        Content::Unknown => {}
    }
    e.notes.push(
        "podman cannot read Sigstore bundles (containers/image has no reader): for podman this image is unsigned; re-sign with `cosign sign --new-bundle-format=false --use-signing-config=false`"
            .into(),
    );
    e
}

/// A certificate's DER as a PEM block (for the PEM-based describer).
fn pem_of_certificate(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_are_described_and_never_read_by_podman() {
        let e = from_bundle(
            include_bytes!("../testdata/store/oci-attestation.sigstore.json"),
            Store::OciLayoutReferrer,
            "blob".into(),
        );
        assert_eq!(e.kind, EntryKind::Bundle);
        assert!(!e.podman_reads);
        assert_eq!(
            e.predicate_type.as_deref(),
            Some("https://cosign.sigstore.dev/attestation/v1")
        );
        assert_eq!(
            e.subject_digests,
            ["sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4"]
        );
        assert!(e.signer.as_deref().unwrap().starts_with("certificate for "));
        assert!(
            e.notes
                .iter()
                .any(|n| n.contains("--new-bundle-format=false"))
        );
        let bad = from_bundle(b"{", Store::OciLayoutReferrer, "blob".into());
        assert_eq!(bad.kind, EntryKind::Unreadable);
    }

    #[test]
    fn layers_by_media_type() {
        let none = std::collections::BTreeMap::new();
        let sbom = from_layer(
            "text/spdx+json",
            b"{}",
            &none,
            Store::OciLayoutTag,
            "x".into(),
            Compat::Current,
        );
        assert_eq!(sbom.kind, EntryKind::Sbom);
        let att = from_layer(
            DSSE_MEDIA_TYPE,
            b"nope",
            &none,
            Store::OciLayoutTag,
            "x".into(),
            Compat::Current,
        );
        assert_eq!(att.kind, EntryKind::Unreadable);
        let other = from_layer(
            "application/x-other",
            b"",
            &none,
            Store::OciLayoutTag,
            "x".into(),
            Compat::Current,
        );
        assert_eq!(other.kind, EntryKind::SigstoreAttachment);
        let sig = from_layer(
            COSIGN_SIGNATURE_MEDIA_TYPE,
            b"{}",
            &none,
            Store::OciLayoutTag,
            "x".into(),
            Compat::Current,
        );
        assert_eq!(sig.kind, EntryKind::CosignSignature);
        assert!(!sig.podman_reads);
        assert!(
            sig.notes
                .iter()
                .any(|n| n.contains("no dev.cosignproject.cosign/signature"))
        );
    }
}
