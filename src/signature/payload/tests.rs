//! Spec §9.4 payload-parser scenarios.

use super::*;

const D: &str = "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";

fn p(s: &str) -> Result<Payload, String> {
    parse_payload(s.as_bytes(), Compat::V5_23).map_err(|e| e.0)
}

fn crit(inner: &str) -> String {
    format!(r#"{{"critical":{inner},"optional":null}}"#)
}

const GOOD_CRIT: &str = r#"{"type":"cosign container image signature","image":{"docker-manifest-digest":"sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"},"identity":{"docker-reference":"192.168.64.2:5000/cosign-signed-single-sample"}}"#;

#[test]
fn valid_payloads() {
    let v = p(&crit(GOOD_CRIT)).unwrap();
    assert_eq!(v.manifest_digest, D);
    assert_eq!(
        v.docker_reference,
        "192.168.64.2:5000/cosign-signed-single-sample"
    );
    assert_eq!(v.creator, None);
    let v = p(&format!(r#"{{"critical":{GOOD_CRIT},"optional":{{"creator":"c","timestamp":1e3,"other":[1,{{}}]}}}}"#)).unwrap();
    assert_eq!(v.creator.as_deref(), Some("c"));
    assert_eq!(v.timestamp, Some(1000));
    assert!(p(&format!(r#"{{"critical":{GOOD_CRIT},"optional":{{}}}}"#)).is_ok());
    let made = make_payload("example.com/a", D, Some(("containers/image 5.23.1", 17)));
    assert_eq!(
        parse_payload(&made, Compat::Current).unwrap().timestamp,
        Some(17)
    );
}

#[test]
fn invalid_payloads() {
    for (input, want) in [
        ("{", "unexpected end of JSON input".to_owned()),
        ("[]", "JSON object expected, got \"[\"".to_owned()),
        (
            r#"{"optional":null}"#,
            "Key \"critical\" missing in a JSON object".to_owned(),
        ),
        (
            &format!(r#"{{"critical":{GOOD_CRIT}}}"#),
            "Key \"optional\" missing in a JSON object".to_owned(),
        ),
        (
            &format!(r#"{{"critical":{GOOD_CRIT},"optional":null,"x":1}}"#),
            "Unknown key \"x\"".to_owned(),
        ),
        (
            &format!(r#"{{"critical":{GOOD_CRIT},"optional":null,"optional":null}}"#),
            "Duplicate key \"optional\"".to_owned(),
        ),
        (
            &format!(r#"{{"critical":{GOOD_CRIT},"optional":{{"creator":1}}}}"#),
            "json: cannot unmarshal number into Go value of type string".to_owned(),
        ),
        (
            &format!(r#"{{"critical":{GOOD_CRIT},"optional":{{"timestamp":"1"}}}}"#),
            "json: cannot unmarshal string into Go value of type float64".to_owned(),
        ),
        (
            &format!(r#"{{"critical":{GOOD_CRIT},"optional":{{"timestamp":0.5}}}}"#),
            "Field optional.timestamp is not is not an integer".to_owned(),
        ),
        (
            // Out of float64's range: Go's text (checked with Go 1.26).
            &format!(r#"{{"critical":{GOOD_CRIT},"optional":{{"timestamp":1e999}}}}"#),
            "json: cannot unmarshal number 1e999 into Go value of type float64".to_owned(),
        ),
        (
            &format!(r#"{{"critical":{GOOD_CRIT},"optional":{{"timestamp":9.3e18}}}}"#),
            "Field optional.timestamp is not is not an integer".to_owned(),
        ),
        (
            &format!(r#"{{"critical":{GOOD_CRIT},"optional":1}}"#),
            "JSON object expected, got \"%!s(float64=1)\"".to_owned(),
        ),
        (
            &crit(r#"{"type":"x","image":{},"identity":{}}"#),
            "Unrecognized signature type x".to_owned(),
        ),
        (
            &crit(r#"{"type":"cosign container image signature","identity":{}}"#),
            "Key \"image\" missing in a JSON object".to_owned(),
        ),
        (
            &crit(r#"{"type":"cosign container image signature","image":{},"identity":{}}"#),
            "Key \"docker-manifest-digest\" missing in a JSON object".to_owned(),
        ),
        (
            &crit(
                r#"{"type":"cosign container image signature","image":{"docker-manifest-digest":1},"identity":{}}"#,
            ),
            "json: cannot unmarshal number into Go value of type string".to_owned(),
        ),
        (
            &crit(
                r#"{"type":"cosign container image signature","image":{"docker-manifest-digest":"x"},"identity":{"docker-reference":"a","x":1}}"#,
            ),
            "Unknown key \"x\"".to_owned(),
        ),
        (
            &crit(r#"{"type":1,"image":{},"identity":{}}"#),
            "json: cannot unmarshal number into Go value of type string".to_owned(),
        ),
    ] {
        assert_eq!(p(input).unwrap_err(), want, "{input}");
    }
}

#[test]
fn current_checks_the_digest_and_quotes() {
    let c = crit(
        r#"{"type":"cosign container image signature","image":{"docker-manifest-digest":"x"},"identity":{"docker-reference":"a"}}"#,
    );
    assert!(p(&c).is_ok());
    assert_eq!(
        parse_payload(c.as_bytes(), Compat::Current).unwrap_err(),
        "invalid docker-manifest-digest value \"x\": invalid checksum digest format"
    );
    let c = format!(r#"{{"critical":{GOOD_CRIT},"optional":{{"timestamp":0.5}}}}"#);
    assert_eq!(
        parse_payload(c.as_bytes(), Compat::Current).unwrap_err(),
        "Field optional.timestamp is not an integer"
    );
    assert_eq!(
        parse_payload(b"[]", Compat::Current).unwrap_err(),
        "JSON object expected, got 91"
    );
}
