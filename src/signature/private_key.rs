//! cosign's encrypted private keys (spec §17.2): PEM `ENCRYPTED SIGSTORE PRIVATE KEY` or
//! `ENCRYPTED COSIGN PRIVATE KEY` around a JSON envelope — scrypt (N ∈ 2^15, 2^16, 2^17;
//! r = 8, p = 1) derives the key of a NaCl secretbox (XSalsa20-Poly1305) that holds the PKCS#8
//! private key. Read as cosign ≥ 2.2 reads them (both labels, all three N) with its error
//! texts; written as cosign ≥ 2.2 writes them (SIGSTORE label, N = 65536), so every cosign
//! since 2.0.1 and c/image ≥ 5.28 read them. Pure: randomness is handed in.

use base64::Engine;
use crypto_secretbox::aead::{Aead, KeyInit};
use serde::{Deserialize, Serialize};

/// The PEM label cosign ≥ 2.0.1 writes.
pub const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The label of cosign ≤ 2.0.0 and `skopeo generate-sigstore-key`.
pub const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

crate::message_error! {
    /// Why a private key could not be loaded or written (cosign's texts where it has one).
    PrivateKeyError
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    kdf: Kdf,
    cipher: Cipher,
    #[serde(with = "b64")]
    ciphertext: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: ScryptParams,
    #[serde(with = "b64")]
    salt: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    #[serde(with = "b64")]
    nonce: Vec<u8>,
}

mod b64 {
    use base64::Engine;
    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s: String = serde::Deserialize::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(serde::de::Error::custom)
    }
}

fn err<T>(s: impl Into<String>) -> Result<T, PrivateKeyError> {
    Err(PrivateKeyError(s.into()))
}

fn scrypt_key(passphrase: &[u8], salt: &[u8], log_n: u8) -> Result<[u8; 32], PrivateKeyError> {
    let params = scrypt::Params::new(log_n, 8, 1, 32)
        .map_err(|e| PrivateKeyError(format!("decrypt: scrypt: {e}")))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(passphrase, salt, &params, &mut key)
        .map_err(|e| PrivateKeyError(format!("decrypt: scrypt: {e}")))?;
    Ok(key)
}

/// Decrypts a cosign private key file with `passphrase`: the P-256 signing key.
pub fn load_encrypted_private_key(
    pem: &[u8],
    passphrase: &[u8],
) -> Result<p256::ecdsa::SigningKey, PrivateKeyError> {
    let Some((block, _)) = super::pem::decode(pem) else {
        return err("invalid pem block");
    };
    if block.label != SIGSTORE_LABEL && block.label != COSIGN_LABEL {
        return err(format!("unsupported pem type: {}", block.label));
    }
    let env: Envelope =
        serde_json::from_slice(&block.der).map_err(|e| PrivateKeyError(format!("decrypt: {e}")))?;
    if env.kdf.name != "scrypt" {
        return err(format!(
            "decrypt: encrypted: unknown kdf name {}",
            crate::json::gofmt::quote(&env.kdf.name)
        ));
    }
    let log_n = match (env.kdf.params.n, env.kdf.params.r, env.kdf.params.p) {
        (32768, 8, 1) => 15,
        (65536, 8, 1) => 16,
        (131072, 8, 1) => 17,
        _ => return err("decrypt: encrypted: unsupported scrypt parameters"),
    };
    if env.cipher.name != "nacl/secretbox" {
        return err(format!(
            "decrypt: encrypted: unknown cipher name {}",
            crate::json::gofmt::quote(&env.cipher.name)
        ));
    }
    let nonce: [u8; 24] = env
        .cipher
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| PrivateKeyError("decrypt: encrypted: incorrect nonce size".into()))?;
    let key = scrypt_key(passphrase, &env.kdf.salt, log_n)?;
    let plaintext = crypto_secretbox::XSalsa20Poly1305::new(&key.into())
        .decrypt(&nonce.into(), env.ciphertext.as_slice())
        .map_err(|_| PrivateKeyError("decrypt: encrypted: decryption failed".into()))?;
    parse_pkcs8(&plaintext)
}

/// The P-256 key of PKCS#8 DER (cosign's `x509.ParsePKCS8PrivateKey`).
fn parse_pkcs8(der: &[u8]) -> Result<p256::ecdsa::SigningKey, PrivateKeyError> {
    use p256::pkcs8::DecodePrivateKey;
    if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
        return Ok(k);
    }
    if p256::SecretKey::from_sec1_der(der).is_ok() {
        return err(
            "parsing private key: x509: failed to parse private key (use ParseECPrivateKey instead for this key format)",
        );
    }
    err(
        "parsing private key: policyctl signs with ECDSA P-256 keys only (cosign's default); this is another kind of key or not a key",
    )
}

/// Which writer's format to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// cosign ≥ 2.2: `ENCRYPTED SIGSTORE PRIVATE KEY`, scrypt N = 65536.
    Current,
    /// cosign ≤ 2.0.0 and c/image < 5.28 (`skopeo generate-sigstore-key` then):
    /// `ENCRYPTED COSIGN PRIVATE KEY`, scrypt N = 32768 — the only one every reader takes.
    Legacy,
}

