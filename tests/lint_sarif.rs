//! `lint --format sarif` validates against the published SARIF 2.1.0 schema.

use crate::util::{policyctl, repo, write};

fn check(doc: &serde_json::Value) -> Result<(), String> {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo("testdata/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("file:///sarif-schema-2.1.0.json", schema)
        .unwrap();
    let id = compiler
        .compile("file:///sarif-schema-2.1.0.json", &mut schemas)
        .unwrap();
    schemas.validate(doc, id).map_err(|e| format!("{e:#}"))
}

#[test]
fn the_validator_rejects_invalid_sarif() {
    assert!(
        check(&serde_json::json!({"runs": []})).is_err(),
        "missing version must fail"
    );
    assert!(
        check(&serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]})).is_err(),
        "tool.driver is required"
    );
    assert!(check(&serde_json::json!({"version": "2.1.0", "runs": []})).is_ok());
}

fn validate(doc: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo("testdata/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("file:///sarif-schema-2.1.0.json", schema)
        .unwrap();
    let id = compiler
        .compile("file:///sarif-schema-2.1.0.json", &mut schemas)
        .unwrap();
    if let Err(e) = schemas.validate(doc, id) {
        panic!("SARIF output does not validate: {e:#}\n{doc:#}");
    }
}

#[test]
fn sarif_with_findings_and_with_a_load_error_validates() {
    let t = tempfile::tempdir().unwrap();
    let p = write(
        t.path(),
        "p.json",
        "{\"default\": [{\"type\": \"insecureAcceptAnything\"}],\n \"transports\": {\"docker\": {\"busybox\": [{\"type\": \"sigstoreSigned\", \"keyPath\": \"k.pub\"}]}}}\n",
    );
    let out = policyctl()
        .args(["lint", "--format", "sarif", "--policy"])
        .arg(&p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v);
    let ids: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for code in ["P002", "P009", "K001", "K002"] {
        assert!(ids.contains(&code), "{code} missing from {ids:?}");
    }
    assert_eq!(out.status.code(), Some(1), "K002 is an error");
    let bad = write(t.path(), "bad.json", "{\"default\": []}");
    let out = policyctl()
        .args(["lint", "--format", "sarif", "--policy"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    validate(&v);
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], false);
}
