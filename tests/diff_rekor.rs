//! `sigstoreSigned` with public keys and Rekor keys (issue 12, spec §13) against current
//! c/image (the Go oracle; Debian's skopeo has no sigstore): c/image's own fixture image
//! `dir-img-cosign-key-rekor-valid` and variants of it with changed annotations, under
//! policies with the right and wrong keys, Rekor keys, identities and key sources. Verdicts
//! and messages must be equal. Fails in CI (`CI=true`) without Go.

use std::path::{Path, PathBuf};

use crate::oracle::{self, Override, Version};
use crate::util::{policyctl, repo};

const SIGSTORE_PREFIX: &[u8] = b"\x00sigstore-json\n";

/// A copy of the fixture image whose signature's JSON is changed by `edit`.
fn variant(dir: &Path, name: &str, edit: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let src = repo("testdata/upstream-rekor/dir-img-cosign-key-rekor-valid");
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::copy(src.join("manifest.json"), d.join("manifest.json")).unwrap();
    let blob = std::fs::read(src.join("signature-1")).unwrap();
    let mut j: serde_json::Value = serde_json::from_slice(&blob[SIGSTORE_PREFIX.len()..]).unwrap();
    edit(&mut j);
    let mut out = SIGSTORE_PREFIX.to_vec();
    out.extend(serde_json::to_vec(&j).unwrap());
    std::fs::write(d.join("signature-1"), out).unwrap();
    d
}

