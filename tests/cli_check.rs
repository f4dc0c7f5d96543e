//! `policyctl check` end to end on the committed demo and fixtures.

use snapbox::str;

use crate::util::{policyctl, write};

const DEMO: &str = "testdata/demo/policy.json";

#[test]
fn demo_verdicts_and_exit_codes() {
    for (image, code) in [
        ("signed", 0),
        ("unsigned", 1),
        ("wrong-key", 1),
        ("other-repo", 1),
        ("tampered", 1),
    ] {
        policyctl()
            .args([
                "--policy",
                DEMO,
                "check",
                "--quiet",
                &format!("dir:testdata/demo/images/{image}"),
            ])
            .assert()
            .code(code)
            .stdout_eq(str![""]);
    }
    // Several references: the worst verdict wins; an error beats a rejection.
    policyctl()
        .args([
            "--policy",
            DEMO,
            "check",
            "-q",
            "dir:testdata/demo/images/signed",
            "dir:testdata/demo/images/unsigned",
        ])
        .assert()
        .code(1);
    policyctl()
        .args([
            "--policy",
            DEMO,
            "check",
            "-q",
            "dir:testdata/demo/images/unsigned",
            "dir:testdata/no/such/image",
        ])
        .assert()
        .code(2);
}

#[test]
fn human_explanation() {
    policyctl()
        .args(["--policy", DEMO, "check", "dir:testdata/demo/images/wrong-key"])
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
dir:testdata/demo/images/wrong-key: REJECTED: cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature
  policy:       testdata/demo/policy.json (from --policy)
  transport:    dir
  identity:     [..]/testdata/demo/images/wrong-key
  scope:        "" (testdata/demo/policy.json:14:13; the transport's "" scope)
  manifest:     sha256:8e9e63992678ca1430dda43a8062e7532677e829e2c3709ddeb256ef51e342d8 (application/vnd.oci.image.manifest.v1+json)
  docker ref:   none (only exactReference/exactRepository identities can match)
  signatures:   1
  requirements:
    1. sigstoreSigned keyPath testdata/demo/armorred-test.pub, signedIdentity exactRepository ghcr.io/armorred/app (line 15)
       => rejected: cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature
       - testdata/demo/images/wrong-key/signature-1 [sigstore-json]: rejected: cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature (claims identity ghcr.io/armorred/app, digest sha256:8e9e63992678ca1430dda43a8062e7532677e829e2c3709ddeb256ef51e342d8)

"#]]);
}

#[test]
fn json_output() {
    policyctl()
        .args(["--policy", DEMO, "check", "--json", "dir:testdata/demo/images/signed", "bogus:x"])
        .assert()
        .code(2)
        .stdout_eq(str![[r#"
{
  "compat": "current",
  "policy": {
    "path": "testdata/demo/policy.json",
    "source": "command-line"
  },
  "results": [
    {
      "containers_image_verdict": "accepted",
      "docker_reference": null,
      "error": null,
      "exit_code": 0,
      "identity": "[..]/testdata/demo/images/signed",
      "image": {
        "list": null,
        "manifest_digest": "sha256:8e9e63992678ca1430dda43a8062e7532677e829e2c3709ddeb256ef51e342d8",
        "manifest_digest_error": null,
        "mime_type": "application/vnd.oci.image.manifest.v1+json",
        "signatures": 1,
        "signatures_error": null
      },
      "namespaces": [
...
      ],
      "notes": [],
      "reason": null,
      "reference": "dir:testdata/demo/images/signed",
      "requirements": [
        {
          "description": "sigstoreSigned keyPath testdata/demo/armorred-test.pub, signedIdentity exactRepository ghcr.io/armorred/app",
          "index": 0,
          "outcome": "accepted",
          "position": {
            "column": 17,
            "line": 15
          },
          "reason": null,
          "reason_kind": null,
          "signatures": [
            {
              "claimed_digest": "sha256:8e9e63992678ca1430dda43a8062e7532677e829e2c3709ddeb256ef51e342d8",
              "claimed_identity": "ghcr.io/armorred/app",
              "format": "sigstore-json",
              "key_fingerprint": "sha256:871c45e7969a3585360e22cd9d81a5e827639913bcdf8cf0e4a4240358a980c8",
              "key_index": 0,
              "origin": "testdata/demo/images/signed/signature-1",
              "outcome": "accepted",
              "reason": null,
              "reason_kind": null,
              "signed_digest": "sha256:8e9e63992678ca1430dda43a8062e7532677e829e2c3709ddeb256ef51e342d8",
              "signed_identity": "ghcr.io/armorred/app"
            }
          ],
          "type": "sigstoreSigned",
          "unsupported": false
        }
      ],
      "scope": {
        "key": "",
        "kind": "transport-default",
        "position": {
          "column": 13,
          "line": 14
        }
      },
      "transport": "dir",
      "verdict": "accepted"
    },
    {
      "error": "Invalid image name /"bogus:x/", unknown transport /"bogus/"",
      "exit_code": 2,
      "reference": "bogus:x",
      "verdict": "error"
    }
  ]
}

"#]]);
}

#[test]
fn lists_choose_the_platform_instance() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    for (arch, instance) in [
        (
            "amd64",
            "sha256:3a6e9705da152a69a54a9b57dc065459e27ae26b4031f647ebf6e984cc834018",
        ),
        (
            "arm64",
            "sha256:418abaa0c577d3761aa0ffe5f968c7f40cb2d6822e5c1e376c2ba6a783641408",
        ),
    ] {
        let out = policyctl()
            .args(["check", "--json", "--arch", arch, "--policy"])
            .arg(&p)
            .arg("dir:testdata/check/dir/multi")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v["results"][0]["image"]["list"]["instance_digest"], instance,
            "{arch}"
        );
    }
    policyctl()
        .args(["check", "-q", "--arch", "s390x", "--policy"])
        .arg(&p)
        .arg("dir:testdata/check/dir/multi")
        .assert()
        .code(2);
}

#[test]
fn oci_attachments_are_opt_in_and_explained() {
    policyctl()
        .args(["--policy", DEMO, "check", "-q", "oci:testdata/demo/oci:a"])
        .assert()
        .code(1);
    policyctl()
        .args(["--policy", DEMO, "check", "--oci-attachments", "oci:testdata/demo/oci:a"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
oci:testdata/demo/oci:a: ACCEPTED (using --oci-attachments: podman would not see these signatures)
...
  note: --oci-attachments: 1 signature(s) read from cosign attachments in the layout; podman, skopeo and CRI-O do not read these (for them this image has no signatures)

"#]]);
}

#[test]
fn archives_and_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "p.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker-archive":{"":[{"type":"sigstoreSigned","keyPath":"/k"}]}}}"#,
    );
    let ok = |r: &str, code: i32| {
        policyctl()
            .args(["check", "-q", "--policy"])
            .arg(&p)
            .arg(r)
            .assert()
            .code(code);
    };
    ok("oci-archive:testdata/check/a.oci.tar:a", 0);
    ok("oci-archive:testdata/check/a.oci.tar:nope", 2);
    ok(
        "docker-archive:testdata/check/a.docker.tar:example.com/fixtures/a:1",
        1,
    );
    ok(
        "docker-archive:testdata/check/a.docker.tar:example.com/fixtures/a:2",
        2,
    );
    ok("oci:testdata/check/oci:a", 0);
    ok("oci:testdata/check/oci", 2);
    ok("dir:testdata/check/dir/no-manifest", 2);
    // A tar with a `..` entry and a blob whose digest does not match.
    let evil = tmp.path().join("evil.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&evil).unwrap());
    let mut h = tar::Header::new_gnu();
    h.set_size(2);
    h.set_entry_type(tar::EntryType::Regular);
    h.as_gnu_mut().unwrap().name[..13].copy_from_slice(b"../index.json");
    h.set_cksum();
    b.append(&h, &b"{}"[..]).unwrap();
    b.finish().unwrap();
    drop(b);
    policyctl()
        .args(["check", "--policy"])
        .arg(&p)
        .arg(format!("oci-archive:{}:a", evil.display()))
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: oci-archive:[..]/evil.tar:a: [..]/evil.tar: invalid archive: entry ../index.json leaves the archive root

"#]]);
    let bad = tmp.path().join("oci");
    copy_dir(std::path::Path::new("testdata/check/oci"), &bad);
    let idx = std::fs::read_to_string(bad.join("index.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&idx).unwrap();
    let d = v["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_owned();
    std::fs::write(bad.join("blobs/sha256").join(&d), b"{\"schemaVersion\":2}").unwrap();
    policyctl()
        .args(["check", "--policy"])
        .arg(&p)
        .arg(format!("oci:{}:a", bad.display()))
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: oci:[..]:a: blob sha256:[..]: digest mismatch: expected sha256:[..], got sha256:[..]

"#]]);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        if e.file_type().is_dir() {
            std::fs::create_dir_all(to.join(rel)).unwrap();
        } else {
            std::fs::copy(e.path(), to.join(rel)).unwrap();
        }
    }
}

#[test]
fn corrupt_signature_rejects_only_when_signatures_matter() {
    let tmp = tempfile::tempdir().unwrap();
    let accept = write(
        tmp.path(),
        "a.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let sig = write(
        tmp.path(),
        "s.json",
        r#"{"default":[{"type":"sigstoreSigned","keyPath":"testdata/check/fixtures-key.pub"}]}"#,
    );
    policyctl()
        .args(["check", "-q", "--policy"])
        .arg(&accept)
        .arg("dir:testdata/check/dir/a-corrupt-signature")
        .assert()
        .code(0);
    policyctl()
        .args(["check", "--policy"])
        .arg(&sig)
        .arg("dir:testdata/check/dir/a-corrupt-signature")
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
dir:testdata/check/dir/a-corrupt-signature: REJECTED: parsing signature "testdata/check/dir/a-corrupt-signature/signature-1": unrecognized signature format, starting with binary 0x6e
...
"#]]);
}

#[test]
fn index_only_signature_does_not_count_for_the_instance() {
    use policyctl::signature::blob::sigstore_to_blob;
    use policyctl::signature::keys::sha256_digest;
    use policyctl::signature::payload::make_payload;
    use policyctl::signature::sign::{p256_key_from_seed, sigstore_signature};
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("multi");
    copy_dir(std::path::Path::new("testdata/check/dir/multi"), &img);
    let key = p256_key_from_seed("fixtures-key");
    let sign = |digest: &str, file: &str| {
        let s = sigstore_signature(
            &key,
            make_payload("example.com/fixtures/multi", digest, None),
        );
        std::fs::write(img.join(file), sigstore_to_blob(&s)).unwrap();
    };
    let list_digest = sha256_digest(&std::fs::read(img.join("manifest.json")).unwrap());
    sign(&list_digest, "signature-1");
    let p = write(
        tmp.path(),
        "p.json",
        r#"{"default":[{"type":"sigstoreSigned","keyPath":"testdata/check/fixtures-key.pub","signedIdentity":{"type":"exactRepository","dockerRepository":"example.com/fixtures/multi"}}]}"#,
    );
    let r = format!("dir:{}", img.display());
    policyctl()
        .args(["check", "--arch", "amd64", "--policy"])
        .arg(&p)
        .arg(&r)
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
dir:[..]/multi: REJECTED: A signature was required, but no signature exists
...
"#]]);
    // Signing the amd64 instance (the index signature stays where it is) makes it pass.
    let instance = "3a6e9705da152a69a54a9b57dc065459e27ae26b4031f647ebf6e984cc834018";
    sign(
        &format!("sha256:{instance}"),
        &format!("{instance}.signature-1"),
    );
    policyctl()
        .args(["check", "-q", "--arch", "amd64", "--policy"])
        .arg(&p)
        .arg(&r)
        .assert()
        .code(0);
    // … but not the arm64 one.
    policyctl()
        .args(["check", "-q", "--arch", "arm64", "--policy"])
        .arg(&p)
        .arg(&r)
        .assert()
        .code(1);
}

#[test]
fn oversized_and_truncated_manifests() {
    let tmp = tempfile::tempdir().unwrap();
    let accept = write(
        tmp.path(),
        "a.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let big = tmp.path().join("big");
    copy_dir(std::path::Path::new("testdata/check/dir/a"), &big);
    std::fs::write(big.join("manifest.json"), vec![b' '; 5 * 1024 * 1024]).unwrap();
    policyctl()
        .args(["check", "--policy"])
        .arg(&accept)
        .arg(format!("dir:{}", big.display()))
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: dir:[..]/big: [..]/big/manifest.json is larger than 4194304 bytes

"#]]);
    // Truncated: the policy allows it, but the pull would fail: error, never "accepted".
    policyctl()
        .args(["check", "--policy"])
        .arg(&accept)
        .arg("dir:testdata/check/dir/a-truncated-manifest")
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: dir:testdata/check/dir/a-truncated-manifest: dir:testdata/check/dir/a-truncated-manifest: parsing manifest: unexpected end of JSON input (the image would fail to pull or run)

"#]]);
}

/// Issue 8 defect 8: a compressed EC public key. RustCrypto reads it (and the signature
/// verifies with it), Go's `x509.ParsePKIXPublicKey` refuses it, so c/image rejects: checked
/// with current c/image (Go 1.26: `ecdsa: invalid uncompressed public key`) and from Go 1.19's
/// sources for 5.23 (`x509: failed to unmarshal elliptic curve point`).
#[test]
fn compressed_ec_key_rejects_as_in_go() {
    let t = tempfile::tempdir().unwrap();
    let compressed = crate::cli_key::compressed_fixtures_key(t.path());
    let policy = |key: &std::path::Path| {
        write(
            t.path(),
            "policy.json",
            &format!(
                r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"exactRepository","dockerRepository":"example.com/fixtures/a"}}}}]}}"#,
                key.display()
            ),
        )
    };
    let run = |p: &std::path::Path, compat: &str| {
        policyctl()
            .arg("--policy")
            .arg(p)
            .args([
                "check",
                "--compat",
                compat,
                "dir:testdata/check/dir/a-sigstore",
            ])
            .assert()
    };
    // The same key, uncompressed: accepted.
    let p = policy(&crate::util::repo("testdata/check/fixtures-key.pub"));
    run(&p, "current").code(0);
    let p = policy(&compressed);
    run(&p, "current").code(1).stdout_eq(str![[r#"
dir:testdata/check/dir/a-sigstore: REJECTED: parsing public key 1: ecdsa: invalid uncompressed public key
...
"#]]);
    run(&p, "5.23").code(1).stdout_eq(str![[r#"
dir:testdata/check/dir/a-sigstore: REJECTED: parsing public key: x509: failed to unmarshal elliptic curve point
...
"#]]);
}

/// Issue 8 defect 7: c/image decodes `sigstore-json` blobs with Go's `json.Unmarshal`, so
/// `annotationſ` (U+017F folds to `s`) is `annotations`, the last duplicate wins and `null`
/// clears the map. Verdicts checked with current c/image (`IsRunningImageAllowed` on these
/// `dir:` images); 5.23.1 decodes the same struct with Go 1.19, which folds alike.
#[test]
fn sigstore_blob_keys_fold_as_in_go() {
    use policyctl::signature::blob::{Signature, from_blob};
    let t = tempfile::tempdir().unwrap();
    let img = t.path().join("a-sigstore");
    std::fs::create_dir_all(&img).unwrap();
    for e in std::fs::read_dir("testdata/check/dir/a-sigstore").unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), img.join(e.file_name())).unwrap();
    }
    let Signature::Sigstore(s) =
        from_blob(&std::fs::read(img.join("signature-1")).unwrap()).unwrap()
    else {
        panic!("not sigstore")
    };
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD.encode(&s.payload);
    let ann = serde_json::to_string(&s.annotations).unwrap();
    let policy = write(
        t.path(),
        "p.json",
        r#"{"default":[{"type":"sigstoreSigned","keyPath":"testdata/check/fixtures-key.pub","signedIdentity":{"type":"exactRepository","dockerRepository":"example.com/fixtures/a"}}]}"#,
    );
    let mime = r#""mimeType":"application/vnd.dev.cosign.simplesigning.v1+json""#;
    for (members, code) in [
        // The signature only under a folded key: found by Go, so accepted.
        (
            format!(r#"{mime},"payload":"{payload}","annotationſ":{ann}"#),
            0,
        ),
        (
            format!(r#"{mime},"pAYLOAD":"{payload}","ANNOTATION\u017f":{ann}"#),
            0,
        ),
        // A later folded duplicate that is null clears the annotations: no signature.
        (
            format!(r#"{mime},"payload":"{payload}","annotations":{ann},"annotationſ":null"#),
            1,
        ),
        // So does a plain null duplicate, and a null payload.
        (
            format!(r#"{mime},"payload":"{payload}","annotations":{ann},"annotations":null"#),
            1,
        ),
        (
            format!(r#"{mime},"payload":"{payload}","annotations":{ann},"payload":null"#),
            1,
        ),
        // The payload as an array of bytes is a valid []byte to Go.
        (
            format!(
                r#"{mime},"payload":{},"annotations":{ann}"#,
                serde_json::to_string(&s.payload).unwrap()
            ),
            0,
        ),
        // `payloaſ` is not `payload` (the folded key is `PAYLOAS`).
        (
            format!(r#"{mime},"payloaſ":"{payload}","annotations":{ann}"#),
            1,
        ),
    ] {
        let mut blob = b"\x00sigstore-json\n".to_vec();
        blob.extend_from_slice(format!("{{{members}}}").as_bytes());
        std::fs::write(img.join("signature-1"), blob).unwrap();
        for compat in ["current", "5.23"] {
            policyctl()
                .args(["check", "-q", "--compat", compat, "--policy"])
                .arg(&policy)
                .arg(format!("dir:{}", img.display()))
                .assert()
                .code(code);
        }
    }
}

/// Issue 8 defect 6 against Debian's skopeo (c/storage 1.43): in a store skopeo made, image b's
/// record also claims a's name under the key `Names`. c/storage's `json.Unmarshal` folds it
/// into `names` (the last duplicate wins), so the name resolves to b; policyctl must judge the
/// same manifest. Then the same with `ID` (b found by its folded ID key).
#[test]
fn folded_images_json_keys_resolve_as_skopeo_does() {
    if !crate::util::require_tool("skopeo") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let spec = format!(
        "[vfs@{}+{}]",
        t.join("store").display(),
        t.join("run").display()
    );
    for (src, name) in [("a", "example.com/fixtures/a:1"), ("b", "b:latest")] {
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q"])
            .arg(format!(
                "oci:{}:{src}",
                crate::util::repo("testdata/check/oci").display()
            ))
            .arg(format!("containers-storage:{spec}{name}"))
            .status()
            .unwrap();
        assert!(st.success());
    }
    let images_json = t.join("store/vfs-images/images.json");
    let original = std::fs::read_to_string(&images_json).unwrap();
    let records: serde_json::Value = serde_json::from_str(&original).unwrap();
    let b_id = records[1]["id"].as_str().unwrap().to_owned();
    let digest_of = |i: usize| records[i]["digest"].as_str().unwrap().to_owned();
    let b_names = r#""names":["docker.io/library/b:latest"]"#;
    assert!(original.contains(b_names), "{original}");
    let ours = |reference: &str| -> String {
        let out = policyctl()
            .arg("--policy")
            .arg(&accept)
            .args([
                "check",
                "--json",
                &format!("containers-storage:{spec}{reference}"),
            ])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["results"][0]["image"]["manifest_digest"]
            .as_str()
            .unwrap_or("none")
            .to_owned()
    };
    let skopeo = |reference: &str| -> String {
        let out = std::process::Command::new("skopeo")
            .args([
                "inspect",
                "--raw",
                &format!("containers-storage:{spec}{reference}"),
            ])
            .output()
            .unwrap();
        if !out.status.success() {
            return "none".into();
        }
        policyctl::signature::keys::sha256_digest(&out.stdout)
    };
    for (edited, reference, want) in [
        (
            original.replace(
                b_names,
                &format!(r#"{b_names},"Names":["example.com/fixtures/a:1"]"#),
            ),
            "example.com/fixtures/a:1",
            digest_of(1),
        ),
        (
            original.replace(&format!(r#""id":"{b_id}""#), &format!(r#""ID":"{b_id}""#)),
            "b:latest",
            digest_of(1),
        ),
    ] {
        assert_ne!(edited, original);
        // skopeo rewrites images.json when it resolves a name conflict: ours first.
        std::fs::write(&images_json, &edited).unwrap();
        assert_eq!(ours(reference), want, "policyctl, {reference}");
        std::fs::write(&images_json, &edited).unwrap();
        assert_eq!(skopeo(reference), want, "skopeo, {reference}");
    }
}

/// Issue 9: a trust root policyctl cannot verify yet is shown apart from a real rejection, in
/// the verdict, the requirement and the signature lines, and in JSON (`"outcome":
/// "unsupported"`); the exit code stays 1 (fail closed).
#[test]
fn unsupported_trust_roots_are_shown_as_such() {
    // A PKI chain whose root carries name constraints, which policyctl does not evaluate:
    // made with openssl (root permits e-mail @example.com, leaf dev@example.com, codeSigning).
    if !crate::util::require_tool("openssl") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    crate::util::write(
        t,
        "root.cnf",
        "[req]\ndistinguished_name=dn\nx509_extensions=v3\nprompt=no\n[dn]\nCN=Constrained Test Root\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\nnameConstraints=critical,permitted;email:example.com\nsubjectKeyIdentifier=hash\n",
    );
    crate::util::write(
        t,
        "leaf.cnf",
        "[v3]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectAltName=email:dev@example.com\n",
    );
    let openssl = |args: &[&str]| {
        let o = std::process::Command::new("openssl")
            .current_dir(t)
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "root.key",
    ]);
    openssl(&[
        "req", "-x509", "-new", "-key", "root.key", "-config", "root.cnf", "-days", "3650", "-out",
        "root.pem",
    ]);
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "leaf.key",
    ]);
    openssl(&[
        "req", "-new", "-key", "leaf.key", "-subj", "/CN=leaf", "-out", "leaf.csr",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-CAcreateserial",
        "-days",
        "365",
        "-extfile",
        "leaf.cnf",
        "-extensions",
        "v3",
        "-out",
        "leaf.pem",
    ]);
    let image = t.join("signed");
    std::fs::create_dir(&image).unwrap();
    for e in std::fs::read_dir("testdata/demo/images/unsigned").unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), image.join(e.file_name())).unwrap();
    }
    let digest = "sha256:8e9e63992678ca1430dda43a8062e7532677e829e2c3709ddeb256ef51e342d8";
    let payload = policyctl::signature::payload::make_payload("ghcr.io/armorred/app", digest, None);
    std::fs::write(t.join("payload"), &payload).unwrap();
    openssl(&[
        "dgst", "-sha256", "-sign", "leaf.key", "-out", "sig.der", "payload",
    ]);
    use base64::Engine;
    let mut sig = policyctl::signature::blob::Sigstore {
        mime_type: "application/vnd.dev.cosign.simplesigning.v1+json".into(),
        payload,
        annotations: Default::default(),
    };
    sig.annotations.insert(
        "dev.cosignproject.cosign/signature".into(),
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(t.join("sig.der")).unwrap()),
    );
    sig.annotations.insert(
        "dev.sigstore.cosign/certificate".into(),
        std::fs::read_to_string(t.join("leaf.pem")).unwrap(),
    );
    std::fs::write(
        image.join("signature-1"),
        policyctl::signature::blob::sigstore_to_blob(&sig),
    )
    .unwrap();
    let policy = crate::util::write(
        t,
        "policy.json",
        &format!(
            r#"{{"default": [{{"type": "sigstoreSigned", "pki": {{"caRootsPath": "{}", "subjectEmail": "dev@example.com"}},
            "signedIdentity": {{"type": "exactRepository", "dockerRepository": "ghcr.io/armorred/app"}}}}]}}"#,
            t.join("root.pem").display()
        ),
    );
    let reference = format!("dir:{}", image.display());
    policyctl()
        .arg("--policy")
        .arg(&policy)
        .args(["check", &reference])
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
dir:[..]/signed: REJECTED (policyctl cannot verify this yet; containers/image might accept): veryfing leaf certificate failed: policyctl cannot check X.509 name constraints yet: rejected; containers/image might accept it
...
  requirements:
    1. sigstoreSigned [..] (line 1)
       => cannot verify yet: veryfing leaf certificate failed: policyctl cannot check X.509 name constraints yet: rejected; containers/image might accept it
       - [..]/signed/signature-1 [sigstore-json]: cannot verify yet: veryfing leaf certificate failed: policyctl cannot check X.509 name constraints yet: rejected; containers/image might accept it (presents a certificate for dev@example.com, CN=leaf, issued by CN=Constrained Test Root, valid [..], claims identity ghcr.io/armorred/app, digest sha256:[..])

