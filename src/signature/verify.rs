//! The cryptographic check of one sigstore signature (`VerifySigstorePayload`, spec §5.2
//! steps 4–6) and the only constructor of [`Verified`].

use sha2::{Digest, Sha256};

use super::keys::{LoadedKey, PublicKey};
use crate::compat::Compat;
use crate::json::gobase64;

/// Who made a signature that verified.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signer {
    /// One of the requirement's public keys: its 0-based index and its fingerprint.
    Key { index: usize, fingerprint: String },
    /// An OpenPGP key of the requirement's keyring: the key that signed (a subkey's
    /// fingerprint for subkey signatures), its primary key, the primary's first user ID and
    /// the signature's creation time (Unix seconds).
    Gpg {
        signing_key: String,
        primary: String,
        user_id: Option<String>,
        created: Option<i64>,
        /// Where c/image builds with another OpenPGP backend would decide differently.
        backend_notes: Vec<String>,
    },
    /// A certificate (Fulcio or PKI) that chains to the policy's roots.
    Certificate(Box<CertificateSigner>),
}

/// What a verified Fulcio or PKI certificate says about the signer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct CertificateSigner {
    /// `fulcio` or `pki`.
    pub trust_root: &'static str,
    /// Subject and issuer names (RFC 4514 style; Fulcio leaves have an empty subject).
    pub subject: String,
    pub issuer: String,
    /// Serial number, decimal.
    pub serial: String,
    /// SHA-256 of the certificate's DER, hex.
    pub sha256: String,
    /// Subject alternative names.
    pub emails: Vec<String>,
    pub dns_names: Vec<String>,
    pub uris: Vec<String>,
    pub ip_addresses: Vec<String>,
    /// The OIDC issuer recorded by Fulcio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc_issuer: Option<String>,
    /// Validity window (RFC 3339, UTC).
    pub not_before: String,
    pub not_after: String,
    /// The verified chain above the leaf, issuer first, up to the trusted root (subjects).
    pub chain: Vec<String>,
    /// The time the chain was checked at (RFC 3339): Rekor's integrated time for Fulcio,
    /// now for PKI.
    pub verified_at: String,
    /// The Rekor entry (Fulcio).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rekor: Option<RekorEntry>,
}

/// A Rekor log entry as its signed entry timestamp states it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct RekorEntry {
    /// Hex SHA-256 of the log's public key.
    pub log_id: String,
    pub log_index: i64,
    /// Unix seconds.
    pub integrated_time: i64,
}

impl std::fmt::Display for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Signer::Key { fingerprint, .. } => write!(f, "key {fingerprint}"),
            Signer::Gpg {
                signing_key,
                primary,
                user_id,
                created,
                ..
            } => {
                write!(f, "GPG key {primary}")?;
                if let Some(u) = user_id {
                    write!(f, " ({u})")?;
                }
                if signing_key != primary {
                    write!(f, ", subkey {signing_key}")?;
                }
                if let Some(t) = created {
                    write!(
                        f,
                        ", signed {}",
                        crate::json::gotime::format_rfc3339_utc(*t)
                    )?;
                }
                Ok(())
            }
            Signer::Certificate(c) => {
                write!(
                    f,
                    "{} certificate",
                    if c.trust_root == "fulcio" {
                        "Fulcio"
                    } else {
                        "PKI"
                    }
                )?;
                let names: Vec<&str> = c
                    .emails
                    .iter()
                    .chain(&c.dns_names)
                    .chain(&c.uris)
                    .map(String::as_str)
                    .collect();
                if !names.is_empty() {
                    write!(f, " for {}", names.join(", "))?;
                }
                if !c.subject.is_empty() {
                    write!(f, " ({})", c.subject)?;
                }
                if let Some(i) = &c.oidc_issuer {
                    write!(f, ", OIDC issuer {i}")?;
                }
                write!(f, ", issued by {}", c.issuer)?;
                if c.chain.len() > 1 {
                    write!(f, " (chain: {})", c.chain.join(" → "))?;
                }
                write!(f, ", valid {} to {}", c.not_before, c.not_after)?;
                match &c.rekor {
                    Some(r) => write!(
                        f,
                        ", logged in Rekor at index {} on {}",
                        r.log_index,
                        crate::json::gotime::format_rfc3339_utc(r.integrated_time)
                    ),
                    None => write!(f, ", checked at {}", c.verified_at),
                }
            }
        }
    }
}

/// A payload whose signature verified, and who signed it. Only the verifiers make one
/// (through [`verify_sigstore`] and the OpenPGP verifier); everything downstream (digest, identity) reads the payload
/// through it.
#[derive(Debug, Clone)]
pub struct Verified<'a> {
    payload: std::borrow::Cow<'a, [u8]>,
    signer: Signer,
}

