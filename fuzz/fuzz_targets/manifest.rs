//! Manifests and manifest lists are untrusted input: sniffing, digesting and instance
//! choice must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::image::manifest::{Platform, choose_instance, digest, guess_mime_type};

fuzz_target!(|data: &[u8]| {
    let _ = guess_mime_type(data);
    let _ = digest(data);
    let _ = choose_instance(data, &Platform::host());
});
