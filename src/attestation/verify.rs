//! Offline verification of one attestation (spec §18.7): the DSSE signature over PAE by a
//! trusted key, the in-toto payload type and statement, a subject digest equal to the image's
//! (the evaluated instance, else the list), and the wanted predicate type. Only then is the
//! predicate handed out. Pure: keys and envelopes come in as values.

use sha2::{Digest, Sha256};

use super::{Envelope, IN_TOTO_PAYLOAD_TYPE, Statement, pae, parse_statement};
use crate::signature::keys::{LoadedKey, PublicKey};

/// `cosign attest --type` shorthands and their predicate type URIs (§18.3).
pub fn predicate_type_uri(t: &str) -> &str {
    match t {
        "spdx" => "https://spdx.dev/Document",
        "slsaprovenance" => "https://slsa.dev/provenance/v0.2",
        other => super::PREDICATE_TYPES
            .iter()
            .find(|(n, _)| *n == other)
            .map_or(other, |(_, u)| *u),
    }
}

/// Which image digest an attestation's subject matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectMatch {
    /// The manifest podman evaluates (the platform instance of a list).
    Instance,
    /// The list (index) digest.
    List,
}

/// A verified attestation.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedAttestation {
    pub statement: Statement,
    /// The whole statement (authenticated), for the predicate.
    pub statement_json: serde_json::Value,
    /// SHA-256 of the authenticated statement bytes (for audit: the extracted predicate is
    /// a re-serialisation).
    pub statement_sha256: String,
    /// The trusted key that verified it (index into the keys, and its fingerprint).
    pub key_index: usize,
    pub key_fingerprint: String,
    pub subject: SubjectMatch,
}

/// Why an attestation was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationRejection {
    #[error("invalid payloadType {0} on envelope. Expected {IN_TOTO_PAYLOAD_TYPE}")]
    PayloadType(String),
    #[error("the envelope has no signatures")]
    NoSignatures,
    #[error("no signature verified over the DSSE PAE with a trusted key")]
    NotVerified,
    #[error("statement: {0}")]
    Statement(String),
    #[error("no matching subject digest found (subjects: {found}; image: {image})")]
    Subject { found: String, image: String },
    #[error("predicate type {found} is not the one wanted ({wanted})")]
    PredicateType { found: String, wanted: String },
}

/// Verifies `env` with any of `keys` for the image whose evaluated manifest is `instance`
/// (and list `list`), requiring predicate type `wanted` (a URI) when given.
pub fn verify_attestation(
    env: &Envelope,
    keys: &[LoadedKey],
    instance: &str,
    list: Option<&str>,
    wanted: Option<&str>,
) -> Result<VerifiedAttestation, AttestationRejection> {
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(AttestationRejection::PayloadType(env.payload_type.clone()));
    }
    if env.signatures.is_empty() {
        return Err(AttestationRejection::NoSignatures);
    }
    let signed = pae(&env.payload_type, &env.payload);
    let (key_index, key) = keys
        .iter()
        .enumerate()
        .find(|(_, k)| {
            env.signatures
                .iter()
                .any(|(_, sig)| dsse_verify(&k.key, &signed, sig))
        })
        .ok_or(AttestationRejection::NotVerified)?;
    // Only now is the payload trusted.
    let statement =
        parse_statement(&env.payload).map_err(|e| AttestationRejection::Statement(e.0))?;
    if !statement
        .statement_type
        .starts_with("https://in-toto.io/Statement/")
    {
        return Err(AttestationRejection::Statement(format!(
            "unknown _type {}",
            statement.statement_type
        )));
    }
    let digests: Vec<&str> = statement
        .subjects
        .iter()
        .filter_map(|(_, d)| d.as_deref())
        .collect();
    let subject = if digests.contains(&instance) {
        SubjectMatch::Instance
    } else if list.is_some_and(|l| digests.contains(&l)) {
        SubjectMatch::List
    } else {
        return Err(AttestationRejection::Subject {
            found: if digests.is_empty() {
                "none".into()
            } else {
                digests.join(", ")
            },
            image: instance.to_owned(),
        });
    };
    if let Some(w) = wanted
        && statement.predicate_type != w
    {
        return Err(AttestationRejection::PredicateType {
            found: statement.predicate_type.clone(),
            wanted: w.to_owned(),
        });
    }
    let statement_json: serde_json::Value = serde_json::from_slice(&env.payload)
        .map_err(|e| AttestationRejection::Statement(e.to_string()))?;
    Ok(VerifiedAttestation {
        statement,
        statement_json,
        statement_sha256: Sha256::digest(&env.payload)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        key_index,
        key_fingerprint: key.fingerprint.clone(),
        subject,
    })
}

