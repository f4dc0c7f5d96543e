//! Making sigstore signatures the way cosign does (ECDSA over SHA-256 of the payload, DER
//! encoded, base64 in the `dev.cosignproject.cosign/signature` annotation). Used by the
//! fixture generator and tests; keys are generated or test-only.

use base64::Engine;
use ecdsa::signature::hazmat::PrehashSigner;
use sha2::{Digest, Sha256};

use super::blob::{SIGNATURE_ANNOTATION, SIGSTORE_SIGNATURE_MIME_TYPE, Sigstore};

/// A P-256 signing key made deterministically from a seed (test and demo keys only).
pub fn p256_key_from_seed(seed: &str) -> p256::ecdsa::SigningKey {
    let mut counter = 0u32;
    loop {
        let d = Sha256::digest(format!("policyctl test key {seed} {counter}"));
        if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&d) {
            return k;
        }
        counter += 1;
    }
}

/// The PEM `PUBLIC KEY` of a P-256 signing key.
pub fn p256_public_pem(k: &p256::ecdsa::SigningKey) -> String {
    use p256::pkcs8::EncodePublicKey;
    k.verifying_key()
        .to_public_key_pem(p256::pkcs8::LineEnding::LF)
        .unwrap_or_default()
}

/// Signs `payload`: DER ECDSA signature over SHA-256(payload), base64.
pub fn sign_p256(k: &p256::ecdsa::SigningKey, payload: &[u8]) -> String {
    let digest = Sha256::digest(payload);
    let sig: Result<p256::ecdsa::Signature, _> = k.sign_prehash(&digest);
    match sig {
        Ok(s) => base64::engine::general_purpose::STANDARD.encode(s.to_der().as_bytes()),
        Err(_) => String::new(),
    }
}

/// A complete sigstore signature of `payload`.
pub fn sigstore_signature(k: &p256::ecdsa::SigningKey, payload: Vec<u8>) -> Sigstore {
    let mut s = Sigstore {
        mime_type: SIGSTORE_SIGNATURE_MIME_TYPE.to_owned(),
        payload,
        ..Default::default()
    };
    let sig = sign_p256(k, &s.payload);
    s.annotations.insert(SIGNATURE_ANNOTATION.to_owned(), sig);
    s
}
