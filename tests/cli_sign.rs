//! `policyctl generate-key` and `policyctl sign` (issue 13): keys in cosign's encrypted format
//! (cosign's own test keys sign too), signatures that current containers/image (the Go oracle)
//! accepts and Debian's skopeo carries along, OCI layouts as cosign lays them out, and every
//! refusal (existing key files, wrong passphrase, no identity, dry runs write nothing).

use std::path::Path;

use crate::oracle::{self, Override, Version};
use crate::util::{policyctl, repo, write};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dst = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
        }
    }
}

fn public_pem_of(private: &Path, pass: &str) -> String {
    use p256::pkcs8::EncodePublicKey;
    let k = policyctl::signature::private_key::load_encrypted_private_key(
        &std::fs::read(private).unwrap(),
        pass.as_bytes(),
    )
    .unwrap();
    k.verifying_key()
        .to_public_key_pem(p256::pkcs8::LineEnding::LF)
        .unwrap()
}

#[test]
fn generated_keys_are_private_and_never_overwritten() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let t = t.path();
    let pass = write(t, "pass", "s3cret\nignored second line\n");
    let prefix = t.join("k");
    let out = policyctl()
        .args(["generate-key", "--passphrase-file"])
        .arg(&pass)
        .arg("--output-prefix")
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let private = t.join("k.private");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&private), 0o600);
    assert_eq!(mode(&t.join("k.pub")), 0o644);
    let text = std::fs::read_to_string(&private).unwrap();
    assert!(text.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    // The first line of the file is the passphrase; the public key file matches.
    assert_eq!(
        public_pem_of(&private, "s3cret"),
        std::fs::read_to_string(t.join("k.pub")).unwrap()
    );
    let again = policyctl()
        .env("COSIGN_PASSWORD", "x")
        .arg("generate-key")
        .arg("--output-prefix")
        .arg(&prefix)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("Refusing to overwrite existing"));
    assert_eq!(std::fs::read_to_string(&private).unwrap(), text);
}

#[test]
fn signatures_in_dir_are_what_cimage_accepts() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let img = t.join("img");
    copy_dir(&repo("testdata/demo/images/unsigned"), &img);
    // cosign's own test key (passphrase "hello", TEST-ONLY), through $COSIGN_PASSWORD.
    let key = repo("testdata/store/pemsigstorekey.key");
    let public = write(&t, "cosign-test.pub", &public_pem_of(&key, "hello"));
    let reference = format!("dir:{}", img.display());
    let sign = |extra: &[&str]| {
        policyctl()
            .env("COSIGN_PASSWORD", "hello")
            .args(["sign", "--key"])
            .arg(&key)
            .args(extra)
            .arg(&reference)
            .output()
            .unwrap()
    };
    // No identity for a dir: image; a dry run writes nothing; a wrong passphrase fails.
    let o = sign(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Cannot determine canonical Docker reference")
    );
    let o = sign(&["--identity", "ghcr.io/armorred/app"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be a fully specified reference"));
    let o = sign(&["--identity", "ghcr.io/armorred/app:1.0", "--dry-run"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("would write"));
    assert!(!img.join("signature-1").exists());
    let wrong = policyctl()
        .env("COSIGN_PASSWORD", "nope")
        .args(["sign", "--identity", "ghcr.io/armorred/app:1.0", "--key"])
        .arg(&key)
        .arg(&reference)
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("decrypt: encrypted: decryption failed")
    );
    // Two signatures: signature-1 and signature-2.
    for _ in 0..2 {
        let o = sign(&["--identity", "ghcr.io/armorred/app:1.0"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert!(img.join("signature-2").exists());
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"exactRepository","dockerRepository":"ghcr.io/armorred/app"}}}}]}}"#,
            public.display()
        ),
    );
    let ours = policyctl()
        .arg("--policy")
        .arg(&policy)
        .args(["check", "--json"])
        .arg(&reference)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&ours.stdout).unwrap();
    assert_eq!(v["results"][0]["verdict"], "accepted", "{v:#}");
    if let Some(bin) = oracle::oracle(Version::Current) {
        let theirs = oracle::check(
            &bin,
            &policy,
            std::slice::from_ref(&reference),
            &Override::default(),
        );
        assert_eq!(theirs[0]["verdict"], "accepted", "{}", theirs[0]);
    }
    // skopeo reads and carries both signatures, byte for byte.
    if crate::util::require_tool("skopeo") {
        let accept = write(
            &t,
            "accept.json",
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        );
        let back = t.join("back");
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["copy", "-q"])
            .arg(&reference)
            .arg(format!("dir:{}", back.display()))
            .status()
            .unwrap();
        assert!(st.success());
        for n in ["signature-1", "signature-2"] {
            assert_eq!(
                std::fs::read(back.join(n)).unwrap(),
                std::fs::read(img.join(n)).unwrap(),
                "{n}"
            );
        }
    }
}

