//! Docker reference parsing must never panic, and a parsed reference must re-parse to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::reference::docker::Named;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(n) = Named::parse_normalized(s) {
        let again = Named::parse_normalized(&n.to_string()).expect("String() re-parses");
        assert_eq!(again.to_string(), n.to_string());
    }
    let _ = Named::parse_canonical(s);
});
