//! Differential test of `signedBy` (GPG simple signing) against Debian's skopeo 1.9.3, which
//! verifies through GPGME (GnuPG 2.2): keys and signatures are generated here with Debian's
//! `gpg` (RSA, DSA, ECDSA P-256, EdDSA, signing subkeys, expired and revoked keys and
//! subkeys, expired and future signatures, compression, armor, cleartext, text mode,
//! detached, two signatures, SHA-1/SHA-512, tampered bytes, wrong digest and identity), put
//! into `dir:` images (and a `containers-storage:` store signed by `skopeo copy --sign-by`),
//! and every policy × image pair goes through `skopeo copy` and `policyctl check --compat
//! 5.23`. Verdicts must agree; messages must be equal, except where c/image prints GPGME's
//! struct dump (`Invalid GPG signature: …`, compared by prefix) or a GPGME error string
//! (spec §11.10: compared as "unreadable").
//!
//! Test keys are made by the test in a temporary GNUPGHOME; no key is stored.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{policyctl, repo, require_tool};

/// A throw-away GnuPG home.
struct Gpg {
    home: PathBuf,
}

impl Gpg {
    fn new(dir: &Path) -> Gpg {
        let home = dir.join("gnupg");
        std::fs::create_dir_all(&home).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        Gpg { home }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", &self.home)
            .args([
                "--batch",
                "--yes",
                "--no-tty",
                "--pinentry-mode",
                "loopback",
            ])
            .args(["--passphrase", ""]);
        c
    }

    fn run(&self, args: &[&str]) -> Vec<u8> {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut child = self
            .cmd()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Generates a key (optionally at a faked time) and returns its fingerprint.
    fn generate(
        &self,
        uid: &str,
        algo: &str,
        usage: &str,
        expire: &str,
        at: Option<&str>,
    ) -> String {
        let mut args = vec![];
        if let Some(t) = at {
            args.extend(["--faked-system-time", t]);
        }
        args.extend(["--quick-gen-key", uid, algo, usage, expire]);
        self.run(&args);
        self.fingerprint(uid)
    }

    fn fingerprint(&self, uid: &str) -> String {
        let out = self.run(&["--with-colons", "--list-keys", uid]);
        let text = String::from_utf8(out).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|l| l.trim_matches(':').to_owned())
            .unwrap()
    }

    /// Fingerprints of the subkeys of `uid`'s key.
    fn subkeys(&self, uid: &str) -> Vec<String> {
        let text = String::from_utf8(self.run(&["--with-colons", "--list-keys", uid])).unwrap();
        let mut out = vec![];
        let mut in_sub = false;
        for l in text.lines() {
            if l.starts_with("sub:") {
                in_sub = true;
            } else if l.starts_with("fpr:") && in_sub {
                out.push(l.trim_start_matches("fpr:").trim_matches(':').to_owned());
                in_sub = false;
            }
        }
        out
    }

    fn export(&self, fpr: &str, armor: bool) -> Vec<u8> {
        if armor {
            self.run(&["--armor", "--export", fpr])
        } else {
            self.run(&["--export", fpr])
        }
    }

    /// Signs `payload` with `opts` (e.g. `-u FPR --sign`) and returns the message.
    fn sign(&self, opts: &[&str], payload: &[u8]) -> Vec<u8> {
        let mut args = opts.to_vec();
        args.extend(["-o", "-"]);
        self.run_stdin(&args, payload)
    }

    /// Revokes `fpr` with its pre-made revocation certificate.
    fn revoke(&self, fpr: &str) {
        let cert = self.home.join(format!("openpgp-revocs.d/{fpr}.rev"));
        let text = std::fs::read_to_string(&cert)
            .unwrap()
            .replace(":-----BEGIN", "-----BEGIN");
        self.run_stdin(&["--import"], text.as_bytes());
    }

    /// Revokes the first subkey of `fpr` (reason "key compromised").
    fn revoke_subkey(&self, fpr: &str) {
        self.run_stdin(
            &["--command-fd", "0", "--edit-key", fpr],
            b"key 1\nrevkey\ny\n1\n\ny\nsave\n",
        );
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", &self.home)
            .args(["--kill", "all"])
            .status();
    }
}

/// The simple-signing payload c/image writes.
fn payload(identity: &str, digest: &str) -> Vec<u8> {
    format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{identity}"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"atomic container signature"}},"optional":{{"creator":"policyctl test","timestamp":1700000000}}}}"#
    )
    .into_bytes()
}

