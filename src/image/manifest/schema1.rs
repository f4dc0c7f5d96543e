//! Docker schema 1 signed manifests: libtrust's `ParsePrettySignature` (how c/image finds the
//! bytes it digests), current c/image's check that those bytes describe the manifest
//! (`ensureSchema1BlobMatchesPayload`), and `Schema1FromManifest`.
//!
//! Why it matters: the digest of a signed schema 1 manifest is computed over
//! `m[:formatLength] + formatTail`, both taken from the *unauthenticated* JWS protected header.
//! c/image 5.23.1 does not check that this payload is the manifest, so a signature for one
//! manifest "covers" any other manifest that names it in its header. policyctl always checks.

use super::{Allowed, DOCKER_V2S1_SIGNED, Value, validate_unambiguous};
use crate::compat::Compat;
use crate::go_struct;
use crate::json::godecode::RawMessage as Raw;
use crate::json::godecode::{GoMap, GoObject, GoSlice, unmarshal, unmarshal_into};

go_struct! {
    struct JsParsedHeader as "libtrust.jsParsedHeader" {
        jwk: Raw = "jwk",
        alg: String = "alg",
        x5c: GoSlice<String> = "x5c",
    }
}

go_struct! {
    struct JsParsedSignature as "libtrust.jsParsedSignature" {
        header: JsParsedHeader = "header",
        signature: String = "signature",
        protected: String = "protected",
    }
}

/// libtrust's `joseBase64UrlDecode`: spaces and `\n` removed, padding added, then Go's
/// `base64.URLEncoding.DecodeString` (which also skips `\r`).
fn jose_base64url_decode(s: &str) -> Result<Vec<u8>, String> {
    let s: String = s.chars().filter(|c| *c != '\n' && *c != ' ').collect();
    let padded = match s.len() % 4 {
        0 => s,
        2 => s + "==",
        3 => s + "=",
        _ => return Err("illegal base64url string".into()),
    };
    // The URL alphabet is the standard one with `-_` for `+/`; a `+` or `/` is illegal in it.
    if let Some(i) = padded.bytes().position(|c| c == b'+' || c == b'/') {
        return Err(format!("illegal base64 data at input byte {i}"));
    }
    let std: Vec<u8> = padded
        .bytes()
        .map(|c| match c {
            b'-' => b'+',
            b'_' => b'/',
            c => c,
        })
        .collect();
    crate::json::gobase64::decode(&std).map_err(|e| e.to_string())
}

/// `JSONSignature.Payload()` after `ParsePrettySignature(m, "signatures")`.
pub(super) fn pretty_signature_payload(content: &[u8]) -> Result<Vec<u8>, String> {
    let map: GoMap<Raw> =
        unmarshal(content).map_err(|e| format!("error unmarshalling content: {e}"))?;
    let Some(Raw(Some(sig_message))) = map.get("signatures") else {
        return Err("missing signature key".into());
    };
    let blocks: GoSlice<JsParsedSignature> =
        unmarshal(sig_message).map_err(|e| format!("error unmarshalling signatures: {e}"))?;
    let mut format_length: i64 = 0;
    let mut format_tail: Vec<u8> = Vec::new();
    for block in blocks.as_slice() {
        let protected = jose_base64url_decode(&block.protected)
            .map_err(|e| format!("base64 decode error: {e}"))?;
        let header: GoObject = unmarshal(&protected)
            .map_err(|e| format!("error unmarshalling protected header: {e}"))?;
        let length = match header.get("formatLength") {
            Some(Value::Number(f)) => go_float_to_int(*f),
            _ => return Err("missing formatted length".into()),
        };
        let tail = match header.get("formatTail") {
            Some(Value::String(s)) => s,
            _ => return Err("missing formatted tail".into()),
        };
        let tail =
            jose_base64url_decode(tail).map_err(|e| format!("base64 decode error on tail: {e}"))?;
        if format_length == 0 {
            format_length = length;
        } else if format_length != length {
            return Err("conflicting format length".into());
        }
        if format_tail.is_empty() {
            format_tail = tail;
        } else if format_tail != tail {
            return Err("conflicting format tail".into());
        }
        if let Raw(Some(jwk)) = &block.header.jwk {
            jwk::check_public_key(jwk)
                .map_err(|e| format!("error unmarshalling public key: {e}"))?;
        }
    }
    if format_length > content.len() as i64 {
        return Err("invalid format length".into());
    }
    let Ok(len) = usize::try_from(format_length) else {
        // Go slices with a negative bound: libtrust panics, the copy fails.
        return Err(format!(
            "invalid format length {format_length} (containers/image panics on it)"
        ));
    };
    let mut out = content.get(..len).unwrap_or_default().to_vec();
    out.extend_from_slice(&format_tail);
    Ok(out)
}