"#]]);
    let out = policyctl()
        .arg("--policy")
        .arg(&policy)
        .args(["check", "--json", &reference])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let req = &v["results"][0]["requirements"][0];
    assert_eq!(req["outcome"], "unsupported", "{v:#}");
    assert_eq!(req["unsupported"], true);
    assert_eq!(req["signatures"][0]["outcome"], "unsupported");
    assert_eq!(req["reason_kind"], "certificate-chain");
    // And indeed: current c/image checks the constraints (they permit the leaf) and accepts.
    if let Some(bin) = crate::oracle::oracle(crate::oracle::Version::Current) {
        let theirs = crate::oracle::check(
            &bin,
            &policy,
            std::slice::from_ref(&reference),
            &crate::oracle::Override::default(),
        );
        assert_eq!(theirs[0]["verdict"], "accepted", "{}", theirs[0]);
    }
    // Issue 10: without the bundle annotation c/image rejects for certain, and so do we,
    // as a plain rejection with c/image's text.
    let fulcio = crate::util::write(
        t,
        "fulcio.json",
        &format!(
            r#"{{"default": [{{"type": "sigstoreSigned",
            "fulcio": {{"caPath": "{}", "oidcIssuer": "https://issuer.example", "subjectEmail": "dev@example.com"}},
            "rekorPublicKeyPath": "testdata/demo/armorred-test.pub",
            "signedIdentity": {{"type": "matchRepository"}}}}]}}"#,
            crate::util::repo("testdata/upstream-sigstore/fulcio_v1.crt.pem").display()
        ),
    );
    policyctl()
        .arg("--policy")
        .arg(&fulcio)
        .args(["check", "dir:testdata/demo/images/signed"])
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
dir:testdata/demo/images/signed: REJECTED: missing dev.sigstore.cosign/bundle annotation
...
"#]]);
    // A real rejection stays "rejected".
    let out = policyctl()
        .args([
            "--policy",
            DEMO,
            "check",
            "--json",
            "dir:testdata/demo/images/wrong-key",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["results"][0]["requirements"][0]["outcome"], "rejected",
        "{v:#}"
    );
}

