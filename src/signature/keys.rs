//! Public keys as sigstore's `cryptoutils.UnmarshalPEMToPublicKey` reads them (spec §5.3):
//! the first PEM block, `PUBLIC KEY` (SubjectPublicKeyInfo: ECDSA P-256/P-384/P-521,
//! Ed25519, RSA) or `RSA PUBLIC KEY` (PKCS#1).

use sha2::{Digest, Sha256};
use spki::der::Decode;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use super::pem;
use crate::compat::Compat;

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
/// `parsing public key: ` under current c/image (built with Go ≥ 1.25).
pub fn parse_pem_public_key(data: &[u8]) -> Result<LoadedKey, KeyError> {
    parse_pem_public_key_for(data, Compat::Current)
}

/// [`parse_pem_public_key`] with the Go error texts of the toolchain `compat`'s c/image was
/// built with (`--compat 5.23`: Debian's skopeo, Go 1.19).
pub fn parse_pem_public_key_for(data: &[u8], compat: Compat) -> Result<LoadedKey, KeyError> {
    let Some((block, rest)) = pem::decode(data) else {
        return Err("PEM decoding failed".into());
    };
    let ignored_blocks = pem::count_blocks(&data[rest..]);
    let (key, spki_der) = match block.label.as_str() {
        "PUBLIC KEY" => (parse_spki(&block.der, compat)?, block.der.clone()),
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
            )
            .into());
        }
    };
    Ok(LoadedKey {
        key,
        fingerprint: sha256_digest(&spki_der),
        ignored_blocks,
    })
}

/// `x509.ParsePKIXPublicKey` for the algorithms Go supports.
pub fn parse_spki(der: &[u8], compat: Compat) -> Result<PublicKey, KeyError> {
    parse_spki_text(der, compat).map_err(KeyError)
}

