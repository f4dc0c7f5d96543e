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
    let found = std::process::Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
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
