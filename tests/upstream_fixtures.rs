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

/// c/image's own GPG images (testdata/upstream-gpg, Apache-2.0): upstream's verdicts
/// (`policy_eval_signedby_test.go`), checked with policyctl under both compat versions and,
/// live, against skopeo 1.9.3 (5.23.1) and current c/image built with GPGME.
#[test]
fn gpg_dir_images_get_upstreams_verdicts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = repo("testdata/upstream-gpg");
    let requirement = |key: &str| {
        format!(
            r#"{{"type":"signedBy","keyType":"GPGKeys","keyPath":"{}","signedIdentity":{{"type":"exactReference","dockerReference":"testing/manifest:latest"}}}}"#,
            dir.join(key).display()
        )
    };
    let key = policy(tmp.path(), &requirement("public-key.gpg"));
    let sub_dir = tmp.path().join("sub");
    std::fs::create_dir(&sub_dir).unwrap();
    let sub = policy(&sub_dir, &requirement("public-key-with-subkey.gpg"));
    // (image, policy, exit under 5.23, exit under current, reason prefix when rejected)
    let cases: [(&str, &Path, i32, i32, &str); 8] = [
        ("dir-img-valid", &key, 0, 0, ""),
        ("dir-img-valid-2", &key, 0, 0, ""),
        ("dir-img-mixed", &key, 0, 0, ""),
        (
            "dir-img-modified-manifest",
            &key,
            1,
            1,
            "Signature for digest sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55 does not match",
        ),
        ("dir-img-no-manifest", &key, 2, 2, ""),
        ("dir-img-manifest-digest-error", &key, 1, 1, ""),
        (
            "dir-img-unsigned",
            &key,
            1,
            1,
            "A signature was required, but no signature exists",
        ),
        (
            "dir-img-valid-subkey",
            &sub,
            1,
            0,
            "Signature by key 57D1D95BBC53BA0EAFF0718CD75B3109B3BAAEAF is not accepted",
        ),
    ];
    for (image, policy, old, current, reason) in cases {
        let reference = format!("dir:{}", dir.join(image).display());
        for (compat, want) in [("5.23", old), ("current", current)] {
            let out = policyctl()
                .args(["check", "--json", "--compat", compat, "--policy"])
                .arg(policy)
                .arg(&reference)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(want), "{image} --compat {compat}");
            if want == 1 {
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                let got = v["results"][0]["reason"].as_str().unwrap_or("");
                assert!(got.starts_with(reason), "{image} --compat {compat}: {got}");
            }
        }
        // The live implementations agree.
        if crate::util::require_tool("skopeo") {
            let (code, message) = crate::util::skopeo_copy_verdict(
                policy,
                &reference,
                &tmp.path().join(format!("out-{image}")),
            );
            // The fixtures carry no blobs: skopeo reads them only after the policy accepted.
            let code = if code == 2 && message.starts_with("reading blob sha256:") {
                0
            } else {
                code
            };
            assert_eq!(code, old, "skopeo on {image}: {message}");
        }
        if let Some(bin) = crate::oracle::oracle(crate::oracle::Version::CurrentGpgme) {
            let v = crate::oracle::check(
                &bin,
                policy,
                std::slice::from_ref(&reference),
                &crate::oracle::Override::default(),
            );
            let code = match v[0]["verdict"].as_str().unwrap() {
                "accepted" => 0,
                "rejected" => 1,
                _ => 2,
            };
            assert_eq!(code, current, "current c/image on {image}: {}", v[0]);
        }
    }
}

/// A copy of an upstream certificate image whose signature annotations `edit` changes.
fn certificate_variant(
    dir: &Path,
    image: &str,
    name: &str,
    edit: impl Fn(&mut serde_json::Map<String, serde_json::Value>),
) -> std::path::PathBuf {
    const PREFIX: &[u8] = b"\x00sigstore-json\n";
    let src = repo("testdata/upstream-sigstore").join(image);
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::copy(src.join("manifest.json"), d.join("manifest.json")).unwrap();
    let blob = std::fs::read(src.join("signature-1")).unwrap();
    let mut j: serde_json::Value = serde_json::from_slice(&blob[PREFIX.len()..]).unwrap();
    edit(j["annotations"].as_object_mut().unwrap());
    let mut out = PREFIX.to_vec();
    out.extend(serde_json::to_vec(&j).unwrap());
    std::fs::write(d.join("signature-1"), out).unwrap();
    d
}