fn sha256_file(p: &Path) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(std::fs::read(p).unwrap());
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// A `dir:` image (the shared test image) with the given signatures.
fn image(dir: &Path, name: &str, sigs: &[Vec<u8>]) -> PathBuf {
    let d = dir.join("images").join(name);
    std::fs::create_dir_all(&d).unwrap();
    for e in std::fs::read_dir(repo("testdata/diff/image")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), d.join(e.file_name())).unwrap();
    }
    for (i, s) in sigs.iter().enumerate() {
        std::fs::write(d.join(format!("signature-{}", i + 1)), s).unwrap();
    }
    d
}

/// A copy of the shared test image whose config (hence image ID in containers-storage, where
/// images with one config share their signatures) differs by `name`.
fn distinct_image(dir: &Path, name: &str) -> PathBuf {
    let d = image(dir, &format!("base-{name}"), &[]);
    let manifest_path = d.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let old = manifest["config"]["digest"].as_str().unwrap().to_owned();
    let old_path = d.join(old.trim_start_matches("sha256:"));
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&old_path).unwrap()).unwrap();
    config["author"] = name.into();
    let bytes = serde_json::to_vec(&config).unwrap();
    std::fs::remove_file(&old_path).unwrap();
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    std::fs::write(d.join(&digest), &bytes).unwrap();
    manifest["config"]["digest"] = format!("sha256:{digest}").into();
    manifest["config"]["size"] = bytes.len().into();
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    d
}

/// What a tool said: 0 accepted, 1 rejected, 2 error; and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdict {
    code: i32,
    message: String,
}

fn skopeo(policy: &Path, reference: &str, scratch: &Path, n: usize) -> Verdict {
    let (code, message) =
        crate::util::skopeo_copy_verdict(policy, reference, &scratch.join(format!("out-{n}")));
    Verdict { code, message }
}

/// The current c/image (GPGME build) on every reference under `policy`.
fn current_cimage(bin: &Path, policy: &Path, refs: &[String]) -> Vec<Verdict> {
    crate::oracle::check(bin, policy, refs, &crate::oracle::Override::default())
        .into_iter()
        .map(|v| {
            let code = match v["verdict"].as_str().unwrap() {
                "accepted" => 0,
                "rejected" => 1,
                _ => 2,
            };
            Verdict {
                code,
                message: if code == 0 {
                    String::new()
                } else {
                    v["message"].as_str().unwrap_or("").to_owned()
                },
            }
        })
        .collect()
}

fn ours(policy: &Path, reference: &str, storage_conf: Option<&Path>, compat: &str) -> Verdict {
    let mut cmd = policyctl();
    if let Some(c) = storage_conf {
        cmd = cmd.env("CONTAINERS_STORAGE_CONF", c);
    }
    let out = cmd
        .args(["check", "--compat", compat, "--json", "--policy"])
        .arg(policy)
        .arg(reference)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let image = &j["results"][0];
    let message = image["reason"]
        .as_str()
        .or(image["error"].as_str())
        .unwrap_or("")
        .to_owned();
    Verdict { code, message }
}

/// Whether two rejection messages agree as far as c/image's text can be reproduced.
fn messages_agree(theirs: &str, ours: &str) -> bool {
    const DUMP: &str = "Invalid GPG signature: ";
    // GPGME errors ("No data", …) and an empty message list are one class for GnuPG:
    // unreadable input.
    let unreadable = |m: &str| {
        m == "No data" || m == "Unexpected GPG signature count 0" || m.starts_with("Bad data")
    };
    if theirs == ours {
        return true;
    }
    if theirs.starts_with(DUMP) {
        return ours.starts_with(DUMP);
    }
    if let Some(rest) = theirs.strip_prefix("None of the signatures were accepted, reasons: ") {
        let Some(our_rest) = ours.strip_prefix("None of the signatures were accepted, reasons: ")
        else {
            return false;
        };
        // Struct dumps contain "; " only inside them rarely; split on the reason boundary.
        let t: Vec<&str> = rest.split("; ").collect();
        let o: Vec<&str> = our_rest.split("; ").collect();
        return t.len() == o.len() || t.iter().any(|x| x.starts_with(DUMP));
    }
    unreadable(theirs) && !ours.is_empty()
}

