//! Stored signature blobs, sigstore payloads and PEM public keys are untrusted input: parsing
//! must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::compat::Compat;
use policyctl::signature::{blob, keys, payload, pem};

fuzz_target!(|data: &[u8]| {
    let _ = blob::from_blob(data);
    let _ = payload::parse_payload(data, Compat::V5_23);
    let _ = payload::parse_payload(data, Compat::Current);
    let _ = pem::decode(data);
    let _ = keys::parse_pem_public_key(data);
    let _ = keys::parse_spki(data, Compat::Current);
    let _ = keys::parse_spki(data, Compat::V5_23);
});
