//! Parser scenarios of spec §1 and §9.1, written as our own table tests. Each case is a policy
//! text, the compat target, and the expected c/image message (or `OK`).

use super::*;

const OK: &str = "OK";
const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn check(compat: Compat, src: &str) -> String {
    match parse_policy(src.as_bytes(), compat) {
        Ok(_) => OK.to_owned(),
        Err(e) => {
            assert!(e.span.end <= src.len().max(e.span.end), "span in range");
            e.message
        }
    }
}

/// Wraps a requirement in a minimal policy.
fn req(r: &str) -> String {
    format!(r#"{{"default": [{r}]}}"#)
}

/// Wraps a signedIdentity in a signedBy requirement.
fn prm(p: &str) -> String {
    req(&format!(
        r#"{{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k", "signedIdentity": {p}}}"#
    ))
}

fn table(compat: Compat, cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (src, want) in cases {
        let got = check(compat, src);
        if got != *want {
            failures.push(format!("{src}\n   want: {want}\n    got: {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn top_level() {
    let both = [
        (r#"{"default": [{"type": "reject"}]}"#, OK),
        (r#"{"default": [{"type": "reject"}], "transports": {}}"#, OK),
        (r#"{"transports": {}}"#, "Default policy is missing"),
        (r#"{}"#, "Default policy is missing"),
        (
            r#"{"default": []}"#,
            "List of verification policy requirements must not be empty",
        ),
        (
            r#"{"default": null}"#,
            "List of verification policy requirements must not be empty",
        ),
        (
            r#"{"default": {}}"#,
            "json: cannot unmarshal object into Go value of type []json.RawMessage",
        ),
        (
            r#"{"default": 1}"#,
            "json: cannot unmarshal number into Go value of type []json.RawMessage",
        ),
        (
            r#"{"default": [{"type": "reject"}], "foo": 1}"#,
            "Unknown key \"foo\"",
        ),
        (
            r#"{"Default": [{"type": "reject"}]}"#,
            "Unknown key \"Default\"",
        ),
        (
            r#"{"default": [{"type": "reject"}], "default": []}"#,
            "Duplicate key \"default\"",
        ),
        ("", "unexpected end of JSON input"),
        (
            "{\"default\": [{\"type\": \"reject\"}]} x",
            "invalid character 'x' after top-level value",
        ),
        (
            "\u{feff}{}",
            "invalid character 'ï' looking for beginning of value",
        ),
        (
            "{\"default\": [{\"type\": \"reject\"}] // c\n}",
            "invalid character '/' after object key:value pair",
        ),
        // Unknown transports are accepted, their scopes unvalidated.
        (
            r#"{"default": [{"type": "reject"}], "transports": {"nosuch": {"anything goes": [{"type": "reject"}]}}}"#,
            OK,
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": {"docker": {}}}"#,
            OK,
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": {"docker": {"": []}}}"#,
            "List of verification policy requirements must not be empty",
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": {"docker": {"a": [{"type": "reject"}], "a": [{"type": "reject"}]}}}"#,
            "Duplicate key \"a\"",
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": {"dir": {"relative": [{"type": "reject"}]}}}"#,
            "Unknown key \"relative\"",
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": {"dir": {"/a/": [{"type": "reject"}]}}}"#,
            "Unknown key \"/a/\"",
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": {"dir": {"/a/b": [{"type": "reject"}]}}}"#,
            OK,
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": {"docker-archive": {"x": [{"type": "reject"}]}}}"#,
            "Unknown key \"x\"",
        ),
        // Errors are found in document order.
        (
            r#"{"transports": 1, "default": []}"#,
            "JSON object expected, got \"%!s(float64=1)\"",
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": {"docker": null}}"#,
            "JSON object expected, got \"%!s(<nil>)\"",
        ),
        (
            r#"{"default": [{"type": "reject"}], "transports": []}"#,
            "JSON object expected, got \"[\"",
        ),
        ("[]", "JSON object expected, got \"[\""),
        ("null", "JSON object expected, got \"%!s(<nil>)\""),
        ("\"x\"", "JSON object expected, got \"x\""),
        ("true", "JSON object expected, got \"%!s(bool=true)\""),
    ];
    table(Compat::V5_23, &both);
    table(
        Compat::Current,
        &[
            ("[]", "JSON object expected, got 91"),
            ("null", "JSON object expected, got <nil>"),
            ("1", "JSON object expected, got 1"),
            ("true", "JSON object expected, got true"),
            (
                r#"{"default": [{"type": "reject"}], "a\"b": 1}"#,
                "Unknown key \"a\\\"b\"",
            ),
        ],
    );
}

#[test]
fn requirement_lists_and_simple_types() {
    let cases = [
        (req(r#"{"type": "insecureAcceptAnything"}"#), OK),
        (req(r#"{"type": "reject", "x": 1}"#), "Unknown key \"x\""),
        (
            req(r#"{"type": "reject", "type": "reject"}"#),
            "Duplicate key \"type\"",
        ),
        (
            req(r#"{"type": "nosuch"}"#),
            "Unknown policy requirement type \"nosuch\"",
        ),
        (
            req(r#"{"type": null}"#),
            "Unknown policy requirement type \"\"",
        ),
        (req(r#"{}"#), "Unknown policy requirement type \"\""),
        (req("null"), "Unknown policy requirement type \"\""),
        (
            req("\"reject\""),
            "json: cannot unmarshal string into Go value of type signature.prCommon",
        ),
        (
            req("[]"),
            "json: cannot unmarshal array into Go value of type signature.prCommon",
        ),
        (
            req(r#"{"type": 1}"#),
            "json: cannot unmarshal number into Go struct field prCommon.type of type signature.prTypeIdentifier",
        ),
        // Lenient pre-read: case-insensitive, then the strict parser rejects the spelling.
        (req(r#"{"TYPE": "reject"}"#), "Unknown key \"TYPE\""),
        (
            req(r#"{"type": "reject", "Type": "nosuch"}"#),
            "Unknown policy requirement type \"nosuch\"",
        ),
        (
            req(r#"{"type": "signedBaseLayer", "baseLayerIdentity": {"type": "matchExact"}}"#),
            OK,
        ),
        (
            req(r#"{"type": "signedBaseLayer"}"#),
            "Key \"baseLayerIdentity\" missing in a JSON object",
        ),
        (
            req(r#"{"type": "signedBaseLayer", "baseLayerIdentity": null}"#),
            "Unknown policy reference match type \"\"",
        ),
    ];
    let cases: Vec<(&str, &str)> = cases.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    table(Compat::V5_23, &cases);
    table(Compat::Current, &cases);
}

#[test]
fn signed_by() {
    let sb = |rest: &str| req(&format!(r#"{{"type": "signedBy"{rest}}}"#));
    let cases = [
        (sb(r#", "keyType": "GPGKeys", "keyPath": "/k""#), OK),
        (
            sb(r#", "keyType": "GPGKeys", "keyPaths": ["/a", "/b"]"#),
            OK,
        ),
        (sb(r#", "keyType": "GPGKeys", "keyPaths": []"#), OK),
        (sb(r#", "keyType": "GPGKeys", "keyData": """#), OK),
        (sb(r#", "keyType": "GPGKeys", "keyData": "YWJj""#), OK),
        (
            sb(r#", "keyType": "X509Certificates", "keyPath": "/k""#),
            OK,
        ),
        (
            sb(r#", "keyType": "GPGKeys""#),
            "Exactly one of keyPath, keyPaths and keyData must be specified, none of them present",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPath": "/k", "keyData": """#),
            "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPath": """#),
            "exactly one of keyPath, keyPaths and keyData must be specified",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPath": null"#),
            "exactly one of keyPath, keyPaths and keyData must be specified",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPaths": null"#),
            "exactly one of keyPath, keyPaths and keyData must be specified",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyData": null"#),
            "exactly one of keyPath, keyPaths and keyData must be specified",
        ),
        (sb(r#", "keyPath": "/k""#), "invalid keyType \"\""),
        (
            sb(r#", "keyType": "this is invalid", "keyPath": "/k""#),
            "Unrecognized keyType value \"this is invalid\"",
        ),
        (
            sb(r#", "keyType": null, "keyPath": "/k""#),
            "Unrecognized keyType value \"\"",
        ),
        (
            sb(r#", "keyType": 1, "keyPath": "/k""#),
            "json: cannot unmarshal number into Go value of type string",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPath": 1"#),
            "json: cannot unmarshal number into Go value of type string",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPaths": "/k""#),
            "json: cannot unmarshal string into Go value of type []string",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPaths": ["/k", 1]"#),
            "json: cannot unmarshal number into Go value of type string",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyData": "YWJ""#),
            "illegal base64 data at input byte 0",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyData": "YW Jj""#),
            "illegal base64 data at input byte 2",
        ),
        (sb(r#", "keyType": "GPGKeys", "keyData": "YW\nJj""#), OK),
        (
            sb(r#", "keyType": "GPGKeys", "keyData": 1"#),
            "json: cannot unmarshal number into Go value of type []uint8",
        ),
        (sb(r#", "keyType": "GPGKeys", "keyData": [1, 2, 255]"#), OK),
        (
            sb(r#", "keyType": "GPGKeys", "keyData": [256]"#),
            "json: cannot unmarshal number 256 into Go value of type uint8",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPath": "/k", "signedIdentity": null"#),
            "Unknown policy reference match type \"\"",
        ),
        (
            sb(r#", "keyType": "GPGKeys", "keyPath": "/k", "unexpected": 1"#),
            "Unknown key \"unexpected\"",
        ),
        // signedIdentity is validated before the key sources.
        (
            sb(r#", "signedIdentity": {"type": "x"}"#),
            "Unknown policy reference match type \"x\"",
        ),
    ];
    let cases: Vec<(&str, &str)> = cases.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    table(Compat::V5_23, &cases);
    table(Compat::Current, &cases);
}

#[test]
fn sigstore_5_23() {
    let ss = |rest: &str| req(&format!(r#"{{"type": "sigstoreSigned"{rest}}}"#));
    let cases = [
        (ss(r#", "keyPath": "/k.pub""#), OK),
        (ss(r#", "keyPath": """#), OK),
        (ss(r#", "keyPath": null"#), OK),
        (ss(r#", "keyData": """#), OK),
        (ss(r#", "keyData": null"#), OK),
        (
            ss(r#", "keyPath": "", "keyData": """#),
            "keyPath and keyData cannot be used simultaneously",
        ),
        (
            ss(""),
            "At least one of keyPath and keyData must be specified",
        ),
        (ss(r#", "keyPaths": ["/k"]"#), "Unknown key \"keyPaths\""),
        (
            ss(r#", "keyPath": "/k", "fulcio": {}"#),
            "Unknown key \"fulcio\"",
        ),
        (
            ss(r#", "keyPath": "/k", "rekorPublicKeyPath": "/r""#),
            "Unknown key \"rekorPublicKeyPath\"",
        ),
        (
            ss(r#", "keyPath": "/k", "signedIdentity": {"type": "matchRepository"}"#),
            OK,
        ),
    ];
    let cases: Vec<(&str, &str)> = cases.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    table(Compat::V5_23, &cases);
}

#[test]
fn sigstore_current() {
    let ss = |rest: &str| req(&format!(r#"{{"type": "sigstoreSigned"{rest}}}"#));
    let fulcio = r#""fulcio": {"caPath": "/ca", "oidcIssuer": "https://i", "subjectEmail": "a@b"}"#;
    let pki = r#""pki": {"caRootsPath": "/r", "subjectEmail": "a@b"}"#;
    let cases = [
        (ss(r#", "keyPath": "/k.pub""#), OK),
        (ss(r#", "keyPaths": ["/a", "/b"]"#), OK),
        (ss(r#", "keyData": """#), OK),
        (ss(r#", "keyDatas": ["YWJj"]"#), OK),
        (
            ss(&format!(r#", {fulcio}, "rekorPublicKeyPath": "/r""#)),
            OK,
        ),
        (ss(&format!(r#", {pki}"#)), OK),
        (
            ss(r#", "keyPath": """#),
            "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
        ),
        (
            ss(r#", "keyPath": null"#),
            "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
        ),
        (
            ss(r#", "keyData": null"#),
            "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
        ),
        (
            ss(""),
            "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
        ),
        (
            ss(r#", "keyPath": "/k", "keyData": """#),
            "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
        ),
        (ss(r#", "keyPath": "", "keyData": """#), OK),
        (
            ss(r#", "keyPaths": []"#),
            "\"keyPaths\" contains no entries",
        ),
        (
            ss(r#", "keyPaths": null"#),
            "\"keyPaths\" contains no entries",
        ),
        (
            ss(r#", "keyDatas": []"#),
            "\"keyDatas\" contains no entries",
        ),
        (
            ss(r#", "keyPath": "/k", "rekorPublicKeyPaths": []"#),
            "\"rekorPublickeyPaths\" contains no entries",
        ),
        (
            ss(r#", "keyPath": "/k", "rekorPublicKeyDatas": null"#),
            "\"rekorPublickeyDatas\" contains no entries",
        ),
        (
            ss(r#", "keyPath": "/k", "rekorPublicKeyPath": "/r", "rekorPublicKeyData": """#),
            "at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be used simultaneously",
        ),
        (
            ss(&format!(r#", {fulcio}"#)),
            "At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used",
        ),
        (
            ss(&format!(r#", {pki}, "rekorPublicKeyPath": "/r""#)),
            "rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas are not supported for pki",
        ),
        (ss(r#", "fulcio": null"#), "JSON object expected, got <nil>"),
        (ss(r#", "pki": null"#), "JSON object expected, got <nil>"),
        (
            ss(
                r#", "fulcio": {"caPath": "/ca", "caData": "", "oidcIssuer": "i", "subjectEmail": "e"}"#,
            ),
            "caPath and caData cannot be used simultaneously",
        ),
        (
            ss(r#", "fulcio": {"oidcIssuer": "i", "subjectEmail": "e"}"#),
            "At least one of caPath and caData must be specified",
        ),
        (
            ss(r#", "fulcio": {"caPath": "/ca", "subjectEmail": "e"}"#),
            "oidcIssuer not specified",
        ),
        (
            ss(r#", "fulcio": {"caPath": "/ca", "oidcIssuer": "i"}"#),
            "subjectEmail not specified",
        ),
        (
            ss(r#", "fulcio": {"caPath": "/ca", "oidcIssuer": "i", "subjectEmail": "e", "x": 1}"#),
            "Unknown key \"x\"",
        ),
        (
            ss(r#", "pki": {"subjectEmail": "e"}"#),
            "At least one of caRootsPath and caRootsData must be specified",
        ),
        (
            ss(r#", "pki": {"caRootsPath": "/r", "caRootsData": "", "subjectEmail": "e"}"#),
            "caRootsPath and caRootsData cannot be used simultaneously",
        ),
        (
            ss(
                r#", "pki": {"caRootsPath": "/r", "caIntermediatesPath": "/i", "caIntermediatesData": "", "subjectEmail": "e"}"#,
            ),
            "caIntermediatesPath and caIntermediatesData cannot be used simultaneously",
        ),
        (
            ss(r#", "pki": {"caRootsPath": "/r"}"#),
            "At least one of subjectEmail, subjectHostname must be specified",
        ),
        (
            ss(r#", "keyPath": "/k", "signedIdentity": null"#),
            "Unknown policy reference match type \"\"",
        ),
        (
            ss(r#", "keyType": "GPGKeys", "keyPath": "/k""#),
            "Unknown key \"keyType\"",
        ),
    ];
    let cases: Vec<(&str, &str)> = cases.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    table(Compat::Current, &cases);
}

#[test]
fn signed_identities() {
    let cases = [
        (prm(r#"{"type": "matchExact"}"#), OK.to_owned()),
        (prm(r#"{"type": "matchRepoDigestOrExact"}"#), OK.to_owned()),
        (prm(r#"{"type": "matchRepository"}"#), OK.to_owned()),
        (prm(r#"{"type": "matchExact", "x": 1}"#), "Unknown key \"x\"".to_owned()),
        (prm(r#"{"type": "matchexact"}"#), "Unknown policy reference match type \"matchexact\"".to_owned()),
        (prm(r#"{"type": "exactReference", "dockerReference": "busybox:latest"}"#), OK.to_owned()),
        (prm(&format!(r#"{{"type": "exactReference", "dockerReference": "busybox@{D}"}}"#)), OK.to_owned()),
        (prm(r#"{"type": "exactReference", "dockerReference": "busybox"}"#), "dockerReference busybox contains neither a tag nor digest".to_owned()),
        (prm(r#"{"type": "exactReference"}"#), "Key \"dockerReference\" missing in a JSON object".to_owned()),
        (prm(r#"{"type": "exactRepository", "dockerRepository": "busybox"}"#), OK.to_owned()),
        (prm(r#"{"type": "exactRepository", "dockerRepository": "busybox:latest"}"#), OK.to_owned()),
        (prm(r#"{"type": "exactRepository", "dockerRepository": "UPPER"}"#), "Invalid format of dockerRepository UPPER: invalid reference format: repository name must be lowercase".to_owned()),
        (prm(r#"{"type": "remapIdentity", "prefix": "example.com", "signedPrefix": "example.net/ns"}"#), OK.to_owned()),
        (prm(r#"{"type": "remapIdentity", "prefix": "shortname", "signedPrefix": "example.net"}"#), OK.to_owned()),
        (prm(r#"{"type": "remapIdentity", "prefix": "", "signedPrefix": "example.net"}"#), "prefix \"\" is not valid".to_owned()),
        (prm(r#"{"type": "remapIdentity", "prefix": "example.com", "signedPrefix": "example.com/repo:tag"}"#), "prefix \"example.com/repo:tag\" is not valid".to_owned()),
        (prm(r#"{"type": "remapIdentity", "prefix": "example.com"}"#), "Key \"signedPrefix\" missing in a JSON object".to_owned()),
        (prm("\"matchExact\""), "json: cannot unmarshal string into Go value of type signature.prmCommon".to_owned()),
        (prm(r#"{"type": true}"#), "json: cannot unmarshal bool into Go struct field prmCommon.type of type signature.prmTypeIdentifier".to_owned()),
    ];
    let cases: Vec<(&str, &str)> = cases
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    table(Compat::V5_23, &cases);
    // current quotes the reference with %q.
    table(
        Compat::Current,
        &[(
            prm(r#"{"type": "exactReference", "dockerReference": "busybox"}"#).as_str(),
            "dockerReference \"busybox\" contains neither a tag nor digest",
        )],
    );
}

#[test]
fn spans_point_at_the_problem() {
    let src = "{\n  \"default\": [{\"type\": \"reject\"}],\n  \"bogus\": 1\n}\n";
    let e = parse_policy(src.as_bytes(), Compat::V5_23).unwrap_err();
    assert_eq!(&src[e.span.clone()], "\"bogus\"");
}

#[test]
fn hostile_inputs_do_not_panic() {
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    assert_eq!(
        check(Compat::V5_23, &deep),
        "JSON object expected, got \"[\""
    );
    let deeper = "[".repeat(100_000);
    assert!(check(Compat::V5_23, &deeper).contains("exceeded max depth"));
    let nested_obj = format!("{{\"default\": {}{}}}", "[".repeat(5000), "]".repeat(5000));
    assert_eq!(
        check(Compat::V5_23, &nested_obj),
        "Unknown policy requirement type \"\"".replace(
            "Unknown policy requirement type \"\"",
            "json: cannot unmarshal array into Go value of type signature.prCommon"
        )
    );
    assert!(parse_policy(b"{\"default\": [\"\xff\xfe\"]}", Compat::V5_23).is_err());
    let big = vec![b' '; MAX_POLICY_SIZE + 1];
    assert!(parse_policy(&big, Compat::V5_23).is_err());
}

#[test]
fn model_is_filled() {
    let src = r#"{"default": [{"type": "reject"}], "transports": {"docker": {"ghcr.io/armorred": [{"type": "sigstoreSigned", "keyPath": "/etc/pki/cosign/armorred.pub", "signedIdentity": {"type": "matchRepository"}}]}}}"#;
    let p = parse_policy(src.as_bytes(), Compat::Current).unwrap();
    assert_eq!(p.default.items[0].value, Requirement::Reject);
    let t = &p.transports[0];
    assert_eq!(t.name.value, "docker");
    assert_eq!(t.scopes[0].key.value, "ghcr.io/armorred");
    let Requirement::SigstoreSigned(s) = &t.scopes[0].requirements.items[0].value else {
        panic!()
    };
    assert_eq!(s.signed_identity.value, SignedIdentity::MatchRepository);
    assert!(s.signed_identity_explicit);
    let SigstoreTrust::PublicKeys(KeySource::Path(p)) = &s.trust else {
        panic!()
    };
    assert_eq!(p.value, "/etc/pki/cosign/armorred.pub");
}

/// A small deterministic mutation fuzzer: the parser must never panic, and Go's syntax checker
/// port must agree with serde_json on which inputs are JSON (ASCII inputs without `\u`
/// escapes, where both follow RFC 8259).
#[test]
fn mutation_smoke() {
    let seeds = [
        r#"{"default": [{"type": "reject"}], "transports": {"docker": {"ghcr.io/a": [{"type": "sigstoreSigned", "keyPath": "/k", "signedIdentity": {"type": "matchRepository"}}]}}}"#,
        r#"{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "YWJj", "signedIdentity": {"type": "remapIdentity", "prefix": "a.com", "signedPrefix": "b.com"}}]}"#,
        r#"{"default": [{"type": "sigstoreSigned", "fulcio": {"caPath": "/c", "oidcIssuer": "i", "subjectEmail": "e"}, "rekorPublicKeyDatas": ["YQ=="]}], "transports": {"containers-storage": {"[vfs@/s]x": [{"type": "reject"}]}}}"#,
    ];
    let alphabet = b"{}[]:,\" 0123456789.-eE+truefalsnl\\/abcxyz\n\t";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..30_000 {
        let mut buf = seeds[i % seeds.len()].as_bytes().to_vec();
        for _ in 0..(1 + next() % 4) {
            let pos = (next() as usize) % (buf.len() + 1);
            let c = alphabet[(next() as usize) % alphabet.len()];
            match next() % 3 {
                0 if pos < buf.len() => buf[pos] = c,
                1 => buf.insert(pos, c),
                _ if pos < buf.len() => {
                    buf.remove(pos);
                }
                _ => {}
            }
        }
        for compat in [Compat::V5_23, Compat::Current] {
            let _ = parse_policy(&buf, compat);
        }
        let ours = crate::json::scan::validate(&buf).is_ok();
        let theirs = serde_json::from_slice::<serde::de::IgnoredAny>(&buf).is_ok();
        assert_eq!(
            ours,
            theirs,
            "validity disagrees on {:?}",
            String::from_utf8_lossy(&buf)
        );
    }
}
