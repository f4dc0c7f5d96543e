//! The containers/image differential oracle (`tools/cimage-oracle`, Go, test tooling only):
//! builds it once per test run (`tools/build-cimage-oracle.sh`, skipped while the binaries are
//! newer than every source file) and runs it; the same script builds the Fulcio/PKI corpus
//! generator `tools/sigstore-testgen` ([`testgen`]). Without `go` the callers skip with a message,
//! except in CI (`CI=true`), where a missing toolchain or a failed build is a test failure.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::SystemTime;

use serde_json::Value;

use crate::util::root;

/// Which c/image the oracle is built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `go.podman.io/image/v5` v5.42.1 (`--compat current`).
    Current,
    /// `github.com/containers/image/v5` v5.23.1 (`--compat 5.23`).
    V5_23,
    /// The current one built with GPGME (cgo) instead of the pure-Go OpenPGP backend: c/image's
    /// default build, the reference for GPG `signedBy` (`--compat current`).
    CurrentGpgme,
}

impl Version {
    /// The builds compared for manifests (the GPG backend makes no difference there).
    pub const ALL: [Version; 2] = [Version::Current, Version::V5_23];
    /// Every binary `tools/build-cimage-oracle.sh` builds.
    const BUILT: [Version; 3] = [Version::Current, Version::V5_23, Version::CurrentGpgme];

    /// The key used in recordings and the `--compat` value.
    pub fn key(self) -> &'static str {
        match self {
            Version::Current | Version::CurrentGpgme => "current",
            Version::V5_23 => "5.23",
        }
    }

    fn binary_name(self) -> &'static str {
        match self {
            Version::Current => "cimage-oracle",
            Version::V5_23 => "cimage-oracle-5.23",
            Version::CurrentGpgme => "cimage-oracle-gpgme",
        }
    }
}

/// Cargo's target directory (the test binary lives in `<target>/<profile>/deps/`).
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| root().join("target"))
}

fn newest_source_mtime() -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut consider = |p: &Path| {
        // fs::metadata follows the main.go symlink of the 5.23 build.
        if let Ok(t) = std::fs::metadata(p).and_then(|m| m.modified()) {
            newest = newest.max(t);
        }
    };
    consider(&root().join("tools/build-cimage-oracle.sh"));
    for dir in [
        "tools/cimage-oracle",
        "tools/cimage-oracle-5.23",
        "tools/sigstore-testgen",
        "tools/k8s-match",
    ] {
        for entry in std::fs::read_dir(root().join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            consider(&entry.path());
        }
    }
    newest
}

fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

fn build() -> Result<PathBuf, String> {
    let go = Command::new("go").arg("version").output();
    if !go.is_ok_and(|o| o.status.success()) {
        return Err("go not found".to_owned());
    }
    let target = target_dir();
    let newest = newest_source_mtime();
    let fresh = Version::BUILT
        .iter()
        .map(|v| v.binary_name())
        .chain([TESTGEN, K8S_MATCH])
        .all(|name| {
            std::fs::metadata(target.join(name))
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= newest)
        });
    if !fresh {
        eprintln!("building the c/image oracle (go build, first run takes minutes)…");
        let out = Command::new(root().join("tools/build-cimage-oracle.sh"))
            .arg(&target)
            .output()
            .map_err(|e| format!("running tools/build-cimage-oracle.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "tools/build-cimage-oracle.sh failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    Ok(target)
}

/// The directory holding both oracle binaries, built if needed; `None` (after printing why)
/// when Go is unavailable outside CI. Panics in CI.
pub fn oracle_dir() -> Option<&'static Path> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match BUILT.get_or_init(build) {
        Ok(dir) => Some(dir),
        Err(e) if in_ci() => panic!("the c/image oracle is required in CI (CI=true): {e}"),
        Err(e) => {
            eprintln!("skipping the live c/image oracle: {e} (set CI=true to make this a failure)");
            None
        }
    }
}

