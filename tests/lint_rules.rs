//! Every lint rule fires on its `fail` fixture and stays silent on its near-miss `pass`
//! fixture (testdata/lint/CODE), through the real binary; `--explain` documents every rule.

use crate::util::{policyctl, repo};

fn codes(policy: &std::path::Path, registries_d: &std::path::Path) -> Vec<String> {
    codes_with_lint_args(policy, registries_d, &[], &[])
}

fn codes_with_lint_args(
    policy: &std::path::Path,
    registries_d: &std::path::Path,
    global: &[String],
    lint: &[String],
) -> Vec<String> {
    let out = policyctl()
        .args(global)
        .args(["lint", "--format", "json"])
        .args(lint)
        .arg("--registries-d")
        .arg(registries_d)
        .arg("--policy")
        .arg(policy)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: no JSON ({e}): {}",
            policy.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(v["valid"], true, "{}: {}", policy.display(), v["error"]);
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_rule_has_a_failing_and_a_passing_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    let t_canon = tmp.path().canonicalize().unwrap();
    let t = t_canon.as_path();
    std::fs::create_dir(t.join("real-images")).unwrap();
    std::os::unix::fs::symlink(t.join("real-images"), t.join("link-images")).unwrap();
    let writable = t.join("writable.pub");
    std::fs::copy(repo("testdata/lint/keys/good.pub"), &writable).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&writable, std::fs::Permissions::from_mode(0o666)).unwrap();
    let empty = t.join("empty-registries.d");
    std::fs::create_dir(&empty).unwrap();
    let repo_path = repo("").canonicalize().unwrap().display().to_string();
    for rule in policyctl::lint::RULES {
        let dir = repo(&format!("testdata/lint/{}", rule.code));
        for (variant, must_fire) in [("fail", true), ("pass", false)] {
            let text =
                std::fs::read_to_string(dir.join(format!("{variant}.json"))).unwrap_or_else(|_| {
                    panic!(
                        "{} needs testdata/lint/{}/{variant}.json",
                        rule.code, rule.code
                    )
                });
            let p = t.join(format!("{}-{variant}.json", rule.code));
            std::fs::write(
                &p,
                text.replace("$REPO", &repo_path)
                    .replace("$TMP", &t.display().to_string()),
            )
            .unwrap();
            let regd = dir.join(format!("{variant}.registries.d"));
            let regd = if regd.is_dir() { regd } else { empty.clone() };
            let mut extra: Vec<String> =
                std::fs::read_to_string(dir.join(format!("{variant}.args")))
                    .map(|a| a.split_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default();
            let conf = dir.join(format!("{variant}.registries.conf"));
            extra.push("--registries-conf".into());
            extra.push(if conf.exists() {
                conf.display().to_string()
            } else {
                "/nonexistent/registries.conf".into()
            });
            let found = if dir.join(format!("{variant}.home")).exists() {
                // Lint the user policy found through $HOME, with or without a system policy.
                let home = t.join(format!("home-{}-{variant}", rule.code));
                let root = t.join(format!("root-{}-{variant}", rule.code));
                std::fs::create_dir_all(home.join(".config/containers")).unwrap();
                std::fs::copy(&p, home.join(".config/containers/policy.json")).unwrap();
                std::fs::create_dir_all(root.join("etc/containers")).unwrap();
                if must_fire {
                    std::fs::write(
                        root.join("etc/containers/policy.json"),
                        "{\"default\":[{\"type\":\"reject\"}]}",
                    )
                    .unwrap();
                }
                let out = policyctl()
                    .env("HOME", &home)
                    .arg("--root")
                    .arg(&root)
                    .args(["lint", "--format", "json"])
                    .output()
                    .unwrap();
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                v["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["code"].as_str().unwrap().to_owned())
                    .collect()
            } else {
                codes_with_lint_args(&p, &regd, &[], &extra)
            };
            assert_eq!(
                found.iter().any(|c| c == rule.code),
                must_fire,
                "{} {variant}: found {found:?}",
                rule.code
            );
        }
        policyctl()
            .args(["lint", "--explain", rule.code])
            .assert()
            .success();
        policyctl()
            .args(["lint", "--explain", rule.name])
            .assert()
            .success();
    }
    policyctl()
        .args(["lint", "--explain", "X999"])
        .assert()
        .code(2);
}

#[test]
fn errors_exit_1_and_deny_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("p.json");
    std::fs::write(&p, r#"{"default":[{"type":"sigstoreSigned","keyPath":"/nonexistent/k.pub","signedIdentity":{"type":"matchRepository"}}]}"#).unwrap();
    policyctl()
        .args(["lint", "--policy"])
        .arg(&p)
        .assert()
        .code(1);
    policyctl()
        .args(["lint", "--no-files", "--policy"])
        .arg(&p)
        .assert()
        .code(0);
    std::fs::write(&p, r#"{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"busybox":[{"type":"reject"}]}}}"#).unwrap();
    policyctl()
        .args(["lint", "--policy"])
        .arg(&p)
        .assert()
        .code(0);
    policyctl()
        .args(["lint", "--deny", "warnings", "--policy"])
        .arg(&p)
        .assert()
        .code(1);
}

#[test]
fn the_seed_pages_podman_policy_gets_the_expected_findings() {
    // The policy the ARMORRED page tells users to write: no signedIdentity, no registries.d.
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("armorred.pub");
    std::fs::write(&key, policyctl::trust::ARMORRED_PEM).unwrap();
    let p = tmp.path().join("policy.json");
    std::fs::write(
        &p,
        format!(
            r#"{{"default":[{{"type":"reject"}}],"transports":{{"docker":{{"ghcr.io/armorred":[{{"type":"sigstoreSigned","keyPath":"{}"}}]}}}}}}"#,
            key.display()
        ),
    )
    .unwrap();
    let empty = tmp.path().join("registries.d");
    std::fs::create_dir(&empty).unwrap();
    let found = codes(&p, &empty);
    for code in ["P009", "R001", "P007"] {
        assert!(
            found.iter().any(|c| c == code),
            "expected {code} in {found:?}"
        );
    }
}

#[test]
fn fix_applies_machine_applicable_fixes() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("policy.json");
    let before = r#"{"default":[{"type":"reject"}],"transports":{"containers-storage":{"":[{"type":"insecureAcceptAnything"}]},"dir":{"":[{"type":"insecureAcceptAnything"}]},"oci":{"":[{"type":"insecureAcceptAnything"}]},"oci-archive":{"":[{"type":"insecureAcceptAnything"}]},"docker-archive":{"":[{"type":"insecureAcceptAnything"}]},"docker":{"busybox":[{"type":"insecureAcceptAnything"},{"type":"sigstoreSigned","keyPath":"/k.pub"}]}}}"#;
    std::fs::write(&p, before).unwrap();
    policyctl()
        .args(["lint", "--no-files", "--fix", "--policy"])
        .arg(&p)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("policy.json.bak")).unwrap(),
        before
    );
    let out = policyctl()
        .args(["lint", "--no-files", "--format", "json", "--policy"])
        .arg(&p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"], serde_json::json!([]), "{v:#}");
    // A broken file is not touched.
    std::fs::write(&p, "{\"default\": []}").unwrap();
    policyctl()
        .args(["lint", "--fix", "--policy"])
        .arg(&p)
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "{\"default\": []}");
}

#[test]
fn real_world_shaped_policies_get_the_expected_findings() {
    // Linted under an empty --root: no key files, no registries.d (a fresh node).
    let root = tempfile::tempdir().unwrap();
    let expected: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_slice(&std::fs::read(repo("testdata/lint/corpus/expected.json")).unwrap())
            .unwrap();
    for (file, want) in expected {
        let out = policyctl()
            .arg("--root")
            .arg(root.path())
            .args(["lint", "--format", "json", "--policy"])
            .arg(repo(&format!("testdata/lint/corpus/{file}")))
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut got: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect();
        got.sort();
        got.dedup();
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn require_signed_makes_the_insecure_fallback_an_error() {
    let p = repo("testdata/lint/corpus/fedora-default.json");
    policyctl()
        .args(["lint", "--no-files", "--policy"])
        .arg(&p)
        .assert()
        .code(0);
    policyctl()
        .args(["lint", "--no-files", "--require-signed", "--policy"])
        .arg(&p)
        .assert()
        .code(1);
}