/// Go's `int(f)` for a float64 on amd64: truncation; out of range gives the minimum int.
fn go_float_to_int(f: f64) -> i64 {
    // 2^63, exactly representable.
    let bound = -(i64::MIN as f64);
    if f.is_finite() && f > -bound && f < bound {
        f.trunc() as i64
    } else {
        i64::MIN
    }
}

/// Current c/image's `ensureSchema1BlobMatchesPayload`: both decode to the same
/// `map[string]any` once `signatures` is deleted from the manifest.
pub(super) fn ensure_blob_matches_payload(blob: &[u8], payload: &[u8]) -> Result<(), String> {
    let mut manifest: GoObject = unmarshal(blob).map_err(|e| e.0)?;
    manifest.entries.remove("signatures");
    let payload: GoObject = unmarshal(payload).map_err(|e| e.0)?;
    if manifest != payload {
        return Err(
            "schema1 manifest signature payload does not match the manifest contents".into(),
        );
    }
    Ok(())
}

/// What policyctl concludes about a schema 1 manifest (spec: issue 8, defect 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema1Check {
    /// Not schema 1.
    NotSchema1,
    /// Unsigned schema 1: its digest is over the bytes themselves.
    Unsigned,
    /// Signed schema 1 whose JWS payload is the manifest without its signatures.
    Consistent,
    /// Signed schema 1 whose JWS payload is another manifest: c/image 5.23.1 digests the
    /// payload and would accept it under a signature for that other manifest, while its layers
    /// come from the bytes. The string says why.
    ForgedAcceptedBy523(String),
    /// libtrust cannot parse it: every c/image version fails to digest it.
    Invalid(String),
}

/// Classifies `m` (see [`Schema1Check`]).
pub fn check_schema1_payload(m: &[u8]) -> Schema1Check {
    match super::guess_mime_type(m).as_str() {
        super::DOCKER_V2S1 => Schema1Check::Unsigned,
        DOCKER_V2S1_SIGNED => match pretty_signature_payload(m) {
            Err(e) => Schema1Check::Invalid(e),
            Ok(payload) => match ensure_blob_matches_payload(m, &payload) {
                // Maps can agree where struct decoding (merging duplicate keys) does not;
                // 5.23.1 takes the layers from the bytes' struct decoding.
                Ok(()) if schema1_content(m) == schema1_content(&payload) => {
                    Schema1Check::Consistent
                }
                Ok(()) => Schema1Check::ForgedAcceptedBy523(
                    "schema1 manifest decodes to other layers than its signature payload".into(),
                ),
                Err(e) => Schema1Check::ForgedAcceptedBy523(e),
            },
        },
        _ => Schema1Check::NotSchema1,
    }
}

/// Name, tag, architecture, layer digests and history of a schema 1 manifest.
type Schema1Content = (String, String, String, Vec<String>, Vec<String>);

/// What c/image takes from a schema 1 manifest (Go struct decoding): name, tag,
/// architecture, layer digests and history.
fn schema1_content(m: &[u8]) -> Option<Schema1Content> {
    let s: Schema1 = unmarshal(m).ok()?;
    Some((
        s.name,
        s.tag,
        s.architecture,
        s.fs_layers
            .as_slice()
            .iter()
            .map(|l| l.blob_sum.clone())
            .collect(),
        s.history
            .as_slice()
            .iter()
            .map(|h| h.v1_compatibility.clone())
            .collect(),
    ))
}

