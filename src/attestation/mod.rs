//! Attestations (spec §18): DSSE envelopes (`application/vnd.dsse.envelope.v1+json`, cosign's
//! `.att` layers and the content of Sigstore bundles) and the in-toto statements inside them.
//! Pure parsing of untrusted bytes, bounded by the callers' size limits; nothing here says an
//! attestation is authentic — verification is a separate step over [`pae`].

use base64::Engine;
use serde::Deserialize;

pub mod bundle;
pub mod keyless;
pub mod verify;

/// The in-toto payload type DSSE attestations must carry.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub payload_type: String,
    /// The decoded payload (the statement), untrusted.
    pub payload: Vec<u8>,
    /// The signatures: (key ID as stated, raw signature bytes).
    pub signatures: Vec<(Option<String>, Vec<u8>)>,
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "payloadType")]
    payload_type: String,
    payload: String,
    #[serde(default)]
    signatures: Vec<RawSig>,
}

#[derive(Deserialize)]
struct RawSig {
    #[serde(default)]
    keyid: Option<String>,
    sig: String,
}

crate::message_error! {
    /// Why bytes are not a DSSE envelope or an in-toto statement.
    AttestationError
}

fn b64(s: &str, what: &str) -> Result<Vec<u8>, AttestationError> {
    // DSSE allows both alphabets; cosign writes standard padded base64.
    let std = base64::engine::general_purpose::STANDARD;
    let url = base64::engine::general_purpose::URL_SAFE;
    std.decode(s)
        .or_else(|_| url.decode(s))
        .map_err(|e| AttestationError(format!("{what}: invalid base64: {e}")))
}

/// Parses a DSSE envelope (JSON).
pub fn parse_envelope(bytes: &[u8]) -> Result<Envelope, AttestationError> {
    let raw: RawEnvelope = serde_json::from_slice(bytes)
        .map_err(|e| AttestationError(format!("not a DSSE envelope: {e}")))?;
    let payload = b64(&raw.payload, "payload")?;
    let signatures = raw
        .signatures
        .into_iter()
        .map(|s| Ok((s.keyid.filter(|k| !k.is_empty()), b64(&s.sig, "sig")?)))
        .collect::<Result<_, AttestationError>>()?;
    Ok(Envelope {
        payload_type: raw.payload_type,
        payload,
        signatures,
    })
}

/// DSSE's pre-authentication encoding: what the signatures sign.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// An in-toto statement (v0.1 or v1), as far as it identifies what is attested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `_type`.
    pub statement_type: String,
    pub predicate_type: String,
    /// `subject[]`: name (may be empty) and `sha256` digest (`sha256:<hex>`), when given.
    pub subjects: Vec<(String, Option<String>)>,
}

#[derive(Deserialize)]
struct RawStatement {
    #[serde(rename = "_type")]
    statement_type: String,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    #[serde(default)]
    subject: Vec<RawSubject>,
}

#[derive(Deserialize)]
struct RawSubject {
    #[serde(default)]
    name: String,
    #[serde(default)]
    digest: std::collections::BTreeMap<String, String>,
}

/// Parses an in-toto statement.
pub fn parse_statement(payload: &[u8]) -> Result<Statement, AttestationError> {
    let raw: RawStatement = serde_json::from_slice(payload)
        .map_err(|e| AttestationError(format!("not an in-toto statement: {e}")))?;
    Ok(Statement {
        statement_type: raw.statement_type,
        predicate_type: raw.predicate_type,
        subjects: raw
            .subject
            .into_iter()
            .map(|s| {
                let d = s.digest.get("sha256").map(|h| format!("sha256:{h}"));
                (s.name, d)
            })
            .collect(),
    })
}

/// `cosign attest --type` shorthands and their predicate types (spec §18.3), plus the
/// statement cosign 3's `sign` wraps.
pub const PREDICATE_TYPES: &[(&str, &str)] = &[
    ("spdxjson", "https://spdx.dev/Document"),
    ("cyclonedx", "https://cyclonedx.org/bom"),
    ("slsaprovenance02", "https://slsa.dev/provenance/v0.2"),
    ("slsaprovenance1", "https://slsa.dev/provenance/v1"),
    ("link", "https://in-toto.io/Link/v1"),
    ("vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"),
    ("openvex", "https://openvex.dev/ns"),
    ("custom", "https://cosign.sigstore.dev/attestation/v1"),
    (
        "cosign signature (bundle)",
        "https://sigstore.dev/cosign/sign/v1",
    ),
];

/// The short name of a well-known predicate type.
pub fn predicate_short_name(uri: &str) -> Option<&'static str> {
    PREDICATE_TYPES
        .iter()
        .find(|(_, u)| *u == uri)
        .map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_is_dsse_v1() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn envelope_and_statement() {
        let statement = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"ab"}}],"predicateType":"https://spdx.dev/Document","predicate":{}}"#;
        let env = format!(
            r#"{{"payloadType":"application/vnd.in-toto+json","payload":"{}","signatures":[{{"keyid":"","sig":"AAE="}}]}}"#,
            base64::engine::general_purpose::STANDARD.encode(statement)
        );
        let e = parse_envelope(env.as_bytes()).unwrap();
        assert_eq!(e.payload_type, IN_TOTO_PAYLOAD_TYPE);
        assert_eq!(e.signatures, vec![(None, vec![0, 1])]);
        let s = parse_statement(&e.payload).unwrap();
        assert_eq!(s.predicate_type, "https://spdx.dev/Document");
        assert_eq!(s.subjects, vec![("x".into(), Some("sha256:ab".into()))]);
        assert_eq!(predicate_short_name(&s.predicate_type), Some("spdxjson"));
        for (name, uri) in PREDICATE_TYPES {
            assert_eq!(predicate_short_name(uri), Some(*name));
            if !name.contains(' ') {
                assert_eq!(verify::predicate_type_uri(name), *uri);
            }
        }
        assert_eq!(predicate_short_name("https://example.com/x"), None);
        assert!(parse_envelope(b"{}").is_err());
        assert!(parse_envelope(br#"{"payloadType":"x","payload":"!!"}"#).is_err());
        assert!(parse_statement(b"[]").is_err());
    }
}
