//! The real cosign (v2.5.0 from the Go module proxy, `tools/build-cosign.sh`) and policyctl
//! read each other's keys, signatures and attestations (issue 13): cosign's encrypted keys
//! sign with policyctl; policyctl's keys load in cosign; what policyctl signs into a
//! `cosign save` layout passes `cosign verify --local-image`; `cosign attest-blob` attestations
//! verify with `policyctl attest verify` and give their SBOM; cosign verifies policyctl's
//! payload signatures (`verify-blob`). Offline throughout (no registry, no Rekor). In CI a
//! missing Go toolchain fails the test.

use crate::cli_sigs::{attachment, copy_dir, descriptor};
use crate::util::{policyctl, repo, write};

/// A finished process, or a command to run.
trait OutputOf {
    fn output_of(self) -> std::process::Output;
}

impl OutputOf for std::process::Output {
    fn output_of(self) -> std::process::Output {
        self
    }
}

impl OutputOf for &mut std::process::Command {
    fn output_of(self) -> std::process::Output {
        self.output().unwrap()
    }
}

fn out_of(o: impl OutputOf) -> (bool, String, String) {
    let o = o.output_of();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn cosign_and_policyctl_read_each_other() {
    let Some(cosign) = crate::oracle::cosign() else {
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let cosign_cmd = |args: &[&str]| {
        let mut c = std::process::Command::new(&cosign);
        c.current_dir(&t).env("COSIGN_PASSWORD", "pw").args(args);
        c
    };
    // 1. cosign's key signs with policyctl; policyctl and current c/image accept it.
    let (ok, _, e) = out_of(&mut cosign_cmd(&["generate-key-pair"]));
    assert!(ok, "{e}");
    let img = t.join("img");
    copy_dir(&repo("testdata/demo/images/unsigned"), &img);
    let (ok, _, e) = out_of(
        policyctl()
            .env("COSIGN_PASSWORD", "pw")
            .args(["sign", "--identity", "ghcr.io/armorred/app:1", "--key"])
            .arg(t.join("cosign.key"))
            .arg(format!("dir:{}", img.display()))
            .output()
            .unwrap(),
    );
    assert!(ok, "{e}");
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}","signedIdentity":{{"type":"exactRepository","dockerRepository":"ghcr.io/armorred/app"}}}}]}}"#,
            t.join("cosign.pub").display()
        ),
    );
    let (ok, out, _) = out_of(
        policyctl()
            .arg("--policy")
            .arg(&policy)
            .args(["check", "-q"])
            .arg(format!("dir:{}", img.display()))
            .output()
            .unwrap(),
    );
    assert!(ok, "{out}");
    if let Some(bin) = crate::oracle::oracle(crate::oracle::Version::Current) {
        let v = crate::oracle::check(
            &bin,
            &policy,
            &[format!("dir:{}", img.display())],
            &crate::oracle::Override::default(),
        );
        assert_eq!(v[0]["verdict"], "accepted", "{}", v[0]);
    }
    // 2. policyctl's key loads in cosign: the same public key.
    let pass = write(&t, "pass", "pw\n");
    let (ok, _, e) = out_of(
        policyctl()
            .args(["generate-key", "--passphrase-file"])
            .arg(&pass)
            .arg("--output-prefix")
            .arg(t.join("k"))
            .output()
            .unwrap(),
    );
    assert!(ok, "{e}");
    let (ok, public, e) = out_of(&mut cosign_cmd(&["public-key", "--key", "k.private"]));
    assert!(ok, "{e}");
    assert_eq!(public, std::fs::read_to_string(t.join("k.pub")).unwrap());
    // The legacy format (COSIGN label, N = 32768) loads too.
    let (ok, _, e) = out_of(
        policyctl()
            .args(["generate-key", "--legacy-format", "--passphrase-file"])
            .arg(&pass)
            .arg("--output-prefix")
            .arg(t.join("old"))
            .output()
            .unwrap(),
    );
    assert!(ok, "{e}");
    assert!(
        std::fs::read_to_string(t.join("old.private"))
            .unwrap()
            .starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----")
    );
    let (ok, public, e) = out_of(&mut cosign_cmd(&["public-key", "--key", "old.private"]));
    assert!(ok, "{e}");
    assert_eq!(public, std::fs::read_to_string(t.join("old.pub")).unwrap());
    // 3. A `cosign save`-shaped layout signed by policyctl passes cosign verify --local-image.
    let layout = t.join("layout");
    copy_dir(&repo("testdata/demo/oci"), &layout);
    let index_path = layout.join("index.json");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let image = index["manifests"][0].clone();
    let digest = image["digest"].as_str().unwrap().to_owned();
    let mut img_entry = image.clone();
    img_entry["annotations"] = serde_json::json!({"kind": "dev.cosignproject.cosign/image"});
    index["manifests"] = serde_json::json!([img_entry]);
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    let layout_ref = format!("oci:{}:@0", layout.display());
    let (ok, _, e) = out_of(
        policyctl()
            .args([
                "sign",
                "--identity",
                "ghcr.io/armorred/app:1",
                "--passphrase-file",
            ])
            .arg(&pass)
            .arg("--key")
            .arg(t.join("k.private"))
            .arg(&layout_ref)
            .output()
            .unwrap(),
    );
    assert!(ok, "{e}");
    let l = layout.display().to_string();
    let (ok, out, e) = out_of(&mut cosign_cmd(&[
        "verify",
        "--key",
        "k.pub",
        "--local-image",
        &l,
        "--insecure-ignore-tlog",
    ]));
    assert!(ok, "cosign verify --local-image: {e}");
    assert!(out.contains(r#""creator":"policyctl"#), "{out}");
    let (ok, _, _) = out_of(&mut cosign_cmd(&[
        "verify",
        "--key",
        "cosign.pub",
        "--local-image",
        &l,
        "--insecure-ignore-tlog",
    ]));
    assert!(!ok, "cosign accepted another key");
    // sigs copy brings the dir: image's signature (cosign's own key, step 1) into the layout
    // as a cosign attachment: cosign verify --local-image now accepts that key too.
    let (ok, _, e) = out_of(
        policyctl()
            .args(["sigs", "copy"])
            .arg(format!("dir:{}", img.display()))
            .arg(&layout_ref)
            .output()
            .unwrap(),
    );
    assert!(ok, "{e}");
    let (ok, _, e) = out_of(&mut cosign_cmd(&[
        "verify",
        "--key",
        "cosign.pub",
        "--local-image",
        &l,
        "--insecure-ignore-tlog",
    ]));
    assert!(ok, "cosign verify after sigs copy: {e}");
    // 4. cosign attest-blob over the image manifest: an SPDX attestation policyctl verifies.
    let manifest = std::fs::read(
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap();
    std::fs::write(t.join("manifest.json"), &manifest).unwrap();
    write(
        &t,
        "sbom.json",
        r#"{"spdxVersion":"SPDX-2.3","name":"app","packages":[]}"#,
    );
    let (ok, printed, e) = out_of(&mut cosign_cmd(&[
        "attest-blob",
        "--key",
        "cosign.key",
        "--predicate",
        "sbom.json",
        "--type",
        "spdxjson",
        "--tlog-upload=false",
        "--output-attestation",
        "att.json",
        "manifest.json",
    ]));
    assert!(ok, "{e}");
    // cosign prints the DSSE envelope (the file holds the bare statement).
    let envelope = printed
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no envelope printed: {printed}"))
        .as_bytes()
        .to_vec();
    let (att, size) = attachment(
        &layout,
        "application/vnd.dsse.envelope.v1+json",
        &envelope,
        serde_json::json!({"dev.cosignproject.cosign/signature": "", "predicateType": "https://spdx.dev/Document"}),
        None,
        None,
    );
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let mut e = descriptor("application/vnd.oci.image.manifest.v1+json", &att, size);
    e["annotations"] = serde_json::json!({"kind": "dev.cosignproject.cosign/atts"});
    index["manifests"].as_array_mut().unwrap().push(e);
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    let (ok, out, e) = out_of(
        policyctl()
            .args(["attest", "verify", "--type", "spdxjson", "--key"])
            .arg(t.join("cosign.pub"))
            .arg(&layout_ref)
            .output()
            .unwrap(),
    );
    assert!(ok, "{out}{e}");
    let (ok, sbom, e) = out_of(
        policyctl()
            .args(["sbom", "--key"])
            .arg(t.join("cosign.pub"))
            .arg(&layout_ref)
            .output()
            .unwrap(),
    );
    assert!(ok, "{e}");
    let doc: serde_json::Value = serde_json::from_str(&sbom).unwrap();
    assert_eq!(doc["name"], "app");
    let (ok, _, _) = out_of(
        policyctl()
            .args(["attest", "verify", "--key"])
            .arg(t.join("k.pub"))
            .arg(&layout_ref)
            .output()
            .unwrap(),
    );
    assert!(!ok, "another key verified cosign's attestation");
    // 5. cosign verifies policyctl's payload signature (the dir: signature of step 1).
    let blob = std::fs::read(img.join("signature-1")).unwrap();
    let j: serde_json::Value = serde_json::from_slice(&blob[15..]).unwrap();
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(j["payload"].as_str().unwrap())
        .unwrap();
    std::fs::write(t.join("payload"), payload).unwrap();
    write(
        &t,
        "sig.b64",
        j["annotations"]["dev.cosignproject.cosign/signature"]
            .as_str()
            .unwrap(),
    );
    let (ok, _, e) = out_of(&mut cosign_cmd(&[
        "verify-blob",
        "--key",
        "cosign.pub",
        "--signature",
        "sig.b64",
        "--insecure-ignore-tlog",
        "payload",
    ]));
    assert!(ok, "cosign verify-blob: {e}");
}

/// A local registry (go-containerregistry's `crane registry serve`) lets the real cosign sign,
/// attest and `cosign save`: policyctl lists, verifies and extracts the SBOM from that layout;
/// and `sigs copy` from it into containers-storage stores exactly the bytes Debian's skopeo
/// stores when it pulls the same image with `use-sigstore-attachments: true`.
#[test]
fn cosign_save_layouts_and_registry_pulls() {
    let Some(cosign) = crate::oracle::cosign() else {
        return;
    };
    if !crate::util::require_tool("skopeo") {
        return;
    }
    let crane = cosign.with_file_name("crane");
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let registry = format!("127.0.0.1:{port}");
    let server = std::process::Command::new(&crane)
        .args(["registry", "serve", "--address", &registry])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(server);
    for _ in 0..100 {
        if std::net::TcpStream::connect(&registry).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let skopeo = |args: &[&str]| {
        let o = std::process::Command::new("skopeo")
            .arg("--policy")
            .arg(&accept)
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "skopeo {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let image = format!("{registry}/app");
    skopeo(&[
        "copy",
        "-q",
        "--dest-tls-verify=false",
        &format!("dir:{}", repo("testdata/demo/images/unsigned").display()),
        &format!("docker://{image}:1"),
    ]);
    let digest = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--format",
        "{{.Digest}}",
        &format!("docker://{image}:1"),
    ])
    .trim()
    .to_owned();
    let cosign_cmd = |args: &[&str]| {
        let mut c = std::process::Command::new(&cosign);
        c.current_dir(&t).env("COSIGN_PASSWORD", "pw").args(args);
        let (ok, out, e) = out_of(&mut c);
        assert!(ok, "cosign {args:?}: {e}");
        out
    };
    cosign_cmd(&["generate-key-pair"]);
    let pinned = format!("{image}@{digest}");
    cosign_cmd(&[
        "sign",
        "--key",
        "cosign.key",
        "--tlog-upload=false",
        "--allow-insecure-registry",
        "--yes",
        &pinned,
    ]);
    write(
        &t,
        "sbom.json",
        r#"{"spdxVersion":"SPDX-2.3","name":"app"}"#,
    );
    cosign_cmd(&[
        "attest",
        "--key",
        "cosign.key",
        "--type",
        "spdxjson",
        "--predicate",
        "sbom.json",
        "--tlog-upload=false",
        "--allow-insecure-registry",
        "--yes",
        &pinned,
    ]);
    cosign_cmd(&[
        "save",
        "--dir",
        "layout",
        "--allow-insecure-registry",
        &pinned,
    ]);
    let layout = format!("oci:{}:@0", t.join("layout").display());
    let pub_key = t.join("cosign.pub");
    let run = |args: &[&str]| out_of(policyctl().args(args).output().unwrap());
    let (_, out, _) = run(&["sigs", "list", "--json", &layout]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<&str> = v["images"][0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["cosign-signature", "attestation"], "{v:#}");
    let k = pub_key.to_str().unwrap();
    let (ok, out, _) = run(&["sigs", "verify", "--key", k, &layout]);
    assert!(ok, "{out}");
    let (ok, out, _) = run(&[
        "attest", "verify", "--type", "spdxjson", "--key", k, &layout,
    ]);
    assert!(ok, "{out}");
    let (ok, sbom, _) = run(&["sbom", "--key", k, &layout]);
    assert!(ok);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&sbom).unwrap()["name"],
        "app"
    );
    // skopeo's pull with sigstore attachments vs policyctl's copy from the saved layout.
    let regd = t.join("registries.d");
    std::fs::create_dir(&regd).unwrap();
    write(
        &regd,
        "local.yaml",
        &format!("docker:\n  {registry}:\n    use-sigstore-attachments: true\n"),
    );
    let store = |n: &str| {
        format!(
            "[vfs@{}+{}]",
            t.join(n).display(),
            t.join(format!("{n}-run")).display()
        )
    };
    let pulled = format!("containers-storage:{}{image}:1", store("pulled"));
    skopeo(&[
        "--registries.d",
        regd.to_str().unwrap(),
        "copy",
        "-q",
        "--src-tls-verify=false",
        &format!("docker://{image}:1"),
        &pulled,
    ]);
    let copied = format!("containers-storage:{}{image}:1", store("copied"));
    skopeo(&[
        "copy",
        "-q",
        "--src-tls-verify=false",
        &format!("docker://{image}:1"),
        &copied,
    ]);
    let (ok, _, e) = run(&["sigs", "copy", &layout, &copied]);
    assert!(ok, "{e}");
    let signatures_of = |n: &str| -> Vec<u8> {
        let images = t.join(n).join("vfs-images");
        let id = std::fs::read_dir(&images)
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.file_type().unwrap().is_dir())
            .unwrap()
            .path();
        std::fs::read(id.join("signatures")).unwrap()
    };
    assert_eq!(signatures_of("copied"), signatures_of("pulled"));
    // And back: from containers-storage into a `cosign save` layout holding only the image,
    // which cosign verify --local-image then accepts.
    let bare = t.join("bare");
    copy_dir(&t.join("layout"), &bare);
    let index_path = bare.join("index.json");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    index["manifests"]
        .as_array_mut()
        .unwrap()
        .retain(|m| m["annotations"]["kind"] == "dev.cosignproject.cosign/image");
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    let b = bare.display().to_string();
    let mut verify = std::process::Command::new(&cosign);
    verify.current_dir(&t).args([
        "verify",
        "--key",
        "cosign.pub",
        "--local-image",
        &b,
        "--insecure-ignore-tlog",
    ]);
    let (ok, _, _) = out_of(&mut verify);
    assert!(!ok, "cosign verified a layout without signatures");
    let (ok, _, e) = run(&["sigs", "copy", &pulled, &format!("oci:{b}:@0")]);
    assert!(ok, "{e}");
    let (ok, _, e) = out_of(&mut verify);
    assert!(
        ok,
        "cosign verify --local-image after sigs copy from containers-storage: {e}"
    );
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{k}","signedIdentity":{{"type":"matchRepository"}}}}]}}"#
        ),
    );
    for reference in [&pulled, &copied] {
        let (ok, out, _) = run(&["--policy", policy.to_str().unwrap(), "check", reference]);
        assert!(ok, "{out}");
        if let Some(bin) = crate::oracle::oracle(crate::oracle::Version::Current) {
            let v = crate::oracle::check(
                &bin,
                &policy,
                std::slice::from_ref(reference),
                &crate::oracle::Override::default(),
            );
            assert_eq!(v[0]["verdict"], "accepted", "{}", v[0]);
        }
    }
}

