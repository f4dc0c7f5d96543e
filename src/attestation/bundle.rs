//! Sigstore bundles (`application/vnd.dev.sigstore.bundle*+json`, spec §16.8): what cosign ≥ 3
//! writes as OCI 1.1 referrers by default. containers/image has no reader for them, so for
//! podman an image signed only this way is unsigned; policyctl reads them to say so and what
//! they claim. Parsing only (untrusted input, bounded by the caller's size limit).

use base64::Engine;
use serde_json::Value;

use crate::attestation::{self, Envelope};

/// What a bundle holds, as far as listing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// `mediaType` (`application/vnd.dev.sigstore.bundle.v0.3+json`, …).
    pub media_type: String,
    /// How the signer is identified.
    pub material: Material,
    /// The signed content.
    pub content: Content,
    /// Rekor entries, as stated (verified only by [`super::keyless`]).
    pub tlog_entries: Vec<TlogEntry>,
}

/// One `tlogEntries[]` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogEntry {
    /// `kindVersion.kind` (`dsse`, `hashedrekord`, `intoto`).
    pub kind: String,
    pub log_index: Option<i64>,
    pub integrated_time: Option<i64>,
    /// `logId.keyId`, decoded.
    pub log_id: Vec<u8>,
    /// `canonicalizedBody`, decoded.
    pub body: Vec<u8>,
    /// `inclusionPromise.signedEntryTimestamp`, decoded.
    pub signed_entry_timestamp: Vec<u8>,
}

/// `verificationMaterial`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Material {
    /// `publicKey.hint` (base64 SHA-256 of the SPKI, as cosign writes it; not to be trusted).
    PublicKey { hint: String },
    /// `certificate.rawBytes` or the first of `x509CertificateChain` (DER).
    Certificate(Vec<u8>),
    /// Nothing recognisable.
    Unknown,
}

/// The signed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Dsse(Envelope),
    /// `messageSignature` (a signature over a digest; no statement).
    MessageSignature {
        digest: Option<String>,
    },
    Unknown,
}

crate::message_error! {
    /// Why bytes are not a Sigstore bundle.
    BundleError
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Parses a Sigstore bundle (protojson: lowerCamel names, 64-bit integers as strings).
pub fn parse_bundle(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| BundleError(format!("not a Sigstore bundle: {e}")))?;
    let media_type = str_at(&v, &["mediaType"])
        .filter(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
        .ok_or_else(|| BundleError("not a Sigstore bundle: no bundle mediaType".into()))?
        .to_owned();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).ok();
    let vm = v.get("verificationMaterial");
    let material = if let Some(h) = vm.and_then(|m| str_at(m, &["publicKey", "hint"])) {
        Material::PublicKey { hint: h.to_owned() }
    } else if let Some(der) = vm
        .and_then(|m| str_at(m, &["certificate", "rawBytes"]))
        .and_then(b64)
    {
        Material::Certificate(der)
    } else if let Some(der) = vm
        .and_then(|m| m.get("x509CertificateChain")?.get("certificates")?.get(0))
        .and_then(|c| str_at(c, &["rawBytes"]))
        .and_then(b64)
    {
        Material::Certificate(der)
    } else {
        Material::Unknown
    };
    let content = if let Some(env) = v.get("dsseEnvelope") {
        let text = serde_json::to_vec(env).unwrap_or_default();
        attestation::parse_envelope(&text)
            .map(Content::Dsse)
            .map_err(|e| BundleError(format!("bundle dsseEnvelope: {e}")))?
    } else if let Some(ms) = v.get("messageSignature") {
        Content::MessageSignature {
            digest: str_at(ms, &["messageDigest", "digest"])
                .and_then(b64)
                .map(|d| format!("sha256:{}", hex(&d))),
        }
    } else {
        Content::Unknown
    };
    let tlog_entries = vm
        .and_then(|m| m.get("tlogEntries"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .take(100)
                .map(|e| TlogEntry {
                    kind: str_at(e, &["kindVersion", "kind"]).unwrap_or("").to_owned(),
                    log_index: int(e.get("logIndex")),
                    integrated_time: int(e.get("integratedTime")),
                    log_id: str_at(e, &["logId", "keyId"])
                        .and_then(b64)
                        .unwrap_or_default(),
                    body: str_at(e, &["canonicalizedBody"])
                        .and_then(b64)
                        .unwrap_or_default(),
                    signed_entry_timestamp: str_at(
                        e,
                        &["inclusionPromise", "signedEntryTimestamp"],
                    )
                    .and_then(b64)
                    .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Bundle {
        media_type,
        material,
        content,
        tlog_entries,
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cosign_test_bundle() {
        let b = parse_bundle(include_bytes!(
            "../../testdata/store/oci-attestation.sigstore.json"
        ))
        .unwrap();
        assert_eq!(
            b.media_type,
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        assert!(matches!(b.material, Material::Certificate(_)));
        let Content::Dsse(env) = &b.content else {
            panic!("DSSE content expected");
        };
        let s = attestation::parse_statement(&env.payload).unwrap();
        assert_eq!(
            s.predicate_type,
            "https://cosign.sigstore.dev/attestation/v1"
        );
        assert_eq!(
            s.subjects[0].1.as_deref(),
            Some("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4")
        );
        assert_eq!(b.tlog_entries.len(), 1);
        assert_eq!(b.tlog_entries[0].kind, "dsse");
        assert_eq!(b.tlog_entries[0].integrated_time, Some(1_740_770_291));
        assert!(parse_bundle(b"{}").is_err());
        assert!(parse_bundle(br#"{"mediaType":"application/json"}"#).is_err());
    }
}
