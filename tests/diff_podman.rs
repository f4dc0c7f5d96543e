//! `trust show|set` against Debian's podman 4.3.1 (`podman image trust …`) on the same files.
//! Needs podman (installed by .ci/run; fails when CI=true and it is missing).

use std::path::Path;
use std::process::Command;

use crate::util::{policyctl, require_tool, write};

fn podman(args: &[&str]) -> (bool, String) {
    let o = Command::new("podman")
        .args(["image", "trust"])
        .args(args)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

fn ours(args: &[&str]) -> (bool, String) {
    let o = policyctl().arg("trust").args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

fn json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn trust_set_and_show_agree_with_podman() {
    if !require_tool("podman") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let init_root = t.path().join("root");
    policyctl()
        .arg("--root")
        .arg(&init_root)
        .arg("init")
        .assert()
        .success();
    let start = std::fs::read_to_string(init_root.join("etc/containers/policy.json")).unwrap();
    let theirs = write(t.path(), "theirs.json", &start);
    let mine = write(t.path(), "mine.json", &start);
    let steps: &[&[&str]] = &[
        &[
            "-t",
            "sigstoreSigned",
            "-f",
            "/etc/pki/cosign/k1.pub",
            "-f",
            "/etc/pki/cosign/k2.pub",
            "example.com/x",
        ],
        &["-t", "accept", "docker.io"],
        &["-t", "reject", "example.com/x"],
        &[
            "-t",
            "signedBy",
            "-f",
            "/etc/pki/rpm-gpg/key.gpg",
            "registry.access.redhat.com",
        ],
        &["-t", "sigstoreSigned", "-f", "/k.pub", "ghcr.io/armorred"],
        &["-t", "accept", "default"],
        &["-t", "reject", "default"],
        &["-t", "signedBy", "example.com/nokeys"],
        &["-t", "reject", "-f", "/k.pub", "example.com/keys"],
        &["-t", "accept", "bad host name"],
    ];
    let regd = t.path().join("registries.d");
    std::fs::create_dir(&regd).unwrap();
    write(
        &regd,
        "a.yaml",
        "default-docker:\n  lookaside: https://default.example/sigs\ndocker:\n  example.com/x:\n    lookaside: https://x.example/sigs\n  docker.io:\n    sigstore: https://dockerio.example/old\n    use-sigstore-attachments: true\n  registry.access.redhat.com:\n    lookaside: https://access.redhat.com/webassets/docker/content/sigstore\n",
    );
    let regd = regd.display().to_string();
    let mut compared = 0;
    for step in steps {
        let mut a: Vec<&str> = vec!["set", "--policypath", theirs.to_str().unwrap()];
        a.extend_from_slice(step);
        let (ok_theirs, _) = podman(&a);
        let mut b: Vec<&str> = vec!["set", "--policypath", mine.to_str().unwrap()];
        b.extend_from_slice(step);
        let (ok_mine, _) = ours(&b);
        assert_eq!(
            ok_theirs, ok_mine,
            "trust set {step:?}: podman ok={ok_theirs}, policyctl ok={ok_mine}"
        );
        assert_eq!(
            json(&theirs),
            json(&mine),
            "trust set {step:?} wrote different policies"
        );
        for show in [
            &["show"][..],
            &["show", "--json"][..],
            &["show", "-n"][..],
            &["show", "--registrypath", &regd][..],
            &["show", "--json", "--registrypath", &regd][..],
        ] {
            let mut a: Vec<&str> = show.to_vec();
            a.extend(["--policypath", theirs.to_str().unwrap()]);
            let mut b: Vec<&str> = show.to_vec();
            b.extend(["--policypath", mine.to_str().unwrap()]);
            assert_eq!(podman(&a), ours(&b), "trust {show:?} after {step:?}");
            compared += 1;
        }
    }
    eprintln!(
        "{} trust set steps and {compared} trust show outputs agree with podman",
        steps.len()
    );
}
