//! The webhook rules against upstream's own example manifests (`testdata/k8s/examples/`,
//! every file) plus hand-written cases for each rule.

use super::{
    CipOptions, Finding, go_filepath_match_syntax, validate, validate_cluster_image_policy,
    validate_cluster_image_policy_with, validate_image_validating_policy,
    validate_kyverno_cluster_policy,
};
use serde_json::{Value, json};

macro_rules! example {
    ($path:literal) => {
        (
            $path,
            include_str!(concat!("../../../testdata/k8s/examples/", $path)),
        )
    };
}

/// Each invalid example and the text its webhook error must contain (fixtures README).
const INVALID: &[(&str, &str, &str)] = &[
    (
        example!("policy-controller/invalid/v1beta1-empty-keyref.yaml").0,
        example!("policy-controller/invalid/v1beta1-empty-keyref.yaml").1,
        "expected exactly one, got neither: data, kms, secretref",
    ),
    (
        example!("policy-controller/invalid/v1beta1-invalid-glob.yaml").0,
        example!("policy-controller/invalid/v1beta1-invalid-glob.yaml").1,
        "glob is invalid: syntax error in pattern",
    ),
    (
        example!("policy-controller/invalid/v1beta1-invalid-hash-algo.yaml").0,
        example!("policy-controller/invalid/v1beta1-invalid-hash-algo.yaml").1,
        "invalid value: shaINVALID",
    ),
    (
        example!("policy-controller/invalid/v1beta1-invalid-mode.yaml").0,
        example!("policy-controller/invalid/v1beta1-invalid-mode.yaml").1,
        "unsupported mode",
    ),
    (
        example!("policy-controller/invalid/v1beta1-invalid-pubkey.yaml").0,
        example!("policy-controller/invalid/v1beta1-invalid-pubkey.yaml").1,
        "invalid value: ---somedata---",
    ),
    (
        example!("policy-controller/invalid/v1beta1-keyref-with-multiple-properties.yaml").0,
        example!("policy-controller/invalid/v1beta1-keyref-with-multiple-properties.yaml").1,
        "expected exactly one, got both: data, kms, secretref",
    ),
    (
        example!("policy-controller/invalid/v1beta1-missing-identity.yaml").0,
        example!("policy-controller/invalid/v1beta1-missing-identity.yaml").1,
        "missing field(s): identities",
    ),
    (
        example!("policy-controller/invalid/v1beta1-valid-keyref-and-keylessref.yaml").0,
        example!("policy-controller/invalid/v1beta1-valid-keyref-and-keylessref.yaml").1,
        "expected exactly one, got both: key, keyless, static",
    ),
];

const VALID_CIP: &[(&str, &str)] = &[
    example!("policy-controller/valid/v1beta1-valid-keyref-awskms.yaml"),
    example!("policy-controller/valid/v1beta1-valid-policy-glob.yaml"),
    example!("policy-controller/valid/v1beta1-valid-policy.yaml"),
    example!("policy-controller/e2e/cip-key-no-rekor.yaml"),
    example!("policy-controller/e2e/cip-key-with-attestations-no-rekor.yaml"),
    example!("policy-controller/e2e/cip-key-with-attestations.yaml"),
    example!("policy-controller/e2e/cip-static-fail.yaml"),
    example!("policy-controller/e2e/cip-static-pass.yaml"),
];

const KYVERNO: &[(&str, &str)] = &[
    example!("kyverno/cpol-keyed-basic.yaml"),
    example!("kyverno/cpol-keyed-oci11.yaml"),
    example!("kyverno/cpol-keyed-secret.yaml"),
    example!("kyverno/cpol-keyed-tsa.yaml"),
    example!("kyverno/cpol-keyless-attestation-regexp.yaml"),
    example!("kyverno/cpol-nomutateDigest-verifyDigest-norequired.yaml"),
    example!("kyverno/cpol-sigstore-image-verification-test.yaml"),
    example!("kyverno/cpol-skip-image-reference.yaml"),
    example!("kyverno/ivpol-mutate-digest.yaml"),
    example!("kyverno/ivpol-standard-cosign-attestation-extract-cache-hit.yaml"),
    example!("kyverno/ivpol-validation-actions-deny.yaml"),
];

