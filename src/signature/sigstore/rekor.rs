//! Rekor signed entry timestamps (spec §13): c/image's `VerifyRekorSET`, step by step with
//! its texts, and the "public keys + Rekor" mode of `sigstoreSigned` (§13.1): a key counts
//! only if a Rekor SET binds that key, the exact signature bytes and the payload's SHA-256.
//! Pure: key bytes come from the [`KeyLoader`]; nothing is fetched from a Rekor server.

use std::cell::OnceCell;

use sha2::{Digest, Sha256};

use super::public_key::load_public_keys;
use crate::compat::Compat;
use crate::json::canonical::canonicalize;
use crate::json::godecode::{GoBytes, RawMessage, unmarshal};
use crate::json::{gobase64, gofmt, scan};
use crate::policy::model::KeySource;
use crate::signature::blob::{BUNDLE_ANNOTATION, SIGNATURE_ANNOTATION, Sigstore};
use crate::signature::keys::{LoadedKey, PublicKey, parse_pem_public_key_for};
use crate::signature::payload::exact_fields;
use crate::signature::rejection::Rejection;
use crate::signature::verifier::{KeyLoader, Verifier};
use crate::signature::verify::{RekorEntry, Verified, verify_sigstore};

crate::go_struct! {
    /// `RekorHashedrekord`'s first pass (`kind` only).
    struct EntryKind as "struct { Kind string \"json:\\\"kind\\\"\" }" {
        kind: String = "kind",
    }
}

crate::go_struct! {
    /// `RekorHashedrekord` (after the `kind` check).
    struct Entry as "struct { APIVersion *string \"json:\\\"apiVersion\\\"\"; Spec json.RawMessage \"json:\\\"spec\\\"\" }" {
        api_version: Option<Box<String>> = "apiVersion",
        spec: RawMessage = "spec",
    }
}

crate::go_struct! {
    struct HashedRekord as "internal.RekorHashedrekordV001Schema" {
        data: Option<Box<Data>> = "data",
        signature: Option<Box<SignatureField>> = "signature",
    }
}

crate::go_struct! {
    struct Data as "internal.RekorHashedrekordV001SchemaData" {
        hash: Option<Box<Hash>> = "hash",
    }
}

crate::go_struct! {
    struct Hash as "internal.RekorHashedrekordV001SchemaDataHash" {
        algorithm: Option<Box<String>> = "algorithm",
        value: Option<Box<String>> = "value",
    }
}

crate::go_struct! {
    struct SignatureField as "internal.RekorHashedrekordV001SchemaSignature" {
        content: GoBytes = "content",
        public_key: Option<Box<PublicKeyField>> = "publicKey",
    }
}

crate::go_struct! {
    struct PublicKeyField as "internal.RekorHashedrekordV001SchemaSignaturePublicKey" {
        content: GoBytes = "content",
    }
}

/// `ecdsa.VerifyASN1` (strict DER) of `sig` over `digest` with an ECDSA key.
pub(crate) fn ecdsa_verify_der(key: &PublicKey, digest: &[u8], sig: &[u8]) -> bool {
    use ecdsa::signature::hazmat::PrehashVerifier;
    match key {
        PublicKey::P256(k) => p256::ecdsa::Signature::from_der(sig)
            .is_ok_and(|s| k.verify_prehash(digest, &s).is_ok()),
        PublicKey::P384(k) => p384::ecdsa::Signature::from_der(sig)
            .is_ok_and(|s| k.verify_prehash(digest, &s).is_ok()),
        PublicKey::P521(k) => p521::ecdsa::Signature::from_der(sig)
            .is_ok_and(|s| k.verify_prehash(digest, &s).is_ok()),
        _ => false,
    }
}

/// Go's `json.Unmarshal` of one raw value into `[]byte` / `int64` / `string`.
fn raw<T: crate::json::godecode::GoDecode + Default>(src: &[u8]) -> Result<T, String> {
    unmarshal::<T>(src).map_err(|e| e.0)
}

