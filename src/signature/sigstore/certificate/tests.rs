use super::*;

const FULCIO_LEAF: &[u8] = include_bytes!("../../../../testdata/upstream-sigstore/fulcio-cert");

#[test]
fn oidc_issuer_from_the_v1_extension() {
    let leaf = x509::parse_leaf_cert_from_pem(FULCIO_LEAF).unwrap();
    assert_eq!(
        fulcio_issuer(&leaf).unwrap(),
        "https://github.com/login/oauth"
    );
}

#[test]
fn v2_issuer_is_a_der_string() {
    assert_eq!(asn1_string(&[0x0c, 0x01, b'x']).unwrap(), "x");
    assert_eq!(asn1_string(&[0x16, 0x01, b'x']).unwrap(), "x");
    assert_eq!(asn1_string(&[0x13, 0x01, b'x']).unwrap(), "x");
    assert_eq!(
        asn1_string(&[0x0c, 0x01, b'x', 0x05, 0x00]).unwrap_err(),
        "invalid ASN.1 in OIDC issuer v2 extension, trailing data"
    );
    assert!(
        asn1_string(&[0x02, 0x01, 0x01])
            .unwrap_err()
            .starts_with("invalid ASN.1 in OIDC issuer v2 extension: asn1: structure error: ")
    );
    assert!(asn1_string(&[0x0c, 0x01, 0xff]).is_err());
}

#[test]
fn email_texts() {
    let leaf = x509::parse_leaf_cert_from_pem(FULCIO_LEAF).unwrap();
    assert!(check_email(&leaf, "mitr@redhat.com").is_ok());
    assert_eq!(
        check_email(&leaf, "MITR@redhat.com")
            .unwrap_err()
            .to_string(),
        r#"Required email "MITR@redhat.com" not found (got ["mitr@redhat.com"])"#
    );
}

const FULCIO_CHAIN: &str = include_str!("../../../../testdata/upstream-sigstore/fulcio-chain");
const FULCIO_ROOT: &[u8] =
    include_bytes!("../../../../testdata/upstream-sigstore/fulcio_v1.crt.pem");

const V1: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x01];
const V2: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x08];

fn with_issuers(v1: Option<&str>, v2: Option<Vec<u8>>) -> Certificate {
    let mut leaf = x509::parse_leaf_cert_from_pem(FULCIO_LEAF).unwrap();
    leaf.extensions.retain(|e| e.oid != V1 && e.oid != V2);
    let ext = |oid: &[u8], value: Vec<u8>| crate::signature::x509::cert::Extension {
        oid: oid.to_vec(),
        critical: false,
        value,
    };
    if let Some(v) = v1 {
        leaf.extensions.push(ext(V1, v.as_bytes().to_vec()));
    }
    if let Some(v) = v2 {
        leaf.extensions.push(ext(V2, v));
    }
    leaf
}

fn utf8(s: &str) -> Vec<u8> {
    let mut v = vec![0x0c, s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}

#[test]
fn issuer_extension_combinations() {
    let i = "https://issuer.example";
    assert_eq!(fulcio_issuer(&with_issuers(Some(i), None)).unwrap(), i);
    assert_eq!(
        fulcio_issuer(&with_issuers(None, Some(utf8(i)))).unwrap(),
        i
    );
    assert_eq!(
        fulcio_issuer(&with_issuers(Some(i), Some(utf8(i)))).unwrap(),
        i
    );
    assert_eq!(
        fulcio_issuer(&with_issuers(Some(i), Some(utf8("https://other")))).unwrap_err(),
        r#"inconsistent OIDC issuer extension values: v1 "https://issuer.example", v2 "https://other""#
    );
    assert_eq!(
        fulcio_issuer(&with_issuers(None, None)).unwrap_err(),
        "Fulcio certificate is missing the issuer extension"
    );
}

#[test]
fn v2_string_types_and_charsets() {
    let bad = |v: &[u8]| asn1_string(v).unwrap_err().to_string();
    assert!(bad(&[0x13, 0x01, b'@']).contains("PrintableString"));
    assert_eq!(asn1_string(&[0x13, 0x03, b'a', b'(', b'/']).unwrap(), "a(/");
    assert!(bad(&[0x16, 0x01, 0xe9]).contains("IA5String"));
    assert!(bad(&[0x12, 0x01, b'a']).contains("NumericString"));
    assert_eq!(asn1_string(&[0x12, 0x02, b'1', b' ']).unwrap(), "1 ");
    assert!(bad(&[0x1e, 0x01, 0x00]).contains("BMPString"));
    assert_eq!(
        asn1_string(&[0x1e, 0x04, 0x00, b'A', 0x01, 0x00]).unwrap(),
        "AĀ"
    );
    assert_eq!(asn1_string(&[0x14, 0x01, b'x']).unwrap(), "x");
    assert!(bad(&[]).contains("truncated"));
}

#[test]
fn trust_roots_and_chain_annotations() {
    assert!(matches!(
        lenient_pool(b"not PEM", "error loading X"),
        Err(Rejection::Certificate { step: CertificateStep::TrustRoot, message, .. }) if message == "error loading X"
    ));
    assert_eq!(lenient_pool(FULCIO_ROOT, "x").unwrap().len(), 1);
    let sig = |chain: Option<&str>| {
        let mut annotations = std::collections::BTreeMap::new();
        if let Some(c) = chain {
            annotations.insert(CHAIN_ANNOTATION.to_owned(), c.to_owned());
        }
        Sigstore {
            mime_type: String::new(),
            payload: Vec::new(),
            annotations,
        }
    };
    // All but the last (the root) become intermediates.
    let mut pool = CertPool::default();
    add_chain_annotation(&sig(Some(FULCIO_CHAIN)), &mut pool).unwrap();
    assert_eq!(pool.len(), 1);
    assert_eq!(
        pool.certs()[0].subject.common_name(),
        Some("sigstore-intermediate")
    );
    for empty in [None, Some("")] {
        let mut pool = CertPool::default();
        add_chain_annotation(&sig(empty), &mut pool).unwrap();
        assert!(pool.is_empty());
    }
    assert!(matches!(
        add_chain_annotation(&sig(Some("junk")), &mut CertPool::default()),
        Err(Rejection::Certificate { step: CertificateStep::ChainAnnotation, message, .. })
            if message == "loading certificate chain: error during PEM decoding"
    ));
}

#[test]
fn unverified_description() {
    assert_eq!(
        describe_unverified(FULCIO_LEAF).unwrap(),
        "for mitr@redhat.com, OIDC issuer https://github.com/login/oauth, issued by CN=sigstore-intermediate,O=sigstore.dev, valid 2022-12-12T18:48:18Z to 2022-12-12T18:58:18Z"
    );
    assert_eq!(describe_unverified(b"junk"), None);
}
