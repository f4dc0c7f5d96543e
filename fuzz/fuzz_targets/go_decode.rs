//! The Go `encoding/json` struct decoder is fed every manifest-shaped input: it must never
//! panic or recurse without bound, and decoding into Go's `any` must agree with itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::image::manifest::{OciIndex, OciManifest, Schema2List, decode_layout_index};
use policyctl::json::godecode::{GoValue, unmarshal};

fuzz_target!(|data: &[u8]| {
    let _ = unmarshal::<OciIndex>(data);
    let _ = unmarshal::<OciManifest>(data);
    let _ = unmarshal::<Schema2List>(data);
    let _ = decode_layout_index(data);
    if let Ok(v) = unmarshal::<GoValue>(data) {
        // Deterministic: the same input decodes to the same value.
        assert_eq!(Some(v), unmarshal::<GoValue>(data).ok());
    }
});