crate::message_error! {
    /// Why `VerifyRekorSET` refused a SET (c/image's text).
    RekorError
}

/// `VerifyRekorSET`: checks `set` (the `dev.sigstore.cosign/bundle` annotation) with any of
/// `rekor_keys` and that its entry binds `key_or_cert` (PEM), the signature and the payload.
/// Returns the entry (c/image uses its `integratedTime`; log ID and index explain).
pub fn verify_rekor_set(
    rekor_keys: &[LoadedKey],
    set: &[u8],
    key_or_cert: &[u8],
    base64_signature: &str,
    payload: &[u8],
    compat: Compat,
) -> Result<RekorEntry, RekorError> {
    verify_rekor_set_text(
        rekor_keys,
        set,
        key_or_cert,
        base64_signature,
        payload,
        compat,
    )
    .map_err(RekorError)
}

fn verify_rekor_set_text(
    rekor_keys: &[LoadedKey],
    set: &[u8],
    key_or_cert: &[u8],
    base64_signature: &str,
    payload: &[u8],
    compat: Compat,
) -> Result<RekorEntry, String> {
    // 1. The SET: exactly SignedEntryTimestamp and Payload.
    scan::validate(set).map_err(|e| e.message)?;
    let top = exact_fields(
        set,
        0..set.len(),
        &["SignedEntryTimestamp", "Payload"],
        compat,
    )?;
    let timestamp: GoBytes = raw(&set[top[0].clone()])?;
    let set_payload = &set[top[1].clone()];
    // 2.–3. The signature over the canonical payload.
    let canonical =
        canonicalize(set_payload).map_err(|e| format!("canonicalizing Rekor SET JSON: {e}"))?;
    let digest = Sha256::digest(&canonical);
    if !rekor_keys
        .iter()
        .any(|k| ecdsa_verify_der(&k.key, &digest, timestamp.0.as_slice()))
    {
        return Err("cryptographic signature verification of Rekor SET failed".into());
    }
    // 4. The payload, read back from the signed (canonical) bytes.
    let fields = exact_fields(
        &canonical,
        0..canonical.len(),
        &["body", "integratedTime", "logIndex", "logID"],
        compat,
    )
    .map_err(|e| format!("parsing Rekor SET payload: {e}"))?;
    let parsed = (|| -> Result<(GoBytes, RekorEntry), String> {
        let body: GoBytes = raw(&canonical[fields[0].clone()])?;
        let integrated_time: i64 = raw(&canonical[fields[1].clone()])?;
        let log_index: i64 = raw(&canonical[fields[2].clone()])?;
        let log_id: String = raw(&canonical[fields[3].clone()])?;
        Ok((
            body,
            RekorEntry {
                log_id,
                log_index,
                integrated_time,
            },
        ))
    })()
    .map_err(|e| format!("parsing Rekor SET payload: {e}"))?;
    let (body, set_entry) = parsed;
    // 5.–7. The hashedrekord entry (Go struct decoding: lenient).
    let body = body.0.as_slice();
    let decode_err = |e: String| format!("decoding the body of a Rekor SET payload: {e}");
    let kind: EntryKind = raw(body).map_err(decode_err)?;
    if kind.kind != "hashedrekord" {
        return Err(decode_err(format!(
            "invalid kind value: {}",
            gofmt::quote(&kind.kind)
        )));
    }
    let entry: Entry = raw(body).map_err(decode_err)?;
    let Some(version) = entry.api_version else {
        return Err("missing Rekor SET Payload API version".into());
    };
    if *version != "0.0.1" {
        // c/image prints the Go pointer (`(*string)(0xc000…)`): not reproducible.
        return Err(format!(
            "unsupported Rekor SET Payload hashedrekord version {}",
            gofmt::quote(&version)
        ));
    }
    let spec = entry.spec.0.unwrap_or_else(|| b"null".to_vec());
    let rekord: HashedRekord = raw(&spec).map_err(|e| format!("decoding hashedrekod spec: {e}"))?;
    // 8.–10. The key or certificate.
    let Some(signature) = rekord.signature else {
        return Err(r#"Missing "signature" field in hashedrekord"#.into());
    };
    let Some(public_key) = &signature.public_key else {
        return Err(r#"Missing "signature.publicKey" field in hashedrekord"#.into());
    };
    let theirs = single_pem(public_key.content.0.as_slice())
        .map_err(|e| format!("publicKey in Rekor SET {e}"))?;
    let ours = single_pem(key_or_cert).map_err(|e| {
        format!("public key or cert to be matched against publicKey in Rekor SET {e}")
    })?;
    if theirs != ours {
        return Err("publicKey in Rekor SET does not match".into());
    }
    // 11. The signature bytes.
    let sig = gobase64::decode(base64_signature.as_bytes())
        .map_err(|e| format!("decoding signature base64: {e}"))?;
    if signature.content.0.as_slice() != sig.as_slice() {
        return Err(format!(
            "signature in Rekor SET does not match: {} vs. {}",
            gofmt::quote_bytes(signature.content.0.as_slice()),
            gofmt::quote_bytes(&sig)
        ));
    }
    // 12. The payload hash.
    let Some(data) = rekord.data else {
        return Err(r#"Missing "data" field in hashedrekord"#.into());
    };
    let Some(hash) = data.hash else {
        return Err(r#"Missing "data.hash" field in hashedrekord"#.into());
    };
    let Some(algorithm) = hash.algorithm else {
        return Err(r#"Missing "data.hash.algorithm" field in hashedrekord"#.into());
    };
    if *algorithm != "sha256" {
        return Err(format!(
            r#"Unexpected "data.hash.algorithm" value {}"#,
            gofmt::quote(&algorithm)
        ));
    }
    let Some(value) = hash.value else {
        return Err(r#"Missing "data.hash.value" field in hashedrekord"#.into());
    };
    let want = go_hex_decode(&value)
        .map_err(|e| format!(r#"Invalid "data.hash.value" field in hashedrekord: {e}"#))?;
    if want.as_slice() != Sha256::digest(payload).as_slice() {
        return Err("payload in Rekor SET does not match".into());
    }
    Ok(set_entry)
}

/// `pem.Decode` that must consume everything: the block's DER.
fn single_pem(data: &[u8]) -> Result<Vec<u8>, &'static str> {
    match crate::signature::pem::decode(data) {
        None => Err("is not in PEM format"),
        Some((_, rest)) if rest < data.len() => Err("has trailing data"),
        Some((block, _)) => Ok(block.der),
    }
}

/// Go's `hex.DecodeString` (either case; its error texts).
fn go_hex_decode(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let val = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len() / 2);
    let mut i = 0;
    while i + 1 < b.len() {
        let hi = val(b[i]).ok_or_else(|| invalid_byte(s, i))?;
        let lo = val(b[i + 1]).ok_or_else(|| invalid_byte(s, i + 1))?;
        out.push(hi << 4 | lo);
        i += 2;
    }
    if b.len() % 2 == 1 {
        // Go checks the odd last byte first when it is not a hex digit.
        if val(b[b.len() - 1]).is_none() {
            return Err(invalid_byte(s, b.len() - 1));
        }
        return Err("encoding/hex: odd length hex string".into());
    }
    Ok(out)
}

fn invalid_byte(s: &str, i: usize) -> String {
    let c = s.as_bytes()[i];
    format!(
        "encoding/hex: invalid byte: U+{:04X} {}",
        u32::from(c),
        gofmt::quote_char(c)
    )
}

/// The Rekor keys of a requirement (`rekorPublicKey*`), as `prepareTrustRoot` loads them:
/// each parsed like a public key and required to be ECDSA.
pub fn load_rekor_keys(
    src: &KeySource,
    loader: &dyn KeyLoader,
    compat: Compat,
) -> Result<Vec<LoadedKey>, Rejection> {
    let blobs: Vec<Vec<u8>> = match src {
        KeySource::Path(p) => vec![loader.read_key(&p.value).map_err(Rejection::KeyFile)?],
        KeySource::Paths(p) => p
            .value
            .iter()
            .map(|p| loader.read_key(p))
            .collect::<Result<_, _>>()
            .map_err(Rejection::KeyFile)?,
        KeySource::Data(d) => vec![d.value.clone().unwrap_or_default()],
        KeySource::Datas(d) => d.value.clone(),
    };
    let mut keys = Vec::new();
    for (i, b) in blobs.iter().enumerate() {
        let k = parse_pem_public_key_for(b, compat)
            .map_err(|e| Rejection::RekorKey(format!("parsing Rekor public key {}: {e}", i + 1)))?;
        if !matches!(
            k.key,
            PublicKey::P256(_) | PublicKey::P384(_) | PublicKey::P521(_)
        ) {
            return Err(Rejection::RekorKey(format!(
                "Rekor public key {} is not using ECDSA",
                i + 1
            )));
        }
        keys.push(k);
    }
    Ok(keys)
}

/// The loaded keys: the requirement's public keys and its Rekor keys.
type TrustRoot = (Vec<LoadedKey>, Vec<LoadedKey>);

/// `sigstoreSigned` with public keys and Rekor keys (§13.1).
pub struct RekorKeyVerifier<'a> {
    keys: &'a KeySource,
    rekor: &'a KeySource,
    loader: &'a dyn KeyLoader,
    compat: Compat,
    loaded: OnceCell<Result<TrustRoot, Rejection>>,
}

impl<'a> RekorKeyVerifier<'a> {
    pub fn new(
        keys: &'a KeySource,
        rekor: &'a KeySource,
        loader: &'a dyn KeyLoader,
        compat: Compat,
    ) -> Self {
        RekorKeyVerifier {
            keys,
            rekor,
            loader,
            compat,
            loaded: OnceCell::new(),
        }
    }
}

impl Verifier<Sigstore> for RekorKeyVerifier<'_> {
    fn verify<'s>(&self, s: &'s Sigstore) -> Result<Verified<'s>, Rejection> {
        let (keys, rekor_keys) = self
            .loaded
            .get_or_init(|| {
                let keys = load_public_keys(self.keys, self.loader, self.compat)?;
                let rekor = load_rekor_keys(self.rekor, self.loader, self.compat)?;
                Ok((keys, rekor))
            })
            .as_ref()
            .map_err(Clone::clone)?;
        let Some(b64) = s.annotations.get(SIGNATURE_ANNOTATION) else {
            return Err(Rejection::MissingSignatureAnnotation {
                annotation: SIGNATURE_ANNOTATION,
            });
        };
        let Some(set) = s.annotations.get(BUNDLE_ANNOTATION) else {
            return Err(Rejection::MissingSignatureAnnotation {
                annotation: BUNDLE_ANNOTATION,
            });
        };
        let mut failures = Vec::new();
        let mut chosen = None;
        for k in keys {
            let pem = pem_of_spki(&k.key.canonical_spki_der());
            match verify_rekor_set(
                rekor_keys,
                set.as_bytes(),
                &pem,
                b64,
                &s.payload,
                self.compat,
            ) {
                Ok(_) => {
                    chosen = Some(k.clone());
                    break;
                }
                Err(e) => failures.push(e.0),
            }
        }
        let Some(key) = chosen else {
            return Err(Rejection::Cryptographic(format!(
                "No public key verified against the RekorSET: {}",
                failures.join(", ")
            )));
        };
        verify_sigstore(std::slice::from_ref(&key), &s.payload, b64, self.compat)
            .map_err(|e| Rejection::Cryptographic(e.0))
    }
}

/// sigstore's `MarshalPublicKeyToPEM`: a `PUBLIC KEY` block, base64 in 64-column lines.
fn pem_of_spki(der: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END PUBLIC KEY-----\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests;
