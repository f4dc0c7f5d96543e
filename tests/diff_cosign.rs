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
