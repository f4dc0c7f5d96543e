//! `policyctl lint` end to end: exit codes, human diagnostics, JSON.

use snapbox::str;

use crate::util::{policyctl, repo, write};

#[test]
fn shipped_policies_lint_clean() {
    for entry in std::fs::read_dir(repo("policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            // Keyless and PKI policies need current c/image: 5.23 refuses their fields.
            let current_only = text.contains("\"fulcio\"") || text.contains("\"pki\"");
            if current_only {
                policyctl()
                    .args(["lint", "--no-files", "--compat", "5.23", "--policy"])
                    .arg(&path)
                    .assert()
                    .code(2);
            }
            let versions: &[&str] = if current_only {
                &["current"]
            } else {
                &["5.23", "current"]
            };
            for compat in versions {
                policyctl()
                    .args([
                        "lint",
                        "--no-files",
                        "--deny",
                        "warnings",
                        "--compat",
                        compat,
                        "--policy",
                    ])
                    .arg(&path)
                    .assert()
                    .success();
            }
            assert!(
                path.with_extension("md").exists(),
                "{} needs a neighbouring .md",
                path.display()
            );
        }
    }
}

#[test]
fn invalid_policy_exits_2_with_location() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "policy.json",
        "{\n  \"default\": [{\"type\": \"reject\"}],\n  \"transports\": {\"docker\": {\"\": [{\"type\": \"reject\", \"keyPath\": \"/k\"}]}}\n}\n",
    );
    policyctl()
        .args(["lint", "--policy"])
        .arg(&p)
        .assert()
        .code(2)
        .stdout_eq(str![""])
        .stderr_eq(str![[r#"
error: invalid policy in "[..]/policy.json": Unknown key "keyPath"
 --> [..]/policy.json:3:53
  |
3 |   "transports": {"docker": {"": [{"type": "reject", "keyPath": "/k"}]}}
  |                                                     ^^^^^^^^^ not allowed here

"#]]);
}

#[test]
fn syntax_error_points_at_the_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "policy.json",
        "{\"default\": [{\"type\": \"reject\"}]} // trailing\n",
    );
    policyctl()
        .args(["lint", "--compat", "5.23", "--policy"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: invalid policy in "[..]/policy.json": invalid character '/' after top-level value
 --> [..]/policy.json:1:35
  |
1 | {"default": [{"type": "reject"}]} // trailing
  |                                   ^ not valid JSON here

"#]]);
}

#[test]
fn json_output_for_invalid_and_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = write(tmp.path(), "bad.json", "{\"default\": []}");
    let out = policyctl()
        .args(["lint", "--format", "json", "--compat", "5.23", "--policy"])
        .arg(&bad)
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["compat"], "5.23");
    assert_eq!(v["policy"]["source"], "command-line");
    assert_eq!(
        v["error"]["message"],
        "List of verification policy requirements must not be empty"
    );
    assert_eq!(v["error"]["line"], 1);
    assert_eq!(v["error"]["column"], 13);

    let out = policyctl()
        .args(["lint", "--no-files", "--format", "json", "--policy"])
        .arg(repo("policies/armorred-strict.json"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["error"], serde_json::Value::Null);
}

#[test]
fn missing_file_is_an_error_with_gos_text() {
    policyctl()
        .args(["lint", "--policy", "/nonexistent/policy.json"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: open /nonexistent/policy.json: no such file or directory

"#]]);
}

#[test]
fn newer_fields_are_unknown_under_5_23() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.json",
        r#"{"default": [{"type": "sigstoreSigned", "keyPaths": ["/a.pub", "/b.pub"]}]}"#,
    );
    policyctl()
        .args(["lint", "--no-files", "--policy"])
        .arg(&p)
        .assert()
        .success();
    policyctl()
        .args(["lint", "--compat", "5.23", "--format", "json", "--policy"])
        .arg(&p)
        .assert()
        .code(2)
        .stdout_eq(str![[r#"
{
  "compat": "5.23",
  "diagnostics": [],
  "error": {
    "column": 41,
    "full_message": "invalid policy in /"[..]/p.json/": Unknown key /"keyPaths/"",
    "kind": "unknown-key",
    "length": 10,
    "line": 1,
    "message": "Unknown key /"keyPaths/"",
    "offset": 40
  },
  "policy": {
    "path": "[..]/p.json",
    "source": "command-line"
  },
  "valid": false
}

"#]]);
}

#[test]
fn unknown_transport_warns_but_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.json",
        "{\"default\": [{\"type\": \"insecureAcceptAnything\"}],\n \"transports\": {\"dockers\": {\"\": [{\"type\": \"insecureAcceptAnything\"}]}}}\n",
    );
    policyctl()
        .args(["lint", "--policy"])
        .arg(&p)
        .assert()
        .success()
        .stderr_eq(str![[r#"
warning[P001]: unknown transport "dockers": its scopes never match any image
 --> [..]/p.json:2:17
  |
2 |  "transports": {"dockers": {"": [{"type": "insecureAcceptAnything"}]}}}
  |                 ^^^^^^^^^ not a transport of this containers/image version
help: did you mean "docker"?

"#]]);
}

#[test]
fn hostile_inputs_exit_2_without_panicking() {
    let tmp = tempfile::tempdir().unwrap();
    // A 100 MB file (sparse: it costs no disk); only the first 16 MiB + 1 byte are ever read.
    let big = tmp.path().join("big.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    policyctl()
        .args(["lint", "--policy"])
        .arg(&big)
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: invalid policy in "[..]/big.json": policy file is larger than 16777216 bytes
...
"#]]);
    let deep = write(
        tmp.path(),
        "deep.json",
        &format!(
            "{{\"default\":{}{}}}",
            "[".repeat(10_001),
            "]".repeat(10_001)
        ),
    );
    policyctl()
        .args(["lint", "--compat", "5.23", "--format", "json", "--policy"])
        .arg(&deep)
        .assert()
        .code(2)
        .stdout_eq(str![[r#"
...
    "message": "invalid character '[' exceeded max depth",
...
"#]]);
    let bad_utf8 = tmp.path().join("utf8.json");
    std::fs::write(&bad_utf8, b"{\"default\":[{\"type\":\"reject\xff\"}]}").unwrap();
    policyctl()
        .args(["lint", "--policy"])
        .arg(&bad_utf8)
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: invalid policy in "[..]/utf8.json": Unknown policy requirement type "reject�"
...
"#]]);
    // Devices (and FIFOs, sockets) are refused without being read (issue 8 defect 9): reading
    // one can block or never end. (c/image reads /dev/null as an empty policy.)
    policyctl()
        .args(["lint", "--policy", "/dev/null"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: open /dev/null: not a regular file: it is a character device

"#]]);
    policyctl()
        .args(["lint", "--policy"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: read [..]: is a directory

"#]]);
}

/// Issue 8 defect 10: human output renders at most 200 snippets and says how many more there
/// are; JSON still has every finding. (16k findings used to take minutes: quadratic.)
#[test]
fn thousands_of_findings_are_capped_in_human_output() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = |n: usize| {
        let scopes: Vec<String> = (0..n)
            .map(|i| format!(r#"    "a{i}": [{{"type": "insecureAcceptAnything"}}]"#))
            .collect();
        format!(
            "{{\n  \"default\": [{{\"type\": \"reject\"}}],\n  \"transports\": {{\"docker\": {{\n{}\n  }}}}\n}}\n",
            scopes.join(",\n")
        )
    };
    let p = write(tmp.path(), "many.json", &policy(3000));
    let out = policyctl()
        .args(["lint", "--no-files", "--policy"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.ends_with("; 3001 finding(s)\n"), "{stdout}");
    let rendered = stderr.lines().filter(|l| l.starts_with("warning[")).count();
    assert_eq!(rendered, 200);
    assert!(
        stderr.ends_with("\n... and 2801 more findings not shown; use --format json for all\n"),
        "{}",
        &stderr[stderr.len().saturating_sub(300)..]
    );
    // The last snippet shown is the 200th finding, complete (line numbers of a big file).
    assert!(
        stderr.contains("help: write \"docker.io/library/a198\"\n"),
        "{stderr}"
    );
    let json = policyctl()
        .args(["lint", "--no-files", "--format", "json", "--policy"])
        .arg(&p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 3001);
    assert_eq!(v["diagnostics"][3000]["line"], 3003);

    // Below the cap: every finding, no count line.
    let p = write(tmp.path(), "few.json", &policy(10));
    let out = policyctl()
        .args(["lint", "--no-files", "--policy"])
        .arg(&p)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("warning[")).count(),
        11
    );
    assert!(!stderr.contains("more findings"), "{stderr}");
}