go_struct! {
    struct FsLayer as "manifest.Schema1FSLayers" {
        blob_sum: String = "blobSum",
    }
}

go_struct! {
    struct History as "manifest.Schema1History" {
        v1_compatibility: String = "v1Compatibility",
    }
}

go_struct! {
    struct Schema1 as "manifest.Schema1" {
        name: String = "name",
        tag: String = "tag",
        architecture: String = "architecture",
        fs_layers: GoSlice<FsLayer> = "fsLayers",
        history: GoSlice<History> = "history",
        schema_version: crate::json::godecode::GoInt = "schemaVersion",
    }
}

go_struct! {
    struct ContainerConfig as "manifest.schema1V1CompatibilityContainerConfig" {
        cmd: GoSlice<String> = "Cmd",
    }
}

go_struct! {
    struct V1Compatibility as "manifest.Schema1V1Compatibility" {
        id: String = "id",
        parent: String = "parent",
        comment: String = "comment",
        created: crate::json::gotime::GoTime = "created",
        container_config: ContainerConfig = "container_config",
        author: String = "author",
        throwaway: bool = "throwaway",
    }
}

/// `manifest.Schema1FromManifest` (the parse `copy` does after the policy allowed the
/// image). Current c/image parses the verified JWS payload of signed manifests; 5.23.1 the
/// bytes as they are.
pub(super) fn schema1_from_manifest(m: &[u8], compat: Compat) -> Result<(), String> {
    let payload;
    let blob = if compat == Compat::Current && super::guess_mime_type(m) == DOCKER_V2S1_SIGNED {
        validate_unambiguous(m, DOCKER_V2S1_SIGNED, Allowed::SCHEMA1_SIGNED, compat)?;
        payload = pretty_signature_payload(m)?;
        ensure_blob_matches_payload(m, &payload)?;
        payload.as_slice()
    } else {
        m
    };
    let mut s1 = Schema1::default();
    unmarshal_into(blob, &mut s1).map_err(|e| e.0)?;
    if s1.schema_version.0 != 1 {
        return Err(format!(
            "unsupported schema version {}",
            s1.schema_version.0
        ));
    }
    validate_unambiguous(blob, DOCKER_V2S1_SIGNED, Allowed::SCHEMA1, compat)?;
    let (fs, hist) = (s1.fs_layers.as_slice(), s1.history.as_slice());
    if fs.len() != hist.len() {
        return Err("length of history not equal to number of layers".into());
    }
    if fs.is_empty() {
        return Err("no FSLayers in manifest".into());
    }
    let mut compat_entries = Vec::with_capacity(hist.len());
    for (i, h) in hist.iter().enumerate() {
        let v: V1Compatibility = unmarshal(h.v1_compatibility.as_bytes())
            .map_err(|e| format!("parsing v2s1 history entry {i}: {e}"))?;
        compat_entries.push(v);
    }
    // fixManifestLayers
    for c in &compat_entries {
        let ok = c.id.len() == 64 && c.id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !ok {
            return Err(format!(
                "image ID {} is invalid",
                crate::json::gofmt::quote(&c.id)
            ));
        }
    }
    if compat_entries.last().is_some_and(|c| !c.parent.is_empty()) {
        return Err("Invalid parent ID in the base layer of the image".into());
    }
    let mut seen = std::collections::HashSet::new();
    let mut last = "";
    for c in &compat_entries {
        if c.id != last && seen.contains(c.id.as_str()) {
            return Err(format!("ID {} appears multiple times in manifest", c.id));
        }
        last = &c.id;
        seen.insert(c.id.as_str());
    }
    for i in (0..compat_entries.len().saturating_sub(1)).rev() {
        let (cur, next) = (&compat_entries[i], &compat_entries[i + 1]);
        if cur.id != next.id && cur.parent != next.id {
            return Err(format!(
                "Invalid parent ID. Expected {}, got {}",
                next.id,
                crate::json::gofmt::quote(&cur.parent)
            ));
        }
    }
    Ok(())
}

