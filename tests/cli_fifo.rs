//! Issue 8 defect 9: a FIFO (or another non-regular file) where policyctl expects a file must
//! end the run with an error naming the file, never block. Each run has a hang detector: if
//! the binary has not exited after a generous delay it is killed and the test fails (this is
//! not a speed assertion; a correct run exits at once).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{repo, write};

/// The output of a run that exited.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs policyctl with `args` in `dir` (and `env`), failing the test if it never exits.
fn run_watched(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut cmd = Command::new(snapbox::cmd::cargo_bin!("policyctl"));
    cmd.args(args)
        .current_dir(dir)
        .env("HOME", "/nonexistent-policyctl-test-home")
        .env("NO_COLOR", "1")
        .env_remove("CONTAINERS_POLICY_JSON")
        .env_remove("CONTAINERS_STORAGE_CONF")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn policyctl");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut status = None;
    for _ in 0..600 {
        if let Some(s) = child.try_wait().expect("wait") {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("policyctl {args:?} did not exit: it hangs (killed after 60 s)");
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: t_out.join().unwrap_or_default(),
        stderr: t_err.join().unwrap_or_default(),
    }
}

fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg(p).status().expect("mkfifo");
    assert!(st.success(), "mkfifo {}", p.display());
}

/// A fresh canonical temporary directory.
fn tmp() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().canonicalize().unwrap();
    (t, p)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

const FIFO: &str = "not a regular file: it is a named pipe (FIFO)";

fn accept(t: &Path) -> PathBuf {
    write(
        t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    )
}

fn sigstore_policy(t: &Path, key: &Path) -> PathBuf {
    write(
        t,
        "sigstore.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"matchRepository"}}}}]}}"#,
            key.display()
        ),
    )
}

#[test]
fn fifo_policy_is_an_error_naming_it() {
    let (_g, t) = tmp();
    let p = t.join("policy.json");
    mkfifo(&p);
    for args in [
        vec!["--policy", "policy.json", "lint"],
        vec!["--policy", "policy.json", "scope", "docker://busybox"],
        vec!["--policy", "policy.json", "check", "dir:x"],
        vec!["trust", "show", "--policypath", "policy.json"],
    ] {
        let r = run_watched(&t, &args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(&format!("policy.json: {FIFO}")),
            "{args:?}: {}",
            r.stderr
        );
    }
}

#[test]
fn fifo_manifest_and_signature_in_dir() {
    let (_g, t) = tmp();
    let accept = accept(&t);
    let img = t.join("img");
    copy_dir(&repo("testdata/check/dir/a-sigstore"), &img);
    std::fs::remove_file(img.join("manifest.json")).unwrap();
    mkfifo(&img.join("manifest.json"));
    let r = run_watched(
        &t,
        &["--policy", accept.to_str().unwrap(), "check", "dir:img"],
        &[],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains(&format!("open img/manifest.json: {FIFO}")),
        "{}",
        r.stderr
    );

    let img = t.join("img2");
    copy_dir(&repo("testdata/check/dir/a-sigstore"), &img);
    std::fs::remove_file(img.join("signature-1")).unwrap();
    mkfifo(&img.join("signature-1"));
    let policy = sigstore_policy(&t, &repo("testdata/check/fixtures-key.pub"));
    let r = run_watched(
        &t,
        &["--policy", policy.to_str().unwrap(), "check", "dir:img2"],
        &[],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(&format!("REJECTED: open img2/signature-1: {FIFO}")),
        "{}",
        r.stdout
    );
}

#[test]
fn fifo_key_file_rejects_naming_it() {
    let (_g, t) = tmp();
    let key = t.join("key.pub");
    mkfifo(&key);
    let policy = sigstore_policy(&t, &key);
    let img = t.join("img");
    copy_dir(&repo("testdata/check/dir/a-sigstore"), &img);
    let r = run_watched(
        &t,
        &["--policy", policy.to_str().unwrap(), "check", "dir:img"],
        &[],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(&format!("REJECTED: open {}: {FIFO}", key.display())),
        "{}",
        r.stdout
    );
    // lint reads key files too (K rules), and `key install --from` reads one.
    let r = run_watched(&t, &["--policy", policy.to_str().unwrap(), "lint"], &[]);
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let r = run_watched(
        &t,
        &[
            "--root",
            t.to_str().unwrap(),
            "key",
            "install",
            "acme",
            "--from",
            key.to_str().unwrap(),
            "--scope",
            "registry.acme.example",
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("key.pub") && r.stderr.contains("FIFO"),
        "{}",
        r.stderr
    );
}

#[test]
fn fifo_oci_index_and_archive() {
    let (_g, t) = tmp();
    let accept = accept(&t);
    let lay = t.join("lay");
    copy_dir(&repo("testdata/check/oci"), &lay);
    std::fs::remove_file(lay.join("index.json")).unwrap();
    mkfifo(&lay.join("index.json"));
    let r = run_watched(
        &t,
        &["--policy", accept.to_str().unwrap(), "check", "oci:lay"],
        &[],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!("open lay/index.json: {FIFO}")),
        "{}",
        r.stderr
    );
    mkfifo(&t.join("a.tar"));
    for transport in ["oci-archive", "docker-archive"] {
        let r = run_watched(
            &t,
            &[
                "--policy",
                accept.to_str().unwrap(),
                "check",
                &format!("{transport}:a.tar"),
            ],
            &[],
        );
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(&format!("a.tar: {FIFO}")), "{}", r.stderr);
    }
}

#[test]
fn fifo_images_json_and_storage_conf() {
    let (_g, t) = tmp();
    let accept = accept(&t);
    std::fs::create_dir_all(t.join("store/vfs-images")).unwrap();
    std::fs::create_dir_all(t.join("run")).unwrap();
    let images = t.join("store/vfs-images/images.json");
    mkfifo(&images);
    let reference = format!(
        "containers-storage:[vfs@{}+{}]example.com/a:1",
        t.join("store").display(),
        t.join("run").display()
    );
    let r = run_watched(
        &t,
        &["--policy", accept.to_str().unwrap(), "check", &reference],
        &[],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains(&format!("open {}: {FIFO}", images.display())),
        "{}",
        r.stderr
    );

    let conf = t.join("storage.conf");
    mkfifo(&conf);
    let r = run_watched(
        &t,
        &[
            "--policy",
            accept.to_str().unwrap(),
            "check",
            "containers-storage:example.com/a:1",
        ],
        &[("CONTAINERS_STORAGE_CONF", &conf)],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("storage.conf") && r.stderr.contains("FIFO"),
        "{}",
        r.stderr
    );
}

#[test]
fn fifo_registries_d_file() {
    let (_g, t) = tmp();
    let accept = accept(&t);
    let d = t.join("registries.d");
    std::fs::create_dir(&d).unwrap();
    mkfifo(&d.join("a.yaml"));
    let r = run_watched(
        &t,
        &[
            "--policy",
            accept.to_str().unwrap(),
            "lint",
            "--registries-d",
            d.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "registries.d does not load: reading {}: {FIFO}",
            d.join("a.yaml").display()
        )),
        "{}",
        r.stderr
    );
}