/// [`parse_spki`] with the message as a plain string (inside this module).
fn parse_spki_text(der: &[u8], compat: Compat) -> Result<PublicKey, String> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|e| format!("asn1: structure error: {e}"))?;
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or("x509: invalid public key bit string")?;
    let oid = spki.algorithm.oid;
    if oid == OID_EC {
        // Go 1.19 and 1.26 alike: the parameters must start with an OBJECT IDENTIFIER.
        let curve: ObjectIdentifier = spki
            .algorithm
            .parameters
            .ok_or("x509: invalid ECDSA parameters")?
            .decode_as()
            .map_err(|_| "x509: invalid ECDSA parameters")?;
        let curve = match curve {
            c if c == OID_P256 => &P256,
            c if c == OID_P384 => &P384,
            c if c == OID_P521 => &P521,
            c if c == OID_P224 => {
                return Err("policyctl does not support ECDSA P-224 keys".to_owned());
            }
            _ => return Err("x509: unsupported elliptic curve".to_owned()),
        };
        check_ec_point(curve, bits, compat)?;
        let not_on_curve = |_| go_ec_error(compat, format!("{} point not on curve", curve.go));
        return match curve.go {
            "P256" => p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                .map(PublicKey::P256)
                .map_err(not_on_curve),
            "P384" => p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                .map(PublicKey::P384)
                .map_err(not_on_curve),
            _ => p521::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                .map(PublicKey::P521)
                .map_err(not_on_curve),
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

/// A NIST curve as Go's `crypto/internal/fips140/nistec` names it, with its field prime.
struct NistCurve {
    /// `P256`, `P384`, `P521` (Go's messages).
    go: &'static str,
    /// The field prime p, big-endian, as long as one encoded coordinate.
    p: &'static [u8],
    /// Go's message for a coordinate ≥ p: the amd64/arm64 assembly P-256 says
    /// `invalid P256 element encoding`, the fiat P-384/P-521 `invalid P384Element encoding`.
    element_error: &'static str,
}

const P256: NistCurve = NistCurve {
    go: "P256",
    p: &[
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff,
    ],
    element_error: "invalid P256 element encoding",
};

const P384: NistCurve = NistCurve {
    go: "P384",
    p: &[
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
        0xff, 0xff, 0xff,
    ],
    element_error: "invalid P384Element encoding",
};

/// 2^521 - 1 in 66 bytes.
const P521_PRIME: [u8; 66] = {
    let mut p = [0xff; 66];
    p[0] = 0x01;
    p
};

const P521: NistCurve = NistCurve {
    go: "P521",
    p: &P521_PRIME,
    element_error: "invalid P521Element encoding",
};

/// Go 1.19's `x509.ParsePKIXPublicKey` (`elliptic.Unmarshal`) has one message for every bad
/// point; Go ≥ 1.25 (`ecdsa.ParseUncompressedPublicKey`) passes nistec's through.
fn go_ec_error(compat: Compat, current: String) -> String {
    match compat {
        Compat::V5_23 => "x509: failed to unmarshal elliptic curve point".to_owned(),
        Compat::Current => current,
    }
}

/// The point checks of `x509.ParsePKIXPublicKey`, in Go's order: only the uncompressed SEC 1
/// form `04 ‖ X ‖ Y` is accepted — compressed (`02`/`03`), hybrid (`06`/`07`) and the point at
/// infinity (`00`) are refused although RustCrypto's `from_sec1_bytes` takes some of them —,
/// then the length, then both coordinates below p. (On-curve is checked by the caller.)
fn check_ec_point(curve: &NistCurve, point: &[u8], compat: Compat) -> Result<(), String> {
    if point.first() != Some(&4) {
        return Err(go_ec_error(
            compat,
            "ecdsa: invalid uncompressed public key".to_owned(),
        ));
    }
    let n = curve.p.len();
    if point.len() != 1 + 2 * n {
        return Err(go_ec_error(
            compat,
            format!("invalid {} point encoding", curve.go),
        ));
    }
    // Fixed-length big-endian numbers compare like byte strings.
    let (x, y) = point[1..].split_at(n);
    if x >= curve.p || y >= curve.p {
        return Err(go_ec_error(compat, curve.element_error.to_owned()));
    }
    Ok(())
}

/// Why `x509.ParsePKIXPublicKey` would refuse the EC point of a `PUBLIC KEY` DER because of
/// its SEC 1 form, in words for people installing the key (`in compressed form (02/03)`,
/// `in hybrid form (06/07)`, `the point at infinity`).
pub fn refused_ec_point_form(spki_der: &[u8]) -> Option<&'static str> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der).ok()?;
    if spki.algorithm.oid != OID_EC {
        return None;
    }
    match spki.subject_public_key.as_bytes()?.first()? {
        2 | 3 => Some("in compressed form (02/03)"),
        6 | 7 => Some("in hybrid form (06/07)"),
        0 => Some("the point at infinity"),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use spki::der::Encode;
    use spki::der::asn1::{AnyRef, BitStringRef};
    use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

    use super::*;

    /// A `PUBLIC KEY` PEM holding `point` on the curve `curve` as it is (no validation).
    pub(crate) fn ec_pem(curve: ObjectIdentifier, point: &[u8]) -> String {
        use base64::Engine;
        let der = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: OID_EC,
                parameters: Some(AnyRef::from(&curve)),
            },
            subject_public_key: BitStringRef::from_bytes(point).unwrap(),
        }
        .to_der()
        .unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
    }

    /// Curve OID, Go's name, uncompressed point, compressed point, p.
    type TestKey = (
        ObjectIdentifier,
        &'static str,
        Vec<u8>,
        Vec<u8>,
        &'static [u8],
    );

    /// A fixed key per curve.
    fn keys() -> Vec<TestKey> {
        let k256 = p256::SecretKey::from_slice(&[7; 32]).unwrap().public_key();
        let k384 = p384::SecretKey::from_slice(&[7; 48]).unwrap().public_key();
        let mut d521 = [7u8; 66];
        d521[0] = 0;
        let k521 = p521::SecretKey::from_slice(&d521).unwrap().public_key();
        use p256::elliptic_curve::sec1::ToSec1Point;
        vec![
            (
                OID_P256,
                "P256",
                k256.to_sec1_point(false).as_bytes().to_vec(),
                k256.to_sec1_point(true).as_bytes().to_vec(),
                P256.p,
            ),
            (
                OID_P384,
                "P384",
                k384.to_sec1_point(false).as_bytes().to_vec(),
                k384.to_sec1_point(true).as_bytes().to_vec(),
                P384.p,
            ),
            (
                OID_P521,
                "P521",
                k521.to_sec1_point(false).as_bytes().to_vec(),
                k521.to_sec1_point(true).as_bytes().to_vec(),
                P521.p,
            ),
        ]
    }

    fn errs(curve: ObjectIdentifier, point: &[u8]) -> (String, String) {
        let pem = ec_pem(curve, point);
        let e = |c| {
            parse_pem_public_key_for(pem.as_bytes(), c)
                .map(|k| format!("accepted {}", k.key.algorithm()))
                .unwrap_or_else(|e| e.to_string())
        };
        (e(Compat::Current), e(Compat::V5_23))
    }

    /// Every row was checked against `x509.ParsePKIXPublicKey` of Go 1.26.8 (current c/image
    /// requires Go 1.26) and Go 1.19.8 (Debian's skopeo 1.9.3), amd64.
    #[test]
    fn ec_points_are_refused_exactly_as_go_does() {
        const GO119: &str = "x509: failed to unmarshal elliptic curve point";
        const FORM: &str = "ecdsa: invalid uncompressed public key";
        for (oid, go, un, comp, p) in keys() {
            let bits = match go {
                "P256" => "P-256",
                "P384" => "P-384",
                _ => "P-521",
            };
            let ok = format!("accepted ECDSA {bits}");
            assert_eq!(errs(oid, &un), (ok.clone(), ok), "{go}");
            assert_eq!(comp.len(), 1 + p.len());
            assert!(comp[0] == 2 || comp[0] == 3);
            // RustCrypto reads the compressed point; Go does not.
            let rust_reads_it = match go {
                "P256" => p256::PublicKey::from_sec1_bytes(&comp).is_ok(),
                "P384" => p384::PublicKey::from_sec1_bytes(&comp).is_ok(),
                _ => p521::PublicKey::from_sec1_bytes(&comp).is_ok(),
            };
            assert!(rust_reads_it, "{go}");
            let mut hybrid = un.clone();
            hybrid[0] = 6 | (un[un.len() - 1] & 1);
            let mut hybrid_wrong_parity = hybrid.clone();
            hybrid_wrong_parity[0] ^= 1;
            for bad in [&comp[..], &hybrid, &hybrid_wrong_parity, &[0], &[], &[4]] {
                assert_eq!(
                    errs(oid, bad),
                    (
                        if bad == [4] {
                            format!("invalid {go} point encoding")
                        } else {
                            FORM.into()
                        },
                        GO119.into()
                    ),
                    "{go} {bad:02x?}"
                );
            }
            let encoding = (format!("invalid {go} point encoding"), GO119.to_owned());
            assert_eq!(errs(oid, &un[..un.len() - 1]), encoding);
            assert_eq!(errs(oid, &[&un[..], &[0]].concat()), encoding);
            let element = (
                if go == "P256" {
                    "invalid P256 element encoding".to_owned()
                } else {
                    format!("invalid {go}Element encoding")
                },
                GO119.to_owned(),
            );
            let n = p.len();
            let x_is_p = [&[4][..], p, &un[1 + n..]].concat();
            assert_eq!(errs(oid, &x_is_p), element);
            let y_is_p = [&un[..1 + n], p].concat();
            assert_eq!(errs(oid, &y_is_p), element);
            let mut off = un.clone();
            *off.last_mut().unwrap() ^= 1;
            assert_eq!(
                errs(oid, &off),
                (format!("{go} point not on curve"), GO119.to_owned())
            );
            // The compressed key is an ECDSA key in the form install must explain.
            let der = pem::decode(ec_pem(oid, &comp).as_bytes()).unwrap().0.der;
            assert_eq!(
                refused_ec_point_form(&der),
                Some("in compressed form (02/03)")
            );
            let der = pem::decode(ec_pem(oid, &hybrid).as_bytes()).unwrap().0.der;
            assert_eq!(refused_ec_point_form(&der), Some("in hybrid form (06/07)"));
            let der = pem::decode(ec_pem(oid, &un).as_bytes()).unwrap().0.der;
            assert_eq!(refused_ec_point_form(&der), None);
        }
        assert_eq!(
            refused_ec_point_form(
                &pem::decode(ec_pem(OID_P256, &[0]).as_bytes())
                    .unwrap()
                    .0
                    .der
            ),
            Some("the point at infinity")
        );
    }

    #[test]
    fn ec_parameters() {
        assert_eq!(
            errs(OID_P224, &[4]).0,
            "policyctl does not support ECDSA P-224 keys"
        );
        assert_eq!(
            errs(OID_ED25519, &[4]).0,
            "x509: unsupported elliptic curve"
        );
        // Parameters absent.
        use base64::Engine;
        let der = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: OID_EC,
                parameters: None,
            },
            subject_public_key: BitStringRef::from_bytes(&[4]).unwrap(),
        }
        .to_der()
        .unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
        for c in [Compat::Current, Compat::V5_23] {
            assert_eq!(
                parse_pem_public_key_for(pem.as_bytes(), c).unwrap_err(),
                "x509: invalid ECDSA parameters"
            );
        }
    }
}

