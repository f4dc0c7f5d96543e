//! Keyless (Fulcio) attestations in Sigstore bundles, offline: the bundle's Rekor entry is
//! checked as c/image checks a Rekor SET (signed entry timestamp over the canonical entry, by a
//! trusted Rekor key), its `dsse` body must bind this envelope's payload, signature and
//! certificate, the certificate must chain to the trusted Fulcio roots at the entry's
//! integrated time (Go's rules, the Fulcio critical-SAN tolerance) and name the required OIDC
//! issuer and e-mail, and only then is the DSSE signature checked with the certificate's key
//! and the statement with [`super::verify::verify_attestation`]. Pure.

use base64::Engine;
use sha2::{Digest, Sha256};

use super::Envelope;
use super::bundle::{Bundle, Content, Material};
use super::verify::{AttestationRejection, VerifiedAttestation, verify_attestation};
use crate::signature::keys::{LoadedKey, sha256_digest};
use crate::signature::x509::cert::{CertKey, OID_SAN};
use crate::signature::x509::{self, CertPool, VerifyOptions, der};

/// What a keyless attestation must chain and be logged to, and whom it must name.
pub struct KeylessTrust<'a> {
    pub fulcio_roots: &'a CertPool,
    pub intermediates: &'a CertPool,
    pub rekor_keys: &'a [LoadedKey],
    pub oidc_issuer: Option<&'a str>,
    pub subject_email: Option<&'a str>,
}

crate::message_error! {
    /// Why a keyless bundle was not accepted (before its statement is looked at).
    KeylessError
}

fn err<T>(s: impl Into<String>) -> Result<T, KeylessError> {
    Err(KeylessError(s.into()))
}

/// A verified keyless attestation: the statement checks and who signed it.
#[derive(Debug, Clone)]
pub struct KeylessVerified {
    pub attestation: VerifiedAttestation,
    /// Certificate e-mails, the OIDC issuer, and the Rekor entry's index and time.
    pub emails: Vec<String>,
    pub oidc_issuer: String,
    pub log_index: Option<i64>,
    pub integrated_time: i64,
}

/// Verifies a keyless bundle's DSSE attestation for the image (`instance`, `list`) with
/// predicate type `wanted`.
pub fn verify_keyless_bundle(
    bundle: &Bundle,
    trust: &KeylessTrust<'_>,
    instance: &str,
    list: Option<&str>,
    wanted: Option<&str>,
) -> Result<Result<KeylessVerified, AttestationRejection>, KeylessError> {
    let Material::Certificate(leaf_der) = &bundle.material else {
        return err("not a keyless bundle (no certificate)");
    };
    let Content::Dsse(env) = &bundle.content else {
        return err("the bundle holds no DSSE envelope");
    };
    let Some(entry) = bundle.tlog_entries.first() else {
        return err("no transparency log entry: cannot establish when the certificate was used");
    };
    // 1. The signed entry timestamp, as c/image's VerifyRekorSET checks it.
    let integrated_time = entry
        .integrated_time
        .ok_or_else(|| KeylessError("Rekor entry without integratedTime".into()))?;
    let set_payload = serde_json::json!({
        "body": base64::engine::general_purpose::STANDARD.encode(&entry.body),
        "integratedTime": integrated_time,
        "logID": entry.log_id.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "logIndex": entry.log_index.unwrap_or(0),
    });
    let canonical =
        crate::json::canonical::canonicalize(&serde_json::to_vec(&set_payload).unwrap_or_default())
            .map_err(|e| KeylessError(format!("canonicalizing the Rekor entry: {e}")))?;
    let digest = Sha256::digest(&canonical);
    let set_ok = trust.rekor_keys.iter().any(|k| {
        crate::signature::sigstore::rekor::ecdsa_verify_der(
            &k.key,
            &digest,
            &entry.signed_entry_timestamp,
        )
    });
    if !set_ok {
        return err("cryptographic signature verification of Rekor SET failed");
    }
    // 2. The logged `dsse` entry binds this payload, signature and certificate.
    entry_binds(&entry.body, env, leaf_der)?;
    // 3. The certificate chains to the Fulcio roots at the integrated time.
    let mut leaf = x509::parse_certificate(leaf_der)
        .map_err(|e| KeylessError(format!("parsing leaf certificate: {e}")))?;
    let san = der::oid_string(OID_SAN);
    leaf.unhandled_critical.retain(|o| *o != san);
    x509::verify(
        &leaf,
        &VerifyOptions {
            roots: trust.fulcio_roots,
            intermediates: trust.intermediates,
            now: integrated_time,
        },
    )
    .map_err(|e| KeylessError(format!("veryfing leaf certificate failed: {e}")))?;
    // 4. Whom it names.
    let issuer = crate::signature::sigstore::certificate::fulcio_issuer(&leaf)
        .map_err(|e| KeylessError(e.0))?;
    if let Some(want) = trust.oidc_issuer
        && issuer != want
    {
        return err(format!(
            "Unexpected Fulcio OIDC issuer {}",
            crate::json::gofmt::quote(&issuer)
        ));
    }
    if let Some(want) = trust.subject_email
        && !leaf.email_addresses.iter().any(|e| e == want)
    {
        return err(format!(
            "Required email {} not found (got {:?})",
            crate::json::gofmt::quote(want),
            leaf.email_addresses
        ));
    }
    // 5. The DSSE signature with the certificate's key, then the statement.
    let CertKey::Key(k) = &leaf.key else {
        return err("the certificate's key cannot verify signatures here");
    };
    let key = LoadedKey {
        key: k.clone(),
        fingerprint: sha256_digest(&leaf.raw_spki),
        ignored_blocks: 0,
    };
    Ok(
        verify_attestation(env, std::slice::from_ref(&key), instance, list, wanted).map(|a| {
            KeylessVerified {
                attestation: a,
                emails: leaf.email_addresses.clone(),
                oidc_issuer: issuer,
                log_index: entry.log_index,
                integrated_time,
            }
        }),
    )
}