impl<'a> Verified<'a> {
    /// The authenticated payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// A simple-signing payload authenticated by the OpenPGP verifier (the message's
    /// literal data, owned: it was decompressed).
    pub(super) fn simple_signing(plaintext: Vec<u8>, signer: Signer) -> Verified<'static> {
        Verified {
            payload: std::borrow::Cow::Owned(plaintext),
            signer,
        }
    }
    /// The same payload, signed by `signer` (a certificate verifier names the certificate
    /// instead of the key it carried).
    pub(super) fn with_signer(self, signer: Signer) -> Verified<'a> {
        Verified {
            payload: self.payload,
            signer,
        }
    }

    /// Who signed it.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }
}

/// Why verification failed (c/image's text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(pub String);

/// Verifies `base64_signature` over `payload` with any of `keys` (5.23.1 has exactly one).
pub fn verify_sigstore<'a>(
    keys: &[LoadedKey],
    payload: &'a [u8],
    base64_signature: &str,
    compat: Compat,
) -> Result<Verified<'a>, VerifyError> {
    let sig = gobase64::decode(base64_signature.as_bytes())
        .map_err(|e| VerifyError(format!("base64 decoding: {e}")))?;
    let mut errors = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        match verify_one(&k.key, payload, &sig, compat) {
            Ok(()) => {
                return Ok(Verified {
                    payload: std::borrow::Cow::Borrowed(payload),
                    signer: Signer::Key {
                        index: i,
                        fingerprint: k.fingerprint.clone(),
                    },
                });
            }
            Err(e) => errors.push(e),
        }
    }
    Err(VerifyError(format!(
        "cryptographic signature verification failed: {}",
        errors.join(", ")
    )))
}

const ECDSA_ERR: &str = "invalid signature when validating ASN.1 encoded signature";

macro_rules! ecdsa_verify {
    ($curve:ident, $key:expr, $digest:expr, $sig:expr, $compat:expr) => {{
        use ecdsa::signature::hazmat::PrehashVerifier;
        let sig = match $curve::ecdsa::Signature::from_der($sig) {
            Ok(s) => Some(s),
            // sigstore ≥ 1.8.3 (c/image ≥ 5.31) also accepts IEEE P1363 r||s.
            Err(_) if $compat == Compat::Current => $curve::ecdsa::Signature::from_slice($sig).ok(),
            Err(_) => None,
        };
        match sig {
            Some(s) if $key.verify_prehash($digest, &s).is_ok() => Ok(()),
            _ => Err(ECDSA_ERR.to_owned()),
        }
    }};
}

