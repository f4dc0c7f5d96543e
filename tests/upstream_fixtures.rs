//! c/image's own sigstore fixtures (testdata/upstream, Apache-2.0) through `policyctl check`:
//! an independent check of our verification against signatures we did not make (spec §9.4).

use std::path::Path;

use crate::util::{policyctl, repo, write};

const IDENTITY: &str = "192.168.64.2:5000/cosign-signed-single-sample";

fn policy(dir: &Path, requirement: &str) -> std::path::PathBuf {
    write(
        dir,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"reject"}}],"transports":{{"dir":{{"":[{requirement}]}}}}}}"#
        ),
    )
}

fn key_path() -> String {
    repo("testdata/upstream/cosign.pub").display().to_string()
}

fn sigstore(key: &str, identity: &str) -> String {
    format!(r#"{{"type":"sigstoreSigned",{key},"signedIdentity":{identity}}}"#)
}

fn exact_repo() -> String {
    format!(r#"{{"type":"exactRepository","dockerRepository":"{IDENTITY}"}}"#)
}

/// Runs check on `testdata/upstream/<image>` and returns (exit code, first stdout line).
fn check(policy: &Path, image: &Path) -> (i32, String) {
    let out = policyctl()
        .args(["check", "--policy"])
        .arg(policy)
        .arg(format!("dir:{}", image.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned();
    (out.status.code().unwrap_or(-1), text)
}

fn fixture(name: &str) -> std::path::PathBuf {
    repo("testdata/upstream").join(name)
}

#[test]
fn key_path_verdicts() {
    let tmp = tempfile::tempdir().unwrap();
    let p = policy(
        tmp.path(),
        &sigstore(&format!(r#""keyPath":"{}""#, key_path()), &exact_repo()),
    );
    for (image, code, text) in [
        ("dir-img-cosign-valid", 0, "ACCEPTED"),
        ("dir-img-cosign-valid-2", 0, "ACCEPTED"),
        ("dir-img-cosign-mixed", 0, "ACCEPTED"),
        (
            "dir-img-cosign-modified-manifest",
            1,
            "Signature for digest sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00 does not match",
        ),
        ("dir-img-cosign-manifest-digest-error", 1, "REJECTED"),
        (
            "dir-img-cosign-other-attachment",
            1,
            "(0 non-sigstore signatures, 1 sigstore non-signature attachments)",
        ),
        (
            "dir-img-unsigned",
            1,
            "A signature was required, but no signature exists",
        ),
        (
            "dir-img-valid",
            1,
            "(1 non-sigstore signatures, 0 sigstore non-signature attachments)",
        ),
        ("dir-img-cosign-no-manifest", 2, ""),
    ] {
        let (c, t) = check(&p, &fixture(image));
        assert_eq!(c, code, "{image}: {t}");
        assert!(t.contains(text), "{image}: {t}");
    }
}

#[test]
fn key_data_and_bad_keys() {
    use base64::Engine;
    let tmp = tempfile::tempdir().unwrap();
    let data = base64::engine::general_purpose::STANDARD.encode(std::fs::read(key_path()).unwrap());
    let p = policy(
        tmp.path(),
        &sigstore(&format!(r#""keyData":"{data}""#), &exact_repo()),
    );
    assert_eq!(check(&p, &fixture("dir-img-cosign-valid")).0, 0);
    let p = policy(
        tmp.path(),
        &sigstore(r#""keyPath":"/this/does/not/exist.pub""#, &exact_repo()),
    );
    let (c, t) = check(&p, &fixture("dir-img-cosign-valid"));
    assert_eq!(
        (
            c,
            t.contains("open /this/does/not/exist.pub: no such file or directory")
        ),
        (1, true),
        "{t}"
    );
    // A valid signature by another key.
    let img = tmp.path().join("img");
    std::fs::create_dir(&img).unwrap();
    std::fs::copy(
        fixture("dir-img-cosign-valid/manifest.json"),
        img.join("manifest.json"),
    )
    .unwrap();
    std::fs::copy(
        fixture("unknown-cosign-key.signature"),
        img.join("signature-1"),
    )
    .unwrap();
    let p = policy(
        tmp.path(),
        &sigstore(&format!(r#""keyPath":"{}""#, key_path()), &exact_repo()),
    );
    let (c, t) = check(&p, &img);
    assert_eq!(c, 1);
    assert!(
        t.contains("cryptographic signature verification failed"),
        "{t}"
    );
}

#[test]
fn identities() {
    let tmp = tempfile::tempdir().unwrap();
    let key = format!(r#""keyPath":"{}""#, key_path());
    let p = policy(
        tmp.path(),
        &sigstore(
            &key,
            r#"{"type":"exactReference","dockerReference":"this/doesnt:match"}"#,
        ),
    );
    let (c, t) = check(&p, &fixture("dir-img-cosign-valid"));
    assert_eq!(c, 1);
    assert!(
        t.contains(&format!(
            "Signature for identity \\\"{IDENTITY}\\\" is not accepted"
        )) || t.contains(&format!(
            "Signature for identity \"{IDENTITY}\" is not accepted"
        )),
        "{t}"
    );
    // The c/image-made signature carries a tag: exactReference with that tag accepts.
    let p = policy(
        tmp.path(),
        &sigstore(
            &key,
            r#"{"type":"exactReference","dockerReference":"192.168.64.2:5000/skopeo-signed:tag"}"#,
        ),
    );
    assert_eq!(check(&p, &fixture("dir-img-cosign-valid-with-tag")).0, 0);
    let p = policy(
        tmp.path(),
        &sigstore(
            &key,
            r#"{"type":"exactReference","dockerReference":"192.168.64.2:5000/skopeo-signed:othertag"}"#,
        ),
    );
    assert_eq!(check(&p, &fixture("dir-img-cosign-valid-with-tag")).0, 1);
    // A cosign (repository-only) signature never satisfies exactReference.
    let p = policy(
        tmp.path(),
        &sigstore(
            &key,
            &format!(r#"{{"type":"exactReference","dockerReference":"{IDENTITY}:latest"}}"#),
        ),
    );
    assert_eq!(check(&p, &fixture("dir-img-cosign-valid")).0, 1);
    // matchRepository needs an image identity, which dir: does not have.
    let p = policy(tmp.path(), &sigstore(&key, r#"{"type":"matchRepository"}"#));
    assert_eq!(check(&p, &fixture("dir-img-cosign-valid")).0, 1);
}
