//! containers-storage metadata (`images.json` and an image's `metadata` string) is untrusted
//! input decoded with Go's rules: it must never panic or recurse without bound, and decoding
//! is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::image::storage::decode_store_metadata;

fuzz_target!(|data: &[u8]| {
    let first = decode_store_metadata(data);
    assert_eq!(first, decode_store_metadata(data));
});
