use super::*;
use crate::signature::x509::chain::{self, CertPool, ChainError, VerifyOptions};
use crate::signature::x509::{
    append_certs_from_pem, hostname, parse_leaf_cert_from_pem, unmarshal_certificates_from_pem,
};

const FULCIO_LEAF: &[u8] = include_bytes!("../../../../testdata/upstream-sigstore/fulcio-cert");
const FULCIO_CHAIN: &[u8] = include_bytes!("../../../../testdata/upstream-sigstore/fulcio-chain");
const FULCIO_ROOT: &[u8] =
    include_bytes!("../../../../testdata/upstream-sigstore/fulcio_v1.crt.pem");
const PKI_LEAF: &[u8] = include_bytes!("../../../../testdata/upstream-sigstore/pki-cert");
const PKI_ROOTS: &[u8] = include_bytes!("../../../../testdata/upstream-sigstore/pki_root_crts.pem");
const PKI_INTERMEDIATES: &[u8] =
    include_bytes!("../../../../testdata/upstream-sigstore/pki_intermediate_crts.pem");
/// The Rekor integrated time of the upstream Fulcio signature.
const T: i64 = 1_670_870_899;

fn pool(pem: &[u8]) -> CertPool {
    let mut p = CertPool::default();
    assert!(append_certs_from_pem(&mut p, pem) > 0);
    p
}

fn pool_of(certs: Vec<Certificate>) -> CertPool {
    let mut p = CertPool::default();
    for c in certs {
        p.add(c);
    }
    p
}

#[test]
fn fulcio_leaf_fields() {
    let c = parse_leaf_cert_from_pem(FULCIO_LEAF).unwrap();
    assert_eq!(c.version, 3);
    assert!(c.subject.0.is_empty());
    assert_eq!(c.subject.display(), "");
    assert_eq!(
        c.issuer.display(),
        "CN=sigstore-intermediate,O=sigstore.dev"
    );
    assert_eq!(c.email_addresses, ["mitr@redhat.com"]);
    assert_eq!(c.ext_key_usage, [OID_EKU_CODE_SIGNING.to_vec()]);
    assert_eq!(
        crate::json::gotime::format_rfc3339_utc(c.not_before),
        "2022-12-12T18:48:18Z"
    );
    assert_eq!(
        crate::json::gotime::format_rfc3339_utc(c.not_after),
        "2022-12-12T18:58:18Z"
    );
    assert!(c.unhandled_critical.is_empty());
    assert!(matches!(c.key, CertKey::Key(PublicKey::P256(_))));
    assert_eq!(c.signature_algorithm, SignatureAlgorithm::EcdsaSha384);
}

#[test]
fn fulcio_chain_at_the_rekor_time() {
    let leaf = parse_leaf_cert_from_pem(FULCIO_LEAF).unwrap();
    let mut chain = unmarshal_certificates_from_pem(FULCIO_CHAIN).unwrap();
    assert_eq!(chain.len(), 2);
    chain.pop();
    let intermediates = pool_of(chain);
    let roots = pool(FULCIO_ROOT);
    let opts = |now| VerifyOptions {
        roots: &roots,
        intermediates: &intermediates,
        now,
    };
    let chains = chain::verify(&leaf, &opts(T)).unwrap();
    assert_eq!(chains.len(), 1);
    assert_eq!(chains[0].len(), 3);
    assert_eq!(
        chain::verify(&leaf, &opts(leaf.not_before - 1))
            .unwrap_err()
            .to_string(),
        "x509: certificate has expired or is not yet valid: current time 2022-12-12T18:48:17Z is before 2022-12-12T18:48:18Z"
    );
    assert_eq!(
        chain::verify(&leaf, &opts(leaf.not_after + 1))
            .unwrap_err()
            .to_string(),
        "x509: certificate has expired or is not yet valid: current time 2022-12-12T18:58:19Z is after 2022-12-12T18:58:18Z"
    );
    // Without the intermediate no chain; with the chain's certificates as roots, one.
    let none = CertPool::default();
    let e = chain::verify(
        &leaf,
        &VerifyOptions {
            roots: &roots,
            intermediates: &none,
            now: T,
        },
    )
    .unwrap_err();
    assert_eq!(e, ChainError::UnknownAuthority { hint: None });
    assert_eq!(
        e.to_string(),
        "x509: certificate signed by unknown authority"
    );
    let as_roots = pool(FULCIO_CHAIN);
    assert!(
        chain::verify(
            &leaf,
            &VerifyOptions {
                roots: &as_roots,
                intermediates: &none,
                now: T,
            },
        )
        .is_ok()
    );
}