/// Whether the logged entry `body` (Rekor `dsse` 0.0.1) binds this envelope's payload and a
/// signature of it made with the certificate `leaf_der`.
fn entry_binds(entry_body: &[u8], env: &Envelope, leaf_der: &[u8]) -> Result<(), KeylessError> {
    let body: serde_json::Value = serde_json::from_slice(entry_body)
        .map_err(|e| KeylessError(format!("decoding the Rekor entry body: {e}")))?;
    if body.get("kind").and_then(|k| k.as_str()) != Some("dsse")
        || body.get("apiVersion").and_then(|k| k.as_str()) != Some("0.0.1")
    {
        return err(format!(
            "unsupported Rekor entry {} {} (dsse 0.0.1 expected)",
            body.get("kind").unwrap_or(&serde_json::Value::Null),
            body.get("apiVersion").unwrap_or(&serde_json::Value::Null)
        ));
    }
    let spec = &body["spec"];
    let payload_hash: String = Sha256::digest(&env.payload)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if spec["payloadHash"]["algorithm"] != "sha256"
        || spec["payloadHash"]["value"] != payload_hash.as_str()
    {
        return err("payload in Rekor entry does not match");
    }
    let logged = spec["signatures"].as_array().cloned().unwrap_or_default();
    let bound = logged.iter().any(|s| {
        let sig = s["signature"]
            .as_str()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
        let verifier_der = s["verifier"]
            .as_str()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|pem| crate::signature::pem::decode(&pem).map(|(blk, _)| blk.der));
        sig.is_some_and(|sig| env.signatures.iter().any(|(_, s)| *s == sig))
            && verifier_der.as_deref() == Some(leaf_der)
    });
    if !bound {
        return err("signature or certificate in Rekor entry does not match");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::keys::parse_pem_public_key;

    const BUNDLE: &[u8] = include_bytes!("../../testdata/store/oci-attestation.sigstore.json");
    const SUBJECT: &str = "sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4";

    fn pools() -> (CertPool, CertPool) {
        let mut roots = CertPool::default();
        x509::append_certs_from_pem(
            &mut roots,
            include_bytes!("../../testdata/upstream-sigstore/fulcio_v1.crt.pem"),
        );
        let mut chain = x509::unmarshal_certificates_from_pem(include_bytes!(
            "../../testdata/upstream-sigstore/fulcio-chain"
        ))
        .unwrap();
        chain.pop();
        let mut intermediates = CertPool::default();
        for c in chain {
            intermediates.add(c);
        }
        (roots, intermediates)
    }

    /// cosign's real keyless bundle verifies against sigstore's public-good Fulcio root and
    /// intermediate and Rekor key (public certificates, in c/image's fixtures).
    #[test]
    fn cosigns_public_good_bundle_verifies_offline() {
        let bundle = super::super::bundle::parse_bundle(BUNDLE).unwrap();
        let rekor =
            parse_pem_public_key(include_bytes!("../../testdata/upstream-sigstore/rekor.pub"))
                .unwrap();
        let (roots, intermediates) = pools();
        let trust = |issuer: Option<&'static str>, email: Option<&'static str>| KeylessTrust {
            fulcio_roots: Box::leak(Box::new(roots.clone())),
            intermediates: Box::leak(Box::new(intermediates.clone())),
            rekor_keys: Box::leak(Box::new(vec![rekor.clone()])),
            oidc_issuer: issuer,
            subject_email: email,
        };
        let ok = verify_keyless_bundle(
            &bundle,
            &trust(None, Some("cody@soyland.com")),
            SUBJECT,
            None,
            None,
        )
        .unwrap()
        .unwrap();
        assert_eq!(ok.emails, ["cody@soyland.com"]);
        assert_eq!(ok.integrated_time, 1_740_770_291);
        assert_eq!(
            ok.attestation.statement.predicate_type,
            "https://cosign.sigstore.dev/attestation/v1"
        );
        // Another e-mail, another issuer, another image: no.
        assert!(
            verify_keyless_bundle(&bundle, &trust(None, Some("x@y")), SUBJECT, None, None)
                .unwrap_err()
                .starts_with("Required email")
        );
        assert!(
            verify_keyless_bundle(
                &bundle,
                &trust(Some("https://x"), None),
                SUBJECT,
                None,
                None
            )
            .unwrap_err()
            .starts_with("Unexpected Fulcio OIDC issuer")
        );
        assert!(matches!(
            verify_keyless_bundle(&bundle, &trust(None, None), "sha256:00", None, None).unwrap(),
            Err(AttestationRejection::Subject { .. })
        ));
        // Another Rekor key: the SET does not verify.
        let other =
            parse_pem_public_key(include_bytes!("../../testdata/upstream/cosign.pub")).unwrap();
        let t = KeylessTrust {
            rekor_keys: std::slice::from_ref(&other),
            ..trust(None, None)
        };
        assert_eq!(
            verify_keyless_bundle(&bundle, &t, SUBJECT, None, None).unwrap_err(),
            "cryptographic signature verification of Rekor SET failed"
        );
        // No Fulcio root: no chain.
        let empty = CertPool::default();
        let t = KeylessTrust {
            fulcio_roots: &empty,
            ..trust(None, None)
        };
        assert!(
            verify_keyless_bundle(&bundle, &t, SUBJECT, None, None)
                .unwrap_err()
                .starts_with("veryfing leaf certificate failed")
        );
        // A tampered entry body no longer matches its SET.
        let mut tampered = bundle.clone();
        tampered.tlog_entries[0].integrated_time = Some(1_740_770_292);
        assert!(verify_keyless_bundle(&tampered, &trust(None, None), SUBJECT, None, None).is_err());
    }

    /// The logged entry must be a `dsse` 0.0.1 entry binding this payload, signature and
    /// certificate (the SET only proves Rekor logged *some* entry).
    #[test]
    fn the_logged_entry_must_bind_this_envelope() {
        let bundle = super::super::bundle::parse_bundle(BUNDLE).unwrap();
        let Material::Certificate(leaf) = &bundle.material else {
            panic!("keyless bundle expected");
        };
        let Content::Dsse(env) = &bundle.content else {
            panic!("DSSE bundle expected");
        };
        let body: serde_json::Value = serde_json::from_slice(&bundle.tlog_entries[0].body).unwrap();
        let check = |b: &serde_json::Value| {
            entry_binds(&serde_json::to_vec(b).unwrap(), env, leaf).map_err(|e| e.0)
        };
        assert_eq!(check(&body), Ok(()));
        let edited = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut b = body.clone();
            f(&mut b);
            check(&b).unwrap_err()
        };
        assert!(edited(&|b| b["kind"] = "intoto".into()).starts_with("unsupported Rekor entry"));
        assert!(
            edited(&|b| b["apiVersion"] = "0.0.2".into()).starts_with("unsupported Rekor entry")
        );
        assert_eq!(
            edited(&|b| b["spec"]["payloadHash"]["value"] = "00".into()),
            "payload in Rekor entry does not match"
        );
        assert_eq!(
            edited(&|b| b["spec"]["payloadHash"]["algorithm"] = "sha512".into()),
            "payload in Rekor entry does not match"
        );
        assert_eq!(
            edited(&|b| b["spec"]["signatures"][0]["signature"] = "AAAA".into()),
            "signature or certificate in Rekor entry does not match"
        );
        let other_cert = base64::engine::general_purpose::STANDARD.encode(include_bytes!(
            "../../testdata/upstream-sigstore/fulcio-cert"
        ));
        assert_eq!(
            edited(&|b| b["spec"]["signatures"][0]["verifier"] = other_cert.clone().into()),
            "signature or certificate in Rekor entry does not match"
        );
        assert!(check(&serde_json::json!([])).is_err());
        assert!(entry_binds(b"not json", env, leaf).is_err());
    }
}
