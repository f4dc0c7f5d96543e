//! Every JSON output is described by a JSON Schema in `schemas/` (issue 9): the schemas are
//! generated from the report types (`SNAPSHOTS=overwrite cargo test json_schemas` rewrites
//! them), and the JSON of the CLI test cases validates against them.

use std::path::{Path, PathBuf};

use schemars::schema_for;

use crate::util::{policyctl, repo, require_tool, write};

/// Output name → its generated schema.
fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    use policyctl::report::json as rj;
    let v = |s: schemars::Schema| serde_json::to_value(s).unwrap();
    vec![
        ("check", v(schema_for!(rj::CheckReport))),
        ("check-all", v(schema_for!(rj::CheckAllReport))),
        ("scope", v(schema_for!(rj::ScopeReport))),
        ("lint", v(schema_for!(rj::LintReport))),
        ("key-list", v(schema_for!(rj::KeyListReport))),
        ("where", v(schema_for!(rj::WhereReport))),
        ("sigs-list", v(schema_for!(rj::SigsListReport))),
        ("attest-verify", v(schema_for!(rj::AttestVerifyReport))),
        ("export", v(schema_for!(rj::ExportReport))),
        (
            "k8s-diff",
            v(schema_for!(policyctl::k8s::drift::DriftReport)),
        ),
        (
            "trust-show",
            v(schema_for!(Vec<policyctl::commands::trust::Entry>)),
        ),
    ]
}

fn schema_path(name: &str) -> PathBuf {
    repo("schemas").join(format!("{name}.schema.json"))
}

#[test]
fn json_schemas_match_the_report_types() {
    for (name, schema) in schemas() {
        let text = format!("{}\n", serde_json::to_string_pretty(&schema).unwrap());
        crate::util::assert_generated(
            &schema_path(name),
            &text,
            "run `SNAPSHOTS=overwrite cargo test json_schemas` and commit schemas/",
        );
    }
}

/// Validates `doc` against the committed schema `name`.
fn validate(name: &str, doc: &serde_json::Value) -> Result<(), String> {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path(name)).unwrap()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = format!("file:///{name}.schema.json");
    compiler.add_resource(&url, schema).unwrap();
    let id = compiler.compile(&url, &mut schemas).unwrap();
    schemas.validate(doc, id).map_err(|e| format!("{e:#}"))
}

/// Runs policyctl with `args` and validates its stdout (JSON) against schema `name`.
fn run_and_validate(name: &str, args: &[&str], env: &[(&str, &Path)]) -> serde_json::Value {
    let mut cmd = std::process::Command::new(snapbox::cmd::cargo_bin!("policyctl"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    if let Err(e) = validate(name, &doc) {
        panic!(
            "{args:?}: output does not validate against schemas/{name}.schema.json: {e}\n{doc:#}"
        );
    }
    doc
}

fn lint_fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(repo("testdata/lint")) {
        let e = e.unwrap();
        if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "json") {
            out.push(e.path().to_owned());
        }
    }
    out.sort();
    out
}

