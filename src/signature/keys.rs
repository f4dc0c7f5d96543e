//! Public keys as sigstore's `cryptoutils.UnmarshalPEMToPublicKey` reads them (spec §5.3):
//! the first PEM block, `PUBLIC KEY` (SubjectPublicKeyInfo: ECDSA P-256/P-384/P-521,
//! Ed25519, RSA) or `RSA PUBLIC KEY` (PKCS#1).

use sha2::{Digest, Sha256};
use spki::der::Decode;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use super::pem;

const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P224: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.33");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A parsed public key.
#[derive(Clone)]
pub enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(Box<rsa::PublicKey>),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.algorithm())
    }
}

/// A key and the SHA-256 fingerprint of its SubjectPublicKeyInfo DER (`sha256:<hex>`).
#[derive(Debug, Clone)]
pub struct LoadedKey {
    pub key: PublicKey,
    pub fingerprint: String,
    /// How many further PEM blocks followed the one used (they are ignored, as by c/image).
    pub ignored_blocks: usize,
}

impl PublicKey {
    /// A short name: `ECDSA P-256`, `Ed25519`, `RSA-2048`, ….
    pub fn algorithm(&self) -> &'static str {
        match self {
            PublicKey::P256(_) => "ECDSA P-256",
            PublicKey::P384(_) => "ECDSA P-384",
            PublicKey::P521(_) => "ECDSA P-521",
            PublicKey::Ed25519(_) => "Ed25519",
            PublicKey::Rsa(_) => "RSA",
        }
    }
}

/// SHA-256 of `bytes` as `sha256:<hex>`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in d.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// `cryptoutils.UnmarshalPEMToPublicKey`, with the error texts c/image shows after
/// `parsing public key: `.
pub fn parse_pem_public_key(data: &[u8]) -> Result<LoadedKey, String> {
    let Some((block, rest)) = pem::decode(data) else {
        return Err("PEM decoding failed".to_owned());
    };
    let ignored_blocks = pem::count_blocks(&data[rest..]);
    let (key, spki_der) = match block.label.as_str() {
        "PUBLIC KEY" => (parse_spki(&block.der)?, block.der.clone()),
        "RSA PUBLIC KEY" => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::pkcs8::EncodePublicKey;
            let k = rsa::PublicKey::from_pkcs1_der(&block.der).map_err(|_| {
                if SubjectPublicKeyInfoRef::from_der(&block.der).is_ok() {
                    "x509: failed to parse public key (use ParsePKIXPublicKey instead for this key format)".to_owned()
                } else {
                    "x509: malformed PKCS#1 public key".to_owned()
                }
            })?;
            let der = k
                .to_public_key_der()
                .map_err(|e| e.to_string())?
                .as_bytes()
                .to_vec();
            (PublicKey::Rsa(Box::new(k)), der)
        }
        other => {
            return Err(format!(
                "unknown Public key PEM file type: {other}. Are you passing the correct public key?"
            ));
        }
    };
    Ok(LoadedKey {
        key,
        fingerprint: sha256_digest(&spki_der),
        ignored_blocks,
    })
}

/// `x509.ParsePKIXPublicKey` for the algorithms Go supports.
pub fn parse_spki(der: &[u8]) -> Result<PublicKey, String> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|e| format!("asn1: structure error: {e}"))?;
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or("x509: invalid public key bit string")?;
    let oid = spki.algorithm.oid;
    if oid == OID_EC {
        let curve: ObjectIdentifier = spki
            .algorithm
            .parameters
            .ok_or("x509: failed to parse ECDSA parameters as named curve")?
            .decode_as()
            .map_err(|_| "x509: failed to parse ECDSA parameters as named curve")?;
        let bad = || "x509: failed to unmarshal elliptic curve point".to_owned();
        return match curve {
            c if c == OID_P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                .map(PublicKey::P256)
                .map_err(|_| bad()),
            c if c == OID_P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                .map(PublicKey::P384)
                .map_err(|_| bad()),
            c if c == OID_P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                .map(PublicKey::P521)
                .map_err(|_| bad()),
            c if c == OID_P224 => Err("policyctl does not support ECDSA P-224 keys".to_owned()),
            _ => Err("x509: unsupported elliptic curve".to_owned()),
        };
    }
    if oid == OID_ED25519 {
        if spki.algorithm.parameters.is_some() {
            return Err("x509: Ed25519 key encoded with illegal parameters".to_owned());
        }
        let arr: [u8; 32] = bits
            .try_into()
            .map_err(|_| "x509: wrong Ed25519 public key size".to_owned())?;
        return ed25519_dalek::VerifyingKey::from_bytes(&arr)
            .map(PublicKey::Ed25519)
            .map_err(|_| "x509: invalid Ed25519 public key".to_owned());
    }
    if oid == OID_RSA {
        use rsa::pkcs8::DecodePublicKey;
        return rsa::PublicKey::from_public_key_der(der)
            .map(|k| PublicKey::Rsa(Box::new(k)))
            .map_err(|_| "x509: invalid RSA public key".to_owned());
    }
    Err("x509: unknown public key algorithm".to_owned())
}