const P256_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZxAfzrQG1EbWyCI8LiSB7YgSFXoI\nFNGTyQGKHFc6/H8TQumT9VLS78pUwtv3w7EfKoyFZoP32KrO7nzUy2q6Cw==\n-----END PUBLIC KEY-----\n";

/// Every document of a multi-document YAML file, as JSON (empty documents skipped).
fn documents(text: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_norway::Deserializer::from_str(text)
        .map(|de| Value::deserialize(de).expect("YAML document"))
        .filter(|v| !v.is_null())
        .collect()
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{}: {}", f.path, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The findings of every known document of a file.
fn file_findings(text: &str) -> (usize, Vec<Finding>) {
    let mut known = 0;
    let mut all = Vec::new();
    for doc in documents(text) {
        if let Some(f) = validate(&doc) {
            known += 1;
            all.extend(f);
        }
    }
    (known, all)
}

#[test]
fn the_example_lists_cover_every_copied_file() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/k8s/examples");
    let mut on_disk: Vec<String> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&root)
                .expect("under root")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = INVALID
        .iter()
        .map(|(p, _, _)| *p)
        .chain(VALID_CIP.iter().map(|(p, _)| *p))
        .chain(KYVERNO.iter().map(|(p, _)| *p))
        .map(str::to_owned)
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn every_invalid_policy_controller_example_is_refused_with_upstreams_error() {
    for (path, text, expected) in INVALID {
        let (known, findings) = file_findings(text);
        assert_eq!(known, 1, "{path}");
        assert!(
            findings.iter().any(|f| f.message.contains(expected)),
            "{path}: expected a finding containing {expected:?}, got:\n{}",
            show(&findings)
        );
    }
}

#[test]
fn invalid_examples_point_at_the_offending_field() {
    let paths: Vec<(&str, &str)> = vec![
        ("v1beta1-empty-keyref", "spec.authorities[0].key"),
        ("v1beta1-invalid-glob", "spec.images[0].glob"),
        (
            "v1beta1-invalid-hash-algo",
            "spec.authorities[0].key.hashAlgorithm",
        ),
        ("v1beta1-invalid-mode", "spec.mode"),
        ("v1beta1-invalid-pubkey", "spec.authorities[0].key.data"),
        ("v1beta1-missing-identity", "spec.authorities[0].keyless"),
        ("v1beta1-valid-keyref-and-keylessref", "spec.authorities[0]"),
    ];
    for (name, want) in paths {
        let (_, text, _) = INVALID
            .iter()
            .find(|(p, _, _)| p.contains(name))
            .expect("listed");
        let (_, findings) = file_findings(text);
        assert!(
            findings.iter().any(|f| f.path == want),
            "{name}: no finding at {want}:\n{}",
            show(&findings)
        );
    }
}

#[test]
fn the_hash_algo_example_has_exactly_one_finding() {
    // Its secretRef namespace `cosign-system` is the controller's default namespace.
    let (_, text, _) = INVALID
        .iter()
        .find(|(p, _, _)| p.contains("invalid-hash-algo"))
        .expect("listed");
    let (_, findings) = file_findings(text);
    assert_eq!(findings.len(), 1, "{}", show(&findings));
    let other = CipOptions {
        controller_namespace: "policy-controller".into(),
        ..CipOptions::default()
    };
    let doc = &documents(text)[0];
    let findings = validate_cluster_image_policy_with(doc, &other);
    assert!(
        findings
            .iter()
            .any(|f| f.path == "spec.authorities[2].key.secretRef.namespace"),
        "{}",
        show(&findings)
    );
}

#[test]
fn every_valid_and_e2e_policy_controller_example_passes() {
    for (path, text) in VALID_CIP {
        let (known, findings) = file_findings(text);
        assert_eq!(known, 1, "{path}");
        assert!(findings.is_empty(), "{path}:\n{}", show(&findings));
    }
}