/// libtrust's `UnmarshalPublicKeyJWK`, as far as it can fail.
mod jwk {
    use crate::json::godecode::{GoMap, GoObject, GoValue, unmarshal_into};
    use sha2::{Digest, Sha256};

    fn string_from_map(m: &GoObject, key: &str) -> Result<String, String> {
        match m.get(key) {
            None => Err(format!(
                "{} value not specified",
                crate::json::gofmt::quote(key)
            )),
            Some(GoValue::String(s)) => Ok(s.clone()),
            Some(_) => Err(format!(
                "{} value must be a string",
                crate::json::gofmt::quote(key)
            )),
        }
    }

    pub(super) fn check_public_key(data: &[u8]) -> Result<(), String> {
        let mut jwk = GoObject {
            nil: false,
            ..GoMap::default()
        };
        unmarshal_into(data, &mut jwk)
            .map_err(|e| format!("decoding JWK Public Key JSON data: {e}\n"))?;
        let kty = string_from_map(&jwk, "kty").map_err(|e| format!("JWK Public Key type: {e}"))?;
        let (der, what) = match kty.as_str() {
            "EC" => (ec_spki(&jwk)?, "EC"),
            "RSA" => (rsa_spki(&jwk)?, "RSA"),
            _ => {
                return Err(format!(
                    "JWK Public Key type not supported: {}\n",
                    crate::json::gofmt::quote(&kty)
                ));
            }
        };
        if jwk.get("kid").is_some() {
            let kid = string_from_map(&jwk, "kid")
                .map_err(|e| format!("JWK {what} Public Key ID: {e}"))?;
            let want = der.map(|d| key_id(&d)).unwrap_or_default();
            if kid != want {
                return Err(format!("JWK {what} Public Key ID does not match: {kid}"));
            }
        }
        Ok(())
    }

