//! `policyctl key install|list|remove` on `--root` scratch trees.

use std::path::Path;

use snapbox::str;

use crate::util::{policyctl, write};

fn root_args(root: &Path) -> Vec<String> {
    vec!["--root".into(), root.display().to_string()]
}

fn other_key(dir: &Path) -> std::path::PathBuf {
    let sk = policyctl::signature::sign::p256_key_from_seed("cli-key-test");
    write(
        dir,
        "other.pub",
        &policyctl::signature::sign::p256_public_pem(&sk),
    )
}

#[test]
fn fresh_install_is_complete_and_idempotent() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    policyctl().args(root_args(r)).args(["key", "install", "armorred"]).assert().success().stdout_eq(str![[r#"
key [..]/etc/pki/cosign/armorred.pub installed (ECDSA P-256, sha256:d8bace5c57478ad74365ffca61608def78975da0026c2c1d9bef217bb032b486)
[..]/etc/containers/registries.d/armorred.yaml: use-sigstore-attachments: true for ghcr.io/armorred
[..]/etc/containers/policy.json: docker scope ghcr.io/armorred requires sigstoreSigned by /etc/pki/cosign/armorred.pub (signedIdentity matchRepository)

"#]]);
    let policy = std::fs::read_to_string(r.join("etc/containers/policy.json")).unwrap();
    assert!(
        policy.contains(r#""keyPath": "/etc/pki/cosign/armorred.pub""#),
        "{policy}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(r.join("etc/pki/cosign/armorred.pub"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o644
    );
    assert_eq!(
        std::fs::metadata(r.join("etc/pki/cosign"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o755
    );
    // The written policy loads, and a pull from ghcr.io/armorred lands on the new scope.
    policyctl()
        .args(root_args(r))
        .arg("lint")
        .assert()
        .success();
    policyctl()
        .args(root_args(r))
        .args(["scope", "docker://ghcr.io/armorred/app:1.0"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
...
  scope:        ghcr.io/armorred ([..])
...
    1. sigstoreSigned keyPath /etc/pki/cosign/armorred.pub, signedIdentity matchRepository

"#]]);
    let before = std::fs::read(r.join("etc/containers/policy.json")).unwrap();
    policyctl()
        .args(root_args(r))
        .args(["key", "install", "armorred"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
key [..] already installed (sha256:d8bace5c57478ad74365ffca61608def78975da0026c2c1d9bef217bb032b486)
[..] already enables sigstore attachments for ghcr.io/armorred
[..]: docker scope ghcr.io/armorred already requires this key

"#]]);
    assert_eq!(
        std::fs::read(r.join("etc/containers/policy.json")).unwrap(),
        before
    );
    policyctl().args(root_args(r)).args(["key", "list"]).assert().success().stdout_eq(str![[r#"
/etc/pki/cosign/armorred.pub	sha256:d8bace5c57478ad74365ffca61608def78975da0026c2c1d9bef217bb032b486	used by docker:ghcr.io/armorred	(ARMORRED, matches the built-in pin)

"#]]);
    policyctl()
        .args(root_args(r))
        .args(["key", "remove", "armorred"])
        .assert()
        .success();
    assert!(!r.join("etc/pki/cosign/armorred.pub").exists());
    assert!(!r.join("etc/containers/registries.d/armorred.yaml").exists());
    assert!(
        !std::fs::read_to_string(r.join("etc/containers/policy.json"))
            .unwrap()
            .contains("armorred")
    );
}

#[test]
fn conflicting_key_and_bad_keys_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().join("root");
    policyctl()
        .args(root_args(&r))
        .args(["key", "install", "armorred"])
        .assert()
        .success();
    let other = other_key(t.path());
    policyctl()
        .args(root_args(&r))
        .args(["key", "install", "armorred", "--scope", "ghcr.io/armorred", "--from"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: [..]/armorred.pub already holds a different key (sha256:d8bace5c57478ad74365ffca61608def78975da0026c2c1d9bef217bb032b486); refusing to replace it with sha256:[..] (use --force)

"#]]);
    let private = write(
        t.path(),
        "cosign.key",
        "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nYWJj\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n",
    );
    policyctl()
        .args(root_args(&r))
        .args(["key", "install", "mine", "--scope", "example.com/x", "--from"])
        .arg(&private)
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: [..]/cosign.key: this is a private key (ENCRYPTED SIGSTORE PRIVATE KEY); never install or share it. Install the public key instead (cosign public-key --key cosign.key > cosign.pub)

"#]]);
    assert!(!r.join("etc/pki/cosign/mine.pub").exists());
    // From standard input.
    policyctl()
        .args(root_args(&r))
        .args([
            "key",
            "install",
            "mine",
            "--scope",
            "example.com/x",
            "--from",
            "-",
            "--no-registries-d",
        ])
        .stdin(std::fs::read(&other).unwrap())
        .assert()
        .success();
    assert!(!r.join("etc/containers/registries.d/mine.yaml").exists());
}

#[test]
fn broken_policy_is_never_overwritten() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let broken = "{\"default\": [{\"type\": \"reject\"}], \"oops\": 1}\n";
    write(&r.join("etc/containers").tap_mkdir(), "policy.json", broken);
    policyctl()
        .args(root_args(r))
        .args(["key", "install", "armorred"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: [..]/etc/containers/policy.json:1:35: Unknown key "oops"; refusing to edit a policy containers/image cannot load (fix it first, see `policyctl lint`)

"#]]);
    assert_eq!(
        std::fs::read_to_string(r.join("etc/containers/policy.json")).unwrap(),
        broken
    );
}

#[test]
fn symlinked_policy_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().join("root");
    let real = write(
        t.path(),
        "elsewhere.json",
        r#"{"default":[{"type":"reject"}]}"#,
    );
    std::fs::create_dir_all(r.join("etc/containers")).unwrap();
    std::os::unix::fs::symlink(&real, r.join("etc/containers/policy.json")).unwrap();
    policyctl()
        .args(root_args(&r))
        .args(["key", "install", "armorred", "--no-registries-d"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: [..]/etc/containers/policy.json is a symlink (to [..]/elsewhere.json); refusing to replace it (use --force to replace the link with a file)

"#]]);
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        r#"{"default":[{"type":"reject"}]}"#
    );
}

#[test]
fn killed_between_write_and_rename_keeps_the_old_file() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let old = "{\"default\": [{\"type\": \"reject\"}]}\n";
    write(&r.join("etc/containers").tap_mkdir(), "policy.json", old);
    policyctl()
        .env("POLICYCTL_TEST_CRASH_BEFORE_RENAME", "1")
        .args(root_args(r))
        .args(["key", "install", "armorred", "--no-registries-d"])
        .assert()
        .code(137);
    assert_eq!(
        std::fs::read_to_string(r.join("etc/containers/policy.json")).unwrap(),
        old
    );
    // The killed writer's temporary files are left behind; the next writer sweeps them under
    // its lock (issue 8 defect 11: they used to be named by PID and collide later).
    let temps = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.contains(".tmp-"))
            .collect()
    };
    assert!(!temps(&r.join("etc/containers")).is_empty());
    policyctl()
        .args(root_args(r))
        .args(["key", "install", "armorred", "--no-registries-d"])
        .assert()
        .success();
    for d in ["etc/containers", "etc/pki/cosign"] {
        assert_eq!(temps(&r.join(d)), Vec::<String>::new(), "{d}");
    }
}

/// Issue 8 defect 11: `trust set` and `key install` keep an existing file's mode and owner
/// (podman does); new files are 0644.
#[test]
fn existing_files_keep_their_mode_and_owner() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let policy = write(
        &r.join("etc/containers").tap_mkdir(),
        "policy.json",
        "{\"default\": [{\"type\": \"reject\"}]}\n",
    );
    std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o600)).unwrap();
    let root = std::fs::metadata(&policy).unwrap().uid() == 0;
    if root {
        std::os::unix::fs::chown(&policy, Some(1234), Some(1235)).unwrap();
    }
    let owner = {
        let m = std::fs::metadata(&policy).unwrap();
        (m.uid(), m.gid())
    };
    policyctl()
        .args(root_args(r))
        .args(["key", "install", "armorred"])
        .assert()
        .success();
    policyctl()
        .args(root_args(r))
        .args(["trust", "set", "--type", "reject", "example.com"])
        .assert()
        .success();
    for f in ["policy.json", "policy.json.bak"] {
        let m = std::fs::metadata(r.join("etc/containers").join(f)).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o600, "{f}");
        assert_eq!((m.uid(), m.gid()), owner, "{f}");
    }
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(
        text.contains("ghcr.io/armorred") && text.contains("example.com"),
        "{text}"
    );
    let key = std::fs::metadata(r.join("etc/pki/cosign/armorred.pub")).unwrap();
    assert_eq!(key.mode() & 0o7777, 0o644);
}

/// Issue 8 defect 11: a symlinked directory on the way to a file (here /etc/containers) is
/// refused before anything is written, for every file of the change.
#[test]
fn a_symlinked_parent_directory_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let elsewhere = r.join("elsewhere").tap_mkdir();
    std::fs::create_dir_all(r.join("etc")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, r.join("etc/containers")).unwrap();
    policyctl()
        .args(root_args(r))
        .args(["key", "install", "armorred"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: [..]/etc/containers/registries.d/armorred.yaml goes through the symlink [..]/etc/containers (to [..]/elsewhere); refusing to write there (use --force to follow it)

"#]]);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(!r.join("etc/pki").exists(), "the key was written");
}

/// Issue 8 defect 11: `key remove` changes its three files in one transaction: when one of
/// them cannot be changed, none is (the policy used to be edited before the key failed).
#[test]
fn key_remove_is_all_or_nothing() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    policyctl()
        .args(root_args(r))
        .args(["key", "install", "armorred"])
        .assert()
        .success();
    let policy_before = std::fs::read(r.join("etc/containers/policy.json")).unwrap();
    // The key is replaced by a directory: not a regular file, so the change is refused.
    let key = r.join("etc/pki/cosign/armorred.pub");
    std::fs::remove_file(&key).unwrap();
    std::fs::create_dir(&key).unwrap();
    policyctl()
        .args(root_args(r))
        .args(["key", "remove", "armorred"])
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: [..]/etc/pki/cosign/armorred.pub is not a regular file

"#]]);
    assert_eq!(
        std::fs::read(r.join("etc/containers/policy.json")).unwrap(),
        policy_before
    );
    assert!(r.join("etc/containers/registries.d/armorred.yaml").exists());
    // With the key back, everything goes, each file kept as .bak.
    std::fs::remove_dir(&key).unwrap();
    policyctl()
        .args(root_args(r))
        .args(["key", "install", "armorred"])
        .assert()
        .success();
    policyctl()
        .args(root_args(r))
        .args(["key", "remove", "armorred"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
[..]/etc/containers/policy.json: removed docker scope ghcr.io/armorred
removed [..]/etc/containers/registries.d/armorred.yaml
removed [..]/etc/pki/cosign/armorred.pub (kept as [..]/etc/pki/cosign/armorred.pub.bak)

"#]]);
    assert!(!key.exists() && r.join("etc/pki/cosign/armorred.pub.bak").exists());
    assert!(!r.join("etc/containers/registries.d/armorred.yaml").exists());
}

#[test]
fn concurrent_writers_both_land() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let other = other_key(r);
    let mut children = Vec::new();
    for i in 0..6 {
        let mut c = std::process::Command::new(snapbox::cmd::cargo_bin!("policyctl"));
        c.arg("--root")
            .arg(r)
            .args([
                "key",
                "install",
                &format!("k{i}"),
                "--scope",
                &format!("example.com/r{i}"),
                "--from",
            ])
            .arg(&other);
        c.stdout(std::process::Stdio::null());
        children.push(c.spawn().unwrap());
    }
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let policy = std::fs::read_to_string(r.join("etc/containers/policy.json")).unwrap();
    for i in 0..6 {
        assert!(
            policy.contains(&format!("\"example.com/r{i}\"")),
            "lost update for r{i}:\n{policy}"
        );
    }
}

#[test]
fn dry_run_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    policyctl()
        .args(root_args(r))
        .args(["key", "install", "armorred", "--dry-run"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
...
+            "ghcr.io/armorred": [
...
dry run: 3 file(s) would change

"#]]);
    assert!(!r.join("etc/pki/cosign/armorred.pub").exists());
    assert!(!r.join("etc/containers/policy.json").exists());
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}

impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

#[test]
fn installed_trust_evaluates_as_intended_on_signed_and_unsigned_images() {
    if !crate::util::require_tool("skopeo") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let root = t.join("root");
    // A fresh node: safe starting policy, then trust a test key for example.com/fixtures.
    policyctl()
        .args(root_args(&root))
        .arg("init")
        .assert()
        .success();
    policyctl()
        .args(root_args(&root))
        .args([
            "key",
            "install",
            "fixtures",
            "--scope",
            "example.com/fixtures",
            "--from",
        ])
        .arg(crate::util::repo("testdata/check/fixtures-key.pub"))
        .assert()
        .success();
    // A store with a signed and an unsigned image (copied by skopeo, signatures included).
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
    for (src, name) in [
        ("dir/a-sigstore", "example.com/fixtures/a:1"),
        ("dir/b", "example.com/fixtures/b:1"),
        ("dir/a-sigstore", "example.com/other/a:1"),
    ] {
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q"])
            .arg(format!(
                "dir:{}",
                crate::util::repo("testdata/check").join(src).display()
            ))
            .arg(format!("containers-storage:{spec}{name}"))
            .status()
            .unwrap();
        assert!(st.success());
    }
    let check = |name: &str, code: i32| {
        policyctl()
            .args(root_args(&root))
            .args([
                "check",
                "-q",
                "--as-pulled",
                &format!("containers-storage:{spec}{name}"),
            ])
            .assert()
            .code(code);
    };
    check("example.com/fixtures/a:1", 0); // signed by the installed key, cosign-style identity
    check("example.com/fixtures/b:1", 1); // unsigned
    check("example.com/other/a:1", 1); // outside the scope: the init default (reject)
    // Without --as-pulled the local transport's own scope (init: accept) applies.
    policyctl()
        .args(root_args(&root))
        .args([
            "check",
            "-q",
            &format!("containers-storage:{spec}example.com/fixtures/b:1"),
        ])
        .assert()
        .code(0);
    // Removing the key's trust: the signed image is then rejected by the default.
    policyctl()
        .args(root_args(&root))
        .args(["key", "remove", "fixtures"])
        .assert()
        .success();
    check("example.com/fixtures/a:1", 1);
    // Issue 10: --as-pulled on an image stored without signatures says so, and names
    // registries.d when it does not enable sigstore attachments for the repository (the
    // key and its registries.d entry are gone now).
    let notes = |name: &str| -> Vec<String> {
        let out = policyctl()
            .args(root_args(&root))
            .args([
                "check",
                "--json",
                "--as-pulled",
                &format!("containers-storage:{spec}{name}"),
            ])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["results"][0]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    };
    let n = notes("example.com/fixtures/b:1");
    assert!(
        n.iter().any(|n| n.contains("podman stored no signatures")
            && n.contains(
                "does not set use-sigstore-attachments: true for example.com/fixtures/b"
            )),
        "{n:?}"
    );
    assert!(
        !notes("example.com/fixtures/a:1")
            .iter()
            .any(|n| n.contains("stored no signatures"))
    );
    // With the registries.d entry back, only the first half remains.
    policyctl()
        .args(root_args(&root))
        .args([
            "key",
            "install",
            "fixtures",
            "--scope",
            "example.com/fixtures",
            "--from",
        ])
        .arg(crate::util::repo("testdata/check/fixtures-key.pub"))
        .assert()
        .success();
    let n = notes("example.com/fixtures/b:1");
    assert!(
        n.iter().any(|n| n.contains("podman stored no signatures")
            && !n.contains("use-sigstore-attachments")),
        "{n:?}"
    );
}

/// `testdata/check/fixtures-key.pub` re-encoded with a compressed point (`02`/`03`), the form
/// `openssl ec -conv_form compressed` writes: the same key to RustCrypto, no key at all to Go's
/// `x509.ParsePKIXPublicKey`.
pub(crate) fn compressed_fixtures_key(dir: &Path) -> std::path::PathBuf {
    use base64::Engine;
    use p256::elliptic_curve::sec1::ToSec1Point;
    use p256::pkcs8::DecodePublicKey;
    let pem =
        std::fs::read_to_string(crate::util::repo("testdata/check/fixtures-key.pub")).unwrap();
    let point = p256::PublicKey::from_public_key_pem(&pem)
        .unwrap()
        .to_sec1_point(true);
    // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (33 bytes) }
    let prefix: &[u8] = &[
        0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
    ];
    let der = [prefix, point.as_bytes()].concat();
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    write(
        dir,
        "compressed.pub",
        &format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n"),
    )
}

#[test]
fn compressed_ec_key_is_refused_and_nothing_is_written() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path().join("root");
    let key = compressed_fixtures_key(t.path());
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----\nMDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgAC")
    );
    policyctl()
        .args(root_args(&r))
        .args(["key", "install", "fix", "--scope", "example.com/fixtures", "--from"])
        .arg(&key)
        .assert()
        .code(2)
        .stderr_eq(str![[r#"
error: [..]/compressed.pub: this ECDSA key's point is in compressed form (02/03); containers/image (Go's x509.ParsePKIXPublicKey) only reads uncompressed points, so podman would reject every image of the scope. Convert it first: openssl ec -pubin -in KEY -pubout -conv_form uncompressed

"#]]);
    // Not even a directory was created.
    assert!(!r.exists());
    // Into an existing tree: every file stays as it was.
    policyctl()
        .args(root_args(&r))
        .args(["key", "install", "armorred"])
        .assert()
        .success();
    let snapshot = |r: &Path| {
        let mut v: Vec<(std::path::PathBuf, Vec<u8>)> = walkdir::WalkDir::new(r)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .map(|p| {
                let b = std::fs::read(&p).unwrap_or_default();
                (p, b)
            })
            .collect();
        v.sort();
        v
    };
    let before = snapshot(&r);
    policyctl()
        .args(root_args(&r))
        .args([
            "key",
            "install",
            "fix",
            "--scope",
            "example.com/fixtures",
            "--from",
            "-",
        ])
        .stdin(std::fs::read(&key).unwrap())
        .assert()
        .code(2);
    assert_eq!(snapshot(&r), before);
}
