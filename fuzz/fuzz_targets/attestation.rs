//! Attestations, Sigstore bundles and cosign attachment layers are untrusted input (they come
//! from OCI layouts anyone can hand over): any bytes must be described or refused without
//! panicking, and no envelope may verify against a key whose private half the fuzzer does
//! not have.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::attestation::{bundle, parse_envelope, parse_statement, verify};
use policyctl::compat::Compat;
use policyctl::inventory::{self, Store};

const KEY: &[u8] = include_bytes!("../../testdata/demo/armorred-test.pub");

fuzz_target!(|data: &[u8]| {
    let key = policyctl::signature::keys::parse_pem_public_key(KEY).expect("fixture key");
    if let Ok(env) = parse_envelope(data) {
        let _ = parse_statement(&env.payload);
        let _ = policyctl::attestation::pae(&env.payload_type, &env.payload);
        let verdict = verify::verify_attestation(
            &env,
            std::slice::from_ref(&key),
            "sha256:8e9e63992678ca1430dda43a8062e7532677e829e2c3709ddeb256ef51e342d8",
            None,
            None,
        );
        assert!(
            !matches!(verdict, Ok(_)),
            "an envelope verified with a key the fuzzer cannot sign with"
        );
    }
    let _ = bundle::parse_bundle(data);
    let none = std::collections::BTreeMap::new();
    for media_type in [
        "application/vnd.dsse.envelope.v1+json",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
        "application/vnd.dev.cosign.simplesigning.v1+json",
        "text/spdx+json",
    ] {
        let e = inventory::from_layer(media_type, data, &none, Store::OciLayoutTag, String::new(), Compat::Current);
        assert!(!e.podman_reads);
    }
});