/// A running `crane registry serve` on a free local port, stopped when dropped.
struct LocalRegistry {
    child: std::process::Child,
    address: String,
}

impl LocalRegistry {
    fn start(crane: &std::path::Path) -> LocalRegistry {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let child = std::process::Command::new(crane)
            .args(["registry", "serve", "--address", &address])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if std::net::TcpStream::connect(&address).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        LocalRegistry { child, address }
    }
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// cosign v3's default format: Sigstore bundles pushed as OCI 1.1 referrers, kept by
/// `cosign save` only as blobs. policyctl finds both bundles (the signature and the SPDX
/// attestation) by scanning the blobs, says podman cannot read them — for podman (and for
/// `check`) the image is unsigned — and verifies both with the key.
#[test]
fn cosign3_bundles_are_found_and_verified() {
    let Some(cosign) = crate::oracle::cosign() else {
        return;
    };
    if !crate::util::require_tool("skopeo") {
        return;
    }
    let (cosign3, crane) = (
        cosign.with_file_name("cosign3"),
        cosign.with_file_name("crane"),
    );
    let t = tempfile::tempdir().unwrap();
    let t = t.path().canonicalize().unwrap();
    let registry = LocalRegistry::start(&crane);
    let accept = write(
        &t,
        "accept.json",
        r#"{"default":[{"type":"insecureAcceptAnything"}]}"#,
    );
    let image = format!("{}/app", registry.address);
    let st = std::process::Command::new("skopeo")
        .arg("--policy")
        .arg(&accept)
        .args(["copy", "-q", "--dest-tls-verify=false"])
        .arg(format!(
            "dir:{}",
            repo("testdata/demo/images/unsigned").display()
        ))
        .arg(format!("docker://{image}:1"))
        .status()
        .unwrap();
    assert!(st.success());
    let o = std::process::Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--format", "{{.Digest}}"])
        .arg(format!("docker://{image}:1"))
        .output()
        .unwrap();
    let digest = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    let pinned = format!("{image}@{digest}");
    let run3 = |args: &[&str]| {
        let mut c = std::process::Command::new(&cosign3);
        c.current_dir(&t).env("COSIGN_PASSWORD", "pw").args(args);
        let (ok, out, e) = out_of(&mut c);
        assert!(ok, "cosign v3 {args:?}: {e}");
        out
    };
    run3(&["generate-key-pair"]);
    // No transparency log offline: a signing config without one.
    run3(&["signing-config", "create", "--out", "signing-config.json"]);
    run3(&[
        "sign",
        "--key",
        "cosign.key",
        "--signing-config",
        "signing-config.json",
        "--allow-insecure-registry",
        "--yes",
        &pinned,
    ]);
    write(
        &t,
        "sbom.json",
        r#"{"spdxVersion":"SPDX-2.3","name":"app3"}"#,
    );
    run3(&[
        "attest",
        "--key",
        "cosign.key",
        "--signing-config",
        "signing-config.json",
        "--type",
        "spdxjson",
        "--predicate",
        "sbom.json",
        "--allow-insecure-registry",
        "--yes",
        &pinned,
    ]);
    run3(&[
        "save",
        "--dir",
        "layout",
        "--allow-insecure-registry",
        &pinned,
    ]);
    let layout = format!("oci:{}:@0", t.join("layout").display());
    let (_, out, _) = out_of(
        policyctl()
            .args(["sigs", "list", "--json", &layout])
            .output()
            .unwrap(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entries = v["images"][0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{v:#}");
    let mut predicates: Vec<&str> = entries
        .iter()
        .map(|e| {
            assert_eq!(e["kind"], "bundle", "{e}");
            assert_eq!(e["store"], "oci-layout-referrer");
            assert_eq!(e["podman_reads"], false);
            assert_eq!(e["subject_digests"][0], digest.as_str());
            e["predicate_type"].as_str().unwrap()
        })
        .collect();
    predicates.sort();
    assert_eq!(
        predicates,
        [
            "https://sigstore.dev/cosign/sign/v1",
            "https://spdx.dev/Document"
        ]
    );
    let k = t.join("cosign.pub");
    let (ok, out, _) = out_of(
        policyctl()
            .args(["attest", "verify", "--json", "--key"])
            .arg(&k)
            .arg(&layout)
            .output()
            .unwrap(),
    );
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verified"], 2, "{v:#}");
    let (ok, sbom, _) = out_of(
        policyctl()
            .args(["sbom", "--key"])
            .arg(&k)
            .arg(&layout)
            .output()
            .unwrap(),
    );
    assert!(ok);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&sbom).unwrap()["name"],
        "app3"
    );
    // For podman, and for check, this image carries no signature.
    let policy = write(
        &t,
        "policy.json",
        &format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"{}"}}]}}"#,
            k.display()
        ),
    );
    let (ok, out, _) = out_of(
        policyctl()
            .arg("--policy")
            .arg(&policy)
            .args(["check", "--oci-attachments"])
            .arg(&layout)
            .output()
            .unwrap(),
    );
    assert!(!ok);
    assert!(
        out.contains("A signature was required, but no signature exists"),
        "{out}"
    );
}
