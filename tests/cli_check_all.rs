//! `policyctl check --all` on a real containers-storage store made by skopeo.

use snapbox::str;

use crate::util::{policyctl, repo, require_tool, write};

#[test]
fn all_images_of_a_store() {
    if !require_tool("skopeo") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let t = std::fs::canonicalize(tmp.path()).unwrap();
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let (root, run) = (t.join("root"), t.join("run"));
    for (src, name) in [
        ("dir/a-sigstore", "example.com/fixtures/a:1"),
        ("dir/b", "example.com/fixtures/b:1"),
    ] {
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q"])
            .arg(format!(
                "dir:{}",
                repo("testdata/check").join(src).display()
            ))
            .arg(format!(
                "containers-storage:[vfs@{}+{}]{name}",
                root.display(),
                run.display()
            ))
            .status()
            .unwrap();
        assert!(st.success());
    }
    let key = repo("testdata/check/fixtures-key.pub");
    let p = write(
        &t,
        "p.json",
        &format!(
            r#"{{"default":[{{"type":"reject"}}],"transports":{{"containers-storage":{{"":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"matchRepository"}}}}]}}}}}}"#,
            key.display()
        ),
    );
    let spec = format!("[vfs@{}+{}]", root.display(), run.display());
    policyctl()
        .args(["check", "--all", "--storage", &spec, "--policy"])
        .arg(&p)
        .assert()
        .code(1)
        .stdout_eq(str![[r#"
IMAGE	VERDICT	REASON
containers-storage:[..]example.com/fixtures/a:1	accepted	
containers-storage:[..]example.com/fixtures/b:1	rejected	A signature was required, but no signature exists
2 image name(s) in [vfs@[..]/root]: 1 accepted, 1 rejected, 0 error(s)

"#]]);
    // The same store found through storage.conf, as JSON, one worker.
    let conf = write(
        &t,
        "storage.conf",
        &format!(
            "[storage]\ndriver = \"vfs\"\ngraphroot = \"{}\"\nrunroot = \"{}\"\n",
            root.display(),
            run.display()
        ),
    );
    let out = policyctl()
        .env("CONTAINERS_STORAGE_CONF", &conf)
        .args(["check", "--all", "--json", "--jobs", "1", "--policy"])
        .arg(&p)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["accepted"], 1);
    assert_eq!(v["rejected"], 1);
    assert_eq!(v["results"][0]["verdict"], "accepted");
    // A single image of that store, by name, through the default store.
    policyctl()
        .env("CONTAINERS_STORAGE_CONF", &conf)
        .args(["check", "-q", "--policy"])
        .arg(&p)
        .arg("containers-storage:example.com/fixtures/a:1")
        .assert()
        .code(0);
    policyctl()
        .args(["check", "--all", "--storage", "nonsense", "--policy"])
        .arg(&p)
        .assert()
        .code(2);
}
