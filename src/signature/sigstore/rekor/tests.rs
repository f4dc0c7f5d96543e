//! `VerifyRekorSET` on c/image's fixture and on SETs made here with a test key (upstream's
//! `rekor_set_test.go` table, spec §15).

use super::*;
use crate::signature::keys::parse_pem_public_key;
use crate::signature::sign::{p256_key_from_seed, p256_public_pem, sign_p256};

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/upstream-rekor/",
            $name
        ))
        .as_slice()
    };
}

fn key(pem: &[u8]) -> LoadedKey {
    parse_pem_public_key(pem).unwrap()
}

fn sig() -> String {
    String::from_utf8(fixture!("rekor-sig").to_vec()).unwrap()
}

#[test]
fn upstream_set_verifies_with_any_key_order() {
    let rekor = key(fixture!("rekor.pub"));
    let other = key(p256_public_pem(&p256_key_from_seed("other")).as_bytes());
    for keys in [
        vec![rekor.clone()],
        vec![rekor.clone(), other.clone()],
        vec![other.clone(), rekor.clone()],
    ] {
        assert_eq!(
            verify_rekor_set(
                &keys,
                fixture!("rekor-set"),
                fixture!("rekor-cert"),
                &sig(),
                fixture!("rekor-payload"),
                Compat::Current
            )
            .map(|e| (e.integrated_time, e.log_index))
            .map_err(|e| e.0),
            Ok((1_670_870_899, 8_949_589))
        );
    }
    let run = |keys: &[LoadedKey], set: &[u8], cert: &[u8], s: &str, payload: &[u8]| {
        verify_rekor_set(keys, set, cert, s, payload, Compat::Current)
            .map(|e| e.integrated_time)
            .map_err(|e| e.0)
    };
    let k = std::slice::from_ref(&rekor);
    let (set, cert, payload) = (
        fixture!("rekor-set"),
        fixture!("rekor-cert"),
        fixture!("rekor-payload"),
    );
    assert_eq!(
        run(&[other], set, cert, &sig(), payload).unwrap_err(),
        "cryptographic signature verification of Rekor SET failed"
    );
    assert_eq!(
        run(k, b"", cert, &sig(), payload).unwrap_err(),
        "unexpected end of JSON input"
    );
    assert!(run(k, b"invalid signature", cert, &sig(), payload).is_err());
    assert_eq!(
        run(k, set, cert, &sig(), b"other payload").unwrap_err(),
        "payload in Rekor SET does not match"
    );
    assert!(
        run(k, set, cert, "AAAA", payload)
            .unwrap_err()
            .starts_with("signature in Rekor SET does not match: ")
    );
    assert_eq!(
        run(k, set, cert, "!", payload).unwrap_err(),
        "decoding signature base64: illegal base64 data at input byte 0"
    );
    assert_eq!(
        run(k, set, fixture!("rekor.pub"), &sig(), payload).unwrap_err(),
        "publicKey in Rekor SET does not match"
    );
    assert_eq!(
        run(k, set, b"not PEM", &sig(), payload).unwrap_err(),
        "public key or cert to be matched against publicKey in Rekor SET is not in PEM format"
    );
    let trailing = [cert, b"x".as_slice()].concat();
    assert_eq!(
        run(k, set, &trailing, &sig(), payload).unwrap_err(),
        "public key or cert to be matched against publicKey in Rekor SET has trailing data"
    );
}