fn verify_one(key: &PublicKey, payload: &[u8], sig: &[u8], compat: Compat) -> Result<(), String> {
    let digest = Sha256::digest(payload);
    match key {
        PublicKey::P256(k) => ecdsa_verify!(p256, k, &digest, sig, compat),
        PublicKey::P384(k) => ecdsa_verify!(p384, k, &digest, sig, compat),
        PublicKey::P521(k) => ecdsa_verify!(p521, k, &digest, sig, compat),
        PublicKey::Ed25519(k) => {
            let s = ed25519_dalek::Signature::from_slice(sig)
                .map_err(|_| "failed to verify signature".to_owned())?;
            k.verify_strict(payload, &s)
                .or_else(|_| {
                    use ed25519_dalek::Verifier;
                    k.verify(payload, &s)
                })
                .map_err(|_| "failed to verify signature".to_owned())
        }
        PublicKey::Rsa(k) => {
            use rsa::signature::Verifier;
            let vk = rsa::pkcs1v15::VerifyingKey::<Sha256>::new((**k).clone());
            let s = rsa::pkcs1v15::Signature::try_from(sig)
                .map_err(|_| "crypto/rsa: verification error".to_owned())?;
            vk.verify(payload, &s)
                .map_err(|_| "crypto/rsa: verification error".to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use ecdsa::signature::hazmat::PrehashSigner;

    use super::*;
    use crate::signature::keys::parse_pem_public_key;
    use crate::signature::sign::{p256_key_from_seed, p256_public_pem, sign_p256};

    const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    fn key(pem: &str) -> LoadedKey {
        parse_pem_public_key(pem.as_bytes()).unwrap()
    }

    #[test]
    fn p256_accepts_and_rejects() {
        let sk = p256_key_from_seed("a");
        let k = key(&p256_public_pem(&sk));
        assert!(k.fingerprint.starts_with("sha256:"));
        let payload = b"payload";
        let sig = sign_p256(&sk, payload);
        let v = verify_sigstore(std::slice::from_ref(&k), payload, &sig, Compat::V5_23).unwrap();
        assert_eq!(v.payload(), payload);
        assert_eq!(
            v.signer(),
            &Signer::Key {
                index: 0,
                fingerprint: k.fingerprint.clone()
            }
        );
        let e =
            verify_sigstore(std::slice::from_ref(&k), b"payloaD", &sig, Compat::V5_23).unwrap_err();
        assert_eq!(
            e.0,
            "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature"
        );
        let other = key(&p256_public_pem(&p256_key_from_seed("b")));
        assert!(
            verify_sigstore(std::slice::from_ref(&other), payload, &sig, Compat::V5_23).is_err()
        );
        // Any of several keys (keyPaths under current).
        let v = verify_sigstore(&[other, k.clone()], payload, &sig, Compat::Current).unwrap();
        assert!(matches!(v.signer(), Signer::Key { index: 1, .. }));
        assert_eq!(
            verify_sigstore(&[k], payload, "not base64", Compat::V5_23)
                .unwrap_err()
                .0,
            "base64 decoding: illegal base64 data at input byte 3"
        );
    }

    #[test]
    fn p1363_signatures_only_under_current() {
        let sk = p256_key_from_seed("c");
        let k = key(&p256_public_pem(&sk));
        let digest = Sha256::digest(b"x");
        let sig: p256::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
        let raw = B64.encode(sig.to_bytes());
        assert!(verify_sigstore(std::slice::from_ref(&k), b"x", &raw, Compat::V5_23).is_err());
        assert!(verify_sigstore(&[k], b"x", &raw, Compat::Current).is_ok());
    }

    #[test]
    fn p384_uses_sha256() {
        use p384::pkcs8::EncodePublicKey;
        let sk = p384::ecdsa::SigningKey::from_slice(&[9u8; 48]).unwrap();
        let pem = sk
            .verifying_key()
            .to_public_key_pem(p384::pkcs8::LineEnding::LF)
            .unwrap();
        let k = key(&pem);
        assert_eq!(k.key.algorithm(), "ECDSA P-384");
        let sig: p384::ecdsa::Signature = sk.sign_prehash(&Sha256::digest(b"x")).unwrap();
        let der = B64.encode(sig.to_der().as_bytes());
        assert!(verify_sigstore(&[k], b"x", &der, Compat::V5_23).is_ok());
    }

    #[test]
    fn ed25519() {
        use ed25519_dalek::Signer;
        let sk = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
        let mut der = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        der.extend_from_slice(sk.verifying_key().as_bytes());
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            B64.encode(&der)
        );
        let k = key(&pem);
        let sig = B64.encode(sk.sign(b"x").to_bytes());
        assert!(verify_sigstore(std::slice::from_ref(&k), b"x", &sig, Compat::V5_23).is_ok());
        assert_eq!(
            verify_sigstore(&[k], b"y", &sig, Compat::V5_23)
                .unwrap_err()
                .0,
            "cryptographic signature verification failed: failed to verify signature"
        );
    }

    #[test]
    fn key_parsing_errors() {
        assert_eq!(
            parse_pem_public_key(b"nothing").unwrap_err(),
            "PEM decoding failed"
        );
        assert_eq!(
            parse_pem_public_key(
                b"-----BEGIN EC PUBLIC KEY-----\nYWJj\n-----END EC PUBLIC KEY-----\n"
            )
            .unwrap_err(),
            "unknown Public key PEM file type: EC PUBLIC KEY. Are you passing the correct public key?"
        );
        assert!(
            parse_pem_public_key(b"-----BEGIN PUBLIC KEY-----\nYWJj\n-----END PUBLIC KEY-----\n")
                .is_err()
        );
        // Only the first block counts; later ones are reported as ignored.
        let a = p256_public_pem(&p256_key_from_seed("a"));
        let b = p256_public_pem(&p256_key_from_seed("b"));
        let both = parse_pem_public_key(format!("{a}{b}").as_bytes()).unwrap();
        assert_eq!(
            both.fingerprint,
            parse_pem_public_key(a.as_bytes()).unwrap().fingerprint
        );
        assert_eq!(both.ignored_blocks, 1);
        // An SPKI body under an RSA PUBLIC KEY label.
        let spki = a.replace("PUBLIC KEY", "RSA PUBLIC KEY");
        assert_eq!(
            parse_pem_public_key(spki.as_bytes()).unwrap_err(),
            "x509: failed to parse public key (use ParsePKIXPublicKey instead for this key format)"
        );
    }
}