/// A DSSE signature over `signed`: ECDSA (DER) with SHA-256, or the curve's own hash (cosign
/// ≥ 2.6 signs P-384 with SHA-384 and P-521 with SHA-512); Ed25519 pure; RSA PKCS#1 v1.5 with
/// SHA-256.
fn dsse_verify(key: &PublicKey, signed: &[u8], sig: &[u8]) -> bool {
    use ecdsa::signature::hazmat::PrehashVerifier;
    let s256 = Sha256::digest(signed);
    match key {
        PublicKey::P256(k) => {
            p256::ecdsa::Signature::from_der(sig).is_ok_and(|s| k.verify_prehash(&s256, &s).is_ok())
        }
        PublicKey::P384(k) => p384::ecdsa::Signature::from_der(sig).is_ok_and(|s| {
            k.verify_prehash(&s256, &s).is_ok()
                || k.verify_prehash(&sha2::Sha384::digest(signed), &s).is_ok()
        }),
        PublicKey::P521(k) => p521::ecdsa::Signature::from_der(sig).is_ok_and(|s| {
            k.verify_prehash(&s256, &s).is_ok()
                || k.verify_prehash(&sha2::Sha512::digest(signed), &s).is_ok()
        }),
        PublicKey::Ed25519(k) => ed25519_dalek::Signature::from_slice(sig).is_ok_and(|s| {
            use ed25519_dalek::Verifier;
            k.verify(signed, &s).is_ok()
        }),
        PublicKey::Rsa(k) => k
            .verify(rsa::pkcs1v15::Pkcs1v15Sign::new::<Sha256>(), &s256, sig)
            .is_ok(),
    }
}

/// What a verified SBOM attestation's predicate is, checked against its predicate type.
pub fn sbom_document(v: &VerifiedAttestation) -> Result<Vec<u8>, super::AttestationError> {
    let predicate = v
        .statement_json
        .get("predicate")
        .ok_or_else(|| super::AttestationError("the statement has no predicate".into()))?;
    match (v.statement.predicate_type.as_str(), predicate) {
        (_, serde_json::Value::String(s)) => Ok(s.clone().into_bytes()),
        ("https://spdx.dev/Document", p) => {
            if !p
                .get("spdxVersion")
                .and_then(serde_json::Value::as_str)
                .is_some_and(|s| s.starts_with("SPDX-"))
            {
                return Err("the SPDX predicate has no spdxVersion \"SPDX-…\"".into());
            }
            Ok(pretty(p))
        }
        ("https://cyclonedx.org/bom", p) => {
            if p.get("bomFormat").and_then(serde_json::Value::as_str) != Some("CycloneDX") {
                return Err("the CycloneDX predicate has no bomFormat \"CycloneDX\"".into());
            }
            Ok(pretty(p))
        }
        (t, _) => Err(format!("predicate type {t} is not an SBOM").into()),
    }
}