/// Encrypts `key` as cosign ≥ 2.2 does, with the given random salt and nonce.
pub fn encrypt_private_key(
    key: &p256::ecdsa::SigningKey,
    passphrase: &[u8],
    salt: [u8; 32],
    nonce: [u8; 24],
) -> Result<String, PrivateKeyError> {
    encrypt_private_key_as(key, passphrase, salt, nonce, KeyFormat::Current)
}

/// Encrypts `key` in `format`, with the given random salt and nonce.
pub fn encrypt_private_key_as(
    key: &p256::ecdsa::SigningKey,
    passphrase: &[u8],
    salt: [u8; 32],
    nonce: [u8; 24],
    format: KeyFormat,
) -> Result<String, PrivateKeyError> {
    let (label, log_n, n) = match format {
        KeyFormat::Current => (SIGSTORE_LABEL, 16, 65536),
        KeyFormat::Legacy => (COSIGN_LABEL, 15, 32768),
    };
    use p256::pkcs8::EncodePrivateKey;
    let der = key
        .to_pkcs8_der()
        .map_err(|e| PrivateKeyError(format!("encoding the private key: {e}")))?;
    let k = scrypt_key(passphrase, &salt, log_n)?;
    let ciphertext = crypto_secretbox::XSalsa20Poly1305::new(&k.into())
        .encrypt(&nonce.into(), der.as_bytes())
        .map_err(|_| PrivateKeyError("encrypting the private key failed".into()))?;
    let env = Envelope {
        kdf: Kdf {
            name: "scrypt".into(),
            params: ScryptParams { n, r: 8, p: 1 },
            salt: salt.to_vec(),
        },
        cipher: Cipher {
            name: "nacl/secretbox".into(),
            nonce: nonce.to_vec(),
        },
        ciphertext,
    };
    let json = serde_json::to_vec(&env)
        .map_err(|e| PrivateKeyError(format!("encoding the private key: {e}")))?;
    Ok(pem_encode(label, &json))
}

/// A sigstore signature of `payload` as c/image and cosign make it with a P-256 key: ECDSA over
/// SHA-256(payload), ASN.1 DER, standard base64 (the `dev.cosignproject.cosign/signature`
/// annotation).
pub fn sign_payload(
    key: &p256::ecdsa::SigningKey,
    payload: &[u8],
) -> Result<String, PrivateKeyError> {
    use ecdsa::signature::hazmat::PrehashSigner;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(payload);
    let sig: p256::ecdsa::Signature = key
        .sign_prehash(&digest)
        .map_err(|e| PrivateKeyError(format!("signing: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sig.to_der().as_bytes()))
}

/// Go's `pem.EncodeToMemory`: 64-column base64 between BEGIN and END lines.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosigns_test_keys_decrypt_with_hello() {
        let sigstore = include_bytes!("../../testdata/store/pemsigstorekey.key");
        let cosign = include_bytes!("../../testdata/store/pemcosignkey.key");
        let sec1 = include_bytes!("../../testdata/store/pemcosigneckey.key");
        assert!(load_encrypted_private_key(sigstore, b"hello").is_ok());
        assert!(load_encrypted_private_key(cosign, b"hello").is_ok());
        assert_eq!(
            load_encrypted_private_key(sec1, b"hello").unwrap_err(),
            "parsing private key: x509: failed to parse private key (use ParseECPrivateKey instead for this key format)"
        );
        assert_eq!(
            load_encrypted_private_key(sigstore, b"wrong").unwrap_err(),
            "decrypt: encrypted: decryption failed"
        );
        assert_eq!(
            load_encrypted_private_key(b"nothing", b"").unwrap_err(),
            "invalid pem block"
        );
        assert_eq!(
            load_encrypted_private_key(
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                b""
            )
            .unwrap_err(),
            "unsupported pem type: PRIVATE KEY"
        );
    }

    #[test]
    fn written_keys_read_back_and_are_cosigns_format() {
        let key = super::super::sign::p256_key_from_seed("private key test");
        let pem = encrypt_private_key(&key, b"pw", [7; 32], [9; 24]).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let back = load_encrypted_private_key(pem.as_bytes(), b"pw").unwrap();
        assert_eq!(back.to_bytes(), key.to_bytes());
        assert!(load_encrypted_private_key(pem.as_bytes(), b"").is_err());
        let (block, _) = super::super::pem::decode(pem.as_bytes()).unwrap();
        let json = String::from_utf8(block.der).unwrap();
        assert!(
            json.starts_with(
                r#"{"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":""#
            ),
            "{json}"
        );
        assert!(json.contains(r#""cipher":{"name":"nacl/secretbox","nonce":""#));
        // The legacy format: COSIGN label, N = 32768.
        let legacy =
            encrypt_private_key_as(&key, b"pw", [3; 32], [4; 24], KeyFormat::Legacy).unwrap();
        assert!(legacy.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"));
        let (block, _) = super::super::pem::decode(legacy.as_bytes()).unwrap();
        assert!(
            String::from_utf8(block.der)
                .unwrap()
                .contains(r#""N":32768"#)
        );
        assert_eq!(
            load_encrypted_private_key(legacy.as_bytes(), b"pw")
                .unwrap()
                .to_bytes(),
            key.to_bytes()
        );
        // An empty passphrase still encrypts (cosign's behaviour).
        let empty = encrypt_private_key(&key, b"", [1; 32], [2; 24]).unwrap();
        assert!(load_encrypted_private_key(empty.as_bytes(), b"").is_ok());
    }
}