#[test]
fn signatures_in_oci_layouts_are_cosign_attachments() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let layout = t.join("layout");
    copy_dir(&repo("testdata/demo/oci"), &layout);
    let pass = write(&t, "pass", "pw\n");
    let prefix = t.join("k");
    assert!(
        policyctl()
            .args(["generate-key", "--passphrase-file"])
            .arg(&pass)
            .arg("--output-prefix")
            .arg(&prefix)
            .output()
            .unwrap()
            .status
            .success()
    );
    let reference = format!("oci:{}:b", layout.display());
    let o = policyctl()
        .args([
            "sign",
            "--identity",
            "ghcr.io/armorred/b:1",
            "--passphrase-file",
        ])
        .arg(&pass)
        .arg("--key")
        .arg(t.join("k.private"))
        .arg(&reference)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("do not read signatures from OCI layouts"));
    // The layout lists it as cosign's .sig attachment; the checker reads it with
    // --oci-attachments and it verifies with the new public key.
    let out = policyctl()
        .args(["sigs", "list", "--json"])
        .arg(&reference)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &v["images"][0]["entries"];
    assert_eq!(e.as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(e[0]["kind"], "cosign-signature");
    assert_eq!(e[0]["store"], "oci-layout-tag");
    assert_eq!(e[0]["claimed_identity"], "ghcr.io/armorred/b:1");
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"matchRepository"}}}}]}}"#,
            t.join("k.pub").display()
        ),
    );
    let check = policyctl()
        .arg("--policy")
        .arg(&policy)
        .args(["check", "--json", "--oci-attachments"])
        .arg(&reference)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let sig = &v["results"][0]["requirements"][0]["signatures"][0];
    // oci: has no Docker identity: matchRepository cannot match, but the signature verified.
    assert_eq!(sig["reason_kind"], "identity-not-accepted", "{v:#}");
    // The layout stays valid for skopeo (index.json rewritten atomically).
    if crate::util::require_tool("skopeo") {
        let accept = write(
            &t,
            "accept.json",
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        );
        let st = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(["inspect", "--raw"])
            .arg(&reference)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    }
}

/// `sign --all` on a multi-architecture image in dir:, an OCI layout and containers-storage
/// (both copied there with `skopeo copy --all`): every stored instance and the list get a
/// signature, so podman on any of those platforms — and current c/image choosing either
/// instance — accepts it (the layout's signatures are read with --oci-attachments).
#[test]
fn sign_all_covers_every_platform_of_a_list() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let img = t.join("multi");
    copy_dir(&repo("testdata/check/dir/multi"), &img);
    let key = repo("testdata/store/pemsigstorekey.key");
    let public = write(&t, "cosign-test.pub", &public_pem_of(&key, "hello"));
    let mut references = vec![format!("dir:{}", img.display())];
    if crate::util::require_tool("skopeo") {
        let accept = write(
            &t,
            "accept.json",
            r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
        );
        let spec = format!(
            "[vfs@{}+{}]",
            t.join("root").display(),
            t.join("run").display()
        );
        // skopeo 1.9.3 cannot store a whole list in containers-storage: there it keeps the
        // list and the host's instance.
        for (dest, all) in [
            (format!("oci:{}:multi", t.join("layout").display()), "--all"),
            (
                format!("containers-storage:{spec}example.com/multi:1"),
                "--quiet",
            ),
        ] {
            let st = std::process::Command::new("skopeo")
                .arg("--policy")
                .arg(&accept)
                .args(["copy", "-q", all])
                .arg(&references[0])
                .arg(&dest)
                .status()
                .unwrap();
            assert!(st.success());
            references.push(dest);
        }
    }
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"exactRepository","dockerRepository":"example.com/multi"}}}}]}}"#,
            public.display()
        ),
    );
    for reference in &references {
        let o = policyctl()
            .env("COSIGN_PASSWORD", "hello")
            .args([
                "sign",
                "--all",
                "--identity",
                "example.com/multi:1",
                "--key",
            ])
            .arg(&key)
            .arg(reference)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{reference}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let arches: &[&str] = if reference.starts_with("containers-storage:") {
            &["amd64"]
        } else {
            &["amd64", "arm64"]
        };
        for &arch in arches {
            let out = policyctl()
                .arg("--policy")
                .arg(&policy)
                .args(["check", "--json", "--oci-attachments", "--arch", arch])
                .arg(reference)
                .output()
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                v["results"][0]["verdict"], "accepted",
                "{reference} {arch}: {v:#}"
            );
            if reference.starts_with("oci:") {
                continue; // c/image never reads signatures from OCI layouts
            }
            if let Some(bin) = oracle::oracle(Version::Current) {
                let theirs = oracle::check(
                    &bin,
                    &policy,
                    std::slice::from_ref(reference),
                    &Override {
                        arch,
                        os: "linux",
                        ..Override::default()
                    },
                );
                assert_eq!(
                    theirs[0]["verdict"], "accepted",
                    "{reference} {arch}: {}",
                    theirs[0]
                );
            }
        }
    }
    // dir: holds one signature per instance and one for the list.
    let sigs = std::fs::read_dir(&img)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains("signature-"))
        .count();
    assert_eq!(sigs, 3);
}

