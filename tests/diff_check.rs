//! Differential test of `policyctl check --compat 5.23` against Debian's skopeo 1.9.3:
//! every image × policy pair below goes through
//! `skopeo --policy P copy --remove-signatures REF dir:OUT` and `policyctl check`; the exit
//! codes must agree (skopeo: 0 accepted, "Source image rejected" → 1, any other failure → 2;
//! spec Appendix B). Debian's skopeo cannot verify sigstore signatures, so sigstore policies
//! appear only where both must reject. Needs skopeo (fails when CI=true and it is missing).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{policyctl, repo, require_tool};

fn skopeo_verdict(policy: &Path, reference: &str, scratch: &Path) -> (i32, String) {
    let out_dir = scratch.join(format!("out-{:x}", rand_suffix()));
    crate::util::skopeo_copy_verdict(policy, reference, &out_dir)
}

fn rand_suffix() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    u128::from(N.fetch_add(1, Ordering::Relaxed))
}

fn ours(policy: &Path, reference: &str, storage_conf: &Path) -> (i32, String) {
    let out = policyctl()
        .env("CONTAINERS_STORAGE_CONF", storage_conf)
        .args(["check", "--compat", "5.23", "--policy"])
        .arg(policy)
        .arg(reference)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
        + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn policies(r: &str, store: &str) -> Vec<(&'static str, String)> {
    let acc = r#"[{"type":"insecureAcceptAnything"}]"#;
    let rej = r#"[{"type":"reject"}]"#;
    let p = |default: &str, transports: String| {
        format!(r#"{{"default":{default},"transports":{{{transports}}}}}"#)
    };
    vec![
        ("accept-all", p(acc, String::new())),
        ("reject-all", p(rej, String::new())),
        (
            "dir-transport-default",
            p(rej, format!(r#""dir":{{"":{acc}}}"#)),
        ),
        (
            "dir-exact-path-rejects",
            p(
                acc,
                format!(r#""dir":{{"{r}/testdata/check/dir/a":{rej}}}"#),
            ),
        ),
        (
            "dir-parent-accepts",
            p(rej, format!(r#""dir":{{"{r}/testdata/check/dir":{acc}}}"#)),
        ),
        (
            "dir-unrelated-scope",
            p(rej, format!(r#""dir":{{"{r}/testdata/other":{acc}}}"#)),
        ),
        (
            "oci-namespaces",
            p(
                rej,
                format!(
                    r#""oci":{{"{r}/testdata/check/oci":{acc}}},"oci-archive":{{"{r}/testdata/check/a.oci.tar":{acc}}}"#
                ),
            ),
        ),
        (
            "oci-parent",
            p(
                rej,
                format!(
                    r#""oci":{{"{r}/testdata/check":{acc}}},"oci-archive":{{"{r}/testdata":{acc}}}"#
                ),
            ),
        ),
        (
            "sigstore-default",
            p(
                &format!(
                    r#"[{{"type":"sigstoreSigned","keyPath":"{r}/testdata/check/fixtures-key.pub"}}]"#
                ),
                String::new(),
            ),
        ),
        (
            "signedby-default",
            p(
                r#"[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/nonexistent.gpg"}]"#,
                String::new(),
            ),
        ),
        (
            "docker-archive-default",
            p(rej, format!(r#""docker-archive":{{"":{acc}}}"#)),
        ),
        (
            "storage-namespace",
            p(
                rej,
                format!(
                    r#""containers-storage":{{"[vfs@{store}]docker.io/library":{acc},"[vfs@{store}]example.com/fixtures":{acc}}}"#
                ),
            ),
        ),
        (
            "storage-driverless",
            p(
                rej,
                format!(r#""containers-storage":{{"[{store}]":{acc}}}"#),
            ),
        ),
        (
            "storage-tagged",
            p(
                rej,
                format!(
                    r#""containers-storage":{{"[vfs@{store}]example.com/fixtures/a:1":{acc}}}"#
                ),
            ),
        ),
        (
            "storage-other-driver",
            p(
                rej,
                format!(r#""containers-storage":{{"[overlay@{store}]":{acc}}}"#),
            ),
        ),
        (
            "accept-then-reject",
            p(
                r#"[{"type":"insecureAcceptAnything"},{"type":"reject"}]"#,
                String::new(),
            ),
        ),
        (
            "signed-base-layer",
            p(
                r#"[{"type":"signedBaseLayer","baseLayerIdentity":{"type":"matchRepository"}}]"#,
                String::new(),
            ),
        ),
        (
            "docker-section-only",
            p(acc, format!(r#""docker":{{"":{rej}}}"#)),
        ),
        (
            "unknown-transport-section",
            p(acc, format!(r#""dirs":{{"":{rej}}}"#)),
        ),
    ]
}

fn images(r: &str, store: &str, run: &str) -> Vec<String> {
    let cs = format!("containers-storage:[vfs@{store}+{run}]");
    vec![
        format!("dir:{r}/testdata/check/dir/a"),
        format!("dir:{r}/testdata/check/dir/b"),
        format!("dir:{r}/testdata/check/dir/multi"),
        format!("dir:{r}/testdata/check/dir/a-sigstore"),
        format!("dir:{r}/testdata/check/dir/a-corrupt-signature"),
        format!("dir:{r}/testdata/check/dir/no-manifest"),
        format!("dir:{r}/testdata/check/dir/a-truncated-manifest"),
        format!("oci:{r}/testdata/check/oci:a"),
        format!("oci:{r}/testdata/check/oci:multi"),
        format!("oci:{r}/testdata/check/oci:missing"),
        format!("oci-archive:{r}/testdata/check/a.oci.tar:a"),
        format!("docker-archive:{r}/testdata/check/a.docker.tar:example.com/fixtures/a:1"),
        format!("docker-archive:{r}/testdata/check/a.docker.tar:example.com/fixtures/a:2"),
        format!("{cs}example.com/fixtures/a:1"),
        format!("{cs}b"),
        format!("{cs}docker.io/library/b:latest"),
        format!("{cs}missing:1"),
        format!(
            "{cs}example.com/fixtures/a@{}",
            policyctl::signature::keys::sha256_digest(
                &std::fs::read(repo("testdata/check/dir/a/manifest.json")).unwrap()
            )
        ),
    ]
}

/// Builds a vfs store with two images (copied from the committed OCI layout by skopeo).
fn make_store(tmp: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let root = tmp.join("root");
    let run = tmp.join("run");
    let accept = tmp.join("accept.json");
    std::fs::write(
        &accept,
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )
    .unwrap();
    for (src, name) in [("a", "example.com/fixtures/a:1"), ("b", "b:latest")] {
        let st = Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q"])
            .arg(format!(
                "oci:{}:{src}",
                repo("testdata/check/oci").display()
            ))
            .arg(format!(
                "containers-storage:[vfs@{}+{}]{name}",
                root.display(),
                run.display()
            ))
            .status()
            .unwrap();
        assert!(st.success(), "skopeo copy into the test store failed");
    }
    let conf = tmp.join("storage.conf");
    std::fs::write(
        &conf,
        format!(
            "[storage]\ndriver = \"vfs\"\ngraphroot = \"{}\"\nrunroot = \"{}\"\n",
            root.display(),
            run.display()
        ),
    )
    .unwrap();
    (root, run, conf)
}

#[test]
fn live_check_verdicts_agree_with_skopeo() {
    if !require_tool("skopeo") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tmp_path = std::fs::canonicalize(tmp.path()).unwrap();
    let (root, run, conf) = make_store(&tmp_path);
    let r = repo("").canonicalize().unwrap().display().to_string();
    let (store, run) = (root.display().to_string(), run.display().to_string());
    let mut pairs = 0;
    let mut bad = Vec::new();
    let mut by_verdict = [0usize; 3];
    // The policy `policyctl init` writes must behave as intended under c/image too.
    let init_root = tmp_path.join("init-root");
    policyctl()
        .args(["--root"])
        .arg(&init_root)
        .arg("init")
        .assert()
        .success();
    let init_policy =
        std::fs::read_to_string(init_root.join("etc/containers/policy.json")).unwrap();
    let mut all = policies(&r, &store);
    all.push(("policyctl-init", init_policy));
    for (name, text) in all {
        let p = tmp_path.join(format!("{name}.json"));
        std::fs::write(&p, &text).unwrap();
        for img in images(&r, &store, &run) {
            let (want, why) = skopeo_verdict(&p, &img, &tmp_path);
            let (got, ours_text) = ours(&p, &img, &conf);
            pairs += 1;
            by_verdict[want as usize] += 1;
            if want != got {
                bad.push(format!(
                    "{name} × {img}\n  skopeo {want}: {why}\n  policyctl {got}: {ours_text}"
                ));
            }
        }
    }
    assert!(pairs >= 100, "only {pairs} pairs");
    assert!(
        by_verdict.iter().all(|&n| n >= 10),
        "the corpus needs accepts, rejects and errors: {by_verdict:?}"
    );
    assert!(
        bad.is_empty(),
        "{} of {pairs} pairs disagree:\n{}",
        bad.len(),
        bad.join("\n")
    );
    eprintln!(
        "{pairs} image×policy pairs, {pairs} agree (accepted {}, rejected {}, errors {})",
        by_verdict[0], by_verdict[1], by_verdict[2]
    );
}