fn set_of(j: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(
        j["annotations"]["dev.sigstore.cosign/bundle"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

fn put_set(j: &mut serde_json::Value, set: &serde_json::Value) {
    j["annotations"]["dev.sigstore.cosign/bundle"] = set.to_string().into();
}

#[test]
fn keys_with_rekor_agree_with_current_cimage() {
    let Some(bin) = oracle::oracle(Version::Current) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().canonicalize().unwrap();
    let fx = repo("testdata/upstream-rekor");
    let f = |n: &str| fx.join(n).display().to_string();
    let images: Vec<(&str, PathBuf)> = vec![
        ("valid", fx.join("dir-img-cosign-key-rekor-valid")),
        (
            "no-bundle",
            variant(&t, "no-bundle", |j| {
                j["annotations"]
                    .as_object_mut()
                    .unwrap()
                    .remove("dev.sigstore.cosign/bundle");
            }),
        ),
        (
            "no-signature",
            variant(&t, "no-signature", |j| {
                j["annotations"]
                    .as_object_mut()
                    .unwrap()
                    .remove("dev.cosignproject.cosign/signature");
            }),
        ),
        (
            "garbage-bundle",
            variant(&t, "garbage-bundle", |j| {
                j["annotations"]["dev.sigstore.cosign/bundle"] = "this is not a valid SET".into();
            }),
        ),
        (
            "empty-bundle",
            variant(&t, "empty-bundle", |j| {
                j["annotations"]["dev.sigstore.cosign/bundle"] = "".into();
            }),
        ),
        (
            "set-time-changed",
            variant(&t, "set-time-changed", |j| {
                let mut set = set_of(j);
                set["Payload"]["integratedTime"] = 1.into();
                put_set(j, &set);
            }),
        ),
        (
            "set-reordered",
            variant(&t, "set-reordered", |j| {
                // Key order and whitespace do not matter: the SET covers the canonical form.
                let set = set_of(j);
                let p = &set["Payload"];
                let text = format!(
                    "{{ \"Payload\" : {{\"logID\":{}, \"logIndex\":{}, \"integratedTime\":{}, \"body\":{}}}, \"SignedEntryTimestamp\":{} }}",
                    p["logID"],
                    p["logIndex"],
                    p["integratedTime"],
                    p["body"],
                    set["SignedEntryTimestamp"]
                );
                j["annotations"]["dev.sigstore.cosign/bundle"] = text.into();
            }),
        ),
        (
            "extra-set-key",
            variant(&t, "extra-set-key", |j| {
                let mut set = set_of(j);
                set["Extra"] = 1.into();
                put_set(j, &set);
            }),
        ),
        (
            "other-signature",
            variant(&t, "other-signature", |j| {
                // A different (invalid) signature: the SET no longer binds it.
                j["annotations"]["dev.cosignproject.cosign/signature"] = "MEUCIQD/AAAA".into();
            }),
        ),
    ];
    let policy = |name: &str, req: serde_json::Value| {
        let p = t.join(format!("policy-{name}.json"));
        let doc = serde_json::json!({"default": [{"type": "reject"}], "transports": {"dir": {"": [req]}}});
        std::fs::write(&p, serde_json::to_vec(&doc).unwrap()).unwrap();
        (name.to_owned(), p)
    };
    let repo_identity = serde_json::json!({"type": "exactRepository", "dockerRepository": "192.168.64.2:5000/cosign-signed/key-1"});
    let policies = vec![
        policy(
            "right",
            serde_json::json!({"type": "sigstoreSigned", "keyPath": f("cosign2.pub"), "rekorPublicKeyPath": f("rekor.pub"), "signedIdentity": repo_identity}),
        ),
        policy(
            "keypaths",
            serde_json::json!({"type": "sigstoreSigned", "keyPaths": [f("cosign.pub"), f("cosign2.pub")], "rekorPublicKeyPaths": [f("cosign.pub"), f("rekor.pub")], "signedIdentity": repo_identity}),
        ),
        policy(
            "keydatas",
            serde_json::json!({"type": "sigstoreSigned",
            "keyDatas": [base64_of(&fx.join("cosign2.pub"))],
            "rekorPublicKeyData": base64_of(&fx.join("rekor.pub")), "signedIdentity": repo_identity}),
        ),
        policy(
            "wrong-key",
            serde_json::json!({"type": "sigstoreSigned", "keyPath": f("cosign.pub"), "rekorPublicKeyPath": f("rekor.pub"), "signedIdentity": repo_identity}),
        ),
        policy(
            "wrong-rekor",
            serde_json::json!({"type": "sigstoreSigned", "keyPath": f("cosign2.pub"), "rekorPublicKeyPath": f("cosign.pub"), "signedIdentity": repo_identity}),
        ),
        policy(
            "missing-rekor",
            serde_json::json!({"type": "sigstoreSigned", "keyPath": f("cosign2.pub"), "rekorPublicKeyPath": "/nonexistent/rekor.pub", "signedIdentity": repo_identity}),
        ),
        policy(
            "rekor-not-pem",
            serde_json::json!({"type": "sigstoreSigned", "keyPath": f("cosign2.pub"), "rekorPublicKeyPath": f("rekor-sig"), "signedIdentity": repo_identity}),
        ),
        policy(
            "other-identity",
            serde_json::json!({"type": "sigstoreSigned", "keyPath": f("cosign2.pub"), "rekorPublicKeyPath": f("rekor.pub"),
            "signedIdentity": {"type": "exactRepository", "dockerRepository": "example.com/other"}}),
        ),
    ];
    let refs: Vec<String> = images
        .iter()
        .map(|(_, d)| format!("dir:{}", d.display()))
        .collect();
    let mut pairs = 0;
    let mut accepted = 0;
    let mut failures = vec![];
    for (pname, p) in &policies {
        let theirs = oracle::check(&bin, p, &refs, &Override::default());
        for ((iname, _), (r, theirs)) in images.iter().zip(refs.iter().zip(theirs)) {
            pairs += 1;
            let out = policyctl()
                .args(["check", "--json", "--policy"])
                .arg(p)
                .arg(r)
                .output()
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let ours_verdict = v["results"][0]["verdict"].as_str().unwrap_or("").to_owned();
            let ours_reason = v["results"][0]["reason"].as_str().unwrap_or("").to_owned();
            let their_verdict = theirs["verdict"].as_str().unwrap().to_owned();
            let their_reason = theirs["message"].as_str().unwrap_or("").to_owned();
            if their_verdict == "accepted" {
                accepted += 1;
            }
            let same_reason = their_verdict == "accepted" || their_reason == ours_reason;
            if their_verdict != ours_verdict || !same_reason {
                failures.push(format!(
                    "{pname} × {iname}: c/image {their_verdict} {their_reason:?}\n    policyctl {ours_verdict} {ours_reason:?}"
                ));
            }
        }
    }
    eprintln!("keys + Rekor against current c/image: {pairs} pairs, {accepted} accepted");
    assert!(
        failures.is_empty(),
        "{} disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(accepted >= 6, "only {accepted} accepted");
}

fn base64_of(p: &Path) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(std::fs::read(p).unwrap())
}
