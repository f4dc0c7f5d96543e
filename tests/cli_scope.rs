//! `policyctl scope` end to end.

use snapbox::str;

use crate::util::{policyctl, write};

const POLICY: &str = r#"{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "ghcr.io/armorred": [{"type": "sigstoreSigned", "keyPath": "/etc/pki/cosign/armorred.pub", "signedIdentity": {"type": "matchRepository"}}],
      "*.example.com": [{"type": "insecureAcceptAnything"}]
    },
    "containers-storage": {"[vfs@/s]docker.io/library": [{"type": "insecureAcceptAnything"}]},
    "dir": {"": [{"type": "insecureAcceptAnything"}]}
  }
}
"#;

#[test]
fn human_output_names_file_scope_and_requirements() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(tmp.path(), "policy.json", POLICY);
    policyctl()
        .args(["scope", "--policy"])
        .arg(&p)
        .args([
            "docker://ghcr.io/armorred/app:1.0",
            "docker://registry.example.com/x:1",
            "docker://busybox",
            "dir:/usr/share",
        ])
        .assert()
        .success()
        .stdout_eq(str![[r#"
policy: [..]/policy.json (from --policy)
docker://ghcr.io/armorred/app:1.0
  transport:    docker
  identity:     ghcr.io/armorred/app:1.0
  namespaces:   ghcr.io/armorred/app, ghcr.io/armorred, ghcr.io, *.io
  scope:        ghcr.io/armorred ([..]/policy.json:5:7)
  why:          transports.docker: namespace #2 of 4
  requirements:
    1. sigstoreSigned keyPath /etc/pki/cosign/armorred.pub, signedIdentity matchRepository
docker://registry.example.com/x:1
  transport:    docker
  identity:     registry.example.com/x:1
  namespaces:   registry.example.com/x, registry.example.com, *.example.com, *.com
  scope:        *.example.com ([..]/policy.json:6:7)
  why:          transports.docker: namespace #3 of 4
  requirements:
    1. insecureAcceptAnything (accepts any image, no signature check)
docker://busybox
  transport:    docker
  identity:     docker.io/library/busybox:latest
  namespaces:   docker.io/library/busybox, docker.io/library, docker.io, *.io
  scope:        default ([..]/policy.json:2:14)
  why:          global default: transports.docker has no matching scope and no "" scope
  requirements:
    1. reject (rejects every image)
dir:/usr/share
  transport:    dir
  identity:     /usr/share
  namespaces:   /usr
  scope:        "" ([..]/policy.json:9:13)
  why:          transports.dir: the transport's "" scope (no more specific scope matched)
  requirements:
    1. insecureAcceptAnything (accepts any image, no signature check)

"#]]);
}

#[test]
fn storage_reference_with_explicit_store() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(tmp.path(), "policy.json", POLICY);
    policyctl()
        .args(["scope", "--json", "--policy"])
        .arg(&p)
        .arg("containers-storage:[vfs@/s+/run]busybox")
        .assert()
        .success()
        .stdout_eq(str![[r#"
{
  "compat": "current",
  "policy": {
    "path": "[..]/policy.json",
    "source": "command-line"
  },
  "references": [
    {
      "error": null,
      "identity": "[vfs@/s]docker.io/library/busybox:latest@<image-id>",
      "namespaces": [
        "[vfs@/s]docker.io/library/busybox:latest",
        "[vfs@/s]docker.io/library/busybox",
        "[vfs@/s]docker.io/library",
        "[vfs@/s]docker.io",
        "[vfs@/s]",
        "[/s]"
      ],
      "note": "the image ID comes from the store when the image is opened (use `policyctl check`)",
      "reference": "containers-storage:[vfs@/s+/run]busybox",
      "requirements": [
        {
          "description": "insecureAcceptAnything (accepts any image, no signature check)",
          "position": {
            "column": 58,
            "line": 8
          },
          "type": "insecureAcceptAnything"
        }
      ],
      "scope": {
        "key": "[vfs@/s]docker.io/library",
        "kind": "namespace",
        "position": {
          "column": 28,
          "line": 8
        },
        "why": "transports.containers-storage: namespace #3 of 6"
      },
      "transport": "containers-storage"
    }
  ]
}

"#]]);
}

#[test]
fn bad_reference_exits_2_but_answers_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(tmp.path(), "policy.json", POLICY);
    policyctl()
        .args(["scope", "--policy"])
        .arg(&p)
        .args([
            "dockers://x",
            "docker:busybox",
            "docker://busybox",
            "dir:/no/such/dir",
        ])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: dockers://x: Invalid image name "dockers://x", unknown transport "dockers"
error: docker:busybox: docker: image reference busybox does not start with //
error: dir:/no/such/dir: lstat /no: no such file or directory

"#]]);
}

#[test]
fn compat_5_23_does_not_know_atomic() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(tmp.path(), "policy.json", POLICY);
    policyctl()
        .args(["scope", "--compat", "5.23", "--policy"])
        .arg(&p)
        .arg("atomic:reg/ns/stream:tag")
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: atomic:reg/ns/stream:tag: Invalid image name "atomic:reg/ns/stream:tag", unknown transport "atomic"

"#]]);
}

#[test]
fn invalid_policy_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(tmp.path(), "policy.json", r#"{"default": []}"#);
    policyctl()
        .args(["scope", "--policy"])
        .arg(&p)
        .arg("docker://busybox")
        .assert()
        .code(2);
}
