//! Manifests and manifest lists are untrusted input: sniffing, digesting (with libtrust's
//! schema-1 JWS parsing), list decoding, instance choice and the post-policy parse must never
//! panic, for either c/image version.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::compat::Compat;
use policyctl::image::manifest::{
    Platform, check_schema1_payload, check_single_manifest, choose_instance, digest,
    guess_mime_type, list_from_blob, DOCKER_LIST, OCI_INDEX,
};

fuzz_target!(|data: &[u8]| {
    let mime = guess_mime_type(data);
    let _ = check_schema1_payload(data);
    for compat in [Compat::V5_23, Compat::Current] {
        let _ = digest(data, compat);
        let _ = check_single_manifest(data, &mime, compat);
        for m in [OCI_INDEX, DOCKER_LIST] {
            if let Ok(l) = list_from_blob(data, m, compat) {
                for arch in ["amd64", "arm", "arm64"] {
                    let p = Platform {
                        os: "linux".into(),
                        architecture: arch.into(),
                        variant: None,
                        architecture_chosen: true,
                    };
                    let _ = choose_instance(&l, &p, compat);
                }
            }
        }
    }
});