#[test]
fn every_kyverno_example_passes() {
    for (path, text) in KYVERNO {
        let (known, findings) = file_findings(text);
        assert!(known >= 1, "{path}: no policy document recognised");
        assert!(findings.is_empty(), "{path}:\n{}", show(&findings));
    }
}

#[test]
fn dispatch_ignores_other_kinds() {
    assert_eq!(
        validate(&json!({"apiVersion": "v1", "kind": "ConfigMap"})),
        None
    );
    assert_eq!(validate(&json!("text")), None);
    assert_eq!(validate(&Value::Null), None);
    assert!(
        validate(
            &json!({"apiVersion": "policy.sigstore.dev/v1alpha1", "kind": "ClusterImagePolicy"})
        )
        .is_some()
    );
}

// ---- policy-controller, hand-written ------------------------------------------------------

fn cip(spec: Value) -> Value {
    json!({"apiVersion": "policy.sigstore.dev/v1beta1", "kind": "ClusterImagePolicy",
           "metadata": {"name": "x"}, "spec": spec})
}

fn messages(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{}: {}", f.path, f.message))
        .collect()
}

#[test]
fn cip_empty_spec_misses_images_and_authorities() {
    let m = messages(&validate_cluster_image_policy(&cip(json!({}))));
    assert_eq!(
        m,
        [
            "spec: missing field(s): images",
            "spec: missing field(s): authorities"
        ]
    );
    let relaxed = CipOptions {
        fail_on_empty_authorities: false,
        ..CipOptions::default()
    };
    let m = messages(&validate_cluster_image_policy_with(
        &cip(json!({"images": [{"glob": "**"}]})),
        &relaxed,
    ));
    assert!(m.is_empty(), "{m:?}");
}

#[test]
fn cip_glob_errors_follow_upstream_order() {
    let m = messages(&validate_cluster_image_policy(&cip(json!({
        "images": [{"glob": "$FOO*"}, {"glob": ""}, {"glob": "a[b"}, {"glob": "*"}, {"glob": "ghcr.io/x/**"}],
        "authorities": [{"static": {"action": "pass"}}]}))));
    assert_eq!(
        m,
        [
            "spec.images[0].glob: invalid value: $FOO*: glob is invalid: invalid glob \"$FOO*\"",
            "spec.images[1]: missing field(s): glob",
            "spec.images[2].glob: invalid value: a[b: glob is invalid: syntax error in pattern",
        ]
    );
}

#[test]
fn go_filepath_match_syntax_errors() {
    for bad in [
        "[", "a[", "[]", "[a-]", "[^", "\\", "a\\", "[a", "x*[", "[\\", "[]a]", "[a-]]",
    ] {
        assert!(go_filepath_match_syntax(bad).is_err(), "{bad:?}");
    }
    for good in [
        "", "*", "a*b", "[a]", "[^a-z]", "[\\]]", "\\*", "*[a-c]?", "**", "[a-b]x",
    ] {
        assert!(go_filepath_match_syntax(good).is_ok(), "{good:?}");
    }
}