/// Signing into containers-storage takes c/storage's own lock: ten `policyctl sign` and ten
/// `podman tag` (which rewrites images.json too) run at the same time on one store, and
/// nothing is lost — every signature and every tag is there, podman reads the store, and
/// skopeo carries all ten signatures out, each accepted by current c/image.
#[test]
fn signing_into_containers_storage_races_podman_safely() {
    if !crate::util::require_tool("skopeo") || !crate::util::require_tool("podman") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let (root, run) = (t.join("root"), t.join("run"));
    let spec = format!("[vfs@{}+{}]", root.display(), run.display());
    let name = "ghcr.io/armorred/app:1";
    let stored = format!("containers-storage:{spec}{name}");
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let st = std::process::Command::new("skopeo")
        .arg("--policy")
        .arg(&accept)
        .args(["copy", "-q"])
        .arg(format!(
            "dir:{}",
            repo("testdata/demo/images/unsigned").display()
        ))
        .arg(&stored)
        .status()
        .unwrap();
    assert!(st.success());
    let key = repo("testdata/store/pemsigstorekey.key");
    let podman = |args: &[&str]| {
        std::process::Command::new("podman")
            .arg("--root")
            .arg(&root)
            .arg("--runroot")
            .arg(&run)
            .args(["--storage-driver", "vfs"])
            .args(args)
            .output()
            .unwrap()
    };
    std::thread::scope(|s| {
        let signer = s.spawn(|| {
            for i in 0..10 {
                let o = policyctl()
                    .env("COSIGN_PASSWORD", "hello")
                    .args([
                        "sign",
                        "--identity",
                        &format!("ghcr.io/armorred/app:{i}"),
                        "--key",
                    ])
                    .arg(&key)
                    .arg(&stored)
                    .output()
                    .unwrap();
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            }
        });
        let tagger = s.spawn(|| {
            for i in 0..10 {
                let o = podman(&["tag", name, &format!("example.com/tag:{i}")]);
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                let o = podman(&["images", "--format", "{{.ID}}"]);
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            }
        });
        signer.join().unwrap();
        tagger.join().unwrap();
    });
    // Every tag survived the signatures' images.json rewrites…
    let o = podman(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    let names = String::from_utf8_lossy(&o.stdout);
    for i in 0..10 {
        assert!(
            names.contains(&format!("example.com/tag:{i}")),
            "tag {i} lost: {names}"
        );
    }
    // …and every signature the tags' rewrites.
    let out = policyctl()
        .args(["sigs", "list", "--json"])
        .arg(&stored)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["images"][0]["podman_reads"], 10, "{v:#}");
    let back = t.join("back");
    let st = std::process::Command::new("skopeo")
        .arg("--policy")
        .arg(&accept)
        .args(["copy", "-q"])
        .arg(&stored)
        .arg(format!("dir:{}", back.display()))
        .status()
        .unwrap();
    assert!(st.success());
    assert!(back.join("signature-10").exists());
    let public = write(&t, "cosign-test.pub", &public_pem_of(&key, "hello"));
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"matchRepository"}}}}]}}"#,
            public.display()
        ),
    );
    if let Some(bin) = oracle::oracle(Version::Current) {
        let theirs = oracle::check(
            &bin,
            &policy,
            std::slice::from_ref(&stored),
            &Override::default(),
        );
        assert_eq!(theirs[0]["verdict"], "accepted", "{}", theirs[0]);
    }
}

/// The writer reads `index.json` with the reader's bound (16 MiB): a 2 MiB index is signed
/// into, a 17 MiB one is refused and left as it was.
#[test]
fn oci_index_size_bound_is_the_readers() {
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let pass = write(&t, "pass", "pw\n");
    let prefix = t.join("k");
    assert!(
        policyctl()
            .args(["generate-key", "--passphrase-file"])
            .arg(&pass)
            .arg("--output-prefix")
            .arg(&prefix)
            .output()
            .unwrap()
            .status
            .success()
    );
    for (mib, ok) in [(2usize, true), (17, false)] {
        let layout = t.join(format!("layout-{mib}"));
        copy_dir(&repo("testdata/demo/oci"), &layout);
        let index = layout.join("index.json");
        let mut text = std::fs::read_to_string(&index).unwrap();
        text.push_str(&" ".repeat(mib * 1024 * 1024));
        std::fs::write(&index, &text).unwrap();
        let o = policyctl()
            .args([
                "sign",
                "--identity",
                "ghcr.io/armorred/b:1",
                "--passphrase-file",
            ])
            .arg(&pass)
            .arg("--key")
            .arg(t.join("k.private"))
            .arg(format!("oci:{}:b", layout.display()))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.success(), ok, "{mib} MiB: {stderr}");
        if !ok {
            assert_eq!(std::fs::read_to_string(&index).unwrap(), text);
        }
    }
}
