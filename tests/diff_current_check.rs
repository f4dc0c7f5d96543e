//! Differential test of `policyctl check` (default `--compat current`) against current
//! containers/image: every check of `testdata/oracle-check/cases.json` (images for the false
//! accepts of issue 8, defects 1–5, and controls; made by `testdata/oracle-check/make.py`) goes
//! through `cimage-oracle check` — what `skopeo --policy P copy [--override-*] REF …` evaluates
//! before copying — and through `policyctl check --json`; the verdicts (accepted / rejected /
//! error) must be equal. Where c/image itself panics (skopeo would crash) there is no c/image
//! verdict: policyctl must then not accept. Needs Go (fails when CI=true and it is missing).
//!
//! After changing the images: `python3 testdata/oracle-check/make.py`.

use std::path::Path;

use serde_json::Value;

use crate::oracle::{self, Override, Version};
use crate::util::{policyctl, repo};

/// dir: needs the TEST-ONLY key's sigstore signature for example.com/oracle/app; oci: (which
/// never has signatures) accepts anything, so c/image's parse and choice errors show.
fn write_policy(dir: &Path) -> std::path::PathBuf {
    let key = repo("testdata/oracle-check/test-only-key.pub");
    let policy = serde_json::json!({
        "default": [{"type": "reject"}],
        "transports": {
            "dir": {"": [{
                "type": "sigstoreSigned",
                "keyPath": key,
                "signedIdentity": {"type": "exactRepository", "dockerRepository": "example.com/oracle/app"}
            }]},
            "oci": {"": [{"type": "insecureAcceptAnything"}]}
        }
    });
    let p = dir.join("policy.json");
    std::fs::write(&p, serde_json::to_vec_pretty(&policy).unwrap()).unwrap();
    p
}