    /// The key's PKIX DER when Go can marshal it (`None`: Go fails, so no `kid` matches).
    fn ec_spki(jwk: &GoObject) -> Result<Option<Vec<u8>>, String> {
        let crv = string_from_map(jwk, "crv")
            .map_err(|e| format!("JWK EC Public Key curve identifier: {e}"))?;
        let (len, curve_oid): (usize, &[u8]) = match crv.as_str() {
            "P-256" => (32, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
            "P-384" => (48, &[0x2b, 0x81, 0x04, 0x00, 0x22]),
            "P-521" => (66, &[0x2b, 0x81, 0x04, 0x00, 0x23]),
            _ => {
                return Err(format!(
                    "JWK EC Public Key curve identifier not supported: {}\n",
                    crate::json::gofmt::quote(&crv)
                ));
            }
        };
        let coord = |name: &str, label: &str| -> Result<Vec<u8>, String> {
            let s = string_from_map(jwk, name)
                .map_err(|e| format!("JWK EC Public Key {label}: {e}"))?;
            let b = super::jose_base64url_decode(&s).map_err(|e| {
                format!("JWK EC Public Key {label}: invalid base64 URL encoding: {e}")
            })?;
            if b.len() != len {
                return Err(format!(
                    "JWK EC Public Key {label}: invalid number of octets: got {}, should be {len}",
                    b.len()
                ));
            }
            Ok(b)
        };
        let x = coord("x", "x-coordinate")?;
        let y = coord("y", "y-coordinate")?;
        let mut point = vec![4u8];
        point.extend_from_slice(&x);
        point.extend_from_slice(&y);
        let on_curve = match crv.as_str() {
            "P-256" => p256::PublicKey::from_sec1_bytes(&point).is_ok(),
            "P-384" => p384::PublicKey::from_sec1_bytes(&point).is_ok(),
            _ => p521::PublicKey::from_sec1_bytes(&point).is_ok(),
        };
        if !on_curve {
            return Ok(None);
        }
        let alg = der(
            0x30,
            &[
                der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
                der(0x06, curve_oid),
            ]
            .concat(),
        );
        Ok(Some(der(0x30, &[alg, bit_string(&point)].concat())))
    }

    fn rsa_spki(jwk: &GoObject) -> Result<Option<Vec<u8>>, String> {
        let n =
            string_from_map(jwk, "n").map_err(|e| format!("JWK RSA Public Key modulus: {e}"))?;
        let n = super::jose_base64url_decode(&n)
            .map_err(|e| format!("JWK RSA Public Key modulus: invalid base64 URL encoding: {e}"))?;
        let e =
            string_from_map(jwk, "e").map_err(|e| format!("JWK RSA Public Key exponent: {e}"))?;
        let e = super::jose_base64url_decode(&e).map_err(|e| {
            format!("JWK RSA Public Key exponent: invalid base64 URL encoding: {e}")
        })?;
        if e.len() > 4 {
            // `make([]byte, 4-len(e), 4)` panics in libtrust.
            return Err("JWK RSA Public Key exponent longer than 4 bytes (libtrust panics)".into());
        }
        let alg = der(
            0x30,
            &[
                der(
                    0x06,
                    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
                ),
                vec![0x05, 0x00],
            ]
            .concat(),
        );
        let key = der(0x30, &[der_uint(&n), der_uint(&e)].concat());
        Ok(Some(der(0x30, &[alg, bit_string(&key)].concat())))
    }

    fn der(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let n = body.len();
        if n < 0x80 {
            out.push(n as u8);
        } else {
            let bytes: Vec<u8> = n
                .to_be_bytes()
                .into_iter()
                .skip_while(|b| *b == 0)
                .collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend_from_slice(&bytes);
        }
        out.extend_from_slice(body);
        out
    }

    fn bit_string(b: &[u8]) -> Vec<u8> {
        let mut body = vec![0u8];
        body.extend_from_slice(b);
        der(0x03, &body)
    }

    /// A non-negative big-endian integer, minimally encoded.
    fn der_uint(b: &[u8]) -> Vec<u8> {
        let trimmed: Vec<u8> = b.iter().copied().skip_while(|x| *x == 0).collect();
        let mut body = Vec::new();
        if trimmed.first().is_none_or(|x| *x & 0x80 != 0) {
            body.push(0);
        }
        body.extend_from_slice(&trimmed);
        der(0x02, &body)
    }

    /// libtrust `keyIDFromCryptoKey`: SHA-256 of the PKIX DER, first 240 bits, base32 in
    /// colon-separated groups of four.
    fn key_id(spki: &[u8]) -> String {
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let h = Sha256::digest(spki);
        let bytes = &h[..30];
        let mut s = String::new();
        for chunk in bytes.chunks(5) {
            let mut v: u64 = 0;
            for b in chunk {
                v = (v << 8) | u64::from(*b);
            }
            for i in (0..8).rev() {
                s.push(char::from(ALPHABET[((v >> (i * 5)) & 31) as usize]));
            }
        }
        let groups: Vec<&str> = (0..s.len() / 4).map(|i| &s[i * 4..i * 4 + 4]).collect();
        groups.join(":")
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn key_id_format() {
            let id = key_id(b"x");
            assert_eq!(id.len(), 48 + 11);
            assert_eq!(id.split(':').count(), 12);
        }

        /// Valid EC keys of each curve pass, with or without the right `kid` (computed from
        /// the key's PKIX DER as the curve crates encode it); a wrong `kid`, an unknown curve
        /// or an off-curve point fails.
        #[test]
        fn jwk_ec_keys() {
            use base64::Engine;
            let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
            // The PKIX DER as the curve crate encodes it; it ends with the uncompressed point.
            macro_rules! point_and_der {
                ($c:ident, $secret:expr, $n:expr) => {{
                    use $c::elliptic_curve::pkcs8::EncodePublicKey;
                    let pk = $c::SecretKey::from_slice($secret).unwrap().public_key();
                    let der = pk.to_public_key_der().unwrap().as_bytes().to_vec();
                    (der[der.len() - (1 + 2 * $n)..].to_vec(), der)
                }};
            }
            let cases = [
                ("P-256", point_and_der!(p256, &[7u8; 32], 32)),
                ("P-384", point_and_der!(p384, &[7u8; 48], 48)),
                (
                    "P-521",
                    point_and_der!(p521, &[[0u8].as_slice(), &[7u8; 65]].concat(), 66),
                ),
            ];
            for (crv, (point, der)) in cases {
                let n = (point.len() - 1) / 2;
                let (x, y) = (b64(&point[1..=n]), b64(&point[n + 1..]));
                let jwk =
                    |kid: &str| format!(r#"{{"kty":"EC","crv":"{crv}","x":"{x}","y":"{y}"{kid}}}"#);
                assert_eq!(check_public_key(jwk("").as_bytes()), Ok(()), "{crv}");
                let kid = format!(r#","kid":"{}""#, key_id(&der));
                assert_eq!(check_public_key(jwk(&kid).as_bytes()), Ok(()), "{crv}");
                let wrong = format!(r#","kid":"{}""#, key_id(b"other"));
                assert!(
                    check_public_key(jwk(&wrong).as_bytes())
                        .unwrap_err()
                        .starts_with("JWK EC Public Key ID does not match")
                );
                let other_curve = jwk("").replace(crv, "P-224");
                assert_eq!(
                    check_public_key(other_curve.as_bytes()).unwrap_err(),
                    "JWK EC Public Key curve identifier not supported: \"P-224\"\n"
                );
                // Off the curve: Go cannot marshal it, so no kid matches (but no kid is fine).
                let mut off = point.clone();
                let last = off.len() - 1;
                off[last] ^= 1;
                let (ox, oy) = (b64(&off[1..=n]), b64(&off[n + 1..]));
                let off_jwk = |kid: &str| {
                    format!(r#"{{"kty":"EC","crv":"{crv}","x":"{ox}","y":"{oy}"{kid}}}"#)
                };
                assert_eq!(check_public_key(off_jwk("").as_bytes()), Ok(()));
                assert!(check_public_key(off_jwk(&kid).as_bytes()).is_err());
            }
        }

        /// An RSA-2048 key: the DER rebuilt from `n`/`e` is the key's own PKIX DER (long-form
        /// lengths, a leading zero on the modulus) and its key ID the one computed
        /// independently (testdata/schema1/README.md).
        #[test]
        fn rsa_kid_known_answer() {
            let spki = include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/testdata/schema1/rsa-2048-public.der"
            ));
            const KID: &str = "I6GE:DT36:SXET:OGUV:DPAU:B263:OQOD:AYJD:RPKR:GGZI:OJXF:I5ZV";
            assert_eq!(key_id(spki), KID);
            let n = "qLEqe1ZBt0pc3oO2rser74JjO2ZTWyQXOPlkcO1tZlzuMFJu1x7yFBHILsO_Qw72qkEFcSv4d6DHgx0WavK99c6ZvokvPRJhA5P3WGG8m5iFS8Db5PB-Pat1zOIBKlGZ-PCzDNP735ei4M4gw8Vx83G_9EbcP4JyFa8QuY3MYYdw9tsy9DzSw6yBuakHH_iAVFTmXvH4Z8dLVf1NTrm_OonTbzqF09FQyH5spUTU4RSonRn9hKMYw2iYFFZXdmiucxOvB54OThS1SgIG1Fe5L9rudx_Cyocm58GRtno6z2oEYFSifH6QKdl23ChWw0ZOMhT--ymvagg8iphAPU5tXw";
            let jwk = |kid: &str| format!(r#"{{"kty":"RSA","n":"{n}","e":"AQAB"{kid}}}"#);
            let mut map = GoObject {
                nil: false,
                ..GoMap::default()
            };
            unmarshal_into(jwk("").as_bytes(), &mut map).unwrap();
            assert_eq!(rsa_spki(&map).unwrap().unwrap(), spki.to_vec());
            assert_eq!(
                check_public_key(jwk(&format!(r#","kid":"{KID}""#)).as_bytes()),
                Ok(())
            );
            assert!(check_public_key(jwk(r#","kid":"I6GE""#).as_bytes()).is_err());
            // Short integers: a high bit gets a leading zero, leading zeros are dropped.
            assert_eq!(der_uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
            assert_eq!(der_uint(&[0x00, 0x7f]), [0x02, 0x01, 0x7f]);
            assert_eq!(der_uint(&[]), [0x02, 0x01, 0x00]);
            assert_eq!(der(0x04, &[0; 0x100])[..4], [0x04, 0x82, 0x01, 0x00]);
            assert_eq!(der(0x04, &[0; 0x7f])[..2], [0x04, 0x7f]);
            assert_eq!(der(0x04, &[0; 0x80])[..3], [0x04, 0x81, 0x80]);
            // A 4-byte exponent is the longest libtrust takes.
            let four = jwk("").replace(r#""e":"AQAB""#, r#""e":"AQAAAQ""#);
            assert_eq!(check_public_key(four.as_bytes()), Ok(()));
        }

        #[test]
        fn jwk_errors() {
            assert!(check_public_key(b"null").is_err());
            assert!(check_public_key(br#"{"kty":"oct"}"#).is_err());
            assert!(check_public_key(br#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#).is_err());
            assert!(check_public_key(br#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#).is_ok());
            assert!(check_public_key(br#"{"kty":"RSA","n":"AQAB","e":"AQABAQAB"}"#).is_err());
            assert!(
                check_public_key(br#"{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"nope"}"#).is_err()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libtrust's `joseBase64UrlDecode`: spaces and newlines are dropped, padding is added,
    /// and only the URL alphabet is accepted (Go's `URLEncoding` texts).
    #[test]
    fn jose_base64url() {
        assert_eq!(jose_base64url_decode("YW Jj\n").unwrap(), b"abc");
        assert_eq!(jose_base64url_decode("YQ").unwrap(), b"a");
        assert_eq!(jose_base64url_decode("_-8").unwrap(), [0xff, 0xef]);
        assert_eq!(
            jose_base64url_decode("a+bc").unwrap_err(),
            "illegal base64 data at input byte 1"
        );
        assert_eq!(
            jose_base64url_decode("ab/c").unwrap_err(),
            "illegal base64 data at input byte 2"
        );
        assert_eq!(
            jose_base64url_decode("abcde").unwrap_err(),
            "illegal base64url string"
        );
    }

    /// Go's `int(f)` on amd64: in range it truncates; 2^63 and beyond (and NaN, ±Inf) give the
    /// minimum int, as does -2^63 itself.
    #[test]
    fn go_float_to_int_at_the_edges() {
        let two63 = 9_223_372_036_854_775_808.0_f64;
        assert_eq!(go_float_to_int(1.9), 1);
        assert_eq!(go_float_to_int(-1.9), -1);
        assert_eq!(go_float_to_int(two63), i64::MIN);
        assert_eq!(go_float_to_int(-two63), i64::MIN);
        assert_eq!(go_float_to_int(f64::NAN), i64::MIN);
        assert_eq!(go_float_to_int(two63 - 1024.0), 9_223_372_036_854_774_784);
    }

    /// An unsigned schema 1 manifest (`schemaVersion` 1 without `signatures`) is classified as
    /// such, so the explanation notes it.
    #[test]
    fn unsigned_schema1_is_noted() {
        let m = br#"{"schemaVersion":1,"name":"x/y","tag":"1","architecture":"amd64","fsLayers":[],"history":[]}"#;
        assert!(matches!(check_schema1_payload(m), Schema1Check::Unsigned));
        assert!(matches!(
            check_schema1_payload(br#"{"schemaVersion":2}"#),
            Schema1Check::NotSchema1
        ));
    }
}