struct Fixture {
    /// (name, image reference)
    images: Vec<(String, String)>,
    /// (name, policy file)
    policies: Vec<(String, PathBuf)>,
}

fn write_policy(dir: &Path, name: &str, requirement: serde_json::Value) -> (String, PathBuf) {
    let p = dir.join(format!("policy-{name}.json"));
    let doc = serde_json::json!({ "default": [requirement] });
    std::fs::write(&p, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    (name.to_owned(), p)
}

fn build(tmp: &Path) -> Fixture {
    let gpg = Gpg::new(tmp);
    let identity = "example.com/app:1";
    let manifest = repo("testdata/diff/image/manifest.json");
    let digest = sha256_file(&manifest);
    let good = payload(identity, &digest);

    // Keys.
    let rsa = gpg.generate("RSA <rsa@example.com>", "rsa2048", "sign", "never", None);
    let dsa = gpg.generate("DSA <dsa@example.com>", "dsa2048", "sign", "never", None);
    let p256 = gpg.generate("P256 <p256@example.com>", "nistp256", "sign", "never", None);
    let ed = gpg.generate("Ed <ed@example.com>", "ed25519", "sign", "never", None);
    let other = gpg.generate(
        "Other <other@example.com>",
        "ed25519",
        "sign",
        "never",
        None,
    );
    // A certify-only primary with a signing subkey.
    let with_sub = gpg.generate("Sub <sub@example.com>", "ed25519", "cert", "never", None);
    gpg.run(&["--quick-add-key", &with_sub, "ed25519", "sign", "never"]);
    let sub = gpg.subkeys("Sub <sub@example.com>")[0].clone();
    // A signing subkey that is revoked later.
    let rev_sub_primary = gpg.generate(
        "RevSub <revsub@example.com>",
        "ed25519",
        "cert",
        "never",
        None,
    );
    gpg.run(&[
        "--quick-add-key",
        &rev_sub_primary,
        "ed25519",
        "sign",
        "never",
    ]);
    let rev_sub = gpg.subkeys("RevSub <revsub@example.com>")[0].clone();
    // Keys that will expire or be revoked after signing.
    let old = Some("20200101T000000");
    let expired = gpg.generate(
        "Expired <exp@example.com>",
        "ed25519",
        "sign",
        "2020-06-01",
        old,
    );
    let old_key = gpg.generate("Old <old@example.com>", "ed25519", "sign", "never", old);
    let revoked = gpg.generate(
        "Revoked <rev@example.com>",
        "ed25519",
        "sign",
        "never",
        None,
    );
    // A key created in the future relative to its signature is a time conflict.
    let later = gpg.generate(
        "Later <later@example.com>",
        "ed25519",
        "sign",
        "never",
        None,
    );

    // Signatures (before revocations).
    let sign = |key: &str, extra: &[&str], data: &[u8]| {
        let mut opts = vec!["-u", key, "--sign"];
        opts.extend_from_slice(extra);
        gpg.sign(&opts, data)
    };
    let prefixed = |m: Vec<u8>| [b"\x00simple-signing\n".to_vec(), m].concat();
    let mut sigs: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("rsa", vec![sign(&rsa, &[], &good)]),
        ("dsa", vec![sign(&dsa, &[], &good)]),
        ("p256", vec![sign(&p256, &[], &good)]),
        ("ed25519", vec![sign(&ed, &[], &good)]),
        ("uncompressed", vec![sign(&rsa, &["-z", "0"], &good)]),
        ("zlib", vec![sign(&rsa, &["--compress-algo", "zlib"], &good)]),
        ("bzip2", vec![sign(&rsa, &["--compress-algo", "bzip2"], &good)]),
        ("textmode", vec![sign(&rsa, &["--textmode"], &good)]),
        ("sha1", vec![sign(&rsa, &["--digest-algo", "SHA1"], &good)]),
        ("sha512", vec![sign(&p256, &["--digest-algo", "SHA512"], &good)]),
        (
            "armored",
            vec![prefixed(sign(&rsa, &["--armor"], &good))],
        ),
        (
            "cleartext",
            vec![prefixed(gpg.sign(&["-u", &rsa, "--clearsign"], &good))],
        ),
        (
            "detached",
            vec![gpg.sign(&["-u", &rsa, "--detach-sign"], &good)],
        ),
        ("literal-only", vec![gpg.sign(&["--store"], &good)]),
        (
            "two-signers",
            vec![gpg.sign(&["-u", &rsa, "-u", &ed, "--sign"], &good)],
        ),
        ("subkey", vec![sign(&format!("{sub}!"), &[], &good)]),
        ("revoked-subkey", vec![sign(&format!("{rev_sub}!"), &[], &good)]),
        (
            "expired-key",
            vec![gpg.sign(
                &["--faked-system-time", "20200301T000000", "-u", &expired, "--sign"],
                &good,
            )],
        ),
        ("revoked-key", vec![sign(&revoked, &[], &good)]),
        (
            "expired-signature",
            vec![gpg.sign(
                &[
                    "--faked-system-time",
                    "20240101T000000",
                    "--default-sig-expire",
                    "2d",
                    "-u",
                    &old_key,
                    "--sign",
                ],
                &good,
            )],
        ),
        (
            "not-yet-expired-signature",
            vec![sign(&rsa, &["--default-sig-expire", "5y"], &good)],
        ),
        (
            "future-signature",
            vec![gpg.sign(
                &["--faked-system-time", "20991231T000000", "-u", &rsa, "--sign"],
                &good,
            )],
        ),
        (
            "key-newer-than-signature",
            vec![gpg.sign(
                &[
                    "--ignore-time-conflict",
                    "--faked-system-time",
                    "20200101T000000",
                    "-u",
                    &later,
                    "--sign",
                ],
                &good,
            )],
        ),
        ("unknown-key", vec![sign(&other, &[], &good)]),
        (
            "wrong-identity",
            vec![sign(&rsa, &[], &payload("example.com/other:1", &digest))],
        ),
        (
            "wrong-digest",
            vec![sign(
                &rsa,
                &[],
                &payload(
                    identity,
                    "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                ),
            )],
        ),
        ("not-json", vec![sign(&rsa, &[], b"This is not JSON\n")]),
        (
            "sigstore-type",
            vec![sign(
                &rsa,
                &[],
                &String::from_utf8(good.clone())
                    .unwrap()
                    .replace("atomic container signature", "cosign container image signature")
                    .into_bytes(),
            )],
        ),
        (
            "optional-null",
            vec![sign(
                &rsa,
                &[],
                format!(
                    r#"{{"critical":{{"identity":{{"docker-reference":"{identity}"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"atomic container signature"}},"optional":null}}"#
                )
                .as_bytes(),
            )],
        ),
        ("garbage", vec![b"\x90garbage bytes".to_vec()]),
        (
            "unknown-then-good",
            vec![sign(&other, &[], &good), sign(&rsa, &[], &good)],
        ),
        (
            "two-bad",
            vec![sign(&other, &[], &good), sign(&rsa, &[], b"This is not JSON\n")],
        ),
    ];
    // Tampered: flip a byte inside the literal data of an uncompressed message.
    let mut tampered = sign(&rsa, &["-z", "0"], &good);
    let at = tampered.windows(8).position(|w| w == b"critical").unwrap();
    tampered[at] ^= 0x20;
    sigs.push(("tampered", vec![tampered]));

    // containers-storage: images signed by skopeo itself (`copy --sign-by`, c/image's signer).
    let mut images = vec![];
    let accept = tmp.join("accept.json");
    std::fs::write(
        &accept,
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )
    .unwrap();
    let store = format!(
        "[vfs@{}+{}]",
        tmp.join("store/root").display(),
        tmp.join("store/run").display()
    );
    for (name, key) in [
        ("cs-rsa", rsa.clone()),
        ("cs-ed25519", ed.clone()),
        ("cs-subkey", format!("{sub}!")),
        ("cs-revoked-key", revoked.clone()),
    ] {
        let base = distinct_image(tmp, name);
        let dest = format!("containers-storage:{store}example.com/{name}:1");
        let out = Command::new("skopeo")
            .env("GNUPGHOME", &gpg.home)
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q", "--sign-by", &key, "--sign-identity", identity])
            .arg(format!("dir:{}", base.display()))
            .arg(&dest)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "skopeo copy --sign-by: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        images.push((name.to_owned(), dest));
    }

    gpg.revoke(&revoked);
    gpg.revoke_subkey(&rev_sub_primary);

    images.extend(sigs.iter().map(|(name, blobs)| {
        let d = image(tmp, name, blobs);
        ((*name).to_owned(), format!("dir:{}", d.display()))
    }));

    // Keyrings and policies.
    let keys = tmp.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let key_file = |name: &str, data: Vec<u8>| {
        let p = keys.join(name);
        std::fs::write(&p, data).unwrap();
        p.display().to_string()
    };
    let trusted = [
        &rsa,
        &dsa,
        &p256,
        &ed,
        &with_sub,
        &rev_sub_primary,
        &expired,
        &revoked,
        &later,
        &old_key,
    ];
    let mut all_binary = vec![];
    let mut all_armored = vec![];
    for k in trusted {
        all_binary.extend(gpg.export(k, false));
        all_armored.extend(gpg.export(k, true));
    }
    let binary = key_file("all.gpg", all_binary.clone());
    let armored = key_file("all.asc", all_armored);
    let rsa_only = key_file("rsa.gpg", gpg.export(&rsa, false));
    let other_only = key_file("other.gpg", gpg.export(&other, false));
    let garbage = key_file("garbage.gpg", b"This is not a keyring".to_vec());
    let exact = serde_json::json!({"type": "exactReference", "dockerReference": identity});
    let signed_by = |extra: serde_json::Value| {
        let mut r =
            serde_json::json!({"type": "signedBy", "keyType": "GPGKeys", "signedIdentity": exact});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    use base64::Engine;
    let policies = vec![
        write_policy(
            tmp,
            "binary",
            signed_by(serde_json::json!({"keyPath": binary})),
        ),
        write_policy(
            tmp,
            "armored",
            signed_by(serde_json::json!({"keyPath": armored})),
        ),
        write_policy(
            tmp,
            "keypaths",
            signed_by(serde_json::json!({"keyPaths": [other_only, binary]})),
        ),
        write_policy(
            tmp,
            "keydata",
            signed_by(serde_json::json!({
                "keyData": base64::engine::general_purpose::STANDARD.encode(&all_binary)
            })),
        ),
        write_policy(
            tmp,
            "rsa-only",
            signed_by(serde_json::json!({"keyPath": rsa_only})),
        ),
        write_policy(
            tmp,
            "wrong-key",
            signed_by(serde_json::json!({"keyPath": other_only})),
        ),
        write_policy(
            tmp,
            "garbage-key",
            signed_by(serde_json::json!({"keyPath": garbage})),
        ),
        write_policy(
            tmp,
            "other-identity",
            serde_json::json!({"type": "signedBy", "keyType": "GPGKeys", "keyPath": binary,
                "signedIdentity": {"type": "exactReference", "dockerReference": "example.com/app:2"}}),
        ),
    ];
    drop(gpg);
    Fixture { images, policies }
}

#[test]
fn live_gpg_verdicts_agree_with_skopeo() {
    if !require_tool("skopeo") || !require_tool("gpg") {
        return;
    }
    let tmp = tempfile::Builder::new()
        .prefix("gpgdiff")
        .tempdir_in("/tmp")
        .unwrap();
    let tmp_path = std::fs::canonicalize(tmp.path()).unwrap();
    let fx = build(&tmp_path);
    let scratch = tmp_path.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let mut pairs = 0;
    let mut accepted = 0;
    let mut failures = vec![];
    for (pname, policy) in &fx.policies {
        for (iname, reference) in &fx.images {
            pairs += 1;
            let theirs = skopeo(policy, reference, &scratch, pairs);
            let ours = ours(policy, reference, None, "5.23");
            if theirs.code == 0 {
                accepted += 1;
            }
            if std::env::var("DIFF_GPG_VERBOSE").is_ok() {
                eprintln!(
                    "{pname} × {iname}: {} {:?} / {} {:?}",
                    theirs.code, theirs.message, ours.code, ours.message
                );
            }
            if theirs.code != ours.code || !messages_agree(&theirs.message, &ours.message) {
                failures.push(format!(
                    "{pname} × {iname}: skopeo {} {:?}\n    policyctl {} {:?}",
                    theirs.code, theirs.message, ours.code, ours.message
                ));
            }
        }
    }
    eprintln!("gpg differential: {pairs} pairs, {accepted} accepted by skopeo");
    // Where other c/image OpenPGP backends would decide differently, the explanation says so.
    let binary = &fx.policies.iter().find(|(n, _)| n == "binary").unwrap().1;
    for (image, note) in [
        (
            "sha1",
            "Sequoia (Fedora 43 and later) rejects this SHA-1 signature",
        ),
        ("ed25519", "cannot verify EdDSA keys"),
        ("armored", "rejects armored and cleartext-signed messages"),
        (
            "expired-key",
            "do not reject keys that expired after the signature was made",
        ),
        ("two-signers", "accepts a message with several signatures"),
    ] {
        let reference = &fx.images.iter().find(|(n, _)| n == image).unwrap().1;
        let out = policyctl()
            .args(["check", "--json", "--policy"])
            .arg(binary)
            .arg(reference)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let notes = &v["results"][0]["requirements"][0]["signatures"][0]["backend_notes"];
        assert!(
            notes
                .as_array()
                .is_some_and(|a| a.iter().any(|n| n.as_str().unwrap().contains(note))),
            "{image}: {notes}"
        );
    }
    assert!(pairs >= 150, "only {pairs} pairs");
    // Current c/image, default (GPGME) build: subkey signatures are accepted there.
    if let Some(bin) = crate::oracle::oracle(crate::oracle::Version::CurrentGpgme) {
        let refs: Vec<String> = fx.images.iter().map(|(_, r)| r.clone()).collect();
        let mut current_accepted = 0;
        for (pname, policy) in &fx.policies {
            let theirs = current_cimage(&bin, policy, &refs);
            for ((iname, reference), theirs) in fx.images.iter().zip(theirs) {
                let ours = ours(policy, reference, None, "current");
                if theirs.code == 0 {
                    current_accepted += 1;
                }
                if theirs.code != ours.code || !messages_agree(&theirs.message, &ours.message) {
                    failures.push(format!(
                        "current: {pname} × {iname}: c/image {} {:?}\n    policyctl {} {:?}",
                        theirs.code, theirs.message, ours.code, ours.message
                    ));
                }
            }
        }
        eprintln!(
            "gpg differential, current c/image (GPGME): {} pairs, {current_accepted} accepted",
            fx.policies.len() * fx.images.len()
        );
        assert!(
            current_accepted > accepted,
            "subkey signatures should add acceptances"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {pairs} pairs disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        accepted >= 20,
        "only {accepted} accepted: the corpus tests too little"
    );
}

/// `check --as-pulled` reads GPG signatures from the `file://` lookaside storage that
/// `registries.d` names (a pull reads them there, not from the local store), and from c/image's
/// built-in lookaside directory (under `--root`) when none is named.
#[test]
fn as_pulled_reads_the_lookaside_storage() {
    if !require_tool("skopeo") || !require_tool("gpg") {
        return;
    }
    let tmp = tempfile::Builder::new()
        .prefix("gpglook")
        .tempdir_in("/tmp")
        .unwrap();
    let t = std::fs::canonicalize(tmp.path()).unwrap();
    let gpg = Gpg::new(&t);
    let key = gpg.generate("Look <look@example.com>", "ed25519", "sign", "never", None);
    let keyring = "/etc/pki/look.gpg";
    // An unsigned image in a store, named as pulled.
    let accept = t.join("accept.json");
    std::fs::write(
        &accept,
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )
    .unwrap();
    let spec = format!(
        "[vfs@{}+{}]",
        t.join("store").display(),
        t.join("run").display()
    );
    let name = "example.com/look/app:1";
    let st = Command::new("skopeo")
        .arg("--policy")
        .arg(&accept)
        .args(["copy", "-q"])
        .arg(format!("dir:{}", repo("testdata/diff/image").display()))
        .arg(format!("containers-storage:{spec}{name}"))
        .status()
        .unwrap();
    assert!(st.success());
    let digest = sha256_file(&repo("testdata/diff/image/manifest.json"));
    let sig = gpg.sign(&["-u", &key, "--sign"], &payload(name, &digest));
    let hex = digest.trim_start_matches("sha256:");
    // A --root tree: policy, registries.d naming a lookaside directory, the signature there.
    let root = t.join("root");
    // Host paths are read under --root, the lookaside URL's too.
    let lookaside = root.join("srv/lookaside");
    let sig_dir = lookaside.join(format!("look/app@sha256={hex}"));
    std::fs::create_dir_all(&sig_dir).unwrap();
    std::fs::write(sig_dir.join("signature-1"), &sig).unwrap();
    std::fs::create_dir_all(root.join("etc/containers/registries.d")).unwrap();
    std::fs::create_dir_all(root.join("etc/pki")).unwrap();
    std::fs::write(root.join("etc/pki/look.gpg"), gpg.export(&key, false)).unwrap();
    let policy = serde_json::json!({
        "default": [{"type": "reject"}],
        "transports": {"docker": {"example.com/look": [{
            "type": "signedBy", "keyType": "GPGKeys", "keyPath": keyring}]}}
    });
    std::fs::write(
        root.join("etc/containers/policy.json"),
        serde_json::to_vec(&policy).unwrap(),
    )
    .unwrap();
    let check = || -> (i32, serde_json::Value) {
        let out = policyctl()
            .arg("--root")
            .arg(&root)
            .args(["check", "--json", "--as-pulled"])
            .arg(format!("containers-storage:{spec}{name}"))
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    };
    // Nothing names the lookaside: the built-in directory under --root is empty.
    let (code, v) = check();
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        v["results"][0]["reason"],
        "A signature was required, but no signature exists"
    );
    // registries.d names it: the signature is read there and accepted.
    std::fs::write(
        root.join("etc/containers/registries.d/look.yaml"),
        "docker:\n  example.com/look:\n    lookaside: file:///srv/lookaside\n",
    )
    .unwrap();
    let (code, v) = check();
    assert_eq!(code, 0, "{v}");
    let sig_report = &v["results"][0]["requirements"][0]["signatures"][0];
    assert_eq!(sig_report["key_fingerprint"], key.as_str());
    assert_eq!(sig_report["user_id"], "Look <look@example.com>");
    assert!(
        sig_report["origin"]
            .as_str()
            .unwrap()
            .ends_with("signature-1")
    );
    // The built-in default directory is used when registries.d names nothing.
    std::fs::remove_file(root.join("etc/containers/registries.d/look.yaml")).unwrap();
    let builtin = root.join(format!("var/lib/containers/sigstore/look/app@sha256={hex}"));
    let uid = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").unwrap().uid()
    };
    if uid == 0 {
        std::fs::create_dir_all(&builtin).unwrap();
        std::fs::write(builtin.join("signature-1"), &sig).unwrap();
        let (code, v) = check();
        assert_eq!(code, 0, "{v}");
    }
}

/// `trust show` fills the ID column of `signedBy` entries (`keyPath`, `keyData`) with the
/// keys' user IDs exactly as podman 4.3.1 does when `gpg2` is on its PATH (Debian ships only
/// `gpg`: a `gpg2` link is provided for podman; policyctl reads the keyrings itself).
#[test]
fn trust_show_gpg_ids_agree_with_podman() {
    if !require_tool("podman") || !require_tool("gpg") {
        return;
    }
    let tmp = tempfile::Builder::new()
        .prefix("gpgids")
        .tempdir_in("/tmp")
        .unwrap();
    let t = std::fs::canonicalize(tmp.path()).unwrap();
    let gpg = Gpg::new(&t);
    let one = gpg.generate("One <one@example.com>", "ed25519", "sign", "never", None);
    let two = gpg.generate("Two Without Mail", "ed25519", "sign", "never", None);
    gpg.run(&["--quick-add-uid", &one, "Second <second@example.com>"]);
    let both = [gpg.export(&one, false), gpg.export(&two, false)].concat();
    // Binary then armored: gpg cannot list it, podman shows no ID.
    let mixed = t.join("mixed.gpg");
    std::fs::write(
        &mixed,
        [gpg.export(&one, false), gpg.export(&two, true)].concat(),
    )
    .unwrap();
    let armored = t.join("both.asc");
    std::fs::write(
        &armored,
        [gpg.export(&one, true), gpg.export(&two, true)].concat(),
    )
    .unwrap();
    let single = t.join("one.gpg");
    std::fs::write(&single, gpg.export(&one, false)).unwrap();
    let several = t.join("both.gpg");
    std::fs::write(&several, &both).unwrap();
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD.encode(gpg.export(&two, false));
    let policy = serde_json::json!({
        "default": [{"type": "reject"}],
        "transports": {"docker": {
            "a.example/one": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": single}],
            "b.example/both": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": several}],
            "c.example/data": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": data}],
            "d.example/missing": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/nonexistent.gpg"}],
            "e.example/mixed": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": mixed}],
            "f.example/armored": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": armored}]
        }}
    });
    let policy_path = t.join("policy.json");
    std::fs::write(&policy_path, serde_json::to_vec(&policy).unwrap()).unwrap();
    let shim = t.join("bin");
    std::fs::create_dir_all(&shim).unwrap();
    std::os::unix::fs::symlink("/usr/bin/gpg", shim.join("gpg2")).unwrap();
    let path = format!(
        "{}:{}",
        shim.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for show in [&["show"][..], &["show", "--json"][..]] {
        let theirs = Command::new("podman")
            .env("PATH", &path)
            .args(["image", "trust"])
            .args(show)
            .arg("--policypath")
            .arg(&policy_path)
            .output()
            .unwrap();
        let ours = policyctl()
            .arg("trust")
            .args(show)
            .arg("--policypath")
            .arg(&policy_path)
            .output()
            .unwrap();
        let theirs = String::from_utf8_lossy(&theirs.stdout).into_owned();
        assert!(theirs.contains("one@example.com"), "{theirs}");
        assert_eq!(
            theirs,
            String::from_utf8_lossy(&ours.stdout),
            "trust {show:?}"
        );
    }
}

/// Issue 13: a GPG-signed image's simple-signing signature, moved by `sigs copy` into
/// containers-storage, is accepted by a `signedBy`-protected skopeo 1.9.3 reading from there
/// (and refused under another key) — the bytes podman's own pull would have stored.
#[test]
fn gpg_signatures_copied_into_storage_are_accepted_by_skopeo() {
    if !require_tool("gpg") || !require_tool("skopeo") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path().canonicalize().unwrap();
    let gpg = Gpg::new(&tmp);
    let key = gpg.generate(
        "Copy Test <copy@example.com>",
        "rsa2048",
        "sign",
        "never",
        None,
    );
    let other = gpg.generate(
        "Other <other@example.com>",
        "rsa2048",
        "sign",
        "never",
        None,
    );
    let keyring = tmp.join("key.gpg");
    std::fs::write(&keyring, gpg.export(&key, false)).unwrap();
    let other_ring = tmp.join("other.gpg");
    std::fs::write(&other_ring, gpg.export(&other, false)).unwrap();
    let accept = tmp.join("accept.json");
    std::fs::write(
        &accept,
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )
    .unwrap();
    let unsigned = format!("dir:{}", repo("testdata/demo/images/unsigned").display());
    let signed = tmp.join("signed");
    let out = Command::new("skopeo")
        .env("GNUPGHOME", &gpg.home)
        .arg("--policy")
        .arg(&accept)
        .args([
            "copy",
            "-q",
            "--sign-by",
            &key,
            "--sign-identity",
            "example.com/gpg:1",
        ])
        .arg(&unsigned)
        .arg(format!("dir:{}", signed.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = format!(
        "[vfs@{}+{}]",
        tmp.join("root").display(),
        tmp.join("run").display()
    );
    let stored = format!("containers-storage:{store}example.com/gpg:1");
    let st = Command::new("skopeo")
        .arg("--policy")
        .arg(&accept)
        .args(["copy", "-q", &unsigned, &stored])
        .status()
        .unwrap();
    assert!(st.success());
    let o = policyctl()
        .args(["sigs", "copy"])
        .arg(format!("dir:{}", signed.display()))
        .arg(&stored)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("copied 1 signature(s)"));
    for (ring, ok) in [(&keyring, true), (&other_ring, false)] {
        let policy = tmp.join(format!("policy-{ok}.json"));
        std::fs::write(
            &policy,
            format!(
                r#"{{"default":[{{"type":"signedBy","keyType":"GPGKeys","keyPath":"{}"}}]}}"#,
                ring.display()
            ),
        )
        .unwrap();
        let out = Command::new("skopeo")
            .arg("--policy")
            .arg(&policy)
            .args(["copy", "-q", &stored])
            .arg(format!("dir:{}", tmp.join(format!("out-{ok}")).display()))
            .output()
            .unwrap();
        assert_eq!(
            out.status.success(),
            ok,
            "skopeo with {}: {}",
            ring.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        // policyctl says the same.
        let ours = policyctl()
            .arg("--policy")
            .arg(&policy)
            .args(["--compat", "5.23", "check", "-q", &stored])
            .output()
            .unwrap();
        assert_eq!(ours.status.success(), ok);
    }
}
