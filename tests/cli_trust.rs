//! `policyctl init`, `trust show|set` and `completions` on `--root` scratch trees.

use snapbox::str;

use crate::util::{policyctl, write};

#[test]
fn init_then_trust_set_and_show() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().display().to_string();
    policyctl().args(["--root", &r, "init"]).assert().success();
    policyctl().args(["--root", &r, "init"]).assert().code(2);
    policyctl()
        .args(["--root", &r, "lint", "--compat", "5.23"])
        .assert()
        .success();
    // Local transports stay usable, registries are rejected.
    policyctl()
        .args(["--root", &r, "check", "-q", "dir:testdata/check/dir/a"])
        .assert()
        .code(0);
    policyctl()
        .args(["--root", &r, "scope", "docker://busybox"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
...
    1. reject (rejects every image)

"#]]);
    policyctl()
        .args([
            "--root",
            &r,
            "trust",
            "set",
            "-t",
            "sigstoreSigned",
            "-f",
            "/etc/pki/cosign/x.pub",
            "--signed-identity",
            "matchRepository",
            "example.com/x",
        ])
        .assert()
        .success();
    policyctl()
        .args([
            "--root",
            &r,
            "trust",
            "set",
            "-t",
            "accept",
            "docker.io/library",
        ])
        .assert()
        .success();
    policyctl()
        .args(["--root", &r, "trust", "show"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
TRANSPORT           NAME               TYPE            ID          STORE
all                 default            reject                      
containers-storage                     accept                      
dir                                    accept                      
repository          docker.io/library  accept                      
repository          example.com/x      sigstoreSigned  N/A         
docker-archive                         accept                      
docker-daemon                          accept                      
oci                                    accept                      
oci-archive                            accept                      
tarball                                accept                      

"#]]);
    policyctl()
        .args(["--root", &r, "trust", "show", "--json"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
[
  {
    "transport": "all",
    "name": "* (default)",
    "repo_name": "default",
    "type": "reject"
  },
...
]

"#]]);
    let policy = std::fs::read_to_string(t.path().join("etc/containers/policy.json")).unwrap();
    assert!(
        policy.find("\"containers-storage\"").unwrap() < policy.find("\"docker\"").unwrap(),
        "order kept"
    );
    policyctl()
        .args([
            "--root",
            &r,
            "trust",
            "set",
            "-t",
            "signedBy",
            "example.com/y",
        ])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: at least one public key must be defined for type 'signedBy'

"#]]);
}

#[test]
fn trust_set_refuses_a_broken_policy_and_needs_a_default() {
    let t = tempfile::tempdir().unwrap();
    let broken = write(t.path(), "p.json", "{\"default\": []}");
    policyctl()
        .args(["trust", "set", "-t", "reject", "--policypath"])
        .arg(&broken)
        .arg("example.com")
        .assert()
        .code(2);
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "{\"default\": []}"
    );
    let fresh = t.path().join("fresh.json");
    policyctl()
        .args(["trust", "set", "-t", "reject", "--policypath"])
        .arg(&fresh)
        .arg("example.com")
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: default trust policy must be set

"#]]);
    policyctl()
        .args(["trust", "set", "-t", "reject", "--policypath"])
        .arg(&fresh)
        .arg("default")
        .assert()
        .success();
    policyctl()
        .args(["trust", "set", "-t", "accept", "--policypath"])
        .arg(&fresh)
        .arg("example.com")
        .assert()
        .success();
    policyctl()
        .args(["lint", "--policy"])
        .arg(&fresh)
        .assert()
        .success();
}

#[test]
fn completions() {
    for shell in ["bash", "zsh", "fish"] {
        let out = policyctl()
            .args(["completions", shell])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert!(String::from_utf8_lossy(&out).contains("policyctl"));
    }
}