/// Signature files are read up to 4 MiB (`iolimits.MaxSignatureBodySize`): one of exactly
/// 4 MiB still verifies; one byte more is not read and the image is rejected (c/image's `dir:`
/// reads without a limit; refusing is the fail-closed side).
#[test]
fn signature_size_limit_is_exactly_4_mib() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("s");
    copy_dir(std::path::Path::new("testdata/demo/images/signed"), &img);
    let sig = img.join("signature-1");
    let mut blob = std::fs::read(&sig).unwrap();
    // JSON allows trailing whitespace: the padded blob is the same signature.
    blob.resize(4 * 1024 * 1024, b' ');
    std::fs::write(&sig, &blob).unwrap();
    let reference = format!("dir:{}", img.display());
    policyctl()
        .args(["--policy", DEMO, "check", "-q", &reference])
        .assert()
        .code(0);
    blob.push(b' ');
    std::fs::write(&sig, &blob).unwrap();
    policyctl()
        .args(["--policy", DEMO, "check", &reference])
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
dir:[..]/s: REJECTED: [..]/s/signature-1 is larger than 4194304 bytes
...
"#]]);
}

/// At most 1,024 signatures are read per image (a guard against hostile stores): 1,024 copies
/// of a good signature still verify; one more and the image is rejected, never accepted.
#[test]
fn at_most_1024_signatures_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("s");
    copy_dir(std::path::Path::new("testdata/demo/images/signed"), &img);
    let sig = std::fs::read(img.join("signature-1")).unwrap();
    for n in 2..=1024 {
        std::fs::write(img.join(format!("signature-{n}")), &sig).unwrap();
    }
    let reference = format!("dir:{}", img.display());
    policyctl()
        .args(["--policy", DEMO, "check", "-q", &reference])
        .assert()
        .code(0);
    std::fs::write(img.join("signature-1025"), &sig).unwrap();
    policyctl()
        .args(["--policy", DEMO, "check", &reference])
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
dir:[..]/s: REJECTED: [..]/s: more than 1024 signatures
...
"#]]);
}