/// The oracle binary for `version`, if it can be had (see [`oracle_dir`]).
pub fn oracle(version: Version) -> Option<PathBuf> {
    oracle_dir().map(|d| d.join(version.binary_name()))
}

/// The Fulcio/PKI corpus generator's binary name (built next to the oracles).
const TESTGEN: &str = "sigstore-testgen";
const K8S_MATCH: &str = "k8s-match";

/// The Kubernetes pattern-matcher oracle (`tools/k8s-match`), built with the others.
pub fn k8s_match() -> Option<PathBuf> {
    oracle_dir().map(|d| d.join(K8S_MATCH))
}

/// `tools/sigstore-testgen` (`sigstore-testgen OUTDIR`), if it can be had (see [`oracle_dir`]).
pub fn testgen() -> Option<PathBuf> {
    oracle_dir().map(|d| d.join(TESTGEN))
}

/// `cimage-oracle manifest --batch`: one result object per input line, in order.
pub fn manifest_batch(bin: &Path, cases_jsonl: &[u8]) -> Vec<Value> {
    let mut child = Command::new(bin)
        .args(["manifest", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = cases_jsonl.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{} manifest --batch failed: {}",
        bin.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A platform choice as skopeo's `--override-os/--override-arch/--override-variant` make it.
#[derive(Debug, Clone, Default)]
pub struct Override<'a> {
    pub os: &'a str,
    pub arch: &'a str,
    pub variant: &'a str,
}

/// `cimage-oracle check --policy P [--override-*] REF…`: one verdict object per reference.
pub fn check(bin: &Path, policy: &Path, refs: &[String], p: &Override<'_>) -> Vec<Value> {
    check_env(bin, policy, refs, p, &[])
}

/// [`check`] with extra environment variables (e.g. `TZ`, which decides how Go prints times).
pub fn check_env(
    bin: &Path,
    policy: &Path,
    refs: &[String],
    p: &Override<'_>,
    env: &[(&str, &str)],
) -> Vec<Value> {
    let mut cmd = Command::new(bin);
    cmd.envs(env.iter().copied());
    cmd.arg("check").arg("--policy").arg(policy);
    for (flag, v) in [
        ("--override-os", p.os),
        ("--override-arch", p.arch),
        ("--override-variant", p.variant),
    ] {
        if !v.is_empty() {
            cmd.arg(flag).arg(v);
        }
    }
    let out = cmd.args(refs).current_dir(root()).output().unwrap();
    assert!(
        out.status.success(),
        "{} check failed: {}",
        bin.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The real cosign (`tools/build-cosign.sh`, v2.5.0; `crane` beside it), built if missing or
/// older than its module files; `None` (after printing why) without Go outside CI. Panics in
/// CI.
pub fn cosign() -> Option<PathBuf> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let go = Command::new("go").arg("version").output();
        if !go.is_ok_and(|o| o.status.success()) {
            return Err("go not found".to_owned());
        }
        let target = target_dir();
        let bin = target.join("cosign");
        let newest = [
            "tools/cosign/go.mod",
            "tools/cosign/go.sum",
            "tools/build-cosign.sh",
        ]
        .iter()
        .filter_map(|p| {
            std::fs::metadata(root().join(p))
                .and_then(|m| m.modified())
                .ok()
        })
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
        let fresh = [&bin, &target.join("crane"), &target.join("cosign3")]
            .iter()
            .all(|b| {
                std::fs::metadata(b)
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= newest)
            });
        if !fresh {
            eprintln!("building cosign (go build, first run takes minutes)…");
            let out = Command::new(root().join("tools/build-cosign.sh"))
                .arg(&target)
                .output()
                .map_err(|e| format!("running tools/build-cosign.sh: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "tools/build-cosign.sh failed:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        Ok(bin)
    });
    match built {
        Ok(p) => Some(p.clone()),
        Err(e) if in_ci() => panic!("cosign is required in CI (CI=true): {e}"),
        Err(e) => {
            eprintln!(
                "skipping the cosign interoperability test: {e} (set CI=true to make this a failure)"
            );
            None
        }
    }
}
