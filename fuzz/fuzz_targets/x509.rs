//! Certificates and chains are untrusted input (the signature's certificate and chain
//! annotations; CA files): any bytes, as DER or PEM, must be parsed or refused without
//! panicking, and verification against the upstream Fulcio root must never accept a leaf
//! that is not the upstream one (nothing else chains to that root: its key is not ours).
#![no_main]

use libfuzzer_sys::fuzz_target;
use policyctl::signature::x509::{
    self, CertPool, VerifyOptions, append_certs_from_pem, hostname, parse_certificate,
};

const ROOT: &[u8] = include_bytes!("../../testdata/upstream-sigstore/fulcio_v1.crt.pem");
const CHAIN: &[u8] = include_bytes!("../../testdata/upstream-sigstore/fulcio-chain");
const LEAF: &[u8] = include_bytes!("../../testdata/upstream-sigstore/fulcio-cert");

fuzz_target!(|data: &[u8]| {
    let mut roots = CertPool::default();
    append_certs_from_pem(&mut roots, ROOT);
    let mut intermediates = CertPool::default();
    for c in x509::unmarshal_certificates_from_pem(CHAIN).unwrap_or_default() {
        intermediates.add(c);
    }
    // Fuzzed bytes as more intermediates and as the leaf, in DER and in PEM.
    let mut leaves = Vec::new();
    if let Ok(c) = parse_certificate(data) {
        let _ = c.hint_name();
        let _ = c.subject.display();
        let _ = hostname::verify_hostname(&c, "a.example.com");
        let _ = hostname::verify_hostname(&c, "[::1]");
        intermediates.add(c.clone());
        leaves.push(c);
    }
    if let Ok(certs) = x509::unmarshal_certificates_from_pem(data) {
        for c in certs {
            intermediates.add(c.clone());
            leaves.push(c);
        }
    }
    append_certs_from_pem(&mut intermediates, data);
    let upstream = x509::parse_leaf_cert_from_pem(LEAF).expect("fixture leaf");
    let mut genuine = x509::unmarshal_certificates_from_pem(CHAIN).unwrap_or_default();
    genuine.push(upstream.clone());
    genuine.extend(roots.certs().iter().cloned());
    for leaf in leaves.iter().chain(std::iter::once(&upstream)) {
        let verdict = x509::verify(
            leaf,
            &VerifyOptions {
                roots: &roots,
                intermediates: &intermediates,
                now: 1_670_870_899,
            },
        );
        if verdict.is_ok() {
            // Nothing but the genuine certificates can chain to the Fulcio root: any other
            // would need a signature by its key (or its intermediate's).
            assert!(genuine.iter().any(|g| g.same(leaf)), "a forged certificate verified");
        }
    }
});