fn ours(policy: &Path, case: &Value) -> (String, String) {
    let s = |k: &str| case[k].as_str().unwrap_or_default().to_owned();
    let mut cmd = policyctl();
    cmd = cmd.args(["check", "--json", "--policy"]).arg(policy);
    for (flag, key) in [("--os", "os"), ("--arch", "arch"), ("--variant", "variant")] {
        if !s(key).is_empty() {
            cmd = cmd.arg(flag).arg(s(key));
        }
    }
    let out = cmd.arg(s("reference")).output().unwrap();
    let Ok(json) = serde_json::from_slice::<Value>(&out.stdout) else {
        return (
            "no-json".to_owned(),
            format!(
                "exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ),
        );
    };
    let r = &json["results"][0];
    let why = r["reason"]
        .as_str()
        .or(r["error"].as_str())
        .unwrap_or_default()
        .to_owned();
    (r["verdict"].as_str().unwrap_or("?").to_owned(), why)
}

#[test]
fn diff_current_check() {
    let Some(bin) = oracle::oracle(Version::Current) else {
        return;
    };
    let bin_523 = oracle::oracle(Version::V5_23).unwrap();
    let spec: Value =
        serde_json::from_slice(&std::fs::read(repo("testdata/oracle-check/cases.json")).unwrap())
            .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let policy = write_policy(tmp.path());

    let mut agree = 0;
    let mut disagree = Vec::new();
    println!(
        "{:<50} {:<10} {:<10} {:<10} {:<10}",
        "reference (override)", "c/image", "policyctl", "5.23.1", "stage"
    );
    for case in spec["cases"].as_array().unwrap() {
        let s = |k: &str| case[k].as_str().unwrap_or_default();
        let ov = Override {
            os: s("os"),
            arch: s("arch"),
            variant: s("variant"),
        };
        let reference = s("reference").to_owned();
        let go = oracle::check(&bin, &policy, std::slice::from_ref(&reference), &ov)
            .pop()
            .unwrap();
        let go_523 = oracle::check(&bin_523, &policy, std::slice::from_ref(&reference), &ov)
            .pop()
            .unwrap();
        let (verdict, why) = ours(&policy, case);
        let go_verdict = go["verdict"].as_str().unwrap();
        let stage = go["stage"].as_str().unwrap();
        let same = if stage == "panic" {
            verdict != "accepted"
        } else {
            verdict == go_verdict
        };
        let label = format!(
            "{} ({}/{}{})",
            reference
                .trim_start_matches("dir:testdata/oracle-check/dir/")
                .replace("oci:testdata/oracle-check/oci:", "oci:"),
            ov.os,
            ov.arch,
            if ov.variant.is_empty() {
                String::new()
            } else {
                format!("/{}", ov.variant)
            }
        );
        println!(
            "{}{label:<48} {go_verdict:<10} {verdict:<10} {:<10} {stage:<10}",
            if same { "  " } else { "✗ " },
            go_523["verdict"].as_str().unwrap(),
        );
        if same {
            agree += 1;
        } else {
            disagree.push(format!(
                "{label}: {}\n    c/image:   {go_verdict} ({stage}) {}\n    policyctl: {verdict} {why}",
                s("demonstrates"),
                go["message"].as_str().unwrap_or_default()
            ));
        }
    }
    println!(
        "diff_current_check: {agree} agree, {} disagree",
        disagree.len()
    );
    for d in &disagree {
        println!("  DISAGREE {d}");
    }
    assert!(
        disagree.is_empty(),
        "{} verdict(s) differ from current c/image (listed above)",
        disagree.len()
    );
}

/// A policy accepting everything, in `dir`.
fn accept_all(dir: &Path) -> std::path::PathBuf {
    crate::util::write(
        dir,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )
}

/// A copy of `testdata/check/dir/a` at `to`, without the files named in `skip`.
fn copy_fixture_image(to: &Path, skip: &[&str]) {
    std::fs::create_dir(to).unwrap();
    for e in std::fs::read_dir(repo("testdata/check/dir/a")).unwrap() {
        let e = e.unwrap();
        if !skip.iter().any(|s| e.file_name() == *s) {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// What current c/image (the oracle) decides for one reference.
fn cimage_check(bin: &Path, policy: &Path, reference: &str, ov: &Override<'_>) -> Value {
    oracle::check(bin, policy, &[reference.to_owned()], ov)
        .pop()
        .unwrap()
}

/// `policyctl --policy POLICY check ARGS…`.
fn policyctl_check(policy: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(snapbox::cmd::cargo_bin!("policyctl"))
        .arg("--policy")
        .arg(policy)
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}

/// `dir:` version files against current c/image (issue 8 mutation testing found the check
/// untested; porting `parseVersion` exactly also fixed 1.0 and negative versions, which
/// c/image accepts): the verdict and the error text agree.
#[test]
fn dir_version_files_agree_with_current_cimage() {
    let Some(bin) = oracle::oracle(Version::Current) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().canonicalize().unwrap();
    let policy = accept_all(&t);
    let mut n = 0;
    for (i, version) in [
        "Directory Transport Version: 1.1\n",
        "Directory Transport Version: 1.2\n",
        "Directory Transport Version: 1.0\n",
        "Directory Transport Version: -1.5\n",
        "Directory Transport Version: 1.3\n",
        "Directory Transport Version: 2.0\n",
        "Directory Transport Version: 01.1\n",
        "Directory Transport Version: +1.1\n",
        "Directory Transport Version: 1.1",
        "Directory Transport Version: 1.1\n\n",
        "Directory Transport Version: 99999999999999999999.1\n",
        "garbage",
        "",
    ]
    .iter()
    .enumerate()
    {
        let dir = t.join(format!("img{i}"));
        copy_fixture_image(&dir, &[]);
        std::fs::write(dir.join("version"), version).unwrap();
        let reference = format!("dir:{}", dir.display());
        let go = cimage_check(&bin, &policy, &reference, &Override::default());
        let ours = policyctl_check(&policy, &[&reference]);
        let stderr = String::from_utf8_lossy(&ours.stderr);
        match go["verdict"].as_str().unwrap() {
            "accepted" => assert_eq!(ours.status.code(), Some(0), "{version:?}: {stderr}"),
            "error" => {
                assert_eq!(ours.status.code(), Some(2), "{version:?}");
                let msg = go["message"].as_str().unwrap();
                let msg = msg.split_once(": ").map_or(msg, |(_, m)| m);
                assert!(
                    stderr.contains(msg),
                    "{version:?}: c/image {msg:?}, policyctl {stderr}"
                );
            }
            other => panic!("{version:?}: {other}"),
        }
        n += 1;
    }
    // A directory where the version file belongs: a read error, not "absent".
    let dir = t.join("img-version-dir");
    copy_fixture_image(&dir, &["version"]);
    std::fs::create_dir(dir.join("version")).unwrap();
    let reference = format!("dir:{}", dir.display());
    let go = cimage_check(&bin, &policy, &reference, &Override::default());
    let msg = go["message"].as_str().unwrap();
    let msg = msg.split_once(": ").map_or(msg, |(_, m)| m);
    let ours = policyctl_check(&policy, &[&reference]);
    assert_eq!(ours.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&ours.stderr).contains(msg),
        "c/image {msg:?}"
    );
    n += 1;
    println!("dir version files: {n} of {n} agree with current c/image");
}

/// A `dir:` list whose chosen instance digest is malformed: an error with c/image's
/// `digest.Validate` text (found by mutation testing of `dir.rs`).
#[test]
fn dir_list_instance_digests_are_validated_as_cimage_does() {
    let Some(bin) = oracle::oracle(Version::Current) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().canonicalize().unwrap();
    let policy = accept_all(&t);
    for (i, digest) in [
        "sha256:abc".to_owned(),
        format!("sha256:{}", "g".repeat(64)),
        format!("sha256:{}", "A".repeat(64)),
    ]
    .iter()
    .enumerate()
    {
        let dir = t.join(format!("list{i}"));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("version"), "Directory Transport Version: 1.1\n").unwrap();
        std::fs::write(
            dir.join("manifest.json"),
            format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{digest}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#
            ),
        )
        .unwrap();
        let reference = format!("dir:{}", dir.display());
        let ov = Override {
            os: "linux",
            arch: "amd64",
            variant: "",
        };
        let go = cimage_check(&bin, &policy, &reference, &ov);
        assert_eq!(go["verdict"], "error", "{go}");
        let msg = go["message"]
            .as_str()
            .unwrap()
            .rsplit(": ")
            .next()
            .unwrap()
            .to_owned();
        let ours = policyctl_check(&policy, &["--os", "linux", "--arch", "amd64", &reference]);
        assert_eq!(ours.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&ours.stderr);
        assert!(
            stderr.contains(&msg),
            "{digest}: c/image {msg:?}, policyctl {stderr}"
        );
    }
}
