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
}