#[test]
fn cip_authority_rules() {
    let m = messages(&validate_cluster_image_policy(&cip(json!({
    "images": [{"glob": "**"}],
    "mode": "audit",
    "authorities": [
        {},
        {"static": {"action": "pass"}, "ctlog": {"url": "https://x"}, "source": [{"oci": "r.io/xy"}],
         "attestations": [{"name": "a", "predicateType": "custom"}], "rfc3161timestamp": {}},
        {"static": {}},
        {"static": {"action": "maybe"}},
        {"keyless": {"url": "https://fulcio.example", "ca-cert": {"data": P256_PEM},
                     "identities": [{"issuer": "i", "issuerRegExp": "i.*", "subjectRegExp": "****"}]}},
        {"key": {"kms": "fookms://x"}},
        {"key": {"kms": "awskms://localhost:::4566/alias/exampleAlias"}},
        {"key": {"kms": "awskms://localhost:4566/alias/exampleAlias"}},
        {"key": {"data": P256_PEM, "hashAlgorithm": " SHA512 "},
         "source": [{"oci": "registry.example.com/repo/*"}]},
        {"key": {"secretRef": {"name": "s"}}, "source": [{"oci": "re@gistry/reponame"}, {"oci": "x.io/y"}]},
        {"key": {"secretRef": {"name": "s"}},
         "attestations": [{"policy": {"type": "yaml", "data": "d", "remote": {"url": "http://example.com"},
                           "fetchConfigFile": true}}]},
    ]}))));
    let want = [
        "spec.authorities[0]: expected exactly one, got neither: key, keyless, static",
        "spec.authorities[1]: expected exactly one, got both: attestations, ctlog, rfc3161timestamp, source, static",
        "spec.authorities[2].static: missing field(s): action",
        "spec.authorities[3].static.action: invalid value: maybe: unsupported action",
        "spec.authorities[4].keyless: expected exactly one, got both: ca-cert, url",
        "spec.authorities[4].keyless.identities[0]: expected exactly one, got both: issuer, issuerRegExp",
        "spec.authorities[4].keyless.identities[0].subjectRegExp: invalid value: ****: regex is invalid: error parsing regexp: repetition operator missing expression",
        "spec.authorities[5].key.kms: invalid value: fookms://x: malformed KMS format, should be prefixed by any of the supported providers: [awskms:// azurekms:// hashivault:// gcpkms://]",
        "spec.authorities[6].key.kms: invalid value: awskms://localhost:::4566/alias/exampleAlias: malformed endpoint: address localhost:::4566: too many colons in address",
        "spec.authorities[7].key.kms: invalid value: awskms://localhost:4566/alias/exampleAlias: failed to parse either key or alias arn: arn: invalid prefix",
        "spec.authorities[8].source[0].oci: invalid value: registry.example.com/repo/*: repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: repo/*",
        "spec.authorities[9].source: invalid value: source: only single source is supported",
        "spec.authorities[10].attestations[0]: missing field(s): name",
        "spec.authorities[10].attestations[0]: missing field(s): predicateType",
        "spec.authorities[10].attestations[0].policy.type: invalid value: yaml: only [cue,rego] are supported at the moment",
        "spec.authorities[10].attestations[0].policy: expected exactly one, got both: configMapRef, data, remote",
        "spec.authorities[10].attestations[0].policy.remote.url: invalid value: http://example.com: url valid is invalid. host and https scheme are expected",
        "spec.authorities[10].attestations[0].policy.remote: missing field(s): sha256sum",
        "spec.authorities[10].attestations[0].policy: must not set the field(s): fetchConfigFile",
        "spec.mode: invalid value: audit: unsupported mode",
    ];
    assert_eq!(m, want);
}

#[test]
fn cip_v1alpha1_allows_static_with_rfc3161timestamp() {
    let mut doc = cip(json!({"images": [{"glob": "**"}],
        "authorities": [{"static": {"action": "fail"}, "rfc3161timestamp": {"trustRootRef": "r"}}]}));
    assert_eq!(validate_cluster_image_policy(&doc).len(), 1);
    doc["apiVersion"] = json!("policy.sigstore.dev/v1alpha1");
    assert_eq!(validate_cluster_image_policy(&doc), []);
}

#[test]
fn cip_identity_missing_fields_and_spec_policy() {
    let m = messages(&validate_cluster_image_policy(&cip(json!({
        "images": [{"glob": "**"}],
        "authorities": [{"keyless": {"identities": [{}]}}],
        "match": [{"selector": {"matchLabels": {"a": "b"}}}],
        "policy": {"type": "cue", "configMapRef": {"name": "n"}, "fetchConfigFile": true}}))));
    assert_eq!(
        m,
        [
            "spec.authorities[0].keyless.identities[0]: missing field(s): subject, subjectRegExp",
            "spec.authorities[0].keyless.identities[0]: missing field(s): issuer, issuerRegExp",
            "spec.match[0].selector: invalid value: \"\": selector requires a resource type to match the labels",
            "spec.policy.configMapRef: missing field(s): key",
        ]
    );
}

