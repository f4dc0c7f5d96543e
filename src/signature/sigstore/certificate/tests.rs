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