#[test]
fn pki_chain_and_host_names() {
    let leaf = parse_leaf_cert_from_pem(PKI_LEAF).unwrap();
    let roots = pool(PKI_ROOTS);
    let intermediates = pool_of(unmarshal_certificates_from_pem(PKI_INTERMEDIATES).unwrap());
    let now = 1_767_225_600; // 2026-01-01
    assert!(
        chain::verify(
            &leaf,
            &VerifyOptions {
                roots: &roots,
                intermediates: &intermediates,
                now,
            },
        )
        .is_ok()
    );
    // The intermediate as a root is not enough: its parent is not in the pool.
    let e = chain::verify(
        &leaf,
        &VerifyOptions {
            roots: &roots,
            intermediates: &CertPool::default(),
            now,
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "x509: certificate signed by unknown authority"
    );
    assert!(hostname::verify_hostname(&leaf, "myhost.example.com").is_ok());
    assert!(hostname::verify_hostname(&leaf, "MyHost.Example.com.").is_ok());
    assert_eq!(
        hostname::verify_hostname(&leaf, "other.example.com").unwrap_err(),
        "x509: certificate is valid for myhost.example.com, not other.example.com"
    );
    assert_eq!(
        hostname::verify_hostname(&leaf, "[10.0.0.1]").unwrap_err(),
        "x509: cannot validate certificate for 10.0.0.1 because it doesn't contain any IP SANs"
    );
}

#[test]
fn go_parse_errors() {
    let leaf = parse_leaf_cert_from_pem(FULCIO_LEAF).unwrap();
    let mut trailing = leaf.raw.clone();
    trailing.push(0);
    assert_eq!(
        parse_certificate(&trailing).unwrap_err().0,
        "x509: trailing data"
    );
    assert_eq!(
        parse_certificate(&leaf.raw[..leaf.raw.len() - 1])
            .unwrap_err()
            .0,
        "x509: malformed certificate"
    );
    assert_eq!(
        parse_certificate(b"").unwrap_err().0,
        "x509: malformed certificate"
    );
    // A changed outer algorithm identifier no longer matches the inner one.
    let mut other_alg = leaf.raw.clone();
    let n = other_alg.len();
    let tbs_end = 4 + leaf.raw_tbs.len();
    let alg_last = tbs_end + 11; // 30 0a 06 08 2a 86 48 ce 3d 04 03 [03]
    assert_eq!(other_alg[alg_last], 0x03);
    other_alg[alg_last] = 0x02;
    assert!(n > alg_last);
    assert_eq!(
        parse_certificate(&other_alg).unwrap_err().0,
        "x509: inner and outer signature algorithm identifiers don't match"
    );
    assert_eq!(
        parse_leaf_cert_from_pem(b"not a certificate").unwrap_err(),
        "parsing leaf certificate: error during PEM decoding"
    );
    assert_eq!(
        parse_leaf_cert_from_pem(b"").unwrap_err(),
        "no certificate found in signature certificate data"
    );
    assert_eq!(
        parse_leaf_cert_from_pem(FULCIO_CHAIN).unwrap_err(),
        "unexpected multiple certificates present in signature certificate data"
    );
}

#[test]
fn times() {
    assert_eq!(parse_utc_time(b"221212184818Z"), Some(T - 1));
    assert_eq!(parse_utc_time(b"491231235959Z"), Some(2_524_607_999));
    assert_eq!(parse_utc_time(b"500101000000Z"), Some(-631_152_000));
    assert_eq!(parse_utc_time(b"2212121848Z"), Some(T - 19));
    assert_eq!(parse_utc_time(b"221212184818+0100"), Some(T - 1 - 3600));
    // A zero offset does not survive Go's round trip; nor do fractions or bad dates.
    assert_eq!(parse_utc_time(b"221212184818+0000"), None);
    assert_eq!(parse_time_digits(b"20221212184818.5Z", 4), None);
    assert_eq!(parse_utc_time(b"220230000000Z"), None);
    assert_eq!(parse_utc_time(b"220229000000Z"), None);
    assert!(parse_utc_time(b"240229000000Z").is_some());
    assert_eq!(parse_utc_time(b"221212246000Z"), None);
    assert_eq!(
        parse_time_digits(b"99991231235959Z", 4),
        Some(253_402_300_799)
    );
}

#[test]
fn names_and_strings() {
    assert_eq!(parse_string(der::PRINTABLE_STRING, b"a*&").unwrap(), "a*&");
    assert_eq!(
        parse_string(der::PRINTABLE_STRING, b"a@b").unwrap_err(),
        "invalid PrintableString"
    );
    assert_eq!(parse_string(der::T61_STRING, &[0xe9]).unwrap(), "é");
    assert_eq!(
        parse_string(der::BMP_STRING, &[0, 0x41, 0, 0]).unwrap(),
        "A"
    );
    assert!(parse_string(der::BMP_STRING, &[0xd8, 0x00]).is_err());
    assert_eq!(
        parse_string(der::INTEGER, &[1]).unwrap_err(),
        "unsupported string type: 2"
    );
    let n = Name(vec![
        vec![(vec![0x55, 0x04, 0x0a], "A, Inc".into())],
        vec![(vec![0x55, 0x04, 0x03], " x".into())],
    ]);
    assert_eq!(n.display(), "CN=\\ x,O=A\\, Inc");
    assert_eq!(n.common_name(), Some(" x"));
    assert_eq!(n.first_organization(), Some("A, Inc"));
}

#[test]
fn append_certs_from_pem_is_lenient_and_bounded() {
    // Both certificates of a chain load.
    let mut p = CertPool::default();
    assert_eq!(append_certs_from_pem(&mut p, FULCIO_CHAIN), 2);
    assert_eq!(p.len(), 2);
    // Blocks with another label or with headers are skipped; garbage around is ignored.
    let root = format!("{}\n", std::str::from_utf8(FULCIO_ROOT).unwrap().trim_end());
    let root = root.as_str();
    let relabelled = root.replace("CERTIFICATE", "TRUSTED CERTIFICATE");
    let with_header = root.replace(
        "-----BEGIN CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n",
    );
    let mut p = CertPool::default();
    assert_eq!(
        append_certs_from_pem(
            &mut p,
            format!("junk\n{relabelled}{with_header}").as_bytes()
        ),
        0
    );
    assert_eq!(
        append_certs_from_pem(&mut p, format!("{relabelled}{root}").as_bytes()),
        1
    );
    // At most MAX_CERTIFICATES are read (duplicates count, the pool keeps one).
    let many = root.repeat(crate::signature::x509::MAX_CERTIFICATES + 1);
    let mut p = CertPool::default();
    assert_eq!(
        append_certs_from_pem(&mut p, many.as_bytes()),
        crate::signature::x509::MAX_CERTIFICATES
    );
    assert_eq!(p.len(), 1);
    // The strict reader refuses what the lenient one skips.
    assert!(unmarshal_certificates_from_pem(format!("{root}junk").as_bytes()).is_err());
    assert_eq!(
        unmarshal_certificates_from_pem(format!("{relabelled}\n").as_bytes())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(unmarshal_certificates_from_pem(b" \n").unwrap().len(), 0);
}

/// The fulcio leaf, intermediate and root, parsed.
fn fulcio() -> (Certificate, Certificate, Certificate) {
    let leaf = parse_leaf_cert_from_pem(FULCIO_LEAF).unwrap();
    let mut chain = unmarshal_certificates_from_pem(FULCIO_CHAIN).unwrap();
    let root = chain.pop().unwrap();
    let intermediate = chain.pop().unwrap();
    (leaf, intermediate, root)
}

fn verify_with(
    leaf: &Certificate,
    intermediates: Vec<Certificate>,
    roots: Vec<Certificate>,
    now: i64,
) -> Result<usize, ChainError> {
    let (i, r) = (pool_of(intermediates), pool_of(roots));
    chain::verify(
        leaf,
        &VerifyOptions {
            roots: &r,
            intermediates: &i,
            now,
        },
    )
    .map(|c| c[0].len())
}

#[test]
fn a_forged_signature_never_chains() {
    let (leaf, intermediate, root) = fulcio();
    // Change one byte of the leaf's to-be-signed part (inside its serial number): it still
    // parses, names the same issuer, but the intermediate's signature no longer covers it.
    let mut der = leaf.raw.clone();
    let serial_at = der
        .windows(leaf.serial.len())
        .position(|w| w == leaf.serial.as_slice())
        .unwrap();
    der[serial_at + 3] ^= 0x01;
    let forged = parse_certificate(&der).unwrap();
    let e = verify_with(&forged, vec![intermediate.clone()], vec![root.clone()], T).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"x509: certificate signed by unknown authority (possibly because of "x509: ECDSA verification failure" while trying to verify candidate authority certificate "sigstore-intermediate")"#
    );
    // The intermediate in the roots: the same failure is the hint.
    assert!(verify_with(&forged, vec![], vec![intermediate.clone()], T).is_err());
    // A parent that may not sign certificates (no basicConstraints CA) is not a parent.
    let mut not_ca = intermediate.clone();
    not_ca.is_ca = false;
    let e = verify_with(&leaf, vec![not_ca.clone()], vec![root.clone()], T).unwrap_err();
    assert!(
        e.to_string()
            .contains("parent certificate cannot sign this kind of certificate"),
        "{e}"
    );
    // keyUsage without certSign also forbids signing; with it (bit 5) is fine.
    let mut no_cert_sign = intermediate.clone();
    no_cert_sign.key_usage = 1;
    assert!(verify_with(&leaf, vec![no_cert_sign], vec![root.clone()], T).is_err());
    let mut cert_sign = intermediate.clone();
    cert_sign.key_usage = 1 << 5;
    assert_eq!(
        verify_with(&leaf, vec![cert_sign], vec![root.clone()], T),
        Ok(3)
    );
    // A v3 parent without basicConstraints cannot sign either.
    let mut no_bc = intermediate.clone();
    no_bc.basic_constraints_valid = false;
    assert!(verify_with(&leaf, vec![], vec![no_bc], T).is_err());
}

#[test]
fn validity_bounds_are_inclusive_and_checked_for_every_certificate() {
    let (leaf, intermediate, root) = fulcio();
    let ok = |now| verify_with(&leaf, vec![intermediate.clone()], vec![root.clone()], now);
    assert_eq!(ok(leaf.not_before), Ok(3));
    assert_eq!(ok(leaf.not_after), Ok(3));
    assert!(ok(leaf.not_before - 1).is_err());
    assert!(ok(leaf.not_after + 1).is_err());
    // An expired intermediate: Go returns its isValid error, not "unknown authority".
    let mut old = intermediate.clone();
    old.not_after = T - 1;
    assert_eq!(
        verify_with(&leaf, vec![old], vec![root.clone()], T)
            .unwrap_err()
            .to_string(),
        "x509: certificate has expired or is not yet valid: current time 2022-12-12T18:48:19Z is after 2022-12-12T18:48:18Z"
    );
    let mut young = root.clone();
    young.not_before = T + 1;
    assert!(matches!(
        verify_with(&leaf, vec![intermediate.clone()], vec![young], T),
        Err(ChainError::Expired { before: true, .. })
    ));
}

#[test]
fn extended_key_usage_is_checked_over_the_whole_chain() {
    let (leaf, intermediate, root) = fulcio();
    let server_auth = vec![0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01];
    let mut l = leaf.clone();
    l.ext_key_usage = vec![server_auth.clone()];
    assert_eq!(
        verify_with(&l, vec![intermediate.clone()], vec![root.clone()], T),
        Err(ChainError::IncompatibleUsage)
    );
    l.ext_key_usage = vec![server_auth.clone(), OID_EKU_ANY.to_vec()];
    assert_eq!(
        verify_with(&l, vec![intermediate.clone()], vec![root.clone()], T),
        Ok(3)
    );
    l.ext_key_usage.clear();
    assert_eq!(
        verify_with(&l, vec![intermediate.clone()], vec![root.clone()], T),
        Ok(3)
    );
    // The intermediate restricts too.
    let mut i = intermediate.clone();
    i.ext_key_usage = vec![server_auth];
    assert_eq!(
        verify_with(&leaf, vec![i], vec![root.clone()], T),
        Err(ChainError::IncompatibleUsage)
    );
}

#[test]
fn constraints_policyctl_does_not_evaluate_reject_as_unsupported() {
    let (leaf, intermediate, root) = fulcio();
    let mut constrained = intermediate.clone();
    constrained.has_name_constraints = true;
    let e = verify_with(&leaf, vec![constrained], vec![root.clone()], T).unwrap_err();
    assert!(e.is_unsupported(), "{e}");
    assert!(e.to_string().contains("name constraints"));
    // Name constraints on the leaf itself are not a CA's: irrelevant.
    let mut l = leaf.clone();
    l.has_name_constraints = true;
    assert_eq!(
        verify_with(&l, vec![intermediate.clone()], vec![root.clone()], T),
        Ok(3)
    );
    let mut policies = root.clone();
    policies.has_policy_constraints = true;
    let e = verify_with(&leaf, vec![intermediate.clone()], vec![policies], T).unwrap_err();
    assert!(e.is_unsupported());
    assert!(!ChainError::NameMismatch.is_unsupported());
    assert!(
        ChainError::UnknownAuthority {
            hint: Some((Box::new(ChainError::Unsupported("x".into())), "n".into()))
        }
        .is_unsupported()
    );
    assert!(!ChainError::UnknownAuthority { hint: None }.is_unsupported());
}

#[test]
fn path_length_and_critical_extensions() {
    let (leaf, intermediate, root) = fulcio();
    // The root allows no intermediate below it.
    let mut strict = root.clone();
    strict.max_path_len = 0;
    assert_eq!(
        verify_with(&leaf, vec![intermediate.clone()], vec![strict], T),
        Err(ChainError::TooManyIntermediates)
    );
    let mut one = root.clone();
    one.max_path_len = 1;
    assert_eq!(
        verify_with(&leaf, vec![intermediate.clone()], vec![one], T),
        Ok(3)
    );
    let mut l = leaf.clone();
    l.unhandled_critical = vec!["1.2.3".into()];
    assert_eq!(
        verify_with(&l, vec![intermediate.clone()], vec![root.clone()], T),
        Err(ChainError::UnhandledCriticalExtension)
    );
    // A leaf that is itself a trusted root verifies alone.
    assert_eq!(verify_with(&leaf, vec![], vec![leaf.clone()], T), Ok(1));
}

#[test]
fn pools_dedupe_and_order_parents_by_key_id() {
    let (leaf, intermediate, root) = fulcio();
    let mut p = CertPool::default();
    assert!(p.is_empty());
    p.add(intermediate.clone());
    p.add(intermediate.clone());
    assert_eq!(p.len(), 1);
    assert!(!p.is_empty());
    assert_eq!(p.certs()[0].raw, intermediate.raw);
    // Another certificate with the same subject but a different key ID comes after the match.
    let mut twin = root.clone();
    twin.raw_subject = intermediate.raw_subject.clone();
    twin.subject_key_id = vec![1, 2, 3];
    let mut q = CertPool::default();
    q.add(twin.clone());
    q.add(intermediate.clone());
    let roots = pool_of(vec![root.clone()]);
    let chains = chain::verify(
        &leaf,
        &VerifyOptions {
            roots: &roots,
            intermediates: &q,
            now: T,
        },
    )
    .unwrap();
    assert_eq!(chains.len(), 1);
    assert_eq!(chains[0][1].raw, intermediate.raw);
    // A certificate already in the chain is not its own parent (no loops).
    let mut self_issued = intermediate.clone();
    self_issued.raw_issuer = intermediate.raw_subject.clone();
    assert!(verify_with(&self_issued, vec![self_issued.clone()], vec![], T).is_err());
}

#[test]
fn go_chain_building_quirks() {
    let (leaf, intermediate, root) = fulcio();
    // At most 100 signature checks: 100 failing candidates are "unknown authority", 101 hit
    // the limit.
    let mut twin = root.clone();
    twin.raw_subject = intermediate.raw_subject.clone();
    let twins = |n: usize| -> Vec<Certificate> {
        (0..n)
            .map(|i| {
                let mut c = twin.clone();
                c.raw.extend_from_slice(&(i as u32).to_be_bytes());
                c
            })
            .collect()
    };
    assert!(matches!(
        verify_with(&leaf, twins(100), vec![], T),
        Err(ChainError::UnknownAuthority { hint: Some(_) })
    ));
    assert_eq!(
        verify_with(&leaf, twins(101), vec![], T),
        Err(ChainError::SignatureLimit)
    );
    // A self-signed certificate is never its own parent (no endless chain).
    assert_eq!(
        verify_with(&root, vec![root.clone()], vec![], T),
        Err(ChainError::UnknownAuthority { hint: None })
    );
    // A v1 parent passes CheckSignatureFrom but may not be an intermediate: Go returns that
    // isValid error itself.
    let mut v1 = intermediate.clone();
    v1.version = 1;
    v1.basic_constraints_valid = false;
    v1.is_ca = false;
    assert_eq!(
        verify_with(&leaf, vec![v1], vec![root.clone()], T)
            .unwrap_err()
            .to_string(),
        "x509: certificate is not authorized to sign other certificates"
    );
    // Candidates whose key ID matches come first: the hint names the real intermediate.
    let mut der = leaf.raw.clone();
    let at = der
        .windows(leaf.serial.len())
        .position(|w| w == leaf.serial.as_slice())
        .unwrap();
    der[at + 3] ^= 0x01;
    let forged = parse_certificate(&der).unwrap();
    let mut mismatched = twin.clone();
    mismatched.subject_key_id = vec![9, 9, 9];
    let e = verify_with(&forged, vec![mismatched, intermediate.clone()], vec![], T).unwrap_err();
    assert!(
        e.to_string()
            .ends_with(r#"candidate authority certificate "sigstore-intermediate")"#),
        "{e}"
    );
}