#[test]
fn cip_wrong_types_are_reported_not_panicked_on() {
    for spec in [
        json!("x"),
        json!({"images": "x", "authorities": {"a": 1}}),
        json!({"images": [1, null, {"glob": 7}], "authorities": [null, 3, {"key": "k"}, {"keyless": {"identities": "x"}}]}),
        json!({"images": [{"glob": "[[[[\\"}], "authorities": [{"key": {"data": "\u{0}\u{ffff}", "kms": "awskms://"}}]}),
    ] {
        let findings = validate_cluster_image_policy(&cip(spec.clone()));
        assert!(!findings.is_empty(), "{spec}");
    }
    let m = messages(&validate_cluster_image_policy(&cip(json!({"images": "x"}))));
    assert_eq!(
        m[0],
        "spec.images: cannot unmarshal string into a field of type array"
    );
}

// ---- Kyverno ClusterPolicy, hand-written ---------------------------------------------------

fn cpol(spec_extra: Value, verify_images: Value) -> Value {
    let mut spec = json!({"rules": [{"name": "r", "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                                    "verifyImages": verify_images}]});
    if let (Some(s), Some(extra)) = (spec.as_object_mut(), spec_extra.as_object()) {
        for (k, v) in extra {
            s.insert(k.clone(), v.clone());
        }
    }
    json!({"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy", "metadata": {"name": "p"}, "spec": spec})
}

fn key_entry() -> Value {
    json!({"keys": {"publicKeys": P256_PEM, "rekor": {"url": "https://rekor.sigstore.dev", "ignoreTlog": true}}})
}

#[test]
fn kyverno_good_policy_passes() {
    let doc = cpol(
        json!({}),
        json!([{"imageReferences": ["ghcr.io/a/*"], "failureAction": "Enforce",
                 "attestors": [{"count": 1, "entries": [key_entry()]}]}]),
    );
    assert_eq!(validate_kyverno_cluster_policy(&doc), []);
}

#[test]
fn kyverno_image_references_required() {
    let doc = cpol(
        json!({}),
        json!([{"failureAction": "Enforce", "attestors": [{"entries": [key_entry()]}]}]),
    );
    assert_eq!(
        messages(&validate_kyverno_cluster_policy(&doc)),
        ["spec.rules[0].verifyImages[0]: An image reference is required"]
    );
}

#[test]
fn kyverno_mutate_digest_with_audit() {
    let want = [
        "spec.rules[0].verifyImages[0].mutateDigest: mutateDigest must be set to false for \u{2018}Audit\u{2019} failure action",
    ];
    // Spec-level default `Audit` and the CRD default `mutateDigest: true`.
    let doc = cpol(json!({}), json!([{"imageReferences": ["*"]}]));
    assert_eq!(messages(&validate_kyverno_cluster_policy(&doc)), want);
    let doc = cpol(
        json!({"validationFailureAction": "Enforce"}),
        json!([{"imageReferences": ["*"], "failureAction": "Audit", "mutateDigest": true}]),
    );
    assert_eq!(messages(&validate_kyverno_cluster_policy(&doc)), want);
    // Fine: mutateDigest false, or Enforce at either level.
    for (extra, iv) in [
        (
            json!({}),
            json!([{"imageReferences": ["*"], "mutateDigest": false}]),
        ),
        (
            json!({"validationFailureAction": "enforce"}),
            json!([{"imageReferences": ["*"]}]),
        ),
        (
            json!({}),
            json!([{"imageReferences": ["*"], "failureAction": "Enforce"}]),
        ),
    ] {
        assert_eq!(validate_kyverno_cluster_policy(&cpol(extra, iv)), []);
    }
    // Upstream quirk: an entry's failureAction carries over to the next entries of the rule.
    let doc = cpol(
        json!({}),
        json!([{"imageReferences": ["*"], "failureAction": "Enforce"}, {"imageReferences": ["*"]}]),
    );
    assert_eq!(validate_kyverno_cluster_policy(&doc), []);
}

#[test]
fn kyverno_attestor_set_rules() {
    let doc = cpol(
        json!({}),
        json!([{"imageReferences": ["*"], "failureAction": "Enforce", "attestors": [
            {"count": 2, "entries": [key_entry()]},
            {"entries": []},
            {"entries": [{"keys": {"publicKeys": P256_PEM}, "keyless": {"issuer": "i", "roots": "r"}}]},
            {"entries": [{}]},
            {"entries": [{"keys": {"publicKeys": P256_PEM, "signatureAlgorithm": "md5"}},
                         {"keys": {}},
                         {"certificates": {}},
                         {"keyless": {"issuer": "i"}},
                         {"keyless": {"rekor": {}}},
                         {"attestor": {"entries": [{"keys": {}}]}},
                         {"attestor": "x"}]},
        ]}]),
    );
    let p = "spec.rules[0].verifyImages[0].attestors";
    let want: Vec<String> = [
        "[0]: Count cannot exceed length of entries",
        "[1]: An entry is required",
        "[2].entries[0]: keys, certificates, keyless, or a nested attestor is required",
        "[3].entries[0]: keys, certificates, keyless, or a nested attestor is required",
        "[4].entries[0].keys: Invalid signature algorithm provided",
        "[4].entries[1].keys: A public key, kms key or secret is required",
        "[4].entries[2].certificates: cert or certChain required",
        "[4].entries[3].keyless: Either Rekor URL or roots are required",
        "[4].entries[4].keyless: An URL is required",
        "[4].entries[5].attestor.entries[0].keys: A public key, kms key or secret is required",
        "[4].entries[6].attestor: failed to unmarshal attestor set: cannot unmarshal string into an attestor set",
    ]
    .iter()
    .map(|s| format!("{p}{s}"))
    .collect();
    assert_eq!(messages(&validate_kyverno_cluster_policy(&doc)), want);
}

#[test]
fn kyverno_attestations_attestors_are_checked_too() {
    let doc = cpol(
        json!({}),
        json!([{"imageReferences": ["*"], "failureAction": "Enforce",
                 "attestations": [{"type": "t", "attestors": [{"count": 3, "entries": [key_entry()]}]}]}]),
    );
    assert_eq!(
        messages(&validate_kyverno_cluster_policy(&doc)),
        [
            "spec.rules[0].verifyImages[0].attestations[0].attestors[0]: Count cannot exceed length of entries"
        ]
    );
}

#[test]
fn kyverno_notary_forbids_keys_and_keyless() {
    let doc = cpol(
        json!({}),
        json!([{"imageReferences": ["*"], "failureAction": "Enforce", "type": "Notary", "attestors": [
            {"entries": [key_entry(), {"keyless": {"issuer": "i", "roots": "r"}}, {"certificates": {"cert": "c"}}]}]}]),
    );
    assert_eq!(
        messages(&validate_kyverno_cluster_policy(&doc)),
        [
            "spec.rules[0].verifyImages[0].attestors: Keys field is not allowed for type notary",
            "spec.rules[0].verifyImages[0].attestors: Keyless field is not allowed for type notary",
        ]
    );
}

#[test]
fn kyverno_deprecated_fields_are_converted() {
    // `image` + `key` become imageReferences and one keys entry.
    let doc = cpol(
        json!({}),
        json!([{"image": "ghcr.io/a/*", "key": P256_PEM, "failureAction": "Enforce"}]),
    );
    assert_eq!(validate_kyverno_cluster_policy(&doc), []);
    // `issuer` without rekor or roots: the converted keyless entry is refused.
    let doc = cpol(
        json!({}),
        json!([{"imageReferences": ["x"], "issuer": "https://issuer", "failureAction": "Enforce"}]),
    );
    assert_eq!(
        messages(&validate_kyverno_cluster_policy(&doc)),
        [
            "spec.rules[0].verifyImages[0].attestors[0].entries[0].keyless: Either Rekor URL or roots are required"
        ]
    );
}

#[test]
fn kyverno_deeply_nested_attestors_stop() {
    let mut set = json!({"entries": [key_entry()]});
    for _ in 0..100 {
        set = json!({"entries": [{"attestor": set}]});
    }
    let doc = cpol(
        json!({}),
        json!([{"imageReferences": ["*"], "failureAction": "Enforce", "attestors": [set]}]),
    );
    let findings = validate_kyverno_cluster_policy(&doc);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].message, "nested attestors too deep");
}

// ---- Kyverno ImageValidatingPolicy, hand-written -------------------------------------------

fn ivpol(spec: Value) -> Value {
    json!({"apiVersion": "policies.kyverno.io/v1", "kind": "ImageValidatingPolicy",
           "metadata": {"name": "p"}, "spec": spec})
}

fn ivpol_spec(attestors: Value) -> Value {
    json!({"matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
               "operations": ["CREATE"], "resources": ["pods"]}]},
           "matchImageReferences": [{"glob": "ghcr.io/a/*"}],
           "attestors": attestors,
           "validations": [{"expression": "true"}]})
}