fn pretty(v: &serde_json::Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;
    use crate::signature::keys::parse_pem_public_key;
    use crate::signature::sign::{p256_key_from_seed, p256_public_pem, sign_p256};

    const IMAGE: &str = "sha256:8e9e63992678ca1430dda43a8062e7532677e829e2c3709ddeb256ef51e342d8";
    const LIST: &str = "sha256:a7f09b8b012e86d54becda85b9dc072709a8ab2974d2e3ef9e922ec8dd4f3921";

    fn envelope(statement: &serde_json::Value, seed: &str, over_pae: bool) -> Envelope {
        let payload = serde_json::to_vec(statement).unwrap();
        let signed = if over_pae {
            pae(IN_TOTO_PAYLOAD_TYPE, &payload)
        } else {
            payload.clone()
        };
        let sig = base64::engine::general_purpose::STANDARD
            .decode(sign_p256(&p256_key_from_seed(seed), &signed))
            .unwrap();
        Envelope {
            payload_type: IN_TOTO_PAYLOAD_TYPE.into(),
            payload,
            signatures: vec![(None, sig)],
        }
    }

    fn statement(digest: &str, predicate_type: &str) -> serde_json::Value {
        serde_json::json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": predicate_type,
            "subject": [{"name": "x", "digest": {"sha256": digest.trim_start_matches("sha256:")}}],
            "predicate": {"spdxVersion": "SPDX-2.3", "name": "x"},
        })
    }

    #[test]
    fn the_whole_procedure() {
        let key =
            parse_pem_public_key(p256_public_pem(&p256_key_from_seed("k")).as_bytes()).unwrap();
        let other =
            parse_pem_public_key(p256_public_pem(&p256_key_from_seed("o")).as_bytes()).unwrap();
        let keys = [other, key];
        let spdx = "https://spdx.dev/Document";
        let good = envelope(&statement(IMAGE, spdx), "k", true);
        let v = verify_attestation(&good, &keys, IMAGE, Some(LIST), Some(spdx)).unwrap();
        assert_eq!(v.key_index, 1);
        assert_eq!(v.subject, SubjectMatch::Instance);
        assert_eq!(
            String::from_utf8(sbom_document(&v).unwrap()).unwrap(),
            "{\n  \"name\": \"x\",\n  \"spdxVersion\": \"SPDX-2.3\"\n}\n"
        );
        // A subject naming the list matches the list.
        let for_list = envelope(&statement(LIST, spdx), "k", true);
        assert_eq!(
            verify_attestation(&for_list, &keys, IMAGE, Some(LIST), None)
                .unwrap()
                .subject,
            SubjectMatch::List
        );
        // Another image, another predicate, another key, a signature over the raw payload,
        // another payload type: never.
        assert!(matches!(
            verify_attestation(&for_list, &keys, IMAGE, None, None),
            Err(AttestationRejection::Subject { .. })
        ));
        assert!(matches!(
            verify_attestation(&good, &keys, IMAGE, None, Some("https://cyclonedx.org/bom")),
            Err(AttestationRejection::PredicateType { .. })
        ));
        assert_eq!(
            verify_attestation(
                &envelope(&statement(IMAGE, spdx), "z", true),
                &keys,
                IMAGE,
                None,
                None
            ),
            Err(AttestationRejection::NotVerified)
        );
        assert_eq!(
            verify_attestation(
                &envelope(&statement(IMAGE, spdx), "k", false),
                &keys,
                IMAGE,
                None,
                None
            ),
            Err(AttestationRejection::NotVerified)
        );
        let mut typed = good.clone();
        typed.payload_type = "application/json".into();
        assert!(matches!(
            verify_attestation(&typed, &keys, IMAGE, None, None),
            Err(AttestationRejection::PayloadType(_))
        ));
        let mut unsigned = good;
        unsigned.signatures.clear();
        assert_eq!(
            verify_attestation(&unsigned, &keys, IMAGE, None, None),
            Err(AttestationRejection::NoSignatures)
        );
    }

    #[test]
    fn shorthands() {
        assert_eq!(predicate_type_uri("spdxjson"), "https://spdx.dev/Document");
        assert_eq!(predicate_type_uri("cyclonedx"), "https://cyclonedx.org/bom");
        assert_eq!(predicate_type_uri("https://x/y"), "https://x/y");
    }
}
