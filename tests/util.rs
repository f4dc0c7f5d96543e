//! Shared helpers for the integration tests.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the repository root.
pub fn repo(rel: &str) -> PathBuf {
    root().join(rel)
}

/// A `policyctl` command with a clean environment (no user policy, no colour).
pub fn policyctl() -> snapbox::cmd::Command {
    snapbox::cmd::Command::new(snapbox::cmd::cargo_bin!("policyctl"))
        .env("HOME", "/nonexistent-policyctl-test-home")
        .env("NO_COLOR", "1")
        .env_remove("CONTAINERS_POLICY_JSON")
        .current_dir(root())
}

/// Whether a required external tool is present; in CI (`CI=true`) a missing tool is a failure.
pub fn require_tool(name: &str) -> bool {
    // `openssl` knows only `openssl version`.
    let found = ["--version", "version"].iter().any(|arg| {
        std::process::Command::new(name)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !found {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{name} is required in CI (CI=true) but was not found");
        }
        eprintln!("skipping: {name} not found (set CI=true to make this a failure)");
    }
    found
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A generated file that must equal the committed `path`: with `SNAPSHOTS=overwrite` it is
/// rewritten instead; otherwise a difference fails with `hint` (how to regenerate).
pub fn assert_generated(path: &Path, text: &str, hint: &str) {
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::write(path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(committed == text, "{} is stale: {hint}", path.display());
}

/// `skopeo --policy POLICY copy --remove-signatures REFERENCE dir:OUT_DIR` (OUT_DIR removed
/// afterwards): 0 accepted, 1 rejected by the policy ("Source image rejected: …"), 2 any other
/// failure; and the message (logrus' `msg="…"` unquoted, what follows "Source image rejected: "
/// when rejected; empty when accepted).
pub fn skopeo_copy_verdict(policy: &Path, reference: &str, out_dir: &Path) -> (i32, String) {
    let out = std::process::Command::new("skopeo")
        .arg("--policy")
        .arg(policy)
        .args(["copy", "--remove-signatures", reference])
        .arg(format!("dir:{}", out_dir.display()))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(out_dir);
    if out.status.success() {
        return (0, String::new());
    }
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let last = stderr.lines().last().unwrap_or("").to_owned();
    let msg = last
        .split_once("msg=\"")
        .and_then(|(_, m)| m.strip_suffix('"'))
        .map(crate::diff_skopeo::go_unquote)
        .unwrap_or(last);
    // For lists skopeo prefixes "copying system image from manifest list: ".
    match msg.split_once("Source image rejected: ") {
        Some((_, m)) => (1, m.to_owned()),
        None => (2, msg),
    }
}