#[test]
fn ivpol_good_policy_passes() {
    let doc = ivpol(ivpol_spec(json!([
        {"name": "k", "cosign": {"key": {"data": P256_PEM}, "ctlog": {"insecureIgnoreTlog": true}}},
        {"name": "n", "notary": {"certs": {"value": "c"}}},
    ])));
    assert_eq!(validate_image_validating_policy(&doc), []);
}

#[test]
fn ivpol_rules() {
    let m = messages(&validate_image_validating_policy(&ivpol(json!({}))));
    assert_eq!(
        m,
        [
            "spec.attestors: Required value",
            "spec.validations: Required value",
            "spec.matchConstraints: Required value: a matchConstraints with at least one resource rule is required",
        ]
    );
    let mut spec = ivpol_spec(json!([
        {"cosign": {"key": {"data": "not a key"}}},
        {"name": "b", "cosign": {"key": {}}, "notary": {}},
        {"name": "c"},
        {"name": "d", "cosign": {"key": {"kms": "k", "expression": "e"}}},
    ]));
    spec["matchImageReferences"] = json!([{"glob": "[a"}, {}, {"expression": "true"}]);
    let m = messages(&validate_image_validating_policy(&ivpol(spec)));
    assert_eq!(m.len(), 8, "{m:#?}");
    assert_eq!(
        m[0],
        "spec.matchImageReferences[0].glob: invalid value: [a: unexpected end of input"
    );
    assert_eq!(
        m[1],
        "spec.matchImageReferences[1]: either glob or expression must be set"
    );
    assert_eq!(m[2], "spec.attestors[0].name: Required value");
    assert!(m[3].starts_with("spec.attestors[0].cosign.key.data: invalid value: not a key: "));
    assert_eq!(
        m[4],
        "spec.attestors[1]: expected exactly one, got both: cosign, notary"
    );
    assert_eq!(
        m[5],
        "spec.attestors[1].cosign.key: expected exactly one, got neither: data, expression, kms"
    );
    assert_eq!(
        m[6],
        "spec.attestors[2]: expected exactly one, got neither: cosign, notary"
    );
    assert_eq!(
        m[7],
        "spec.attestors[3].cosign.key: expected exactly one, got both: data, expression, kms"
    );
}

#[test]
fn nothing_panics_on_odd_documents() {
    let odd = [
        json!(null),
        json!([]),
        json!({"spec": null}),
        json!({"spec": []}),
        json!({"spec": {"rules": [null, 1, {"verifyImages": [null, "x", {"attestors": [null, 1, {"entries": "x", "count": -1}]}]}]}}),
        json!({"spec": {"attestors": [1, {"name": 2, "cosign": []}], "matchImageReferences": "x", "validations": [1]}}),
    ];
    for doc in odd {
        let _ = validate_cluster_image_policy(&doc);
        let _ = validate_kyverno_cluster_policy(&doc);
        let _ = validate_image_validating_policy(&doc);
    }
}
