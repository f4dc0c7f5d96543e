//! containers-transports(5) reference parsing and scope validation must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::compat::Compat;
use policyctl::reference::transport::{ImageRef, Transport};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = ImageRef::parse(s, Compat::Current);
    let _ = ImageRef::parse(s, Compat::V5_23);
    for name in ["docker", "dir", "oci", "oci-archive", "containers-storage", "docker-daemon", "sif", "tarball", "docker-archive"] {
        if let Some(t) = Transport::lookup(name, Compat::Current) {
            let _ = t.validate_scope(s);
        }
    }
});