/// A SET over `payload_json` signed by the test Rekor key.
fn make_set(payload_json: &str) -> Vec<u8> {
    let k = p256_key_from_seed("rekor");
    let canonical =
        canonicalize(payload_json.as_bytes()).unwrap_or(payload_json.as_bytes().to_vec());
    let ts = sign_p256(&k, &canonical);
    format!(r#"{{"SignedEntryTimestamp":"{ts}","Payload":{payload_json}}}"#).into_bytes()
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn entry_corruptions_are_rejected_with_upstreams_texts() {
    let rekor = key(p256_public_pem(&p256_key_from_seed("rekor")).as_bytes());
    let signer = p256_key_from_seed("signer");
    let signer_pem = p256_public_pem(&signer);
    let payload = b"the payload";
    let sig_b64 = sign_p256(&signer, payload);
    let hash: String = Sha256::digest(payload)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let body = |spec: &str, kind: &str, version: &str| {
        b64(&format!(
            r#"{{"apiVersion":{version},"kind":"{kind}","spec":{spec}}}"#
        ))
    };
    let good_spec = format!(
        r#"{{"data":{{"hash":{{"algorithm":"sha256","value":"{hash}"}}}},"signature":{{"content":"{sig_b64}","publicKey":{{"content":"{}"}}}}}}"#,
        b64(&signer_pem)
    );
    let entry = |body_b64: &str| {
        make_set(&format!(
            r#"{{"body":"{body_b64}","integratedTime":1700000000,"logIndex":1,"logID":"x"}}"#
        ))
    };
    let run = |set: &[u8]| {
        verify_rekor_set(
            std::slice::from_ref(&rekor),
            set,
            signer_pem.as_bytes(),
            &sig_b64,
            payload,
            Compat::Current,
        )
        .map(|e| e.integrated_time)
        .map_err(|e| e.0)
    };
    assert_eq!(
        run(&entry(&body(&good_spec, "hashedrekord", r#""0.0.1""#))),
        Ok(1_700_000_000)
    );
    let cases: Vec<(String, &str)> = vec![
        (
            body(&good_spec, "intoto", r#""0.0.1""#),
            r#"decoding the body of a Rekor SET payload: invalid kind value: "intoto""#,
        ),
        (
            body(&good_spec, "hashedrekord", "null"),
            "missing Rekor SET Payload API version",
        ),
        (
            body(&good_spec, "hashedrekord", r#""0.0.2""#),
            "unsupported Rekor SET Payload hashedrekord version",
        ),
        (
            body("{}", "hashedrekord", r#""0.0.1""#),
            r#"Missing "signature" field in hashedrekord"#,
        ),
        (
            body(
                &good_spec.replace(r#""algorithm":"sha256""#, r#""algorithm":"sha512""#),
                "hashedrekord",
                r#""0.0.1""#,
            ),
            r#"Unexpected "data.hash.algorithm" value "sha512""#,
        ),
        (
            body(
                &good_spec.replace(&hash, &hash[1..]),
                "hashedrekord",
                r#""0.0.1""#,
            ),
            r#"Invalid "data.hash.value" field in hashedrekord: encoding/hex: odd length hex string"#,
        ),
        (
            body(
                &good_spec.replace(&hash, &hash.replace(&hash[..1], "g")),
                "hashedrekord",
                r#""0.0.1""#,
            ),
            r#"Invalid "data.hash.value" field in hashedrekord: encoding/hex: invalid byte: U+0067 'g'"#,
        ),
        (
            body(
                &good_spec.replace(r#""data":{"hash""#, r#""data":{"nohash""#),
                "hashedrekord",
                r#""0.0.1""#,
            ),
            r#"Missing "data.hash" field in hashedrekord"#,
        ),
    ];
    for (b, want) in cases {
        let got = run(&entry(&b)).unwrap_err();
        assert!(got.starts_with(want), "{want}: {got}");
    }
    // A duplicate key is refused by the canonicalizer, although Go's decoder would take it.
    let dup =
        make_set(r#"{"logIndex":1,"integratedTime":2,"body":"abc","logID":"def","body":"ABC"}"#);
    assert_eq!(
        run(&dup).unwrap_err(),
        "canonicalizing Rekor SET JSON: Duplicate key: body"
    );
    // Payload fields of the wrong type.
    let bad = make_set(r#"{"body":"","integratedTime":"x","logIndex":1,"logID":"x"}"#);
    assert!(
        run(&bad)
            .unwrap_err()
            .starts_with("parsing Rekor SET payload: ")
    );
    let missing = make_set(r#"{"body":"","integratedTime":1,"logIndex":1}"#);
    assert_eq!(
        run(&missing).unwrap_err(),
        r#"parsing Rekor SET payload: Key "logID" missing in a JSON object"#
    );
}
