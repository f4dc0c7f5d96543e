//! Issue 8, defects 3–5 against Debian's skopeo 1.9.3 (c/image 5.23.1): which instance of a
//! crafted manifest list c/image picks. With an accept-all policy `skopeo copy` copies the
//! instance it chose, so the copied `manifest.json` tells us its choice; `policyctl check
//! --compat 5.23 --json` must name the same instance (or both must fail). The lists reuse the
//! two instances of `testdata/check/dir/multi` under hostile key spellings, duplicate keys,
//! variants, platform-less entries and ambiguous fields. Needs skopeo (fails when CI=true and
//! it is missing).

use std::path::Path;
use std::process::Command;

use policyctl::signature::keys::sha256_digest;

use crate::util::{policyctl, require_tool, write};

const AMD64: &str = "sha256:3a6e9705da152a69a54a9b57dc065459e27ae26b4031f647ebf6e984cc834018";
const ARM64: &str = "sha256:418abaa0c577d3761aa0ffe5f968c7f40cb2d6822e5c1e376c2ba6a783641408";

fn entry(digest: &str, extra: &str) -> String {
    format!(
        r#"{{"digest":"{digest}","mediaType":"application/vnd.oci.image.manifest.v1+json","size":397{extra}}}"#
    )
}

fn plat(arch: &str, variant: Option<&str>) -> String {
    match variant {
        Some(v) => {
            format!(r#","platform":{{"architecture":"{arch}","os":"linux","variant":"{v}"}}"#)
        }
        None => format!(r#","platform":{{"architecture":"{arch}","os":"linux"}}"#),
    }
}

/// (name, manifest.json) pairs.
fn lists() -> Vec<(&'static str, String)> {
    let oci = |entries: &str, tail: &str| {
        format!(r#"{{"schemaVersion":2,"manifests":[{entries}]{tail}}}"#)
    };
    let docker = |entries: &str| {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{entries}]}}"#
        )
    };
    let a = entry(AMD64, &plat("amd64", None));
    let r = entry(ARM64, &plat("arm64", Some("v8")));
    vec![
        ("plain", oci(&format!("{a},{r}"), "")),
        (
            "manifests-then-Manifests",
            oci(&a, &format!(r#","Manifests":[{{"digest":"{ARM64}"}}]"#)),
        ),
        (
            "manifests-longer-then-shorter-then-longer",
            oci(
                &format!("{a},{r}"),
                &format!(
                    r#","manifests":[{{"digest":"{ARM64}"}}],"MANIFESTS":[{{}},{{"digest":"{AMD64}"}}]"#
                ),
            ),
        ),
        (
            "platform-Architecture",
            oci(
                &format!(
                    "{},{}",
                    entry(
                        AMD64,
                        r#","platform":{"architecture":"amd64","Architecture":"s390x","os":"linux"}"#
                    ),
                    entry(ARM64, &plat("amd64", None))
                ),
                "",
            ),
        ),
        (
            "folded-keys",
            oci(
                &format!(
                    r#"{{"DIGEST":"{ARM64}","Platform":{{"ARCHITECTURE":"amd64","OS":"linux"}}}},{a}"#
                ),
                "",
            ),
        ),
        (
            "variant-mismatch",
            oci(
                &format!(
                    "{},{}",
                    entry(AMD64, &plat("amd64", Some("v2"))),
                    entry(ARM64, &plat("amd64", None))
                ),
                "",
            ),
        ),
        (
            "arm64-no-variant",
            oci(
                &format!(
                    "{},{}",
                    entry(AMD64, &plat("arm64", Some("v8"))),
                    entry(ARM64, &plat("arm64", None))
                ),
                "",
            ),
        ),
        (
            "arm-variants",
            oci(
                &format!(
                    "{},{}",
                    entry(AMD64, &plat("arm", Some("v6"))),
                    entry(ARM64, &plat("arm", Some("v7")))
                ),
                "",
            ),
        ),
        (
            "platform-less-fallback",
            oci(
                &format!(
                    "{},{}",
                    entry(AMD64, &plat("s390x", None)),
                    entry(ARM64, "")
                ),
                "",
            ),
        ),
        (
            "platform-null",
            oci(
                &format!(
                    "{},{}",
                    entry(
                        AMD64,
                        r#","platform":{"architecture":"amd64","os":"linux"},"platform":null"#
                    ),
                    entry(ARM64, &plat("amd64", None))
                ),
                "",
            ),
        ),
        (
            "zstd-annotation",
            oci(
                &format!(
                    "{a},{}",
                    entry(
                        ARM64,
                        &format!(
                            r#"{},"annotations":{{"io.github.containers.compression.zstd":"true"}}"#,
                            plat("amd64", None)
                        )
                    )
                ),
                "",
            ),
        ),
        ("ambiguous-layers", oci(&a, r#","Layers":[]"#)),
        ("ambiguous-config", oci(&a, r#","config":{}"#)),
        ("docker-plain", docker(&format!("{a},{r}"))),
        (
            "docker-platform-less",
            docker(&format!(
                "{},{}",
                entry(AMD64, &plat("s390x", None)),
                entry(ARM64, "")
            )),
        ),
        (
            "docker-dup-manifests",
            docker(&format!(
                r#"{a}],"manifests":[{{"digest":"{ARM64}","platform":{{"variant":"x"}}}}"#
            )),
        ),
        (
            "size-string",
            oci(
                &entry(
                    AMD64,
                    r#","platform":{"architecture":"amd64","os":"linux"},"size":"1""#,
                ),
                "",
            ),
        ),
        ("empty", oci("", "")),
    ]
}

/// The instance skopeo copied (by its manifest's digest), or `error`.
fn skopeo_choice(policy: &Path, img: &Path, arch: &str, out: &Path) -> String {
    let _ = std::fs::remove_dir_all(out);
    let o = Command::new("skopeo")
        .arg("--policy")
        .arg(policy)
        .args(["--override-os", "linux", "--override-arch", arch, "copy"])
        .arg(format!("dir:{}", img.display()))
        .arg(format!("dir:{}", out.display()))
        .output()
        .unwrap();
    if !o.status.success() {
        return "error".into();
    }
    sha256_digest(&std::fs::read(out.join("manifest.json")).unwrap())
}

fn ours(policy: &Path, img: &Path, arch: &str) -> String {
    let o = policyctl()
        .args([
            "check", "--compat", "5.23", "--json", "--os", "linux", "--arch", arch, "--policy",
        ])
        .arg(policy)
        .arg(format!("dir:{}", img.display()))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["results"][0];
    if r["verdict"] != "accepted" {
        return "error".into();
    }
    r["image"]["list"]["instance_digest"]
        .as_str()
        .unwrap_or("not a list")
        .to_owned()
}

#[test]
fn list_instance_choice_agrees_with_skopeo() {
    if !require_tool("skopeo") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let policy = write(
        tmp.path(),
        "p.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let src = Path::new("testdata/check/dir/multi");
    let (mut agree, mut disagree) = (0, Vec::new());
    for (name, list) in lists() {
        let img = tmp.path().join(name);
        std::fs::create_dir_all(&img).unwrap();
        for e in std::fs::read_dir(src).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), img.join(e.file_name())).unwrap();
        }
        std::fs::write(img.join("manifest.json"), &list).unwrap();
        for arch in ["amd64", "arm64", "arm", "s390x"] {
            let theirs = skopeo_choice(&policy, &img, arch, &tmp.path().join("out"));
            let mine = ours(&policy, &img, arch);
            if theirs == mine {
                agree += 1;
            } else {
                disagree.push(format!(
                    "{name} --arch {arch}: skopeo {theirs}, policyctl {mine}"
                ));
            }
        }
    }
    println!(
        "list instance choice vs skopeo 1.9.3: {agree} agree, {} disagree",
        disagree.len()
    );
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}