/// Issue 12: c/image's keyless (Fulcio + Rekor) and PKI fixture images, under the policies of
/// its own tests and variants, get upstream's verdicts — and current c/image's (the Go
/// oracle), message for message. `--compat 5.23` refuses these policies when parsing.
#[test]
fn certificate_images_get_upstreams_verdicts() {
    use base64::Engine;
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let fx = repo("testdata/upstream-sigstore");
    let f = |n: &str| fx.join(n).display().to_string();
    let b64 = |n: &str| {
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(fx.join(n)).unwrap())
    };
    let fulcio_identity = r#"{"type":"exactRepository","dockerRepository":"192.168.64.2:5000/cosign-signed/fulcio-rekor-1"}"#;
    let pki_identity = r#"{"type":"exactRepository","dockerRepository":"localhost:5000/test"}"#;
    let fulcio = |ca: &str, issuer: &str, email: &str, rekor: &str| {
        format!(
            r#"{{"type":"sigstoreSigned","fulcio":{{{ca},"oidcIssuer":"{issuer}","subjectEmail":"{email}"}},{rekor},"signedIdentity":{fulcio_identity}}}"#
        )
    };
    let ca_path = format!(r#""caPath":"{}""#, f("fulcio_v1.crt.pem"));
    let rekor = format!(r#""rekorPublicKeyPath":"{}""#, f("rekor.pub"));
    let issuer = "https://github.com/login/oauth";
    let email = "mitr@redhat.com";
    let pki = |intermediates: bool, email: &str, host: &str| {
        let mut fields = vec![format!(r#""caRootsPath":"{}""#, f("pki_root_crts.pem"))];
        if intermediates {
            fields.push(format!(
                r#""caIntermediatesPath":"{}""#,
                f("pki_intermediate_crts.pem")
            ));
        }
        if !email.is_empty() {
            fields.push(format!(r#""subjectEmail":"{email}""#));
        }
        if !host.is_empty() {
            fields.push(format!(r#""subjectHostname":"{host}""#));
        }
        format!(
            r#"{{"type":"sigstoreSigned","pki":{{{}}},"signedIdentity":{pki_identity}}}"#,
            fields.join(",")
        )
    };
    let fulcio_image = fx.join("dir-img-cosign-fulcio-rekor-valid");
    let pki_image = fx.join("dir-img-cosign-pki-valid");
    let pki_no_chain = certificate_variant(t, "dir-img-cosign-pki-valid", "pki-no-chain", |a| {
        a.remove("dev.sigstore.cosign/chain");
    });
    let fulcio_no_chain = certificate_variant(
        t,
        "dir-img-cosign-fulcio-rekor-valid",
        "fulcio-no-chain",
        |a| {
            a.remove("dev.sigstore.cosign/chain");
        },
    );
    let fulcio_no_cert = certificate_variant(
        t,
        "dir-img-cosign-fulcio-rekor-valid",
        "fulcio-no-cert",
        |a| {
            a.remove("dev.sigstore.cosign/certificate");
        },
    );
    let fulcio_pki_cert = certificate_variant(
        t,
        "dir-img-cosign-fulcio-rekor-valid",
        "fulcio-other-cert",
        |a| {
            let pki = std::fs::read_to_string(fx.join("pki-cert")).unwrap();
            a.insert("dev.sigstore.cosign/certificate".into(), pki.into());
        },
    );
    // (name, requirement, image, upstream exit code, reason)
    let cases: Vec<(&str, String, &Path, i32, String)> = vec![
        (
            "fulcio",
            fulcio(&ca_path, issuer, email, &rekor),
            &fulcio_image,
            0,
            String::new(),
        ),
        (
            "fulcio caData, rekor datas",
            fulcio(
                &format!(r#""caData":"{}""#, b64("fulcio_v1.crt.pem")),
                issuer,
                email,
                &format!(
                    r#""rekorPublicKeyDatas":["{}","{}"]"#,
                    b64("rekor.pub"),
                    base64::engine::general_purpose::STANDARD
                        .encode(std::fs::read(repo("testdata/upstream/cosign.pub")).unwrap())
                ),
            ),
            &fulcio_image,
            0,
            String::new(),
        ),
        (
            "fulcio wrong e-mail",
            fulcio(&ca_path, issuer, "someone@example.com", &rekor),
            &fulcio_image,
            1,
            r#"Required email "someone@example.com" not found (got ["mitr@redhat.com"])"#.into(),
        ),
        (
            "fulcio wrong issuer",
            fulcio(&ca_path, "https://accounts.google.com", email, &rekor),
            &fulcio_image,
            1,
            r#"Unexpected Fulcio OIDC issuer "https://github.com/login/oauth""#.into(),
        ),
        (
            "fulcio untrusted CA",
            fulcio(
                &format!(r#""caPath":"{}""#, f("pki_root_crts.pem")),
                issuer,
                email,
                &rekor,
            ),
            &fulcio_image,
            1,
            "veryfing leaf certificate failed: x509: certificate signed by unknown authority"
                .into(),
        ),
        (
            "fulcio without the chain annotation",
            fulcio(&ca_path, issuer, email, &rekor),
            &fulcio_no_chain,
            1,
            "veryfing leaf certificate failed: x509: certificate signed by unknown authority"
                .into(),
        ),
        (
            "fulcio, chain as the CA",
            fulcio(
                &format!(r#""caPath":"{}""#, f("fulcio-chain")),
                issuer,
                email,
                &rekor,
            ),
            &fulcio_no_chain,
            0,
            String::new(),
        ),
        (
            "fulcio without certificate",
            fulcio(&ca_path, issuer, email, &rekor),
            &fulcio_no_cert,
            1,
            "missing dev.sigstore.cosign/certificate annotation".into(),
        ),
        (
            "fulcio, another certificate than the SET's",
            fulcio(&ca_path, issuer, email, &rekor),
            &fulcio_pki_cert,
            1,
            "publicKey in Rekor SET does not match".into(),
        ),
        (
            "fulcio, Rekor key is another key",
            fulcio(
                &ca_path,
                issuer,
                email,
                &format!(
                    r#""rekorPublicKeyPath":"{}""#,
                    repo("testdata/upstream/cosign.pub").display()
                ),
            ),
            &fulcio_image,
            1,
            "cryptographic signature verification of Rekor SET failed".into(),
        ),
        ("pki", pki(true, "qiwan@redhat.com", "myhost.example.com"), &pki_image, 0, String::new()),
        ("pki, chain only", pki(false, "qiwan@redhat.com", ""), &pki_image, 0, String::new()),
        (
            "pki, config only",
            pki(true, "", "myhost.example.com"),
            &pki_no_chain,
            0,
            String::new(),
        ),
        (
            "pki, intermediates from neither",
            pki(false, "qiwan@redhat.com", ""),
            &pki_no_chain,
            1,
            "veryfing leaf certificate failed: x509: certificate signed by unknown authority"
                .into(),
        ),
        (
            "pki wrong host",
            pki(true, "", "other.example.com"),
            &pki_image,
            1,
            "Unexpected subject hostname: x509: certificate is valid for myhost.example.com, not other.example.com".into(),
        ),
        (
            "pki wrong e-mail",
            pki(true, "a@example.com", "myhost.example.com"),
            &pki_image,
            1,
            r#"Required email "a@example.com" not found (got ["qiwan@redhat.com"])"#.into(),
        ),
    ];
    let oracle = crate::oracle::oracle(crate::oracle::Version::Current);
    for (i, (name, requirement, image, want, reason)) in cases.iter().enumerate() {
        let dir = t.join(format!("p{i}"));
        std::fs::create_dir(&dir).unwrap();
        let p = policy(&dir, requirement);
        let reference = format!("dir:{}", image.display());
        let out = policyctl()
            .args(["check", "--json", "--policy"])
            .arg(&p)
            .arg(&reference)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let got = v["results"][0]["reason"].as_str().unwrap_or("").to_owned();
        assert_eq!(out.status.code(), Some(*want), "{name}: {got}");
        if *want == 1 {
            assert_eq!(&got, reason, "{name}");
            if name.ends_with("wrong e-mail") {
                // The explanation says what the certificate names, unverified.
                let claimed =
                    v["results"][0]["requirements"][0]["signatures"][0]["claimed_certificate"]
                        .as_str()
                        .unwrap();
                assert!(claimed.starts_with("for "), "{claimed}");
                assert!(claimed.contains("issued by CN="), "{claimed}");
            }
        } else {
            let sig = &v["results"][0]["requirements"][0]["signatures"][0];
            assert_eq!(sig["outcome"], "accepted", "{name}");
            assert!(
                !sig["certificate"]["chain"].as_array().unwrap().is_empty(),
                "{name}"
            );
        }
        // Current c/image says the same.
        if let Some(bin) = &oracle {
            let theirs = crate::oracle::check(
                bin,
                &p,
                std::slice::from_ref(&reference),
                &crate::oracle::Override::default(),
            );
            let verdict = theirs[0]["verdict"].as_str().unwrap();
            assert_eq!(
                verdict,
                if *want == 0 { "accepted" } else { "rejected" },
                "{name}"
            );
            if *want == 1 {
                assert_eq!(theirs[0]["message"].as_str().unwrap(), reason, "{name}");
            }
        }
        // Debian's c/image 5.23 does not know these fields: a policy error.
        let old = policyctl()
            .args(["check", "--compat", "5.23", "--policy"])
            .arg(&p)
            .arg(&reference)
            .output()
            .unwrap();
        assert_eq!(old.status.code(), Some(2), "{name} under 5.23");
    }
}