/// The JSON of the CLI test cases (the inputs of `tests/cli_*.rs`) validates.
#[test]
fn every_json_output_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let demo = repo("testdata/demo/policy.json");
    let demo = demo.to_str().unwrap();
    // check: every demo and fixture image, an unsupported trust root, a missing image, lists.
    let mut images: Vec<String> = Vec::new();
    for dir in ["testdata/demo/images", "testdata/check/dir"] {
        for e in std::fs::read_dir(repo(dir)).unwrap() {
            images.push(format!("dir:{}", e.unwrap().path().display()));
        }
    }
    images.sort();
    images.extend([
        format!("oci:{}", repo("testdata/check/oci").display()),
        format!("oci-archive:{}", repo("testdata/check/a.oci.tar").display()),
        format!(
            "docker-archive:{}",
            repo("testdata/check/a.docker.tar").display()
        ),
        "dir:/nonexistent".into(),
        "not a reference".into(),
    ]);
    let rekor = write(
        t,
        "rekor.json",
        &format!(
            r#"{{"default": [{{"type": "sigstoreSigned", "keyPath": "{k}", "rekorPublicKeyPath": "{k}", "signedIdentity": {{"type": "matchRepository"}}}}]}}"#,
            k = repo("testdata/demo/armorred-test.pub").display()
        ),
    );
    let mut n = 0;
    for policy in [demo, rekor.to_str().unwrap()] {
        let mut args = vec!["--policy", policy, "check", "--json"];
        args.extend(images.iter().map(String::as_str));
        let doc = run_and_validate("check", &args, &[]);
        n += doc["results"].as_array().unwrap().len();
        let doc = run_and_validate(
            "check",
            &[
                "--policy",
                policy,
                "check",
                "--json",
                "--arch",
                "arm64",
                &format!("dir:{}", repo("testdata/check/dir/multi").display()),
            ],
            &[],
        );
        assert!(doc["results"][0]["image"]["list"].is_object(), "{doc:#}");
    }
    // scope: matches, defaults, a storage reference, a bad reference.
    let doc = run_and_validate(
        "scope",
        &[
            "--policy",
            demo,
            "scope",
            "--json",
            "docker://ghcr.io/armorred/app:1",
            "docker://quay.io/x/y",
            "containers-storage:[vfs@/var/lib/x+/run/x]busybox",
            "dir:/tmp",
            "nonsense",
        ],
        &[],
    );
    n += doc["references"].as_array().unwrap().len();
    // sigs list: the same images, c/image's fixtures with GPG and keyless signatures.
    let mut args = vec!["sigs", "list", "--json"];
    args.extend(images.iter().map(String::as_str));
    let fixtures_sigs = [
        format!(
            "dir:{}",
            repo("testdata/upstream-sigstore/dir-img-cosign-fulcio-rekor-valid").display()
        ),
        format!(
            "dir:{}",
            repo("testdata/upstream-gpg/dir-img-valid").display()
        ),
        format!("oci:{}:@0", repo("testdata/demo/oci").display()),
    ];
    args.extend(fixtures_sigs.iter().map(String::as_str));
    let doc = run_and_validate("sigs-list", &args, &[]);
    n += doc["images"].as_array().unwrap().len();
    let doc = run_and_validate(
        "attest-verify",
        &[
            "attest",
            "verify",
            "--json",
            "--key",
            repo("testdata/demo/armorred-test.pub").to_str().unwrap(),
            &format!("oci:{}:@0", repo("testdata/demo/oci").display()),
        ],
        &[],
    );
    assert_eq!(doc["verified"], 0);
    // lint: every lint fixture (loading and failing ones), and an unreadable file.
    let fixtures = lint_fixtures();
    assert!(fixtures.len() > 30, "{}", fixtures.len());
    for f in &fixtures {
        for compat in ["current", "5.23"] {
            run_and_validate(
                "lint",
                &[
                    "--compat",
                    compat,
                    "lint",
                    "--no-files",
                    "--format",
                    "json",
                    "--policy",
                    f.to_str().unwrap(),
                ],
                &[],
            );
            n += 1;
        }
    }
    let doc = run_and_validate(
        "lint",
        &[
            "lint",
            "--format",
            "json",
            "--policy",
            "/nonexistent/policy.json",
        ],
        &[],
    );
    assert_eq!(doc["error"]["kind"], "read");
    // key list, trust show and where on a --root tree with keys installed.
    let root = t.join("root");
    let root_s = root.to_str().unwrap();
    policyctl()
        .args(["--root", root_s, "key", "install", "armorred"])
        .assert()
        .success();
    std::fs::write(root.join("etc/pki/cosign/broken.pub"), "not a key").unwrap();
    let doc = run_and_validate(
        "key-list",
        &["--root", root_s, "key", "list", "--json"],
        &[],
    );
    assert_eq!(doc["keys"].as_array().unwrap().len(), 2);
    let doc = run_and_validate(
        "trust-show",
        &["--root", root_s, "trust", "show", "--json"],
        &[],
    );
    assert!(!doc.as_array().unwrap().is_empty());
    run_and_validate(
        "where",
        &["--root", root_s, "where", "--json"],
        &[("HOME", t)],
    );
    // check --all on a store made by skopeo (as tests/cli_check_all.rs does).
    if require_tool("skopeo") {
        let accept = write(
            t,
            "accept.json",
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        );
        let (g, r) = (t.join("graph"), t.join("run"));
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q"])
            .arg(format!(
                "dir:{}",
                repo("testdata/check/dir/a-sigstore").display()
            ))
            .arg(format!(
                "containers-storage:[vfs@{}+{}]example.com/a:1",
                g.display(),
                r.display()
            ))
            .status()
            .unwrap();
        assert!(st.success());
        let spec = format!("[vfs@{}+{}]", g.display(), r.display());
        for policy in [demo, accept.to_str().unwrap()] {
            let doc = run_and_validate(
                "check-all",
                &[
                    "--policy",
                    policy,
                    "check",
                    "--all",
                    "--json",
                    "--storage",
                    &spec,
                ],
                &[],
            );
            n += doc["results"].as_array().unwrap().len();
        }
    }
    assert!(n > 40, "only {n} outputs validated");
}

/// The schemas can fail: invalid documents are refused.
#[test]
fn the_schemas_refuse_invalid_documents() {
    let doc = run_and_validate(
        "check",
        &[
            "--policy",
            repo("testdata/demo/policy.json").to_str().unwrap(),
            "check",
            "--json",
            &format!("dir:{}", repo("testdata/demo/images/signed").display()),
        ],
        &[],
    );
    let mut bad = doc.clone();
    bad["results"][0]["verdict"] = "maybe".into();
    assert!(validate("check", &bad).is_err());
    let mut bad = doc.clone();
    bad["results"][0]["requirements"][0]
        .as_object_mut()
        .unwrap()
        .remove("outcome");
    assert!(validate("check", &bad).is_err());
    let mut bad = doc;
    bad["results"][0]["exit_code"] = "1".into();
    assert!(validate("check", &bad).is_err());
    assert!(validate("lint", &serde_json::json!({"valid": true})).is_err());
}

#[test]
fn export_and_k8s_diff_json_validate() {
    let t = tempfile::tempdir().unwrap();
    let keys = t.path().join("etc/pki/cosign");
    std::fs::create_dir_all(&keys).unwrap();
    write(&keys, "armorred.pub", policyctl::trust::ARMORRED_PEM);
    let root = t.path().display().to_string();
    let policy = repo("testdata/k8s/vendor/policy.json")
        .display()
        .to_string();
    for target in ["policy-controller", "kyverno", "kyverno-clusterpolicy"] {
        let doc = run_and_validate(
            "export",
            &[
                "--root", &root, "--policy", &policy, "export", "--to", target, "--json",
            ],
            &[],
        );
        assert_eq!(
            doc["faithful"], false,
            "{target}: registries.d is missing here (X112)"
        );
        assert!(
            doc["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "X112")
        );
    }
    let cip = repo("testdata/k8s/vendor/armorred-clusterimagepolicy.yaml");
    let doc = run_and_validate(
        "k8s-diff",
        &[
            "--root",
            &root,
            "--policy",
            &policy,
            "k8s",
            "diff",
            "--json",
            &cip.display().to_string(),
        ],
        &[],
    );
    assert!(doc["drift"].as_u64().unwrap() > 0);
}