crate::message_error! {
    /// A public key Go or sigstore refuses (their text).
    KeyError
}

#[cfg(test)]
mod rsa_tests {
    use super::*;

    /// A TEST-ONLY RSA-2048 public key (`PUBLIC KEY`, PKIX), generated with openssl for this
    /// test; its private half was never stored.
    const RSA_PUB: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAlfSU+jKlD1dK8FH/05KX\n9xsl6x2RbovW2fB/Q/wjcB9jkrRlpjZ2mW1UZWFtztMdwEv1VV5C8xqpeg8B8B1x\n2XOXaeOui1oEqgzlHs7MOIr4R3BqONuriL8OaRoB+TJbcWCEIGWQ+F+gN6/C3t3P\neZj3B8vjeO8PtrSv0XHErf8XoQpVzR6JDzGu5GCNPcolandBcYy32uys7HiBKHJb\naAVQax0LZxkq9aZ7MDNYdSie8EkUxVSFhwWPJ8pk4eyDLzmpUWfJP57uIOYppLdz\noic92QDaOMXohCzlkE894/qya8nEFcX/F6E7JYWSy0m6Y/2sc+vdNqOz1svXqtaE\ntQIDAQAB\n-----END PUBLIC KEY-----\n";

    #[test]
    fn rsa_pkix_keys_parse() {
        let k = parse_pem_public_key(RSA_PUB.as_bytes()).unwrap();
        assert_eq!(k.key.algorithm(), "RSA");
        assert_eq!(format!("{:?}", k.key), "RSA");
        assert!(k.fingerprint.starts_with("sha256:"));
    }
}

impl PublicKey {
    /// The key as Go's `x509.MarshalPKIXPublicKey` writes it (canonical SPKI DER): what
    /// sigstore's `MarshalPublicKeyToPEM` puts in the PEM matched against a Rekor entry.
    pub fn canonical_spki_der(&self) -> Vec<u8> {
        use spki::EncodePublicKey;
        let der = match self {
            PublicKey::P256(k) => k.to_public_key_der(),
            PublicKey::P384(k) => k.to_public_key_der(),
            PublicKey::P521(k) => k.to_public_key_der(),
            PublicKey::Ed25519(k) => {
                // id-Ed25519, no parameters, then the 32-byte key (RFC 8410).
                let mut v = vec![
                    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
                ];
                v.extend_from_slice(k.as_bytes());
                return v;
            }
            PublicKey::Rsa(k) => k.to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }
}
